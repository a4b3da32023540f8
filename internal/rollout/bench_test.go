package rollout

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchFleet counts the AWS calls an adapter would make: an observation is
// DescribeAutoScalingGroups (instances and tags), DescribeInstances (launch
// times), DescribeTargetHealth per target group and DescribeAlarms; a
// command is one call, except Deregister (one per target group) and
// SetInstanceProtection (50 instances per call).
type benchFleet struct {
	*simASG
	awsCalls int
}

func (f *benchFleet) Observe(ctx context.Context) (Observation, error) {
	f.awsCalls += 3 + f.cfg.TargetGroups
	return f.simASG.Observe(ctx)
}

func (f *benchFleet) Apply(ctx context.Context, c Command) error {
	switch c := c.(type) {
	case Deregister:
		f.awsCalls += len(c.TargetGroupARNs)
	case SetInstanceProtection:
		f.awsCalls += (len(c.InstanceIDs) + 49) / 50
	default:
		f.awsCalls++
	}
	return f.simASG.Apply(ctx, c)
}

// BenchmarkRollout rolls 4, 40 and 400 instances over three zones on the
// simulated clock and compares the rollout's simulated wall time with the
// waits nothing can avoid: each step's launch-to-healthy time (or the grace
// period, if longer) and bake, and the deregistration delay.
//
//	go test ./internal/rollout -run '^$' -bench BenchmarkRollout -benchtime 3x
func BenchmarkRollout(b *testing.B) {
	for _, n := range []int{4, 40, 400} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			cfg := defaultSimConfig()
			cfg.AZs = []string{"a", "b", "c"}
			// Awkward timings on purpose: instances turn healthy 5s after the
			// grace period and the deregistration delay is no multiple of
			// the poll interval, so polling granularity shows.
			cfg.Launch, cfg.Grace, cfg.DeregDelay = 95*time.Second, 2*time.Minute, 295*time.Second
			spec := NewSpec("2")
			spec.Gates.Grace = 2 * time.Minute
			healthy := time.Duration(cfg.HealthyThreshold) * cfg.HealthInterval
			step := max(cfg.Launch+healthy, spec.Gates.Grace)
			unavoidable := step + spec.Canary.Bake + step + spec.FleetBake + cfg.DeregDelay

			var wall time.Duration
			var obs, cmds, calls int
			for b.Loop() {
				s := newSimASG(cfg, n, 1, 2*n)
				f := &benchFleet{simASG: s}
				res, err := Run(context.Background(), f, spec, Record{}, simClock{s}, nil)
				if err != nil || res.Status != Succeeded {
					b.Fatalf("%v %v", res, err)
				}
				wall = s.now.Sub(simEpoch)
				obs, cmds, calls = res.Observations, res.Commands, f.awsCalls
			}
			minutes := wall.Minutes()
			b.ReportMetric(wall.Seconds(), "sim-s")
			b.ReportMetric(unavoidable.Seconds(), "unavoidable-s")
			b.ReportMetric(100*(wall-unavoidable).Seconds()/unavoidable.Seconds(), "overhead-%")
			b.ReportMetric(float64(obs)/minutes, "observations/min")
			b.ReportMetric(float64(cmds)/minutes, "commands/min")
			b.ReportMetric(float64(calls)/minutes, "aws-calls/min")
		})
	}
}

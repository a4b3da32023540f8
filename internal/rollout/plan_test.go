package rollout

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPlan(t *testing.T) {
	spec := NewSpec("2")
	// fleetOf's target group turns healthy 30s after registration and
	// drains for a minute; launches are expected to take a minute and the
	// grace period is two: each launch step takes 2m.
	step, drain := 2*time.Minute, time.Minute
	tests := map[string]struct {
		spec func(*Spec)
		obs  *fx
		want Preview
	}{
		"four instances surge at once after one canary": {
			obs: fleetOf(4),
			want: Preview{OldVersion: 1, TargetVersion: 2, Instances: 4, Replace: 4, Canary: 1, Waves: []int{3}, Max: 8, RaisedMax: 8,
				Duration: step + spec.Canary.Bake + step + spec.FleetBake + drain},
		},
		"max_size equal to desired is raised to twice the fleet": {
			obs:  fleetOf(4).with(func(o *Observation) { o.Max = 4 }),
			want: Preview{OldVersion: 1, TargetVersion: 2, Instances: 4, Replace: 4, Canary: 1, Waves: []int{3}, Max: 4, RaisedMax: 8, Duration: step + spec.Canary.Bake + step + spec.FleetBake + drain},
		},
		"without raising max, waves replace in place within min_healthy_percent": {
			spec: func(s *Spec) {
				s.AllowRaiseMax, s.MinHealthyPercent, s.Surge.WavePercent, s.Surge.WaveBake = false, 75, 25, time.Minute
			},
			obs: fleetOf(4).with(func(o *Observation) { o.Max = 4 }),
			want: Preview{OldVersion: 1, TargetVersion: 2, Instances: 4, Replace: 4, Canary: 1, Waves: []int{1, 1, 1}, MakeRoom: 4, Max: 4, RaisedMax: 4,
				Duration: drain + step + spec.Canary.Bake + 3*(drain+step) + 2*time.Minute + spec.FleetBake},
		},
		"instances already on the target are not replaced": {
			obs: fleetOf(2).add("i-n1", "2", -time.Hour, InService, TargetHealthy).add("i-n2", "2", -time.Hour, InService, TargetHealthy).
				with(func(o *Observation) { o.Desired = 4 }),
			want: Preview{OldVersion: 1, TargetVersion: 2, Instances: 4, Replace: 2, Matching: 2, Waves: []int{2}, Max: 4, RaisedMax: 6,
				Duration: spec.Canary.Bake + step + spec.FleetBake + drain},
		},
		"a rollout under way resumes from its phase": {
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).rolling(5, 8).at(3 * time.Minute).
				tagged(recIn(PhaseCanary, func(r *Record) { r.Desired, r.GateSince = 5, t0.Add(3*time.Minute) })),
			want: Preview{OldVersion: 1, TargetVersion: 2, Instances: 5, Replace: 4, Max: 8, RaisedMax: 8, Resume: true, ResumePhase: "canary", RolloutID: "20300101T120000Z-v2",
				Duration: spec.Canary.Bake + step + spec.FleetBake + drain},
		},
		"a group on $Latest shows why apply will refuse": {
			obs:  fleetOf(4).with(func(o *Observation) { o.LaunchTemplateVersion = "$Latest" }),
			want: Preview{TargetVersion: 2, Max: 8, RaisedMax: 8, Refusal: "$Latest"},
		},
		"a fleet on the target has nothing to do": {
			obs:  fleetOf(0).add("i-n1", "2", -time.Hour, InService, TargetHealthy).with(func(o *Observation) { o.LaunchTemplateVersion, o.Desired = "2", 1 }),
			want: Preview{TargetVersion: 2, Max: 0, RaisedMax: 0, NothingToDo: true},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := spec
			if tc.spec != nil {
				tc.spec(&s)
			}
			got := Plan(s, tc.obs.o)
			w := tc.want
			w.Group, w.LaunchTemplateID = "web", "lt-1"
			if (w.Refusal == "") != (got.Refusal == "") || !strings.Contains(got.Refusal, w.Refusal) {
				t.Fatalf("refusal %q, want …%s…", got.Refusal, w.Refusal)
			}
			got.Refusal, w.Refusal = "", ""
			if !slices.Equal(got.Waves, w.Waves) {
				t.Errorf("waves %v, want %v", got.Waves, w.Waves)
			}
			got.Waves, w.Waves = nil, nil
			if !reflect.DeepEqual(got, w) {
				t.Errorf("Plan:\n got %+v\nwant %+v", got, w)
			}
		})
	}
}

// TestPlanMatchesTheRollout runs what Plan previews and compares: the same
// waves (counted as launches), the same raised max, and a duration within
// the poll granularity of the estimate when the estimates are right.
func TestPlanMatchesTheRollout(t *testing.T) {
	cases := map[string]struct {
		n, max int
		mod    func(*Spec)
	}{
		"a fleet of 12 surging at once":         {n: 12, max: 24},
		"a fleet of 12 in waves of a quarter":   {n: 12, max: 12, mod: func(s *Spec) { s.Surge.WavePercent, s.Surge.WaveBake = 25, time.Minute }},
		"a fleet of 10 replaced in place":       {n: 10, max: 10, mod: func(s *Spec) { s.AllowRaiseMax, s.MinHealthyPercent, s.Surge.WavePercent = false, 80, 20 }},
		"a fleet of 3 with max_size at desired": {n: 3, max: 3},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := defaultSimConfig()
			spec := scenarioSpec()
			spec.ExpectedLaunch = cfg.Launch
			if tc.mod != nil {
				tc.mod(&spec)
			}
			s := newSimASG(cfg, tc.n, 1, tc.max)
			obs, _ := s.Observe(t.Context())
			p := Plan(spec, obs)
			out := runScenario(t, scenario{cfg: cfg, n: tc.n, min: 1, max: tc.max, spec: spec})
			if out.status != Succeeded || len(out.problems) > 0 {
				t.Fatalf("%v %v", out, out.problems)
			}
			total := p.Canary
			for _, w := range p.Waves {
				total += w
			}
			if total != out.launches {
				t.Errorf("plan launches %d (canary %d, waves %v), rollout launched %d", total, p.Canary, p.Waves, out.launches)
			}
			if p.RaisedMax != out.peakMax {
				t.Errorf("plan raises max to %d, rollout to %d", p.RaisedMax, out.peakMax)
			}
			took := out.sim.now.Sub(simEpoch) - 3*time.Hour
			if d := took - p.Duration; d < 0 || d > time.Duration(len(p.Waves)+2)*2*spec.Poll {
				t.Errorf("rollout took %s, plan said %s", took, p.Duration)
			}
		})
	}
}

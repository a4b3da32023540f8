package rollout

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var traceFlag = flag.Bool("rollout.trace", false, "log every simulated command, launch and termination")

// scenario is one simulated rollout: a group, a spec, faults, and the
// calls at which successive runs of the driver are killed.
type scenario struct {
	cfg         simConfig
	n, min, max int
	spec        Spec
	setup       func(s *simASG)
	// crashes[i] kills run i at its crashes[i]th fleet call (0: no crash);
	// executeOnCrash makes the killed call take effect first.
	crashes        []int
	executeOnCrash bool
	// resolvePause switches on_failure to rollback after a pause and runs
	// again, as a person would.
	resolvePause bool
}

type outcome struct {
	status   Status
	reason   string
	runs     int
	problems []string
	sim      *simASG
	peakMax  int
	// launches counts target-version launches during the rollout.
	launches int
}

func (o outcome) String() string {
	return fmt.Sprintf("%s after %d run(s): %s", o.status, o.runs, o.reason)
}

func scenarioSpec() Spec {
	s := NewSpec("2")
	s.Gates.Grace = 90 * time.Second
	s.Gates.Timeout = 10 * time.Minute
	s.Gates.AlarmPrefixes = []string{"web-"}
	s.Canary.Bake = 5 * time.Minute
	s.FleetBake = 10 * time.Minute
	return s
}

func runScenario(t testing.TB, sc scenario) outcome {
	t.Helper()
	if sc.cfg.AZs == nil {
		sc.cfg = defaultSimConfig()
	}
	s := newSimASG(sc.cfg, sc.n, sc.min, sc.max)
	if *traceFlag {
		s.trace = t.Logf
	}
	if sc.setup != nil {
		sc.setup(s)
	}
	inv := newInvariants(s, sc.spec)
	spec := sc.spec
	out := outcome{sim: s}
	var res Result
	for run := 0; run < 12; run++ {
		ctx, cancel := context.WithCancel(context.Background())
		fleet := &crashingFleet{simASG: s, cancel: cancel, execute: sc.executeOnCrash}
		if run < len(sc.crashes) {
			fleet.n = sc.crashes[run]
		}
		var err error
		// A new process knows nothing but the group: the record comes back
		// from the tags.
		res, err = Run(ctx, fleet, spec, Record{}, simClock{s}, func(Progress) { inv.step() })
		cancel()
		out.runs++
		inv.step()
		if fleet.crashedAt != "" && errors.Is(err, context.Canceled) {
			continue
		}
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if res.Status == Paused && sc.resolvePause && spec.OnFailure == Pause {
			inv.pausedRecorded()
			spec.OnFailure = Rollback
			continue
		}
		break
	}
	out.status, out.reason = res.Status, res.Reason
	// Let terminations finish and the group settle before judging the end.
	inv.end = s.now
	s.advance(s.now.Add(30 * time.Minute))
	inv.final(res.Status, spec)
	out.problems = inv.problems
	out.peakMax = inv.peakMax
	out.launches = len(inv.launchedTarget)
	return out
}

// invariants is the one checker that runs after every step of every
// scenario and at the end.
type invariants struct {
	s    *simASG
	spec Spec

	origDesired, origMax int
	origSuspended        []string
	origProtected        bool
	start, end           time.Time
	target               string
	tagged               bool

	peakMax        int
	dips           []string
	launchedTarget map[string]bool
	problems       []string
}

func newInvariants(s *simASG, spec Spec) *invariants {
	v := &invariants{
		s: s, spec: spec, origDesired: s.desired, origMax: s.max, origProtected: s.newProtected,
		start: s.now, target: spec.LaunchTemplateVersion, peakMax: s.max, launchedTarget: map[string]bool{},
	}
	for p := range s.suspended {
		v.origSuspended = append(v.origSuspended, p)
	}
	slices.Sort(v.origSuspended)
	return v
}

func (v *invariants) fail(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf("t+%s: ", v.s.now.Sub(v.start))+fmt.Sprintf(format, args...))
}

func (v *invariants) serving() int {
	n := 0
	for _, in := range v.s.instances {
		if in.lifecycle != InService || !in.healthy {
			continue
		}
		ok := true
		for tg := range v.s.cfg.TargetGroups {
			if t := in.targets[tg]; t == nil || t.state != TargetHealthy {
				ok = false
			}
		}
		if ok {
			n++
		}
	}
	return n
}

// floor is the capacity that must stay in service on the normal path: the
// original desired capacity less what scaling policies took away, or the
// min_healthy_percent share of it when waves without room may retire first.
func (v *invariants) floor() int {
	f := v.origDesired - v.s.stats.policyDown
	if !v.spec.AllowRaiseMax {
		f = v.spec.minHealthy(f)
	}
	return f
}

func (v *invariants) step() {
	s := v.s
	v.peakMax = max(v.peakMax, s.max)
	if n, f := v.serving(), v.floor(); n < f {
		v.dips = append(v.dips, fmt.Sprintf("t+%s: %d serving, below %d", s.now.Sub(v.start), n, f))
	}
	own := RecordTags(s.tags)
	if len(own) > 0 {
		v.tagged = true
	}
	if len(s.tags) > 50 || len(own) > 8 {
		v.fail("%d tags on the group, %d of them the record's", len(s.tags), len(own))
	}
	for k, val := range own {
		if len(val) > MaxTagValue {
			v.fail("tag %s is %d bytes", k, len(val))
		}
	}
	if len(own) > 0 {
		if _, _, err := ParseRecord(s.tags); err != nil {
			v.fail("record does not parse: %v", err)
		}
	}
	if s.desired > s.max || s.desired < s.min {
		v.fail("desired %d outside [%d, %d]", s.desired, s.min, s.max)
	}
	for _, in := range s.instances {
		if in.version == v.target && !in.rebalance && !in.launchedAt.Before(v.start) && (v.end.IsZero() || !in.launchedAt.After(v.end)) {
			v.launchedTarget[in.id] = true
		}
	}
}

func (v *invariants) pausedRecorded() {
	rec, ok, err := ParseRecord(v.s.tags)
	if !ok || err != nil || rec.Phase != PhasePaused || rec.Failure == "" {
		v.fail("paused without a paused record: %+v %v", rec, err)
	}
}

// final checks the end state: all-new with everything restored, or
// all-old with everything restored, or a clearly recorded pause.
func (v *invariants) final(st Status, spec Spec) {
	s := v.s
	v.step()
	if st == Paused {
		v.pausedRecorded()
		return
	}
	if st == Refused && !v.tagged {
		if s.version != "1" || s.max != v.origMax || len(v.launchedTarget) > 0 {
			v.fail("refused after changing the group")
		}
		return
	}
	if st == Refused {
		// An earlier run finished a rollback and died before saying so; the
		// new run refused to start again. The fleet must be as rolled back.
		st = RolledBack
	}
	if len(RecordTags(s.tags)) > 0 {
		v.fail("record not cleared: %v", RecordTags(s.tags))
	}
	if s.max != v.origMax {
		v.fail("max_size %d, was %d", s.max, v.origMax)
	}
	var susp []string
	for p := range s.suspended {
		susp = append(susp, p)
	}
	slices.Sort(susp)
	if !slices.Equal(susp, v.origSuspended) {
		v.fail("suspended processes %v, were %v", susp, v.origSuspended)
	}
	if s.newProtected != v.origProtected {
		v.fail("new-instance protection %t, was %t", s.newProtected, v.origProtected)
	}
	want := min(max(v.origDesired+v.s.stats.policyUp-v.s.stats.policyDown, s.min), v.origMax)
	if s.desired != want {
		v.fail("desired %d, want %d (original %d, policies +%d -%d)", s.desired, want, v.origDesired, s.stats.policyUp, s.stats.policyDown)
	}
	live := s.counted()
	if len(live) != s.desired {
		v.fail("%d instances for desired %d", len(live), s.desired)
	}
	for _, in := range live {
		ours := !in.launchedAt.Before(v.start)
		if ours && in.protected != v.origProtected {
			v.fail("instance %s launched by the rollout has protection %t", in.id, in.protected)
		}
		switch st {
		case Succeeded:
			if in.version != v.target && !(in.protected && spec.ProtectedInstances == Ignore) {
				v.fail("instance %s still on version %s after success", in.id, in.version)
			}
		case RolledBack:
			if in.version == v.target && ours {
				v.fail("instance %s on version %s after rollback", in.id, in.version)
			}
		}
	}
	switch st {
	case Succeeded:
		if s.version != v.target {
			v.fail("group launches version %s after success", s.version)
		}
		if len(v.dips) > 0 {
			v.fail("capacity below the floor on the success path: %s", strings.Join(clipList(v.dips, 3), "; "))
		}
		down := 0
		for _, tm := range s.stats.terminations {
			if tm.version != v.target || tm.launchedAt.Before(v.start) || tm.at.After(v.end) {
				continue
			}
			switch {
			case tm.cause == "rebalance" && (tm.phase == "" || tm.phase == PhaseFinalize):
				// The group's own rebalancing once the rollout resumed it.
			case tm.cause == "decrement" || tm.cause == "health" || tm.cause == "rebalance":
				v.fail("new instance %s terminated by %s on the success path", tm.id, tm.cause)
			default:
				down++
			}
		}
		if down > s.stats.policyDown {
			v.fail("%d new instances scaled in, but policies only took %d away", down, s.stats.policyDown)
		}
	case RolledBack:
		if s.version != "1" {
			v.fail("group launches version %s after rollback", s.version)
		}
	default:
		v.fail("ended %s", st)
	}
}

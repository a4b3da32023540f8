package rollout

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
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
	// errors are runs that returned an error (and were run again).
	errors []string
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
	s.afterApply = inv.engineAction
	spec := sc.spec
	out := outcome{sim: s}
	var res Result
	for run := 0; run < 12; run++ {
		if run > 0 && inv.tagged && len(RecordTags(s.tags)) == 0 {
			// The previous rollout ended but its run died before saying so;
			// this apply starts afresh.
			inv.finishPrevious(spec)
		}
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
			// The apply failed (the fleet kept failing); the record is in
			// the tags and the next apply resumes from it.
			out.errors = append(out.errors, fmt.Sprintf("run %d: %v", run, err))
			continue
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
	inv.end, inv.endDesired, inv.endPolicies = s.now, s.desired, len(s.stats.policies)
	s.advance(s.now.Add(3 * time.Hour))
	inv.final(res.Status, spec)
	out.problems = inv.problems
	out.peakMax = inv.peakMax
	out.launches = len(inv.launches)
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
	startServing         int
	endDesired           int
	endPolicies          int
	target               string
	tagged               bool

	id             string
	last           Record
	baseVersion    string
	peakMax        int
	dips           []string
	launchedTarget map[string]bool
	// launches counts every target-version launch of every rollout.
	launches  map[string]bool
	unsettled bool
	problems  []string
}

func newInvariants(s *simASG, spec Spec) *invariants {
	v := &invariants{
		s: s, spec: spec, origDesired: s.desired, origMax: s.max, origProtected: s.newProtected, startServing: len(s.instances),
		start: s.now, target: spec.LaunchTemplateVersion, peakMax: s.max, launchedTarget: map[string]bool{},
		baseVersion: s.version, launches: map[string]bool{},
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
		if v.s.serving(in) {
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
	// A rollout cannot be held to capacity that did not serve when it
	// started (instances a policy launched just before, still warming).
	return min(f, v.startServing)
}

// engineAction checks the rollout's own capacity decisions at the moment
// they take effect: no deregistration or termination it makes may leave
// fewer instances serving than the floor.
func (v *invariants) engineAction(c Command) {
	switch c.(type) {
	case Deregister, Terminate:
		if n, f := v.serving(), v.floor(); n < f {
			v.dips = append(v.dips, fmt.Sprintf("t+%s: %s left %d serving, below %d", v.s.now.Sub(v.start), c, n, f))
		}
	}
}

func (v *invariants) step() {
	s := v.s
	v.peakMax = max(v.peakMax, s.max)
	// Between steps the group may scale in serving instances of its own
	// accord (a policy's decrease while new ones still launch); those are
	// not the rollout's doing.
	if n, f := v.serving(), v.floor()-s.stats.servingScaledIn; n < f {
		v.dips = append(v.dips, fmt.Sprintf("t+%s: %d serving, below %d", s.now.Sub(v.start), n, f))
	}
	own := RecordTags(s.tags)
	if len(own) > 0 {
		v.tagged = true
		if id := own[TagID]; v.id != "" && id != v.id {
			v.restart()
		}
		v.id = own[TagID]
		v.last, _, _ = ParseRecord(s.tags)
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
			v.launches[in.id] = true
		}
	}
}

// restart judges a new rollout that a run started after the previous one
// ended (its end unreported because the process died): from the group as
// that rollout found it.
func (v *invariants) restart() {
	rec, _, err := ParseRecord(v.s.tags)
	if err != nil {
		v.fail("record does not parse: %v", err)
		return
	}
	v.start, v.origDesired, v.origMax, v.startServing = rec.Started, rec.Original.Desired, rec.Original.Max, v.serving()
	v.origProtected, v.origSuspended = rec.Original.NewInstancesProtected, slices.Sorted(slices.Values(rec.Original.Suspended))
	v.dips, v.launchedTarget = nil, map[string]bool{}
	v.s.stats.servingScaledIn = 0
	v.s.stats.policies = slices.DeleteFunc(v.s.stats.policies, func(p simPolicy) bool { return p.at.Before(v.start) })
}

// finishPrevious judges a rollout whose end went unreported, by the last
// record seen, and starts judging from the group as it is now.
func (v *invariants) finishPrevious(spec Spec) {
	st := Succeeded
	if v.last.Rollback {
		st = RolledBack
	}
	v.end, v.endDesired, v.endPolicies = v.s.now, v.s.desired, len(v.s.stats.policies)
	v.unsettled = true
	v.final(st, spec)
	v.unsettled = false
	s := v.s
	v.start, v.origDesired, v.origMax, v.origProtected = s.now, s.desired, s.max, s.newProtected
	v.startServing = v.serving()
	v.origSuspended = slices.Sorted(maps.Keys(s.suspended))
	v.baseVersion, v.tagged, v.id, v.end = s.version, false, "", time.Time{}
	v.dips, v.launchedTarget = nil, map[string]bool{}
	s.stats.policies, s.stats.servingScaledIn = nil, 0
}

func (v *invariants) pausedRecorded() {
	rec, ok, err := ParseRecord(v.s.tags)
	if !ok || err != nil || rec.Phase != PhasePaused || rec.Failure == "" {
		v.fail("paused without a paused record: %+v %v", rec, err)
	}
}

// checkEnd settles the simulation, runs the final checks and reports.
func (v *invariants) checkEnd(t testing.TB, st Status) {
	t.Helper()
	v.end, v.endDesired, v.endPolicies = v.s.now, v.s.desired, len(v.s.stats.policies)
	v.s.advance(v.s.now.Add(3 * time.Hour))
	v.final(st, v.spec)
	for _, p := range v.problems {
		t.Error(p)
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
		if s.version != v.baseVersion || s.max != v.origMax || len(v.launchedTarget) > 0 {
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
	// The rollout follows scaling policies: the capacity it leaves is the
	// original plus what they changed while it ran, within the original
	// max_size.
	up, down, want := 0, 0, v.origDesired
	for i, p := range s.stats.policies {
		if i < v.endPolicies {
			up, down = up+max(0, p.delta), down+max(0, -p.delta)
			want = min(max(want+p.delta, s.min), v.origMax)
		}
	}
	if v.endDesired != want {
		v.fail("desired %d at the end, want %d (original %d, policies +%d -%d)", v.endDesired, want, v.origDesired, up, down)
	}
	live := s.counted()
	if !v.unsettled && (len(live) < s.desired || (len(live) > s.desired && s.scaleInVictim(live) != nil)) {
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
			if tm.version != v.target || tm.launchedAt.Before(v.start) || tm.at.Before(v.start) || tm.at.After(v.end) {
				continue
			}
			switch {
			case tm.cause == "rebalance" && (tm.phase == "" || tm.phase == PhaseFinalize):
				// The group's own rebalancing once the rollout resumed it.
			case tm.cause == "decrement" || tm.cause == "terminate" || tm.cause == "health" || tm.cause == "rebalance":
				v.fail("new instance %s terminated by %s on the success path", tm.id, tm.cause)
			default:
				down++
			}
		}
		// Scaling policies may take capacity away, and what one added
		// beyond the original max_size (possible only while it was raised)
		// is cut back when max_size is restored.
		allowed := down + up
		if down > allowed {
			v.fail("%d new instances scaled in, but policies only took %d away", down, allowed)
		}
	case RolledBack:
		if s.version != "1" {
			v.fail("group launches version %s after rollback", s.version)
		}
	default:
		v.fail("ended %s", st)
	}
}

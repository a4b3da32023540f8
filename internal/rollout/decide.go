package rollout

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
)

// Status is where a rollout stands after a decision.
type Status string

// The statuses of a decision; all but Running are final for the run.
const (
	Running    Status = "running"
	Succeeded  Status = "succeeded"
	RolledBack Status = "rolled-back"
	Paused     Status = "paused"
	// Refused means nothing was changed: the rollout cannot start (or go on)
	// as configured; Reason says why and what to change.
	Refused Status = "refused"
)

// Decision is the outcome of one step.
type Decision struct {
	Status Status
	// Record is the record once the commands succeeded (a capacity request
	// made is then known to have landed); the zero Record once the rollout
	// is over. The WriteRecord among the commands holds the intent as it is
	// persisted before them, which is what a failed or interrupted step
	// resumes from.
	Record Record
	// Commands are to be applied in order. A WriteRecord comes first
	// whenever the record changed, so that the intent is persisted before
	// the fleet is touched; a ClearRecord comes last.
	Commands []Command
	// Wait is when to observe again (Running only).
	Wait time.Time
	// Reason explains a final status: the gate, the instance, and what was
	// restored.
	Reason string
}

// settle is how long to wait before confirming a change the group applies
// at once (a version switch, a capacity request, a batch of terminations).
const settle = time.Second

// ourProcesses are the scaling processes the rollout suspends for its
// duration. AZRebalance would otherwise launch and terminate instances of
// its own choosing to even out the zones that targeted terminations
// unbalance.
var ourProcesses = []string{"AZRebalance"}

// Decide returns the next step of the rollout. It is pure: the same inputs
// give the same decision, and deciding again after a crash, with the record
// read back from the tags and a fresh observation, repeats no action that
// already took effect.
//
// An empty rec means no rollout is known in memory; the record in the
// observed tags is used if there is one, otherwise a new rollout starts.
func Decide(spec Spec, rec Record, obs Observation) Decision {
	persisted, hasPersisted, perr := ParseRecord(obs.Tags)
	if !rec.active() {
		if perr != nil {
			return Decision{Status: Refused, Reason: perr.Error()}
		}
		rec = persisted
	}
	if errs := spec.Validate(); len(errs) > 0 {
		return Decision{Status: Refused, Record: rec, Reason: errors.Join(errs...).Error()}
	}
	d := &decider{spec: spec, obs: obs, now: obs.Now, rec: rec, status: Running}
	switch {
	case !rec.active():
		if d.start() {
			d.run()
		}
	case !rec.Rollback && rec.Phase != PhasePaused && rec.TargetVersion != spec.target():
		return Decision{Status: Refused, Record: rec, Reason: fmt.Sprintf(
			"launch_template_version: a rollout of %s to version %d is in %s (id %s); apply with launch_template_version = %q to finish it (or let it roll back) before rolling out version %s",
			obs.Group, rec.TargetVersion, rec.PhaseName(), rec.ID, strconv.Itoa(rec.TargetVersion), spec.LaunchTemplateVersion)}
	default:
		if d.reconcile() {
			d.run()
		}
	}
	return d.finish(hasPersisted)
}

type decider struct {
	spec   Spec
	obs    Observation
	now    time.Time
	rec    Record
	cmds   []Command
	wait   time.Time
	status Status
	reason string
}

// run steps through phases until one has to wait for the fleet. Phases that
// need nothing of the fleet hand over to the next within the same decision.
func (d *decider) run() {
	for range 16 {
		if d.step() {
			return
		}
	}
	d.pause("the rollout did not settle on a phase; this is a bug in the rollout engine")
}

// step runs the current phase; it reports true when the decision is made
// (commands to apply, something to wait for, or a final status).
func (d *decider) step() bool {
	switch d.rec.Phase {
	case PhasePrepare:
		return d.prepare()
	case PhaseCanary, PhaseSurge:
		return d.gate()
	case PhaseMakeRoom, PhaseRetire:
		return d.retire()
	case PhaseFinalize:
		return d.finalize()
	default:
		return d.paused()
	}
}

func (d *decider) finish(hasPersisted bool) Decision {
	dec := Decision{Status: d.status, Reason: d.reason}
	switch d.status {
	case Refused:
		dec.Record = d.rec
		return dec
	case Succeeded, RolledBack:
		dec.Commands = d.cmds
		if hasPersisted {
			dec.Commands = append(dec.Commands, ClearRecord{})
		}
		return dec
	}
	dec.Record = d.rec
	dec.Commands = d.cmds
	if !hasPersisted || !maps.Equal(d.rec.Tags(), RecordTags(d.obs.Tags)) {
		dec.Commands = append([]Command{WriteRecord{Record: d.rec}}, d.cmds...)
	}
	for _, c := range d.cmds {
		if _, ok := c.(SetDesired); ok {
			dec.Record.Changing, dec.Record.From = false, 0
		}
	}
	if d.status == Running {
		dec.Wait = d.wait
		if dec.Wait.IsZero() {
			dec.Wait = d.now.Add(d.spec.Poll)
		}
		if dec.Wait.Before(d.now) {
			dec.Wait = d.now
		}
	}
	return dec
}

func (d *decider) do(c ...Command) { d.cmds = append(d.cmds, c...) }

// waitUntil keeps the earliest instant asked for.
func (d *decider) waitUntil(t time.Time) {
	if d.wait.IsZero() || t.Before(d.wait) {
		d.wait = t
	}
}

func (d *decider) poll() { d.waitUntil(d.now.Add(d.spec.Poll)) }

func (d *decider) enter(p Phase) {
	d.rec.Phase = p
	d.rec.PhaseSince = stamp(d.now)
	d.rec.GateSince = time.Time{}
}

// reconcile brings the capacity intent in line with the observed group
// before any phase acts on it. It reports false when it had to repeat a
// capacity request that never landed.
func (d *decider) reconcile() bool {
	r := &d.rec
	counted := map[string]bool{}
	for _, in := range d.obs.Instances {
		if in.Lifecycle.counted() {
			counted[in.ID] = true
		}
	}
	// Terminations in flight that did not land are forgotten and their
	// decrement given back; the retire phase picks them again.
	for _, id := range r.Retiring {
		if counted[id] && !r.Surplus {
			r.Desired++
		}
	}
	r.Retiring, r.Surplus = nil, false
	if r.Changing {
		switch d.obs.Desired {
		case r.Desired:
			r.Changing, r.From = false, 0
		case r.From:
			// The record was written but the request never made (the
			// process stopped in between): ask again.
			d.ensureMax(r.Desired)
			d.do(SetDesired{Desired: r.Desired})
			d.waitUntil(d.now.Add(settle))
			return false
		default:
			r.Changing, r.From = false, 0
		}
	}
	if delta := d.obs.Desired - r.Desired; delta != 0 {
		// A scaling policy (or a person) changed desired capacity: follow
		// it, and carry the change over to the capacity after the rollout,
		// within [min, original max] as the group would have without the
		// rollout. (A scale-out that arrives while desired sits at the
		// raised max_size is capped by the group and cannot be seen.)
		r.Base = min(max(d.obs.Min, r.Base+delta), r.Original.Max)
		if r.Phase == PhaseRetire || r.Phase == PhaseMakeRoom {
			r.Goal = max(d.obs.Min, r.Goal+delta)
		}
		r.Desired = d.obs.Desired
	}
	return true
}

// setDesired requests a desired capacity, logging the intent in the record.
func (d *decider) setDesired(n int) {
	r := &d.rec
	if n == r.Desired {
		return
	}
	d.ensureMax(n)
	r.Changing, r.From, r.Desired = true, r.Desired, n
	d.do(SetDesired{Desired: n})
	d.waitUntil(d.now.Add(settle))
}

// ensureMax raises max_size to the rollout's max before asking for n.
func (d *decider) ensureMax(n int) {
	if d.obs.Max < n || (d.rec.Phase != PhaseFinalize && d.obs.Max < d.rec.Max) {
		d.do(SetMaxSize{Max: max(n, d.rec.Max)})
	}
}

// fail handles a failed gate or an impossible step: roll back, or pause.
// It reports whether the decision is made (paused) or the rollback goes on.
func (d *decider) fail(reason string) bool {
	r := &d.rec
	if r.Rollback || d.spec.OnFailure == Pause || r.Phase == PhaseFinalize {
		d.pause(reason)
		return true
	}
	r.FailedPhase, r.Failure = r.Phase, reason
	d.toRollback()
	return false
}

func (d *decider) toRollback() {
	d.rec.Rollback = true
	d.rec.Wave = 1
	d.enter(PhasePrepare)
}

func (d *decider) pause(reason string) {
	r := &d.rec
	if r.Rollback {
		// Keep why the rollback started next to why it stopped, once.
		reason = "rollback stopped: " + reason
		if orig := originalFailure(r.Failure); orig != "" {
			reason += "; rolling back because: " + orig
		}
	}
	if r.Phase != PhasePaused {
		r.FailedPhase = r.Phase
	}
	r.Failure = reason
	d.enter(PhasePaused)
	d.pausedStatus()
}

// originalFailure strips what pause added, leaving why the rollback began.
func originalFailure(s string) string {
	const because = "rolling back because: "
	if i := strings.LastIndex(s, because); i >= 0 {
		return s[i+len(because):]
	}
	return s
}

// paused keeps a paused rollout paused, unless on_failure now says rollback.
func (d *decider) paused() bool {
	if d.spec.OnFailure == Rollback {
		d.toRollback()
		return false
	}
	d.pausedStatus()
	return true
}

func (d *decider) pausedStatus() {
	r := d.rec
	d.status = Paused
	d.reason = fmt.Sprintf(
		"rollout %s of %s paused in %s: %s. The group is left as it is for inspection (launch template version %s, desired %d, max_size %d, suspended processes [%s]); apply with on_failure = %q to roll back to version %d",
		r.ID, d.obs.Group, r.FailedPhase, r.Failure, d.obs.LaunchTemplateVersion, d.obs.Desired, d.obs.Max, strings.Join(d.obs.Suspended, " "), Rollback, r.OldVersion)
}

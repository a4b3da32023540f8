package rollout

import (
	"context"
	"fmt"
	"time"
)

// Progress is a snapshot of a rollout for people: what Run reports after
// each step and what `rollout status` prints.
type Progress struct {
	Group  string
	ID     string
	Phase  string
	Status Status
	// Old and New count instances launching or in service, on other versions
	// and on the target version.
	Old, New int
	// Pending, InService and Healthy describe the new instances; Healthy
	// ones serve traffic (in service and healthy in every target group).
	Pending, InService, Healthy int
	Desired                     int
	Elapsed                     time.Duration
	Remaining                   time.Duration
}

// Summarize describes the rollout in rec on the observed group.
func Summarize(spec Spec, rec Record, obs Observation) Progress {
	p := Progress{Group: obs.Group, ID: rec.ID, Phase: rec.PhaseName(), Status: Running, Desired: obs.Desired}
	if !rec.active() {
		p.Phase, p.Status = "none", Succeeded
		rec.LaunchTemplateID, rec.TargetVersion = obs.LaunchTemplateID, spec.target()
	}
	d := &decider{spec: spec, obs: obs, now: obs.Now, rec: rec}
	for _, in := range obs.Instances {
		if !in.Lifecycle.counted() {
			continue
		}
		if !d.onTarget(in) {
			p.Old++
			continue
		}
		p.New++
		switch {
		case in.Lifecycle.pending():
			p.Pending++
		case obs.serving(in):
			p.InService++
			p.Healthy++
		default:
			p.InService++
		}
	}
	if rec.active() {
		p.Elapsed = max(0, obs.Now.Sub(rec.Started))
		p.Remaining = d.remaining()
	}
	if rec.Phase == PhasePaused {
		p.Status = Paused
	}
	return p
}

// Result is how a Run ended.
type Result struct {
	Status Status
	Reason string
	// Record is the last record; the zero Record once the rollout is over.
	Record Record
	// Steps, Observations and Commands count the driver's work (retries
	// included), for the benchmark's call rates.
	Steps, Observations, Commands int
}

// Backoff bounds for transient errors. The SDK retries on its own first;
// this is the outer loop that outlasts a longer throttling episode.
const (
	backoffFirst = time.Second
	backoffMax   = 30 * time.Second
	attempts     = 8
)

// Run drives a rollout to its end: observe, decide, apply the commands in
// order, sleep until the decision's instant. It resumes from rec, or from
// the record in the group's tags when rec is empty. Transient fleet errors
// are retried with backoff; any other failed command fails the step, which
// rolls back or pauses as on_failure says. A cancelled ctx returns at once
// with the record in the tags as it stands, ready to resume.
func Run(ctx context.Context, fleet Fleet, spec Spec, rec Record, clock Clock, progress func(Progress)) (Result, error) {
	var res Result
	for {
		var obs Observation
		err := retry(ctx, clock, func() error {
			res.Observations++
			var err error
			obs, err = fleet.Observe(ctx)
			return err
		})
		if err != nil {
			res.Record = rec
			return res, fmt.Errorf("observe group: %w", err)
		}
		res.Steps++
		d := Decide(spec, rec, obs)
		if d.Status == Refused {
			res.Status, res.Reason, res.Record = d.Status, d.Reason, rec
			return res, nil
		}
		failed := false
		for _, c := range d.Commands {
			err := retry(ctx, clock, func() error {
				res.Commands++
				return fleet.Apply(ctx, c)
			})
			if err == nil {
				continue
			}
			if ctx.Err() != nil {
				res.Record = intent(d)
				return res, ctx.Err()
			}
			if _, ok := c.(WriteRecord); ok {
				// Without its record the rollout must not touch the group;
				// the tags still hold the last record written.
				res.Record = rec
				return res, fmt.Errorf("%s: %w", c, err)
			}
			if !intent(d).active() {
				// No rollout under way (an empty group's version switch):
				// nothing to roll back.
				res.Status, res.Reason = Refused, fmt.Sprintf("%s failed: %v", c, err)
				return res, fmt.Errorf("%s: %w", c, err)
			}
			rec = failRecord(spec, intent(d), fmt.Sprintf("%s failed: %v", c, err), obs.Now)
			failed = true
			break
		}
		if failed {
			if rec.Phase == PhasePaused {
				// Persist the pause and stop; resuming is the next run's call.
				werr := retry(ctx, clock, func() error {
					res.Commands++
					return fleet.Apply(ctx, WriteRecord{Record: rec})
				})
				dd := &decider{spec: spec, obs: obs, rec: rec}
				dd.pausedStatus()
				res.Status, res.Reason, res.Record = Paused, dd.reason, rec
				return res, werr
			}
			continue
		}
		rec = d.Record
		if progress != nil {
			p := Summarize(spec, rec, obs)
			p.Status = d.Status
			progress(p)
		}
		if d.Status != Running {
			res.Status, res.Reason, res.Record = d.Status, d.Reason, rec
			return res, nil
		}
		if wait := d.Wait.Sub(clock.Now()); wait > 0 {
			if err := clock.Sleep(ctx, wait); err != nil {
				res.Record = rec
				return res, err
			}
		}
	}
}

// intent is the record as the step persisted it before its commands.
func intent(d Decision) Record {
	for _, c := range d.Commands {
		if w, ok := c.(WriteRecord); ok {
			return w.Record
		}
	}
	return d.Record
}

// failRecord turns a failure outside the gates (a command the fleet rejected)
// into the record's next state: rolling back, or paused as on_failure says.
// A failing rollback pauses, and so does a failing finalize: the fleet is
// all new by then and only the restoring is left.
func failRecord(spec Spec, rec Record, reason string, now time.Time) Record {
	if !rec.active() {
		return rec
	}
	d := &decider{spec: spec, now: now, rec: rec}
	d.fail(reason)
	return d.rec
}

// retry calls f until it succeeds, fails for good, or the attempts run out.
func retry(ctx context.Context, clock Clock, f func() error) error {
	wait := backoffFirst
	for i := 1; ; i++ {
		err := f()
		if err == nil || !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		if i == attempts {
			return fmt.Errorf("giving up after %d attempts: %v", attempts, err)
		}
		if err := clock.Sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, backoffMax)
	}
}

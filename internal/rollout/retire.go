package rollout

import (
	"cmp"
	"fmt"
	"slices"
)

// enterRetire plans the retirement after a wave passed its gates: all the
// replaced instances after the last wave, otherwise down to the base
// capacity so that the next wave has room again.
func (d *decider) enterRetire() {
	r := &d.rec
	cls := d.classify()
	last := len(cls.want)+len(cls.kept) >= r.Base
	d.enter(PhaseRetire)
	r.Goal = retireGoal(r.Desired, len(cls.retire)-d.surplus(cls), r.Base, d.obs.Min, last)
}

// surplus is how many instances of the replaced version are above desired
// capacity: the group could not scale them in (they are protected, as new
// instances are during the rollout) or has not yet. They go without a
// decrement.
func (d *decider) surplus(cls classes) int {
	return min(len(cls.retire), max(0, cls.total()-d.obs.Desired))
}

// retire takes instances of the replaced version out, by id, until desired
// capacity reaches the goal. Scale-in would choose by zone balance and could
// pick new instances, so the group never chooses: each instance is drained
// from its target groups and then terminated with a decrement (or without
// one when it is surplus above desired capacity).
//
// Which instances are draining is read from target health, so it needs no
// record; the batch of terminations in flight is recorded (with the
// decrement already counted) before the first call.
func (d *decider) retire() bool {
	r, o := &d.rec, d.obs
	cls := d.classify()
	left := max(0, r.Desired-r.Goal)
	surplus := d.surplus(cls)
	if left+surplus == 0 || len(cls.retire) == 0 {
		switch {
		case r.Phase == PhaseMakeRoom:
			return d.enterLaunch(r.Wave)
		case len(cls.retire) == 0:
			d.enter(PhaseFinalize)
			return false
		default:
			return d.enterLaunch(r.Wave + 1)
		}
	}
	chosen := d.pick(cls.retire, left+surplus)
	var deregister, idle []string
	var unprotect []string
	// Serving instances go only as far as the floor allows; the rest wait
	// for the new instances to serve (a policy may have launched some that
	// are still warming up).
	canStop := d.servingCount() - d.floor()
	held := false
	for _, in := range chosen {
		switch o.registration(in.ID) {
		case registered:
			if o.serving(in) {
				if canStop <= 0 {
					held = true
					continue
				}
				canStop--
			}
			deregister = append(deregister, in.ID)
		case unregistered:
			idle = append(idle, in.ID)
			if in.Protected {
				unprotect = append(unprotect, in.ID)
			}
		}
	}
	if len(deregister) > 0 {
		arns := make([]string, len(o.TargetGroups))
		for i, tg := range o.TargetGroups {
			arns[i] = tg.ARN
		}
		d.do(Deregister{TargetGroupARNs: arns, InstanceIDs: deregister})
	}
	d.poll()
	if held && len(deregister) == 0 && len(idle) == 0 && !d.now.Before(r.PhaseSince.Add(d.spec.Gates.Timeout)) {
		return d.fail(fmt.Sprintf("retire: %d instances serve, and retiring more would leave fewer than %d in service; the new instances did not all come into service within %s", d.servingCount(), d.floor(), d.spec.Gates.Timeout))
	}
	if len(idle) == 0 {
		return true
	}
	decrement := surplus == 0
	if !decrement {
		idle = idle[:min(surplus, len(idle))]
	}
	batch := fitIDs(idle)
	if p := intersect(unprotect, batch); len(p) > 0 {
		// Targeted termination is not meant to be stopped by scale-in
		// protection, but removing it first is harmless and leaves no doubt.
		d.do(SetInstanceProtection{InstanceIDs: p, Protected: false})
	}
	r.Retiring, r.Surplus = batch, !decrement
	if decrement {
		r.Desired -= len(batch)
	}
	for _, id := range batch {
		d.do(Terminate{InstanceID: id, Decrement: decrement})
	}
	if len(batch) < len(idle) {
		// A termination takes effect as the call returns: the next batch
		// can follow at once.
		d.waitUntil(d.now)
	}
	d.waitUntil(d.now.Add(settle))
	return true
}

// floor is how many instances must keep serving while retiring: the base
// capacity after a gate, the min_healthy_percent share of it when making
// room (and one fewer than serve now, at most, in a rollback).
func (d *decider) floor() int {
	r := d.rec
	if r.Phase != PhaseMakeRoom {
		return r.Base
	}
	f := d.spec.minHealthy(r.Base)
	if r.Rollback {
		f = min(f, d.servingCount()-1)
	}
	return f
}

// pick chooses n instances to retire: those already out of every target
// group first (a resumed run picks what it already drained), then those
// draining, then those not serving, then the rest from the most crowded
// zones first so that the serving capacity stays spread.
func (d *decider) pick(cands []Instance, n int) []Instance {
	o := d.obs
	type cand struct {
		in   Instance
		rank int
	}
	rank := func(in Instance) int {
		switch {
		case len(o.TargetGroups) > 0 && o.registration(in.ID) == unregistered:
			return 0
		case o.registration(in.ID) == draining:
			return 1
		case !o.serving(in):
			return 2
		}
		return 3
	}
	cs := make([]cand, len(cands))
	perAZ := map[string]int{}
	for i, in := range cands {
		cs[i] = cand{in, rank(in)}
		if cs[i].rank == 3 {
			perAZ[in.AZ]++
		}
	}
	slices.SortFunc(cs, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), a.in.LaunchedAt.Compare(b.in.LaunchedAt), cmp.Compare(a.in.ID, b.in.ID))
	})
	var out []Instance
	i := 0
	for ; i < len(cs) && len(out) < n && cs[i].rank < 3; i++ {
		out = append(out, cs[i].in)
	}
	rest := cs[i:]
	for len(out) < n && len(rest) > 0 {
		best := 0
		for j, c := range rest {
			if perAZ[c.in.AZ] > perAZ[rest[best].in.AZ] {
				best = j
			}
		}
		perAZ[rest[best].in.AZ]--
		out = append(out, rest[best].in)
		rest = slices.Delete(rest, best, best+1)
	}
	return out
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

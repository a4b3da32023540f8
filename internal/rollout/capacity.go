package rollout

// launchPlan is the arithmetic of one launch step, shared by Decide and
// Plan so that the preview never disagrees with what apply does.
type launchPlan struct {
	// launch is how many instances the step adds.
	launch int
	// makeRoom is how many instances of the replaced version must go first
	// because max_size leaves no room.
	makeRoom int
	// max is the max_size the step needs (raised only when allowed).
	max int
}

// planLaunch sizes a step that wants up to size of need instances, given
// desired capacity, min_size and max_size, and spare: how many instances of
// the replaced version may go before the launch (see spare). It reports
// false when nothing can be launched at all.
func planLaunch(s Spec, need, size, desired, minSize, maxSize, spare int) (launchPlan, bool) {
	p := launchPlan{max: maxSize}
	want := min(need, size)
	room := max(0, maxSize-desired)
	if want > room && s.AllowRaiseMax {
		p.max = desired + want
		room = want
	}
	p.launch = min(want, room+min(spare, max(0, desired-minSize)))
	p.makeRoom = max(0, p.launch-room)
	return p, p.launch > 0
}

// retireGoal is the desired capacity a retire phase stops at: every
// replaced instance gone after the last wave, otherwise down to the base so
// that the next wave has room again.
func retireGoal(desired, retiring, base, minSize int, last bool) int {
	goal := desired - retiring
	if !last {
		goal = max(goal, base)
	}
	return max(minSize, goal)
}

// spare is how many instances of the replaced version can be retired before
// a launch: those not serving anyway (unhealthy, launching, drained), plus
// as many serving ones as min_healthy_percent of the base leaves. A
// rollback may always replace one at a time: getting off a failed version
// comes first.
func (d *decider) spare(cls classes, base int) int {
	idle := 0
	for _, in := range cls.retire {
		if !d.obs.serving(in) {
			idle++
		}
	}
	n := idle + max(0, d.servingCount()-d.spec.minHealthy(base))
	if d.rec.Rollback {
		n = max(n, 1)
	}
	return min(len(cls.retire), n)
}

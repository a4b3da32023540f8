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
// desired capacity, max_size, how many instances serve, and the base
// capacity that min_healthy_percent applies to. It reports false when
// nothing can be launched at all.
func planLaunch(s Spec, need, size, desired, maxSize, serving, base int) (launchPlan, bool) {
	p := launchPlan{max: maxSize}
	want := min(need, size)
	room := max(0, maxSize-desired)
	if want > room && s.AllowRaiseMax {
		p.max = desired + want
		room = want
	}
	spare := max(0, serving-s.minHealthy(base))
	p.launch = min(want, room+spare)
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

package rollout

import (
	"time"
)

// Preview is what a plan shows before the rollout runs.
type Preview struct {
	Group            string
	LaunchTemplateID string
	OldVersion       int
	TargetVersion    int
	// Instances counts the instances launching or in service.
	Instances int
	// Replace is how many instances will be replaced; Matching are already
	// on the target and stay (skip matching); Kept are protected or standby
	// instances left on their version.
	Replace, Matching, Kept int
	// Canary is how many canary instances launch.
	Canary int
	// Waves lists the instances each surge wave launches: one entry when the
	// whole fleet surges at once.
	Waves []int
	// MakeRoom is how many old instances go before their replacements
	// launch, because max_size leaves no room to surge.
	MakeRoom int
	// Max is max_size now; RaisedMax the highest it is raised to during the
	// rollout (equal to Max when not raised).
	Max, RaisedMax int
	// Duration is the expected time to the end: launches, grace, health
	// checks, bakes and draining, from the estimates.
	Duration time.Duration
	// Resume is true when a rollout is under way; it resumes from
	// ResumePhase rather than restarting.
	Resume      bool
	ResumePhase string
	RolloutID   string
	NothingToDo bool
	// Refusal is why apply would refuse to start.
	Refusal string
}

// MaxRaised reports whether the rollout raises max_size.
func (p Preview) MaxRaised() bool { return p.RaisedMax > p.Max }

// Plan previews a rollout of spec on the observed group, or the rest of the
// one recorded in its tags.
func Plan(spec Spec, obs Observation) Preview {
	p := Preview{Group: obs.Group, LaunchTemplateID: obs.LaunchTemplateID, Max: obs.Max, RaisedMax: obs.Max}
	p.TargetVersion, _ = ParseVersion(spec.LaunchTemplateVersion)
	rec, ok, err := ParseRecord(obs.Tags)
	if err != nil {
		p.Refusal = err.Error()
		return p
	}
	if ok {
		d := &decider{spec: spec, obs: obs, now: obs.Now, rec: rec}
		cls := d.classify()
		p.Resume, p.ResumePhase, p.RolloutID = true, rec.PhaseName(), rec.ID
		p.OldVersion, p.TargetVersion = rec.OldVersion, rec.TargetVersion
		p.Instances, p.Replace, p.Kept = cls.total(), len(cls.retire), len(cls.kept)
		p.RaisedMax = max(obs.Max, rec.Max)
		p.Duration = d.remaining()
		return p
	}
	dec := Decide(spec, Record{}, obs)
	switch dec.Status {
	case Refused:
		p.Refusal = dec.Reason
		return p
	case Succeeded:
		p.NothingToDo = true
		return p
	}
	d := &decider{spec: spec, obs: obs, now: obs.Now, rec: dec.Record}
	cls := d.classify()
	p.OldVersion = dec.Record.OldVersion
	p.Instances, p.Replace, p.Matching, p.Kept = cls.total(), len(cls.retire), len(cls.want), len(cls.kept)
	for _, in := range obs.Instances {
		if in.Lifecycle.standby() {
			p.Kept++
		}
	}
	pr := project(spec, timesOf(spec, obs), d.state(cls))
	p.Canary, p.Waves, p.MakeRoom = pr.canary, pr.waves, pr.makeRoom
	p.RaisedMax = max(obs.Max, pr.max)
	p.Duration = pr.dur
	return p
}

// stageTimes are the estimates one projected step adds.
type stageTimes struct {
	launch time.Duration // launch to healthy, at least the grace period
	drain  time.Duration
}

func timesOf(s Spec, obs Observation) stageTimes {
	var healthy, drain time.Duration
	for _, tg := range obs.TargetGroups {
		healthy = max(healthy, tg.HealthyAfter)
		drain = max(drain, tg.DeregistrationDelay)
	}
	if !s.Gates.TargetHealth {
		healthy = 0
	}
	return stageTimes{launch: max(s.ExpectedLaunch+healthy, s.Gates.Grace), drain: drain}
}

// projState is the fleet as the projection steps it: counts only, every
// launch succeeding and every instance turning healthy.
type projState struct {
	base, desired, max, min int
	want, kept, retire      int
	serving                 int
	wave                    int
}

func (d *decider) state(cls classes) projState {
	return projState{
		base: d.rec.Base, desired: d.rec.Desired, max: d.rec.Max, min: d.obs.Min,
		want: len(cls.want), kept: len(cls.kept), retire: len(cls.retire),
		serving: d.servingCount(), wave: d.rec.Wave,
	}
}

type projection struct {
	canary   int
	waves    []int
	makeRoom int
	max      int
	dur      time.Duration
}

// project runs the wave arithmetic of Decide over counts, from wave
// st.wave on.
func project(s Spec, t stageTimes, st projState) projection {
	pr := projection{max: st.max}
	launch := func(need, size int) (int, bool) {
		lp, ok := planLaunch(s, need, size, st.desired, st.min, st.max, min(st.retire, max(0, st.serving-s.minHealthy(st.base))))
		if !ok {
			return 0, false
		}
		if m := lp.makeRoom; m > 0 {
			st.desired, st.retire, st.serving = st.desired-m, st.retire-m, st.serving-m
			pr.makeRoom += m
			pr.dur += t.drain
		}
		st.max, pr.max = lp.max, max(pr.max, lp.max)
		st.desired += lp.launch
		st.want += lp.launch
		st.serving += lp.launch
		pr.dur += t.launch
		return lp.launch, true
	}
	if st.wave == 0 {
		if need := max(0, min(s.Canary.Count, st.base)-st.want); need > 0 {
			n, ok := launch(need, need)
			if !ok {
				return pr
			}
			pr.canary = n
		}
		pr.dur += s.Canary.Bake
	}
	for st.retire > 0 {
		need := max(0, st.base-st.want-st.kept)
		last := true
		if need > 0 {
			n, ok := launch(need, s.waveSize(st.base))
			if !ok {
				return pr
			}
			pr.waves = append(pr.waves, n)
			last = st.want+st.kept >= st.base
			if last {
				pr.dur += s.FleetBake
			} else {
				pr.dur += s.Surge.WaveBake
			}
		}
		goal := retireGoal(st.desired, st.retire, st.base, st.min, last)
		r := st.desired - goal
		if r <= 0 && need == 0 {
			return pr
		}
		if r > 0 {
			st.desired, st.retire, st.serving = goal, st.retire-r, st.serving-r
			pr.dur += t.drain
		}
	}
	return pr
}

// remaining estimates the time left of a rollout under way.
func (d *decider) remaining() time.Duration {
	r, s := d.rec, d.spec
	t := timesOf(s, d.obs)
	cls := d.classify()
	st := d.state(cls)
	elapsedIn := func(since time.Time) time.Duration { return max(0, d.now.Sub(since)) }
	var current time.Duration
	switch r.Phase {
	case PhaseFinalize, PhasePaused:
		return 0
	case PhasePrepare:
		if r.Rollback {
			st.wave = 1
		}
	case PhaseCanary, PhaseSurge:
		bake := s.FleetBake
		switch {
		case r.Rollback:
			bake = 0
		case r.Phase == PhaseCanary:
			bake = s.Canary.Bake
		}
		if r.GateSince.IsZero() {
			current = max(0, t.launch-elapsedIn(r.PhaseSince)) + bake
		} else {
			current = max(0, bake-elapsedIn(r.GateSince))
		}
		if r.Phase == PhaseCanary {
			st.wave = 1
		}
		if r.Phase == PhaseSurge && st.want+st.kept < st.base {
			// The current wave's launches are on their way.
			st.want = min(st.base-st.kept, st.want+max(0, st.desired-cls.total()))
		}
	case PhaseMakeRoom, PhaseRetire:
		current = max(0, t.drain-elapsedIn(r.PhaseSince))
		st.retire = max(0, st.retire-(st.desired-r.Goal))
		st.desired = r.Goal
	}
	if r.Rollback {
		// A rollback launches at once and does not bake.
		s.FleetBake, s.Surge.WaveBake, s.Surge.WavePercent = 0, 0, 0
	}
	return current + project(s, t, st).dur
}

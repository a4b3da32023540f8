package rollout

import (
	"fmt"
	"slices"
)

// warming reports whether an instance is still starting: launching, or in
// service but not yet healthy in its target groups. The group's termination
// policy does not prefer those, so scaling in now could remove serving
// instances and leave the fleet short until they warm up.
func (d *decider) warming() bool {
	for _, in := range d.obs.Instances {
		if !in.Lifecycle.counted() || !in.Healthy || d.obs.serving(in) {
			continue
		}
		failing := false
		for _, tg := range d.obs.TargetGroups {
			failing = failing || d.obs.targetState(tg.ARN, in.ID) == TargetUnhealthy
		}
		if !failing {
			return true
		}
	}
	return false
}

// finalize restores what the rollout changed, exactly: new-instance
// protection and the protection of the instances the rollout launched,
// desired capacity (the base, which follows any scaling policy's changes),
// max_size, and the processes the rollout suspended. It clears the record
// once the group shows all of it.
func (d *decider) finalize() bool {
	r, o := &d.rec, d.obs
	orig := r.Original
	if o.NewInstancesProtected != orig.NewInstancesProtected {
		d.do(SetNewInstanceProtection{Protected: orig.NewInstancesProtected})
	}
	var reprotect []string
	for _, in := range o.Instances {
		if in.Lifecycle.counted() && d.ours(in) && in.Protected != orig.NewInstancesProtected {
			reprotect = append(reprotect, in.ID)
		}
	}
	if len(reprotect) > 0 {
		d.do(SetInstanceProtection{InstanceIDs: reprotect, Protected: orig.NewInstancesProtected})
	}
	final := min(max(r.Base, o.Min), orig.Max)
	if final < r.Desired && d.warming() && d.now.Before(r.PhaseSince.Add(d.spec.Gates.Timeout)) {
		// Lowering desired now would let the group scale in serving
		// instances while the ones a scaling policy launched still warm up.
		d.poll()
		return true
	}
	d.setDesired(final)
	if o.Max != orig.Max {
		d.do(SetMaxSize{Max: orig.Max})
	}
	var resume []string
	for _, p := range ourProcesses {
		if o.suspended(p) && !slices.Contains(orig.Suspended, p) {
			resume = append(resume, p)
		}
	}
	if len(resume) > 0 {
		d.do(ResumeProcesses{Processes: resume})
	}
	if len(d.cmds) > 0 {
		d.waitUntil(d.now.Add(settle))
		return true
	}

	restored := fmt.Sprintf("restored desired capacity %d, max_size %d, suspended processes [%s] and scale-in protection", final, orig.Max, summaryProcesses(orig.Suspended))
	if final != orig.Desired {
		restored += fmt.Sprintf(" (desired was %d before the rollout; scaling changed it during the rollout)", orig.Desired)
	}
	n := len(d.classify().want)
	if r.Rollback {
		d.status = RolledBack
		d.reason = fmt.Sprintf("rollout %s of %s to version %d failed in %s: %s; rolled back to version %d (%d instances), %s",
			r.ID, o.Group, r.TargetVersion, r.FailedPhase, r.Failure, r.OldVersion, n, restored)
	} else {
		d.status = Succeeded
		d.reason = fmt.Sprintf("rolled out version %d to %s (%d instances); %s", r.TargetVersion, o.Group, n, restored)
	}
	d.rec = Record{}
	return true
}

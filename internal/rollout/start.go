package rollout

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// start checks that a rollout can begin and writes its record, capturing
// the group as it is before anything changes. Every refusal happens here,
// before the first change. It reports whether the rollout goes on.
func (d *decider) start() bool {
	d.begin()
	return d.status == Running
}

func (d *decider) begin() {
	o, s := d.obs, d.spec
	target := s.target()
	refuse := func(format string, args ...any) {
		d.status = Refused
		d.reason = fmt.Sprintf(format, args...)
	}
	if o.LaunchTemplateID == "" {
		refuse("group %s launches without a launch template; attach one (aws_autoscaling_group launch_template) before rolling out", o.Group)
		return
	}
	old, err := ParseVersion(o.LaunchTemplateVersion)
	if err != nil {
		refuse("group %s launch template version: %v; set the group's launch_template.version to a number so that a rollback has a version to return to", o.Group, err)
		return
	}
	if o.suspended("Launch") {
		refuse("group %s has the Launch process suspended, so no new instance can start; resume it before rolling out", o.Group)
		return
	}
	if o.suspended("AddToLoadBalancer") && len(o.TargetGroups) > 0 && s.Gates.TargetHealth {
		refuse("group %s has the AddToLoadBalancer process suspended, so new instances never join its target groups and the target health gate cannot pass; resume it, or set gates.target_health = false", o.Group)
		return
	}
	for _, n := range s.Gates.AlarmNames {
		if _, ok := o.Alarms[n]; !ok {
			refuse("gates.alarm_names: alarm %q does not exist; create it first or remove it from the list", n)
			return
		}
	}
	names, states := d.alarms()
	for _, n := range names {
		if states[n] == AlarmAlarm {
			refuse("gates: alarm %q is in ALARM, and a rollout does not start during an incident; wait for it to return to OK, or remove it from gates.alarm_names / gates.alarm_prefixes", n)
			return
		}
	}

	now := stamp(d.now)
	d.rec = Record{
		ID:               fmt.Sprintf("%s-v%d", now.Format("20060102T150405Z"), target),
		Phase:            PhasePrepare,
		LaunchTemplateID: o.LaunchTemplateID,
		OldVersion:       old,
		TargetVersion:    target,
		Base:             o.Desired,
		Desired:          o.Desired,
		Max:              o.Max,
		Original: Original{
			Desired:               o.Desired,
			Max:                   o.Max,
			NewInstancesProtected: o.NewInstancesProtected,
			Suspended:             slices.Clone(o.Suspended),
		},
		Started:    now,
		PhaseSince: now,
	}
	var standby, protected []string
	for _, in := range o.Instances {
		switch {
		case d.onTarget(in) && s.SkipMatching:
		case in.Lifecycle.standby():
			standby = append(standby, in.ID)
		case in.Lifecycle.counted() && in.Protected:
			protected = append(protected, in.ID)
		}
	}
	if len(standby) > 0 && s.StandbyInstances == Refuse {
		refuse("group %s has old instances in Standby (%s); set standby_instances = %q to leave them on their version, or move them out of Standby first", o.Group, idList(standby), Ignore)
		return
	}
	if len(protected) > 0 && s.ProtectedInstances == Refuse {
		refuse("group %s has scale-in protected old instances (%s); set protected_instances = %q to retire them too, or %q to leave them on their version", o.Group, idList(protected), Replace, Ignore)
		return
	}

	cls := d.classify()
	if len(cls.retire) == 0 {
		d.rec = Record{}
		if o.LaunchTemplateVersion != strconv.Itoa(target) {
			// Nothing to replace (an empty group, or only kept instances):
			// switching the version is the whole rollout.
			d.do(SetLaunchTemplateVersion{LaunchTemplateID: o.LaunchTemplateID, Version: target})
		}
		d.status = Succeeded
		d.reason = fmt.Sprintf("group %s launches version %d and has no instance to replace", o.Group, target)
		return
	}
	if old == target {
		// The group already launches the target but old instances remain:
		// roll back, if it comes to that, to the version most of them run.
		old = commonVersion(cls.retire, o.LaunchTemplateID)
		if old == 0 {
			refuse("group %s already launches version %d and its other instances are on no numbered version of %s, so there is no version to roll back to; replace them with an instance refresh or by hand", o.Group, target, o.LaunchTemplateID)
			return
		}
		d.rec.OldVersion = old
	}
	if !s.AllowRaiseMax {
		room := o.Max - o.Desired
		need := max(1, min(s.Canary.Count, o.Desired)-len(cls.want))
		if room+d.spare(cls, o.Desired) < need {
			refuse("group %s has no room for the canary: max_size %d equals desired %d plus %d, and min_healthy_percent %d keeps all %d serving instances in service; set allow_raise_max = true, raise max_size, or lower min_healthy_percent",
				o.Group, o.Max, o.Desired, room, s.MinHealthyPercent, d.servingCount())
			return
		}
	}
}

// commonVersion is the numbered version most instances run (the lowest on
// a tie), or 0.
func commonVersion(ins []Instance, template string) int {
	n := map[int]int{}
	best := 0
	for _, in := range ins {
		v, err := ParseVersion(in.Version)
		if err != nil || in.LaunchTemplateID != template {
			continue
		}
		n[v]++
		if best == 0 || n[v] > n[best] || (n[v] == n[best] && v < best) {
			best = v
		}
	}
	return best
}

// summaryProcesses renders a process list for messages.
func summaryProcesses(p []string) string {
	if len(p) == 0 {
		return "none"
	}
	return strings.Join(p, " ")
}

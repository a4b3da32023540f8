package rollout

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// prepare changes the group for the rollout, only where it differs, so that
// repeating it is harmless. New instances are launched scale-in protected
// for the duration: a scaling policy that scales in then picks old
// instances (which are going anyway) and never a canary. A rollback only
// switches the version back; the rest is restored in finalize.
func (d *decider) prepare() bool {
	o, r := d.obs, &d.rec
	version := r.TargetVersion
	if r.Rollback {
		version = r.OldVersion
	} else {
		var suspend []string
		for _, p := range ourProcesses {
			if !o.suspended(p) {
				suspend = append(suspend, p)
			}
		}
		if len(suspend) > 0 {
			d.do(SuspendProcesses{Processes: suspend})
		}
		if !o.NewInstancesProtected {
			d.do(SetNewInstanceProtection{Protected: true})
		}
	}
	if o.LaunchTemplateID != r.LaunchTemplateID || o.LaunchTemplateVersion != strconv.Itoa(version) {
		d.do(SetLaunchTemplateVersion{LaunchTemplateID: r.LaunchTemplateID, Version: version})
	}
	if len(d.cmds) > 0 {
		d.waitUntil(d.now.Add(settle))
		return true
	}
	if r.Rollback {
		return d.enterLaunch(1)
	}
	return d.enterLaunch(0)
}

// enterLaunch plans one wave: how many instances of the wanted version to
// add, raising max_size when allowed, or retiring some of the replaced
// version first (make-room) when there is no room and min_healthy_percent
// leaves some to spare. Wave 0 going forward is the canary.
func (d *decider) enterLaunch(wave int) bool {
	r, s := &d.rec, d.spec
	cls := d.classify()
	canary := !r.Rollback && wave == 0
	var need, size int
	if canary {
		need = max(0, min(s.Canary.Count, r.Base)-len(cls.want))
		size = need
	} else {
		// Launches the group still owes (it is below desired, after failed
		// launches) come from the wanted version already.
		owed := max(0, d.obs.Desired-cls.total())
		need = max(0, r.Base-len(cls.want)-len(cls.kept)-owed)
		size = s.waveSize(r.Base)
		if r.Rollback {
			size = need
		}
	}
	r.Wave = wave
	if need == 0 {
		if canary {
			// Instances already on the target serve as the canary.
			d.enter(PhaseCanary)
			return false
		}
		d.enterRetire()
		return false
	}
	p, ok := planLaunch(s, need, size, r.Desired, d.obs.Min, r.Max, d.spare(cls, r.Base))
	if !ok {
		return d.fail(fmt.Sprintf("no room to launch: max_size %d, desired %d, min_size %d, and min_healthy_percent %d keeps all %d serving instances in service; set allow_raise_max = true, raise max_size, or lower min_healthy_percent or min_size",
			r.Max, r.Desired, d.obs.Min, s.MinHealthyPercent, d.servingCount()))
	}
	r.Max = p.max
	if p.makeRoom > 0 {
		d.enter(PhaseMakeRoom)
		r.Goal = r.Desired - p.makeRoom
		return false
	}
	if canary {
		d.enter(PhaseCanary)
	} else {
		d.enter(PhaseSurge)
	}
	d.setDesired(r.Desired + p.launch)
	return true
}

// gateName names the gate of the current step in messages.
func (d *decider) gateName(last bool) string {
	switch {
	case d.rec.Rollback:
		return "rollback launch"
	case d.rec.Phase == PhaseCanary:
		return "canary gate"
	case last:
		return "fleet gate"
	default:
		return fmt.Sprintf("wave %d gate", d.rec.Wave)
	}
}

// gate waits for the specific instances of the wanted version to be in
// service past the grace period and healthy in every target group, with no
// selected alarm in ALARM, then holds that for the bake time. A rollback
// checks health only: the alarms may be firing because of the version being
// removed, and there is nowhere further to fall back to.
func (d *decider) gate() bool {
	r, s, o := &d.rec, d.spec, d.obs
	cls := d.classify()
	last := r.Phase == PhaseSurge && len(cls.want)+len(cls.kept) >= r.Base
	name := d.gateName(last)
	bake := s.Surge.WaveBake
	switch {
	case r.Rollback:
		bake = 0
	case r.Phase == PhaseCanary:
		bake = s.Canary.Bake
	case last:
		bake = s.FleetBake
	}

	for _, in := range o.Instances {
		if d.wanted(in) && d.ours(in) && !in.Healthy && (in.Lifecycle.counted() || in.Lifecycle.terminating()) {
			return d.fail(fmt.Sprintf("%s: instance %s (version %s, %s) was marked unhealthy by the group", name, in.ID, in.Version, in.AZ))
		}
	}
	var notReady []string
	var graceEnd time.Time
	for _, in := range cls.want {
		end := in.LaunchedAt.Add(s.Gates.Grace)
		switch {
		case in.Lifecycle.pending():
			notReady = append(notReady, in.ID+" pending")
			continue
		case d.now.Before(end):
			notReady = append(notReady, in.ID+" in grace")
			if graceEnd.IsZero() || end.Before(graceEnd) {
				graceEnd = end
			}
			continue
		}
		if !s.Gates.TargetHealth {
			continue
		}
		for _, tg := range o.TargetGroups {
			switch st := o.targetState(tg.ARN, in.ID); st {
			case TargetHealthy:
			case TargetUnhealthy:
				return d.fail(fmt.Sprintf("%s: instance %s (version %s, %s) is unhealthy in target group %s after the %s grace period", name, in.ID, in.Version, in.AZ, shortARN(tg.ARN), s.Gates.Grace))
			default:
				notReady = append(notReady, fmt.Sprintf("%s %s in %s", in.ID, st, shortARN(tg.ARN)))
			}
		}
	}
	if n := cls.total(); n < o.Desired {
		notReady = append(notReady, fmt.Sprintf("group has %d of %d instances", n, o.Desired))
	}
	if !r.Rollback {
		names, states := d.alarms()
		for _, n := range names {
			switch states[n] {
			case AlarmAlarm:
				return d.fail(fmt.Sprintf("%s: alarm %s is in ALARM", name, n))
			case AlarmInsufficientData:
				if !s.Gates.InsufficientDataOK {
					notReady = append(notReady, "alarm "+n+" has insufficient data")
				}
			}
		}
	}

	if len(notReady) > 0 {
		deadline := r.PhaseSince.Add(s.Gates.Timeout)
		if !r.GateSince.IsZero() {
			deadline = later(deadline, r.GateSince.Add(bake+s.Gates.Timeout))
		}
		if !d.now.Before(deadline) {
			return d.fail(fmt.Sprintf("%s: not ready after %s: %s", name, s.Gates.Timeout, strings.Join(clipList(notReady, 5), "; ")))
		}
		d.poll()
		if !graceEnd.IsZero() {
			d.waitUntil(graceEnd)
		}
		d.waitUntil(deadline)
		return true
	}
	if r.GateSince.IsZero() {
		r.GateSince = stamp(d.now)
	}
	if until := r.GateSince.Add(bake); d.now.Before(until) {
		d.poll()
		d.waitUntil(until)
		return true
	}
	if r.Phase == PhaseCanary {
		return d.enterLaunch(1)
	}
	d.enterRetire()
	return false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// shortARN is the target group's name part of its ARN, for messages.
func shortARN(arn string) string {
	if _, name, ok := strings.Cut(arn, ":targetgroup/"); ok {
		return name
	}
	return arn
}

func clipList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
}

package rollout

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

const tgA = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"

// fx builds an observation: a group of old instances on version 1 of
// lt-1, in two zones, healthy in one target group.
type fx struct{ o Observation }

func fleetOf(n int) *fx {
	f := &fx{o: Observation{
		Now: t0, Group: "web", Desired: n, Min: 1, Max: 2 * n,
		LaunchTemplateID: "lt-1", LaunchTemplateVersion: "1",
		TargetGroups: []TargetGroup{{ARN: tgA, HealthyAfter: 30 * time.Second, DeregistrationDelay: time.Minute}},
		Targets:      map[string]map[string]TargetState{tgA: {}},
		Alarms:       map[string]AlarmState{},
		Tags:         map[string]string{"Name": "web"},
	}}
	for i := range n {
		f.add(fmt.Sprintf("i-o%d", i+1), "1", -time.Hour, InService, TargetHealthy)
	}
	return f
}

func (f *fx) add(id, version string, launched time.Duration, lc Lifecycle, tg TargetState) *fx {
	f.o.Instances = append(f.o.Instances, Instance{
		ID: id, AZ: []string{"a", "b"}[len(f.o.Instances)%2], Lifecycle: lc, Healthy: true,
		LaunchTemplateID: "lt-1", Version: version, LaunchedAt: t0.Add(launched),
		Protected: version == "2" && launched >= 0,
	})
	if tg != TargetUnused {
		f.o.Targets[tgA][id] = tg
	}
	return f
}

func (f *fx) at(d time.Duration) *fx { f.o.Now = t0.Add(d); return f }

func (f *fx) with(mod func(*Observation)) *fx { mod(&f.o); return f }

func (f *fx) inst(id string) *Instance {
	for i := range f.o.Instances {
		if f.o.Instances[i].ID == id {
			return &f.o.Instances[i]
		}
	}
	panic("no instance " + id)
}

// rolling is the group during a rollout: switched to version 2, AZRebalance
// suspended, new instances protected, desired and max as given.
func (f *fx) rolling(desired, maxSize int) *fx {
	f.o.LaunchTemplateVersion, f.o.Suspended, f.o.NewInstancesProtected = "2", []string{"AZRebalance"}, true
	f.o.Desired, f.o.Max = desired, maxSize
	return f
}

// tagged stores rec in the group's tags, as the previous step left it.
func (f *fx) tagged(rec Record) *fx {
	maps.Copy(f.o.Tags, rec.Tags())
	return f
}

// startRec is the record a rollout of version 2 on fleetOf(4) starts with.
func startRec() Record {
	return Record{
		ID: "20300101T120000Z-v2", Phase: PhasePrepare, LaunchTemplateID: "lt-1", OldVersion: 1, TargetVersion: 2,
		Base: 4, Desired: 4, Max: 8, Original: Original{Desired: 4, Max: 8},
		Started: t0, PhaseSince: t0,
	}
}

func recIn(phase Phase, mod func(*Record)) Record {
	r := startRec()
	r.Phase = phase
	if mod != nil {
		mod(&r)
	}
	return r
}

// brief renders commands compactly for comparison.
func brief(cmds []Command) []string {
	var out []string
	for _, c := range cmds {
		switch c := c.(type) {
		case WriteRecord:
			r := c.Record
			s := "write " + string(r.Phase)
			if r.Rollback {
				s = "write rollback/" + string(r.Phase)
			}
			out = append(out, s)
		case ClearRecord:
			out = append(out, "clear")
		case SetLaunchTemplateVersion:
			out = append(out, fmt.Sprintf("version %d", c.Version))
		case SetDesired:
			out = append(out, fmt.Sprintf("desired %d", c.Desired))
		case SetMaxSize:
			out = append(out, fmt.Sprintf("max %d", c.Max))
		case SuspendProcesses:
			out = append(out, "suspend "+strings.Join(c.Processes, " "))
		case ResumeProcesses:
			out = append(out, "resume "+strings.Join(c.Processes, " "))
		case SetNewInstanceProtection:
			out = append(out, fmt.Sprintf("new-protect %t", c.Protected))
		case SetInstanceProtection:
			out = append(out, fmt.Sprintf("protect %t %s", c.Protected, strings.Join(c.InstanceIDs, " ")))
		case Deregister:
			out = append(out, "deregister "+strings.Join(c.InstanceIDs, " "))
		case Terminate:
			if c.Decrement {
				out = append(out, "terminate "+c.InstanceID)
			} else {
				out = append(out, "terminate surplus "+c.InstanceID)
			}
		}
	}
	return out
}

func TestDecide(t *testing.T) {
	spec := NewSpec("2")
	spec.Gates.Grace = 2 * time.Minute
	type want struct {
		status Status
		cmds   []string
		phase  Phase // of the returned record; "" to skip
		wait   time.Duration
		reason []string
		check  func(t *testing.T, r Record)
	}
	tests := map[string]struct {
		spec func(*Spec)
		rec  Record
		obs  *fx
		want want
	}{
		// Start.
		"a fresh rollout writes its record first, then prepares the group": {
			obs:  fleetOf(4),
			want: want{status: Running, phase: PhasePrepare, wait: settle, cmds: []string{"write prepare", "suspend AZRebalance", "new-protect true", "version 2"}},
		},
		"a fleet already on the target has nothing to do": {
			obs: fleetOf(0).add("i-n1", "2", -time.Hour, InService, TargetHealthy).with(func(o *Observation) {
				o.LaunchTemplateVersion, o.Desired = "2", 1
			}),
			want: want{status: Succeeded, reason: []string{"no instance to replace"}},
		},
		"an empty group only switches the version": {
			obs:  fleetOf(0),
			want: want{status: Succeeded, cmds: []string{"version 2"}},
		},
		"a group on $Latest is refused with the fix": {
			obs:  fleetOf(4).with(func(o *Observation) { o.LaunchTemplateVersion = "$Latest" }),
			want: want{status: Refused, reason: []string{"$Latest", "launch_template.version to a number"}},
		},
		"a group without a launch template is refused": {
			obs:  fleetOf(4).with(func(o *Observation) { o.LaunchTemplateID = "" }),
			want: want{status: Refused, reason: []string{"without a launch template"}},
		},
		"a suspended Launch process is refused": {
			obs:  fleetOf(4).with(func(o *Observation) { o.Suspended = []string{"Launch"} }),
			want: want{status: Refused, reason: []string{"Launch process suspended"}},
		},
		"a suspended AddToLoadBalancer with target health gates is refused": {
			obs:  fleetOf(4).with(func(o *Observation) { o.Suspended = []string{"AddToLoadBalancer"} }),
			want: want{status: Refused, reason: []string{"AddToLoadBalancer", "gates.target_health = false"}},
		},
		"a named alarm that does not exist is refused": {
			spec: func(s *Spec) { s.Gates.AlarmNames = []string{"web-5xx"} },
			obs:  fleetOf(4),
			want: want{status: Refused, reason: []string{`gates.alarm_names: alarm "web-5xx" does not exist`}},
		},
		"an alarm already in ALARM is refused": {
			spec: func(s *Spec) { s.Gates.AlarmPrefixes = []string{"web-"} },
			obs:  fleetOf(4).with(func(o *Observation) { o.Alarms["web-latency"] = AlarmAlarm }),
			want: want{status: Refused, reason: []string{`"web-latency" is in ALARM`}},
		},
		"old standby instances are refused by default": {
			obs:  fleetOf(4).add("i-s1", "1", -time.Hour, Standby, TargetUnused),
			want: want{status: Refused, reason: []string{"Standby (i-s1)", `standby_instances = "ignore"`}},
		},
		"old standby instances are left alone when told to": {
			spec: func(s *Spec) { s.StandbyInstances = Ignore },
			obs:  fleetOf(4).add("i-s1", "1", -time.Hour, Standby, TargetUnused),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"write prepare", "suspend AZRebalance", "new-protect true", "version 2"}},
		},
		"protected old instances are refused by default": {
			obs:  fleetOf(4).with(func(o *Observation) { o.Instances[1].Protected = true }),
			want: want{status: Refused, reason: []string{"(i-o2)", `protected_instances = "replace"`}},
		},
		"no room for the canary without raising max is refused": {
			spec: func(s *Spec) { s.AllowRaiseMax = false },
			obs:  fleetOf(4).with(func(o *Observation) { o.Max = 4 }),
			want: want{status: Refused, reason: []string{"no room for the canary", "allow_raise_max = true"}},
		},
		"an invalid spec is refused naming the attribute": {
			spec: func(s *Spec) { s.LaunchTemplateVersion = "$Default" },
			obs:  fleetOf(4),
			want: want{status: Refused, reason: []string{"launch_template_version: $Default"}},
		},
		"an unreadable record in the tags is refused": {
			obs:  fleetOf(4).with(func(o *Observation) { o.Tags[TagID] = "x"; o.Tags[TagPhase] = "launching" }),
			want: want{status: Refused, reason: []string{TagPhase}},
		},
		"a group already on the target with old instances rolls back to their version": {
			obs: fleetOf(4).with(func(o *Observation) { o.LaunchTemplateVersion = "2" }),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"write prepare", "suspend AZRebalance", "new-protect true"},
				check: func(t *testing.T, r Record) {
					if r.OldVersion != 1 {
						t.Errorf("old version %d, want 1", r.OldVersion)
					}
				}},
		},
		"a different target while a rollout is in progress is refused": {
			spec: func(s *Spec) { s.LaunchTemplateVersion = "3" },
			rec:  recIn(PhaseCanary, nil),
			obs:  fleetOf(4).rolling(5, 8),
			want: want{status: Refused, reason: []string{"is in canary", `launch_template_version = "2"`}},
		},

		// Prepare.
		"prepare done launches one canary": {
			rec:  startRec(),
			obs:  fleetOf(4).rolling(4, 8),
			want: want{status: Running, phase: PhaseCanary, wait: settle, cmds: []string{"write canary", "desired 5"}},
		},
		"prepare repeats only what is missing": {
			rec:  startRec(),
			obs:  fleetOf(4).rolling(4, 8).with(func(o *Observation) { o.NewInstancesProtected = false }),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"new-protect true"}},
		},
		"prepare raises max for the canary when the group has no room": {
			rec:  recIn(PhasePrepare, func(r *Record) { r.Max, r.Original.Max = 4, 4 }),
			obs:  fleetOf(4).rolling(4, 4),
			want: want{status: Running, phase: PhaseCanary, cmds: []string{"write canary", "max 5", "desired 5"}},
		},
		"without room, a spare instance is retired before the canary": {
			spec: func(s *Spec) { s.AllowRaiseMax, s.MinHealthyPercent = false, 75 },
			rec:  recIn(PhasePrepare, func(r *Record) { r.Max, r.Original.Max = 4, 4 }),
			obs:  fleetOf(4).rolling(4, 4),
			want: want{status: Running, phase: PhaseMakeRoom, cmds: []string{"write make-room", "deregister i-o1"},
				check: func(t *testing.T, r Record) {
					if r.Goal != 3 {
						t.Errorf("goal %d, want 3", r.Goal)
					}
				}},
		},
		"instances already on the target serve as the canary": {
			rec:  startRec(),
			obs:  fleetOf(3).add("i-n0", "2", -time.Hour, InService, TargetHealthy).rolling(4, 8),
			want: want{status: Running, phase: PhaseCanary, cmds: []string{"write canary"}},
		},
		"a rollback prepare switches the version back": {
			rec:  recIn(PhasePrepare, func(r *Record) { r.Rollback, r.Desired, r.FailedPhase, r.Failure = true, 5, PhaseCanary, "x" }),
			obs:  fleetOf(4).add("i-n1", "2", time.Minute, InService, TargetUnhealthy).rolling(5, 8),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"version 1"}},
		},
		"a rollback from the canary needs no launch and retires the canary": {
			rec: recIn(PhasePrepare, func(r *Record) { r.Rollback, r.Desired, r.FailedPhase, r.Failure = true, 5, PhaseCanary, "x" }),
			obs: fleetOf(4).add("i-n1", "2", time.Minute, InService, TargetUnhealthy).rolling(5, 8).
				with(func(o *Observation) { o.LaunchTemplateVersion = "1" }),
			want: want{status: Running, phase: PhaseRetire, cmds: []string{"write rollback/retire", "deregister i-n1"}},
		},
		"a rollback after old instances were retired launches old ones first": {
			rec: recIn(PhasePrepare, func(r *Record) { r.Rollback, r.Desired, r.FailedPhase, r.Failure = true, 6, PhaseRetire, "x" }),
			obs: fleetOf(2).add("i-n1", "2", time.Minute, InService, TargetHealthy).add("i-n2", "2", time.Minute, InService, TargetHealthy).
				add("i-n3", "2", time.Minute, InService, TargetHealthy).add("i-n4", "2", time.Minute, InService, TargetHealthy).
				rolling(6, 8).with(func(o *Observation) { o.LaunchTemplateVersion = "1" }),
			want: want{status: Running, phase: PhaseSurge, cmds: []string{"write rollback/surge", "desired 8"}},
		},

		// Canary gates.
		"a pending canary is waited for": {
			rec:  recIn(PhaseCanary, func(r *Record) { r.Desired = 5 }),
			obs:  fleetOf(4).add("i-n1", "2", 0, Pending, TargetUnused).rolling(5, 8).at(20 * time.Second),
			want: want{status: Running, phase: PhaseCanary, wait: spec.Poll},
		},
		"a canary in its grace period is waited for until the grace ends": {
			rec:  recIn(PhaseCanary, func(r *Record) { r.Desired = 5 }),
			obs:  fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).rolling(5, 8).at(115 * time.Second),
			want: want{status: Running, phase: PhaseCanary, wait: 5 * time.Second},
		},
		"a healthy canary starts the bake": {
			rec: recIn(PhaseCanary, func(r *Record) { r.Desired = 5 }),
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).rolling(5, 8).at(3 * time.Minute),
			want: want{status: Running, phase: PhaseCanary, cmds: []string{"write canary"}, wait: spec.Poll,
				check: func(t *testing.T, r Record) {
					if !r.GateSince.Equal(t0.Add(3 * time.Minute)) {
						t.Errorf("gate since %s", r.GateSince)
					}
				}},
		},
		"a baked canary surges the whole fleet": {
			rec:  recIn(PhaseCanary, func(r *Record) { r.Desired, r.GateSince = 5, t0.Add(3*time.Minute) }),
			obs:  fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).rolling(5, 8).at(8 * time.Minute),
			want: want{status: Running, phase: PhaseSurge, cmds: []string{"write surge", "desired 8"}},
		},
		"a canary unhealthy in its target group after grace rolls back": {
			rec: recIn(PhaseCanary, func(r *Record) { r.Desired = 5 }),
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetUnhealthy).rolling(5, 8).at(3 * time.Minute),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"write rollback/prepare", "version 1"},
				check: func(t *testing.T, r Record) {
					if !r.Rollback || r.FailedPhase != PhaseCanary || !strings.Contains(r.Failure, "canary gate: instance i-n1 (version 2, a) is unhealthy in target group web/0123456789abcdef") {
						t.Errorf("record %+v", r)
					}
				}},
		},
		"a canary unhealthy during its grace period is given time": {
			rec:  recIn(PhaseCanary, func(r *Record) { r.Desired = 5 }),
			obs:  fleetOf(4).add("i-n1", "2", 0, InService, TargetUnhealthy).rolling(5, 8).at(time.Minute),
			want: want{status: Running, phase: PhaseCanary, wait: spec.Poll},
		},
		"a canary the group marked unhealthy rolls back even while terminating": {
			rec: recIn(PhaseCanary, func(r *Record) { r.Desired = 5 }),
			obs: fleetOf(4).add("i-n1", "2", 0, Terminating, TargetDraining).rolling(5, 8).at(3 * time.Minute).
				with(func(o *Observation) { o.Instances[4].Healthy = false }),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"write rollback/prepare", "version 1"}},
		},
		"an alarm during the canary bake rolls back": {
			spec: func(s *Spec) { s.Gates.AlarmNames = []string{"web-5xx"} },
			rec:  recIn(PhaseCanary, func(r *Record) { r.Desired, r.GateSince = 5, t0.Add(3*time.Minute) }),
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).rolling(5, 8).at(5 * time.Minute).
				with(func(o *Observation) { o.Alarms["web-5xx"] = AlarmAlarm }),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"write rollback/prepare", "version 1"}},
		},
		"an alarm with on_failure pause pauses and records it": {
			spec: func(s *Spec) { s.Gates.AlarmPrefixes, s.OnFailure = []string{"web-"}, Pause },
			rec:  recIn(PhaseCanary, func(r *Record) { r.Desired, r.GateSince = 5, t0.Add(3*time.Minute) }),
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).rolling(5, 8).at(5 * time.Minute).
				with(func(o *Observation) { o.Alarms["web-5xx"] = AlarmAlarm }),
			want: want{status: Paused, phase: PhasePaused, cmds: []string{"write paused"},
				reason: []string{"paused in canary: canary gate: alarm web-5xx is in ALARM", `on_failure = "rollback"`}},
		},
		"an alarm without data holds the gate when that is not ok": {
			spec: func(s *Spec) { s.Gates.AlarmNames, s.Gates.InsufficientDataOK = []string{"web-5xx"}, false },
			rec:  recIn(PhaseCanary, func(r *Record) { r.Desired = 5 }),
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).rolling(5, 8).at(3 * time.Minute).
				with(func(o *Observation) { o.Alarms["web-5xx"] = AlarmInsufficientData }),
			want: want{status: Running, phase: PhaseCanary, wait: spec.Poll},
		},
		"a canary not healthy by the timeout rolls back naming it": {
			rec: recIn(PhaseCanary, func(r *Record) { r.Desired = 5 }),
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetInitial).rolling(5, 8).at(16 * time.Minute),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"write rollback/prepare", "version 1"},
				check: func(t *testing.T, r Record) {
					if !strings.Contains(r.Failure, "not ready after 15m0s: i-n1 initial in web/") {
						t.Errorf("failure %q", r.Failure)
					}
				}},
		},
		"a canary that never launched times out naming the group": {
			rec: recIn(PhaseCanary, func(r *Record) { r.Desired = 5 }),
			obs: fleetOf(4).rolling(5, 8).at(16 * time.Minute),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"write rollback/prepare", "version 1"},
				check: func(t *testing.T, r Record) {
					if !strings.Contains(r.Failure, "group has 4 of 5 instances") {
						t.Errorf("failure %q", r.Failure)
					}
				}},
		},

		// Surge and fleet gates.
		"the fleet gate passes after the fleet bake and drains the old instances": {
			rec: recIn(PhaseSurge, func(r *Record) { r.Wave, r.Desired, r.GateSince = 1, 8, t0.Add(10*time.Minute) }),
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 8*time.Minute, InService, TargetHealthy).
				add("i-n3", "2", 8*time.Minute, InService, TargetHealthy).add("i-n4", "2", 8*time.Minute, InService, TargetHealthy).
				rolling(8, 8).at(20 * time.Minute),
			want: want{status: Running, phase: PhaseRetire, cmds: []string{"write retire", "deregister i-o1 i-o2 i-o3 i-o4"}},
		},
		"an intermediate wave bakes the wave bake and retires down to the base": {
			spec: func(s *Spec) { s.Surge.WavePercent, s.Surge.WaveBake = 25, time.Minute },
			rec:  recIn(PhaseSurge, func(r *Record) { r.Wave, r.Desired, r.Max, r.GateSince = 1, 6, 6, t0.Add(10*time.Minute) }),
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 8*time.Minute, InService, TargetHealthy).
				rolling(6, 6).at(11 * time.Minute),
			want: want{status: Running, phase: PhaseRetire, cmds: []string{"write retire", "deregister i-o1 i-o2"},
				check: func(t *testing.T, r Record) {
					if r.Goal != 4 {
						t.Errorf("goal %d, want 4", r.Goal)
					}
				}},
		},

		// Retire.
		"draining old instances are waited for": {
			rec: recIn(PhaseRetire, func(r *Record) { r.Wave, r.Desired, r.Goal = 1, 8, 4 }),
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 8*time.Minute, InService, TargetHealthy).
				add("i-n3", "2", 8*time.Minute, InService, TargetHealthy).add("i-n4", "2", 8*time.Minute, InService, TargetHealthy).
				rolling(8, 8).at(20 * time.Minute).with(func(o *Observation) {
				for _, id := range []string{"i-o1", "i-o2", "i-o3", "i-o4"} {
					o.Targets[tgA][id] = TargetDraining
				}
			}),
			want: want{status: Running, phase: PhaseRetire, wait: spec.Poll},
		},
		"drained old instances are recorded, then terminated with a decrement": {
			rec: recIn(PhaseRetire, func(r *Record) { r.Wave, r.Desired, r.Goal = 1, 8, 4 }),
			obs: fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 8*time.Minute, InService, TargetHealthy).
				add("i-n3", "2", 8*time.Minute, InService, TargetHealthy).add("i-n4", "2", 8*time.Minute, InService, TargetHealthy).
				rolling(8, 8).at(21 * time.Minute).with(func(o *Observation) {
				for _, id := range []string{"i-o1", "i-o2", "i-o3", "i-o4"} {
					delete(o.Targets[tgA], id)
				}
			}),
			want: want{status: Running, phase: PhaseRetire, wait: settle,
				cmds: []string{"write retire", "terminate i-o1", "terminate i-o2", "terminate i-o3", "terminate i-o4"},
				check: func(t *testing.T, r Record) {
					if r.Desired != 4 || len(r.Retiring) != 4 {
						t.Errorf("desired %d retiring %v", r.Desired, r.Retiring)
					}
				}},
		},
		"a protected old instance loses its protection right before termination": {
			spec: func(s *Spec) { s.ProtectedInstances = Replace },
			rec:  recIn(PhaseRetire, func(r *Record) { r.Wave, r.Desired, r.Goal = 1, 5, 4 }),
			obs: fleetOf(1).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 0, InService, TargetHealthy).
				add("i-n3", "2", 0, InService, TargetHealthy).add("i-n4", "2", 0, InService, TargetHealthy).rolling(5, 8).
				with(func(o *Observation) { o.Instances[0].Protected = true; delete(o.Targets[tgA], "i-o1") }),
			want: want{status: Running, phase: PhaseRetire, cmds: []string{"write retire", "protect false i-o1", "terminate i-o1"}},
		},
		"a large batch of terminations is cut to what one tag holds": {
			rec: recIn(PhaseRetire, func(r *Record) { r.Base, r.Wave, r.Desired, r.Goal = 30, 1, 60, 30 }),
			obs: func() *fx {
				f := fleetOf(30)
				for i := range 30 {
					f.add(fmt.Sprintf("i-%017d", i), "2", 0, InService, TargetHealthy)
				}
				for i := range 30 {
					f.o.Instances[i].ID = fmt.Sprintf("i-%017d", 100+i)
				}
				return f.rolling(60, 60)
			}(),
			want: want{status: Running, phase: PhaseRetire, check: func(t *testing.T, r Record) {
				if len(r.Retiring) != 12 || r.Desired != 48 {
					t.Errorf("batch of %d, desired %d; want 12 and 48", len(r.Retiring), r.Desired)
				}
			}},
		},
		"terminations that landed lead to finalize": {
			rec: recIn(PhaseRetire, func(r *Record) {
				r.Wave, r.Desired, r.Goal, r.Retiring = 1, 4, 4, []string{"i-o1", "i-o2", "i-o3", "i-o4"}
			}),
			obs: fleetOf(0).add("i-o1", "1", -time.Hour, Terminating, TargetUnused).
				add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 8*time.Minute, InService, TargetHealthy).
				add("i-n3", "2", 8*time.Minute, InService, TargetHealthy).add("i-n4", "2", 8*time.Minute, InService, TargetHealthy).
				rolling(4, 8).at(21 * time.Minute),
			want: want{status: Running, phase: PhaseFinalize,
				cmds: []string{"write finalize", "new-protect false", "protect false i-n1 i-n2 i-n3 i-n4", "resume AZRebalance"}},
		},
		"terminations that never landed are given back and picked again": {
			rec: recIn(PhaseRetire, func(r *Record) {
				r.Wave, r.Desired, r.Goal, r.Retiring = 1, 4, 4, []string{"i-o1", "i-o2"}
			}),
			obs: fleetOf(2).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 8*time.Minute, InService, TargetHealthy).
				add("i-n3", "2", 8*time.Minute, InService, TargetHealthy).add("i-n4", "2", 8*time.Minute, InService, TargetHealthy).
				rolling(6, 8).at(21 * time.Minute).with(func(o *Observation) { clear(o.Targets[tgA]) }),
			want: want{status: Running, phase: PhaseRetire, cmds: []string{"terminate i-o1", "terminate i-o2"},
				check: func(t *testing.T, r Record) {
					if r.Desired != 4 || r.Base != 4 {
						t.Errorf("desired %d base %d; a retry must not look like a scaling policy", r.Desired, r.Base)
					}
				}},
		},
		"a retire that reached the base with old instances left starts the next wave": {
			spec: func(s *Spec) { s.Surge.WavePercent = 50 },
			rec:  recIn(PhaseRetire, func(r *Record) { r.Wave, r.Desired, r.Goal = 1, 4, 4 }),
			obs: fleetOf(2).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 8*time.Minute, InService, TargetHealthy).
				rolling(4, 8).at(21 * time.Minute),
			want: want{status: Running, phase: PhaseSurge, cmds: []string{"write surge", "desired 6"},
				check: func(t *testing.T, r Record) {
					if r.Wave != 2 {
						t.Errorf("wave %d, want 2", r.Wave)
					}
				}},
		},

		"a make-room that reached its goal launches the canary": {
			spec: func(s *Spec) { s.AllowRaiseMax, s.MinHealthyPercent = false, 75 },
			rec:  recIn(PhaseMakeRoom, func(r *Record) { r.Max, r.Original.Max, r.Desired, r.Goal = 4, 4, 3, 3 }),
			obs:  fleetOf(3).rolling(3, 4),
			want: want{status: Running, phase: PhaseCanary, cmds: []string{"write canary", "desired 4"}},
		},
		"protected instances above desired are terminated without a decrement": {
			rec: recIn(PhaseRetire, func(r *Record) {
				r.Rollback, r.Wave, r.Base, r.Desired, r.Goal, r.FailedPhase, r.Failure = true, 1, 0, 0, 0, PhaseCanary, "x"
			}),
			obs: fleetOf(0).add("i-n1", "2", 0, InService, TargetUnused).rolling(0, 8).
				with(func(o *Observation) { o.Min, o.LaunchTemplateVersion = 0, "1" }),
			want: want{status: Running, phase: PhaseRetire, cmds: []string{"write rollback/retire", "protect false i-n1", "terminate surplus i-n1"},
				check: func(t *testing.T, r Record) {
					if !r.Surplus || r.Desired != 0 {
						t.Errorf("surplus %t desired %d", r.Surplus, r.Desired)
					}
				}},
		},
		"retiring waits while the new instances do not serve the base": {
			rec: recIn(PhaseRetire, func(r *Record) { r.Wave, r.Desired, r.Goal, r.PhaseSince = 1, 5, 4, t0.Add(14*time.Minute) }),
			obs: fleetOf(1).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 0, InService, TargetHealthy).
				add("i-n3", "2", 0, InService, TargetHealthy).add("i-n4", "2", 14*time.Minute, InService, TargetInitial).
				rolling(5, 8).at(15 * time.Minute),
			want: want{status: Running, phase: PhaseRetire, wait: spec.Poll},
		},
		"retiring that cannot keep the base by the timeout rolls back": {
			rec: recIn(PhaseRetire, func(r *Record) { r.Wave, r.Desired, r.Goal = 1, 5, 4 }),
			obs: fleetOf(1).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 0, InService, TargetHealthy).
				add("i-n3", "2", 0, InService, TargetHealthy).add("i-n4", "2", 0, InService, TargetUnavailable).
				rolling(5, 8).at(16 * time.Minute),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"write rollback/prepare", "version 1"}},
		},
		"finalize waits for instances a policy launched before scaling back": {
			// The policy raised desired above the original max_size of 4,
			// which the rollout had raised to 8.
			rec: recIn(PhaseFinalize, func(r *Record) {
				r.Wave, r.PhaseSince, r.Desired, r.Original.Max = 1, t0.Add(20*time.Minute), 5, 4
			}),
			obs: fleetOf(0).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 0, InService, TargetHealthy).
				add("i-n3", "2", 0, InService, TargetHealthy).add("i-n4", "2", 0, InService, TargetHealthy).
				add("i-n5", "2", 20*time.Minute, Pending, TargetUnused).rolling(5, 8).
				with(func(o *Observation) {
					o.Suspended, o.NewInstancesProtected = nil, false
					for i := range o.Instances {
						o.Instances[i].Protected = false
					}
				}).at(21 * time.Minute),
			want: want{status: Running, phase: PhaseFinalize, wait: spec.Poll},
		},

		// Finalize.
		"finalize restores max and desired after a raise": {
			rec: recIn(PhaseFinalize, func(r *Record) { r.Wave, r.Desired, r.Max, r.Original.Max = 1, 4, 8, 4 }),
			obs: fleetOf(0).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 0, InService, TargetHealthy).
				add("i-n3", "2", 0, InService, TargetHealthy).add("i-n4", "2", 0, InService, TargetHealthy).
				rolling(4, 8).with(func(o *Observation) {
				o.Suspended, o.NewInstancesProtected = nil, false
				for i := range o.Instances {
					o.Instances[i].Protected = false
				}
			}),
			want: want{status: Running, phase: PhaseFinalize, cmds: []string{"max 4"}},
		},
		"a restored group clears the record and succeeds": {
			rec: recIn(PhaseFinalize, func(r *Record) { r.Wave = 1 }),
			obs: fleetOf(0).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 0, InService, TargetHealthy).
				add("i-n3", "2", 0, InService, TargetHealthy).add("i-n4", "2", 0, InService, TargetHealthy).
				rolling(4, 8).with(func(o *Observation) {
				o.Suspended, o.NewInstancesProtected = nil, false
				for i := range o.Instances {
					o.Instances[i].Protected = false
				}
			}),
			want: want{status: Succeeded, cmds: []string{"clear"}, reason: []string{"rolled out version 2 to web (4 instances)", "restored desired capacity 4, max_size 8"}},
		},
		"a rolled back group clears the record and says why and what was restored": {
			rec: recIn(PhaseFinalize, func(r *Record) {
				r.Rollback, r.FailedPhase, r.Failure = true, PhaseCanary, "canary gate: instance i-n1 unhealthy"
			}),
			obs:  fleetOf(4),
			want: want{status: RolledBack, cmds: []string{"clear"}, reason: []string{"failed in canary: canary gate: instance i-n1 unhealthy", "rolled back to version 1 (4 instances)", "restored desired capacity 4"}},
		},
		"finalize keeps processes that were suspended before the rollout": {
			rec: recIn(PhaseFinalize, func(r *Record) { r.Original.Suspended = []string{"AZRebalance"} }),
			obs: fleetOf(4).with(func(o *Observation) {
				o.LaunchTemplateVersion, o.Suspended = "2", []string{"AZRebalance"}
			}),
			want: want{status: Succeeded, cmds: []string{"clear"}},
		},

		// Capacity reconciliation.
		"a capacity request that never landed is made again": {
			rec:  recIn(PhaseCanary, func(r *Record) { r.Desired, r.Changing, r.From = 5, true, 4 }),
			obs:  fleetOf(4).rolling(4, 8),
			want: want{status: Running, phase: PhaseCanary, cmds: []string{"desired 5"}},
		},
		"a raise of max that never landed is made before the request": {
			rec:  recIn(PhaseSurge, func(r *Record) { r.Desired, r.Max, r.Changing, r.From = 8, 8, true, 5 }),
			obs:  fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).rolling(5, 5),
			want: want{status: Running, phase: PhaseSurge, cmds: []string{"max 8", "desired 8"}},
		},
		"a capacity request that landed is cleared from the record": {
			rec: recIn(PhaseCanary, func(r *Record) { r.Desired, r.Changing, r.From = 5, true, 4 }),
			obs: fleetOf(4).add("i-n1", "2", 0, Pending, TargetUnused).rolling(5, 8),
			want: want{status: Running, phase: PhaseCanary, cmds: []string{"write canary"}, check: func(t *testing.T, r Record) {
				if r.Changing {
					t.Error("still changing")
				}
			}},
		},
		"a scaling policy raising desired moves the base with it": {
			rec: recIn(PhaseCanary, func(r *Record) { r.Desired = 5 }),
			obs: fleetOf(4).add("i-n1", "2", 0, Pending, TargetUnused).rolling(7, 8),
			want: want{status: Running, phase: PhaseCanary, cmds: []string{"write canary"}, check: func(t *testing.T, r Record) {
				if r.Base != 6 || r.Desired != 7 {
					t.Errorf("base %d desired %d; want 6 and 7", r.Base, r.Desired)
				}
			}},
		},
		"a scaling policy lowering desired while retiring moves the goal too": {
			rec: recIn(PhaseRetire, func(r *Record) { r.Wave, r.Desired, r.Goal = 1, 8, 4 }),
			obs: fleetOf(3).add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 0, InService, TargetHealthy).
				add("i-n3", "2", 0, InService, TargetHealthy).add("i-n4", "2", 0, InService, TargetHealthy).rolling(7, 8),
			want: want{status: Running, phase: PhaseRetire, check: func(t *testing.T, r Record) {
				if r.Base != 3 || r.Goal != 3 {
					t.Errorf("base %d goal %d; want 3 and 3", r.Base, r.Goal)
				}
			}},
		},

		// Paused.
		"a paused rollout stays paused while on_failure is pause": {
			spec: func(s *Spec) { s.OnFailure = Pause },
			rec: recIn(PhasePaused, func(r *Record) {
				r.FailedPhase, r.Failure, r.Desired = PhaseCanary, "canary gate: alarm x is in ALARM", 5
			}),
			obs:  fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).rolling(5, 8),
			want: want{status: Paused, phase: PhasePaused, reason: []string{"paused in canary", "alarm x is in ALARM"}},
		},
		"a paused rollout rolls back once on_failure is rollback": {
			rec: recIn(PhasePaused, func(r *Record) {
				r.FailedPhase, r.Failure, r.Desired = PhaseCanary, "canary gate: alarm x is in ALARM", 5
			}),
			obs:  fleetOf(4).add("i-n1", "2", 0, InService, TargetHealthy).rolling(5, 8),
			want: want{status: Running, phase: PhasePrepare, cmds: []string{"write rollback/prepare", "version 1"}},
		},
		"a rollback that cannot get old instances healthy pauses, keeping both reasons": {
			rec: recIn(PhaseSurge, func(r *Record) {
				r.Rollback, r.Wave, r.Desired, r.FailedPhase, r.Failure = true, 1, 6, PhaseRetire, "fleet gate: alarm x is in ALARM"
			}),
			obs: fleetOf(2).add("i-p1", "1", 0, Pending, TargetUnused).add("i-p2", "1", 0, Pending, TargetUnused).
				add("i-n1", "2", 0, InService, TargetHealthy).add("i-n2", "2", 0, InService, TargetHealthy).
				rolling(6, 8).with(func(o *Observation) { o.LaunchTemplateVersion = "1" }).at(16 * time.Minute),
			want: want{status: Paused, phase: PhasePaused, cmds: []string{"write rollback/paused"},
				reason: []string{"rollback stopped: rollback launch: not ready after 15m0s: i-p1 pending", "rolling back because: fleet gate: alarm x is in ALARM"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := spec
			if tc.spec != nil {
				tc.spec(&s)
			}
			obs := tc.obs
			if tc.rec.active() {
				obs.tagged(tc.rec)
			}
			d := Decide(s, tc.rec, obs.o)
			if d.Status != tc.want.status {
				t.Fatalf("status %s (%s), want %s; commands %v", d.Status, d.Reason, tc.want.status, brief(d.Commands))
			}
			if tc.want.cmds != nil || tc.want.check == nil {
				if got := brief(d.Commands); !slices.Equal(got, tc.want.cmds) {
					t.Errorf("commands\n got %q\nwant %q", got, tc.want.cmds)
				}
			}
			if tc.want.phase != "" && d.Record.Phase != tc.want.phase {
				t.Errorf("phase %s, want %s", d.Record.Phase, tc.want.phase)
			}
			if tc.want.wait != 0 && !d.Wait.Equal(obs.o.Now.Add(tc.want.wait)) {
				t.Errorf("wait %s, want %s", d.Wait.Sub(obs.o.Now), tc.want.wait)
			}
			for _, r := range tc.want.reason {
				if !strings.Contains(d.Reason, r) {
					t.Errorf("reason %q does not mention %q", d.Reason, r)
				}
			}
			if tc.want.check != nil {
				tc.want.check(t, d.Record)
			}
			if d.Status == Running || d.Status == Paused {
				assertIdempotent(t, s, d, obs.o)
			}
		})
	}
}

// assertIdempotent decides again as a resumed process would, with the
// record read back from the tags the decision wrote and the same fleet:
// nothing already decided may be asked for twice.
func assertIdempotent(t *testing.T, s Spec, d Decision, o Observation) {
	t.Helper()
	o.Tags = maps.Clone(o.Tags)
	for _, c := range d.Commands {
		if w, ok := c.(WriteRecord); ok {
			maps.Copy(o.Tags, w.Record.Tags())
		}
	}
	back, _, err := ParseRecord(o.Tags)
	if err != nil {
		t.Fatalf("record written does not parse: %v", err)
	}
	again := Decide(s, back, o)
	var first []string
	for _, c := range d.Commands {
		switch c.(type) {
		case SetDesired, Terminate:
			first = append(first, c.String())
		}
	}
	for _, c := range again.Commands {
		switch c.(type) {
		case SetDesired:
			// Asking for the same capacity again is allowed; more is not.
			if c.(SetDesired).Desired != desiredOf(d.Commands) {
				t.Errorf("deciding again asks for %s after %v", c, first)
			}
		case Terminate:
			if !slices.Contains(first, c.String()) {
				t.Errorf("deciding again terminates something new: %s after %v", c, first)
			}
		}
	}
}

func desiredOf(cmds []Command) int {
	for _, c := range cmds {
		if s, ok := c.(SetDesired); ok {
			return s.Desired
		}
	}
	return -1
}

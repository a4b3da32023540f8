package rollout

import (
	"slices"
	"strconv"
)

// classes sorts the counted instances (launching or in service) by what the
// current direction does with them.
type classes struct {
	// want are on the version the fleet is moving to: the target going
	// forward, anything else in a rollback.
	want []Instance
	// retire are on the version being replaced.
	retire []Instance
	// kept are old instances left alone by protected_instances.
	kept []Instance
}

func (c classes) total() int { return len(c.want) + len(c.retire) + len(c.kept) }

func (d *decider) onTarget(in Instance) bool {
	return in.LaunchTemplateID == d.rec.LaunchTemplateID && in.Version == strconv.Itoa(d.rec.TargetVersion)
}

// ours reports whether the rollout launched the instance.
func (d *decider) ours(in Instance) bool { return !in.LaunchedAt.Before(d.rec.Started) }

// isNew reports whether an instance counts as rolled out. Going forward
// that is the target version (launched by this rollout unless skip matching
// accepts older ones); in a rollback only the rollout's own target-version
// instances are to go, so instances that were on the target before the
// rollout stay as they were.
func (d *decider) isNew(in Instance) bool {
	if !d.onTarget(in) {
		return false
	}
	return d.ours(in) || (!d.rec.Rollback && d.spec.SkipMatching)
}

// wanted reports whether an instance is on the side the fleet moves to.
func (d *decider) wanted(in Instance) bool {
	if d.rec.Rollback {
		return !d.isNew(in)
	}
	return d.isNew(in)
}

func (d *decider) classify() classes {
	var c classes
	for _, in := range d.obs.Instances {
		if !in.Lifecycle.counted() {
			continue
		}
		switch {
		case d.wanted(in):
			c.want = append(c.want, in)
		case !d.rec.Rollback && in.Protected && d.spec.ProtectedInstances != Replace:
			c.kept = append(c.kept, in)
		default:
			c.retire = append(c.retire, in)
		}
	}
	return c
}

func (d *decider) servingCount() int {
	n := 0
	for _, in := range d.obs.Instances {
		if d.obs.serving(in) {
			n++
		}
	}
	return n
}

// alarms returns the states of the alarms the gates select, sorted by
// name. A named alarm that was not observed counts as having no data.
func (d *decider) alarms() ([]string, map[string]AlarmState) {
	states := map[string]AlarmState{}
	for _, n := range d.spec.Gates.AlarmNames {
		states[n] = AlarmInsufficientData
		if s, ok := d.obs.Alarms[n]; ok {
			states[n] = s
		}
	}
	for n, s := range d.obs.Alarms {
		for _, p := range d.spec.Gates.AlarmPrefixes {
			if len(n) >= len(p) && n[:len(p)] == p {
				states[n] = s
			}
		}
	}
	names := make([]string, 0, len(states))
	for n := range states {
		names = append(names, n)
	}
	slices.Sort(names)
	return names, states
}

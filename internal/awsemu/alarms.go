package awsemu

import "time"

// putAlarm creates or updates a metric alarm (metric set) or a composite
// alarm (composite set). A new alarm starts in INSUFFICIENT_DATA; an updated
// one keeps its state until it is next evaluated.
func (s *Server) putAlarm(name string, config Doc, tags []Doc, metric *metricAlarmDef, composite *compositeAlarmDef) error {
	kind := metricAlarmKind
	if composite != nil {
		kind = compositeAlarmKind
	}
	a, exists := s.cw.alarms[name]
	if exists && a.kind != kind {
		other := "a composite alarm"
		if a.kind == metricAlarmKind {
			other = "a metric alarm"
		}
		return errValidation("An alarm named %q already exists and is %s", name, other)
	}
	now := s.clock.Now()
	if !exists {
		a = &alarm{kind: kind, name: name, arn: s.arn("cloudwatch", "alarm:"+name),
			state: stateInsufficient, stateReason: "Unchecked: Initial alarm creation", stateUpdated: now}
		s.cw.alarms[name] = a
		s.setTags(a.arn, tags)
	}
	a.config, a.metric, a.composite, a.configUpdated = config, metric, composite, now
	s.cw.order = nil
	s.evaluateComposites(now)
	return nil
}

// transition moves an alarm to a new state at the instant at.
func (s *Server) transition(a *alarm, st alarmState, at time.Time) {
	a.state, a.stateReason, a.reasonData, a.stateUpdated = st.value, st.reason, st.reasonData, at
	s.evaluateComposites(at)
}

// evaluateComposites recomputes every composite from its children until
// nothing changes (composites may reference composites).
func (s *Server) evaluateComposites(at time.Time) {
	for pass := 0; pass < 10; pass++ {
		changed := false
		for _, name := range sortedKeys(s.cw.alarms) {
			a := s.cw.alarms[name]
			if a.kind != compositeAlarmKind {
				continue
			}
			allUnknown := true
			for _, r := range a.composite.refs {
				if c, ok := s.cw.alarms[r]; ok && c.state != stateInsufficient {
					allUnknown = false
				}
			}
			next := stateOK
			if a.composite.rule.eval(func(n string) string {
				if c, ok := s.cw.alarms[n]; ok {
					return c.state
				}
				return stateInsufficient
			}) {
				next = stateAlarm
			} else if allUnknown {
				next = stateInsufficient
			}
			if next != a.state {
				a.state, a.stateReason, a.stateUpdated = next, "arbitrary alarm rule evaluation", at
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

// deleteAlarms deletes alarms all or nothing, as AWS does: one unknown name
// deletes none.
func (s *Server) deleteAlarms(names []string) error {
	for _, n := range names {
		if _, ok := s.cw.alarms[n]; !ok {
			return cwNotFound("Alarm %s does not exist; no alarms were deleted", n)
		}
	}
	now := s.clock.Now()
	for _, n := range names {
		delete(s.cw.tags, s.cw.alarms[n].arn)
		delete(s.cw.alarms, n)
	}
	s.cw.order = nil
	s.evaluateComposites(now)
	return nil
}

// setAlarmState is SetAlarmState: the alarm takes the state at once.
func (s *Server) setAlarmState(name string, st alarmState) error {
	a, ok := s.cw.alarms[name]
	if !ok {
		return cwNotFound("Alarm %s does not exist", name)
	}
	if a.kind == compositeAlarmKind {
		return errValidation("SetAlarmState is not supported for composite alarm %s in the emulator", name)
	}
	s.transition(a, st, s.clock.Now())
	return nil
}

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
	s.cw.order, s.cw.index = nil, nil
	change := "Update"
	if !exists {
		change = "Create"
	}
	s.recordConfiguration(a, now, change)
	if composite != nil {
		// A composite is evaluated when created or updated, then whenever
		// one of its children changes state.
		s.evaluateComposite(a, now)
	}
	return nil
}

// checkNoCycle rejects a composite rule that would, through other
// composites, refer back to the alarm itself.
func (s *Server) checkNoCycle(name string, def *compositeAlarmDef) error {
	seen := map[string]bool{}
	var reaches func(string) bool
	reaches = func(n string) bool {
		if n == name {
			return true
		}
		if seen[n] {
			return false
		}
		seen[n] = true
		if c := s.cw.alarms[n]; c != nil && c.composite != nil {
			for _, r := range c.composite.refs {
				if reaches(r) {
					return true
				}
			}
		}
		return false
	}
	for _, r := range def.refs {
		if reaches(r) {
			return errValidation("AlarmRule of %q would create a circular dependency through %q", name, r)
		}
	}
	return nil
}

// transition moves an alarm to a new state at the instant at, and
// re-evaluates the composites whose rule names it, stamped with the same
// instant.
func (s *Server) transition(a *alarm, st alarmState, at time.Time) {
	old := alarmState{value: a.state, reason: a.stateReason, reasonData: a.reasonData}
	a.state, a.stateReason, a.reasonData, a.stateUpdated = st.value, st.reason, st.reasonData, at
	s.recordStateUpdate(a, old, at)
	s.invokeActions(a, old.value, at)
	s.suppressorChanged(a, old.value, at)
	for _, c := range s.compositeIndex().parents[a.name] {
		s.evaluateComposite(c, at)
	}
}

// compositeAlarms indexes composites by the alarms they depend on; it is
// rebuilt after an alarm is put or deleted.
type compositeAlarms struct {
	composites []*alarm            // by name
	parents    map[string][]*alarm // child → composites naming it, by name
	suppresses map[string][]*alarm // suppressor → composites it suppresses, by name
}

func (s *Server) compositeIndex() *compositeAlarms {
	if s.cw.index == nil {
		ix := &compositeAlarms{parents: map[string][]*alarm{}, suppresses: map[string][]*alarm{}}
		for _, name := range sortedKeys(s.cw.alarms) {
			c := s.cw.alarms[name]
			if c.composite == nil {
				continue
			}
			ix.composites = append(ix.composites, c)
			if sup := c.composite.suppressor; sup != "" {
				ix.suppresses[sup] = append(ix.suppresses[sup], c)
			}
			for _, r := range c.composite.refs {
				ix.parents[r] = append(ix.parents[r], c)
			}
		}
		s.cw.index = ix
	}
	return s.cw.index
}

// evaluateComposite applies a composite's rule to its children's states:
// ALARM when the rule is true, INSUFFICIENT_DATA when it is false and no
// child has left INSUFFICIENT_DATA, OK otherwise.
func (s *Server) evaluateComposite(c *alarm, at time.Time) {
	stateOf := func(n string) string {
		if a, ok := s.cw.alarms[n]; ok {
			return a.state
		}
		return stateInsufficient
	}
	next := stateOK
	if c.composite.rule.eval(stateOf) {
		next = stateAlarm
	} else {
		unknown := true
		for _, r := range c.composite.refs {
			unknown = unknown && stateOf(r) == stateInsufficient
		}
		if unknown {
			next = stateInsufficient
		}
	}
	if next != c.state {
		s.transition(c, alarmState{value: next, reason: "arbitrary alarm rule evaluation"}, at)
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
	var affected []*alarm
	for _, n := range names {
		affected = append(affected, s.compositeIndex().parents[n]...)
	}
	for _, n := range names {
		s.recordConfiguration(s.cw.alarms[n], now, "Delete")
		delete(s.cw.tags, s.cw.alarms[n].arn)
		delete(s.cw.alarms, n)
	}
	s.cw.order, s.cw.index = nil, nil
	for _, c := range affected {
		if s.cw.alarms[c.name] == c {
			s.evaluateComposite(c, now)
		}
	}
	return nil
}

// setAlarmState is SetAlarmState (API reference): the alarm takes the state
// at once, with history and, when the state differs, actions. A metric alarm
// returns to its actual state at its next evaluation; a composite keeps the
// state until one of its children changes state or its configuration is
// updated.
func (s *Server) setAlarmState(name string, st alarmState) error {
	a, ok := s.cw.alarms[name]
	if !ok {
		return cwNotFound("Alarm %s does not exist", name)
	}
	if st.value == a.state {
		a.stateReason, a.reasonData = st.reason, st.reasonData
		return nil
	}
	s.transition(a, st, s.clock.Now())
	return nil
}

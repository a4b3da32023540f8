package awsemu

import (
	"slices"
	"strings"
	"time"
)

// putAlarm creates or updates a metric alarm (metric set) or a composite
// alarm (composite set). A new alarm starts in INSUFFICIENT_DATA; an updated
// one keeps its state until it is next evaluated.
func (s *Server) putAlarm(name string, config Doc, tags []Doc, metric *metricAlarmDef, composite *compositeAlarmDef) error {
	kind := metricAlarmKind
	if composite != nil {
		kind = compositeAlarmKind
	}
	a, exists := s.rs.cw.alarms[name]
	if exists && a.kind != kind {
		other := "a composite alarm"
		if a.kind == metricAlarmKind {
			other = "a metric alarm"
		}
		return errValidation("An alarm named %q already exists and is %s", name, other)
	}
	now := s.clock.Now()
	if exists {
		s.rs.cw.index.remove(a)
	} else {
		a = &alarm{kind: kind, name: name, arn: s.arn("cloudwatch", "alarm:"+name),
			state: stateInsufficient, stateReason: "Unchecked: Initial alarm creation", stateUpdated: now}
		s.rs.cw.alarms[name] = a
		s.setTags(a.arn, tags)
	}
	a.config, a.metric, a.composite, a.configUpdated = config, metric, composite, now
	s.rs.cw.index.add(a)
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
		if c := s.rs.cw.alarms[n]; c != nil && c.composite != nil {
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
	for _, c := range s.rs.cw.index.parents[a.name] {
		s.evaluateComposite(c, at)
	}
}

// alarmIndex keeps the orders and references the simulation walks, in
// alarm name order so that transitions at one instant happen in a fixed
// order. It is updated as alarms are put and deleted.
type alarmIndex struct {
	metrics    []*alarm            // metric alarms
	highRes    int                 // metric alarms with a period under a minute
	composites []*alarm            // composite alarms
	parents    map[string][]*alarm // child → composites naming it in their rule
	suppresses map[string][]*alarm // suppressor → composites it suppresses
}

func newAlarmIndex() *alarmIndex {
	return &alarmIndex{parents: map[string][]*alarm{}, suppresses: map[string][]*alarm{}}
}

func (ix *alarmIndex) add(a *alarm) {
	if a.metric != nil {
		ix.metrics = insertByName(ix.metrics, a)
		if a.metric.period < 60 {
			ix.highRes++
		}
		return
	}
	ix.composites = insertByName(ix.composites, a)
	for _, r := range a.composite.refs {
		ix.parents[r] = insertByName(ix.parents[r], a)
	}
	if sup := a.composite.suppressor; sup != "" {
		ix.suppresses[sup] = insertByName(ix.suppresses[sup], a)
	}
}

func (ix *alarmIndex) remove(a *alarm) {
	if a.metric != nil {
		ix.metrics = removeByName(ix.metrics, a.name)
		if a.metric.period < 60 {
			ix.highRes--
		}
		return
	}
	ix.composites = removeByName(ix.composites, a.name)
	for _, r := range a.composite.refs {
		ix.parents[r] = removeByName(ix.parents[r], a.name)
	}
	if sup := a.composite.suppressor; sup != "" {
		ix.suppresses[sup] = removeByName(ix.suppresses[sup], a.name)
	}
}

// byName merges metric and composite alarms into one list in name order.
func (ix *alarmIndex) byName() []*alarm {
	out := make([]*alarm, 0, len(ix.metrics)+len(ix.composites))
	m, c := ix.metrics, ix.composites
	for len(m) > 0 && len(c) > 0 {
		if m[0].name < c[0].name {
			out, m = append(out, m[0]), m[1:]
		} else {
			out, c = append(out, c[0]), c[1:]
		}
	}
	return append(append(out, m...), c...)
}

func insertByName(list []*alarm, a *alarm) []*alarm {
	i, found := slices.BinarySearchFunc(list, a.name, func(x *alarm, name string) int { return strings.Compare(x.name, name) })
	if found {
		list[i] = a
		return list
	}
	return slices.Insert(list, i, a)
}

func removeByName(list []*alarm, name string) []*alarm {
	i, found := slices.BinarySearchFunc(list, name, func(x *alarm, name string) int { return strings.Compare(x.name, name) })
	if !found {
		return list
	}
	return slices.Delete(list, i, i+1)
}

// evaluateComposite applies a composite's rule (the AlarmRule language of
// PutCompositeAlarm, API reference: ALARM/OK/INSUFFICIENT_DATA(name), TRUE,
// FALSE, AND, OR, NOT) to its children's states: ALARM when the rule is true,
// OK otherwise. Simplified: the docs do not say when a composite lacks data;
// the emulator keeps it in INSUFFICIENT_DATA while every child is.
func (s *Server) evaluateComposite(c *alarm, at time.Time) {
	stateOf := func(n string) string {
		if a, ok := s.rs.cw.alarms[n]; ok {
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
		if _, ok := s.rs.cw.alarms[n]; !ok {
			return cwNotFound("Alarm %s does not exist; no alarms were deleted", n)
		}
	}
	now := s.clock.Now()
	var affected []*alarm
	for _, n := range names {
		affected = append(affected, s.rs.cw.index.parents[n]...)
	}
	for _, n := range names {
		a := s.rs.cw.alarms[n]
		if a == nil {
			continue // named twice
		}
		s.recordConfiguration(a, now, "Delete")
		s.rs.cw.index.remove(a)
		delete(s.rs.cw.tags, a.arn)
		delete(s.rs.cw.alarms, n)
	}
	for _, c := range affected {
		if s.rs.cw.alarms[c.name] == c {
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
	return s.setAlarmStateAt(name, st, s.clock.Now())
}

// setAlarmStateAt is setAlarmState stamped with instant t, for scheduled
// faults stepped by the simulation.
func (s *Server) setAlarmStateAt(name string, st alarmState, t time.Time) error {
	a, ok := s.rs.cw.alarms[name]
	if !ok {
		return cwNotFound("Alarm %s does not exist", name)
	}
	if st.value == a.state {
		a.stateReason, a.reasonData = st.reason, st.reasonData
		return nil
	}
	s.transition(a, st, t)
	return nil
}

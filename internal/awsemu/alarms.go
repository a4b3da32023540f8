package awsemu

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
	s.evaluateComposites()
	return nil
}

// evaluateComposites recomputes every composite from its children until
// nothing changes (composites may reference composites).
func (s *Server) evaluateComposites() {
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
				a.state, a.stateReason, a.stateUpdated = next, "arbitrary alarm rule evaluation", s.clock.Now()
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

package awsemu

import (
	"fmt"
	"sort"
	"time"
)

// ActionRecord is one alarm action: an ARN from AlarmActions, OKActions or
// InsufficientDataActions that an alarm's transition invoked, or, for a
// composite alarm, held back by its actions suppressor.
type ActionRecord struct {
	At       time.Time
	Alarm    string // alarm name
	ARN      string // action ARN, e.g. an SNS topic
	OldState string
	NewState string
	Reason   string // the alarm's state reason
	// SuppressedBy is set on suppressed actions only: Alarm, WaitPeriod or
	// ExtensionPeriod, as ActionsSuppressedBy reports it.
	SuppressedBy string
}

// ActionsInvoked lists the actions alarms invoked, in the order they ran.
// Suppressed composite actions are not among them.
func (s *Server) ActionsInvoked() []ActionRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	return append([]ActionRecord(nil), s.rs.cw.invoked...)
}

// ActionsSuppressed lists the composite alarm actions an actions suppressor
// held back, for debugging a test.
func (s *Server) ActionsSuppressed() []ActionRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	return append([]ActionRecord(nil), s.rs.cw.suppressed...)
}

// ActionsLog lists the actions alarms invoked and those an actions
// suppressor held back (SuppressedBy set), in time order.
func (s *Server) ActionsLog() []ActionRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	out := append(append([]ActionRecord(nil), s.rs.cw.invoked...), s.rs.cw.suppressed...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// suppression is a composite alarm's action suppression, following
// "Suppressing composite alarm actions" (Create_Composite_Alarm_Suppression.html):
// while the suppressor alarm is in ALARM the composite takes no actions; when
// the composite goes to ALARM and the suppressor is not in ALARM, its actions
// wait up to WaitPeriod for the suppressor; after the suppressor leaves ALARM
// they stay suppressed for ExtensionPeriod. Actions held back are taken when
// the period ends if the composite is still in ALARM.
// Simplified: only the ALARM actions of the latest transition are held for
// later; actions of other transitions during suppression are dropped.
type suppression struct {
	waitUntil   time.Time // end of the WaitPeriod started by the last transition to ALARM
	extendUntil time.Time // end of the ExtensionPeriod after the suppressor left ALARM
	pending     *pendingActions
}

type pendingActions struct {
	old, new, reason string
	arns             []string
}

// suppressedBy reports why a composite's actions are suppressed at t, or "".
func (s *Server) suppressedBy(c *alarm, t time.Time) string {
	if c.composite == nil || c.composite.suppressor == "" {
		return ""
	}
	if sup := s.rs.cw.alarms[c.composite.suppressor]; sup != nil && sup.state == stateAlarm {
		return "Alarm"
	}
	if t.Before(c.supp.extendUntil) {
		return "ExtensionPeriod"
	}
	if t.Before(c.supp.waitUntil) {
		return "WaitPeriod"
	}
	return ""
}

func (s *Server) suppressedReason(c *alarm, by string) string {
	def := c.composite
	switch by {
	case "Alarm":
		return fmt.Sprintf("Alarm actions are suppressed because the suppressor alarm %s is in ALARM state.", def.suppressor)
	case "WaitPeriod":
		return fmt.Sprintf("Alarm actions are suppressed for up to %d seconds (ActionsSuppressorWaitPeriod) while waiting for the suppressor alarm %s to go into ALARM state.",
			int(def.wait/time.Second), def.suppressor)
	case "ExtensionPeriod":
		return fmt.Sprintf("Alarm actions are suppressed for %d seconds (ActionsSuppressorExtensionPeriod) after the suppressor alarm %s left ALARM state.",
			int(def.extension/time.Second), def.suppressor)
	}
	return ""
}

// invokeActions runs the actions of a's transition from old to a's current
// state at the instant at: AlarmActions, OKActions or InsufficientDataActions,
// which run when the alarm enters that state from any other (PutMetricAlarm
// and PutCompositeAlarm, API reference), none when ActionsEnabled is false
// (it defaults to true). Simplified: an action is
// recorded and always succeeds; nothing is delivered.
func (s *Server) invokeActions(a *alarm, old string, at time.Time) {
	acts := a.actions()
	if !acts.enabled {
		return
	}
	arns := acts.forState(a.state)
	if a.composite != nil && a.composite.suppressor != "" {
		by := s.suppressedBy(a, at)
		if by == "" && a.state == stateAlarm && a.composite.wait > 0 {
			a.supp.waitUntil = at.Add(a.composite.wait)
			by = "WaitPeriod"
		}
		a.supp.pending = nil
		if by != "" {
			for _, arn := range arns {
				s.rs.cw.suppressed = append(s.rs.cw.suppressed, ActionRecord{At: at, Alarm: a.name, ARN: arn,
					OldState: old, NewState: a.state, Reason: a.stateReason, SuppressedBy: by})
			}
			if a.state == stateAlarm && len(arns) > 0 {
				a.supp.pending = &pendingActions{old: old, new: a.state, reason: a.stateReason, arns: arns}
			}
			return
		}
	}
	s.perform(a, old, a.state, a.stateReason, arns, at)
}

func (s *Server) perform(a *alarm, old, new, reason string, arns []string, at time.Time) {
	for _, arn := range arns {
		s.rs.cw.invoked = append(s.rs.cw.invoked, ActionRecord{At: at, Alarm: a.name, ARN: arn, OldState: old, NewState: new, Reason: reason})
		s.recordAction(a, arn, at)
	}
}

// suppressorChanged starts the ExtensionPeriod of the composites sup
// suppresses when it leaves ALARM.
func (s *Server) suppressorChanged(sup *alarm, old string, at time.Time) {
	if old != stateAlarm || sup.state == stateAlarm {
		return
	}
	for _, c := range s.rs.cw.index.suppresses[sup.name] {
		c.supp.extendUntil = at.Add(c.composite.extension)
		s.release(c, at)
	}
}

// release takes a composite's held-back actions if nothing suppresses them
// any more at t.
func (s *Server) release(c *alarm, t time.Time) {
	p := c.supp.pending
	if p == nil || s.suppressedBy(c, t) != "" {
		return
	}
	c.supp.pending = nil
	if c.state == stateAlarm {
		s.perform(c, p.old, p.new, p.reason, p.arns, t)
	}
}

// nextRelease is when the next held-back composite action falls due: the end
// of its wait or extension period, unless its suppressor is in ALARM.
func (s *Server) nextRelease(after time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	for _, c := range s.rs.cw.index.composites {
		if c.supp.pending == nil || s.suppressedBy(c, after) == "Alarm" {
			continue
		}
		due := maxTime(c.supp.waitUntil, c.supp.extendUntil)
		if due.After(after) && (!found || due.Before(best)) {
			best, found = due, true
		}
	}
	return best, found
}

func (s *Server) releaseDue(t time.Time) {
	for _, c := range s.rs.cw.index.composites {
		s.release(c, t)
	}
}

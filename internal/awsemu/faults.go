package awsemu

import (
	"fmt"
	"sort"
	"time"
)

// Faults that happen at a chosen moment are events of the simulation core,
// stepped in time order with instance lifecycles and alarm evaluation, so a
// test that jumps the clock sees them at their instant.

type scheduledFault struct {
	at    time.Time
	seq   int // keeps faults due at the same instant in the order scheduled
	apply func(s *Server, t time.Time)
}

type faultState struct {
	pending []scheduledFault
	seq     int
	// unhealthyImages fail the application health checks of every instance
	// launched from them, as a broken AMI would.
	unhealthyImages map[string]bool
}

// schedule runs apply at instant at, in the region the helpers act on now.
func (s *Server) schedule(at time.Time, apply func(*Server, time.Time)) {
	s.sched.seq++
	r := s.def
	inRegion := func(s *Server, t time.Time) { s.rs = r; apply(s, t) }
	s.sched.pending = append(s.sched.pending, scheduledFault{at: at.UTC(), seq: s.sched.seq, apply: inRegion})
	sort.SliceStable(s.sched.pending, func(i, j int) bool {
		a, b := s.sched.pending[i], s.sched.pending[j]
		return a.at.Before(b.at) || a.at.Equal(b.at) && a.seq < b.seq
	})
}

func (s *Server) nextFault(after time.Time) (time.Time, bool) {
	for _, f := range s.sched.pending {
		if f.at.After(after) {
			return f.at, true
		}
	}
	return time.Time{}, false
}

func (s *Server) stepFaults(t time.Time) {
	var left []scheduledFault
	var due []scheduledFault
	for _, f := range s.sched.pending {
		if f.at.After(t) {
			left = append(left, f)
		} else {
			due = append(due, f)
		}
	}
	s.sched.pending = left
	for _, f := range due {
		f.apply(s, t)
		// Groups react at the fault's instant (launch for a new desired).
		s.stepFleets(t)
	}
	s.rs = s.def
}

// ScheduleAlarmState puts an alarm in state at instant at, as a real
// breach would (SetAlarmState semantics: a metric alarm returns to its
// evaluated state at its next evaluation).
func (s *Server) ScheduleAlarmState(at time.Time, alarm, state, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.schedule(at, func(s *Server, t time.Time) {
		_ = s.setAlarmStateAt(alarm, alarmState{value: state, reason: reason}, t)
	})
}

// ScheduleDesiredCapacity changes a group's desired capacity at instant at,
// as a scaling policy would: clamped to the group's min and max at that
// moment (a policy never leaves them).
func (s *Server) ScheduleDesiredCapacity(at time.Time, group string, desired int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.schedule(at, func(s *Server, t time.Time) {
		g := s.rs.asg.groups[group]
		if g == nil {
			return
		}
		d := min(max(desired, g.min), g.max)
		if d != g.desired {
			g.desired = d
			g.record(t, fmt.Sprintf("a scaling policy changed the desired capacity to %d", d), "At "+isoSecond(t)+" a monitor alarm triggered policy scale (emulated)").finish(t, "Successful", "")
		}
	})
}

// SetImageHealth makes every instance launched from image fail (or pass)
// its application health checks, from now on and for later launches: a
// broken golden AMI. An image the region does not know is ignored.
func (s *Server) SetImageHealth(image string, healthy bool) { _ = s.ChangeImageHealth(image, healthy) }

// ChangeImageHealth is SetImageHealth reporting an image the region the
// helpers act on does not know.
func (s *Server) ChangeImageHealth(image string, healthy bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	if _, ok := s.rs.ec2.images[image]; !ok {
		return fmt.Errorf("image %s does not exist in %s", image, s.rs.name)
	}
	if s.sched.unhealthyImages == nil {
		s.sched.unhealthyImages = map[string]bool{}
	}
	if healthy {
		delete(s.sched.unhealthyImages, image)
	} else {
		s.sched.unhealthyImages[image] = true
	}
	now := s.clock.Now()
	for _, in := range s.rs.ec2.instances {
		if in.imageID == image && in.appHealthy != healthy {
			in.appHealthy, in.appHealthChanged = healthy, now
		}
	}
	return nil
}

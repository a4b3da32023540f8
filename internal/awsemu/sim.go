package awsemu

import (
	"context"
	"errors"
	"time"
)

// The emulator is a small discrete-event simulation. Every simulated process
// (instance lifecycles, metric alarm evaluation, composite alarm action
// timers) is an event source that reports when it next has something to do;
// advance pops the earliest due instant, steps every source due then, and
// repeats up to the clock's now. A test that jumps the clock by an hour
// therefore sees the same transitions, stamped with the same instants, as one
// that polls every second.

// simSource is one simulated process with timed transitions.
type simSource struct {
	// next is the earliest instant strictly after `after` at which the
	// source has something to do.
	next func(after time.Time) (time.Time, bool)
	// step applies what is due at t.
	step func(t time.Time)
}

type simState struct {
	last time.Time // instant the simulation has reached
}

// sources lists the event sources in the order they step when due at the
// same instant: scheduled faults first, then live traffic, then per region
// (in name order) its fleets, composite action timers and alarm evaluation,
// each stepped with that region selected.
func (s *Server) sources() []simSource {
	srcs := []simSource{{next: s.nextFault, step: s.stepFaults}, {next: s.nextTraffic, step: s.stepTraffic}}
	for _, r := range s.sortedRegions() {
		in := func(f func(time.Time) (time.Time, bool)) func(time.Time) (time.Time, bool) {
			return func(t time.Time) (time.Time, bool) { s.rs = r; return f(t) }
		}
		do := func(f func(time.Time)) func(time.Time) { return func(t time.Time) { s.rs = r; f(t) } }
		srcs = append(srcs,
			simSource{next: in(s.nextFleetEvent), step: do(s.stepFleets)},
			simSource{next: in(s.nextRelease), step: do(s.releaseDue)},
			simSource{next: in(s.nextAlarmEvaluation), step: do(s.evaluateMetricAlarms)},
		)
	}
	return srcs
}

// advance runs the simulation up to the clock's now. Callers hold s.mu; every
// request and every exported inspection helper calls it first.
func (s *Server) advance() {
	now := s.clock.Now()
	last := s.sim.last
	if now.Before(last) {
		last = now
	}
	srcs := s.sources()
	due := make([]time.Time, len(srcs))
	ok := make([]bool, len(srcs))
	for {
		var t time.Time
		found := false
		for i, src := range srcs {
			due[i], ok[i] = src.next(last)
			if ok[i] && !due[i].After(now) && (!found || due[i].Before(t)) {
				t, found = due[i], true
			}
		}
		if !found {
			break
		}
		for i, src := range srcs {
			if ok[i] && due[i].Equal(t) {
				src.step(t)
			}
		}
		last = t
	}
	// Fleets also settle at the current instant, so a handler that changed
	// desired capacity sees the launches it caused at once.
	for _, r := range s.sortedRegions() {
		s.rs = r
		s.stepFleets(now)
	}
	s.rs = s.def
	s.sim.last = now
}

// Sync runs the simulation up to the clock's now, for tests that advance a
// ManualClock and then read state through the Go API rather than a request.
func (s *Server) Sync() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
}

// Advance moves the emulator's ManualClock forward by d and runs the
// simulation up to the new instant.
func (s *Server) Advance(d time.Duration) error {
	mc, ok := s.clock.(*ManualClock)
	if !ok {
		return errors.New("awsemu: Advance needs a ManualClock")
	}
	mc.Advance(d)
	s.Sync()
	return nil
}

// SimClock is a clock for code that waits, such as a rollout driver: its
// Sleep advances the emulator's ManualClock and runs the simulation instead
// of sleeping. After, when set, runs after every wait.
type SimClock struct {
	Server *Server
	After  func()
}

// Now is the emulator's now.
func (c SimClock) Now() time.Time { return c.Server.Clock().Now() }

// Sleep advances the emulator by d.
func (c SimClock) Sleep(_ context.Context, d time.Duration) error {
	err := c.Server.Advance(d)
	if c.After != nil {
		c.After()
	}
	return err
}

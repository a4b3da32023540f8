package awsemu

import (
	"sync"
	"time"
)

// Clock is the emulator's notion of now. Fleet warm-up, alarm evaluation and
// metric timestamps all read it, so tests advance time instead of sleeping.
type Clock interface {
	Now() time.Time
}

// ManualClock only moves when told to.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock starts at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t.UTC()} }

// Now returns the current instant.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set jumps to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}

// WallClock follows real time, optionally sped up, for the standalone server
// and the demo where a rollout should take seconds rather than minutes.
type WallClock struct {
	start time.Time
	speed float64
}

// NewWallClock returns a clock that runs speed× faster than real time.
func NewWallClock(speed float64) *WallClock {
	if speed <= 0 {
		speed = 1
	}
	return &WallClock{start: time.Now().UTC(), speed: speed}
}

// Now returns the scaled current instant.
func (c *WallClock) Now() time.Time {
	elapsed := time.Since(c.start)
	return c.start.Add(time.Duration(float64(elapsed) * c.speed))
}

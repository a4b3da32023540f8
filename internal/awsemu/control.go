package awsemu

import (
	"net/http"
	"time"
)

// The control endpoint lets a process other than the test's, such as a
// provider started by a real Terraform CLI, run on the emulator's clock:
// GET /_awsemu/clock returns now, POST /_awsemu/clock?advance=10s moves a
// ManualClock forward and steps the simulation. It takes no credentials:
// the emulator listens on loopback for tests and demos only.
const ControlPath = "/_awsemu/clock"

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		d, err := time.ParseDuration(r.URL.Query().Get("advance"))
		if err != nil || d < 0 {
			http.Error(w, "advance must be a duration such as 10s", http.StatusBadRequest)
			return
		}
		if err := s.Advance(d); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		if h := s.onAdvance.Load(); h != nil {
			(*h)()
		}
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(s.Clock().Now().UTC().Format(time.RFC3339Nano)))
}

// SetOnAdvance runs fn after every clock advance through the control
// endpoint, outside the state mutex (nil stops it): a test watching a
// process that runs on the emulator's clock can act at a chosen step.
func (s *Server) SetOnAdvance(fn func()) {
	if fn == nil {
		s.onAdvance.Store(nil)
		return
	}
	s.onAdvance.Store(&fn)
}

// GroupTags returns an Auto Scaling group's tags in the region the helpers
// act on, for tests that watch a rollout's record.
func (s *Server) GroupTags(group string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	out := map[string]string{}
	if g := s.rs.asg.groups[group]; g != nil {
		for _, t := range g.tags {
			out[t.key] = t.value
		}
	}
	return out
}

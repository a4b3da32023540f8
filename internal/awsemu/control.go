package awsemu

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The control endpoint lets a process other than the test's, such as a
// provider started by a real Terraform CLI or a demo script, run on the
// emulator's clock and steer its simulation. Its routes live under
// /_awsemu/ and take no credentials: the emulator listens on loopback for
// tests and demos only. Each handler decodes the query, calls one domain
// method and writes plain text; bad input is a 400 with the reason.
const (
	controlPrefix = "/_awsemu/"

	// ControlPath is the clock: GET returns now (RFC 3339); POST
	// ?advance=10s moves a ManualClock forward and steps the simulation.
	ControlPath = controlPrefix + "clock"
	// TrafficPath is the live traffic (StartTraffic): GET returns its
	// settings; POST ?error_rate=R (0 ≤ R ≤ 1) and/or ?per_minute=N changes
	// them from now on.
	TrafficPath = controlPrefix + "traffic"
	// ImageHealthPath is POST ?image=ami-…&healthy=false|true:
	// SetImageHealth, an AMI whose instances fail (or pass) health checks.
	ImageHealthPath = controlPrefix + "image-health"
	// ActionsPath is GET: the alarm actions invoked or suppressed so far,
	// one per line, "TIME invoked|suppressed ALARM ARN", in time order.
	ActionsPath = controlPrefix + "actions"
)

// ControlHelp describes the control routes, for a command's -help.
const ControlHelp = `Control endpoint (no credentials; plain text replies; 400 on bad input):
  GET  /_awsemu/clock                      now, RFC 3339
  POST /_awsemu/clock?advance=D            move the manual clock forward by D (e.g. 90s, 1h) and run the simulation
  GET  /_awsemu/traffic                    live traffic settings (404 when no -traffic)
  POST /_awsemu/traffic?error_rate=R       change the error share (0..1) from now on; also or instead per_minute=N
  POST /_awsemu/image-health?image=ami-...&healthy=false|true
                                           make instances of an image fail (or pass) health checks
  GET  /_awsemu/actions                    alarm actions so far: TIME invoked|suppressed ALARM ARN, one per line
`

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	type route struct {
		methods string
		serve   func(*Server, http.ResponseWriter, *http.Request)
	}
	routes := map[string]route{
		ControlPath:     {"GET POST", (*Server).serveClock},
		TrafficPath:     {"GET POST", (*Server).serveTraffic},
		ImageHealthPath: {"POST", (*Server).serveImageHealth},
		ActionsPath:     {"GET", (*Server).serveActions},
	}
	rt, ok := routes[r.URL.Path]
	if !ok {
		http.Error(w, "no such control route\n"+ControlHelp, http.StatusNotFound)
		return
	}
	if !slices.Contains(strings.Fields(rt.methods), r.Method) {
		w.Header().Set("Allow", strings.ReplaceAll(rt.methods, " ", ", "))
		http.Error(w, r.URL.Path+" takes "+strings.ReplaceAll(rt.methods, " ", " or "), http.StatusMethodNotAllowed)
		return
	}
	rt.serve(s, w, r)
}

func writeText(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(text))
}

func (s *Server) serveClock(w http.ResponseWriter, r *http.Request) {
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
	writeText(w, s.Clock().Now().UTC().Format(time.RFC3339Nano))
}

func (s *Server) serveTraffic(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		t, ok := s.Traffic()
		if !ok {
			http.Error(w, ErrNoTraffic.Error(), http.StatusNotFound)
			return
		}
		writeText(w, t.String()+"\n")
		return
	}
	q := r.URL.Query()
	var perMinute, errorRate *float64
	for _, p := range []struct {
		name string
		dst  **float64
	}{{"per_minute", &perMinute}, {"error_rate", &errorRate}} {
		if !q.Has(p.name) {
			continue
		}
		v, err := strconv.ParseFloat(q.Get(p.name), 64)
		if err != nil {
			http.Error(w, fmt.Sprintf("%s must be a number, not %q", p.name, q.Get(p.name)), http.StatusBadRequest)
			return
		}
		*p.dst = &v
	}
	if perMinute == nil && errorRate == nil {
		http.Error(w, "give error_rate=R (0..1) and/or per_minute=N", http.StatusBadRequest)
		return
	}
	t, err := s.SetTraffic(perMinute, errorRate)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrNoTraffic) {
			status = http.StatusConflict
		}
		http.Error(w, err.Error(), status)
		return
	}
	writeText(w, t.String()+"\n")
}

func (s *Server) serveImageHealth(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	image := q.Get("image")
	if image == "" {
		http.Error(w, "give image=ami-... and healthy=true|false", http.StatusBadRequest)
		return
	}
	healthy, err := strconv.ParseBool(q.Get("healthy"))
	if err != nil {
		http.Error(w, fmt.Sprintf("healthy must be true or false, not %q", q.Get("healthy")), http.StatusBadRequest)
		return
	}
	if err := s.ChangeImageHealth(image, healthy); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeText(w, fmt.Sprintf("image=%s healthy=%t\n", image, healthy))
}

func (s *Server) serveActions(w http.ResponseWriter, _ *http.Request) {
	var b strings.Builder
	for _, a := range s.ActionsLog() {
		kind := "invoked"
		if a.SuppressedBy != "" {
			kind = "suppressed"
		}
		fmt.Fprintf(&b, "%s %s %s %s\n", a.At.UTC().Format(time.RFC3339), kind, a.Alarm, a.ARN)
	}
	writeText(w, b.String())
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

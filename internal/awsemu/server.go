// Package awsemu is an in-process AWS emulator that speaks the wire protocols
// the provider's aws-sdk-go-v2 clients send (AWS Query, EC2 Query, Smithy RPC v2
// CBOR), so tests exercise the real SDK serializers, signers and error paths.
package awsemu

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Default account and credentials the emulator accepts out of the box.
const (
	DefaultAccountID = "123456789012"
	DefaultAccessKey = "AKIDEMULATOR"
	DefaultSecretKey = "emulator-secret"
	DefaultRegion    = "us-east-1"
)

// Options configure a Server.
type Options struct {
	// Clock drives every time-based behaviour. Nil means a ManualClock
	// starting at a fixed instant, so tests never sleep.
	Clock Clock
	// Region the emulator reports in ARNs.
	Region string
	// AccountID reported by STS and used in ARNs.
	AccountID string
	// Logf, when set, receives one line per request.
	Logf func(format string, args ...any)
}

// Server holds all emulated state behind one mutex: handlers are short and
// the emulator's job is correctness, not throughput.
type Server struct {
	mu        sync.Mutex
	clock     Clock
	region    string
	accountID string
	logf      func(string, ...any)

	creds   map[string]credential // access key → secret
	caller  string                // access key of the request being served
	calls   map[string]int        // "service:Operation" → count
	faults  []*Fault
	sched   faultState
	nextID  uint64
	httpSrv *http.Server
	ln      net.Listener

	sim     simState
	traffic *liveTraffic // StartTraffic
	sts     stsState
	// Every regional service keeps its state per region, chosen by the
	// region a request is signed for; rs is the region being served or
	// stepped, and def the region the exported helpers act on.
	regions map[string]*regionState
	rs, def *regionState

	onAdvance atomic.Pointer[func()] // SetOnAdvance
}

type credential struct {
	secret    string
	sessionOf string // role ARN for temporary credentials
	expires   time.Time
}

// New returns an emulator with empty state.
func New(opts Options) *Server {
	s := &Server{
		clock:     opts.Clock,
		region:    opts.Region,
		accountID: opts.AccountID,
		logf:      opts.Logf,
		creds:     map[string]credential{DefaultAccessKey: {secret: DefaultSecretKey}},
		calls:     map[string]int{},
	}
	if s.clock == nil {
		s.clock = NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if s.accountID == "" {
		s.accountID = DefaultAccountID
	}
	s.sim.last = s.clock.Now()
	s.regions = map[string]*regionState{}
	s.def = s.regionNamed(s.region)
	s.rs = s.def
	return s
}

// Clock returns the emulator's clock.
func (s *Server) Clock() Clock { return s.clock }

// AddCredentials lets a test accept another access key.
func (s *Server) AddCredentials(accessKey, secretKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds[accessKey] = credential{secret: secretKey}
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves until Close.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen %s: %w", addr, err)
	}
	s.ln = ln
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.httpSrv.Serve(ln) }()
	return s.URL(), nil
}

// URL is the base endpoint for every emulated service.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close stops the listener.
func (s *Server) Close() error {
	if s.httpSrv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.httpSrv.Shutdown(ctx)
}

// Calls reports how many requests reached service:operation ("monitoring",
// "GetMetricData"). An empty operation counts every call to the service.
func (s *Server) Calls(service, operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if operation != "" {
		return s.calls[service+":"+operation]
	}
	n := 0
	for k, v := range s.calls {
		if strings.HasPrefix(k, service+":") {
			n += v
		}
	}
	return n
}

// ResetCalls zeroes the request counters.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}

// Fault makes matching requests fail, for error-path tests.
type Fault struct {
	Service   string // SigV4 service name, e.g. "autoscaling"
	Operation string // empty matches every operation of the service
	Err       *APIError
	Remaining int // how many more requests fail; <0 means forever
}

// InjectFault registers a fault and returns it so the test can inspect Remaining.
func (s *Server) InjectFault(f Fault) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	fp := &f
	s.faults = append(s.faults, fp)
	return fp
}

func (s *Server) takeFault(service, op string) *APIError {
	for _, f := range s.faults {
		if f.Service != service || (f.Operation != "" && f.Operation != op) || f.Remaining == 0 {
			continue
		}
		if f.Remaining > 0 {
			f.Remaining--
		}
		return f.Err
	}
	return nil
}

func (s *Server) newID(prefix string) string {
	s.nextID++
	return fmt.Sprintf("%s-%017x", prefix, 0x5e0000+s.nextID)
}

func (s *Server) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, s.rs.name, s.accountID, resource)
}

// ServeHTTP authenticates the request, finds the service from the SigV4
// credential scope and dispatches to that service's protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.serveControl(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	service, accessKey, region, authErr := s.authenticate(r, body)
	proto := protocolFor(service, r)
	if authErr != nil {
		proto.writeError(w, "", authErr)
		return
	}
	op, in, err := proto.decode(r, body)
	if err != nil {
		proto.writeError(w, op, err)
		return
	}

	out, err := s.serve(service, op, accessKey, region, in)
	if err != nil {
		proto.writeError(w, op, err)
		return
	}
	proto.writeResult(w, op, out)
}

// serve runs one decoded request under the state mutex. A handler that
// panics fails its request with InternalFailure instead of leaving the
// mutex locked for every later request.
func (s *Server) serve(service, op, accessKey, region string, in any) (out any, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.rs = s.def }()
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, &APIError{Code: "InternalFailure", Message: fmt.Sprintf("emulator bug in %s %s: %v", service, op, p), Status: http.StatusInternalServerError}
		}
	}()
	s.caller = accessKey
	s.calls[service+":"+op]++
	if s.logf != nil {
		s.logf("awsemu: %s %s", service, op)
	}
	if fault := s.takeFault(service, op); fault != nil {
		return nil, fault
	}
	s.advance()
	if region != "" && service != "sts" {
		s.rs = s.regionNamed(region)
	}
	return s.dispatch(service, op, in)
}

func (s *Server) dispatch(service, op string, in any) (any, error) {
	var table map[string]func(*Server, any) (any, error)
	switch service {
	case "sts":
		table = stsOps
	case "monitoring":
		table = cloudWatchOps
	case "ec2":
		table = ec2Ops
	case "autoscaling":
		table = autoScalingOps
	case "elasticloadbalancing":
		table = elbOps
	}
	h, ok := table[op]
	if !ok {
		return nil, &APIError{Code: "InvalidAction", Message: fmt.Sprintf("the emulator does not implement %s %s", service, op), Status: http.StatusBadRequest}
	}
	return h(s, in)
}

// errorsAs is errors.As for *APIError, tolerating plain errors.
func asAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return &APIError{Code: "InternalFailure", Message: err.Error(), Status: http.StatusInternalServerError}
}

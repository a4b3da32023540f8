package awsemu

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Live traffic is a simulated service in front of the fleets: for every
// minute of emulated time it publishes one Requests and one Errors datapoint
// (each a single value, the minute's sum) with the dimension Service, into
// the metric store of the region it was started in. It is an event source of
// the simulation core, stepped before alarm evaluation at the same instant,
// so an alarm evaluated on a minute boundary sees the minute that just ended,
// and a clock jump of an hour publishes sixty datapoints that the alarms see
// minute by minute.
//
// A minute's datapoint is stamped with the minute's start (the minute its
// counts describe) and published when that minute has ended, as an
// application flushing per-minute counters does. Changing the rate or the
// error share takes effect from that instant on: a minute during which the
// settings changed gets the time-weighted share of each.

// TrafficSettings describe the live traffic.
type TrafficSettings struct {
	Namespace string  // CloudWatch namespace, e.g. Quickstart
	Service   string  // value of the Service dimension, e.g. checkout
	PerMinute float64 // requests per minute
	ErrorRate float64 // share of requests that fail, in [0, 1]
}

func (t TrafficSettings) String() string {
	return fmt.Sprintf("namespace=%s service=%s per_minute=%g error_rate=%g", t.Namespace, t.Service, t.PerMinute, t.ErrorRate)
}

// ErrNoTraffic is SetTraffic's error when no live traffic runs.
var ErrNoTraffic = errors.New("no live traffic runs (start awsemu with -traffic NAMESPACE/SERVICE)")

type trafficSegment struct {
	from                 time.Time
	perMinute, errorRate float64
}

type liveTraffic struct {
	region             *regionState
	namespace, service string
	// segments are the settings in time order, each in effect from its
	// start to the next one's; the last is in effect now.
	segments []trafficSegment
	done     time.Time // end of the last minute published
}

func validateTraffic(perMinute, errorRate float64) error {
	if math.IsNaN(perMinute) || math.IsInf(perMinute, 0) || perMinute < 0 {
		return fmt.Errorf("per_minute must be a non-negative number, not %g", perMinute)
	}
	if math.IsNaN(errorRate) || errorRate < 0 || errorRate > 1 {
		return fmt.Errorf("error_rate must be between 0 and 1, not %g", errorRate)
	}
	return nil
}

// StartTraffic starts live traffic for service in namespace, in the region
// the helpers act on. Traffic begins at since (at most now): the minutes
// from since up to now are published at once, later ones as the clock
// moves. The emulator runs one live traffic source.
func (s *Server) StartTraffic(namespace, service string, perMinute, errorRate float64, since time.Time) error {
	if namespace == "" || service == "" {
		return errors.New("traffic needs a namespace and a service")
	}
	if strings.HasPrefix(namespace, "AWS/") {
		return fmt.Errorf("namespace %s: the AWS/ prefix is reserved for AWS services", namespace)
	}
	if err := validateTraffic(perMinute, errorRate); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	if s.traffic != nil {
		return fmt.Errorf("live traffic already runs for %s/%s", s.traffic.namespace, s.traffic.service)
	}
	now := s.clock.Now()
	if since.After(now) {
		since = now
	}
	s.traffic = &liveTraffic{
		region: s.def, namespace: namespace, service: service,
		segments: []trafficSegment{{from: since.UTC(), perMinute: perMinute, errorRate: errorRate}},
		done:     since.UTC().Truncate(time.Minute),
	}
	s.stepTraffic(now)
	return nil
}

// SetTraffic changes the live traffic from now on; a nil argument keeps
// that setting. It returns the settings in effect.
func (s *Server) SetTraffic(perMinute, errorRate *float64) (TrafficSettings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	tr := s.traffic
	if tr == nil {
		return TrafficSettings{}, ErrNoTraffic
	}
	cur := tr.segments[len(tr.segments)-1]
	next := trafficSegment{from: s.clock.Now().UTC(), perMinute: cur.perMinute, errorRate: cur.errorRate}
	if perMinute != nil {
		next.perMinute = *perMinute
	}
	if errorRate != nil {
		next.errorRate = *errorRate
	}
	if err := validateTraffic(next.perMinute, next.errorRate); err != nil {
		return TrafficSettings{}, err
	}
	if cur.from.Equal(next.from) {
		tr.segments[len(tr.segments)-1] = next
	} else {
		tr.segments = append(tr.segments, next)
	}
	return tr.settings(), nil
}

// Traffic returns the live traffic's settings in effect now, if it runs.
func (s *Server) Traffic() (TrafficSettings, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.traffic == nil {
		return TrafficSettings{}, false
	}
	return s.traffic.settings(), true
}

func (tr *liveTraffic) settings() TrafficSettings {
	cur := tr.segments[len(tr.segments)-1]
	return TrafficSettings{Namespace: tr.namespace, Service: tr.service, PerMinute: cur.perMinute, ErrorRate: cur.errorRate}
}

// nextTraffic is the next minute boundary after `after`.
func (s *Server) nextTraffic(after time.Time) (time.Time, bool) {
	if s.traffic == nil {
		return time.Time{}, false
	}
	return after.Truncate(time.Minute).Add(time.Minute), true
}

// stepTraffic publishes every minute that has ended by t.
func (s *Server) stepTraffic(t time.Time) {
	tr := s.traffic
	if tr == nil {
		return
	}
	s.rs = tr.region
	defer func() { s.rs = s.def }()
	dims := map[string]string{"Service": tr.service}
	for !tr.done.Add(time.Minute).After(t) {
		start := tr.done
		requests, errs := tr.sums(start, start.Add(time.Minute))
		for _, m := range []struct {
			name  string
			value float64
		}{{"Requests", requests}, {"Errors", errs}} {
			s.storeSample(metricKey(tr.namespace, m.name, dims),
				&metricSeries{namespace: tr.namespace, name: m.name, dims: dims},
				metricSample{ts: start, count: 1, sum: m.value, min: m.value, max: m.value, values: []float64{m.value}, counts: []float64{1}})
		}
		tr.done = start.Add(time.Minute)
		for len(tr.segments) > 1 && !tr.segments[1].from.After(tr.done) {
			tr.segments = tr.segments[1:]
		}
	}
}

// sums are the requests and errors of [start, end), each segment counting
// for the share of the interval it was in effect.
func (tr *liveTraffic) sums(start, end time.Time) (requests, errs float64) {
	for i, seg := range tr.segments {
		from, to := maxTime(seg.from, start), end
		if i+1 < len(tr.segments) && tr.segments[i+1].from.Before(to) {
			to = tr.segments[i+1].from
		}
		if !to.After(from) {
			continue
		}
		share := to.Sub(from).Minutes()
		requests += seg.perMinute * share
		errs += seg.perMinute * seg.errorRate * share
	}
	return requests, errs
}

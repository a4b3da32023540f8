package rollout

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// simASG is an in-memory Auto Scaling group with its target groups and
// alarms, run as a discrete-event simulation on its own clock. It follows
// the documented behaviour the rollout depends on:
//   - launches take time and go to the zone with the fewest instances
//     ("Amazon EC2 Auto Scaling attempts to distribute instances evenly");
//   - an instance keeps the launch template version it was launched from;
//   - targets register when the instance is InService and turn healthy (or
//     unhealthy) after threshold × interval; with ELB health checks the
//     group marks an unhealthy instance Unhealthy after the grace period and
//     replaces it (ReplaceUnhealthy);
//   - scale-in picks the zone with the most instances that has an
//     unprotected one, then instances not on the current launch template
//     version, then the oldest (the Default termination policy, without the
//     billing-hour step);
//   - terminating instances drain for the deregistration delay first;
//   - TerminateInstanceInAutoScalingGroup with decrement, desired outside
//     [min, max] a ValidationError, suspended processes (Launch, Terminate,
//     AZRebalance, ReplaceUnhealthy, AddToLoadBalancer), scale-in protection;
//   - AZRebalance, unless suspended, launches into the emptiest zone when
//     zones differ by two or more, then terminates one in the fullest.
//
// Two choices where the documentation is silent: terminating an instance
// that is already terminating succeeds without a second decrement, and
// targeted termination of a scale-in protected instance is refused (the
// stricter reading).
type simASG struct {
	cfg    simConfig
	now    time.Time
	events eventQueue
	seq    int

	desired, min, max  int
	templateID         string
	version            string
	latestVersion      int
	suspended          map[string]bool
	newProtected       bool
	tags               map[string]string
	instances          []*simInstance
	nextID             int
	alarms             map[string]AlarmState
	badVersions        map[string]bool
	launchBlockedUntil time.Time
	rebalancing        *simInstance

	faults simFaults
	stats  simStats
	trace  func(format string, args ...any)
	// afterApply sees every command that took effect; reject, when set,
	// can refuse a command before it does.
	afterApply func(Command)
	reject     func(Command) error
}

type simConfig struct {
	AZs                []string
	Launch             time.Duration
	Grace              time.Duration
	HealthInterval     time.Duration
	HealthyThreshold   int
	UnhealthyThreshold int
	DeregDelay         time.Duration
	Shutdown           time.Duration
	LaunchRetry        time.Duration
	TargetGroups       int
}

func defaultSimConfig() simConfig {
	return simConfig{
		AZs:            []string{"eu-west-1a", "eu-west-1b"},
		Launch:         45 * time.Second,
		Grace:          90 * time.Second,
		HealthInterval: 10 * time.Second, HealthyThreshold: 3, UnhealthyThreshold: 2,
		DeregDelay:   60 * time.Second,
		Shutdown:     20 * time.Second,
		LaunchRetry:  10 * time.Second,
		TargetGroups: 2,
	}
}

type simInstance struct {
	id, az, version string
	lifecycle       Lifecycle
	healthy         bool
	protected       bool
	launchedAt      time.Time
	// targets holds, per target group index, the registration.
	targets map[int]*simTarget
	cause   string // why it is terminating
	// rebalance marks an instance AZRebalance launched.
	rebalance bool
}

type simTarget struct {
	state      TargetState
	drainUntil time.Time
}

// simFaults are injected failures; API faults apply to the next calls.
type simFaults struct {
	throttle       int // next calls fail with a throttling error, not executed
	serverErrors   int // next calls fail with a 5xx, half of them after executing
	launchFailures int // next launches fail
}

// simStats is what the invariant checker and the benchmark read.
type simStats struct {
	observations, commands, errors int
	policyDown, policyUp           int
	policies                       []simPolicy
	// servingScaledIn counts serving instances the group's own scale-in
	// terminated.
	servingScaledIn int
	// terminated counts terminations of instances by cause and whether the
	// instance was on the given version.
	terminations []simTermination
}

type simPolicy struct {
	at    time.Time
	delta int // as applied, after clamping to [min, max]
}

type simTermination struct {
	id, version, cause string
	launchedAt, at     time.Time
	// phase is the rollout's phase at the time, from the group's tags.
	phase Phase
}

var errThrottled = errors.New("Throttling: Rate exceeded")

type eventQueue []simEvent

type simEvent struct {
	at  time.Time
	seq int
	fn  func()
}

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func simInstanceID(n int) string { return fmt.Sprintf("i-%017x", 0xa000+n) }

var simEpoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// newSimASG builds a steady group of n instances on version 1 of the
// launch template, launched an hour ago, healthy and registered.
func newSimASG(cfg simConfig, n, minSize, maxSize int) *simASG {
	s := &simASG{
		cfg: cfg, now: simEpoch,
		desired: n, min: minSize, max: maxSize,
		templateID: "lt-0a1b2c3d4e5f60718", version: "1", latestVersion: 3,
		suspended: map[string]bool{}, tags: map[string]string{"Name": "web", "team": "payments"},
		alarms: map[string]AlarmState{}, badVersions: map[string]bool{},
	}
	for range n {
		in := s.newInstance(simEpoch.Add(-time.Hour))
		in.lifecycle, in.healthy = InService, true
		for tg := range cfg.TargetGroups {
			in.targets[tg] = &simTarget{state: TargetHealthy}
		}
	}
	return s
}

func (s *simASG) at(t time.Time, fn func()) {
	s.seq++
	heap.Push(&s.events, simEvent{at: t, seq: s.seq, fn: fn})
}

// advance runs every event due up to t, in time order.
func (s *simASG) advance(t time.Time) {
	for len(s.events) > 0 && !s.events[0].at.After(t) {
		e := heap.Pop(&s.events).(simEvent)
		s.now = later(s.now, e.at)
		e.fn()
		s.reconcile()
	}
	s.now = later(s.now, t)
}

func (s *simASG) counts() map[string]int {
	n := map[string]int{}
	for _, in := range s.instances {
		if in.lifecycle.counted() {
			n[in.az]++
		}
	}
	return n
}

func (s *simASG) counted() []*simInstance {
	var out []*simInstance
	for _, in := range s.instances {
		if in.lifecycle.counted() {
			out = append(out, in)
		}
	}
	return out
}

func (s *simASG) newInstance(at time.Time) *simInstance {
	n := s.counts()
	az := s.cfg.AZs[0]
	for _, z := range s.cfg.AZs {
		if n[z] < n[az] {
			az = z
		}
	}
	s.nextID++
	in := &simInstance{
		id: simInstanceID(s.nextID), az: az, version: s.version,
		lifecycle: Pending, healthy: true, protected: s.newProtected,
		launchedAt: at, targets: map[int]*simTarget{},
	}
	s.instances = append(s.instances, in)
	return in
}

// reconcile is the group's own control loop: launch to desired, scale in
// above it, rebalance zones.
func (s *simASG) reconcile() {
	for {
		live := s.counted()
		switch {
		case len(live) < s.desired && !s.suspended["Launch"]:
			if s.now.Before(s.launchBlockedUntil) {
				return
			}
			if s.faults.launchFailures > 0 {
				s.faults.launchFailures--
				s.launchBlockedUntil = s.now.Add(s.cfg.LaunchRetry)
				s.at(s.launchBlockedUntil, func() {})
				return
			}
			s.launch()
		case len(live) > s.desired+s.rebalanceExtra() && !s.suspended["Terminate"]:
			victim := s.scaleInVictim(live)
			if victim == nil {
				return // everything left is protected
			}
			s.terminate(victim, "scale-in")
		case len(live) == s.desired && s.rebalancing == nil && !s.suspended["AZRebalance"] && !s.suspended["Launch"] && !s.suspended["Terminate"]:
			if !s.unbalanced(live) {
				return
			}
			s.rebalance()
		default:
			return
		}
	}
}

func (s *simASG) launch() {
	in := s.newInstance(s.now)
	if s.trace != nil {
		s.trace("t+%s launch %s (version %s, %s)", s.now.Sub(simEpoch), in.id, in.version, in.az)
	}
	s.at(s.now.Add(s.cfg.Launch), func() {
		if in.lifecycle != Pending {
			return
		}
		in.lifecycle = InService
		if s.suspended["AddToLoadBalancer"] {
			return
		}
		for tg := range s.cfg.TargetGroups {
			s.register(in, tg)
		}
	})
}

func (s *simASG) register(in *simInstance, tg int) {
	t := &simTarget{state: TargetInitial}
	in.targets[tg] = t
	bad := s.badVersions[in.version]
	after := time.Duration(s.cfg.HealthyThreshold) * s.cfg.HealthInterval
	if bad {
		after = time.Duration(s.cfg.UnhealthyThreshold) * s.cfg.HealthInterval
	}
	s.at(s.now.Add(after), func() {
		if in.targets[tg] != t || t.state != TargetInitial {
			return
		}
		if !bad {
			t.state = TargetHealthy
			return
		}
		t.state = TargetUnhealthy
		s.at(later(s.now, in.launchedAt.Add(s.cfg.Grace)), func() { s.elbHealthCheck(in) })
	})
}

// elbHealthCheck is the group's ELB health check after the grace period.
func (s *simASG) elbHealthCheck(in *simInstance) {
	if in.lifecycle != InService || !in.healthy {
		return
	}
	for _, t := range in.targets {
		if t.state == TargetUnhealthy {
			in.healthy = false
			if !s.suspended["ReplaceUnhealthy"] {
				s.terminate(in, "health")
			}
			return
		}
	}
}

// serving reports whether an instance takes traffic.
func (s *simASG) serving(in *simInstance) bool {
	if in.lifecycle != InService || !in.healthy {
		return false
	}
	for tg := range s.cfg.TargetGroups {
		if t := in.targets[tg]; t == nil || t.state != TargetHealthy {
			return false
		}
	}
	return true
}

func (s *simASG) scaleInVictim(live []*simInstance) *simInstance {
	n := s.counts()
	var best *simInstance
	for _, in := range live {
		if in.protected {
			continue
		}
		if best == nil || s.scaleInBefore(in, best, n) {
			best = in
		}
	}
	return best
}

func (s *simASG) scaleInBefore(a, b *simInstance, n map[string]int) bool {
	if n[a.az] != n[b.az] {
		return n[a.az] > n[b.az]
	}
	if ac, bc := a.version == s.version, b.version == s.version; ac != bc {
		return bc
	}
	if !a.launchedAt.Equal(b.launchedAt) {
		return a.launchedAt.Before(b.launchedAt)
	}
	return a.id < b.id
}

// unbalanced reports whether zones differ by two or more instances, with
// no launch in progress.
func (s *simASG) unbalanced(live []*simInstance) bool {
	if len(s.cfg.AZs) < 2 {
		return false
	}
	for _, in := range live {
		if in.lifecycle.pending() {
			return false
		}
	}
	n := s.counts()
	lo, hi := len(live), 0
	for _, z := range s.cfg.AZs {
		lo, hi = min(lo, n[z]), max(hi, n[z])
	}
	return hi-lo >= 2
}

// rebalance launches into the emptiest zone first and, once that instance
// is in service, terminates one in the fullest zone ("launches new instances
// before terminating the old ones, so that rebalancing does not compromise
// the performance or availability of your application").
func (s *simASG) rebalance() {
	in := s.newInstance(s.now)
	in.rebalance = true
	s.rebalancing = in
	if s.trace != nil {
		s.trace("t+%s rebalance: launch %s (version %s, %s)", s.now.Sub(simEpoch), in.id, in.version, in.az)
	}
	s.at(s.now.Add(s.cfg.Launch), func() {
		s.rebalancing = nil
		if in.lifecycle != Pending {
			return
		}
		in.lifecycle = InService
		for tg := range s.cfg.TargetGroups {
			s.register(in, tg)
		}
		live := s.counted()
		if len(live) > s.desired && !s.suspended["Terminate"] {
			if v := s.scaleInVictim(live); v != nil {
				s.terminate(v, "rebalance")
			}
		}
	})
}

func (s *simASG) rebalanceExtra() int {
	if s.rebalancing != nil {
		return 1
	}
	return 0
}

// terminate takes an instance out: drain from every target group it is
// registered in, then shut down.
func (s *simASG) terminate(in *simInstance, cause string) {
	if s.trace != nil {
		s.trace("t+%s terminate %s (version %s, %s) by %s", s.now.Sub(simEpoch), in.id, in.version, in.az, cause)
	}
	if cause == "scale-in" && s.serving(in) {
		s.stats.servingScaledIn++
	}
	in.lifecycle, in.cause = Terminating, cause
	phase, _, _ := ParseRecord(s.tags)
	s.stats.terminations = append(s.stats.terminations, simTermination{id: in.id, version: in.version, cause: cause, launchedAt: in.launchedAt, at: s.now, phase: phase.Phase})
	end := s.now
	for tg, t := range in.targets {
		switch t.state {
		case TargetDraining:
			end = later(end, t.drainUntil)
		default:
			end = later(end, s.drain(in, tg))
		}
	}
	s.at(end.Add(s.cfg.Shutdown), func() {
		in.lifecycle = Terminated
		s.instances = slices.DeleteFunc(s.instances, func(x *simInstance) bool { return x == in })
	})
}

func (s *simASG) drain(in *simInstance, tg int) time.Time {
	t := in.targets[tg]
	if t == nil || t.state == TargetDraining {
		if t != nil {
			return t.drainUntil
		}
		return s.now
	}
	t.state, t.drainUntil = TargetDraining, s.now.Add(s.cfg.DeregDelay)
	s.at(t.drainUntil, func() {
		if in.targets[tg] == t {
			delete(in.targets, tg)
		}
	})
	return t.drainUntil
}

// policy is a scaling policy (or a scheduled action) changing desired
// capacity by delta at a moment, clamped to [min, max] as AWS does.
func (s *simASG) policy(at time.Time, delta int) {
	s.at(at, func() {
		to := min(max(s.desired+delta, s.min), s.max)
		if to < s.desired {
			s.stats.policyDown += s.desired - to
		} else {
			s.stats.policyUp += to - s.desired
		}
		s.stats.policies = append(s.stats.policies, simPolicy{at: s.now, delta: to - s.desired})
		s.desired = to
	})
}

func (s *simASG) alarmAt(at time.Time, name string, state AlarmState) {
	s.at(at, func() { s.alarms[name] = state })
}

func (s *simASG) tgARN(i int) string {
	return fmt.Sprintf("arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-%d/%016x", i, 0xfeed+i)
}

// apiFault consumes one injected API fault; after reports whether a 5xx
// happens after the call took effect.
func (s *simASG) apiFault() (err error, after bool) {
	switch {
	case s.faults.throttle > 0:
		s.faults.throttle--
		return Retryable(errThrottled), false
	case s.faults.serverErrors > 0:
		s.faults.serverErrors--
		return Retryable(errors.New("InternalFailure: 500 Internal Server Error")), s.faults.serverErrors%2 == 0
	}
	return nil, false
}

func (s *simASG) Observe(ctx context.Context) (Observation, error) {
	s.stats.observations++
	if err, _ := s.apiFault(); err != nil {
		s.stats.errors++
		return Observation{}, err
	}
	o := Observation{
		Now: s.now, Group: "web", Desired: s.desired, Min: s.min, Max: s.max,
		LaunchTemplateID: s.templateID, LaunchTemplateVersion: s.version,
		NewInstancesProtected: s.newProtected,
		Targets:               map[string]map[string]TargetState{},
		Alarms:                maps.Clone(s.alarms),
		Tags:                  maps.Clone(s.tags),
	}
	for p := range s.suspended {
		o.Suspended = append(o.Suspended, p)
	}
	slices.Sort(o.Suspended)
	for i := range s.cfg.TargetGroups {
		arn := s.tgARN(i)
		o.TargetGroups = append(o.TargetGroups, TargetGroup{ARN: arn, HealthyAfter: time.Duration(s.cfg.HealthyThreshold) * s.cfg.HealthInterval, DeregistrationDelay: s.cfg.DeregDelay})
		o.Targets[arn] = map[string]TargetState{}
	}
	for _, in := range s.instances {
		o.Instances = append(o.Instances, Instance{
			ID: in.id, AZ: in.az, Lifecycle: in.lifecycle, Healthy: in.healthy,
			LaunchTemplateID: s.templateID, Version: in.version, Protected: in.protected, LaunchedAt: in.launchedAt,
		})
		for tg, t := range in.targets {
			o.Targets[s.tgARN(tg)][in.id] = t.state
		}
	}
	return o, nil
}

func validation(format string, args ...any) error {
	return fmt.Errorf("ValidationError: "+format, args...)
}

func (s *simASG) Apply(ctx context.Context, c Command) error {
	s.stats.commands++
	if s.trace != nil {
		s.trace("t+%s apply %s (desired %d, max %d)", s.now.Sub(simEpoch), c, s.desired, s.max)
	}
	err, after := s.apiFault()
	if err != nil && !after {
		s.stats.errors++
		return err
	}
	if s.reject != nil {
		if rerr := s.reject(c); rerr != nil {
			s.stats.errors++
			return rerr
		}
	}
	if aerr := s.apply(c); aerr != nil {
		s.stats.errors++
		return aerr
	}
	s.reconcile()
	if s.afterApply != nil {
		s.afterApply(c)
	}
	if err != nil {
		s.stats.errors++
	}
	return err
}

func (s *simASG) find(id string) *simInstance {
	for _, in := range s.instances {
		if in.id == id && in.lifecycle != Terminated {
			return in
		}
	}
	return nil
}

func (s *simASG) apply(c Command) error {
	switch c := c.(type) {
	case WriteRecord:
		tags := maps.Clone(s.tags)
		maps.Copy(tags, c.Record.Tags())
		if len(tags) > 50 {
			return validation("a group can have at most 50 tags")
		}
		for k, v := range tags {
			if len(v) > MaxTagValue || len(k) > 128 {
				return validation("tag %s is too long", k)
			}
		}
		s.tags = tags
	case ClearRecord:
		maps.DeleteFunc(s.tags, func(k, _ string) bool { return strings.HasPrefix(k, TagPrefix) })
	case SetLaunchTemplateVersion:
		if c.LaunchTemplateID != s.templateID || c.Version < 1 || c.Version > s.latestVersion {
			return validation("launch template %s has no version %d", c.LaunchTemplateID, c.Version)
		}
		s.version = strconv.Itoa(c.Version)
	case SetDesired:
		if c.Desired < s.min || c.Desired > s.max {
			return validation("desired capacity %d must be between min %d and max %d", c.Desired, s.min, s.max)
		}
		s.desired = c.Desired
	case SetMaxSize:
		if c.Max < s.min || c.Max < s.desired {
			return validation("max size %d must be at least min %d and desired %d", c.Max, s.min, s.desired)
		}
		s.max = c.Max
	case SuspendProcesses:
		for _, p := range c.Processes {
			s.suspended[p] = true
		}
	case ResumeProcesses:
		for _, p := range c.Processes {
			delete(s.suspended, p)
		}
	case SetNewInstanceProtection:
		s.newProtected = c.Protected
	case SetInstanceProtection:
		for _, id := range c.InstanceIDs {
			in := s.find(id)
			if in == nil || in.lifecycle.terminating() {
				return validation("instance %s is not in service in the group", id)
			}
			in.protected = c.Protected
		}
	case Deregister:
		for _, id := range c.InstanceIDs {
			if in := s.find(id); in != nil {
				for tg := range in.targets {
					s.drain(in, tg)
				}
			}
		}
	case Terminate:
		in := s.find(c.InstanceID)
		switch {
		case in == nil:
			return validation("instance %s is not part of the group", c.InstanceID)
		case in.lifecycle.terminating():
			return nil
		case in.protected:
			return validation("instance %s is protected from scale in", c.InstanceID)
		case c.Decrement && s.desired-1 < s.min:
			return validation("terminating %s would take desired capacity below min size %d", c.InstanceID, s.min)
		}
		cause := "terminate"
		if c.Decrement {
			s.desired--
			cause = "decrement"
		}
		s.terminate(in, cause)
	default:
		return fmt.Errorf("unknown command %T", c)
	}
	return nil
}

// simClock is the simulated clock: sleeping advances the simulation.
type simClock struct{ s *simASG }

func (c simClock) Now() time.Time { return c.s.now }
func (c simClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.s.advance(c.s.now.Add(d))
	return nil
}

// crashingFleet kills the driver at its nth command, like a SIGKILL of
// Terraform: the call is made (or not) and nothing after it happens.
type crashingFleet struct {
	*simASG
	n, calls  int
	execute   bool
	cancel    context.CancelFunc
	crashedAt string
}

func (f *crashingFleet) crash(what string) bool {
	f.calls++
	if f.n > 0 && f.calls == f.n {
		f.crashedAt = what
		if f.trace != nil {
			f.trace("t+%s crash at call %d: %s (executed: %t)", f.now.Sub(simEpoch), f.calls, what, f.execute)
		}
		f.cancel()
		return true
	}
	return false
}

func (f *crashingFleet) Observe(ctx context.Context) (Observation, error) {
	if err := ctx.Err(); err != nil {
		return Observation{}, err
	}
	return f.simASG.Observe(ctx)
}

func (f *crashingFleet) Apply(ctx context.Context, c Command) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if f.crash(c.String()) {
		if f.execute {
			_ = f.simASG.Apply(context.Background(), c)
		}
		return ctx.Err()
	}
	return f.simASG.Apply(ctx, c)
}

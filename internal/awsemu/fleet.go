package awsemu

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"
)

// FleetTiming are the delays of the instance lifecycle. Target group health
// check timing and deregistration delay come from the target groups.
type FleetTiming struct {
	// InstanceLaunch is how long EC2 keeps a new instance pending; a group's
	// instance turns InService this long plus max(grace period, warm-up)
	// after launch.
	InstanceLaunch time.Duration
	// InstanceShutdown is how long an instance stays shutting-down.
	InstanceShutdown time.Duration
	// LaunchRetry is how long a group waits after a failed launch.
	LaunchRetry time.Duration
	// TerminatedRetention is how long terminated instances stay visible
	// to DescribeInstances.
	TerminatedRetention time.Duration
}

// DefaultFleetTiming is close to what AWS shows for small instances.
func DefaultFleetTiming() FleetTiming {
	return FleetTiming{
		InstanceLaunch:      30 * time.Second,
		InstanceShutdown:    30 * time.Second,
		LaunchRetry:         10 * time.Second,
		TerminatedRetention: time.Hour,
	}
}

// SetFleetTiming replaces the lifecycle delays for instances launched or
// terminated from now on.
func (s *Server) SetFleetTiming(t FleetTiming) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	s.rs.asg.timing = t
}

// nextFleetEvent is the earliest scheduled instance, group or target
// transition strictly after `after`. Transitions are stamped with the instant
// they were due, so an instance that turns InService at t+30s is registered
// with its target groups at t+30s, not at the next request.
func (s *Server) nextFleetEvent(after time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	consider := func(t time.Time) {
		if t.After(after) && (!found || t.Before(best)) {
			best, found = t, true
		}
	}
	tm := s.rs.asg.timing
	for _, in := range s.rs.ec2.instances {
		switch in.state {
		case statePending:
			consider(in.launched.Add(tm.InstanceLaunch))
		case stateShuttingDown:
			consider(in.stateChanged.Add(tm.InstanceShutdown))
		case stateTerminated:
			consider(in.stateChanged.Add(tm.TerminatedRetention))
		}
		g := s.rs.asg.groups[in.group]
		if g == nil {
			continue
		}
		switch in.lifecycle {
		case lcPending:
			consider(in.readyAt)
		case lcTerminating:
			consider(in.drainUntil)
		case lcInService:
			if g.healthCheckType == "ELB" {
				if at, ok := s.elbUnhealthyAt(g, in); ok {
					consider(maxTime(at, in.launched.Add(seconds(g.grace))))
				}
			}
			if g.maxLifetime > 0 {
				consider(in.launched.Add(seconds(g.maxLifetime)))
			}
		}
	}
	for _, g := range s.rs.asg.groups {
		consider(g.retryAt)
	}
	for _, tg := range s.rs.elb.targetGroups {
		for _, tgt := range tg.targets {
			if tgt.draining {
				consider(tgt.drainUntil)
			}
		}
	}
	return best, found
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (s *Server) stepFleets(t time.Time) {
	s.advanceInstances(t)
	s.purgeTargets(t)
	for _, name := range sortedKeys(s.rs.asg.groups) {
		s.reconcileGroup(s.rs.asg.groups[name], t)
	}
	// Zero delays let a fresh launch progress within the same instant.
	s.advanceInstances(t)
}

// advanceInstances applies the timed EC2 and lifecycle transitions due at t,
// each stamped with the instant it was due rather than t.
func (s *Server) advanceInstances(t time.Time) {
	tm := s.rs.asg.timing
	for _, id := range sortedKeys(s.rs.ec2.instances) {
		in := s.rs.ec2.instances[id]
		if at := in.launched.Add(tm.InstanceLaunch); in.state == statePending && !t.Before(at) {
			in.state, in.stateChanged = stateRunning, at
		}
		g := s.rs.asg.groups[in.group]
		if g != nil {
			switch in.lifecycle {
			case lcPending:
				if in.state == stateRunning && !t.Before(in.readyAt) {
					in.lifecycle = lcInService
					if in.act != nil {
						in.act.finish(in.readyAt, "Successful", "")
					}
					if !g.isSuspended("AddToLoadBalancer") {
						for _, arn := range g.targetGroups {
							if tg := s.rs.elb.targetGroups[arn]; tg != nil {
								s.registerTarget(tg, in.id, 0, in.readyAt)
							}
						}
					}
				}
			case lcTerminating:
				if (in.state == statePending || in.state == stateRunning) && !t.Before(in.drainUntil) {
					in.state, in.stateChanged = stateShuttingDown, in.drainUntil
				}
			}
		}
		if at := in.stateChanged.Add(tm.InstanceShutdown); in.state == stateShuttingDown && !t.Before(at) {
			in.state, in.stateChanged = stateTerminated, at
			if g != nil {
				s.leaveGroup(g, in, at)
			}
		}
		if in.state == stateTerminated && !t.Before(in.stateChanged.Add(tm.TerminatedRetention)) {
			s.forgetTargets(in.id)
			delete(s.rs.ec2.instances, id)
		}
	}
}

func (s *Server) leaveGroup(g *asGroup, in *instance, at time.Time) {
	in.lifecycle = lcTerminated
	if in.act != nil && in.act.status == "InProgress" {
		in.act.finish(at, "Successful", "")
	}
	kept := g.instances[:0]
	for _, id := range g.instances {
		if id != in.id {
			kept = append(kept, id)
		}
	}
	g.instances = kept
	s.forgetTargets(in.id)
}

func (a *activity) finish(at time.Time, status, message string) {
	a.status, a.message, a.end = status, message, at
}

// active are the members that count towards capacity: Pending and InService.
func (g *asGroup) active(s *Server) []*instance {
	var out []*instance
	for _, id := range g.instances {
		if in := s.rs.ec2.instances[id]; in.lifecycle == lcPending || in.lifecycle == lcInService {
			out = append(out, in)
		}
	}
	return out
}

func (g *asGroup) activeCount(s *Server) int { return len(g.active(s)) }

// reconcileGroup runs the group's health checks and brings its capacity to
// the desired value, honouring suspended processes.
func (s *Server) reconcileGroup(g *asGroup, t time.Time) {
	if !g.isSuspended("HealthCheck") {
		for _, in := range g.active(s) {
			switch {
			case in.state != statePending && in.state != stateRunning:
				in.asgHealthy = false
			case in.lifecycle == lcInService && g.healthCheckType == "ELB" && !t.Before(in.launched.Add(seconds(g.grace))):
				if at, ok := s.elbUnhealthyAt(g, in); ok && !t.Before(at) {
					in.asgHealthy = false
				}
			}
		}
	}
	if !g.isSuspended("ReplaceUnhealthy") {
		for _, in := range g.active(s) {
			if !in.asgHealthy {
				s.beginTerminate(g, in, t, fmt.Sprintf("At %s an instance was taken out of service in response to a %s health check indicating it has been terminated or stopped.", isoSecond(t), g.healthCheckType))
			}
		}
	}
	if g.maxLifetime > 0 && !g.isSuspended("Terminate") {
		for _, in := range g.active(s) {
			if in.lifecycle == lcInService && !t.Before(in.launched.Add(seconds(g.maxLifetime))) {
				s.beginTerminate(g, in, t, fmt.Sprintf("At %s an instance was taken out of service because it reached its maximum instance lifetime.", isoSecond(t)))
			}
		}
	}
	if g.deleting {
		for _, in := range g.active(s) {
			s.beginTerminate(g, in, t, fmt.Sprintf("At %s the Auto Scaling group was deleted.", isoSecond(t)))
		}
		if len(g.instances) == 0 {
			delete(s.rs.asg.groups, g.name)
		}
		return
	}

	n := g.activeCount(s)
	if n < g.desired && !g.isSuspended("Launch") && !t.Before(g.retryAt) {
		for ; n < g.desired; n++ {
			if !s.launch(g, t, n) {
				break
			}
		}
	}
	if n > g.desired && !g.isSuspended("Terminate") {
		for ; n > g.desired; n-- {
			victim := s.pickVictim(g, t)
			if victim == nil {
				break // everything left is protected from scale in
			}
			s.beginTerminate(g, victim, t, fmt.Sprintf("At %s an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from %d to %d.", isoSecond(t), n, n-1))
		}
	}
}

// launch starts one instance for g, or records a failed activity and backs
// off. n is the current capacity, for the activity's cause.
func (s *Server) launch(g *asGroup, t time.Time, n int) bool {
	cause := fmt.Sprintf("At %s an instance was started in response to a difference between desired and actual capacity, increasing the capacity from %d to %d.", isoSecond(t), n, n+1)
	fail := func(msg string) bool {
		g.record(t, "Launching a new EC2 instance.  Status Reason: "+msg, cause).finish(t, "Failed", msg)
		g.retryAt = t.Add(s.rs.asg.timing.LaunchRetry)
		return false
	}
	lt, ok := s.rs.ec2.templates[g.ltID]
	if !ok {
		return fail(fmt.Sprintf("The specified launch template, with template ID %s, does not exist. Launching EC2 instance failed.", g.ltID))
	}
	ver, err := lt.resolve(g.ltVersion)
	if err != nil {
		return fail(fmt.Sprintf("The specified launch template version %s does not exist for launch template %s. Launching EC2 instance failed.", g.ltVersion, lt.id))
	}
	if _, ok := s.rs.ec2.images[ver.data.imageID]; !ok {
		return fail(fmt.Sprintf("The image id '[%s]' does not exist. Launching EC2 instance failed.", ver.data.imageID))
	}
	zone := s.pickLaunchZone(g)
	if g.failLaunches > 0 {
		g.failLaunches--
		return fail(fmt.Sprintf("We currently do not have sufficient capacity in the Availability Zone you requested (%s). Launching EC2 instance failed.", zone))
	}
	subnet := ""
	for _, sn := range g.subnets {
		if s.rs.ec2.subnets[sn] == zone {
			subnet = sn
			break
		}
	}
	if subnet == "" {
		for _, sn := range sortedKeys(s.rs.ec2.subnets) {
			if s.rs.ec2.subnets[sn] == zone {
				subnet = sn
				break
			}
		}
	}
	instanceType := ver.data.instanceType
	if instanceType == "" {
		instanceType = "t3.micro"
	}
	ready := max(g.grace, g.warmup)
	in := &instance{
		id: s.newID("i"), imageID: ver.data.imageID, instanceType: instanceType, zone: zone, subnet: subnet,
		privateIP: s.nextPrivateIP(), securityGroups: ver.data.securityGroupIDs,
		ltID: lt.id, ltName: lt.name, ltVersion: ver.number,
		launched: t, state: statePending, stateChanged: t,
		group: g.name, lifecycle: lcPending, asgHealthy: true, appHealthy: !s.sched.unhealthyImages[ver.data.imageID], protected: g.protectNew,
		readyAt: t.Add(s.rs.asg.timing.InstanceLaunch + seconds(ready)),
	}
	in.tags = append(in.tags, tagsFor(ver.data.tagSpecs, "instance")...)
	for _, tg := range g.sortedTags() {
		if tg.propagate {
			in.tags = setTag(in.tags, tg.key, tg.value)
		}
	}
	in.tags = setTag(in.tags, "aws:autoscaling:groupName", g.name)
	in.tags = setTag(in.tags, "aws:ec2launchtemplate:id", lt.id)
	in.tags = setTag(in.tags, "aws:ec2launchtemplate:version", strconv.Itoa(ver.number))
	s.rs.ec2.instances[in.id] = in
	g.instances = append(g.instances, in.id)
	in.act = g.record(t, "Launching a new EC2 instance: "+in.id, cause)
	return true
}

// zoneCounts counts active instances per zone of the group.
func (s *Server) zoneCounts(g *asGroup) map[string]int {
	counts := map[string]int{}
	for _, in := range g.active(s) {
		counts[in.zone]++
	}
	return counts
}

// pickLaunchZone keeps the group balanced: the zone with the fewest active
// instances, ties going to the zone listed first.
func (s *Server) pickLaunchZone(g *asGroup) string {
	counts := s.zoneCounts(g)
	best := g.zones[0]
	for _, z := range g.zones[1:] {
		if counts[z] < counts[best] {
			best = z
		}
	}
	return best
}

// ltAge orders instances by how old their launch template is: another
// template than the group's current one first, then lower versions.
func ltAge(g *asGroup, in *instance) int {
	if in.ltID != g.ltID {
		return -1 << 30
	}
	return in.ltVersion
}

// pickVictim chooses the instance scale-in terminates, as AWS documents it:
// the zone with the most instances (that has one not protected from scale
// in) comes first, with the termination policies only choosing within that
// zone. Zone balance therefore beats launch template age.
func (s *Server) pickVictim(g *asGroup, t time.Time) *instance {
	counts := s.zoneCounts(g)
	byZone := map[string][]*instance{}
	for _, in := range g.active(s) {
		if !in.protected {
			byZone[in.zone] = append(byZone[in.zone], in)
		}
	}
	oldest := func(z string) int {
		age := 1 << 30
		for _, in := range byZone[z] {
			age = min(age, ltAge(g, in))
		}
		return age
	}
	zone := ""
	for _, z := range g.zones {
		if len(byZone[z]) == 0 {
			continue
		}
		if zone == "" || counts[z] > counts[zone] || (counts[z] == counts[zone] && oldest(z) < oldest(zone)) {
			zone = z
		}
	}
	// Instances may sit in a zone the group no longer lists; those go first.
	for z, ins := range byZone {
		if !contains(g.zones, z) && len(ins) > 0 {
			zone = z
			break
		}
	}
	if zone == "" {
		return nil
	}
	pool := byZone[zone]
	for _, pol := range append(append([]string(nil), g.policies...), "Default") {
		pool = applyTerminationPolicy(g, pol, pool, t)
		if len(pool) == 1 {
			return pool[0]
		}
	}
	return tieBreak(pool)
}

func applyTerminationPolicy(g *asGroup, policy string, pool []*instance, t time.Time) []*instance {
	keep := func(score func(*instance) int64) []*instance {
		var out []*instance
		var best int64
		for _, in := range pool {
			sc := score(in)
			switch {
			case len(out) == 0 || sc < best:
				out, best = []*instance{in}, sc
			case sc == best:
				out = append(out, in)
			}
		}
		return out
	}
	switch policy {
	case "OldestInstance":
		return keep(func(in *instance) int64 { return in.launched.UnixNano() })
	case "NewestInstance":
		return keep(func(in *instance) int64 { return -in.launched.UnixNano() })
	case "OldestLaunchTemplate", "OldestLaunchConfiguration":
		return keep(func(in *instance) int64 { return int64(ltAge(g, in)) })
	case "ClosestToNextInstanceHour":
		return keep(func(in *instance) int64 {
			up := int64(t.Sub(in.launched) / time.Second)
			return 3600 - up%3600
		})
	case "Default":
		pool = applyTerminationPolicy(g, "OldestLaunchTemplate", pool, t)
		return applyTerminationPolicy(g, "ClosestToNextInstanceHour", pool, t)
	}
	return pool // AllocationStrategy and Lambda policies do not narrow here
}

// tieBreak is AWS's "random" final step, made deterministic by hashing ids.
func tieBreak(pool []*instance) *instance {
	var best *instance
	var bestH uint64
	for _, in := range pool {
		h := fnv.New64a()
		_, _ = h.Write([]byte(in.id))
		if v := h.Sum64(); best == nil || v < bestH {
			best, bestH = in, v
		}
	}
	return best
}

// beginTerminate takes an instance out of service: it is deregistered from
// the group's target groups and shuts down once the longest deregistration
// delay has passed.
func (s *Server) beginTerminate(g *asGroup, in *instance, t time.Time, cause string) *activity {
	if in.lifecycle == lcTerminating || in.lifecycle == lcTerminated {
		return in.act
	}
	in.lifecycle = lcTerminating
	in.drainUntil = t
	for _, arn := range g.targetGroups {
		if tg := s.rs.elb.targetGroups[arn]; tg != nil {
			if until, ok := s.deregisterTarget(tg, in.id, t); ok && until.After(in.drainUntil) {
				in.drainUntil = until
			}
		}
	}
	if in.act != nil && in.act.status == "InProgress" {
		in.act.finish(t, "Cancelled", "Instance was terminated before it entered service.")
	}
	in.act = g.record(t, "Terminating EC2 instance: "+in.id, cause)
	return in.act
}

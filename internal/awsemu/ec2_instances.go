package awsemu

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// EC2 instance states and their API codes.
const (
	statePending      = "pending"
	stateRunning      = "running"
	stateShuttingDown = "shutting-down"
	stateTerminated   = "terminated"
)

var stateCodes = map[string]int{statePending: 0, stateRunning: 16, stateShuttingDown: 32, stateTerminated: 48}

// Auto Scaling lifecycle states.
const (
	lcPending     = "Pending"
	lcInService   = "InService"
	lcTerminating = "Terminating"
	lcTerminated  = "Terminated"
)

// instance is one EC2 instance. The EC2 fields describe the machine; the
// Auto Scaling fields are its membership in a group, kept here so a single
// record carries the whole lifecycle.
type instance struct {
	id, imageID, instanceType, zone, subnet, privateIP string
	securityGroups                                     []string
	ltID, ltName                                       string
	ltVersion                                          int // concrete version launched from
	launched                                           time.Time
	state                                              string
	stateChanged                                       time.Time
	tags                                               []tag

	// Auto Scaling membership; group is empty for standalone instances.
	group      string
	lifecycle  string
	asgHealthy bool
	protected  bool
	readyAt    time.Time // Pending → InService
	drainUntil time.Time // Terminating → shutting-down
	act        *activity // the launch or termination in progress

	// Application health as load balancer health checks see it.
	appHealthy       bool
	appHealthChanged time.Time
}

func (s *Server) nextPrivateIP() string {
	s.rs.ec2.ipSeq++
	n := s.rs.ec2.ipSeq
	return fmt.Sprintf("10.0.%d.%d", n/250, n%250+4)
}

// SetInstanceHealth makes an instance pass or fail its application health
// checks: target groups see it after their threshold × interval, and groups
// with HealthCheckType ELB then replace it.
func (s *Server) SetInstanceHealth(id string, healthy bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	in, ok := s.rs.ec2.instances[id]
	if !ok {
		return fmt.Errorf("no instance %s", id)
	}
	if in.appHealthy != healthy {
		in.appHealthy = healthy
		in.appHealthChanged = s.clock.Now()
	}
	s.advance()
	return nil
}

func (s *Server) instanceXML(in *instance) *X {
	groups := make([]*X, 0, len(in.securityGroups))
	for _, g := range in.securityGroups {
		groups = append(groups, E("item", T("groupId", g), T("groupName", g)))
	}
	x := E("item",
		T("instanceId", in.id),
		T("imageId", in.imageID),
		E("instanceState", Tint("code", stateCodes[in.state]), T("name", in.state)),
		T("privateDnsName", "ip-"+strings.ReplaceAll(in.privateIP, ".", "-")+".ec2.internal"),
		T("dnsName", ""),
		Tint("amiLaunchIndex", 0),
		T("instanceType", in.instanceType),
		Ttime("launchTime", in.launched),
		E("placement", T("availabilityZone", in.zone), T("tenancy", "default")),
		E("monitoring", T("state", "disabled")),
		T("subnetId", in.subnet),
		T("vpcId", s.rs.ec2.vpcID),
		T("privateIpAddress", in.privateIP),
		List("groupSet", "item", groups),
		T("architecture", "x86_64"),
		T("rootDeviceType", "ebs"),
		T("rootDeviceName", "/dev/xvda"),
		T("virtualizationType", "hvm"),
		T("hypervisor", "xen"),
		ec2TagSet(in.tags),
	)
	if in.state == stateShuttingDown || in.state == stateTerminated {
		x.Kids = append(x.Kids,
			T("reason", fmt.Sprintf("User initiated (%s)", in.stateChanged.UTC().Format("2006-01-02 15:04:05 MST"))),
			E("stateReason", T("code", "Client.UserInitiatedShutdown"), T("message", "Client.UserInitiatedShutdown: User initiated shutdown")))
	}
	return x
}

func (s *Server) lookupInstances(ids []string) error {
	for _, id := range ids {
		if !instanceIDRe.MatchString(id) {
			return ec2Err("InvalidInstanceID.Malformed", "Invalid id: %q", id)
		}
	}
	var missing []string
	for _, id := range ids {
		if _, ok := s.rs.ec2.instances[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 1 {
		return ec2Err("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", missing[0])
	} else if len(missing) > 1 {
		return ec2Err("InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(missing, ", "))
	}
	return nil
}

func (s *Server) ec2DescribeInstances(p params) (*X, error) {
	ids := p.list("InstanceId")
	if err := s.lookupInstances(ids); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		ids = sortedKeys(s.rs.ec2.instances)
	}
	filters := ec2Filters(p)
	// Unknown filter names fail even when nothing would be matched.
	if _, err := matchFilters(filters, nil, (&instance{}).field); err != nil {
		return nil, err
	}
	var items []*X
	for _, id := range ids {
		in := s.rs.ec2.instances[id]
		ok, _ := matchFilters(filters, in.tags, in.field)
		if !ok {
			continue
		}
		// ASG launches instances one by one, so each has its own reservation.
		items = append(items, E("item",
			T("reservationId", "r-"+strings.TrimPrefix(in.id, "i-")),
			T("ownerId", s.accountID),
			List("groupSet", "item", nil),
			List("instancesSet", "item", []*X{s.instanceXML(in)}),
		))
	}
	max, err := p.intOr("MaxResults", 0)
	if err != nil {
		return nil, err
	}
	start, end, next, err := page(len(items), p.str("NextToken"), max)
	if err != nil {
		return nil, err
	}
	return E("Result", List("reservationSet", "item", items[start:end]), Topt("nextToken", next)), nil
}

// field maps a DescribeInstances filter name to the instance's values.
func (in *instance) field(name string) ([]string, bool) {
	switch name {
	case "instance-state-name":
		return []string{in.state}, true
	case "instance-id":
		return []string{in.id}, true
	case "image-id":
		return []string{in.imageID}, true
	case "availability-zone":
		return []string{in.zone}, true
	case "instance-type":
		return []string{in.instanceType}, true
	case "subnet-id":
		return []string{in.subnet}, true
	case "private-ip-address":
		return []string{in.privateIP}, true
	}
	return nil, false
}

func (s *Server) ec2TerminateInstances(p params) (*X, error) {
	ids := p.list("InstanceId")
	if len(ids) == 0 {
		return nil, errMissing("InstanceId")
	}
	if err := s.lookupInstances(ids); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var items []*X
	for _, id := range ids {
		in := s.rs.ec2.instances[id]
		prev := in.state
		if in.state == statePending || in.state == stateRunning {
			// The group notices through its EC2 health check and replaces it.
			in.state, in.stateChanged = stateShuttingDown, now
		}
		items = append(items, E("item",
			T("instanceId", id),
			E("previousState", Tint("code", stateCodes[prev]), T("name", prev)),
			E("currentState", Tint("code", stateCodes[in.state]), T("name", in.state)),
		))
	}
	s.advance()
	return E("Result", List("instancesSet", "item", items)), nil
}

func (s *Server) ec2DescribeAvailabilityZones(p params) (*X, error) {
	names := p.list("ZoneName")
	for _, n := range names {
		if !contains(s.rs.ec2.zones, n) {
			return nil, ec2Err("InvalidParameterValue", "The zone '%s' does not exist.", n)
		}
	}
	zones := append([]string(nil), s.rs.ec2.zones...)
	sort.Strings(zones)
	filters := ec2Filters(p)
	var items []*X
	for i, z := range zones {
		if len(names) > 0 && !contains(names, z) {
			continue
		}
		zoneID := fmt.Sprintf("%s-az%d", regionShort(s.rs.name), i+1)
		ok, err := matchFilters(filters, nil, func(name string) ([]string, bool) {
			switch name {
			case "zone-name":
				return []string{z}, true
			case "zone-id":
				return []string{zoneID}, true
			case "state":
				return []string{"available"}, true
			case "region-name":
				return []string{s.rs.name}, true
			}
			return nil, false
		})
		if err != nil {
			return nil, err
		}
		if ok {
			items = append(items, E("item",
				T("zoneName", z), T("zoneId", zoneID), T("zoneState", "available"),
				T("regionName", s.rs.name), T("zoneType", "availability-zone"),
				T("optInStatus", "opt-in-not-required"), T("groupName", s.rs.name),
				T("networkBorderGroup", s.rs.name)))
		}
	}
	return E("Result", List("availabilityZoneInfo", "item", items)), nil
}

// regionShort abbreviates a region the way zone ids do: us-east-1 → use1.
func regionShort(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return region
	}
	return parts[0] + parts[1][:1] + parts[2]
}

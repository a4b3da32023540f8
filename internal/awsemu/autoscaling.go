package awsemu

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

type autoScalingState struct {
	groups map[string]*asGroup
	timing FleetTiming
}

// asGroup is an Auto Scaling group. The launch template version is kept as
// the caller wrote it ("$Latest", "$Default", "3") and resolved at each
// launch, as AWS does.
type asGroup struct {
	name, arn       string
	created         time.Time
	ltID, ltVersion string
	min, max        int
	desired         int
	zones           []string
	subnets         []string
	healthCheckType string
	grace           int
	warmup          int // -1 when unset
	cooldown        int
	targetGroups    []string
	tags            []asTag
	policies        []string
	maxLifetime     int
	protectNew      bool
	capRebalance    bool
	suspended       map[string]string // process → reason
	instances       []string          // ids in launch order
	deleting        bool

	failLaunches int       // test hook: next launches that fail
	retryAt      time.Time // no launch attempt before this, after a failure
	activities   []*activity
}

type asTag struct {
	key, value string
	propagate  bool
}

type activity struct {
	id, description, cause, status, message string
	start, end                              time.Time
}

var scalingProcesses = []string{"Launch", "Terminate", "AddToLoadBalancer", "AlarmNotification", "AZRebalance",
	"HealthCheck", "InstanceRefresh", "ReplaceUnhealthy", "ScheduledActions"}

var terminationPolicyNames = map[string]bool{"Default": true, "OldestInstance": true, "NewestInstance": true,
	"OldestLaunchConfiguration": true, "OldestLaunchTemplate": true, "ClosestToNextInstanceHour": true, "AllocationStrategy": true}

var autoScalingOps = map[string]func(*Server, any) (any, error){
	"CreateAutoScalingGroup":              queryOp((*Server).asCreateGroup),
	"UpdateAutoScalingGroup":              queryOp((*Server).asUpdateGroup),
	"DescribeAutoScalingGroups":           queryOp((*Server).asDescribeGroups),
	"DeleteAutoScalingGroup":              queryOp((*Server).asDeleteGroup),
	"SetDesiredCapacity":                  queryOp((*Server).asSetDesiredCapacity),
	"DescribeAutoScalingInstances":        queryOp((*Server).asDescribeInstances),
	"TerminateInstanceInAutoScalingGroup": queryOp((*Server).asTerminateInstance),
	"SetInstanceProtection":               queryOp((*Server).asSetInstanceProtection),
	"SetInstanceHealth":                   queryOp((*Server).asSetInstanceHealth),
	"SuspendProcesses":                    queryOp((*Server).asSuspendProcesses),
	"ResumeProcesses":                     queryOp((*Server).asResumeProcesses),
	"CreateOrUpdateTags":                  queryOp((*Server).asCreateOrUpdateTags),
	"DeleteTags":                          queryOp((*Server).asDeleteTags),
	"DescribeTags":                        queryOp((*Server).asDescribeTags),
	"AttachLoadBalancerTargetGroups":      queryOp((*Server).asAttachTargetGroups),
	"DetachLoadBalancerTargetGroups":      queryOp((*Server).asDetachTargetGroups),
	"DescribeLoadBalancerTargetGroups":    queryOp((*Server).asDescribeTargetGroups),
	"DescribeScalingActivities":           queryOp((*Server).asDescribeActivities),
}

func (s *Server) initAutoScaling() {
	s.rs.asg = autoScalingState{groups: map[string]*asGroup{}, timing: DefaultFleetTiming()}
}

func errGroupNotFound(name string) *APIError {
	return errValidation("AutoScalingGroup name not found - AutoScalingGroup %s not found", name)
}

func (s *Server) group(p params) (*asGroup, error) {
	name, err := p.require("AutoScalingGroupName")
	if err != nil {
		return nil, err
	}
	g, ok := s.rs.asg.groups[name]
	if !ok {
		return nil, errGroupNotFound(name)
	}
	return g, nil
}

func (g *asGroup) isSuspended(process string) bool {
	_, ok := g.suspended[process]
	return ok
}

// FailLaunches makes the group's next n launch attempts fail, as an
// exhausted capacity pool or a broken AMI would.
func (s *Server) FailLaunches(groupName string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	if g, ok := s.rs.asg.groups[groupName]; ok {
		g.failLaunches = n
	}
}

// --- create / update ---

func requiredInt(p params, key, member string) (int, error) {
	if !p.has(key) {
		return 0, errValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
	return p.intOr(key, 0)
}

// applyGroupSpec reads the settings Create and Update share. Sizes are
// handled by the callers because their defaulting rules differ.
func (s *Server) applyGroupSpec(g *asGroup, p params, creating bool) error {
	if p.has("LaunchTemplate") {
		lt := p.sub("LaunchTemplate")
		id, name := lt.str("LaunchTemplateId"), lt.str("LaunchTemplateName")
		if (id == "") == (name == "") {
			return errValidation("Valid requests must contain either launchTemplateId or launchTemplateName")
		}
		tmpl, err := s.findTemplate(id, name)
		if err != nil {
			if id != "" {
				return errValidation("You must use a valid fully-formed launch template. The specified launch template, with template ID %s, does not exist.", id)
			}
			return errValidation("You must use a valid fully-formed launch template. The specified launch template, with template name %s, does not exist.", name)
		}
		version := lt.str("Version")
		if version == "" {
			version = "$Default"
		}
		if _, err := tmpl.resolve(version); err != nil {
			return errValidation("You must use a valid fully-formed launch template. The specified launch template version %s does not exist.", version)
		}
		g.ltID, g.ltVersion = tmpl.id, version
	} else if creating {
		if p.has("LaunchConfigurationName") || p.has("MixedInstancesPolicy") || p.has("InstanceId") {
			return errValidation("The emulator only supports launch templates")
		}
		return errValidation("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.")
	}

	if p.has("VPCZoneIdentifier") && p.str("VPCZoneIdentifier") != "" {
		var subnets, zones []string
		for _, sn := range strings.Split(p.str("VPCZoneIdentifier"), ",") {
			sn = strings.TrimSpace(sn)
			zone, ok := s.rs.ec2.subnets[sn]
			if !ok {
				return errValidation("The subnet ID '%s' does not exist", sn)
			}
			subnets = append(subnets, sn)
			if !contains(zones, zone) {
				zones = append(zones, zone)
			}
		}
		g.subnets, g.zones = subnets, zones
	} else if zs := p.list("AvailabilityZones.member"); len(zs) > 0 {
		for _, z := range zs {
			if !contains(s.rs.ec2.zones, z) {
				return errValidation("The availability zone '%s' is not valid", z)
			}
		}
		g.zones, g.subnets = zs, nil
	}
	if creating && len(g.zones) == 0 {
		return errValidation("At least one Availability Zone or VPC Subnet is required.")
	}

	if p.has("HealthCheckType") {
		switch ht := p.str("HealthCheckType"); ht {
		case "EC2", "ELB", "VPC_LATTICE", "EBS":
			g.healthCheckType = ht
		default:
			return errValidation("Health check type '%s' is not valid. Valid types are EC2, ELB, VPC_LATTICE and EBS", ht)
		}
	}
	var err error
	if g.grace, err = p.intOr("HealthCheckGracePeriod", g.grace); err != nil {
		return err
	}
	if g.warmup, err = p.intOr("DefaultInstanceWarmup", g.warmup); err != nil {
		return err
	}
	if g.warmup < 0 {
		g.warmup = -1 // -1 clears the setting
	}
	if g.cooldown, err = p.intOr("DefaultCooldown", g.cooldown); err != nil {
		return err
	}
	if g.maxLifetime, err = p.intOr("MaxInstanceLifetime", g.maxLifetime); err != nil {
		return err
	}
	if g.maxLifetime != 0 && (g.maxLifetime < 86400 || g.maxLifetime > 31536000) {
		return errValidation("MaxInstanceLifetime must be 0 or between 86400 and 31536000 seconds")
	}
	if p.has("TerminationPolicies") {
		pols := p.list("TerminationPolicies.member")
		for _, pol := range pols {
			if !terminationPolicyNames[pol] && !strings.HasPrefix(pol, "arn:aws:lambda:") {
				return errValidation("Termination policy '%s' is not valid", pol)
			}
		}
		if len(pols) == 0 {
			pols = []string{"Default"}
		}
		g.policies = pols
	}
	g.protectNew = p.boolOr("NewInstancesProtectedFromScaleIn", g.protectNew)
	g.capRebalance = p.boolOr("CapacityRebalance", g.capRebalance)
	return nil
}

func (s *Server) asCreateGroup(p params) (*X, error) {
	name, err := p.require("AutoScalingGroupName")
	if err != nil {
		return nil, err
	}
	if len(name) > 255 {
		return nil, errValidation("1 validation error detected: Value at 'autoScalingGroupName' failed to satisfy constraint: Member must have length less than or equal to 255")
	}
	if _, ok := s.rs.asg.groups[name]; ok {
		return nil, errCode("AlreadyExists", http.StatusBadRequest, "AutoScalingGroup by this name already exists - A group with the name %s already exists", name)
	}
	minSize, err := requiredInt(p, "MinSize", "minSize")
	if err != nil {
		return nil, err
	}
	maxSize, err := requiredInt(p, "MaxSize", "maxSize")
	if err != nil {
		return nil, err
	}
	desired, err := p.intOr("DesiredCapacity", minSize)
	if err != nil {
		return nil, err
	}
	if err := checkSizes(minSize, maxSize, desired); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	g := &asGroup{
		name: name, created: now, min: minSize, max: maxSize, desired: desired,
		healthCheckType: "EC2", warmup: -1, cooldown: 300, policies: []string{"Default"},
		suspended: map[string]string{},
	}
	g.arn = s.arn("autoscaling", fmt.Sprintf("autoScalingGroup:%s:autoScalingGroupName/%s", s.uuid(), name))
	if err := s.applyGroupSpec(g, p, true); err != nil {
		return nil, err
	}
	arns := p.list("TargetGroupARNs.member")
	if err := s.checkTargetGroups(arns); err != nil {
		return nil, err
	}
	g.targetGroups = arns
	for _, t := range p.structs("Tags.member") {
		if t.str("Key") == "" {
			return nil, errValidation("Tag key must not be empty")
		}
		g.setTag(asTag{key: t.str("Key"), value: t.str("Value"), propagate: t.boolOr("PropagateAtLaunch", false)})
	}
	s.rs.asg.groups[name] = g
	s.advance()
	return E("Result"), nil
}

// uuid makes a deterministic UUID-shaped id for ARNs.
func (s *Server) uuid() string {
	s.nextID++
	return fmt.Sprintf("5e000000-0000-4000-8000-%012x", s.nextID)
}

func checkSizes(minSize, maxSize, desired int) error {
	if minSize < 0 || maxSize < 0 {
		return errValidation("MinSize and MaxSize must be zero or more")
	}
	if maxSize < minSize {
		return errValidation("Max bound, %d, must be greater than or equal to min bound, %d", maxSize, minSize)
	}
	if desired < minSize || desired > maxSize {
		return errValidation("Desired capacity:%d must be between the specified min size:%d and max size:%d", desired, minSize, maxSize)
	}
	return nil
}

func (g *asGroup) setTag(t asTag) {
	for i := range g.tags {
		if g.tags[i].key == t.key {
			g.tags[i] = t
			return
		}
	}
	g.tags = append(g.tags, t)
}

func (s *Server) asUpdateGroup(p params) (*X, error) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	if g.deleting {
		return nil, errCode("ScalingActivityInProgress", http.StatusBadRequest, "Group %s is being deleted", g.name)
	}
	next := *g
	next.suspended = g.suspended
	if err := s.applyGroupSpec(&next, p, false); err != nil {
		return nil, err
	}
	if next.min, err = p.intOr("MinSize", g.min); err != nil {
		return nil, err
	}
	if next.max, err = p.intOr("MaxSize", g.max); err != nil {
		return nil, err
	}
	if p.has("DesiredCapacity") {
		if next.desired, err = p.intOr("DesiredCapacity", g.desired); err != nil {
			return nil, err
		}
	} else {
		// A new bound drags the current desired capacity along with it.
		next.desired = min(max(g.desired, next.min), next.max)
	}
	if err := checkSizes(next.min, next.max, next.desired); err != nil {
		return nil, err
	}
	*g = next
	s.advance()
	return E("Result"), nil
}

// --- describe ---

func (s *Server) groupXML(g *asGroup) *X {
	var insts []*X
	for _, id := range g.instances {
		in := s.rs.ec2.instances[id]
		insts = append(insts, s.asInstanceXML("member", in, false))
	}
	members := func(name string, vals []string) *X {
		items := make([]*X, 0, len(vals))
		for _, v := range vals {
			items = append(items, T("member", v))
		}
		return List(name, "member", items)
	}
	var procs []*X
	for _, name := range sortedKeys(g.suspended) {
		procs = append(procs, E("member", T("ProcessName", name), T("SuspensionReason", g.suspended[name])))
	}
	var tags []*X
	for _, t := range g.sortedTags() {
		tags = append(tags, s.asTagXML(g, t))
	}
	x := E("Result",
		T("AutoScalingGroupName", g.name),
		T("AutoScalingGroupARN", g.arn),
		s.groupLTXML(g.ltID, g.ltVersion),
		Tint("MinSize", g.min),
		Tint("MaxSize", g.max),
		Tint("DesiredCapacity", g.desired),
		Tint("DefaultCooldown", g.cooldown),
		members("AvailabilityZones", g.zones),
		members("LoadBalancerNames", nil),
		members("TargetGroupARNs", g.targetGroups),
		T("HealthCheckType", g.healthCheckType),
		Tint("HealthCheckGracePeriod", g.grace),
		List("Instances", "member", insts),
		Ttime("CreatedTime", g.created),
		List("SuspendedProcesses", "member", procs),
		T("VPCZoneIdentifier", strings.Join(g.subnets, ",")),
		List("EnabledMetrics", "member", nil),
		List("Tags", "member", tags),
		members("TerminationPolicies", g.policies),
		Tbool("NewInstancesProtectedFromScaleIn", g.protectNew),
		Tbool("CapacityRebalance", g.capRebalance),
		T("ServiceLinkedRoleARN", fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", s.accountID)),
	)
	if g.maxLifetime > 0 {
		x.Kids = append(x.Kids, Tint("MaxInstanceLifetime", g.maxLifetime))
	}
	if g.warmup >= 0 {
		x.Kids = append(x.Kids, Tint("DefaultInstanceWarmup", g.warmup))
	}
	if g.deleting {
		x.Kids = append(x.Kids, T("Status", "Delete in progress"))
	}
	return x
}

func (s *Server) groupLTXML(ltID, version string) *X {
	name := ""
	if lt, ok := s.rs.ec2.templates[ltID]; ok {
		name = lt.name
	}
	return E("LaunchTemplate", T("LaunchTemplateId", ltID), Topt("LaunchTemplateName", name), T("Version", version))
}

func (s *Server) asInstanceXML(name string, in *instance, withGroup bool) *X {
	health := "Healthy"
	if !in.asgHealthy {
		health = "Unhealthy"
	}
	x := E(name,
		T("InstanceId", in.id),
		T("InstanceType", in.instanceType),
		T("AvailabilityZone", in.zone),
		T("LifecycleState", in.lifecycle),
		T("HealthStatus", health),
		T("ImageId", in.imageID),
		E("LaunchTemplate", T("LaunchTemplateId", in.ltID), Topt("LaunchTemplateName", in.ltName), T("Version", strconv.Itoa(in.ltVersion))),
		Tbool("ProtectedFromScaleIn", in.protected),
	)
	if withGroup {
		x.Kids = append(x.Kids, T("AutoScalingGroupName", in.group))
	}
	return x
}

func (g *asGroup) sortedTags() []asTag {
	tags := append([]asTag(nil), g.tags...)
	sort.Slice(tags, func(i, j int) bool { return tags[i].key < tags[j].key })
	return tags
}

func (s *Server) asTagXML(g *asGroup, t asTag) *X {
	return E("member", T("ResourceId", g.name), T("ResourceType", "auto-scaling-group"),
		T("Key", t.key), T("Value", t.value), Tbool("PropagateAtLaunch", t.propagate))
}

func (s *Server) asDescribeGroups(p params) (*X, error) {
	names := p.list("AutoScalingGroupNames.member")
	filters := p.structs("Filters.member")
	var groups []*asGroup
	for _, name := range sortedKeys(s.rs.asg.groups) {
		g := s.rs.asg.groups[name]
		if len(names) > 0 && !contains(names, name) {
			continue
		}
		if ok, err := groupMatches(g, filters); err != nil {
			return nil, err
		} else if ok {
			groups = append(groups, g)
		}
	}
	maxRecords, err := p.intOr("MaxRecords", 50)
	if err != nil {
		return nil, err
	}
	if maxRecords < 1 || maxRecords > 100 {
		return nil, errValidation("MaxRecords must be between 1 and 100")
	}
	start, end, next, err := page(len(groups), p.str("NextToken"), maxRecords)
	if err != nil {
		return nil, err
	}
	var items []*X
	for _, g := range groups[start:end] {
		items = append(items, s.groupXML(g))
	}
	return E("Result", List("AutoScalingGroups", "member", items), Topt("NextToken", next)), nil
}

// groupMatches applies DescribeAutoScalingGroups filters: tag:<key>,
// tag-key and tag-value; values are ORed, filters ANDed.
func groupMatches(g *asGroup, filters []params) (bool, error) {
	for _, f := range filters {
		name, values := f.str("Name"), f.list("Values.member")
		found := false
		for _, t := range g.tags {
			switch {
			case strings.HasPrefix(name, "tag:"):
				found = found || (t.key == strings.TrimPrefix(name, "tag:") && contains(values, t.value))
			case name == "tag-key":
				found = found || contains(values, t.key)
			case name == "tag-value":
				found = found || contains(values, t.value)
			default:
				return false, errValidation("Filter type %s is not correct. Allowed Filter types are: tag-key, tag-value, tag:<key>", name)
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

func (s *Server) asDescribeInstances(p params) (*X, error) {
	ids := p.list("InstanceIds.member")
	var insts []*instance
	for _, id := range sortedKeys(s.rs.ec2.instances) {
		in := s.rs.ec2.instances[id]
		if in.group == "" || in.lifecycle == lcTerminated || (len(ids) > 0 && !contains(ids, id)) {
			continue
		}
		insts = append(insts, in)
	}
	maxRecords, err := p.intOr("MaxRecords", 50)
	if err != nil {
		return nil, err
	}
	start, end, next, err := page(len(insts), p.str("NextToken"), maxRecords)
	if err != nil {
		return nil, err
	}
	var items []*X
	for _, in := range insts[start:end] {
		items = append(items, s.asInstanceXML("member", in, true))
	}
	return E("Result", List("AutoScalingInstances", "member", items), Topt("NextToken", next)), nil
}

// --- capacity and instances ---

func (s *Server) asDeleteGroup(p params) (*X, error) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	if len(g.instances) > 0 && !p.boolOr("ForceDelete", false) {
		return nil, errCode("ResourceInUse", http.StatusBadRequest, "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.")
	}
	// The group stays visible as "Delete in progress" until its instances
	// have drained and terminated.
	g.deleting = true
	g.min, g.max, g.desired = 0, 0, 0
	s.advance()
	return E("Result"), nil
}

func (s *Server) asSetDesiredCapacity(p params) (*X, error) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	desired, err := requiredInt(p, "DesiredCapacity", "desiredCapacity")
	if err != nil {
		return nil, err
	}
	if desired > g.max {
		return nil, errValidation("New SetDesiredCapacity value %d is above max value %d for the AutoScalingGroup.", desired, g.max)
	}
	if desired < g.min {
		return nil, errValidation("New SetDesiredCapacity value %d is below min value %d for the AutoScalingGroup.", desired, g.min)
	}
	g.desired = desired
	s.advance()
	return E("Result"), nil
}

func (s *Server) memberInstance(id string) (*instance, *asGroup, error) {
	in, ok := s.rs.ec2.instances[id]
	if !ok || in.group == "" || in.lifecycle == lcTerminated {
		return nil, nil, errValidation("Instance Id not found - No managed instance found for instance ID: %s", id)
	}
	return in, s.rs.asg.groups[in.group], nil
}

func (s *Server) asTerminateInstance(p params) (*X, error) {
	id, err := p.require("InstanceId")
	if err != nil {
		return nil, err
	}
	if _, ok := p["ShouldDecrementDesiredCapacity"]; !ok {
		return nil, errValidation("1 validation error detected: Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint: Member must not be null")
	}
	decrement := p.boolOr("ShouldDecrementDesiredCapacity", false)
	in, g, err := s.memberInstance(id)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var act *activity
	if in.lifecycle == lcTerminating {
		act = g.record(now, "Terminating EC2 instance: "+id, fmt.Sprintf("At %s instance %s is already terminating.", isoSecond(now), id))
	} else {
		before := g.activeCount(s)
		if decrement {
			if g.desired-1 < g.min {
				return nil, errValidation("Currently, desiredSize equals minSize (%d). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.", g.min)
			}
			g.desired--
		}
		cause := fmt.Sprintf("At %s instance %s was taken out of service in response to a user request", isoSecond(now), id)
		if decrement {
			cause += fmt.Sprintf(", shrinking the capacity from %d to %d.", before, before-1)
		} else {
			cause += "."
		}
		act = s.beginTerminate(g, in, now, cause)
	}
	s.advance()
	return E("Result", activityXML("Activity", g, act)), nil
}

func isoSecond(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func (s *Server) asSetInstanceProtection(p params) (*X, error) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	if _, ok := p["ProtectedFromScaleIn"]; !ok {
		return nil, errValidation("1 validation error detected: Value null at 'protectedFromScaleIn' failed to satisfy constraint: Member must not be null")
	}
	ids := p.list("InstanceIds.member")
	for _, id := range ids {
		if in, ok := s.rs.ec2.instances[id]; !ok || in.group != g.name {
			return nil, errValidation("The instance %s is not part of Auto Scaling group %s.", id, g.name)
		}
	}
	for _, id := range ids {
		s.rs.ec2.instances[id].protected = p.boolOr("ProtectedFromScaleIn", false)
	}
	return E("Result"), nil
}

func (s *Server) asSetInstanceHealth(p params) (*X, error) {
	id, err := p.require("InstanceId")
	if err != nil {
		return nil, err
	}
	status, err := p.require("HealthStatus")
	if err != nil {
		return nil, err
	}
	if status != "Healthy" && status != "Unhealthy" {
		return nil, errValidation("Valid values for health status are 'Healthy' and 'Unhealthy'")
	}
	in, _, err := s.memberInstance(id)
	if err != nil {
		return nil, err
	}
	in.asgHealthy = status == "Healthy"
	s.advance()
	return E("Result"), nil
}

func (s *Server) processes(p params) ([]string, error) {
	procs := p.list("ScalingProcesses.member")
	for _, pr := range procs {
		if !contains(scalingProcesses, pr) {
			return nil, errValidation("Process %s is not a valid scaling process", pr)
		}
	}
	if len(procs) == 0 {
		procs = scalingProcesses
	}
	return procs, nil
}

func (s *Server) asSuspendProcesses(p params) (*X, error) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	procs, err := s.processes(p)
	if err != nil {
		return nil, err
	}
	for _, pr := range procs {
		if !g.isSuspended(pr) {
			g.suspended[pr] = fmt.Sprintf("User suspended at %s", isoSecond(s.clock.Now()))
		}
	}
	return E("Result"), nil
}

func (s *Server) asResumeProcesses(p params) (*X, error) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	procs, err := s.processes(p)
	if err != nil {
		return nil, err
	}
	for _, pr := range procs {
		delete(g.suspended, pr)
	}
	s.advance()
	return E("Result"), nil
}

// --- tags ---

func (s *Server) tagTargets(p params) ([]*asGroup, []params, error) {
	tags := p.structs("Tags.member")
	var groups []*asGroup
	for _, t := range tags {
		if rt := t.str("ResourceType"); rt != "" && rt != "auto-scaling-group" {
			return nil, nil, errValidation("Resource type %s is not supported", rt)
		}
		g, ok := s.rs.asg.groups[t.str("ResourceId")]
		if !ok {
			return nil, nil, errGroupNotFound(t.str("ResourceId"))
		}
		if t.str("Key") == "" {
			return nil, nil, errValidation("Tag key must not be empty")
		}
		groups = append(groups, g)
	}
	return groups, tags, nil
}

func (s *Server) asCreateOrUpdateTags(p params) (*X, error) {
	groups, tags, err := s.tagTargets(p)
	if err != nil {
		return nil, err
	}
	for i, t := range tags {
		groups[i].setTag(asTag{key: t.str("Key"), value: t.str("Value"), propagate: t.boolOr("PropagateAtLaunch", false)})
	}
	return E("Result"), nil
}

func (s *Server) asDeleteTags(p params) (*X, error) {
	groups, tags, err := s.tagTargets(p)
	if err != nil {
		return nil, err
	}
	for i, t := range tags {
		g := groups[i]
		kept := g.tags[:0]
		for _, have := range g.tags {
			// A value, when given, must match for the tag to go, as in AWS.
			if have.key == t.str("Key") && (!t.has("Value") || t.str("Value") == "" || t.str("Value") == have.value) {
				continue
			}
			kept = append(kept, have)
		}
		g.tags = kept
	}
	return E("Result"), nil
}

func (s *Server) asDescribeTags(p params) (*X, error) {
	filters := p.structs("Filters.member")
	var items []*X
	for _, name := range sortedKeys(s.rs.asg.groups) {
		g := s.rs.asg.groups[name]
	tags:
		for _, t := range g.sortedTags() {
			for _, f := range filters {
				vals := f.list("Values.member")
				var v string
				switch f.str("Name") {
				case "auto-scaling-group":
					v = g.name
				case "key":
					v = t.key
				case "value":
					v = t.value
				case "propagate-at-launch":
					v = strconv.FormatBool(t.propagate)
				default:
					return nil, errValidation("Filter type %s is not correct. Allowed Filter types are: auto-scaling-group, key, value, propagate-at-launch", f.str("Name"))
				}
				if !contains(vals, v) {
					continue tags
				}
			}
			items = append(items, s.asTagXML(g, t))
		}
	}
	maxRecords, err := p.intOr("MaxRecords", 50)
	if err != nil {
		return nil, err
	}
	start, end, next, err := page(len(items), p.str("NextToken"), maxRecords)
	if err != nil {
		return nil, err
	}
	return E("Result", List("Tags", "member", items[start:end]), Topt("NextToken", next)), nil
}

// --- target groups ---

func (s *Server) checkTargetGroups(arns []string) error {
	for _, arn := range arns {
		if _, ok := s.rs.elb.targetGroups[arn]; !ok {
			return errValidation("Provided Target Groups may not be valid. Please ensure they exist and try again.")
		}
	}
	return nil
}

func (s *Server) asAttachTargetGroups(p params) (*X, error) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	arns := p.list("TargetGroupARNs.member")
	if err := s.checkTargetGroups(arns); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	for _, arn := range arns {
		if contains(g.targetGroups, arn) {
			continue
		}
		g.targetGroups = append(g.targetGroups, arn)
		if g.isSuspended("AddToLoadBalancer") {
			continue
		}
		for _, id := range g.instances {
			if in := s.rs.ec2.instances[id]; in.lifecycle == lcInService {
				s.registerTarget(s.rs.elb.targetGroups[arn], in.id, 0, now)
			}
		}
	}
	return E("Result"), nil
}

func (s *Server) asDetachTargetGroups(p params) (*X, error) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	for _, arn := range p.list("TargetGroupARNs.member") {
		var kept []string
		for _, have := range g.targetGroups {
			if have != arn {
				kept = append(kept, have)
			}
		}
		g.targetGroups = kept
		if tg, ok := s.rs.elb.targetGroups[arn]; ok {
			for _, id := range g.instances {
				s.deregisterTarget(tg, id, now)
			}
		}
	}
	return E("Result"), nil
}

func (s *Server) asDescribeTargetGroups(p params) (*X, error) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	var items []*X
	for _, arn := range g.targetGroups {
		items = append(items, E("member", T("LoadBalancerTargetGroupARN", arn), T("State", "InService")))
	}
	return E("Result", List("LoadBalancerTargetGroups", "member", items)), nil
}

// --- activities ---

// activitySeq numbers activities uniquely across servers in one process.
var activitySeq atomic.Uint64

func (g *asGroup) record(now time.Time, description, cause string) *activity {
	a := &activity{id: fmt.Sprintf("ac7e0000-0000-4000-8000-%012x", activitySeq.Add(1)),
		description: description, cause: cause, status: "InProgress", start: now}
	g.activities = append(g.activities, a)
	if len(g.activities) > 200 {
		g.activities = g.activities[len(g.activities)-200:]
	}
	return a
}

func activityXML(name string, g *asGroup, a *activity) *X {
	progress := 0
	var end *X
	if a.status != "InProgress" {
		progress = 100
		end = Ttime("EndTime", a.end)
	}
	return E(name,
		T("ActivityId", a.id),
		T("AutoScalingGroupName", g.name),
		T("AutoScalingGroupARN", g.arn),
		T("Description", a.description),
		T("Cause", a.cause),
		Ttime("StartTime", a.start),
		end,
		T("StatusCode", a.status),
		Topt("StatusMessage", a.message),
		Tint("Progress", progress),
		T("Details", "{}"),
	)
}

func (s *Server) asDescribeActivities(p params) (*X, error) {
	var groups []*asGroup
	if name := p.str("AutoScalingGroupName"); name != "" {
		g, ok := s.rs.asg.groups[name]
		if !ok {
			return E("Result", List("Activities", "member", nil)), nil
		}
		groups = []*asGroup{g}
	} else {
		for _, name := range sortedKeys(s.rs.asg.groups) {
			groups = append(groups, s.rs.asg.groups[name])
		}
	}
	ids := p.list("ActivityIds.member")
	var items []*X
	for _, g := range groups {
		// Newest first, as AWS lists them.
		for i := len(g.activities) - 1; i >= 0; i-- {
			a := g.activities[i]
			if len(ids) == 0 || contains(ids, a.id) {
				items = append(items, activityXML("member", g, a))
			}
		}
	}
	maxRecords, err := p.intOr("MaxRecords", 100)
	if err != nil {
		return nil, err
	}
	start, end, next, err := page(len(items), p.str("NextToken"), maxRecords)
	if err != nil {
		return nil, err
	}
	return E("Result", List("Activities", "member", items[start:end]), Topt("NextToken", next)), nil
}

package awsemu

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

type elbState struct {
	targetGroups map[string]*targetGroup // by ARN
}

type targetGroup struct {
	arn, name, protocol, vpcID, targetType string
	port                                   int
	hcEnabled                              bool
	hcProtocol, hcPort, hcPath, matcher    string
	interval, timeout, healthyTh, unhealTh int
	attrs                                  map[string]string
	targets                                []*target
	created                                time.Time
	tags                                   []tag
}

// target is one registration. Health is derived from timestamps when asked,
// so clock jumps need no polling.
type target struct {
	id           string
	port         int
	registeredAt time.Time
	draining     bool
	drainUntil   time.Time
}

var elbOps = map[string]func(*Server, any) (any, error){
	"CreateTargetGroup":             queryOp((*Server).elbCreateTargetGroup),
	"DescribeTargetGroups":          queryOp((*Server).elbDescribeTargetGroups),
	"DeleteTargetGroup":             queryOp((*Server).elbDeleteTargetGroup),
	"ModifyTargetGroupAttributes":   queryOp((*Server).elbModifyTargetGroupAttributes),
	"DescribeTargetGroupAttributes": queryOp((*Server).elbDescribeTargetGroupAttributes),
	"RegisterTargets":               queryOp((*Server).elbRegisterTargets),
	"DeregisterTargets":             queryOp((*Server).elbDeregisterTargets),
	"DescribeTargetHealth":          queryOp((*Server).elbDescribeTargetHealth),
}

func (s *Server) initELB() {
	s.rs.elb = elbState{targetGroups: map[string]*targetGroup{}}
}

var tgNameRe = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$`)

// defaultTGAttributes are the attributes AWS reports for a new HTTP target
// group of type instance.
var defaultTGAttributes = map[string]string{
	"deregistration_delay.timeout_seconds":                                      "300",
	"deregistration_delay.connection_termination.enabled":                       "false",
	"stickiness.enabled":                                                        "false",
	"stickiness.type":                                                           "lb_cookie",
	"stickiness.lb_cookie.duration_seconds":                                     "86400",
	"stickiness.app_cookie.cookie_name":                                         "",
	"stickiness.app_cookie.duration_seconds":                                    "86400",
	"load_balancing.algorithm.type":                                             "round_robin",
	"load_balancing.algorithm.anomaly_mitigation":                               "off",
	"load_balancing.cross_zone.enabled":                                         "use_load_balancer_configuration",
	"slow_start.duration_seconds":                                               "0",
	"target_group_health.dns_failover.minimum_healthy_targets.count":            "1",
	"target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
}

func errTGNotFound() *APIError {
	return errCode("TargetGroupNotFound", http.StatusBadRequest, "One or more target groups not found")
}

func errInvalidTarget(format string, args ...any) *APIError {
	return errCode("InvalidTarget", http.StatusBadRequest, format, args...)
}

func (s *Server) lookupTG(arn string) (*targetGroup, error) {
	if arn == "" {
		return nil, errMissing("TargetGroupArn")
	}
	if !strings.HasPrefix(arn, "arn:aws:elasticloadbalancing:") || !strings.Contains(arn, ":targetgroup/") {
		return nil, errValidation("'%s' is not a valid target group ARN", arn)
	}
	tg, ok := s.rs.elb.targetGroups[arn]
	if !ok {
		return nil, errTGNotFound()
	}
	return tg, nil
}

func (s *Server) elbCreateTargetGroup(p params) (*X, error) {
	name, err := p.require("Name")
	if err != nil {
		return nil, err
	}
	if !tgNameRe.MatchString(name) {
		return nil, errValidation("Target group name '%s' can only contain characters that are alphanumeric characters or hyphens(-), must not begin or end with a hyphen, and must be at most 32 characters", name)
	}
	tg := &targetGroup{
		name: name, protocol: p.str("Protocol"), vpcID: p.str("VpcId"), targetType: p.str("TargetType"),
		hcEnabled: p.boolOr("HealthCheckEnabled", true), hcPort: p.str("HealthCheckPort"), hcPath: p.str("HealthCheckPath"),
		hcProtocol: p.str("HealthCheckProtocol"), matcher: p.str("Matcher.HttpCode"),
		attrs: map[string]string{}, created: s.clock.Now(),
	}
	if tg.targetType == "" {
		tg.targetType = "instance"
	}
	if tg.port, err = p.intOr("Port", 0); err != nil {
		return nil, err
	}
	if tg.targetType != "lambda" {
		if tg.protocol == "" || tg.port == 0 || tg.vpcID == "" {
			return nil, errValidation("A protocol, port and VPC ID must be specified for target groups of type '%s'", tg.targetType)
		}
		if tg.port < 1 || tg.port > 65535 {
			return nil, errValidation("Port must be between 1 and 65535")
		}
	}
	tcp := tg.protocol == "TCP" || tg.protocol == "UDP" || tg.protocol == "TLS" || tg.protocol == "TCP_UDP"
	defTimeout := 5
	if tcp {
		defTimeout = 10
	}
	for _, f := range []struct {
		dst         *int
		key         string
		def, lo, hi int
	}{
		{&tg.interval, "HealthCheckIntervalSeconds", 30, 5, 300},
		{&tg.timeout, "HealthCheckTimeoutSeconds", defTimeout, 2, 120},
		{&tg.healthyTh, "HealthyThresholdCount", 5, 2, 10},
		{&tg.unhealTh, "UnhealthyThresholdCount", 2, 2, 10},
	} {
		if *f.dst, err = p.intOr(f.key, f.def); err != nil {
			return nil, err
		}
		if *f.dst < f.lo || *f.dst > f.hi {
			return nil, errValidation("%s must be between %d and %d", f.key, f.lo, f.hi)
		}
	}
	if tg.hcProtocol == "" {
		tg.hcProtocol = tg.protocol
		if tcp {
			tg.hcProtocol = "TCP"
		}
	}
	if tg.hcPort == "" {
		tg.hcPort = "traffic-port"
	}
	if tg.hcPath == "" && !tcp {
		tg.hcPath = "/"
	}
	if tg.matcher == "" && !tcp {
		tg.matcher = "200"
	}
	for _, t := range p.structs("Tags.member") {
		tg.tags = setTag(tg.tags, t.str("Key"), t.str("Value"))
	}
	for _, have := range s.rs.elb.targetGroups {
		if have.name != name {
			continue
		}
		// Repeating an identical create is idempotent, as in AWS.
		if have.protocol == tg.protocol && have.port == tg.port && have.vpcID == tg.vpcID && have.targetType == tg.targetType {
			return E("Result", List("TargetGroups", "member", []*X{s.tgXML(have)})), nil
		}
		return nil, errCode("DuplicateTargetGroupName", http.StatusBadRequest, "A target group with the same name '%s' exists, but with different settings", name)
	}
	s.nextID++
	tg.arn = s.arn("elasticloadbalancing", fmt.Sprintf("targetgroup/%s/%016x", name, 0x5e00000000+s.nextID))
	s.rs.elb.targetGroups[tg.arn] = tg
	return E("Result", List("TargetGroups", "member", []*X{s.tgXML(tg)})), nil
}

func (s *Server) tgXML(tg *targetGroup) *X {
	return E("member",
		T("TargetGroupArn", tg.arn),
		T("TargetGroupName", tg.name),
		Topt("Protocol", tg.protocol),
		optInt("Port", tg.port),
		Topt("VpcId", tg.vpcID),
		Topt("HealthCheckProtocol", tg.hcProtocol),
		T("HealthCheckPort", tg.hcPort),
		Tbool("HealthCheckEnabled", tg.hcEnabled),
		Tint("HealthCheckIntervalSeconds", tg.interval),
		Tint("HealthCheckTimeoutSeconds", tg.timeout),
		Tint("HealthyThresholdCount", tg.healthyTh),
		Tint("UnhealthyThresholdCount", tg.unhealTh),
		Topt("HealthCheckPath", tg.hcPath),
		matcherXML(tg.matcher),
		List("LoadBalancerArns", "member", nil),
		T("TargetType", tg.targetType),
		T("IpAddressType", "ipv4"),
	)
}

func optInt(name string, n int) *X {
	if n == 0 {
		return nil
	}
	return Tint(name, n)
}

func matcherXML(code string) *X {
	if code == "" {
		return nil
	}
	return E("Matcher", T("HttpCode", code))
}

func (s *Server) elbDescribeTargetGroups(p params) (*X, error) {
	arns, names := p.list("TargetGroupArns.member"), p.list("Names.member")
	if lb := p.str("LoadBalancerArn"); lb != "" {
		return nil, errCode("LoadBalancerNotFound", http.StatusBadRequest, "Load balancer '%s' not found", lb)
	}
	var tgs []*targetGroup
	for _, arn := range arns {
		tg, err := s.lookupTG(arn)
		if err != nil {
			return nil, err
		}
		tgs = append(tgs, tg)
	}
	for _, n := range names {
		var found *targetGroup
		for _, tg := range s.rs.elb.targetGroups {
			if tg.name == n {
				found = tg
			}
		}
		if found == nil {
			return nil, errTGNotFound()
		}
		tgs = append(tgs, found)
	}
	if len(arns)+len(names) == 0 {
		for _, arn := range sortedKeys(s.rs.elb.targetGroups) {
			tgs = append(tgs, s.rs.elb.targetGroups[arn])
		}
		sort.SliceStable(tgs, func(i, j int) bool { return tgs[i].name < tgs[j].name })
	}
	size, err := p.intOr("PageSize", 400)
	if err != nil {
		return nil, err
	}
	start, end, next, err := page(len(tgs), p.str("Marker"), size)
	if err != nil {
		return nil, err
	}
	var items []*X
	for _, tg := range tgs[start:end] {
		items = append(items, s.tgXML(tg))
	}
	return E("Result", List("TargetGroups", "member", items), Topt("NextMarker", next)), nil
}

func (s *Server) elbDeleteTargetGroup(p params) (*X, error) {
	arn, err := p.require("TargetGroupArn")
	if err != nil {
		return nil, err
	}
	if _, err := s.lookupTG(arn); err != nil {
		if ae := asAPIError(err); ae.Code == "TargetGroupNotFound" {
			return E("Result"), nil // deleting a deleted group succeeds, as in AWS
		}
		return nil, err
	}
	// AWS only refuses while a listener uses the group; groups that still
	// list it simply stop registering there.
	delete(s.rs.elb.targetGroups, arn)
	return E("Result"), nil
}

func (tg *targetGroup) attr(key string) string {
	if v, ok := tg.attrs[key]; ok {
		return v
	}
	return defaultTGAttributes[key]
}

func (s *Server) tgAttributesXML(tg *targetGroup) *X {
	var items []*X
	for _, k := range sortedKeys(defaultTGAttributes) {
		items = append(items, E("member", T("Key", k), T("Value", tg.attr(k))))
	}
	return E("Result", List("Attributes", "member", items))
}

func (s *Server) elbDescribeTargetGroupAttributes(p params) (*X, error) {
	tg, err := s.lookupTG(p.str("TargetGroupArn"))
	if err != nil {
		return nil, err
	}
	return s.tgAttributesXML(tg), nil
}

func (s *Server) elbModifyTargetGroupAttributes(p params) (*X, error) {
	tg, err := s.lookupTG(p.str("TargetGroupArn"))
	if err != nil {
		return nil, err
	}
	attrs := p.structs("Attributes.member")
	for _, a := range attrs {
		k, v := a.str("Key"), a.str("Value")
		if _, ok := defaultTGAttributes[k]; !ok {
			return nil, errCode("InvalidConfigurationRequest", http.StatusBadRequest, "Target group attribute key '%s' is not recognized", k)
		}
		switch k {
		case "deregistration_delay.timeout_seconds":
			if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 3600 {
				return nil, errCode("InvalidConfigurationRequest", http.StatusBadRequest, "Target group attribute key 'deregistration_delay.timeout_seconds' must be between 0 and 3600, got '%s'", v)
			}
		case "stickiness.enabled", "deregistration_delay.connection_termination.enabled":
			if v != "true" && v != "false" {
				return nil, errCode("InvalidConfigurationRequest", http.StatusBadRequest, "Target group attribute key '%s' must be 'true' or 'false'", k)
			}
		}
	}
	for _, a := range attrs {
		tg.attrs[a.str("Key")] = a.str("Value")
	}
	return s.tgAttributesXML(tg), nil
}

func (tg *targetGroup) deregistrationDelay() time.Duration {
	n, _ := strconv.Atoi(tg.attr("deregistration_delay.timeout_seconds"))
	return seconds(n)
}

func (tg *targetGroup) find(id string, port int) *target {
	for _, t := range tg.targets {
		if t.id == id && (port == 0 || t.port == port) {
			return t
		}
	}
	return nil
}

// registerTarget adds or re-registers a target; port 0 means the group's.
func (s *Server) registerTarget(tg *targetGroup, id string, port int, at time.Time) {
	if port == 0 {
		port = tg.port
	}
	if t := tg.find(id, port); t != nil {
		if t.draining {
			t.draining, t.registeredAt = false, at
		}
		return
	}
	tg.targets = append(tg.targets, &target{id: id, port: port, registeredAt: at})
}

// deregisterTarget starts draining every registration of id and reports
// when draining ends; false when id was not registered.
func (s *Server) deregisterTarget(tg *targetGroup, id string, at time.Time) (time.Time, bool) {
	var until time.Time
	found := false
	for _, t := range tg.targets {
		if t.id != id {
			continue
		}
		found = true
		if !t.draining {
			t.draining, t.drainUntil = true, at.Add(tg.deregistrationDelay())
		}
		until = maxTime(until, t.drainUntil)
	}
	if found && !until.After(at) {
		s.purgeTargets(at)
	}
	return until, found
}

// purgeTargets drops registrations whose draining finished by t.
func (s *Server) purgeTargets(t time.Time) {
	for _, tg := range s.rs.elb.targetGroups {
		kept := tg.targets[:0]
		for _, tgt := range tg.targets {
			if !tgt.draining || t.Before(tgt.drainUntil) {
				kept = append(kept, tgt)
			}
		}
		tg.targets = kept
	}
}

// forgetTargets drops every registration of an instance that no longer exists.
func (s *Server) forgetTargets(id string) {
	for _, tg := range s.rs.elb.targetGroups {
		kept := tg.targets[:0]
		for _, tgt := range tg.targets {
			if tgt.id != id {
				kept = append(kept, tgt)
			}
		}
		tg.targets = kept
	}
}

func (s *Server) elbTargets(p params, tg *targetGroup) ([]*target, error) {
	var out []*target
	for _, t := range p.structs("Targets.member") {
		id := t.str("Id")
		if id == "" {
			return nil, errValidation("A target ID must be specified")
		}
		port, err := t.intOr("Port", 0)
		if err != nil {
			return nil, err
		}
		out = append(out, &target{id: id, port: port})
	}
	if len(out) == 0 {
		return nil, errValidation("At least one target must be specified")
	}
	return out, nil
}

func (s *Server) elbRegisterTargets(p params) (*X, error) {
	tg, err := s.lookupTG(p.str("TargetGroupArn"))
	if err != nil {
		return nil, err
	}
	targets, err := s.elbTargets(p, tg)
	if err != nil {
		return nil, err
	}
	if tg.targetType == "instance" {
		var invalid, stopped []string
		for _, t := range targets {
			in, ok := s.rs.ec2.instances[t.id]
			switch {
			case !ok:
				invalid = append(invalid, "'"+t.id+"'")
			case in.state != stateRunning && in.state != statePending:
				stopped = append(stopped, "'"+t.id+"'")
			}
		}
		if len(invalid) > 0 {
			return nil, errInvalidTarget("The following targets are not valid instances: %s", strings.Join(invalid, ", "))
		}
		if len(stopped) > 0 {
			return nil, errInvalidTarget("The following targets are not in a running state and cannot be registered: %s", strings.Join(stopped, ", "))
		}
	}
	now := s.clock.Now()
	for _, t := range targets {
		s.registerTarget(tg, t.id, t.port, now)
	}
	return E("Result"), nil
}

func (s *Server) elbDeregisterTargets(p params) (*X, error) {
	tg, err := s.lookupTG(p.str("TargetGroupArn"))
	if err != nil {
		return nil, err
	}
	targets, err := s.elbTargets(p, tg)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, t := range targets {
		if tg.find(t.id, t.port) == nil {
			missing = append(missing, "'"+t.id+"'")
		}
	}
	if len(missing) > 0 {
		return nil, errInvalidTarget("The following targets are not registered in target group '%s': %s", tg.arn, strings.Join(missing, ", "))
	}
	now := s.clock.Now()
	for _, t := range targets {
		if have := tg.find(t.id, t.port); have != nil && !have.draining {
			have.draining, have.drainUntil = true, now.Add(tg.deregistrationDelay())
		}
	}
	s.purgeTargets(now)
	return E("Result"), nil
}

func (tg *targetGroup) checks(n int) time.Duration { return seconds(n * tg.interval) }

// health derives a registration's state at now from registration time and
// the instance's application health history.
func (s *Server) health(tg *targetGroup, t *target, now time.Time) (state, reason, desc string) {
	if t.draining {
		return "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"
	}
	in := s.rs.ec2.instances[t.id]
	if in != nil && in.state != stateRunning && in.state != statePending {
		return "unused", "Target.InvalidState", "Target is in the " + strings.ReplaceAll(in.state, "-", " ") + " state"
	}
	if !tg.hcEnabled {
		return "unavailable", "Target.HealthCheckDisabled", "Health checks are disabled"
	}
	initial := func() (string, string, string) {
		return "initial", "Elb.RegistrationInProgress", "Target registration is in progress"
	}
	if in == nil || in.state == statePending {
		if in == nil && !now.Before(t.registeredAt.Add(tg.checks(tg.healthyTh))) {
			return "healthy", "", ""
		}
		return initial()
	}
	start := maxTime(t.registeredAt, in.appHealthChanged)
	changedSince := in.appHealthChanged.After(t.registeredAt)
	unhealthy := func() (string, string, string) {
		return "unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [503]"
	}
	if in.appHealthy {
		switch {
		case !now.Before(start.Add(tg.checks(tg.healthyTh))):
			return "healthy", "", ""
		case changedSince && !now.Before(t.registeredAt.Add(tg.checks(tg.unhealTh))):
			return unhealthy()
		}
		return initial()
	}
	switch {
	case !now.Before(start.Add(tg.checks(tg.unhealTh))):
		return unhealthy()
	case changedSince && !now.Before(t.registeredAt.Add(tg.checks(tg.healthyTh))):
		return "healthy", "", ""
	}
	return initial()
}

// elbUnhealthyAt is when the first of the group's target groups sees the
// instance as unhealthy, if it will.
func (s *Server) elbUnhealthyAt(g *asGroup, in *instance) (time.Time, bool) {
	if in.appHealthy {
		return time.Time{}, false
	}
	var at time.Time
	found := false
	for _, arn := range g.targetGroups {
		tg := s.rs.elb.targetGroups[arn]
		if tg == nil || !tg.hcEnabled {
			continue
		}
		for _, t := range tg.targets {
			if t.id != in.id || t.draining {
				continue
			}
			when := maxTime(t.registeredAt, in.appHealthChanged).Add(tg.checks(tg.unhealTh))
			if !found || when.Before(at) {
				at, found = when, true
			}
		}
	}
	return at, found
}

func (s *Server) elbDescribeTargetHealth(p params) (*X, error) {
	tg, err := s.lookupTG(p.str("TargetGroupArn"))
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	hcPort := func(port int) string {
		if tg.hcPort == "traffic-port" {
			return strconv.Itoa(port)
		}
		return tg.hcPort
	}
	describe := func(id string, port int, state, reason, desc string) *X {
		return E("member",
			E("Target", T("Id", id), optInt("Port", port)),
			T("HealthCheckPort", hcPort(port)),
			E("TargetHealth", T("State", state), Topt("Reason", reason), Topt("Description", desc)),
		)
	}
	var items []*X
	if p.has("Targets") {
		asked, err := s.elbTargets(p, tg)
		if err != nil {
			return nil, err
		}
		for _, a := range asked {
			have := tg.find(a.id, a.port)
			if have == nil {
				port := a.port
				if port == 0 {
					port = tg.port
				}
				items = append(items, describe(a.id, port, "unused", "Target.NotRegistered", "Target is not registered to the target group"))
				continue
			}
			st, r, d := s.health(tg, have, now)
			items = append(items, describe(have.id, have.port, st, r, d))
		}
	} else {
		for _, t := range tg.targets {
			st, r, d := s.health(tg, t, now)
			items = append(items, describe(t.id, t.port, st, r, d))
		}
	}
	return E("Result", List("TargetHealthDescriptions", "member", items)), nil
}

package planmodel

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// modelTypes are the resource types whose attributes the reader decodes,
// with the attributes it needs; everything else in a plan is skipped
// without being decoded, which keeps reading fast and memory small.
var modelTypes = mergeTypes(map[string]attrSet{
	"aws_security_group":                  attrs("name", "ingress", "egress"),
	"aws_security_group_rule":             attrs("type", "from_port", "to_port", "protocol", "cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "source_security_group_id", "self", "security_group_id"),
	"aws_vpc_security_group_ingress_rule": vpcRuleAttrs,
	"aws_vpc_security_group_egress_rule":  vpcRuleAttrs,
	"aws_ec2_managed_prefix_list":         attrs("entry"),
	"aws_subnet":                          attrs("map_public_ip_on_launch", "vpc_id"),
	"aws_network_interface":               attrs("security_groups", "attachment", "tags"),
	"aws_instance":                        attrs("vpc_security_group_ids", "security_groups", "network_interface", "associate_public_ip_address", "subnet_id", "tags"),
	"aws_launch_template":                 attrs("name", "vpc_security_group_ids", "network_interfaces", "tags", "tag_specifications"),
	"aws_autoscaling_group":               attrs("name", "tag", "max_instance_lifetime", "launch_template", "mixed_instances_policy", "vpc_zone_identifier"),
	"aws_lb":                              lbAttrs,
	"aws_alb":                             lbAttrs,
	"aws_lb_listener":                     listenerAttrs,
	"aws_alb_listener":                    listenerAttrs,
	"aws_lb_listener_rule":                attrs("condition"),
	"aws_db_instance":                     attrs("vpc_security_group_ids", "publicly_accessible"),
	"aws_eip":                             attrs("instance", "network_interface"),
	"aws_eip_association":                 attrs("instance_id", "network_interface_id"),
	"aws_network_acl":                     attrs("ingress", "egress"),
	"aws_network_acl_rule":                attrs("network_acl_id", "rule_number", "egress", "protocol", "rule_action", "cidr_block", "ipv6_cidr_block", "from_port", "to_port"),
	"aws_wafv2_ip_set":                    attrs("addresses"),
}, nicTypes, fleetTypes)

// mergeTypes adds the types (and attributes of types) other files read.
// It is part of modelTypes' initializer so that every variable built from
// modelTypes (the reader's selectors) sees them.
func mergeTypes(base map[string]attrSet, more ...map[string]attrSet) map[string]attrSet {
	for _, m := range more {
		for t, a := range m {
			old, ok := base[t]
			if !ok {
				base[t] = a
				continue
			}
			merged := attrSet{}
			for k, v := range old {
				merged[k] = v
			}
			for k, v := range a {
				merged[k] = v
			}
			base[t] = merged
		}
	}
	return base
}

var (
	vpcRuleAttrs  = attrs("security_group_id", "ip_protocol", "from_port", "to_port", "cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id")
	lbAttrs       = attrs("load_balancer_type", "internal", "security_groups")
	listenerAttrs = attrs("load_balancer_arn", "port", "protocol", "default_action")
)

// attrSet names the attributes to decode; id and arn always are, since
// references are resolved through them. Each name maps to itself, so the
// reader can key decoded values with the shared copy.
type attrSet map[string]string

func attrs(names ...string) attrSet {
	s := attrSet{"id": "id", "arn": "arn"}
	for _, n := range names {
		s[n] = n
	}
	return s
}

// Options tune how roles are assigned.
type Options struct {
	// BastionTags marks a resource as the bastion when one of its tags has
	// this key and value ("*" matches any value).
	BastionTags map[string]string
	// BastionNamePattern is matched against the resource name, its name
	// attribute and its Name tag.
	BastionNamePattern string
	// Before builds the model of the infrastructure as it is before the
	// plan (from the prior values) instead of after it.
	Before bool
}

// DefaultBastionPattern matches resources named like a bastion.
const DefaultBastionPattern = `(?i)bastion`

type builder struct {
	p      *Plan
	opts   Options
	nameRE *regexp.Regexp
	// nameLit is the lower-case literal nameRE looks for ignoring case,
	// or "" when it is not that simple.
	nameLit string
	m       *Model

	sgs      map[string]*SecurityGroup // by key
	tmap     map[string]*Target        // where newTarget puts targets: Model.Targets but in a fork
	sgOf     map[*Instance]string
	targetOf map[*Instance]*Target
	// attached lists the targets whose groups are set, and extIDs the ids
	// of groups outside the plan they name, for attachGroups.
	attached  []*Target
	extIDs    []string
	subnets   map[*Instance]bool // subnet → map_public_ip_on_launch known true
	ltASGs    map[*Instance][]*Instance
	prefixes  map[*Instance]addrSet
	bastionLT map[*Instance]bool
	eniOwner  map[*Instance]*Target
	// defaults are the targets that land in their VPC's default group
	// (nic.go).
	defaults []defaultNeed

	rs    resolver
	arena []*Instance // backs pointees.insts (instSlice)
	strs  []string    // backs Target.SecurityGroups (strSlice)
	// ruleChunk and setChunk back the groups' rule slices and
	// b.ingressSets (reserveRules).
	ruleChunk []Rule
	setChunk  []addrSet

	ruleCounts  map[*SecurityGroup][2]int    // rule resources per group: ingress, egress
	ingressSets map[*SecurityGroup][]addrSet // sources of each Ingress rule, for computeExposure

	targets   []Target // slab for allocTarget
	nameMatch map[string]bool
	cidrs     cidrText
	unres     []Unresolved // this builder's part of Model.Unresolved, in order
}

// Build turns a parsed plan into the network model.
func Build(p *Plan, opts Options) (*Model, error) {
	pat := opts.BastionNamePattern
	if pat == "" {
		pat = DefaultBastionPattern
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, fmt.Errorf("bastion name pattern %q: %w", pat, err)
	}
	b := &builder{p: p, opts: opts, nameRE: re, nameLit: foldLiteral(pat)}
	byType := map[string][]*Instance{}
	for _, in := range p.Instances {
		if _, ok := modelTypes[in.Type]; ok && b.live(in) {
			byType[in.Type] = append(byType[in.Type], in)
		}
	}
	// Size the maps up front: growing them is a large share of Build.
	nSG := len(byType["aws_security_group"]) + len(byType["aws_default_security_group"])
	nTargets := nSG
	for _, t := range []string{"aws_instance", "aws_launch_template", "aws_lb", "aws_alb", "aws_db_instance"} {
		nTargets += len(byType[t])
	}
	b.m = &Model{
		ModelVersion:      ModelVersion,
		TerraformVersion:  p.TerraformVersion,
		Targets:           make(map[string]*Target, nTargets),
		SecurityGroups:    make(map[string]*SecurityGroup, nSG),
		AutoscalingGroups: map[string]*AutoscalingGroup{},
		NetworkACLRules:   []NetworkACLRule{},
		IPFilters:         []IPFilter{},
		Unresolved:        []Unresolved{},
	}
	b.sgs = b.m.SecurityGroups
	b.tmap = b.m.Targets
	b.sgOf = make(map[*Instance]string, nSG)
	b.targetOf = make(map[*Instance]*Target, nTargets)
	b.attached = make([]*Target, 0, nTargets)
	b.subnets = map[*Instance]bool{}
	b.ltASGs = map[*Instance][]*Instance{}
	b.prefixes = map[*Instance]addrSet{}
	b.bastionLT = map[*Instance]bool{}
	b.eniOwner = map[*Instance]*Target{}
	b.rs = newResolver(p)
	b.ingressSets = make(map[*SecurityGroup][]addrSet, nSG)
	b.cidrs = cidrText{}
	b.targets = make([]Target, 0, nTargets)
	b.nameMatch = map[string]bool{}
	for _, in := range byType["aws_ec2_managed_prefix_list"] {
		b.prefixList(in)
	}
	for _, in := range groupInstances(byType) {
		b.securityGroup(in)
	}
	// From here on the rules, the load balancers and the other targets are
	// built from read-only inputs (the plan, the groups' keys, the prefix
	// lists) into disjoint parts of the model, so on a large plan they are
	// built at the same time by forks with their own scratch, and merged in
	// a fixed order.
	parallel := parallelBuild(len(p.Instances))
	rb, lb := b, b
	if parallel {
		rb, lb = b.fork(), b.fork()
		// The load balancers' targets are kept apart and merged below.
		n := len(byType["aws_lb"]) + len(byType["aws_alb"])
		lb.tmap = make(map[string]*Target, n)
		lb.targetOf = make(map[*Instance]*Target, n)
		lb.attached = make([]*Target, 0, n)
	}
	var unres [3][]Unresolved
	tasks := []func(){
		func() { b.targetsOf(byType); unres[2] = b.takeUnresolved() },
		func() { rb.rulesAndFilters(byType); unres[0] = rb.takeUnresolved() },
		func() { lb.loadBalancers(byType); unres[1] = lb.takeUnresolved() },
	}
	if !parallel {
		// In turn, in the order of the unresolved entries.
		tasks[0], tasks[1], tasks[2] = tasks[1], tasks[2], tasks[0]
	}
	runTasks(parallel, tasks...)
	if lb != b {
		for a, t := range lb.tmap {
			b.m.Targets[a] = t
		}
		for in, t := range lb.targetOf {
			b.targetOf[in] = t
		}
		b.attached = append(b.attached, lb.attached...)
		b.extIDs = append(b.extIDs, lb.extIDs...)
	}
	for _, u := range unres {
		b.m.Unresolved = append(b.m.Unresolved, u...)
	}
	b.addDefaultGroups()
	b.fleets(byType)
	b.attachGroups()
	b.computeExposure()
	b.sortModel(parallel)
	return b.m, nil
}

// parallelMin is the number of plan instances from which Build uses a
// second core: below it, starting workers and warming their caches costs
// more than it saves.
var parallelMin = 1000 // a variable so that tests can force either way

func parallelBuild(instances int) bool {
	return instances >= parallelMin && runtime.GOMAXPROCS(0) > 1
}

// runTasks runs the tasks on up to GOMAXPROCS goroutines, the caller's
// included, each taking the next task when done; in turn when not
// parallel.
func runTasks(parallel bool, tasks ...func()) {
	w := 1
	if parallel {
		w = min(runtime.GOMAXPROCS(0), len(tasks))
	}
	var next atomic.Int32
	work := func() {
		for i := int(next.Add(1)) - 1; i < len(tasks); i = int(next.Add(1)) - 1 {
			tasks[i]()
		}
	}
	var wg sync.WaitGroup
	for range w - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// takeUnresolved returns the unresolved entries recorded so far and
// starts a new list.
func (b *builder) takeUnresolved() []Unresolved {
	u := b.unres
	b.unres = nil
	return u
}

// fork returns a builder for a concurrent part of Build: it shares the
// model and the read-only maps, and has its own resolver, slabs, caches
// and unresolved list. The parts given to forks must write disjoint maps.
func (b *builder) fork() *builder {
	w := *b
	w.rs = newResolver(b.p)
	w.arena, w.strs, w.targets, w.unres, w.ruleChunk, w.setChunk = nil, nil, nil, nil, nil, nil
	w.attached, w.extIDs = nil, nil
	w.nameMatch = map[string]bool{}
	w.cidrs = cidrText{}
	return &w
}

// rulesAndFilters adds every rule to its group and builds the network ACL
// rules and IP filters. It writes the groups (and b.sgs), b.ingressSets,
// the model's NetworkACLRules and IPFilters, and nothing the targets use.
func (b *builder) rulesAndFilters(byType map[string][]*Instance) {
	// Rules are added to their groups in the order: inline rules, then
	// rule resources; the groups of rule resources are resolved first so
	// that each group's rule slices are allocated once.
	standalone := b.standaloneRules(byType["aws_security_group_rule"],
		byType["aws_vpc_security_group_ingress_rule"], byType["aws_vpc_security_group_egress_rule"])
	for _, in := range groupInstances(byType) {
		b.inlineRules(in)
	}
	for sg, c := range b.ruleCounts {
		b.reserveRules(sg, c[0], c[1])
	}
	for _, r := range standalone {
		b.addRule(r.key, r.ri)
	}
	for _, in := range append(byType["aws_network_acl"], byType["aws_default_network_acl"]...) {
		b.networkACL(in)
	}
	for _, in := range byType["aws_network_acl_rule"] {
		b.networkACLRule(in)
	}
	for _, in := range byType["aws_lb_listener_rule"] {
		b.listenerRule(in)
	}
	for _, in := range byType["aws_wafv2_ip_set"] {
		b.wafIPSet(in)
	}
}

// loadBalancers builds the load balancers and their listeners. It reads
// the groups only through b.sgOf, and the targets only to find the
// listeners' load balancers.
func (b *builder) loadBalancers(byType map[string][]*Instance) {
	for _, in := range append(byType["aws_lb"], byType["aws_alb"]...) {
		b.loadBalancer(in)
	}
	for _, in := range append(byType["aws_lb_listener"], byType["aws_alb_listener"]...) {
		b.listener(in)
	}
}

// targetsOf builds the other targets and the autoscaling groups. It reads
// the groups only through b.sgOf, and the targets only to find Elastic
// IPs' instances.
func (b *builder) targetsOf(byType map[string][]*Instance) {
	for _, in := range byType["aws_subnet"] {
		if v, st := b.view(in).boolean("map_public_ip_on_launch"); st == known && v {
			b.subnets[in] = true
		}
	}
	for _, in := range byType["aws_autoscaling_group"] {
		b.autoscalingGroup(in)
	}
	for _, in := range byType["aws_launch_template"] {
		b.launchTemplate(in)
	}
	for _, in := range byType["aws_instance"] {
		b.instance(in)
	}
	for _, in := range byType["aws_db_instance"] {
		b.database(in)
	}
	b.networkInterfaces(byType)
	for _, in := range byType["aws_eip"] {
		b.eip(in, "instance", "network_interface")
	}
	for _, in := range byType["aws_eip_association"] {
		b.eip(in, "instance_id", "network_interface_id")
	}
}

func (b *builder) view(in *Instance) obj {
	if b.opts.Before {
		return in.Before
	}
	return in.After
}

// live reports whether the instance exists on the side of the plan being
// modelled.
func (b *builder) live(in *Instance) bool {
	if b.opts.Before {
		return !in.Created() && in.Before.exists()
	}
	return !in.Deleted() && in.After.exists()
}

func (b *builder) unresolved(addr, attr, reason string, r *Rule) {
	b.unres = append(b.unres, Unresolved{Address: addr, Attribute: attr, Reason: reason, Rule: r})
}

// isBastion applies the configured tag and name pattern.
func (b *builder) isBastion(in *Instance, tag tagLookup, names ...string) bool {
	for k, want := range b.opts.BastionTags {
		if v, ok := tag(k); ok && (want == "*" || strings.EqualFold(v, want)) {
			return true
		}
	}
	nameTag, _ := tag("Name")
	for _, n := range names {
		if n != "" && b.bastionName(n) {
			return true
		}
	}
	return (in.Name != "" && b.bastionName(in.Name)) || (nameTag != "" && b.bastionName(nameTag))
}

// tagLookup finds the value of a tag.
type tagLookup func(key string) (string, bool)

func mapTags(m map[string]string) tagLookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// lastString looks a key up in a map(string) attribute's members as strMap
// would have it, without building the map: the last member of the name
// counts, and only when it is a string.
func lastString(m fields, k string) (string, bool) {
	for i := len(m) - 1; i >= 0; i-- {
		if m[i].k == k {
			s, ok := m[i].v.(string)
			return s, ok
		}
	}
	return "", false
}

// bastionName matches the name pattern once per distinct name: instances of
// one resource share theirs. A pattern that is a case-insensitive literal
// (the default) is matched by hand in ASCII names: Name tags are mostly
// distinct, and the regexp was a tenth of Build.
func (b *builder) bastionName(n string) bool {
	if b.nameLit != "" && isASCII(n) {
		return containsFoldASCII(n, b.nameLit)
	}
	m, ok := b.nameMatch[n]
	if !ok {
		m = b.nameRE.MatchString(n)
		b.nameMatch[n] = m
	}
	return m
}

// foldLiteral returns, lower-cased, the literal that pattern looks for
// case-insensitively anywhere in a string, when it is only that (as
// "(?i)bastion" is) and plain ASCII.
func foldLiteral(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil || re.Op != syntax.OpLiteral || re.Flags&syntax.FoldCase == 0 {
		return ""
	}
	lit := make([]byte, 0, len(re.Rune))
	for _, r := range re.Rune {
		if r >= utf8.RuneSelf {
			return ""
		}
		lit = append(lit, lowerASCII(byte(r)))
	}
	return string(lit)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// containsFoldASCII reports whether s contains lit (lower case) ignoring
// ASCII case. Within ASCII that is what the regexp's case folding
// matches; strings with other characters (a "ſ" folds to "s") go to the
// regexp.
func containsFoldASCII(s, lit string) bool {
	for i := 0; i+len(lit) <= len(s); i++ {
		j := 0
		for j < len(lit) && lowerASCII(s[i+j]) == lit[j] {
			j++
		}
		if j == len(lit) {
			return true
		}
	}
	return false
}

func (b *builder) newTarget(in *Instance, kind, role string) *Target {
	t := b.allocTarget()
	*t = Target{Address: in.Address, Type: in.Type, Kind: kind, Role: role, Actions: in.Actions, SecurityGroups: []string{}, PublicExposure: []Exposure{}}
	b.tmap[in.Address] = t
	b.targetOf[in] = t
	return t
}

// allocTarget returns a zero Target from a shared slab: one allocation for
// all the targets instead of one each.
func (b *builder) allocTarget() *Target {
	if len(b.targets) == cap(b.targets) {
		b.targets = make([]Target, 0, 256)
	}
	b.targets = b.targets[:len(b.targets)+1]
	return &b.targets[len(b.targets)-1]
}

func addUnknown(list *[]string, attr string) {
	if !slices.Contains(*list, attr) {
		*list = append(*list, attr)
	}
}

// setGroups records the security groups a target is attached to.
func (b *builder) setGroups(t *Target, pts ...pointees) {
	n := 0
	for _, pt := range pts {
		n += len(pt.insts)
	}
	all := pointees{complete: true, insts: b.instSlice(n)}
	for _, pt := range pts {
		for _, in := range pt.insts {
			all.addInst(in)
		}
		all.external = append(all.external, pt.external...)
		all.complete = all.complete && pt.complete
	}
	b.attached = append(b.attached, t)
	b.extIDs = append(b.extIDs, all.external...)
	if !all.complete {
		addUnknown(&t.Unknown, "security_groups")
	}
	// The keys are known here, before the groups known only by id exist
	// (attachGroups adds them): such a group's key is its id. Sorting them
	// here puts the work in the concurrent part of Build.
	if n := len(all.insts) + len(all.external); n > 0 {
		keys := b.strSlice(n)
		for _, in := range all.insts {
			keys = append(keys, b.sgOf[in])
		}
		keys = append(keys, all.external...)
		slices.Sort(keys)
		t.SecurityGroups = slices.Compact(keys)
	}
}

// strSlice returns an empty slice with room for n strings, carved from a
// shared chunk as instSlice does.
func (b *builder) strSlice(n int) []string {
	if n > 64 {
		return make([]string, 0, n)
	}
	if len(b.strs)+n > cap(b.strs) {
		b.strs = make([]string, 0, 1024)
	}
	i := len(b.strs)
	b.strs = b.strs[:i+n]
	return b.strs[i : i : i+n]
}

func (b *builder) instance(in *Instance) {
	o := b.view(in)
	role := RoleServer
	tags, _ := o.field("tags")
	tagMembers, _ := tags.(fields)
	if b.isBastion(in, func(k string) (string, bool) { return lastString(tagMembers, k) }) {
		role = RoleBastion
	}
	t := b.newTarget(in, KindInstance, role)
	groups := []pointees{b.refsOf(in, o, "vpc_security_group_ids", cfgOf(in), sgTypes...)}
	if names, unk, _ := o.strs("security_groups"); len(names) > 0 || (unk && configured(in, "security_groups")) {
		groups = append(groups, b.groupsByName(in, o, names, unk))
	}
	for i, ni := range o.blocks("network_interface") {
		eni := b.refsOf(in, ni, "network_interface_id", cfgBlock(in, "network_interface", i, ni, "device_index"), "aws_network_interface")
		groups = append(groups, pointees{complete: eni.complete})
		for _, e := range eni.insts {
			b.eniOwner[e] = t
			eo := b.view(e)
			groups = append(groups, b.refsOf(e, eo, "security_groups", cfgOf(e), sgTypes...))
		}
	}
	b.setGroups(t, groups...)
	b.noteDefaultGroup(t, in, o, groups)

	switch v, st := o.boolean("associate_public_ip_address"); {
	case st == known:
		if v {
			t.PublicIP = true
			t.PublicIPVia = append(t.PublicIPVia, in.Address+".associate_public_ip_address")
		}
	case st == unknown && configured(in, "associate_public_ip_address"):
		addUnknown(&t.Unknown, "public_ip")
		t.Notes = append(t.Notes, "associate_public_ip_address is unknown until apply")
	default:
		// Not configured: the subnet's map_public_ip_on_launch decides.
		b.subnetPublicIP(t, in, o, "subnet_id")
	}
}

// subnetPublicIP applies the launch subnet's map_public_ip_on_launch.
func (b *builder) subnetPublicIP(t *Target, in *Instance, o obj, attr string) {
	sub := b.refsOf(in, o, attr, cfgOf(in), "aws_subnet")
	if sub.empty() && sub.complete {
		addUnknown(&t.Unknown, "public_ip")
		t.Notes = append(t.Notes, "no subnet: launches in the default VPC, whose subnets assign public IPs")
		return
	}
	for _, s := range sub.insts {
		if b.subnets[s] {
			t.PublicIP = true
			t.PublicIPVia = append(t.PublicIPVia, s.Address+".map_public_ip_on_launch")
		}
	}
	if !t.PublicIP && (!sub.complete || len(sub.external) > 0) {
		addUnknown(&t.Unknown, "public_ip")
		t.Notes = append(t.Notes, "launch subnet is not in the plan or stays unknown, so its map_public_ip_on_launch is unknown")
	}
}

// groupsByName resolves EC2-Classic/default-VPC security group names.
func (b *builder) groupsByName(in *Instance, o obj, names []string, someUnknown bool) pointees {
	pt := pointees{complete: !someUnknown}
	for _, n := range names {
		found := false
		for sgIn, key := range b.sgOf {
			if nm, _ := b.view(sgIn).str("name"); nm == n {
				pt.addInst(sgIn)
				found = true
				_ = key
			}
		}
		if !found {
			pt.external = append(pt.external, n)
		}
	}
	if someUnknown {
		more := b.refsOf(in, o, "security_groups", cfgOf(in), sgTypes...)
		for _, x := range more.insts {
			pt.addInst(x)
		}
		pt.complete = more.complete
	}
	return pt
}

func (b *builder) autoscalingGroup(in *Instance) {
	o := b.view(in)
	tags := map[string]string{}
	for _, tg := range o.blocks("tag") {
		k, _ := tg.str("key")
		v, _ := tg.str("value")
		tags[k] = v
	}
	name, _ := o.str("name")
	role := RoleServer
	if b.isBastion(in, mapTags(tags), name) {
		role = RoleBastion
	}
	a := &AutoscalingGroup{Address: in.Address, Role: role, Actions: in.Actions}
	b.m.AutoscalingGroups[in.Address] = a
	if n, st := o.num("max_instance_lifetime"); st == known {
		a.MaxInstanceLifetime = int(n)
	} else if st == unknown {
		addUnknown(&a.Unknown, "max_instance_lifetime")
	}

	// The launch template is in launch_template or in
	// mixed_instances_policy.launch_template.launch_template_specification.
	spec, specCfg, idAttr, nameAttr := obj{}, fields(nil), "id", "name"
	if lts := o.blocks("launch_template"); len(lts) > 0 {
		spec, specCfg = lts[0], cfgBlock(in, "launch_template", 0, lts[0])
	} else if mips := o.blocks("mixed_instances_policy"); len(mips) > 0 {
		idAttr, nameAttr = "launch_template_id", "launch_template_name"
		if l1 := mips[0].blocks("launch_template"); len(l1) > 0 {
			if l2 := l1[0].blocks("launch_template_specification"); len(l2) > 0 {
				spec = l2[0]
				specCfg = nestedCfg(cfgBlock(in, "mixed_instances_policy", 0, mips[0]), "launch_template", "launch_template_specification")
			}
		}
	}
	if !spec.exists() {
		a.VersionKind = "none"
		return
	}
	var lt pointees
	if _, st := spec.field(idAttr); st != absent {
		lt = b.refsOf(in, spec, idAttr, specCfg, "aws_launch_template")
	}
	if lt.empty() {
		if n, st := spec.str(nameAttr); st == known {
			lt = pointees{complete: true}
			for _, cand := range b.p.Instances {
				if cand.Type == "aws_launch_template" && b.live(cand) {
					if cn, _ := b.view(cand).str("name"); cn == n {
						lt.addInst(cand)
					}
				}
			}
			if lt.empty() {
				lt.external = []string{n}
			}
		} else if st == unknown {
			lt = b.refsOf(in, spec, nameAttr, specCfg, "aws_launch_template")
		}
	}
	switch {
	case len(lt.insts) == 1:
		a.LaunchTemplate = lt.insts[0].Address
		b.ltASGs[lt.insts[0]] = append(b.ltASGs[lt.insts[0]], in)
		if role == RoleBastion {
			b.bastionLT[lt.insts[0]] = true
		}
	case len(lt.external) == 1 && len(lt.insts) == 0:
		a.LaunchTemplate = lt.external[0]
	default:
		addUnknown(&a.Unknown, "launch_template")
	}

	v, st := spec.str("version")
	switch {
	case st == known:
		a.LaunchTemplateVersion = v
		a.VersionKind = versionKind(v)
	case st == absent:
		a.VersionKind = "default"
	default:
		res := pointees{}
		if e, ok := b.leaf(specCfg.value("version")); ok {
			b.rs.budget = resolveBudget
			targets, complete := b.resolveRefs(nil, e.refs, b.scopeOf(in), 0)
			if complete && len(targets) > 0 {
				res.complete = true
				for _, t := range targets {
					if t.inst.Type != "aws_launch_template" || (t.attr != "latest_version" && t.attr != "default_version") {
						res.complete = false
					}
				}
				if res.complete {
					a.LaunchTemplateVersion = targets[0].inst.Address + "." + targets[0].attr
					a.VersionKind = "reference"
				}
			}
		}
		if !res.complete {
			addUnknown(&a.Unknown, "launch_template_version")
			a.VersionKind = "unknown"
		}
	}
}

func nestedCfg(m fields, path ...string) fields {
	for _, p := range path {
		list, _ := m.value(p).([]any)
		if len(list) == 0 {
			return nil
		}
		m, _ = list[0].(fields)
	}
	return m
}

func versionKind(v string) string {
	switch {
	case v == "$Latest":
		return "latest"
	case v == "$Default" || v == "":
		return "default"
	}
	if _, err := strconv.Atoi(v); err == nil {
		return "number"
	}
	return "other"
}

func (b *builder) launchTemplate(in *Instance) {
	o := b.view(in)
	tags := o.strMap("tags")
	for _, ts := range o.blocks("tag_specifications") {
		for k, v := range ts.strMap("tags") {
			tags[k] = v
		}
	}
	name, _ := o.str("name")
	role := RoleServer
	if b.bastionLT[in] || b.isBastion(in, mapTags(tags), name) {
		role = RoleBastion
	}
	t := b.newTarget(in, KindLaunchTemplate, role)
	for _, a := range b.ltASGs[in] {
		t.UsedBy = append(t.UsedBy, a.Address)
	}
	groups := []pointees{b.refsOf(in, o, "vpc_security_group_ids", cfgOf(in), sgTypes...)}
	assocUnset := true
	for i, ni := range o.blocks("network_interfaces") {
		cfg := cfgBlock(in, "network_interfaces", i, ni)
		groups = append(groups, b.refsOf(in, ni, "security_groups", cfg, sgTypes...))
		switch v, st := ni.str("associate_public_ip_address"); {
		case st == known && v == "true":
			t.PublicIP = true
			t.PublicIPVia = append(t.PublicIPVia, fmt.Sprintf("%s.network_interfaces[%d].associate_public_ip_address", in.Address, i))
			assocUnset = false
		case st == known:
			assocUnset = false
		case st == unknown:
			addUnknown(&t.Unknown, "public_ip")
			t.Notes = append(t.Notes, fmt.Sprintf("network_interfaces[%d].associate_public_ip_address is unknown until apply", i))
			assocUnset = false
		}
	}
	b.setGroups(t, groups...)
	b.noteTemplateDefaultGroup(t, in, groups)
	if assocUnset {
		// Instances get the launch subnet's default: the subnets of every
		// group that launches this template.
		for _, asg := range b.ltASGs[in] {
			b.subnetPublicIP(t, asg, b.view(asg), "vpc_zone_identifier")
		}
	}
}

func (b *builder) loadBalancer(in *Instance) {
	o := b.view(in)
	t := b.newTarget(in, KindLoadBalancer, RoleLoadBalancer)
	t.LoadBalancerType, _ = o.str("load_balancer_type")
	if t.LoadBalancerType == "" {
		t.LoadBalancerType = "application"
	}
	switch v, st := o.boolean("internal"); {
	case st == known:
		t.InternetFacing = !v
	case st == unknown && configured(in, "internal"):
		addUnknown(&t.Unknown, "internet_facing")
	default:
		t.InternetFacing = true
		t.Notes = append(t.Notes, "internal is not set: AWS creates an internet-facing load balancer")
	}
	b.setGroups(t, b.refsOf(in, o, "security_groups", cfgOf(in), sgTypes...))
	t.Listeners = []Listener{}
}

func (b *builder) listener(in *Instance) {
	o := b.view(in)
	lb := b.refsOf(in, o, "load_balancer_arn", cfgOf(in), "aws_lb", "aws_alb")
	l := Listener{Address: in.Address, DefaultActions: []string{}}
	if n, st := o.num("port"); st == known {
		l.Port = int(n)
	} else if st == unknown {
		addUnknown(&l.Unknown, "port")
	}
	var lbTarget *Target
	if len(lb.insts) == 1 {
		lbTarget = b.targetOf[lb.insts[0]]
	}
	switch p, st := o.str("protocol"); {
	case st == known:
		l.Protocol = strings.ToUpper(p)
	case st == unknown && configured(in, "protocol"):
		addUnknown(&l.Unknown, "protocol")
	case lbTarget != nil:
		// Not configured: the provider defaults to HTTP for application
		// and TCP for network load balancers.
		l.Protocol = "HTTP"
		if lbTarget.LoadBalancerType == "network" {
			l.Protocol = "TCP"
		}
	default:
		addUnknown(&l.Unknown, "protocol")
	}
	for _, a := range o.blocks("default_action") {
		typ, _ := a.str("type")
		l.DefaultActions = append(l.DefaultActions, typ)
		if typ == "redirect" {
			for _, r := range a.blocks("redirect") {
				proto, _ := r.str("protocol")
				port, _ := r.str("port")
				if strings.EqualFold(proto, "HTTPS") && (port == "443" || (port == "#{port}" && l.Port == 443)) {
					l.RedirectsToHTTPS = true
				}
			}
		}
	}
	if lbTarget == nil {
		b.unresolved(in.Address, "load_balancer_arn", "the listener's load balancer is not in the plan or stays unknown", nil)
		return
	}
	lbTarget.Listeners = append(lbTarget.Listeners, l)
}

func (b *builder) database(in *Instance) {
	o := b.view(in)
	t := b.newTarget(in, KindDatabase, RoleDatabase)
	b.setGroups(t, b.refsOf(in, o, "vpc_security_group_ids", cfgOf(in), sgTypes...))
	switch v, st := o.boolean("publicly_accessible"); {
	case st == known && v:
		t.PublicIP = true
		t.PublicIPVia = []string{in.Address + ".publicly_accessible"}
	case st == unknown:
		addUnknown(&t.Unknown, "public_ip")
	}
}

// eip marks the instance an Elastic IP is associated with as public.
func (b *builder) eip(in *Instance, instAttr, eniAttr string) {
	o := b.view(in)
	insts := b.refsOf(in, o, instAttr, cfgOf(in), "aws_instance")
	// Unset instance and interface are provider-computed, not associations.
	enis := b.refsOf(in, o, eniAttr, cfgOf(in), "aws_network_interface")
	hit := false
	for _, x := range insts.insts {
		if t := b.targetOf[x]; t != nil {
			t.PublicIP = true
			t.PublicIPVia = append(t.PublicIPVia, in.Address)
			hit = true
		}
	}
	for _, eni := range enis.insts {
		if t := b.eniOwner[eni]; t != nil {
			t.PublicIP = true
			t.PublicIPVia = append(t.PublicIPVia, in.Address)
			hit = true
		}
	}
	if !hit && (!insts.complete || !enis.complete) {
		b.unresolved(in.Address, instAttr, "the Elastic IP's instance or network interface stays unknown", nil)
	}
}

func (b *builder) networkACL(in *Instance) {
	o := b.view(in)
	for _, dir := range []string{"ingress", "egress"} {
		for _, r := range o.blocks(dir) {
			b.m.NetworkACLRules = append(b.m.NetworkACLRules, naclRule(in.Address, in.Address, dir == "egress", r, "rule_no", "action"))
		}
	}
}

func (b *builder) networkACLRule(in *Instance) {
	o := b.view(in)
	acl := b.refsOf(in, o, "network_acl_id", cfgOf(in), "aws_network_acl")
	aclAddr := ""
	if len(acl.insts) == 1 {
		aclAddr = acl.insts[0].Address
	} else if len(acl.external) == 1 {
		aclAddr = acl.external[0]
	}
	egress, _ := o.boolean("egress")
	b.m.NetworkACLRules = append(b.m.NetworkACLRules, naclRule(in.Address, aclAddr, egress, o, "rule_number", "rule_action"))
}

func naclRule(addr, acl string, egress bool, o obj, numAttr, actionAttr string) NetworkACLRule {
	r := NetworkACLRule{Address: addr, ACL: acl, Egress: egress}
	if n, st := o.num(numAttr); st == known {
		r.RuleNumber = int(n)
	}
	r.Action, _ = o.str(actionAttr)
	proto, st := o.str("protocol")
	if st == unknown {
		addUnknown(&r.Unknown, "protocol")
	}
	r.Protocol = normProtocol(proto)
	from, _ := o.num("from_port")
	to, _ := o.num("to_port")
	r.FromPort, r.ToPort = int(from), int(to)
	if r.Protocol == "all" {
		r.FromPort, r.ToPort = 0, 65535
	}
	for _, attr := range []string{"cidr_block", "ipv6_cidr_block"} {
		switch c, st := o.str(attr); st {
		case known:
			if c == "" {
				continue
			}
			r.CIDR = c
			if p, ok := parseCIDR(c); ok {
				r.World = p == allIPv4 || p == allIPv6
			}
		case unknown:
			addUnknown(&r.Unknown, "cidr")
		}
	}
	return r
}

func (b *builder) listenerRule(in *Instance) {
	o := b.view(in)
	f := IPFilter{Address: in.Address, Kind: "lb_listener_rule_source_ip", CIDRs: []string{}}
	found := false
	for _, c := range o.blocks("condition") {
		for _, s := range c.blocks("source_ip") {
			found = true
			vals, unk, _ := s.strs("values")
			f.CIDRs = append(f.CIDRs, vals...)
			if unk {
				addUnknown(&f.Unknown, "cidrs")
			}
		}
	}
	if found {
		b.m.IPFilters = append(b.m.IPFilters, f)
	}
}

func (b *builder) wafIPSet(in *Instance) {
	o := b.view(in)
	vals, unk, _ := o.strs("addresses")
	f := IPFilter{Address: in.Address, Kind: "wafv2_ip_set", CIDRs: append([]string{}, vals...)}
	if unk {
		addUnknown(&f.Unknown, "cidrs")
	}
	b.m.IPFilters = append(b.m.IPFilters, f)
}

// attachGroups records which targets each group protects, marks bastion
// groups, and turns groups that protect nothing into targets of their own
// so their rules are still checked.
func (b *builder) attachGroups() {
	protects := make(map[string]int, len(b.sgs))
	total := 0
	for _, id := range b.extIDs {
		b.externalGroup(id)
	}
	for _, t := range b.attached {
		for _, key := range t.SecurityGroups {
			protects[key]++
		}
		total += len(t.SecurityGroups)
	}
	// Size each group's Protects once, from one chunk.
	chunk := make([]string, 0, total)
	for key, n := range protects {
		if sg := b.sgs[key]; sg != nil {
			sg.Protects = chunk[len(chunk) : len(chunk) : len(chunk)+n]
			chunk = chunk[:len(chunk)+n]
		}
	}
	for _, t := range b.attached {
		for _, key := range t.SecurityGroups {
			sg := b.sgs[key]
			sg.Protects = append(sg.Protects, t.Address)
			if t.Role == RoleBastion {
				sg.Bastion = true
			}
		}
	}
	for key, sg := range b.sgs {
		if len(sg.Protects) == 0 {
			t := b.allocTarget()
			*t = Target{Address: sg.Address, Type: "aws_security_group", Kind: KindSecurityGroup, Role: RoleUnattached,
				Actions: []string{}, SecurityGroups: []string{key}, PublicExposure: []Exposure{}}
			if sg.External {
				t.Address, t.Type = key, "external_security_group"
			}
			b.m.Targets[t.Address] = t
			sg.Protects = []string{t.Address}
		}
	}
}

// sortModel sorts the model's lists and lists its exposure rows: the
// groups' part and the targets' part touch disjoint data, so on a large
// plan they run at the same time.
func (b *builder) sortModel(parallel bool) {
	runTasks(parallel, b.sortTargets, b.sortGroups)
	b.m.Exposures = b.exposureRows()
}

func (b *builder) sortGroups() {
	for _, sg := range b.sgs {
		sort.Strings(sg.Protects)
		sortRules(sg.Ingress)
		sortRules(sg.Egress)
	}
}

func (b *builder) sortTargets() {
	for _, t := range b.m.Targets {
		sort.Slice(t.Listeners, func(i, j int) bool { return t.Listeners[i].Address < t.Listeners[j].Address })
		sort.Strings(t.UsedBy)
	}
	sort.Slice(b.m.NetworkACLRules, func(i, j int) bool {
		a, c := b.m.NetworkACLRules[i], b.m.NetworkACLRules[j]
		if a.Address != c.Address {
			return a.Address < c.Address
		}
		if a.Egress != c.Egress {
			return !a.Egress
		}
		return a.RuleNumber < c.RuleNumber
	})
	sort.Slice(b.m.IPFilters, func(i, j int) bool { return b.m.IPFilters[i].Address < b.m.IPFilters[j].Address })
	sort.Slice(b.m.Unresolved, func(i, j int) bool {
		a, c := b.m.Unresolved[i], b.m.Unresolved[j]
		if a.Address != c.Address {
			return a.Address < c.Address
		}
		return a.Attribute < c.Attribute
	})
}

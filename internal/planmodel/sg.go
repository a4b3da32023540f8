package planmodel

import (
	"slices"
	"strings"
)

func (b *builder) securityGroup(in *Instance) {
	o := b.view(in)
	sg := &SecurityGroup{Address: in.Address, Protects: []string{}, Ingress: []Rule{}, Egress: []Rule{}}
	sg.Name, _ = o.str("name")
	sg.ID, _ = o.str("id")
	b.sgs[in.Address] = sg
	b.sgOf[in] = in.Address
}

// externalGroup returns the key of a group known only by id.
func (b *builder) externalGroup(id string) string {
	if _, ok := b.sgs[id]; !ok {
		b.sgs[id] = &SecurityGroup{ID: id, External: true, Protects: []string{}, Ingress: []Rule{}, Egress: []Rule{}}
	}
	return id
}

func (b *builder) prefixList(in *Instance) {
	var ps []string
	for _, e := range b.view(in).blocks("entry") {
		if c, st := e.str("cidr"); st == known {
			ps = append(ps, c)
		}
	}
	set, _ := parseCIDRs(ps)
	b.prefixes[in] = set
}

// parsedRule keeps a rule's sources as an address set for exposure math.
type parsedRule struct {
	rule *Rule
	set  addrSet
}

// ruleInput is a rule as declared, before normalization.
type ruleInput struct {
	in        *Instance
	declared  string
	ingress   bool
	o         obj
	cfg       fields // configuration of the rule (block or resource)
	protoAttr string
	cidr4     string
	cidr6     string
	prefix    string
	srcSG     string
	selfAttr  string
}

var inlineRule = ruleInput{protoAttr: "protocol", cidr4: "cidr_blocks", cidr6: "ipv6_cidr_blocks", prefix: "prefix_list_ids", srcSG: "security_groups", selfAttr: "self"}

func (b *builder) inlineRules(in *Instance) {
	o := b.view(in)
	key := b.sgOf[in]
	sg := b.sgs[key]
	ingress, egress := o.blocks("ingress"), o.blocks("egress")
	c := b.ruleCounts[sg]
	delete(b.ruleCounts, sg)
	b.reserveRules(sg, len(ingress)+c[0], len(egress)+c[1])
	for _, dir := range []string{"ingress", "egress"} {
		blocks := ingress
		if dir == "egress" {
			blocks = egress
		}
		for _, el := range blocks {
			ri := inlineRule
			ri.in, ri.declared, ri.ingress, ri.o = in, in.Address, dir == "ingress", el
			ri.cfg = cfgBlock(in, dir, 0, el, "from_port", "to_port", "protocol")
			b.addRule(key, ri)
		}
	}
}

// standaloneRule is a rule resource whose group is resolved, waiting until
// every group's rule slices are sized.
type standaloneRule struct {
	key string
	ri  ruleInput
}

// standaloneRules resolves the groups of rule resources and counts the
// rules of each group (in b.ruleCounts); inlineRules then sizes the
// groups' rule slices once instead of growing them rule by rule.
func (b *builder) standaloneRules(sgRules []*Instance, vpcRules ...[]*Instance) []standaloneRule {
	n := len(sgRules)
	for _, l := range vpcRules {
		n += len(l)
	}
	out := make([]standaloneRule, 0, n)
	b.ruleCounts = make(map[*SecurityGroup][2]int, n)
	add := func(in *Instance, ri ruleInput) {
		key, ok := b.ruleGroup(in, ri)
		if !ok {
			return
		}
		out = append(out, standaloneRule{key, ri})
		sg := b.sgs[key]
		c := b.ruleCounts[sg]
		if ri.ingress {
			c[0]++
		} else {
			c[1]++
		}
		b.ruleCounts[sg] = c
	}
	for _, in := range sgRules {
		add(in, b.sgRuleInput(in))
	}
	for _, l := range vpcRules {
		for _, in := range l {
			add(in, b.vpcRuleInput(in))
		}
	}
	return out
}

// reserveRules makes room for more rules in a group. The room of a group
// without rules yet is carved from shared chunks: one allocation per
// group and slice was a tenth of the rules' part of Build.
func (b *builder) reserveRules(sg *SecurityGroup, ingress, egress int) {
	sg.Ingress = b.growRules(sg.Ingress, ingress)
	sg.Egress = b.growRules(sg.Egress, egress)
	sets := b.ingressSets[sg]
	switch {
	case len(sets) > 0 || ingress > 64:
		sets = slices.Grow(sets, ingress)
	case ingress > 0:
		if len(b.setChunk)+ingress > cap(b.setChunk) {
			b.setChunk = make([]addrSet, 0, 512)
		}
		i := len(b.setChunk)
		b.setChunk = b.setChunk[:i+ingress]
		sets = b.setChunk[i : i : i+ingress]
	}
	b.ingressSets[sg] = sets
}

func (b *builder) growRules(rs []Rule, n int) []Rule {
	if len(rs) > 0 || n > 64 {
		return slices.Grow(rs, n)
	}
	if n == 0 {
		return rs
	}
	if len(b.ruleChunk)+n > cap(b.ruleChunk) {
		b.ruleChunk = make([]Rule, 0, 256)
	}
	i := len(b.ruleChunk)
	b.ruleChunk = b.ruleChunk[:i+n]
	return b.ruleChunk[i : i : i+n]
}

func (b *builder) sgRuleInput(in *Instance) ruleInput {
	o := b.view(in)
	typ, _ := o.str("type")
	ri := ruleInput{in: in, declared: in.Address, ingress: typ == "ingress", o: o, protoAttr: "protocol",
		cidr4: "cidr_blocks", cidr6: "ipv6_cidr_blocks", prefix: "prefix_list_ids", srcSG: "source_security_group_id", selfAttr: "self"}
	if in.cfg != nil {
		ri.cfg = in.cfg.exprs
	}
	return ri
}

func (b *builder) vpcRuleInput(in *Instance) ruleInput {
	o := b.view(in)
	ri := ruleInput{in: in, declared: in.Address, ingress: in.Type == "aws_vpc_security_group_ingress_rule", o: o,
		protoAttr: "ip_protocol", cidr4: "cidr_ipv4", cidr6: "cidr_ipv6", prefix: "prefix_list_id", srcSG: "referenced_security_group_id"}
	if in.cfg != nil {
		ri.cfg = in.cfg.exprs
	}
	return ri
}

// ruleGroup finds the group a standalone rule resource names. A rule whose
// group stays unknown is reported as unresolved.
func (b *builder) ruleGroup(in *Instance, ri ruleInput) (string, bool) {
	sg := b.refsOf(in, ri.o, "security_group_id", cfgOf(in), sgTypes...)
	if len(sg.insts)+len(sg.external) == 1 && sg.complete {
		if len(sg.insts) == 1 {
			return b.sgOf[sg.insts[0]], true
		}
		return b.externalGroup(sg.external[0]), true
	}
	for _, id := range sg.external {
		b.externalGroup(id)
	}
	r, _ := b.normalize(ri, "")
	addUnknown(&r.Unknown, "security_group")
	b.unresolved(in.Address, "security_group_id", "the rule's security group is unknown until apply and the configuration does not say which group it is", &r)
	return "", false
}

func (b *builder) addRule(sgKey string, ri ruleInput) {
	sg := b.sgs[sgKey]
	r, set := b.normalize(ri, sgKey)
	if ri.ingress {
		sg.Ingress = append(sg.Ingress, r)
		b.ingressSets[sg] = append(b.ingressSets[sg], set)
	} else {
		sg.Egress = append(sg.Egress, r)
	}
}

// normalize turns a declared rule into a Rule: protocol names, port
// intervals, CIDR sets (prefix lists in the plan expanded) and source
// groups, with anything unknown listed.
func (b *builder) normalize(ri ruleInput, sgKey string) (Rule, addrSet) {
	o := ri.o
	r := Rule{DeclaredIn: ri.declared, SecurityGroup: sgKey, CIDRv4: []string{}, CIDRv6: []string{}, PrefixLists: []string{}, SourceSecurityGroups: []string{}}
	proto, st := o.str(ri.protoAttr)
	if st == unknown {
		addUnknown(&r.Unknown, "protocol")
	}
	r.Protocol = normProtocol(proto)
	from, fst := o.num("from_port")
	to, tst := o.num("to_port")
	if fst == unknown || tst == unknown {
		addUnknown(&r.Unknown, "ports")
	}
	r.FromPort, r.ToPort = int(from), int(to)
	switch r.Protocol {
	case "all":
		r.FromPort, r.ToPort = 0, 65535
	case "tcp", "udp":
		if fst == absent && tst == absent {
			r.FromPort, r.ToPort = 0, 65535
		}
		r.FromPort, r.ToPort = max(0, min(r.FromPort, r.ToPort)), min(65535, max(r.FromPort, r.ToPort))
		if r.ToPort < 0 {
			r.ToPort = 65535
		}
	}
	cidrs, unk4, _ := strOrStrs(o, ri.cidr4)
	v6, unk6, _ := strOrStrs(o, ri.cidr6)
	if len(cidrs) == 0 {
		cidrs = v6
	} else if len(v6) > 0 {
		cidrs = append(slices.Clip(cidrs), v6...)
	}
	if unk4 || unk6 {
		addUnknown(&r.Unknown, "cidrs")
	}
	set, bad := parseCIDRs(cidrs)
	if bad {
		addUnknown(&r.Unknown, "cidrs")
	}
	pls := b.refsOf(ri.in, o, ri.prefix, ri.cfg, "aws_ec2_managed_prefix_list")
	for _, pl := range pls.insts {
		set = set.union(b.prefixes[pl])
	}
	r.PrefixLists = append(r.PrefixLists, pls.external...)
	if !pls.complete {
		addUnknown(&r.Unknown, "prefix_lists")
	}
	r.CIDRv4, r.CIDRv6 = b.cidrs.prefixes(set)
	if r.CIDRv4 == nil {
		r.CIDRv4 = []string{}
	}
	if r.CIDRv6 == nil {
		r.CIDRv6 = []string{}
	}
	r.World = set.covers(allIPv4) || set.covers(allIPv6)
	r.Public = len(set) > 0 && !set.within(internalSpace)

	srcs := b.refsOf(ri.in, o, ri.srcSG, ri.cfg, sgTypes...)
	for _, x := range srcs.insts {
		r.SourceSecurityGroups = append(r.SourceSecurityGroups, b.sgOf[x])
	}
	for _, id := range srcs.external {
		r.SourceSecurityGroups = append(r.SourceSecurityGroups, b.externalGroup(id))
	}
	if !srcs.complete {
		addUnknown(&r.Unknown, "source_security_groups")
	}
	if ri.selfAttr != "" {
		switch v, st := o.boolean(ri.selfAttr); {
		case st == known && v:
			r.Self = true
		case st == unknown:
			addUnknown(&r.Unknown, "self")
		}
	}
	if b.opts.Before || len(r.Unknown) == 0 {
		r.Unknown = nil
	}
	return r, set
}

// strOrStrs reads an attribute that is a single CIDR string in one resource
// type and a list in another.
func strOrStrs(o obj, attr string) ([]string, bool, state) {
	v, st := o.field(attr)
	if st == unknown {
		return nil, true, st
	}
	if s, ok := v.(string); ok {
		if s == "" {
			return nil, false, absent
		}
		return []string{s}, false, st
	}
	return o.strs(attr)
}

func parseCIDRs(cidrs []string) (addrSet, bool) {
	set := make(addrSet, 0, len(cidrs))
	bad := false
	for _, c := range cidrs {
		p, ok := parseCIDR(strings.TrimSpace(c))
		if !ok {
			bad = true
			continue
		}
		set = append(set, addrRange{p.Addr(), lastAddr(p)})
	}
	return set.normalize(), bad
}

// normProtocol maps the spellings AWS accepts to one name.
func normProtocol(p string) string {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "-1", "all":
		return "all"
	case "6", "tcp":
		return "tcp"
	case "17", "udp":
		return "udp"
	case "1", "icmp":
		return "icmp"
	case "58", "icmpv6":
		return "icmpv6"
	case "":
		return ""
	}
	return strings.ToLower(p)
}

func sortRules(rs []Rule) {
	slices.SortStableFunc(rs, func(a, b Rule) int {
		if c := strings.Compare(a.DeclaredIn, b.DeclaredIn); c != 0 {
			return c
		}
		if c := strings.Compare(a.Protocol, b.Protocol); c != 0 {
			return c
		}
		return a.FromPort - b.FromPort
	})
}

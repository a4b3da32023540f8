package planmodel

import "slices"

// Network interfaces, default security groups and default network ACLs.
//
// AWS semantics modelled here:
//
//   - An aws_network_interface is attached to an instance by the instance's
//     network_interface block (build.go) or by its own attachment block
//     (attachment.instance); the interface's security_groups then protect
//     that instance, and an Elastic IP on the interface gives the instance
//     a public address. aws_network_interface_sg_attachment adds one more
//     group to an interface. An interface attached to no instance in the
//     plan is a target of its own (kind network_interface).
//   - aws_default_security_group is the VPC's default group ("default"):
//     the provider adopts it, removes every rule and creates only the
//     inline ingress/egress rules of the configuration, so those rules are
//     all it has. It is a security group like any other in the model.
//   - An instance (or a launch template launched by autoscaling groups)
//     that names no security group (no vpc_security_group_ids, no
//     security_groups, no network interface) is put by EC2 in the
//     default group of its subnet's VPC (AWS VPC User Guide, "Default
//     security groups for your VPCs"). When the plan has no
//     aws_default_security_group for that VPC, the group keeps the rules
//     AWS creates it with: all traffic in from members of the group itself,
//     all traffic out to 0.0.0.0/0 (and ::/0 when the VPC has IPv6). The
//     model then adds it as an external group keyed "default:<vpc>" with
//     those two rules, declared in "aws-default-rules".
//   - aws_default_network_acl's inline ingress/egress entries are network
//     ACL rules like aws_network_acl's.

// nicTypes are the resource types this file reads, with their attributes.
var nicTypes = map[string]attrSet{
	"aws_default_security_group":          attrs("name", "vpc_id", "ingress", "egress"),
	"aws_default_network_acl":             attrs("ingress", "egress"),
	"aws_network_interface_sg_attachment": attrs("security_group_id", "network_interface_id"),
	// VPCs are read only to be resolvable: which default group is whose.
	"aws_vpc": attrs(),
}

// sgTypes are the resource types that are security groups.
var sgTypes = []string{"aws_security_group", "aws_default_security_group"}

// KindNetworkInterface is a network interface attached to no instance in
// the plan.
const KindNetworkInterface = "network_interface"

// DefaultRulesOrigin is the declared_in of the rules a default security
// group has when the plan does not manage it.
const DefaultRulesOrigin = "aws-default-rules"

// defaultNeed is a target that lands in its VPC's default group: vpc is
// the key of that VPC (an address or an id), or "" for the default VPC.
type defaultNeed struct {
	t   *Target
	vpc string
}

func groupInstances(byType map[string][]*Instance) []*Instance {
	d := byType["aws_default_security_group"]
	if len(d) == 0 {
		return byType["aws_security_group"]
	}
	return append(slices.Clip(byType["aws_security_group"]), d...)
}

// noteDefaultGroup records an instance that names no security group at
// all: EC2 puts it in its VPC's default group.
func (b *builder) noteDefaultGroup(t *Target, in *Instance, o obj, groups []pointees) {
	for _, g := range groups {
		if !g.complete || !g.empty() {
			return
		}
	}
	if len(o.blocks("network_interface")) > 0 {
		return
	}
	vpc, ok := b.subnetVPC(in, o, "subnet_id")
	if !ok {
		addUnknown(&t.Unknown, "security_groups")
		t.Notes = append(t.Notes, "names no security group and its subnet's VPC is unknown, so which default group it lands in is unknown")
		return
	}
	b.defaults = append(b.defaults, defaultNeed{t: t, vpc: vpc})
}

// noteTemplateDefaultGroup records a launch template that names no
// security group: its instances land in the default group of the VPC of
// the subnets their autoscaling groups launch them in.
func (b *builder) noteTemplateDefaultGroup(t *Target, in *Instance, groups []pointees) {
	for _, g := range groups {
		if !g.complete || !g.empty() {
			return
		}
	}
	asgs := b.ltASGs[in]
	if len(asgs) == 0 {
		return // launched by nothing in the plan: where is not known
	}
	vpc := ""
	for i, a := range asgs {
		v, ok := b.subnetVPC(a, b.view(a), "vpc_zone_identifier")
		if !ok || (i > 0 && v != vpc) {
			addUnknown(&t.Unknown, "security_groups")
			t.Notes = append(t.Notes, "names no security group and the VPC its groups launch it in is unknown, so which default group its instances land in is unknown")
			return
		}
		vpc = v
	}
	b.defaults = append(b.defaults, defaultNeed{t: t, vpc: vpc})
}

// subnetVPC returns the key of the VPC of the subnet attr names: "" when
// no subnet is set (the default VPC), false when it cannot be told.
func (b *builder) subnetVPC(in *Instance, o obj, attr string) (string, bool) {
	sub := b.refsOf(in, o, attr, cfgOf(in), "aws_subnet")
	if sub.empty() && sub.complete {
		return "", true
	}
	if len(sub.insts) == 0 || len(sub.external) > 0 || !sub.complete {
		return "", false
	}
	// A reference into a counted subnet may resolve to several of them:
	// they are one answer when they are in one VPC.
	vpc := ""
	for i, s := range sub.insts {
		v, ok := b.vpcKey(s, b.view(s), "vpc_id")
		if !ok || (i > 0 && v != vpc) {
			return "", false
		}
		vpc = v
	}
	return vpc, true
}

// vpcKey resolves a vpc_id attribute to the VPC's address, or its id when
// the VPC is not in the plan.
func (b *builder) vpcKey(in *Instance, o obj, attr string) (string, bool) {
	if _, st := o.field(attr); st == absent {
		return "", true // the default VPC
	}
	v := b.refsOf(in, o, attr, cfgOf(in), "aws_vpc")
	switch {
	case len(v.insts) == 1 && len(v.external) == 0 && v.complete:
		return v.insts[0].Address, true
	case len(v.insts) == 0 && len(v.external) == 1 && v.complete:
		return v.external[0], true
	case v.empty() && v.complete:
		return "", true
	}
	return "", false
}

// networkInterfaces attaches interfaces through their own attachment
// block, makes targets of the interfaces no instance owns, and applies
// aws_network_interface_sg_attachment. It runs after the instances.
func (b *builder) networkInterfaces(byType map[string][]*Instance) {
	for _, e := range byType["aws_network_interface"] {
		if b.eniOwner[e] != nil {
			continue
		}
		o := b.view(e)
		groups := b.refsOf(e, o, "security_groups", cfgOf(e), sgTypes...)
		for i, att := range o.blocks("attachment") {
			inst := b.refsOf(e, att, "instance", cfgBlock(e, "attachment", i, att, "device_index"), "aws_instance")
			for _, x := range inst.insts {
				if t := b.targetOf[x]; t != nil {
					b.eniOwner[e] = t
					b.addGroups(t, groups)
				}
			}
			if !inst.complete && b.eniOwner[e] == nil {
				b.unresolved(e.Address, "attachment.instance", "the network interface's instance stays unknown", nil)
			}
		}
		if b.eniOwner[e] != nil {
			continue
		}
		role := RoleServer
		tags, _ := o.field("tags")
		members, _ := tags.(fields)
		if b.isBastion(e, func(k string) (string, bool) { return lastString(members, k) }) {
			role = RoleBastion
		}
		t := b.newTarget(e, KindNetworkInterface, role)
		b.setGroups(t, groups)
		b.eniOwner[e] = t
	}
	for _, in := range byType["aws_network_interface_sg_attachment"] {
		o := b.view(in)
		enis := b.refsOf(in, o, "network_interface_id", cfgOf(in), "aws_network_interface")
		sg := b.refsOf(in, o, "security_group_id", cfgOf(in), sgTypes...)
		hit := false
		for _, e := range enis.insts {
			if t := b.eniOwner[e]; t != nil {
				b.addGroups(t, sg)
				hit = true
			}
		}
		if !hit {
			b.unresolved(in.Address, "network_interface_id", "the security group attachment's network interface is not in the plan or stays unknown", nil)
		}
	}
}

// addGroups adds groups to a target whose groups are already set.
func (b *builder) addGroups(t *Target, pt pointees) {
	if !pt.complete {
		addUnknown(&t.Unknown, "security_groups")
	}
	if pt.empty() {
		return
	}
	keys := make([]string, 0, len(t.SecurityGroups)+len(pt.insts)+len(pt.external))
	keys = append(keys, t.SecurityGroups...)
	for _, in := range pt.insts {
		keys = append(keys, b.sgOf[in])
	}
	keys = append(keys, pt.external...)
	b.extIDs = append(b.extIDs, pt.external...)
	slices.Sort(keys)
	t.SecurityGroups = slices.Compact(keys)
}

// addDefaultGroups puts the targets that name no group in their VPC's
// default group: the plan's aws_default_security_group for that VPC, or
// a group with AWS's default rules. It runs after the concurrent part of
// Build, before attachGroups.
func (b *builder) addDefaultGroups() {
	if len(b.defaults) == 0 {
		return
	}
	managed := map[string]string{} // VPC key → group key
	for in, key := range b.sgOf {
		if in.Type != "aws_default_security_group" {
			continue
		}
		if vpc, ok := b.vpcKey(in, b.view(in), "vpc_id"); ok {
			managed[vpc] = key
		}
	}
	for _, d := range b.defaults {
		key, ok := managed[d.vpc]
		if !ok {
			key = b.awsDefaultGroup(d.vpc)
		}
		keys := append(slices.Clip(d.t.SecurityGroups), key)
		slices.Sort(keys)
		d.t.SecurityGroups = slices.Compact(keys)
		d.t.Notes = append(d.t.Notes, "names no security group: EC2 puts it in its VPC's default security group "+key)
	}
}

// awsDefaultGroup returns the key of a default group the plan does not
// manage, adding it with the rules AWS creates default groups with.
func (b *builder) awsDefaultGroup(vpc string) string {
	name := vpc
	if name == "" {
		name = "default-vpc"
	}
	key := "default:" + name
	if _, ok := b.sgs[key]; ok {
		return key
	}
	sg := &SecurityGroup{ID: key, Name: "default", External: true, Protects: []string{}}
	sg.Ingress = []Rule{{DeclaredIn: DefaultRulesOrigin, SecurityGroup: key, Protocol: "all", FromPort: 0, ToPort: 65535,
		CIDRv4: []string{}, CIDRv6: []string{}, PrefixLists: []string{}, SourceSecurityGroups: []string{}, Self: true}}
	sg.Egress = []Rule{{DeclaredIn: DefaultRulesOrigin, SecurityGroup: key, Protocol: "all", FromPort: 0, ToPort: 65535,
		CIDRv4: []string{"0.0.0.0/0"}, CIDRv6: []string{}, PrefixLists: []string{}, SourceSecurityGroups: []string{}, World: true, Public: true}}
	b.sgs[key] = sg
	b.ingressSets[sg] = []addrSet{nil}
	return key
}

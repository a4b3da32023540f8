package planmodel

import (
	"slices"
)

// Fleets, target groups and the sre provider's resources: the facts the
// REL rules judge.
//
//   - A fleet is an autoscaling group, an instance registered in a target
//     group (aws_lb_target_group_attachment), or a bastion instance. Its target groups come
//     from the group's target_group_arns, aws_autoscaling_attachment and
//     aws_lb_target_group_attachment; its load balancers are those with a
//     listener whose default action forwards to one of those target groups
//     (type forward with target_group_arn, or forward.target_group.arn).
//   - An sre_slo's references are the resources its sli configuration
//     refers to anywhere (the metrics' dimensions, say), resolved through
//     modules and variables as ids are: what it measures. A reference
//     through a local or data source makes the list incomplete
//     ("references" in unknown).
//   - An sre_alert_policy's slos are the sre_slo resources its slo
//     attribute refers to, or the one of the same name when slo is written
//     out.
//   - An sre_asg_rollout's autoscaling group is the one its
//     autoscaling_group_name refers to or names; an sre_ring_rollout's are
//     those its rings' groups refer to or name (by name only: a group of
//     the same name in another region counts too). Both are in
//     sre.asg_rollouts.

// fleetTypes are the resource types (and extra attributes of types read
// for the network model) this file reads.
var fleetTypes = map[string]attrSet{
	"aws_autoscaling_group":          attrs("target_group_arns", "instance_refresh"),
	"aws_launch_template":            attrs("image_id"),
	"aws_lb_target_group":            attrs("name"),
	"aws_lb_target_group_attachment": attrs("target_group_arn", "target_id"),
	"aws_autoscaling_attachment":     attrs("autoscaling_group_name", "lb_target_group_arn"),
	"sre_slo":                        attrs("name"),
	"sre_alert_policy":               attrs("name", "slo"),
	"sre_asg_rollout":                attrs("autoscaling_group_name"),
	"sre_ring_rollout":               attrs("rings"),
}

// Fleet is a group of servers that serves traffic or is rolled.
type Fleet struct {
	Address string   `json:"address"`
	Type    string   `json:"type"`
	Role    string   `json:"role"`
	Actions []string `json:"actions"`
	// TargetGroups and LoadBalancers are addresses; InternetFacing is true
	// when one of the load balancers is internet-facing.
	TargetGroups   []string `json:"target_groups"`
	LoadBalancers  []string `json:"load_balancers"`
	InternetFacing bool     `json:"internet_facing"`
	// Autoscaling groups only: the launch template (as in
	// autoscaling_groups), whether its image_id changes in this plan, and
	// the instance_refresh block.
	LaunchTemplate        string `json:"launch_template,omitempty"`
	LaunchTemplateVersion string `json:"launch_template_version,omitempty"`
	VersionKind           string `json:"version_kind,omitempty"`
	ImageChange           bool   `json:"image_change"`
	InstanceRefresh       bool   `json:"instance_refresh"`
	MaxInstanceLifetime   int    `json:"max_instance_lifetime"`
	// Rollouts are the sre_asg_rollout resources that roll this group.
	Rollouts []string `json:"rollouts"`
	Unknown  []string `json:"unknown,omitempty"`
}

// TargetGroup is an aws_lb_target_group with the load balancers and
// listeners that forward to it.
type TargetGroup struct {
	Address       string   `json:"address"`
	LoadBalancers []string `json:"load_balancers"`
	Listeners     []string `json:"listeners"`
}

// SREResources are the sre provider's resources in the plan.
type SREResources struct {
	SLOs          map[string]*SLO         `json:"slos"`
	AlertPolicies map[string]*AlertPolicy `json:"alert_policies"`
	Rollouts      map[string]*Rollout     `json:"asg_rollouts"`
}

// SLO is an sre_slo with the resources its configuration refers to.
type SLO struct {
	Address    string   `json:"address"`
	Name       string   `json:"name"`
	References []string `json:"references"`
	Unknown    []string `json:"unknown,omitempty"`
}

// AlertPolicy is an sre_alert_policy with the SLOs it alerts on.
type AlertPolicy struct {
	Address string   `json:"address"`
	SLOs    []string `json:"slos"`
	Unknown []string `json:"unknown,omitempty"`
}

// Rollout is an sre_asg_rollout with the group it rolls.
type Rollout struct {
	Address           string   `json:"address"`
	AutoscalingGroups []string `json:"autoscaling_groups"`
	Unknown           []string `json:"unknown,omitempty"`
}

// fleets builds Model.Fleets, TargetGroups and SRE. It runs after the
// concurrent part of Build: it reads the load balancers' targets and the
// autoscaling groups.
func (b *builder) fleets(byType map[string][]*Instance) {
	m := b.m
	m.Fleets = map[string]*Fleet{}
	m.TargetGroups = map[string]*TargetGroup{}
	m.SRE = &SREResources{SLOs: map[string]*SLO{}, AlertPolicies: map[string]*AlertPolicy{}, Rollouts: map[string]*Rollout{}}
	for _, in := range byType["aws_lb_target_group"] {
		m.TargetGroups[in.Address] = &TargetGroup{Address: in.Address, LoadBalancers: []string{}, Listeners: []string{}}
	}
	b.forwards(append(slices.Clip(byType["aws_lb_listener"]), byType["aws_alb_listener"]...))

	lts := make(map[string]*Instance, len(byType["aws_launch_template"]))
	for _, lt := range byType["aws_launch_template"] {
		lts[lt.Address] = lt
	}
	asgs := make(map[*Instance]*Fleet, len(byType["aws_autoscaling_group"]))
	for _, in := range byType["aws_autoscaling_group"] {
		f := b.newFleet(in)
		asgs[in] = f
		o := b.view(in)
		if a := m.AutoscalingGroups[in.Address]; a != nil {
			f.LaunchTemplate, f.LaunchTemplateVersion, f.VersionKind = a.LaunchTemplate, a.LaunchTemplateVersion, a.VersionKind
			f.MaxInstanceLifetime = a.MaxInstanceLifetime
		}
		f.InstanceRefresh = len(o.blocks("instance_refresh")) > 0
		tgs := b.refsOf(in, o, "target_group_arns", cfgOf(in), "aws_lb_target_group")
		b.addTargetGroups(f, tgs)
		if lt := lts[f.LaunchTemplate]; lt != nil && b.imageChanges(lt) {
			f.ImageChange = true
		}
	}
	named := b.asgNames(byType["aws_autoscaling_group"])
	for _, in := range byType["aws_autoscaling_attachment"] {
		o := b.view(in)
		for _, g := range b.asgsNamed(in, o, "autoscaling_group_name", named).insts {
			b.addTargetGroups(asgs[g], b.refsOf(in, o, "lb_target_group_arn", cfgOf(in), "aws_lb_target_group"))
		}
	}
	for _, in := range byType["aws_lb_target_group_attachment"] {
		o := b.view(in)
		tgs := b.refsOf(in, o, "target_group_arn", cfgOf(in), "aws_lb_target_group")
		for _, x := range b.refsOf(in, o, "target_id", cfgOf(in), "aws_instance").insts {
			f := m.Fleets[x.Address]
			if f == nil {
				f = b.newFleet(x)
			}
			b.addTargetGroups(f, tgs)
		}
	}
	// Bastion instances are fleets of their own even behind no load
	// balancer: REL003 asks what recycles them.
	for _, in := range byType["aws_instance"] {
		if t := b.targetOf[in]; t != nil && t.Role == RoleBastion && m.Fleets[in.Address] == nil {
			b.newFleet(in)
		}
	}
	for _, in := range byType["sre_asg_rollout"] {
		r := &Rollout{Address: in.Address, AutoscalingGroups: []string{}}
		m.SRE.Rollouts[in.Address] = r
		g := b.asgsNamed(in, b.view(in), "autoscaling_group_name", named)
		for _, x := range g.insts {
			r.AutoscalingGroups = append(r.AutoscalingGroups, x.Address)
			asgs[x].Rollouts = append(asgs[x].Rollouts, in.Address)
		}
		r.AutoscalingGroups = append(r.AutoscalingGroups, g.external...)
		if !g.complete {
			addUnknown(&r.Unknown, "autoscaling_groups")
		}
	}
	for _, in := range byType["sre_ring_rollout"] {
		b.ringRollout(in, named, asgs)
	}
	slos := map[string][]string{} // name → addresses
	for _, in := range byType["sre_slo"] {
		s := &SLO{Address: in.Address, References: []string{}}
		s.Name, _ = b.view(in).str("name")
		slos[s.Name] = append(slos[s.Name], in.Address)
		m.SRE.SLOs[in.Address] = s
		var refs []string
		collectRefs(cfgOf(in).value("sli"), &refs)
		targets, complete := b.resolveAll(in, refs)
		for _, t := range targets {
			s.References = append(s.References, t.inst.Address)
		}
		if !complete {
			addUnknown(&s.Unknown, "references")
		}
		sortCompact(&s.References)
	}
	for _, in := range byType["sre_alert_policy"] {
		p := &AlertPolicy{Address: in.Address, SLOs: []string{}}
		m.SRE.AlertPolicies[in.Address] = p
		var refs []string
		collectRefs(cfgOf(in).value("slo"), &refs)
		targets, complete := b.resolveAll(in, refs)
		for _, t := range targets {
			if t.inst.Type == "sre_slo" {
				p.SLOs = append(p.SLOs, t.inst.Address)
			}
		}
		if len(refs) == 0 {
			// Written out: the SLO of the same name, when it is in the plan.
			if o, _ := b.view(in).field("slo"); o != nil {
				if so, ok := newObj(o, nil); ok {
					if n, st := so.str("name"); st == known {
						p.SLOs = append(p.SLOs, slos[n]...)
					}
				}
			}
		}
		if !complete {
			addUnknown(&p.Unknown, "slos")
		}
		sortCompact(&p.SLOs)
	}
	for _, f := range m.Fleets {
		sortCompact(&f.TargetGroups)
		sortCompact(&f.Rollouts)
		for _, tg := range f.TargetGroups {
			if t := m.TargetGroups[tg]; t != nil {
				f.LoadBalancers = append(f.LoadBalancers, t.LoadBalancers...)
			}
		}
		sortCompact(&f.LoadBalancers)
		for _, lb := range f.LoadBalancers {
			if t := m.Targets[lb]; t != nil && t.InternetFacing {
				f.InternetFacing = true
			}
			if t := m.Targets[lb]; t != nil && slices.Contains(t.Unknown, "internet_facing") {
				addUnknown(&f.Unknown, "internet_facing")
			}
		}
	}
	for _, t := range m.TargetGroups {
		sortCompact(&t.LoadBalancers)
		sortCompact(&t.Listeners)
	}
}

func (b *builder) newFleet(in *Instance) *Fleet {
	role := RoleServer
	if t := b.targetOf[in]; t != nil {
		role = t.Role
	}
	if a := b.m.AutoscalingGroups[in.Address]; a != nil {
		role = a.Role
	}
	f := &Fleet{Address: in.Address, Type: in.Type, Role: role, Actions: in.Actions, TargetGroups: []string{}, LoadBalancers: []string{}, Rollouts: []string{}}
	b.m.Fleets[in.Address] = f
	return f
}

func (b *builder) addTargetGroups(f *Fleet, tgs pointees) {
	if f == nil {
		return
	}
	for _, tg := range tgs.insts {
		f.TargetGroups = append(f.TargetGroups, tg.Address)
	}
	f.TargetGroups = append(f.TargetGroups, tgs.external...)
	if !tgs.complete {
		addUnknown(&f.Unknown, "target_groups")
	}
}

// forwards records, for each target group, the listeners whose default
// action forwards to it and their load balancers.
func (b *builder) forwards(listeners []*Instance) {
	for _, in := range listeners {
		o := b.view(in)
		lb := b.refsOf(in, o, "load_balancer_arn", cfgOf(in), "aws_lb", "aws_alb")
		for i, a := range o.blocks("default_action") {
			if typ, _ := a.str("type"); typ != "forward" {
				continue
			}
			cfg := cfgBlock(in, "default_action", i, a)
			tgs := b.refsOf(in, a, "target_group_arn", cfg, "aws_lb_target_group")
			for _, fw := range a.blocks("forward") {
				for _, tg := range fw.blocks("target_group") {
					more := b.refsOf(in, tg, "arn", nestedCfg(cfg, "forward", "target_group"), "aws_lb_target_group")
					for _, x := range more.insts {
						tgs.addInst(x)
					}
				}
			}
			for _, x := range tgs.insts {
				t := b.m.TargetGroups[x.Address]
				t.Listeners = append(t.Listeners, in.Address)
				for _, l := range lb.insts {
					t.LoadBalancers = append(t.LoadBalancers, l.Address)
				}
			}
		}
	}
}

// asgsNamed resolves an autoscaling group name attribute: through its
// reference, or by the groups' name when the name is known.
func (b *builder) asgsNamed(in *Instance, o obj, attr string, named map[string][]*Instance) pointees {
	pt := b.refsOf(in, o, attr, cfgOf(in), "aws_autoscaling_group")
	var ext []string
	for _, n := range pt.external {
		for _, g := range named[n] {
			pt.addInst(g)
		}
		if len(named[n]) == 0 {
			ext = append(ext, n)
		}
	}
	pt.external = ext
	return pt
}

// asgNames indexes autoscaling groups by their known name.
func (b *builder) asgNames(groups []*Instance) map[string][]*Instance {
	named := make(map[string][]*Instance, len(groups))
	for _, g := range groups {
		if n, st := b.view(g).str("name"); st == known {
			named[n] = append(named[n], g)
		}
	}
	return named
}

// imageChanges reports whether a launch template's image_id differs
// before and after the plan (an unknown new image counts as a change).
func (b *builder) imageChanges(lt *Instance) bool {
	if b.opts.Before || !lt.Before.exists() || lt.Deleted() {
		return false
	}
	before, bst := lt.Before.str("image_id")
	after, ast := lt.After.str("image_id")
	if ast == unknown {
		return true
	}
	return bst != ast || before != after
}

// resolveAll resolves configuration references to resource instances.
func (b *builder) resolveAll(in *Instance, refs []string) ([]target, bool) {
	if len(refs) == 0 {
		return nil, true
	}
	b.rs.budget = resolveBudget
	return b.resolveRefs(nil, refs, b.scopeOf(in), 0)
}

// collectRefs gathers the references of every expression under a
// configuration value (attributes, nested blocks, object attributes).
func collectRefs(v any, dst *[]string) {
	switch x := v.(type) {
	case fields:
		if e, ok := leafExpr(x); ok {
			*dst = append(*dst, e.refs...)
			return
		}
		for _, f := range x {
			collectRefs(f.v, dst)
		}
	case []any:
		for _, el := range x {
			collectRefs(el, dst)
		}
	}
}

func sortCompact(s *[]string) {
	slices.Sort(*s)
	*s = slices.Compact(*s)
}

// ringRollout records the groups an sre_ring_rollout rolls.
func (b *builder) ringRollout(in *Instance, named map[string][]*Instance, asgs map[*Instance]*Fleet) {
	r := &Rollout{Address: in.Address, AutoscalingGroups: []string{}}
	b.m.SRE.Rollouts[in.Address] = r
	add := func(g *Instance) {
		r.AutoscalingGroups = append(r.AutoscalingGroups, g.Address)
		if f := asgs[g]; f != nil && !slices.Contains(f.Rollouts, in.Address) {
			f.Rollouts = append(f.Rollouts, in.Address)
		}
	}
	var refs []string
	collectRefs(cfgOf(in).value("rings"), &refs)
	targets, complete := b.resolveAll(in, refs)
	for _, t := range targets {
		if t.inst.Type == "aws_autoscaling_group" {
			add(t.inst)
		}
	}
	o := b.view(in)
	rings, st := o.field("rings")
	if st == unknown {
		complete = false
	}
	list, _ := rings.([]any)
	for _, ring := range list {
		ro, _ := newObj(ring, nil)
		groups, _ := ro.field("groups")
		gl, _ := groups.([]any)
		for _, g := range gl {
			gobj, _ := newObj(g, nil)
			if n, st := gobj.str("autoscaling_group_name"); st == known {
				if len(named[n]) == 0 {
					r.AutoscalingGroups = append(r.AutoscalingGroups, n)
				}
				for _, x := range named[n] {
					add(x)
				}
			}
		}
	}
	if !complete {
		addUnknown(&r.Unknown, "autoscaling_groups")
	}
	sortCompact(&r.AutoscalingGroups)
}

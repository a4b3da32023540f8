package check

import (
	"encoding/json"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
)

// The policies' input is the model as plain Go maps, slices and scalars
// (nativeModel) wrapped in ast.LazyObject: OPA converts an object member
// only when a policy reads it, and converts a whole object when a policy
// iterates, compares or hashes it, so every policy sees the complete model
// (what --dump-model's JSON decodes to) while the bundled rules, which
// start from input.index and look up a few targets and groups, pay only
// for those.
//
// The native tree is read-only and may be shared, but a lazy object caches
// what it converted without locking: every concurrent evaluation needs its
// own root (lazyInput). Lazy objects are only ever created by OPA from the
// map[string]any values below, never stored in the tree.
//
// Everything in the tree must be a type ast.InterfaceToValue converts
// natively (string, bool, int, []string, []any, map[string]any) or nil,
// except the targets and groups of a byJSON tree (see nativeModel), which
// OPA converts through their JSON. A nil slice is nil here, as
// encoding/json writes it as null.

// lazyInput returns a fresh lazy root over a native model.
func lazyInput(native map[string]any) ast.Value { return ast.LazyObject(native) }

// nativeModel builds the native tree of m. Repeated scalars and short
// lists are boxed once and shared.
//
// With byJSON, the targets and security groups are left as the model's
// structs (jsonTarget, jsonGroup), and OPA converts one through its JSON
// form when a policy reads it. The bundled rules read the index and hardly any target or group, so
// this skips building thousands of maps nobody reads (at 10k resources,
// 18 ms of CPU and 8 MB). A policy that walks every target would pay a
// JSON round trip for each (2.5 times the time of the native tree), so
// runs with extra policies build the native tree in full.
func nativeModel(m *planmodel.Model, byJSON bool) map[string]any {
	var targets, groups map[string]any
	done := make(chan struct{})
	b := newNativeBuilder()
	if byJSON {
		targets = make(map[string]any, len(m.Targets))
		for k, t := range m.Targets {
			targets[k] = jsonTarget{t}
		}
		groups = make(map[string]any, len(m.SecurityGroups))
		for k, g := range m.SecurityGroups {
			groups[k] = jsonGroup{g}
		}
		close(done)
	} else {
		// Targets are built on another core, with their own caches.
		go func() {
			defer close(done)
			b := newNativeBuilder()
			b.exposures = map[*planmodel.Exposure]any{}
			targets = make(map[string]any, len(m.Targets))
			for k, t := range m.Targets {
				targets[k] = b.target(t)
			}
		}()
		groups = make(map[string]any, len(m.SecurityGroups))
		for k, g := range m.SecurityGroups {
			groups[k] = b.group(g)
		}
	}
	asgs := make(map[string]any, len(m.AutoscalingGroups))
	for k, a := range m.AutoscalingGroups {
		asgs[k] = b.asg(a)
	}
	<-done
	root := map[string]any{
		"model_version":      m.ModelVersion,
		"terraform_version":  m.TerraformVersion,
		"targets":            nilMap(m.Targets == nil, targets),
		"security_groups":    nilMap(m.SecurityGroups == nil, groups),
		"autoscaling_groups": nilMap(m.AutoscalingGroups == nil, asgs),
		"network_acl_rules":  each(m.NetworkACLRules, b.naclRule),
		"ip_filters":         each(m.IPFilters, b.ipFilter),
		"unresolved":         each(m.Unresolved, b.unresolved),
	}
	if m.Index != nil {
		root["index"] = b.index(m.Index)
	}
	addFleetFacts(root, m)
	return root
}

// jsonTarget and jsonGroup stand for a target and a group in a byJSON
// tree. OPA converts a value of a type it does not know through its JSON,
// and builtins that read the raw input (json.marshal) marshal it too; both
// get the JSON of the native tree (keys sorted), so either tree gives the
// same results.
type jsonTarget struct{ t *planmodel.Target }

func (j jsonTarget) MarshalJSON() ([]byte, error) {
	b := newNativeBuilder()
	b.exposures = map[*planmodel.Exposure]any{}
	return json.Marshal(b.target(j.t))
}

type jsonGroup struct{ g *planmodel.SecurityGroup }

func (j jsonGroup) MarshalJSON() ([]byte, error) { return json.Marshal(newNativeBuilder().group(j.g)) }

type nativeBuilder struct {
	strs      map[string]any              // boxed kinds, roles, protocols, group keys
	ints      map[int]any                 // boxed ports and rule numbers
	singles   map[string]any              // boxed one-element lists, by element
	empty     any                         // the boxed empty list
	exposures map[*planmodel.Exposure]any // targets only
}

func newNativeBuilder() *nativeBuilder {
	return &nativeBuilder{strs: map[string]any{}, ints: map[int]any{}, singles: map[string]any{}}
}

func nilMap(isNil bool, m map[string]any) any {
	if isNil {
		return nil
	}
	return m
}

// each converts a slice of structs to a list of native objects.
func each[T any](xs []T, f func(*T) any) any {
	if xs == nil {
		return nil
	}
	out := make([]any, len(xs))
	for i := range xs {
		out[i] = f(&xs[i])
	}
	return out
}

// boxed returns k boxed, once per value: repeated kinds, roles, protocols
// and ports share one box.
func boxed[K comparable](boxes map[K]any, k K) any {
	v, ok := boxes[k]
	if !ok {
		v = k
		boxes[k] = v
	}
	return v
}

func (b *nativeBuilder) sym(s string) any { return boxed(b.strs, s) }

func (b *nativeBuilder) num(n int) any { return boxed(b.ints, n) }

// list boxes a string list, sharing the empty list.
func (b *nativeBuilder) list(ss []string) any {
	switch {
	case ss == nil:
		return nil
	case len(ss) == 0:
		if b.empty == nil {
			b.empty = []string{}
		}
		return b.empty
	}
	return ss
}

// syms is list for lists that repeat across the model (actions, CIDRs):
// one-element lists are boxed once per element.
func (b *nativeBuilder) syms(ss []string) any {
	if len(ss) != 1 {
		return b.list(ss)
	}
	v, ok := b.singles[ss[0]]
	if !ok {
		v = ss
		b.singles[ss[0]] = v
	}
	return v
}

// Struct fields tagged omitempty are set only when encoding/json would
// write them.

func setStr(o map[string]any, k, s string) {
	if s != "" {
		o[k] = s
	}
}

func (b *nativeBuilder) setList(o map[string]any, k string, ss []string) {
	if len(ss) > 0 {
		o[k] = b.list(ss)
	}
}

func (b *nativeBuilder) target(t *planmodel.Target) any {
	o := make(map[string]any, 8)
	o["address"] = t.Address
	o["type"] = b.sym(t.Type)
	o["kind"] = b.sym(t.Kind)
	o["role"] = b.sym(t.Role)
	o["actions"] = b.syms(t.Actions)
	o["security_groups"] = b.list(t.SecurityGroups)
	o["public_ip"] = t.PublicIP
	o["exposure"] = b.exposure(t.Exposure)
	b.setList(o, "public_ip_via", t.PublicIPVia)
	if t.InternetFacing {
		o["internet_facing"] = true
	}
	setStr(o, "load_balancer_type", t.LoadBalancerType)
	if len(t.Listeners) > 0 {
		o["listeners"] = each(t.Listeners, b.listener)
	}
	b.setList(o, "used_by", t.UsedBy)
	b.setList(o, "unknown", t.Unknown)
	b.setList(o, "notes", t.Notes)
	return o
}

func (b *nativeBuilder) listener(l *planmodel.Listener) any {
	o := map[string]any{
		"address": l.Address, "port": b.num(l.Port), "protocol": b.sym(l.Protocol),
		"default_actions": b.syms(l.DefaultActions), "redirects_to_https": l.RedirectsToHTTPS,
	}
	b.setList(o, "unknown", l.Unknown)
	return o
}

// exposure converts a target's exposure; targets behind the same groups
// share one slice, and so one native list.
func (b *nativeBuilder) exposure(es []planmodel.Exposure) any {
	if len(es) == 0 {
		return each(es, b.exposureEntry)
	}
	key := &es[0]
	if v, ok := b.exposures[key]; ok && len(v.([]any)) == len(es) {
		return v
	}
	v := each(es, b.exposureEntry)
	b.exposures[key] = v
	return v
}

func (b *nativeBuilder) exposureEntry(e *planmodel.Exposure) any {
	return map[string]any{
		"protocol": b.sym(e.Protocol), "from_port": b.num(e.FromPort), "to_port": b.num(e.ToPort),
		"cidr_ipv4": b.syms(e.CIDRv4), "cidr_ipv6": b.syms(e.CIDRv6), "world": e.World, "public": e.Public,
		"via": b.list(e.Via),
	}
}

func (b *nativeBuilder) group(g *planmodel.SecurityGroup) any {
	o := map[string]any{
		"external": g.External, "protects": b.list(g.Protects), "bastion": g.Bastion,
		"ingress": each(g.Ingress, b.rule), "egress": each(g.Egress, b.rule),
	}
	setStr(o, "address", g.Address)
	setStr(o, "id", g.ID)
	setStr(o, "name", g.Name)
	return o
}

func (b *nativeBuilder) rule(r *planmodel.Rule) any {
	o := map[string]any{
		"declared_in": r.DeclaredIn, "security_group": b.sym(r.SecurityGroup), "protocol": b.sym(r.Protocol),
		"from_port": b.num(r.FromPort), "to_port": b.num(r.ToPort),
		"cidr_ipv4": b.syms(r.CIDRv4), "cidr_ipv6": b.syms(r.CIDRv6), "prefix_lists": b.list(r.PrefixLists),
		"source_security_groups": b.list(r.SourceSecurityGroups), "self": r.Self, "world": r.World, "public": r.Public,
	}
	b.setList(o, "unknown", r.Unknown)
	return o
}

func (b *nativeBuilder) asg(a *planmodel.AutoscalingGroup) any {
	o := map[string]any{
		"address": a.Address, "role": b.sym(a.Role), "actions": b.syms(a.Actions),
		"launch_template_version": a.LaunchTemplateVersion, "version_kind": b.sym(a.VersionKind),
		"max_instance_lifetime": a.MaxInstanceLifetime,
	}
	setStr(o, "launch_template", a.LaunchTemplate)
	b.setList(o, "unknown", a.Unknown)
	return o
}

func (b *nativeBuilder) naclRule(r *planmodel.NetworkACLRule) any {
	o := map[string]any{
		"address": r.Address, "network_acl": r.ACL, "egress": r.Egress, "rule_number": b.num(r.RuleNumber),
		"action": b.sym(r.Action), "protocol": b.sym(r.Protocol), "from_port": b.num(r.FromPort), "to_port": b.num(r.ToPort),
		"cidr": r.CIDR, "world": r.World,
	}
	b.setList(o, "unknown", r.Unknown)
	return o
}

func (b *nativeBuilder) ipFilter(f *planmodel.IPFilter) any {
	o := map[string]any{"address": f.Address, "kind": b.sym(f.Kind), "cidrs": b.list(f.CIDRs)}
	b.setList(o, "unknown", f.Unknown)
	return o
}

func (b *nativeBuilder) unresolved(u *planmodel.Unresolved) any {
	o := map[string]any{"address": u.Address, "attribute": u.Attribute, "reason": u.Reason}
	if u.Rule != nil {
		o["rule"] = b.rule(u.Rule)
	}
	return o
}

func (b *nativeBuilder) index(ix *planmodel.Index) any {
	var ports []any
	if ix.PublicIngress.PublicPorts != nil {
		ports = make([]any, len(ix.PublicIngress.PublicPorts))
		for i, p := range ix.PublicIngress.PublicPorts {
			ports[i] = b.num(p)
		}
	}
	ss := &ix.SSHSources
	lbl := &ix.LBListeners
	return map[string]any{
		"public_exposures":  tuples(ix.PublicExposures),
		"unknown_targets":   tuples(ix.UnknownTargets),
		"unknown_rules":     tuples(ix.UnknownRules),
		"prefix_list_rules": tuples(ix.PrefixListRules),
		"load_balancers":    b.list(ix.LoadBalancers),
		"public_ip_targets": b.list(ix.PublicIPTargets),
		"ssh_port":          ix.SSHPort,
		"ssh_rules":         tuples(ix.SSHRules),
		"public_ingress": map[string]any{
			"public_ports": nilList(ix.PublicIngress.PublicPorts == nil, ports), "allow_http_redirect": ix.PublicIngress.AllowHTTPRedirect,
			"ssh_port": ix.PublicIngress.SSHPort, "violations": tuples(ix.PublicIngress.Violations),
		},
		"ssh_sources": map[string]any{
			"admin_cidrs": b.list(ss.AdminCIDRs), "exact": ss.Exact, "rules": each(ss.Rules, b.sshRule),
			"violations": tuples(ss.Violations),
		},
		"lb_listeners": map[string]any{
			"allow_http_redirect": lbl.AllowHTTPRedirect, "violations": tuples(lbl.Violations), "unknown": tuples(lbl.Unknown),
		},
	}
}

func nilList(isNil bool, l []any) any {
	if isNil {
		return nil
	}
	return l
}

func (b *nativeBuilder) sshRule(r *planmodel.SSHRuleSources) any {
	return map[string]any{
		"group": b.sym(r.Group), "rule": b.num(r.Rule), "ports": b.sym(r.Ports), "declared_in": r.DeclaredIn,
		"server": tuples(r.Server), "bastion": tuples(r.Bastion),
	}
}

// tuples lists fixed-size tuples of strings or of scalars, without copying
// them: a tuple's slice is a view of the model's array.
func tuples[T [2]any | [3]any | [2]string | [3]string | [4]string | [5]string](ts []T) any {
	if ts == nil {
		return nil
	}
	out := make([]any, len(ts))
	for i := range ts {
		switch t := any(&ts[i]).(type) {
		case *[2]any:
			out[i] = t[:]
		case *[3]any:
			out[i] = t[:]
		case *[2]string:
			out[i] = t[:]
		case *[3]string:
			out[i] = t[:]
		case *[4]string:
			out[i] = t[:]
		case *[5]string:
			out[i] = t[:]
		}
	}
	return out
}

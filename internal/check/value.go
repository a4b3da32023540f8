package check

import (
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
)

// modelValue builds OPA's input value straight from the model, without a
// JSON round trip. It produces exactly what the model's JSON encoding
// (--dump-model) decodes to, and shares one term between targets whose
// exposure is the same slice, which is common in large fleets.
func modelValue(m *planmodel.Model) ast.Value {
	// Targets are converted on another core while the groups and the rest
	// are converted here; each side has its own caches.
	done := make(chan *ast.Term, 1)
	go func() {
		c := converter{exposures: map[*planmodel.Exposure]*ast.Term{}, keys: map[string]*ast.Term{}}
		targets := make([][2]*ast.Term, 0, len(m.Targets))
		for k, t := range m.Targets {
			targets = append(targets, ast.Item(ast.StringTerm(k), c.target(t)))
		}
		done <- ast.NewTerm(ast.NewObject(targets...))
	}()
	c := converter{keys: map[string]*ast.Term{}}
	groups := make([][2]*ast.Term, 0, len(m.SecurityGroups))
	for k, g := range m.SecurityGroups {
		groups = append(groups, ast.Item(ast.StringTerm(k), c.group(g)))
	}
	asgs := make([][2]*ast.Term, 0, len(m.AutoscalingGroups))
	for k, a := range m.AutoscalingGroups {
		asgs = append(asgs, ast.Item(ast.StringTerm(k), c.asg(a)))
	}
	nacl := make([]*ast.Term, 0, len(m.NetworkACLRules))
	for _, r := range m.NetworkACLRules {
		nacl = append(nacl, c.naclRule(r))
	}
	filters := make([]*ast.Term, 0, len(m.IPFilters))
	for _, f := range m.IPFilters {
		filters = append(filters, c.obj(
			"address", str(f.Address), "kind", str(f.Kind), "cidrs", strs(f.CIDRs), opt("unknown", f.Unknown)))
	}
	unresolved := make([]*ast.Term, 0, len(m.Unresolved))
	for _, u := range m.Unresolved {
		items := []any{"address", str(u.Address), "attribute", str(u.Attribute), "reason", str(u.Reason)}
		if u.Rule != nil {
			items = append(items, "rule", c.rule(*u.Rule))
		}
		unresolved = append(unresolved, c.obj(items...))
	}
	items := [][2]*ast.Term{
		ast.Item(ast.StringTerm("model_version"), ast.IntNumberTerm(m.ModelVersion)),
		ast.Item(ast.StringTerm("terraform_version"), ast.StringTerm(m.TerraformVersion)),
		ast.Item(ast.StringTerm("targets"), <-done),
		ast.Item(ast.StringTerm("security_groups"), ast.NewTerm(ast.NewObject(groups...))),
		ast.Item(ast.StringTerm("autoscaling_groups"), ast.NewTerm(ast.NewObject(asgs...))),
		ast.Item(ast.StringTerm("network_acl_rules"), ast.ArrayTerm(nacl...)),
		ast.Item(ast.StringTerm("ip_filters"), ast.ArrayTerm(filters...)),
		ast.Item(ast.StringTerm("unresolved"), ast.ArrayTerm(unresolved...)),
	}
	if m.Index != nil {
		items = append(items, ast.Item(ast.StringTerm("index"), c.index(m.Index)))
	}
	return ast.NewObject(items...)
}

func (c *converter) index(ix *planmodel.Index) *ast.Term {
	return c.obj("public_exposures", pairs(ix.PublicExposures), "unknown_targets", strPairs(ix.UnknownTargets),
		"unknown_rules", pairs(ix.UnknownRules), "prefix_list_rules", triples(ix.PrefixListRules),
		"load_balancers", strs(ix.LoadBalancers), "public_ip_targets", strs(ix.PublicIPTargets),
		"ssh_port", num(ix.SSHPort), "ssh_rules", pairs(ix.SSHRules),
		"public_ingress", c.publicIngress(&ix.PublicIngress), "ssh_sources", c.sshSources(&ix.SSHSources),
		"lb_listeners", c.lbListeners(&ix.LBListeners))
}

func (c *converter) lbListeners(lbl *planmodel.LBListeners) *ast.Term {
	vs := make([]*ast.Term, len(lbl.Violations))
	for i, v := range lbl.Violations {
		vs[i] = ast.ArrayTerm(str(v[0]), str(v[1]), str(v[2]), str(v[3]))
	}
	us := make([]*ast.Term, len(lbl.Unknown))
	for i, u := range lbl.Unknown {
		us[i] = ast.ArrayTerm(str(u[0]), str(u[1]), str(u[2]))
	}
	return c.obj("allow_http_redirect", boolean(lbl.AllowHTTPRedirect), "violations", ast.ArrayTerm(vs...), "unknown", ast.ArrayTerm(us...))
}

func (c *converter) sshSources(ss *planmodel.SSHSources) *ast.Term {
	kinds := func(ps [][2]string) *ast.Term {
		ts := make([]*ast.Term, len(ps))
		for i, p := range ps {
			ts[i] = ast.ArrayTerm(str(p[0]), str(p[1]))
		}
		return ast.ArrayTerm(ts...)
	}
	rs := make([]*ast.Term, len(ss.Rules))
	for i, r := range ss.Rules {
		rs[i] = c.obj("group", str(r.Group), "rule", num(r.Rule), "ports", str(r.Ports), "declared_in", str(r.DeclaredIn),
			"server", kinds(r.Server), "bastion", kinds(r.Bastion))
	}
	return c.obj("admin_cidrs", strs(ss.AdminCIDRs), "exact", boolean(ss.Exact), "rules", ast.ArrayTerm(rs...))
}

func (c *converter) publicIngress(pi *planmodel.PublicIngress) *ast.Term {
	ports := make([]*ast.Term, len(pi.PublicPorts))
	for i, p := range pi.PublicPorts {
		ports[i] = num(p)
	}
	vs := make([]*ast.Term, len(pi.Violations))
	for i, v := range pi.Violations {
		vs[i] = ast.ArrayTerm(str(v[0]), str(v[1]), str(v[2]), str(v[3]), str(v[4]))
	}
	return c.obj("public_ports", ast.ArrayTerm(ports...), "allow_http_redirect", boolean(pi.AllowHTTPRedirect),
		"ssh_port", num(pi.SSHPort), "violations", ast.ArrayTerm(vs...))
}

// scalar converts the strings and ints of the index's tuples.
func scalar(v any) *ast.Term {
	switch x := v.(type) {
	case string:
		return str(x)
	case int:
		return num(x)
	}
	return ast.NullTerm()
}

func pairs(ps [][2]any) *ast.Term {
	ts := make([]*ast.Term, len(ps))
	for i, p := range ps {
		ts[i] = ast.ArrayTerm(scalar(p[0]), scalar(p[1]))
	}
	return ast.ArrayTerm(ts...)
}

func strPairs(ps [][2]string) *ast.Term {
	ts := make([]*ast.Term, len(ps))
	for i, p := range ps {
		ts[i] = ast.ArrayTerm(str(p[0]), str(p[1]))
	}
	return ast.ArrayTerm(ts...)
}

func triples(ps [][3]any) *ast.Term {
	ts := make([]*ast.Term, len(ps))
	for i, p := range ps {
		ts[i] = ast.ArrayTerm(scalar(p[0]), scalar(p[1]), scalar(p[2]))
	}
	return ast.ArrayTerm(ts...)
}

type converter struct {
	exposures map[*planmodel.Exposure]*ast.Term
	keys      map[string]*ast.Term // one term per object key or repeated value, reused
	nums      map[int]*ast.Term
	bools     [2]*ast.Term
	empty     *ast.Term // the empty array
}

// boolean returns the converter's shared true or false term.
func (c *converter) boolean(b bool) *ast.Term {
	i := 0
	if b {
		i = 1
	}
	if c.bools[i] == nil {
		c.bools[i] = ast.BooleanTerm(b)
	}
	return c.bools[i]
}

// num returns a shared term for a port, rule number or other small integer.
func (c *converter) num(n int) *ast.Term {
	t, ok := c.nums[n]
	if !ok {
		if c.nums == nil {
			c.nums = map[int]*ast.Term{}
		}
		t = ast.IntNumberTerm(n)
		c.nums[n] = t
	}
	return t
}

// syms converts a list of values that repeat across the model (actions,
// CIDRs, group ids), sharing one term per distinct string; an empty list is
// one shared empty array.
func (c *converter) syms(ss []string) *ast.Term {
	if len(ss) == 0 {
		if c.empty == nil {
			c.empty = ast.ArrayTerm()
		}
		return c.empty
	}
	ts := make([]*ast.Term, len(ss))
	for i, s := range ss {
		ts[i] = c.key(s)
	}
	return ast.ArrayTerm(ts...)
}

func str(s string) *ast.Term { return ast.StringTerm(s) }

func num(n int) *ast.Term { return ast.IntNumberTerm(n) }

func boolean(b bool) *ast.Term { return ast.BooleanTerm(b) }

func strs(ss []string) *ast.Term {
	ts := make([]*ast.Term, len(ss))
	for i, s := range ss {
		ts[i] = ast.StringTerm(s)
	}
	return ast.ArrayTerm(ts...)
}

// omitted marks a field left out, like encoding/json's omitempty.
type omitted struct{}

// opt is a string list that is omitted when empty.
func opt(key string, ss []string) any {
	if len(ss) == 0 {
		return omitted{}
	}
	return [2]any{key, strs(ss)}
}

func (c *converter) key(k string) *ast.Term {
	t, ok := c.keys[k]
	if !ok {
		t = ast.StringTerm(k)
		c.keys[k] = t
	}
	return t
}

// obj builds an object from alternating keys and terms; opt(...) and
// omitted{} entries stand for whole key/value pairs.
func (c *converter) obj(kv ...any) *ast.Term {
	items := make([][2]*ast.Term, 0, len(kv)/2)
	for i := 0; i < len(kv); {
		switch x := kv[i].(type) {
		case omitted:
			i++
		case [2]any:
			items = append(items, ast.Item(c.key(x[0].(string)), x[1].(*ast.Term)))
			i++
		case string:
			items = append(items, ast.Item(c.key(x), kv[i+1].(*ast.Term)))
			i += 2
		}
	}
	return ast.ObjectTerm(items...)
}

func optStr(key, s string) any {
	if s == "" {
		return omitted{}
	}
	return [2]any{key, str(s)}
}

func optTrue(key string, b bool) any {
	if !b {
		return omitted{}
	}
	return [2]any{key, boolean(true)}
}

func (c *converter) target(t *planmodel.Target) *ast.Term {
	var listeners any = omitted{}
	if t.Listeners != nil {
		ls := make([]*ast.Term, len(t.Listeners))
		for i, l := range t.Listeners {
			ls[i] = c.obj("address", str(l.Address), "port", c.num(l.Port), "protocol", c.key(l.Protocol),
				"default_actions", c.syms(l.DefaultActions), "redirects_to_https", c.boolean(l.RedirectsToHTTPS), opt("unknown", l.Unknown))
		}
		listeners = [2]any{"listeners", ast.ArrayTerm(ls...)}
	}
	return c.obj(
		"address", str(t.Address), "type", c.key(t.Type), "kind", c.key(t.Kind), "role", c.key(t.Role),
		"actions", c.syms(t.Actions), "security_groups", c.syms(t.SecurityGroups),
		"public_ip", c.boolean(t.PublicIP), opt("public_ip_via", t.PublicIPVia),
		optTrue("internet_facing", t.InternetFacing), optStr("load_balancer_type", t.LoadBalancerType),
		listeners, opt("used_by", t.UsedBy),
		"exposure", c.exposure(t.Exposure),
		opt("unknown", t.Unknown), opt("notes", t.Notes),
	)
}

func (c *converter) exposure(es []planmodel.Exposure) *ast.Term {
	if len(es) == 0 {
		return ast.ArrayTerm()
	}
	if t, ok := c.exposures[&es[0]]; ok && len(es) == t.Value.(*ast.Array).Len() {
		return t
	}
	ts := make([]*ast.Term, len(es))
	for i, e := range es {
		ts[i] = c.obj("protocol", c.key(e.Protocol), "from_port", c.num(e.FromPort), "to_port", c.num(e.ToPort),
			"cidr_ipv4", c.syms(e.CIDRv4), "cidr_ipv6", c.syms(e.CIDRv6), "world", c.boolean(e.World), "public", c.boolean(e.Public),
			"via", c.syms(e.Via))
	}
	t := ast.ArrayTerm(ts...)
	c.exposures[&es[0]] = t
	return t
}

func (c *converter) rule(r planmodel.Rule) *ast.Term {
	return c.obj("declared_in", str(r.DeclaredIn), "security_group", c.key(r.SecurityGroup), "protocol", c.key(r.Protocol),
		"from_port", c.num(r.FromPort), "to_port", c.num(r.ToPort), "cidr_ipv4", c.syms(r.CIDRv4), "cidr_ipv6", c.syms(r.CIDRv6),
		"prefix_lists", c.syms(r.PrefixLists), "source_security_groups", c.syms(r.SourceSecurityGroups),
		"self", c.boolean(r.Self), "world", c.boolean(r.World), "public", c.boolean(r.Public), opt("unknown", r.Unknown))
}

func (c *converter) rules(rs []planmodel.Rule) *ast.Term {
	ts := make([]*ast.Term, len(rs))
	for i, r := range rs {
		ts[i] = c.rule(r)
	}
	return ast.ArrayTerm(ts...)
}

func (c *converter) group(g *planmodel.SecurityGroup) *ast.Term {
	return c.obj(optStr("address", g.Address), optStr("id", g.ID), optStr("name", g.Name), "external", c.boolean(g.External),
		"protects", c.syms(g.Protects), "bastion", c.boolean(g.Bastion), "ingress", c.rules(g.Ingress), "egress", c.rules(g.Egress))
}

func (c *converter) asg(a *planmodel.AutoscalingGroup) *ast.Term {
	return c.obj("address", str(a.Address), "role", str(a.Role), "actions", strs(a.Actions), optStr("launch_template", a.LaunchTemplate),
		"launch_template_version", str(a.LaunchTemplateVersion), "version_kind", str(a.VersionKind),
		"max_instance_lifetime", num(a.MaxInstanceLifetime), opt("unknown", a.Unknown))
}

func (c *converter) naclRule(r planmodel.NetworkACLRule) *ast.Term {
	return c.obj("address", str(r.Address), "network_acl", str(r.ACL), "egress", boolean(r.Egress), "rule_number", num(r.RuleNumber),
		"action", str(r.Action), "protocol", str(r.Protocol), "from_port", num(r.FromPort), "to_port", num(r.ToPort),
		"cidr", str(r.CIDR), "world", boolean(r.World), opt("unknown", r.Unknown))
}

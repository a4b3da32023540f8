package planmodel

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Index lists, by key, the few parts of the model the bundled rules start
// from, so that policies iterate short lists instead of walking every
// target, exposure and rule of a large plan. Everything in it can be
// derived from the rest of the model; it is a cache, not new information.
// Entries are sorted.
type Index struct {
	// PublicExposures holds [target address, exposure index] for every
	// exposure from public addresses.
	PublicExposures [][2]any `json:"public_exposures"`
	// UnknownTargets holds [attribute, target address] for every target
	// attribute that stays unknown until apply.
	UnknownTargets [][2]string `json:"unknown_targets"`
	// UnknownRules holds [group key, ingress rule index] for every ingress
	// rule with unknown parts.
	UnknownRules [][2]any `json:"unknown_rules"`
	// PrefixListRules holds [group key, ingress rule index, prefix list]
	// for every prefix list an ingress rule allows.
	PrefixListRules [][3]any `json:"prefix_list_rules"`
	// LoadBalancers holds the addresses of load balancer targets.
	LoadBalancers []string `json:"load_balancers"`
	// PublicIPTargets holds the addresses of targets that get a public IP.
	PublicIPTargets []string `json:"public_ip_targets"`
	// SSHPort is the port SSHRules was computed for (Options.SSHPort).
	SSHPort int `json:"ssh_port"`
	// SSHRules holds [group key, ingress rule index] for every ingress rule
	// that reaches SSHPort over TCP (port ranges and protocol all included).
	SSHRules [][2]any `json:"ssh_rules"`
	// PublicIngress judges the public exposures as NET001 does, with the
	// parameters it records.
	PublicIngress PublicIngress `json:"public_ingress"`
	// SSHSources judges the sources of SSHRules as NET002 does.
	SSHSources SSHSources `json:"ssh_sources"`
	// LBListeners judges the listeners of internet-facing load balancers
	// as NET005 does.
	LBListeners LBListeners `json:"lb_listeners"`
}

// LBListeners holds the listeners of internet-facing load balancers that
// NET005 reports, judged with the AllowHTTPRedirect it records
// (Options.AllowHTTPRedirect). The rule uses it only when that equals the
// policy parameter in force.
type LBListeners struct {
	AllowHTTPRedirect bool `json:"allow_http_redirect"`
	// Violations holds [listener address, load balancer address, protocol,
	// port] for every known listener that is not HTTPS/TLS on 443 (nor an
	// allowed redirect).
	Violations [][4]string `json:"violations"`
	// Unknown holds [listener address, attribute, load balancer address]
	// for every listener attribute that stays unknown until apply.
	Unknown [][3]string `json:"unknown"`
}

// SSHSources holds the problem sources of the ingress rules that reach
// SSHPort, judged as NET002 does with the admin CIDRs it records
// (Options.AdminCIDRs), and the findings they give: Violations holds
// [target address, message] for every source of a rule and every target
// its group protects that the source may not reach SSH on, worded as
// NET002 words it. The rule uses them only when Exact is true (every CIDR
// involved parsed unambiguously) and the recorded SSH port and admin CIDRs
// equal the policy parameters in force.
type SSHSources struct {
	AdminCIDRs []string         `json:"admin_cidrs"`
	Exact      bool             `json:"exact"`
	Rules      []SSHRuleSources `json:"rules"`
	Violations [][2]string      `json:"violations"`
}

// SSHRuleSources lists the sources of one SSH-reaching rule that NET002
// reports, as [kind, source] pairs: for the hosts the group protects other
// than the bastion, kind "cidr", "group" (a group that protects no
// bastion), "self" or "prefix_list"; for the bastion (when the group
// protects one), "cidr" (outside the admin CIDRs), "group" or
// "prefix_list". Rules without such sources are left out.
type SSHRuleSources struct {
	Group      string      `json:"group"`
	Rule       int         `json:"rule"`
	Ports      string      `json:"ports"`
	DeclaredIn string      `json:"declared_in"`
	Server     [][2]string `json:"server"`
	Bastion    [][2]string `json:"bastion"`
}

// PublicIngress holds the public exposures NET001 reports, judged with
// the parameters it records (Options.PublicPorts, AllowHTTPRedirect and
// SSHPort). The rule uses it only when they equal the policy parameters in
// force, and judges lib.public_exposures itself otherwise.
type PublicIngress struct {
	PublicPorts       []int `json:"public_ports"`
	AllowHTTPRedirect bool  `json:"allow_http_redirect"`
	SSHPort           int   `json:"ssh_port"`
	// Violations holds, for every public exposure that is not allowed,
	// [target address, message], the message worded as NET001 words it
	// (lib.describe, lib.port_text, lib.source_text).
	Violations [][2]string `json:"violations"`
}

// DefaultSSHPort is the port Index.SSHRules is computed for when
// Options.SSHPort is zero.
const DefaultSSHPort = 22

// newIndex returns an empty index with its parameters recorded.
func (b *builder) newIndex() *Index {
	ix := &Index{
		PublicExposures: [][2]any{}, UnknownTargets: [][2]string{}, UnknownRules: [][2]any{},
		PrefixListRules: [][3]any{}, LoadBalancers: []string{}, PublicIPTargets: []string{},
		SSHPort: b.opts.SSHPort, SSHRules: [][2]any{},
	}
	if ix.SSHPort == 0 {
		ix.SSHPort = DefaultSSHPort
	}
	pi := &ix.PublicIngress
	pi.PublicPorts = append([]int{}, b.opts.PublicPorts...)
	pi.AllowHTTPRedirect = b.opts.AllowHTTPRedirect
	pi.SSHPort = ix.SSHPort
	pi.Violations = [][2]string{}
	lbl := &ix.LBListeners
	lbl.AllowHTTPRedirect = b.opts.AllowHTTPRedirect
	lbl.Violations, lbl.Unknown = [][4]string{}, [][3]string{}
	ss := &ix.SSHSources
	ss.AdminCIDRs = append([]string{}, b.opts.AdminCIDRs...)
	ss.Exact = true
	ss.Rules = []SSHRuleSources{}
	ss.Violations = [][2]string{}
	return ix
}

// indexTargets fills the index's lists about targets.
func (b *builder) indexTargets(ix *Index) {
	pi, lbl := &ix.PublicIngress, &ix.LBListeners
	addrs := make([]string, 0, len(b.m.Targets))
	for a := range b.m.Targets {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	// Targets behind the same groups share their Exposure slices, so the
	// texts of an exposure are worded once.
	texts := map[*Exposure][3]string{}
	ports := portTexts{}
	for _, a := range addrs {
		t := b.m.Targets[a]
		var desc string
		var boxed any // a, boxed once for all its exposures
		for i := range t.Exposure {
			e := &t.Exposure[i]
			if !e.Public {
				continue
			}
			if boxed == nil {
				boxed = a
			}
			ix.PublicExposures = append(ix.PublicExposures, [2]any{boxed, i})
			if pi.allowed(t, e) {
				continue
			}
			if desc == "" {
				desc = Describe(t)
			}
			tx, ok := texts[e]
			if !ok {
				tx = [3]string{ports.text(e.Protocol, e.FromPort, e.ToPort), SourceText(e.World, e.CIDRv4, e.CIDRv6), strings.Join(e.Via, ", ")}
				texts[e] = tx
			}
			pi.Violations = append(pi.Violations, [2]string{t.Address, desc + " accepts " + tx[0] + " from " + tx[1] + " via " + tx[2]})
		}
		for _, u := range t.Unknown {
			ix.UnknownTargets = append(ix.UnknownTargets, [2]string{u, a})
		}
		if t.Kind == KindLoadBalancer {
			ix.LoadBalancers = append(ix.LoadBalancers, a)
			if t.InternetFacing {
				lbl.judge(t)
			}
		}
		if t.PublicIP {
			ix.PublicIPTargets = append(ix.PublicIPTargets, a)
		}
	}
}

// indexGroups fills the index's lists about groups and their rules.
func (b *builder) indexGroups(ix *Index) {
	ss := &ix.SSHSources
	var admin addrSet
	for _, c := range ss.AdminCIDRs {
		p, ok := exactCIDR(c)
		if !ok {
			ss.Exact = false
			break
		}
		admin = admin.union(newAddrSet(p))
	}
	ports := portTexts{}
	keys := make([]string, 0, len(b.m.SecurityGroups))
	for k := range b.m.SecurityGroups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var boxed any = k // boxed once for all the group's rules
		rules := b.m.SecurityGroups[k].Ingress
		for i := range rules {
			r := &rules[i]
			if len(r.Unknown) > 0 {
				ix.UnknownRules = append(ix.UnknownRules, [2]any{boxed, i})
			}
			for _, pl := range r.PrefixLists {
				ix.PrefixListRules = append(ix.PrefixListRules, [3]any{boxed, i, pl})
			}
			if (r.Protocol == "tcp" || r.Protocol == "all") && r.FromPort <= ix.SSHPort && r.ToPort >= ix.SSHPort {
				ix.SSHRules = append(ix.SSHRules, [2]any{boxed, i})
				if ss.Exact {
					ss.judge(b.m.SecurityGroups, k, i, r, admin, ports)
				}
			}
		}
	}
}

// allowed mirrors NET001's allowed(t, e): an internet-facing load balancer
// on a public port (or an HTTP listener that only redirects to HTTPS), or
// SSH to the bastion, which NET002 judges.
func (pi *PublicIngress) allowed(t *Target, e *Exposure) bool {
	if e.Protocol != "tcp" || e.FromPort != e.ToPort {
		return false
	}
	p := e.FromPort
	if t.Role == RoleBastion && p == pi.SSHPort {
		return true
	}
	if t.Kind != KindLoadBalancer || !t.InternetFacing {
		return false
	}
	if slices.Contains(pi.PublicPorts, p) {
		return true
	}
	if pi.AllowHTTPRedirect {
		for _, l := range t.Listeners {
			if l.Port == p && l.RedirectsToHTTPS && len(l.DefaultActions) == 1 && l.DefaultActions[0] == "redirect" {
				return true
			}
		}
	}
	return false
}

// portTexts caches PortText: a few port ranges recur across the model.
type portTexts map[portKey]string

type portKey struct {
	protocol string
	from, to int
}

func (pt portTexts) text(protocol string, from, to int) string {
	k := portKey{protocol, from, to}
	s, ok := pt[k]
	if !ok {
		s = PortText(protocol, from, to)
		pt[k] = s
	}
	return s
}

// Describe words a target for messages as lib.describe does.
func Describe(t *Target) string {
	switch {
	case t.Role == RoleUnattached:
		return t.Address + " (attached to nothing in this plan)"
	case len(t.UsedBy) > 0:
		return t.Address + " (launch template used by " + strings.Join(t.UsedBy, ", ") + ")"
	}
	return t.Address
}

// PortText words a protocol and port range as lib.port_text does.
func PortText(protocol string, from, to int) string {
	switch {
	case protocol == "all":
		return "all protocols and ports"
	case protocol != "tcp" && protocol != "udp":
		return "protocol " + protocol
	case from == to:
		return fmt.Sprintf("%s/%d", protocol, from)
	}
	return fmt.Sprintf("%s/%d-%d", protocol, from, to)
}

// SourceText words the CIDR sources of an exposure as lib.source_text does.
func SourceText(world bool, v4, v6 []string) string {
	s := strings.Join(append(append(make([]string, 0, len(v4)+len(v6)), v4...), v6...), ", ")
	if world {
		return "the whole internet (" + s + ")"
	}
	return s
}

// exactCIDR parses a CIDR that OPA's net.cidr_contains reads the same way:
// a prefix with a mask, not an IPv4 address written as IPv6.
func exactCIDR(s string) (netip.Prefix, bool) {
	p, ok := parseCIDR(s)
	if !ok || p.Addr().Is4In6() || p.Addr().Zone() != "" {
		return netip.Prefix{}, false
	}
	return p, true
}

// judge adds rule i of group k when NET002 reports some of its sources;
// an ambiguous CIDR turns the whole list off.
func (ss *SSHSources) judge(groups map[string]*SecurityGroup, k string, i int, r *Rule, admin addrSet, ports portTexts) {
	e := SSHRuleSources{Group: k, Rule: i, Ports: ports.text(r.Protocol, r.FromPort, r.ToPort), DeclaredIn: r.DeclaredIn,
		Server: [][2]string{}, Bastion: [][2]string{}}
	bastion := func(key string) bool { g, ok := groups[key]; return ok && g.Bastion }
	for _, cs := range [][]string{r.CIDRv4, r.CIDRv6} {
		for _, c := range cs {
			p, ok := exactCIDR(c)
			if !ok {
				ss.Exact = false
				return
			}
			e.Server = append(e.Server, [2]string{"cidr", c})
			if !admin.covers(p) {
				e.Bastion = append(e.Bastion, [2]string{"cidr", c})
			}
		}
	}
	for _, s := range r.SourceSecurityGroups {
		if !bastion(s) {
			e.Server = append(e.Server, [2]string{"group", s})
		}
		e.Bastion = append(e.Bastion, [2]string{"group", s})
	}
	if r.Self && !bastion(r.SecurityGroup) {
		e.Server = append(e.Server, [2]string{"self", r.SecurityGroup})
	}
	for _, pl := range r.PrefixLists {
		e.Server = append(e.Server, [2]string{"prefix_list", pl})
		e.Bastion = append(e.Bastion, [2]string{"prefix_list", pl})
	}
	if !bastion(k) {
		e.Bastion = [][2]string{}
	}
	if len(e.Server) > 0 || len(e.Bastion) > 0 {
		ss.Rules = append(ss.Rules, e)
	}
}

// addViolations words NET002's findings for the rules' sources. It runs
// once the targets are sorted: descriptions join their UsedBy lists.
func (ss *SSHSources) addViolations(groups map[string]*SecurityGroup, targets map[string]*Target) {
	for i := range ss.Rules {
		e := &ss.Rules[i]
		for _, a := range groups[e.Group].Protects {
			t := targets[a]
			if t == nil {
				continue
			}
			sources, problem := e.Server, serverSSHProblem
			if t.Role == RoleBastion {
				sources, problem = e.Bastion, bastionSSHProblem
			}
			for _, src := range sources {
				msg := Describe(t) + " accepts SSH (" + e.Ports + ") " + problem(src[0], src[1], e.DeclaredIn)
				ss.Violations = append(ss.Violations, [2]string{t.Address, msg})
			}
		}
	}
}

// serverSSHProblem words a source that may not reach SSH on a host other
// than the bastion, as NET002's server_problems does.
func serverSSHProblem(kind, source, via string) string {
	switch kind {
	case "cidr":
		return "from " + source + " via " + via + "; only the bastion's security group may reach SSH"
	case "group":
		return "from security group " + source + ", which does not protect the bastion, via " + via
	case "self":
		return "from its own security group " + source + " via " + via + "; only the bastion's security group may reach SSH"
	}
	return "from prefix list " + source + " via " + via
}

// bastionSSHProblem words a source that may not reach SSH on the bastion,
// as NET002's bastion_problems does.
func bastionSSHProblem(kind, source, via string) string {
	switch kind {
	case "cidr":
		return "from " + source + ", outside the admin CIDRs, via " + via
	case "group":
		return "from security group " + source + "; the bastion takes SSH only from the admin CIDRs (via " + via + ")"
	}
	return "from prefix list " + source + " via " + via
}

// judge adds the listeners of internet-facing load balancer t that NET005
// reports.
func (lbl *LBListeners) judge(t *Target) {
	for _, l := range t.Listeners {
		if len(l.Unknown) > 0 {
			for _, u := range l.Unknown {
				lbl.Unknown = append(lbl.Unknown, [3]string{l.Address, u, t.Address})
			}
			continue
		}
		if (l.Protocol == "HTTPS" || l.Protocol == "TLS") && l.Port == 443 {
			continue
		}
		if lbl.AllowHTTPRedirect && l.Protocol == "HTTP" && l.RedirectsToHTTPS && len(l.DefaultActions) == 1 && l.DefaultActions[0] == "redirect" {
			continue
		}
		lbl.Violations = append(lbl.Violations, [4]string{l.Address, t.Address, l.Protocol, strconv.Itoa(l.Port)})
	}
}

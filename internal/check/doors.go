package check

import (
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"

	"github.com/sre-provider/terraform-provider-sre/internal/doors"
	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
)

// doorsFormat draws the report's doors graph (built by doorGraph) as
// Mermaid or DOT.
type doorsFormat struct{ dot bool }

func (f doorsFormat) write(w io.Writer, r *Report) error {
	g := r.Doors
	if g == nil {
		g = &doors.Graph{}
	}
	d := doors.Layout(*g, doors.Options{})
	if f.dot {
		return d.DOT(w)
	}
	return d.Mermaid(w)
}

// exposureEdge is one door of the model: a source reaching a target on
// one protocol and port range. It is what the drawing is made from, so
// that the adapter below is the only code that reads the model's shape.
type exposureEdge struct {
	target   string
	protocol string
	from, to int
	// One source: cidrs (with world for the whole internet), or the
	// security group whose members reach the target, or a prefix list.
	cidrs       []string
	world       bool
	sourceGroup string
	self        bool
	prefixList  string
	via         []string // rules that grant it
}

// modelEdges lists the model's doors: the effective exposure of every
// target from CIDR sources (merged over its groups), and every ingress
// rule from another security group, its own group or a prefix list.
func modelEdges(m *planmodel.Model) []exposureEdge {
	var out []exposureEdge
	for _, addr := range keysOf(m.Targets) {
		t := m.Targets[addr]
		for _, e := range mergeExposure(t.PublicExposure, t.InternalExposure) {
			cidrs := append(append([]string{}, e.CIDRv4...), e.CIDRv6...)
			if len(cidrs) == 0 {
				continue
			}
			out = append(out, exposureEdge{target: addr, protocol: e.Protocol, from: e.FromPort, to: e.ToPort,
				cidrs: cidrs, world: e.World, via: e.Via})
		}
	}
	for _, key := range keysOf(m.SecurityGroups) {
		g := m.SecurityGroups[key]
		for _, r := range g.Ingress {
			for _, target := range g.Protects {
				base := exposureEdge{target: target, protocol: r.Protocol, from: r.FromPort, to: r.ToPort, via: []string{r.DeclaredIn}}
				for _, src := range r.SourceSecurityGroups {
					e := base
					e.sourceGroup = src
					out = append(out, e)
				}
				if r.Self {
					e := base
					e.sourceGroup, e.self = key, true
					out = append(out, e)
				}
				for _, pl := range r.PrefixLists {
					e := base
					e.prefixList = pl
					out = append(out, e)
				}
			}
		}
	}
	return out
}

// mergeExposure lists a target's public and internal exposure in the
// order the model computed them: by protocol, then port.
func mergeExposure(public, internal []planmodel.Exposure) []planmodel.Exposure {
	out := make([]planmodel.Exposure, 0, len(public)+len(internal))
	for len(public) > 0 && len(internal) > 0 {
		p, q := public[0], internal[0]
		if p.Protocol < q.Protocol || p.Protocol == q.Protocol && p.FromPort < q.FromPort {
			out, public = append(out, p), public[1:]
		} else {
			out, internal = append(out, q), internal[1:]
		}
	}
	return append(append(out, public...), internal...)
}

// portText is how lib.port_text words a port range in findings.
func portText(protocol string, from, to int) string {
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

// edgeLabel is the short form drawn on an edge.
func edgeLabel(protocol string, from, to int) string {
	if protocol == "all" {
		return "all traffic"
	}
	return strings.TrimPrefix(portText(protocol, from, to), "protocol ")
}

// mentions reports whether msg names word as a whole token: "tcp/22" is
// not in "tcp/2222" and "10.0.0.0/8" is not in "10.0.0.0/80".
func mentions(msg, word string) bool {
	for i := 0; ; {
		j := strings.Index(msg[i:], word)
		if j < 0 {
			return false
		}
		end := i + j + len(word)
		if end >= len(msg) || !strings.ContainsRune("0123456789-/.", rune(msg[end])) {
			return true
		}
		i = i + j + 1
	}
}

var roleKinds = map[string]doors.Kind{
	planmodel.RoleBastion: doors.Bastion, planmodel.RoleServer: doors.Server,
	planmodel.RoleLoadBalancer: doors.LoadBalancer, planmodel.RoleDatabase: doors.Database,
}

// doorGraph builds the drawing's graph from the model's doors, the admin
// networks of the policy parameters and the report's findings: an edge is
// red when an unwaived error names its target, its port and its source
// (or, failing a source match, its target and port); a node is red when an
// error names it, its listener or its autoscaling group, but none of its
// edges.
func doorGraph(m *planmodel.Model, adminCIDRs []string, findings []Finding) *doors.Graph {
	var admin []netip.Prefix
	for _, c := range adminCIDRs {
		if p, err := netip.ParsePrefix(c); err == nil {
			admin = append(admin, p.Masked())
		}
	}
	isAdmin := func(c string) bool {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return false
		}
		for _, a := range admin {
			if a.Addr().Is4() == p.Addr().Is4() && a.Bits() <= p.Bits() && a.Contains(p.Addr()) {
				return true
			}
		}
		return false
	}

	// Errors by the target they are about; listeners and autoscaling
	// groups stand for their load balancer and launch template.
	alias := map[string]string{}
	for addr, t := range m.Targets {
		for _, l := range t.Listeners {
			alias[l.Address] = addr
		}
		for _, asg := range t.UsedBy {
			alias[asg] = addr
		}
	}
	errs := map[string][]string{}
	for _, f := range findings {
		if f.WaivedBy != nil || f.Severity != SevError {
			continue
		}
		addr := f.Address
		if a, ok := alias[addr]; ok {
			addr = a
		}
		errs[addr] = append(errs[addr], f.Message)
	}

	g := &doors.Graph{}
	nodes := map[string]bool{}
	addNode := func(n doors.Node) {
		if !nodes[n.ID] {
			nodes[n.ID] = true
			g.Nodes = append(g.Nodes, n)
		}
	}
	type pending struct {
		edge    doors.Edge
		port    string
		sources []string // words a finding uses for the source
	}
	var edges []pending
	add := func(from, target string, e exposureEdge, sources []string) {
		edges = append(edges, pending{
			edge:    doors.Edge{From: from, To: target, Label: edgeLabel(e.protocol, e.from, e.to)},
			port:    portText(e.protocol, e.from, e.to),
			sources: append(sources, e.via...),
		})
	}
	for _, e := range modelEdges(m) {
		switch {
		case e.sourceGroup != "":
			src := m.SecurityGroups[e.sourceGroup]
			words := []string{e.sourceGroup}
			if e.self {
				words = append(words, "own group", "self")
			}
			if src == nil || len(src.Protects) == 0 {
				addNode(doors.Node{ID: "sg:" + e.sourceGroup, Kind: doors.Group, Label: e.sourceGroup})
				add("sg:"+e.sourceGroup, e.target, e, words)
				continue
			}
			if src.ID != "" {
				words = append(words, src.ID)
			}
			for _, from := range src.Protects {
				add(from, e.target, e, words)
			}
		case e.prefixList != "":
			id := "pl:" + e.prefixList
			addNode(doors.Node{ID: id, Kind: doors.Network, Label: "prefix list", Detail: e.prefixList})
			add(id, e.target, e, []string{e.prefixList})
		case e.world:
			addNode(doors.Node{ID: "internet", Kind: doors.Internet, Label: "internet"})
			add("internet", e.target, e, e.cidrs)
		default:
			var adm, other []string
			for _, c := range e.cidrs {
				if isAdmin(c) {
					adm = append(adm, c)
				} else {
					other = append(other, c)
				}
			}
			if len(adm) > 0 {
				addNode(doors.Node{ID: "admin", Kind: doors.Admin, Label: "admin networks", Detail: shortList(adminCIDRs)})
				add("admin", e.target, e, adm)
			}
			if len(other) > 0 {
				id := "cidr:" + strings.Join(other, ",")
				addNode(doors.Node{ID: id, Kind: doors.Network, Label: shortList(other)})
				add(id, e.target, e, other)
			}
		}
	}

	// Targets: every one with an edge or an error; unattached groups
	// only then, the others always.
	linked := map[string]bool{}
	for _, p := range edges {
		linked[p.edge.From], linked[p.edge.To] = true, true
	}
	for _, addr := range keysOf(m.Targets) {
		t := m.Targets[addr]
		kind, ok := roleKinds[t.Role]
		if !ok {
			kind = doors.Group
		}
		if kind == doors.Group && !linked[addr] && len(errs[addr]) == 0 {
			continue
		}
		addNode(doors.Node{ID: addr, Kind: kind, Label: addr})
	}

	// Red: an error on the target naming the port and the source; when
	// no edge of that port matches a source, every edge of the port.
	explained := map[string]bool{} // target \x00 message
	for i, p := range edges {
		for _, msg := range errs[p.edge.To] {
			if !mentions(msg, p.port) {
				continue
			}
			for _, s := range p.sources {
				if mentions(msg, s) {
					edges[i].edge.Violation = true
					explained[p.edge.To+"\x00"+msg] = true
					break
				}
			}
		}
	}
	for i, p := range edges {
		for _, msg := range errs[p.edge.To] {
			if !explained[p.edge.To+"\x00"+msg] && mentions(msg, p.port) {
				edges[i].edge.Violation = true
			}
		}
	}
	for i, p := range edges {
		if p.edge.Violation {
			for _, msg := range errs[p.edge.To] {
				if mentions(msg, p.port) {
					explained[p.edge.To+"\x00"+msg] = true
				}
			}
		}
		g.Edges = append(g.Edges, edges[i].edge)
	}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		for _, msg := range errs[n.ID] {
			if !explained[n.ID+"\x00"+msg] {
				n.Violation = true
			}
		}
	}
	return g
}

// shortList joins up to three items and says how many more there are.
func shortList(items []string) string {
	if len(items) <= 3 {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s +%d more", strings.Join(items[:3], ", "), len(items)-3)
}

// adminCIDRs reads the admin_cidrs parameter from the policy data.
func adminCIDRs(data map[string]any) []string {
	sre, _ := data["sre"].(map[string]any)
	params, _ := sre["params"].(map[string]any)
	list, _ := params["admin_cidrs"].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

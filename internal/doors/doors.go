// Package doors draws who reaches what on which port: networks (the
// internet, the admin networks, other CIDRs), load balancers, bastions,
// servers and databases as nodes, one edge per exposure, violations in
// red, as a Mermaid flowchart or a Graphviz DOT digraph small enough to
// paste into a pull-request comment.
//
// It knows nothing about plans or policies: callers describe the graph
// with Node and Edge, and Layout collapses identical instances (the
// servers of one count or for_each) into one node with a count and caps
// the number of nodes, saying what it left out.
package doors

import (
	"fmt"
	"sort"
	"strings"
)

// Kind is what a node is; it decides its shape and its place when nodes
// must be left out.
type Kind int

// Node kinds, in the order they are kept when the drawing is capped.
const (
	Internet Kind = iota
	Admin
	Network // other CIDRs, prefix lists
	LoadBalancer
	Bastion
	Server
	Database
	Group // a security group that protects nothing drawn
	Note  // says what was left out
)

var kindNames = map[Kind]string{
	Internet: "internet", Admin: "admin networks", Network: "network", LoadBalancer: "load balancer",
	Bastion: "bastion", Server: "server", Database: "database", Group: "security group", Note: "note",
}

func (k Kind) String() string { return kindNames[k] }

// Node is one thing in the drawing.
type Node struct {
	// ID is unique in the graph: a resource address, or a name for a
	// network.
	ID   string
	Kind Kind
	// Label is the text shown; for resources the address.
	Label string
	// Detail is an optional second line (CIDRs of a network).
	Detail string
	// Violation marks a node that a finding names without naming one of
	// its edges (a public IP, a listener).
	Violation bool
}

// Edge is one exposure: From reaches To on Label ("tcp/443").
type Edge struct {
	From, To  string
	Label     string
	Violation bool
}

// Graph is what callers build.
type Graph struct {
	Nodes []Node
	Edges []Edge
}

// Options bound the drawing.
type Options struct {
	// MaxNodes caps the resource nodes drawn; 0 means DefaultMaxNodes.
	MaxNodes int
	// MaxNetworks caps the source networks drawn besides the internet and
	// the admin networks; the rest become one node. 0 means
	// DefaultMaxNetworks.
	MaxNetworks int
}

// Defaults that keep a drawing readable in a pull-request comment.
const (
	DefaultMaxNodes    = 30
	DefaultMaxNetworks = 8
)

// Drawing is a laid-out graph: collapsed, capped, sorted, grouped by
// module.
type Drawing struct {
	Nodes []DrawnNode
	Edges []Edge // between DrawnNode IDs, deduplicated
	// Groups are module subgraphs, in order; a node's Group indexes it,
	// -1 for the root module.
	Groups []string
}

// DrawnNode is a node as drawn: possibly standing for Count instances.
type DrawnNode struct {
	ID        string // short, safe identifier: n0, n1, ...
	Kind      Kind
	Label     string // without the module prefix shown by its group
	Detail    string
	Count     int
	Group     int
	Violation bool
}

// Layout collapses and caps g.
func Layout(g Graph, opt Options) *Drawing {
	if opt.MaxNodes <= 0 {
		opt.MaxNodes = DefaultMaxNodes
	}
	if opt.MaxNetworks <= 0 {
		opt.MaxNetworks = DefaultMaxNetworks
	}
	g = mergeNetworks(g, opt.MaxNetworks)
	byID := make(map[string]*Node, len(g.Nodes))
	for i := range g.Nodes {
		n := &g.Nodes[i]
		if _, dup := byID[n.ID]; !dup {
			byID[n.ID] = n
		}
	}
	var edges []Edge
	for _, e := range g.Edges {
		if byID[e.From] != nil && byID[e.To] != nil {
			edges = append(edges, e)
		}
	}

	// Collapse: resources whose addresses differ only in instance keys
	// and that have the same edges (to the same collapsed ends) become one.
	pattern := func(id string) string {
		n := byID[id]
		if n.Kind <= Network || n.Kind == Note {
			return id
		}
		return keyless(n.Label)
	}
	sig := map[string][]string{}
	for _, e := range edges {
		sig[e.From] = append(sig[e.From], fmt.Sprintf("out\x00%s\x00%s\x00%t", pattern(e.To), e.Label, e.Violation))
		sig[e.To] = append(sig[e.To], fmt.Sprintf("in\x00%s\x00%s\x00%t", pattern(e.From), e.Label, e.Violation))
	}
	type class struct {
		kind    Kind
		members []*Node
	}
	classes := map[string]*class{}
	var order []string
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		n := byID[id]
		s := sig[id]
		sort.Strings(s)
		key := fmt.Sprintf("%d\x00%s\x00%t\x00%s", n.Kind, pattern(id), n.Violation, strings.Join(dedupe(s), "\x01"))
		c := classes[key]
		if c == nil {
			c = &class{kind: n.Kind}
			classes[key] = c
			order = append(order, key)
		}
		c.members = append(c.members, n)
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := classes[order[i]], classes[order[j]]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.members[0].Label < b.members[0].Label
	})

	// Cap: networks always; then what has a violation; then by kind.
	violating := map[string]bool{}
	for _, e := range edges {
		if e.Violation {
			violating[e.From], violating[e.To] = true, true
		}
	}
	hasViolation := func(c *class) bool {
		for _, m := range c.members {
			if m.Violation || violating[m.ID] {
				return true
			}
		}
		return false
	}
	var keep, rest []string
	for _, k := range order {
		c := classes[k]
		if c.kind <= Network || hasViolation(c) {
			keep = append(keep, k)
		} else {
			rest = append(rest, k)
		}
	}
	resources := 0
	for _, k := range keep {
		if classes[k].kind > Network {
			resources++
		}
	}
	left := map[Kind]int{}
	for _, k := range rest {
		if resources < opt.MaxNodes {
			keep = append(keep, k)
			resources++
			continue
		}
		left[classes[k].kind] += len(classes[k].members)
	}
	sort.SliceStable(keep, func(i, j int) bool {
		a, b := classes[keep[i]], classes[keep[j]]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.members[0].Label < b.members[0].Label
	})

	d := &Drawing{}
	groupIndex := map[string]int{}
	drawnOf := map[string]string{} // input node ID → drawn ID
	for i, k := range keep {
		c := classes[k]
		first := c.members[0]
		dn := DrawnNode{ID: fmt.Sprintf("n%d", i), Kind: c.kind, Detail: first.Detail, Count: len(c.members), Group: -1}
		label := first.Label
		if len(c.members) > 1 {
			labels := make([]string, len(c.members))
			for j, m := range c.members {
				labels[j] = m.Label
			}
			label = commonPattern(labels)
		}
		for _, m := range c.members {
			dn.Violation = dn.Violation || m.Violation
			drawnOf[m.ID] = dn.ID
		}
		if c.kind > Network {
			if mod, local := splitModule(label); mod != "" {
				gi, ok := groupIndex[mod]
				if !ok {
					gi = len(d.Groups)
					groupIndex[mod] = gi
					d.Groups = append(d.Groups, mod)
				}
				dn.Group, label = gi, local
			}
		}
		dn.Label = label
		d.Nodes = append(d.Nodes, dn)
	}
	if len(left) > 0 {
		var parts []string
		total := 0
		for k := Internet; k <= Note; k++ {
			if left[k] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", left[k], k))
				total += left[k]
			}
		}
		d.Nodes = append(d.Nodes, DrawnNode{
			ID: fmt.Sprintf("n%d", len(d.Nodes)), Kind: Note, Count: 1, Group: -1,
			Label:  fmt.Sprintf("%d more not drawn", total),
			Detail: strings.Join(parts, ", ") + "; see the findings",
		})
	}
	seen := map[Edge]bool{}
	for _, e := range edges {
		from, okf := drawnOf[e.From]
		to, okt := drawnOf[e.To]
		if !okf || !okt {
			continue
		}
		de := Edge{From: from, To: to, Label: e.Label, Violation: e.Violation}
		if !seen[de] {
			seen[de] = true
			d.Edges = append(d.Edges, de)
		}
	}
	return d
}

// otherNetworks is the ID of the node that stands for the networks past
// the cap.
const otherNetworks = "\x00other networks"

// mergeNetworks keeps max Network nodes, those with a red edge first, and
// reroutes the edges of the others to one node that counts them.
func mergeNetworks(g Graph, max int) Graph {
	red := map[string]bool{}
	for _, e := range g.Edges {
		if e.Violation {
			red[e.From] = true
		}
	}
	var nets []Node
	for _, n := range g.Nodes {
		if n.Kind == Network {
			nets = append(nets, n)
		}
	}
	if len(nets) <= max {
		return g
	}
	sort.SliceStable(nets, func(i, j int) bool {
		if red[nets[i].ID] != red[nets[j].ID] {
			return red[nets[i].ID]
		}
		return nets[i].Label < nets[j].Label
	})
	merged := map[string]bool{}
	for _, n := range nets[max:] {
		merged[n.ID] = true
	}
	out := Graph{}
	for _, n := range g.Nodes {
		if !merged[n.ID] {
			out.Nodes = append(out.Nodes, n)
		}
	}
	out.Nodes = append(out.Nodes, Node{ID: otherNetworks, Kind: Network,
		Label: fmt.Sprintf("%d other networks", len(merged)), Detail: "see the findings"})
	for _, e := range g.Edges {
		if merged[e.From] {
			e.From = otherNetworks
		}
		out.Edges = append(out.Edges, e)
	}
	return out
}

func dedupe(s []string) []string {
	out := s[:0:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// addrParts splits an address into its names and instance keys:
// module.a["x"].t.n[0] is module, a, ["x"], t, n, [0]. Keys stay whole,
// dots inside them included.
func addrParts(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.':
			if i > start {
				parts = append(parts, s[start:i])
			}
			start = i + 1
		case '[':
			if i > start {
				parts = append(parts, s[start:i])
			}
			j := i + 1
			for j < len(s) && s[j] != ']' {
				if s[j] == '"' {
					for j++; j < len(s) && s[j] != '"'; j++ {
						if s[j] == '\\' {
							j++
						}
					}
				}
				j++
			}
			if j >= len(s) {
				j = len(s) - 1
			}
			parts = append(parts, s[i:j+1])
			i, start = j, j+1
		}
	}
	if start < len(s) {
		parts = append(parts, s[start:])
	}
	return parts
}

func joinParts(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 && !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// keyless is the address with every instance key replaced by [*].
func keyless(s string) string {
	parts := addrParts(s)
	for i, p := range parts {
		if strings.HasPrefix(p, "[") {
			parts[i] = "[*]"
		}
	}
	return joinParts(parts)
}

// commonPattern keeps the instance keys all addresses share and writes
// [*] for the others; the addresses have the same keyless form.
func commonPattern(addrs []string) string {
	parts := addrParts(addrs[0])
	for _, a := range addrs[1:] {
		other := addrParts(a)
		for i := range parts {
			if i < len(other) && other[i] != parts[i] {
				parts[i] = "[*]"
			}
		}
	}
	return joinParts(parts)
}

// splitModule splits module.a["x"].module.b.aws_x.y into its module path
// and the rest.
func splitModule(addr string) (module, local string) {
	parts := addrParts(addr)
	i := 0
	for i+1 < len(parts) && parts[i] == "module" {
		i += 2
		if i < len(parts) && strings.HasPrefix(parts[i], "[") {
			i++
		}
	}
	if i == 0 || i >= len(parts) {
		return "", addr
	}
	return joinParts(parts[:i]), joinParts(parts[i:])
}

package doors

import (
	"fmt"
	"strings"
	"testing"
)

func TestLayoutCollapsesIdenticalInstances(t *testing.T) {
	g := Graph{Nodes: []Node{
		{ID: "internet", Kind: Internet, Label: "internet"},
		{ID: "aws_launch_template.bastion", Kind: Bastion, Label: "aws_launch_template.bastion"},
	}}
	for _, team := range []string{"a", "b"} {
		for i := 0; i < 3; i++ {
			addr := fmt.Sprintf(`module.svc["%s"].aws_instance.web[%d]`, team, i)
			g.Nodes = append(g.Nodes, Node{ID: addr, Kind: Server, Label: addr})
			g.Edges = append(g.Edges, Edge{From: "aws_launch_template.bastion", To: addr, Label: "tcp/22"})
			if team == "b" {
				g.Edges = append(g.Edges, Edge{From: "internet", To: addr, Label: "tcp/8443", Violation: true})
			}
		}
	}
	// Two copies of an edge are drawn once.
	g.Edges = append(g.Edges, g.Edges[0])
	d := Layout(g, Options{})
	if len(d.Nodes) != 4 {
		t.Fatalf("%d nodes, want internet, bastion and one per team: %+v", len(d.Nodes), d.Nodes)
	}
	var b strings.Builder
	if err := d.Mermaid(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`subgraph g0["module.svc[#quot;a#quot;]"]`,
		`n2["aws_instance.web[*] ×3<br>server"]`,
		`n3["aws_instance.web[*] ×3<br>server"]`,
		`n1 -->|"tcp/22"| n2`,
		`n0 -->|"tcp/8443"| n3`,
		"linkStyle 2 stroke:red",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if n := strings.Count(out, "-->"); n != 3 {
		t.Errorf("%d edges, want 3:\n%s", n, out)
	}
}

func TestLayoutCapsNodesAndSaysWhatItLeftOut(t *testing.T) {
	g := Graph{Nodes: []Node{{ID: "internet", Kind: Internet, Label: "internet"}}}
	for i := 0; i < 10; i++ {
		id := fmt.Sprintf("aws_db_instance.d%02d", i)
		g.Nodes = append(g.Nodes, Node{ID: id, Kind: Database, Label: id})
	}
	// The violating server is kept even though it sorts last.
	g.Nodes = append(g.Nodes, Node{ID: "aws_instance.z", Kind: Server, Label: "aws_instance.z", Violation: true})
	d := Layout(g, Options{MaxNodes: 4})
	var labels []string
	for _, n := range d.Nodes {
		labels = append(labels, n.Label)
	}
	got := strings.Join(labels, "|")
	want := "internet|aws_instance.z|aws_db_instance.d00|aws_db_instance.d01|aws_db_instance.d02|7 more not drawn"
	if got != want {
		t.Errorf("nodes %s\nwant  %s", got, want)
	}
	if last := d.Nodes[len(d.Nodes)-1]; last.Kind != Note || last.Detail != "7 database; see the findings" {
		t.Errorf("note %+v", last)
	}
	var b strings.Builder
	d.DOT(&b)
	if !strings.Contains(b.String(), `label="aws_instance.z\nserver", shape=box, color="red"`) {
		t.Errorf("violating node not red:\n%s", b.String())
	}
}

func TestEscaping(t *testing.T) {
	g := Graph{Nodes: []Node{
		{ID: "a", Kind: Network, Label: `x"<y>#z`},
		{ID: `aws_instance.b["q\"r"]`, Kind: Server, Label: `aws_instance.b["q\"r"]`},
	}, Edges: []Edge{{From: "a", To: `aws_instance.b["q\"r"]`, Label: "tcp/1-2"}}}
	d := Layout(g, Options{})
	var m, dot strings.Builder
	d.Mermaid(&m)
	d.DOT(&dot)
	if !strings.Contains(m.String(), `n0[/"x#quot;#lt;y#gt;#35;z"/]`) || strings.Contains(m.String(), `\"`) {
		t.Errorf("mermaid:\n%s", m.String())
	}
	if !strings.Contains(dot.String(), `label="aws_instance.b[\"q\\\"r\"]\nserver"`) {
		t.Errorf("dot:\n%s", dot.String())
	}
}

func TestAddressPatterns(t *testing.T) {
	if got := keyless(`module.a["x.y"].t.n[3]`); got != "module.a[*].t.n[*]" {
		t.Errorf("keyless %s", got)
	}
	if got := commonPattern([]string{`module.a["x"].t.n[0]`, `module.a["x"].t.n[1]`}); got != `module.a["x"].t.n[*]` {
		t.Errorf("commonPattern %s", got)
	}
	if m, l := splitModule(`module.a["x"].module.b.aws_x.y[0]`); m != `module.a["x"].module.b` || l != "aws_x.y[0]" {
		t.Errorf("splitModule %q %q", m, l)
	}
	if m, l := splitModule("aws_x.y"); m != "" || l != "aws_x.y" {
		t.Errorf("splitModule %q %q", m, l)
	}
}

func TestLayoutMergesNetworksPastTheCap(t *testing.T) {
	g := Graph{Nodes: []Node{{ID: "aws_instance.a", Kind: Server, Label: "aws_instance.a"}}}
	for i := 0; i < 5; i++ {
		id := fmt.Sprintf("198.51.100.%d/32", i)
		g.Nodes = append(g.Nodes, Node{ID: id, Kind: Network, Label: id})
		g.Edges = append(g.Edges, Edge{From: id, To: "aws_instance.a", Label: "tcp/22", Violation: i == 4})
	}
	d := Layout(g, Options{MaxNetworks: 2})
	var labels []string
	for _, n := range d.Nodes {
		labels = append(labels, n.Label)
	}
	// The red one and the first by label are kept; three merged into one node whose
	// three identical edges are drawn once.
	if got := strings.Join(labels, "|"); got != "198.51.100.0/32|198.51.100.4/32|3 other networks|aws_instance.a" {
		t.Errorf("nodes %s", got)
	}
	if len(d.Edges) != 3 {
		t.Errorf("edges %+v", d.Edges)
	}
}

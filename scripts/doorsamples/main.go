// Command doorsamples writes Mermaid drawings that the fixture plans do
// not produce — a capped drawing with its note, labels with every
// character the renderer escapes, self and group edges — into the
// directory given, for scripts/mermaid-check.sh to parse.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/sre-provider/terraform-provider-sre/internal/doors"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: doorsamples DIR")
		os.Exit(2)
	}
	samples := map[string]doors.Graph{"capped": capped(), "escaping": escaping()}
	for name, g := range samples {
		f, err := os.Create(filepath.Join(os.Args[1], name+".mmd"))
		if err == nil {
			err = doors.Layout(g, doors.Options{MaxNodes: 5}).Mermaid(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "doorsamples:", err)
			os.Exit(1)
		}
	}
}

func capped() doors.Graph {
	g := doors.Graph{Nodes: []doors.Node{{ID: "internet", Kind: doors.Internet, Label: "internet"}}}
	for i := 0; i < 12; i++ {
		id := fmt.Sprintf(`module.fleet["f%d"].aws_instance.web[0]`, i)
		g.Nodes = append(g.Nodes, doors.Node{ID: id, Kind: doors.Server, Label: id})
		g.Edges = append(g.Edges, doors.Edge{From: "internet", To: id, Label: fmt.Sprintf("tcp/%d", 8000+i), Violation: i%3 == 0})
	}
	return g
}

func escaping() doors.Graph {
	odd := `aws_instance.x["a \"quoted\" <b>key</b> #1; {x} [y] (z) | a-->b"]`
	return doors.Graph{
		Nodes: []doors.Node{
			{ID: "cidr", Kind: doors.Network, Label: "10.0.0.0/8, 192.168.0.0/16", Detail: "#quot; & 'x'"},
			{ID: "admin", Kind: doors.Admin, Label: "admin networks", Detail: "203.0.113.0/24"},
			{ID: odd, Kind: doors.Server, Label: odd, Violation: true},
			{ID: "sg:sg-0123", Kind: doors.Group, Label: "sg-0123"},
			{ID: "aws_lb.a", Kind: doors.LoadBalancer, Label: "aws_lb.a"},
			{ID: "aws_db_instance.d", Kind: doors.Database, Label: "aws_db_instance.d"},
			{ID: "aws_instance.b", Kind: doors.Bastion, Label: "aws_instance.b"},
		},
		Edges: []doors.Edge{
			{From: "cidr", To: odd, Label: "all traffic", Violation: true},
			{From: "admin", To: "aws_instance.b", Label: "tcp/22"},
			{From: "sg:sg-0123", To: "aws_db_instance.d", Label: "tcp/5432-5433"},
			{From: odd, To: odd, Label: "icmp"},
			{From: "aws_lb.a", To: odd, Label: "udp/53"},
		},
	}
}

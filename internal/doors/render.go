package doors

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Colour of violations in both formats.
const red = "red"

func (n DrawnNode) text(newline string, esc func(string) string) string {
	s := esc(n.Label)
	if n.Count > 1 {
		s += " ×" + strconv.Itoa(n.Count)
	}
	var second []string
	if n.Kind >= LoadBalancer && n.Kind <= Group {
		second = append(second, n.Kind.String())
	}
	if n.Detail != "" {
		second = append(second, esc(n.Detail))
	}
	if len(second) > 0 {
		s += newline + strings.Join(second, " · ")
	}
	return s
}

// Mermaid writes the drawing as a Mermaid flowchart, left to right.
func (d *Drawing) Mermaid(w io.Writer) error {
	b := bufio.NewWriter(w)
	b.WriteString("flowchart LR\n")
	node := func(indent string, n DrawnNode) {
		open, close := "[", "]"
		switch n.Kind {
		case Internet:
			open, close = "((", "))"
		case Admin, Network:
			open, close = "[/", "/]"
		case LoadBalancer:
			open, close = "{{", "}}"
		case Bastion:
			open, close = "[[", "]]"
		case Database:
			open, close = "[(", ")]"
		case Note:
			open, close = ">", "]"
		}
		fmt.Fprintf(b, "%s%s%s\"%s\"%s\n", indent, n.ID, open, n.text("<br>", mermaidEscape), close)
	}
	for _, n := range d.Nodes {
		if n.Group < 0 {
			node("  ", n)
		}
	}
	for gi, g := range d.Groups {
		fmt.Fprintf(b, "  subgraph g%d[\"%s\"]\n", gi, mermaidEscape(g))
		for _, n := range d.Nodes {
			if n.Group == gi {
				node("    ", n)
			}
		}
		b.WriteString("  end\n")
	}
	var redLinks []string
	for i, e := range d.Edges {
		fmt.Fprintf(b, "  %s -->|\"%s\"| %s\n", e.From, mermaidEscape(e.Label), e.To)
		if e.Violation {
			redLinks = append(redLinks, strconv.Itoa(i))
		}
	}
	if len(redLinks) > 0 {
		fmt.Fprintf(b, "  linkStyle %s stroke:%s,stroke-width:3px,color:%s\n", strings.Join(redLinks, ","), red, red)
	}
	var redNodes []string
	for _, n := range d.Nodes {
		if n.Violation {
			redNodes = append(redNodes, n.ID)
		}
	}
	if len(redNodes) > 0 {
		fmt.Fprintf(b, "  classDef violation stroke:%s,stroke-width:3px,color:%s\n", red, red)
		fmt.Fprintf(b, "  class %s violation\n", strings.Join(redNodes, ","))
	}
	return b.Flush()
}

// mermaidEscape makes s safe inside a quoted Mermaid label: quotes and
// markup characters become entity codes.
func mermaidEscape(s string) string {
	return strings.NewReplacer(
		"#", "#35;", `"`, "#quot;", "<", "#lt;", ">", "#gt;", "\n", " ",
	).Replace(s)
}

// DOT writes the drawing as a Graphviz digraph, left to right.
func (d *Drawing) DOT(w io.Writer) error {
	b := bufio.NewWriter(w)
	b.WriteString("digraph doors {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n")
	node := func(indent string, n DrawnNode) {
		shape := "box"
		switch n.Kind {
		case Internet:
			shape = "doublecircle"
		case Admin, Network:
			shape = "parallelogram"
		case LoadBalancer:
			shape = "hexagon"
		case Bastion:
			shape = "box3d"
		case Database:
			shape = "cylinder"
		case Note:
			shape = "note"
		}
		attrs := fmt.Sprintf("label=\"%s\", shape=%s", n.text(`\n`, dotEscape), shape)
		if n.Violation {
			attrs += fmt.Sprintf(", color=%q, fontcolor=%q, penwidth=2", red, red)
		}
		fmt.Fprintf(b, "%s%s [%s];\n", indent, n.ID, attrs)
	}
	for _, n := range d.Nodes {
		if n.Group < 0 {
			node("  ", n)
		}
	}
	for gi, g := range d.Groups {
		fmt.Fprintf(b, "  subgraph cluster_%d {\n    label=\"%s\";\n", gi, dotEscape(g))
		for _, n := range d.Nodes {
			if n.Group == gi {
				node("    ", n)
			}
		}
		b.WriteString("  }\n")
	}
	for _, e := range d.Edges {
		attrs := fmt.Sprintf("label=\"%s\"", dotEscape(e.Label))
		if e.Violation {
			attrs += fmt.Sprintf(", color=%q, fontcolor=%q, penwidth=2", red, red)
		}
		fmt.Fprintf(b, "  %s -> %s [%s];\n", e.From, e.To, attrs)
	}
	b.WriteString("}\n")
	return b.Flush()
}

// dotEscape makes s safe inside a quoted DOT string.
func dotEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

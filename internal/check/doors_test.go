package check

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var (
	mermaidNode = regexp.MustCompile(`^\s*(n\d+)\W+"([^"]*)"`)
	mermaidEdge = regexp.MustCompile(`^\s*(n\d+) -->\|"([^"]*)"\| (n\d+)$`)
	mermaidRed  = regexp.MustCompile(`^\s*linkStyle ([\d,]+) stroke:red`)
	mermaidBad  = regexp.MustCompile(`^\s*class ([\w,]+) violation$`)
)

// doorEdges runs --format mermaid and returns its edges as
// "FROM -PORT-> TO" with " RED" for violations, and the red nodes; a node
// is named by the first line of its label.
func doorEdges(t *testing.T, args ...string) (edges, redNodes []string) {
	t.Helper()
	code, out, errOut := runCheck(t, "", append([]string{"--format", "mermaid"}, args...)...)
	if code == exitBadInput {
		t.Fatalf("exit 2: %s", errOut)
	}
	if !strings.HasPrefix(out, "flowchart LR\n") {
		t.Fatalf("not a flowchart:\n%s", out)
	}
	names := map[string]string{}
	var raw [][3]string
	red := map[int]bool{}
	for _, l := range strings.Split(out, "\n") {
		if m := mermaidEdge.FindStringSubmatch(l); m != nil {
			raw = append(raw, [3]string{m[1], m[2], m[3]})
		} else if m := mermaidNode.FindStringSubmatch(l); m != nil {
			names[m[1]] = strings.SplitN(m[2], "<br>", 2)[0]
		} else if m := mermaidRed.FindStringSubmatch(l); m != nil {
			for _, s := range strings.Split(m[1], ",") {
				i, _ := strconv.Atoi(s)
				red[i] = true
			}
		} else if m := mermaidBad.FindStringSubmatch(l); m != nil {
			for _, id := range strings.Split(m[1], ",") {
				redNodes = append(redNodes, names[id])
			}
		}
	}
	for i, e := range raw {
		s := names[e[0]] + " -" + e[1] + "-> " + names[e[2]]
		if red[i] {
			s += " RED"
		}
		edges = append(edges, s)
	}
	sort.Strings(edges)
	return edges, redNodes
}

func TestDoorsOfAModuleForEach(t *testing.T) {
	edges, redNodes := doorEdges(t, "--data", testData, plan("evasion_module_for_each"))
	want := []string{
		"admin networks -tcp/22-> aws_launch_template.bastion",
		"aws_launch_template.app -tcp/5432-> aws_db_instance.this",
		"aws_launch_template.bastion -tcp/22-> aws_instance.this[*] ×2",
		"aws_launch_template.bastion -tcp/22-> aws_instance.this[*] ×2",
		"aws_launch_template.bastion -tcp/22-> aws_launch_template.app",
		"aws_lb.web -tcp/8080-> aws_launch_template.app",
		"internet -tcp/443-> aws_lb.web",
		"internet -tcp/80-> aws_lb.web",
		"internet -tcp/9000-> aws_instance.this[*] ×2 RED",
		"internet -tcp/9443-> aws_instance.this[*] ×2 RED",
	}
	if strings.Join(edges, "\n") != strings.Join(want, "\n") {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(edges, "\n"), strings.Join(want, "\n"))
	}
	if len(redNodes) != 0 {
		t.Errorf("red nodes %v", redNodes)
	}
}

func TestDoorsMarkWhatFindingsName(t *testing.T) {
	// Default parameters: no admin networks, so the bastion's SSH source
	// is a plain network and NET002 reports it.
	edges, _ := doorEdges(t, plan("evasion_for_each_rules"))
	for _, want := range []string{
		"203.0.113.0/24 -tcp/22-> aws_launch_template.bastion RED",
		"internet -tcp/22-> aws_launch_template.app RED",
		"internet -tcp/3389-> aws_launch_template.app RED",
		"internet -tcp/443-> aws_launch_template.app RED",
		"internet -tcp/443-> aws_lb.web",
		"aws_launch_template.bastion -tcp/22-> aws_launch_template.app",
	} {
		found := false
		for _, e := range edges {
			found = found || e == want
		}
		if !found {
			t.Errorf("no edge %q in\n%s", want, strings.Join(edges, "\n"))
		}
	}
	// A public IP and a plain-HTTP listener name no port: the node is red.
	if _, red := doorEdges(t, "--data", testData, plan("public_ip_launch_template")); strings.Join(red, ",") != "aws_launch_template.worker" {
		t.Errorf("public IP: red nodes %v", red)
	}
	if _, red := doorEdges(t, "--data", testData, plan("listener_plain_http")); strings.Join(red, ",") != "aws_lb.web" {
		t.Errorf("listener: red nodes %v", red)
	}
	// A compliant plan has nothing red.
	code, out, _ := runCheck(t, "", "--format", "mermaid", "--data", testData, plan("compliant"))
	if code != exitClean || strings.Contains(out, "red") {
		t.Errorf("compliant: exit %d\n%s", code, out)
	}
}

func TestDoorsDOT(t *testing.T) {
	code, out, _ := runCheck(t, "", "--format", "dot", "--data", testData, plan("ssh_from_internet"))
	if code != exitViolations || !strings.HasPrefix(out, "digraph doors {\n") || !strings.HasSuffix(out, "}\n") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	ids := map[string]string{}
	for _, m := range regexp.MustCompile(`(n\d+) \[label="([^"\\]*)`).FindAllStringSubmatch(out, -1) {
		ids[m[2]] = m[1]
	}
	redSSH := ids["internet"] + " -> " + ids["aws_launch_template.app"] + ` [label="tcp/22", color="red"`
	if !strings.Contains(out, redSSH) {
		t.Errorf("no %q in\n%s", redSSH, out)
	}
	if n := strings.Count(out, `, color="red"`); n != 1 {
		t.Errorf("%d red items, want 1:\n%s", n, out)
	}
	if strings.Count(out, "{") != strings.Count(out, "}") {
		t.Errorf("unbalanced braces:\n%s", out)
	}
}

// Graphviz reads the DOT drawing of every fixture plan. Graphviz is
// optional on developer machines: the test is skipped without `dot`.
func TestDoorsDOTParsesWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("graphviz dot not installed")
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "plans", "*.json"))
	for _, p := range paths {
		code, out, errOut := runCheck(t, "", "--format", "dot", "--data", testData, p)
		if code == exitBadInput {
			t.Fatalf("%s: %s", p, errOut)
		}
		cmd := exec.Command(dot, "-Tcanon")
		cmd.Stdin = strings.NewReader(out)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("%s: dot: %v %s\n%s", p, err, stderr.String(), out)
		}
	}
}

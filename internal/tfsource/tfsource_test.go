package tfsource

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in   string
		want Address
		ok   bool
	}{
		{"aws_instance.web", Address{Resource: "resource.aws_instance.web"}, true},
		{"aws_instance.web[0]", Address{Resource: "resource.aws_instance.web"}, true},
		{`module.svc["a.b]c"].aws_security_group.this`, Address{Modules: []string{"svc"}, Resource: "resource.aws_security_group.this"}, true},
		{`module.a[0].module.b["x"].data.aws_ami.base["k"]`, Address{Modules: []string{"a", "b"}, Resource: "data.aws_ami.base"}, true},
		{`module.rdp`, Address{Modules: []string{"rdp"}}, true},
		{`module.svc["a"]`, Address{Modules: []string{"svc"}}, true},
		{"aws_launch_template.w.network_interfaces[0]", Address{Resource: "resource.aws_launch_template.w"}, true},
		{"sg-0123456789", Address{}, false},
		{"", Address{}, false},
		{"aws_instance.", Address{}, false},
		{`aws_instance.web["unterminated]`, Address{}, false},
		{"aws_instance.web[]", Address{}, false},
		{"data.aws_ami", Address{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseAddress(tt.in)
		if ok != tt.ok || ok && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseAddress(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// lineAt returns line n (1-based) of file.
func lineAt(t *testing.T, file string, n int) string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	if n < 1 || n > len(lines) {
		t.Fatalf("%s has no line %d", file, n)
	}
	return lines[n-1]
}

func TestLocateThroughLocalNestedAndRegistryModules(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"env/main.tf": `# root
module "svc" {
  source   = "../modules/svc"
  for_each = toset(["a", "b"])
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}

module "gone" {
  source = "git::https://example.com/x.git"
}

data "aws_ami" "base" {
  most_recent = true
}
`,
		"env/lb.tf.json": `{
  "resource": {
    "aws_lb": {
      "front": {"internal": false}
    }
  }
}
`,
		"env/broken.tf": "resource \"aws_x\" \"y\" {\n",
		"modules/svc/main.tf": `resource "aws_security_group" "this" {
  name = "svc"
}

resource "aws_instance" "web" {
  count = 2
  vpc_security_group_ids = [aws_security_group.this.id]
}

module "rule" {
  source = "./rule"
}
`,
		"modules/svc/rule/rule.tf": `

resource "aws_security_group_rule" "open" {
  type = "ingress"
}
`,
		"env/.terraform/modules/vpc/main.tf": `resource "aws_vpc" "this" {
  cidr_block = "10.0.0.0/16"
}
`,
		"env/.terraform/modules/modules.json": `{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"vpc","Source":"registry/terraform-aws-modules/vpc/aws","Version":"5.0.0","Dir":".terraform/modules/vpc"}]}`,
	})
	c, err := Load(filepath.Join(root, "env"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr, file, first string
		start, end        int
	}{
		{`module.svc["a"].aws_instance.web[1]`, "modules/svc/main.tf", `resource "aws_instance" "web" {`, 5, 8},
		{`module.svc["b"].aws_security_group.this`, "modules/svc/main.tf", `resource "aws_security_group" "this" {`, 1, 3},
		{`module.svc["b"].module.rule.aws_security_group_rule.open`, "modules/svc/rule/rule.tf", `resource "aws_security_group_rule" "open" {`, 3, 5},
		{`module.svc["a"]`, "env/main.tf", `module "svc" {`, 2, 5},
		{`module.vpc.aws_vpc.this`, "env/.terraform/modules/vpc/main.tf", `resource "aws_vpc" "this" {`, 1, 3},
		{`data.aws_ami.base`, "env/main.tf", `data "aws_ami" "base" {`, 16, 18},
		{`aws_lb.front`, "env/lb.tf.json", `      "front": {"internal": false}`, 4, 4},
	}
	for _, tt := range tests {
		loc, ok := c.Locate(tt.addr)
		if !ok {
			t.Errorf("%s: not located", tt.addr)
			continue
		}
		if got := Rel(root, loc.File); got != tt.file || loc.StartLine != tt.start || loc.EndLine != tt.end {
			t.Errorf("%s: %s:%d-%d, want %s:%d-%d", tt.addr, got, loc.StartLine, loc.EndLine, tt.file, tt.start, tt.end)
		}
		if got := lineAt(t, loc.File, loc.StartLine); got != tt.first {
			t.Errorf("%s: line %d is %q, want %q", tt.addr, loc.StartLine, got, tt.first)
		}
	}
	for _, addr := range []string{"module.gone.aws_x.y", "aws_instance.nope", `module.svc["a"].aws_instance.other`, "sg-123", "module.nope.aws_vpc.this"} {
		if loc, ok := c.Locate(addr); ok {
			t.Errorf("%s located at %+v", addr, loc)
		}
	}
	warned := strings.Join(c.Warnings, "\n")
	for _, want := range []string{"broken.tf", `module.gone: source "git::https://example.com/x.git"`} {
		if !strings.Contains(warned, want) {
			t.Errorf("warnings %q do not mention %q", warned, want)
		}
	}
	if strings.Contains(warned, "module.vpc") {
		t.Errorf("the manifest's module is warned about: %s", warned)
	}
	if got := Base(filepath.Join(root, "env"), c.Files()); got != root {
		t.Errorf("Base = %s, want %s", got, root)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("a missing directory loads")
	}
	f := filepath.Join(t.TempDir(), "main.tf")
	os.WriteFile(f, nil, 0o644)
	if _, err := Load(f); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a file loads: %v", err)
	}
	if !HasFiles(filepath.Dir(f)) || HasFiles(t.TempDir()) {
		t.Error("HasFiles")
	}
}

func TestBasePrefersTheGitRoot(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "infra/prod/main.tf": ""})
	if got := Base(filepath.Join(root, "infra", "prod"), nil); got != root {
		t.Errorf("Base = %s, want %s", got, root)
	}
}

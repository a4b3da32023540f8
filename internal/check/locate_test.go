package check

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sre-provider/terraform-provider-sre/internal/tfsource"
)

// fixtureWorkspace lays a scenario out as scripts/gen-plan-fixtures.sh
// planned it: ROOT/scenarios/NAME holds scenarios/_common/*.tf and the
// scenario's .tf files, ROOT/modules the modules. It returns ROOT and the
// scenario directory.
func fixtureWorkspace(t *testing.T, scenario string) (root, dir string) {
	t.Helper()
	root = t.TempDir()
	dir = filepath.Join(root, "scenarios", scenario)
	copyFiles := func(pattern, to string) {
		paths, err := filepath.Glob(pattern)
		if err != nil || len(paths) == 0 {
			t.Fatalf("no files match %s", pattern)
		}
		for _, p := range paths {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(to, filepath.Base(p))
			if err := os.MkdirAll(to, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, raw, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyFiles(filepath.Join("testdata", "scenarios", "_common", "*.tf"), dir)
	copyFiles(filepath.Join("testdata", "scenarios", scenario, "*.tf"), dir)
	mods, _ := filepath.Glob(filepath.Join("testdata", "modules", "*"))
	for _, m := range mods {
		copyFiles(filepath.Join(m, "*.tf"), filepath.Join(root, "modules", filepath.Base(m)))
	}
	return root, dir
}

// blockHeader is the first line a resource address's block must start
// with: resource "TYPE" "NAME" (or data ...).
func blockHeader(t *testing.T, address string) string {
	t.Helper()
	a, ok := tfsource.ParseAddress(address)
	if !ok || a.Resource == "" {
		t.Fatalf("%s is not a resource address", address)
	}
	parts := strings.SplitN(a.Resource, ".", 3)
	return parts[0] + ` "` + parts[1] + `" "` + parts[2] + `"`
}

func lineOf(t *testing.T, file string, n int) string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	if n < 1 || n > len(lines) {
		t.Fatalf("%s has %d lines, no line %d", file, len(lines), n)
	}
	return lines[n-1]
}

// Every finding of real plans with modules (nested, for_each and counted
// instances among them) points at the block that declares its resource.
func TestSarifLocatesEveryFindingInTheConfiguration(t *testing.T) {
	tests := []struct {
		scenario string
		files    []string // every file results must point into
	}{
		{"evasion_module_for_each", []string{"modules/service/main.tf", "modules/three_tier/main.tf"}},
		{"evasion_for_each_rules", []string{"modules/three_tier/main.tf"}},
		{"public_ip_launch_template", []string{"modules/three_tier/main.tf", "scenarios/public_ip_launch_template/main.tf"}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			root, dir := fixtureWorkspace(t, tt.scenario)
			// Default parameters: the bastion's SSH source is not an admin
			// network, so findings in the three_tier module come too.
			code, out, errOut := runCheck(t, "", "--format", "sarif", "--config", dir, plan(tt.scenario))
			if code != exitViolations || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			var log sarifLog
			if err := json.Unmarshal([]byte(out), &log); err != nil {
				t.Fatal(err)
			}
			results := log.Runs[0].Results
			if len(results) == 0 {
				t.Fatal("no results")
			}
			seen := map[string]bool{}
			for _, res := range results {
				loc := res.Locations[0]
				addr := loc.Logical[0].FullyQualifiedName
				uri, region := loc.Physical.Artifact.URI, loc.Physical.Region
				if region == nil {
					t.Errorf("%s %s: no region (uri %s)", res.RuleID, addr, uri)
					continue
				}
				seen[uri] = true
				file := filepath.Join(root, filepath.FromSlash(uri))
				if got, want := lineOf(t, file, region.StartLine), blockHeader(t, addr)+" {"; got != want {
					t.Errorf("%s %s: %s:%d is %q, want %q", res.RuleID, addr, uri, region.StartLine, got, want)
				}
				if got := lineOf(t, file, region.EndLine); got != "}" || region.EndLine <= region.StartLine {
					t.Errorf("%s %s: end line %d is %q, want the closing brace", res.RuleID, addr, region.EndLine, got)
				}
			}
			for _, f := range tt.files {
				if !seen[f] {
					t.Errorf("no result points into %s; got %v", f, seen)
				}
			}
			if len(seen) != len(tt.files) {
				t.Errorf("results point into %v, want %v", seen, tt.files)
			}
		})
	}
}

func TestLocationsInOtherFormats(t *testing.T) {
	_, dir := fixtureWorkspace(t, "evasion_module_for_each")
	args := func(format string) []string {
		return []string{"--format", format, "--data", testData, "--config", dir, plan("evasion_module_for_each")}
	}
	// modules/service/main.tf declares aws_instance.this on lines 36-43.
	const file, line, end = "modules/service/main.tf", 36, 43
	if got := lineOf(t, filepath.Join(dir, "..", "..", file), line); got != `resource "aws_instance" "this" {` {
		t.Fatalf("fixture moved: line %d is %q", line, got)
	}
	t.Run("json", func(t *testing.T) {
		_, out, _ := runCheck(t, "", args("json")...)
		var res struct{ Findings []Finding }
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != 4 {
			t.Fatalf("%d findings, want 4 (two instances of two module instances)", len(res.Findings))
		}
		for _, f := range res.Findings {
			if f.File != file || f.Line != line || f.EndLine != end {
				t.Errorf("%s: %s:%d-%d", f.Address, f.File, f.Line, f.EndLine)
			}
		}
		if !strings.Contains(out, `"file": "modules/service/main.tf"`) || !strings.Contains(out, `"line": 36`) {
			t.Errorf("json output lacks file/line fields:\n%s", out)
		}
	})
	t.Run("github", func(t *testing.T) {
		_, out, _ := runCheck(t, "", args("github")...)
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if !strings.HasPrefix(l, "::error file=modules/service/main.tf,line=36,endLine=43,title=NET001 module.svc[") {
				t.Errorf("annotation %q", l)
			}
		}
	})
	t.Run("text", func(t *testing.T) {
		_, out, _ := runCheck(t, "", args("text")...)
		if !strings.Contains(out, `ERROR NET001 module.svc["admin"].aws_instance.this[0] (modules/service/main.tf:36)`) {
			t.Errorf("text:\n%s", out)
		}
	})
}

func TestConfigDefaultsToTheCurrentDirectory(t *testing.T) {
	planPath, err := filepath.Abs(plan("evasion_module_for_each"))
	if err != nil {
		t.Fatal(err)
	}
	dataPath, _ := filepath.Abs(testData)
	_, dir := fixtureWorkspace(t, "evasion_module_for_each")
	t.Chdir(dir)
	_, out, _ := runCheck(t, "", "--format", "github", "--data", dataPath, planPath)
	if !strings.Contains(out, "file=modules/service/main.tf,line=36,") {
		t.Errorf("current directory's configuration not read:\n%s", out)
	}
	// A directory without .tf files: output as without a configuration.
	t.Chdir(t.TempDir())
	_, out, _ = runCheck(t, "", "--format", "github", "--data", dataPath, planPath)
	if !strings.Contains(out, "::error file="+ghProperty(planPath)+",title=") {
		t.Errorf("annotations do not point at the plan:\n%s", out)
	}
}

func TestConfigProblems(t *testing.T) {
	code, _, errOut := runCheck(t, "", "--config", "testdata/nope", plan("world_ingress"))
	if code != exitBadInput || !strings.HasPrefix(errOut, "check: --config testdata/nope: ") {
		t.Errorf("missing --config: exit %d, %q", code, errOut)
	}
	// A file that does not parse is a warning; the rest is still located.
	_, dir := fixtureWorkspace(t, "evasion_module_for_each")
	os.WriteFile(filepath.Join(dir, "broken.tf"), []byte("resource \"x\" {\n"), 0o644)
	code, out, errOut := runCheck(t, "", "--format", "github", "--data", testData, "--config", dir, plan("evasion_module_for_each"))
	if code != exitViolations || !strings.Contains(errOut, "check: warning: --config "+dir+": ") || !strings.Contains(errOut, "broken.tf") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "file=modules/service/main.tf,line=36,") {
		t.Errorf("nothing located next to a broken file:\n%s", out)
	}
}

// With .terraform/modules/modules.json (written by terraform init), module
// directories come from it: here module.base lives where only the
// manifest says, as a registry module's downloaded copy would.
func TestLocateThroughTheModuleManifest(t *testing.T) {
	root, dir := fixtureWorkspace(t, "evasion_module_for_each")
	vendored := filepath.Join(dir, ".terraform", "modules", "base")
	if err := os.MkdirAll(filepath.Dir(vendored), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(root, "modules", "three_tier"), vendored); err != nil {
		t.Fatal(err)
	}
	manifest := `{"Modules":[{"Key":"","Source":"","Dir":"."},` +
		`{"Key":"base","Source":"registry.example/acme/three-tier/aws","Version":"1.0.0","Dir":".terraform/modules/base"},` +
		`{"Key":"svc","Source":"../../modules/service","Dir":"../../modules/service"},` +
		`{"Key":"svc.open","Source":"../open_rule","Dir":"../../modules/open_rule"}]}`
	if err := os.WriteFile(filepath.Join(dir, ".terraform", "modules", "modules.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	// Default parameters: NET002 on the bastion, in module.base.
	code, out, errOut := runCheck(t, "", "--format", "json", "--config", dir, plan("evasion_module_for_each"))
	if code != exitViolations || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var res struct{ Findings []Finding }
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var bastion *Finding
	for i, f := range res.Findings {
		if f.Address == bastLT {
			bastion = &res.Findings[i]
		}
		if f.File == "" {
			t.Errorf("%s not located", f.Address)
		}
	}
	if bastion == nil {
		t.Fatalf("no finding on %s", bastLT)
	}
	want := "scenarios/evasion_module_for_each/.terraform/modules/base/main.tf"
	if bastion.File != want {
		t.Errorf("%s in %s, want %s", bastLT, bastion.File, want)
	}
	if got := lineOf(t, filepath.Join(root, filepath.FromSlash(bastion.File)), bastion.Line); got != `resource "aws_launch_template" "bastion" {` {
		t.Errorf("line %d is %q", bastion.Line, got)
	}
}

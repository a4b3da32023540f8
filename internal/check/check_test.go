package check

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const testData = "testdata/data.json"

func plan(name string) string { return filepath.Join("testdata", "plans", name+".json") }

// runCheck runs the CLI entry point and returns exit code, stdout, stderr.
func runCheck(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// findingKeys runs the check with JSON output and returns "ID kind address"
// for every finding.
func findingKeys(t *testing.T, args ...string) (int, []string) {
	t.Helper()
	code, out, errOut := runCheck(t, "", append([]string{"--format", "json", "--data", testData}, args...)...)
	if code == exitBadInput {
		t.Fatalf("exit 2: %s", errOut)
	}
	var res struct {
		Findings []Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	var keys []string
	for _, f := range res.Findings {
		keys = append(keys, f.ID+" "+f.Kind+" "+f.Address)
	}
	sort.Strings(keys)
	return code, keys
}

const (
	appLT    = "module.base.aws_launch_template.app"
	bastLT   = "module.base.aws_launch_template.bastion"
	violates = "violation"
	unproved = "cannot_prove"
)

func TestScenarios(t *testing.T) {
	tests := []struct {
		name string
		plan string
		want []string
	}{
		{"the compliant 3-tier VPC has no findings", "compliant", nil},
		{"a rule opening 8080 to the world on the app group is caught through the module output", "world_ingress",
			[]string{"NET001 violation " + appLT}},
		{"SSH from the internet to app servers breaks both the world and the SSH rule", "ssh_from_internet",
			[]string{"NET001 violation " + appLT, "NET002 violation " + appLT}},
		{"the bastion taking SSH from outside the admin CIDRs is caught", "bastion_ssh_not_admin",
			[]string{"NET002 violation " + bastLT}},
		{"an instance asking for a public IP is caught", "public_ip_instance",
			[]string{"NET003 violation aws_instance.worker"}},
		{"a launch template handing out public IPs is caught", "public_ip_launch_template",
			[]string{"NET003 violation aws_launch_template.worker"}},
		{"an Elastic IP on an app server is caught", "eip_on_app",
			[]string{"NET003 violation aws_instance.reporting"}},
		{"IP allow-listing in a network ACL is caught", "nacl_allowlist",
			[]string{"NET004 violation aws_network_acl_rule.partner_only"}},
		{"a plain HTTP listener on the internet-facing ALB is caught", "listener_plain_http",
			[]string{"NET005 violation aws_lb_listener.legacy"}},
		{"an autoscaling group on $Latest is caught", "asg_latest_version",
			[]string{"NET006 violation aws_autoscaling_group.batch"}},
		{"a bastion fleet without max_instance_lifetime is caught", "bastion_lifetime",
			[]string{"NET007 violation aws_autoscaling_group.jump"}},
		{"a source CIDR known only after apply cannot be proved", "unknown_cidr",
			[]string{"NET001 cannot_prove " + appLT}},
		{"a rule whose group goes through a local cannot be proved", "unknown_group_via_local",
			[]string{"NET001 cannot_prove aws_security_group_rule.metrics"}},
		{"the internet split into two /1 rules is still the world", "evasion_split_cidrs",
			[]string{"NET001 violation " + appLT, "NET001 violation " + appLT, "NET001 violation " + appLT}},
		{"halves of the internet in two groups on one instance are the world", "evasion_split_across_groups",
			[]string{"NET001 violation aws_instance.dashboard"}},
		{"a wide internal port range covering 22 is SSH not from the bastion", "evasion_wide_port_range",
			[]string{"NET002 violation " + appLT}},
		{"protocol -1 from the world exposes everything including SSH", "evasion_protocol_all",
			[]string{"NET001 violation " + appLT, "NET002 violation " + appLT}},
		{"SSH open to ::/0 only is caught", "evasion_ipv6_only",
			[]string{"NET001 violation " + appLT, "NET002 violation " + appLT}},
		{"a world rule inside a child module fed the group id is caught", "evasion_child_module",
			[]string{"NET001 violation " + appLT}},
		{"a world SSH rule on a group whose id is unknown until apply is caught", "evasion_unknown_sg_id",
			[]string{"NET001 violation aws_instance.debug", "NET002 violation aws_instance.debug"}},
		{"rules generated with for_each are each caught", "evasion_for_each_rules",
			[]string{"NET001 violation " + appLT, "NET001 violation " + appLT, "NET001 violation " + appLT, "NET002 violation " + appLT}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, got := findingKeys(t, plan(tt.plan))
			want := slices.Clone(tt.want)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings:\n got  %q\n want %q", got, want)
			}
			wantCode := exitClean
			if len(want) > 0 {
				wantCode = exitViolations
			}
			if code != wantCode {
				t.Errorf("exit code %d, want %d", code, wantCode)
			}
		})
	}
}

func TestChangedOnlyReportsOnlyNewExposure(t *testing.T) {
	_, all := findingKeys(t, plan("changed_only"))
	_, changed := findingKeys(t, "--changed-only", plan("changed_only"))
	if len(all) != 3 {
		t.Fatalf("without --changed-only: %q, want the legacy 8080 rule and the new SSH rule", all)
	}
	want := []string{"NET001 violation " + appLT, "NET002 violation " + appLT}
	if !slices.Equal(changed, want) {
		t.Errorf("--changed-only: got %q, want %q", changed, want)
	}
	_, out, _ := runCheck(t, "", "--format", "json", "--data", testData, "--changed-only", plan("changed_only"))
	if strings.Contains(out, "legacy_public") {
		t.Errorf("--changed-only still reports the pre-existing rule:\n%s", out)
	}
}

func TestUnknownHandlingWarns(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data.yaml")
	os.WriteFile(data, []byte("admin_cidrs: [203.0.113.0/24]\nunknown: warn\n"), 0o644)
	code, out, _ := runCheck(t, "", "--format", "json", "--data", data, plan("unknown_cidr"))
	if code != exitClean || !strings.Contains(out, `"severity": "warning"`) {
		t.Errorf("unknown: warn should pass with a warning; exit %d\n%s", code, out)
	}
}

func TestWaivers(t *testing.T) {
	tests := []struct {
		name      string
		waivers   string
		wantCode  int
		wantKinds []string // kinds of unwaived findings, sorted
		waived    int
	}{
		{"a valid waiver on a glob address suppresses the finding",
			"- {address: 'module.base.aws_launch_template.*', rule: NET001, reason: migration, owner: team-a, expires: 2999-12-31}\n",
			exitClean, nil, 1},
		{"an expired waiver stops waiving and is reported",
			"- {address: 'module.base.aws_launch_template.app', rule: NET001, reason: migration, owner: team-a, expires: 2001-01-01}\n",
			exitViolations, []string{"violation", "waiver_expired"}, 0},
		{"a waiver that matches nothing is reported",
			"waivers:\n- {address: 'module.base.aws_launch_template.app', rule: NET001, reason: x, owner: team-a, expires: 2999-12-31}\n- {address: 'aws_instance.gone', rule: NET003, reason: x, owner: team-b, expires: 2999-12-31}\n",
			exitClean, []string{"waiver_unused"}, 1},
		{"JSON waivers work too",
			`[{"address": "module.base.aws_launch_template.app", "rule": "NET001", "reason": "x", "owner": "o", "expires": "2999-01-01"}]`,
			exitClean, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "waivers.yaml")
			os.WriteFile(path, []byte(tt.waivers), 0o644)
			code, out, errOut := runCheck(t, "", "--format", "json", "--data", testData, "--waivers", path, plan("world_ingress"))
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.wantCode, out, errOut)
			}
			var res struct {
				Summary  Summary   `json:"summary"`
				Findings []Finding `json:"findings"`
			}
			json.Unmarshal([]byte(out), &res)
			var kinds []string
			for _, f := range res.Findings {
				if f.WaivedBy == nil {
					kinds = append(kinds, f.Kind)
				}
			}
			sort.Strings(kinds)
			if !slices.Equal(kinds, tt.wantKinds) || res.Summary.Waived != tt.waived {
				t.Errorf("unwaived kinds %q waived %d; want %q and %d", kinds, res.Summary.Waived, tt.wantKinds, tt.waived)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, addr string
		want          bool
	}{
		{"aws_instance.app[0]", "aws_instance.app[0]", true},
		{"aws_instance.app[*]", "aws_instance.app[1]", true},
		{"aws_instance.app[*]", "aws_instance.apps", false},
		{"module.*.aws_security_group.*", `module.net["a"].aws_security_group.web`, true},
		{"aws_instance.?", "aws_instance.ab", false},
		{"*", "anything", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.addr); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.addr, got, tt.want)
		}
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadInputExits2WithAMessage(t *testing.T) {
	compliant, _ := os.ReadFile(plan("compliant"))
	badRego := t.TempDir()
	os.WriteFile(filepath.Join(badRego, "x.rego"), []byte("package sre.rules.x\nfindings contains f if {\n"), 0o644)
	// Extra policies get every compiler check, type checks included.
	typeErr := t.TempDir()
	os.WriteFile(filepath.Join(typeErr, "x.rego"), []byte("package sre.rules.x\nfindings contains f if {\n\tf := input.targets[_]\n\tf.port + \"a\" > 1\n}\n"), 0o644)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no plan file", "", nil, "missing plan file"},
		{"two plan files", "", []string{"a.json", "b.json"}, "expected one plan file"},
		{"unknown flag", "", []string{"--frobnicate", "p.json"}, "flag provided but not defined"},
		{"unknown format", "", []string{"--format", "xml", "p.json"}, `unknown --format "xml"`},
		{"missing plan", "", []string{"testdata/nope.json"}, "cannot open plan testdata/nope.json"},
		{"plan is a directory", "", []string{"testdata"}, "plan testdata is a directory"},
		{"empty input", "", []string{"-"}, "plan is empty"},
		{"not JSON", "hello", []string{"-"}, "not a JSON object"},
		{"malformed JSON", `{"format_version": "1.2", "resource_changes": [}`, []string{"-"}, "not valid JSON"},
		{"truncated plan", string(compliant[:len(compliant)/2]), []string{"-"}, "ends early"},
		{"wrong format version", `{"format_version": "0.1", "resource_changes": []}`, []string{"-"}, `format_version "0.1" is not supported`},
		{"no format version", `{"resource_changes": []}`, []string{"-"}, "no format_version"},
		{"state instead of plan", `{"format_version": "1.0", "values": {}}`, []string{"-"}, "looks like a state file"},
		{"binary plan file", "PK\x03\x04zipdata", []string{"-"}, "binary plan file"},
		{"wrong field types", `{"format_version": "1.2", "resource_changes": {"a": 1}}`, []string{"-"}, "plan:"},
		{"resource change without actions", `{"format_version": "1.2", "resource_changes": [{"address": "aws_vpc.a", "mode": "managed", "type": "aws_vpc", "name": "a", "change": {"actions": []}}]}`, []string{"-"}, "actions is empty"},
		{"unknown data parameter", "", []string{"--data", writeFile(t, "d.yaml", "admn_cidrs: []\n"), plan("compliant")}, `unknown parameter "admn_cidrs"`},
		{"bad admin CIDR", "", []string{"--data", writeFile(t, "d.json", `{"admin_cidrs": ["10.0.0.0/33"]}`), plan("compliant")}, "is not a CIDR"},
		{"bad unknown mode", "", []string{"--data", writeFile(t, "d.json", `{"unknown": "ignore"}`), plan("compliant")}, `unknown must be "fail" or "warn"`},
		{"waiver without expiry", "", []string{"--waivers", writeFile(t, "w.yaml", "- {address: a, rule: NET001, reason: r, owner: o}\n"), plan("compliant")}, "expires is required"},
		{"waiver with a bad date", "", []string{"--waivers", writeFile(t, "w.yaml", "- {address: a, rule: NET001, reason: r, owner: o, expires: next week}\n"), plan("compliant")}, "not a date"},
		{"waiver for an unknown rule", "", []string{"--waivers", writeFile(t, "w.yaml", "- {address: a, rule: NET01, reason: r, owner: o, expires: 2999-01-01}\n"), plan("compliant")}, `rule "NET01" is not a rule id`},
		{"broken Rego in --policy", "", []string{"--policy", badRego, plan("compliant")}, "parse policy"},
		{"type error in --policy", "", []string{"--policy", typeErr, plan("compliant")}, "rego_type_error"},
		{"--policy not a directory", "", []string{"--policy", "testdata/nope", plan("compliant")}, "not a readable directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCheck(t, tt.stdin, tt.args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want 2; stderr: %s", code, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q does not say %q", errOut, tt.want)
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace in output: %s", errOut)
			}
		})
	}
}

func TestOutputFormats(t *testing.T) {
	args := func(format string) []string {
		return []string{"--format", format, "--data", testData, plan("ssh_from_internet")}
	}
	t.Run("sarif is SARIF 2.1.0 with one result per finding", func(t *testing.T) {
		code, out, _ := runCheck(t, "", args("sarif")...)
		var log sarifLog
		if err := json.Unmarshal([]byte(out), &log); err != nil || code != exitViolations {
			t.Fatalf("exit %d, %v", code, err)
		}
		if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != 2 || len(log.Runs[0].Tool.Driver.Rules) != 10 {
			t.Errorf("unexpected SARIF: %s", out)
		}
		if got := log.Runs[0].Results[0].Locations[0].Logical[0].FullyQualifiedName; got != appLT {
			t.Errorf("logical location %q", got)
		}
	})
	t.Run("junit has a failing case per violated rule", func(t *testing.T) {
		_, out, _ := runCheck(t, "", args("junit")...)
		var suites junitSuites
		if err := xml.Unmarshal([]byte(out), &suites); err != nil {
			t.Fatal(err)
		}
		if s := suites.Suites[0]; s.Tests != 10 || s.Failures != 2 {
			t.Errorf("tests %d failures %d", s.Tests, s.Failures)
		}
	})
	t.Run("github prints one error annotation per finding", func(t *testing.T) {
		_, out, _ := runCheck(t, "", args("github")...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "::error file=") || !strings.Contains(lines[0], "title=NET001 ") {
			t.Errorf("annotations:\n%s", out)
		}
	})
	t.Run("text without a terminal has no colour and a summary", func(t *testing.T) {
		_, out, _ := runCheck(t, "", args("text")...)
		if strings.Contains(out, "\x1b[") || !strings.Contains(out, "FAIL testdata/plans/ssh_from_internet.json: 2 error(s)") {
			t.Errorf("text:\n%s", out)
		}
	})
	t.Run("text colours when asked for a terminal", func(t *testing.T) {
		var b strings.Builder
		textFormat{color: true}.write(&b, &Report{Plan: "p", Findings: []Finding{{ID: "NET001", Severity: SevError}}})
		if !strings.Contains(b.String(), "\x1b[1;31mERROR") {
			t.Errorf("no colour: %q", b.String())
		}
	})
}

func TestStdinAndFlagsAfterThePlan(t *testing.T) {
	raw, _ := os.ReadFile(plan("world_ingress"))
	code, out, errOut := runCheck(t, string(raw), "-", "--data", testData, "--format", "json")
	if code != exitViolations || !strings.Contains(out, `"errors": 1`) {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}

func TestDumpModel(t *testing.T) {
	code, out, _ := runCheck(t, "", "--dump-model", plan("compliant"))
	var m struct {
		ModelVersion   int            `json:"model_version"`
		Targets        map[string]any `json:"targets"`
		SecurityGroups map[string]any `json:"security_groups"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil || code != exitClean {
		t.Fatalf("exit %d: %v", code, err)
	}
	if m.ModelVersion != 4 || m.Targets["module.base.aws_lb.web"] == nil || len(m.SecurityGroups) != 4 {
		t.Errorf("model: version %d, %d targets, %d groups", m.ModelVersion, len(m.Targets), len(m.SecurityGroups))
	}
}

func TestExtraPolicyDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "no_databases.rego"), []byte(`package sre.rules.no_databases

meta := {"id": "ORG001", "title": "No databases", "remediation": "Use the shared cluster."}

findings contains f if {
	some t in input.targets
	t.kind == "db_instance"
	f := {"id": meta.id, "title": meta.title, "severity": "error", "kind": "violation", "address": t.address, "message": "no", "remediation": meta.remediation}
}
`), 0o644)
	code, keys := findingKeys(t, "--policy", dir, plan("compliant"))
	if code != exitViolations || !slices.Equal(keys, []string{"ORG001 violation module.base.aws_db_instance.this"}) {
		t.Errorf("exit %d, findings %q", code, keys)
	}
}

// TestSharedRulesUnderWith: the rule packages share the values of rules
// they have in common, but a value computed under `with` is that query's
// own. On one core the packages run in path order, so aa_with computes the
// shared rule under `with` before ab_plain reads it.
func TestSharedRulesUnderWith(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	dir := t.TempDir()
	files := map[string]string{
		"common.rego": `package org.common

target_count := count(input.targets)
`,
		"aa_with.rego": `package sre.rules.aa_with

import data.org.common

findings contains f if {
	n := common.target_count with input.targets as {}
	f := {"id": "ORG001", "title": "t", "severity": "warning", "address": "a", "message": sprintf("%d", [n]), "remediation": "r"}
}
`,
		"ab_plain.rego": `package sre.rules.ab_plain

import data.org.common

findings contains f if {
	f := {"id": "ORG002", "title": "t", "severity": "warning", "address": "b", "message": sprintf("%d", [common.target_count]), "remediation": "r"}
}

findings contains f if {
	n := common.target_count with input.targets as {"x": {}, "y": {}}
	f := {"id": "ORG003", "title": "t", "severity": "warning", "address": "c", "message": sprintf("%d", [n]), "remediation": "r"}
}
`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var dump struct {
		Targets map[string]any `json:"targets"`
	}
	_, out, _ := runCheck(t, "", "--dump-model", plan("compliant"))
	if err := json.Unmarshal([]byte(out), &dump); err != nil || len(dump.Targets) < 3 {
		t.Fatalf("model: %v, %d targets", err, len(dump.Targets))
	}
	_, out, errOut := runCheck(t, "", "--format", "json", "--data", testData, "--policy", dir, plan("compliant"))
	var res struct {
		Findings []Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json output: %v\n%s%s", err, out, errOut)
	}
	want := map[string]string{"ORG001": "0", "ORG002": strconv.Itoa(len(dump.Targets)), "ORG003": "2"}
	got := map[string]string{}
	for _, f := range res.Findings {
		if _, ok := want[f.ID]; ok {
			got[f.ID] = f.Message
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("target counts seen by the packages: %v, want %v", got, want)
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := runCheck(t, "", "--help")
	if code != exitClean || !strings.Contains(out, "--changed-only") || !strings.Contains(out, "Exit status") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

package check

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/findings.golden.json")

// goldenFinding is what the golden file pins of each finding.
type goldenFinding struct {
	ID       string `json:"id"`
	Address  string `json:"address"`
	Severity string `json:"severity"`
	Kind     string `json:"kind"`
	Message  string `json:"message"`
}

// goldenPlans are every fixture plan: the real ones and the hand-written
// ones.
func goldenPlans(t *testing.T) []string {
	t.Helper()
	var paths []string
	for _, dir := range []string{"plans", "index"} {
		more, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, more...)
	}
	if len(paths) < 20 {
		t.Fatalf("found %d fixture plans", len(paths))
	}
	sort.Strings(paths)
	return paths
}

// goldenData are the parameter files the findings are pinned under: the
// defaults and the tests' admin CIDRs.
var goldenData = []string{"", testData}

// checkFindings runs `check --format json` on a plan and returns its
// findings, sorted.
func checkFindings(t *testing.T, dataPath, planPath string) []goldenFinding {
	t.Helper()
	args := []string{"--format", "json", planPath}
	if dataPath != "" {
		args = append([]string{"--data", dataPath}, args...)
	}
	code, out, errOut := runCheck(t, "", args...)
	if code == exitBadInput {
		t.Fatalf("%s: exit 2: %s", planPath, errOut)
	}
	var res struct {
		Findings []goldenFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%s: %v", planPath, err)
	}
	sortGolden(res.Findings)
	if res.Findings == nil {
		res.Findings = []goldenFinding{}
	}
	return res.Findings
}

func sortGolden(fs []goldenFinding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Message < b.Message
	})
}

// Every fixture plan gives exactly the findings recorded in
// testdata/findings.golden.json (go test -run TestFindingsGolden -update
// rewrites it; review the diff).
func TestFindingsGolden(t *testing.T) {
	got := map[string][]goldenFinding{}
	total := 0
	for _, d := range goldenData {
		for _, p := range goldenPlans(t) {
			key := "data=" + filepath.Base(d) + " " + filepath.ToSlash(p)
			if d == "" {
				key = "data=default " + filepath.ToSlash(p)
			}
			got[key] = checkFindings(t, d, p)
			total += len(got[key])
		}
	}
	if total < 30 {
		t.Fatalf("only %d findings over every fixture", total)
	}
	golden := filepath.Join("testdata", "findings.golden.json")
	raw, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	raw = append(raw, '\n')
	if *updateGolden {
		if err := os.WriteFile(golden, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(want, raw) {
		return
	}
	var wantMap map[string][]goldenFinding
	if err := json.Unmarshal(want, &wantMap); err != nil {
		t.Fatal(err)
	}
	for k, w := range wantMap {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: no longer checked", k)
			continue
		}
		wj, _ := json.MarshalIndent(w, "", "  ")
		gj, _ := json.MarshalIndent(g, "", "  ")
		if !bytes.Equal(wj, gj) {
			t.Errorf("%s: findings changed\n got  %s\n want %s", k, gj, wj)
		}
	}
	for k := range got {
		if _, ok := wantMap[k]; !ok {
			t.Errorf("%s: not in the golden file (run with -update)", k)
		}
	}
}

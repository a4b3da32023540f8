package check

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
)

func readModel(t *testing.T, path string, opts planmodel.Options) *planmodel.Model {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, _, err := planmodel.Read(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustData(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := loadData(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// dumpModel runs `check --dump-model` and returns its output.
func dumpModel(t *testing.T, dataPath, planPath string) string {
	t.Helper()
	args := []string{"--dump-model", planPath}
	if dataPath != "" {
		args = append([]string{"--data", dataPath}, args...)
	}
	code, out, errOut := runCheck(t, "", args...)
	if code != exitClean {
		t.Fatalf("%s: --dump-model exit %d: %s", planPath, code, errOut)
	}
	return out
}

// The policies' input is the document --dump-model prints, decoded as
// JSON, on every fixture plan.
func TestInputIsDumpModel(t *testing.T) {
	for _, p := range goldenPlans(t) {
		want, err := ast.ValueFromReader(strings.NewReader(dumpModel(t, testData, p)))
		if err != nil {
			t.Fatal(err)
		}
		// Chunks of one and three entries put every member's entries
		// in many tasks, converted by different goroutines; release
		// empties the model on the way.
		for _, chunk := range []int{inputChunk, 1, 3} {
			m := readModel(t, p, modelOptions(mustData(t, testData)))
			got, err := convertModel(m, chunk != inputChunk, chunk)
			if err != nil {
				t.Fatal(err)
			}
			if got.Compare(want) != 0 {
				t.Errorf("%s: with chunks of %d, the policies' input differs from --dump-model", p, chunk)
			}
			if chunk != inputChunk && (m.Targets != nil || m.Exposures != nil || m.SecurityGroups != nil) {
				t.Errorf("%s: with release, the converted members stay in the model", p)
			}
		}
	}
}

// bundleDir copies policies/ (Rego tests included, as `opa eval -d
// policies` would load them) into a temporary directory, with data.json
// holding the parameters of dataPath.
func bundleDir(t *testing.T, dataPath string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "policies")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), raw, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(mustData(t, dataPath))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// OPA itself, loading the policies as plain files from disk and given the
// decoded --dump-model JSON as input (as `opa eval -d policies -i
// model.json data.sre.checker.findings` does), finds exactly what `check`
// reports, on every fixture plan.
func TestOPAOnDumpModelMatchesCheck(t *testing.T) {
	ctx := context.Background()
	total := 0
	for _, d := range goldenData {
		dir := bundleDir(t, d)
		for _, p := range goldenPlans(t) {
			var input any
			if err := json.Unmarshal([]byte(dumpModel(t, d, p)), &input); err != nil {
				t.Fatal(err)
			}
			rs, err := rego.New(rego.Load([]string{dir}, nil), rego.Query("data.sre.checker.findings"), rego.Input(input)).Eval(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 {
				t.Fatalf("%s: %d results", p, len(rs))
			}
			var opa []goldenFinding
			raw, _ := json.Marshal(rs[0].Expressions[0].Value)
			if err := json.Unmarshal(raw, &opa); err != nil {
				t.Fatal(err)
			}
			sortGolden(opa)
			if opa == nil {
				opa = []goldenFinding{}
			}
			want := checkFindings(t, d, p)
			total += len(want)
			if !slices.Equal(opa, want) {
				t.Errorf("%s (data %q): OPA on --dump-model finds\n %v\ncheck reports\n %v", p, d, opa, want)
			}
		}
	}
	if total == 0 {
		t.Error("no findings to compare")
	}
}

// The model lists a door per target, rule and source, of every kind.
func TestExposureRowsCoverEverySourceKind(t *testing.T) {
	m := readModel(t, filepath.Join("testdata", "index", "ssh_source_kinds.json"), modelOptions(mustData(t, testData)))
	kinds := map[string]int{}
	for _, x := range m.Exposures {
		if m.Targets[x.Target] == nil || m.SecurityGroups[x.SecurityGroup] == nil || x.DeclaredIn == "" {
			t.Errorf("row names what the model does not have: %+v", x)
		}
		kinds[x.SourceKind]++
		if x.SourceKind == planmodel.SourceCIDR && x.Source == "0.0.0.0/0" && !(x.World && x.Public) {
			t.Errorf("a world CIDR row is not world and public: %+v", x)
		}
		if x.SourceKind != planmodel.SourceCIDR && (x.World || x.Public) {
			t.Errorf("a %s row is world or public: %+v", x.SourceKind, x)
		}
	}
	for _, k := range []string{planmodel.SourceCIDR, planmodel.SourceSecurityGroup, planmodel.SourcePrefixList, planmodel.SourceSelf} {
		if kinds[k] == 0 {
			t.Errorf("no %s rows: %v", k, kinds)
		}
	}
}

// conftest, when scripts/bench-check.sh has installed it into ./bin, denies
// on --dump-model exactly the errors `check` reports (default parameters).
func TestConftestOnDumpModelMatchesCheck(t *testing.T) {
	conftest, err := filepath.Abs(filepath.Join("..", "..", "bin", "conftest"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(conftest); err != nil {
		t.Skip("no bin/conftest (bash scripts/bench-check.sh installs it)")
	}
	dir := t.TempDir()
	for _, p := range goldenPlans(t) {
		model := filepath.Join(dir, "model.json")
		if err := os.WriteFile(model, []byte(dumpModel(t, "", p)), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command(conftest, "test", "--no-color", "-o", "json", "-p", "../../policies",
			"--data", "../../policies/data.json", "--namespace", "sre.checker", model).Output()
		var res []struct {
			Failures []struct {
				Msg string `json:"msg"`
			} `json:"failures"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s: conftest output %q: %v", p, out, err)
		}
		var got, want []string
		for _, r := range res {
			for _, f := range r.Failures {
				got = append(got, f.Msg)
			}
		}
		for _, f := range checkFindings(t, "", p) {
			if f.Severity == SevError {
				want = append(want, f.ID+" "+f.Address+": "+f.Message)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		want = slices.Compact(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: conftest denies\n %q\ncheck reports\n %q", p, got, want)
		}
	}
}

package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sre-provider/terraform-provider-sre/internal/benchgen"
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

// modelJSONValue is the reference input: the model's JSON (what
// --dump-model prints) decoded by OPA.
func modelJSONValue(t *testing.T, m *planmodel.Model) ast.Value {
	t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ast.ValueFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The policies see the same document users get from --dump-model.
// Comparing forces the lazy input's conversion of every member.
func TestModelValueMatchesModelJSON(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "plans", "*.json"))
	for _, p := range paths {
		m := readModel(t, p, planmodel.Options{})
		want := modelJSONValue(t, m)
		for _, byJSON := range []bool{false, true} {
			if got := lazyInput(nativeModel(m, byJSON)); got.Compare(want) != 0 {
				t.Errorf("%s (byJSON %v): converted model differs from its JSON\n got  %v\n want %v", p, byJSON, got, want)
			}
		}
	}
}

// iteratePolicy reads the whole model, so the lazy input is converted in
// full (iteration, hashing, printing) rather than member by member.
const iteratePolicy = `package sre.rules.test_iterate

findings contains f if {
	some addr, t in input.targets
	f := {"id": "TST001", "severity": "warning", "address": addr, "message": sprintf("%v", [t])}
}

findings contains f if {
	some k, g in input.security_groups
	some i, r in g.ingress
	f := {"id": "TST002", "severity": "warning", "address": k, "message": sprintf("%d %v", [i, r])}
}

findings contains f if {
	f := {"id": "TST003", "severity": "warning", "address": "input", "message": crypto.sha256(json.marshal(input))}
}
`

// The lazy input gives exactly the findings of an eager conversion of the
// model's JSON, with the bundled rules alone and with a policy that walks
// everything, on every fixture plan and on a large generated one.
func TestLazyInputFindingsMatchJSONInput(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "iterate.rego"), []byte(iteratePolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "plans", "*.json"))
	if !testing.Short() {
		paths = append(paths, benchgen.TempPlan(t, 2000))
	}
	ctx := context.Background()
	total := 0
	for _, dataPath := range []string{"", testData} {
		data, err := loadData(dataPath)
		if err != nil {
			t.Fatal(err)
		}
		for _, extra := range [][]string{nil, {dir}} {
			eng, err := newEngine(ctx, extra, data)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range paths {
				m := readModel(t, p, modelOptions(data))
				want := modelJSONValue(t, m)
				eager, err := eng.eval(ctx, func() ast.Value { return want })
				if err != nil {
					t.Fatal(err)
				}
				sortResult(eager)
				total += len(eager.Findings)
				// Both ways of building the lazy input, whichever the
				// engine would pick.
				for _, byJSON := range []bool{false, true} {
					lazy, err := eng.eval(ctx, func() ast.Value { return lazyInput(nativeModel(m, byJSON)) })
					if err != nil {
						t.Fatal(err)
					}
					sortResult(lazy)
					if !reflect.DeepEqual(eager, lazy) {
						t.Errorf("%s (data %q, extra policies %v, byJSON %v): lazy input findings differ from the JSON input's\n lazy  %v\n eager %v",
							p, dataPath, extra, byJSON, lazy, eager)
					}
				}
			}
		}
	}
	if total == 0 {
		t.Error("no findings to compare")
	}
}

func sortResult(r *evalResult) {
	slices.SortFunc(r.Findings, func(a, b Finding) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	slices.SortFunc(r.Rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
}

// Extra policies may walk the whole model, which the native tree serves
// faster than JSON conversions; the bundled rules alone get the JSON
// conversions.
func TestEngineBuildsNativeTreeOnlyForExtraPolicies(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "iterate.rego"), []byte(iteratePolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := loadData("")
	if err != nil {
		t.Fatal(err)
	}
	bundled, err := newEngine(ctx, nil, data)
	if err != nil {
		t.Fatal(err)
	}
	extra, err := newEngine(ctx, []string{dir}, data)
	if err != nil {
		t.Fatal(err)
	}
	if bundled.extra || !extra.extra {
		t.Errorf("extra = %v for the bundle alone and %v with --policy; want false and true", bundled.extra, extra.extra)
	}
}

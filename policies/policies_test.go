package policies_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/sre-provider/terraform-provider-sre/policies"
)

func regoFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := fs.WalkDir(policies.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return err
		}
		files[path], err = fs.ReadFile(policies.FS, path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestRego runs every _test.rego in the bundle with the default data.
func TestRego(t *testing.T) {
	modules := map[string]*ast.Module{}
	for path, src := range regoFiles(t) {
		m, err := ast.ParseModuleWithOpts(path, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		modules[path] = m
	}
	raw, err := fs.ReadFile(policies.FS, "data.json")
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	ch, err := tester.NewRunner().
		SetStore(inmem.NewFromObject(data)).
		SetModules(modules).
		RunTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range ch {
		n++
		name := r.Package + "." + r.Name
		switch {
		case r.Error != nil:
			t.Errorf("%s: error: %v", name, r.Error)
		case r.Fail:
			t.Errorf("%s: failed", name)
		}
	}
	if n < 40 {
		t.Errorf("ran %d Rego tests, expected every rule's tests to be found", n)
	}
}

// TestRegoFormatted keeps every file in `opa fmt` canonical form.
func TestRegoFormatted(t *testing.T) {
	for path, src := range regoFiles(t) {
		want, err := format.Source(path, src)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if string(want) != string(src) {
			t.Errorf("%s is not in canonical format; run `opa fmt -w policies`", path)
		}
	}
}

package check

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
)

// The policies see the same document users get from --dump-model.
func TestModelValueMatchesModelJSON(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "plans", "*.json"))
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := planmodel.Read(f, planmodel.Options{})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(m)
		want, err := ast.ValueFromReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := modelValue(m); got.Compare(want) != 0 {
			t.Errorf("%s: converted model differs from its JSON\n got  %v\n want %v", p, got, want)
		}
	}
}

package check

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
)

// The judgements the checker precomputes into the model's index give the
// same findings as the rules' own Rego, which they fall back to when the
// index was computed with other parameters.
func TestIndexMatchesRegoFallback(t *testing.T) {
	ctx := context.Background()
	paths, _ := filepath.Glob(filepath.Join("testdata", "plans", "*.json"))
	// Hand-written plans for judgements the scenarios do not reach: every
	// kind of SSH source, on servers and on the bastion.
	more, _ := filepath.Glob(filepath.Join("testdata", "index", "*.json"))
	paths = append(paths, more...)
	seen := map[string]bool{}
	for _, dataPath := range []string{"", filepath.Join("testdata", "data.json")} {
		data, err := loadData(dataPath)
		if err != nil {
			t.Fatal(err)
		}
		eng, err := newEngine(ctx, nil, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			m, _, err := planmodel.Read(f, modelOptions(data))
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			eval := func() map[Finding]bool {
				res, err := evalModel(ctx, eng, m)
				if err != nil {
					t.Fatal(err)
				}
				out := map[Finding]bool{}
				for _, f := range res.Findings {
					out[f] = true
					seen[f.ID] = true
				}
				return out
			}
			indexed := eval()
			// Parameters that differ from the policy's turn the precomputed
			// parts off.
			pi := m.Index.PublicIngress
			ss := m.Index.SSHSources
			m.Index.PublicIngress.SSHPort = -1
			m.Index.SSHSources.Exact = false
			lbl := m.Index.LBListeners
			m.Index.LBListeners.AllowHTTPRedirect = !lbl.AllowHTTPRedirect
			fallback := eval()
			if !reflect.DeepEqual(indexed, fallback) {
				t.Errorf("%s (data %q): findings with the index differ from the Rego fallback\n index    %v\n fallback %v", p, dataPath, indexed, fallback)
			}
			// With matching parameters the rules do use the index.
			m.Index.PublicIngress = pi
			m.Index.PublicIngress.Violations = nil
			m.Index.SSHSources = ss
			m.Index.SSHSources.Rules = nil
			m.Index.SSHSources.Violations = nil
			m.Index.LBListeners = planmodel.LBListeners{AllowHTTPRedirect: lbl.AllowHTTPRedirect}
			for f := range eval() {
				if (f.ID == "NET001" || f.ID == "NET002" || f.ID == "NET005") && f.Kind == "violation" {
					t.Errorf("%s: %s judged the model itself despite a matching index: %v", p, f.ID, f)
				}
			}
		}
	}
	for _, id := range []string{"NET001", "NET002", "NET005"} {
		if !seen[id] {
			t.Errorf("no fixture produced %s findings", id)
		}
	}
}

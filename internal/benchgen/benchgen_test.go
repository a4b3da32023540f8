package benchgen

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestGeneratesAValidPlanOfTheRequestedSizeAndShape(t *testing.T) {
	for _, shape := range Shapes {
		for _, n := range []int{100, 1000} {
			var b bytes.Buffer
			o := Defaults(n)
			o.Shape = shape
			if err := Write(&b, o); err != nil {
				t.Fatal(err)
			}
			var plan struct {
				FormatVersion   string `json:"format_version"`
				ResourceChanges []struct {
					Address string `json:"address"`
					Type    string `json:"type"`
				} `json:"resource_changes"`
				Configuration struct {
					RootModule struct {
						Resources []struct {
							Address     string                     `json:"address"`
							Expressions map[string]json.RawMessage `json:"expressions"`
						} `json:"resources"`
					} `json:"root_module"`
				} `json:"configuration"`
			}
			if err := json.Unmarshal(b.Bytes(), &plan); err != nil {
				t.Fatalf("%s %d: %v", shape, n, err)
			}
			got := len(plan.ResourceChanges)
			if plan.FormatVersion != "1.2" || got < n*9/10 || got > n*11/10+instanceGroups {
				t.Errorf("%s %d: format %q, %d resource changes", shape, n, plan.FormatVersion, got)
			}
			seen := map[string]bool{}
			types := map[string]int{}
			for _, rc := range plan.ResourceChanges {
				if seen[rc.Address] {
					t.Errorf("%s %d: %s twice", shape, n, rc.Address)
				}
				seen[rc.Address] = true
				types[rc.Type]++
			}
			if shape == ShapeModules {
				continue
			}
			// Root-module shapes: the configuration grows with the plan.
			if blocks := len(plan.Configuration.RootModule.Resources); blocks < got/rulesPerGroup {
				t.Errorf("%s %d: %d configuration blocks for %d resources", shape, n, blocks, got)
			}
			switch shape {
			case ShapeFlat:
				g := types["aws_security_group"] - 1
				if types["aws_security_group_rule"] != 2*g || types["aws_vpc_security_group_ingress_rule"] != g || types["aws_instance"] != g+1 {
					t.Errorf("flat %d: %v", n, types)
				}
			case ShapeRules:
				if types["aws_security_group_rule"] < got*9/10 {
					t.Errorf("rules %d: %v", n, types)
				}
			case ShapeInstances:
				if types["aws_instance"] < got-instanceGroups-5 {
					t.Errorf("instances %d: %v", n, types)
				}
			}
		}
	}
}

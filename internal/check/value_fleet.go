package check

import (
	"encoding/json"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
)

// addFleetFacts adds the REL rules' part of the model (fleets, target
// groups, sre resources) to the native tree. It is small next to the
// network part, so it goes through its JSON form: one definition of its
// shape, the model's.
func addFleetFacts(root map[string]any, m *planmodel.Model) {
	for k, v := range map[string]any{"fleets": m.Fleets, "target_groups": m.TargetGroups, "sre": m.SRE} {
		data, err := json.Marshal(v)
		if err != nil {
			panic(err) // plain structs of strings, numbers and bools
		}
		var native any
		if err := json.Unmarshal(data, &native); err != nil {
			panic(err)
		}
		root[k] = native
	}
}

package benchgen

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestGeneratesAValidPlanOfTheRequestedSize(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, Defaults(10*perService)); err != nil {
		t.Fatal(err)
	}
	var plan struct {
		FormatVersion   string            `json:"format_version"`
		ResourceChanges []json.RawMessage `json:"resource_changes"`
	}
	if err := json.Unmarshal(b.Bytes(), &plan); err != nil {
		t.Fatal(err)
	}
	if plan.FormatVersion != "1.2" || len(plan.ResourceChanges) < 10*perService {
		t.Errorf("format %q, %d resource changes", plan.FormatVersion, len(plan.ResourceChanges))
	}
}

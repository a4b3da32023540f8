package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
)

func TestGeneratesAValidPlanOfTheRequestedSize(t *testing.T) {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	if err := write(w, 10); err != nil {
		t.Fatal(err)
	}
	w.Flush()
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

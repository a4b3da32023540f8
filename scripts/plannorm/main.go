// Command plannorm makes `terraform show -json` output stable for committing
// as a fixture: it replaces the plan timestamp, sorts relevant_attributes
// (Terraform writes them in map order) and pretty-prints with sorted keys,
// so regenerating unchanged scenarios leaves no diff. The live status an
// applied sre_slo reads back (its window_start/window_end follow the
// clock) is pinned too.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

const fixedTimestamp = "2000-01-01T00:00:00Z"

func main() {
	dec := json.NewDecoder(os.Stdin)
	dec.UseNumber()
	var plan map[string]any
	if err := dec.Decode(&plan); err != nil {
		fmt.Fprintf(os.Stderr, "plannorm: read plan: %v\n", err)
		os.Exit(1)
	}
	if _, ok := plan["timestamp"]; ok {
		plan["timestamp"] = fixedTimestamp
	}
	pinWindows(plan)
	if ra, ok := plan["relevant_attributes"].([]any); ok {
		sort.SliceStable(ra, func(i, j int) bool { return sortKey(ra[i]) < sortKey(ra[j]) })
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(plan); err != nil {
		fmt.Fprintf(os.Stderr, "plannorm: write plan: %v\n", err)
		os.Exit(1)
	}
}

func sortKey(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// pinWindows replaces every window_start/window_end string, wherever it is,
// with the fixed timestamp.
func pinWindows(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if _, ok := e.(string); ok && (k == "window_start" || k == "window_end") {
				x[k] = fixedTimestamp
				continue
			}
			pinWindows(e)
		}
	case []any:
		for _, e := range x {
			pinWindows(e)
		}
	}
}

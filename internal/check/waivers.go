package check

import (
	"fmt"
	"strings"
	"time"
)

// Waiver accepts a finding for a while: a rule on resources matching an
// address glob, with a reason, an owner and a required expiry date.
type Waiver struct {
	Address string `json:"address"`
	Rule    string `json:"rule"`
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"`

	expires time.Time
	used    bool
}

// loadWaivers reads a YAML or JSON list of waivers, either at the top
// level or under a "waivers" key, and checks every field.
func loadWaivers(path string, ruleIDs map[string]bool) ([]*Waiver, error) {
	doc, err := readDoc(path)
	if err != nil {
		return nil, inputErrorf("--waivers %s: %v", path, err)
	}
	if m, ok := doc.(map[string]any); ok {
		doc = m["waivers"]
	}
	list, ok := doc.([]any)
	if !ok {
		return nil, inputErrorf("--waivers %s: expected a list of waivers (or an object with a \"waivers\" list)", path)
	}
	var out []*Waiver
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, inputErrorf("--waivers %s: waiver %d is not an object", path, i+1)
		}
		w := &Waiver{}
		fields := map[string]*string{"address": &w.Address, "rule": &w.Rule, "reason": &w.Reason, "owner": &w.Owner, "expires": &w.Expires}
		for k, v := range m {
			dst, known := fields[k]
			if !known {
				return nil, inputErrorf("--waivers %s: waiver %d: unknown field %q (fields: address, rule, reason, owner, expires)", path, i+1, k)
			}
			*dst = strings.TrimSpace(fmt.Sprint(v))
			if t, ok := v.(time.Time); ok {
				*dst = t.Format(time.DateOnly)
			}
		}
		for _, k := range []string{"address", "rule", "reason", "owner", "expires"} {
			if *fields[k] == "" {
				return nil, inputErrorf("--waivers %s: waiver %d: %s is required", path, i+1, k)
			}
		}
		t, err := time.Parse(time.DateOnly, w.Expires)
		if err != nil {
			return nil, inputErrorf("--waivers %s: waiver %d: expires %q is not a date like 2025-12-31", path, i+1, w.Expires)
		}
		w.expires = t
		if !ruleIDs[w.Rule] {
			return nil, inputErrorf("--waivers %s: waiver %d: rule %q is not a rule id (known: %s)", path, i+1, w.Rule, strings.Join(sortedSet(ruleIDs), ", "))
		}
		out = append(out, w)
	}
	return out, nil
}

// expired reports whether the waiver no longer applies on day now; a
// waiver is valid through its expiry date.
func (w *Waiver) expired(now time.Time) bool {
	return now.After(w.expires.Add(24 * time.Hour))
}

// applyWaivers marks waived findings and adds a warning for every expired
// waiver and every waiver that matched nothing.
func applyWaivers(fs []Finding, ws []*Waiver, now time.Time) []Finding {
	for i := range fs {
		for _, w := range ws {
			if w.Rule == fs[i].ID && globMatch(w.Address, fs[i].Address) {
				w.used = true
				if !w.expired(now) && fs[i].WaivedBy == nil {
					fs[i].WaivedBy = w
				}
			}
		}
	}
	for _, w := range ws {
		switch {
		case w.expired(now):
			fs = append(fs, Finding{ID: w.Rule, Title: "Expired waiver", Severity: SevWarning, Kind: "waiver_expired", Address: w.Address,
				Message:     fmt.Sprintf("waiver for %s on %s (owner %s) expired on %s and no longer waives anything", w.Rule, w.Address, w.Owner, w.Expires),
				Remediation: "Fix the finding, or renew the waiver with a new expiry date after review."})
		case !w.used:
			fs = append(fs, Finding{ID: w.Rule, Title: "Unused waiver", Severity: SevWarning, Kind: "waiver_unused", Address: w.Address,
				Message:     fmt.Sprintf("waiver for %s on %s (owner %s) matches no finding", w.Rule, w.Address, w.Owner),
				Remediation: "Remove the waiver, or correct its address pattern or rule id."})
		}
	}
	return fs
}

// globMatch matches a resource address against a pattern where * matches
// any run of characters and ? one character; everything else, including
// brackets and quotes of instance keys, is literal.
func globMatch(pattern, s string) bool {
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[n]):
			p++
			n++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

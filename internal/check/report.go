package check

import (
	"sort"

	"github.com/sre-provider/terraform-provider-sre/internal/doors"
)

// Severities.
const (
	SevError   = "error"
	SevWarning = "warning"
)

// Finding is one result of a rule on one resource.
type Finding struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Severity    string `json:"severity"`
	Kind        string `json:"kind"` // violation, cannot_prove, waiver_expired, waiver_unused
	Address     string `json:"address"`
	Message     string `json:"message"`
	Remediation string `json:"remediation"`
	// File, Line and EndLine are where the resource's block is written
	// (File relative to the repository or configuration root), when the
	// configuration was read (--config) and holds the address.
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	EndLine int    `json:"end_line,omitempty"`
	// WaivedBy is set when a waiver suppresses the finding.
	WaivedBy *Waiver `json:"waived_by,omitempty"`
}

// Rule describes a policy rule for output formats that list rules.
type Rule struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Remediation string `json:"remediation"`
}

// Report is everything the output formats render. The runner fills it;
// formats never decide the exit code.
type Report struct {
	Plan     string    `json:"plan"`
	Findings []Finding `json:"findings"`
	Rules    []Rule    `json:"rules"`
	// Doors is the graph --format mermaid|dot draws; nil for the others.
	Doors *doors.Graph `json:"-"`
}

// Summary counts findings that are not waived.
type Summary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Waived   int `json:"waived"`
}

func (r *Report) Summary() Summary {
	var s Summary
	for _, f := range r.Findings {
		switch {
		case f.WaivedBy != nil:
			s.Waived++
		case f.Severity == SevError:
			s.Errors++
		default:
			s.Warnings++
		}
	}
	return s
}

// ExitCode is 1 when any unwaived error remains, else 0.
func (r *Report) ExitCode() int {
	if r.Summary().Errors > 0 {
		return exitViolations
	}
	return exitClean
}

func sortFindings(fs []Finding) {
	rank := func(f Finding) int {
		switch {
		case f.WaivedBy != nil:
			return 2
		case f.Severity == SevError:
			return 0
		}
		return 1
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		return a.Message < b.Message
	})
}

func sortStrings(s []string) { sort.Strings(s) }

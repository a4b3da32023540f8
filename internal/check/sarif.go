package check

import (
	"encoding/json"
	"io"
)

// sarifFormat writes SARIF 2.1.0 for code scanning dashboards. Findings
// point at the block of their resource in the configuration when it was
// read (--config), at the plan file otherwise, and name the resource as a
// logical location.
type sarifFormat struct{}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string      `json:"id"`
	ShortDescription sarifText   `json:"shortDescription"`
	Help             sarifText   `json:"help"`
	Default          sarifConfig `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	Level        string             `json:"level"`
	Message      sarifText          `json:"message"`
	Locations    []sarifLocation    `json:"locations"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	Physical sarifPhysical  `json:"physicalLocation"`
	Logical  []sarifLogical `json:"logicalLocations"`
}

type sarifPhysical struct {
	Artifact struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region *sarifRegion `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
	EndLine   int `json:"endLine,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

func (sarifFormat) write(w io.Writer, r *Report) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "terraform-provider-sre check",
			InformationURI: "https://github.com/sre-provider/terraform-provider-sre/blob/main/docs/checker.md",
			Rules:          []sarifRule{},
		}},
		Results: []sarifResult{},
	}
	for _, rule := range r.Rules {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: rule.ID, ShortDescription: sarifText{rule.Title}, Help: sarifText{rule.Remediation}, Default: sarifConfig{"error"},
		})
	}
	uri := r.Plan
	if uri == "-" {
		uri = "stdin"
	}
	for _, f := range r.Findings {
		level := "error"
		if f.Severity == SevWarning {
			level = "warning"
		}
		loc := sarifLocation{Logical: []sarifLogical{{FullyQualifiedName: f.Address, Kind: "resource"}}}
		loc.Physical.Artifact.URI = uri
		if f.File != "" {
			// The resource's block in the configuration, relative to the
			// repository root, which code scanning resolves it against.
			loc.Physical.Artifact.URI = f.File
			loc.Physical.Region = &sarifRegion{StartLine: f.Line, EndLine: f.EndLine}
		}
		res := sarifResult{RuleID: f.ID, Level: level, Message: sarifText{f.Message + " Fix: " + f.Remediation}, Locations: []sarifLocation{loc}}
		if f.WaivedBy != nil {
			res.Suppressions = []sarifSuppression{{Kind: "external", Justification: f.WaivedBy.Reason + " (owner " + f.WaivedBy.Owner + ", expires " + f.WaivedBy.Expires + ")"}}
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	})
}

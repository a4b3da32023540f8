package check

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// formatter renders a report. Each output format is its own small type.
type formatter interface {
	write(w io.Writer, r *Report) error
}

func newFormatter(name string, color bool) (formatter, bool) {
	switch name {
	case "text":
		return textFormat{color: color}, true
	case "json":
		return jsonFormat{}, true
	case "sarif":
		return sarifFormat{}, true
	case "junit":
		return junitFormat{}, true
	case "github":
		return githubFormat{}, true
	case "mermaid":
		return doorsFormat{}, true
	case "dot":
		return doorsFormat{dot: true}, true
	}
	return nil, false
}

const formatNames = "text, json, sarif, junit, github, mermaid, dot"

// drawsDoors reports whether a format draws the doors graph, which the
// runner then builds from the model.
func drawsDoors(format string) bool { return format == "mermaid" || format == "dot" }

// textFormat is for people: one block per finding, worst first.
type textFormat struct{ color bool }

func (f textFormat) paint(code, s string) string {
	if !f.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (f textFormat) write(w io.Writer, r *Report) error {
	// Streamed: at 10k resources the report is the size of a plan's tenth,
	// and building it whole raised the run's peak memory.
	b := bufio.NewWriterSize(w, 64<<10)
	for _, x := range r.Findings {
		label := f.paint("1;31", "ERROR")
		switch {
		case x.WaivedBy != nil:
			label = f.paint("2", "WAIVED")
		case x.Severity == SevWarning:
			label = f.paint("1;33", "WARN ")
		}
		fmt.Fprintf(b, "%s %s %s", label, f.paint("1", x.ID), x.Address)
		if x.File != "" {
			fmt.Fprintf(b, " (%s:%d)", x.File, x.Line)
		}
		b.WriteByte('\n')
		fmt.Fprintf(b, "      %s\n", x.Message)
		if x.WaivedBy != nil {
			fmt.Fprintf(b, "      waived until %s by %s: %s\n", x.WaivedBy.Expires, x.WaivedBy.Owner, x.WaivedBy.Reason)
		} else if x.Remediation != "" {
			fmt.Fprintf(b, "      %s %s\n", f.paint("36", "fix:"), x.Remediation)
		}
	}
	s := r.Summary()
	result := f.paint("1;32", "PASS")
	if s.Errors > 0 {
		result = f.paint("1;31", "FAIL")
	}
	fmt.Fprintf(b, "%s %s: %d error(s), %d warning(s), %d waived\n", result, r.Plan, s.Errors, s.Warnings, s.Waived)
	return b.Flush()
}

// jsonFormat is for scripts.
type jsonFormat struct{}

func (jsonFormat) write(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Plan     string    `json:"plan"`
		Summary  Summary   `json:"summary"`
		Findings []Finding `json:"findings"`
	}{r.Plan, r.Summary(), r.Findings})
}

// githubFormat prints workflow commands that GitHub Actions turns into
// annotations.
type githubFormat struct{}

func (githubFormat) write(w io.Writer, r *Report) error {
	b := bufio.NewWriterSize(w, 64<<10)
	for _, x := range r.Findings {
		if x.WaivedBy != nil {
			continue
		}
		level := "error"
		if x.Severity == SevWarning {
			level = "warning"
		}
		where := "file=" + ghProperty(r.Plan)
		if x.File != "" {
			where = fmt.Sprintf("file=%s,line=%d,endLine=%d", ghProperty(x.File), x.Line, x.EndLine)
		}
		fmt.Fprintf(b, "::%s %s,title=%s::%s\n", level, where, ghProperty(x.ID+" "+x.Address),
			ghData(x.Message+" — "+x.Remediation))
	}
	return b.Flush()
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// junitFormat reports each rule as a test case that fails with its
// findings, so CI test dashboards show policy results.
type junitFormat struct{}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}

func (junitFormat) write(w io.Writer, r *Report) error {
	byRule := map[string][]Finding{}
	for _, f := range r.Findings {
		byRule[f.ID] = append(byRule[f.ID], f)
	}
	titles := map[string]string{}
	for _, rule := range r.Rules {
		titles[rule.ID] = rule.Title
		if _, ok := byRule[rule.ID]; !ok {
			byRule[rule.ID] = nil
		}
	}
	ids := make([]string, 0, len(byRule))
	for id := range byRule {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	suite := junitSuite{Name: "terraform-provider-sre check " + r.Plan}
	for _, id := range ids {
		c := junitCase{Name: strings.TrimSpace(id + " " + titles[id]), Classname: "policy"}
		var errs, other []string
		for _, f := range byRule[id] {
			line := f.Address + ": " + f.Message
			switch {
			case f.WaivedBy != nil:
				other = append(other, "waived: "+line)
			case f.Severity == SevError:
				errs = append(errs, line)
			default:
				other = append(other, "warning: "+line)
			}
		}
		if len(errs) > 0 {
			c.Failure = &junitMessage{Message: fmt.Sprintf("%d violation(s)", len(errs)), Body: strings.Join(errs, "\n")}
			suite.Failures++
		}
		c.SystemOut = strings.Join(other, "\n")
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

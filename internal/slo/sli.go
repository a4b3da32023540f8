package slo

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Metric is one CloudWatch metric of an SLI query.
type Metric struct {
	// ID names the metric inside an expression; required when the query has
	// an expression, optional otherwise.
	ID         string
	Namespace  string
	MetricName string
	Dimensions map[string]string
	// Statistic is Sum or SampleCount for ratio SLIs; unused for latency SLIs.
	Statistic string
}

// Query counts events: a single metric, or an expression over metrics.
type Query struct {
	Expression string
	Metrics    []Metric
}

// RatioSLI counts good or bad events (exactly one of the two) against total
// events.
type RatioSLI struct {
	Good  *Query
	Bad   *Query
	Total *Query
}

// LatencySLI judges a latency metric against a threshold (in the metric's
// unit). With Percentile nil it is request-based: the share of requests at or
// under the threshold is the SLI and the objective is the required share.
// With Percentile set it is time-based: each evaluation slice is good when
// that percentile is at or under the threshold.
type LatencySLI struct {
	Metric     Metric
	Threshold  float64
	Percentile *float64
}

// SLI is a service level indicator: exactly one of Ratio or Latency.
type SLI struct {
	Ratio   *RatioSLI
	Latency *LatencySLI
}

// TimeSliceSeconds is the length of an evaluation slice of a time-based
// (percentile) latency SLI.
const TimeSliceSeconds = 300

var (
	nameRE     = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	queryIDRE  = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)
	maxNameLen = 200
)

// Limits of CloudWatch identifiers checked at plan time.
const (
	maxDimensions     = 30
	maxNamespaceLen   = 255
	maxMetricNameLen  = 255
	maxDimNameLen     = 255
	maxDimValueLen    = 1024
	maxQueryIDLen     = 64
	maxMetricsInQuery = 10
	maxExpressionLen  = 1024
)

// RatioStatistics are the statistics that count events.
var RatioStatistics = []string{"Sum", "SampleCount"}

// ExpressionFunctions are the metric math functions allowed in SLI
// expressions.
var ExpressionFunctions = []string{"FILL", "ABS"}

// ValidateName checks an SLO name: 1 to 200 letters, digits, '-' or '_'
// (it names the CloudWatch dashboard).
func ValidateName(name string) error {
	if name == "" || len(name) > maxNameLen || !nameRE.MatchString(name) {
		return fieldErr(Root("name"), "%q must be 1 to %d letters, digits, '-' or '_' (it names the CloudWatch dashboard)", name, maxNameLen)
	}
	return nil
}

// ValidateSLI checks an SLI and returns every problem found, each a
// *FieldError naming the attribute.
func ValidateSLI(s SLI) []error {
	switch {
	case s.Ratio == nil && s.Latency == nil:
		return []error{fieldErr(Root("sli"), "exactly one of ratio or latency is required")}
	case s.Ratio != nil && s.Latency != nil:
		return []error{fieldErr(Root("sli"), "only one of ratio or latency may be set")}
	case s.Ratio != nil:
		return validateRatio(*s.Ratio)
	default:
		return validateLatency(*s.Latency)
	}
}

func validateRatio(r RatioSLI) []error {
	var errs []error
	ratio := Root("sli").At("ratio")
	switch {
	case r.Good == nil && r.Bad == nil:
		errs = append(errs, fieldErr(ratio, "one of good or bad is required"))
	case r.Good != nil && r.Bad != nil:
		errs = append(errs, fieldErr(ratio, "only one of good or bad may be set"))
	case r.Good != nil:
		errs = append(errs, validateQuery(ratio.At("good"), *r.Good)...)
	default:
		errs = append(errs, validateQuery(ratio.At("bad"), *r.Bad)...)
	}
	if r.Total == nil {
		errs = append(errs, fieldErr(ratio.At("total"), "is required"))
	} else {
		errs = append(errs, validateQuery(ratio.At("total"), *r.Total)...)
	}
	return errs
}

// validateQuery checks one good, bad or total query at path p. A single
// metric's attributes sit on the query itself; an expression's metrics are
// keyed by id under "metrics".
func validateQuery(p Path, q Query) []error {
	var errs []error
	if len(q.Metrics) == 0 {
		return []error{fieldErr(p, "at least one metric is required")}
	}
	if len(q.Metrics) > maxMetricsInQuery {
		errs = append(errs, fieldErr(p, "at most %d metrics are allowed, got %d", maxMetricsInQuery, len(q.Metrics)))
	}
	if q.Expression == "" && len(q.Metrics) > 1 {
		errs = append(errs, fieldErr(p.At("expression"), "is required to combine %d metrics", len(q.Metrics)))
	}
	ids := map[string]bool{}
	for _, m := range q.Metrics {
		mp := p
		if q.Expression != "" || m.ID != "" {
			mp = p.At("metrics").Key(m.ID)
		}
		errs = append(errs, validateMetric(mp, m)...)
		if !slicesContains(RatioStatistics, m.Statistic) {
			errs = append(errs, fieldErr(mp.At("statistic"), "%q must be one of %s: a ratio SLI counts events", m.Statistic, strings.Join(RatioStatistics, ", ")))
		}
		if q.Expression != "" || m.ID != "" {
			switch {
			case !queryIDRE.MatchString(m.ID) || len(m.ID) > maxQueryIDLen:
				errs = append(errs, fieldErr(mp, "metric id %q must start with a lowercase letter and contain only letters, digits and '_' (at most %d characters)", m.ID, maxQueryIDLen))
			case ids[m.ID]:
				errs = append(errs, fieldErr(mp, "metric id %q is used by more than one metric", m.ID))
			}
			ids[m.ID] = true
		}
	}
	if q.Expression != "" {
		refs, err := ExpressionReferences(q.Expression)
		if err != nil {
			errs = append(errs, fieldErr(p.At("expression"), "%v", err))
			return errs
		}
		used := map[string]bool{}
		for _, r := range refs {
			used[r] = true
			if !ids[r] {
				errs = append(errs, fieldErr(p.At("expression"), "references %q, which is not the id of a metric in this block", r))
			}
		}
		for _, m := range q.Metrics {
			if m.ID != "" && !used[m.ID] {
				errs = append(errs, fieldErr(p.At("expression"), "does not use metric %q; remove the metric or use it", m.ID))
			}
		}
	}
	return errs
}

func validateMetric(p Path, m Metric) []error {
	var errs []error
	if m.Namespace == "" || len(m.Namespace) > maxNamespaceLen || !printable(m.Namespace) || strings.HasPrefix(m.Namespace, ":") {
		errs = append(errs, fieldErr(p.At("namespace"), "%q must be 1 to %d printable ASCII characters", m.Namespace, maxNamespaceLen))
	}
	if m.MetricName == "" || len(m.MetricName) > maxMetricNameLen || !printable(m.MetricName) {
		errs = append(errs, fieldErr(p.At("metric_name"), "%q must be 1 to %d printable ASCII characters", m.MetricName, maxMetricNameLen))
	}
	if len(m.Dimensions) > maxDimensions {
		errs = append(errs, fieldErr(p.At("dimensions"), "at most %d dimensions are allowed, got %d", maxDimensions, len(m.Dimensions)))
	}
	keys := make([]string, 0, len(m.Dimensions))
	for k := range m.Dimensions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m.Dimensions[k]
		if k == "" || len(k) > maxDimNameLen || !printable(k) || strings.HasPrefix(k, ":") {
			errs = append(errs, fieldErr(p.At("dimensions"), "dimension name %q must be 1 to %d printable ASCII characters", k, maxDimNameLen))
		}
		if v == "" || len(v) > maxDimValueLen {
			errs = append(errs, fieldErr(p.At("dimensions"), "value of dimension %q must be 1 to %d characters", k, maxDimValueLen))
		}
	}
	return errs
}

// validateLatency checks a latency SLI; its metric's attributes sit on the
// latency object itself.
func validateLatency(l LatencySLI) []error {
	lp := Root("sli").At("latency")
	errs := validateMetric(lp, l.Metric)
	if l.Metric.Statistic != "" {
		errs = append(errs, fieldErr(lp.At("statistic"), "must not be set for a latency SLI: the statistic follows from threshold and percentile"))
	}
	if l.Metric.ID != "" && !queryIDRE.MatchString(l.Metric.ID) {
		errs = append(errs, fieldErr(lp, "metric id %q must start with a lowercase letter and contain only letters, digits and '_'", l.Metric.ID))
	}
	if math.IsNaN(l.Threshold) || math.IsInf(l.Threshold, 0) || l.Threshold <= 0 {
		errs = append(errs, fieldErr(lp.At("threshold"), "%v must be a finite number greater than 0 (in the metric's unit)", l.Threshold))
	}
	if l.Percentile != nil {
		if _, err := PercentileStatistic(*l.Percentile); err != nil {
			errs = append(errs, &FieldError{Path: lp.At("percentile"), Err: err})
		}
	}
	return errs
}

// PercentileStatistic renders a percentile as a CloudWatch statistic such as
// "p99" or "p99.9". The percentile must be in (0, 100) with at most four
// decimals.
func PercentileStatistic(p float64) (string, error) {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return "", fmt.Errorf("%v must be a finite number between 0 and 100", p)
	}
	o, err := ParseObjective(strconv.FormatFloat(p, 'f', -1, 64))
	if err != nil {
		return "", fmt.Errorf("%v must be between 0 and 100 (exclusive) with at most %d decimals", p, ObjectiveDecimals)
	}
	return "p" + o.String(), nil
}

// ThresholdStatistic renders the CloudWatch trimmed-count statistic that counts
// the samples at or under threshold, e.g. "TC(:300)".
func ThresholdStatistic(threshold float64) string {
	return "TC(:" + strconv.FormatFloat(threshold, 'f', -1, 64) + ")"
}

// ExpressionReferences tokenizes a metric math expression and returns the
// query ids it references, in order of first use. It accepts numbers, ids,
// + - * /, parentheses, commas and calls of ExpressionFunctions.
func ExpressionReferences(expr string) ([]string, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("must not be empty")
	}
	if len(expr) > maxExpressionLen {
		return nil, fmt.Errorf("must be at most %d characters", maxExpressionLen)
	}
	var refs []string
	seen := map[string]bool{}
	depth := 0
	expectOperand := true
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(expr) && isIdentPart(expr[j]) {
				j++
			}
			word := expr[i:j]
			k := j
			for k < len(expr) && expr[k] == ' ' {
				k++
			}
			if !expectOperand {
				return nil, fmt.Errorf("unexpected %q at offset %d: an operator is missing", word, i)
			}
			if k < len(expr) && expr[k] == '(' {
				if !slicesContains(ExpressionFunctions, word) {
					return nil, fmt.Errorf("function %s is not supported (supported: %s)", word, strings.Join(ExpressionFunctions, ", "))
				}
				i = k // the '(' is handled next and expects an operand
				continue
			}
			if !queryIDRE.MatchString(word) {
				return nil, fmt.Errorf("%q is not a metric id (ids start with a lowercase letter)", word)
			}
			if !seen[word] {
				seen[word] = true
				refs = append(refs, word)
			}
			expectOperand = false
			i = j
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(expr) && (expr[j] >= '0' && expr[j] <= '9' || expr[j] == '.') {
				j++
			}
			if _, err := strconv.ParseFloat(expr[i:j], 64); err != nil {
				return nil, fmt.Errorf("invalid number %q at offset %d", expr[i:j], i)
			}
			if !expectOperand {
				return nil, fmt.Errorf("unexpected number at offset %d: an operator is missing", i)
			}
			expectOperand = false
			i = j
		case c == '(':
			if !expectOperand {
				return nil, fmt.Errorf("unexpected '(' at offset %d", i)
			}
			depth++
			i++
		case c == ')':
			if expectOperand || depth == 0 {
				return nil, fmt.Errorf("unexpected ')' at offset %d", i)
			}
			depth--
			i++
		case c == '+' || c == '*' || c == '/' || c == ',':
			if expectOperand {
				return nil, fmt.Errorf("unexpected %q at offset %d: an operand is missing", c, i)
			}
			if c == ',' && depth == 0 {
				return nil, fmt.Errorf("unexpected ',' at offset %d outside a function call", i)
			}
			expectOperand = true
			i++
		case c == '-':
			// binary minus, or unary minus before an operand
			expectOperand = true
			i++
		default:
			return nil, fmt.Errorf("unexpected character %q at offset %d", c, i)
		}
	}
	if expectOperand {
		return nil, errors.New("ends where an operand is expected")
	}
	if depth != 0 {
		return nil, errors.New("has an unclosed '('")
	}
	return refs, nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// RewriteExpression validates expr like ExpressionReferences and returns it
// with every metric id reference replaced by rename(id); function names and
// numbers are kept.
func RewriteExpression(expr string, rename func(id string) string) (string, error) {
	if _, err := ExpressionReferences(expr); err != nil {
		return "", err
	}
	var b strings.Builder
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case isIdentStart(c):
			j := i + 1
			for j < len(expr) && isIdentPart(expr[j]) {
				j++
			}
			k := j
			for k < len(expr) && expr[k] == ' ' {
				k++
			}
			if k < len(expr) && expr[k] == '(' {
				b.WriteString(expr[i:j]) // function name
			} else {
				b.WriteString(rename(expr[i:j]))
			}
			i = j
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(expr) && (expr[j] >= '0' && expr[j] <= '9' || expr[j] == '.') {
				j++
			}
			b.WriteString(expr[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

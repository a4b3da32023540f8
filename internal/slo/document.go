package slo

import (
	"errors"
	"sort"
)

// DocumentVersion is the version of the definition format: the form the
// sre_slo resource is configured in, and the form its dashboard records.
const DocumentVersion = 1

// Document is an SLO definition as written in configuration. Optional
// strings are empty when unset; optional numbers are nil.
type Document struct {
	Version     int    `json:"version"`
	Name        string `json:"name"`
	Service     string `json:"service,omitempty"`
	Description string `json:"description,omitempty"`
	Objective   string `json:"objective"`
	Period      string `json:"period"`
	SLI         SLIDoc `json:"sli"`
}

// SLIDoc holds exactly one of Ratio or Latency.
type SLIDoc struct {
	Ratio   *RatioDoc   `json:"ratio,omitempty"`
	Latency *LatencyDoc `json:"latency,omitempty"`
}

// RatioDoc is a ratio SLI.
type RatioDoc struct {
	Good  *QueryDoc `json:"good,omitempty"`
	Bad   *QueryDoc `json:"bad,omitempty"`
	Total *QueryDoc `json:"total,omitempty"`
}

// QueryDoc is a single metric, or an expression over metrics keyed by id.
type QueryDoc struct {
	Namespace  string               `json:"namespace,omitempty"`
	MetricName string               `json:"metric_name,omitempty"`
	Dimensions map[string]string    `json:"dimensions,omitempty"`
	Statistic  string               `json:"statistic,omitempty"`
	Expression string               `json:"expression,omitempty"`
	Metrics    map[string]MetricDoc `json:"metrics,omitempty"`
}

// MetricDoc is one metric of an expression.
type MetricDoc struct {
	Namespace  string            `json:"namespace"`
	MetricName string            `json:"metric_name"`
	Dimensions map[string]string `json:"dimensions,omitempty"`
	Statistic  string            `json:"statistic"`
}

// LatencyDoc is a latency SLI.
type LatencyDoc struct {
	Namespace  string            `json:"namespace"`
	MetricName string            `json:"metric_name"`
	Dimensions map[string]string `json:"dimensions,omitempty"`
	Threshold  float64           `json:"threshold"`
	Percentile *float64          `json:"percentile,omitempty"`
}

// Query converts to the slo form; single metrics keep an empty id and
// expression metrics are ordered by id.
func (q *QueryDoc) Query() *Query {
	if q == nil {
		return nil
	}
	if q.Expression == "" && len(q.Metrics) == 0 {
		return &Query{Metrics: []Metric{{Namespace: q.Namespace, MetricName: q.MetricName, Dimensions: q.Dimensions, Statistic: q.Statistic}}}
	}
	out := &Query{Expression: q.Expression}
	for _, id := range sortedIDs(q.Metrics) {
		m := q.Metrics[id]
		out.Metrics = append(out.Metrics, Metric{ID: id, Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions, Statistic: m.Statistic})
	}
	return out
}

// SortedMetricIDs returns the ids of an expression's metrics in the order
// Query uses.
func (q *QueryDoc) SortedMetricIDs() []string { return sortedIDs(q.Metrics) }

func sortedIDs(m map[string]MetricDoc) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// SLIValue converts the document's SLI.
func (d Document) SLIValue() SLI {
	var s SLI
	if r := d.SLI.Ratio; r != nil {
		s.Ratio = &RatioSLI{Good: r.Good.Query(), Bad: r.Bad.Query(), Total: r.Total.Query()}
	}
	if l := d.SLI.Latency; l != nil {
		s.Latency = &LatencySLI{Metric: Metric{Namespace: l.Namespace, MetricName: l.MetricName, Dimensions: l.Dimensions}, Threshold: l.Threshold, Percentile: l.Percentile}
	}
	return s
}

// Spec parses objective and period and returns the full specification, or
// every validation problem.
func (d Document) Spec() (Spec, []error) {
	var errs []error
	o, err := ParseObjective(d.Objective)
	if err != nil {
		errs = append(errs, &FieldError{Path: Root("objective"), Err: err})
	}
	p, err := ParsePeriod(d.Period)
	if err != nil {
		errs = append(errs, &FieldError{Path: Root("period"), Err: err})
	}
	spec := Spec{Name: d.Name, Objective: o, Period: p, SLI: d.SLIValue()}
	if r := d.SLI.Ratio; r != nil {
		ratio := Root("sli").At("ratio")
		errs = append(errs, r.Good.shapeErrors(ratio.At("good"))...)
		errs = append(errs, r.Bad.shapeErrors(ratio.At("bad"))...)
		errs = append(errs, r.Total.shapeErrors(ratio.At("total"))...)
	}
	if spec.Objective.Valid() && spec.Period.Valid() {
		return spec, append(errs, spec.Validate()...)
	}
	if err := ValidateName(d.Name); err != nil {
		errs = append(errs, err)
	}
	return spec, append(errs, ValidateSLI(spec.SLI)...)
}

// shapeErrors rejects a query that mixes the single-metric form with the
// expression form, or lists metrics without an expression.
func (q *QueryDoc) shapeErrors(p Path) []error {
	if q == nil {
		return nil
	}
	single := q.Namespace != "" || q.MetricName != "" || q.Statistic != "" || len(q.Dimensions) > 0
	expr := q.Expression != "" || len(q.Metrics) > 0
	switch {
	case single && expr:
		return []error{&FieldError{Path: p, Err: errors.New("set either a single metric (namespace, metric_name, dimensions, statistic) or expression with metrics, not both")}}
	case len(q.Metrics) > 0 && q.Expression == "":
		return []error{&FieldError{Path: p.At("expression"), Err: errors.New("is required when metrics is set; for a single metric use namespace, metric_name and statistic")}}
	case q.Expression != "" && len(q.Metrics) == 0:
		return []error{&FieldError{Path: p.At("metrics"), Err: errors.New("is required when expression is set")}}
	}
	return nil
}

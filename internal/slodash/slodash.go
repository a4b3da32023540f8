// Package slodash turns an SLO definition into the CloudWatch dashboard the
// sre_slo resource owns, and back: the dashboard carries the definition in a
// text widget so an SLO can be imported by name alone.
package slodash

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// DocumentVersion is the version of the embedded definition format.
const DocumentVersion = 1

// NamePrefix is prepended to the SLO name to name its dashboard.
const NamePrefix = "slo-"

// DashboardName is the name of the dashboard of SLO name.
func DashboardName(name string) string { return NamePrefix + name }

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
func (q *QueryDoc) Query() *slo.Query {
	if q == nil {
		return nil
	}
	if q.Expression == "" && len(q.Metrics) == 0 {
		return &slo.Query{Metrics: []slo.Metric{{Namespace: q.Namespace, MetricName: q.MetricName, Dimensions: q.Dimensions, Statistic: q.Statistic}}}
	}
	out := &slo.Query{Expression: q.Expression}
	for _, id := range sortedIDs(q.Metrics) {
		m := q.Metrics[id]
		out.Metrics = append(out.Metrics, slo.Metric{ID: id, Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions, Statistic: m.Statistic})
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

// SLI converts the document's SLI.
func (d Document) SLIValue() slo.SLI {
	var s slo.SLI
	if r := d.SLI.Ratio; r != nil {
		s.Ratio = &slo.RatioSLI{Good: r.Good.Query(), Bad: r.Bad.Query(), Total: r.Total.Query()}
	}
	if l := d.SLI.Latency; l != nil {
		s.Latency = &slo.LatencySLI{Metric: slo.Metric{Namespace: l.Namespace, MetricName: l.MetricName, Dimensions: l.Dimensions}, Threshold: l.Threshold, Percentile: l.Percentile}
	}
	return s
}

// Spec parses objective and period and returns the full specification, or
// every validation problem.
func (d Document) Spec() (slo.Spec, []error) {
	var errs []error
	o, err := slo.ParseObjective(d.Objective)
	if err != nil {
		errs = append(errs, &slo.FieldError{Field: "objective", Err: err})
	}
	p, err := slo.ParsePeriod(d.Period)
	if err != nil {
		errs = append(errs, &slo.FieldError{Field: "period", Err: err})
	}
	spec := slo.Spec{Name: d.Name, Objective: o, Period: p, SLI: d.SLIValue()}
	if r := d.SLI.Ratio; r != nil {
		for _, q := range []struct {
			field string
			doc   *QueryDoc
		}{{"sli.ratio.good", r.Good}, {"sli.ratio.bad", r.Bad}, {"sli.ratio.total", r.Total}} {
			errs = append(errs, q.doc.shapeErrors(q.field)...)
		}
	}
	if spec.Objective.Valid() && spec.Period.Valid() {
		return spec, append(errs, spec.Validate()...)
	}
	if err := slo.ValidateName(d.Name); err != nil {
		errs = append(errs, err)
	}
	return spec, append(errs, slo.ValidateSLI(spec.SLI)...)
}

// shapeErrors rejects a query that mixes the single-metric form with the
// expression form, or lists metrics without an expression.
func (q *QueryDoc) shapeErrors(field string) []error {
	if q == nil {
		return nil
	}
	single := q.Namespace != "" || q.MetricName != "" || q.Statistic != "" || len(q.Dimensions) > 0
	expr := q.Expression != "" || len(q.Metrics) > 0
	switch {
	case single && expr:
		return []error{&slo.FieldError{Field: field, Err: errors.New("set either a single metric (namespace, metric_name, dimensions, statistic) or expression with metrics, not both")}}
	case len(q.Metrics) > 0 && q.Expression == "":
		return []error{&slo.FieldError{Field: field + ".expression", Err: errors.New("is required when metrics is set; for a single metric use namespace, metric_name and statistic")}}
	case q.Expression != "" && len(q.Metrics) == 0:
		return []error{&slo.FieldError{Field: field + ".metrics", Err: errors.New("is required when expression is set")}}
	}
	return nil
}

const (
	definitionMarker = "sre_slo definition (managed by Terraform; edit the configuration, not this widget)"
	fence            = "```"
)

// widget is one dashboard widget.
type widget struct {
	Type       string         `json:"type"`
	X          int            `json:"x"`
	Y          int            `json:"y"`
	Width      int            `json:"width"`
	Height     int            `json:"height"`
	Properties map[string]any `json:"properties"`
}

type body struct {
	Widgets []widget `json:"widgets"`
}

// Render returns the dashboard body for the document in region. The output
// is deterministic so that any difference from it is drift.
func Render(d Document, region string) (string, error) {
	spec, errs := d.Spec()
	if len(errs) > 0 {
		return "", fmt.Errorf("render dashboard: %w", errors.Join(errs...))
	}
	budget, err := slo.ComputeBudget(spec.Objective, spec.Period)
	if err != nil {
		return "", fmt.Errorf("render dashboard: %w", err)
	}
	def, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("render dashboard: %w", err)
	}
	var header strings.Builder
	fmt.Fprintf(&header, "# SLO %s\n", d.Name)
	if d.Service != "" {
		fmt.Fprintf(&header, "Service **%s**. ", d.Service)
	}
	fmt.Fprintf(&header, "Objective **%s%%** over **%s**: error budget %s of events (%s of time), largest burn rate %s.",
		spec.Objective, spec.Period, trim(budget.ErrorBudgetRatio), budget.AllowedDowntime, trim(budget.MaxBurnRate))
	if d.Description != "" {
		fmt.Fprintf(&header, "\n\n%s", d.Description)
	}
	ws := []widget{{Type: "text", X: 0, Y: 0, Width: 24, Height: 3, Properties: map[string]any{"markdown": header.String()}}}

	days := int(spec.Period.PlanDuration() / slo.Day)
	start := "-P" + strconv.Itoa(days) + "D"
	budgetRatio := trim(budget.ErrorBudgetRatio)
	if l := d.SLI.Latency; l != nil && l.Percentile != nil {
		stat, _ := slo.PercentileStatistic(*l.Percentile)
		ws = append(ws, widget{Type: "metric", X: 0, Y: 3, Width: 24, Height: 6, Properties: map[string]any{
			"title": fmt.Sprintf("SLI: %s latency against the threshold %s (each 5-minute slice above it spends budget)", stat, trim(l.Threshold)),
			"view":  "timeSeries", "region": region, "period": slo.TimeSliceSeconds, "stat": stat,
			"metrics":     []any{metricRow(l.Namespace, l.MetricName, l.Dimensions, map[string]any{"id": "p", "stat": stat})},
			"annotations": map[string]any{"horizontal": []any{map[string]any{"label": "threshold", "value": l.Threshold}}},
		}})
	} else {
		good, total, rows := eventRows(d.SLI)
		errExpr := fmt.Sprintf("(1 - %s / %s)", good, total)
		sli := []any{[]any{map[string]any{"expression": fmt.Sprintf("100 * %s / %s", good, total), "label": "SLI %", "id": "sli"}}}
		ws = append(ws,
			widget{Type: "metric", X: 0, Y: 3, Width: 12, Height: 6, Properties: map[string]any{
				"title": "SLI (%) per 5 minutes", "view": "timeSeries", "region": region, "period": slo.TimeSliceSeconds,
				"metrics":     append(sli, rows...),
				"annotations": map[string]any{"horizontal": []any{map[string]any{"label": "objective", "value": spec.Objective.Percent()}}},
			}},
			widget{Type: "metric", X: 12, Y: 3, Width: 12, Height: 6, Properties: map[string]any{
				"title": fmt.Sprintf("Error budget remaining (%%) over the last %d days", days), "view": "singleValue",
				"region": region, "start": start, "end": "P0D", "setPeriodToTimeRange": true,
				"metrics": append([]any{[]any{map[string]any{
					"expression": fmt.Sprintf("100 * (1 - %s / %s)", errExpr, budgetRatio), "label": "budget remaining %", "id": "budget",
				}}}, rows...),
			}},
			widget{Type: "metric", X: 0, Y: 9, Width: 24, Height: 6, Properties: map[string]any{
				"title": "Burn rate (1 = budget spent exactly over the period)", "view": "timeSeries", "region": region, "period": slo.TimeSliceSeconds,
				"metrics": append([]any{[]any{map[string]any{
					"expression": fmt.Sprintf("%s / %s", errExpr, budgetRatio), "label": "burn rate (5m)", "id": "burn",
				}}}, rows...),
				"annotations": map[string]any{"horizontal": thresholdAnnotations(budget.BurnRateThresholds)},
			}},
		)
	}
	ws = append(ws, widget{Type: "text", X: 0, Y: 15, Width: 24, Height: 2, Properties: map[string]any{
		"markdown": definitionMarker + "\n\n" + fence + "\n" + string(def) + "\n" + fence,
	}})
	out, err := json.Marshal(body{Widgets: ws})
	if err != nil {
		return "", fmt.Errorf("render dashboard: %w", err)
	}
	return string(out), nil
}

func thresholdAnnotations(th map[string]float64) []any {
	var out []any
	for _, w := range slo.DefaultBurnWindows() {
		if v, ok := th[w.Name]; ok {
			out = append(out, map[string]any{"label": fmt.Sprintf("%s (%s of budget in %s)", w.Name, w.BudgetShare, slo.FormatWindow(w.LongWindow)), "value": v})
		}
	}
	return out
}

// eventRows returns the ids of the good and total series and the hidden
// metric rows (and expressions) that produce them.
func eventRows(s SLIDoc) (good, total string, rows []any) {
	if l := s.Latency; l != nil {
		rows = append(rows,
			metricRow(l.Namespace, l.MetricName, l.Dimensions, map[string]any{"id": "g", "stat": slo.ThresholdStatistic(l.Threshold), "visible": false}),
			metricRow(l.Namespace, l.MetricName, l.Dimensions, map[string]any{"id": "t", "stat": "SampleCount", "visible": false}),
		)
		return "g", "t", rows
	}
	r := s.Ratio
	add := func(id string, q *QueryDoc) {
		if q.Expression == "" {
			rows = append(rows, metricRow(q.Namespace, q.MetricName, q.Dimensions, map[string]any{"id": id, "stat": q.Statistic, "visible": false}))
			return
		}
		for _, mid := range q.SortedMetricIDs() {
			m := q.Metrics[mid]
			rows = append(rows, metricRow(m.Namespace, m.MetricName, m.Dimensions, map[string]any{"id": id + "_" + mid, "stat": m.Statistic, "visible": false}))
		}
		expr, _ := slo.RewriteExpression(q.Expression, func(ref string) string { return "FILL(" + id + "_" + ref + ", 0)" })
		rows = append(rows, []any{map[string]any{"expression": expr, "id": id, "visible": false}})
	}
	add("t", r.Total)
	if r.Good != nil {
		add("g", r.Good)
		return "g", "t", rows
	}
	add("b", r.Bad)
	rows = append(rows, []any{map[string]any{"expression": "t - b", "id": "g", "visible": false}})
	return "g", "t", rows
}

func metricRow(ns, name string, dims map[string]string, opts map[string]any) []any {
	row := []any{ns, name}
	keys := make([]string, 0, len(dims))
	for k := range dims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		row = append(row, k, dims[k])
	}
	return append(row, opts)
}

func trim(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// ErrNoDefinition means a dashboard does not carry an sre_slo definition.
var ErrNoDefinition = errors.New("the dashboard has no sre_slo definition widget")

// Parse extracts the embedded definition from a dashboard body.
func Parse(dashboardBody string) (Document, error) {
	var b struct {
		Widgets []struct {
			Type       string `json:"type"`
			Properties struct {
				Markdown string `json:"markdown"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(dashboardBody), &b); err != nil {
		return Document{}, fmt.Errorf("parse dashboard body: %w", err)
	}
	for _, w := range b.Widgets {
		md := w.Properties.Markdown
		if w.Type != "text" || !strings.HasPrefix(md, definitionMarker) {
			continue
		}
		_, rest, ok := strings.Cut(md, fence+"\n")
		if !ok {
			break
		}
		js, _, ok := strings.Cut(rest, "\n"+fence)
		if !ok {
			break
		}
		var d Document
		if err := json.Unmarshal([]byte(js), &d); err != nil {
			return Document{}, fmt.Errorf("parse sre_slo definition: %w", err)
		}
		if d.Version != DocumentVersion {
			return Document{}, fmt.Errorf("parse sre_slo definition: version %d is not supported (want %d)", d.Version, DocumentVersion)
		}
		return d, nil
	}
	return Document{}, ErrNoDefinition
}

// Equivalent reports whether two dashboard bodies are the same JSON.
func Equivalent(a, b string) bool {
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return a == b
	}
	ca, _ := json.Marshal(va)
	cb, _ := json.Marshal(vb)
	return string(ca) == string(cb)
}

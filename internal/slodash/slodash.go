// Package slodash turns an SLO definition into the CloudWatch dashboard the
// sre_slo resource owns, and back: the dashboard carries the definition in a
// text widget so an SLO can be imported by name alone.
package slodash

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// NamePrefix is prepended to the SLO name to name its dashboard.
const NamePrefix = "slo-"

// DashboardName is the name of the dashboard of SLO name.
func DashboardName(name string) string { return NamePrefix + name }

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
func Render(d slo.Document, region string) (string, error) {
	spec, errs := d.Spec()
	if len(errs) > 0 {
		return "", fmt.Errorf("render dashboard: %w", errors.Join(errs...))
	}
	budget, err := slo.ComputeBudget(spec.Objective, spec.Period)
	if err != nil {
		return "", fmt.Errorf("render dashboard: %w", err)
	}
	plan, err := slo.PlanQueries(spec.SLI)
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
	if sl := plan.Slices; sl != nil {
		m, stat := sl.Metric, sl.Metric.Statistic
		ws = append(ws, widget{Type: "metric", X: 0, Y: 3, Width: 24, Height: 6, Properties: map[string]any{
			"title": fmt.Sprintf("SLI: %s latency against the threshold %s (each 5-minute slice above it spends budget)", stat, trim(sl.Threshold)),
			"view":  "timeSeries", "region": region, "period": slo.TimeSliceSeconds, "stat": stat,
			"metrics":     []any{metricRow(m.Namespace, m.MetricName, m.Dimensions, map[string]any{"id": sl.ID, "stat": stat})},
			"annotations": map[string]any{"horizontal": []any{map[string]any{"label": "threshold", "value": sl.Threshold}}},
		}})
	} else {
		good, total, rows := eventRows(plan)
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
// metric rows (and expressions) that produce them, from the SLI's query plan.
func eventRows(p slo.QueryPlan) (good, total string, rows []any) {
	for _, q := range p.Queries {
		if m := q.Metric; m != nil {
			rows = append(rows, metricRow(m.Namespace, m.MetricName, m.Dimensions, map[string]any{"id": q.ID, "stat": m.Statistic, "visible": false}))
			continue
		}
		rows = append(rows, []any{map[string]any{"expression": q.Expression, "id": q.ID, "visible": false}})
	}
	if p.Bad != "" {
		rows = append(rows, []any{map[string]any{"expression": p.Total + " - " + p.Bad, "id": slo.GoodSeries, "visible": false}})
		return slo.GoodSeries, p.Total, rows
	}
	return p.Good, p.Total, rows
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
func Parse(dashboardBody string) (slo.Document, error) {
	var b struct {
		Widgets []struct {
			Type       string `json:"type"`
			Properties struct {
				Markdown string `json:"markdown"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(dashboardBody), &b); err != nil {
		return slo.Document{}, fmt.Errorf("parse dashboard body: %w", err)
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
		var d slo.Document
		if err := json.Unmarshal([]byte(js), &d); err != nil {
			return slo.Document{}, fmt.Errorf("parse sre_slo definition: %w", err)
		}
		if d.Version != slo.DocumentVersion {
			return slo.Document{}, fmt.Errorf("parse sre_slo definition: version %d is not supported (want %d)", d.Version, slo.DocumentVersion)
		}
		return d, nil
	}
	return slo.Document{}, ErrNoDefinition
}

// Fingerprint is a short hash of a dashboard body's JSON value, blind to
// whitespace and key order, so plans can show that a dashboard changes
// without printing it. A body that is not JSON is hashed as it is.
func Fingerprint(body string) string {
	canonical := []byte(body)
	var v any
	if json.Unmarshal(canonical, &v) == nil {
		canonical, _ = json.Marshal(v)
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:6])
}

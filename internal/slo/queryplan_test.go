package slo

import (
	"reflect"
	"testing"
)

func TestPlanQueries(t *testing.T) {
	m := func(name, stat string) *Metric {
		return &Metric{Namespace: "App", MetricName: name, Dimensions: map[string]string{"Service": "checkout"}, Statistic: stat}
	}
	metric := func(id, name, stat string) Metric { mm := *m(name, stat); mm.ID = id; return mm }
	tests := map[string]struct {
		sli  SLI
		want QueryPlan
	}{
		"good over total: two metrics, good and total series": {
			sli:  SLI{Ratio: &RatioSLI{Good: &Query{Metrics: []Metric{metric("", "Good", "Sum")}}, Total: &Query{Metrics: []Metric{metric("", "Requests", "Sum")}}}},
			want: QueryPlan{Queries: []PlannedQuery{{ID: "t", Metric: m("Requests", "Sum")}, {ID: "g", Metric: m("Good", "Sum")}}, Good: "g", Total: "t"},
		},
		"bad as an expression: hidden metrics named after the series, references filled with zero": {
			sli: SLI{Ratio: &RatioSLI{
				Bad:   &Query{Expression: "e4 + e5", Metrics: []Metric{metric("e4", "Err4xx", "Sum"), metric("e5", "Err5xx", "Sum")}},
				Total: &Query{Metrics: []Metric{metric("", "Requests", "SampleCount")}},
			}},
			want: QueryPlan{Queries: []PlannedQuery{
				{ID: "t", Metric: m("Requests", "SampleCount")},
				{ID: "b_e4", Metric: m("Err4xx", "Sum")}, {ID: "b_e5", Metric: m("Err5xx", "Sum")},
				{ID: "b", Expression: "FILL(b_e4, 0) + FILL(b_e5, 0)"},
			}, Bad: "b", Total: "t"},
		},
		"request-based latency: the trimmed count is good, the sample count total": {
			sli: SLI{Latency: &LatencySLI{Metric: Metric{Namespace: "App", MetricName: "Latency"}, Threshold: 300}},
			want: QueryPlan{Queries: []PlannedQuery{
				{ID: "g", Metric: &Metric{Namespace: "App", MetricName: "Latency", Statistic: "TC(:300)"}},
				{ID: "t", Metric: &Metric{Namespace: "App", MetricName: "Latency", Statistic: "SampleCount"}},
			}, Good: "g", Total: "t"},
		},
		"time-based latency: one percentile series judged per slice": {
			sli:  SLI{Latency: &LatencySLI{Metric: Metric{Namespace: "App", MetricName: "Latency"}, Threshold: 0.25, Percentile: ptr(99.9)}},
			want: QueryPlan{Slices: &SlicePlan{ID: "p", Metric: Metric{Namespace: "App", MetricName: "Latency", Statistic: "p99.9"}, Threshold: 0.25}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := PlanQueries(tc.sli)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("PlanQueries =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
	if _, err := PlanQueries(SLI{}); err == nil {
		t.Fatal("PlanQueries accepted an invalid SLI")
	}
}

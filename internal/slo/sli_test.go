package slo

import (
	"errors"
	"strings"
	"testing"
)

func metric(id, stat string) Metric {
	return Metric{ID: id, Namespace: "App", MetricName: "Requests", Dimensions: map[string]string{"Service": "checkout"}, Statistic: stat}
}

func single(stat string) *Query { return &Query{Metrics: []Metric{metric("", stat)}} }

func ptr[T any](v T) *T { return &v }

func TestValidateSLI(t *testing.T) {
	tests := map[string]struct {
		sli   SLI
		field string // expected path of the first error; "" means valid
		msg   string
	}{
		"a good/total ratio SLI is valid": {
			sli: SLI{Ratio: &RatioSLI{Good: single("Sum"), Total: single("SampleCount")}},
		},
		"a bad/total ratio SLI is valid": {
			sli: SLI{Ratio: &RatioSLI{Bad: single("Sum"), Total: single("Sum")}},
		},
		"an expression over two metrics is valid": {
			sli: SLI{Ratio: &RatioSLI{Bad: &Query{Expression: "FILL(e4, 0) + FILL(e5, 0)", Metrics: []Metric{metric("e4", "Sum"), metric("e5", "Sum")}}, Total: single("Sum")}},
		},
		"a request-based latency SLI is valid": {
			sli: SLI{Latency: &LatencySLI{Metric: Metric{Namespace: "App", MetricName: "Latency"}, Threshold: 300}},
		},
		"a time-based p99 latency SLI is valid": {
			sli: SLI{Latency: &LatencySLI{Metric: Metric{Namespace: "App", MetricName: "Latency"}, Threshold: 0.25, Percentile: ptr(99.9)}},
		},
		"an empty SLI is rejected": {
			sli: SLI{}, field: "sli", msg: "exactly one of ratio or latency",
		},
		"both ratio and latency are rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: single("Sum"), Total: single("Sum")}, Latency: &LatencySLI{}}, field: "sli", msg: "only one",
		},
		"a ratio without good or bad is rejected": {
			sli: SLI{Ratio: &RatioSLI{Total: single("Sum")}}, field: "sli.ratio", msg: "one of good or bad",
		},
		"a ratio with both good and bad is rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: single("Sum"), Bad: single("Sum"), Total: single("Sum")}}, field: "sli.ratio", msg: "only one of good or bad",
		},
		"a ratio without total is rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: single("Sum")}}, field: "sli.ratio.total", msg: "is required",
		},
		"a query without metrics is rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: &Query{}, Total: single("Sum")}}, field: "sli.ratio.good", msg: "at least one metric",
		},
		"an Average statistic does not count events": {
			sli: SLI{Ratio: &RatioSLI{Good: single("Average"), Total: single("Sum")}}, field: "sli.ratio.good.statistic", msg: "Sum, SampleCount",
		},
		"an empty namespace is rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: &Query{Metrics: []Metric{{MetricName: "x", Statistic: "Sum"}}}, Total: single("Sum")}}, field: "sli.ratio.good.namespace", msg: "printable",
		},
		"an empty metric name is rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: single("Sum"), Total: &Query{Metrics: []Metric{{Namespace: "x", Statistic: "Sum"}}}}}, field: "sli.ratio.total.metric_name", msg: "printable",
		},
		"an empty dimension value is rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: &Query{Metrics: []Metric{{Namespace: "x", MetricName: "y", Statistic: "Sum", Dimensions: map[string]string{"Service": ""}}}}, Total: single("Sum")}}, field: "sli.ratio.good.dimensions", msg: `value of dimension "Service"`,
		},
		"two metrics without an expression are rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: &Query{Metrics: []Metric{metric("a", "Sum"), metric("b", "Sum")}}, Total: single("Sum")}}, field: "sli.ratio.good.expression", msg: "is required to combine 2 metrics",
		},
		"an expression referencing an unknown id is rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: &Query{Expression: "a + z", Metrics: []Metric{metric("a", "Sum")}}, Total: single("Sum")}}, field: "sli.ratio.good.expression", msg: `references "z"`,
		},
		"an expression leaving a metric unused is rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: &Query{Expression: "a * 2", Metrics: []Metric{metric("a", "Sum"), metric("b", "Sum")}}, Total: single("Sum")}}, field: "sli.ratio.good.expression", msg: `does not use metric "b"`,
		},
		"an upper-case metric id is rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: &Query{Expression: "A", Metrics: []Metric{metric("A", "Sum")}}, Total: single("Sum")}}, field: `sli.ratio.good.metrics["A"]`, msg: "lowercase",
		},
		"duplicate metric ids are rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: &Query{Expression: "a + a", Metrics: []Metric{metric("a", "Sum"), metric("a", "Sum")}}, Total: single("Sum")}}, field: `sli.ratio.good.metrics["a"]`, msg: "more than one metric",
		},
		"an unsupported function is rejected": {
			sli: SLI{Ratio: &RatioSLI{Good: &Query{Expression: "SEARCH(a)", Metrics: []Metric{metric("a", "Sum")}}, Total: single("Sum")}}, field: "sli.ratio.good.expression", msg: "function SEARCH is not supported",
		},
		"a zero latency threshold is rejected": {
			sli: SLI{Latency: &LatencySLI{Metric: Metric{Namespace: "App", MetricName: "Latency"}}}, field: "sli.latency.threshold", msg: "greater than 0",
		},
		"a percentile of 100 is rejected": {
			sli: SLI{Latency: &LatencySLI{Metric: Metric{Namespace: "App", MetricName: "Latency"}, Threshold: 1, Percentile: ptr(100.0)}}, field: "sli.latency.percentile", msg: "between 0 and 100",
		},
		"a statistic on a latency metric is rejected": {
			sli: SLI{Latency: &LatencySLI{Metric: Metric{Namespace: "App", MetricName: "Latency", Statistic: "Average"}, Threshold: 1}}, field: "sli.latency.statistic", msg: "must not be set",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			errs := ValidateSLI(tc.sli)
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("ValidateSLI = %v, want valid", errs)
				}
				return
			}
			if len(errs) == 0 {
				t.Fatalf("ValidateSLI = valid, want an error on %s", tc.field)
			}
			var fe *FieldError
			if !errors.As(errs[0], &fe) || fe.Path.String() != tc.field || !strings.Contains(fe.Error(), tc.msg) {
				t.Fatalf("ValidateSLI first error = %v, want field %s containing %q", errs, tc.field, tc.msg)
			}
		})
	}
}

func TestExpressionReferences(t *testing.T) {
	tests := map[string]struct {
		expr    string
		refs    string
		wantErr string
	}{
		"arithmetic with numbers":            {expr: "(m1 - m2) / m1 * 100", refs: "m1,m2"},
		"FILL of an id with zero":            {expr: "FILL(m1, 0)", refs: "m1"},
		"unary minus":                        {expr: "-m1 + 2", refs: "m1"},
		"nested calls":                       {expr: "ABS(FILL(a, 0) - FILL(b, 0))", refs: "a,b"},
		"missing operand":                    {expr: "m1 +", wantErr: "operand"},
		"missing operator":                   {expr: "m1 m2", wantErr: "operator is missing"},
		"unbalanced parentheses":             {expr: "(m1 + m2", wantErr: "unclosed"},
		"stray closing parenthesis":          {expr: "m1)", wantErr: "unexpected ')'"},
		"an invalid number":                  {expr: "1.2.3", wantErr: "invalid number"},
		"an unknown character":               {expr: "m1 ^ 2", wantErr: "unexpected character"},
		"a comma outside a call":             {expr: "m1, m2", wantErr: "outside a function call"},
		"an empty expression":                {expr: "  ", wantErr: "must not be empty"},
		"an identifier that cannot be an id": {expr: "Metric", wantErr: "not a metric id"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			refs, err := ExpressionReferences(tc.expr)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ExpressionReferences(%q) error = %v, want containing %q", tc.expr, err, tc.wantErr)
				}
				return
			}
			if err != nil || strings.Join(refs, ",") != tc.refs {
				t.Fatalf("ExpressionReferences(%q) = %v, %v; want %s", tc.expr, refs, err, tc.refs)
			}
		})
	}
}

func TestSpecValidate(t *testing.T) {
	valid := Spec{Name: "checkout-availability", Objective: MustObjective("99.9"), Period: RollingDays(28),
		SLI: SLI{Ratio: &RatioSLI{Good: single("Sum"), Total: single("Sum")}}}
	if errs := valid.Validate(); len(errs) != 0 {
		t.Fatalf("valid spec: %v", errs)
	}
	tests := map[string]struct {
		mutate func(*Spec)
		field  string
		msg    string
	}{
		"a name with a space is rejected": {mutate: func(s *Spec) { s.Name = "check out" }, field: "name", msg: "dashboard"},
		"an empty name is rejected":       {mutate: func(s *Spec) { s.Name = "" }, field: "name", msg: "1 to 200"},
		"a missing objective is rejected": {mutate: func(s *Spec) { s.Objective = Objective{} }, field: "objective", msg: "greater than 0"},
		"a missing period is rejected":    {mutate: func(s *Spec) { s.Period = Period{} }, field: "period", msg: "calendar_month"},
		"an SLI error is reported":        {mutate: func(s *Spec) { s.SLI = SLI{} }, field: "sli", msg: "exactly one"},
		"an objective too low for the page window is rejected": {
			mutate: func(s *Spec) { s.Objective = MustObjective("92"); s.Period = RollingDays(30) }, field: "objective", msg: "page_fast",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := valid
			tc.mutate(&s)
			errs := s.Validate()
			var fe *FieldError
			if len(errs) == 0 || !errors.As(errs[0], &fe) || fe.Path.String() != tc.field || !strings.Contains(fe.Error(), tc.msg) {
				t.Fatalf("Validate = %v, want first error on %s containing %q", errs, tc.field, tc.msg)
			}
		})
	}
}

func TestStatisticNames(t *testing.T) {
	if s, err := PercentileStatistic(99.9); err != nil || s != "p99.9" {
		t.Errorf("PercentileStatistic(99.9) = %q, %v", s, err)
	}
	if s := ThresholdStatistic(0.25); s != "TC(:0.25)" {
		t.Errorf("ThresholdStatistic(0.25) = %q", s)
	}
}

func TestRewriteExpression(t *testing.T) {
	got, err := RewriteExpression("FILL(a, 0) + b2 * 1.5", func(id string) string { return "s1_" + id })
	if err != nil || got != "FILL(s1_a, 0) + s1_b2 * 1.5" {
		t.Fatalf("RewriteExpression = %q, %v", got, err)
	}
	if _, err := RewriteExpression("a +", func(id string) string { return id }); err == nil {
		t.Fatal("RewriteExpression must reject an invalid expression")
	}
}

package slodash

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

func ratioDoc() slo.Document {
	return slo.Document{
		Version: slo.DocumentVersion, Name: "checkout-availability", Service: "checkout", Description: "Checkout requests succeed.",
		Objective: "99.9", Period: "28d",
		SLI: slo.SLIDoc{Ratio: &slo.RatioDoc{
			Bad: &slo.QueryDoc{Expression: "e4 + e5", Metrics: map[string]slo.MetricDoc{
				"e5": {Namespace: "App", MetricName: "Err5xx", Dimensions: map[string]string{"Service": "checkout"}, Statistic: "Sum"},
				"e4": {Namespace: "App", MetricName: "Err4xx", Dimensions: map[string]string{"Service": "checkout"}, Statistic: "Sum"},
			}},
			Total: &slo.QueryDoc{Namespace: "App", MetricName: "Requests", Dimensions: map[string]string{"Service": "checkout"}, Statistic: "Sum"},
		}},
	}
}

func TestRenderParseRoundTrip(t *testing.T) {
	p := 99.0
	docs := map[string]slo.Document{
		"a ratio SLI with a bad-events expression": ratioDoc(),
		"a request-based latency SLI": {Version: slo.DocumentVersion, Name: "api-latency", Objective: "99", Period: "calendar_month",
			SLI: slo.SLIDoc{Latency: &slo.LatencyDoc{Namespace: "App", MetricName: "Latency", Threshold: 300}}},
		"a time-based latency SLI": {Version: slo.DocumentVersion, Name: "api-p99", Objective: "99.5", Period: "7d",
			SLI: slo.SLIDoc{Latency: &slo.LatencyDoc{Namespace: "App", MetricName: "Latency", Threshold: 0.25, Percentile: &p}}},
	}
	for name, d := range docs {
		t.Run(name, func(t *testing.T) {
			body, err := Render(d, "eu-west-1")
			if err != nil {
				t.Fatal(err)
			}
			again, _ := Render(d, "eu-west-1")
			if body != again {
				t.Fatal("Render is not deterministic")
			}
			var parsed map[string]any
			if err := json.Unmarshal([]byte(body), &parsed); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			back, err := Parse(body)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, d) {
				t.Fatalf("Parse(Render(d)) = %+v, want %+v", back, d)
			}
		})
	}
}

func TestRenderContent(t *testing.T) {
	body, err := Render(ratioDoc(), "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"expression":"FILL(b_e4, 0) + FILL(b_e5, 0)"`, // the user's expression, ids scoped per part
		`"expression":"t - b"`,                         // good derived from bad
		`"label":"page_fast (0.02 of budget in 1h)","value":13.44`,
		`"start":"-P28D"`,
		`"region":"eu-west-1"`,
		"40m19.2s",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard body lacks %s", want)
		}
	}
}

func TestRenderRejectsInvalidDefinitions(t *testing.T) {
	d := ratioDoc()
	d.Objective = "100"
	if _, err := Render(d, "us-east-1"); err == nil || !strings.Contains(err.Error(), "objective") {
		t.Fatalf("Render error = %v, want one naming the objective", err)
	}
}

func TestParseWithoutDefinition(t *testing.T) {
	if _, err := Parse(`{"widgets":[{"type":"text","properties":{"markdown":"hello"}}]}`); !errors.Is(err, ErrNoDefinition) {
		t.Fatalf("Parse error = %v, want ErrNoDefinition", err)
	}
	if _, err := Parse("not json"); err == nil {
		t.Fatal("Parse must reject a body that is not JSON")
	}
}

func TestFingerprint(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{`{"a": 1, "b": [1,2]}`, `{"b":[1,2],"a":1}`, true},
		{`{"a":1}`, `{"a":1.0}`, true},
		{`{"a":1}`, `{"a":2}`, false},
		{`{"b":[1,2]}`, `{"b":[2,1]}`, false},
		{`not json`, `not  json`, false},
	}
	for _, tt := range tests {
		fa, fb := Fingerprint(tt.a), Fingerprint(tt.b)
		if len(fa) != 12 {
			t.Errorf("Fingerprint(%s) = %q, want 12 hex digits", tt.a, fa)
		}
		if (fa == fb) != tt.same {
			t.Errorf("Fingerprint(%s) = %s, Fingerprint(%s) = %s; same = %v, want %v", tt.a, fa, tt.b, fb, fa == fb, tt.same)
		}
	}
}

func TestSpecRejectsMixedQueryShapes(t *testing.T) {
	tests := map[string]struct {
		mutate func(*slo.Document)
		msg    string
	}{
		"a single metric and an expression together": {
			mutate: func(d *slo.Document) { d.SLI.Ratio.Bad.Namespace = "App" }, msg: "sli.ratio.bad: set either a single metric",
		},
		"metrics without an expression": {
			mutate: func(d *slo.Document) { d.SLI.Ratio.Bad.Expression = "" }, msg: "sli.ratio.bad.expression: is required when metrics is set",
		},
		"an expression without metrics": {
			mutate: func(d *slo.Document) { d.SLI.Ratio.Bad.Metrics = nil }, msg: "sli.ratio.bad.metrics: is required when expression is set",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := ratioDoc()
			bad := *d.SLI.Ratio.Bad
			d.SLI.Ratio = &slo.RatioDoc{Bad: &bad, Total: d.SLI.Ratio.Total}
			tc.mutate(&d)
			_, errs := d.Spec()
			if len(errs) == 0 || !strings.Contains(errs[0].Error(), tc.msg) {
				t.Fatalf("Spec errors = %v, want first containing %q", errs, tc.msg)
			}
		})
	}
}

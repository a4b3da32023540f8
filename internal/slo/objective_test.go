package slo

import (
	"strings"
	"testing"
)

func TestParseObjective(t *testing.T) {
	tests := map[string]struct {
		in      string
		ppm     int64
		str     string
		wantErr string
	}{
		"three nines parse to 999000 ppm":                  {in: "99.9", ppm: 999_000, str: "99.9"},
		"99.95 stays exact instead of 99.9499999":          {in: "99.95", ppm: 999_500, str: "99.95"},
		"four decimals are the finest accepted precision":  {in: "99.9999", ppm: 999_999, str: "99.9999"},
		"trailing zeros beyond four decimals are accepted": {in: "99.900000", ppm: 999_000, str: "99.9"},
		"an integer percentage is accepted":                {in: "99", ppm: 990_000, str: "99"},
		"leading zeros are accepted":                       {in: "099.5", ppm: 995_000, str: "99.5"},
		"a leading dot is accepted":                        {in: ".5", ppm: 5_000, str: "0.5"},
		"the smallest objective is one ppm":                {in: "0.0001", ppm: 1, str: "0.0001"},
		"100 is rejected because no budget is left":        {in: "100", wantErr: "less than 100"},
		"100.0 is rejected too":                            {in: "100.0", wantErr: "less than 100"},
		"above 100 is rejected":                            {in: "150", wantErr: "less than 100"},
		"zero is rejected":                                 {in: "0", wantErr: "greater than 0"},
		"zero with decimals is rejected":                   {in: "0.0000", wantErr: "greater than 0"},
		"a negative value is rejected":                     {in: "-99.9", wantErr: "plain decimal"},
		"five decimals are rejected":                       {in: "99.99999", wantErr: "5 decimals; at most 4"},
		"an exponent is rejected":                          {in: "9.99e1", wantErr: "plain decimal"},
		"an empty string is rejected":                      {in: "", wantErr: "must not be empty"},
		"surrounding spaces are rejected":                  {in: " 99.9", wantErr: "surrounding spaces"},
		"a percent sign is rejected":                       {in: "99.9%", wantErr: "plain decimal"},
		"a lone dot is rejected":                           {in: ".", wantErr: "decimal number"},
		"a trailing dot is rejected":                       {in: "99.", wantErr: "digits after the decimal point"},
		"a huge number is rejected":                        {in: "1234567890123456789", wantErr: "too large"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, err := ParseObjective(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseObjective(%q) error = %v, want containing %q", tc.in, err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "objective") {
					t.Errorf("error %q does not name the attribute", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseObjective(%q): %v", tc.in, err)
			}
			if o.PPM() != tc.ppm || o.String() != tc.str {
				t.Errorf("ParseObjective(%q) = %d ppm %q, want %d ppm %q", tc.in, o.PPM(), o.String(), tc.ppm, tc.str)
			}
		})
	}
}

func TestObjectiveFromFloat(t *testing.T) {
	tests := map[string]struct {
		in      float64
		str     string
		wantErr bool
	}{
		"99.95 as a float keeps its decimal meaning": {in: 99.95, str: "99.95"},
		"99.9 as a float":                         {in: 99.9, str: "99.9"},
		"a float with binary noise is rejected":   {in: 99.9 + 1e-9, wantErr: true},
		"runtime 0.1+0.2 float noise is rejected": {in: addFloats(0.1, 0.2), wantErr: true},
		"NaN is rejected":                         {in: nan(), wantErr: true},
		"100 is rejected":                         {in: 100, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, err := ObjectiveFromFloat(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ObjectiveFromFloat(%v) = %v, want error", tc.in, o)
				}
				return
			}
			if err != nil || o.String() != tc.str {
				t.Fatalf("ObjectiveFromFloat(%v) = %q, %v; want %q", tc.in, o, err, tc.str)
			}
		})
	}
}

func TestObjectiveAccessors(t *testing.T) {
	o := MustObjective("99.95")
	if o.BudgetPPM() != 500 || o.Percent() != 99.95 || o.Ratio() != 0.9995 || !o.Valid() {
		t.Errorf("accessors of 99.95: budget %d percent %v ratio %v", o.BudgetPPM(), o.Percent(), o.Ratio())
	}
	if (Objective{}).Valid() {
		t.Error("zero Objective must be invalid")
	}
}

// addFloats adds at run time, so the binary rounding noise survives (constant
// expressions are exact in Go).
func addFloats(a, b float64) float64 { return a + b }

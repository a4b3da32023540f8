package slo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ppmPerUnit is the number of parts per million in a ratio of 1.
const ppmPerUnit = 1_000_000

// ObjectiveDecimals is the number of decimals of a percentage an objective may
// carry. Four decimals of a percent is one part per million.
const ObjectiveDecimals = 4

// Objective is a service level objective: the share of good events (or good
// time) that must be reached over the period. The zero value is invalid.
type Objective struct {
	ppm int64 // good share in parts per million, 0 < ppm < 1_000_000
}

// ParseObjective parses a percentage such as "99.9" or "99.95". It accepts a
// plain decimal number strictly between 0 and 100 with at most four decimals
// (trailing zeros beyond that are tolerated); it rejects signs, exponents,
// 100 and anything at or below 0.
func ParseObjective(s string) (Objective, error) {
	// One ppm of ratio is 1e-4 percent, so four decimals of a percentage
	// scale straight into ppm.
	ppm, err := parseDecimal(s, ObjectiveDecimals)
	if err != nil {
		return Objective{}, fmt.Errorf("objective %q: %w", s, err)
	}
	switch {
	case ppm <= 0:
		return Objective{}, fmt.Errorf("objective %q: must be greater than 0 percent", s)
	case ppm >= ppmPerUnit:
		return Objective{}, fmt.Errorf("objective %q: must be less than 100 percent; a 100%% objective leaves no error budget", s)
	}
	return Objective{ppm: ppm}, nil
}

// ObjectiveFromFloat converts a percentage held in a float64 (as Terraform
// numbers arrive) using its shortest decimal representation, so 99.95 is
// exactly 99.95 and not its binary approximation.
func ObjectiveFromFloat(f float64) (Objective, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Objective{}, fmt.Errorf("objective %v: must be a finite number", f)
	}
	return ParseObjective(strconv.FormatFloat(f, 'f', -1, 64))
}

// MustObjective is ParseObjective for constants in tests and defaults.
func MustObjective(s string) Objective {
	o, err := ParseObjective(s)
	if err != nil {
		panic(err)
	}
	return o
}

// Valid reports whether o was produced by a successful parse.
func (o Objective) Valid() bool { return o.ppm > 0 && o.ppm < ppmPerUnit }

// PPM is the good share in parts per million.
func (o Objective) PPM() int64 { return o.ppm }

// BudgetPPM is the error budget in parts per million (1 - SLO).
func (o Objective) BudgetPPM() int64 { return ppmPerUnit - o.ppm }

// Percent is the objective as a percentage, e.g. 99.9.
func (o Objective) Percent() float64 { return float64(o.ppm) / 1e4 }

// Ratio is the objective as a ratio, e.g. 0.999.
func (o Objective) Ratio() float64 { return float64(o.ppm) / ppmPerUnit }

// String renders the percentage without float noise and without trailing
// zeros, e.g. "99.95".
func (o Objective) String() string {
	return formatFixed(o.ppm, ObjectiveDecimals)
}

// parseDecimal parses an unsigned decimal "123.456" into an integer scaled by
// 10^scale. More than scale decimals is an error unless the extra digits are
// zeros.
func parseDecimal(s string, scale int) (int64, error) {
	if s == "" {
		return 0, errors.New("must not be empty")
	}
	if strings.TrimSpace(s) != s {
		return 0, errors.New("must not have surrounding spaces")
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && (!hasDot || frac == "") {
		return 0, errors.New("must be a decimal number")
	}
	if hasDot && frac == "" {
		return 0, errors.New("must have digits after the decimal point")
	}
	for _, part := range []string{intPart, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, errors.New("must be a plain decimal number such as 99.9")
			}
		}
	}
	trimmed := strings.TrimRight(frac, "0")
	if len(trimmed) > scale {
		return 0, fmt.Errorf("has %d decimals; at most %d are allowed", len(trimmed), scale)
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 12 {
		return 0, errors.New("is too large")
	}
	var v int64
	for _, r := range intPart {
		v = v*10 + int64(r-'0')
	}
	for i := 0; i < scale; i++ {
		v *= 10
		if i < len(trimmed) {
			v += int64(trimmed[i] - '0')
		}
	}
	return v, nil
}

// formatFixed renders v/10^decimals with trailing zeros removed.
func formatFixed(v int64, decimals int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	p := int64(1)
	for i := 0; i < decimals; i++ {
		p *= 10
	}
	s := strconv.FormatInt(v/p, 10)
	if f := v % p; f != 0 {
		fs := strconv.FormatInt(f, 10)
		fs = strings.Repeat("0", decimals-len(fs)) + fs
		s += "." + strings.TrimRight(fs, "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

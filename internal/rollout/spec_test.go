package rollout

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSpecValidate(t *testing.T) {
	tests := map[string]struct {
		mod  func(*Spec)
		attr string
		want string
	}{
		"the defaults are valid":                         {mod: func(*Spec) {}},
		"$Latest is rejected with the fix":               {mod: func(s *Spec) { s.LaunchTemplateVersion = "$Latest" }, attr: "launch_template_version", want: "pin a numbered version"},
		"$Default is rejected with the fix":              {mod: func(s *Spec) { s.LaunchTemplateVersion = "$Default" }, attr: "launch_template_version", want: "pin a numbered version"},
		"an empty version is rejected":                   {mod: func(s *Spec) { s.LaunchTemplateVersion = "" }, attr: "launch_template_version", want: "must be set"},
		"a version with a leading zero is rejected":      {mod: func(s *Spec) { s.LaunchTemplateVersion = "07" }, attr: "launch_template_version", want: "not a numbered"},
		"version zero is rejected":                       {mod: func(s *Spec) { s.LaunchTemplateVersion = "0" }, attr: "launch_template_version", want: "not a numbered"},
		"no canary is rejected":                          {mod: func(s *Spec) { s.Canary.Count = 0 }, attr: "canary.count", want: "at least 1"},
		"a negative bake is rejected":                    {mod: func(s *Spec) { s.Canary.Bake = -time.Second }, attr: "canary.bake_time", want: "between 0s and 24h"},
		"a fleet bake over a day is rejected":            {mod: func(s *Spec) { s.FleetBake = 25 * time.Hour }, attr: "fleet_bake_time", want: "between 0s and 24h"},
		"a timeout within the grace period is rejected":  {mod: func(s *Spec) { s.Gates.Timeout = s.Gates.Grace }, attr: "gates.timeout", want: "longer than gates.health_check_grace"},
		"a duplicate alarm name is rejected":             {mod: func(s *Spec) { s.Gates.AlarmNames = []string{"a", "a"} }, attr: "gates.alarm_names", want: "twice"},
		"an empty alarm prefix is rejected":              {mod: func(s *Spec) { s.Gates.AlarmPrefixes = []string{""} }, attr: "gates.alarm_prefixes", want: "every alarm"},
		"a wave percent over 100 is rejected":            {mod: func(s *Spec) { s.Surge.WavePercent = 101 }, attr: "surge.wave_percent", want: "between 1 and 100"},
		"a negative min healthy percent is rejected":     {mod: func(s *Spec) { s.MinHealthyPercent = -1 }, attr: "min_healthy_percent", want: "between 0 and 100"},
		"an unknown on_failure is rejected":              {mod: func(s *Spec) { s.OnFailure = "ignore" }, attr: "on_failure", want: `"rollback" or "pause"`},
		"an unknown protected policy is rejected":        {mod: func(s *Spec) { s.ProtectedInstances = "" }, attr: "protected_instances", want: `"refuse", "replace" or "ignore"`},
		"replacing standby instances is not offered":     {mod: func(s *Spec) { s.StandbyInstances = Replace }, attr: "standby_instances", want: "outside the desired capacity"},
		"a poll interval under a second is rejected":     {mod: func(s *Spec) { s.Poll = time.Millisecond }, attr: "poll_interval", want: "between 1s and 5m"},
		"a negative launch estimate is rejected":         {mod: func(s *Spec) { s.ExpectedLaunch = -1 }, attr: "expected_launch_time", want: "between 0s and 24h"},
		"waves of 25 percent with a 90 percent minimum":  {mod: func(s *Spec) { s.Surge.WavePercent, s.MinHealthyPercent = 25, 90 }},
		"alarm gates by name and prefix with no data ok": {mod: func(s *Spec) { s.Gates.AlarmNames, s.Gates.AlarmPrefixes = []string{"x"}, []string{"web-"} }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := NewSpec("7")
			tc.mod(&s)
			errs := s.Validate()
			if tc.attr == "" {
				if len(errs) > 0 {
					t.Fatalf("Validate() = %v, want no error", errs)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("Validate() = %v, want exactly one error", errs)
			}
			var fe *FieldError
			if !errors.As(errs[0], &fe) || fe.Attr != tc.attr || !strings.Contains(fe.Msg, tc.want) {
				t.Fatalf("Validate() = %v, want %s: …%s…", errs[0], tc.attr, tc.want)
			}
		})
	}
}

func TestWaveArithmetic(t *testing.T) {
	tests := map[string]struct {
		pct, minHealthy, base int
		wave, keep            int
	}{
		"the whole fleet surges at once by default": {pct: 0, minHealthy: 100, base: 40, wave: 40, keep: 40},
		"a quarter of 10 rounds up to 3":            {pct: 25, minHealthy: 100, base: 10, wave: 3, keep: 10},
		"one percent of a small fleet is one":       {pct: 1, minHealthy: 90, base: 4, wave: 1, keep: 4},
		"90 percent of 10 keeps 9 in service":       {pct: 10, minHealthy: 90, base: 10, wave: 1, keep: 9},
		"90 percent of 4 rounds up to 4":            {pct: 50, minHealthy: 90, base: 4, wave: 2, keep: 4},
		"0 percent minimum keeps none":              {pct: 50, minHealthy: 0, base: 4, wave: 2, keep: 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := NewSpec("2")
			s.Surge.WavePercent, s.MinHealthyPercent = tc.pct, tc.minHealthy
			if got := s.waveSize(tc.base); got != tc.wave {
				t.Errorf("waveSize(%d) = %d, want %d", tc.base, got, tc.wave)
			}
			if got := s.minHealthy(tc.base); got != tc.keep {
				t.Errorf("minHealthy(%d) = %d, want %d", tc.base, got, tc.keep)
			}
		})
	}
}

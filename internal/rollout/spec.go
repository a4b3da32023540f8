package rollout

import (
	"fmt"
	"strconv"
	"time"
)

// OnFailure says what a failed gate does.
type OnFailure string

const (
	// Rollback puts the previous version back and retires the new instances.
	Rollback OnFailure = "rollback"
	// Pause stops where the failure happened and records it, for a person to
	// look at; the next run with on_failure = rollback rolls it back.
	Pause OnFailure = "pause"
)

// InstancePolicy says what to do with old instances that are scale-in
// protected or in Standby when the rollout starts.
type InstancePolicy string

const (
	// Refuse is the safe default: the rollout does not start and names the
	// instances, because protection and standby are usually set for a reason
	// (a job still running, an instance under investigation).
	Refuse InstancePolicy = "refuse"
	// Replace retires them like any other old instance.
	Replace InstancePolicy = "replace"
	// Ignore leaves them as they are, on their version; they are not counted
	// as old when the rollout decides it is finished.
	Ignore InstancePolicy = "ignore"
)

// Canary is the first, small step of the rollout.
type Canary struct {
	// Count is how many new instances join the fleet before anything else.
	Count int
	// Bake is how long the canary gates must hold before the surge.
	Bake time.Duration
}

// Gates are the checks a step of new instances must pass. They apply to the
// specific new instances, never to counts.
type Gates struct {
	// Grace is how long after launch a new instance may still be unhealthy;
	// no gate passes before it has elapsed.
	Grace time.Duration
	// TargetHealth requires every new instance to be healthy in every target
	// group of the group.
	TargetHealth bool
	// AlarmNames and AlarmPrefixes select CloudWatch alarms that must not be
	// in ALARM while a gate is open.
	AlarmNames    []string
	AlarmPrefixes []string
	// InsufficientDataOK lets an alarm without data pass; when false the gate
	// waits for OK (and fails at Timeout).
	InsufficientDataOK bool
	// Timeout bounds how long a step may take to become healthy, from the
	// moment its capacity was requested.
	Timeout time.Duration
}

// Surge says how the rest of the fleet is launched after the canary.
type Surge struct {
	// WavePercent is the share of the fleet launched per wave; 0 launches the
	// whole fleet at once.
	WavePercent int
	// WaveBake is the bake after each wave but the last (which uses the fleet
	// bake).
	WaveBake time.Duration
}

// Spec is the validated input of one rollout. NewSpec fills in the defaults.
type Spec struct {
	// LaunchTemplateVersion is the numbered launch template version to roll
	// out. $Latest and $Default are rejected: they hide changes and make a
	// rollback target impossible to name.
	LaunchTemplateVersion string
	Canary                Canary
	Gates                 Gates
	// FleetBake is how long the gates must hold once the whole fleet is new,
	// before the old instances are retired.
	FleetBake time.Duration
	Surge     Surge
	// AllowRaiseMax lets the rollout raise max_size for its duration when the
	// group has no room for the surge; max_size is restored at the end.
	AllowRaiseMax bool
	// MinHealthyPercent is the share of the capacity that must stay in
	// service when there is no room to surge and old instances must go
	// before new ones come.
	MinHealthyPercent int
	OnFailure         OnFailure
	// SkipMatching leaves instances already on the target version in place.
	SkipMatching       bool
	ProtectedInstances InstancePolicy
	StandbyInstances   InstancePolicy
	// Poll is how often the fleet is observed while waiting on it.
	Poll time.Duration
	// ExpectedLaunch is the plan's estimate of launch-to-InService time;
	// it only affects estimates.
	ExpectedLaunch time.Duration
}

// NewSpec returns the defaults for rolling out version.
func NewSpec(version string) Spec {
	return Spec{
		LaunchTemplateVersion: version,
		Canary:                Canary{Count: 1, Bake: 5 * time.Minute},
		Gates: Gates{
			Grace:              2 * time.Minute,
			TargetHealth:       true,
			InsufficientDataOK: true,
			Timeout:            15 * time.Minute,
		},
		FleetBake:          10 * time.Minute,
		AllowRaiseMax:      true,
		MinHealthyPercent:  100,
		OnFailure:          Rollback,
		SkipMatching:       true,
		ProtectedInstances: Refuse,
		StandbyInstances:   Refuse,
		Poll:               10 * time.Second,
		ExpectedLaunch:     time.Minute,
	}
}

// FieldError is a problem with one attribute of the configuration. Attr is
// the attribute path as the resource schema nests it.
type FieldError struct {
	Attr string
	Msg  string
}

func (e *FieldError) Error() string { return e.Attr + ": " + e.Msg }

func fieldErr(attr, format string, args ...any) error {
	return &FieldError{Attr: attr, Msg: fmt.Sprintf(format, args...)}
}

// maxDuration bounds every duration so that sums and tags stay sane.
const maxDuration = 24 * time.Hour

// Validate returns every problem found, each a *FieldError that names the
// attribute and the fix.
func (s Spec) Validate() []error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	if _, err := ParseVersion(s.LaunchTemplateVersion); err != nil {
		add(&FieldError{Attr: "launch_template_version", Msg: err.Error()})
	}
	if s.Canary.Count < 1 {
		add(fieldErr("canary.count", "must be at least 1: the canary is the first gate; got %d", s.Canary.Count))
	}
	durations := []struct {
		attr string
		d    time.Duration
	}{
		{"canary.bake_time", s.Canary.Bake},
		{"gates.health_check_grace", s.Gates.Grace},
		{"fleet_bake_time", s.FleetBake},
		{"surge.wave_bake_time", s.Surge.WaveBake},
	}
	for _, d := range durations {
		if d.d < 0 || d.d > maxDuration {
			add(fieldErr(d.attr, "must be between 0s and 24h; got %s", d.d))
		}
	}
	if s.Gates.Timeout <= s.Gates.Grace || s.Gates.Timeout > maxDuration {
		add(fieldErr("gates.timeout", "must be longer than gates.health_check_grace (%s) and at most 24h; got %s", s.Gates.Grace, s.Gates.Timeout))
	}
	seen := map[string]bool{}
	for _, n := range s.Gates.AlarmNames {
		switch {
		case n == "":
			add(fieldErr("gates.alarm_names", "must not contain an empty name"))
		case seen[n]:
			add(fieldErr("gates.alarm_names", "lists %q twice; remove the duplicate", n))
		}
		seen[n] = true
	}
	for _, p := range s.Gates.AlarmPrefixes {
		if p == "" {
			add(fieldErr("gates.alarm_prefixes", "must not contain an empty prefix: it would match every alarm in the account"))
		}
	}
	if s.Surge.WavePercent < 0 || s.Surge.WavePercent > 100 {
		add(fieldErr("surge.wave_percent", "must be between 1 and 100, or 0 for the whole fleet at once; got %d", s.Surge.WavePercent))
	}
	if s.MinHealthyPercent < 0 || s.MinHealthyPercent > 100 {
		add(fieldErr("min_healthy_percent", "must be between 0 and 100; got %d", s.MinHealthyPercent))
	}
	if s.OnFailure != Rollback && s.OnFailure != Pause {
		add(fieldErr("on_failure", "must be %q or %q; got %q", Rollback, Pause, s.OnFailure))
	}
	if s.ProtectedInstances != Refuse && s.ProtectedInstances != Replace && s.ProtectedInstances != Ignore {
		add(fieldErr("protected_instances", "must be %q, %q or %q; got %q", Refuse, Replace, Ignore, s.ProtectedInstances))
	}
	if s.StandbyInstances != Refuse && s.StandbyInstances != Ignore {
		add(fieldErr("standby_instances", "must be %q or %q (standby instances are outside the desired capacity and cannot be retired with it); got %q", Refuse, Ignore, s.StandbyInstances))
	}
	if s.Poll < time.Second || s.Poll > 5*time.Minute {
		add(fieldErr("poll_interval", "must be between 1s and 5m; got %s", s.Poll))
	}
	if s.ExpectedLaunch < 0 || s.ExpectedLaunch > maxDuration {
		add(fieldErr("expected_launch_time", "must be between 0s and 24h; got %s", s.ExpectedLaunch))
	}
	return errs
}

// ParseVersion parses a numbered launch template version. The symbolic
// versions are rejected with the fix, since a rollout must know exactly which
// version it rolls out and which one it would roll back to.
func ParseVersion(s string) (int, error) {
	switch s {
	case "":
		return 0, fmt.Errorf("must be set to a numbered launch template version")
	case "$Latest", "$Default":
		return 0, fmt.Errorf("%s hides which version runs and makes rollback impossible; pin a numbered version (for example aws_launch_template.NAME.latest_version)", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0, fmt.Errorf("%q is not a numbered launch template version (1, 2, …)", s)
	}
	return n, nil
}

// target is the parsed version; call only on a valid spec.
func (s Spec) target() int {
	n, _ := ParseVersion(s.LaunchTemplateVersion)
	return n
}

// waveSize is how many new instances a surge wave launches for a fleet of
// base instances.
func (s Spec) waveSize(base int) int {
	if s.Surge.WavePercent == 0 {
		return base
	}
	return max(1, ceilDiv(base*s.Surge.WavePercent, 100))
}

// minHealthy is how many instances must stay in service for a fleet of base.
func (s Spec) minHealthy(base int) int {
	return ceilDiv(base*s.MinHealthyPercent, 100)
}

func ceilDiv(a, b int) int {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

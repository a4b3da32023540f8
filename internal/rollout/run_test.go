package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

type retryableByMethod struct{}

func (retryableByMethod) Error() string   { return "SlowDown" }
func (retryableByMethod) Retryable() bool { return true }

func TestIsRetryable(t *testing.T) {
	tests := map[string]struct {
		err  error
		want bool
	}{
		"a wrapped throttling error":         {err: fmt.Errorf("describe: %w", Retryable(errThrottled)), want: true},
		"an error that says it is retryable": {err: fmt.Errorf("x: %w", retryableByMethod{}), want: true},
		"a validation error":                 {err: validation("desired capacity 9 must be between min 1 and max 8")},
		"nil":                                {err: nil},
		"Retryable of nil is nil":            {err: Retryable(nil)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IsRetryable(tc.err); got != tc.want {
				t.Errorf("IsRetryable(%v) = %t, want %t", tc.err, got, tc.want)
			}
		})
	}
}

// recordingClock is the simulated clock, noting every sleep.
type recordingClock struct {
	simClock
	sleeps []time.Duration
}

func (c *recordingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.sleeps = append(c.sleeps, d)
	return c.simClock.Sleep(ctx, d)
}

func TestRunRetriesTransientErrorsWithBackoff(t *testing.T) {
	s := newSimASG(defaultSimConfig(), 2, 1, 4)
	s.faults.throttle = 4
	clock := &recordingClock{simClock: simClock{s}}
	inv := newInvariants(s, scenarioSpec())
	s.afterApply = inv.engineAction
	res, err := Run(t.Context(), s, scenarioSpec(), Record{}, clock, func(Progress) { inv.step() })
	if err != nil || res.Status != Succeeded {
		t.Fatalf("Run = %v, %v", res, err)
	}
	inv.checkEnd(t, res.Status)
	if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}; !slices.Equal(clock.sleeps[:4], want) {
		t.Errorf("first sleeps %v, want the backoff %v", clock.sleeps[:4], want)
	}
}

func TestRunGivesUpOnAFleetThatKeepsFailing(t *testing.T) {
	s := newSimASG(defaultSimConfig(), 2, 1, 4)
	s.faults.throttle = 100
	res, err := Run(t.Context(), s, scenarioSpec(), Record{}, simClock{s}, nil)
	if err == nil || !strings.Contains(err.Error(), "giving up after 8 attempts") || !strings.Contains(err.Error(), "Rate exceeded") {
		t.Fatalf("Run = %v, %v; want it to give up naming the error", res, err)
	}
	if IsRetryable(err) {
		t.Error("the final error is still marked retryable")
	}
}

func TestRunStopsWhenTheRecordCannotBeWritten(t *testing.T) {
	s := newSimASG(defaultSimConfig(), 2, 1, 4)
	for i := range 45 {
		s.tags[fmt.Sprintf("user-%d", i)] = "x"
	}
	res, err := Run(t.Context(), s, scenarioSpec(), Record{}, simClock{s}, nil)
	if err == nil || !strings.Contains(err.Error(), "at most 50 tags") {
		t.Fatalf("Run = %v, %v; want the tag limit error", res, err)
	}
	if s.version != "1" || len(s.instances) != 2 || s.stats.commands != 1 {
		t.Errorf("the group was touched: version %s, %d instances, %d commands", s.version, len(s.instances), s.stats.commands)
	}
}

func TestRunPausesWhenARollbackStepIsRejected(t *testing.T) {
	s := newSimASG(defaultSimConfig(), 2, 1, 4)
	s.badVersions["2"] = true
	s.reject = func(c Command) error {
		if v, ok := c.(SetLaunchTemplateVersion); ok && v.Version == 1 {
			return validation("launch template version 1 was deleted")
		}
		return nil
	}
	spec := scenarioSpec()
	spec.Gates.Grace = time.Minute
	res, err := Run(t.Context(), s, spec, Record{}, simClock{s}, nil)
	if err != nil || res.Status != Paused {
		t.Fatalf("Run = %v, %v; want paused", res, err)
	}
	rec, _, _ := ParseRecord(s.tags)
	if rec.Phase != PhasePaused || !rec.Rollback || !strings.Contains(rec.Failure, "version 1 was deleted") || !strings.Contains(rec.Failure, "canary gate") {
		t.Errorf("paused record %+v does not say why", rec)
	}
	if !strings.Contains(res.Reason, "rollback stopped") {
		t.Errorf("reason %q", res.Reason)
	}
}

func TestRunReturnsAtOnceWhenCancelled(t *testing.T) {
	s := newSimASG(defaultSimConfig(), 2, 1, 4)
	ctx, cancel := context.WithCancel(t.Context())
	steps := 0
	res, err := Run(ctx, s, scenarioSpec(), Record{}, simClock{s}, func(p Progress) {
		if steps++; p.Phase == "canary" {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, %v; want cancelled", res, err)
	}
	back, ok, _ := ParseRecord(s.tags)
	if !ok || back.Phase != PhaseCanary || res.Record.ID != back.ID {
		t.Errorf("record left %+v, result %+v", back, res.Record)
	}
}

// TestProgress checks what Run reports: every phase in order, counts that
// add up to the instances, and an estimate that shrinks to nothing.
func TestProgress(t *testing.T) {
	s := newSimASG(defaultSimConfig(), 4, 1, 8)
	inv := newInvariants(s, scenarioSpec())
	s.afterApply = inv.engineAction
	var got []Progress
	res, err := Run(t.Context(), s, scenarioSpec(), Record{}, simClock{s}, func(p Progress) { got = append(got, p); inv.step() })
	if err != nil || res.Status != Succeeded {
		t.Fatalf("Run = %v, %v", res, err)
	}
	inv.checkEnd(t, res.Status)
	var phases []string
	for i, p := range got {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
		if p.Pending+p.InService != p.New || p.Healthy > p.InService {
			t.Errorf("step %d: inconsistent counts %+v", i, p)
		}
		if i > 0 && p.Status == Running && p.Elapsed < got[i-1].Elapsed {
			t.Errorf("step %d: elapsed went back", i)
		}
	}
	want := []string{"prepare", "canary", "surge (wave 1)", "retire", "finalize", "none"}
	if !slices.Equal(phases, want) {
		t.Errorf("phases %q, want %q", phases, want)
	}
	first, last := got[0], got[len(got)-1]
	// 90s grace, 5m canary bake, 90s, 10m fleet bake, 1m draining.
	if first.Remaining != 19*time.Minute || last.Remaining != 0 || last.Status != Succeeded || last.New != 4 || last.Old != 0 {
		t.Errorf("first %+v, last %+v", first, last)
	}
}

func TestFail(t *testing.T) {
	tests := map[string]struct {
		rec      Record
		spec     func(*Spec)
		phase    Phase
		rollback bool
	}{
		"a rejected command in the surge rolls back": {rec: recIn(PhaseSurge, nil), phase: PhasePrepare, rollback: true},
		"with on_failure pause it pauses":            {rec: recIn(PhaseSurge, nil), spec: func(s *Spec) { s.OnFailure = Pause }, phase: PhasePaused},
		"a rejected command in a rollback pauses":    {rec: recIn(PhaseRetire, func(r *Record) { r.Rollback = true }), phase: PhasePaused, rollback: true},
		"a rejected restore in finalize pauses an all-new fleet instead of rolling it back": {
			rec: recIn(PhaseFinalize, nil), phase: PhasePaused,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := NewSpec("2")
			if tc.spec != nil {
				tc.spec(&s)
			}
			got := failRecord(s, tc.rec, "resume processes failed: AccessDenied", t0)
			if got.Phase != tc.phase || got.Rollback != tc.rollback || !strings.Contains(got.Failure, "AccessDenied") || got.FailedPhase == "" {
				t.Errorf("failRecord = %+v", got)
			}
		})
	}
}

func TestRunReportsAFailedVersionSwitchOfAnEmptyGroup(t *testing.T) {
	s := newSimASG(defaultSimConfig(), 0, 0, 4)
	s.latestVersion = 1
	res, err := Run(t.Context(), s, scenarioSpec(), Record{}, simClock{s}, nil)
	if err == nil || !strings.Contains(err.Error(), "has no version 2") || s.stats.commands != 1 {
		t.Fatalf("Run = %v, %v after %d commands", res, err, s.stats.commands)
	}
}

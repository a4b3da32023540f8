package rollout

import (
	"strings"
	"testing"
	"time"
)

func TestScenarios(t *testing.T) {
	at := func(d time.Duration) time.Time { return simEpoch.Add(d) }
	tests := map[string]struct {
		sc       scenario
		mod      func(*Spec)
		want     Status
		reason   []string
		launches int // target-version launches; 0 = not checked
		peakMax  int // 0 = not checked
	}{
		"four instances over two zones roll to all-new": {
			sc: scenario{n: 4, min: 2, max: 8}, want: Succeeded, launches: 4, peakMax: 8,
			reason: []string{"rolled out version 2", "4 instances", "max_size 8"},
		},
		"an unhealthy canary rolls back to exactly the old fleet": {
			sc:   scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) { s.badVersions["2"] = true }},
			mod:  func(s *Spec) { s.Gates.Grace = time.Minute },
			want: RolledBack, launches: 1,
			reason: []string{"canary gate", "unhealthy in target group web-", "rolled back to version 1", "restored desired capacity 4, max_size 8"},
		},
		"a canary the group replaces for failing its health check rolls back": {
			sc:   scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) { s.badVersions["2"] = true }},
			mod:  func(s *Spec) { s.Gates.Grace = 3 * time.Minute },
			want: RolledBack, reason: []string{"canary gate", "marked unhealthy by the group", "rolled back to version 1"},
		},
		"an alarm during the fleet gate rolls back": {
			sc: scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) {
				s.alarms["web-5xx"] = AlarmOK
				s.alarmAt(at(12*time.Minute), "web-5xx", AlarmAlarm)
			}},
			want: RolledBack, launches: 4, reason: []string{"fleet gate: alarm web-5xx is in ALARM", "rolled back to version 1"},
		},
		"max_size equal to desired is raised for the rollout and restored": {
			sc: scenario{n: 4, min: 2, max: 4}, want: Succeeded, launches: 4, peakMax: 8,
		},
		"max_size equal to desired without raising rolls in waves keeping 75 percent in service": {
			sc: scenario{n: 4, min: 2, max: 4},
			mod: func(s *Spec) {
				s.AllowRaiseMax, s.MinHealthyPercent, s.Surge.WavePercent = false, 75, 25
			},
			want: Succeeded, launches: 4, peakMax: 4,
		},
		"max_size equal to desired without raising or spare capacity is refused untouched": {
			sc: scenario{n: 4, min: 2, max: 4}, mod: func(s *Spec) { s.AllowRaiseMax = false },
			want: Refused, reason: []string{"no room for the canary", "allow_raise_max"},
		},
		"waves of a quarter with room to surge keep full capacity": {
			sc: scenario{n: 8, min: 2, max: 10}, mod: func(s *Spec) { s.Surge.WavePercent, s.Surge.WaveBake = 25, time.Minute },
			want: Succeeded, launches: 8, peakMax: 11,
		},
		"a scaling policy raising desired during the canary is followed": {
			sc:   scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) { s.policy(at(2*time.Minute), 2) }},
			want: Succeeded, launches: 6,
		},
		"a scaling policy lowering desired during the fleet gate is followed": {
			sc:   scenario{n: 6, min: 2, max: 12, setup: func(s *simASG) { s.policy(at(11*time.Minute), -2) }},
			want: Succeeded,
		},
		"a scaling policy lowering desired while retiring is followed": {
			sc:   scenario{n: 6, min: 2, max: 12, setup: func(s *simASG) { s.policy(at(19*time.Minute+30*time.Second), -1) }},
			want: Succeeded,
		},
		"throttling and server errors are retried": {
			sc: scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) {
				s.faults.throttle = 3
				s.at(at(8*time.Minute), func() { s.faults.serverErrors = 6 })
				s.at(at(19*time.Minute), func() { s.faults.throttle = 5 })
			}},
			want: Succeeded, launches: 4,
		},
		"a transient launch failure is waited out": {
			sc:   scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) { s.faults.launchFailures = 4 }},
			want: Succeeded, launches: 4,
		},
		"a crash after the canary launched resumes without relaunching it": {
			sc:   scenario{n: 4, min: 2, max: 8, crashes: []int{12}},
			want: Succeeded, launches: 4,
		},
		"crashes inside capacity changes and retirements resume": {
			sc:   scenario{n: 4, min: 2, max: 8, crashes: []int{7, 30, 5, 40}, executeOnCrash: true},
			want: Succeeded, launches: 4,
		},
		"instances already on the target are skipped": {
			sc: scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) {
				s.instances[0].version, s.instances[1].version = "2", "2"
			}},
			want: Succeeded, launches: 2,
		},
		"on_failure pause stops and records it, rollback then finishes it": {
			sc: scenario{n: 4, min: 2, max: 8, resolvePause: true, setup: func(s *simASG) {
				s.alarmAt(at(3*time.Minute), "web-latency", AlarmAlarm)
			}},
			mod:  func(s *Spec) { s.OnFailure = Pause },
			want: RolledBack, reason: []string{"canary gate: alarm web-latency is in ALARM"},
		},
		"protected old instances are replaced when told to": {
			sc:   scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) { s.instances[2].protected = true }},
			mod:  func(s *Spec) { s.ProtectedInstances = Replace },
			want: Succeeded, launches: 4,
		},
		"protected old instances are left alone when told to": {
			sc:   scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) { s.instances[2].protected = true }},
			mod:  func(s *Spec) { s.ProtectedInstances = Ignore },
			want: Succeeded, launches: 3,
		},
		"protected old instances refuse the rollout by default": {
			sc:   scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) { s.instances[2].protected = true }},
			want: Refused, reason: []string{"protected_instances", s0(2)},
		},
		"a group that protects new instances gets its protection back": {
			sc:   scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) { s.newProtected = true }},
			mod:  func(s *Spec) { s.ProtectedInstances = Replace },
			want: Succeeded, launches: 4,
		},
		"processes suspended before the rollout stay suspended": {
			sc:   scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) { s.suspended["AZRebalance"], s.suspended["ScheduledActions"] = true, true }},
			want: Succeeded, launches: 4,
		},
		"three zones and no target groups": {
			sc: scenario{n: 6, min: 1, max: 12, cfg: func() simConfig {
				c := defaultSimConfig()
				c.AZs, c.TargetGroups = []string{"a", "b", "c"}, 0
				return c
			}()},
			want: Succeeded, launches: 6,
		},
		"a launch template version the group rejects rolls back": {
			sc:   scenario{n: 4, min: 2, max: 8, setup: func(s *simASG) { s.latestVersion = 1 }},
			want: RolledBack, reason: []string{"set launch template", "has no version 2"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			sc := tc.sc
			sc.spec = scenarioSpec()
			if tc.mod != nil {
				tc.mod(&sc.spec)
			}
			out := runScenario(t, sc)
			if out.status != tc.want {
				t.Fatalf("got %v; want %s", out, tc.want)
			}
			for _, r := range tc.reason {
				if !strings.Contains(out.reason, r) {
					t.Errorf("reason %q does not mention %q", out.reason, r)
				}
			}
			for _, p := range out.problems {
				t.Error(p)
			}
			if tc.launches > 0 && out.launches != tc.launches {
				t.Errorf("%d target-version launches, want %d", out.launches, tc.launches)
			}
			if tc.peakMax > 0 && out.peakMax != tc.peakMax {
				t.Errorf("max_size peaked at %d, want %d", out.peakMax, tc.peakMax)
			}
		})
	}
}

// s0 is the id the simulator gives its nth instance (from 0).
func s0(n int) string { return simInstanceID(n + 1) }

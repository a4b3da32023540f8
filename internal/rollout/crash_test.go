package rollout

import (
	"fmt"
	"testing"
	"time"
)

// TestCrashAtEveryCommand kills the driver at each command of a rollout in
// turn, once before the call reaches the group and once after, and checks
// that a new run, knowing only the group's tags, finishes it: same end
// state, same number of launches (the canary is not relaunched), every
// invariant held. A rollback that finished but died before reporting it
// is the one case a new run cannot tell from a fresh start: it refuses to
// start while the alarm that failed it still fires.
func TestCrashAtEveryCommand(t *testing.T) {
	paths := map[string]struct {
		setup func(*simASG)
		mod   func(*Spec)
		want  Status
	}{
		"success":                      {want: Succeeded},
		"rollback from the fleet gate": {want: RolledBack, setup: func(s *simASG) { s.alarmAt(simEpoch.Add(12*time.Minute), "web-5xx", AlarmAlarm) }},
		"waves without room": {want: Succeeded, mod: func(s *Spec) {
			s.AllowRaiseMax, s.MinHealthyPercent, s.Surge.WavePercent = false, 50, 50
		}},
	}
	for name, p := range paths {
		t.Run(name, func(t *testing.T) {
			base := scenario{n: 4, min: 2, max: 8, setup: p.setup, spec: scenarioSpec()}
			if name == "waves without room" {
				base.max = 4
			}
			if p.mod != nil {
				p.mod(&base.spec)
			}
			ref := runScenario(t, base)
			if ref.status != p.want || len(ref.problems) > 0 {
				t.Fatalf("without crashes: %v %v", ref, ref.problems)
			}
			commands := ref.sim.stats.commands
			for k := 1; k <= commands; k++ {
				for _, execute := range []bool{false, true} {
					sc := base
					sc.crashes, sc.executeOnCrash = []int{k}, execute
					out := runScenario(t, sc)
					label := fmt.Sprintf("crash at command %d (executed %t)", k, execute)
					lastRollback := p.want == RolledBack && k == commands && execute
					if out.status != p.want && !(lastRollback && out.status == Refused) {
						t.Errorf("%s: %v", label, out)
					}
					for _, pr := range out.problems {
						t.Errorf("%s: %s", label, pr)
					}
					if out.launches != ref.launches {
						t.Errorf("%s: %d target-version launches, want %d as without the crash", label, out.launches, ref.launches)
					}
				}
			}
		})
	}
}

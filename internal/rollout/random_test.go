package rollout

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var (
	schedulesFlag = flag.Int("rollout.schedules", 200, "randomized fault schedules to run")
	seedFlag      = flag.Uint64("rollout.seed", 0, "run only this fault schedule")
)

// randomScenario draws a group, a spec and a fault schedule from seed.
// It also says whether the faults drawn allow the rollout to succeed.
func randomScenario(seed uint64) (sc scenario, desc []string, mayFail, mustFail bool) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	pick := func(p float64) bool { return rng.Float64() < p }
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	secs := func(lo, hi int) time.Duration { return time.Duration(between(lo, hi)) * time.Second }
	at := func() time.Time { return simEpoch.Add(secs(0, 40*60)) }
	say := func(format string, args ...any) { desc = append(desc, fmt.Sprintf(format, args...)) }

	cfg := defaultSimConfig()
	cfg.AZs = []string{"a", "b", "c"}[:between(1, 3)]
	cfg.TargetGroups = between(0, 2)
	cfg.Launch, cfg.Grace, cfg.DeregDelay = secs(20, 90), secs(30, 150), secs(0, 120)
	n := between(1, 12)
	sc = scenario{cfg: cfg, n: n, min: between(0, n), max: n + between(0, n+2)}
	say("%d instances in %d zones, %d target groups, min %d max %d", n, len(cfg.AZs), cfg.TargetGroups, sc.min, sc.max)

	s := scenarioSpec()
	s.Gates.Grace = secs(30, 150)
	s.Canary.Count = between(1, 2)
	s.Canary.Bake, s.FleetBake = secs(0, 300), secs(0, 600)
	s.AllowRaiseMax = pick(0.7)
	if pick(0.5) {
		s.Surge.WavePercent, s.Surge.WaveBake = between(10, 60), secs(0, 60)
	}
	if pick(0.4) {
		s.MinHealthyPercent = between(50, 90)
	}
	if pick(0.3) {
		s.OnFailure = Pause
		sc.resolvePause = true
	}
	if pick(0.2) {
		s.Gates.InsufficientDataOK = false
		s.Gates.AlarmNames = []string{"web-quiet"}
	}
	say("spec: canary %d bake %s, fleet bake %s, raise max %t, waves %d%%, min healthy %d%%, on_failure %s",
		s.Canary.Count, s.Canary.Bake, s.FleetBake, s.AllowRaiseMax, s.Surge.WavePercent, s.MinHealthyPercent, s.OnFailure)

	var setups []func(*simASG)
	matching := 0
	if pick(0.15) {
		k := between(1, n)
		matching = k
		say("%d instance(s) already on the target", k)
		setups = append(setups, func(g *simASG) {
			for i := range k {
				g.instances[i].version = "2"
			}
		})
	}
	ignored := 0
	if pick(0.1) {
		s.ProtectedInstances = []InstancePolicy{Replace, Ignore}[rng.IntN(2)]
		if s.ProtectedInstances == Ignore && matching < n {
			ignored = 1
		}
		say("one old instance scale-in protected, policy %s", s.ProtectedInstances)
		setups = append(setups, func(g *simASG) { g.instances[len(g.instances)-1].protected = true })
	}
	if pick(0.15) {
		say("version 2 fails its health checks")
		mayFail = true
		mustFail = cfg.TargetGroups > 0
		setups = append(setups, func(g *simASG) { g.badVersions["2"] = true })
	}
	if s.Gates.InsufficientDataOK == false {
		quiet := at()
		say("alarm web-quiet has no data until t+%s", quiet.Sub(simEpoch))
		mayFail = true // it may stay without data past the timeout
		setups = append(setups, func(g *simASG) {
			g.alarms["web-quiet"] = AlarmInsufficientData
			g.alarmAt(quiet, "web-quiet", AlarmOK)
		})
	}
	if pick(0.25) {
		fire, clearAt := at(), secs(60, 1200)
		say("alarm web-5xx in ALARM from t+%s for %s", fire.Sub(simEpoch), clearAt)
		mayFail = true
		setups = append(setups, func(g *simASG) {
			g.alarmAt(fire, "web-5xx", AlarmAlarm)
			g.alarmAt(fire.Add(clearAt), "web-5xx", AlarmOK)
		})
	}
	for range between(0, 2) {
		when, k := at(), between(1, 5)
		say("%d throttled calls at t+%s", k, when.Sub(simEpoch))
		setups = append(setups, func(g *simASG) { g.at(when, func() { g.faults.throttle += k }) })
	}
	for range between(0, 2) {
		when, k := at(), between(1, 4)
		say("%d server errors at t+%s", k, when.Sub(simEpoch))
		setups = append(setups, func(g *simASG) { g.at(when, func() { g.faults.serverErrors += k }) })
	}
	if pick(0.25) {
		when, k := at(), between(1, 4)
		say("%d failed launches from t+%s", k, when.Sub(simEpoch))
		setups = append(setups, func(g *simASG) { g.at(when, func() { g.faults.launchFailures += k }) })
	}
	// Scaling policies act at most about once a minute (one-minute metric
	// periods, cooldowns). Two changes within one poll interval would be
	// seen as their net change, which differs when the first one was
	// clamped at min_size or max_size.
	var lastPolicy time.Time
	for range between(0, 2) {
		when, delta := at(), between(-3, 3)
		if !lastPolicy.IsZero() && when.Sub(lastPolicy).Abs() < time.Minute {
			when = lastPolicy.Add(time.Minute)
		}
		lastPolicy = when
		say("scaling policy %+d at t+%s", delta, when.Sub(simEpoch))
		setups = append(setups, func(g *simASG) { g.policy(when, delta) })
	}
	for range between(0, 3) {
		sc.crashes = append(sc.crashes, between(1, 40))
	}
	sc.executeOnCrash = pick(0.5)
	if len(sc.crashes) > 0 {
		say("driver killed at commands %v (call made: %t)", sc.crashes, sc.executeOnCrash)
	}
	if !s.AllowRaiseMax {
		// No room may refuse the start, or a policy may take the room away.
		mayFail = true
	}
	// A bad target version must fail the rollout if it launched anything
	// and target health can see it.
	mustFail = mustFail && matching+ignored < n
	sc.spec = s
	sc.setup = func(g *simASG) {
		for _, f := range setups {
			f(g)
		}
	}
	return sc, desc, mayFail, mustFail
}

// TestRandomFaultSchedules mixes the faults at random moments; every
// schedule must end all-new or all-old with every invariant held.
func TestRandomFaultSchedules(t *testing.T) {
	seeds := make([]uint64, *schedulesFlag)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	if *seedFlag != 0 {
		seeds = []uint64{*seedFlag}
	}
	counts := map[Status]int{}
	for _, seed := range seeds {
		sc, desc, mayFail, mustFail := randomScenario(seed)
		out := runScenario(t, sc)
		counts[out.status]++
		var bad []string
		switch {
		case out.status == Succeeded || out.status == RolledBack:
		case out.status == Refused && mayFail:
		default:
			bad = append(bad, "ended "+out.String())
		}
		if out.status != Succeeded && !mayFail {
			bad = append(bad, "failed without a fault that could fail it: "+out.String())
		}
		if out.status == Succeeded && mustFail && out.launches > 0 {
			bad = append(bad, "succeeded with a version that fails its health checks")
		}
		bad = append(bad, out.problems...)
		if len(bad) > 0 {
			t.Errorf("schedule %d:\n  %s\n  -> %s\n  %s\nreproduce: go test ./internal/rollout -run TestRandomFaultSchedules -rollout.seed=%d -rollout.trace -v",
				seed, strings.Join(desc, "\n  "), out, strings.Join(bad, "\n  "), seed)
		}
	}
	t.Logf("%d schedules: %v", len(seeds), counts)
}

package rollout

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// FuzzDecide feeds Decide odd observations and records, as a broken or
// surprising AWS answer (or hand-edited tags) could produce, and checks the
// properties every decision must have whatever the input: no panic, the
// intent written before any change, terminations only of instances in the
// group and on the side being replaced, a wait in the future, and a reason
// for every final status.
func FuzzDecide(f *testing.F) {
	for i := range 16 {
		f.Add(uint64(i), uint8(i*7))
	}
	f.Fuzz(func(t *testing.T, seed uint64, size uint8) {
		rng := rand.New(rand.NewPCG(seed, uint64(size)))
		pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
		n := int(size % 24)
		o := fleetOf(0).o
		o.Desired, o.Min, o.Max = rng.IntN(30), rng.IntN(6), rng.IntN(40)
		o.LaunchTemplateVersion = pick("1", "2", "3", "$Latest", "")
		o.NewInstancesProtected = rng.IntN(2) == 0
		o.Now = t0.Add(time.Duration(rng.IntN(7200)) * time.Second)
		if rng.IntN(3) == 0 {
			o.Suspended = []string{pick("AZRebalance", "Launch", "Terminate", "AddToLoadBalancer")}
		}
		for i := range n {
			id := fmt.Sprintf("i-%017x", i)
			o.Instances = append(o.Instances, Instance{
				ID: id, AZ: pick("a", "b", "c"),
				Lifecycle:        Lifecycle(pick("Pending", "Pending:Wait", "InService", "Terminating", "Terminating:Wait", "Standby", "EnteringStandby", "Detaching", "Warmed:Pending", "")),
				Healthy:          rng.IntN(5) > 0,
				LaunchTemplateID: pick("lt-1", "lt-1", "lt-2", ""),
				Version:          pick("1", "2", "2", "3", "$Default"),
				Protected:        rng.IntN(4) == 0,
				LaunchedAt:       t0.Add(time.Duration(rng.IntN(7200)-3600) * time.Second),
			})
			if st := TargetState(pick("initial", "healthy", "healthy", "unhealthy", "draining", "unused", "unavailable")); st != TargetUnused {
				o.Targets[tgA][id] = st
			}
		}
		o.Alarms["web-5xx"] = AlarmState(pick("OK", "ALARM", "INSUFFICIENT_DATA"))
		spec := NewSpec("2")
		spec.Gates.AlarmPrefixes = []string{"web-"}
		spec.OnFailure = OnFailure(pick(string(Rollback), string(Pause)))
		spec.AllowRaiseMax = rng.IntN(2) == 0
		spec.MinHealthyPercent = rng.IntN(101)
		spec.Surge.WavePercent = rng.IntN(101)
		spec.ProtectedInstances = InstancePolicy(pick(string(Refuse), string(Replace), string(Ignore)))
		spec.StandbyInstances = InstancePolicy(pick(string(Refuse), string(Ignore)))

		var rec Record
		if rng.IntN(4) > 0 {
			rec = startRec()
			rec.Phase = phases[rng.IntN(len(phases))]
			rec.Rollback = rng.IntN(3) == 0
			rec.Wave = rng.IntN(4)
			rec.Base, rec.Desired, rec.Max, rec.Goal = rng.IntN(30), rng.IntN(30), rng.IntN(40), rng.IntN(30)
			rec.Changing, rec.From = rng.IntN(4) == 0, rng.IntN(30)
			rec.Original = Original{Desired: rng.IntN(30), Max: rng.IntN(40), NewInstancesProtected: rng.IntN(2) == 0}
			if rng.IntN(3) == 0 && n > 0 {
				rec.Retiring, rec.Surplus = []string{o.Instances[rng.IntN(n)].ID}, rng.IntN(2) == 0
			}
			if !rec.Changing {
				rec.From = 0
			}
			if rec.Phase == PhasePaused || rec.Rollback {
				rec.FailedPhase, rec.Failure = PhaseCanary, "canary gate: x"
			}
			if rng.IntN(2) == 0 {
				maps.Copy(o.Tags, rec.Tags())
			}
		}

		d := Decide(spec, rec, o)
		in := map[string]Instance{}
		for _, x := range o.Instances {
			in[x.ID] = x
		}
		// persisted is the record as the tags hold it once the decision's
		// WriteRecord (always the first command) is applied: the intent a
		// killed process resumes from.
		persisted, _, _ := ParseRecord(o.Tags)
		for i, c := range d.Commands {
			switch c := c.(type) {
			case WriteRecord:
				if i != 0 {
					t.Fatalf("record written after other commands: %v", brief(d.Commands))
				}
				var err error
				if persisted, _, err = ParseRecord(c.Record.Tags()); err != nil {
					t.Fatalf("record written does not parse: %v", err)
				}
			case SetDesired:
				if persisted.Desired != c.Desired || !(persisted.Changing || o.Desired == c.Desired) {
					t.Fatalf("%s not logged as intent: persisted desired %d, changing %t", c, persisted.Desired, persisted.Changing)
				}
			case Terminate:
				if !slices.Contains(persisted.Retiring, c.InstanceID) || persisted.Surplus == c.Decrement {
					t.Fatalf("%s not in the persisted batch %v (surplus %t)", c, persisted.Retiring, persisted.Surplus)
				}
				x, ok := in[c.InstanceID]
				if !ok || !x.Lifecycle.counted() {
					t.Fatalf("terminates %s, which is not a counted instance of the group", c.InstanceID)
				}
				dd := &decider{spec: spec, rec: d.Record}
				if dd.wanted(x) {
					t.Fatalf("terminates %s on the side the fleet moves to", c.InstanceID)
				}
			case ClearRecord:
				if i != len(d.Commands)-1 {
					t.Fatalf("record cleared before the last command: %v", brief(d.Commands))
				}
			}
		}
		switch d.Status {
		case Running:
			if d.Wait.Before(o.Now) {
				t.Fatalf("wait %s before now %s", d.Wait, o.Now)
			}
		default:
			if d.Reason == "" {
				t.Fatalf("%s without a reason", d.Status)
			}
		}
	})
}

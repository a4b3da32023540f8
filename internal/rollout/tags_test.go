package rollout

import (
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleRecord() Record {
	t0 := time.Unix(1_700_000_000, 0).UTC()
	return Record{
		ID: "20231114T221320Z-v7", Phase: PhaseRetire, Rollback: true, Wave: 2,
		LaunchTemplateID: "lt-0123456789abcdef0", OldVersion: 6, TargetVersion: 7,
		Base: 400, Desired: 788, Changing: true, From: 800, Goal: 400, Max: 800,
		Original: Original{Desired: 400, Max: 420, NewInstancesProtected: true, Suspended: []string{"AlarmNotification", "ScheduledActions"}},
		Started:  t0, PhaseSince: t0.Add(time.Hour), GateSince: t0.Add(2 * time.Hour),
		Retiring:    []string{"i-0123456789abcdef0", "i-0123456789abcdef1"},
		Failure:     "fleet gate: alarm web-5xx is in ALARM",
		FailedPhase: PhaseSurge,
	}
}

func TestRecordTagsRoundTrip(t *testing.T) {
	all := []string{"Launch", "Terminate", "AddToLoadBalancer", "AlarmNotification", "AZRebalance", "HealthCheck", "InstanceRefresh", "ReplaceUnhealthy", "ScheduledActions"}
	tests := map[string]func(*Record){
		"a rollback in the retire phase with everything set": func(*Record) {},
		"a forward canary without gate or retirement": func(r *Record) {
			r.Phase, r.Rollback, r.Wave, r.Changing, r.From, r.GateSince, r.Retiring, r.Failure, r.FailedPhase = PhaseCanary, false, 0, false, 0, time.Time{}, nil, "", ""
		},
		"every scaling process suspended before the rollout fits": func(r *Record) { r.Original.Suspended = all },
		"a full batch of terminations in flight fits": func(r *Record) {
			r.Retiring = nil
			for i := range 100 {
				r.Retiring = append(r.Retiring, "i-0123456789abcd"+string(rune('a'+i%26))+"0")
			}
			r.Retiring = fitIDs(r.Retiring)
		},
		"a paused rollout keeps the phase it stopped in": func(r *Record) { r.Phase, r.Rollback, r.FailedPhase = PhasePaused, false, PhaseCanary },
	}
	for name, mod := range tests {
		t.Run(name, func(t *testing.T) {
			r := sampleRecord()
			mod(&r)
			tags := r.Tags()
			if len(tags) != len(TagKeys) || len(tags) > 8 {
				t.Fatalf("Tags() has %d keys, want %d (at most 8)", len(tags), len(TagKeys))
			}
			for k, v := range tags {
				if !strings.HasPrefix(k, TagPrefix) || len(v) > MaxTagValue || sanitize(v) != v {
					t.Errorf("tag %s = %q (%d bytes) is not a valid record tag", k, v, len(v))
				}
			}
			got, ok, err := ParseRecord(tags)
			if err != nil || !ok {
				t.Fatalf("ParseRecord(Tags()) = %v, %v", ok, err)
			}
			if !reflect.DeepEqual(got, r) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, r)
			}
		})
	}
}

func TestParseRecordErrors(t *testing.T) {
	good := sampleRecord().Tags()
	tests := map[string]struct {
		mod  func(map[string]string)
		tag  string
		none bool
	}{
		"no record tags means no rollout":        {mod: func(m map[string]string) { clear(m); m["Name"] = "web" }, none: true},
		"a missing id is named":                  {mod: func(m map[string]string) { delete(m, TagID) }, tag: TagID},
		"an unknown phase is named":              {mod: func(m map[string]string) { m[TagPhase] = "deploy" }, tag: TagPhase},
		"a symbolic target version is named":     {mod: func(m map[string]string) { m[TagVersion] = "lt=lt-1 old=6 target=$Latest" }, tag: TagVersion},
		"a negative capacity is named":           {mod: func(m map[string]string) { m[TagCapacity] = "base=-1 desired=2 max=3 goal=0" }, tag: TagCapacity},
		"a missing capacity field is named":      {mod: func(m map[string]string) { m[TagCapacity] = "base=1 max=3 goal=0" }, tag: TagCapacity},
		"an unknown field is named":              {mod: func(m map[string]string) { m[TagOriginal] += " colour=blue" }, tag: TagOriginal},
		"a protection flag that is not a bool":   {mod: func(m map[string]string) { m[TagOriginal] = "desired=1 max=2 protected=1 suspended=" }, tag: TagOriginal},
		"a zero start time is named":             {mod: func(m map[string]string) { m[TagStep] = "wave=0 started=0 since=1" }, tag: TagStep},
		"a failure in an unknown phase is named": {mod: func(m map[string]string) { m[TagFailure] = "somewhere it broke" }, tag: TagFailure},
		"an instance list with odd characters":   {mod: func(m map[string]string) { m[TagRetiring] = "i-1,i-2" }, tag: TagRetiring},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tags := maps.Clone(good)
			tc.mod(tags)
			_, ok, err := ParseRecord(tags)
			if tc.none {
				if ok || err != nil {
					t.Fatalf("ParseRecord = %v, %v; want no record", ok, err)
				}
				return
			}
			if !ok || err == nil || !strings.Contains(err.Error(), tc.tag) {
				t.Fatalf("ParseRecord = %v, %v; want an error naming %s", ok, err, tc.tag)
			}
		})
	}
}

func TestFailureTextIsSanitizedAndClipped(t *testing.T) {
	r := sampleRecord()
	r.Failure = `canary gate: instance i-1 (version "7", eu-west-1a) unhealthy, 100% ` + strings.Repeat("é", 300)
	v := r.Tags()[TagFailure]
	if len(v) > MaxTagValue || sanitize(v) != v || !strings.HasSuffix(v, "...") {
		t.Fatalf("failure tag %q (%d bytes) is not clipped and sanitized", v, len(v))
	}
	back, _, err := ParseRecord(r.Tags())
	if err != nil || !maps.Equal(back.Tags(), r.Tags()) {
		t.Fatalf("sanitized failure does not round-trip: %v", err)
	}
}

func TestFitIDsFillsOneTag(t *testing.T) {
	var ids []string
	for range 50 {
		ids = append(ids, "i-0123456789abcdef0")
	}
	got := fitIDs(ids)
	if n := len(strings.Join(got, " ")); n > MaxTagValue || len(got) != 12 {
		t.Fatalf("fitIDs kept %d ids (%d bytes), want 12 within %d", len(got), n, MaxTagValue)
	}
}

// FuzzParseRecord checks that tags from outside never panic the parser and
// that whatever it accepts encodes back to the same record.
func FuzzParseRecord(f *testing.F) {
	good := sampleRecord().Tags()
	f.Add(good[TagID], good[TagPhase], good[TagVersion], good[TagCapacity], good[TagOriginal], good[TagStep], good[TagRetiring], good[TagFailure])
	f.Add("x", "rollback/paused", "lt= old=0 target=1", "base=0 desired=0 max=0 goal=0 from=0", "desired=0 max=0 protected=false suspended=", "wave=0 started=1 since=1", "", "canary x")
	f.Fuzz(func(t *testing.T, id, phase, version, capacity, original, step, retiring, failure string) {
		tags := map[string]string{TagID: id, TagPhase: phase, TagVersion: version, TagCapacity: capacity, TagOriginal: original, TagStep: step, TagRetiring: retiring, TagFailure: failure}
		r, ok, err := ParseRecord(tags)
		if err != nil {
			if !ok || !strings.Contains(err.Error(), TagPrefix) {
				t.Fatalf("error %q does not name the tag", err)
			}
			return
		}
		again, ok, err := ParseRecord(r.Tags())
		if err != nil || !ok {
			t.Fatalf("Tags() of an accepted record does not parse: %v\n%v", err, r.Tags())
		}
		if !maps.Equal(again.Tags(), r.Tags()) {
			t.Fatalf("round trip changed the record:\n%v\n%v", r.Tags(), again.Tags())
		}
	})
}

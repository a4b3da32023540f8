package rollout

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// TagPrefix starts every tag key of the record. A group holds at most 50
// tags and users have their own, so the record uses eight.
const TagPrefix = "sre:rollout:"

// Tag keys of the record.
const (
	TagID       = TagPrefix + "id"
	TagPhase    = TagPrefix + "phase"
	TagVersion  = TagPrefix + "version"
	TagCapacity = TagPrefix + "capacity"
	TagOriginal = TagPrefix + "original"
	TagStep     = TagPrefix + "step"
	TagRetiring = TagPrefix + "retiring"
	TagFailure  = TagPrefix + "failure"
)

// TagKeys lists every key Tags writes.
var TagKeys = []string{TagID, TagPhase, TagVersion, TagCapacity, TagOriginal, TagStep, TagRetiring, TagFailure}

// MaxTagValue is the longest tag value Auto Scaling accepts.
const MaxTagValue = 256

// Tags encodes the record. Every key is always present (empty when unset)
// so that one CreateOrUpdateTags call replaces the previous record whole.
// Values use only the characters every AWS tagging API accepts: letters,
// digits, spaces and + - = . _ : / @.
func (r Record) Tags() map[string]string {
	phase := string(r.Phase)
	if r.Rollback {
		phase = "rollback/" + phase
	}
	capacity := fmt.Sprintf("base=%d desired=%d max=%d goal=%d", r.Base, r.Desired, r.Max, r.Goal)
	if r.Changing {
		capacity += fmt.Sprintf(" from=%d", r.From)
	}
	step := fmt.Sprintf("wave=%d started=%d since=%d", r.Wave, unix(r.Started), unix(r.PhaseSince))
	if !r.GateSince.IsZero() {
		step += fmt.Sprintf(" gate=%d", unix(r.GateSince))
	}
	failure := ""
	if r.Failure != "" || r.FailedPhase != "" {
		failure = clip(sanitize(string(r.FailedPhase)+" "+r.Failure), MaxTagValue)
	}
	return map[string]string{
		TagID:       r.ID,
		TagPhase:    phase,
		TagVersion:  fmt.Sprintf("lt=%s old=%d target=%d", r.LaunchTemplateID, r.OldVersion, r.TargetVersion),
		TagCapacity: capacity,
		TagOriginal: fmt.Sprintf("desired=%d max=%d protected=%t suspended=%s", r.Original.Desired, r.Original.Max, r.Original.NewInstancesProtected, strings.Join(r.Original.Suspended, "+")),
		TagStep:     step,
		TagRetiring: retiring(r),
		TagFailure:  failure,
	}
}

// RecordTags returns only the record's tags out of a group's tags.
func RecordTags(tags map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range tags {
		if strings.HasPrefix(k, TagPrefix) {
			out[k] = v
		}
	}
	return out
}

// ParseRecord reads the record from a group's tags. It reports false when
// the group carries no record, and an error naming the tag when one is there
// but unreadable.
func ParseRecord(tags map[string]string) (Record, bool, error) {
	own := RecordTags(tags)
	if len(own) == 0 {
		return Record{}, false, nil
	}
	var r Record
	fail := func(key, format string, args ...any) (Record, bool, error) {
		return Record{}, true, fmt.Errorf("tag %s = %q: %s; the group has a rollout record this version cannot read: finish it with the provider that wrote it, or check the group by hand before deleting the %s* tags", key, own[key], fmt.Sprintf(format, args...), TagPrefix)
	}
	r.ID = own[TagID]
	if r.ID == "" || len(r.ID) > 64 || sanitize(r.ID) != r.ID || strings.Contains(r.ID, " ") {
		return fail(TagID, "missing or malformed rollout id")
	}
	phase := own[TagPhase]
	if p, ok := strings.CutPrefix(phase, "rollback/"); ok {
		r.Rollback, phase = true, p
	}
	r.Phase = Phase(phase)
	if !slices.Contains(phases, r.Phase) {
		return fail(TagPhase, "unknown phase")
	}

	kv, err := fields(own[TagVersion], "lt", "old", "target")
	if err != nil {
		return fail(TagVersion, "%v", err)
	}
	r.LaunchTemplateID = kv["lt"]
	if sanitize(r.LaunchTemplateID) != r.LaunchTemplateID || strings.Contains(r.LaunchTemplateID, " ") {
		return fail(TagVersion, "malformed launch template id")
	}
	if r.OldVersion, err = count(kv["old"]); err != nil {
		return fail(TagVersion, "old: %v", err)
	}
	if r.TargetVersion, err = count(kv["target"]); err != nil || r.TargetVersion == 0 {
		return fail(TagVersion, "target: must be a numbered version")
	}

	kv, err = fields(own[TagCapacity], "base", "desired", "max", "goal", "from?")
	if err != nil {
		return fail(TagCapacity, "%v", err)
	}
	for key, dst := range map[string]*int{"base": &r.Base, "desired": &r.Desired, "max": &r.Max, "goal": &r.Goal} {
		if *dst, err = count(kv[key]); err != nil {
			return fail(TagCapacity, "%s: %v", key, err)
		}
	}
	if v, ok := kv["from"]; ok {
		r.Changing = true
		if r.From, err = count(v); err != nil {
			return fail(TagCapacity, "from: %v", err)
		}
	}

	kv, err = fields(own[TagOriginal], "desired", "max", "protected", "suspended")
	if err != nil {
		return fail(TagOriginal, "%v", err)
	}
	if r.Original.Desired, err = count(kv["desired"]); err != nil {
		return fail(TagOriginal, "desired: %v", err)
	}
	if r.Original.Max, err = count(kv["max"]); err != nil {
		return fail(TagOriginal, "max: %v", err)
	}
	if r.Original.NewInstancesProtected, err = strconv.ParseBool(kv["protected"]); err != nil || (kv["protected"] != "true" && kv["protected"] != "false") {
		return fail(TagOriginal, "protected: must be true or false")
	}
	if s := kv["suspended"]; s != "" {
		r.Original.Suspended = strings.Split(s, "+")
		for _, p := range r.Original.Suspended {
			if p == "" {
				return fail(TagOriginal, "suspended: empty process name")
			}
		}
	}

	kv, err = fields(own[TagStep], "wave", "started", "since", "gate?")
	if err != nil {
		return fail(TagStep, "%v", err)
	}
	if r.Wave, err = count(kv["wave"]); err != nil {
		return fail(TagStep, "wave: %v", err)
	}
	for key, dst := range map[string]*time.Time{"started": &r.Started, "since": &r.PhaseSince, "gate": &r.GateSince} {
		v, ok := kv[key]
		if !ok {
			continue
		}
		n, err := count(v)
		if err != nil || n == 0 {
			return fail(TagStep, "%s: must be a positive Unix time", key)
		}
		*dst = time.Unix(int64(n), 0).UTC()
	}

	if s := own[TagRetiring]; s != "" {
		s, r.Surplus = strings.CutPrefix(s, surplusMark)
		r.Retiring = strings.Split(s, " ")
		for _, id := range r.Retiring {
			if id == "" || sanitize(id) != id {
				return fail(TagRetiring, "malformed instance id list")
			}
		}
	}

	if f := own[TagFailure]; f != "" {
		if sanitize(f) != f {
			return fail(TagFailure, "malformed failure text")
		}
		p, reason, _ := strings.Cut(f, " ")
		r.FailedPhase, r.Failure = Phase(p), reason
		if !slices.Contains(phases, r.FailedPhase) {
			return fail(TagFailure, "unknown failed phase")
		}
	}
	return r, true, nil
}

// surplusMark starts the retiring tag of a batch terminated without a
// decrement.
const surplusMark = "surplus "

func retiring(r Record) string {
	if len(r.Retiring) == 0 {
		return ""
	}
	s := strings.Join(r.Retiring, " ")
	if r.Surplus {
		s = surplusMark + s
	}
	return s
}

// fields parses "k=v k=v". Keys ending in "?" are optional; every other key
// must be present, and no unknown key may appear.
func fields(s string, keys ...string) (map[string]string, error) {
	out := map[string]string{}
	allowed := map[string]bool{}
	for _, k := range keys {
		allowed[strings.TrimSuffix(k, "?")] = true
	}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || !allowed[k] {
			return nil, fmt.Errorf("unexpected field %q", f)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("field %q twice", k)
		}
		out[k] = v
	}
	for _, k := range keys {
		if _, ok := out[k]; !ok && !strings.HasSuffix(k, "?") {
			return nil, fmt.Errorf("missing field %q", k)
		}
	}
	return out, nil
}

// count parses a non-negative integer written by Tags.
func count(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strconv.Itoa(n) != s || n > 1<<40 {
		return 0, fmt.Errorf("%q is not a non-negative integer", s)
	}
	return n, nil
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// sanitize keeps the characters every AWS tagging API accepts, turning
// others into spaces and collapsing runs of spaces.
func sanitize(s string) string {
	mapped := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("+-=._:/@", r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(mapped), " ")
}

// clip cuts s to at most n bytes on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n-3]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.TrimRight(s, " ") + "..."
}

// fitIDs returns the longest prefix of ids whose space-joined form fits in
// one tag value, after the surplus mark: the batch of terminations one
// record write can cover.
func fitIDs(ids []string) []string {
	n := len(surplusMark) - 1
	for i, id := range ids {
		n += len(id) + 1
		if n > MaxTagValue {
			return ids[:i]
		}
	}
	return ids
}

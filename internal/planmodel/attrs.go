package planmodel

// state is the three-valued status of an attribute: Terraform either knows
// a value, will only know it after apply, or the attribute is null.
type state int

const (
	absent state = iota
	known
	unknown
)

// fields is a decoded JSON object: its members in document order. Plan
// objects are small and looked up by a few names, so a slice scanned from
// the end (the last duplicate wins, as with encoding/json) is cheaper to
// build and to read than a map.
type fields []kv

type kv struct {
	k string
	v any
}

// get returns the value of member name.
func (f fields) get(name string) (any, bool) {
	for i := len(f) - 1; i >= 0; i-- {
		if f[i].k == name {
			return f[i].v, true
		}
	}
	return nil, false
}

// value returns the value of member name, nil when absent.
func (f fields) value(name string) any {
	v, _ := f.get(name)
	return v
}

// obj pairs an object's values with Terraform's after_unknown mask for it.
type obj struct {
	vals fields
	unk  fields
}

func newObj(v, unk any) (obj, bool) {
	var o obj
	switch m := v.(type) {
	case nil:
	case fields:
		o.vals = m
	default:
		return o, false
	}
	if m, ok := unk.(fields); ok {
		o.unk = m
	}
	return o, true
}

func (o obj) exists() bool { return o.vals != nil || o.unk != nil }

func (o obj) field(name string) (any, state) {
	if u, _ := o.unk.get(name); u == true {
		return nil, unknown
	}
	v, ok := o.vals.get(name)
	if !ok || v == nil {
		return nil, absent
	}
	return v, known
}

func (o obj) str(name string) (string, state) {
	v, st := o.field(name)
	if st != known {
		return "", st
	}
	s, ok := v.(string)
	if !ok {
		return "", absent
	}
	return s, known
}

func (o obj) num(name string) (float64, state) {
	v, st := o.field(name)
	if st != known {
		return 0, st
	}
	switch n := v.(type) {
	case float64:
		return n, known
	default:
		return 0, absent
	}
}

func (o obj) boolean(name string) (bool, state) {
	v, st := o.field(name)
	if st != known {
		return false, st
	}
	b, ok := v.(bool)
	if !ok {
		return false, absent
	}
	return b, known
}

// strs returns the known string elements of a list or set attribute and
// whether some elements (or the whole collection) are unknown.
func (o obj) strs(name string) (vals []string, someUnknown bool, st state) {
	v, st := o.field(name)
	if st != known {
		return nil, st == unknown, st
	}
	list, _ := v.([]any)
	mu, _ := o.unk.get(name)
	mask, _ := mu.([]any)
	for i, e := range list {
		if i < len(mask) {
			if b, _ := mask[i].(bool); b {
				someUnknown = true
				continue
			}
		}
		if s, ok := e.(string); ok {
			vals = append(vals, s)
		}
	}
	return vals, someUnknown, known
}

// strMap returns a map(string) attribute such as tags.
func (o obj) strMap(name string) map[string]string {
	v, st := o.field(name)
	if st != known {
		return nil
	}
	m, _ := v.(fields)
	out := make(map[string]string, len(m))
	for _, e := range m {
		if s, ok := e.v.(string); ok {
			out[e.k] = s
		} else {
			delete(out, e.k) // a later duplicate that is not a string
		}
	}
	return out
}

// blocks returns the elements of a nested block list or set, each paired
// with its part of the unknown mask.
func (o obj) blocks(name string) []obj {
	v, st := o.field(name)
	if st != known {
		return nil
	}
	list, _ := v.([]any)
	mu, _ := o.unk.get(name)
	mask, _ := mu.([]any)
	out := make([]obj, 0, len(list))
	for i, e := range list {
		var m any
		if i < len(mask) {
			m = mask[i]
		}
		if b, ok := newObj(e, m); ok && b.vals != nil {
			out = append(out, b)
		}
	}
	return out
}

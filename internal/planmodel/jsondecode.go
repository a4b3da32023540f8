package planmodel

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting in decoded attribute values. Real ones nest a
// handful of levels; deeper values are rejected rather than decoded.
const maxDepth = 64

var errTooDeep = errors.New("value nested more than 64 levels deep")

// decode validates, consumes and decodes one value.
func (s *scanner) decode(depth int) (any, error) {
	if depth > maxDepth {
		if s.skipDeep {
			// Reported after the scan, as for any other type error.
			s.deepErr = errTooDeep
			return nil, s.skip()
		}
		return nil, errTooDeep
	}
	c := s.cur()
	if c <= ' ' {
		c = s.peek()
	}
	switch c {
	case 'n':
		return nil, s.literal("null")
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	case '"':
		raw, err := s.str()
		if err != nil {
			return nil, err
		}
		if v, ok := s.interned(raw); ok {
			return v, nil
		}
		return unquote(raw)
	case '[':
		start := len(s.vals)
		err := s.array(func() error {
			v, err := s.decode(depth + 1)
			s.vals = append(s.vals, v)
			return err
		})
		return s.popList(start), err
	case '{':
		start := len(s.kvs)
		err := s.object(func(key []byte) error {
			k, err := s.key(key)
			if err != nil {
				return err
			}
			v, err := s.decode(depth + 1)
			s.kvs = append(s.kvs, kv{k, v})
			return err
		})
		return s.popFields(start), err
	default:
		num, err := s.number()
		if err != nil {
			return nil, err
		}
		if n, ok := smallInt(num); ok {
			return boxedInts[n], nil
		}
		return strconv.ParseFloat(string(num), 64)
	}
}

// popList copies the elements pushed on the scratch stack since start into
// a new list, never nil, and pops them.
func (s *scanner) popList(start int) []any {
	out := s.newList(len(s.vals) - start)
	copy(out, s.vals[start:])
	clear(s.vals[start:])
	s.vals = s.vals[:start]
	return out
}

// popFields copies the members pushed on the scratch stack since start
// into a new object, never nil, and pops them.
func (s *scanner) popFields(start int) fields {
	out := s.newFields(len(s.kvs) - start)
	copy(out, s.kvs[start:])
	clear(s.kvs[start:])
	s.kvs = s.kvs[:start]
	return out
}

// A plan decodes tens of thousands of small objects, lists and instances
// that all live as long as the plan: carving them from shared blocks saves
// an allocation each. Each piece is capped at its length, so appending to
// one never writes into the next.
const slabLen = 512

// slabs holds the rest of the current blocks, and the shared
// single-action lists (see actionList).
type slabs struct {
	kvs  []kv
	vals []any
	ins  []Instance
	acts map[string][]string
}

func (s *scanner) newFields(n int) fields {
	m := s.slabs
	switch {
	case n == 0:
		return fields{}
	case n > slabLen/8 || m == nil:
		return make(fields, n)
	}
	if len(m.kvs) < n {
		m.kvs = make([]kv, slabLen)
	}
	out := m.kvs[:n:n]
	m.kvs = m.kvs[n:]
	return out
}

func (s *scanner) newList(n int) []any {
	m := s.slabs
	switch {
	case n == 0:
		return []any{}
	case n > slabLen/8 || m == nil:
		return make([]any, n)
	}
	if len(m.vals) < n {
		m.vals = make([]any, slabLen)
	}
	out := m.vals[:n:n]
	m.vals = m.vals[n:]
	return out
}

func (s *scanner) newInstance() *Instance {
	m := s.slabs
	if m == nil {
		return &Instance{}
	}
	if len(m.ins) == 0 {
		m.ins = make([]Instance, 64)
	}
	in := &m.ins[0]
	m.ins = m.ins[1:]
	return in
}

// actionList copies a change's actions; single actions, nearly all of
// them, share one list per action.
func (s *scanner) actionList(a []string) []string {
	switch {
	case len(a) == 0:
		return nil
	case len(a) > 1 || s.slabs == nil:
		return slices.Clone(a)
	}
	acts := s.slabs.acts
	if l, ok := acts[a[0]]; ok {
		return l
	}
	l := []string{a[0]}
	if len(acts) < 64 {
		acts[a[0]] = l
	}
	return l
}

// Plans repeat the same short strings (object keys, protocols, CIDRs,
// actions) and small numbers (ports) thousands of times. The reader keeps
// one copy of each, already boxed as an any, which saves an allocation or
// two per value and shrinks the heap the collector has to scan.
const (
	maxInternLen   = 40      // longer strings are mostly unique ids
	maxInternCount = 1 << 14 // bound the table for plans full of unique values
)

// interned returns the shared copy of a short string without escapes,
// adding it to the table when there is room. ok is false when the string
// is not interned; the caller decodes it as usual.
func (s *scanner) interned(raw []byte) (any, bool) {
	if s.strs == nil || len(raw) > maxInternLen {
		return nil, false
	}
	if v, ok := s.strs[string(raw)]; ok {
		return v, true
	}
	if len(s.strs) >= maxInternCount || bytes.IndexByte(raw, '\\') >= 0 {
		return nil, false
	}
	str := string(raw)
	var v any = str
	s.strs[str] = v
	return v, true
}

// key decodes an object key, interned when it is short.
func (s *scanner) key(raw []byte) (string, error) {
	if v, ok := s.interned(raw); ok {
		return v.(string), nil
	}
	return unquote(raw)
}

// boxedInts holds the small whole numbers (most ports, rule numbers,
// lifetimes), already boxed as float64.
var boxedInts = func() (t [1 << 13]any) {
	for i := range t {
		t[i] = float64(i)
	}
	return t
}()

// smallInt parses a number that is a plain integer in boxedInts' range.
// "-0", fractions and exponents are left to strconv.
func smallInt(num []byte) (int, bool) {
	if len(num) == 0 || len(num) > 4 || (num[0] == '0' && len(num) > 1) {
		return 0, false
	}
	n := 0
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n < len(boxedInts)
}

// unquote decodes the raw contents of an already-validated string the way
// encoding/json does; the common case has no escapes and needs no more
// than a copy.
func unquote(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw), nil
	}
	i := 0
	for i < len(raw) && raw[i] != '\\' && raw[i] < utf8.RuneSelf {
		i++
	}
	var buf [128]byte // most escaped strings fit: one allocation, for the result
	out := append(buf[:0], raw[:i]...)
	for i < len(raw) {
		c := raw[i]
		switch {
		case c == '\\':
			if i+1 >= len(raw) {
				return "", errScan
			}
			switch raw[i+1] {
			case '"', '\\', '/':
				out = append(out, raw[i+1])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(raw[i+2:])
				if !ok {
					return "", errScan
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if r2, ok := hex4(raw[min(i+2, len(raw)):]); ok && i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
						if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
							out = utf8.AppendRune(out, d)
							i += 6
							continue
						}
					}
					r = unicode.ReplacementChar
				}
				out = utf8.AppendRune(out, r)
				continue
			default:
				return "", errScan
			}
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, unicode.ReplacementChar)
			} else {
				out = append(out, raw[i:i+size]...)
			}
			i += size
		}
	}
	return string(out), nil
}

// hex4 decodes the four hex digits at the start of h.
func hex4(h []byte) (rune, bool) {
	if len(h) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range h[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

// cfgLevel is where a value sits in the structure of the plan's
// configuration section: what parseConfig reads of an object there.
type cfgLevel uint8

const (
	cfgAny       cfgLevel = iota // decoded whole
	cfgTop                       // the configuration
	cfgModule                    // root_module, or a call's module
	cfgResources                 // a module's resources list
	cfgResource                  // one resource
	cfgCalls                     // a module's module_calls
	cfgCall                      // one module call
	cfgOutputs                   // a module's outputs
	cfgOutput                    // one output
)

// cfgChild says whether parseConfig reads member key of an object at
// level, and at which level its value sits. The rest (addresses, provider
// keys, schema versions, count expressions, variables, sources) is
// skipped: in a configuration of thousands of resource blocks it was a
// tenth of the plan's heap.
func cfgChild(level cfgLevel, key string) (cfgLevel, bool) {
	switch level {
	case cfgTop:
		return cfgModule, key == "root_module"
	case cfgModule:
		switch key {
		case "resources":
			return cfgResources, true
		case "module_calls":
			return cfgCalls, true
		case "outputs":
			return cfgOutputs, true
		}
		return cfgAny, false
	case cfgResource:
		switch key {
		case "mode", "type", "name", "expressions", "for_each_expression":
			return cfgAny, true
		}
		return cfgAny, false
	case cfgCalls:
		return cfgCall, true
	case cfgCall:
		switch key {
		case "expressions", "for_each_expression":
			return cfgAny, true
		case "module":
			return cfgModule, true
		}
		return cfgAny, false
	case cfgOutputs:
		return cfgOutput, true
	case cfgOutput:
		return cfgAny, key == "expression"
	}
	return cfgAny, true
}

// decodeConfig is decode for the configuration section: it leaves out
// the members cfgChild says are never read. A value of another type than
// its place expects is decoded whole, so that parseConfig reports it as
// before.
func (s *scanner) decodeConfig(depth int, level cfgLevel) (any, error) {
	if level == cfgAny || depth > maxDepth {
		return s.decode(depth)
	}
	c := s.cur()
	if c <= ' ' {
		c = s.peek()
	}
	switch {
	case c == '[' && level == cfgResources:
		start := len(s.vals)
		err := s.array(func() error {
			v, err := s.decodeConfig(depth+1, cfgResource)
			s.vals = append(s.vals, v)
			return err
		})
		return s.popList(start), err
	case c == '{' && level != cfgResources:
		start := len(s.kvs)
		err := s.object(func(key []byte) error {
			k, err := s.key(key)
			if err != nil {
				return err
			}
			child, keep := cfgChild(level, k)
			if !keep {
				return s.skip()
			}
			v, err := s.decodeConfig(depth+1, child)
			s.kvs = append(s.kvs, kv{k, v})
			return err
		})
		return s.popFields(start), err
	}
	return s.decode(depth)
}

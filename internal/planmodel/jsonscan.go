package planmodel

import "errors"

// The plan reader makes one pass over the document with scanner: it
// validates every byte as it goes (the same grammar encoding/json accepts)
// and decodes only the parts the model needs; everything else (planned
// values, prior state, sensitivity masks) is skipped without allocating.

var errScan = errors.New("malformed JSON")

// errSyntax reports invalid JSON; Parse turns it into a message with line
// and column from encoding/json.
var errSyntax = errors.New("invalid JSON")

// maxNesting matches encoding/json's limit for skipped values.
const maxNesting = 10000

type scanner struct {
	b     []byte
	i     int
	depth int
	err   error // a syntax error met by orSkip

	// strs interns short strings decoded from the document (see
	// interned); nil turns interning off.
	strs map[string]any

	// kvs and vals are scratch stacks for the members and elements of
	// the objects and arrays being decoded; each finished one is copied
	// out at its exact size.
	kvs  []kv
	vals []any
}

func (s *scanner) ws() {
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\n', '\r', '\t':
			s.i++
		default:
			return
		}
	}
}

// peek returns the first byte of the next value, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// literal consumes lit (true, false, null) at the current position.
func (s *scanner) literal(lit string) error {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return errSyntax
	}
	s.i += len(lit)
	return nil
}

// isNull consumes a null if one comes next.
func (s *scanner) isNull() bool {
	if s.peek() == 'n' && s.literal("null") == nil {
		return true
	}
	return false
}

// plain marks the bytes a string holds without further checks: not a
// quote, a backslash or a control character.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str consumes a string and returns its raw contents (between the quotes,
// escapes not decoded).
func (s *scanner) str() ([]byte, error) {
	if s.peek() != '"' {
		return nil, errSyntax
	}
	b := s.b
	start := s.i + 1
	i := start
	for {
		for i+4 <= len(b) && plain[b[i]] && plain[b[i+1]] && plain[b[i+2]] && plain[b[i+3]] {
			i += 4
		}
		for i < len(b) && plain[b[i]] {
			i++
		}
		if i >= len(b) {
			return nil, errSyntax
		}
		switch b[i] {
		case '"':
			s.i = i + 1
			return b[start:i], nil
		case '\\':
			if i+1 >= len(b) {
				return nil, errSyntax
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex4(b[i+2:i+6]) {
					return nil, errSyntax
				}
				i += 6
			default:
				return nil, errSyntax
			}
		default: // control character
			return nil, errSyntax
		}
	}
}

func isHex4(h []byte) bool {
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// number consumes a number per the JSON grammar and returns its bytes.
func (s *scanner) number() ([]byte, error) {
	b, i := s.b, s.i
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return nil, errSyntax
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return nil, errSyntax
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return nil, errSyntax
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	s.i = i
	return b[start:i], nil
}

// skip validates and consumes one value.
func (s *scanner) skip() error {
	switch c := s.peek(); c {
	case '"':
		_, err := s.str()
		return err
	case '{':
		return s.object(func([]byte) error { return s.skip() })
	case '[':
		return s.array(s.skip)
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		_, err := s.number()
		return err
	}
}

// raw validates and consumes one value and returns its bytes.
func (s *scanner) raw() ([]byte, error) {
	s.ws()
	start := s.i
	if err := s.skip(); err != nil {
		return nil, err
	}
	return s.b[start:s.i], nil
}

// object consumes an object, calling fn with each raw key (escapes not
// decoded); fn must consume the member's value. A value that is not an
// object is errScan (a type error) when it is valid JSON.
func (s *scanner) object(fn func(key []byte) error) error {
	if s.peek() != '{' {
		return s.typeError()
	}
	if s.depth++; s.depth > maxNesting {
		return errSyntax
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		s.depth--
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if s.peek() != ':' {
			return errSyntax
		}
		s.i++
		if err := fn(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// array consumes an array, calling fn for each element; fn must consume
// it.
func (s *scanner) array(fn func() error) error {
	if s.peek() != '[' {
		return s.typeError()
	}
	if s.depth++; s.depth > maxNesting {
		return errSyntax
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		s.depth--
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

// typeError is errScan for a well-formed value of the wrong type, errSyntax
// when there is no value.
func (s *scanner) typeError() error {
	save := s.i
	if err := s.skip(); err != nil {
		return err
	}
	s.i = save
	return errScan
}

// nullableArray is array, with null counting as an empty array.
func (s *scanner) nullableArray(fn func() error) error {
	if s.isNull() {
		return nil
	}
	return s.array(fn)
}

// end checks that only whitespace follows.
func (s *scanner) end() error {
	if s.peek() != 0 || s.i < len(s.b) {
		return errSyntax
	}
	return nil
}

// orSkip runs parse on the next value. A syntax error is kept in s.err;
// any other error is returned with the value skipped, so the scan goes on
// and a syntax error later in the document can still win.
func (s *scanner) orSkip(parse func(*scanner) (*Instance, error)) (*Instance, error) {
	s.ws()
	start, depth := s.i, s.depth
	in, err := parse(s)
	if err == nil {
		return in, nil
	}
	if errors.Is(err, errSyntax) {
		s.err = err
		return nil, nil
	}
	s.i, s.depth = start, depth
	if serr := s.skip(); serr != nil {
		s.err = serr
		return nil, nil
	}
	return nil, err
}

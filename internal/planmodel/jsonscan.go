package planmodel

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math/bits"
	"strings"
)

// The plan reader makes one pass over the document with scanner: it
// validates every byte as it goes (the same grammar encoding/json accepts)
// and decodes only the parts the model needs; everything else (planned
// values, prior state, sensitivity masks) is skipped without allocating.
//
// The scanner streams: it holds a window of the input, refilled as it
// advances, so a plan is never in memory whole. Byte slices it returns
// (str, raw, object keys) point into the window and are only valid until
// the scanner reads on; callers copy what they keep.

var errScan = errors.New("malformed JSON")

// errSyntax reports invalid JSON; scanner.syn says where and why.
var errSyntax = errors.New("invalid JSON")

// errTooBig reports input past the reader's limit.
var errTooBig = errors.New("input too large")

// maxNesting matches encoding/json's limit for skipped values.
const maxNesting = 10000

// windowSize is the reader's window. Larger windows buy nothing
// measurable; the window only grows past it to hold a single value the
// reader must keep whole (see pin).
const windowSize = 256 << 10

type scanner struct {
	b   []byte // the window: the input from document offset off on
	i   int    // read position in b
	off int64  // document offset of b[0]

	r     io.Reader // nil when b is the whole document
	limit int64     // bytes r may yield before the input is too large
	read  int64     // bytes read from r
	rerr  error     // io.EOF, errTooBig or the read error that ended r

	// pin is the document offset of the first byte a refill must keep,
	// or -1. It holds a value in the window while the reader may rewind
	// to it or return it whole.
	pin int64

	lines  int   // newlines before off, for error positions
	lastNL int64 // document offset of the last newline before off, or -1

	depth int
	kinds []uint64   // skipContainer's container kinds past the first 64 levels
	err   error      // a syntax error met by orSkip
	syn   *syntaxPos // the first syntax error

	// strs interns short strings decoded from the document (see
	// interned); nil turns interning off.
	strs map[string]any

	// kvs and vals are scratch stacks for the members and elements of
	// the objects and arrays being decoded; each finished one is copied
	// out at its exact size.
	kvs  []kv
	vals []any

	// slabs, shared with the scanners of change bodies read out of order,
	// is where decoded values are carved from; nil means plain allocation.
	slabs *slabs

	// split, for a plan file, runs a second reader from a point in
	// resource_changes on (see splitter); nil otherwise.
	split *splitter

	// skipDeep makes decode skip values nested past maxDepth, setting
	// deepErr, rather than fail: the configuration is decoded in the scan
	// but judged after it.
	skipDeep bool
	deepErr  error
}

// newScanner scans a document held whole in memory.
func newScanner(data []byte) *scanner {
	return &scanner{b: data, rerr: io.EOF, pin: -1, lastNL: -1}
}

// newReaderScanner scans a document read from r through a window of
// window bytes, refusing more than limit bytes.
func newReaderScanner(r io.Reader, limit int64, window int) *scanner {
	return &scanner{b: make([]byte, 0, max(window, 16)), r: r, limit: limit, pin: -1, lastNL: -1}
}

// pos is the document offset of the read position.
func (s *scanner) pos() int64 { return s.off + int64(s.i) }

// seek moves back to document offset p, which a pin has kept in the window.
func (s *scanner) seek(p int64) { s.i = int(p - s.off) }

// more reads more input into the window. It may drop the bytes before
// b[keep] (unless pinned) and returns how far the kept bytes moved down,
// by which the caller shifts its indexes into b (s.i is shifted already),
// even when it returns !ok: the input has ended.
func (s *scanner) more(keep int) (shift int, ok bool) {
	if s.rerr != nil {
		return 0, false
	}
	if s.pin >= 0 {
		keep = min(keep, int(s.pin-s.off))
	}
	// Move the kept bytes down only when the free space runs low, so each
	// move is paid for by a quarter window of reading, however small the
	// reads are.
	if cap(s.b)-len(s.b) < cap(s.b)/4 {
		if keep > 0 {
			s.count(s.b[:keep])
			n := copy(s.b, s.b[keep:])
			s.b = s.b[:n]
			s.off += int64(keep)
			s.i -= keep
			shift = keep
		}
		if cap(s.b)-len(s.b) < cap(s.b)/4 {
			// Mostly kept bytes: grow.
			nb := make([]byte, len(s.b), 2*cap(s.b))
			copy(nb, s.b)
			s.b = nb
		}
	}
	for tries := 0; ; tries++ {
		n, err := s.r.Read(s.b[len(s.b):cap(s.b)])
		s.b = s.b[:len(s.b)+n]
		s.read += int64(n)
		if s.read > s.limit {
			s.rerr = errTooBig
			return shift, false
		}
		if err != nil {
			s.rerr = err
		}
		if n > 0 {
			return shift, true
		}
		if err == nil && tries == 100 {
			s.rerr = io.ErrNoProgress
		}
		if s.rerr != nil {
			return shift, false
		}
	}
}

// count keeps the newline statistics for bytes leaving the window.
// Plans are often one line: Count is vectorized, LastIndexByte is not.
func (s *scanner) count(gone []byte) {
	if n := bytes.Count(gone, []byte{'\n'}); n > 0 {
		s.lines += n
		s.lastNL = s.off + int64(bytes.LastIndexByte(gone, '\n'))
	}
}

// drain reads the rest of the input, only to learn whether it is too
// large: that error wins over any other.
func (s *scanner) drain() {
	for {
		if _, ok := s.more(len(s.b)); !ok {
			return
		}
	}
}

// syntaxPos is where the first syntax error is and which JSON state the
// scanner was in, so the message can be encoding/json's own.
type syntaxPos struct {
	eof       bool
	c         byte   // the offending byte
	state     string // JSON text that leaves encoding/json in the same state
	line, col int    // as encoding/json's offset would give them
	at, nl    int64  // offset past the byte and of the last newline before it (-1: none seen)
}

// fail records a syntax error at b[i], or at the end of the input when i
// is past the window (callers have called more). state is a JSON prefix
// after which b[i] is wrong for the same reason.
func (s *scanner) fail(i int, state string) error {
	if s.syn != nil {
		return errSyntax
	}
	p := &syntaxPos{eof: i >= len(s.b), state: state}
	end := len(s.b) // encoding/json reports the offset just past the byte
	if !p.eof {
		p.c = s.b[i]
		end = i + 1
	}
	seen := s.b[:end]
	p.line = s.lines + bytes.Count(seen, []byte{'\n'}) + 1
	last := s.lastNL
	if j := bytes.LastIndexByte(seen, '\n'); j >= 0 {
		last = s.off + int64(j)
	}
	p.at, p.nl = s.off+int64(end), last
	p.col = int(p.at - last)
	s.syn = p
	return errSyntax
}

// message is encoding/json's message for the error, which it gives for
// the recorded state followed by the offending byte. At the end of the
// input it steps with a space, which ends a number or literal too early.
func (p *syntaxPos) message() string {
	c := p.c
	if p.eof {
		c = ' '
	}
	var v struct{}
	err := json.Unmarshal(append([]byte(p.state), c), &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error()
	}
	return "invalid character" // unreachable if the state is right
}

func (s *scanner) ws() {
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return
	}
	s.skipWS()
}

func (s *scanner) skipWS() {
	for {
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ' ', '\n', '\r', '\t':
				s.i++
			default:
				return
			}
		}
		if _, ok := s.more(s.i); !ok {
			return
		}
	}
}

// peek returns the first byte of the next value, or 0 at the end.
func (s *scanner) peek() byte {
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return s.b[s.i]
	}
	return s.peekSlow()
}

// cur is the byte at the read position, 0 at the end of the window. Hot
// paths try it first and peek only when it is white space or 0, which
// saves a call per token: plans are mostly written without white space.
func (s *scanner) cur() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) peekSlow() byte {
	s.skipWS()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// ensure makes n bytes from the read position available, unless the
// input ends first.
func (s *scanner) ensure(n int) {
	for len(s.b)-s.i < n {
		if _, ok := s.more(s.i); !ok {
			return
		}
	}
}

// literal consumes lit (true, false, null) at the current position.
func (s *scanner) literal(lit string) error {
	// Compare a word, not call memequal: skipped values are full of nulls.
	// The caller has peeked at lit's first byte; its last four identify
	// it (true, alse, null).
	if n := len(lit); len(s.b)-s.i >= n && binary.LittleEndian.Uint32(s.b[s.i+n-4:]) == uint32(lit[n-4])|uint32(lit[n-3])<<8|uint32(lit[n-2])<<16|uint32(lit[n-1])<<24 {
		s.i += n
		return nil
	}
	return s.literalSlow(lit)
}

func (s *scanner) literalSlow(lit string) error {
	s.ensure(len(lit))
	for k := 0; k < len(lit); k++ {
		if s.i+k >= len(s.b) || s.b[s.i+k] != lit[k] {
			return s.fail(s.i+k, lit[:k])
		}
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

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special has the high bit set in the first byte of w (little endian)
// that is a quote, a backslash or a control character; bits above it may
// be set spuriously, bits below it are not.
//
// Flipping bit 1 maps '"' to 0x20 and keeps control characters below it,
// so one less-than test finds both: eight operations a word, not twelve.
func special(w uint64) uint64 {
	q := w ^ (lsb * 0x02)
	b := w ^ (lsb * '\\')
	return ((q-lsb*0x21)&^q | (b-lsb)&^b) & msb
}

// str consumes the string the caller has peeked at and returns its raw
// contents (between the quotes, escapes not decoded).
func (s *scanner) str() ([]byte, error) {
	start, end, err := s.scanStr(true)
	if err != nil {
		return nil, err
	}
	return s.b[start:end], nil
}

// scanStr consumes the string at the read position, which the caller has
// peeked at, and returns where its contents are in b. Unless whole is set, the contents may have left the
// window: only validation is wanted.
func (s *scanner) scanStr(whole bool) (start, end int, err error) {
	start = s.i + 1 // the caller has peeked at the opening quote
	i := start
	for {
		b := s.b
		for i+8 <= len(b) {
			if m := special(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				goto found
			}
			i += 8
		}
		for i < len(b) && plain[b[i]] {
			i++
		}
		if i >= len(b) {
			keep := i
			if whole {
				keep = start
			}
			d, ok := s.more(keep)
			start, i = start-d, i-d
			if !ok {
				return 0, 0, s.fail(i, `"`)
			}
			continue
		}
	found:
		switch b[i] {
		case '"':
			s.i = i + 1
			return start, i, nil
		case '\\':
			// An escape is at most six bytes: have them all at hand.
			for {
				n := 2
				if len(s.b)-i > 1 && s.b[i+1] == 'u' {
					n = 6
				}
				if len(s.b)-i >= n {
					break
				}
				keep := i
				if whole {
					keep = start
				}
				d, ok := s.more(keep)
				start, i = start-d, i-d
				if !ok {
					break
				}
			}
			b = s.b
			if i+1 >= len(b) {
				return 0, 0, s.fail(i+1, `"\`)
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(b) || !isHex(b[k]) {
						return 0, 0, s.fail(k, `"`+string(b[i:k]))
					}
				}
				i += 6
			default:
				return 0, 0, s.fail(i+1, `"\`)
			}
		default: // control character
			return 0, 0, s.fail(i, `"`)
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number consumes a number per the JSON grammar and returns its bytes.
func (s *scanner) number() ([]byte, error) {
	for n := 32; ; n *= 2 {
		s.ensure(n)
		i, state, ok := s.scanNumber()
		if i == len(s.b) && len(s.b)-s.i >= n {
			// The number may go on past the window: scan it again with more.
			continue
		}
		if !ok {
			return nil, s.fail(i, state)
		}
		num := s.b[s.i:i]
		s.i = i
		return num, nil
	}
}

// scanNumber scans the number at the read position within the window. It
// returns where the number ends, or where and in which state it is wrong.
func (s *scanner) scanNumber() (i int, state string, ok bool) {
	b := s.b
	i = s.i
	digits := func() {
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		digits()
	case i == s.i:
		return i, "", false
	default:
		return i, "-", false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return i, "0.", false
		}
		digits()
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		state = "0e"
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
			state = "0e+"
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return i, state, false
		}
		digits()
	}
	return i, "", true
}

// skip validates and consumes one value.
//
// Most of a plan is only validated (planned values, prior state, the
// attributes the model does not read), so this is the reader's hottest
// loop: it is iterative, with the kind of each open container in a bit
// stack, rather than recursing through object and array with a closure
// per member. Its errors are those object and array would give.
func (s *scanner) skip() error {
	c := s.cur()
	if c <= ' ' {
		c = s.peek()
	}
	switch c {
	case '"':
		return s.skipStr()
	case '{', '[':
		return s.skipContainer()
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

// skipContainer is skip for an object or array.
func (s *scanner) skipContainer() error {
	base := s.depth
	// Bit d-base-1 of kinds is set when the container at depth d is an
	// object; the first 64 levels need no memory.
	var kinds uint64
	isObj := func() bool {
		if d := s.depth - base - 1; d < 64 {
			return kinds>>d&1 != 0
		} else {
			return s.kinds[d/64-1]>>(d%64)&1 != 0
		}
	}
	setKind := func(obj uint64) {
		w := &kinds
		d := s.depth - base - 1
		if d >= 64 {
			for len(s.kinds) < d/64 {
				s.kinds = append(s.kinds, 0)
			}
			w = &s.kinds[d/64-1]
		}
		*w = *w&^(1<<(d%64)) | obj<<(d%64)
	}
	for {
		// A value.
		c := s.cur()
		if c <= ' ' {
			c = s.peek()
		}
		switch c {
		case '"':
			if err := s.skipStr(); err != nil {
				return err
			}
		case '{':
			if err := s.open(); err != nil {
				return err
			}
			if c := s.cur(); c == '}' || c <= ' ' && s.peek() == '}' {
				s.i++
				s.depth--
				break
			}
			setKind(1)
			if err := s.skipKey(); err != nil {
				return err
			}
			continue
		case '[':
			if err := s.open(); err != nil {
				return err
			}
			if c := s.cur(); c == ']' || c <= ' ' && s.peek() == ']' {
				s.i++
				s.depth--
				break
			}
			setKind(0)
			continue
		case 't':
			if err := s.literal("true"); err != nil {
				return err
			}
		case 'f':
			if err := s.literal("false"); err != nil {
				return err
			}
		case 'n':
			if err := s.literal("null"); err != nil {
				return err
			}
		default:
			if _, err := s.number(); err != nil {
				return err
			}
		}
		// After a value: close containers until one goes on.
		for {
			if s.depth == base {
				return nil
			}
			c := s.cur()
			if c <= ' ' {
				c = s.peek()
			}
			if isObj() {
				switch c {
				case ',':
					s.i++
					if err := s.skipKey(); err != nil {
						return err
					}
				case '}':
					s.i++
					s.depth--
					continue
				default:
					return s.fail(s.i, `{"":""`)
				}
			} else {
				switch c {
				case ',':
					s.i++
				case ']':
					s.i++
					s.depth--
					continue
				default:
					return s.fail(s.i, `[""`)
				}
			}
			break
		}
	}
}

// skipKey consumes an object key and its colon.
func (s *scanner) skipKey() error {
	if c := s.cur(); c != '"' && (c > ' ' || s.peek() != '"') {
		return s.fail(s.i, `{"":"",`)
	}
	if err := s.skipStr(); err != nil {
		return err
	}
	if c := s.cur(); c == ':' || c <= ' ' && s.peek() == ':' {
		s.i++
		return nil
	}
	return s.fail(s.i, `{""`)
}

// skipStr validates and consumes the string at the read position. Short
// strings without escapes, nearly all of them, end within a word or two:
// it finds their end inline and leaves the rest to scanStr.
func (s *scanner) skipStr() error {
	b := s.b
	for i := s.i + 1; i+8 <= len(b); i += 8 {
		if m := special(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			if b[i] == '"' {
				s.i = i + 1
				return nil
			}
			break
		}
	}
	_, _, err := s.scanStr(false)
	return err
}

// raw validates and consumes one value and returns its bytes.
func (s *scanner) raw() ([]byte, error) {
	s.ws()
	start, prev := s.pos(), s.pin
	if prev < 0 {
		s.pin = start
	}
	err := s.skip()
	s.pin = prev
	if err != nil {
		return nil, err
	}
	return s.b[start-s.off : s.i], nil
}

// open consumes the opening bracket of a container.
func (s *scanner) open() error {
	if s.depth++; s.depth > maxNesting {
		return s.fail(s.i, strings.Repeat("[", maxNesting))
	}
	s.i++
	return nil
}

// object consumes an object, calling fn with each raw key (escapes not
// decoded; valid until fn reads on); fn must consume the member's value.
// A value that is not an object is errScan (a type error) when it is
// valid JSON.
func (s *scanner) object(fn func(key []byte) error) error {
	if s.peek() != '{' {
		return s.typeError()
	}
	if err := s.open(); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		s.depth--
		return nil
	}
	return s.members(fn)
}

// members consumes the members of the object being read, from the first
// key on, and its closing brace.
func (s *scanner) members(fn func(key []byte) error) error {
	for {
		if c := s.cur(); c != '"' && (c > ' ' || s.peek() != '"') {
			return s.fail(s.i, `{"":"",`)
		}
		start, end, err := s.scanStr(true)
		if err != nil {
			return err
		}
		if s.i < len(s.b) && s.b[s.i] == ':' {
			s.i++
		} else if start, end, err = s.colon(start, end); err != nil {
			return err
		}
		if err := fn(s.b[start:end]); err != nil {
			return err
		}
		c := s.cur()
		if c <= ' ' {
			c = s.peek()
		}
		switch c {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return nil
		default:
			return s.fail(s.i, `{"":""`)
		}
	}
}

// moreMembers consumes the rest of the object being read after a member's
// value: a reader that starts mid-document goes on with it.
func (s *scanner) moreMembers(fn func(key []byte) error) error {
	c := s.cur()
	if c <= ' ' {
		c = s.peek()
	}
	switch c {
	case ',':
		s.i++
		return s.members(fn)
	case '}':
		s.i++
		s.depth--
		return nil
	}
	return s.fail(s.i, `{"":""`)
}

// colon consumes the colon after the key in b[start:end], keeping the
// key in the window, and returns where the key is now.
func (s *scanner) colon(start, end int) (int, int, error) {
	at, prev := s.off+int64(start), s.pin
	if prev < 0 {
		s.pin = at
	}
	c := s.peek()
	s.pin = prev
	if c != ':' {
		return 0, 0, s.fail(s.i, `{""`)
	}
	s.i++
	d := int(s.off - (at - int64(start)))
	return start - d, end - d, nil
}

// array consumes an array, calling fn for each element; fn must consume
// it.
func (s *scanner) array(fn func() error) error {
	if s.peek() != '[' {
		return s.typeError()
	}
	if err := s.open(); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		s.depth--
		return nil
	}
	return s.elements(fn)
}

// elements consumes the elements of the array being read, from the next
// one on, and its closing bracket.
func (s *scanner) elements(fn func() error) error {
	for {
		if err := fn(); err != nil {
			return err
		}
		c := s.cur()
		if c <= ' ' {
			c = s.peek()
		}
		switch c {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return nil
		default:
			return s.fail(s.i, `[""`)
		}
	}
}

// typeError is errScan for a well-formed value of the wrong type, errSyntax
// when there is no value.
func (s *scanner) typeError() error {
	s.ws()
	save, prev := s.pos(), s.pin
	if prev < 0 {
		s.pin = save
	}
	err := s.skip()
	s.pin = prev
	if err != nil {
		return err
	}
	s.seek(save)
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
	if s.peek(); s.i < len(s.b) {
		return s.fail(s.i, "{}")
	}
	return nil
}

// orSkip runs parse on the next value. A syntax error is kept in s.err;
// any other error is returned with the value skipped, so the scan goes on
// and a syntax error later in the document can still win.
func (s *scanner) orSkip(parse func(*scanner) (*Instance, error)) (*Instance, error) {
	s.ws()
	start, depth, prev := s.pos(), s.depth, s.pin
	if prev < 0 {
		s.pin = start
	}
	in, err := parse(s)
	s.pin = prev
	if err == nil {
		return in, nil
	}
	if errors.Is(err, errSyntax) {
		s.err = err
		return nil, nil
	}
	s.seek(start)
	s.depth = depth
	if serr := s.skip(); serr != nil {
		s.err = serr
		return nil, nil
	}
	return nil, err
}

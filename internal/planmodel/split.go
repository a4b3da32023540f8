package planmodel

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync/atomic"
)

// A plan file is read on two cores. The reader (A) scans from the start
// as always; when it meets resource_changes, a second reader (B) picks a
// point further on where an element of that array seems to start, and
// reads from there to the end while A reads on up to it. A does not wait
// for B to pick the point. B trusts nothing before its point: A verifies
// the guess when it gets there, by being at an element boundary of
// resource_changes at exactly that offset, and then stops and joins B's
// results to its own. A validates everything before the point and B
// everything after it, so the first syntax error is A's if it has one,
// else B's, as in one pass. When the guess is wrong, A reads on alone and
// B's work is dropped.
//
// The point is at the first `},{"address":"` after an offset. In valid
// JSON a quote cannot occur unescaped inside a string, so the sequence
// can only be structural: the end of one object in an array and the
// start of the next, whose first key is "address". Terraform writes
// resource_changes compactly with address first, but other arrays (or
// values inside a change) can match too; the verification catches those.
//
// B reads the configuration too, which costs more per byte than the
// changes. So that both readers finish together, B looks for where the
// configuration starts while A skips what comes before resource_changes
// (planned_values, a third of a plan), and the point moves on by the
// configuration's size.
//
// Standard input keeps the single reader: B needs to read at an offset.

// splitMinSize is the smallest file worth a second reader: below it,
// starting one costs more than it saves.
const splitMinSize = 4 << 20

// splitPattern ends one element and starts the next; the split point is
// at its second '{'.
const splitPattern = `},{"address":"`

// errSplit stops A at the split point; errStopped stops B when A does
// not need it.
var (
	errSplit   = errors.New("split point reached")
	errStopped = errors.New("second reader stopped")
)

type splitter struct {
	f     *os.File
	size  int64 // file size at open; the document's size once joined, else -1
	fsize int64
	limit int64

	// guess is where B looks for its point, given where resource_changes
	// starts and where the configuration starts (-1 if B did not find
	// it); -1 for nowhere. window is B's window. Tests set both.
	guess  func(rc, cfg int64) int64
	window int
	// await makes A wait at resource_changes for B's point, so that a
	// test's small plan is split where the test says.
	await bool

	started bool          // B was started (start)
	begun   bool          // A met resource_changes (begin)
	rcAt    chan int64    // where A met it, for B
	quit    chan struct{} // closed by stop, for a B still waiting on rcAt
	located chan struct{} // closed once B has set point
	point   int64         // the split point, -1 if none; A's to read once located
	halt    atomic.Bool   // A needs B no more
	done    chan struct{}

	// Where A stopped: the index of the element at the point and the
	// newline statistics before it, to place B's errors.
	k      int
	lines  int
	lastNL int64

	// B's results, A's to read once done is closed.
	t   *top
	s   *scanner
	err error
}

func newSplitter(f *os.File, size, limit int64) *splitter {
	sp := &splitter{f: f, size: -1, fsize: size, limit: limit, window: windowSize, point: -1,
		rcAt: make(chan int64, 1), quit: make(chan struct{}), located: make(chan struct{}), done: make(chan struct{})}
	sp.guess = func(rc, cfg int64) int64 {
		if size-rc < splitMinSize/2 {
			return -1
		}
		if cfg < rc {
			cfg = size
		}
		// Both readers start about when A meets resource_changes. B reads
		// the changes after the point and then the configuration, which
		// costs about twice as much per byte: the point is past the middle
		// of the changes by the configuration's size, leaving B at least a
		// sixteenth of them.
		return min(rc+(cfg-rc)/2+(size-cfg), rc+(cfg-rc)*15/16)
	}
	return sp
}

// start starts B. Tests set guess and window before it.
func (sp *splitter) start() {
	sp.started = true
	go sp.locate()
}

// locate is B until it knows where to read. While A skips what comes
// before resource_changes, B looks for where the configuration starts;
// once A tells where the array starts, B picks its point after the guess.
func (sp *splitter) locate() {
	cfg := sp.configStart(sp.fsize / 2)
	point := int64(-1)
	select {
	case r := <-sp.rcAt:
		if from := sp.guess(r, cfg); from >= 0 {
			point = sp.find(from)
		}
	case <-sp.quit:
	}
	sp.point = point
	close(sp.located) // A reads point from here on
	if point < 0 || sp.halt.Load() {
		close(sp.done)
		return
	}
	sp.run(point)
}

// configKeys start the plan's configuration as Terraform writes it: its
// first member is provider_config, or root_module when there is none. A
// configuration key in a resource's expressions is followed by other
// members (references, constant_value, an array of blocks).
var configKeys = [][]byte{[]byte(`"configuration":{"provider_config":`), []byte(`"configuration":{"root_module":`)}

// configStart returns where the plan's configuration starts, searching
// from the end of the file back to from (it is the last large member), or
// -1. The offset only balances the readers.
func (sp *splitter) configStart(from int64) int64 {
	const chunk = 1 << 20
	buf := make([]byte, chunk)
	for end := sp.fsize; end > from && !sp.halt.Load(); end -= chunk - 64 {
		off := max(from, end-chunk)
		n, err := sp.f.ReadAt(buf[:end-off], off)
		if err != nil && err != io.EOF {
			return -1
		}
		for _, key := range configKeys {
			if i := bytes.Index(buf[:n], key); i >= 0 {
				return off + int64(i)
			}
		}
	}
	return -1
}

// begin is A at the start of resource_changes' array, at offset r: it
// tells B, and reads on. Later arrays change nothing.
func (sp *splitter) begin(r int64) {
	if sp.begun {
		return
	}
	sp.begun = true
	sp.rcAt <- r
	if sp.await {
		<-sp.located
	}
}

// reached reports whether A, about to read element n of resource_changes,
// is at the split point; then A stops and joins. A does not wait for B to
// pick its point: until B has, A reads on. Past the point without being
// on it, the guess was wrong: B is stopped and A reads on alone.
func (sp *splitter) reached(s *scanner, n int) bool {
	if sp.halt.Load() || !sp.isLocated() {
		return false
	}
	m := sp.point
	if m < 0 || s.pos() < m {
		return false
	}
	if s.pos() > m || s.depth != 2 {
		sp.halt.Store(true)
		return false
	}
	sp.k = n
	seen := s.b[:m-s.off]
	sp.lines, sp.lastNL = s.lines+bytes.Count(seen, []byte{'\n'}), s.lastNL
	if j := bytes.LastIndexByte(seen, '\n'); j >= 0 {
		sp.lastNL = s.off + int64(j)
	}
	return true
}

// isLocated reports whether B has set point.
func (sp *splitter) isLocated() bool {
	select {
	case <-sp.located:
		return true
	default:
		return false
	}
}

// stop ends B if A did not join it, and waits for it: B reads A's file.
func (sp *splitter) stop() {
	sp.halt.Store(true)
	if sp.started {
		close(sp.quit)
		<-sp.done
	}
}

// run is B: read the rest of the document from the split point m on as A
// would from there.
func (sp *splitter) run(m int64) {
	defer close(sp.done)
	s := newReaderScanner(io.NewSectionReader(sp.f, m, math.MaxInt64-m), sp.limit-m, sp.window)
	s.off = m
	s.depth = 2 // in the plan object and its resource_changes array
	s.strs = make(map[string]any, 1024)
	s.slabs = &slabs{acts: map[string][]string{}}
	t := &top{}
	n := 0
	err := s.elements(func() error {
		if sp.halt.Load() {
			return errStopped
		}
		n++
		return s.change(t, n-1, true)
	})
	if err == nil {
		err = s.moreMembers(func(key []byte) error { return s.member(t, key) })
	}
	if err == nil {
		err = s.end()
	}
	if errors.Is(err, errStopped) {
		return
	}
	if err != nil {
		s.drain()
	}
	sp.t, sp.s, sp.err = t, s, err
}

// find returns the offset of the first split point at or after from, or
// -1. It gives up after a few MB (the guess is only worth so much search),
// or once A needs B no more.
func (sp *splitter) find(from int64) int64 {
	buf := make([]byte, 256<<10)
	for off, to := from, min(sp.fsize, from+4<<20); off < to && !sp.halt.Load(); {
		n, err := sp.f.ReadAt(buf, off)
		if i := bytes.Index(buf[:n], []byte(splitPattern)); i >= 0 {
			return off + int64(i) + 2
		}
		if err != nil || n < len(splitPattern) {
			return -1
		}
		off += int64(n - len(splitPattern) + 1)
	}
	return -1
}

// join waits for B and adds what it read to t, as if A had read on. It
// returns B's error; a syntax error is placed in the whole document.
func (s *scanner) join(t *top) error {
	sp := s.split
	<-sp.done
	b := sp.s
	if b == nil {
		// B was stopped: cannot happen once A is at the point, as A
		// does not halt B before it gets there.
		return errors.New("plan: second reader stopped")
	}
	s.rerr = b.rerr // B read on to the end: its read errors are the input's
	sp.size = b.off + int64(len(b.b))
	if b.syn != nil && s.syn == nil {
		p := *b.syn
		p.line += sp.lines
		if p.nl < 0 {
			p.nl = sp.lastNL
			p.col = int(p.at - p.nl)
		}
		s.syn = &p
	}
	bt := sp.t
	t.versions = append(t.versions, bt.versions...)
	if bt.hasConfig {
		t.hasConfig, t.config, t.configErr = true, bt.config, bt.configErr
	}
	t.sawChanges = t.sawChanges || bt.sawChanges
	t.instances = append(t.instances, bt.instances...)
	var ie *splitIndexError
	switch {
	case bt.overwrote:
		t.changesErr = errScan
	case t.changesErr != nil:
	case errors.As(bt.changesErr, &ie):
		t.changesErr = fmt.Errorf("resource_changes[%d]: %w", sp.k+ie.idx, ie.err)
	default:
		t.changesErr = bt.changesErr
	}
	return sp.err
}

// splitIndexError is an element error in B's first array, whose index
// counts from the split point until A says where that is.
type splitIndexError struct {
	idx int
	err error
}

func (e *splitIndexError) Error() string {
	return fmt.Sprintf("resource_changes[+%d]: %v", e.idx, e.err)
}

package planmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MaxPlanSize bounds how much input the reader accepts. Plans of 50k
// resources are a few hundred MB; anything past this is not a plan.
const MaxPlanSize = 2 << 30

// InputError is a problem with the plan itself. Its message says what is
// wrong and how to produce a valid plan; the CLI exits 2 on it.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error {
	return &InputError{msg: fmt.Sprintf(format, args...)}
}

// IsInputError reports whether err is a problem with the user's input.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

const howToMake = "produce it with `terraform plan -out=tfplan && terraform show -json tfplan > plan.json`"

// ReadAll reads a plan from r, refusing input larger than limit bytes. A
// regular file is read into a buffer of its exact size: growing a buffer
// by doubling would briefly need twice the plan's size in memory.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if st.Size() > limit {
				return nil, inputErrorf("plan is larger than %d MiB; that is not a Terraform JSON plan this checker can read", limit>>20)
			}
			data := make([]byte, st.Size())
			if _, err := io.ReadFull(f, data); err != nil {
				return nil, fmt.Errorf("read plan: %w", err)
			}
			return data, nil
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, inputErrorf("plan is larger than %d MiB; that is not a Terraform JSON plan this checker can read", limit>>20)
	}
	return data, nil
}

// Plan is the part of a `terraform show -json` document the model needs,
// indexed by address.
type Plan struct {
	FormatVersion    string
	TerraformVersion string
	Instances        []*Instance

	byAddr     map[string]*Instance
	byResource map[resourceKey][]*Instance
	byID       map[string]*Instance // known id/arn → instance
	moduleKeys map[string][]any     // parent module instance + "|" + call name → instance keys
	modules    map[string]bool      // module instance addresses seen
	modCache   map[string]*configModule
	root       *configModule

	size int64 // bytes read
}

// resourceKey names a resource in a module instance: the key of its
// instances, which share the strings of their Instance.
type resourceKey struct{ module, typ, name string }

// InputSize is the size of the document the plan was read from.
func (p *Plan) InputSize() int64 { return p.size }

// Instance is one resource instance from resource_changes.
type Instance struct {
	Address string
	Module  string // module instance address, "" for the root module
	Type    string
	Name    string
	Key     any      // nil, float64 (count) or string (for_each)
	Actions []string // read-only: instances share equal single-action lists
	Before  obj
	After   obj

	cfg *configResource
}

// Deleted reports whether the plan removes the instance without replacement.
func (in *Instance) Deleted() bool { return len(in.Actions) == 1 && in.Actions[0] == "delete" }

// Created reports whether the instance does not exist before the plan.
func (in *Instance) Created() bool { return len(in.Actions) == 1 && in.Actions[0] == "create" }

// Parse reads a plan document held in memory. Every error it returns is
// an *InputError.
func Parse(data []byte) (*Plan, error) {
	return read(newScanner(data))
}

// ParseReader reads a plan from r through a small window, never holding
// the whole document, and refuses input larger than limit bytes. Errors
// about the input are *InputError; a failing read is not.
func ParseReader(r io.Reader, limit int64) (*Plan, error) {
	window := windowSize
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if st.Size() > limit {
				return nil, tooLarge(limit)
			}
			// One byte over the size reaches the end in one read.
			window = int(min(int64(window), st.Size()+1))
			if st.Size() >= splitMinSize {
				s := newReaderScanner(r, limit, window)
				s.split = newSplitter(f, st.Size(), limit)
				defer s.split.stop()
				return read(s)
			}
		}
	}
	return read(newReaderScanner(r, limit, window))
}

func tooLarge(limit int64) error {
	return inputErrorf("plan is larger than %d MiB; that is not a Terraform JSON plan this checker can read", limit>>20)
}

// read parses the document s scans. Input past the limit and read errors
// win over everything else, as they did when the whole input was read
// before parsing.
func read(s *scanner) (*Plan, error) {
	if s.split != nil {
		s.split.start()
	}
	p, err := s.plan()
	if err != nil {
		s.drain()
	}
	switch {
	case s.rerr == errTooBig:
		return nil, tooLarge(s.limit)
	case s.rerr != nil && s.rerr != io.EOF:
		return nil, fmt.Errorf("read plan: %w", s.rerr)
	}
	if p != nil {
		p.size = s.off + int64(len(s.b))
		if s.split != nil && s.split.size >= 0 {
			p.size = s.split.size
		}
	}
	return p, err
}

// plan checks what the document starts with, then parses it. A syntax
// error wins over any other error; the scanner validates the whole
// document even after finding a problem elsewhere.
func (s *scanner) plan() (*Plan, error) {
	s.ensure(4)
	if bytes.HasPrefix(s.b, []byte("PK\x03\x04")) {
		return nil, inputErrorf("this is a binary plan file, not JSON; convert it with `terraform show -json tfplan > plan.json`")
	}
	// The first byte that is not Unicode white space must open an object.
	s.ws()
	i := s.i
	for {
		if i+utf8.UTFMax > len(s.b) && !utf8.FullRune(s.b[i:]) {
			d, ok := s.more(s.i)
			i -= d
			if ok {
				continue
			}
		}
		if i >= len(s.b) {
			return nil, inputErrorf("plan is empty; %s", howToMake)
		}
		r, size := utf8.DecodeRune(s.b[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	if s.b[i] != '{' {
		return nil, inputErrorf("plan is not a JSON object; %s", howToMake)
	}
	p, err := s.parse()
	if errors.Is(err, errSyntax) {
		return nil, s.syntaxError()
	}
	return p, err
}

// syntaxError is the message for invalid JSON, with line and column.
func (s *scanner) syntaxError() error {
	e := s.syn
	if e == nil {
		return inputErrorf("plan is not valid JSON")
	}
	msg := e.message()
	if strings.Contains(msg, "unexpected end") {
		return inputErrorf("plan JSON ends early at line %d, column %d (truncated file?); %s", e.line, e.col, howToMake)
	}
	return inputErrorf("plan is not valid JSON: %s at line %d, column %d", msg, e.line, e.col)
}

// parse reads the document in one pass. It returns errSyntax (wrapped) for
// invalid JSON and an *InputError for a valid document that is not a plan
// it can read.
func (s *scanner) parse() (*Plan, error) {
	p := &Plan{
		byAddr:     map[string]*Instance{},
		byResource: map[resourceKey][]*Instance{},
		byID:       map[string]*Instance{},
		moduleKeys: map[string][]any{},
		modules:    map[string]bool{},
		modCache:   map[string]*configModule{},
	}
	t := &top{}
	s.strs = make(map[string]any, 1024)
	s.slabs = &slabs{acts: map[string][]string{}}
	err := s.object(func(key []byte) error { return s.member(t, key) })
	if err == nil {
		err = s.end()
	}
	if errors.Is(err, errSplit) {
		err = s.join(t)
	}
	if err != nil && !errors.Is(err, errScan) {
		return nil, err
	}
	var typeErr error
	for _, v := range t.versions {
		dst := &p.FormatVersion
		if v.terraform {
			dst = &p.TerraformVersion
		}
		if err := json.Unmarshal(v.raw, dst); err != nil && typeErr == nil {
			typeErr = err
		}
	}
	sawChanges, instances, changesErr := t.sawChanges, t.instances, t.changesErr
	if typeErr != nil {
		return nil, inputErrorf("plan: top-level fields have the wrong types (%v); %s", typeErr, howToMake)
	}
	if p.FormatVersion == "" {
		return nil, inputErrorf("plan has no format_version; it is not `terraform show -json` output; %s", howToMake)
	}
	if !strings.HasPrefix(p.FormatVersion, "1.") {
		return nil, inputErrorf("plan format_version %q is not supported: this checker reads format 1.x, written by Terraform 1.0 and later; %s", p.FormatVersion, howToMake)
	}
	if !sawChanges && !t.hasConfig {
		return nil, inputErrorf("this looks like a state file (no resource_changes or configuration); the checker needs a plan: %s", howToMake)
	}
	if t.configErr != nil {
		return nil, inputErrorf("plan: configuration: %v", t.configErr)
	}
	if t.config != nil {
		root, err := parseConfig(t.config)
		if err != nil {
			return nil, inputErrorf("plan: configuration: %v", err)
		}
		p.root = root
	} else {
		p.root = &configModule{}
	}
	if changesErr != nil {
		return nil, inputErrorf("plan: %v", changesErr)
	}
	p.index(instances)
	return p, nil
}

// top is what the members of a plan yield, in the order they come: a
// reader that starts mid-document (see splitter) fills its own, joined
// with the first reader's at the end.
type top struct {
	versions   []version // format_version and terraform_version, replayed in order
	hasConfig  bool
	config     any   // the last configuration, decoded
	configErr  error // why it could not be decoded
	sawChanges bool
	instances  []*Instance
	// changesErr is the resource_changes error to report. A non-array
	// resource_changes replaces it (overwrote); an element's error is
	// kept only if there was none.
	changesErr error
	overwrote  bool
}

type version struct {
	terraform bool
	raw       []byte
}

// member reads one top-level member of the plan.
func (s *scanner) member(t *top, key []byte) error {
	switch string(key) {
	case "format_version", "terraform_version":
		v := version{terraform: string(key) == "terraform_version"}
		raw, err := s.raw()
		if err != nil {
			return err
		}
		v.raw = bytes.Clone(raw) // decoded after the scan
		t.versions = append(t.versions, v)
		return nil
	case "resource_changes":
		t.sawChanges = true
		if c := s.peek(); c != '[' && c != 'n' {
			t.changesErr, t.overwrote = errScan, true
			return s.skip()
		}
		sp := s.split
		if sp != nil {
			sp.begin(s.pos())
		}
		n := 0
		return s.nullableArray(func() error {
			if sp != nil && sp.reached(s, n) {
				return errSplit
			}
			n++
			return s.change(t, n-1, false)
		})
	case "configuration":
		// Decoded in the scan, so the reader never holds it whole, and
		// read into modules after it.
		s.skipDeep, s.deepErr = true, nil
		v, err := s.decodeConfig(0, cfgTop)
		s.skipDeep = false
		t.hasConfig, t.config, t.configErr = true, v, s.deepErr
		return err
	}
	return s.skip()
}

// change reads element idx of a resource_changes array. In a reader that
// started at a split point, cont marks the array it started in, where idx
// counts from the split.
func (s *scanner) change(t *top, idx int, cont bool) error {
	if t.changesErr != nil {
		return s.skip()
	}
	in, err := s.orSkip(parseChange)
	if err != nil {
		if cont {
			t.changesErr = &splitIndexError{idx, err}
		} else {
			t.changesErr = fmt.Errorf("resource_changes[%d]: %w", idx, err)
		}
	} else if in != nil {
		t.instances = append(t.instances, in)
	}
	return s.err
}

type rawHeader struct {
	Address       string `json:"address"`
	ModuleAddress string `json:"module_address"`
	Mode          string `json:"mode"`
	Type          string `json:"type"`
	Name          string `json:"name"`
	Index         any    `json:"index"`
}

// parseChange decodes one resource_changes element, returning nil for
// data sources. Attribute values are decoded only for the resource types the
// model reads.
func parseChange(s *scanner) (*Instance, error) {
	var h rawHeader
	var change []byte
	var in *Instance
	err := s.object(func(key []byte) error {
		var err error
		field := "" // the key, once the window has moved on
		switch string(key) {
		case "address":
			field = "address"
			h.Address, err = stringField(s)
		case "module_address":
			field = "module_address"
			h.ModuleAddress, err = internedField(s)
		case "mode":
			field = "mode"
			h.Mode, err = internedField(s)
		case "type":
			field = "type"
			h.Type, err = internedField(s)
		case "name":
			field = "name"
			h.Name, err = stringField(s)
		case "index":
			field = "index"
			h.Index, err = s.decode(0)
		case "change":
			field = "change"
			if h.Mode != "" && h.Mode != "managed" {
				return s.skip()
			}
			if h.Mode != "" && h.Address != "" && h.Type != "" && h.Name != "" && validIndex(h.Index) {
				// Terraform writes the header first: decode in place.
				in, err = parseChangeBody(s, &h)
				return err
			}
			// Members may come in any order: decode once the type is known.
			var raw []byte
			raw, err = s.raw()
			change = bytes.Clone(raw)
		default:
			return s.skip()
		}
		if err != nil && !errors.Is(err, errSyntax) {
			return fmt.Errorf("field %q: %w", field, err)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if h.Mode != "managed" {
		return nil, nil
	}
	if h.Address == "" || h.Type == "" || h.Name == "" {
		return nil, errors.New("missing address, type or name")
	}
	if !validIndex(h.Index) {
		return nil, fmt.Errorf("%s: index must be a number or string", h.Address)
	}
	if in == nil {
		if change == nil {
			return nil, fmt.Errorf("%s: missing change", h.Address)
		}
		cs := newScanner(change)
		cs.strs, cs.slabs = s.strs, s.slabs
		if in, err = parseChangeBody(cs, &h); err != nil {
			return nil, err
		}
	}
	in.Address, in.Module, in.Type, in.Name, in.Key = h.Address, h.ModuleAddress, h.Type, h.Name, h.Index
	if len(in.Actions) == 0 {
		return nil, fmt.Errorf("%s: change.actions is empty", h.Address)
	}
	return in, nil
}

func validIndex(k any) bool {
	switch k.(type) {
	case nil, float64, string:
		return true
	}
	return false
}

// parseChangeBody decodes a change object: actions, and for the resource
// types the model reads, the selected attributes of before, after and
// after_unknown. Errors name h.Address, which may still be empty when the
// change comes before the address.
func parseChangeBody(cs *scanner, h *rawHeader) (*Instance, error) {
	in := cs.newInstance()
	wanted, ok := selectors[h.Type]
	if h.Mode != "managed" {
		ok = false
	}
	var before, after, unknown any
	var buf [4]string
	actions := buf[:0]
	err := cs.object(func(key []byte) error {
		var err error
		field := "" // the key, once the window has moved on
		switch string(key) {
		case "actions":
			field = "actions"
			err = cs.nullableArray(func() error {
				a, err := internedField(cs)
				actions = append(actions, a)
				return err
			})
		case "before":
			field, err = "before", decodeOrSkip(cs, ok, wanted, &before)
		case "after":
			field, err = "after", decodeOrSkip(cs, ok, wanted, &after)
		case "after_unknown":
			field, err = "after_unknown", decodeOrSkip(cs, ok, wanted, &unknown)
		default:
			err = cs.skip()
		}
		if err != nil && !errors.Is(err, errSyntax) {
			return fmt.Errorf("%s: change.%s: %w", h.Address, field, err)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	in.Actions = cs.actionList(actions)
	if in.Before, ok = newObj(before, nil); !ok {
		return nil, fmt.Errorf("%s: change.before must be an object or null", h.Address)
	}
	if in.After, ok = newObj(after, unknown); !ok {
		return nil, fmt.Errorf("%s: change.after must be an object or null", h.Address)
	}
	return in, nil
}

// index adds the instances, the first of each address, to the plan's
// indexes. On a large plan the indexes by address and by resource are
// built beside the others, on two cores; a duplicate address (no plan
// Terraform writes has one) makes it start over in one pass.
func (p *Plan) index(instances []*Instance) {
	p.byAddr = make(map[string]*Instance, len(instances))
	p.byResource = make(map[resourceKey][]*Instance, len(instances))
	if parallelBuild(len(instances)) {
		var dup bool
		var wg sync.WaitGroup
		wg.Go(func() {
			for _, in := range instances {
				if _, dup = p.byAddr[in.Address]; dup {
					return
				}
				p.addByAddr(in)
			}
		})
		for _, in := range instances {
			p.addRefs(in)
		}
		wg.Wait()
		if !dup {
			p.Instances = instances
			return
		}
		clear(p.byAddr)
		clear(p.byResource)
		clear(p.byID)
		clear(p.moduleKeys)
		clear(p.modules)
		clear(p.modCache)
		for _, in := range instances {
			if in.cfg != nil {
				in.cfg.uses = 0
			}
		}
	}
	for _, in := range instances {
		p.add(in)
	}
}

func (p *Plan) add(in *Instance) {
	if _, dup := p.byAddr[in.Address]; dup {
		return
	}
	p.Instances = append(p.Instances, in)
	p.addByAddr(in)
	p.addRefs(in)
}

// addByAddr indexes in by address and by resource.
func (p *Plan) addByAddr(in *Instance) {
	p.byAddr[in.Address] = in
	rk := resourceKey{in.Module, in.Type, in.Name}
	p.byResource[rk] = append(p.byResource[rk], in)
}

// addRefs gives in its configuration and indexes what references to it
// resolve by: its known id and arn, and its module's instance keys.
func (p *Plan) addRefs(in *Instance) {
	mod, ok := p.modCache[in.Module]
	if !ok {
		mod = p.root.moduleFor(in.Module)
		p.modCache[in.Module] = mod
	}
	if mod != nil {
		in.cfg = mod.resources[in.Type+"."+in.Name]
		if in.cfg != nil {
			in.cfg.uses++
		}
	}
	for _, o := range []obj{in.After, in.Before} {
		for _, attr := range []string{"id", "arn"} {
			if s, st := o.str(attr); st == known && s != "" {
				p.byID[s] = in
			}
		}
	}
	p.recordModule(in.Module)
}

// recordModule remembers which instances of each module call exist, so a
// reference to a counted module without a key can be expanded.
func (p *Plan) recordModule(addr string) {
	for addr != "" && !p.modules[addr] {
		p.modules[addr] = true
		steps, err := parseTraversal(addr)
		if err != nil || len(steps) < 2 {
			return
		}
		last := len(steps) - 1
		var key any
		callIdx := last
		if steps[last].isIndex {
			key = steps[last].key
			callIdx = last - 1
		}
		if callIdx < 1 || steps[callIdx].isIndex || steps[callIdx-1].name != "module" {
			return
		}
		parent := joinTraversal(steps[:callIdx-1])
		k := parent + "|" + steps[callIdx].name
		p.moduleKeys[k] = append(p.moduleKeys[k], key)
		addr = parent
	}
}

// selector is an attrSet with a filter that rules out most other names
// without a map lookup: a bit per (length, first byte) of the names in it.
type selector struct {
	names  attrSet
	filter [32]uint64
}

var selectors = func() map[string]*selector {
	out := make(map[string]*selector, len(modelTypes))
	for typ, names := range modelTypes {
		sel := &selector{names: names}
		for n := range names {
			if n != "" { // an empty key is always looked up
				sel.filter[len(n)&31] |= 1 << (n[0] & 63)
			}
		}
		out[typ] = sel
	}
	return out
}()

func (sel *selector) lookup(key []byte) (string, bool) {
	if len(key) > 0 && sel.filter[len(key)&31]&(1<<(key[0]&63)) == 0 {
		return "", false
	}
	name, ok := sel.names[string(key)]
	return name, ok
}

// decodeOrSkip decodes the wanted attributes of a value into dst when the
// resource type is one the model reads (ok), and skips the value otherwise.
func decodeOrSkip(s *scanner, ok bool, wanted *selector, dst *any) error {
	if !ok {
		return s.skip()
	}
	v, err := decodeSelected(s, wanted)
	*dst = v
	return err
}

// decodeSelected decodes the wanted members of an object, skipping the
// rest of it. null and non-objects decode as themselves.
func decodeSelected(s *scanner, wanted *selector) (any, error) {
	if s.peek() != '{' {
		return s.decode(0)
	}
	start := len(s.kvs)
	err := s.object(func(key []byte) error {
		name, ok := wanted.lookup(key)
		if !ok {
			return s.skip()
		}
		v, err := s.decode(0)
		if err != nil && !errors.Is(err, errSyntax) {
			return fmt.Errorf("%s: %w", name, err)
		}
		s.kvs = append(s.kvs, kv{name, v})
		return err
	})
	return s.popFields(start), err
}

// internedField is stringField for values that repeat across resources
// (types, modes, module addresses, actions): one shared copy of each.
func internedField(s *scanner) (string, error) {
	if s.peek() == '"' && s.strs != nil {
		raw, err := s.str()
		if err != nil {
			return "", err
		}
		if v, ok := s.strs[string(raw)]; ok {
			return v.(string), nil
		}
		if len(s.strs) < maxInternCount && bytes.IndexByte(raw, '\\') < 0 {
			str := string(raw)
			s.strs[str] = str
			return str, nil
		}
		return unquote(raw)
	}
	return stringField(s)
}

// stringField decodes a JSON string or null.
func stringField(s *scanner) (string, error) {
	switch s.peek() {
	case 'n':
		return "", s.literal("null")
	case '"':
		raw, err := s.str()
		if err != nil {
			return "", err
		}
		return unquote(raw)
	}
	if err := s.typeError(); err != errScan {
		return "", err
	}
	return "", errors.New("expected a string")
}

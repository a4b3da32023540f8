package planmodel

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// The configuration section is how unknown values get resolved: an
// attribute that is unknown until apply usually holds a reference
// (aws_security_group.web.id, module.net.sg_id, var.sg_id), and the
// referenced resource is in the plan.

type configModule struct {
	resources map[string]*configResource // "type.name"
	calls     map[string]*moduleCall
	outputs   map[string]expr
	call      *moduleCall // the call that instantiates this module; nil for root
}

type configResource struct {
	exprs   fields
	forEach []string // references of for_each, to resolve each.value
	// uses counts the plan's instances of the block (count, for_each and
	// module instances share it). The resolver caches what it parses from
	// a block only when more than one instance will ask for it.
	uses int
}

type moduleCall struct {
	name    string
	exprs   fields
	forEach []string
	module  *configModule
	parent  *configModule
}

// expr is a leaf expression: constant or a list of references.
type expr struct {
	refs     []string
	constant bool
}

type rawExpr struct {
	References []string
	Constant   bool // constant_value is present
}

type rawModule struct {
	Outputs     map[string]rawExpr
	Resources   []rawResource
	ModuleCalls map[string]rawCall
}

type rawResource struct {
	Mode, Type, Name  string
	Expressions       fields
	ForEachExpression *rawExpr
}

type rawCall struct {
	Expressions       fields
	ForEachExpression *rawExpr
	Module            rawModule
}

// parseConfig reads the plan's configuration, decoded in the scan by the
// plan's own scanner, not encoding/json: a configuration that grows with
// the plan has an expressions object per resource, and reflection over
// them cost more than reading the rest of the plan. Expressions stay in
// the scanner's form (objects as member lists, numbers as float64):
// converting them to maps doubled the reader's live heap on a flat
// configuration.
func parseConfig(v any) (*configModule, error) {
	var raw rawModule
	if root, ok := v.(fields); ok {
		if err := raw.read(member(root, "root_module")); err != nil {
			return nil, err
		}
	} else if v != nil {
		return nil, errors.New("not an object")
	}
	return buildConfigModule(&raw, nil, 0)
}

// member returns the last value of key in an object, as encoding/json
// would keep it.
func member(fs fields, key string) any {
	var v any
	for _, f := range fs {
		if f.k == key {
			v = f.v
		}
	}
	return v
}

// stringMember returns the last value of key in an object, which must be
// a string when present; "" when absent or null.
func stringMember(fs fields, key string) (string, error) {
	v := member(fs, key)
	if v == nil {
		return "", nil
	}
	str, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s is not a string", key)
	}
	return str, nil
}

// objectOf checks that v is an object or null.
func objectOf(v any, what string) (fields, error) {
	fs, ok := v.(fields)
	if !ok && v != nil {
		return nil, fmt.Errorf("%s is not an object", what)
	}
	return fs, nil
}

func (m *rawModule) read(v any) error {
	fs, err := objectOf(v, "module")
	if err != nil {
		return err
	}
	outs, err := objectOf(member(fs, "outputs"), "outputs")
	if err != nil {
		return err
	}
	for _, o := range outs {
		of, err := objectOf(o.v, "output "+o.k)
		if err != nil {
			return err
		}
		e, err := readExpr(member(of, "expression"))
		if err != nil {
			return fmt.Errorf("output %s: %w", o.k, err)
		}
		if m.Outputs == nil {
			m.Outputs = map[string]rawExpr{}
		}
		if e == nil {
			e = &rawExpr{}
		}
		m.Outputs[o.k] = *e
	}
	rs, _ := member(fs, "resources").([]any)
	if v := member(fs, "resources"); rs == nil && v != nil {
		return errors.New("resources is not a list")
	}
	m.Resources = slices.Grow(m.Resources, len(rs))
	for i, r := range rs {
		rf, err := objectOf(r, "resource")
		if err != nil {
			return err
		}
		var res rawResource
		if res.Mode, err = stringMember(rf, "mode"); err == nil {
			if res.Type, err = stringMember(rf, "type"); err == nil {
				res.Name, err = stringMember(rf, "name")
			}
		}
		if err != nil {
			return fmt.Errorf("resource %d: %w", i, err)
		}
		exprs, err := objectOf(member(rf, "expressions"), "expressions")
		if err != nil {
			return err
		}
		if exprs != nil {
			res.Expressions = exprs
		}
		if res.ForEachExpression, err = readExpr(member(rf, "for_each_expression")); err != nil {
			return err
		}
		m.Resources = append(m.Resources, res)
	}
	calls, err := objectOf(member(fs, "module_calls"), "module_calls")
	if err != nil {
		return err
	}
	for _, c := range calls {
		cf, err := objectOf(c.v, "module call "+c.k)
		if err != nil {
			return err
		}
		var call rawCall
		exprs, err := objectOf(member(cf, "expressions"), "expressions")
		if err != nil {
			return err
		}
		if exprs != nil {
			call.Expressions = exprs
		}
		if call.ForEachExpression, err = readExpr(member(cf, "for_each_expression")); err != nil {
			return err
		}
		if err := call.Module.read(member(cf, "module")); err != nil {
			return fmt.Errorf("module %s: %w", c.k, err)
		}
		if m.ModuleCalls == nil {
			m.ModuleCalls = map[string]rawCall{}
		}
		m.ModuleCalls[c.k] = call
	}
	return nil
}

// readExpr reads a leaf expression; nil for null.
func readExpr(v any) (*rawExpr, error) {
	fs, err := objectOf(v, "expression")
	if err != nil || fs == nil {
		return nil, err
	}
	e := &rawExpr{}
	for _, f := range fs {
		switch f.k {
		case "references":
			list, ok := f.v.([]any)
			if !ok && f.v != nil {
				return nil, errors.New("references is not a list")
			}
			e.References = e.References[:0]
			for _, r := range list {
				str, ok := r.(string)
				if !ok {
					return nil, errors.New("reference is not a string")
				}
				e.References = append(e.References, str)
			}
		case "constant_value":
			e.Constant = true
		}
	}
	return e, nil
}

func buildConfigModule(raw *rawModule, call *moduleCall, depth int) (*configModule, error) {
	if depth > 64 {
		return nil, errors.New("modules nested more than 64 deep")
	}
	m := &configModule{
		resources: map[string]*configResource{},
		calls:     map[string]*moduleCall{},
		outputs:   map[string]expr{},
		call:      call,
	}
	for name, o := range raw.Outputs {
		m.outputs[name] = expr{refs: o.References, constant: o.Constant}
	}
	for _, r := range raw.Resources {
		if r.Mode != "managed" {
			continue
		}
		cr := &configResource{exprs: r.Expressions}
		if r.ForEachExpression != nil {
			cr.forEach = r.ForEachExpression.References
		}
		m.resources[r.Type+"."+r.Name] = cr
	}
	for name, c := range raw.ModuleCalls {
		mc := &moduleCall{name: name, exprs: c.Expressions, parent: m}
		if c.ForEachExpression != nil {
			mc.forEach = c.ForEachExpression.References
		}
		child, err := buildConfigModule(&c.Module, mc, depth+1)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", name, err)
		}
		mc.module = child
		m.calls[name] = mc
	}
	return m, nil
}

// moduleFor finds the configuration of a module instance address.
func (m *configModule) moduleFor(addr string) *configModule {
	if addr == "" {
		return m
	}
	steps, err := parseTraversal(addr)
	if err != nil {
		return nil
	}
	cur := m
	for i := 0; i < len(steps); i++ {
		if steps[i].isIndex {
			continue
		}
		if steps[i].name != "module" || i+1 >= len(steps) {
			return nil
		}
		i++
		c := cur.calls[steps[i].name]
		if c == nil {
			return nil
		}
		cur = c.module
	}
	return cur
}

// leafExpr interprets a value from an expressions object as a leaf
// expression.
func leafExpr(v any) (expr, bool) {
	m, ok := v.(fields)
	if !ok {
		return expr{}, false
	}
	var e expr
	for _, f := range m {
		switch f.k {
		case "references":
			list, _ := f.v.([]any)
			e.refs = e.refs[:0] // the last of duplicate keys wins
			for _, r := range list {
				if s, ok := r.(string); ok {
					e.refs = append(e.refs, s)
				}
			}
		case "constant_value":
			e.constant = true
		default:
			return expr{}, false
		}
	}
	return e, true
}

// parsedRef parses a reference string once per resolver: a large plan
// repeats the same few references (those of one module) thousands of
// times. The cache is the resolver's, not the plan's, so that Build leaves
// the plan untouched and its workers share nothing mutable.
func (b *builder) parsedRef(s string) ([]step, error) {
	if st, ok := b.rs.refs[s]; ok {
		return st, nil
	}
	st, err := parseTraversal(s)
	if err == nil {
		b.rs.refs[s] = st
	}
	return st, err
}

// step is one part of a traversal: an attribute name or an index.
type step struct {
	name    string
	isIndex bool
	key     any // float64 or string
}

// parseTraversal splits `module.a["x"].aws_sg.b[0].id` into steps.
func parseTraversal(s string) ([]step, error) {
	// Every step but the first starts at a '.' or '['.
	out := make([]step, 0, 1+strings.Count(s, ".")+strings.Count(s, "["))
	for i := 0; i < len(s); {
		switch s[i] {
		case '.':
			i++
		case '[':
			j := i + 1
			if j < len(s) && s[j] == '"' {
				k := j + 1
				for k < len(s) && s[k] != '"' {
					if s[k] == '\\' {
						k++
					}
					k++
				}
				if k >= len(s) {
					return nil, errors.New("unterminated string index")
				}
				key, err := strconv.Unquote(s[j : k+1])
				if err != nil {
					return nil, err
				}
				if k+1 >= len(s) || s[k+1] != ']' {
					return nil, errors.New("missing ]")
				}
				out = append(out, step{isIndex: true, key: key})
				i = k + 2
				continue
			}
			k := strings.IndexByte(s[j:], ']')
			if k < 0 {
				return nil, errors.New("missing ]")
			}
			n, err := strconv.ParseFloat(s[j:j+k], 64)
			if err != nil {
				// A non-literal index such as [count.index] is not part of
				// a reference string; treat anything else as opaque.
				out = append(out, step{isIndex: true, key: s[j : j+k]})
			} else {
				out = append(out, step{isIndex: true, key: n})
			}
			i = j + k + 1
		default:
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			out = append(out, step{name: s[i:j]})
			i = j
		}
	}
	return out, nil
}

func joinTraversal(steps []step) string {
	var b strings.Builder
	for i, st := range steps {
		switch {
		case !st.isIndex:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(st.name)
		default:
			b.WriteString(keyString(st.key))
		}
	}
	return b.String()
}

// keyString renders an instance key as Terraform does in addresses.
func keyString(k any) string {
	switch v := k.(type) {
	case float64:
		return "[" + strconv.FormatFloat(v, 'f', -1, 64) + "]"
	case string:
		return "[" + strconv.Quote(v) + "]"
	}
	return ""
}

// scope is where an expression is evaluated: a module instance and the
// instance key of the object (resource or module call) that holds it.
type scope struct {
	mod     *configModule
	modAddr string
	key     any
	forEach []string
}

// target is what a reference points at: a resource instance and the
// attribute read from it ("id", "arn", "latest_version", or "").
type target struct {
	inst *Instance
	attr string
}

const maxResolveDepth = 32

// resolveBudget bounds the work of resolving one attribute, so a plan with
// references that fan out through many modules cannot take exponential
// time; past it the attribute is reported as unresolved.
const resolveBudget = 10000

// resolver caches what reference resolution derives from the configuration
// and the plan's addresses alone. The instances of one counted or for_each
// resource, and of one module, share their expressions, so without it each
// instance would re-parse the same references and re-split the same module
// addresses. Results that depend on the instance key or on the remaining
// budget are not cached.
type resolver struct {
	leaves   map[leafKey]leafEntry // by expression object
	refLists map[*string]*refList  // by the references slice's first element
	parents  map[string]parentAddr
	children map[childKey]string
	refs     map[string][]step
	scratch  []target // reused by top-level resolutions
	key      []byte   // reused for lookup keys
	budget   int      // remaining resolveRefs calls for the current attribute

	lastIn    *Instance
	lastScope scope

	// once says that the top-level resolution under way is of a block
	// only one instance uses: its reference list is parsed, not cached.
	once bool
}

// leafKey identifies an expression object by its members' memory.
type leafKey struct {
	p *kv
	n int
}

type leafEntry struct {
	e  expr
	ok bool
}

// refList is a parsed reference list: its maximal references, and whether
// count.index or each.key pins unkeyed references to the current key.
type refList struct {
	n      int // length of the slice it was parsed from
	steps  [][]step
	pinned bool
}

var noRefs refList

type parentAddr struct {
	addr string
	key  any
}

type childKey struct {
	mod, call string
	key       any
}

func newResolver(p *Plan) resolver {
	return resolver{
		leaves:   map[leafKey]leafEntry{},
		refLists: map[*string]*refList{},
		parents:  make(map[string]parentAddr, len(p.modules)),
		children: map[childKey]string{},
		refs:     map[string][]step{},
	}
}

// leaf is leafExpr cached per expression object. Configuration objects
// live as long as the plan, so their members' addresses identify them, and the cached refs
// slices stay stable for refList's cache.
func (b *builder) leaf(v any) (expr, bool) {
	return b.leafOf(v, false)
}

// leafOf is leaf for an expression only one instance reads when once is
// set: it is not cached.
func (b *builder) leafOf(v any, once bool) (expr, bool) {
	m, ok := v.(fields)
	if !ok {
		return expr{}, false
	}
	if once {
		return leafExpr(m)
	}
	k := leafKey{unsafe.SliceData(m), len(m)}
	if le, ok := b.rs.leaves[k]; ok {
		return le.e, le.ok
	}
	e, ok := leafExpr(m)
	b.rs.leaves[k] = leafEntry{e, ok}
	return e, ok
}

// refList parses a reference list once. refs must be a slice that lives as
// long as the builder (from the configuration or from leaf), since it is
// identified by its first element.
func (b *builder) refList(refs []string) *refList {
	if len(refs) == 0 {
		return &noRefs
	}
	if rl, ok := b.rs.refLists[&refs[0]]; ok && rl.n == len(refs) {
		return rl
	}
	rl := b.parseRefList(refs)
	b.rs.refLists[&refs[0]] = rl
	return rl
}

func (b *builder) parseRefList(refs []string) *refList {
	rl := &refList{n: len(refs), steps: b.maximalRefs(refs)}
	for _, st := range rl.steps {
		if st[0].name == "count" || (st[0].name == "each" && len(st) > 1 && st[1].name == "key") {
			rl.pinned = true
		}
	}
	return rl
}

// resourceInsts returns the instances of resource typ.name in module
// instance mod.
func (b *builder) resourceInsts(mod, typ, name string) []*Instance {
	return b.p.byResource[resourceKey{mod, typ, name}]
}

// scopeOf is Plan.scopeOf for the instance whose attributes were resolved
// last, since each instance resolves several; and the module of the last
// instance is reused when the next one is in the same module instance (as
// the instances of one counted resource are), saving the lookup.
func (b *builder) scopeOf(in *Instance) scope {
	if in == b.rs.lastIn {
		return b.rs.lastScope
	}
	sc := b.rs.lastScope
	if b.rs.lastIn == nil || in.Module != sc.modAddr {
		sc.mod = b.p.moduleOf(in.Module)
	}
	sc.modAddr, sc.key, sc.forEach = in.Module, in.Key, nil
	if in.cfg != nil {
		sc.forEach = in.cfg.forEach
	}
	b.rs.lastIn, b.rs.lastScope = in, sc
	return sc
}

// moduleOf returns the configuration of a module instance. The reader
// fills modCache for every instance it adds; Build only reads it, so that
// concurrent workers can share it.
func (p *Plan) moduleOf(addr string) *configModule {
	if mod, ok := p.modCache[addr]; ok {
		return mod
	}
	return p.root.moduleFor(addr)
}

// resolveRefs follows a list of references from an expression, appending
// what they point at to dst. complete is false when some reference leads
// somewhere the model cannot follow (locals, data sources, root variables,
// unpinned each.value), so the targets may be missing something.
func (b *builder) resolveRefs(dst []target, refs []string, sc scope, depth int) (_ []target, complete bool) {
	b.rs.budget--
	if sc.mod == nil || depth > maxResolveDepth || b.rs.budget < 0 {
		return dst, false
	}
	var rl *refList
	if depth == 0 && b.rs.once && len(refs) > 0 {
		rl = b.parseRefList(refs)
	} else {
		rl = b.refList(refs)
	}
	complete = true
	for _, st := range rl.steps {
		ok := true
		switch st[0].name {
		case "count", "path", "terraform", "self":
		case "each":
			if len(st) > 1 && st[1].name == "value" {
				dst, ok = b.resolveEachValue(dst, sc)
			}
		case "var":
			if len(st) < 2 {
				ok = false
				break
			}
			dst, ok = b.resolveVar(dst, st[1].name, sc, depth)
		case "module":
			dst, ok = b.resolveModuleOutput(dst, st, sc, rl.pinned, depth)
		case "local", "data":
			ok = false
		default:
			if len(st) < 2 || st[1].isIndex {
				ok = false
				break
			}
			dst, ok = b.resolveResource(dst, st, sc, rl.pinned)
		}
		complete = complete && ok
	}
	return dst, complete
}

// maximalRefs parses references and drops the shorter forms Terraform lists
// alongside each full reference (aws_sg.web.id also lists aws_sg.web).
func (b *builder) maximalRefs(refs []string) [][]step {
	var all [][]step
	for _, r := range refs {
		st, err := b.parsedRef(r)
		if err == nil && len(st) > 0 && !st[0].isIndex {
			all = append(all, st)
		}
	}
	var out [][]step
	for i, a := range all {
		shadowed := false
		for j, b := range all {
			if i != j && len(b) > len(a) && isPrefix(a, b) {
				shadowed = true
				break
			}
			if j < i && len(b) == len(a) && isPrefix(a, b) {
				shadowed = true // duplicate
				break
			}
		}
		if !shadowed {
			out = append(out, a)
		}
	}
	return out
}

func isPrefix(a, b []step) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (b *builder) resolveResource(dst []target, st []step, sc scope, pinned bool) ([]target, bool) {
	insts := b.resourceInsts(sc.modAddr, st[0].name, st[1].name)
	if len(insts) == 0 {
		return dst, false
	}
	rest := st[2:]
	var key any
	hasKey := false
	if len(rest) > 0 && rest[0].isIndex {
		key, hasKey = rest[0].key, true
		rest = rest[1:]
	}
	attr := ""
	if len(rest) > 0 && !rest[0].isIndex {
		attr = rest[0].name
	}
	keyed := insts[0].Key != nil
	n := len(dst)
	for _, in := range insts {
		switch {
		case hasKey && in.Key != key:
			continue
		case !hasKey && keyed && pinned && in.Key != sc.key:
			continue
		}
		dst = append(dst, target{inst: in, attr: attr})
	}
	return dst, len(dst) > n
}

func (b *builder) resolveVar(dst []target, name string, sc scope, depth int) ([]target, bool) {
	call := sc.mod.call
	if call == nil {
		return dst, false
	}
	e, ok := b.leaf(call.exprs.value(name))
	if !ok {
		return dst, false
	}
	if e.constant && len(e.refs) == 0 {
		return dst, true
	}
	pa, ok := b.rs.parents[sc.modAddr]
	if !ok {
		pa.addr, pa.key = parentModule(sc.modAddr)
		b.rs.parents[sc.modAddr] = pa
	}
	return b.resolveRefs(dst, e.refs, scope{mod: call.parent, modAddr: pa.addr, key: pa.key, forEach: call.forEach}, depth+1)
}

// parentModule splits `module.a[0].module.b["x"]` into `module.a[0]` and "x".
func parentModule(addr string) (string, any) {
	steps, err := parseTraversal(addr)
	if err != nil || len(steps) < 2 {
		return "", nil
	}
	last := len(steps) - 1
	var key any
	if steps[last].isIndex {
		key = steps[last].key
		last--
	}
	if last < 1 {
		return "", nil
	}
	return joinTraversal(steps[:last-1]), key
}

func (b *builder) resolveModuleOutput(dst []target, st []step, sc scope, pinned bool, depth int) ([]target, bool) {
	if len(st) < 2 {
		return dst, false
	}
	call := sc.mod.calls[st[1].name]
	if call == nil {
		return dst, false
	}
	rest := st[2:]
	indexed := len(rest) > 0 && rest[0].isIndex
	var key any
	if indexed {
		key = rest[0].key
		rest = rest[1:]
	}
	if len(rest) == 0 || rest[0].isIndex {
		return dst, false
	}
	out, ok := call.module.outputs[rest[0].name]
	if !ok {
		return dst, false
	}
	if indexed {
		return b.resolveRefs(dst, out.refs, scope{mod: call.module, modAddr: b.childModule(sc.modAddr, call.name, key)}, depth+1)
	}
	// Without an index: every instance of the call, or only the current
	// key's when pinned.
	complete, followed := true, false
	for _, k := range b.moduleKeys(sc.modAddr, call.name) {
		if pinned && k != nil && k != sc.key {
			continue
		}
		followed = true
		var sub bool
		dst, sub = b.resolveRefs(dst, out.refs, scope{mod: call.module, modAddr: b.childModule(sc.modAddr, call.name, k)}, depth+1)
		complete = complete && sub
	}
	return dst, complete && followed
}

// moduleKeys returns the instance keys of module call name in module
// instance mod.
func (b *builder) moduleKeys(mod, name string) []any {
	k := append(b.rs.key[:0], mod...)
	k = append(k, '|')
	k = append(k, name...)
	b.rs.key = k
	return b.p.moduleKeys[string(k)]
}

// childModule returns the address of instance key of module call name in
// module instance mod.
func (b *builder) childModule(mod, name string, key any) string {
	k := childKey{mod, name, key}
	if addr, ok := b.rs.children[k]; ok {
		return addr
	}
	addr := "module." + name + keyString(key)
	if mod != "" {
		addr = mod + "." + addr
	}
	b.rs.children[k] = addr
	return addr
}

// resolveEachValue handles `each.value` when for_each iterates over another
// keyed resource (for_each = aws_security_group.per_app): the value for key
// k is that resource's instance k.
func (b *builder) resolveEachValue(dst []target, sc scope) ([]target, bool) {
	rl := b.refList(sc.forEach)
	if len(rl.steps) != 1 || len(rl.steps[0]) != 2 {
		return dst, false
	}
	st := rl.steps[0]
	switch st[0].name {
	case "var", "local", "data", "module", "each", "count":
		return dst, false
	}
	for _, in := range b.resourceInsts(sc.modAddr, st[0].name, st[1].name) {
		if in.Key == sc.key {
			return append(dst, target{inst: in}), true
		}
	}
	return dst, false
}

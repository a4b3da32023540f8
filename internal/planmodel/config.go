package planmodel

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	exprs   map[string]any
	forEach []string // references of for_each, to resolve each.value
}

type moduleCall struct {
	name    string
	exprs   map[string]any
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
	References    []string        `json:"references"`
	ConstantValue json.RawMessage `json:"constant_value"`
}

type rawModule struct {
	Outputs map[string]struct {
		Expression rawExpr `json:"expression"`
	} `json:"outputs"`
	Resources []struct {
		Mode              string         `json:"mode"`
		Type              string         `json:"type"`
		Name              string         `json:"name"`
		Expressions       map[string]any `json:"expressions"`
		ForEachExpression *rawExpr       `json:"for_each_expression"`
	} `json:"resources"`
	ModuleCalls map[string]struct {
		Expressions       map[string]any `json:"expressions"`
		ForEachExpression *rawExpr       `json:"for_each_expression"`
		Module            rawModule      `json:"module"`
	} `json:"module_calls"`
}

func parseConfig(data []byte) (*configModule, error) {
	var raw struct {
		RootModule rawModule `json:"root_module"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	return buildConfigModule(&raw.RootModule, nil, 0)
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
		m.outputs[name] = expr{refs: o.Expression.References, constant: len(o.Expression.ConstantValue) > 0}
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

// leafExpr interprets a value from an expressions map as a leaf expression.
func leafExpr(v any) (expr, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return expr{}, false
	}
	var e expr
	for k, val := range m {
		switch k {
		case "references":
			list, _ := val.([]any)
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

// parsedRef parses a reference string once per plan: a large plan repeats
// the same few references (those of one module) thousands of times.
func (p *Plan) parsedRef(s string) ([]step, error) {
	if st, ok := p.refCache[s]; ok {
		return st, nil
	}
	st, err := parseTraversal(s)
	if err == nil {
		p.refCache[s] = st
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
	var out []step
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

// resolution is the outcome of following an expression's references.
type resolution struct {
	targets []target
	// complete is false when some reference leads somewhere the model
	// cannot follow (locals, data sources, root variables, unpinned
	// each.value), so the targets may be missing something.
	complete bool
}

const maxResolveDepth = 32

// resolveBudget bounds the work of resolving one attribute, so a plan with
// references that fan out through many modules cannot take exponential
// time; past it the attribute is reported as unresolved.
const resolveBudget = 10000

func (p *Plan) scopeOf(in *Instance) scope {
	mod, ok := p.modCache[in.Module]
	if !ok {
		mod = p.root.moduleFor(in.Module)
		p.modCache[in.Module] = mod
	}
	sc := scope{mod: mod, modAddr: in.Module, key: in.Key}
	if in.cfg != nil {
		sc.forEach = in.cfg.forEach
	}
	return sc
}

// resolveRefs follows a list of references from an expression.
func (p *Plan) resolveRefs(refs []string, sc scope, depth int) resolution {
	res := resolution{complete: true}
	p.budget--
	if sc.mod == nil || depth > maxResolveDepth || p.budget < 0 {
		res.complete = false
		return res
	}
	parsed := p.maximalRefs(refs)
	pinned := false
	for _, st := range parsed {
		if st[0].name == "count" || (st[0].name == "each" && len(st) > 1 && st[1].name == "key") {
			pinned = true
		}
	}
	for _, st := range parsed {
		switch st[0].name {
		case "count", "path", "terraform", "self":
		case "each":
			if len(st) > 1 && st[1].name == "value" {
				sub := p.resolveEachValue(sc, depth)
				res.targets = append(res.targets, sub.targets...)
				res.complete = res.complete && sub.complete
			}
		case "var":
			if len(st) < 2 {
				res.complete = false
				continue
			}
			sub := p.resolveVar(st[1].name, sc, depth)
			res.targets = append(res.targets, sub.targets...)
			res.complete = res.complete && sub.complete
		case "module":
			sub := p.resolveModuleOutput(st, sc, pinned, depth)
			res.targets = append(res.targets, sub.targets...)
			res.complete = res.complete && sub.complete
		case "local", "data":
			res.complete = false
		default:
			if len(st) < 2 || st[1].isIndex {
				res.complete = false
				continue
			}
			sub := p.resolveResource(st, sc, pinned)
			res.targets = append(res.targets, sub.targets...)
			res.complete = res.complete && sub.complete
		}
	}
	return res
}

// maximalRefs parses references and drops the shorter forms Terraform lists
// alongside each full reference (aws_sg.web.id also lists aws_sg.web).
func (p *Plan) maximalRefs(refs []string) [][]step {
	var all [][]step
	for _, r := range refs {
		st, err := p.parsedRef(r)
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

func (p *Plan) resolveResource(st []step, sc scope, pinned bool) resolution {
	insts := p.byResource[sc.modAddr+"|"+st[0].name+"."+st[1].name]
	if len(insts) == 0 {
		return resolution{complete: false}
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
	res := resolution{complete: true}
	for _, in := range insts {
		switch {
		case hasKey && in.Key != key:
			continue
		case !hasKey && keyed && pinned && in.Key != sc.key:
			continue
		}
		res.targets = append(res.targets, target{inst: in, attr: attr})
	}
	if len(res.targets) == 0 {
		res.complete = false
	}
	return res
}

func (p *Plan) resolveVar(name string, sc scope, depth int) resolution {
	call := sc.mod.call
	if call == nil {
		return resolution{complete: false}
	}
	e, ok := leafExpr(call.exprs[name])
	if !ok {
		return resolution{complete: false}
	}
	if e.constant && len(e.refs) == 0 {
		return resolution{complete: true}
	}
	parent, key := parentModule(sc.modAddr)
	return p.resolveRefs(e.refs, scope{mod: call.parent, modAddr: parent, key: key, forEach: call.forEach}, depth+1)
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

func (p *Plan) resolveModuleOutput(st []step, sc scope, pinned bool, depth int) resolution {
	if len(st) < 2 {
		return resolution{complete: false}
	}
	call := sc.mod.calls[st[1].name]
	if call == nil {
		return resolution{complete: false}
	}
	rest := st[2:]
	var keys []any
	if len(rest) > 0 && rest[0].isIndex {
		keys = []any{rest[0].key}
		rest = rest[1:]
	} else {
		for _, k := range p.moduleKeys[sc.modAddr+"|"+call.name] {
			if pinned && k != nil && k != sc.key {
				continue
			}
			keys = append(keys, k)
		}
	}
	if len(rest) == 0 || rest[0].isIndex {
		return resolution{complete: false}
	}
	out, ok := call.module.outputs[rest[0].name]
	if !ok {
		return resolution{complete: false}
	}
	res := resolution{complete: len(keys) > 0}
	for _, k := range keys {
		child := "module." + call.name + keyString(k)
		if sc.modAddr != "" {
			child = sc.modAddr + "." + child
		}
		sub := p.resolveRefs(out.refs, scope{mod: call.module, modAddr: child}, depth+1)
		res.targets = append(res.targets, sub.targets...)
		res.complete = res.complete && sub.complete
	}
	return res
}

// resolveEachValue handles `each.value` when for_each iterates over another
// keyed resource (for_each = aws_security_group.per_app): the value for key
// k is that resource's instance k.
func (p *Plan) resolveEachValue(sc scope, depth int) resolution {
	refs := p.maximalRefs(sc.forEach)
	if len(refs) != 1 || len(refs[0]) != 2 {
		return resolution{complete: false}
	}
	st := refs[0]
	switch st[0].name {
	case "var", "local", "data", "module", "each", "count":
		return resolution{complete: false}
	}
	for _, in := range p.byResource[sc.modAddr+"|"+st[0].name+"."+st[1].name] {
		if in.Key == sc.key {
			return resolution{targets: []target{{inst: in}}, complete: true}
		}
	}
	return resolution{complete: false}
}

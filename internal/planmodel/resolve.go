package planmodel

import "slices"

// pointees is what an id- or arn-valued attribute refers to.
type pointees struct {
	insts    []*Instance
	external []string // known ids that are not in the plan
	// complete is false when part of the value stays unknown and the
	// configuration does not say what it will be.
	complete bool
}

func (pt *pointees) addInst(in *Instance) {
	if !slices.Contains(pt.insts, in) {
		pt.insts = append(pt.insts, in)
	}
}

func (pt pointees) empty() bool { return len(pt.insts) == 0 && len(pt.external) == 0 }

// refsOf resolves an id-valued attribute of o (a string, list or set of
// strings). Known values are looked up by id or ARN; unknown ones are
// followed through the attribute's expression in cfg, the configuration of
// the resource or block holding it. An unknown attribute that cfg does not
// set is a provider-computed default, not a reference, and resolves to
// nothing; with no configuration at all it stays unresolved. Only instances
// of the wanted types count as resolved.
func (b *builder) refsOf(in *Instance, o obj, attr string, cfg fields, wanted ...string) pointees {
	pt := pointees{complete: true}
	v, st := o.field(attr)
	var vals []string
	someUnknown := st == unknown
	switch v.(type) {
	case string:
		s, _ := o.str(attr)
		vals = []string{s}
	case []any:
		vals, someUnknown, _ = o.strs(attr)
	}
	// Resolve first, so that pt.insts can be sized for both parts.
	var targets []target
	resolved := false
	if someUnknown {
		cfgExpr, set := cfg.get(attr)
		if cfg == nil || set {
			// Of a block that only this instance uses, nothing is read twice.
			once := in != nil && in.cfg != nil && in.cfg.uses == 1
			if e, ok := b.leafOf(cfgExpr, once); ok && in != nil {
				b.rs.budget = resolveBudget
				b.rs.once = once
				targets, pt.complete = b.resolveRefs(b.rs.scratch[:0], e.refs, b.scopeOf(in), 0)
				b.rs.once = false
				b.rs.scratch = targets
				resolved = true
			} else {
				pt.complete = false
			}
		}
	}
	pt.insts = b.instSlice(len(vals) + len(targets))
	for _, s := range vals {
		if s == "" {
			continue
		}
		// An id of an instance that exists only on the other side of the
		// plan (a group being deleted, say) is outside this side's model.
		if t := b.p.byID[s]; t != nil && slices.Contains(wanted, t.Type) && b.live(t) {
			pt.addInst(t)
		} else {
			pt.external = append(pt.external, s)
		}
	}
	if !resolved {
		return pt
	}
	for _, t := range targets {
		if slices.Contains(wanted, t.inst.Type) && b.live(t.inst) {
			pt.addInst(t.inst)
		} else {
			pt.complete = false
		}
	}
	if len(pt.insts) == 0 && len(targets) == 0 {
		pt.complete = false
	}
	return pt
}

// instSlice returns an empty slice with room for n instances, carved from
// a shared chunk: most id attributes point at one or two instances, and a
// separate allocation for each was a large share of Build's allocations.
func (b *builder) instSlice(n int) []*Instance {
	switch {
	case n == 0:
		return nil
	case n > 64:
		return make([]*Instance, 0, n)
	}
	if len(b.arena)+n > cap(b.arena) {
		b.arena = make([]*Instance, 0, 1024)
	}
	i := len(b.arena)
	b.arena = b.arena[:i+n]
	return b.arena[i : i : i+n]
}

// cfgOf returns the expressions of an instance's resource configuration.
func cfgOf(in *Instance) fields {
	if in == nil || in.cfg == nil {
		return nil
	}
	if in.cfg.exprs == nil {
		return fields{}
	}
	return in.cfg.exprs
}

// configured reports whether the configuration sets attr at all; an
// optional+computed attribute that is not configured takes the provider's
// default, which is not a guess.
func configured(in *Instance, attr string) bool {
	if in == nil || in.cfg == nil {
		return true // no configuration to tell: assume it was set
	}
	_, ok := in.cfg.exprs.get(attr)
	return ok
}

// cfgBlock finds the configuration of a nested block element. Block lists
// keep their order; set elements are matched on the known values of keys.
func cfgBlock(in *Instance, name string, idx int, el obj, keys ...string) fields {
	list, _ := cfgOf(in).value(name).([]any)
	if len(keys) == 0 {
		if idx < len(list) {
			m, _ := list[idx].(fields)
			return m
		}
		return nil
	}
	var found fields
	for _, c := range list {
		m, _ := c.(fields)
		if m == nil {
			continue
		}
		match := true
		for _, k := range keys {
			e, ok := leafExpr(m.value(k))
			v, st := el.field(k)
			if !ok || !e.constant || st != known {
				continue // cannot compare: do not rule it out
			}
			if !constantEquals(m.value(k), v) {
				match = false
				break
			}
		}
		if match {
			if found != nil {
				return nil // ambiguous
			}
			found = m
		}
	}
	return found
}

func constantEquals(cfg any, v any) bool {
	m, _ := cfg.(fields)
	c := m.value("constant_value")
	switch cv := c.(type) {
	case float64:
		f, ok := v.(float64)
		return ok && f == cv
	case string:
		s, ok := v.(string)
		return ok && s == cv
	case bool:
		bv, ok := v.(bool)
		return ok && bv == cv
	}
	return true
}

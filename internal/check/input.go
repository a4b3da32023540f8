package check

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
)

// The policies' input is the model's JSON form as OPA would decode it.
// Rather than writing the JSON and reading it back, modelInput builds the
// same OPA value from the model's structs, by their json tags, as
// encoding/json would write them: the tags are the one definition of the
// shape (TestInputIsDumpModel compares with --dump-model's output).

// modelInput is the policies' input for m. The entries of its top-level
// members (targets, groups, rows) are converted in chunks on as many
// goroutines as there are cores, so that two large members do not end up
// on one core while the other idles; each member's term is assembled by
// whichever goroutine converts its last chunk. With release, each member
// of m is dropped once converted, so the model and its OPA value are not
// both whole in memory: on a plan of standalone rules the two together
// were the peak, and the collector ran back to back under it.
func modelInput(m *planmodel.Model, release bool) (ast.Value, error) {
	return convertModel(m, release, inputChunk)
}

// inputChunk is how many entries of a member one task converts: enough to
// make a task's overhead small, few enough to keep the cores even.
const inputChunk = 2048

// memberWork is one top-level member being converted: its entries (map
// keys and values, or slice elements) and the converted parts.
type memberWork struct {
	field jsonField
	value reflect.Value
	keys  []string        // map members: the entries' keys
	vals  []reflect.Value // map members: the entries' values
	items [][2]*ast.Term  // map members, converted
	elems []*ast.Term     // slice members, converted
	left  atomic.Int32    // chunks not yet converted
	term  *ast.Term
}

// chunkTask converts entries [lo, hi) of a member; whole members that are
// neither maps nor slices are one task with hi == -1.
type chunkTask struct {
	w      *memberWork
	lo, hi int
}

func convertModel(m *planmodel.Model, release bool, chunk int) (ast.Value, error) {
	root := reflect.ValueOf(m).Elem()
	fields := structFields(root.Type())
	members := make([]*memberWork, 0, len(fields))
	var tasks []chunkTask
	for _, f := range fields {
		fv := root.Field(f.index)
		if f.omitEmpty && emptyValue(fv) {
			continue
		}
		w := &memberWork{field: f, value: fv}
		members = append(members, w)
		n := -1
		switch {
		case fv.Kind() == reflect.Map && !fv.IsNil():
			n = fv.Len()
			w.keys, w.vals = make([]string, 0, n), make([]reflect.Value, 0, n)
			key := reflect.New(fv.Type().Key()).Elem() // reused: Key() allocates a copy
			for it := fv.MapRange(); it.Next(); {
				key.SetIterKey(it)
				w.keys, w.vals = append(w.keys, key.String()), append(w.vals, it.Value())
			}
			w.items = make([][2]*ast.Term, n)
		case fv.Kind() == reflect.Slice && fv.Len() > 0 && fv.Type().Elem().Kind() != reflect.String:
			n = fv.Len()
			w.elems = make([]*ast.Term, n)
		}
		if n < 0 {
			w.left.Store(1)
			tasks = append(tasks, chunkTask{w, 0, -1})
			continue
		}
		w.left.Store(int32(max(1, (n+chunk-1)/chunk)))
		for lo := 0; lo < n || lo == 0; lo += chunk {
			tasks = append(tasks, chunkTask{w, lo, min(lo+chunk, n)})
		}
	}
	var next atomic.Int64
	// Most distinct strings are addresses: sized for them, the string
	// table does not grow by rehashing through the conversion.
	hint := len(m.Targets) + len(m.SecurityGroups) + len(m.Exposures)
	work := func() {
		c := newConverter(hint)
		for {
			i := int(next.Add(1) - 1)
			if i >= len(tasks) {
				return
			}
			t := tasks[i]
			w := t.w
			switch {
			case t.hi < 0:
				w.term = c.term(w.value)
			case w.items != nil:
				for j := t.lo; j < t.hi; j++ {
					w.items[j] = [2]*ast.Term{c.str(w.keys[j]), c.term(w.vals[j])}
				}
			default:
				for j := t.lo; j < t.hi; j++ {
					w.elems[j] = c.term(w.value.Index(j))
				}
			}
			if w.left.Add(-1) > 0 {
				continue
			}
			// The member's last chunk: assemble it, and drop what it
			// was converted from.
			switch {
			case t.hi < 0:
			case w.items != nil:
				w.term = ast.ObjectTerm(w.items...)
			default:
				w.term = ast.ArrayTerm(w.elems...)
			}
			w.keys, w.vals, w.items, w.elems = nil, nil, nil, nil
			if release {
				w.value.SetZero()
			}
		}
	}
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	items := make([][2]*ast.Term, 0, len(members))
	for _, w := range members {
		items = append(items, [2]*ast.Term{w.field.key, w.term})
	}
	return ast.NewObject(items...), nil
}

type jsonField struct {
	index     int
	key       *ast.Term
	omitEmpty bool
}

var fieldCache sync.Map // reflect.Type → []jsonField

// structFields lists the JSON members of struct type t, in field order.
func structFields(t reflect.Type) []jsonField {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]jsonField)
	}
	var fs []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		fs = append(fs, jsonField{index: i, key: ast.StringTerm(name), omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
	}
	fieldCache.Store(t, fs)
	return fs
}

// emptyValue is encoding/json's test for omitempty.
func emptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int64:
		return v.Int() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// converter builds OPA terms, sharing what is equal: one term per
// distinct string and integer, one per distinct list of strings (CIDRs,
// via, actions), one empty array, and one per slice the model shares
// (targets behind the same security groups share their exposure). OPA
// values are immutable, so a shared value is converted and held once;
// at 50k resources objects and arrays are most of the input's heap.
type converter struct {
	strs    map[string]*ast.Term
	ints    map[int64]*ast.Term
	strList map[string]*ast.Term
	slices  map[sliceKey]*ast.Term
	stack   [][2]*ast.Term // members of the objects being built
	key     []byte         // the key of a list of strings
}

type sliceKey struct {
	ptr uintptr
	len int
	typ reflect.Type
}

// emptyArray is the one `[]` of every input.
var emptyArray = ast.ArrayTerm()

// newConverter makes a converter for about strs distinct strings.
func newConverter(strs int) *converter {
	return &converter{strs: make(map[string]*ast.Term, strs), ints: map[int64]*ast.Term{}, strList: map[string]*ast.Term{}, slices: map[sliceKey]*ast.Term{}}
}

func (c *converter) str(s string) *ast.Term {
	t, ok := c.strs[s]
	if !ok {
		t = ast.StringTerm(s)
		c.strs[s] = t
	}
	return t
}

func (c *converter) term(v reflect.Value) *ast.Term {
	switch v.Kind() {
	case reflect.String:
		return c.str(v.String())
	case reflect.Bool:
		return ast.InternedTerm(v.Bool())
	case reflect.Int, reflect.Int64:
		n := v.Int()
		t, ok := c.ints[n]
		if !ok {
			t = ast.InternedTerm(int(n))
			c.ints[n] = t
		}
		return t
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.NullTerm()
		}
		return c.term(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return ast.NullTerm()
		}
		if v.Len() == 0 {
			return emptyArray
		}
		if v.Type().Elem().Kind() == reflect.String {
			return c.strings(v)
		}
		k := sliceKey{v.Pointer(), v.Len(), v.Type()}
		if t, ok := c.slices[k]; ok {
			return t
		}
		t := c.array(v)
		c.slices[k] = t
		return t
	case reflect.Array:
		return c.array(v)
	case reflect.Map:
		if v.IsNil() {
			return ast.NullTerm()
		}
		// Key and value are read into reused values: Key() and Value()
		// allocate a copy of each.
		items := make([][2]*ast.Term, 0, v.Len())
		key, val := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		for it := v.MapRange(); it.Next(); {
			key.SetIterKey(it)
			val.SetIterValue(it)
			items = append(items, [2]*ast.Term{c.str(key.String()), c.term(val)})
		}
		return ast.ObjectTerm(items...)
	case reflect.Struct:
		// The members are gathered on a stack the converter reuses (a
		// nested struct pushes above its parent's), since NewObject
		// copies them: one allocation less per object.
		fields := structFields(v.Type())
		base := len(c.stack)
		for _, f := range fields {
			fv := v.Field(f.index)
			if f.omitEmpty && emptyValue(fv) {
				continue
			}
			t := c.term(fv)
			c.stack = append(c.stack, [2]*ast.Term{f.key, t})
		}
		obj := ast.ObjectTerm(c.stack[base:]...)
		clear(c.stack[base:])
		c.stack = c.stack[:base]
		return obj
	}
	panic(fmt.Sprintf("modelInput: no JSON form for %s", v.Type()))
}

// strings converts a list of strings, once per distinct list. Its key is
// built in a buffer the converter reuses; looking it up allocates nothing.
func (c *converter) strings(v reflect.Value) *ast.Term {
	c.key = c.key[:0]
	for i := range v.Len() {
		c.key = append(c.key, v.Index(i).String()...)
		c.key = append(c.key, 0)
	}
	t, ok := c.strList[string(c.key)]
	if !ok {
		t = c.array(v)
		c.strList[string(c.key)] = t
	}
	return t
}

func (c *converter) array(v reflect.Value) *ast.Term {
	elems := make([]*ast.Term, v.Len())
	for i := range elems {
		elems[i] = c.term(v.Index(i))
	}
	return ast.ArrayTerm(elems...)
}

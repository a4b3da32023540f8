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

// modelInput is the policies' input for m. Its top-level members are
// converted on as many goroutines as there are cores, one member at a
// time each; with release, each member of m is dropped once converted, so
// the model and its OPA value are not both whole in memory: on a plan of
// standalone rules the two together were the peak, and the collector ran
// back to back under it.
func modelInput(m *planmodel.Model, release bool) (ast.Value, error) {
	root := reflect.ValueOf(m).Elem()
	fields := structFields(root.Type())
	terms := make([]*ast.Term, len(fields))
	var next atomic.Int64
	// Most distinct strings are addresses: sized for them, the string
	// table does not grow by rehashing through the conversion.
	hint := len(m.Targets) + len(m.SecurityGroups) + len(m.Exposures)
	work := func() {
		c := newConverter(hint)
		for {
			i := int(next.Add(1) - 1)
			if i >= len(fields) {
				return
			}
			fv := root.Field(fields[i].index)
			if fields[i].omitEmpty && emptyValue(fv) {
				continue
			}
			terms[i] = c.term(fv)
			if release {
				fv.SetZero()
			}
		}
	}
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	items := make([][2]*ast.Term, 0, len(fields))
	for i, f := range fields {
		if terms[i] != nil {
			items = append(items, [2]*ast.Term{f.key, terms[i]})
		}
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
		items := make([][2]*ast.Term, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			items = append(items, [2]*ast.Term{c.str(it.Key().String()), c.term(it.Value())})
		}
		return ast.ObjectTerm(items...)
	case reflect.Struct:
		fields := structFields(v.Type())
		items := make([][2]*ast.Term, 0, len(fields))
		for _, f := range fields {
			fv := v.Field(f.index)
			if f.omitEmpty && emptyValue(fv) {
				continue
			}
			items = append(items, [2]*ast.Term{f.key, c.term(fv)})
		}
		return ast.ObjectTerm(items...)
	}
	panic(fmt.Sprintf("modelInput: no JSON form for %s", v.Type()))
}

// strings converts a list of strings, once per distinct list.
func (c *converter) strings(v reflect.Value) *ast.Term {
	var key strings.Builder
	for i := range v.Len() {
		key.WriteString(v.Index(i).String())
		key.WriteByte(0)
	}
	t, ok := c.strList[key.String()]
	if !ok {
		t = c.array(v)
		c.strList[key.String()] = t
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

package check

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/sre-provider/terraform-provider-sre/policies"
)

// engine wraps OPA. The policies are compiled once; each rule package
// (data.sre.rules.*) gets its own prepared query, and the queries are
// evaluated concurrently on the same, already-converted input.
type engine struct {
	packages []packageQuery
	meta     rego.PreparedEvalQuery
}

// walksDoors names the bundled packages that judge every door of the
// plan. They take most of an evaluation, so they are started first: started
// in path order, one of them ran alone on one core at the end.
func walksDoors(path string) bool {
	return path == rulesPrefix+"ssh" || path == rulesPrefix+"public_ingress"
}

// checkOnlyStages are the compiler stages that report errors and change
// nothing the evaluation uses.
var checkOnlyStages = []ast.StageID{
	ast.StageCheckTypes, ast.StageCheckRecursion, ast.StageCheckRuleConflicts, ast.StageCheckUndefinedFuncs,
	ast.StageCheckVoidCalls, ast.StageCheckKeywordOverrides, ast.StageCheckDeprecatedBuiltins,
	ast.StageCheckUnsafeBuiltins, ast.StageCheckUnusedImports, ast.StageCheckDuplicateImports,
	ast.StageBuildRequiredCapabilities, ast.StageCheckSafetyRuleHeads,
}

type packageQuery struct {
	path  string
	query rego.PreparedEvalQuery
}

// inputError is a problem with what the user gave us: flags, files,
// policies, data or waivers. Main prints it and exits 2.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) error {
	return &inputError{msg: fmt.Sprintf(format, args...)}
}

const rulesPrefix = "data.sre.rules."

// newEngine compiles the embedded bundle plus every .rego file (tests
// excluded) under extraDirs, with data as the base document.
func newEngine(ctx context.Context, extraDirs []string, data map[string]any) (*engine, error) {
	mods, err := loadModules(policies.FS, ".", "policies/")
	if err != nil {
		return nil, err
	}
	for _, dir := range extraDirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, inputErrorf("--policy %s: not a readable directory", dir)
		}
		more, err := loadModules(os.DirFS(dir), ".", filepath.ToSlash(dir)+"/")
		if err != nil {
			return nil, err
		}
		if len(more) == 0 {
			return nil, inputErrorf("--policy %s: no .rego files found", dir)
		}
		mods = append(mods, more...)
	}
	byFile := make(map[string]*ast.Module, len(mods))
	var paths []string
	for _, m := range mods {
		byFile[m.Package.Location.File] = m
		p := m.Package.Path.String()
		if strings.HasPrefix(p, rulesPrefix) && !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	sort.SliceStable(paths, func(i, j int) bool { return walksDoors(paths[i]) && !walksDoors(paths[j]) })
	compiler := ast.NewCompiler().WithDefaultRegoVersion(ast.RegoV1)
	if len(extraDirs) == 0 {
		// The bundled policies pass every check at build time (their
		// tests compile them in full), so a run with them alone skips the
		// compiler stages that only check: a quarter of compiling.
		compiler = compiler.WithSkipStages(checkOnlyStages...)
	}
	if compiler.Compile(byFile); compiler.Failed() {
		return nil, inputErrorf("compile policies: %v", compiler.Errors)
	}
	// Data is held as OPA values: the store's default lazy objects convert
	// on read and are not safe to read from two queries at once, which the
	// shared rule cache does with values such as lib.params.
	store := inmem.NewFromObjectWithOpts(data, inmem.OptReturnASTValuesOnRead(true))
	prepare := func(query string) (rego.PreparedEvalQuery, error) {
		q, err := rego.New(rego.Compiler(compiler), rego.Store(store), rego.Query(query)).PrepareForEval(ctx)
		if err != nil {
			return q, inputErrorf("prepare %s: %v", query, err)
		}
		return q, nil
	}
	e := &engine{}
	for _, p := range paths {
		q, err := prepare(p + ".findings")
		if err != nil {
			return nil, err
		}
		e.packages = append(e.packages, packageQuery{path: p, query: q})
	}
	if e.meta, err = prepare("data.sre.checker.rules"); err != nil {
		return nil, err
	}
	return e, nil
}

func loadModules(fsys fs.FS, root, prefix string) ([]*ast.Module, error) {
	var mods []*ast.Module
	err := fs.WalkDir(fsys, root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".rego") || strings.HasSuffix(path, "_test.rego") {
			return nil
		}
		src, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(prefix+path, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return inputErrorf("parse policy: %v", err)
		}
		mods = append(mods, m)
		return nil
	})
	if err != nil {
		if _, ok := err.(*inputError); ok {
			return nil, err
		}
		return nil, inputErrorf("read policies under %s: %v", prefix, err)
	}
	return mods, nil
}

// evalResult is what the policies return.
type evalResult struct {
	Findings []Finding
	Rules    []Rule
}

// eval runs the rule packages on input, on as many goroutines as there are
// cores, each evaluating packages in turn.
func (e *engine) eval(ctx context.Context, in ast.Value) (*evalResult, error) {
	found := make([][]Finding, len(e.packages))
	errs := make([]error, len(e.packages))
	cache := newSharedCache()
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(e.packages) {
				return
			}
			found[i], errs[i] = e.packages[i].findings(ctx, in, cache)
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(e.packages)) - 1 {
		wg.Go(work)
	}
	rs, err := e.meta.Eval(ctx, rego.EvalParsedInput(in), keepTerms, rego.EvalVirtualCache(cache.query()))
	work()
	wg.Wait()
	out := &evalResult{}
	if err != nil {
		return nil, fmt.Errorf("evaluate rule metadata: %w", err)
	}
	for i := range e.packages {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out.Findings = append(out.Findings, found[i]...)
	}
	for _, m := range resultList(rs) {
		r := Rule{ID: field(m, "id"), Title: field(m, "title"), Remediation: field(m, "remediation")}
		if r.ID != "" {
			out.Rules = append(out.Rules, r)
		}
	}
	return out, nil
}

func (p packageQuery) findings(ctx context.Context, input ast.Value, cache *sharedCache) ([]Finding, error) {
	rs, err := p.query.Eval(ctx, rego.EvalParsedInput(input), keepTerms, rego.EvalVirtualCache(cache.query()))
	if err != nil {
		return nil, inputErrorf("evaluate %s: %v", p.path, err)
	}
	list := resultList(rs)
	out := make([]Finding, 0, len(list))
	for _, v := range list {
		f, ok := readFinding(v)
		if !ok || f.ID == "" || f.Address == "" || f.Message == "" || (f.Severity != SevError && f.Severity != SevWarning) {
			native, _ := ast.JSON(v.Value)
			return nil, inputErrorf("%s.findings: each finding must be an object with id, address, message and severity \"error\" or \"warning\"; got %v", p.path, native)
		}
		if f.Kind == "" {
			f.Kind = "violation"
		}
		out = append(out, f)
	}
	return out, nil
}

// keepTerms leaves query results as OPA values: the findings are read
// field by field, so converting each to a Go map first is wasted work.
var keepTerms = rego.EvalGenerateJSON(func(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil })

// resultList returns the elements of a query's set or array result, in the
// order OPA's JSON conversion would give them.
func resultList(rs rego.ResultSet) []*ast.Term {
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil
	}
	t, _ := rs[0].Expressions[0].Value.(*ast.Term)
	if t == nil {
		return nil
	}
	switch v := t.Value.(type) {
	case ast.Set:
		return v.Slice()
	case *ast.Array:
		out := make([]*ast.Term, v.Len())
		for i := range out {
			out[i] = v.Elem(i)
		}
		return out
	}
	return nil
}

// readFinding reads the string members of a finding object in one pass
// over its keys (already sorted when the set of findings was), rather than
// hashing seven keys to look them up. ok is false if t is not an object.
func readFinding(t *ast.Term) (f Finding, ok bool) {
	obj, ok := t.Value.(ast.Object)
	if !ok {
		return f, false
	}
	obj.Foreach(func(k, v *ast.Term) {
		key, _ := k.Value.(ast.String)
		s, isStr := v.Value.(ast.String)
		if !isStr {
			return
		}
		switch key {
		case "id":
			f.ID = string(s)
		case "title":
			f.Title = string(s)
		case "severity":
			f.Severity = string(s)
		case "kind":
			f.Kind = string(s)
		case "address":
			f.Address = string(s)
		case "message":
			f.Message = string(s)
		case "remediation":
			f.Remediation = string(s)
		}
	})
	return f, true
}

var fieldKeys = map[string]*ast.Term{}

func init() {
	for _, k := range []string{"id", "title", "severity", "kind", "address", "message", "remediation"} {
		fieldKeys[k] = ast.StringTerm(k)
	}
}

// field returns a string member of a finding or rule object, or "".
func field(t *ast.Term, key string) string {
	obj, ok := t.Value.(ast.Object)
	if !ok {
		return ""
	}
	v := obj.Get(fieldKeys[key])
	if v == nil {
		return ""
	}
	s, _ := v.Value.(ast.String)
	return string(s)
}

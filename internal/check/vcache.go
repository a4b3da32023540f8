package check

import (
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// The rule packages are evaluated as separate queries over the same input
// and data, so a rule they share (lib.unknown_targets, lib.unknown_rules)
// would be computed once per package. Each of those walks every target or every group of the model,
// and most plans give them nothing. One evaluation's queries therefore
// share OPA's virtual-document cache: what one query computed outside any
// `with`, the others read. Under `with` the values differ, so each query
// keeps its own frames there, as OPA's own cache does.

// sharedCache is the frame-0 cache of one evaluation, shared by its queries.
type sharedCache struct {
	mu sync.RWMutex
	vc topdown.VirtualCache
}

func newSharedCache() *sharedCache { return &sharedCache{vc: topdown.NewVirtualCache()} }

// query returns the cache for one query of the evaluation.
func (s *sharedCache) query() topdown.VirtualCache {
	return &queryCache{shared: s, local: topdown.NewVirtualCache()}
}

// queryCache is one query's view. Rule values outside any `with` are
// read from and written to the shared frame; everything else (function
// results, which OPA caches under the function's name and arguments, and
// all values under `with`) stays in the query's own cache, without a lock.
type queryCache struct {
	shared *sharedCache
	local  topdown.VirtualCache
	depth  int // frames pushed by `with`
}

// sharedRef reports whether ref names a rule's value (data.…) in the
// shared frame. A function's cache key starts with the function's name
// as a reference term, not with the data root.
func (q *queryCache) sharedRef(ref ast.Ref) bool {
	return q.depth == 0 && len(ref) > 0 && ref[0].Equal(ast.DefaultRootDocument)
}

func (q *queryCache) Push() {
	q.local.Push()
	q.depth++
}

func (q *queryCache) Pop() {
	q.local.Pop()
	q.depth--
}

func (q *queryCache) Get(ref ast.Ref) (*ast.Term, bool) {
	if !q.sharedRef(ref) {
		return q.local.Get(ref)
	}
	q.shared.mu.RLock()
	defer q.shared.mu.RUnlock()
	return q.shared.vc.Get(ref)
}

func (q *queryCache) Put(ref ast.Ref, value *ast.Term) {
	if !q.sharedRef(ref) {
		q.local.Put(ref, value)
		return
	}
	q.shared.mu.Lock()
	defer q.shared.mu.Unlock()
	q.shared.vc.Put(ref, value)
}

// Keys lists what the query sees in its innermost frame.
func (q *queryCache) Keys() []ast.Ref {
	keys := q.local.Keys()
	if q.depth == 0 {
		q.shared.mu.RLock()
		keys = append(keys, q.shared.vc.Keys()...)
		q.shared.mu.RUnlock()
	}
	return keys
}

package slostatus

import (
	"context"
	"sync"
	"time"
)

// DefaultLinger is how long the batcher waits for more SLOs before it sends
// the queries it has. Terraform refreshes resources concurrently (ten at a
// time by default), so reads arriving within this span share calls.
const DefaultLinger = 25 * time.Millisecond

// Batcher coalesces concurrent status requests into shared Fetch calls.
type Batcher struct {
	src    Source
	now    func() time.Time
	linger time.Duration

	mu      sync.Mutex
	pending []*request
	timer   *time.Timer
	stats   Stats
}

type request struct {
	def  Definition
	done chan struct{}
	res  Result
	err  error
}

// NewBatcher returns a batcher over src; now defaults to time.Now and linger
// to DefaultLinger when zero.
func NewBatcher(src Source, now func() time.Time, linger time.Duration) *Batcher {
	if now == nil {
		now = time.Now
	}
	if linger <= 0 {
		linger = DefaultLinger
	}
	return &Batcher{src: src, now: now, linger: linger}
}

// Status returns the live status of one SLO, sharing GetMetricData calls with
// the requests that arrive within the linger span.
func (b *Batcher) Status(ctx context.Context, d Definition) (Result, error) {
	r := &request{def: d, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, r)
	if b.timer == nil {
		b.timer = time.AfterFunc(b.linger, b.flush)
	}
	b.mu.Unlock()
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Stats reports the calls made so far.
func (b *Batcher) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

func (b *Batcher) flush() {
	b.mu.Lock()
	batch := b.pending
	b.pending, b.timer = nil, nil
	b.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	defs := make([]Definition, len(batch))
	for i, r := range batch {
		defs[i] = r.def
	}
	// The batch outlives any single caller's context; bound it on its own.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	results, errs, st, err := Fetch(ctx, b.src, b.now(), defs)
	b.mu.Lock()
	b.stats.Calls += st.Calls
	b.stats.Queries += st.Queries
	b.mu.Unlock()
	for i, r := range batch {
		switch {
		case err != nil:
			r.err = err
		case errs[i] != nil:
			r.err = errs[i]
		default:
			r.res = results[i]
		}
		close(r.done)
	}
}

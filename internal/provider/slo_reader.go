package provider

// The SLO reader gives sre_slo and sre_slo_status one view of all SLO
// dashboards and their live status per provider process. Terraform refreshes
// at most -parallelism (10) resources at a time, so batching the reads that
// happen to be in flight together still costs a few GetMetricData calls per
// ten SLOs. Instead, the first read lists the slo-* dashboards, reads them,
// and evaluates every SLO found in one packed Fetch; later reads take their
// dashboard body and status from that snapshot. A read whose definition
// differs from the snapshot (or that the snapshot lacks) falls back to the
// coalescing batcher, and writes drop the snapshot entry they touch.

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/sre-provider/terraform-provider-sre/internal/cwapi"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
	"github.com/sre-provider/terraform-provider-sre/internal/slodash"
	"github.com/sre-provider/terraform-provider-sre/internal/slostatus"
)

const (
	// sloSnapshotTTL bounds how long a snapshot serves reads.
	sloSnapshotTTL = time.Minute
	// sloSnapshotMax is the most SLO dashboards a snapshot reads; beyond it
	// (many SLOs from other configurations in the account) reads fall back
	// to the batcher.
	sloSnapshotMax = 1000
	// sloSnapshotWorkers is how many GetDashboard calls run at once.
	sloSnapshotWorkers = 8
)

type sloReader struct {
	cw      *cloudwatch.Client
	batcher *slostatus.Batcher

	mu   sync.Mutex
	snap *sloSnapshot
}

type sloSnapshot struct {
	done    chan struct{}
	at      time.Time
	entries map[string]*sloSnapshotEntry // by SLO name; nil when skipped
}

type sloSnapshotEntry struct {
	body   string
	doc    slo.Document
	docErr error
	res    slostatus.Result
	resErr error
}

var sloReaders sync.Map // *cloudwatch.Client → *sloReader

func sloReaderFor(c *cloudwatch.Client) *sloReader {
	if r, ok := sloReaders.Load(c); ok {
		return r.(*sloReader)
	}
	r, _ := sloReaders.LoadOrStore(c, &sloReader{cw: c, batcher: sloBatcher(c)})
	return r.(*sloReader)
}

// snapshot returns a current snapshot, building one if needed.
func (r *sloReader) snapshot(ctx context.Context) (*sloSnapshot, error) {
	r.mu.Lock()
	s := r.snap
	if s == nil || time.Since(s.at) > sloSnapshotTTL {
		s = &sloSnapshot{done: make(chan struct{}), at: time.Now()}
		r.snap = s
		r.mu.Unlock()
		s.entries = r.build(ctx)
		close(s.done)
		return s, nil
	}
	r.mu.Unlock()
	select {
	case <-s.done:
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (r *sloReader) build(ctx context.Context) map[string]*sloSnapshotEntry {
	var names []string
	p := cloudwatch.NewListDashboardsPaginator(r.cw, &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String(slodash.NamePrefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil // e.g. no cloudwatch:ListDashboards permission: read one by one
		}
		for _, e := range page.DashboardEntries {
			names = append(names, aws.ToString(e.DashboardName))
		}
		if len(names) > sloSnapshotMax {
			return nil
		}
	}
	entries := make(map[string]*sloSnapshotEntry, len(names))
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan string)
	for i := 0; i < sloSnapshotWorkers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for dash := range work {
				out, err := r.cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(dash)})
				if err != nil {
					continue // not in the snapshot: the read asks itself
				}
				e := &sloSnapshotEntry{body: aws.ToString(out.DashboardBody)}
				e.doc, e.docErr = slodash.Parse(e.body)
				if e.docErr == nil && slodash.DashboardName(e.doc.Name) != dash {
					e.docErr = fmt.Errorf("dashboard %s holds the definition of SLO %s", dash, e.doc.Name)
				}
				mu.Lock()
				entries[dash[len(slodash.NamePrefix):]] = e
				mu.Unlock()
			}
		}()
	}
	for _, n := range names {
		work <- n
	}
	close(work)
	wg.Wait()

	var defs []slostatus.Definition
	var owners []*sloSnapshotEntry
	for _, e := range entries {
		if e.docErr != nil {
			continue
		}
		def, err := sloDefinition(e.doc)
		if err != nil {
			e.docErr = err
			continue
		}
		defs = append(defs, def)
		owners = append(owners, e)
	}
	if len(defs) == 0 {
		return entries
	}
	results, errs, _, err := slostatus.Fetch(ctx, cwapi.MetricData{API: r.cw}, sloStatusNow(), defs)
	for i, e := range owners {
		switch {
		case err != nil:
			e.resErr = err
		case errs[i] != nil:
			e.resErr = errs[i]
		default:
			e.res = results[i]
		}
	}
	return entries
}

// errSLODashboardNotFound means the SLO's dashboard does not exist.
var errSLODashboardNotFound = errors.New("dashboard not found")

// dashboard returns the body of the SLO's dashboard, from the snapshot when
// it has it.
func (r *sloReader) dashboard(ctx context.Context, name string) (string, error) {
	if s, err := r.snapshot(ctx); err == nil && s.entries != nil {
		r.mu.Lock()
		e := s.entries[name]
		r.mu.Unlock()
		if e != nil {
			return e.body, nil
		}
	}
	out, err := r.cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(slodash.DashboardName(name))})
	if isDashboardNotFound(err) {
		return "", errSLODashboardNotFound
	}
	if err != nil {
		return "", fmt.Errorf("get dashboard %s: %w", slodash.DashboardName(name), err)
	}
	return aws.ToString(out.DashboardBody), nil
}

// status returns the live status of an SLO with definition doc: from the
// snapshot when it evaluated the same definition, else through the batcher.
func (r *sloReader) status(ctx context.Context, doc slo.Document) (slostatus.Result, error) {
	if s, err := r.snapshot(ctx); err == nil && s.entries != nil {
		r.mu.Lock()
		e := s.entries[doc.Name]
		r.mu.Unlock()
		if e != nil && e.docErr == nil && e.resErr == nil && reflect.DeepEqual(e.doc, doc) {
			return e.res, nil
		}
	}
	def, err := sloDefinition(doc)
	if err != nil {
		return slostatus.Result{}, err
	}
	return r.batcher.Status(ctx, def)
}

// forget drops an SLO from the snapshot after the provider changed it.
func (r *sloReader) forget(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.snap != nil {
		select {
		case <-r.snap.done:
			if r.snap.entries != nil {
				delete(r.snap.entries, name)
			}
		default:
			r.snap = nil // still building: start over next time
		}
	}
}

// Package slostatus reads the live status of SLOs from CloudWatch with as few
// GetMetricData calls as possible.
//
// Query plan. Every SLO needs two kinds of numbers:
//
//   - period totals: good (or bad) and total events over the whole live window
//     of its period. Each is one query whose Period equals the window, so it
//     returns a single datapoint.
//   - burn rates over the trailing status windows (5m … 3d): good and total
//     events as 5-minute sums over the last three days, summed client-side
//     per window.
//
// Time-based latency SLIs instead read one 5-minute percentile series over the
// whole period and derive everything from it.
//
// GetMetricData takes one time range per call but up to 500 queries and
// 100,800 datapoints, so queries are grouped by time range and packed into
// calls under both limits, keeping each SLO's queries (which reference each
// other) in the same call. All rolling SLOs with the same period share calls.
// Ranges end at the last whole 5 minutes, so every window is an exact number
// of buckets.
//
// The package is pure: it plans, packs and evaluates, and reaches CloudWatch
// only through Source, which internal/cwapi implements over the SDK.
package slostatus

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// GetMetricData limits.
const (
	MaxQueriesPerCall    = 500
	MaxDatapointsPerCall = 100_800
)

// Bucket is the resolution of window series and time slices.
const Bucket = slo.TimeSliceSeconds * time.Second

// Source runs one GetMetricData request, all of its pages.
type Source interface {
	GetMetricData(ctx context.Context, req Request) (Response, error)
}

// Request is one GetMetricData request: a time range and its queries.
type Request struct {
	Start, End time.Time
	Queries    []Query
}

// Query is one MetricDataQuery: exactly one of Metric and Expression.
type Query struct {
	ID string
	// Metric carries the statistic in its Statistic field.
	Metric     *slo.Metric
	Period     time.Duration
	Expression string
	ReturnData bool
}

// Response holds the datapoints of every returned query, by id, and the
// number of API calls (pages) the request took, including a failed one.
type Response struct {
	Series map[string][]Point
	Calls  int
}

// Point is one datapoint.
type Point struct {
	At    time.Time
	Value float64
}

// Definition is one SLO to evaluate.
type Definition struct {
	Objective slo.Objective
	Period    slo.Period
	SLI       slo.SLI
}

// Result is the live status of one SLO.
type Result struct {
	slo.Status
	// WindowStart and WindowEnd bound the evaluated period.
	WindowStart, WindowEnd time.Time
}

// query is one MetricDataQuery before ids are assigned per call.
type query struct {
	local      string // id unique within the SLO, e.g. "p_g", "w_g_a"
	metric     *slo.Metric
	period     time.Duration
	expr       string // references other locals of the same SLO as {local}
	returnData bool
	points     int
}

// unit is the queries of one SLO in one time range.
type unit struct {
	slo        int
	start, end time.Time
	queries    []query
}

func (u unit) points() int {
	n := 0
	for _, q := range u.queries {
		n += q.points
	}
	return n
}

// Stats reports what a Fetch cost.
type Stats struct {
	Calls   int // GetMetricData calls, pages included
	Queries int
}

// Fetch evaluates every definition at instant now and returns results in the
// same order. A definition error fails only that SLO; an API error fails the
// whole fetch.
func Fetch(ctx context.Context, src Source, now time.Time, defs []Definition) ([]Result, []error, Stats, error) {
	end := now.UTC().Truncate(Bucket)
	results := make([]Result, len(defs))
	errs := make([]error, len(defs))
	var units []unit
	for i, d := range defs {
		us, err := plan(i, d, end)
		if err != nil {
			errs[i] = err
			continue
		}
		units = append(units, us...)
	}
	data, stats, err := run(ctx, src, units)
	if err != nil {
		return nil, nil, stats, err
	}
	for i, d := range defs {
		if errs[i] != nil {
			continue
		}
		results[i] = evaluate(d, end, data[i])
	}
	return results, errs, stats, nil
}

// series is a returned query result: bucket start → value.
type series map[time.Time]float64

func (s series) sum() float64 {
	t := 0.0
	for _, v := range s {
		t += v
	}
	return t
}

func (s series) sumSince(from time.Time) float64 {
	t := 0.0
	for ts, v := range s {
		if !ts.Before(from) {
			t += v
		}
	}
	return t
}

func liveWindow(p slo.Period, end time.Time) (time.Time, time.Duration) {
	start, length := p.LiveWindow(end)
	return start.Truncate(Bucket), length
}

// statusSpan is the length of the window series: the longest status window.
func statusSpan() time.Duration {
	w := slo.StatusWindows()
	return w[len(w)-1]
}

func plan(i int, d Definition, end time.Time) ([]unit, error) {
	if !d.Objective.Valid() || !d.Period.Valid() {
		return nil, errors.New("objective and period must be valid")
	}
	if errs := slo.ValidateSLI(d.SLI); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	start, _ := liveWindow(d.Period, end)
	if !start.Before(end) {
		// First five minutes of a calendar month: nothing to read yet.
		return nil, nil
	}
	full := end.Sub(start)
	qp, err := slo.PlanQueries(d.SLI)
	if err != nil {
		return nil, err
	}
	if sl := qp.Slices; sl != nil {
		m := sl.Metric
		return []unit{{slo: i, start: start, end: end, queries: []query{{
			local: "p_" + sl.ID, metric: &m, period: Bucket, returnData: true,
			points: int(full / Bucket),
		}}}}, nil
	}
	span := statusSpan()
	totals := unit{slo: i, start: start, end: end, queries: build(qp, "p", full, 1)}
	windows := unit{slo: i, start: end.Add(-span), end: end, queries: build(qp, "w", Bucket, int(span/Bucket))}
	return []unit{totals, windows}, nil
}

// build renders a query plan with the given period; kind is "p" for the
// period totals and "w" for the window series. Only the event series are
// returned; the metrics of an expression are hidden inputs.
func build(qp slo.QueryPlan, kind string, period time.Duration, points int) []query {
	series := map[string]bool{qp.Good: true, qp.Bad: true, qp.Total: true}
	var qs []query
	for _, pq := range qp.Queries {
		q := query{local: kind + "_" + pq.ID, metric: pq.Metric, period: period, returnData: series[pq.ID], points: points}
		if pq.Metric == nil {
			q.expr, _ = slo.RewriteExpression(pq.Expression, func(id string) string { return "{" + kind + "_" + id + "}" }) // planned from a valid SLI
		}
		qs = append(qs, q)
	}
	return qs
}

// call is one packed GetMetricData request.
type call struct {
	start, end time.Time
	units      []unit
}

// pack groups units by time range and fills calls up to both limits.
func pack(units []unit) []call {
	type rng struct{ start, end time.Time }
	groups := map[rng][]unit{}
	var order []rng
	for _, u := range units {
		k := rng{u.start, u.end}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], u)
	}
	sort.Slice(order, func(a, b int) bool {
		if !order[a].start.Equal(order[b].start) {
			return order[a].start.Before(order[b].start)
		}
		return order[a].end.Before(order[b].end)
	})
	var calls []call
	for _, k := range order {
		cur := call{start: k.start, end: k.end}
		nq, np := 0, 0
		for _, u := range groups[k] {
			uq, up := len(u.queries), u.points()
			if len(cur.units) > 0 && (nq+uq > MaxQueriesPerCall || np+up > MaxDatapointsPerCall) {
				calls = append(calls, cur)
				cur = call{start: k.start, end: k.end}
				nq, np = 0, 0
			}
			cur.units = append(cur.units, u)
			nq, np = nq+uq, np+up
		}
		if len(cur.units) > 0 {
			calls = append(calls, cur)
		}
	}
	return calls
}

// sloData maps a returned query's local id (p_g, w_t, …) to its series.
type sloData map[string]series

func run(ctx context.Context, src Source, units []unit) (map[int]sloData, Stats, error) {
	out := map[int]sloData{}
	var st Stats
	type ownerRef struct {
		slo  int
		name string
	}
	for _, c := range pack(units) {
		req := Request{Start: c.start, End: c.end}
		owner := map[string]ownerRef{}
		for _, u := range c.units {
			prefix := "s" + strconv.Itoa(u.slo) + "_"
			for _, q := range u.queries {
				id := prefix + q.local
				rq := Query{ID: id, Metric: q.metric, Period: q.period, ReturnData: q.returnData}
				if q.metric == nil {
					rq.Expression = expandLocals(q.expr, prefix)
				}
				req.Queries = append(req.Queries, rq)
				if q.returnData {
					owner[id] = ownerRef{u.slo, q.local}
				}
			}
		}
		st.Queries += len(req.Queries)
		resp, err := src.GetMetricData(ctx, req)
		st.Calls += resp.Calls
		if err != nil {
			return nil, st, fmt.Errorf("get metric data for %d queries from %s to %s: %w", len(req.Queries), c.start.Format(time.RFC3339), c.end.Format(time.RFC3339), err)
		}
		for id, points := range resp.Series {
			o, ok := owner[id]
			if !ok {
				continue
			}
			if out[o.slo] == nil {
				out[o.slo] = sloData{}
			}
			s := out[o.slo][o.name]
			if s == nil {
				s = series{}
				out[o.slo][o.name] = s
			}
			for _, p := range points {
				if !math.IsNaN(p.Value) {
					s[p.At.UTC()] += p.Value
				}
			}
		}
	}
	return out, st, nil
}

func expandLocals(expr, prefix string) string {
	out := make([]byte, 0, len(expr)+16)
	for i := 0; i < len(expr); i++ {
		if expr[i] == '{' {
			j := i + 1
			for j < len(expr) && expr[j] != '}' {
				j++
			}
			out = append(out, prefix...)
			out = append(out, expr[i+1:j]...)
			i = j
			continue
		}
		out = append(out, expr[i])
	}
	return string(out)
}

func evaluate(d Definition, end time.Time, data sloData) Result {
	start, length := liveWindow(d.Period, end)
	res := Result{WindowStart: start, WindowEnd: end}
	in := slo.StatusInput{Objective: d.Objective, Windows: map[time.Duration]slo.Counts{}}
	qp, _ := slo.PlanQueries(d.SLI) // planned in plan
	if sl := qp.Slices; sl != nil {
		s := data["p_"+sl.ID]
		good := func(from time.Time) slo.Counts {
			c := slo.Counts{}
			for ts, v := range s {
				if ts.Before(from) {
					continue
				}
				c.Total++
				if v <= sl.Threshold {
					c.Good++
				}
			}
			return c
		}
		in.Period = good(start)
		in.BudgetBase = float64(length / Bucket)
		for _, w := range slo.StatusWindows() {
			in.Windows[w] = good(end.Add(-w))
		}
		res.Status = slo.EvaluateStatus(in)
		return res
	}
	counts := func(prefix string, from time.Time, whole bool) slo.Counts {
		get := func(name string) float64 {
			s := data[prefix+name]
			if whole {
				return s.sum()
			}
			return s.sumSince(from)
		}
		total := get(qp.Total)
		if qp.Bad != "" {
			return slo.Counts{Good: math.Max(0, total-get(qp.Bad)), Total: total}
		}
		return slo.Counts{Good: get(qp.Good), Total: total}
	}
	in.Period = counts("p_", start, true)
	for _, w := range slo.StatusWindows() {
		in.Windows[w] = counts("w_", end.Add(-w), false)
	}
	res.Status = slo.EvaluateStatus(in)
	return res
}

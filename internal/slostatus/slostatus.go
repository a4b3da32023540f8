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
package slostatus

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// GetMetricData limits.
const (
	MaxQueriesPerCall    = 500
	MaxDatapointsPerCall = 100_800
)

// Bucket is the resolution of window series and time slices.
const Bucket = slo.TimeSliceSeconds * time.Second

// API is the part of the CloudWatch client the reader uses.
type API interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
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
	local      string // id unique within the SLO, e.g. "g", "g_a"
	stat       *metricStat
	expr       string // references other locals of the same SLO as {local}
	returnData bool
	points     int
}

type metricStat struct {
	metric slo.Metric
	stat   string
	period time.Duration
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
func Fetch(ctx context.Context, api API, now time.Time, defs []Definition) ([]Result, []error, Stats, error) {
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
	data, stats, err := run(ctx, api, units)
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
	if l := d.SLI.Latency; l != nil && l.Percentile != nil {
		stat, _ := slo.PercentileStatistic(*l.Percentile)
		return []unit{{slo: i, start: start, end: end, queries: []query{{
			local: "p_p", stat: &metricStat{metric: l.Metric, stat: stat, period: Bucket}, returnData: true,
			points: int(full / Bucket),
		}}}}, nil
	}
	span := statusSpan()
	winStart := end.Add(-span)
	totals := unit{slo: i, start: start, end: end}
	windows := unit{slo: i, start: winStart, end: end}
	for _, part := range eventQueries(d.SLI) {
		totals.queries = append(totals.queries, part.build("p", full)...)
		windows.queries = append(windows.queries, part.build("w", Bucket)...)
	}
	return []unit{totals, windows}, nil
}

// eventPart is "g"/"b" (good/bad) or "t" (total) events of an SLI.
type eventPart struct {
	name  string
	query slo.Query
}

func eventQueries(s slo.SLI) []eventPart {
	if l := s.Latency; l != nil {
		m := l.Metric
		return []eventPart{
			{name: "g", query: slo.Query{Metrics: []slo.Metric{withStat(m, slo.ThresholdStatistic(l.Threshold))}}},
			{name: "t", query: slo.Query{Metrics: []slo.Metric{withStat(m, "SampleCount")}}},
		}
	}
	r := s.Ratio
	parts := []eventPart{{name: "t", query: *r.Total}}
	if r.Good != nil {
		return append([]eventPart{{name: "g", query: *r.Good}}, parts...)
	}
	return append([]eventPart{{name: "b", query: *r.Bad}}, parts...)
}

func withStat(m slo.Metric, stat string) slo.Metric {
	m.Statistic = stat
	m.ID = ""
	return m
}

// build renders the part as queries with the given period; kind is "p" for
// the period totals and "w" for the window series. A single metric is
// returned directly; an expression gets its metrics as hidden queries and
// every reference wrapped in FILL(…, 0) so a quiet metric counts as zero
// instead of erasing the datapoint.
func (p eventPart) build(kind string, period time.Duration) []query {
	points := 1
	if kind == "w" {
		points = int(statusSpan() / Bucket)
	}
	name := kind + "_" + p.name
	if p.query.Expression == "" {
		return []query{{local: name, stat: &metricStat{metric: p.query.Metrics[0], stat: p.query.Metrics[0].Statistic, period: period}, returnData: true, points: points}}
	}
	var qs []query
	for _, m := range p.query.Metrics {
		qs = append(qs, query{local: name + "_" + m.ID, stat: &metricStat{metric: m, stat: m.Statistic, period: period}, points: points})
	}
	expr, _ := slo.RewriteExpression(p.query.Expression, func(id string) string {
		return "FILL({" + name + "_" + id + "}, 0)"
	}) // validated in plan
	return append(qs, query{local: name, expr: expr, returnData: true, points: points})
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

func run(ctx context.Context, api API, units []unit) (map[int]sloData, Stats, error) {
	out := map[int]sloData{}
	var st Stats
	for _, c := range pack(units) {
		var qs []cwtypes.MetricDataQuery
		owner := map[string]struct {
			slo  int
			name string
		}{}
		for _, u := range c.units {
			prefix := "s" + strconv.Itoa(u.slo) + "_"
			for _, q := range u.queries {
				id := prefix + q.local
				mq := cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(q.returnData)}
				if q.stat != nil {
					mq.MetricStat = &cwtypes.MetricStat{
						Metric: &cwtypes.Metric{Namespace: aws.String(q.stat.metric.Namespace), MetricName: aws.String(q.stat.metric.MetricName), Dimensions: dimensions(q.stat.metric.Dimensions)},
						Period: aws.Int32(int32(q.stat.period / time.Second)),
						Stat:   aws.String(q.stat.stat),
					}
				} else {
					mq.Expression = aws.String(expandLocals(q.expr, prefix))
				}
				qs = append(qs, mq)
				if q.returnData {
					owner[id] = struct {
						slo  int
						name string
					}{u.slo, q.local}
				}
			}
		}
		st.Queries += len(qs)
		in := &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(c.start), EndTime: aws.Time(c.end), MetricDataQueries: qs,
			ScanBy: cwtypes.ScanByTimestampAscending,
		}
		p := cloudwatch.NewGetMetricDataPaginator(api, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			st.Calls++
			if err != nil {
				return nil, st, fmt.Errorf("get metric data for %d queries from %s to %s: %w", len(qs), c.start.Format(time.RFC3339), c.end.Format(time.RFC3339), err)
			}
			for _, r := range page.MetricDataResults {
				o, ok := owner[aws.ToString(r.Id)]
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
				for j, ts := range r.Timestamps {
					if j < len(r.Values) && !math.IsNaN(r.Values[j]) {
						s[ts.UTC()] += r.Values[j]
					}
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

func dimensions(m map[string]string) []cwtypes.Dimension {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]cwtypes.Dimension, 0, len(keys))
	for _, k := range keys {
		out = append(out, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func evaluate(d Definition, end time.Time, data sloData) Result {
	start, length := liveWindow(d.Period, end)
	res := Result{WindowStart: start, WindowEnd: end}
	in := slo.StatusInput{Objective: d.Objective, Windows: map[time.Duration]slo.Counts{}}
	if l := d.SLI.Latency; l != nil && l.Percentile != nil {
		s := data["p_p"]
		good := func(from time.Time) slo.Counts {
			c := slo.Counts{}
			for ts, v := range s {
				if ts.Before(from) {
					continue
				}
				c.Total++
				if v <= l.Threshold {
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
		total := get("t")
		if d.SLI.Ratio != nil && d.SLI.Ratio.Bad != nil {
			return slo.Counts{Good: math.Max(0, total-get("b")), Total: total}
		}
		return slo.Counts{Good: get("g"), Total: total}
	}
	in.Period = counts("p_", start, true)
	for _, w := range slo.StatusWindows() {
		in.Windows[w] = counts("w_", end.Add(-w), false)
	}
	res.Status = slo.EvaluateStatus(in)
	return res
}

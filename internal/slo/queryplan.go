package slo

import (
	"errors"
	"fmt"
)

// QueryPlan is the one description of the CloudWatch queries behind an SLI:
// the dashboard, live status and burn-rate alarms all render from it, so
// they always count the same events. It names series by id and knows
// nothing of periods or time ranges; each renderer adds those.
type QueryPlan struct {
	// Queries produce the event series, in the order they are listed:
	// metrics with their statistic, and expressions over earlier ids.
	Queries []PlannedQuery
	// Good, Bad and Total are the ids of the event series. A ratio SLI
	// sets exactly one of Good and Bad; a request-based latency SLI sets
	// Good. All three are empty for a time-based SLI.
	Good, Bad, Total string
	// Slices is set, instead of the event series, for a time-based latency
	// SLI: each TimeSliceSeconds slice is good when the percentile is at or
	// under the threshold.
	Slices *SlicePlan
}

// PlannedQuery is one query of a plan: exactly one of Metric and Expression.
type PlannedQuery struct {
	ID string
	// Metric has its Statistic set and no ID.
	Metric *Metric
	// Expression is metric math over the ids of earlier queries.
	Expression string
}

// SlicePlan is the percentile series of a time-based latency SLI.
type SlicePlan struct {
	ID        string
	Metric    Metric // Statistic is the percentile, e.g. "p99"
	Threshold float64
}

// Event series ids of a plan; the queries behind an expression are named
// "<series>_<metric id>".
const (
	GoodSeries  = "g"
	BadSeries   = "b"
	TotalSeries = "t"
	SliceSeries = "p"
)

// PlanQueries returns the query plan of a valid SLI. Every metric reference
// of a user expression is wrapped in FILL(…, 0), so a metric that is quiet in
// a period counts as zero instead of erasing the datapoint.
func PlanQueries(s SLI) (QueryPlan, error) {
	if errs := ValidateSLI(s); len(errs) > 0 {
		return QueryPlan{}, fmt.Errorf("plan SLI queries: %w", errors.Join(errs...))
	}
	var p QueryPlan
	if l := s.Latency; l != nil {
		m := l.Metric
		m.ID = ""
		if l.Percentile != nil {
			stat, _ := PercentileStatistic(*l.Percentile) // validated above
			m.Statistic = stat
			p.Slices = &SlicePlan{ID: SliceSeries, Metric: m, Threshold: l.Threshold}
			return p, nil
		}
		good, total := m, m
		good.Statistic = ThresholdStatistic(l.Threshold)
		total.Statistic = "SampleCount"
		p.Queries = []PlannedQuery{{ID: GoodSeries, Metric: &good}, {ID: TotalSeries, Metric: &total}}
		p.Good, p.Total = GoodSeries, TotalSeries
		return p, nil
	}
	r := s.Ratio
	add := func(id string, q Query) error {
		if q.Expression == "" {
			m := q.Metrics[0]
			m.ID = ""
			p.Queries = append(p.Queries, PlannedQuery{ID: id, Metric: &m})
			return nil
		}
		for _, m := range q.Metrics {
			mid := id + "_" + m.ID
			m.ID = ""
			p.Queries = append(p.Queries, PlannedQuery{ID: mid, Metric: &m})
		}
		expr, err := RewriteExpression(q.Expression, func(ref string) string { return "FILL(" + id + "_" + ref + ", 0)" })
		if err != nil {
			return err
		}
		p.Queries = append(p.Queries, PlannedQuery{ID: id, Expression: expr})
		return nil
	}
	if err := add(TotalSeries, *r.Total); err != nil {
		return QueryPlan{}, fmt.Errorf("plan SLI queries: total: %w", err)
	}
	p.Total = TotalSeries
	if r.Good != nil {
		p.Good = GoodSeries
		if err := add(GoodSeries, *r.Good); err != nil {
			return QueryPlan{}, fmt.Errorf("plan SLI queries: good: %w", err)
		}
		return p, nil
	}
	p.Bad = BadSeries
	if err := add(BadSeries, *r.Bad); err != nil {
		return QueryPlan{}, fmt.Errorf("plan SLI queries: bad: %w", err)
	}
	return p, nil
}

// Metrics counts the metric queries of the plan (CloudWatch limits how many
// an alarm may use).
func (p QueryPlan) Metrics() int {
	n := 0
	for _, q := range p.Queries {
		if q.Metric != nil {
			n++
		}
	}
	return n
}

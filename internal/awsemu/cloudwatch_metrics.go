package awsemu

// CloudWatch metric data: PutMetricData stores samples, GetMetricData
// aggregates them into periods and evaluates metric math over the results.
// Every time bound reads the emulator clock: samples timestamped after "now"
// are not visible yet, and PutMetricData accepts timestamps from two weeks
// before to two hours after "now", as CloudWatch does.

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CloudWatch metric data limits the emulator enforces.
const (
	maxPutMetricDatums      = 1000
	maxValuesPerDatum       = 150
	maxDimensionsPerMetric  = 30
	maxMetricDataQueries    = 500
	maxDatapointsPerRequest = 100_800
	putMetricDataPast       = 14 * 24 * time.Hour
	putMetricDataFuture     = 2 * time.Hour
)

func init() {
	cloudWatchOps["PutMetricData"] = cborOp((*Server).cwPutMetricData)
	cloudWatchOps["GetMetricData"] = cborOp((*Server).cwGetMetricData)
}

// metricSample is one PutMetricData datum: either raw values with counts, or
// a statistic set (then percentiles and trimmed counts are unavailable).
type metricSample struct {
	ts                   time.Time
	count, sum, min, max float64
	values, counts       []float64 // raw samples, nil for statistic sets
}

type metricSeries struct {
	namespace, name string
	dims            map[string]string
	samples         []metricSample // in timestamp order
}

// add inserts a sample in timestamp order, after samples with the same
// timestamp. Samples mostly arrive in order, so this is usually an append.
func (ser *metricSeries) add(smp metricSample) {
	n := len(ser.samples)
	if n == 0 || !smp.ts.Before(ser.samples[n-1].ts) {
		ser.samples = append(ser.samples, smp)
		return
	}
	i := sort.Search(n, func(i int) bool { return ser.samples[i].ts.After(smp.ts) })
	ser.samples = slices.Insert(ser.samples, i, smp)
}

type metricStore struct {
	series map[string]*metricSeries // metricKey → series
}

// metrics returns the server's metric store; callers hold the server mutex.
func (s *Server) metrics() *metricStore {
	if s.rs.cw.metrics == nil {
		s.rs.cw.metrics = &metricStore{series: map[string]*metricSeries{}}
	}
	return s.rs.cw.metrics
}

func metricKey(namespace, name string, dims map[string]string) string {
	var b strings.Builder
	b.WriteString(namespace)
	b.WriteByte(0)
	b.WriteString(name)
	for _, k := range sortedKeys(dims) {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(dims[k])
	}
	return b.String()
}

func decodeDimensions(list []Doc, where string) (map[string]string, error) {
	if len(list) > maxDimensionsPerMetric {
		return nil, cwInvalidValue("%s: at most %d dimensions are allowed", where, maxDimensionsPerMetric)
	}
	dims := map[string]string{}
	for _, d := range list {
		n, v := dstr(d, "Name"), dstr(d, "Value")
		if n == "" {
			return nil, cwMissing(where + ".Dimensions.member.Name")
		}
		if v == "" {
			return nil, cwMissing(where + ".Dimensions.member.Value")
		}
		if _, dup := dims[n]; dup {
			return nil, cwInvalidValue("%s: dimension %s is given more than once", where, n)
		}
		dims[n] = v
	}
	return dims, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func (s *Server) cwPutMetricData(in Doc) (Doc, error) {
	ns := dstr(in, "Namespace")
	if ns == "" {
		return nil, cwMissing("Namespace")
	}
	if strings.HasPrefix(ns, "AWS/") {
		return nil, cwInvalidValue("The value %s for parameter Namespace is invalid: the AWS/ prefix is reserved for AWS services", ns)
	}
	data := ddocs(in, "MetricData")
	if len(data) == 0 {
		return nil, cwMissing("MetricData")
	}
	if len(data) > maxPutMetricDatums {
		return nil, cwInvalidValue("The collection MetricData must not have a size greater than %d", maxPutMetricDatums)
	}
	now := s.clock.Now()
	type pending struct {
		key    string
		series *metricSeries
		sample metricSample
	}
	var batch []pending
	for i, d := range data {
		where := fmt.Sprintf("MetricData.member.%d", i+1)
		name := dstr(d, "MetricName")
		if name == "" {
			return nil, cwMissing(where + ".MetricName")
		}
		dims, err := decodeDimensions(ddocs(d, "Dimensions"), where)
		if err != nil {
			return nil, err
		}
		ts, ok := dtime(d, "Timestamp")
		if !ok {
			ts = now
		}
		if ts.Before(now.Add(-putMetricDataPast)) || ts.After(now.Add(putMetricDataFuture)) {
			return nil, cwInvalidValue("%s.Timestamp %s must be within two weeks before and two hours after the current time %s",
				where, ts.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		sample, err := decodeSample(d, where)
		if err != nil {
			return nil, err
		}
		sample.ts = ts
		batch = append(batch, pending{key: metricKey(ns, name, dims), series: &metricSeries{namespace: ns, name: name, dims: dims}, sample: sample})
	}
	// All datums are valid: store them (a request is all or nothing).
	for _, p := range batch {
		s.storeSample(p.key, p.series, p.sample)
	}
	return Doc{}, nil
}

// storeSample adds a sample to the series under key, creating the series
// (from proto) on first use. Callers hold the server mutex.
func (s *Server) storeSample(key string, proto *metricSeries, smp metricSample) {
	store := s.metrics()
	ser, ok := store.series[key]
	if !ok {
		ser = proto
		store.series[key] = ser
	}
	ser.add(smp)
}

func decodeSample(d Doc, where string) (metricSample, error) {
	value, hasValue := dfloat(d, "Value")
	stats := ddoc(d, "StatisticValues")
	values := dlist(d, "Values")
	given := 0
	for _, b := range []bool{hasValue, stats != nil, len(values) > 0} {
		if b {
			given++
		}
	}
	if given != 1 {
		return metricSample{}, cwCombination("%s: exactly one of Value, StatisticValues and Values must be specified", where)
	}
	switch {
	case hasValue:
		if !finite(value) {
			return metricSample{}, cwInvalidValue("%s.Value must be a finite number", where)
		}
		return metricSample{count: 1, sum: value, min: value, max: value, values: []float64{value}, counts: []float64{1}}, nil
	case stats != nil:
		var f [4]float64
		for i, k := range []string{"SampleCount", "Sum", "Minimum", "Maximum"} {
			v, ok := dfloat(stats, k)
			if !ok {
				return metricSample{}, cwMissing(where + ".StatisticValues." + k)
			}
			if !finite(v) {
				return metricSample{}, cwInvalidValue("%s.StatisticValues.%s must be a finite number", where, k)
			}
			f[i] = v
		}
		if f[0] <= 0 || f[2] > f[3] {
			return metricSample{}, cwInvalidValue("%s.StatisticValues: SampleCount must be positive and Minimum at most Maximum", where)
		}
		return metricSample{count: f[0], sum: f[1], min: f[2], max: f[3]}, nil
	}
	if len(values) > maxValuesPerDatum {
		return metricSample{}, cwInvalidValue("%s.Values: at most %d values are allowed", where, maxValuesPerDatum)
	}
	counts := dlist(d, "Counts")
	if len(counts) > 0 && len(counts) != len(values) {
		return metricSample{}, cwInvalidValue("%s: Values and Counts must have the same length", where)
	}
	smp := metricSample{min: math.Inf(1), max: math.Inf(-1)}
	for i, raw := range values {
		v, ok := toFloat(raw)
		if !ok || !finite(v) {
			return metricSample{}, cwInvalidValue("%s.Values.member.%d must be a finite number", where, i+1)
		}
		c := 1.0
		if len(counts) > 0 {
			if c, ok = toFloat(counts[i]); !ok || !finite(c) || c < 0 {
				return metricSample{}, cwInvalidValue("%s.Counts.member.%d must be a non-negative number", where, i+1)
			}
		}
		smp.values = append(smp.values, v)
		smp.counts = append(smp.counts, c)
		smp.count += c
		smp.sum += v * c
		smp.min = math.Min(smp.min, v)
		smp.max = math.Max(smp.max, v)
	}
	return smp, nil
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// mseries is a query result on a bucket grid: bucket k covers
// [start + k·period, start + (k+1)·period).
type mseries struct {
	period int64
	vals   []float64
	ok     []bool
}

// mvalue is a metric math value: a scalar or a time series.
type mvalue struct {
	scalar float64
	series *mseries
}

type metricQuery struct {
	id, expr, label string
	returnData      bool
	node            mathNode // parsed expr
	// metric stat
	key    string
	stat   string
	statFn statFunc
	period int64
}

func (s *Server) cwGetMetricData(in Doc) (Doc, error) {
	start, ok := dtime(in, "StartTime")
	if !ok {
		return nil, cwMissing("StartTime")
	}
	end, ok := dtime(in, "EndTime")
	if !ok {
		return nil, cwMissing("EndTime")
	}
	start = start.UTC().Truncate(time.Minute)
	end = end.UTC()
	if !start.Before(end) {
		return nil, errValidation("The parameter StartTime must be less than the parameter EndTime.")
	}
	scanBy := dstr(in, "ScanBy")
	if scanBy == "" {
		scanBy = "TimestampDescending"
	}
	if scanBy != "TimestampDescending" && scanBy != "TimestampAscending" {
		return nil, errValidation("ScanBy must be TimestampDescending or TimestampAscending")
	}
	maxPoints := int64(maxDatapointsPerRequest)
	if m, ok := dint(in, "MaxDatapoints"); ok && m > 0 && m < maxPoints {
		maxPoints = m
	}
	raw := ddocs(in, "MetricDataQueries")
	if len(raw) == 0 {
		return nil, cwMissing("MetricDataQueries")
	}
	if len(raw) > maxMetricDataQueries {
		return nil, errValidation("The collection MetricDataQueries must not have a size greater than %d.", maxMetricDataQueries)
	}
	queries := make([]*metricQuery, 0, len(raw))
	byID := map[string]*metricQuery{}
	anyReturn := false
	for i, q := range raw {
		mq, err := decodeMetricQuery(q, i)
		if err != nil {
			return nil, err
		}
		if byID[mq.id] != nil {
			return nil, errValidation("The values for parameter id in MetricDataQueries are not unique: %s", mq.id)
		}
		byID[mq.id] = mq
		queries = append(queries, mq)
		anyReturn = anyReturn || mq.returnData
	}
	if !anyReturn {
		return nil, errValidation("At least one MetricDataQuery must have ReturnData set to true")
	}

	ev := &mathEval{server: s, start: start, end: end, now: s.clock.Now(), queries: byID, results: map[string]mvalue{}, visiting: map[string]bool{}}
	type result struct {
		q      *metricQuery
		ts     []time.Time
		values []float64
	}
	var results []result
	total := int64(0)
	for _, q := range queries {
		if !q.returnData {
			continue
		}
		v, err := ev.value(q.id)
		if err != nil {
			return nil, err
		}
		r := result{q: q}
		if v.series == nil {
			return nil, errValidation("Error in expression %s: the expression returns a single value, not a time series", q.id)
		}
		for k := range v.series.vals {
			if v.series.ok[k] {
				r.ts = append(r.ts, start.Add(time.Duration(int64(k)*v.series.period)*time.Second))
				r.values = append(r.values, v.series.vals[k])
			}
		}
		if scanBy == "TimestampDescending" {
			for i, j := 0, len(r.ts)-1; i < j; i, j = i+1, j-1 {
				r.ts[i], r.ts[j] = r.ts[j], r.ts[i]
				r.values[i], r.values[j] = r.values[j], r.values[i]
			}
		}
		total += int64(len(r.ts))
		results = append(results, r)
	}

	// Paging: NextToken is the offset into the concatenation of all results.
	offset := int64(0)
	if tok := dstr(in, "NextToken"); tok != "" {
		n, err := strconv.ParseInt(tok, 10, 64)
		if err != nil || n < 0 || n > total {
			return nil, cwInvalidValue("The value %s for parameter NextToken is invalid.", tok)
		}
		offset = n
	}
	out := make([]any, 0, len(results))
	pos := int64(0)
	for _, r := range results {
		n := int64(len(r.ts))
		lo := min(max(offset-pos, 0), n)
		hi := min(max(offset+maxPoints-pos, 0), n)
		pos += n
		status := "Complete"
		if hi < n {
			status = "PartialData"
		}
		label := r.q.label
		if label == "" {
			label = r.q.id
		}
		out = append(out, Doc{
			"Id": r.q.id, "Label": label, "StatusCode": status,
			"Timestamps": r.ts[lo:hi], "Values": r.values[lo:hi],
		})
	}
	resp := Doc{"MetricDataResults": out, "Messages": []any{}}
	if offset+maxPoints < total {
		resp["NextToken"] = strconv.FormatInt(offset+maxPoints, 10)
	}
	return resp, nil
}

func decodeMetricQuery(q Doc, i int) (*metricQuery, error) {
	where := fmt.Sprintf("MetricDataQueries.member.%d", i+1)
	mq := &metricQuery{id: dstr(q, "Id"), expr: dstr(q, "Expression"), label: dstr(q, "Label"), returnData: true}
	if rd, ok := dbool(q, "ReturnData"); ok {
		mq.returnData = rd
	}
	if !metricQueryID.MatchString(mq.id) || len(mq.id) > 255 {
		return nil, errValidation("%s.Id %q must start with a lowercase letter and contain only letters, digits and underscores", where, mq.id)
	}
	ms := ddoc(q, "MetricStat")
	if (ms == nil) == (mq.expr == "") {
		return nil, errValidation("%s: exactly one of MetricStat and Expression must be specified", where)
	}
	if ms == nil {
		if p, ok := dint(q, "Period"); ok && !validPeriod(p) {
			return nil, errValidation("%s.Period must be 10, 20, 30 or a multiple of 60", where)
		}
		node, err := parseMathExpr(mq.expr)
		if err != nil {
			return nil, errValidation("Error in expression %s: %v", mq.id, err)
		}
		mq.node = node
		return mq, nil
	}
	m := ddoc(ms, "Metric")
	ns, name := dstr(m, "Namespace"), dstr(m, "MetricName")
	if ns == "" || name == "" {
		return nil, cwMissing(where + ".MetricStat.Metric.Namespace and MetricName")
	}
	dims, err := decodeDimensions(ddocs(m, "Dimensions"), where+".MetricStat.Metric")
	if err != nil {
		return nil, err
	}
	mq.key = metricKey(ns, name, dims)
	period, ok := dint(ms, "Period")
	if !ok {
		return nil, cwMissing(where + ".MetricStat.Period")
	}
	if !validPeriod(period) {
		return nil, errValidation("%s.MetricStat.Period must be 10, 20, 30 or a multiple of 60", where)
	}
	mq.period = period
	mq.stat = dstr(ms, "Stat")
	if mq.statFn, err = parseStat(mq.stat); err != nil {
		return nil, errValidation("%s.MetricStat.Stat: %v", where, err)
	}
	return mq, nil
}

// statFunc aggregates the samples of one bucket; ok=false means no datapoint.
type statFunc func([]metricSample) (float64, bool)

func parseStat(stat string) (statFunc, error) {
	switch stat {
	case "Sum", "SampleCount":
		count := stat == "SampleCount"
		return func(ss []metricSample) (float64, bool) {
			total := 0.0
			for _, s := range ss {
				if count {
					total += s.count
				} else {
					total += s.sum
				}
			}
			return total, true
		}, nil
	case "Average":
		return func(ss []metricSample) (float64, bool) {
			var sum, n float64
			for _, s := range ss {
				sum, n = sum+s.sum, n+s.count
			}
			return sum / n, n > 0
		}, nil
	case "Minimum", "Maximum":
		isMin := stat == "Minimum"
		return func(ss []metricSample) (float64, bool) {
			v := ss[0].max
			if isMin {
				v = ss[0].min
			}
			for _, s := range ss[1:] {
				if isMin {
					v = math.Min(v, s.min)
				} else {
					v = math.Max(v, s.max)
				}
			}
			return v, true
		}, nil
	}
	if strings.HasPrefix(stat, "p") {
		p, err := strconv.ParseFloat(stat[1:], 64)
		if err != nil || p <= 0 || p > 100 || !finite(p) {
			return nil, fmt.Errorf("percentile statistic %q must be p followed by a number above 0 and at most 100", stat)
		}
		return func(ss []metricSample) (float64, bool) { return percentile(ss, p) }, nil
	}
	if strings.HasPrefix(stat, "TC(") && strings.HasSuffix(stat, ")") {
		lo, hi, err := parseBounds(stat[3 : len(stat)-1])
		if err != nil {
			return nil, fmt.Errorf("trimmed count statistic %q: %w", stat, err)
		}
		return func(ss []metricSample) (float64, bool) {
			n := 0.0
			for _, s := range ss {
				if s.values == nil {
					return 0, false // statistic sets carry no raw values
				}
				for i, v := range s.values {
					if v > lo && v <= hi {
						n += s.counts[i]
					}
				}
			}
			return n, true
		}, nil
	}
	return nil, fmt.Errorf("%q is not a supported statistic (SampleCount, Average, Sum, Minimum, Maximum, pNN, TC(lo:hi))", stat)
}

// parseBounds parses absolute "lo:hi" bounds where either side may be empty.
func parseBounds(s string) (lo, hi float64, err error) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("bounds must be written lo:hi")
	}
	lo, hi = math.Inf(-1), math.Inf(1)
	if a != "" {
		if lo, err = strconv.ParseFloat(a, 64); err != nil || strings.HasSuffix(a, "%") {
			return 0, 0, fmt.Errorf("lower bound %q must be an absolute number", a)
		}
	}
	if b != "" {
		if hi, err = strconv.ParseFloat(b, 64); err != nil {
			return 0, 0, fmt.Errorf("upper bound %q must be an absolute number", b)
		}
	}
	if lo >= hi {
		return 0, 0, fmt.Errorf("lower bound must be below the upper bound")
	}
	return lo, hi, nil
}

// percentile is the nearest-rank percentile over raw values weighted by
// their counts.
func percentile(ss []metricSample, p float64) (float64, bool) {
	type vc struct{ v, c float64 }
	var all []vc
	total := 0.0
	for _, s := range ss {
		if s.values == nil {
			return 0, false
		}
		for i, v := range s.values {
			if s.counts[i] > 0 {
				all = append(all, vc{v, s.counts[i]})
				total += s.counts[i]
			}
		}
	}
	if total == 0 {
		return 0, false
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	rank := math.Ceil(p / 100 * total)
	seen := 0.0
	for _, e := range all {
		seen += e.c
		if seen >= rank {
			return e.v, true
		}
	}
	return all[len(all)-1].v, true
}

// fetch aggregates one metric onto the bucket grid of [start, end), from the
// samples timestamped at or before now.
func (s *Server) fetch(q *metricQuery, start, end, now time.Time) *mseries {
	n := int(math.Ceil(end.Sub(start).Seconds() / float64(q.period)))
	out := &mseries{period: q.period, vals: make([]float64, n), ok: make([]bool, n)}
	ser := s.metrics().series[q.key]
	if ser == nil {
		return out
	}
	ss := ser.samples
	i := sort.Search(len(ss), func(i int) bool { return !ss[i].ts.Before(start) })
	hi := sort.Search(len(ss), func(i int) bool { return !ss[i].ts.Before(end) || ss[i].ts.After(now) })
	period := time.Duration(q.period) * time.Second
	for k := 0; k < n && i < hi; k++ {
		bucketEnd := start.Add(time.Duration(k+1) * period)
		j := i
		for j < hi && ss[j].ts.Before(bucketEnd) {
			j++
		}
		if j > i {
			out.vals[k], out.ok[k] = q.statFn(ss[i:j])
		}
		i = j
	}
	return out
}

// mathEval evaluates queries by id, resolving expressions that reference
// other queries, with cycle detection.
type mathEval struct {
	server     *Server
	start, end time.Time
	now        time.Time
	queries    map[string]*metricQuery
	results    map[string]mvalue
	visiting   map[string]bool
}

func (e *mathEval) value(id string) (mvalue, error) {
	if v, ok := e.results[id]; ok {
		return v, nil
	}
	q := e.queries[id]
	if q == nil {
		return mvalue{}, errValidation("Error in expression: unknown metric id %s", id)
	}
	if e.visiting[id] {
		return mvalue{}, errValidation("Error in expression %s: circular reference", id)
	}
	e.visiting[id] = true
	defer delete(e.visiting, id)
	var v mvalue
	if q.node == nil {
		v = mvalue{series: e.server.fetch(q, e.start, e.end, e.now)}
	} else {
		var err error
		if v, err = q.node.eval(e); err != nil {
			return mvalue{}, errValidation("Error in expression %s: %v", id, err)
		}
	}
	e.results[id] = v
	return v, nil
}

// maybeGunzip undoes the gzip request compression the SDK applies to large
// PutMetricData bodies.
func maybeGunzip(r *http.Request, body []byte) ([]byte, error) {
	if !strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		return body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("gzip body: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("gzip body: %w", err)
	}
	return out, nil
}

// Metric math: numbers, query ids, + - * /, comparisons (< <= > >= == !=),
// AND, OR, parentheses, and the functions FILL(x, value), IF(cond, a[, b]),
// ABS(x), and SUM/AVG/MIN/MAX (over several arguments per timestamp, or over
// one series to a scalar). Series combine timestamp by timestamp; a missing
// datapoint in an operand is missing in the result, and so is a division by
// zero.

type mathNode interface {
	eval(e *mathEval) (mvalue, error)
}

type numNode float64
type refNode string
type unaryNode struct{ x mathNode }
type binNode struct {
	op   string
	l, r mathNode
}
type callNode struct {
	fn   string
	args []mathNode
}

type mathParser struct {
	toks []string
	pos  int
}

func tokenizeMath(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				(s[j] == '-' || s[j] == '+') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		case strings.ContainsRune("<>=!", rune(c)) && i+1 < len(s) && s[i+1] == '=':
			toks = append(toks, s[i:i+2])
			i += 2
		case strings.ContainsRune("+-*/(),<>[]", rune(c)):
			toks = append(toks, string(c))
			i++
		default:
			return nil, fmt.Errorf("unexpected character %q", c)
		}
	}
	return toks, nil
}

func parseMathExpr(s string) (mathNode, error) {
	toks, err := tokenizeMath(s)
	if err != nil {
		return nil, err
	}
	p := &mathParser{toks: toks}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	return n, nil
}

func (p *mathParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *mathParser) next() string { t := p.peek(); p.pos++; return t }

func (p *mathParser) binary(ops []string, sub func() (mathNode, error)) (mathNode, error) {
	l, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		op := p.peek()
		found := false
		for _, o := range ops {
			if op == o {
				found = true
			}
		}
		if !found {
			return l, nil
		}
		p.pos++
		r, err := sub()
		if err != nil {
			return nil, err
		}
		l = binNode{op: op, l: l, r: r}
	}
}

func (p *mathParser) parseOr() (mathNode, error)  { return p.binary([]string{"OR"}, p.parseAnd) }
func (p *mathParser) parseAnd() (mathNode, error) { return p.binary([]string{"AND"}, p.parseCmp) }
func (p *mathParser) parseCmp() (mathNode, error) {
	return p.binary([]string{"<", "<=", ">", ">=", "==", "!="}, p.parseAdd)
}
func (p *mathParser) parseAdd() (mathNode, error) { return p.binary([]string{"+", "-"}, p.parseMul) }
func (p *mathParser) parseMul() (mathNode, error) { return p.binary([]string{"*", "/"}, p.parseUnary) }

func (p *mathParser) parseUnary() (mathNode, error) {
	if p.peek() == "-" {
		p.pos++
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return unaryNode{x: x}, nil
	}
	return p.parsePrimary()
}

var mathFunctions = map[string]bool{"FILL": true, "IF": true, "ABS": true, "SUM": true, "AVG": true, "MIN": true, "MAX": true}

func (p *mathParser) parsePrimary() (mathNode, error) {
	t := p.next()
	switch {
	case t == "":
		return nil, fmt.Errorf("unexpected end of expression")
	case t == "(":
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("missing ')'")
		}
		return n, nil
	case t == "[":
		args, err := p.list("]")
		if err != nil {
			return nil, err
		}
		return callNode{fn: "[]", args: args}, nil
	case t[0] >= '0' && t[0] <= '9' || t[0] == '.':
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid number %q", t)
		}
		return numNode(f), nil
	case p.peek() == "(":
		if !mathFunctions[t] {
			return nil, fmt.Errorf("unsupported function %s", t)
		}
		p.pos++
		args, err := p.list(")")
		if err != nil {
			return nil, err
		}
		return callNode{fn: t, args: args}, nil
	case metricQueryID.MatchString(t):
		return refNode(t), nil
	}
	return nil, fmt.Errorf("unexpected %q", t)
}

func (p *mathParser) list(closer string) ([]mathNode, error) {
	var args []mathNode
	if p.peek() == closer {
		p.pos++
		return args, nil
	}
	for {
		a, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		switch p.next() {
		case ",":
		case closer:
			return args, nil
		default:
			return nil, fmt.Errorf("missing %q", closer)
		}
	}
}

func (n numNode) eval(*mathEval) (mvalue, error) { return mvalue{scalar: float64(n)}, nil }

func (n refNode) eval(e *mathEval) (mvalue, error) {
	if e.queries[string(n)] == nil {
		return mvalue{}, fmt.Errorf("unknown metric id %s", string(n))
	}
	v, err := e.value(string(n))
	if ae, ok := err.(*APIError); ok {
		return mvalue{}, fmt.Errorf("%s", ae.Message)
	}
	return v, err
}

func (n unaryNode) eval(e *mathEval) (mvalue, error) {
	x, err := n.x.eval(e)
	if err != nil {
		return mvalue{}, err
	}
	return mapSeries(x, func(v float64) (float64, bool) { return -v, true }), nil
}

func mapSeries(x mvalue, f func(float64) (float64, bool)) mvalue {
	if x.series == nil {
		v, _ := f(x.scalar)
		return mvalue{scalar: v}
	}
	out := &mseries{period: x.series.period, vals: make([]float64, len(x.series.vals)), ok: make([]bool, len(x.series.ok))}
	for k := range out.vals {
		if x.series.ok[k] {
			out.vals[k], out.ok[k] = f(x.series.vals[k])
		}
	}
	return mvalue{series: out}
}

// combine applies f timestamp by timestamp to operands that are scalars or
// series on the same grid.
func combine(args []mvalue, f func([]float64) (float64, bool)) (mvalue, error) {
	var grid *mseries
	for _, a := range args {
		if a.series == nil {
			continue
		}
		if grid != nil && grid.period != a.series.period {
			return mvalue{}, fmt.Errorf("time series with periods %d and %d cannot be combined", grid.period, a.series.period)
		}
		grid = a.series
	}
	xs := make([]float64, len(args))
	if grid == nil {
		for i, a := range args {
			xs[i] = a.scalar
		}
		v, ok := f(xs)
		if !ok {
			v = math.NaN()
		}
		return mvalue{scalar: v}, nil
	}
	out := &mseries{period: grid.period, vals: make([]float64, len(grid.vals)), ok: make([]bool, len(grid.vals))}
	for k := range out.vals {
		present := true
		for i, a := range args {
			if a.series == nil {
				xs[i] = a.scalar
				continue
			}
			if !a.series.ok[k] {
				present = false
				break
			}
			xs[i] = a.series.vals[k]
		}
		if present {
			out.vals[k], out.ok[k] = f(xs)
		}
	}
	return mvalue{series: out}, nil
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (n binNode) eval(e *mathEval) (mvalue, error) {
	l, err := n.l.eval(e)
	if err != nil {
		return mvalue{}, err
	}
	r, err := n.r.eval(e)
	if err != nil {
		return mvalue{}, err
	}
	return combine([]mvalue{l, r}, func(x []float64) (float64, bool) {
		a, b := x[0], x[1]
		switch n.op {
		case "+":
			return a + b, true
		case "-":
			return a - b, true
		case "*":
			return a * b, true
		case "/":
			return a / b, b != 0
		case "<":
			return boolf(a < b), true
		case "<=":
			return boolf(a <= b), true
		case ">":
			return boolf(a > b), true
		case ">=":
			return boolf(a >= b), true
		case "==":
			return boolf(a == b), true
		case "!=":
			return boolf(a != b), true
		case "AND":
			return boolf(a != 0 && b != 0), true
		default: // OR
			return boolf(a != 0 || b != 0), true
		}
	})
}

func (n callNode) eval(e *mathEval) (mvalue, error) {
	nodes := n.args
	if arr, ok := singleArray(nodes); ok && n.fn != "[]" && n.fn != "FILL" && n.fn != "IF" && n.fn != "ABS" {
		// SUM([a, b]) is SUM(a, b): per timestamp over the array.
		if len(arr.args) == 0 {
			return mvalue{}, fmt.Errorf("%s of an empty array", n.fn)
		}
		nodes = arr.args
		if len(nodes) == 1 {
			v, err := nodes[0].eval(e)
			if err != nil {
				return mvalue{}, err
			}
			return v, nil
		}
	}
	args := make([]mvalue, len(nodes))
	for i, a := range nodes {
		v, err := a.eval(e)
		if err != nil {
			return mvalue{}, err
		}
		args[i] = v
	}
	switch n.fn {
	case "FILL":
		if len(args) != 2 || args[1].series != nil {
			return mvalue{}, fmt.Errorf("FILL takes a time series and a number")
		}
		if args[0].series == nil {
			return args[0], nil
		}
		in := args[0].series
		out := &mseries{period: in.period, vals: make([]float64, len(in.vals)), ok: make([]bool, len(in.vals))}
		for k := range out.vals {
			out.ok[k] = true
			out.vals[k] = args[1].scalar
			if in.ok[k] {
				out.vals[k] = in.vals[k]
			}
		}
		return mvalue{series: out}, nil
	case "ABS":
		if len(args) != 1 {
			return mvalue{}, fmt.Errorf("ABS takes one argument")
		}
		return mapSeries(args[0], func(v float64) (float64, bool) { return math.Abs(v), true }), nil
	case "IF":
		if len(args) != 2 && len(args) != 3 {
			return mvalue{}, fmt.Errorf("IF takes a condition and one or two values")
		}
		hasElse := len(args) == 3
		return combine(args, func(x []float64) (float64, bool) {
			if x[0] != 0 {
				return x[1], true
			}
			if hasElse {
				return x[2], true
			}
			return 0, false
		})
	case "[]":
		if len(args) == 1 {
			return args[0], nil
		}
		return mvalue{}, fmt.Errorf("arrays of time series are only supported as the argument of SUM, AVG, MIN or MAX")
	}
	// SUM, AVG, MIN, MAX
	if _, isArray := singleArray(n.args); len(args) == 1 && !isArray {
		// one series reduces to a scalar over all its datapoints
		var xs []float64
		if args[0].series == nil {
			xs = []float64{args[0].scalar}
		} else {
			for k, ok := range args[0].series.ok {
				if ok {
					xs = append(xs, args[0].series.vals[k])
				}
			}
		}
		v, ok := reduce(n.fn, xs)
		if !ok {
			v = math.NaN()
		}
		return mvalue{scalar: v}, nil
	}
	if len(args) == 0 {
		return mvalue{}, fmt.Errorf("%s needs at least one argument", n.fn)
	}
	return combine(args, func(x []float64) (float64, bool) { return reduce(n.fn, x) })
}

func reduce(fn string, xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, fn == "SUM"
	}
	acc := xs[0]
	for _, x := range xs[1:] {
		switch fn {
		case "SUM", "AVG":
			acc += x
		case "MIN":
			acc = math.Min(acc, x)
		case "MAX":
			acc = math.Max(acc, x)
		}
	}
	if fn == "AVG" {
		acc /= float64(len(xs))
	}
	return acc, true
}

func singleArray(nodes []mathNode) (callNode, bool) {
	if len(nodes) != 1 {
		return callNode{}, false
	}
	arr, ok := nodes[0].(callNode)
	return arr, ok && arr.fn == "[]"
}

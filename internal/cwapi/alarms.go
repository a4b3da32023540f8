package cwapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/sre-provider/terraform-provider-sre/internal/alerting"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// AlarmAPI is the part of the CloudWatch client the alarm adapter uses.
type AlarmAPI interface {
	PutMetricAlarm(ctx context.Context, in *cloudwatch.PutMetricAlarmInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error)
	PutCompositeAlarm(ctx context.Context, in *cloudwatch.PutCompositeAlarmInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutCompositeAlarmOutput, error)
	DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	DeleteAlarms(ctx context.Context, in *cloudwatch.DeleteAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error)
	SetAlarmState(ctx context.Context, in *cloudwatch.SetAlarmStateInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.SetAlarmStateOutput, error)
	TagResource(ctx context.Context, in *cloudwatch.TagResourceInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *cloudwatch.UntagResourceInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.UntagResourceOutput, error)
	ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error)
}

// describeBatch is how many names one DescribeAlarms call takes.
const describeBatch = 100

// DefaultLinger is how long a read waits for other reads to share its
// DescribeAlarms call. Terraform refreshes ten resources at a time, so reads
// arrive in bursts; CloudWatch throttles DescribeAlarms to a few calls per
// second, so a hundred names per call matters.
const DefaultLinger = 25 * time.Millisecond

// Observed is an alarm as read from CloudWatch: exactly one of Metric and
// Composite, in the alerting package's form so it can be fingerprinted.
type Observed struct {
	ARN   string
	State string
	// StateUpdated is when the state last changed.
	StateUpdated time.Time
	// SuppressedBy says why a composite's actions are suppressed
	// (Alarm, WaitPeriod, ExtensionPeriod); empty when they are not.
	SuppressedBy string
	Metric       *alerting.MetricAlarm
	Composite    *alerting.CompositeAlarm
}

// Fingerprint is the observed configuration's fingerprint.
func (o Observed) Fingerprint() string {
	if o.Metric != nil {
		return o.Metric.Fingerprint()
	}
	return o.Composite.Fingerprint()
}

// Alarms writes and reads a policy's alarms. Reads from concurrent
// refreshes are coalesced into shared DescribeAlarms calls.
type Alarms struct {
	api    AlarmAPI
	linger time.Duration

	mu      sync.Mutex
	pending []*describeRequest
	timer   *time.Timer
	calls   int
}

type describeRequest struct {
	ctx   context.Context
	names []string
	done  chan struct{}
	out   map[string]Observed
	err   error
}

// NewAlarms returns the adapter; linger 0 means DefaultLinger.
func NewAlarms(api AlarmAPI, linger time.Duration) *Alarms {
	if linger <= 0 {
		linger = DefaultLinger
	}
	return &Alarms{api: api, linger: linger}
}

// DescribeCalls is the number of DescribeAlarms calls made so far.
func (a *Alarms) DescribeCalls() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls
}

// Describe returns the alarms among names that exist, sharing calls with
// the reads that arrive within the linger span.
func (a *Alarms) Describe(ctx context.Context, names []string) (map[string]Observed, error) {
	r := &describeRequest{ctx: ctx, names: names, done: make(chan struct{})}
	a.mu.Lock()
	a.pending = append(a.pending, r)
	if a.timer == nil {
		a.timer = time.AfterFunc(a.linger, a.flush)
	}
	a.mu.Unlock()
	select {
	case <-r.done:
		return r.out, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (a *Alarms) flush() {
	a.mu.Lock()
	batch := a.pending
	a.pending, a.timer = nil, nil
	a.mu.Unlock()
	seen := map[string]bool{}
	var names []string
	for _, r := range batch {
		for _, n := range r.names {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	// The batch outlives any single caller's context; bound it on its own.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	found, calls, err := describeNames(ctx, a.api, names)
	a.mu.Lock()
	a.calls += calls
	a.mu.Unlock()
	for _, r := range batch {
		if err != nil {
			r.err = err
		} else {
			r.out = map[string]Observed{}
			for _, n := range r.names {
				if o, ok := found[n]; ok {
					r.out[n] = o
				}
			}
		}
		close(r.done)
	}
}

func describeNames(ctx context.Context, api AlarmAPI, names []string) (map[string]Observed, int, error) {
	out := map[string]Observed{}
	calls := 0
	for i := 0; i < len(names); i += describeBatch {
		chunk := names[i:min(i+describeBatch, len(names))]
		in := &cloudwatch.DescribeAlarmsInput{AlarmNames: chunk, MaxRecords: aws.Int32(100),
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}}
		n, err := describeInto(ctx, api, in, out)
		calls += n
		if err != nil {
			return nil, calls, fmt.Errorf("describe %d alarms: %w", len(chunk), err)
		}
	}
	return out, calls, nil
}

// DescribePrefix returns every alarm whose name starts with prefix, for
// import.
func (a *Alarms) DescribePrefix(ctx context.Context, prefix string) (map[string]Observed, error) {
	out := map[string]Observed{}
	in := &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(prefix), MaxRecords: aws.Int32(100),
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}}
	n, err := describeInto(ctx, a.api, in, out)
	a.mu.Lock()
	a.calls += n
	a.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("describe alarms with prefix %s: %w", prefix, err)
	}
	return out, nil
}

func describeInto(ctx context.Context, api AlarmAPI, in *cloudwatch.DescribeAlarmsInput, out map[string]Observed) (int, error) {
	calls := 0
	p := cloudwatch.NewDescribeAlarmsPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		calls++
		if err != nil {
			return calls, err
		}
		for _, m := range page.MetricAlarms {
			ma := metricFromSDK(m)
			out[ma.Name] = Observed{ARN: aws.ToString(m.AlarmArn), State: string(m.StateValue), StateUpdated: aws.ToTime(m.StateUpdatedTimestamp), Metric: &ma}
		}
		for _, c := range page.CompositeAlarms {
			ca := compositeFromSDK(c)
			out[ca.Name] = Observed{ARN: aws.ToString(c.AlarmArn), State: string(c.StateValue), StateUpdated: aws.ToTime(c.StateUpdatedTimestamp),
				SuppressedBy: string(c.ActionsSuppressedBy), Composite: &ca}
		}
	}
	return calls, nil
}

// PutMetric creates or updates a metric alarm. Tags apply only when the
// alarm is created (CloudWatch ignores them on update); use SetTags.
func (a *Alarms) PutMetric(ctx context.Context, m alerting.MetricAlarm) error {
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName:               aws.String(m.Name),
		AlarmDescription:        aws.String(m.Description),
		ComparisonOperator:      cwtypes.ComparisonOperator(m.Comparison),
		Threshold:               aws.Float64(m.Threshold),
		EvaluationPeriods:       aws.Int32(int32(m.EvaluationPeriods)),
		DatapointsToAlarm:       aws.Int32(int32(m.DatapointsToAlarm)),
		TreatMissingData:        aws.String(m.TreatMissingData),
		EvaluationWindow:        &cwtypes.EvaluationWindowMemberSlidingWindow{},
		AlarmActions:            m.Actions.Alarm,
		OKActions:               m.Actions.OK,
		InsufficientDataActions: m.Actions.InsufficientData,
		Tags:                    sdkTags(m.Tags),
	}
	for _, q := range m.Queries {
		mq := cwtypes.MetricDataQuery{Id: aws.String(q.ID), ReturnData: aws.Bool(q.ReturnData)}
		if q.Label != "" {
			mq.Label = aws.String(q.Label)
		}
		if q.Metric != nil {
			mq.MetricStat = &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String(q.Metric.Namespace), MetricName: aws.String(q.Metric.MetricName), Dimensions: Dimensions(q.Metric.Dimensions)},
				Period: aws.Int32(int32(q.Period)), Stat: aws.String(q.Metric.Statistic),
			}
		} else {
			mq.Expression = aws.String(q.Expression)
		}
		in.Metrics = append(in.Metrics, mq)
	}
	if _, err := a.api.PutMetricAlarm(ctx, in); err != nil {
		return fmt.Errorf("put metric alarm %s: %w", m.Name, err)
	}
	return nil
}

// PutComposite creates or updates a composite alarm; tags as for PutMetric.
func (a *Alarms) PutComposite(ctx context.Context, c alerting.CompositeAlarm) error {
	in := &cloudwatch.PutCompositeAlarmInput{
		AlarmName:               aws.String(c.Name),
		AlarmDescription:        aws.String(c.Description),
		AlarmRule:               aws.String(c.Rule),
		AlarmActions:            c.Actions.Alarm,
		OKActions:               c.Actions.OK,
		InsufficientDataActions: c.Actions.InsufficientData,
		Tags:                    sdkTags(c.Tags),
	}
	if c.Suppressor != "" {
		in.ActionsSuppressor = aws.String(c.Suppressor)
		in.ActionsSuppressorWaitPeriod = aws.Int32(int32(c.Suppression.Wait / time.Second))
		in.ActionsSuppressorExtensionPeriod = aws.Int32(int32(c.Suppression.Extension / time.Second))
	}
	if _, err := a.api.PutCompositeAlarm(ctx, in); err != nil {
		return fmt.Errorf("put composite alarm %s: %w", c.Name, err)
	}
	return nil
}

// Delete removes alarms in one call per hundred names, in the order given.
// Names that no longer exist are skipped: DeleteAlarms fails as a whole on
// an unknown name.
func (a *Alarms) Delete(ctx context.Context, names []string) error {
	seen := map[string]bool{}
	uniq := names[:0:0]
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			uniq = append(uniq, n)
		}
	}
	names = uniq
	for i := 0; i < len(names); i += describeBatch {
		chunk := names[i:min(i+describeBatch, len(names))]
		_, err := a.api.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: chunk})
		if err == nil {
			continue
		}
		if !IsNotFound(err) {
			return fmt.Errorf("delete alarms %s: %w", strings.Join(chunk, ", "), err)
		}
		found, _, derr := describeNames(ctx, a.api, chunk)
		if derr != nil {
			return derr
		}
		var left []string
		for _, n := range chunk {
			if _, ok := found[n]; ok {
				left = append(left, n)
			}
		}
		if len(left) == 0 {
			continue
		}
		if _, err := a.api.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: left}); err != nil {
			return fmt.Errorf("delete alarms %s: %w", strings.Join(left, ", "), err)
		}
	}
	return nil
}

// Tags reads an alarm's tags.
func (a *Alarms) Tags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := a.api.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("list tags of %s: %w", arn, err)
	}
	tags := map[string]string{}
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// SetTags writes tags on an existing alarm and removes the keys in remove.
func (a *Alarms) SetTags(ctx context.Context, arn string, tags map[string]string, remove []string) error {
	if len(tags) > 0 {
		if _, err := a.api.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(arn), Tags: sdkTags(tags)}); err != nil {
			return fmt.Errorf("tag %s: %w", arn, err)
		}
	}
	if len(remove) > 0 {
		if _, err := a.api.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: remove}); err != nil {
			return fmt.Errorf("untag %s: %w", arn, err)
		}
	}
	return nil
}

// SetState sets an alarm's state until its next evaluation, as a drill does.
func (a *Alarms) SetState(ctx context.Context, name, state, reason string) error {
	_, err := a.api.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: cwtypes.StateValue(state), StateReason: aws.String(reason)})
	if err != nil {
		return fmt.Errorf("set state of alarm %s: %w", name, err)
	}
	return nil
}

// IsNotFound reports CloudWatch's not-found errors.
func IsNotFound(err error) bool {
	var rnf *cwtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "ResourceNotFound" || ae.ErrorCode() == "ResourceNotFoundException")
}

func sdkTags(m map[string]string) []cwtypes.Tag {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []cwtypes.Tag
	for _, k := range keys {
		out = append(out, cwtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func metricFromSDK(m cwtypes.MetricAlarm) alerting.MetricAlarm {
	out := alerting.MetricAlarm{
		Name:              aws.ToString(m.AlarmName),
		Description:       aws.ToString(m.AlarmDescription),
		Comparison:        string(m.ComparisonOperator),
		Threshold:         aws.ToFloat64(m.Threshold),
		EvaluationPeriods: int(aws.ToInt32(m.EvaluationPeriods)),
		TreatMissingData:  aws.ToString(m.TreatMissingData),
		Actions:           alerting.Route{Alarm: m.AlarmActions, OK: m.OKActions, InsufficientData: m.InsufficientDataActions},
	}
	out.DatapointsToAlarm = out.EvaluationPeriods
	if m.DatapointsToAlarm != nil {
		out.DatapointsToAlarm = int(*m.DatapointsToAlarm)
	}
	if out.TreatMissingData == "" {
		out.TreatMissingData = "missing"
	}
	out.WallClock = false
	if _, ok := m.EvaluationWindow.(*cwtypes.EvaluationWindowMemberWallClockWindow); ok {
		out.WallClock = true
	}
	if m.MetricName != nil {
		// A single-metric alarm was never written by a policy; keep what
		// identifies it so its fingerprint differs.
		out.Queries = append(out.Queries, alerting.Query{ID: "", Metric: &slo.Metric{Namespace: aws.ToString(m.Namespace), MetricName: aws.ToString(m.MetricName),
			Dimensions: dimensionMap(m.Dimensions), Statistic: string(m.Statistic) + aws.ToString(m.ExtendedStatistic)}, Period: int(aws.ToInt32(m.Period)), ReturnData: true})
	}
	for _, q := range m.Metrics {
		aq := alerting.Query{ID: aws.ToString(q.Id), Expression: aws.ToString(q.Expression), Label: aws.ToString(q.Label), ReturnData: q.ReturnData == nil || *q.ReturnData}
		if s := q.MetricStat; s != nil && s.Metric != nil {
			aq.Metric = &slo.Metric{Namespace: aws.ToString(s.Metric.Namespace), MetricName: aws.ToString(s.Metric.MetricName), Dimensions: dimensionMap(s.Metric.Dimensions), Statistic: aws.ToString(s.Stat)}
			aq.Period = int(aws.ToInt32(s.Period))
		}
		out.Queries = append(out.Queries, aq)
	}
	return out
}

func compositeFromSDK(c cwtypes.CompositeAlarm) alerting.CompositeAlarm {
	out := alerting.CompositeAlarm{
		Name:        aws.ToString(c.AlarmName),
		Description: aws.ToString(c.AlarmDescription),
		Rule:        aws.ToString(c.AlarmRule),
		Actions:     alerting.Route{Alarm: c.AlarmActions, OK: c.OKActions, InsufficientData: c.InsufficientDataActions},
		Suppressor:  aws.ToString(c.ActionsSuppressor),
	}
	if out.Suppressor != "" {
		out.Suppression = alerting.Suppression{
			Wait:      time.Duration(aws.ToInt32(c.ActionsSuppressorWaitPeriod)) * time.Second,
			Extension: time.Duration(aws.ToInt32(c.ActionsSuppressorExtensionPeriod)) * time.Second,
		}
	}
	return out
}

func dimensionMap(ds []cwtypes.Dimension) map[string]string {
	if len(ds) == 0 {
		return nil
	}
	out := make(map[string]string, len(ds))
	for _, d := range ds {
		out[aws.ToString(d.Name)] = aws.ToString(d.Value)
	}
	return out
}

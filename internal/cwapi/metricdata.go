package cwapi

import (
	"context"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sre-provider/terraform-provider-sre/internal/slostatus"
)

// GetMetricDataAPI is the CloudWatch call behind MetricData.
type GetMetricDataAPI interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// MetricData implements slostatus.Source with GetMetricData, following
// every page.
type MetricData struct {
	API GetMetricDataAPI
}

var _ slostatus.Source = MetricData{}

// GetMetricData runs one request.
func (m MetricData) GetMetricData(ctx context.Context, req slostatus.Request) (slostatus.Response, error) {
	qs := make([]cwtypes.MetricDataQuery, 0, len(req.Queries))
	for _, q := range req.Queries {
		mq := cwtypes.MetricDataQuery{Id: aws.String(q.ID), ReturnData: aws.Bool(q.ReturnData)}
		if q.Metric != nil {
			mq.MetricStat = &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String(q.Metric.Namespace), MetricName: aws.String(q.Metric.MetricName), Dimensions: Dimensions(q.Metric.Dimensions)},
				Period: aws.Int32(int32(q.Period / time.Second)),
				Stat:   aws.String(q.Metric.Statistic),
			}
		} else {
			mq.Expression = aws.String(q.Expression)
		}
		qs = append(qs, mq)
	}
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(req.Start), EndTime: aws.Time(req.End), MetricDataQueries: qs,
		ScanBy: cwtypes.ScanByTimestampAscending,
	}
	resp := slostatus.Response{Series: map[string][]slostatus.Point{}}
	p := cloudwatch.NewGetMetricDataPaginator(m.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		resp.Calls++
		if err != nil {
			return resp, err
		}
		for _, r := range page.MetricDataResults {
			id := aws.ToString(r.Id)
			for j, ts := range r.Timestamps {
				if j < len(r.Values) {
					resp.Series[id] = append(resp.Series[id], slostatus.Point{At: ts, Value: r.Values[j]})
				}
			}
		}
	}
	return resp, nil
}

// Dimensions renders a dimension map in name order.
func Dimensions(m map[string]string) []cwtypes.Dimension {
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

package awsemu

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// control sends a request to a control route and returns status and body.
func control(t *testing.T, s *Server, method, pathAndQuery string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+pathAndQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// sums reads the per-minute Sum of a Quickstart/checkout metric over
// [from, to) through GetMetricData, oldest first.
func sums(t *testing.T, cl *clients, metric string, from, to time.Time) []string {
	t.Helper()
	out, err := cl.CloudWatch.GetMetricData(tctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(from), EndTime: aws.Time(to), ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("Quickstart"), MetricName: aws.String(metric),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("checkout")}}},
			Period: aws.Int32(60), Stat: aws.String("Sum")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.MetricDataResults[0]
	var got []string
	for i, ts := range r.Timestamps {
		got = append(got, fmt.Sprintf("+%dm=%g", ts.Sub(from)/time.Minute, r.Values[i]))
	}
	return got
}

func TestTraffic_PublishesEveryMinuteOfAClockJump(t *testing.T) {
	s, cl := startEmulator(t)
	start := s.Clock().Now()
	if err := s.StartTraffic("Quickstart", "checkout", 1000, 0.01, start); err != nil {
		t.Fatal(err)
	}
	if err := s.Advance(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	var wantReq, wantErr []string
	for m := range 10 {
		wantReq = append(wantReq, fmt.Sprintf("+%dm=1000", m))
		wantErr = append(wantErr, fmt.Sprintf("+%dm=10", m))
	}
	wantList(t, "requests", sums(t, cl, "Requests", start, start.Add(time.Hour)), wantReq)
	wantList(t, "errors", sums(t, cl, "Errors", start, start.Add(time.Hour)), wantErr)

	// A change half way through a minute counts for the half after it.
	if err := s.Advance(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	rate, perMinute := 0.5, 2000.0
	if _, err := s.SetTraffic(&perMinute, &rate); err != nil {
		t.Fatal(err)
	}
	if err := s.Advance(90 * time.Second); err != nil {
		t.Fatal(err)
	}
	wantList(t, "requests after the change", sums(t, cl, "Requests", start.Add(10*time.Minute), start.Add(time.Hour)), []string{"+0m=1500", "+1m=2000"})
	wantList(t, "errors after the change", sums(t, cl, "Errors", start.Add(10*time.Minute), start.Add(time.Hour)), []string{"+0m=505", "+1m=1000"})
}

func TestTraffic_ErrorRateThroughControlTripsAlarmAtItsMinute(t *testing.T) {
	s, cl := startEmulator(t)
	start := s.Clock().Now()
	if status, body := control(t, s, http.MethodGet, TrafficPath); status != http.StatusNotFound {
		t.Fatalf("GET traffic without traffic: %d %q, want 404", status, body)
	}
	if status, body := control(t, s, http.MethodPost, TrafficPath+"?error_rate=1"); status != http.StatusConflict {
		t.Fatalf("POST traffic without traffic: %d %q, want 409", status, body)
	}
	if err := s.StartTraffic("Quickstart", "checkout", 1000, 0.001, start); err != nil {
		t.Fatal(err)
	}
	// Two of two minutes with more than 10% errors.
	stat := func(id, metric string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("Quickstart"), MetricName: aws.String(metric),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("checkout")}}},
			Period: aws.Int32(60), Stat: aws.String("Sum")}}
	}
	page := "arn:aws:sns:us-east-1:123456789012:checkout-page"
	if _, err := cl.CloudWatch.PutMetricAlarm(tctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("checkout-errors"), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		EvaluationPeriods: aws.Int32(2), DatapointsToAlarm: aws.Int32(2), Threshold: aws.Float64(0.1),
		TreatMissingData: aws.String("notBreaching"), AlarmActions: []string{page},
		Metrics: []cwtypes.MetricDataQuery{stat("e", "Errors"), stat("r", "Requests"),
			{Id: aws.String("ratio"), Expression: aws.String("e/r"), ReturnData: aws.Bool(true)}},
	}); err != nil {
		t.Fatal(err)
	}
	if status, body := control(t, s, http.MethodPost, ControlPath+"?advance=5m"); status != http.StatusOK {
		t.Fatalf("advance: %d %q", status, body)
	}
	if st, _ := s.AlarmState("checkout-errors"); st != stateOK {
		t.Fatalf("alarm %s at +5m, want OK", st)
	}
	for _, bad := range []string{"", "?error_rate=1.5", "?error_rate=-0.1", "?error_rate=lots", "?per_minute=-1", "?error_rate=NaN"} {
		if status, body := control(t, s, http.MethodPost, TrafficPath+bad); status != http.StatusBadRequest || body == "" {
			t.Errorf("POST traffic%s: %d %q, want 400 with a reason", bad, status, body)
		}
	}
	status, body := control(t, s, http.MethodPost, TrafficPath+"?error_rate=1")
	if want := "namespace=Quickstart service=checkout per_minute=1000 error_rate=1\n"; status != http.StatusOK || body != want {
		t.Fatalf("POST traffic: %d %q, want 200 %q", status, body, want)
	}
	if _, body := control(t, s, http.MethodGet, TrafficPath); !strings.Contains(body, "error_rate=1\n") {
		t.Fatalf("GET traffic: %q", body)
	}
	// One call covering ten minutes: the minutes +5 and +6 breach, so the
	// evaluation at +7m is the first that sees two breaching datapoints.
	control(t, s, http.MethodPost, ControlPath+"?advance=10m")
	_, body = control(t, s, http.MethodGet, ActionsPath)
	want := start.Add(7*time.Minute).Format(time.RFC3339) + " invoked checkout-errors " + page + "\n"
	if body != want {
		t.Fatalf("actions:\n%s\nwant:\n%s", body, want)
	}
	if got := sums(t, cl, "Errors", start, start.Add(time.Hour)); len(got) != 15 || got[4] != "+4m=1" || got[5] != "+5m=1000" {
		t.Fatalf("errors %v, want 15 minutes, 1 error a minute then 1000", got)
	}
}

func TestControl_ImageHealth(t *testing.T) {
	f := newFleet(t, 2, nil)
	f.s.mu.Lock()
	var img string
	for _, in := range f.s.rs.ec2.instances {
		img = in.imageID
	}
	f.s.mu.Unlock()
	for _, bad := range []string{"", "?image=" + img, "?image=" + img + "&healthy=maybe", "?image=ami-00000000000000000&healthy=false"} {
		if status, body := control(t, f.s, http.MethodPost, ImageHealthPath+bad); status != http.StatusBadRequest || body == "" {
			t.Errorf("POST image-health%s: %d %q, want 400 with a reason", bad, status, body)
		}
	}
	if status, _ := control(t, f.s, http.MethodGet, ImageHealthPath); status != http.StatusMethodNotAllowed {
		t.Errorf("GET image-health: %d, want 405", status)
	}
	if status, body := control(t, f.s, http.MethodPost, ImageHealthPath+"?image="+img+"&healthy=false"); status != http.StatusOK {
		t.Fatalf("POST image-health: %d %q", status, body)
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	if f.s.sched.unhealthyImages[img] != true {
		t.Error("the image is not marked broken")
	}
	for _, in := range f.s.rs.ec2.instances {
		if in.appHealthy {
			t.Errorf("instance %s on the broken image still passes its health checks", in.id)
		}
	}
}

func TestControl_ActionsListsInvokedAndSuppressedInTimeOrder(t *testing.T) {
	s, _ := startEmulator(t)
	t0 := s.Clock().Now()
	s.mu.Lock()
	s.rs.cw.invoked = []ActionRecord{{At: t0.Add(2 * time.Minute), Alarm: "b", ARN: "arn:aws:sns:us-east-1:123456789012:page"}}
	s.rs.cw.suppressed = []ActionRecord{{At: t0.Add(time.Minute), Alarm: "a", ARN: "arn:aws:sns:us-east-1:123456789012:page", SuppressedBy: "Alarm"}}
	s.mu.Unlock()
	status, body := control(t, s, http.MethodGet, ActionsPath)
	want := "2026-01-01T00:01:00Z suppressed a arn:aws:sns:us-east-1:123456789012:page\n" +
		"2026-01-01T00:02:00Z invoked b arn:aws:sns:us-east-1:123456789012:page\n"
	if status != http.StatusOK || body != want {
		t.Fatalf("actions: %d\n%s\nwant:\n%s", status, body, want)
	}
	if status, _ := control(t, s, http.MethodPost, ActionsPath); status != http.StatusMethodNotAllowed {
		t.Errorf("POST actions: %d, want 405", status)
	}
	if status, _ := control(t, s, http.MethodGet, "/_awsemu/nothing"); status != http.StatusNotFound {
		t.Errorf("unknown route: %d, want 404", status)
	}
}

// Command awsemu runs the AWS emulator as a standalone server on loopback,
// for the quickstart, the demo and for trying the provider without an AWS
// account. It can seed a web fleet, metric history and live traffic, and
// prints the line "awsemu listening on URL" last, once seeding is done.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
)

// config is the command line.
type config struct {
	addr        string
	clock       string // manual or wall
	speed       float64
	seedTraffic string // NAMESPACE/SERVICE
	errorRate   float64
	seedFleet   string
	seedOut     string
	traffic     string // NAMESPACE/SERVICE
	perMinute   float64
	verbose     bool
}

const usageHead = `Usage: awsemu [flags]

Runs an AWS emulator (CloudWatch, Auto Scaling, ELBv2, EC2, STS) on loopback.
Point the provider's endpoints at the printed URL and use the printed
credentials. "awsemu listening on URL" is printed last, after seeding.

Flags:
`

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("awsemu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:4566", "listen address (keep it on loopback; port 0 picks a free one)")
	fs.StringVar(&c.clock, "clock", "wall", "wall: emulated time follows real time (times -speed); manual: starts at now truncated to the minute and moves only through POST /_awsemu/clock?advance=D")
	fs.Float64Var(&c.speed, "speed", 1, "with -clock wall, how many times faster than real time the emulated clock runs")
	fs.StringVar(&c.seedTraffic, "seed-traffic", "", "backfill 7 days of hourly Requests/Errors sums for NAMESPACE/SERVICE (e.g. Quickstart/checkout) through the CloudWatch API")
	fs.Float64Var(&c.errorRate, "seed-error-rate", 0.0005, "share of requests that fail, for -seed-traffic and -traffic (0..1)")
	fs.StringVar(&c.seedFleet, "seed-fleet", "", "create a web fleet NAME (e.g. checkout) in "+awsemu.DefaultRegion+": images NAME-2026-11 (running), NAME-2026-12 (new), NAME-2026-12b (broken) and NAME-2026-12c (the next release), launch template, target group and group NAME (4 instances), and a bastion group; wait until all are in service and healthy")
	fs.StringVar(&c.seedOut, "seed-out", "", "after seeding, write KEY=VALUE lines (GROUP, OLD_IMAGE_ID, NEW_IMAGE_ID, BROKEN_IMAGE_ID, NEXT_IMAGE_ID, LAUNCH_TEMPLATE_ID, TARGET_GROUP_ARN, VPC_ID, BASTION_GROUP, PAGE_TOPIC_ARN, TICKET_TOPIC_ARN, ENDPOINT, ...) to FILE, for a shell to source")
	fs.StringVar(&c.traffic, "traffic", "", "live traffic for NAMESPACE/SERVICE: every emulated minute one Requests and one Errors sum (dimension Service=SERVICE); change it with POST /_awsemu/traffic")
	fs.Float64Var(&c.perMinute, "traffic-per-minute", 1000, "requests a minute of the live traffic")
	fs.BoolVar(&c.verbose, "v", false, "log every request")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), "\n"+awsemu.ControlHelp)
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case c.clock != "wall" && c.clock != "manual":
		return c, fmt.Errorf("-clock %q: want wall or manual", c.clock)
	case !(c.speed > 0) || math.IsInf(c.speed, 0):
		return c, fmt.Errorf("-speed %g: want a positive number", c.speed)
	case math.IsNaN(c.errorRate) || c.errorRate < 0 || c.errorRate > 1:
		return c, fmt.Errorf("-seed-error-rate %g: want a share between 0 and 1", c.errorRate)
	case math.IsNaN(c.perMinute) || math.IsInf(c.perMinute, 0) || c.perMinute < 0:
		return c, fmt.Errorf("-traffic-per-minute %g: want a non-negative number", c.perMinute)
	}
	for _, t := range []struct{ flag, v string }{{"-seed-traffic", c.seedTraffic}, {"-traffic", c.traffic}} {
		if _, _, err := splitTarget(t.v); t.v != "" && err != nil {
			return c, fmt.Errorf("%s: %w", t.flag, err)
		}
	}
	return c, nil
}

func splitTarget(target string) (namespace, service string, err error) {
	namespace, service, ok := strings.Cut(target, "/")
	if !ok || namespace == "" || service == "" || strings.Contains(service, "/") {
		return "", "", fmt.Errorf("%q is not NAMESPACE/SERVICE", target)
	}
	return namespace, service, nil
}

func main() {
	c, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "awsemu:", err)
		os.Exit(2)
	}
	s, err := start(c, os.Stdout)
	if err != nil {
		log.Fatalf("awsemu: %v", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	_ = s.Close()
}

// start serves the emulator, seeds it as c asks, writes the seed-out file
// and prints a summary, the credentials and, last, the listening line.
func start(c config, stdout io.Writer) (*awsemu.Server, error) {
	clockLine := ""
	opts := awsemu.Options{}
	if c.clock == "manual" {
		opts.Clock = awsemu.NewManualClock(time.Now().UTC().Truncate(time.Minute))
	} else {
		opts.Clock = awsemu.NewWallClock(c.speed)
		clockLine = fmt.Sprintf("clock: wall, %gx real time", c.speed)
	}
	if c.verbose {
		opts.Logf = log.Printf
	}
	s := awsemu.New(opts)
	url, err := s.Start(c.addr)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*awsemu.Server, error) {
		_ = s.Close()
		return nil, err
	}
	ctx := context.Background()
	cl, err := awsclient.New(ctx, awsclient.Config{
		Region: awsemu.DefaultRegion, AccessKey: awsemu.DefaultAccessKey, SecretKey: awsemu.DefaultSecretKey,
		Endpoints: awsclient.Endpoints{AutoScaling: url, CloudWatch: url, EC2: url, ELBv2: url, STS: url},
	})
	if err != nil {
		return fail(err)
	}
	out := []kv{{"ENDPOINT", url}, {"REGION", awsemu.DefaultRegion}}
	var summary []string

	if c.seedTraffic != "" || c.traffic != "" {
		line, err := seedAndStartTraffic(ctx, s, cl, c)
		if err != nil {
			return fail(err)
		}
		summary = append(summary, line)
		if c.traffic != "" {
			ns, svc, _ := splitTarget(c.traffic)
			out = append(out, kv{"TRAFFIC_NAMESPACE", ns}, kv{"TRAFFIC_SERVICE", svc})
		}
	}
	if c.seedFleet != "" {
		f, err := seedFleet(ctx, s, cl, c.seedFleet)
		if err != nil {
			return fail(fmt.Errorf("seed fleet %s: %w", c.seedFleet, err))
		}
		summary = append(f.summary(), summary...)
		out = append(out, f.values()...)
	}
	if c.clock == "manual" {
		clockLine = "clock: manual at " + s.Clock().Now().UTC().Format(time.RFC3339) + "; move it with POST " + url + awsemu.ControlPath + "?advance=D"
	}
	summary = append(summary, clockLine)
	if c.seedOut != "" {
		if err := writeSeedOut(c.seedOut, out); err != nil {
			return fail(err)
		}
	}
	for _, l := range summary {
		fmt.Fprintln(stdout, l)
	}
	fmt.Fprintf(stdout, "credentials: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s\n",
		awsemu.DefaultAccessKey, awsemu.DefaultSecretKey, awsemu.DefaultRegion)
	fmt.Fprintf(stdout, "awsemu listening on %s\n", url)
	return s, nil
}

type kv struct{ key, value string }

// writeSeedOut writes KEY=VALUE lines, replacing path at once so a reader
// never sees half a file.
func writeSeedOut(path string, values []kv) error {
	var b strings.Builder
	for _, v := range values {
		fmt.Fprintf(&b, "%s=%s\n", v.key, v.value)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".awsemu-seed-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// seedAndStartTraffic backfills history and starts live traffic. When both
// name the same service, the hourly history stops at the current hour, which
// the live traffic fills minute by minute at the same rate.
func seedAndStartTraffic(ctx context.Context, s *awsemu.Server, cl *awsclient.Clients, c config) (string, error) {
	now := s.Clock().Now()
	perHour, until, since := 60000.0, now, now
	if c.traffic != "" && c.traffic == c.seedTraffic {
		perHour, until = 60*c.perMinute, now.Truncate(time.Hour)
		since = until
	}
	var parts []string
	if c.traffic != "" {
		ns, svc, _ := splitTarget(c.traffic)
		if err := s.StartTraffic(ns, svc, c.perMinute, c.errorRate, since); err != nil {
			return "", err
		}
		parts = append(parts, fmt.Sprintf("traffic: %s live, %g requests a minute, %g%% errors (POST /_awsemu/traffic?error_rate=R changes it)", c.traffic, c.perMinute, 100*c.errorRate))
	}
	if c.seedTraffic != "" {
		if err := seedTraffic(ctx, cl, c.seedTraffic, perHour, c.errorRate, until); err != nil {
			return "", fmt.Errorf("seed traffic: %w", err)
		}
		parts = append(parts, fmt.Sprintf("history: 7 days of hourly Requests/Errors for %s", c.seedTraffic))
	}
	return strings.Join(parts, "; "), nil
}

// seedTraffic publishes hourly Requests and Errors sums for the 7 days
// before until through the real SDK client, so the demo's SLO has history to
// report on.
func seedTraffic(ctx context.Context, cl *awsclient.Clients, target string, perHour, errorRate float64, until time.Time) error {
	namespace, service, err := splitTarget(target)
	if err != nil {
		return err
	}
	dims := []types.Dimension{{Name: aws.String("Service"), Value: aws.String(service)}}
	var batch []types.MetricDatum
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := cl.CloudWatch.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(namespace), MetricData: batch})
		batch = nil
		return err
	}
	start := until.Truncate(time.Hour).Add(-7 * 24 * time.Hour)
	for ts := start; ts.Before(until); ts = ts.Add(time.Hour) {
		batch = append(batch,
			types.MetricDatum{MetricName: aws.String("Requests"), Dimensions: dims, Timestamp: aws.Time(ts), Value: aws.Float64(perHour), Unit: types.StandardUnitCount},
			types.MetricDatum{MetricName: aws.String("Errors"), Dimensions: dims, Timestamp: aws.Time(ts), Value: aws.Float64(perHour * errorRate), Unit: types.StandardUnitCount},
		)
		if len(batch) >= 500 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

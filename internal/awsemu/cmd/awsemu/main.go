// Command awsemu runs the AWS emulator as a standalone server on loopback,
// for the quickstart and for trying the provider without an AWS account.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4566", "listen address (keep it on loopback; port 0 picks a free one)")
	speed := flag.Float64("speed", 1, "how many times faster than real time the emulated clock runs")
	seed := flag.String("seed-traffic", "", "backfill 7 days of hourly request/error metrics for NAMESPACE/SERVICE (e.g. Quickstart/checkout) through the CloudWatch API")
	errorRate := flag.Float64("seed-error-rate", 0.0005, "share of seeded requests that fail")
	verbose := flag.Bool("v", false, "log every request")
	flag.Parse()

	opts := awsemu.Options{Clock: awsemu.NewWallClock(*speed)}
	if *verbose {
		opts.Logf = log.Printf
	}
	s := awsemu.New(opts)
	url, err := s.Start(*addr)
	if err != nil {
		log.Fatalf("awsemu: %v", err)
	}
	if *seed != "" {
		if err := seedTraffic(url, *seed, *errorRate, s.Clock().Now()); err != nil {
			log.Fatalf("awsemu: seed traffic: %v", err)
		}
	}
	fmt.Printf("awsemu listening on %s\n", url)
	fmt.Printf("credentials: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s\n",
		awsemu.DefaultAccessKey, awsemu.DefaultSecretKey, awsemu.DefaultRegion)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	_ = s.Close()
}

// seedTraffic publishes Requests and Errors sums through the real SDK client,
// so the demo's SLO has history to report on.
func seedTraffic(url, target string, errorRate float64, now time.Time) error {
	namespace, service, ok := strings.Cut(target, "/")
	if !ok || namespace == "" || service == "" {
		return fmt.Errorf("-seed-traffic %q is not NAMESPACE/SERVICE", target)
	}
	cl, err := awsclient.New(context.Background(), awsclient.Config{
		Region: awsemu.DefaultRegion, AccessKey: awsemu.DefaultAccessKey, SecretKey: awsemu.DefaultSecretKey,
		Endpoints: awsclient.Endpoints{CloudWatch: url, STS: url},
	})
	if err != nil {
		return err
	}
	dims := []types.Dimension{{Name: aws.String("Service"), Value: aws.String(service)}}
	const perHour = 60000.0
	var batch []types.MetricDatum
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := cl.CloudWatch.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String(namespace), MetricData: batch})
		batch = nil
		return err
	}
	start := now.Truncate(time.Hour).Add(-7 * 24 * time.Hour)
	for ts := start; ts.Before(now); ts = ts.Add(time.Hour) {
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

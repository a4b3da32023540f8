package slostatus_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/cwapi"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
	"github.com/sre-provider/terraform-provider-sre/internal/slostatus"
)

// BenchmarkBatcher200SLOs refreshes the live status of 200 SLOs through the
// batcher the provider uses, against the emulator, and reports GetMetricData
// calls per SLO as the emulator counted them. parallelism mirrors
// `terraform plan -parallelism=N`: 10 is Terraform's default, so at most ten
// reads are in flight and each flush carries at most ten SLOs. The provider
// avoids that bound with a snapshot of all SLOs (BenchmarkRefresh200SLOs in
// internal/provider); this measures the batcher alone, its fallback.
//
//	go test -run='^$' -bench=BenchmarkBatcher200SLOs -benchtime=5x ./internal/slostatus
func BenchmarkBatcher200SLOs(b *testing.B) {
	const n = 200
	srv, c := startEmulator(b)
	defs := make([]slostatus.Definition, n)
	for i := range defs {
		service := fmt.Sprintf("svc%03d", i)
		put(b, c, service,
			datum{name: "Requests", ago: 26 * time.Hour, value: 1000}, datum{name: "Good", ago: 26 * time.Hour, value: 999},
			datum{name: "Requests", ago: 20 * time.Minute, value: 100}, datum{name: "Good", ago: 20 * time.Minute, value: 100},
		)
		period := slo.RollingDays(28)
		if i%4 == 3 {
			period = slo.RollingDays(30) // a second period group costs its own totals call
		}
		defs[i] = slostatus.Definition{Objective: slo.MustObjective("99.9"), Period: period, SLI: ratioSLI(service)}
	}
	for _, parallelism := range []int{10, n} {
		b.Run(fmt.Sprintf("parallelism=%d", parallelism), func(b *testing.B) {
			srv.ResetCalls()
			for it := 0; it < b.N; it++ {
				batcher := slostatus.NewBatcher(cwapi.MetricData{API: c}, func() time.Time { return now }, 0)
				sem := make(chan struct{}, parallelism)
				var wg sync.WaitGroup
				var mu sync.Mutex
				var firstErr error
				for _, d := range defs {
					wg.Add(1)
					sem <- struct{}{}
					go func(d slostatus.Definition) {
						defer wg.Done()
						defer func() { <-sem }()
						res, err := batcher.Status(context.Background(), d)
						mu.Lock()
						defer mu.Unlock()
						if err == nil && (!res.HasData || !near(res.AttainmentPercent, 100*1099.0/1100)) {
							err = fmt.Errorf("unexpected status %+v", res.Status)
						}
						if err != nil && firstErr == nil {
							firstErr = err
						}
					}(d)
				}
				wg.Wait()
				if firstErr != nil {
					b.Fatal(firstErr)
				}
			}
			calls := float64(srv.Calls("monitoring", "GetMetricData")) / float64(b.N)
			b.ReportMetric(calls/n, "GetMetricData/SLO")
			b.ReportMetric(calls, "GetMetricData/refresh")
		})
	}
}

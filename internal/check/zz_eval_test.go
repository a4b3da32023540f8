package check

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
)

func BenchmarkZZEvalPkg(b *testing.B) {
	f, _ := os.Open("/tmp/p10k.json")
	p, err := planmodel.ParseReader(f, planmodel.MaxPlanSize)
	if err != nil {
		b.Fatal(err)
	}
	data, _ := loadData("../../scripts/bench/data.json")
	m, _ := planmodel.Build(p, modelOptions(data))
	eng, err := newEngine(context.Background(), nil, data)
	if err != nil {
		b.Fatal(err)
	}
	want := os.Getenv("ZZ_PKG")
	b.ResetTimer()
	for range b.N {
		if want == "all" {
			if _, err := evalModel(context.Background(), eng, m); err != nil {
				b.Fatal(err)
			}
			continue
		}
		in := lazyInput(nativeModel(m, true))
		for _, pq := range eng.packages {
			if !strings.HasSuffix(pq.path, want) {
				continue
			}
			if _, err := pq.findings(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
	}
}

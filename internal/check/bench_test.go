package check

import (
	"io"
	"strings"
	"testing"

	"github.com/sre-provider/terraform-provider-sre/internal/benchgen"
)

func benchCheck(b *testing.B, n int) {
	path := benchgen.TempPlan(b, n)
	args := []string{"--no-color", "--data", "../../scripts/bench/data.json", path}
	b.ResetTimer()
	for range b.N {
		var errb strings.Builder
		if code := Main(args, nil, io.Discard, &errb); code != exitViolations {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
	}
}

func BenchmarkCheck1k(b *testing.B)  { benchCheck(b, 1000) }
func BenchmarkCheck10k(b *testing.B) { benchCheck(b, 10000) }

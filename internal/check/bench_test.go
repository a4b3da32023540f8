package check

import (
	"io"
	"strings"
	"testing"

	"github.com/sre-provider/terraform-provider-sre/internal/benchgen"
)

func benchCheck(b *testing.B, n int, shape string) {
	path := benchgen.TempPlanShape(b, n, shape)
	args := []string{"--no-color", "--data", "../../scripts/bench/data.json", path}
	b.ResetTimer()
	for range b.N {
		var errb strings.Builder
		if code := Main(args, nil, io.Discard, &errb); code != exitViolations {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
	}
}

func BenchmarkCheck1k(b *testing.B)  { benchCheck(b, 1000, benchgen.ShapeModules) }
func BenchmarkCheck10k(b *testing.B) { benchCheck(b, 10000, benchgen.ShapeModules) }

// BenchmarkCheckShapes10k runs every plan shape at 10k resources.
func BenchmarkCheckShapes10k(b *testing.B) {
	for _, s := range benchgen.Shapes {
		b.Run(s, func(b *testing.B) { benchCheck(b, 10000, s) })
	}
}

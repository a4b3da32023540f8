package planmodel

import (
	"os"
	"strconv"
	"testing"

	"github.com/sre-provider/terraform-provider-sre/internal/benchgen"
)

// BenchmarkRead10k reads a 10k-resource plan file the way the CLI does
// (streamed, split across two readers).
func BenchmarkRead10k(b *testing.B) {
	path := benchgen.TempPlan(b, 10000)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseReader(f, MaxPlanSize); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkParse10k parses the same plan held in memory on one goroutine:
// the reader's CPU cost.
func BenchmarkParse10k(b *testing.B) {
	data, err := os.ReadFile(benchgen.TempPlan(b, 10000))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild10k builds the model of a 10k-resource plan.
func BenchmarkBuild10k(b *testing.B) {
	data, err := os.ReadFile(benchgen.TempPlan(b, 10000))
	if err != nil {
		b.Fatal(err)
	}
	p, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Build(p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadBuildShapes reads and builds the model of every plan shape
// at 10k and 50k resources.
func BenchmarkReadBuildShapes(b *testing.B) {
	for _, shape := range benchgen.Shapes {
		for _, n := range []int{10000, 50000} {
			b.Run(shape+"/"+strconv.Itoa(n), func(b *testing.B) {
				path := benchgen.TempPlanShape(b, n, shape)
				b.ResetTimer()
				for range b.N {
					f, err := os.Open(path)
					if err != nil {
						b.Fatal(err)
					}
					if _, _, err := Read(f, Options{}); err != nil {
						b.Fatal(err)
					}
					f.Close()
				}
			})
		}
	}
}

package planmodel

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// benchPlan generates a plan of n resources with scripts/benchgen, the
// generator of `make bench`.
func benchPlan(b *testing.B, n string) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "plan-"+n+".json")
	cmd := exec.Command("go", "run", "../../scripts/benchgen", "-resources", n, "-o", path)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("benchgen: %v", err)
	}
	return path
}

// BenchmarkRead10k reads a 10k-resource plan file the way the CLI does
// (streamed, split across two readers).
func BenchmarkRead10k(b *testing.B) {
	path := benchPlan(b, "10000")
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
	data, err := os.ReadFile(benchPlan(b, "10000"))
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
	data, err := os.ReadFile(benchPlan(b, "10000"))
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

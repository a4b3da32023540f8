package check

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// benchPlan generates a plan of n resources with scripts/benchgen (the
// generator bench-check.sh uses) into the test's temporary directory.
func benchPlan(b testing.TB, n string) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "plan-"+n+".json")
	cmd := exec.Command("go", "run", "../../scripts/benchgen", "-resources", n, "-o", path)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("benchgen: %v", err)
	}
	return path
}

func benchCheck(b *testing.B, n string) {
	path := benchPlan(b, n)
	args := []string{"--no-color", "--data", "../../scripts/bench/data.json", path}
	b.ResetTimer()
	for range b.N {
		var errb strings.Builder
		if code := Main(args, nil, io.Discard, &errb); code != exitViolations {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
	}
}

func BenchmarkCheck1k(b *testing.B)  { benchCheck(b, "1000") }
func BenchmarkCheck10k(b *testing.B) { benchCheck(b, "10000") }

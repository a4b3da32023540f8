package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryLinksOnlyCalledOperations builds the binary and counts the
// methods of the largest AWS SDK clients in it. Holding a client where an
// interface can reach it makes the linker keep all of its operations (the
// EC2 client alone is 19 MB of code, mapped by every `check` run); see
// awsclient.NewEC2.
func TestBinaryLinksOnlyCalledOperations(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "terraform-provider-sre")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	const sdk = "github.com/aws/aws-sdk-go-v2/service/"
	// The provider calls a handful of operations of each at most; a few
	// dozen methods leave room for them and their helpers.
	for _, client := range []string{"ec2", "autoscaling", "elasticloadbalancingv2"} {
		prefix := sdk + client + ".(*Client)."
		n := 0
		for line := range strings.Lines(string(out)) {
			if f := strings.Fields(line); len(f) == 3 && strings.HasPrefix(f[2], prefix) {
				n++
			}
		}
		if n > 40 {
			t.Errorf("the binary links %d methods of the %s client: a *%s.Client is held where an interface reaches it, so the linker keeps every operation (see awsclient.NewEC2)", n, client, client)
		}
	}
}

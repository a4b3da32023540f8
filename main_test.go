package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryLinksOnlyCalledEC2Operations builds the binary and counts the
// EC2 client's methods in it. Holding the EC2 client where an interface
// can reach it makes the linker keep all of them (about 800, 19 MB of
// code, mapped by every `check` run); see awsclient.NewEC2.
func TestBinaryLinksOnlyCalledEC2Operations(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "terraform-provider-sre")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	const prefix = "github.com/aws/aws-sdk-go-v2/service/ec2.(*Client)."
	n := 0
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) == 3 && strings.HasPrefix(f[2], prefix) {
			n++
		}
	}
	// The provider calls a handful of EC2 operations at most; a few dozen
	// methods leave room for them and their helpers.
	if n > 60 {
		t.Errorf("the binary links %d methods of the EC2 client; a *ec2.Client is held where an interface reaches it, so the linker keeps every operation (see awsclient.NewEC2)", n)
	}
}

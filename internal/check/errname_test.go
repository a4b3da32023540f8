package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Exit 2 on a bad plan names the file on standard error, whatever the
// plan reader found wrong with it.
func TestBadPlanErrorNamesTheFile(t *testing.T) {
	compliant, err := os.ReadFile(plan("compliant"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	readme := write("README.md", "# not a plan\n")
	truncated := write("truncated.json", string(compliant[:len(compliant)/3]))
	oldFormat := write("old.json", `{"format_version": "0.1", "resource_changes": []}`)
	tests := []struct {
		name, path, stdin, prefix, want string
	}{
		{"markdown file", readme, "", readme + ": ", "not a JSON object"},
		{"truncated plan", truncated, "", truncated + ": ", "ends early at line"},
		{"old format", oldFormat, "", oldFormat + ": ", `format_version "0.1"`},
		{"stdin", "-", "hello", "stdin: ", "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCheck(t, tt.stdin, tt.path)
			if code != exitBadInput {
				t.Fatalf("exit %d, want 2", code)
			}
			line := strings.TrimSuffix(errOut, "\n")
			if strings.Contains(line, "\n") {
				t.Errorf("more than one line on stderr: %q", errOut)
			}
			if !strings.HasPrefix(line, "check: "+tt.prefix) || !strings.Contains(line, tt.want) {
				t.Errorf("stderr %q: want prefix %q and %q", errOut, "check: "+tt.prefix, tt.want)
			}
		})
	}
}

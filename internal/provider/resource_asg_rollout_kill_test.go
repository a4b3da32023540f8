package provider

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/asgapi"
	"github.com/sre-provider/terraform-provider-sre/internal/awsemu"
	"github.com/sre-provider/terraform-provider-sre/internal/rollout"
)

func TestEmulatorClockPathMatchesTheEmulator(t *testing.T) {
	if emulatorClockPath != awsemu.ControlPath {
		t.Fatalf("the provider calls %s, the emulator serves %s", emulatorClockPath, awsemu.ControlPath)
	}
}

// A real Terraform CLI and the provider in its own process, both killed
// with SIGKILL in the middle of the surge; the next terraform apply
// resumes the rollout from the group's tags and finishes it, launching
// exactly as many new instances as an uninterrupted rollout.
func TestAccRolloutResource_SurvivesSIGKILL(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("acceptance test: set TF_ACC and TF_ACC_TERRAFORM_PATH (make test does)")
	}
	dir := t.TempDir()
	plugins := filepath.Join(dir, "plugins")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(plugins, "terraform-provider-sre"), "github.com/sre-provider/terraform-provider-sre").CombinedOutput(); err != nil {
		t.Fatalf("build the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(dir, "cli.tfrc")
	if err := os.WriteFile(rc, []byte("provider_installation {\n  dev_overrides {\n    \"sre-provider/sre\" = \""+plugins+"\"\n  }\n  direct {}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newWebFleet(t, 6)
	config := "terraform {\n  required_providers {\n    sre = { source = \"sre-provider/sre\" }\n  }\n}\n" + providerConfig(f.s) + rolloutBlock(f.newAMI, "")
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	apply := func() *exec.Cmd {
		// -lock=false: a killed Terraform leaves its state lock behind.
		cmd := exec.Command(tf, "apply", "-auto-approve", "-input=false", "-no-color", "-lock=false")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", emulatorClockEnv+"="+f.s.URL())
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the provider is in Terraform's process group
		return cmd
	}

	first := apply()
	var out strings.Builder
	first.Stdout, first.Stderr = &out, &out
	var once sync.Once
	killedIn := ""
	f.s.SetOnAdvance(func() {
		phase := f.s.GroupTags("web")[rollout.TagPhase]
		if phase == string(rollout.PhaseSurge) {
			once.Do(func() {
				killedIn = phase
				// Newer Terraform versions start providers in their own
				// process group: kill them by parent as well.
				for _, pid := range childPIDs(first.Process.Pid) {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
				_ = syscall.Kill(-first.Process.Pid, syscall.SIGKILL)
			})
		}
	})
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	err := first.Wait()
	f.s.SetOnAdvance(nil)
	if killedIn == "" || err == nil {
		t.Fatalf("terraform was not killed mid-surge (err %v):\n%s", err, out.String())
	}
	// SIGKILL went to the whole process group, the provider with Terraform:
	// neither runs another instruction.
	if tags := f.s.GroupTags("web"); tags[rollout.TagPhase] == "" {
		t.Fatalf("no rollout recorded on the group after the kill: %v", tags)
	}

	second := apply()
	if b, err := second.CombinedOutput(); err != nil {
		t.Fatalf("terraform apply after the kill: %v\n%s", err, b)
	}
	if err := f.check(4, 6, "2")(nil); err != nil {
		t.Fatalf("after the resumed apply: %v", err)
	}

	// An uninterrupted rollout of the same spec launches the same number.
	ref := newWebFleet(t, 6)
	calls := asgapi.NewCalls(ref.as, ref.ec2, ref.lb, emulatorCloudWatch(ref.s))
	if _, err := calls.NewVersionWithImage(context.Background(), ref.ltID, 1, ref.newAMI, "reference"); err != nil {
		t.Fatal(err)
	}
	spec := rollout.NewSpec("2")
	spec.Canary.Bake, spec.FleetBake = 2*time.Minute, 3*time.Minute
	if res, err := rollout.Run(context.Background(), &asgapi.Fleet{Calls: calls, Group: "web", Now: ref.s.Clock().Now}, spec, rollout.Record{}, awsemu.SimClock{Server: ref.s}, nil); err != nil || res.Status != rollout.Succeeded {
		t.Fatalf("reference rollout: %v %+v", err, res)
	}
	if got, want := f.launches(t, "2"), ref.launches(t, "2"); got != want {
		t.Fatalf("killed in %s and resumed, the rollout launched %d new instances; uninterrupted, %d: it restarted", killedIn, got, want)
	}
}

// childPIDs lists the processes whose parent is pid, from /proc.
func childPIDs(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces, so split after ')'.
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat)[i+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

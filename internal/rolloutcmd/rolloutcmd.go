// Package rolloutcmd is `terraform-provider-sre rollout status GROUP
// [--watch]`: the live progress of a golden-AMI rollout, read from the
// group's tags and instances, since Terraform shows only "Still
// modifying…" while it runs.
package rolloutcmd

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/asgapi"
	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/cliargs"
	"github.com/sre-provider/terraform-provider-sre/internal/rollout"
)

const usage = `Usage: terraform-provider-sre rollout status [flags] GROUP

Prints the phase of the sre_asg_rollout running on the Auto Scaling group
GROUP (or "none"), the old and new instance counts, how many new instances
are pending, in service and healthy, the elapsed time and an estimate of
the time left. With -watch it prints a line whenever that changes, until
the rollout ends. With -instances it lists every instance of the group
after each line: id, zone, lifecycle state, launch template version, and
health in the group and in its target groups.

Flags:
`

// Observer reads a group; asgapi.Fleet implements it.
type Observer interface {
	Observe(ctx context.Context) (rollout.Observation, error)
}

// Main runs the subcommand: 0 done, 1 failed, 2 bad usage.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "status" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("rollout status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	region := fs.String("region", "", "AWS region (default: AWS_REGION or the profile's)")
	profile := fs.String("profile", "", "shared config profile")
	endpoint := fs.String("endpoint", "", "endpoint URL for every service, e.g. http://127.0.0.1:4566 for the emulator")
	watch := fs.Bool("watch", false, "keep printing until the rollout ends")
	interval := fs.Duration("interval", 5*time.Second, "how often -watch reads the group")
	instances := fs.Bool("instances", false, "list every instance of the group")
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	pos, err := cliargs.Parse(fs, args[1:])
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "rollout status: exactly one Auto Scaling group name is required")
		fs.Usage()
		return 2
	}
	ctx := context.Background()
	cl, err := awsclient.New(ctx, awsclient.Config{Region: *region, Profile: *profile,
		Endpoints: awsclient.Endpoints{AutoScaling: *endpoint, CloudWatch: *endpoint, EC2: *endpoint, ELBv2: *endpoint, STS: *endpoint}})
	if err != nil {
		fmt.Fprintf(stderr, "rollout status: set up AWS clients: %v\n", err)
		return 1
	}
	f := &asgapi.Fleet{Calls: asgapi.NewCalls(awsclient.NewAutoScaling(cl), awsclient.NewEC2(cl), awsclient.NewELBv2(cl), cl.CloudWatch), Group: pos[0]}
	if err := Status(ctx, f, stdout, Options{Watch: *watch, Interval: *interval, Instances: *instances}, time.Sleep); err != nil {
		fmt.Fprintf(stderr, "rollout status: %v\n", err)
		return 1
	}
	return 0
}

// Options say how Status prints.
type Options struct {
	// Watch keeps printing, every Interval, until no rollout is recorded.
	Watch    bool
	Interval time.Duration
	// Instances lists the group's instances after each line.
	Instances bool
}

// Status prints the rollout's progress once, or with Watch every time it
// changes until no rollout is recorded on the group.
func Status(ctx context.Context, o Observer, out io.Writer, opt Options, sleep func(time.Duration)) error {
	last := ""
	for {
		obs, err := o.Observe(ctx)
		if err != nil {
			return err
		}
		rec, active, err := rollout.ParseRecord(obs.Tags)
		if err != nil {
			return fmt.Errorf("the rollout record on group %s cannot be read: %w", obs.Group, err)
		}
		line := Line(obs, rec, active)
		if opt.Instances {
			for _, l := range InstanceLines(obs) {
				line += "\n  " + l
			}
		}
		if line != last {
			fmt.Fprintf(out, "%s  %s\n", obs.Now.UTC().Format("15:04:05"), line)
			last = line
		}
		if !opt.Watch || !active {
			return nil
		}
		sleep(opt.Interval)
	}
}

// Line describes the rollout on a group in one line.
func Line(obs rollout.Observation, rec rollout.Record, active bool) string {
	target := obs.LaunchTemplateVersion
	if active {
		target = strconv.Itoa(rec.TargetVersion)
	}
	p := rollout.Summarize(rollout.NewSpec(target), rec, obs)
	if !active {
		return fmt.Sprintf("%s: no rollout under way; %d instances on version %s, desired %d", obs.Group, p.Old+p.New, obs.LaunchTemplateVersion, obs.Desired)
	}
	return fmt.Sprintf("%s: rollout %s to version %d, phase %s (%s): old %d, new %d (pending %d, in service %d, healthy %d), desired %d, elapsed %s, about %s left",
		obs.Group, p.ID, rec.TargetVersion, p.Phase, p.Status, p.Old, p.New, p.Pending, p.InService, p.Healthy, p.Desired,
		p.Elapsed.Round(time.Second), p.Remaining.Round(time.Second))
}

// InstanceLines describes each instance of the group, sorted by id.
func InstanceLines(obs rollout.Observation) []string {
	ins := slices.Clone(obs.Instances)
	slices.SortFunc(ins, func(a, b rollout.Instance) int { return strings.Compare(a.ID, b.ID) })
	tgs := make([]string, 0, len(obs.Targets))
	for arn := range obs.Targets {
		tgs = append(tgs, arn)
	}
	sort.Strings(tgs)
	out := make([]string, 0, len(ins))
	for _, in := range ins {
		health := "healthy"
		if !in.Healthy {
			health = "unhealthy"
		}
		var targets []string
		for _, arn := range tgs {
			if st, ok := obs.Targets[arn][in.ID]; ok {
				targets = append(targets, string(st))
			}
		}
		l := fmt.Sprintf("%s  %s  %s  version %s  %s", in.ID, in.AZ, in.Lifecycle, in.Version, health)
		if len(targets) > 0 {
			l += ", target " + strings.Join(targets, "/")
		}
		if in.Protected {
			l += ", protected from scale-in"
		}
		out = append(out, l)
	}
	return out
}

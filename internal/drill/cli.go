package drill

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/cliargs"
	"github.com/sre-provider/terraform-provider-sre/internal/cwapi"
)

const usage = `Usage: terraform-provider-sre drill [flags] POLICY

Fires the page of the sre_alert_policy named POLICY end to end, as in a drill
of a serious outage: every window alarm of the policy goes to ALARM with
SetAlarmState (reason "drill: ..."), so the page composite notifies on-call
through its real routing while the ticket stays suppressed. CloudWatch returns
the alarms to their evaluated state at their next evaluation.

Credentials and region come from the environment and shared config files, as
for the provider.

Flags:
`

// Main runs the drill subcommand and returns its exit code: 0 done, 1 the
// drill failed, 2 bad usage.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("drill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	region := fs.String("region", "", "AWS region (default: AWS_REGION or the profile's)")
	profile := fs.String("profile", "", "shared config profile")
	endpoint := fs.String("endpoint", "", "CloudWatch and STS endpoint URL, e.g. http://127.0.0.1:4566 for the emulator")
	wait := fs.Duration("wait", 0, "wait up to this long for the page to return to OK, e.g. 3m (0: do not wait)")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up on AWS calls after this long")
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	pos, err := cliargs.Parse(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "drill: exactly one policy name is required")
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout+*wait)
	defer cancel()
	cl, err := awsclient.New(ctx, awsclient.Config{Region: *region, Profile: *profile,
		Endpoints: awsclient.Endpoints{CloudWatch: *endpoint, STS: *endpoint}})
	if err != nil {
		fmt.Fprintf(stderr, "drill: set up AWS clients: %v\n", err)
		return 1
	}
	if _, err := Run(ctx, cwapi.NewAlarms(cl.CloudWatch, time.Millisecond), pos[0], stdout, Options{Wait: *wait}); err != nil {
		fmt.Fprintf(stderr, "drill: %v\n", err)
		return 1
	}
	return 0
}

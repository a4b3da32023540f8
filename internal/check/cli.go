// Package check implements `terraform-provider-sre check`: it reads a
// Terraform JSON plan, builds the network model (internal/planmodel),
// evaluates the Rego policies on it, applies waivers and renders the result.
package check

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
)

// Exit codes.
const (
	exitClean      = 0
	exitViolations = 1
	exitBadInput   = 2
)

const usage = `Usage: terraform-provider-sre check [flags] PLAN.json

Checks a Terraform plan (terraform show -json output; "-" reads stdin)
against the network policy: the only doors to the internet are load
balancers on 443 and the bastion.

Exit status: 0 no violations, 1 violations, 2 bad input or usage.

Flags:
`

// Main runs the check subcommand with the arguments after "check".
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		fmt.Fprintf(stderr, "check: %v\nRun 'terraform-provider-sre check --help' for usage.\n", err)
		return exitBadInput
	}
	color := !cfg.noColor && os.Getenv("NO_COLOR") == "" && isTerminal(stdout)
	fmtr, _ := newFormatter(cfg.format, color)
	r := &runner{cfg: cfg, stdin: stdin, stderr: stderr, now: time.Now().UTC()}
	report, err := safeRun(r, stdout)
	if err != nil {
		if isInputError(err) {
			fmt.Fprintf(stderr, "check: %v\n", err)
			return exitBadInput
		}
		// Not the user's fault, but still no stack trace: say what failed.
		fmt.Fprintf(stderr, "check: %v\n", err)
		return exitBadInput
	}
	if report == nil { // --dump-model
		return exitClean
	}
	if err := fmtr.write(stdout, report); err != nil {
		fmt.Fprintf(stderr, "check: write output: %v\n", err)
		return exitBadInput
	}
	return report.ExitCode()
}

// safeRun turns a panic in the checker into an error, so a bug shows as
// exit 2 with one line instead of a stack trace in the user's CI log; the
// gate still fails closed.
func safeRun(r *runner, stdout io.Writer) (rep *Report, err error) {
	defer func() {
		if v := recover(); v != nil {
			rep, err = nil, fmt.Errorf("internal error while checking %s: %v; this is a bug in the checker, please report it with the plan", r.cfg.planPath, v)
		}
	}()
	return r.run(context.Background(), stdout)
}

func isInputError(err error) bool {
	var ie *inputError
	return errors.As(err, &ie) || planmodel.IsInputError(err)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseFlags accepts flags before and after the plan path, as users type
// them both ways.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := config{format: "text"}
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.format, "format", "text", "output format: "+formatNames)
	fs.StringVar(&cfg.dataPath, "data", "", "policy parameters file (YAML or JSON): admin_cidrs, bastion, public_ports, allow_http_redirect, unknown, ...")
	fs.Var((*stringList)(&cfg.policyDirs), "policy", "extra directory of Rego policies (packages under sre.rules); repeatable")
	fs.StringVar(&cfg.waiversPath, "waivers", "", "waivers file (YAML or JSON): address glob, rule, reason, owner, expires")
	fs.BoolVar(&cfg.changedOnly, "changed-only", false, "report only exposure this plan introduces, not what already exists")
	fs.BoolVar(&cfg.dumpModel, "dump-model", false, "print the network model as JSON (the input your own Rego sees) and exit")
	fs.StringVar(&cfg.configDir, "config", "", "Terraform configuration directory: findings get the file and line of their block (default: the current directory when it holds .tf files)")
	fs.BoolVar(&cfg.noColor, "no-color", false, "never colour text output (also NO_COLOR=1)")
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage(fs, stderr)
			}
			return cfg, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	fs.Visit(func(f *flag.Flag) { cfg.configSet = cfg.configSet || f.Name == "config" })
	switch len(positional) {
	case 0:
		return cfg, errors.New("missing plan file (a `terraform show -json` document, or - for stdin)")
	case 1:
		cfg.planPath = positional[0]
	default:
		return cfg, fmt.Errorf("expected one plan file, got %d: %s", len(positional), strings.Join(positional, " "))
	}
	if _, ok := newFormatter(cfg.format, false); !ok {
		return cfg, fmt.Errorf("unknown --format %q; choose one of %s", cfg.format, formatNames)
	}
	return cfg, nil
}

func printUsage(fs *flag.FlagSet, w io.Writer) {
	var b strings.Builder
	b.WriteString(usage)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	for _, n := range names {
		f := fs.Lookup(n)
		arg := ""
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); !isBool {
			arg = " " + strings.ToUpper(map[string]string{"format": "name", "policy": "dir", "config": "dir"}[n])
			if arg == " " {
				arg = " FILE"
			}
		}
		fmt.Fprintf(&b, "  --%s%s\n        %s\n", n, arg, f.Usage)
	}
	io.WriteString(w, b.String())
}

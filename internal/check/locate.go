package check

import (
	"fmt"

	"github.com/sre-provider/terraform-provider-sre/internal/tfsource"
)

// loadConfig reads the Terraform configuration findings are located in:
// the --config directory, or the current directory when it holds .tf
// files and --config is not given; nil without one. Problems reading it
// are warnings on standard error, except a --config that is not a
// directory.
func (r *runner) loadConfig() (*tfsource.Config, error) {
	dir := r.cfg.configDir
	if !r.cfg.configSet {
		if !tfsource.HasFiles(".") {
			return nil, nil
		}
		dir = "."
	}
	cfg, err := tfsource.Load(dir)
	if err != nil {
		return nil, inputErrorf("--config %s: %v", dir, err)
	}
	for _, w := range cfg.Warnings {
		r.warnf("--config %s: %s", dir, w)
	}
	return cfg, nil
}

// locate fills in the file and lines of each finding's block; findings
// whose address the configuration does not hold keep no location.
func locate(cfg *tfsource.Config, findings []Finding) {
	if cfg == nil {
		return
	}
	base := tfsource.Base(cfg.Dir, cfg.Files())
	for i := range findings {
		f := &findings[i]
		if f.Kind == "waiver_expired" || f.Kind == "waiver_unused" {
			continue // the address is a waiver's glob, not a resource
		}
		loc, ok := cfg.Locate(f.Address)
		if !ok {
			continue
		}
		f.File, f.Line, f.EndLine = tfsource.Rel(base, loc.File), loc.StartLine, loc.EndLine
	}
}

func (r *runner) warnf(format string, args ...any) {
	if r.stderr != nil {
		fmt.Fprintf(r.stderr, "check: warning: "+format+"\n", args...)
	}
}

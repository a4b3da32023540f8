package check

import (
	"fmt"

	"github.com/sre-provider/terraform-provider-sre/internal/tfsource"
)

// locate fills in the file and lines of each finding's block from the
// Terraform configuration: the --config directory, or the current
// directory when it holds .tf files and --config is not given. Without a
// configuration findings keep no location. Problems reading it are
// warnings on standard error, except a --config that is not a directory.
func (r *runner) locate(findings []Finding) error {
	dir := r.cfg.configDir
	if !r.cfg.configSet {
		if !tfsource.HasFiles(".") {
			return nil
		}
		dir = "."
	}
	cfg, err := tfsource.Load(dir)
	if err != nil {
		return inputErrorf("--config %s: %v", dir, err)
	}
	for _, w := range cfg.Warnings {
		r.warnf("--config %s: %s", dir, w)
	}
	base := tfsource.Base(dir, cfg.Files())
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
	return nil
}

func (r *runner) warnf(format string, args ...any) {
	if r.stderr != nil {
		fmt.Fprintf(r.stderr, "check: warning: "+format+"\n", args...)
	}
}

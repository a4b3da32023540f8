package check

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
	"github.com/sre-provider/terraform-provider-sre/internal/tfsource"
)

// config is the parsed command line.
type config struct {
	planPath    string
	format      string
	dataPath    string
	policyDirs  []string
	waiversPath string
	changedOnly bool
	dumpModel   bool
	noColor     bool
	// configDir is the Terraform configuration to locate findings in;
	// configSet says --config was given (else the current directory is
	// read when it holds .tf files).
	configDir string
	configSet bool
}

// runner evaluates one plan. It returns plain data; rendering and the exit
// code are decided by the caller.
type runner struct {
	cfg    config
	stdin  io.Reader
	stderr io.Writer
	now    time.Time
}

// load reads and parses the plan file, or stdin for "-".
func (r *runner) load() (*planmodel.Plan, error) {
	var in io.Reader = r.stdin
	sized := false
	if r.cfg.planPath != "-" {
		f, err := os.Open(r.cfg.planPath)
		if err != nil {
			return nil, inputErrorf("cannot open plan %s: %v", r.cfg.planPath, unwrapPathErr(err))
		}
		st, err := f.Stat()
		if err == nil && st.IsDir() {
			f.Close()
			return nil, inputErrorf("plan %s is a directory; give the JSON file written by `terraform show -json`", r.cfg.planPath)
		}
		defer f.Close()
		in = f
		if err == nil && st.Mode().IsRegular() {
			defer boundMemory(st.Size())
			readMemory(st.Size())
			sized = true
		}
	}
	// The plan is streamed, never held whole.
	p, err := planmodel.ParseReader(in, planmodel.MaxPlanSize)
	if err != nil {
		return nil, err
	}
	if !sized {
		boundMemory(p.InputSize()) // known only now
	}
	return p, nil
}

// buildModels builds the model of the plan and, for --changed-only, of
// the state before it. The plan is dropped before evaluation starts.
func (r *runner) buildModels(opts planmodel.Options) (model, before *planmodel.Model, err error) {
	plan, err := r.load()
	if err != nil {
		return nil, nil, r.namePlan(err)
	}
	if model, err = planmodel.Build(plan, opts); err != nil {
		return nil, nil, r.namePlan(err)
	}
	if r.cfg.changedOnly {
		opts.Before = true
		if before, err = planmodel.Build(plan, opts); err != nil {
			return nil, nil, r.namePlan(err)
		}
	}
	freePlan()
	return model, before, nil
}

func (r *runner) run(ctx context.Context, stdout io.Writer) (*Report, error) {
	data, err := loadData(r.cfg.dataPath)
	if err != nil {
		return nil, err
	}
	// Compile the policies while the plan is being read.
	type compiled struct {
		eng *engine
		err error
	}
	engc := make(chan compiled, 1)
	if !r.cfg.dumpModel {
		go func() {
			eng, err := newEngine(ctx, r.cfg.policyDirs, data)
			engc <- compiled{eng, err}
		}()
	}
	var tfConfig *tfsource.Config
	if !r.cfg.dumpModel {
		if tfConfig, err = r.loadConfig(); err != nil {
			return nil, err
		}
	}
	model, before, err := r.buildModels(modelOptions(data))
	if err != nil {
		return nil, err
	}
	if r.cfg.dumpModel {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return nil, enc.Encode(model)
	}
	c := <-engc
	if c.err != nil {
		return nil, c.err
	}
	eng := c.eng
	// Past conversion the policies read only their input: the model is
	// kept through evaluation only to draw the doors.
	drawn := model
	if !drawsDoors(r.cfg.format) {
		drawn = nil
	}
	res, err := evalModel(ctx, eng, model, drawn == nil)
	if err != nil {
		return nil, err
	}
	findings := res.Findings
	if before != nil {
		prior, err := evalModel(ctx, eng, before, true)
		if err != nil {
			return nil, err
		}
		findings = newFindings(findings, prior.Findings)
	}
	ids := map[string]bool{}
	for _, rule := range res.Rules {
		ids[rule.ID] = true
	}
	if r.cfg.waiversPath != "" {
		ws, err := loadWaivers(r.cfg.waiversPath, ids)
		if err != nil {
			return nil, err
		}
		findings = applyWaivers(findings, ws, r.now)
	}
	locate(tfConfig, findings)
	sortFindings(findings)
	sort.Slice(res.Rules, func(i, j int) bool { return res.Rules[i].ID < res.Rules[j].ID })
	if findings == nil {
		findings = []Finding{}
	}
	rep := &Report{Plan: r.cfg.planPath, Findings: findings, Rules: res.Rules}
	if drawsDoors(r.cfg.format) {
		rep.Doors = doorGraph(drawn, adminCIDRs(data), findings)
	}
	return rep, nil
}

// Collector pacing. A check is one short burst of allocation: reading,
// whose heap only grows; building, after which the plan is dead; and
// evaluation, whose heap is the model, its native tree and OPA's work.
// GOMEMLIMIT and GOGC from the environment win over all of this.

// userPaced reports whether the environment sets the collector's pacing.
func userPaced() bool { return os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" }

// readMemory sets the collector up for reading a plan of planSize bytes.
// Collections while reading are wasted work: collect only once the heap
// nears twice the plan's size (at least 96 MiB, as for evaluation), which
// stays under the peak that evaluation reaches anyway. The plan's own live heap is up to 1.6 times its size, so
// a lower limit runs the collector again and again while reading.
func readMemory(planSize int64) {
	if userPaced() {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(max(planSize*2, 96<<20))
}

// boundMemory paces the collector for building and evaluating the model
// of a plan of planSize bytes: collect only near a limit of 2.5 times the
// plan (at least 96 MiB). The heap of a check is the memory it needs, so
// collections under the limit free little: with the default GOGC a small
// plan's evaluation collected at 20 and 40 MB. The evaluation's live heap
// (the model's OPA value and OPA's work) can approach twice the plan; a
// lower limit made the collector run back to back. On a plan of tens of
// megabytes the memory outside the limit (the binary, the compiled
// policies) is a visible share of the peak, so the limit is also kept
// under three times the plan less that share.
func boundMemory(planSize int64) {
	if userPaced() {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(max(min(planSize*5/2, planSize*3-outsideLimit), 96<<20))
}

// outsideLimit is about what a check's peak resident memory holds beyond
// the Go memory limit.
const outsideLimit = 35 << 20

// freePlan collects once the plan is dead, before evaluation allocates
// the native tree: at 10k resources that cut peak memory by a quarter
// (75 to 55 MB) for ≈5 ms.
func freePlan() {
	if userPaced() {
		return
	}
	runtime.GC()
}

// evalModel evaluates the policies on the model's JSON form (modelInput).
// m is not used past the conversion; with release it is emptied during
// it, for a caller that has no more use for it.
func evalModel(ctx context.Context, eng *engine, m *planmodel.Model, release bool) (*evalResult, error) {
	in, err := modelInput(m, release)
	if err != nil {
		return nil, err
	}
	return eng.eval(ctx, in)
}

// newFindings keeps the findings that the state before the plan does not
// already have: the exposure this plan introduces.
func newFindings(after, before []Finding) []Finding {
	seen := make(map[string]bool, len(before))
	for _, f := range before {
		seen[f.ID+"\x00"+f.Address+"\x00"+f.Message] = true
	}
	var out []Finding
	for _, f := range after {
		if !seen[f.ID+"\x00"+f.Address+"\x00"+f.Message] {
			out = append(out, f)
		}
	}
	return out
}

// namePlan prefixes the plan's file name ("stdin" for -) to what the
// plan reader says is wrong with it, so the one line on standard error
// names the file.
func (r *runner) namePlan(err error) error {
	if !planmodel.IsInputError(err) {
		return err
	}
	name := r.cfg.planPath
	if name == "-" {
		name = "stdin"
	}
	return fmt.Errorf("%s: %w", name, err)
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

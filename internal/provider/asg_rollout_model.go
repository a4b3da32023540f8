package provider

// Conversions of sre_asg_rollout between its Terraform model and
// internal/rollout, and the provider's rollout clock and AWS calls.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sre-provider/terraform-provider-sre/internal/asgapi"
	"github.com/sre-provider/terraform-provider-sre/internal/awsclient"
	"github.com/sre-provider/terraform-provider-sre/internal/rollout"
)

// RolloutResourceModel maps the sre_asg_rollout schema.
type RolloutResourceModel struct {
	ID                    types.String `tfsdk:"id"`
	AutoScalingGroupName  types.String `tfsdk:"autoscaling_group_name"`
	ImageID               types.String `tfsdk:"image_id"`
	LaunchTemplateVersion types.String `tfsdk:"launch_template_version"`
	rolloutSettings
	LaunchTemplateID types.String `tfsdk:"launch_template_id"`
	PreviousVersion  types.String `tfsdk:"previous_version"`
	Status           types.String `tfsdk:"status"`
	InSync           types.Bool   `tfsdk:"in_sync"`
	Preview          types.Object `tfsdk:"preview"`
}

// rolloutSettings are the attributes sre_asg_rollout and sre_ring_rollout
// share: how every group rolls.
type rolloutSettings struct {
	Canary             *rolloutCanaryModel     `tfsdk:"canary"`
	Gates              *rolloutGatesModel      `tfsdk:"gates"`
	FleetBakeTime      types.String            `tfsdk:"fleet_bake_time"`
	Surge              *rolloutSurgeModel      `tfsdk:"surge"`
	AllowRaiseMax      types.Bool              `tfsdk:"allow_raise_max"`
	MinHealthyPercent  types.Int64             `tfsdk:"min_healthy_percent"`
	OnFailure          types.String            `tfsdk:"on_failure"`
	SkipMatching       types.Bool              `tfsdk:"skip_matching"`
	ProtectedInstances types.String            `tfsdk:"protected_instances"`
	StandbyInstances   types.String            `tfsdk:"standby_instances"`
	ErrorBudgetGate    *rolloutBudgetGateModel `tfsdk:"error_budget_gate"`
}

type rolloutCanaryModel struct {
	Count    types.Int64  `tfsdk:"count"`
	BakeTime types.String `tfsdk:"bake_time"`
}

type rolloutGatesModel struct {
	HealthCheckGrace   types.String `tfsdk:"health_check_grace"`
	TargetHealth       types.Bool   `tfsdk:"target_health"`
	AlarmNames         types.List   `tfsdk:"alarm_names"`
	AlarmPrefixes      types.List   `tfsdk:"alarm_prefixes"`
	InsufficientDataOK types.Bool   `tfsdk:"insufficient_data_ok"`
	Timeout            types.String `tfsdk:"timeout"`
}

type rolloutSurgeModel struct {
	WavePercent  types.Int64  `tfsdk:"wave_percent"`
	WaveBakeTime types.String `tfsdk:"wave_bake_time"`
}

type rolloutBudgetGateModel struct {
	SLO          types.String  `tfsdk:"slo"`
	MinRemaining types.Float64 `tfsdk:"min_remaining"`
	Override     types.Bool    `tfsdk:"override"`
}

var (
	rolloutCanaryAttrTypes = map[string]attr.Type{"count": types.Int64Type, "bake_time": types.StringType}
	rolloutGatesAttrTypes  = map[string]attr.Type{"health_check_grace": types.StringType, "target_health": types.BoolType,
		"alarm_names": types.ListType{ElemType: types.StringType}, "alarm_prefixes": types.ListType{ElemType: types.StringType},
		"insufficient_data_ok": types.BoolType, "timeout": types.StringType}
	rolloutSurgeAttrTypes = map[string]attr.Type{"wave_percent": types.Int64Type, "wave_bake_time": types.StringType}
)

var rolloutPreviewAttrTypes = map[string]attr.Type{
	"old_version":       types.StringType,
	"new_version":       types.StringType,
	"instances":         types.Int64Type,
	"replace":           types.Int64Type,
	"matching":          types.Int64Type,
	"kept":              types.Int64Type,
	"canary":            types.Int64Type,
	"waves":             types.ListType{ElemType: types.Int64Type},
	"max_size":          types.Int64Type,
	"raised_max_size":   types.Int64Type,
	"expected_duration": types.StringType,
	"resume":            types.BoolType,
	"resume_phase":      types.StringType,
	"nothing_to_do":     types.BoolType,
}

var rolloutPreviewDescriptions = map[string]string{
	"old_version":       "The version the group runs now.",
	"new_version":       "The version the rollout moves it to.",
	"instances":         "Instances launching or in service.",
	"replace":           "Instances the rollout replaces.",
	"matching":          "Instances already on the new version, which stay (skip_matching).",
	"kept":              "Protected or standby instances left on their version (`ignore`).",
	"canary":            "Canary instances that launch first.",
	"waves":             "New instances each surge wave launches; one entry when the whole fleet surges at once.",
	"max_size":          "The group's max_size now.",
	"raised_max_size":   "The highest max_size during the rollout (equal to max_size when not raised); restored after.",
	"expected_duration": "Expected time to the end: launches, grace, health checks, bakes and draining.",
	"resume":            "True when a rollout under way resumes instead of restarting.",
	"resume_phase":      "The phase it resumes from.",
	"nothing_to_do":     "True when every instance already runs the new version.",
}

var (
	amiPattern     = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)
	versionPattern = regexp.MustCompile(`^[1-9][0-9]*$`)
)

func (m *RolloutResourceModel) known() bool {
	if m.AutoScalingGroupName.IsUnknown() || m.ImageID.IsUnknown() || m.FleetBakeTime.IsUnknown() {
		return false
	}
	if m.ImageID.IsNull() && m.LaunchTemplateVersion.IsUnknown() {
		return false
	}
	if g := m.Gates; g != nil && (g.AlarmNames.IsUnknown() || g.AlarmPrefixes.IsUnknown()) {
		return false
	}
	return true
}

func stringsOf(l types.List) []string {
	var out []string
	for _, e := range l.Elements() {
		if s, ok := e.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
			out = append(out, s.ValueString())
		}
	}
	return out
}

func parseDur(v types.String, def time.Duration) time.Duration {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	d, err := time.ParseDuration(v.ValueString())
	if err != nil {
		return def
	}
	return d
}

// spec converts the model for a numbered target version.
func (m *rolloutSettings) spec(version string) (rollout.Spec, []error) {
	s := rollout.NewSpec(version)
	if c := m.Canary; c != nil {
		if !c.Count.IsNull() && !c.Count.IsUnknown() {
			s.Canary.Count = int(c.Count.ValueInt64())
		}
		s.Canary.Bake = parseDur(c.BakeTime, s.Canary.Bake)
	}
	if g := m.Gates; g != nil {
		s.Gates.Grace = parseDur(g.HealthCheckGrace, s.Gates.Grace)
		if !g.TargetHealth.IsNull() {
			s.Gates.TargetHealth = g.TargetHealth.ValueBool()
		}
		s.Gates.AlarmNames, s.Gates.AlarmPrefixes = stringsOf(g.AlarmNames), stringsOf(g.AlarmPrefixes)
		if !g.InsufficientDataOK.IsNull() {
			s.Gates.InsufficientDataOK = g.InsufficientDataOK.ValueBool()
		}
		s.Gates.Timeout = parseDur(g.Timeout, s.Gates.Timeout)
	}
	s.FleetBake = parseDur(m.FleetBakeTime, s.FleetBake)
	if sg := m.Surge; sg != nil {
		if !sg.WavePercent.IsNull() && !sg.WavePercent.IsUnknown() {
			s.Surge.WavePercent = int(sg.WavePercent.ValueInt64())
		}
		s.Surge.WaveBake = parseDur(sg.WaveBakeTime, s.Surge.WaveBake)
	}
	if !m.AllowRaiseMax.IsNull() {
		s.AllowRaiseMax = m.AllowRaiseMax.ValueBool()
	}
	if !m.MinHealthyPercent.IsNull() {
		s.MinHealthyPercent = int(m.MinHealthyPercent.ValueInt64())
	}
	if !m.OnFailure.IsNull() {
		s.OnFailure = rollout.OnFailure(m.OnFailure.ValueString())
	}
	if !m.SkipMatching.IsNull() {
		s.SkipMatching = m.SkipMatching.ValueBool()
	}
	if !m.ProtectedInstances.IsNull() {
		s.ProtectedInstances = rollout.InstancePolicy(m.ProtectedInstances.ValueString())
	}
	if !m.StandbyInstances.IsNull() {
		s.StandbyInstances = rollout.InstancePolicy(m.StandbyInstances.ValueString())
	}
	return s, s.Validate()
}

// previewValue renders a plan preview; newVersion is true when the apply
// creates the target version (its number is not known yet).
func previewValue(p rollout.Preview, newVersion bool) types.Object {
	waves := make([]attr.Value, len(p.Waves))
	for i, w := range p.Waves {
		waves[i] = types.Int64Value(int64(w))
	}
	return types.ObjectValueMust(rolloutPreviewAttrTypes, map[string]attr.Value{
		"old_version":       types.StringValue(fmt.Sprint(p.OldVersion)),
		"new_version":       newVersionValue(p, newVersion),
		"instances":         types.Int64Value(int64(p.Instances)),
		"replace":           types.Int64Value(int64(p.Replace)),
		"matching":          types.Int64Value(int64(p.Matching)),
		"kept":              types.Int64Value(int64(p.Kept)),
		"canary":            types.Int64Value(int64(p.Canary)),
		"waves":             types.ListValueMust(types.Int64Type, waves),
		"max_size":          types.Int64Value(int64(p.Max)),
		"raised_max_size":   types.Int64Value(int64(p.RaisedMax)),
		"expected_duration": types.StringValue(p.Duration.Round(time.Second).String()),
		"resume":            types.BoolValue(p.Resume),
		"resume_phase":      types.StringValue(p.ResumePhase),
		"nothing_to_do":     types.BoolValue(p.NothingToDo),
	})
}

func newVersionValue(p rollout.Preview, made bool) types.String {
	if made {
		return types.StringUnknown()
	}
	return types.StringValue(fmt.Sprint(p.TargetVersion))
}

// knownPreview settles the planned preview after apply: the version made
// at apply time replaces its unknown number.
func knownPreview(p types.Object, version string) types.Object {
	if p.IsUnknown() || p.IsNull() {
		return types.ObjectNull(rolloutPreviewAttrTypes)
	}
	attrs := p.Attributes()
	if v, ok := attrs["new_version"]; ok && v.IsUnknown() {
		attrs["new_version"] = types.StringValue(version)
	}
	return types.ObjectValueMust(rolloutPreviewAttrTypes, attrs)
}

// durationValidator accepts Go durations such as 90s, 5m or 1h30m.
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "a duration such as 90s, 5m or 1h"
}
func (v durationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}
func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d < 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration", fmt.Sprintf("%s: %q is not a duration such as 90s, 5m or 1h.", req.Path, req.ConfigValue.ValueString()))
	}
}

// realClock is wall time for rollouts outside tests.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// emulatorClockEnv names the emulator whose clock rollouts wait on instead
// of wall time, for tests that run the provider in its own process under a
// real Terraform CLI (internal/awsemu's control endpoint).
const emulatorClockEnv = "SRE_EMULATOR_CLOCK"

// emulatorClockPath is awsemu.ControlPath, written out so the provider does
// not link the emulator (a test checks they agree).
const emulatorClockPath = "/_awsemu/clock"

// emulatorClock reads and advances the emulator's clock over HTTP.
type emulatorClock struct{ url string }

func (c emulatorClock) call(method, query string) (time.Time, error) {
	req, err := http.NewRequest(method, strings.TrimRight(c.url, "/")+emulatorClockPath+query, nil)
	if err != nil {
		return time.Time{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return time.Time{}, fmt.Errorf("emulator clock: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return time.Time{}, fmt.Errorf("emulator clock: %s: %s", resp.Status, b)
	}
	return time.Parse(time.RFC3339Nano, string(b))
}

func (c emulatorClock) Now() time.Time {
	t, err := c.call(http.MethodGet, "")
	if err != nil {
		return time.Now()
	}
	return t
}

func (c emulatorClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := c.call(http.MethodPost, "?advance="+d.String())
	return err
}

// rolloutDeps are built on first use: most runs never roll anything.
type rolloutDeps struct {
	once  sync.Once
	calls asgapi.Calls

	mu      sync.Mutex
	regions map[string]*Clients
}

// inRegion returns the provider's clients for another region (ring
// rollouts), sharing everything but the AWS clients.
func (c *Clients) inRegion(region string) *Clients {
	if region == "" || region == c.Region {
		return c
	}
	c.deps.mu.Lock()
	defer c.deps.mu.Unlock()
	if r, ok := c.deps.regions[region]; ok {
		return r
	}
	out := &Clients{Clients: c.Clients.InRegion(region), DefaultTags: c.DefaultTags, Alarms: c.Alarms, Clock: c.Clock, deps: &rolloutDeps{}}
	if c.deps.regions == nil {
		c.deps.regions = map[string]*Clients{}
	}
	c.deps.regions[region] = out
	return out
}

func (c *Clients) rolloutCalls() asgapi.Calls {
	c.deps.once.Do(func() {
		c.deps.calls = asgapi.NewCalls(awsclient.NewAutoScaling(c.Clients), awsclient.NewEC2(c.Clients), awsclient.NewELBv2(c.Clients), c.CloudWatch)
	})
	return c.deps.calls
}

func (c *Clients) clock() rollout.Clock {
	if c.Clock != nil {
		return c.Clock
	}
	if u := os.Getenv(emulatorClockEnv); u != "" {
		return emulatorClock{url: u}
	}
	return realClock{}
}

package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sre-provider/terraform-provider-sre/internal/asgapi"
	"github.com/sre-provider/terraform-provider-sre/internal/rollout"
	"github.com/sre-provider/terraform-provider-sre/internal/slodash"
)

var (
	_ resource.Resource                = (*RolloutResource)(nil)
	_ resource.ResourceWithConfigure   = (*RolloutResource)(nil)
	_ resource.ResourceWithImportState = (*RolloutResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*RolloutResource)(nil)
)

// NewRolloutResource returns the sre_asg_rollout resource.
func NewRolloutResource() resource.Resource { return &RolloutResource{} }

// RolloutResource rolls a golden AMI onto an Auto Scaling group.
type RolloutResource struct {
	clients *Clients
}

func (r *RolloutResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_asg_rollout"
}

func durationAttr(desc, def string) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(def),
		MarkdownDescription: desc + " Default `" + def + "`.", Validators: []validator.String{durationValidator{}}}
}

func (r *RolloutResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	previewAttrs := map[string]schema.Attribute{}
	for name, t := range rolloutPreviewAttrTypes {
		desc := rolloutPreviewDescriptions[name]
		switch t {
		case types.StringType:
			previewAttrs[name] = schema.StringAttribute{Computed: true, MarkdownDescription: desc}
		case types.BoolType:
			previewAttrs[name] = schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
		case types.Int64Type:
			previewAttrs[name] = schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
		default:
			previewAttrs[name] = schema.ListAttribute{Computed: true, ElementType: types.Int64Type, MarkdownDescription: desc}
		}
	}
	strs := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Optional: true, Computed: true,
			Default: listdefault.StaticValue(types.ListValueMust(types.StringType, nil)), MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An immutable golden-AMI rollout on one Auto Scaling group, run inside `terraform apply`: the group is pointed at a " +
			"numbered launch template version with the new image; one canary launches and must pass its gates (health-check grace, ELB target " +
			"health of the canary itself in every target group of the group, CloudWatch alarms not in ALARM) for its bake time; the fleet surges " +
			"with new instances (all at once or in waves), passes the same gates again, and exactly the old instances are retired, drained " +
			"from their target groups first. AZRebalance is suspended meanwhile; max size, processes and protection are restored as they were. " +
			"On a failed gate the previous version is put back and the new instances are retired, leaving the fleet as it was.\n\n" +
			"The rollout's phase is recorded in the group's tags (`sre:rollout:*`) as it goes: if Terraform is killed mid-rollout, the next plan " +
			"says it will resume, and the apply finishes (or rolls back) from where it stopped. `terraform-provider-sre rollout status -watch GROUP` " +
			"shows the progress while Terraform says only \"Still modifying…\". Destroying the resource leaves the group as it is.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Same as `autoscaling_group_name`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"autoscaling_group_name": schema.StringAttribute{Required: true,
				MarkdownDescription: "The Auto Scaling group to roll. It must launch from a launch template. Changing it replaces the resource (no rollout runs on the old group).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"image_id": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The golden AMI to roll out. The resource creates a numbered launch template version from the group's current one with this image. Exactly one of `image_id` and `launch_template_version`.",
				Validators: []validator.String{stringvalidator.ExactlyOneOf(path.MatchRoot("launch_template_version")),
					stringvalidator.RegexMatches(amiPattern, "must be an AMI id such as ami-0123456789abcdef0")}},
			"launch_template_version": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "A numbered version of the group's launch template to roll out; never `$Latest` or `$Default`, which hide changes and make rollback impossible. Computed when `image_id` is given.",
				Validators:          []validator.String{stringvalidator.RegexMatches(versionPattern, "must be a version number such as \"7\"; $Latest and $Default are not accepted because they hide changes and make rollback impossible")}},
			"canary": schema.SingleNestedAttribute{Optional: true, Computed: true,
				MarkdownDescription: "The canary step: how many new instances launch first, and how long they bake once their gates hold.",
				Default: objectdefault.StaticValue(types.ObjectValueMust(rolloutCanaryAttrTypes, map[string]attr.Value{
					"count": types.Int64Value(1), "bake_time": types.StringValue("5m")})),
				Attributes: map[string]schema.Attribute{
					"count": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(1),
						MarkdownDescription: "Canary instances. Default 1.", Validators: []validator.Int64{int64validator.AtLeast(1)}},
					"bake_time": durationAttr("How long the canary's gates must hold.", "5m"),
				}},
			"gates": schema.SingleNestedAttribute{Optional: true, Computed: true,
				MarkdownDescription: "What must hold for the canary, and again for the fleet, before the rollout goes on.",
				Default: objectdefault.StaticValue(types.ObjectValueMust(rolloutGatesAttrTypes, map[string]attr.Value{
					"health_check_grace": types.StringValue("2m"), "target_health": types.BoolValue(true),
					"alarm_names": types.ListValueMust(types.StringType, nil), "alarm_prefixes": types.ListValueMust(types.StringType, nil),
					"insufficient_data_ok": types.BoolValue(true), "timeout": types.StringValue("15m")})),
				Attributes: map[string]schema.Attribute{
					"health_check_grace": durationAttr("How long a new instance may take after launch before its health counts.", "2m"),
					"target_health": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
						MarkdownDescription: "Whether the new instances themselves must be healthy in every target group of the group."},
					"alarm_names":    strs("CloudWatch alarms (metric or composite) that must not be in ALARM, e.g. the SLO's page composite."),
					"alarm_prefixes": strs("Alarm name prefixes: every alarm whose name starts with one must not be in ALARM."),
					"insufficient_data_ok": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
						MarkdownDescription: "Whether an alarm in INSUFFICIENT_DATA passes the gate."},
					"timeout": durationAttr("How long the gates may take to hold before the step fails.", "15m"),
				}},
			"fleet_bake_time": durationAttr("How long the fleet's gates must hold after the surge, before the old instances are retired.", "10m"),
			"surge": schema.SingleNestedAttribute{Optional: true, Computed: true,
				MarkdownDescription: "How the new fleet launches after the canary.",
				Default: objectdefault.StaticValue(types.ObjectValueMust(rolloutSurgeAttrTypes, map[string]attr.Value{
					"wave_percent": types.Int64Value(100), "wave_bake_time": types.StringValue("0s")})),
				Attributes: map[string]schema.Attribute{
					"wave_percent": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(100),
						MarkdownDescription: "Share of the fleet each wave launches; 100 launches the whole fleet at once.",
						Validators:          []validator.Int64{int64validator.Between(1, 100)}},
					"wave_bake_time": durationAttr("How long each wave's gates must hold before the next.", "0s"),
				}},
			"allow_raise_max": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Whether max_size may be raised during the rollout when it leaves no room to surge (restored after). When false, the rollout makes room by retiring old instances first, in waves, keeping `min_healthy_percent`."},
			"min_healthy_percent": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(100),
				MarkdownDescription: "Share of the original desired capacity that must stay in service while rolling in waves.",
				Validators:          []validator.Int64{int64validator.Between(0, 100)}},
			"on_failure": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("rollback"),
				MarkdownDescription: "`rollback` (default): put the previous version back and retire the new instances; `pause`: stop where the gate failed, recorded in the group's tags, for a person to decide.",
				Validators:          []validator.String{stringvalidator.OneOf("rollback", "pause")}},
			"skip_matching": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Whether instances already on the target version stay instead of being replaced."},
			"protected_instances": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("refuse"),
				MarkdownDescription: "What to do with old instances protected from scale-in: `refuse` to start (default), `replace` them, or `ignore` them (they stay on their version).",
				Validators:          []validator.String{stringvalidator.OneOf("refuse", "replace", "ignore")}},
			"standby_instances": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("refuse"),
				MarkdownDescription: "What to do with instances in Standby: `refuse` to start (default), or `ignore` them (they stay on their version). Standby instances are outside desired capacity, so a rollout cannot retire them with it.",
				Validators:          []validator.String{stringvalidator.OneOf("refuse", "ignore")}},
			"error_budget_gate": schema.SingleNestedAttribute{Optional: true,
				MarkdownDescription: "The error-budget policy: refuse to start while the SLO's remaining budget is below a minimum.",
				Attributes: map[string]schema.Attribute{
					"slo": schema.StringAttribute{Required: true, MarkdownDescription: "Name of an SLO created by `sre_slo`, e.g. `sre_slo.checkout.name`."},
					"min_remaining": schema.Float64Attribute{Optional: true, Computed: true, Default: float64default.StaticFloat64(0),
						MarkdownDescription: "Minimum remaining budget as a fraction (`budget_remaining_fraction`); 0 refuses only a spent budget."},
					"override": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						MarkdownDescription: "Start anyway, for emergencies such as a security patch; the apply logs that the gate was overridden."},
				}},
			"launch_template_id": schema.StringAttribute{Computed: true, MarkdownDescription: "The group's launch template."},
			"previous_version":   schema.StringAttribute{Computed: true, MarkdownDescription: "The version the group ran before the last rollout: where a rollback goes."},
			"status": schema.StringAttribute{Computed: true,
				MarkdownDescription: "How the last apply ended: `succeeded`, or `paused` (on_failure = pause)."},
			"in_sync": schema.BoolAttribute{Computed: true, PlanModifiers: []planmodifier.Bool{alwaysTrue{}},
				MarkdownDescription: "False when the last refresh found the group on another version or instances not on the rolled-out version; the next apply rolls again."},
			"preview": schema.SingleNestedAttribute{Computed: true, Attributes: previewAttrs,
				MarkdownDescription: "What the apply will do, known at plan time when the group exists."},
		},
	}
}

func (r *RolloutResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

// fleet builds the adapter for a group.
func (r *RolloutResource) fleet(m *RolloutResourceModel) *asgapi.Fleet { return fleetFor(r.clients, m) }

func fleetFor(c *Clients, m *RolloutResourceModel) *asgapi.Fleet {
	f := &asgapi.Fleet{Calls: c.rolloutCalls(), Group: m.AutoScalingGroupName.ValueString(), Now: c.clock().Now}
	if m.Gates != nil {
		f.AlarmNames, f.AlarmPrefixes = stringsOf(m.Gates.AlarmNames), stringsOf(m.Gates.AlarmPrefixes)
	}
	return f
}

func (r *RolloutResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.clients == nil || req.Plan.Raw.Equal(req.State.Raw) {
		return // destroy, validation, or nothing to roll: the state stands
	}
	var plan RolloutResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !plan.known() {
		return
	}
	f := r.fleet(&plan)
	obs, err := f.Observe(ctx)
	if err != nil {
		if errors.Is(err, asgapi.ErrNotFound) {
			return // created in the same apply: nothing to preview yet
		}
		resp.Diagnostics.AddWarning("Rollout Preview Unavailable", fmt.Sprintf("Could not read Auto Scaling group %s to preview the rollout.\n\n%s", f.Group, err))
		return
	}
	version, made := plan.LaunchTemplateVersion.ValueString(), false
	if !plan.ImageID.IsNull() {
		// The version is made at apply time unless the group already runs
		// the image; until then no instance is on it.
		prior := ""
		if !req.State.Raw.IsNull() {
			var state RolloutResourceModel
			resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
			prior = state.LaunchTemplateVersion.ValueString()
		}
		if v, ok := r.versionWithImage(ctx, obs, plan.ImageID.ValueString(), prior); ok {
			version = strconv.Itoa(v)
			plan.LaunchTemplateVersion = types.StringValue(version)
		} else if rec, ok, _ := rollout.ParseRecord(obs.Tags); ok {
			version = strconv.Itoa(rec.TargetVersion)
			plan.LaunchTemplateVersion = types.StringValue(version)
		} else {
			version, made = strconv.Itoa(math.MaxInt32), true
			plan.LaunchTemplateVersion = types.StringUnknown()
		}
	}
	if version != "" {
		spec, errs := plan.spec(version)
		if len(errs) == 0 {
			p := rollout.Plan(spec, obs)
			plan.Preview = previewValue(p, made)
			if p.Resume {
				resp.Diagnostics.AddWarning("Rollout Will Resume",
					fmt.Sprintf("A rollout (%s) of Auto Scaling group %s stopped in phase %s. The apply resumes it from there rather than restarting.", p.RolloutID, f.Group, p.ResumePhase))
			}
			if p.Refusal != "" {
				resp.Diagnostics.AddAttributeError(path.Root("autoscaling_group_name"), "Rollout Would Be Refused", p.Refusal)
			}
		}
	}
	plan.LaunchTemplateID = types.StringValue(obs.LaunchTemplateID)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// versionWithImage returns a numbered version that already launches image,
// so none needs creating: the group's current one, or the one the last
// rollout made (prior), as when the group drifted back.
func (r *RolloutResource) versionWithImage(ctx context.Context, obs rollout.Observation, image, prior string) (int, bool) {
	return versionWithImage(ctx, r.clients, obs, image, prior)
}

func versionWithImage(ctx context.Context, c *Clients, obs rollout.Observation, image, prior string) (int, bool) {
	for _, v := range []string{obs.LaunchTemplateVersion, prior} {
		if v == "" {
			continue
		}
		cur, err := c.rolloutCalls().ResolveVersion(ctx, obs.LaunchTemplateID, v)
		if err == nil && cur.ImageID == image {
			return int(cur.Number), true
		}
	}
	return 0, false
}

// run resolves the target version, checks the error budget and drives the
// rollout to its end.
func (r *RolloutResource) run(ctx context.Context, m *RolloutResourceModel, prior string, summary string, diags *diag.Diagnostics) {
	runRollout(ctx, r.clients, m, prior, true, summary, diags)
}

// runRollout rolls the group of m with the clients of its region; it
// checks m's error-budget gate when gate is true.
func runRollout(ctx context.Context, c *Clients, m *RolloutResourceModel, prior string, gate bool, summary string, diags *diag.Diagnostics) {
	r := &RolloutResource{clients: c}
	f := fleetFor(c, m)
	obs, err := f.Observe(ctx)
	if err != nil {
		diags.AddAttributeError(path.Root("autoscaling_group_name"), summary, fmt.Sprintf("Could not read Auto Scaling group %s. Check the name and the provider's permissions (autoscaling:DescribeAutoScalingGroups).\n\n%s", f.Group, err))
		return
	}
	calls := r.clients.rolloutCalls()
	cur, err := calls.ResolveVersion(ctx, obs.LaunchTemplateID, obs.LaunchTemplateVersion)
	if err != nil {
		diags.AddError(summary, fmt.Sprintf("Could not read the launch template of group %s.\n\n%s", f.Group, err))
		return
	}
	_, resuming, rerr := rollout.ParseRecord(obs.Tags)
	if rerr != nil {
		diags.AddError(summary, fmt.Sprintf("The rollout record in the tags of group %s cannot be read: %s. Remove the sre:rollout:* tags once the group is as you want it.", f.Group, rerr))
		return
	}
	// The error-budget policy decides before anything changes, even the
	// launch template; a rollout already under way finishes.
	if g := m.ErrorBudgetGate; g != nil && gate && !resuming {
		if !r.budgetAllows(ctx, g, diags) {
			return
		}
	}
	version := m.LaunchTemplateVersion.ValueString()
	if !m.ImageID.IsNull() {
		if v, ok := r.versionWithImage(ctx, obs, m.ImageID.ValueString(), prior); ok {
			version = strconv.Itoa(v)
		} else if rec, ok, _ := rollout.ParseRecord(obs.Tags); ok {
			version = strconv.Itoa(rec.TargetVersion) // resuming: the version was made before
		} else {
			n, err := calls.NewVersionWithImage(ctx, obs.LaunchTemplateID, cur.Number, m.ImageID.ValueString(), "sre_asg_rollout of "+m.ImageID.ValueString())
			if err != nil {
				diags.AddAttributeError(path.Root("image_id"), summary, fmt.Sprintf("Could not create a launch template version with image %s.\n\n%s", m.ImageID.ValueString(), err))
				return
			}
			version = strconv.FormatInt(n, 10)
			tflog.Info(ctx, "created launch template version", map[string]any{"group": f.Group, "version": version, "image": m.ImageID.ValueString()})
		}
	}
	spec, errs := m.spec(version)
	if len(errs) > 0 {
		for _, e := range errs {
			diags.AddError(summary, e.Error())
		}
		return
	}
	clock := r.clients.clock()
	res, err := rollout.Run(ctx, f, spec, rollout.Record{}, clock, func(p rollout.Progress) {
		tflog.Info(ctx, "rollout progress", map[string]any{"group": p.Group, "phase": p.Phase, "old": p.Old, "new": p.New,
			"pending": p.Pending, "in_service": p.InService, "healthy": p.Healthy, "elapsed": p.Elapsed.String(), "remaining": p.Remaining.String()})
	})
	if err != nil {
		diags.AddError(summary, fmt.Sprintf("The rollout of group %s stopped: %s. Its phase is recorded in the group's tags; apply again to resume it.", f.Group, err))
		return
	}
	m.ID = types.StringValue(f.Group)
	m.LaunchTemplateID = types.StringValue(obs.LaunchTemplateID)
	m.LaunchTemplateVersion = types.StringValue(version)
	m.PreviousVersion = types.StringValue(strconv.FormatInt(cur.Number, 10))
	m.InSync = types.BoolValue(true)
	m.Status = types.StringValue(string(res.Status))
	m.Preview = knownPreview(m.Preview, version)
	switch res.Status {
	case rollout.Succeeded:
	case rollout.RolledBack:
		diags.AddError(summary, fmt.Sprintf("The rollout of group %s to version %s was rolled back: %s", f.Group, version, res.Reason))
	case rollout.Paused:
		diags.AddWarning("Rollout Paused", fmt.Sprintf("The rollout of group %s to version %s is paused: %s. It stays paused on the next apply while on_failure = \"pause\"; set on_failure = \"rollback\" to put the previous version back.", f.Group, version, res.Reason))
	case rollout.Refused:
		diags.AddError(summary, fmt.Sprintf("The rollout of group %s was refused; nothing was changed: %s", f.Group, res.Reason))
	}
}

// budgetAllows applies the error-budget gate; false means refused (with
// the error added).
func (r *RolloutResource) budgetAllows(ctx context.Context, g *rolloutBudgetGateModel, diags *diag.Diagnostics) bool {
	name := g.SLO.ValueString()
	reader := sloReaderFor(r.clients.CloudWatch)
	body, err := reader.dashboard(ctx, name)
	if err != nil {
		diags.AddAttributeError(path.Root("error_budget_gate").AtName("slo"), "Error Budget Gate",
			fmt.Sprintf("Could not read SLO %s (its dashboard %s) for the error-budget gate: %s. Check the SLO name.", name, slodash.DashboardName(name), err))
		return false
	}
	doc, err := slodash.Parse(body)
	if err != nil {
		diags.AddAttributeError(path.Root("error_budget_gate").AtName("slo"), "Error Budget Gate", fmt.Sprintf("The dashboard of SLO %s holds no readable definition: %s", name, err))
		return false
	}
	st, err := reader.status(ctx, doc)
	if err != nil {
		diags.AddAttributeError(path.Root("error_budget_gate").AtName("slo"), "Error Budget Gate", fmt.Sprintf("Could not read the live status of SLO %s: %s", name, err))
		return false
	}
	min := g.MinRemaining.ValueFloat64()
	if st.BudgetRemainingFraction >= min && (min > 0 || st.ReleaseAllowed) {
		return true
	}
	if g.Override.ValueBool() {
		diags.AddWarning("Error Budget Gate Overridden", fmt.Sprintf("SLO %s has %.1f%% of its error budget left (minimum %.1f%%); the rollout starts because override = true.", name, 100*st.BudgetRemainingFraction, 100*min))
		return true
	}
	diags.AddAttributeError(path.Root("error_budget_gate"), "Error Budget Spent",
		fmt.Sprintf("SLO %s has %.1f%% of its error budget left (minimum %.1f%%), so the error-budget policy refuses the rollout: work on reliability until the budget recovers, or set error_budget_gate.override = true for an emergency.", name, 100*st.BudgetRemainingFraction, 100*min))
	return false
}

func (r *RolloutResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan RolloutResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.run(ctx, &plan, "", "Create Rollout Error", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *RolloutResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state RolloutResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	f := r.fleet(&state)
	obs, err := f.Observe(ctx)
	if errors.Is(err, asgapi.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Read Rollout Error", fmt.Sprintf("Could not read Auto Scaling group %s.\n\n%s", f.Group, err))
		return
	}
	state.ID = types.StringValue(f.Group)
	state.LaunchTemplateID = types.StringValue(obs.LaunchTemplateID)
	if state.LaunchTemplateVersion.IsNull() || state.LaunchTemplateVersion.ValueString() == "" {
		// Import: take the group's numbered version as rolled out.
		cur, err := r.clients.rolloutCalls().ResolveVersion(ctx, obs.LaunchTemplateID, obs.LaunchTemplateVersion)
		if err != nil {
			resp.Diagnostics.AddError("Import Rollout Error", fmt.Sprintf("Could not read the launch template of group %s.\n\n%s", f.Group, err))
			return
		}
		state.LaunchTemplateVersion = types.StringValue(strconv.FormatInt(cur.Number, 10))
		state.Status = types.StringValue(string(rollout.Succeeded))
	}
	want := state.LaunchTemplateVersion.ValueString()
	inSync := obs.LaunchTemplateVersion == want
	for _, in := range obs.Instances {
		if in.Lifecycle == rollout.InService || in.Lifecycle == rollout.Pending {
			inSync = inSync && in.Version == want
		}
	}
	if _, active, _ := rollout.ParseRecord(obs.Tags); active {
		inSync = false // a rollout stopped mid-way: the next apply resumes it
	}
	state.InSync = types.BoolValue(inSync)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *RolloutResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state RolloutResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.run(ctx, &plan, state.LaunchTemplateVersion.ValueString(), "Update Rollout Error", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete leaves the group as it is: a rollout is an action, not a thing.
func (r *RolloutResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func (r *RolloutResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if strings.TrimSpace(req.ID) == "" {
		resp.Diagnostics.AddError("Import Rollout Error", "The import ID must be the Auto Scaling group name.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("autoscaling_group_name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// alwaysTrue plans in_sync as true: a refresh that found drift (false)
// then shows as a change.
type alwaysTrue struct{}

func (alwaysTrue) Description(context.Context) string         { return "planned as true" }
func (alwaysTrue) MarkdownDescription(context.Context) string { return "planned as true" }
func (alwaysTrue) PlanModifyBool(_ context.Context, req planmodifier.BoolRequest, resp *planmodifier.BoolResponse) {
	resp.PlanValue = types.BoolValue(true)
}

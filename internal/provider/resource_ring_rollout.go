package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sre-provider/terraform-provider-sre/internal/rollout"
)

var (
	_ resource.Resource                   = (*RingRolloutResource)(nil)
	_ resource.ResourceWithConfigure      = (*RingRolloutResource)(nil)
	_ resource.ResourceWithValidateConfig = (*RingRolloutResource)(nil)
)

// NewRingRolloutResource returns the sre_ring_rollout resource.
func NewRingRolloutResource() resource.Resource { return &RingRolloutResource{} }

// RingRolloutResource rolls one image over ordered rings of groups.
type RingRolloutResource struct {
	clients *Clients
}

// RingRolloutResourceModel maps the sre_ring_rollout schema.
type RingRolloutResourceModel struct {
	ID    types.String `tfsdk:"id"`
	Name  types.String `tfsdk:"name"`
	Rings []ringModel  `tfsdk:"rings"`
	rolloutSettings
	Versions types.Map  `tfsdk:"versions"`
	InSync   types.Bool `tfsdk:"in_sync"`
}

type ringModel struct {
	Name     types.String     `tfsdk:"name"`
	BakeTime types.String     `tfsdk:"bake_time"`
	Groups   []ringGroupModel `tfsdk:"groups"`
}

type ringGroupModel struct {
	AutoScalingGroupName  types.String `tfsdk:"autoscaling_group_name"`
	Region                types.String `tfsdk:"region"`
	ImageID               types.String `tfsdk:"image_id"`
	LaunchTemplateVersion types.String `tfsdk:"launch_template_version"`
}

func (r *RingRolloutResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ring_rollout"
}

// ringSettings are the sre_asg_rollout attributes every group of a ring
// rollout shares.
var ringSettings = []string{"canary", "gates", "fleet_bake_time", "surge", "allow_raise_max", "min_healthy_percent", "on_failure",
	"skip_matching", "protected_instances", "standby_instances", "error_budget_gate"}

func (r *RingRolloutResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	single := &resource.SchemaResponse{}
	(&RolloutResource{}).Schema(ctx, resource.SchemaRequest{}, single)
	attrs := map[string]schema.Attribute{}
	for _, n := range ringSettings {
		attrs[n] = single.Schema.Attributes[n]
	}
	attrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "Same as `name`.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	attrs["name"] = schema.StringAttribute{Required: true, MarkdownDescription: "Name of the ring rollout, used in messages and logs."}
	attrs["rings"] = schema.ListNestedAttribute{Required: true,
		MarkdownDescription: "Rings in release order, the users with the most risk tolerance first (e.g. overseas regions first, Japan last).",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{Required: true, MarkdownDescription: "Ring name, e.g. `overseas`."},
			"bake_time": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("0s"),
				MarkdownDescription: "How long the ring bakes, its gates holding, before the next ring starts. Default `0s`.",
				Validators:          []validator.String{durationValidator{}}},
			"groups": schema.ListNestedAttribute{Required: true, MarkdownDescription: "Auto Scaling groups of the ring, rolled one after the other.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"autoscaling_group_name": schema.StringAttribute{Required: true, MarkdownDescription: "The group."},
					"region": schema.StringAttribute{Optional: true,
						MarkdownDescription: "The group's region; default the provider's."},
					"image_id": schema.StringAttribute{Optional: true,
						MarkdownDescription: "The golden AMI in the group's region (AMIs are regional: copy the image, then give each region its id)."},
					"launch_template_version": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Or a numbered version of the group's launch template."},
				}}},
		}}}
	attrs["versions"] = schema.MapAttribute{Computed: true, ElementType: types.StringType,
		MarkdownDescription: "The version each group runs after the last apply, keyed `region/group`."}
	attrs["in_sync"] = schema.BoolAttribute{Computed: true, PlanModifiers: []planmodifier.Bool{alwaysTrue{}},
		MarkdownDescription: "False when a refresh found a group on another version; the next apply rolls the rings again (groups already on the version have nothing to do)."}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A ring deployment: one golden image rolled over ordered rings of Auto Scaling groups, each group optionally in its own " +
			"region, with `sre_asg_rollout`'s procedure and gates for every group and a bake time, its gates holding, between rings. A failure " +
			"stops the later rings: the failing group rolls back (or pauses), groups of earlier rings stay on the new image, and the error names " +
			"the ring, the group and what was rolled back. The error-budget gate is checked once, before the first ring.",
		Attributes: attrs,
	}
}

func (r *RingRolloutResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *RingRolloutResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m RingRolloutResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	seen := map[string]bool{}
	for i, ring := range m.Rings {
		if len(ring.Groups) == 0 {
			resp.Diagnostics.AddAttributeError(path.Root("rings").AtListIndex(i).AtName("groups"), "Invalid Ring", "A ring needs at least one group.")
		}
		for j, g := range ring.Groups {
			at := path.Root("rings").AtListIndex(i).AtName("groups").AtListIndex(j)
			if g.ImageID.IsUnknown() || g.LaunchTemplateVersion.IsUnknown() || g.AutoScalingGroupName.IsUnknown() || g.Region.IsUnknown() {
				continue
			}
			if g.ImageID.IsNull() == g.LaunchTemplateVersion.IsNull() {
				resp.Diagnostics.AddAttributeError(at, "Invalid Ring Group", "Set exactly one of image_id and launch_template_version.")
			}
			if v := g.LaunchTemplateVersion; !v.IsNull() && !versionPattern.MatchString(v.ValueString()) {
				resp.Diagnostics.AddAttributeError(at.AtName("launch_template_version"), "Invalid Ring Group", "Use a version number such as \"7\"; $Latest and $Default hide changes and make rollback impossible.")
			}
			key := g.Region.ValueString() + "/" + g.AutoScalingGroupName.ValueString()
			if seen[key] {
				resp.Diagnostics.AddAttributeError(at, "Invalid Ring Group", fmt.Sprintf("Group %s appears in more than one ring; each group rolls once.", key))
			}
			seen[key] = true
		}
	}
}

// groupModel is the sre_asg_rollout model of one ring group.
func (m *RingRolloutResourceModel) groupModel(g ringGroupModel) RolloutResourceModel {
	return RolloutResourceModel{AutoScalingGroupName: g.AutoScalingGroupName, ImageID: g.ImageID, LaunchTemplateVersion: g.LaunchTemplateVersion,
		rolloutSettings: m.rolloutSettings, Preview: types.ObjectNull(rolloutPreviewAttrTypes)}
}

func groupKey(c *Clients, g ringGroupModel) string {
	region := g.Region.ValueString()
	if region == "" {
		region = c.Region
	}
	return region + "/" + g.AutoScalingGroupName.ValueString()
}

// run rolls the rings in order; prior holds the versions of the last apply.
func (r *RingRolloutResource) run(ctx context.Context, m *RingRolloutResourceModel, prior map[string]string, summary string, diags *diag.Diagnostics) {
	if g := m.ErrorBudgetGate; g != nil {
		if !(&RolloutResource{clients: r.clients}).budgetAllows(ctx, g, diags) {
			return
		}
	}
	versions := map[string]attr.Value{}
	for i, ring := range m.Rings {
		ringName := ring.Name.ValueString()
		tflog.Info(ctx, "ring rollout: starting ring", map[string]any{"rollout": m.Name.ValueString(), "ring": ringName, "groups": len(ring.Groups)})
		for _, g := range ring.Groups {
			c := r.clients.inRegion(g.Region.ValueString())
			key := groupKey(r.clients, g)
			gm := m.groupModel(g)
			var gd diag.Diagnostics
			runRollout(ctx, c, &gm, prior[key], false, summary, &gd)
			if gd.HasError() {
				var later []string
				for _, next := range m.Rings[i+1:] {
					later = append(later, next.Name.ValueString())
				}
				stopped := "no later rings"
				if len(later) > 0 {
					stopped = "the later rings (" + strings.Join(later, ", ") + ") were not started"
				}
				for _, d := range gd.Errors() {
					diags.AddError(summary, fmt.Sprintf("Ring %s, group %s failed: %s\n\n%s; groups of earlier rings stay on the new image.", ringName, key, d.Detail(), stopped))
				}
				return
			}
			diags.Append(gd...)
			versions[key] = gm.LaunchTemplateVersion
		}
		if i == len(m.Rings)-1 {
			break
		}
		if !r.bake(ctx, m, ring, summary, diags) {
			return
		}
	}
	m.ID = m.Name
	m.Versions = types.MapValueMust(types.StringType, versions)
	m.InSync = types.BoolValue(true)
}

// bake waits the ring's bake time, its gate alarms holding in every region
// of the ring; false (with an error) when one fires.
func (r *RingRolloutResource) bake(ctx context.Context, m *RingRolloutResourceModel, ring ringModel, summary string, diags *diag.Diagnostics) bool {
	d := parseDur(ring.BakeTime, 0)
	clock := r.clients.clock()
	end := clock.Now().Add(d)
	var names, prefixes []string
	if m.Gates != nil {
		names, prefixes = stringsOf(m.Gates.AlarmNames), stringsOf(m.Gates.AlarmPrefixes)
	}
	tflog.Info(ctx, "ring rollout: baking", map[string]any{"ring": ring.Name.ValueString(), "bake_time": d.String()})
	for {
		if len(names)+len(prefixes) > 0 {
			regions := map[string]bool{}
			for _, g := range ring.Groups {
				regions[g.Region.ValueString()] = true
			}
			for region := range regions {
				states, err := r.clients.inRegion(region).rolloutCalls().AlarmStates(ctx, names, prefixes)
				if err != nil {
					diags.AddError(summary, fmt.Sprintf("Ring %s: could not read the gate alarms while baking: %s. The later rings were not started.", ring.Name.ValueString(), err))
					return false
				}
				for n, st := range states {
					if st == string(rollout.AlarmAlarm) {
						diags.AddError(summary, fmt.Sprintf("Ring %s: alarm %s went to ALARM during the ring's bake time, so the later rings were not started; the ring's groups stay on the new image: roll them back with the previous version if the alarm is the image's fault.", ring.Name.ValueString(), n))
						return false
					}
				}
			}
		}
		left := end.Sub(clock.Now())
		if left <= 0 {
			return true
		}
		if err := clock.Sleep(ctx, min(left, 10*time.Second)); err != nil {
			diags.AddError(summary, fmt.Sprintf("Ring %s: interrupted while baking: %s. Apply again to go on.", ring.Name.ValueString(), err))
			return false
		}
	}
}

func (r *RingRolloutResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan RingRolloutResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.run(ctx, &plan, nil, "Create Ring Rollout Error", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *RingRolloutResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state RingRolloutResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	inSync := true
	want := map[string]string{}
	for k, v := range state.Versions.Elements() {
		want[k] = v.(types.String).ValueString()
	}
	for _, ring := range state.Rings {
		for _, g := range ring.Groups {
			gm := state.groupModel(g)
			obs, err := fleetFor(r.clients.inRegion(g.Region.ValueString()), &gm).Observe(ctx)
			if err != nil {
				resp.Diagnostics.AddError("Read Ring Rollout Error", fmt.Sprintf("Could not read group %s.\n\n%s", groupKey(r.clients, g), err))
				return
			}
			v := want[groupKey(r.clients, g)]
			inSync = inSync && obs.LaunchTemplateVersion == v
			for _, in := range obs.Instances {
				if in.Lifecycle == rollout.InService || in.Lifecycle == rollout.Pending {
					inSync = inSync && in.Version == v
				}
			}
		}
	}
	state.InSync = types.BoolValue(inSync)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *RingRolloutResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state RingRolloutResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	prior := map[string]string{}
	for k, v := range state.Versions.Elements() {
		prior[k] = v.(types.String).ValueString()
	}
	r.run(ctx, &plan, prior, "Update Ring Rollout Error", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete leaves the groups as they are.
func (r *RingRolloutResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sre-provider/terraform-provider-sre/internal/alerting"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
	"github.com/sre-provider/terraform-provider-sre/internal/slodash"
)

var (
	_ resource.Resource                   = (*AlertPolicyResource)(nil)
	_ resource.ResourceWithConfigure      = (*AlertPolicyResource)(nil)
	_ resource.ResourceWithImportState    = (*AlertPolicyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*AlertPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*AlertPolicyResource)(nil)
)

// NewAlertPolicyResource returns the sre_alert_policy resource.
func NewAlertPolicyResource() resource.Resource { return &AlertPolicyResource{} }

// AlertPolicyResource manages the burn-rate alarms of one SLO.
type AlertPolicyResource struct {
	clients *Clients
}

func (r *AlertPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alert_policy"
}

func routeAttr(sev string) schema.SingleNestedAttribute {
	list := func(what string) schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Optional: true,
			MarkdownDescription: fmt.Sprintf("ARNs (usually SNS topics) notified when the %s alert %s.", sev, what)}
	}
	return schema.SingleNestedAttribute{
		Optional:            true,
		MarkdownDescription: fmt.Sprintf("Where the %s composite alarm notifies. Without it the %s alarms are created but notify nobody.", sev, sev),
		Attributes: map[string]schema.Attribute{
			"alarm_actions":             list("fires (ALARM)"),
			"ok_actions":                list("resolves (OK)"),
			"insufficient_data_actions": list("has no data (INSUFFICIENT_DATA)"),
		},
	}
}

// alertSLOAttr is the policy's slo attribute: the configuration attributes
// of sre_slo, so an sre_slo resource can be passed whole.
func alertSLOAttr() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Required: true,
		MarkdownDescription: "The SLO to alert on. Pass the `sre_slo` resource itself (`slo = sre_slo.checkout`): its name, objective, " +
			"period and SLI are configuration values, so every threshold and detection figure is known in the first plan, " +
			"before the SLO exists. For an SLO managed elsewhere, write the same four attributes as an object.",
		Attributes: map[string]schema.Attribute{
			"name":      schema.StringAttribute{Required: true, MarkdownDescription: "Name of the SLO."},
			"objective": schema.Float64Attribute{Required: true, MarkdownDescription: "Objective as a percentage, e.g. `99.9`."},
			"period":    schema.StringAttribute{Required: true, MarkdownDescription: "Period: `\"28d\"` style rolling days or `\"calendar_month\"`."},
			"sli":       sliAttr(),
		},
	}
}

func alertSLOAttrTypes() map[string]attr.Type {
	return alertSLOAttr().GetType().(types.ObjectType).AttrTypes
}

func (r *AlertPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	figures := map[string]schema.Attribute{}
	for name, t := range alertFigureAttrTypes {
		desc := alertFigureDescriptions[name]
		switch t {
		case types.StringType:
			figures[name] = schema.StringAttribute{Computed: true, MarkdownDescription: desc}
		case types.BoolType:
			figures[name] = schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
		default:
			figures[name] = schema.Float64Attribute{Computed: true, MarkdownDescription: desc}
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Multiwindow, multi-burn-rate alerts for one SLO on CloudWatch. Each window is a pair of metric alarms whose " +
			"metric math computes the SLI's error ratio over a period equal to the long and the short window; a composite alarm per severity " +
			"fires when both alarms of any of its windows are above the window's threshold. The ticket composite is suppressed while the " +
			"page composite fires. Thresholds follow from the SLO's own period (14.4 × the error budget for 2 % in 1h over 30 days, 13.44 over " +
			"28 days), and the plan shows for every window how long a total outage takes to fire it and how much budget it has spent by then.\n\n" +
			"Default windows: `page_fast` (2 % of the budget in 1h, short window 5m), `page_slow` (5 % in 6h, 30m), `ticket_fast` (10 % in 1d, 2h), " +
			"`ticket_slow` (10 % in 3d, 6h). A default window that can never fire for the SLO (its threshold exceeds 1/(1 − objective), or its long " +
			"window exceeds the period) is left out with a warning.\n\nAlarm names: `<name>-<window>-long`, `<name>-<window>-short`, " +
			"`<name>-page`, `<name>-ticket`, `<name>-no-data`. Import with the policy name.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Same as `name`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"name": schema.StringAttribute{Required: true,
				MarkdownDescription: "Policy name: 1 to 200 letters, digits, `-` or `_`. It prefixes every alarm name and is the import ID. Changing it replaces the policy.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"slo": alertSLOAttr(),
			"default_windows": schema.SetAttribute{ElementType: types.StringType, Optional: true, Computed: true,
				MarkdownDescription: "Default windows to keep, from `page_fast`, `page_slow`, `ticket_fast` and `ticket_slow`. Omit for all that can fire; `[]` for none."},
			"windows": schema.MapNestedAttribute{Optional: true,
				MarkdownDescription: "Custom windows in addition to the defaults, keyed by a name of lowercase letters, digits and `_`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"severity":     schema.StringAttribute{Required: true, MarkdownDescription: "`page` or `ticket`."},
					"budget_share": schema.Float64Attribute{Required: true, MarkdownDescription: "Share of the error budget the window may spend within long_window before it fires, e.g. `0.02` for 2 %."},
					"long_window":  schema.StringAttribute{Required: true, MarkdownDescription: "Long window in whole minutes, hours or days, e.g. `1h`; at most the SLO's period and 7 days."},
					"short_window": schema.StringAttribute{Required: true, MarkdownDescription: "Short window, shorter than long_window (typically a twelfth of it), e.g. `5m`."},
				}},
			},
			"page":   routeAttr("page"),
			"ticket": routeAttr("ticket"),
			"ticket_suppression": schema.SingleNestedAttribute{Optional: true, Computed: true,
				MarkdownDescription: "How the page composite suppresses the ticket composite's actions (CloudWatch `ActionsSuppressor`): no ticket while the page fires.",
				Default: objectdefault.StaticValue(types.ObjectValueMust(map[string]attr.Type{"wait_period": types.StringType, "extension_period": types.StringType},
					map[string]attr.Value{"wait_period": types.StringValue("2m"), "extension_period": types.StringValue("15m")})),
				Attributes: map[string]schema.Attribute{
					"wait_period": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("2m"),
						MarkdownDescription: "How long a ticket that fires first waits for the page to fire too, e.g. `2m`."},
					"extension_period": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("15m"),
						MarkdownDescription: "How long tickets stay suppressed after the page returns to OK, e.g. `15m`."},
				},
			},
			"low_traffic": schema.SingleNestedAttribute{Optional: true,
				MarkdownDescription: "Low-traffic guard, in the alarms' metric math: a window with fewer events than the rate scaled to its length counts as not burning, so a handful of failures on a quiet service does not page.",
				Attributes: map[string]schema.Attribute{
					"min_events_per_hour": schema.Float64Attribute{Required: true,
						MarkdownDescription: "Minimum events per hour; a 5m window needs a twelfth of it (rounded up), a 1d window 24 times it."},
				},
			},
			"no_data": schema.SingleNestedAttribute{Optional: true,
				MarkdownDescription: "An alarm for the SLI's total-events series stopping: without data the burn-rate alerts are blind.",
				Attributes: map[string]schema.Attribute{
					"after": schema.StringAttribute{Required: true, MarkdownDescription: "How long the series may be silent, e.g. `15m` (whole minutes; whole hours beyond a day; at most 7 days)."},
					"severity": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("ticket"),
						MarkdownDescription: "Which route it notifies: `page` or `ticket` (default)."},
				},
			},
			"tags": schema.MapAttribute{ElementType: types.StringType, Optional: true,
				MarkdownDescription: "Tags for every alarm, merged over the provider's `default_tags`."},
			"tags_all": schema.MapAttribute{ElementType: types.StringType, Computed: true,
				MarkdownDescription: "Tags applied to the alarms: the provider's `default_tags` with `tags` over them."},
			"alerts": schema.MapNestedAttribute{Computed: true,
				MarkdownDescription: "The windows in force, keyed by name, with their figures; known at plan time.",
				NestedObject:        schema.NestedAttributeObject{Attributes: figures}},
			"page_alarm_name":    schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the page composite alarm; null without page windows."},
			"ticket_alarm_name":  schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the ticket composite alarm; null without ticket windows."},
			"no_data_alarm_name": schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the no-data alarm; null without `no_data`."},
			"alarms": schema.MapAttribute{ElementType: types.StringType, Computed: true,
				MarkdownDescription: "Every alarm the policy owns, with a fingerprint of its configuration. An alarm edited or deleted outside Terraform shows here in the next plan, and the apply restores it."},
		},
	}
}

func (r *AlertPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

// addFieldErrors reports validation errors on their attributes.
func addFieldErrors(diags *diag.Diagnostics, summary string, errs []error) {
	for _, err := range errs {
		var fe *slo.FieldError
		if errors.As(err, &fe) && len(fe.Path) > 0 {
			at := sloAttrPath(fe.Path)
			diags.AddAttributeError(at, summary, fmt.Sprintf("%s: %s.", at, fe.Err))
			continue
		}
		diags.AddError(summary, err.Error())
	}
}

func addWarnings(diags *diag.Diagnostics, warns []alerting.Warning) {
	for _, w := range warns {
		diags.AddAttributeWarning(sloAttrPath(w.Path), w.Summary, w.Detail)
	}
}

func (r *AlertPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m AlertPolicyResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !m.known() {
		return // validated again at plan and apply, once values are known
	}
	p, errs, ok := m.policy(ctx, nil, &resp.Diagnostics)
	if !ok {
		return
	}
	if len(errs) == 0 {
		_, _, errs = alerting.Build(p)
	}
	addFieldErrors(&resp.Diagnostics, "Invalid Alert Policy", errs)
}

func (r *AlertPolicyResource) defaultTags() map[string]string {
	if r.clients == nil {
		return nil
	}
	return r.clients.DefaultTags
}

func (r *AlertPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan AlertPolicyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var configured types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("default_windows"), &configured)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if configured.IsNull() {
		plan.DefaultWindows = types.SetNull(types.StringType) // all defaults that can fire; setComputed lists them
	}
	if !plan.known() {
		return
	}
	p, errs, ok := plan.policy(ctx, r.defaultTags(), &resp.Diagnostics)
	if !ok || len(errs) > 0 {
		addFieldErrors(&resp.Diagnostics, "Invalid Alert Policy", errs)
		return
	}
	set, warns, errs := alerting.Build(p)
	addWarnings(&resp.Diagnostics, warns)
	if len(errs) > 0 {
		addFieldErrors(&resp.Diagnostics, "Invalid Alert Policy", errs)
		return
	}
	plan.setComputed(p, set, plan.routingKnown())
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// build converts a planned model at apply time, when every value is known.
func (r *AlertPolicyResource) build(ctx context.Context, m *AlertPolicyResourceModel, summary string, diags *diag.Diagnostics) (alerting.Policy, alerting.Set, bool) {
	if !m.known() || !m.routingKnown() {
		diags.AddError(summary, "Some alert policy attributes are still unknown at apply time. This is a bug in the provider; please report it.")
		return alerting.Policy{}, alerting.Set{}, false
	}
	p, errs, ok := m.policy(ctx, r.defaultTags(), diags)
	if !ok {
		return p, alerting.Set{}, false
	}
	set := alerting.Set{}
	if len(errs) == 0 {
		set, _, errs = alerting.Build(p)
	}
	if len(errs) > 0 {
		addFieldErrors(diags, summary, errs)
		return p, set, false
	}
	m.setComputed(p, set, true)
	return p, set, true
}

// apply writes the changes in order and logs progress.
func (r *AlertPolicyResource) apply(ctx context.Context, policy string, c alerting.Changes) error {
	al := r.clients.Alarms
	for _, a := range c.PutMetric {
		tflog.Info(ctx, "writing metric alarm", map[string]any{"policy": policy, "alarm": a.Name})
		if err := al.PutMetric(ctx, a); err != nil {
			return err
		}
	}
	for _, a := range c.PutComposite {
		tflog.Info(ctx, "writing composite alarm", map[string]any{"policy": policy, "alarm": a.Name})
		if err := al.PutComposite(ctx, a); err != nil {
			return err
		}
	}
	if err := al.Delete(ctx, c.DeleteComposites); err != nil {
		return err
	}
	return al.Delete(ctx, c.DeleteMetric)
}

func (r *AlertPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan AlertPolicyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	const summary = "Create Alert Policy Error"
	p, set, ok := r.build(ctx, &plan, summary, &resp.Diagnostics)
	if !ok {
		return
	}
	want := set.Fingerprints()
	names := sortedNames(want)
	existing, err := r.clients.Alarms.Describe(ctx, names)
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Could not check whether the alarms of policy %s exist. Check the provider's CloudWatch permissions (cloudwatch:DescribeAlarms).\n\n%s", p.Name, err))
		return
	}
	if len(existing) > 0 {
		resp.Diagnostics.AddAttributeError(path.Root("name"), summary,
			fmt.Sprintf("The alarms %s already exist, so a policy named %s may already exist. Import it with `terraform import` (ID %q) or choose another name.",
				strings.Join(sortedNames(existing), ", "), p.Name, p.Name))
		return
	}
	if err := r.apply(ctx, p.Name, alerting.PlanChanges(p.Name, set, nil)); err != nil {
		// Leave nothing behind: the policy was not created.
		undo := alerting.PlanChanges(p.Name, alerting.Set{}, want)
		rollback := "The alarms written so far were deleted."
		if rerr := r.apply(ctx, p.Name, undo); rerr != nil {
			rollback = fmt.Sprintf("Deleting the alarms written so far also failed (%s); delete the alarms named %s-* by hand or import the policy.", rerr, p.Name)
		}
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Could not create the alarms of policy %s. Check the provider's CloudWatch permissions (cloudwatch:PutMetricAlarm, cloudwatch:PutCompositeAlarm). %s\n\n%s", p.Name, rollback, err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *AlertPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state AlertPolicyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	if state.SLO.IsNull() {
		r.importPolicy(ctx, &state, &resp.Diagnostics)
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		}
		return
	}
	names := sortedNames(state.fingerprints())
	observed, err := r.clients.Alarms.Describe(ctx, names)
	if err != nil {
		resp.Diagnostics.AddError("Read Alert Policy Error", fmt.Sprintf("Could not read the alarms of policy %s. Check the provider's CloudWatch permissions (cloudwatch:DescribeAlarms).\n\n%s", name, err))
		return
	}
	if len(observed) == 0 {
		resp.State.RemoveResource(ctx) // every alarm deleted outside Terraform: plan to create the policy again
		return
	}
	fp := map[string]string{}
	for n, o := range observed {
		fp[n] = o.Fingerprint()
	}
	state.Alarms = fingerprintsValue(fp)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// importPolicy rebuilds the configuration from the alarms and the SLO's
// dashboard.
func (r *AlertPolicyResource) importPolicy(ctx context.Context, m *AlertPolicyResourceModel, diags *diag.Diagnostics) {
	const summary = "Import Alert Policy Error"
	name := m.Name.ValueString()
	observed, err := r.clients.Alarms.DescribePrefix(ctx, name+"-")
	if err != nil {
		diags.AddError(summary, fmt.Sprintf("Could not list the alarms of policy %s (cloudwatch:DescribeAlarms).\n\n%s", name, err))
		return
	}
	var metric []alerting.MetricAlarm
	var composites []alerting.CompositeAlarm
	fp := map[string]string{}
	for _, n := range sortedNames(observed) {
		o := observed[n]
		tags, err := r.clients.Alarms.Tags(ctx, o.ARN)
		if err != nil {
			diags.AddError(summary, fmt.Sprintf("Could not read the tags of alarm %s (cloudwatch:ListTagsForResource).\n\n%s", n, err))
			return
		}
		if tags[alerting.TagPolicy] != name {
			continue // another policy whose name starts with this one
		}
		fp[n] = o.Fingerprint()
		if o.Metric != nil {
			a := *o.Metric
			a.Tags = tags
			metric = append(metric, a)
		} else {
			c := *o.Composite
			c.Tags, c.Severity = tags, slo.Severity(tags[alerting.TagRole])
			composites = append(composites, c)
		}
	}
	if len(fp) == 0 {
		diags.AddError(summary, fmt.Sprintf("No alarm of policy %s exists (alarms named %s-* tagged %s=%s). Check the name and the region.", name, name, alerting.TagPolicy, name))
		return
	}
	rec, err := alerting.Recover(name, metric, composites)
	if err != nil {
		diags.AddError(summary, err.Error())
		return
	}
	dash := slodash.DashboardName(rec.SLOName)
	out, err := r.clients.CloudWatch.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(dash)})
	if err != nil {
		diags.AddError(summary, fmt.Sprintf("The policy alerts on SLO %s, whose definition is read from its dashboard %s, but the dashboard cannot be read. Create or import the sre_slo first.\n\n%s", rec.SLOName, dash, err))
		return
	}
	doc, err := slodash.Parse(aws.ToString(out.DashboardBody))
	if err != nil {
		diags.AddError(summary, fmt.Sprintf("The dashboard %s of SLO %s holds no readable definition.\n\n%s", dash, rec.SLOName, err))
		return
	}
	if err := m.setRecovered(rec, doc, r.defaultTags()); err != nil {
		diags.AddError(summary, err.Error())
		return
	}
	p, errs, ok := m.policy(ctx, r.defaultTags(), diags)
	if ok && len(errs) == 0 {
		if set, _, berrs := alerting.Build(p); len(berrs) == 0 {
			m.setComputed(p, set, true)
		}
	}
	m.ID = types.StringValue(name)
	m.Alarms = fingerprintsValue(fp)
}

func (r *AlertPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state AlertPolicyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	const summary = "Update Alert Policy Error"
	p, set, ok := r.build(ctx, &plan, summary, &resp.Diagnostics)
	if !ok {
		return
	}
	current := state.fingerprints()
	changes := alerting.PlanChanges(p.Name, set, current)
	if err := r.apply(ctx, p.Name, changes); err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Could not update the alarms of policy %s; the alarms written before the error keep their new configuration and the next plan shows what is left. "+
			"Check the provider's CloudWatch permissions and apply again.\n\n%s", p.Name, err))
		return
	}
	if err := r.retag(ctx, state, plan, set, changes); err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Could not update the tags of the alarms of policy %s (cloudwatch:TagResource, cloudwatch:UntagResource).\n\n%s", p.Name, err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// retag writes changed tags on the alarms that existed before the update
// (CloudWatch takes tags only when it creates an alarm).
func (r *AlertPolicyResource) retag(ctx context.Context, state, plan AlertPolicyResourceModel, set alerting.Set, c alerting.Changes) error {
	if state.TagsAll.Equal(plan.TagsAll) {
		return nil
	}
	old := map[string]bool{}
	for n := range state.fingerprints() {
		old[n] = true
	}
	var names []string
	tags := map[string]map[string]string{}
	for _, a := range set.MetricAlarms {
		if old[a.Name] {
			names, tags[a.Name] = append(names, a.Name), a.Tags
		}
	}
	for _, a := range set.Composites {
		if old[a.Name] {
			names, tags[a.Name] = append(names, a.Name), a.Tags
		}
	}
	observed, err := r.clients.Alarms.Describe(ctx, names)
	if err != nil {
		return err
	}
	var removed []string
	for k := range state.TagsAll.Elements() {
		if _, ok := plan.TagsAll.Elements()[k]; !ok {
			removed = append(removed, k)
		}
	}
	sort.Strings(removed)
	for _, n := range names {
		o, ok := observed[n]
		if !ok {
			continue
		}
		if err := r.clients.Alarms.SetTags(ctx, o.ARN, tags[n], removed); err != nil {
			return err
		}
	}
	return nil
}

func (r *AlertPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state AlertPolicyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	if err := r.apply(ctx, name, alerting.PlanChanges(name, alerting.Set{}, state.fingerprints())); err != nil {
		resp.Diagnostics.AddError("Delete Alert Policy Error",
			fmt.Sprintf("Could not delete the alarms of policy %s. Check the provider's CloudWatch permissions (cloudwatch:DeleteAlarms).\n\n%s", name, err))
	}
}

func (r *AlertPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if err := alerting.ValidateName(req.ID); err != nil {
		resp.Diagnostics.AddError("Import Alert Policy Error", fmt.Sprintf("The import ID must be the policy name.\n\n%s", err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
	"github.com/sre-provider/terraform-provider-sre/internal/slodash"
	"github.com/sre-provider/terraform-provider-sre/internal/slostatus"
)

var (
	_ resource.Resource                   = (*SLOResource)(nil)
	_ resource.ResourceWithConfigure      = (*SLOResource)(nil)
	_ resource.ResourceWithImportState    = (*SLOResource)(nil)
	_ resource.ResourceWithValidateConfig = (*SLOResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*SLOResource)(nil)
)

// NewSLOResource returns the sre_slo resource.
func NewSLOResource() resource.Resource { return &SLOResource{} }

// SLOResource manages an SLO: its plan-time error-budget figures, the
// CloudWatch dashboard that carries its definition, and its live status.
type SLOResource struct {
	clients *Clients
}

// SLOResourceModel maps the sre_slo schema.
type SLOResourceModel struct {
	ID                     types.String  `tfsdk:"id"`
	Name                   types.String  `tfsdk:"name"`
	Service                types.String  `tfsdk:"service"`
	Description            types.String  `tfsdk:"description"`
	Objective              types.Float64 `tfsdk:"objective"`
	Period                 types.String  `tfsdk:"period"`
	SLI                    *sloSLIModel  `tfsdk:"sli"`
	ErrorBudgetRatio       types.Float64 `tfsdk:"error_budget_ratio"`
	AllowedBadFraction     types.Float64 `tfsdk:"allowed_bad_fraction"`
	AllowedDowntime        types.String  `tfsdk:"allowed_downtime"`
	AllowedDowntimeSeconds types.Float64 `tfsdk:"allowed_downtime_seconds"`
	MaxBurnRate            types.Float64 `tfsdk:"max_burn_rate"`
	BurnRateThresholds     types.Map     `tfsdk:"burn_rate_thresholds"`
	DashboardName          types.String  `tfsdk:"dashboard_name"`
	DashboardFingerprint   types.String  `tfsdk:"dashboard_fingerprint"`
	Status                 types.Object  `tfsdk:"status"`
}

type sloSLIModel struct {
	Ratio   *sloRatioModel   `tfsdk:"ratio"`
	Latency *sloLatencyModel `tfsdk:"latency"`
}

type sloRatioModel struct {
	Good  *sloQueryModel `tfsdk:"good"`
	Bad   *sloQueryModel `tfsdk:"bad"`
	Total *sloQueryModel `tfsdk:"total"`
}

type sloQueryModel struct {
	Namespace  types.String              `tfsdk:"namespace"`
	MetricName types.String              `tfsdk:"metric_name"`
	Dimensions types.Map                 `tfsdk:"dimensions"`
	Statistic  types.String              `tfsdk:"statistic"`
	Expression types.String              `tfsdk:"expression"`
	Metrics    map[string]sloMetricModel `tfsdk:"metrics"`
}

type sloMetricModel struct {
	Namespace  types.String `tfsdk:"namespace"`
	MetricName types.String `tfsdk:"metric_name"`
	Dimensions types.Map    `tfsdk:"dimensions"`
	Statistic  types.String `tfsdk:"statistic"`
}

type sloLatencyModel struct {
	Namespace  types.String  `tfsdk:"namespace"`
	MetricName types.String  `tfsdk:"metric_name"`
	Dimensions types.Map     `tfsdk:"dimensions"`
	Threshold  types.Float64 `tfsdk:"threshold"`
	Percentile types.Float64 `tfsdk:"percentile"`
}

func (r *SLOResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_slo"
}

func dimensionsAttr() schema.MapAttribute {
	return schema.MapAttribute{
		ElementType: types.StringType, Optional: true,
		MarkdownDescription: "Metric dimensions as name/value pairs, e.g. `{ LoadBalancer = \"app/web/123\" }`.",
	}
}

func queryAttr(what string, required bool) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Required: required, Optional: !required,
		MarkdownDescription: what + " Either a single metric (`namespace`, `metric_name`, `dimensions`, `statistic`) " +
			"or a metric math `expression` over `metrics` keyed by id.",
		Attributes: map[string]schema.Attribute{
			"namespace":   schema.StringAttribute{Optional: true, MarkdownDescription: "CloudWatch namespace of the single metric, e.g. `AWS/ApplicationELB`."},
			"metric_name": schema.StringAttribute{Optional: true, MarkdownDescription: "Name of the single metric, e.g. `RequestCount`."},
			"dimensions":  dimensionsAttr(),
			"statistic": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Statistic of the single metric: `Sum` or `SampleCount` (a ratio SLI counts events)."},
			"expression": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Metric math over the ids of `metrics`: numbers, ids, `+ - * /`, parentheses, `FILL(x, 0)` and `ABS(x)`, " +
					"e.g. `e4 + e5`. Missing datapoints of each metric count as zero."},
			"metrics": schema.MapNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Metrics of `expression`, keyed by the id the expression uses (lowercase first letter, then letters, digits, `_`).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"namespace":   schema.StringAttribute{Required: true, MarkdownDescription: "CloudWatch namespace."},
					"metric_name": schema.StringAttribute{Required: true, MarkdownDescription: "Metric name."},
					"dimensions":  dimensionsAttr(),
					"statistic":   schema.StringAttribute{Required: true, MarkdownDescription: "`Sum` or `SampleCount`."},
				}},
			},
		},
	}
}

// sliAttr is the sli attribute, shared by sre_slo and sre_alert_policy's slo
// so that an sre_slo resource converts to the policy's slo attribute.
func sliAttr() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Required:            true,
		MarkdownDescription: "The service level indicator: exactly one of `ratio` or `latency`.",
		Attributes: map[string]schema.Attribute{
			"ratio": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Event-based SLI: good (or bad) events over total events. Set exactly one of `good` and `bad`.",
				Validators:          []validator.Object{objectvalidator.ExactlyOneOf(path.MatchRelative().AtParent().AtName("latency"))},
				Attributes: map[string]schema.Attribute{
					"good":  queryAttr("Good events.", false),
					"bad":   queryAttr("Bad events.", false),
					"total": queryAttr("All events.", true),
				},
			},
			"latency": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Latency SLI on a metric published with raw values. Without `percentile` it is request-based: " +
					"the share of requests at or under `threshold` must reach the objective (counted with the `TC(:threshold)` statistic). " +
					"With `percentile` it is time-based: each 5-minute slice is good when that percentile is at or under `threshold`.",
				Attributes: map[string]schema.Attribute{
					"namespace":   schema.StringAttribute{Required: true, MarkdownDescription: "CloudWatch namespace of the latency metric."},
					"metric_name": schema.StringAttribute{Required: true, MarkdownDescription: "Name of the latency metric."},
					"dimensions":  dimensionsAttr(),
					"threshold": schema.Float64Attribute{Required: true,
						MarkdownDescription: "Latency threshold in the metric's unit (e.g. milliseconds).",
						Validators:          []validator.Float64{float64validator.AtLeast(0)}},
					"percentile": schema.Float64Attribute{Optional: true,
						MarkdownDescription: "Percentile such as `99` or `99.9` for a time-based SLI; omit for a request-based SLI."},
				},
			},
		},
	}
}

func (r *SLOResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	statusAttrs := map[string]schema.Attribute{}
	for name, t := range sloStatusAttrTypes {
		desc := sloStatusDescriptions[name]
		switch t {
		case types.BoolType:
			statusAttrs[name] = schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
		case types.StringType:
			statusAttrs[name] = schema.StringAttribute{Computed: true, MarkdownDescription: desc}
		case types.Float64Type:
			statusAttrs[name] = schema.Float64Attribute{Computed: true, MarkdownDescription: desc}
		default:
			statusAttrs[name] = schema.MapAttribute{Computed: true, ElementType: types.Float64Type, MarkdownDescription: desc}
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A service level objective on CloudWatch metrics. At plan time it computes the error budget " +
			"(`error_budget_ratio`, `allowed_downtime`) and the burn-rate thresholds of the default multiwindow alerting windows " +
			"for its own period. It owns a CloudWatch dashboard named `slo-<name>` that shows the SLI, the error budget remaining " +
			"and the burn rate, and that also records the definition, so an SLO can be imported by name. Every refresh reads the live " +
			"`status` with GetMetricData, sharing calls between all SLOs refreshed together. A dashboard edited or deleted outside " +
			"Terraform shows in the next plan.\n\n" +
			"Periods: rolling days (`\"28d\"`, 1 to 90) or `\"calendar_month\"`; plan-time figures for `calendar_month` use 30 days, " +
			"live status uses the current UTC month.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "Same as `name`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Unique SLO name: 1 to 200 letters, digits, `-` or `_`. It names the dashboard (`slo-<name>`) " +
					"and is the import ID. Changing it replaces the SLO.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"service":     schema.StringAttribute{Optional: true, MarkdownDescription: "Service the SLO belongs to; shown on the dashboard."},
			"description": schema.StringAttribute{Optional: true, MarkdownDescription: "What the SLO promises, in words; shown on the dashboard."},
			"objective": schema.Float64Attribute{
				Required: true,
				MarkdownDescription: "Objective as a percentage greater than 0 and less than 100, with at most 4 decimals, e.g. `99.9`. " +
					"It must leave room for the default burn-rate windows: their thresholds may not exceed 1/(1 − objective/100).",
				Validators: []validator.Float64{sloObjectiveValidator{}},
			},
			"period": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Compliance period: rolling days from `\"1d\"` to `\"90d\"`, or `\"calendar_month\"`.",
				Validators:          []validator.String{sloPeriodValidator{}},
			},
			"sli": sliAttr(),
			"error_budget_ratio": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "Error budget as a ratio, 1 − objective/100; known at plan time."},
			"allowed_bad_fraction": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "Share of events (or of time) allowed to be bad over the period; equal to `error_budget_ratio`."},
			"allowed_downtime": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Time allowed to be bad over the period, e.g. `40m19.2s` for 99.9 % over 28 days; known at plan time."},
			"allowed_downtime_seconds": schema.Float64Attribute{Computed: true, MarkdownDescription: "`allowed_downtime` in seconds."},
			"max_burn_rate": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "Largest possible burn rate, 1/(1 − objective/100)."},
			"burn_rate_thresholds": schema.MapAttribute{Computed: true, ElementType: types.Float64Type,
				MarkdownDescription: "Burn-rate thresholds of the default windows for this SLO's period, known at plan time: `page_fast` " +
					"(2 % of the budget in 1h, short window 5m), `page_slow` (5 % in 6h, 30m), `ticket_fast` (10 % in 1d, 2h), " +
					"`ticket_slow` (10 % in 3d, 6h). Over 30 days they are 14.4, 6, 3 and 1; over 28 days 13.44, 5.6, 2.8 and 0.93. " +
					"Windows longer than the period are left out."},
			"dashboard_name": schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the SLO's CloudWatch dashboard, `slo-<name>`."},
			"dashboard_fingerprint": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Short hash of the dashboard's JSON body as last read (the body itself stays out of plans). " +
					"A change made outside Terraform changes it, shows as a diff and is reverted on apply."},
			"status": schema.SingleNestedAttribute{Computed: true, Attributes: statusAttrs,
				MarkdownDescription: "Live status over the period, read from CloudWatch at every refresh. Null when it could not be read (see the warning)."},
		},
	}
}

func (r *SLOResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = clientsFrom(req.ProviderData, &resp.Diagnostics)
}

// document converts the model's configuration; ok is false while any of it
// is unknown.
func (m *SLOResourceModel) document() (slo.Document, bool) {
	d := slo.Document{Version: slo.DocumentVersion}
	known := true
	str := func(v types.String) string {
		if v.IsUnknown() {
			known = false
		}
		return v.ValueString()
	}
	dims := func(v types.Map) map[string]string {
		if v.IsUnknown() {
			known = false
			return nil
		}
		if v.IsNull() {
			return nil
		}
		out := map[string]string{}
		for k, e := range v.Elements() {
			s, ok := e.(types.String)
			if !ok || s.IsUnknown() {
				known = false
				continue
			}
			out[k] = s.ValueString()
		}
		return out
	}
	query := func(q *sloQueryModel) *slo.QueryDoc {
		if q == nil {
			return nil
		}
		out := &slo.QueryDoc{Namespace: str(q.Namespace), MetricName: str(q.MetricName), Dimensions: dims(q.Dimensions),
			Statistic: str(q.Statistic), Expression: str(q.Expression)}
		if q.Metrics != nil {
			out.Metrics = map[string]slo.MetricDoc{}
			for id, m := range q.Metrics {
				out.Metrics[id] = slo.MetricDoc{Namespace: str(m.Namespace), MetricName: str(m.MetricName), Dimensions: dims(m.Dimensions), Statistic: str(m.Statistic)}
			}
		}
		return out
	}
	d.Name, d.Service, d.Description, d.Period = str(m.Name), str(m.Service), str(m.Description), str(m.Period)
	if m.Objective.IsUnknown() {
		known = false
	} else {
		d.Objective = strconv.FormatFloat(m.Objective.ValueFloat64(), 'f', -1, 64)
	}
	if m.SLI == nil {
		return d, known
	}
	if ra := m.SLI.Ratio; ra != nil {
		d.SLI.Ratio = &slo.RatioDoc{Good: query(ra.Good), Bad: query(ra.Bad), Total: query(ra.Total)}
	}
	if l := m.SLI.Latency; l != nil {
		d.SLI.Latency = &slo.LatencyDoc{Namespace: str(l.Namespace), MetricName: str(l.MetricName), Dimensions: dims(l.Dimensions), Threshold: l.Threshold.ValueFloat64()}
		if l.Threshold.IsUnknown() || l.Percentile.IsUnknown() {
			known = false
		}
		if !l.Percentile.IsNull() && !l.Percentile.IsUnknown() {
			p := l.Percentile.ValueFloat64()
			d.SLI.Latency.Percentile = &p
		}
	}
	return d, known
}

// setDocument fills the configuration attributes from a definition read
// back from the dashboard (import).
func (m *SLOResourceModel) setDocument(d slo.Document) error {
	obj, err := strconv.ParseFloat(d.Objective, 64)
	if err != nil {
		return fmt.Errorf("objective %q: %w", d.Objective, err)
	}
	optional := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	dims := func(m map[string]string) types.Map {
		if m == nil {
			return types.MapNull(types.StringType)
		}
		elems := map[string]attr.Value{}
		for k, v := range m {
			elems[k] = types.StringValue(v)
		}
		return types.MapValueMust(types.StringType, elems)
	}
	query := func(q *slo.QueryDoc) *sloQueryModel {
		if q == nil {
			return nil
		}
		out := &sloQueryModel{Namespace: optional(q.Namespace), MetricName: optional(q.MetricName), Dimensions: dims(q.Dimensions),
			Statistic: optional(q.Statistic), Expression: optional(q.Expression)}
		if q.Metrics != nil {
			out.Metrics = map[string]sloMetricModel{}
			for id, mm := range q.Metrics {
				out.Metrics[id] = sloMetricModel{Namespace: types.StringValue(mm.Namespace), MetricName: types.StringValue(mm.MetricName),
					Dimensions: dims(mm.Dimensions), Statistic: types.StringValue(mm.Statistic)}
			}
		}
		return out
	}
	m.Name, m.Service, m.Description = types.StringValue(d.Name), optional(d.Service), optional(d.Description)
	m.Objective, m.Period = types.Float64Value(obj), types.StringValue(d.Period)
	m.SLI = &sloSLIModel{}
	if ra := d.SLI.Ratio; ra != nil {
		m.SLI.Ratio = &sloRatioModel{Good: query(ra.Good), Bad: query(ra.Bad), Total: query(ra.Total)}
	}
	if l := d.SLI.Latency; l != nil {
		m.SLI.Latency = &sloLatencyModel{Namespace: types.StringValue(l.Namespace), MetricName: types.StringValue(l.MetricName),
			Dimensions: dims(l.Dimensions), Threshold: types.Float64Value(l.Threshold), Percentile: types.Float64Null()}
		if l.Percentile != nil {
			m.SLI.Latency.Percentile = types.Float64Value(*l.Percentile)
		}
	}
	return nil
}

// setBudget fills the plan-time figures from objective and period.
func (m *SLOResourceModel) setBudget(o slo.Objective, p slo.Period) error {
	b, err := slo.ComputeBudget(o, p)
	if err != nil {
		return err
	}
	m.ErrorBudgetRatio = types.Float64Value(b.ErrorBudgetRatio)
	m.AllowedBadFraction = types.Float64Value(b.AllowedBadFraction)
	m.AllowedDowntime = types.StringValue(b.AllowedDowntime.String())
	m.AllowedDowntimeSeconds = types.Float64Value(b.AllowedDowntime.Seconds())
	m.MaxBurnRate = types.Float64Value(b.MaxBurnRate)
	m.BurnRateThresholds = burnRateThresholdsValue(b.BurnRateThresholds)
	return nil
}

// sloAttrPath converts a validation error's location into the framework's path.
func sloAttrPath(p slo.Path) path.Path {
	if len(p) == 0 {
		return path.Empty()
	}
	out := path.Root(p[0].Name)
	for _, s := range p[1:] {
		if s.IsKey {
			out = out.AtMapKey(s.Key)
		} else {
			out = out.AtName(s.Name)
		}
	}
	return out
}

func (r *SLOResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m SLOResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	doc, known := m.document()
	if !known {
		return // validated again at apply, once every value is known
	}
	_, errs := doc.Spec()
	for _, err := range errs {
		var fe *slo.FieldError
		if !errors.As(err, &fe) {
			resp.Diagnostics.AddError("Invalid SLO", err.Error())
			continue
		}
		field := fe.Path.String()
		if (field == "objective" || field == "period") && !errors.Is(err, slo.ErrThresholdUnreachable) || field == "sli" {
			continue // reported by the attribute's own validators
		}
		summary := "Invalid SLI"
		switch field {
		case "name":
			summary = "Invalid Name"
		case "objective":
			summary = "Objective Too Low For The Burn-Rate Windows"
		}
		at := sloAttrPath(fe.Path)
		resp.Diagnostics.AddAttributeError(at, summary, fmt.Sprintf("%s: %s.", at, fe.Err))
	}
}

func (r *SLOResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan SLOResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Name.IsUnknown() {
		plan.DashboardName = types.StringValue(slodash.DashboardName(plan.Name.ValueString()))
	}
	if !plan.Objective.IsUnknown() && !plan.Period.IsUnknown() {
		o, oerr := slo.ObjectiveFromFloat(plan.Objective.ValueFloat64())
		p, perr := slo.ParsePeriod(plan.Period.ValueString())
		if oerr == nil && perr == nil {
			if err := plan.setBudget(o, p); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("objective"), "Objective Too Low For The Burn-Rate Windows", err.Error())
				return
			}
		}
	}
	doc, known := plan.document()
	if known && r.clients != nil {
		body, err := slodash.Render(doc, r.clients.Region)
		if err != nil {
			resp.Diagnostics.AddError("Invalid SLO", fmt.Sprintf("The SLO %s cannot be rendered as a dashboard: %s.", doc.Name, err))
			return
		}
		plan.DashboardFingerprint = types.StringValue(slodash.Fingerprint(body))
		if !req.State.Raw.IsNull() {
			var state SLOResourceModel
			resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
			if resp.Diagnostics.HasError() {
				return
			}
			if state.DashboardFingerprint.Equal(plan.DashboardFingerprint) {
				plan.DashboardFingerprint = state.DashboardFingerprint
			} else {
				// Configuration change or a dashboard edited outside
				// Terraform: the apply rewrites it and reads a new status.
				plan.Status = types.ObjectUnknown(sloStatusAttrTypes)
			}
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// prepare validates a planned model and returns its document and rendered
// dashboard body.
func (r *SLOResource) prepare(m *SLOResourceModel, summary string, diags interface {
	AddError(string, string)
}) (slo.Document, string, bool) {
	doc, known := m.document()
	if !known {
		diags.AddError(summary, "Some SLO attributes are still unknown at apply time. This is a bug in the provider; please report it.")
		return doc, "", false
	}
	spec, errs := doc.Spec()
	if len(errs) > 0 {
		diags.AddError(summary, fmt.Sprintf("The SLO %s is invalid; fix the configuration.\n\n%s", doc.Name, errors.Join(errs...)))
		return doc, "", false
	}
	if err := m.setBudget(spec.Objective, spec.Period); err != nil {
		diags.AddError(summary, fmt.Sprintf("Could not compute the error budget of SLO %s.\n\n%s", doc.Name, err))
		return doc, "", false
	}
	body, err := slodash.Render(doc, r.clients.Region)
	if err != nil {
		diags.AddError(summary, fmt.Sprintf("Could not render the dashboard of SLO %s.\n\n%s", doc.Name, err))
		return doc, "", false
	}
	return doc, body, true
}

// refreshStatus reads the live status into the model; a failure is a
// warning because the SLO itself is intact. Refreshes may use the reader's
// snapshot of all SLOs; writes go through the batcher, since the snapshot
// predates them.
func (r *SLOResource) refreshStatus(ctx context.Context, m *SLOResourceModel, doc slo.Document, useSnapshot bool, diags interface {
	AddWarning(string, string)
}) {
	reader := sloReaderFor(r.clients.CloudWatch)
	var res slostatus.Result
	var err error
	if useSnapshot {
		res, err = reader.status(ctx, doc)
	} else if def, derr := sloDefinition(doc); derr != nil {
		err = derr
	} else {
		res, err = reader.batcher.Status(ctx, def)
	}
	if err == nil {
		m.Status = sloStatusObject(res)
		return
	}
	if m.Status.IsUnknown() {
		m.Status = types.ObjectNull(sloStatusAttrTypes)
	}
	diags.AddWarning("SLO Status Unavailable",
		fmt.Sprintf("Could not read the live status of SLO %s from CloudWatch; status is left as it was. "+
			"Check that the provider may call cloudwatch:GetMetricData.\n\n%s", doc.Name, err))
}

func (r *SLOResource) putDashboard(ctx context.Context, name, body string) error {
	sloReaderFor(r.clients.CloudWatch).forget(name)
	_, err := r.clients.CloudWatch.PutDashboard(ctx, &cloudwatch.PutDashboardInput{
		DashboardName: aws.String(slodash.DashboardName(name)), DashboardBody: aws.String(body),
	})
	if err != nil {
		return fmt.Errorf("put dashboard %s: %w", slodash.DashboardName(name), err)
	}
	return nil
}

func (r *SLOResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan SLOResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	doc, body, ok := r.prepare(&plan, "Create SLO Error", &resp.Diagnostics)
	if !ok {
		return
	}
	dash := slodash.DashboardName(doc.Name)
	_, err := r.clients.CloudWatch.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(dash)})
	switch {
	case err == nil:
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Create SLO Error",
			fmt.Sprintf("The dashboard %s already exists, so an SLO named %s may already exist. "+
				"Import it with `terraform import` (ID %q) or choose another name.", dash, doc.Name, doc.Name))
		return
	case !isDashboardNotFound(err):
		resp.Diagnostics.AddError("Create SLO Error",
			fmt.Sprintf("Could not check whether the dashboard %s exists. Check the provider's CloudWatch permissions (cloudwatch:GetDashboard).\n\n%s", dash, err))
		return
	}
	if err := r.putDashboard(ctx, doc.Name, body); err != nil {
		resp.Diagnostics.AddError("Create SLO Error",
			fmt.Sprintf("Could not create the dashboard of SLO %s. Check the provider's CloudWatch permissions (cloudwatch:PutDashboard).\n\n%s", doc.Name, err))
		return
	}
	plan.ID = types.StringValue(doc.Name)
	plan.DashboardName = types.StringValue(dash)
	plan.DashboardFingerprint = types.StringValue(slodash.Fingerprint(body))
	plan.Status = types.ObjectUnknown(sloStatusAttrTypes)
	r.refreshStatus(ctx, &plan, doc, false, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *SLOResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state SLOResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	dash := slodash.DashboardName(name)
	body, err := sloReaderFor(r.clients.CloudWatch).dashboard(ctx, name)
	if errors.Is(err, errSLODashboardNotFound) {
		resp.State.RemoveResource(ctx) // deleted outside Terraform: plan to create it again
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Read SLO Error",
			fmt.Sprintf("Could not read the dashboard %s of SLO %s. Check the provider's CloudWatch permissions (cloudwatch:GetDashboard).\n\n%s", dash, name, err))
		return
	}
	if state.Objective.IsNull() {
		// Import: the configuration comes from the definition on the dashboard.
		doc, err := slodash.Parse(body)
		if err != nil {
			resp.Diagnostics.AddError("Import SLO Error",
				fmt.Sprintf("The dashboard %s does not hold a readable sre_slo definition, so SLO %s cannot be imported. "+
					"Only dashboards created by sre_slo can be imported.\n\n%s", dash, name, err))
			return
		}
		if err := state.setDocument(doc); err != nil {
			resp.Diagnostics.AddError("Import SLO Error", fmt.Sprintf("The definition on dashboard %s is invalid.\n\n%s", dash, err))
			return
		}
		state.Status = types.ObjectNull(sloStatusAttrTypes)
	}
	state.ID = types.StringValue(name)
	state.DashboardName = types.StringValue(dash)
	state.DashboardFingerprint = types.StringValue(slodash.Fingerprint(body))
	doc, known := state.document()
	if !known {
		resp.Diagnostics.AddError("Read SLO Error", fmt.Sprintf("The state of SLO %s is incomplete. This is a bug in the provider; please report it.", name))
		return
	}
	if spec, errs := doc.Spec(); len(errs) == 0 {
		if err := state.setBudget(spec.Objective, spec.Period); err == nil {
			r.refreshStatus(ctx, &state, doc, true, &resp.Diagnostics)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *SLOResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan SLOResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	doc, body, ok := r.prepare(&plan, "Update SLO Error", &resp.Diagnostics)
	if !ok {
		return
	}
	if err := r.putDashboard(ctx, doc.Name, body); err != nil {
		resp.Diagnostics.AddError("Update SLO Error",
			fmt.Sprintf("Could not update the dashboard of SLO %s. Check the provider's CloudWatch permissions (cloudwatch:PutDashboard).\n\n%s", doc.Name, err))
		return
	}
	plan.ID = types.StringValue(doc.Name)
	plan.DashboardName = types.StringValue(slodash.DashboardName(doc.Name))
	plan.DashboardFingerprint = types.StringValue(slodash.Fingerprint(body))
	if plan.Status.IsUnknown() {
		r.refreshStatus(ctx, &plan, doc, false, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *SLOResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state SLOResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	dash := slodash.DashboardName(state.Name.ValueString())
	sloReaderFor(r.clients.CloudWatch).forget(state.Name.ValueString())
	_, err := r.clients.CloudWatch.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{dash}})
	if err != nil && !isDashboardNotFound(err) {
		resp.Diagnostics.AddError("Delete SLO Error",
			fmt.Sprintf("Could not delete the dashboard %s of SLO %s. Check the provider's CloudWatch permissions (cloudwatch:DeleteDashboards).\n\n%s",
				dash, state.Name.ValueString(), err))
	}
}

func (r *SLOResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if err := slo.ValidateName(req.ID); err != nil {
		resp.Diagnostics.AddError("Import SLO Error", fmt.Sprintf("The import ID must be the SLO name.\n\n%s", err))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

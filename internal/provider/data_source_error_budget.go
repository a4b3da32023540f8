package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

var _ datasource.DataSource = (*ErrorBudgetDataSource)(nil)

// NewErrorBudgetDataSource returns the sre_error_budget data source.
func NewErrorBudgetDataSource() datasource.DataSource { return &ErrorBudgetDataSource{} }

// ErrorBudgetDataSource is pure computation: it needs no AWS client.
type ErrorBudgetDataSource struct{}

// ErrorBudgetDataSourceModel maps the sre_error_budget schema.
type ErrorBudgetDataSourceModel struct {
	Objective              types.Float64 `tfsdk:"objective"`
	Period                 types.String  `tfsdk:"period"`
	Events                 types.Float64 `tfsdk:"events"`
	ErrorBudgetRatio       types.Float64 `tfsdk:"error_budget_ratio"`
	AllowedBadFraction     types.Float64 `tfsdk:"allowed_bad_fraction"`
	AllowedBadEvents       types.Float64 `tfsdk:"allowed_bad_events"`
	AllowedDowntime        types.String  `tfsdk:"allowed_downtime"`
	AllowedDowntimeSeconds types.Float64 `tfsdk:"allowed_downtime_seconds"`
	MaxBurnRate            types.Float64 `tfsdk:"max_burn_rate"`
	BurnRateThresholds     types.Map     `tfsdk:"burn_rate_thresholds"`
}

func (d *ErrorBudgetDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_error_budget"
}

func (d *ErrorBudgetDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Computes an error budget from an objective, a period and an expected event volume, " +
			"without calling AWS. Use it to size budgets and alert thresholds before an SLO exists. " +
			"A `calendar_month` period is sized as 30 days.",
		Attributes: map[string]schema.Attribute{
			"objective": schema.Float64Attribute{
				Required:            true,
				MarkdownDescription: "Objective as a percentage greater than 0 and less than 100 with at most 4 decimals, e.g. `99.9`.",
				Validators:          []validator.Float64{sloObjectiveValidator{}},
			},
			"period": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Compliance period: rolling days from `\"1d\"` to `\"90d\"`, or `\"calendar_month\"`.",
				Validators:          []validator.String{sloPeriodValidator{}},
			},
			"events": schema.Float64Attribute{
				Optional:            true,
				MarkdownDescription: "Expected number of events (requests) in the period. When set, `allowed_bad_events` is computed.",
				Validators:          []validator.Float64{float64validator.AtLeast(0)},
			},
			"error_budget_ratio": schema.Float64Attribute{
				Computed:            true,
				MarkdownDescription: "Error budget as a ratio: 1 − objective/100, e.g. `0.001` for 99.9 %.",
			},
			"allowed_bad_fraction": schema.Float64Attribute{
				Computed:            true,
				MarkdownDescription: "Share of events (or of time) allowed to be bad over the period; equal to `error_budget_ratio`.",
			},
			"allowed_bad_events": schema.Float64Attribute{
				Computed:            true,
				MarkdownDescription: "Bad events the budget allows for `events` events (not rounded); null when `events` is not set.",
			},
			"allowed_downtime": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Time allowed to be bad over the period as a duration, e.g. `40m19.2s` for 99.9 % over 28 days.",
			},
			"allowed_downtime_seconds": schema.Float64Attribute{
				Computed:            true,
				MarkdownDescription: "`allowed_downtime` in seconds.",
			},
			"max_burn_rate": schema.Float64Attribute{
				Computed:            true,
				MarkdownDescription: "Largest possible burn rate, 1/(1 − objective/100): the burn rate when every event is bad.",
			},
			"burn_rate_thresholds": schema.MapAttribute{
				Computed:    true,
				ElementType: types.Float64Type,
				MarkdownDescription: "Burn-rate thresholds of the default multiwindow alerting windows for this period, keyed by window: " +
					"`page_fast` (2 % of the budget in 1h), `page_slow` (5 % in 6h), `ticket_fast` (10 % in 1d), `ticket_slow` (10 % in 3d). " +
					"Windows longer than the period are left out.",
			},
		},
	}
}

func (d *ErrorBudgetDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data ErrorBudgetDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	o, err := slo.ObjectiveFromFloat(data.Objective.ValueFloat64())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("objective"), "Invalid Objective", fmt.Sprintf("Could not compute the error budget: %s.", err))
		return
	}
	p, err := slo.ParsePeriod(data.Period.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("period"), "Invalid Period", fmt.Sprintf("Could not compute the error budget: %s.", err))
		return
	}
	b, err := slo.ComputeBudget(o, p)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("objective"), "Invalid Objective",
			fmt.Sprintf("The objective %s%% is too low for the default burn-rate windows over %s; raise the objective.\n\n%s", o, p, err))
		return
	}
	data.ErrorBudgetRatio = types.Float64Value(b.ErrorBudgetRatio)
	data.AllowedBadFraction = types.Float64Value(b.AllowedBadFraction)
	data.AllowedDowntime = types.StringValue(b.AllowedDowntime.String())
	data.AllowedDowntimeSeconds = types.Float64Value(b.AllowedDowntime.Seconds())
	data.MaxBurnRate = types.Float64Value(b.MaxBurnRate)
	data.BurnRateThresholds = burnRateThresholdsValue(b.BurnRateThresholds)
	data.AllowedBadEvents = types.Float64Null()
	if !data.Events.IsNull() {
		bad, err := slo.AllowedBadEvents(o, data.Events.ValueFloat64())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("events"), "Invalid Events", fmt.Sprintf("Could not compute allowed bad events: %s.", err))
			return
		}
		data.AllowedBadEvents = types.Float64Value(bad)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

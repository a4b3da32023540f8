package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

var _ function.Function = (*ErrorBudgetFunction)(nil)

// NewErrorBudgetFunction returns provider::sre::error_budget.
func NewErrorBudgetFunction() function.Function { return &ErrorBudgetFunction{} }

// ErrorBudgetFunction computes the error budget of an objective over a
// period for an expected event volume. It needs no AWS client.
type ErrorBudgetFunction struct{}

// errorBudgetResultTypes are the attributes of the function's result object.
var errorBudgetResultTypes = map[string]attr.Type{
	"objective":                types.Float64Type,
	"period":                   types.StringType,
	"error_budget_ratio":       types.Float64Type,
	"allowed_bad_events":       types.Float64Type,
	"allowed_downtime":         types.StringType,
	"allowed_downtime_seconds": types.Float64Type,
	"max_burn_rate":            types.Float64Type,
}

func (f *ErrorBudgetFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "error_budget"
}

func (f *ErrorBudgetFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Error budget of an SLO for an event volume",
		MarkdownDescription: "Computes the error budget of a service level objective: the budget ratio (1 − SLO), " +
			"the number of bad events allowed for `events` events over the period, the time allowed to be bad over the period, " +
			"and the largest possible burn rate 1/(1 − SLO). For example `error_budget(99.9, \"28d\", 1000000)` allows " +
			"1000 bad events and 40m19.2s (40.32 minutes). A `calendar_month` period is sized as 30 days.",
		Parameters: []function.Parameter{
			function.Float64Parameter{
				Name:                "objective",
				MarkdownDescription: "Objective as a percentage greater than 0 and less than 100, with at most 4 decimals, e.g. `99.9`.",
			},
			function.StringParameter{
				Name:                "period",
				MarkdownDescription: "Compliance period: rolling days from `\"1d\"` to `\"90d\"`, or `\"calendar_month\"`.",
			},
			function.Float64Parameter{
				Name:                "events",
				MarkdownDescription: "Expected number of events (requests) in the period; zero or more.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: errorBudgetResultTypes},
	}
}

func (f *ErrorBudgetFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var objective, events float64
	var period string
	resp.Error = req.Arguments.Get(ctx, &objective, &period, &events)
	if resp.Error != nil {
		return
	}
	o, p, funcErr := objectiveAndPeriodArgs(objective, period)
	if funcErr != nil {
		resp.Error = funcErr
		return
	}
	bad, err := slo.AllowedBadEvents(o, events)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(2, fmt.Sprintf("Invalid events: %s.", err))
		return
	}
	downtime := slo.AllowedBadTime(o, p)
	result, diags := types.ObjectValue(errorBudgetResultTypes, map[string]attr.Value{
		"objective":                types.Float64Value(o.Percent()),
		"period":                   types.StringValue(p.String()),
		"error_budget_ratio":       types.Float64Value(slo.ErrorBudgetRatio(o)),
		"allowed_bad_events":       types.Float64Value(bad),
		"allowed_downtime":         types.StringValue(downtime.String()),
		"allowed_downtime_seconds": types.Float64Value(downtime.Seconds()),
		"max_burn_rate":            types.Float64Value(slo.MaxBurnRate(o)),
	})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, result)
}

package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

var _ function.Function = (*BurnRateThresholdFunction)(nil)

// NewBurnRateThresholdFunction returns provider::sre::burn_rate_threshold.
func NewBurnRateThresholdFunction() function.Function { return &BurnRateThresholdFunction{} }

// BurnRateThresholdFunction computes the burn-rate threshold that spends a
// share of the error budget within a window. It needs no AWS client.
type BurnRateThresholdFunction struct{}

func (f *BurnRateThresholdFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "burn_rate_threshold"
}

func (f *BurnRateThresholdFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Burn-rate threshold for a budget share consumed in a window",
		MarkdownDescription: "Returns the burn rate at which `budget_share` of the error budget of a `period` is spent " +
			"within `window`: `budget_share × period / window`. Over 30 days, 2 % in `\"1h\"` gives 14.4 and 5 % in `\"6h\"` gives 6; " +
			"over 28 days the same shares give 13.44 and 5.6. A threshold above the largest possible burn rate 1/(1 − SLO) " +
			"could never fire and is an error, and so is a window longer than the period. A `calendar_month` period is sized as 30 days.",
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
				Name:                "budget_share",
				MarkdownDescription: "Share of the error budget as a ratio greater than 0 and at most 1, e.g. `0.02` for 2 %.",
			},
			function.StringParameter{
				Name:                "window",
				MarkdownDescription: "Alerting window: a whole number of minutes, hours or days such as `\"5m\"`, `\"1h\"` or `\"3d\"`.",
			},
		},
		Return: function.Float64Return{},
	}
}

func (f *BurnRateThresholdFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var objective, share float64
	var period, window string
	resp.Error = req.Arguments.Get(ctx, &objective, &period, &share, &window)
	if resp.Error != nil {
		return
	}
	o, p, funcErr := objectiveAndPeriodArgs(objective, period)
	if funcErr != nil {
		resp.Error = funcErr
		return
	}
	s, err := slo.ShareFromFloat(share)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(2, fmt.Sprintf("Invalid budget_share: %s.", err))
		return
	}
	w, err := slo.ParseWindow(window)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(3, fmt.Sprintf("Invalid window: %s.", err))
		return
	}
	threshold, err := slo.BurnRateThreshold(o, p, s, w)
	if err != nil {
		arg := int64(3) // the window is too long or too short for the share
		if errors.Is(err, slo.ErrThresholdUnreachable) {
			resp.Error = function.NewArgumentFuncError(arg, fmt.Sprintf("Unreachable burn-rate threshold: %s.", err))
			return
		}
		resp.Error = function.NewArgumentFuncError(arg, fmt.Sprintf("Invalid window: %s.", err))
		return
	}
	resp.Error = resp.Result.Set(ctx, threshold)
}

package provider

// Shared helpers of the SLO types: plan-time validators for objectives and
// periods, and conversions between internal/slo values and Terraform values.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sre-provider/terraform-provider-sre/internal/cwapi"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
	"github.com/sre-provider/terraform-provider-sre/internal/slostatus"
)

// sloObjectiveValidator rejects objectives outside (0, 100) or with more than
// four decimals, at plan time.
type sloObjectiveValidator struct{}

var _ validator.Float64 = sloObjectiveValidator{}

func (sloObjectiveValidator) Description(context.Context) string {
	return "must be a percentage greater than 0 and less than 100 with at most 4 decimals"
}

func (v sloObjectiveValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (sloObjectiveValidator) ValidateFloat64(_ context.Context, req validator.Float64Request, resp *validator.Float64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := slo.ObjectiveFromFloat(req.ConfigValue.ValueFloat64()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Objective",
			fmt.Sprintf("The objective is the percentage of good events or time to reach, such as 99.9. "+
				"It must be greater than 0 and less than 100 (100 leaves no error budget), with at most %d decimals.\n\n%s",
				slo.ObjectiveDecimals, err))
	}
}

// sloPeriodValidator rejects periods other than 1d..90d and calendar_month.
type sloPeriodValidator struct{}

var _ validator.String = sloPeriodValidator{}

func (sloPeriodValidator) Description(context.Context) string {
	return `must be rolling days such as "28d" (1 to 90) or "calendar_month"`
}

func (v sloPeriodValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (sloPeriodValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := slo.ParsePeriod(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Period",
			fmt.Sprintf("The period is the compliance window of the SLO: rolling days written as \"28d\" or \"30d\" (1 to 90 days), "+
				"or \"calendar_month\".\n\n%s", err))
	}
}

// burnRateThresholdsValue renders default-window thresholds as a map.
func burnRateThresholdsValue(th map[string]float64) types.Map {
	elems := make(map[string]attr.Value, len(th))
	for k, v := range th {
		elems[k] = types.Float64Value(v)
	}
	return types.MapValueMust(types.Float64Type, elems)
}

// sloStatusNow is the clock live status is evaluated at; acceptance tests
// point it at the emulator's clock.
var sloStatusNow = statusNow

// statusNow is wall time, or the emulator's clock when SRE_EMULATOR_CLOCK
// names one, so that status and error-budget gates read the same instants
// as rollouts waiting on that clock.
func statusNow() time.Time {
	if u := os.Getenv(emulatorClockEnv); u != "" {
		return emulatorClock{url: u}.Now()
	}
	return time.Now()
}

// sloBatchers shares one status batcher per CloudWatch client, so the reads
// of every sre_slo and sre_slo_status in a Terraform run share
// GetMetricData calls.
var sloBatchers sync.Map // *cloudwatch.Client → *slostatus.Batcher

func sloBatcher(c *cloudwatch.Client) *slostatus.Batcher {
	if b, ok := sloBatchers.Load(c); ok {
		return b.(*slostatus.Batcher)
	}
	b, _ := sloBatchers.LoadOrStore(c, slostatus.NewBatcher(cwapi.MetricData{API: c}, func() time.Time { return sloStatusNow() }, 0))
	return b.(*slostatus.Batcher)
}

// sloStatusAttrTypes are the attributes of a live status object.
var sloStatusAttrTypes = map[string]attr.Type{
	"has_data":                  types.BoolType,
	"attainment_percent":        types.Float64Type,
	"budget_remaining_fraction": types.Float64Type,
	"budget_remaining_events":   types.Float64Type,
	"burn_rates":                types.MapType{ElemType: types.Float64Type},
	"release_allowed":           types.BoolType,
	"window_start":              types.StringType,
	"window_end":                types.StringType,
}

// sloStatusDescriptions documents each status attribute once for the
// resource and the data source.
var sloStatusDescriptions = map[string]string{
	"has_data":                  "Whether any events (or, for a time-based latency SLI, any 5-minute slices) were observed in the period.",
	"attainment_percent":        "Good events as a percentage of all events over the period so far; null without data.",
	"budget_remaining_fraction": "Error budget left as a fraction: 1 − bad/allowed. 1 is untouched, 0 is spent, negative is overspent.",
	"budget_remaining_events":   "Bad events (for a time-based SLI: bad 5-minute slices) the budget still allows; negative when overspent.",
	"burn_rates": "Current burn rate per trailing window (`5m`, `30m`, `1h`, `2h`, `6h`, `1d`, `3d`): the window's error ratio divided by the error budget. " +
		"Compare with `burn_rate_thresholds`.",
	"release_allowed": "False when the error budget is spent (`budget_remaining_fraction` ≤ 0): the error-budget policy's release gate.",
	"window_start":    "Start of the evaluated period (RFC 3339). For `calendar_month` the first instant of the current UTC month.",
	"window_end":      "End of the evaluated period (RFC 3339): the last whole 5 minutes.",
}

func sloStatusObject(r slostatus.Result) types.Object {
	rates := make(map[string]attr.Value, len(r.BurnRates))
	for k, v := range r.BurnRates {
		rates[k] = types.Float64Value(v)
	}
	attainment := types.Float64Null()
	if r.HasData {
		attainment = types.Float64Value(r.AttainmentPercent)
	}
	return types.ObjectValueMust(sloStatusAttrTypes, map[string]attr.Value{
		"has_data":                  types.BoolValue(r.HasData),
		"attainment_percent":        attainment,
		"budget_remaining_fraction": types.Float64Value(r.BudgetRemainingFraction),
		"budget_remaining_events":   types.Float64Value(r.BudgetRemainingEvents),
		"burn_rates":                types.MapValueMust(types.Float64Type, rates),
		"release_allowed":           types.BoolValue(r.ReleaseAllowed),
		"window_start":              types.StringValue(r.WindowStart.UTC().Format(time.RFC3339)),
		"window_end":                types.StringValue(r.WindowEnd.UTC().Format(time.RFC3339)),
	})
}

// sloDefinition converts a validated document for status reads.
func sloDefinition(doc slo.Document) (slostatus.Definition, error) {
	spec, errs := doc.Spec()
	if len(errs) > 0 {
		return slostatus.Definition{}, errors.Join(errs...)
	}
	return slostatus.Definition{Objective: spec.Objective, Period: spec.Period, SLI: spec.SLI}, nil
}

// isDashboardNotFound reports CloudWatch's not-found error for dashboards.
func isDashboardNotFound(err error) bool {
	var nf *cwtypes.DashboardNotFoundError
	if errors.As(err, &nf) {
		return true
	}
	var rnf *cwtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "DashboardNotFoundError" || ae.ErrorCode() == "ResourceNotFound")
}

// objectiveAndPeriodArgs converts the objective and period arguments every
// SLO function takes first, naming the argument at fault.
func objectiveAndPeriodArgs(objective float64, period string) (slo.Objective, slo.Period, *function.FuncError) {
	o, err := slo.ObjectiveFromFloat(objective)
	if err != nil {
		return o, slo.Period{}, function.NewArgumentFuncError(0, fmt.Sprintf("Invalid objective: %s. Use a percentage such as 99.9.", err))
	}
	p, err := slo.ParsePeriod(period)
	if err != nil {
		return o, p, function.NewArgumentFuncError(1, fmt.Sprintf("Invalid period: %s.", err))
	}
	return o, p, nil
}

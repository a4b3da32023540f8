package provider

// Conversions of sre_alert_policy between its Terraform model and
// internal/alerting.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/sre-provider/terraform-provider-sre/internal/alerting"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// AlertPolicyResourceModel maps the sre_alert_policy schema.
type AlertPolicyResourceModel struct {
	ID                types.String           `tfsdk:"id"`
	Name              types.String           `tfsdk:"name"`
	SLO               types.Object           `tfsdk:"slo"`
	DefaultWindows    types.Set              `tfsdk:"default_windows"`
	Windows           types.Map              `tfsdk:"windows"`
	Page              *alertRouteModel       `tfsdk:"page"`
	Ticket            *alertRouteModel       `tfsdk:"ticket"`
	TicketSuppression *alertSuppressionModel `tfsdk:"ticket_suppression"`
	LowTraffic        *alertLowTrafficModel  `tfsdk:"low_traffic"`
	NoData            *alertNoDataModel      `tfsdk:"no_data"`
	Tags              types.Map              `tfsdk:"tags"`
	TagsAll           types.Map              `tfsdk:"tags_all"`
	Alerts            types.Map              `tfsdk:"alerts"`
	PageAlarmName     types.String           `tfsdk:"page_alarm_name"`
	TicketAlarmName   types.String           `tfsdk:"ticket_alarm_name"`
	NoDataAlarmName   types.String           `tfsdk:"no_data_alarm_name"`
	Alarms            types.Map              `tfsdk:"alarms"`
}

// alertSLOModel is the policy's slo attribute: the configuration part of an
// sre_slo, so that `slo = sre_slo.x` converts to it.
type alertSLOModel struct {
	Name      types.String  `tfsdk:"name"`
	Objective types.Float64 `tfsdk:"objective"`
	Period    types.String  `tfsdk:"period"`
	SLI       *sloSLIModel  `tfsdk:"sli"`
}

type alertWindowModel struct {
	Severity    types.String  `tfsdk:"severity"`
	BudgetShare types.Float64 `tfsdk:"budget_share"`
	LongWindow  types.String  `tfsdk:"long_window"`
	ShortWindow types.String  `tfsdk:"short_window"`
}

type alertRouteModel struct {
	AlarmActions            types.List `tfsdk:"alarm_actions"`
	OKActions               types.List `tfsdk:"ok_actions"`
	InsufficientDataActions types.List `tfsdk:"insufficient_data_actions"`
}

type alertSuppressionModel struct {
	WaitPeriod      types.String `tfsdk:"wait_period"`
	ExtensionPeriod types.String `tfsdk:"extension_period"`
}

type alertLowTrafficModel struct {
	MinEventsPerHour types.Float64 `tfsdk:"min_events_per_hour"`
}

type alertNoDataModel struct {
	After    types.String `tfsdk:"after"`
	Severity types.String `tfsdk:"severity"`
}

var alertWindowAttrTypes = map[string]attr.Type{
	"severity": types.StringType, "budget_share": types.Float64Type, "long_window": types.StringType, "short_window": types.StringType,
}

// alertFigureAttrTypes are the attributes of one entry of alerts.
var alertFigureAttrTypes = map[string]attr.Type{
	"severity":                  types.StringType,
	"default":                   types.BoolType,
	"budget_share":              types.Float64Type,
	"long_window":               types.StringType,
	"short_window":              types.StringType,
	"burn_rate":                 types.Float64Type,
	"error_ratio_threshold":     types.Float64Type,
	"detection_time":            types.StringType,
	"detection_seconds":         types.Float64Type,
	"budget_spent_at_detection": types.Float64Type,
	"min_events_long":           types.Float64Type,
	"min_events_short":          types.Float64Type,
	"long_alarm":                types.StringType,
	"short_alarm":               types.StringType,
}

var alertFigureDescriptions = map[string]string{
	"severity":                  "`page` or `ticket`.",
	"default":                   "Whether the window is one of the defaults.",
	"budget_share":              "Share of the error budget the window may spend within its long window.",
	"long_window":               "Long window, e.g. `1h`.",
	"short_window":              "Short window, e.g. `5m`.",
	"burn_rate":                 "Burn-rate threshold: budget_share × period / long_window (14.4 for page_fast over 30 days).",
	"error_ratio_threshold":     "Alarm threshold on the error ratio: burn_rate × (1 − objective/100).",
	"detection_time":            "How long a total outage (every event bad) takes to cross the threshold over both windows, e.g. `51.84s`; CloudWatch evaluates once a minute, so the page arrives up to a minute later.",
	"detection_seconds":         "`detection_time` in seconds.",
	"budget_spent_at_detection": "Share of the error budget spent when the alert fires: burn_rate × long_window / period, which equals budget_share.",
	"min_events_long":           "Low-traffic guard of the long window: fewer events than this count as not burning (0 without a guard).",
	"min_events_short":          "Low-traffic guard of the short window.",
	"long_alarm":                "Name of the long window's metric alarm.",
	"short_alarm":               "Name of the short window's metric alarm.",
}

// known reports whether every part of the policy that shapes its windows
// and figures is known; routing and tags may still be unknown.
func (m *AlertPolicyResourceModel) known() bool {
	if m.Name.IsUnknown() || m.SLO.IsUnknown() || m.DefaultWindows.IsUnknown() || m.Windows.IsUnknown() {
		return false
	}
	if m.LowTraffic != nil && m.LowTraffic.MinEventsPerHour.IsUnknown() {
		return false
	}
	if m.NoData != nil && (m.NoData.After.IsUnknown() || m.NoData.Severity.IsUnknown()) {
		return false
	}
	if s := m.TicketSuppression; s != nil && (s.WaitPeriod.IsUnknown() || s.ExtensionPeriod.IsUnknown()) {
		return false
	}
	return true
}

// routingKnown reports whether every action ARN is known.
func (m *AlertPolicyResourceModel) routingKnown() bool {
	for _, r := range []*alertRouteModel{m.Page, m.Ticket} {
		if r == nil {
			continue
		}
		for _, l := range []types.List{r.AlarmActions, r.OKActions, r.InsufficientDataActions} {
			if l.IsUnknown() {
				return false
			}
			for _, e := range l.Elements() {
				if e.IsUnknown() {
					return false
				}
			}
		}
	}
	return true
}

// sloSpec converts the slo attribute. ok is false while any of it is
// unknown; parse errors come back as field errors under slo.
func (m *AlertPolicyResourceModel) sloSpec(ctx context.Context, diags *diag.Diagnostics) (slo.Spec, []error, bool) {
	var sm alertSLOModel
	if d := m.SLO.As(ctx, &sm, basetypes.ObjectAsOptions{}); d.HasError() {
		diags.Append(d...)
		return slo.Spec{}, nil, false
	}
	doc, known := (&SLOResourceModel{Name: sm.Name, Objective: sm.Objective, Period: sm.Period, SLI: sm.SLI}).document()
	if !known {
		return slo.Spec{}, nil, false
	}
	spec, errs := doc.Spec()
	var out []error
	for _, err := range errs {
		if errors.Is(err, slo.ErrThresholdUnreachable) {
			continue // sre_slo's rule; the policy drops such default windows with a warning
		}
		out = append(out, underSLO(err))
	}
	return spec, out, true
}

func underSLO(err error) error {
	if fe, ok := err.(*slo.FieldError); ok {
		return &slo.FieldError{Path: append(slo.Root("slo"), fe.Path...), Err: fe.Err}
	}
	return &slo.FieldError{Path: slo.Root("slo"), Err: err}
}

// policy converts the model; call it only when known() holds. Unknown
// action ARNs become placeholders, so the figures can be computed before
// the topics exist.
func (m *AlertPolicyResourceModel) policy(ctx context.Context, defaultTags map[string]string, diags *diag.Diagnostics) (alerting.Policy, []error, bool) {
	spec, errs, ok := m.sloSpec(ctx, diags)
	if !ok {
		return alerting.Policy{}, nil, false
	}
	p := alerting.Policy{Name: m.Name.ValueString(), SLO: spec, Routes: map[slo.Severity]alerting.Route{}, Suppression: alerting.DefaultSuppression}
	if !m.DefaultWindows.IsNull() {
		p.DefaultWindows = []string{}
		for _, e := range m.DefaultWindows.Elements() {
			p.DefaultWindows = append(p.DefaultWindows, e.(types.String).ValueString())
		}
		sort.Strings(p.DefaultWindows)
	}
	if !m.Windows.IsNull() {
		var ws map[string]alertWindowModel
		diags.Append(m.Windows.ElementsAs(ctx, &ws, false)...)
		for name, w := range ws {
			at := slo.Root("windows").Key(name)
			cw := alerting.Window{Name: name, Severity: slo.Severity(w.Severity.ValueString())}
			var err error
			if cw.BudgetShare, err = slo.ShareFromFloat(w.BudgetShare.ValueFloat64()); err != nil {
				errs = append(errs, &slo.FieldError{Path: at.At("budget_share"), Err: err})
			}
			if cw.Long, err = slo.ParseWindow(w.LongWindow.ValueString()); err != nil {
				errs = append(errs, &slo.FieldError{Path: at.At("long_window"), Err: err})
			}
			if cw.Short, err = slo.ParseWindow(w.ShortWindow.ValueString()); err != nil {
				errs = append(errs, &slo.FieldError{Path: at.At("short_window"), Err: err})
			}
			p.Custom = append(p.Custom, cw)
		}
	}
	for sev, r := range map[slo.Severity]*alertRouteModel{slo.SeverityPage: m.Page, slo.SeverityTicket: m.Ticket} {
		if r != nil {
			p.Routes[sev] = alerting.Route{Alarm: arnList(r.AlarmActions), OK: arnList(r.OKActions), InsufficientData: arnList(r.InsufficientDataActions)}
		}
	}
	if s := m.TicketSuppression; s != nil {
		for _, d := range []struct {
			attr string
			v    types.String
			to   *time.Duration
		}{{"wait_period", s.WaitPeriod, &p.Suppression.Wait}, {"extension_period", s.ExtensionPeriod, &p.Suppression.Extension}} {
			v, err := time.ParseDuration(d.v.ValueString())
			if err != nil {
				errs = append(errs, &slo.FieldError{Path: slo.Root("ticket_suppression").At(d.attr), Err: fmt.Errorf("%q is not a duration such as 2m or 15m", d.v.ValueString())})
			}
			*d.to = v
		}
	}
	if lt := m.LowTraffic; lt != nil {
		p.MinEventsPerHour = lt.MinEventsPerHour.ValueFloat64()
	}
	if nd := m.NoData; nd != nil {
		after, err := slo.ParseWindow(nd.After.ValueString())
		if err != nil {
			errs = append(errs, &slo.FieldError{Path: slo.Root("no_data").At("after"), Err: err})
		}
		sev := nd.Severity.ValueString()
		if sev == "" {
			sev = string(slo.SeverityTicket)
		}
		p.NoData = &alerting.NoData{After: after, Severity: slo.Severity(sev)}
	}
	p.Tags = mergedTags(defaultTags, m.Tags)
	return p, errs, true
}

// arnList converts an action list; unknown ARNs (topics created in the same
// apply) become a valid placeholder so figures can be planned.
func arnList(l types.List) []string {
	var out []string
	for _, e := range l.Elements() {
		s := e.(types.String)
		if s.IsUnknown() {
			out = append(out, "arn:aws:sns:us-east-1:000000000000:unknown-at-plan-time")
			continue
		}
		out = append(out, s.ValueString())
	}
	return out
}

func mergedTags(defaults map[string]string, tags types.Map) map[string]string {
	out := map[string]string{}
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range tags.Elements() {
		if s, ok := v.(types.String); ok && !s.IsUnknown() {
			out[k] = s.ValueString()
		}
	}
	return out
}

// setComputed fills the computed attributes from an alert set.
func (m *AlertPolicyResourceModel) setComputed(p alerting.Policy, set alerting.Set, fingerprintsKnown bool) {
	m.ID = types.StringValue(p.Name)
	figs := map[string]attr.Value{}
	var names []string
	for _, w := range set.Windows {
		names = append(names, w.Name)
		figs[w.Name] = types.ObjectValueMust(alertFigureAttrTypes, map[string]attr.Value{
			"severity":                  types.StringValue(string(w.Severity)),
			"default":                   types.BoolValue(w.Default),
			"budget_share":              types.Float64Value(w.BudgetShare.Ratio()),
			"long_window":               types.StringValue(slo.FormatWindow(w.Long)),
			"short_window":              types.StringValue(slo.FormatWindow(w.Short)),
			"burn_rate":                 types.Float64Value(w.BurnRate),
			"error_ratio_threshold":     types.Float64Value(w.ErrorRatio),
			"detection_time":            types.StringValue(w.DetectionTime.String()),
			"detection_seconds":         types.Float64Value(w.DetectionTime.Seconds()),
			"budget_spent_at_detection": types.Float64Value(w.BudgetSpent),
			"min_events_long":           types.Float64Value(w.MinEventsLong),
			"min_events_short":          types.Float64Value(w.MinEventsShort),
			"long_alarm":                types.StringValue(w.LongAlarm),
			"short_alarm":               types.StringValue(w.ShortAlarm),
		})
	}
	m.Alerts = types.MapValueMust(types.ObjectType{AttrTypes: alertFigureAttrTypes}, figs)
	if m.DefaultWindows.IsNull() || m.DefaultWindows.IsUnknown() {
		var defaults []attr.Value
		for _, w := range set.Windows {
			if w.Default {
				defaults = append(defaults, types.StringValue(w.Name))
			}
		}
		m.DefaultWindows = types.SetValueMust(types.StringType, defaults)
	}
	m.PageAlarmName, m.TicketAlarmName, m.NoDataAlarmName = types.StringNull(), types.StringNull(), types.StringNull()
	for _, c := range set.Composites {
		if c.Severity == slo.SeverityPage {
			m.PageAlarmName = types.StringValue(c.Name)
		} else {
			m.TicketAlarmName = types.StringValue(c.Name)
		}
	}
	if p.NoData != nil {
		m.NoDataAlarmName = types.StringValue(alerting.NoDataAlarmName(p.Name))
	}
	tagsAll := map[string]attr.Value{}
	for k, v := range p.Tags {
		tagsAll[k] = types.StringValue(v)
	}
	m.TagsAll = types.MapValueMust(types.StringType, tagsAll)
	if !tagsKnown(m.Tags) {
		m.TagsAll = types.MapUnknown(types.StringType)
	}
	if !fingerprintsKnown {
		m.Alarms = types.MapUnknown(types.StringType)
		return
	}
	m.Alarms = fingerprintsValue(set.Fingerprints())
}

func tagsKnown(m types.Map) bool {
	if m.IsUnknown() {
		return false
	}
	for _, v := range m.Elements() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

func fingerprintsValue(fp map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(fp))
	for k, v := range fp {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// fingerprints reads the alarms attribute.
func (m *AlertPolicyResourceModel) fingerprints() map[string]string {
	out := map[string]string{}
	for k, v := range m.Alarms.Elements() {
		if s, ok := v.(types.String); ok {
			out[k] = s.ValueString()
		}
	}
	return out
}

// setRecovered fills the configuration attributes from an import.
func (m *AlertPolicyResourceModel) setRecovered(r alerting.Recovered, doc slo.Document, defaultTags map[string]string) error {
	sm := &SLOResourceModel{}
	if err := sm.setDocument(doc); err != nil {
		return err
	}
	sli, d := types.ObjectValueFrom(context.Background(), alertSLOAttrTypes(), alertSLOModel{Name: sm.Name, Objective: sm.Objective, Period: sm.Period, SLI: sm.SLI})
	if d.HasError() {
		return fmt.Errorf("convert the SLO definition: %v", d)
	}
	m.SLO = sli
	defaults := make([]attr.Value, 0, len(r.DefaultWindows))
	for _, n := range r.DefaultWindows {
		defaults = append(defaults, types.StringValue(n))
	}
	m.DefaultWindows = types.SetValueMust(types.StringType, defaults)
	m.Windows = types.MapNull(types.ObjectType{AttrTypes: alertWindowAttrTypes})
	if len(r.Custom) > 0 {
		ws := map[string]attr.Value{}
		for _, w := range r.Custom {
			ws[w.Name] = types.ObjectValueMust(alertWindowAttrTypes, map[string]attr.Value{
				"severity": types.StringValue(string(w.Severity)), "budget_share": types.Float64Value(w.BudgetShare.Ratio()),
				"long_window": types.StringValue(slo.FormatWindow(w.Long)), "short_window": types.StringValue(slo.FormatWindow(w.Short)),
			})
		}
		m.Windows = types.MapValueMust(types.ObjectType{AttrTypes: alertWindowAttrTypes}, ws)
	}
	route := func(sev slo.Severity) *alertRouteModel {
		rt, ok := r.Routes[sev]
		if !ok {
			return nil
		}
		return &alertRouteModel{AlarmActions: stringList(rt.Alarm), OKActions: stringList(rt.OK), InsufficientDataActions: stringList(rt.InsufficientData)}
	}
	m.Page, m.Ticket = route(slo.SeverityPage), route(slo.SeverityTicket)
	su := alerting.DefaultSuppression
	if r.Suppression != (alerting.Suppression{}) {
		su = r.Suppression
	}
	m.TicketSuppression = &alertSuppressionModel{WaitPeriod: types.StringValue(durationString(su.Wait)), ExtensionPeriod: types.StringValue(durationString(su.Extension))}
	m.LowTraffic = nil
	if r.MinEventsPerHour > 0 {
		m.LowTraffic = &alertLowTrafficModel{MinEventsPerHour: types.Float64Value(r.MinEventsPerHour)}
	}
	m.NoData = nil
	if nd := r.NoData; nd != nil {
		m.NoData = &alertNoDataModel{After: types.StringValue(slo.FormatWindow(nd.After)), Severity: types.StringValue(string(nd.Severity))}
	}
	own := map[string]attr.Value{}
	for k, v := range r.Tags {
		if dv, ok := defaultTags[k]; ok && dv == v {
			continue // from the provider's default_tags
		}
		own[k] = types.StringValue(v)
	}
	m.Tags = types.MapNull(types.StringType)
	if len(own) > 0 {
		m.Tags = types.MapValueMust(types.StringType, own)
	}
	return nil
}

func stringList(l []string) types.List {
	if len(l) == 0 {
		return types.ListNull(types.StringType)
	}
	elems := make([]attr.Value, len(l))
	for i, s := range l {
		elems[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, elems)
}

// durationString renders a suppressor period as configuration writes it.
func durationString(d time.Duration) string {
	if d%time.Minute == 0 && d > 0 {
		return fmt.Sprintf("%dm", int64(math.Round(d.Minutes())))
	}
	return d.String()
}

// Package drill fires an alert policy's page end to end, as in a drill of a
// serious outage: every window alarm of the policy is set to ALARM with
// SetAlarmState, so the page composite fires and notifies on-call through
// its real routing, and the ticket composite fires but stays suppressed by
// the page. CloudWatch returns each window alarm to its evaluated state at
// its next evaluation (about a minute later), so the drill cleans up after
// itself.
package drill

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/sre-provider/terraform-provider-sre/internal/alerting"
	"github.com/sre-provider/terraform-provider-sre/internal/cwapi"
	"github.com/sre-provider/terraform-provider-sre/internal/slo"
)

// Alarms is what a drill calls: cwapi.Alarms implements it.
type Alarms interface {
	Describe(ctx context.Context, names []string) (map[string]cwapi.Observed, error)
	SetState(ctx context.Context, name, state, reason string) error
}

// Options tune a drill.
type Options struct {
	// Now is the clock the report is stamped with; nil means time.Now.
	Now func() time.Time
	// Wait, when positive, polls until the page composite returns to OK
	// or Wait passes; Poll is the interval (default 10 s) and Sleep how to
	// wait it (default time.Sleep, replaced in tests).
	Wait  time.Duration
	Poll  time.Duration
	Sleep func(time.Duration)
}

// Result is what a drill did.
type Result struct {
	Fired      []string // window alarms set to ALARM
	PageState  string   // page composite state right after
	PagedTo    []string // the page composite's alarm actions
	TicketSup  string   // why the ticket's actions are suppressed, if it has a ticket composite
	ReturnedOK bool     // with Wait: the page composite returned to OK
}

var alarmRef = regexp.MustCompile(`ALARM\("([^"]+)"\)`)

// Run drills policy, printing what it fires and when to out.
func Run(ctx context.Context, a Alarms, policy string, out io.Writer, o Options) (Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Poll <= 0 {
		o.Poll = 10 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	var res Result
	pageName, ticketName := alerting.CompositeName(policy, slo.SeverityPage), alerting.CompositeName(policy, slo.SeverityTicket)
	found, err := a.Describe(ctx, []string{pageName, ticketName})
	if err != nil {
		return res, fmt.Errorf("read the composites of policy %s: %w", policy, err)
	}
	page, ok := found[pageName]
	if !ok || page.Composite == nil {
		return res, fmt.Errorf("policy %s has no page composite alarm %s: check the policy name and region, and that the policy has page windows", policy, pageName)
	}
	var children []string
	seen := map[string]bool{}
	for _, c := range []cwapi.Observed{page, found[ticketName]} {
		if c.Composite == nil {
			continue
		}
		for _, m := range alarmRef.FindAllStringSubmatch(c.Composite.Rule, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				children = append(children, m[1])
			}
		}
	}
	sort.Strings(children)
	if len(children) == 0 {
		return res, errors.New("the page composite names no window alarms")
	}
	start := o.Now().UTC()
	fmt.Fprintf(out, "%s  drill of policy %s: setting %d window alarms to ALARM\n", stamp(start), policy, len(children))
	reason := fmt.Sprintf("drill: sre drill of policy %s started %s; not a real outage, the alarm returns to its evaluated state at its next evaluation", policy, start.Format(time.RFC3339))
	for _, n := range children {
		if err := a.SetState(ctx, n, "ALARM", reason); err != nil {
			return res, fmt.Errorf("drill of policy %s stopped after %d of %d alarms: %w", policy, len(res.Fired), len(children), err)
		}
		res.Fired = append(res.Fired, n)
		fmt.Fprintf(out, "%s  %s → ALARM\n", stamp(o.Now()), n)
	}
	found, err = a.Describe(ctx, []string{pageName, ticketName})
	if err != nil {
		return res, fmt.Errorf("read the composites of policy %s after the drill: %w", policy, err)
	}
	page = found[pageName]
	res.PageState = page.State
	if page.Composite != nil {
		res.PagedTo = page.Composite.Actions.Alarm
	}
	fmt.Fprintf(out, "%s  %s is %s", stamp(o.Now()), pageName, page.State)
	if len(res.PagedTo) > 0 {
		fmt.Fprintf(out, ": paged %s", strings.Join(res.PagedTo, ", "))
	} else {
		fmt.Fprint(out, ": it has no alarm actions, so nobody was paged")
	}
	fmt.Fprintln(out)
	if t, ok := found[ticketName]; ok {
		res.TicketSup = t.SuppressedBy
		sup := "its actions are not suppressed"
		if t.SuppressedBy != "" {
			sup = "its actions are suppressed (" + t.SuppressedBy + ")"
		}
		fmt.Fprintf(out, "%s  %s is %s; %s\n", stamp(o.Now()), ticketName, t.State, sup)
	}
	if o.Wait <= 0 {
		fmt.Fprintf(out, "the window alarms return to their evaluated state at their next evaluation, normally within a minute\n")
		return res, nil
	}
	deadline := o.Now().Add(o.Wait)
	for o.Now().Before(deadline) {
		o.Sleep(o.Poll)
		found, err = a.Describe(ctx, []string{pageName})
		if err != nil {
			return res, fmt.Errorf("poll %s: %w", pageName, err)
		}
		if st := found[pageName].State; st == "OK" {
			res.ReturnedOK = true
			fmt.Fprintf(out, "%s  %s returned to OK after %s\n", stamp(o.Now()), pageName, o.Now().Sub(start).Round(time.Second))
			return res, nil
		}
	}
	return res, fmt.Errorf("%s did not return to OK within %s: check the SLI for a real outage", pageName, o.Wait)
}

func stamp(t time.Time) string { return t.UTC().Format("15:04:05") }

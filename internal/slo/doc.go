// Package slo holds the pure arithmetic and validation behind service level
// objectives: objectives, periods, error budgets, burn rates and the default
// multiwindow burn-rate alerting windows.
//
// It has no dependency on Terraform or AWS so that the provider, the plan
// checker and future alerting features can share one definition of the math.
//
// Representation. Objectives are parsed from their decimal text into integer
// parts per million of good events (99.95 % is 999500 ppm), so a value such as
// 99.95 never turns into 99.9499999 and never causes a perpetual diff. Up to
// four decimals of a percentage are accepted, which is exactly one ppm.
//
// Periods are either a rolling number of days ("28d", 1 to 90 days) or
// "calendar_month". Convention for calendar_month: plan-time figures (allowed
// downtime, burn-rate thresholds) use a 30-day month, which is what the
// published multiwindow thresholds (14.4, 6, 3, 1) assume; live status uses
// the actual length of the current UTC calendar month and evaluates from the
// first instant of that month.
package slo

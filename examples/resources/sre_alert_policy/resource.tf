# Burn-rate alerts for the checkout SLO: the four default windows, paging and
# ticketing SNS topics, and guards for quiet hours and missing data.
resource "sre_alert_policy" "checkout" {
  name = "checkout-availability"
  # The sre_slo resource itself: its objective, period and SLI are known at
  # plan time, so the plan shows every threshold and detection time.
  slo = sre_slo.checkout_availability

  page = {
    alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:checkout-page"]
    ok_actions    = ["arn:aws:sns:eu-west-1:123456789012:checkout-page"]
  }
  ticket = {
    alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:checkout-tickets"]
  }

  # No alert while fewer than 120 requests an hour arrive.
  low_traffic = { min_events_per_hour = 120 }
  # Open a ticket when the request count stops reporting for 15 minutes.
  no_data = { after = "15m" }

  tags = { team = "payments" }
}

# An SLO managed in another configuration, written out; only the fast page
# and a custom window for login bursts, no tickets.
resource "sre_alert_policy" "login" {
  name = "login-availability"
  slo = {
    name      = "login-availability"
    objective = 99.9
    period    = "30d"
    sli = {
      ratio = {
        bad   = { namespace = "Identity", metric_name = "LoginFailures", statistic = "Sum" }
        total = { namespace = "Identity", metric_name = "LoginAttempts", statistic = "Sum" }
      }
    }
  }
  default_windows = ["page_fast"]
  windows = {
    # 1 % of the budget in 30 minutes (burn rate 14.4 over 30 days).
    login_burst = { severity = "page", budget_share = 0.01, long_window = "30m", short_window = "5m" }
  }
  page = { alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:identity-page"] }
}

# How fast a total outage pages, known before apply.
output "checkout_page_detection" {
  value = sre_alert_policy.checkout.alerts["page_fast"].detection_time # "48.384s" over 28 days
}

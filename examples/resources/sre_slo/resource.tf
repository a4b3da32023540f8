# Availability of the checkout service behind an Application Load Balancer:
# 99.9 % of requests over a rolling 28 days are not 5xx.
resource "sre_slo" "checkout_availability" {
  name        = "checkout-availability"
  service     = "checkout"
  description = "99.9 % of checkout requests over 28 days do not fail with a 5xx."
  objective   = 99.9
  period      = "28d"

  sli = {
    ratio = {
      # Bad events: target and load balancer 5xx, each missing datapoint counting as zero.
      bad = {
        expression = "target + elb"
        metrics = {
          target = {
            namespace   = "AWS/ApplicationELB"
            metric_name = "HTTPCode_Target_5XX_Count"
            dimensions  = { LoadBalancer = "app/checkout/0123456789abcdef" }
            statistic   = "Sum"
          }
          elb = {
            namespace   = "AWS/ApplicationELB"
            metric_name = "HTTPCode_ELB_5XX_Count"
            dimensions  = { LoadBalancer = "app/checkout/0123456789abcdef" }
            statistic   = "Sum"
          }
        }
      }
      total = {
        namespace   = "AWS/ApplicationELB"
        metric_name = "RequestCount"
        dimensions  = { LoadBalancer = "app/checkout/0123456789abcdef" }
        statistic   = "Sum"
      }
    }
  }
}

# Latency, request-based: 99 % of requests in a calendar month at or under
# 300 ms. The metric must be published with raw values (Values/Counts).
resource "sre_slo" "checkout_latency" {
  name      = "checkout-latency"
  service   = "checkout"
  objective = 99
  period    = "calendar_month"

  sli = {
    latency = {
      namespace   = "Checkout"
      metric_name = "RequestLatency"
      dimensions  = { Service = "checkout" }
      threshold   = 300
    }
  }
}

# Latency, time-based: in 99.5 % of the 5-minute slices of 7 days the p99
# latency is at or under 0.5 s.
resource "sre_slo" "search_p99" {
  name      = "search-p99"
  service   = "search"
  objective = 99.5
  period    = "7d"

  sli = {
    latency = {
      namespace   = "Search"
      metric_name = "QueryLatency"
      threshold   = 0.5
      percentile  = 99
    }
  }
}

# Plan-time figures, known before apply.
output "checkout_allowed_downtime" {
  value = sre_slo.checkout_availability.allowed_downtime # "40m19.2s"
}

output "checkout_page_threshold" {
  value = sre_slo.checkout_availability.burn_rate_thresholds["page_fast"] # 13.44
}

# Live status, refreshed on every plan.
output "checkout_budget_remaining" {
  value = sre_slo.checkout_availability.status.budget_remaining_fraction
}

# Size an error budget before the SLO exists.
data "sre_error_budget" "checkout" {
  objective = 99.9
  period    = "28d"
  events    = 1000000 # expected requests in 28 days
}

output "allowed_bad_requests" {
  value = data.sre_error_budget.checkout.allowed_bad_events # 1000
}

output "allowed_downtime" {
  value = data.sre_error_budget.checkout.allowed_downtime # "40m19.2s"
}

output "page_thresholds" {
  # { page_fast = 13.44, page_slow = 5.6, ticket_fast = 2.8, ticket_slow = 0.933… }
  value = data.sre_error_budget.checkout.burn_rate_thresholds
}

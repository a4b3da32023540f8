locals {
  # { allowed_bad_events = 1000, allowed_downtime = "40m19.2s", error_budget_ratio = 0.001, max_burn_rate = 1000, ... }
  checkout_budget = provider::sre::error_budget(99.9, "28d", 1000000)
}

output "checkout_allowed_bad_requests" {
  value = local.checkout_budget.allowed_bad_events
}

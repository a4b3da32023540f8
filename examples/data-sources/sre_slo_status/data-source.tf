# The error-budget policy as code: no release while the budget is spent.
data "sre_slo_status" "checkout" {
  name = "checkout-availability"
}

resource "terraform_data" "checkout_release" {
  input = var.checkout_version

  lifecycle {
    precondition {
      condition     = data.sre_slo_status.checkout.release_allowed
      error_message = "The checkout error budget is spent (${format("%.1f", data.sre_slo_status.checkout.budget_remaining_fraction * 100)} % left): releases are frozen until it recovers."
    }
  }
}

variable "checkout_version" {
  type = string
}

output "checkout_attainment" {
  value = data.sre_slo_status.checkout.attainment_percent
}

output "checkout_burn_rate_1h" {
  value = data.sre_slo_status.checkout.burn_rates["1h"]
}

# Quickstart: an availability SLO for a checkout service, its error budget and
# live status, and the error-budget policy as a precondition. `make demo` runs
# it against the local AWS emulator; point the provider at AWS to use it for real.
terraform {
  required_version = ">= 1.8"
  required_providers {
    sre = { source = "sre-provider/sre" }
  }
}

variable "aws_endpoint" {
  description = "Emulator URL (make emulator prints it). Leave empty to use AWS."
  type        = string
  default     = ""
}

locals {
  emulated  = var.aws_endpoint != ""
  endpoints = local.emulated ? [var.aws_endpoint] : []
}

provider "sre" {
  region = "us-east-1"
  # The emulator's well-known test credentials; on AWS the usual chain applies.
  access_key = local.emulated ? "AKIDEMULATOR" : null
  secret_key = local.emulated ? "emulator-secret" : null

  dynamic "endpoints" {
    for_each = local.endpoints
    content {
      autoscaling = endpoints.value
      cloudwatch  = endpoints.value
      ec2         = endpoints.value
      elbv2       = endpoints.value
      sts         = endpoints.value
    }
  }
}

resource "sre_slo" "checkout" {
  name        = "checkout-availability"
  service     = "checkout"
  description = "99.9 % of checkout requests over 28 days succeed."
  objective   = 99.9
  period      = "28d"

  sli = {
    ratio = {
      bad = {
        namespace   = "Quickstart"
        metric_name = "Errors"
        dimensions  = { Service = "checkout" }
        statistic   = "Sum"
      }
      total = {
        namespace   = "Quickstart"
        metric_name = "Requests"
        dimensions  = { Service = "checkout" }
        statistic   = "Sum"
      }
    }
  }
}

# Live status, read after the SLO exists: the error-budget policy made executable.
data "sre_slo_status" "checkout" {
  name = sre_slo.checkout.name
}

resource "terraform_data" "release" {
  input = "checkout v2.4.1"

  lifecycle {
    precondition {
      condition     = data.sre_slo_status.checkout.release_allowed
      error_message = "The checkout error budget is spent: releases are frozen until it recovers."
    }
  }
}

output "error_budget" {
  description = "Known at plan time."
  value = {
    allowed_bad_fraction = sre_slo.checkout.allowed_bad_fraction
    allowed_downtime     = sre_slo.checkout.allowed_downtime
    burn_rate_thresholds = sre_slo.checkout.burn_rate_thresholds
  }
}

output "live_status" {
  value = {
    attainment_percent        = data.sre_slo_status.checkout.attainment_percent
    budget_remaining_fraction = data.sre_slo_status.checkout.budget_remaining_fraction
    release_allowed           = data.sre_slo_status.checkout.release_allowed
  }
}

output "dashboard" {
  value = sre_slo.checkout.dashboard_name
}

output "budget_for_a_million_requests" {
  value = provider::sre::error_budget(99.9, "28d", 1000000).allowed_bad_events
}

output "page_threshold_30d_1h" {
  value = provider::sre::burn_rate_threshold(99.9, "30d", 0.02, "1h")
}

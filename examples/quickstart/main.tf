# Quickstart: an availability SLO for a checkout service, its burn-rate alert
# policy, and golden-AMI rollouts of its Auto Scaling group gated on the page
# and on the error budget. `make demo` runs it against the local AWS emulator
# (which seeds the group); point the provider at AWS to use it for real.
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

# Burn-rate alerts on the SLO: page when the budget burns fast, ticket when it
# burns slowly. Passing the SLO resource itself makes every threshold and
# detection time known in the first plan.
variable "page_topic_arn" {
  description = "SNS topic that pages on-call."
  type        = string
  default     = "arn:aws:sns:us-east-1:123456789012:checkout-page"
}

variable "ticket_topic_arn" {
  description = "SNS topic that opens a ticket."
  type        = string
  default     = "arn:aws:sns:us-east-1:123456789012:checkout-ticket"
}

resource "sre_alert_policy" "checkout" {
  name = "checkout-availability"
  slo  = sre_slo.checkout

  page   = { alarm_actions = [var.page_topic_arn] }
  ticket = { alarm_actions = [var.ticket_topic_arn], ok_actions = [var.ticket_topic_arn] }

  # No alert while fewer than 60 requests an hour arrive (5 in a 5-minute window).
  low_traffic = { min_events_per_hour = 60 }
  # The SLI is blind without data: open a ticket when requests stop reporting.
  no_data = { after = "15m" }
}

# Live status, read after the SLO exists.
data "sre_slo_status" "checkout" {
  name = sre_slo.checkout.name
}

# Golden-AMI rollouts of the checkout fleet (an existing Auto Scaling group).
# Set image_id to roll a new image: one canary, then the fleet, each gated on
# the SLO's page staying quiet; a failed gate puts the previous version back.
# No rollout starts while the error budget is spent, unless overridden.
variable "group_name" {
  description = "The Auto Scaling group of the checkout fleet."
  type        = string
  default     = "checkout"
}

variable "image_id" {
  description = "Golden AMI to roll onto the fleet; empty leaves it alone."
  type        = string
  default     = ""
}

variable "budget_override" {
  description = "Roll even though the error budget is spent (an emergency fix)."
  type        = bool
  default     = false
}

resource "sre_asg_rollout" "checkout" {
  count                  = var.image_id == "" ? 0 : 1
  autoscaling_group_name = var.group_name
  image_id               = var.image_id

  canary = { count = 1, bake_time = "5m" }
  gates = {
    alarm_names        = [sre_alert_policy.checkout.page_alarm_name]
    target_health      = true
    health_check_grace = "1m"
    timeout            = "10m"
  }
  fleet_bake_time = "5m"

  error_budget_gate = {
    slo      = sre_slo.checkout.name
    override = var.budget_override
  }
}

output "error_budget" {
  description = "Known at plan time."
  value = {
    allowed_bad_fraction = sre_slo.checkout.allowed_bad_fraction
    allowed_downtime     = sre_slo.checkout.allowed_downtime
    burn_rate_thresholds = { for w, t in sre_slo.checkout.burn_rate_thresholds : w => format("%.2f", t) }
  }
}

output "live_status" {
  value = {
    attainment_percent        = data.sre_slo_status.checkout.attainment_percent
    budget_remaining_fraction = data.sre_slo_status.checkout.budget_remaining_fraction
    release_allowed           = data.sre_slo_status.checkout.release_allowed
  }
}

output "alerts" {
  description = "Per window: the burn-rate threshold and how fast a total outage fires it; known at plan time."
  value = {
    for name, a in sre_alert_policy.checkout.alerts :
    name => "${a.severity}: burn rate ${format("%.2f", a.burn_rate)} over ${a.long_window}/${a.short_window}, a total outage fires it after ${a.detection_time} (${format("%.1f", a.budget_spent_at_detection * 100)}% of the budget)"
  }
}

output "rollout" {
  description = "What the rollout does, known at plan time."
  value = var.image_id == "" ? "no rollout" : format("%s: %s -> %s, %d canary then waves %s, about %s",
    var.group_name, sre_asg_rollout.checkout[0].preview.old_version, sre_asg_rollout.checkout[0].preview.new_version,
  sre_asg_rollout.checkout[0].preview.canary, jsonencode(sre_asg_rollout.checkout[0].preview.waves), sre_asg_rollout.checkout[0].preview.expected_duration)
}

output "alert_policy" {
  value = sre_alert_policy.checkout.name
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

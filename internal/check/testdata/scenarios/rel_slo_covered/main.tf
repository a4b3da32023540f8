# Compliant REL001 for a second service: its SLO measures its load balancer
# and an alert policy burns on that SLO.
resource "sre_slo" "api" {
  name      = "api-availability"
  service   = "api"
  objective = 99.5
  period    = "28d"

  sli = {
    ratio = {
      bad = {
        namespace   = "AWS/ApplicationELB"
        metric_name = "HTTPCode_ELB_5XX_Count"
        dimensions  = { LoadBalancer = aws_lb.api.arn_suffix }
        statistic   = "Sum"
      }
      total = {
        namespace   = "AWS/ApplicationELB"
        metric_name = "RequestCount"
        dimensions  = { LoadBalancer = aws_lb.api.arn_suffix }
        statistic   = "Sum"
      }
    }
  }
}

resource "sre_alert_policy" "api" {
  name = "api-availability"
  slo  = sre_slo.api
  page = { alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:api-page"] }
}

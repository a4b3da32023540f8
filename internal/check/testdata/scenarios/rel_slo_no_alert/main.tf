# REL001: an internet-facing service served by instances registered in its
# target group; an SLO measures the target group, but no sre_alert_policy
# alerts on it.
resource "aws_instance" "api" {
  count                  = 2
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.small"
  subnet_id              = module.base.private_subnet_ids[count.index]
  vpc_security_group_ids = [module.base.app_sg_id]
}

resource "aws_lb_target_group_attachment" "api" {
  count            = 2
  target_group_arn = aws_lb_target_group.api.arn
  target_id        = aws_instance.api[count.index].id
  port             = 8080
}

resource "sre_slo" "api" {
  name      = "api-availability"
  service   = "api"
  objective = 99.5
  period    = "28d"

  sli = {
    ratio = {
      bad = {
        namespace   = "AWS/ApplicationELB"
        metric_name = "HTTPCode_Target_5XX_Count"
        dimensions  = { TargetGroup = aws_lb_target_group.api.arn_suffix, LoadBalancer = module.base.lb_arn_suffix }
        statistic   = "Sum"
      }
      total = {
        namespace   = "AWS/ApplicationELB"
        metric_name = "RequestCount"
        dimensions  = { TargetGroup = aws_lb_target_group.api.arn_suffix, LoadBalancer = module.base.lb_arn_suffix }
        statistic   = "Sum"
      }
    }
  }
}

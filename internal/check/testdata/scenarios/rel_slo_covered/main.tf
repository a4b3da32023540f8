# Compliant REL001 for a second service: its SLO measures its load balancer
# and an alert policy burns on that SLO.
resource "aws_lb" "api" {
  name            = "api"
  internal        = false
  security_groups = [aws_security_group.api_lb.id]
  subnets         = module.base.public_subnet_ids
}

resource "aws_lb_target_group" "api" {
  name     = "api"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = module.base.vpc_id
}

resource "aws_lb_listener" "api" {
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
}

resource "aws_launch_template" "api" {
  name_prefix            = "api-"
  image_id               = "ami-0123456789abcdef0"
  instance_type          = "t3.small"
  vpc_security_group_ids = [module.base.app_sg_id]
}

resource "aws_autoscaling_group" "api" {
  name                = "api"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = module.base.private_subnet_ids

  launch_template {
    id      = aws_launch_template.api.id
    version = aws_launch_template.api.latest_version
  }
}

resource "aws_autoscaling_attachment" "api" {
  autoscaling_group_name = aws_autoscaling_group.api.name
  lb_target_group_arn    = aws_lb_target_group.api.arn
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

resource "aws_security_group" "api_lb" {
  name   = "api-lb"
  vpc_id = module.base.vpc_id

  ingress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# The "api" service's internet door, linked into the REL001 scenarios: an
# internet-facing ALB on 443, its target group and its security group.
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

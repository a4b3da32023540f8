# NET005: a plain HTTP listener on the internet-facing load balancer.
resource "aws_lb_target_group" "legacy" {
  name     = "legacy"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = module.base.vpc_id
}

resource "aws_lb_listener" "legacy" {
  load_balancer_arn = module.base.alb_arn
  port              = 8080
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.legacy.arn
  }
}

# The "api" fleet, linked into the REL001 scenarios: an Auto Scaling group
# registered in the door's target group.
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

# Compliant REL002: the image changes and an sre_asg_rollout rolls the group.
resource "aws_launch_template" "batch" {
  name                   = "batch"
  image_id               = "ami-0f1e2d3c4b5a69788"
  instance_type          = "t3.small"
  vpc_security_group_ids = [module.base.app_sg_id]
}

resource "aws_autoscaling_group" "batch" {
  name                = "batch"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = module.base.private_subnet_ids

  launch_template {
    id      = aws_launch_template.batch.id
    version = "1"
  }
}

resource "sre_asg_rollout" "batch" {
  autoscaling_group_name = aws_autoscaling_group.batch.name
  image_id               = "ami-0f1e2d3c4b5a69788"
}

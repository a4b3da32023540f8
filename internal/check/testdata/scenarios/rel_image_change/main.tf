# REL002: the plan edits the launch template's image in place; no sre_asg_rollout
# rolls it, so the fleet keeps the old image and new instances get the new one unchecked.
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

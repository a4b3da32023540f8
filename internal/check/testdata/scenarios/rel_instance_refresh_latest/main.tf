# REL002 (and NET006): an instance refresh on $Latest replaces the whole
# fleet on every launch template change, with no canary and no gates.
resource "aws_launch_template" "batch" {
  name_prefix            = "batch-"
  image_id               = "ami-0a1b2c3d4e5f60718"
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
    version = "$Latest"
  }

  instance_refresh {
    strategy = "Rolling"
  }
}

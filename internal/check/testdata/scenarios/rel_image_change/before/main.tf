# The batch fleet as it is before the plan: image ami-...0718.
resource "aws_launch_template" "batch" {
  name                   = "batch"
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
    version = "1"
  }
}

# NET006: a fleet that follows $Latest, so any template edit rolls out.
resource "aws_launch_template" "batch" {
  name_prefix            = "batch-"
  image_id               = "ami-0123456789abcdef0"
  instance_type          = "t3.small"
  vpc_security_group_ids = [module.base.app_sg_id]
}

resource "aws_autoscaling_group" "batch" {
  name                = "batch"
  min_size            = 1
  max_size            = 4
  vpc_zone_identifier = module.base.private_subnet_ids

  launch_template {
    id      = aws_launch_template.batch.id
    version = "$Latest"
  }
}

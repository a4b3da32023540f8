# NET007: a second bastion fleet whose instances live forever.
resource "aws_launch_template" "jump" {
  name_prefix   = "jump-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  network_interfaces {
    associate_public_ip_address = true
    security_groups             = [module.base.bastion_sg_id]
  }
}

resource "aws_autoscaling_group" "jump" {
  name                = "jump"
  min_size            = 1
  max_size            = 1
  vpc_zone_identifier = module.base.public_subnet_ids

  launch_template {
    id      = aws_launch_template.jump.id
    version = aws_launch_template.jump.latest_version
  }

  tag {
    key                 = "Role"
    value               = "bastion"
    propagate_at_launch = true
  }
}

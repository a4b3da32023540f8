# NET003: a worker fleet whose launch template hands out public IPs.
resource "aws_launch_template" "worker" {
  name_prefix   = "worker-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.small"

  network_interfaces {
    associate_public_ip_address = true
    security_groups             = [module.base.app_sg_id]
  }
}

resource "aws_autoscaling_group" "worker" {
  name                = "worker"
  min_size            = 1
  max_size            = 2
  vpc_zone_identifier = module.base.private_subnet_ids

  launch_template {
    id      = aws_launch_template.worker.id
    version = aws_launch_template.worker.latest_version
  }
}

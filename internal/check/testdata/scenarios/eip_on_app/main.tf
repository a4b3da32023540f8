# NET003: an Elastic IP on an app server in a private subnet.
resource "aws_instance" "reporting" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.small"
  subnet_id              = module.base.private_subnet_ids[1]
  vpc_security_group_ids = [module.base.app_sg_id]
}

resource "aws_eip" "reporting" {
  domain   = "vpc"
  instance = aws_instance.reporting.id
}

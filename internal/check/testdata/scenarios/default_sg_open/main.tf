# NET001 + NET002 through the VPC's default security group: the managed
# default group lets SSH in from anywhere, and an instance that names no
# security group lands in it.
resource "aws_default_security_group" "this" {
  vpc_id = module.base.vpc_id

  ingress {
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "forgotten" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.small"
  subnet_id     = module.base.private_subnet_ids[0]
}

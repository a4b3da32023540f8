# Evasion: each group allows half the internet; the instance has both.
resource "aws_security_group" "east" {
  name   = "east"
  vpc_id = module.base.vpc_id

  ingress {
    from_port   = 3000
    to_port     = 3000
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/2", "64.0.0.0/2"]
  }
}

resource "aws_security_group" "west" {
  name   = "west"
  vpc_id = module.base.vpc_id

  ingress {
    from_port   = 3000
    to_port     = 3000
    protocol    = "tcp"
    cidr_blocks = ["128.0.0.0/1"]
  }
}

resource "aws_instance" "dashboard" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.small"
  subnet_id              = module.base.private_subnet_ids[0]
  vpc_security_group_ids = [aws_security_group.east.id, aws_security_group.west.id]
}

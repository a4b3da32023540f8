# Evasion: a new group (id unknown until apply) with a world SSH rule in a
# separate resource, attached to a new instance.
resource "aws_security_group" "debug" {
  name   = "debug"
  vpc_id = module.base.vpc_id
}

resource "aws_security_group_rule" "debug_ssh" {
  type              = "ingress"
  security_group_id = aws_security_group.debug.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_instance" "debug" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.small"
  subnet_id              = module.base.private_subnet_ids[0]
  vpc_security_group_ids = [aws_security_group.debug.id]
}

# Evasion: protocol -1 means every protocol and port.
resource "aws_security_group_rule" "app_everything" {
  type              = "ingress"
  security_group_id = module.base.app_sg_id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}

# Evasion: the internet split into two halves, neither of them 0.0.0.0/0.
resource "aws_security_group_rule" "lower_half" {
  type              = "ingress"
  security_group_id = module.base.app_sg_id
  protocol          = "tcp"
  from_port         = 8443
  to_port           = 8443
  cidr_blocks       = ["0.0.0.0/1"]
}

resource "aws_security_group_rule" "upper_half" {
  type              = "ingress"
  security_group_id = module.base.app_sg_id
  protocol          = "tcp"
  from_port         = 8000
  to_port           = 9000
  cidr_blocks       = ["128.0.0.0/1"]
}

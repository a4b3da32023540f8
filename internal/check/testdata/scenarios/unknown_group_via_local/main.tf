# Cannot prove: the rule's group goes through a local, which the plan's
# configuration does not describe.
locals {
  target_group = module.base.app_sg_id
}

resource "aws_security_group_rule" "metrics" {
  type              = "ingress"
  security_group_id = local.target_group
  protocol          = "tcp"
  from_port         = 9100
  to_port           = 9100
  cidr_blocks       = ["0.0.0.0/0"]
}

# --changed-only: the legacy rule already exists (see before/); this plan
# adds world SSH, the only exposure it introduces.
resource "aws_security_group_rule" "legacy_public" {
  type              = "ingress"
  security_group_id = module.base.app_sg_id
  protocol          = "tcp"
  from_port         = 8080
  to_port           = 8080
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "new_ssh" {
  type              = "ingress"
  security_group_id = module.base.app_sg_id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["0.0.0.0/0"]
}

# State before the change: an existing, already-known violation.
resource "aws_security_group_rule" "legacy_public" {
  type              = "ingress"
  security_group_id = module.base.app_sg_id
  protocol          = "tcp"
  from_port         = 8080
  to_port           = 8080
  cidr_blocks       = ["0.0.0.0/0"]
}

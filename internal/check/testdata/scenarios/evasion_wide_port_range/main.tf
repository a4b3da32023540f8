# Evasion: no rule says 22, but an "internal" range covers it.
resource "aws_vpc_security_group_ingress_rule" "app_internal" {
  security_group_id = module.base.app_sg_id
  ip_protocol       = "tcp"
  from_port         = 1
  to_port           = 65535
  cidr_ipv4         = "10.0.0.0/8"
}

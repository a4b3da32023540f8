# Evasion: rules generated with for_each, one per port.
resource "aws_vpc_security_group_ingress_rule" "app_public" {
  for_each = {
    ssh   = 22
    rdp   = 3389
    https = 443
  }

  security_group_id = module.base.app_sg_id
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = "0.0.0.0/0"
}

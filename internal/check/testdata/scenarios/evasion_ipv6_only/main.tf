# Evasion: SSH open to the whole IPv6 internet, no IPv4 CIDR at all.
resource "aws_security_group_rule" "app_ssh_v6" {
  type              = "ingress"
  security_group_id = module.base.app_sg_id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  ipv6_cidr_blocks  = ["::/0"]
}

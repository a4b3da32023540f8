# NET002: SSH to the app servers straight from the internet.
resource "aws_vpc_security_group_ingress_rule" "app_ssh" {
  security_group_id = module.base.app_sg_id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "0.0.0.0/0"
}

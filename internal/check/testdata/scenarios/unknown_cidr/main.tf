# Cannot prove: the source CIDR is the NAT gateway's address, known only
# after apply.
resource "aws_security_group_rule" "from_nat" {
  type              = "ingress"
  security_group_id = module.base.app_sg_id
  protocol          = "tcp"
  from_port         = 9000
  to_port           = 9000
  cidr_blocks       = ["${module.base.nat_gateway_public_ip}/32"]
}

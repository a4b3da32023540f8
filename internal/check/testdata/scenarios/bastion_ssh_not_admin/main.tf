# NET002: the bastion takes SSH from a network that is not an admin CIDR.
resource "aws_security_group_rule" "bastion_partner" {
  type              = "ingress"
  security_group_id = module.base.bastion_sg_id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["198.51.100.0/24"]
}

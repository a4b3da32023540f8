# NET004: IP allow-listing done in a network ACL instead of a security group.
resource "aws_network_acl" "partner" {
  vpc_id     = module.base.vpc_id
  subnet_ids = module.base.private_subnet_ids
}

resource "aws_network_acl_rule" "partner_only" {
  network_acl_id = aws_network_acl.partner.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "198.51.100.0/24"
  from_port      = 443
  to_port        = 443
}

# Compliant: the VPC's default group is managed with no rules at all (the
# provider strips AWS's default rules), so an instance that names no group
# is reachable from nowhere.
resource "aws_default_security_group" "this" {
  vpc_id = module.base.vpc_id
}

resource "aws_instance" "forgotten" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.small"
  subnet_id     = module.base.private_subnet_ids[0]
}

# NET002: an instance that names no security group lands in its VPC's
# default group; the plan does not manage that group, so it keeps AWS's
# default rules, which let every member reach every port, SSH included, of
# every other member, not only the bastion.
resource "aws_instance" "forgotten" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.small"
  subnet_id     = module.base.private_subnet_ids[0]
}

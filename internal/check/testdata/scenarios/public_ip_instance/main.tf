# NET003: a worker instance asks for a public IP.
resource "aws_instance" "worker" {
  ami                         = "ami-0123456789abcdef0"
  instance_type               = "t3.small"
  subnet_id                   = module.base.private_subnet_ids[0]
  vpc_security_group_ids      = [module.base.app_sg_id]
  associate_public_ip_address = true
}

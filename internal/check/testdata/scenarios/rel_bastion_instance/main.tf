# REL003: a bastion run as a plain instance, which nothing ever replaces.
resource "aws_instance" "jump" {
  ami                         = "ami-0123456789abcdef0"
  instance_type               = "t3.micro"
  subnet_id                   = module.base.public_subnet_ids[0]
  vpc_security_group_ids      = [module.base.bastion_sg_id]
  associate_public_ip_address = true
  tags                        = { Role = "bastion" }
}

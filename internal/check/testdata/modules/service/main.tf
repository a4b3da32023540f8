# One service: a security group, two instances behind it, SSH from the
# bastion, and its port opened through the nested open_rule module.
variable "name" {
  type = string
}

variable "port" {
  type = number
}

variable "vpc_id" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "bastion_sg_id" {
  type = string
}

resource "aws_security_group" "this" {
  name   = "svc-${var.name}"
  vpc_id = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "ssh_from_bastion" {
  security_group_id            = aws_security_group.this.id
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  referenced_security_group_id = var.bastion_sg_id
}

resource "aws_instance" "this" {
  count                  = 2
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [aws_security_group.this.id]
  tags                   = { Name = "${var.name}-${count.index}" }
}

module "open" {
  source            = "../open_rule"
  security_group_id = aws_security_group.this.id
  port              = var.port
}

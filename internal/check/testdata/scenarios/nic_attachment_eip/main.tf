# NET001 + NET003 through a network interface: the interface attaches itself
# to an app server (attachment block), an aws_network_interface_sg_attachment
# adds a group open to the world on 8080, and an Elastic IP on the interface
# gives the server a public address.
resource "aws_instance" "worker" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.small"
  subnet_id              = module.base.private_subnet_ids[0]
  vpc_security_group_ids = [module.base.app_sg_id]
}

resource "aws_network_interface" "worker" {
  subnet_id       = module.base.private_subnet_ids[0]
  security_groups = [module.base.app_sg_id]

  attachment {
    instance     = aws_instance.worker.id
    device_index = 1
  }
}

resource "aws_security_group" "worker_public" {
  name   = "worker-public"
  vpc_id = module.base.vpc_id

  ingress {
    protocol    = "tcp"
    from_port   = 8080
    to_port     = 8080
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_network_interface_sg_attachment" "worker_public" {
  security_group_id    = aws_security_group.worker_public.id
  network_interface_id = aws_network_interface.worker.id
}

resource "aws_eip" "worker" {
  domain            = "vpc"
  network_interface = aws_network_interface.worker.id
}

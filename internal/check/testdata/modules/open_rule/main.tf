# A reusable "open a port" module: the kind of rule that hides from
# checkers looking at one resource or one module at a time.
variable "security_group_id" {
  type = string
}

variable "port" {
  type = number
}

resource "aws_security_group_rule" "this" {
  type              = "ingress"
  security_group_id = var.security_group_id
  protocol          = "tcp"
  from_port         = var.port
  to_port           = var.port
  cidr_blocks       = ["0.0.0.0/0"]
}

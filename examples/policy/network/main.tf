# A 3-tier network for the plan checker: `make demo` plans it twice with
# Terraform and runs `terraform-provider-sre check` on each plan. As written
# it is compliant: the internet reaches only the load balancer on 443 (80
# redirects) and the bastion from the admin network. Set
# open_ssh_to_internet = true for the change a reviewer must catch.
terraform {
  required_version = ">= 1.8"
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "open_ssh_to_internet" {
  description = "Open SSH on the app servers to the whole internet (a violation of NET001 and NET002)."
  type        = bool
  default     = false
}

module "network" {
  source      = "./modules/three_tier"
  name        = "checkout"
  admin_cidrs = ["203.0.113.0/24"]
}

# The shortcut someone takes during an incident: SSH straight to the app
# servers from anywhere, instead of through the bastion.
resource "aws_security_group_rule" "app_ssh_anywhere" {
  count             = var.open_ssh_to_internet ? 1 : 0
  type              = "ingress"
  security_group_id = module.network.app_sg_id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["0.0.0.0/0"]
  description       = "temporary: debug checkout"
}

# Shared by every scenario: the fixture script copies this file next to
# each scenario's own .tf files before planning.
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

module "base" {
  source      = "../../modules/three_tier"
  admin_cidrs = ["203.0.113.0/24"]
}

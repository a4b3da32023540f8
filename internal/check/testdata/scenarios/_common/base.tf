# Shared by every scenario: the fixture script copies this file next to
# each scenario's own .tf files before planning.
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
    sre = {
      source = "sre-provider/sre"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

# The fixture script points the sre provider at the AWS emulator through
# AWS_ENDPOINT_URL; planning its resources needs no other AWS.
provider "sre" {
  region = "us-east-1"
}

module "base" {
  source      = "../../modules/three_tier"
  admin_cidrs = ["203.0.113.0/24"]
}

# Credentials and region load like the AWS provider's: these arguments, then
# AWS_* environment variables, then the shared config and credentials files.
provider "sre" {
  region  = "eu-west-1"
  profile = "platform"

  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/sre-deployer"
    session_name = "terraform"
  }

  default_tags {
    tags = {
      managed-by = "terraform"
      team       = "sre"
    }
  }
}

# Against the local emulator (make emulator):
# provider "sre" {
#   region     = "us-east-1"
#   access_key = "AKIDEMULATOR"
#   secret_key = "emulator-secret"
#   endpoints {
#     autoscaling = "http://127.0.0.1:4566"
#     cloudwatch  = "http://127.0.0.1:4566"
#     ec2         = "http://127.0.0.1:4566"
#     elbv2       = "http://127.0.0.1:4566"
#     sts         = "http://127.0.0.1:4566"
#   }
# }

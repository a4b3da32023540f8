# The AWS provider owns the launch template and the group; sre_asg_rollout
# owns which image they run. Hand over the group's name, and let the group
# ignore what the rollout changes, so the two providers never fight:
#   - launch_template[0].version: each rollout points the group at a new
#     numbered version (made from the group's current one with the new image);
#   - desired_capacity: scaling policies own it, and the rollout follows them;
#   - max_size only if you let the rollout raise it (allow_raise_max) and
#     a rollout might be interrupted while it is raised.
resource "aws_launch_template" "web" {
  name          = "web"
  image_id      = "ami-0a1b2c3d4e5f60718" # the first image only; later ones roll through sre_asg_rollout
  instance_type = "t3.small"
  lifecycle {
    ignore_changes = [image_id]
  }
}

resource "aws_autoscaling_group" "web" {
  name                = "web"
  min_size            = 2
  max_size            = 8
  desired_capacity    = 4
  vpc_zone_identifier = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  target_group_arns   = ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"]
  health_check_type   = "ELB"
  launch_template {
    id      = aws_launch_template.web.id
    version = "1"
  }
  lifecycle {
    ignore_changes = [launch_template[0].version, desired_capacity]
  }
}

# Roll the patched golden AMI: one canary, its gates for 5 minutes, the
# whole fleet, the gates again for 10 minutes, then exactly the old
# instances retired. A failed gate puts the previous version back.
resource "sre_asg_rollout" "web" {
  autoscaling_group_name = aws_autoscaling_group.web.name
  image_id               = "ami-0f1e2d3c4b5a69788" # this month's golden AMI

  canary = { count = 1, bake_time = "5m" }
  gates = {
    # The SLO's page must stay quiet while the new image takes traffic.
    alarm_names = ["checkout-availability-page"]
  }
  fleet_bake_time = "10m"

  # The error-budget policy: no release while the budget is spent.
  error_budget_gate = { slo = "checkout-availability" }
}

# Large fleets in waves of a quarter, without raising max_size, keeping
# 75 % of the fleet in service.
resource "sre_asg_rollout" "batch" {
  autoscaling_group_name  = "batch-workers"
  launch_template_version = "12"
  surge                   = { wave_percent = 25, wave_bake_time = "5m" }
  allow_raise_max         = false
  min_healthy_percent     = 75
  on_failure              = "pause"
}

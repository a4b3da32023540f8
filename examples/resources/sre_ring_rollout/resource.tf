# Ring deployment: the users with the most risk tolerance first, Japan last.
# Every group rolls with sre_asg_rollout's procedure and gates; each ring
# bakes, its gates holding, before the next starts. AMIs are regional, so
# each group names its region's copy of the golden image.
resource "sre_ring_rollout" "web" {
  name = "web-2026-12"

  rings = [
    {
      name      = "overseas"
      bake_time = "1h"
      groups = [
        { autoscaling_group_name = "web", region = "eu-west-1", image_id = "ami-0a1b2c3d4e5f60718" },
        { autoscaling_group_name = "web", region = "us-east-1", image_id = "ami-0b2c3d4e5f6071829" },
      ]
    },
    {
      name = "japan"
      groups = [
        { autoscaling_group_name = "web", region = "ap-northeast-1", image_id = "ami-0c3d4e5f607182930" },
      ]
    },
  ]

  canary          = { count = 1, bake_time = "10m" }
  gates           = { alarm_prefixes = ["web-availability-page"] }
  fleet_bake_time = "15m"

  error_budget_gate = { slo = "web-availability" }
}

# A rollout is imported by the Auto Scaling group's name; the group's
# current numbered launch template version becomes the rolled-out one.
terraform import sre_asg_rollout.web web

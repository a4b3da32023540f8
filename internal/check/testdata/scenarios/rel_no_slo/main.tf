# REL001: a second internet-facing service (its own ALB on 443, target group
# and fleet) with no SLO and no alert policy.

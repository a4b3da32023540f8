# A policy is imported by its name. Windows, routing and guards are read back
# from its alarms and their tags, the SLO's definition from its dashboard
# (slo-<name>), so import the sre_slo too.
terraform import sre_alert_policy.checkout checkout-availability

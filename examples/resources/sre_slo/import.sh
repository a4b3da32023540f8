# An SLO is imported by its name; the definition is read back from its
# dashboard (slo-<name>).
terraform import sre_slo.checkout_availability checkout-availability

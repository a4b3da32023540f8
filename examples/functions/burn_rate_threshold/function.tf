locals {
  # Page when 2 % of a 30-day budget burns in one hour: 14.4.
  page_fast_30d = provider::sre::burn_rate_threshold(99.9, "30d", 0.02, "1h")

  # The same rule over 28 days: 13.44. Never hard-code 14.4.
  page_fast_28d = provider::sre::burn_rate_threshold(99.9, "28d", 0.02, "1h")
}

data "sre_caller_identity" "current" {}

# Refuse to touch anything outside the production account.
output "account" {
  value = data.sre_caller_identity.current.account_id

  precondition {
    condition     = data.sre_caller_identity.current.account_id == "123456789012"
    error_message = "This configuration must run against the production account."
  }
}

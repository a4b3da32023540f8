# Evasion: the rule lives in a child module, fed the group id as an input.
module "rdp" {
  source            = "../../modules/open_rule"
  security_group_id = module.base.app_sg_id
  port              = 3389
}

# Evasion: a service module instantiated per team with for_each; every copy
# opens its port to the internet through a module nested in it.
module "svc" {
  source   = "../../modules/service"
  for_each = { api = 9000, admin = 9443 }

  name          = each.key
  port          = each.value
  vpc_id        = module.base.vpc_id
  subnet_id     = module.base.private_subnet_ids[0]
  bastion_sg_id = module.base.bastion_sg_id
}

package aws

import (
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// mode says how an attribute is set, mirroring the real provider's
// Required/Optional/Computed flags: optComp attributes are unknown in a
// create plan unless the configuration sets them.
type mode int

const (
	req mode = iota
	opt
	comp
	optComp
)

type attrs = map[string]schema.Attribute
type blocks = map[string]schema.Block

func str(m mode) schema.StringAttribute {
	return schema.StringAttribute{Required: m == req, Optional: m == opt || m == optComp, Computed: m == comp || m == optComp}
}

func i64(m mode) schema.Int64Attribute {
	return schema.Int64Attribute{Required: m == req, Optional: m == opt || m == optComp, Computed: m == comp || m == optComp}
}

func boolean(m mode) schema.BoolAttribute {
	return schema.BoolAttribute{Required: m == req, Optional: m == opt || m == optComp, Computed: m == comp || m == optComp}
}

// boolDefault is an optional bool the provider fills in when unset, so the
// plan shows the default rather than an unknown.
func boolDefault(v bool) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(v)}
}

func strDefault(v string) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(v)}
}

func strSet(m mode) schema.SetAttribute {
	return schema.SetAttribute{ElementType: types.StringType, Required: m == req, Optional: m == opt || m == optComp, Computed: m == comp || m == optComp}
}

func strList(m mode) schema.ListAttribute {
	return schema.ListAttribute{ElementType: types.StringType, Required: m == req, Optional: m == opt || m == optComp, Computed: m == comp || m == optComp}
}

func strMap(m mode) schema.MapAttribute {
	return schema.MapAttribute{ElementType: types.StringType, Optional: m == opt || m == optComp, Computed: m == comp || m == optComp}
}

// stableID is a computed identifier that keeps its prior value on update,
// as the real provider's ids and ARNs do.
func stableID() schema.StringAttribute {
	return schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
}

// res builds a resource schema with the id/tags attributes every AWS
// resource here has, plus the given attributes and blocks.
func res(a attrs, b blocks, withARN, withTags bool) schema.Schema {
	a["id"] = stableID()
	if withARN {
		a["arn"] = stableID()
	}
	if withTags {
		a["tags"] = strMap(opt)
		a["tags_all"] = strMap(comp)
	}
	return schema.Schema{Attributes: a, Blocks: b}
}

func setBlock(a attrs, b blocks) schema.SetNestedBlock {
	return schema.SetNestedBlock{NestedObject: schema.NestedBlockObject{Attributes: a, Blocks: b}}
}

func listBlock(a attrs, b blocks) schema.ListNestedBlock {
	return schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{Attributes: a, Blocks: b}}
}

func sgRuleBlock() schema.SetNestedBlock {
	return setBlock(attrs{
		"from_port":        i64(req),
		"to_port":          i64(req),
		"protocol":         str(req),
		"cidr_blocks":      strList(opt),
		"ipv6_cidr_blocks": strList(opt),
		"prefix_list_ids":  strList(opt),
		"security_groups":  strSet(opt),
		"self":             boolean(opt),
		"description":      str(opt),
	}, nil)
}

func vpcSGRule() schema.Schema {
	return res(attrs{
		"security_group_id":            str(req),
		"ip_protocol":                  str(req),
		"from_port":                    i64(opt),
		"to_port":                      i64(opt),
		"cidr_ipv4":                    str(opt),
		"cidr_ipv6":                    str(opt),
		"prefix_list_id":               str(opt),
		"referenced_security_group_id": str(opt),
		"description":                  str(opt),
		"security_group_rule_id":       str(comp),
	}, nil, true, true)
}

func naclRuleBlock() schema.SetNestedBlock {
	return setBlock(attrs{
		"rule_no":         i64(req),
		"action":          str(req),
		"protocol":        str(req),
		"from_port":       i64(req),
		"to_port":         i64(req),
		"cidr_block":      str(opt),
		"ipv6_cidr_block": str(opt),
		"icmp_code":       i64(opt),
		"icmp_type":       i64(opt),
	}, nil)
}

// schemas lists every resource type the test provider serves, with the
// attributes the checker reads and the computed attributes that make plans
// realistic.
var schemas = map[string]schema.Schema{
	"aws_vpc": res(attrs{
		"cidr_block":                       str(optComp),
		"ipv6_cidr_block":                  str(optComp),
		"assign_generated_ipv6_cidr_block": boolean(opt),
		"enable_dns_hostnames":             boolean(optComp),
		"enable_dns_support":               boolDefault(true),
		"instance_tenancy":                 strDefault("default"),
		"default_security_group_id":        str(comp),
		"default_network_acl_id":           str(comp),
		"main_route_table_id":              str(comp),
		"owner_id":                         str(comp),
	}, nil, true, true),
	"aws_subnet": res(attrs{
		"vpc_id":                          str(req),
		"cidr_block":                      str(opt),
		"ipv6_cidr_block":                 str(opt),
		"availability_zone":               str(optComp),
		"map_public_ip_on_launch":         boolDefault(false),
		"assign_ipv6_address_on_creation": boolDefault(false),
		"owner_id":                        str(comp),
	}, nil, true, true),
	"aws_internet_gateway": res(attrs{
		"vpc_id":   str(opt),
		"owner_id": str(comp),
	}, nil, true, true),
	"aws_nat_gateway": res(attrs{
		"allocation_id":     str(opt),
		"subnet_id":         str(req),
		"connectivity_type": strDefault("public"),
		"public_ip":         str(comp),
		"private_ip":        str(optComp),
	}, nil, false, true),
	"aws_route_table": res(attrs{
		"vpc_id":   str(req),
		"owner_id": str(comp),
	}, blocks{
		"route": setBlock(attrs{
			"cidr_block":      str(opt),
			"ipv6_cidr_block": str(opt),
			"gateway_id":      str(opt),
			"nat_gateway_id":  str(opt),
		}, nil),
	}, true, true),
	"aws_route_table_association": res(attrs{
		"subnet_id":      str(opt),
		"route_table_id": str(req),
	}, nil, false, false),
	"aws_security_group": res(attrs{
		"name":                   str(optComp),
		"name_prefix":            str(optComp),
		"description":            strDefault("Managed by Terraform"),
		"vpc_id":                 str(optComp),
		"revoke_rules_on_delete": boolDefault(false),
		"owner_id":               str(comp),
	}, blocks{
		"ingress": sgRuleBlock(),
		"egress":  sgRuleBlock(),
	}, true, true),
	"aws_default_security_group": res(attrs{
		"name":                   str(comp),
		"description":            str(comp),
		"vpc_id":                 str(optComp),
		"revoke_rules_on_delete": boolDefault(false),
		"owner_id":               str(comp),
	}, blocks{
		"ingress": sgRuleBlock(),
		"egress":  sgRuleBlock(),
	}, true, true),
	"aws_security_group_rule": res(attrs{
		"type":                     str(req),
		"from_port":                i64(req),
		"to_port":                  i64(req),
		"protocol":                 str(req),
		"security_group_id":        str(req),
		"cidr_blocks":              strList(opt),
		"ipv6_cidr_blocks":         strList(opt),
		"prefix_list_ids":          strList(opt),
		"source_security_group_id": str(optComp),
		"self":                     boolDefault(false),
		"description":              str(opt),
		"security_group_rule_id":   str(comp),
	}, nil, false, false),
	"aws_vpc_security_group_ingress_rule": vpcSGRule(),
	"aws_vpc_security_group_egress_rule":  vpcSGRule(),
	"aws_ec2_managed_prefix_list": res(attrs{
		"name":           str(req),
		"address_family": str(req),
		"max_entries":    i64(req),
		"version":        i64(comp),
		"owner_id":       str(comp),
	}, blocks{
		"entry": setBlock(attrs{"cidr": str(req), "description": str(opt)}, nil),
	}, true, true),
	"aws_lb": res(attrs{
		"name":                       str(optComp),
		"name_prefix":                str(optComp),
		"internal":                   boolean(optComp),
		"load_balancer_type":         strDefault("application"),
		"security_groups":            strSet(optComp),
		"subnets":                    strSet(optComp),
		"ip_address_type":            str(optComp),
		"enable_deletion_protection": boolDefault(false),
		"dns_name":                   str(comp),
		"zone_id":                    str(comp),
		"vpc_id":                     str(comp),
		"arn_suffix":                 str(comp),
	}, blocks{
		"subnet_mapping": setBlock(attrs{"subnet_id": str(req), "allocation_id": str(opt)}, nil),
	}, true, true),
	"aws_lb_listener": res(attrs{
		"load_balancer_arn": str(req),
		"port":              i64(opt),
		"protocol":          str(optComp),
		"ssl_policy":        str(optComp),
		"certificate_arn":   str(opt),
	}, blocks{
		"default_action": listBlock(attrs{
			"type":             str(req),
			"target_group_arn": str(opt),
			"order":            i64(optComp),
		}, blocks{
			"redirect": listBlock(attrs{
				"port":        strDefault("#{port}"),
				"protocol":    strDefault("#{protocol}"),
				"host":        strDefault("#{host}"),
				"path":        strDefault("/#{path}"),
				"query":       strDefault("#{query}"),
				"status_code": str(req),
			}, nil),
			"fixed_response": listBlock(attrs{
				"content_type": str(req),
				"message_body": str(opt),
				"status_code":  str(optComp),
			}, nil),
		}),
	}, true, true),
	"aws_lb_listener_rule": res(attrs{
		"listener_arn": str(req),
		"priority":     i64(optComp),
	}, blocks{
		"action": listBlock(attrs{
			"type":             str(req),
			"target_group_arn": str(opt),
		}, nil),
		"condition": setBlock(nil, blocks{
			"source_ip":    listBlock(attrs{"values": strSet(req)}, nil),
			"path_pattern": listBlock(attrs{"values": strSet(req)}, nil),
			"host_header":  listBlock(attrs{"values": strSet(req)}, nil),
		}),
	}, true, true),
	"aws_lb_target_group": res(attrs{
		"name":        str(optComp),
		"port":        i64(opt),
		"protocol":    str(opt),
		"vpc_id":      str(opt),
		"target_type": strDefault("instance"),
		"arn_suffix":  str(comp),
	}, blocks{
		"health_check": listBlock(attrs{"path": str(optComp), "port": str(optComp), "protocol": str(optComp)}, nil),
	}, true, true),
	"aws_lb_target_group_attachment": res(attrs{
		"target_group_arn": str(req),
		"target_id":        str(req),
		"port":             i64(opt),
	}, nil, false, false),
	"aws_instance": res(attrs{
		"ami":                         str(optComp),
		"instance_type":               str(optComp),
		"subnet_id":                   str(optComp),
		"vpc_security_group_ids":      strSet(optComp),
		"security_groups":             strSet(optComp),
		"associate_public_ip_address": boolean(optComp),
		"key_name":                    str(optComp),
		"user_data":                   str(opt),
		"iam_instance_profile":        str(optComp),
		"public_ip":                   str(comp),
		"public_dns":                  str(comp),
		"private_ip":                  str(optComp),
	}, blocks{
		"network_interface": setBlock(attrs{"network_interface_id": str(req), "device_index": i64(req)}, nil),
	}, true, true),
	"aws_network_interface": res(attrs{
		"subnet_id":       str(req),
		"security_groups": strSet(optComp),
		"private_ips":     strSet(optComp),
		"private_ip":      str(optComp),
	}, blocks{
		"attachment": setBlock(attrs{
			"instance":           str(req),
			"device_index":       i64(req),
			"network_card_index": i64(optComp),
			"attachment_id":      str(comp),
		}, nil),
	}, true, true),
	"aws_network_interface_sg_attachment": res(attrs{
		"security_group_id":    str(req),
		"network_interface_id": str(req),
	}, nil, false, false),
	"aws_launch_template": res(attrs{
		"name":                   str(optComp),
		"name_prefix":            str(optComp),
		"image_id":               str(opt),
		"instance_type":          str(opt),
		"key_name":               str(opt),
		"user_data":              str(opt),
		"vpc_security_group_ids": strSet(opt),
		"update_default_version": boolean(opt),
		"default_version":        i64(optComp),
		"latest_version":         i64(comp),
	}, blocks{
		"network_interfaces": listBlock(attrs{
			"associate_public_ip_address": str(opt),
			"security_groups":             strSet(opt),
			"subnet_id":                   str(opt),
			"device_index":                i64(opt),
			"delete_on_termination":       str(opt),
		}, nil),
		"tag_specifications":   listBlock(attrs{"resource_type": str(opt), "tags": strMap(opt)}, nil),
		"iam_instance_profile": listBlock(attrs{"name": str(opt), "arn": str(opt)}, nil),
	}, true, true),
	"aws_autoscaling_group": res(attrs{
		"name":                      str(optComp),
		"name_prefix":               str(optComp),
		"min_size":                  i64(req),
		"max_size":                  i64(req),
		"desired_capacity":          i64(optComp),
		"vpc_zone_identifier":       strSet(optComp),
		"target_group_arns":         strSet(optComp),
		"load_balancers":            strSet(optComp),
		"health_check_type":         str(optComp),
		"health_check_grace_period": i64(opt),
		"max_instance_lifetime":     i64(opt),
	}, blocks{
		"launch_template": listBlock(attrs{"id": str(optComp), "name": str(optComp), "version": str(opt)}, nil),
		"mixed_instances_policy": listBlock(nil, blocks{
			"launch_template": listBlock(nil, blocks{
				"launch_template_specification": listBlock(attrs{
					"launch_template_id":   str(optComp),
					"launch_template_name": str(optComp),
					"version":              str(opt),
				}, nil),
			}),
		}),
		"tag": setBlock(attrs{"key": str(req), "value": str(req), "propagate_at_launch": boolean(req)}, nil),
		"instance_refresh": listBlock(attrs{"strategy": str(req), "triggers": strSet(opt)}, blocks{
			"preferences": listBlock(attrs{"min_healthy_percentage": i64(optComp), "instance_warmup": str(opt)}, nil),
		}),
	}, true, false),
	"aws_autoscaling_attachment": res(attrs{
		"autoscaling_group_name": str(req),
		"lb_target_group_arn":    str(opt),
	}, nil, false, false),
	"aws_eip": res(attrs{
		"domain":            str(optComp),
		"instance":          str(optComp),
		"network_interface": str(optComp),
		"allocation_id":     str(comp),
		"association_id":    str(comp),
		"public_ip":         str(comp),
	}, nil, true, true),
	"aws_eip_association": res(attrs{
		"allocation_id":        str(optComp),
		"instance_id":          str(optComp),
		"network_interface_id": str(optComp),
		"public_ip":            str(optComp),
	}, nil, false, false),
	"aws_network_acl": res(attrs{
		"vpc_id":     str(req),
		"subnet_ids": strSet(optComp),
		"owner_id":   str(comp),
	}, blocks{
		"ingress": naclRuleBlock(),
		"egress":  naclRuleBlock(),
	}, true, true),
	"aws_default_network_acl": res(attrs{
		"default_network_acl_id": str(req),
		"subnet_ids":             strSet(opt),
		"vpc_id":                 str(comp),
		"owner_id":               str(comp),
	}, blocks{
		"ingress": naclRuleBlock(),
		"egress":  naclRuleBlock(),
	}, true, true),
	"aws_network_acl_rule": res(attrs{
		"network_acl_id":  str(req),
		"rule_number":     i64(req),
		"egress":          boolDefault(false),
		"protocol":        str(req),
		"rule_action":     str(req),
		"cidr_block":      str(opt),
		"ipv6_cidr_block": str(opt),
		"from_port":       i64(opt),
		"to_port":         i64(opt),
		"icmp_code":       i64(opt),
		"icmp_type":       i64(opt),
	}, nil, false, false),
	"aws_db_subnet_group": res(attrs{
		"name":       str(optComp),
		"subnet_ids": strSet(req),
	}, nil, true, true),
	"aws_db_instance": res(attrs{
		"identifier":             str(optComp),
		"engine":                 str(optComp),
		"instance_class":         str(req),
		"allocated_storage":      i64(optComp),
		"db_subnet_group_name":   str(optComp),
		"vpc_security_group_ids": strSet(optComp),
		"publicly_accessible":    boolDefault(false),
		"username":               str(optComp),
		"password":               schema.StringAttribute{Optional: true, Sensitive: true},
		"skip_final_snapshot":    boolDefault(false),
		"address":                str(comp),
		"endpoint":               str(comp),
	}, nil, true, true),
	"aws_wafv2_ip_set": res(attrs{
		"name":               str(req),
		"scope":              str(req),
		"ip_address_version": str(req),
		"addresses":          strSet(opt),
	}, nil, true, true),
}

func resourceTypeNames() []string {
	names := make([]string, 0, len(schemas))
	for n := range schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

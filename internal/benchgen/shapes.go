package benchgen

import (
	"bufio"
	"strconv"
)

// Plan shapes (Options.Shape).
const (
	// ShapeModules is services instantiated from one module with for_each:
	// the configuration does not grow with the plan.
	ShapeModules = "modules"
	// ShapeFlat is a root module with, per security group, inline rules,
	// two aws_security_group_rule, one aws_vpc_security_group_ingress_rule
	// and one instance, each a resource block of its own with references.
	ShapeFlat = "flat"
	// ShapeRules is groups with many standalone aws_security_group_rule
	// resources each (one counted block per group) and one instance.
	ShapeRules = "rules"
	// ShapeInstances is a few groups and many instance blocks, each
	// referencing its group and subnet.
	ShapeInstances = "instances"
)

// Shapes lists every shape, in the order the benchmarks run them.
var Shapes = []string{ShapeModules, ShapeFlat, ShapeRules, ShapeInstances}

// rulesPerGroup is how many standalone rules a group has in ShapeRules.
const rulesPerGroup = 50

// instanceGroups is how many groups ShapeInstances spreads instances over.
const instanceGroups = 10

// flat writes the plan of a root-module shape: resource changes (and
// their planned values) and the root module's configuration, both
// growing with the plan.
type flat struct {
	g       gen
	changes []change
	config  []any
}

func (f *flat) add(c change, cfg map[string]any) {
	f.changes = append(f.changes, c)
	f.config = append(f.config, cfg)
}

func cfgResource(typ, name string, exprs map[string]any, extra ...any) map[string]any {
	m := map[string]any{"address": typ + "." + name, "mode": "managed", "type": typ, "name": name, "provider_config_key": "aws", "expressions": exprs, "schema_version": 0}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

func sgRef(name string) map[string]any {
	return ref("aws_security_group."+name+".id", "aws_security_group."+name)
}

// base adds the VPC, subnets and bastion every root-module shape has.
func (f *flat) base() {
	f.add(res("", "aws_vpc", "main", nil, map[string]any{"cidr_block": "10.0.0.0/16", "tags": nil}, with(computed, "default_security_group_id", true)),
		cfgResource("aws_vpc", "main", map[string]any{"cidr_block": constant("10.0.0.0/16")}))
	for i := 0; i < 2; i++ {
		c := res("", "aws_subnet", "private", i, map[string]any{"cidr_block": "10.0." + strconv.Itoa(i) + ".0/24", "map_public_ip_on_launch": false}, with(computed, "vpc_id", true))
		if i == 0 {
			f.add(c, cfgResource("aws_subnet", "private", map[string]any{"vpc_id": ref("aws_vpc.main.id", "aws_vpc.main"), "cidr_block": ref("count.index")}, "count_expression", constant(2)))
		} else {
			f.changes = append(f.changes, c)
		}
	}
	f.add(res("", "aws_security_group", "bastion", nil, map[string]any{"name": "bastion", "ingress": []any{ingress(22, 22, "tcp", "203.0.113.0/24")}, "egress": []any{}}, with(computed, "vpc_id", true)),
		cfgResource("aws_security_group", "bastion", map[string]any{"vpc_id": ref("aws_vpc.main.id", "aws_vpc.main")}))
	f.add(res("", "aws_instance", "bastion", nil, map[string]any{"ami": "ami-0123456789abcdef0", "associate_public_ip_address": true, "vpc_security_group_ids": []any{nil}, "tags": map[string]any{"Name": "bastion"}},
		with(computed, "vpc_security_group_ids", []any{true}, "subnet_id", true)),
		cfgResource("aws_instance", "bastion", map[string]any{"associate_public_ip_address": constant(true),
			"vpc_security_group_ids": sgRef("bastion"), "subnet_id": ref("aws_subnet.private[0].id", "aws_subnet.private[0]")}))
}

func (f *flat) group(name string, i int) {
	in := []any{ingress(8080, 8080, "tcp", "10.0.0.0/8")}
	if f.g.worldEvery > 0 && i%f.g.worldEvery == 0 {
		in = append(in, ingress(8080, 8080, "tcp", "0.0.0.0/0"))
	}
	f.add(res("", "aws_security_group", name, nil,
		map[string]any{"name": name, "description": "Managed by Terraform", "ingress": in,
			"egress": []any{ingress(0, 0, "-1", "0.0.0.0/0")}, "revoke_rules_on_delete": false, "tags": nil, "timeouts": nil},
		with(computed, "vpc_id", true, "owner_id", true, "name_prefix", true)),
		cfgResource("aws_security_group", name, map[string]any{"vpc_id": ref("aws_vpc.main.id", "aws_vpc.main")}))
}

func (f *flat) instance(name, group string) {
	f.add(res("", "aws_instance", name, nil,
		map[string]any{"ami": "ami-0123456789abcdef0", "instance_type": "t3.small", "vpc_security_group_ids": []any{nil}, "user_data": nil, "tags": map[string]any{"Name": name}},
		with(computed, "vpc_security_group_ids", []any{true}, "subnet_id", true, "associate_public_ip_address", true, "public_ip", true,
			"private_ip", true, "security_groups", true)),
		cfgResource("aws_instance", name, map[string]any{"vpc_security_group_ids": sgRef(group),
			"subnet_id": ref("aws_subnet.private[1].id", "aws_subnet.private[1]")}))
}

func sgRule(name string, index any, from int, after map[string]any) change {
	a := map[string]any{"type": "ingress", "from_port": from, "to_port": from, "protocol": "tcp", "cidr_blocks": nil, "self": false, "description": nil, "ipv6_cidr_blocks": nil, "prefix_list_ids": nil}
	for k, v := range after {
		a[k] = v
	}
	return res("", "aws_security_group_rule", name, index, a, with(computed, "security_group_id", true, "source_security_group_id", true, "security_group_rule_id", true))
}

// flatShape is ShapeFlat: 5 resources per group.
func (f *flat) flatShape(n int) {
	for i := 0; i < (n+4)/5; i++ {
		g := "g" + strconv.Itoa(i)
		f.group(g, i)
		ssh := map[string]any{}
		sshCfg := map[string]any{"type": constant("ingress"), "from_port": constant(22), "to_port": constant(22), "protocol": constant("tcp"),
			"security_group_id": sgRef(g), "source_security_group_id": sgRef("bastion")}
		if f.g.sshEvery > 0 && i%f.g.sshEvery == 0 {
			ssh["cidr_blocks"] = []string{"0.0.0.0/0"}
			sshCfg = map[string]any{"type": constant("ingress"), "from_port": constant(22), "to_port": constant(22), "protocol": constant("tcp"),
				"security_group_id": sgRef(g), "cidr_blocks": constant([]string{"0.0.0.0/0"})}
		}
		f.add(sgRule(g+"_ssh", nil, 22, ssh), cfgResource("aws_security_group_rule", g+"_ssh", sshCfg))
		f.add(sgRule(g+"_metrics", nil, 9100, map[string]any{"cidr_blocks": []string{"10.0.0.0/8"}}),
			cfgResource("aws_security_group_rule", g+"_metrics", map[string]any{"type": constant("ingress"), "from_port": constant(9100), "to_port": constant(9100),
				"protocol": constant("tcp"), "security_group_id": sgRef(g), "cidr_blocks": constant([]string{"10.0.0.0/8"})}))
		f.add(res("", "aws_vpc_security_group_ingress_rule", g+"_https", nil,
			map[string]any{"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/8", "cidr_ipv6": nil, "description": nil, "prefix_list_id": nil, "referenced_security_group_id": nil, "tags": nil},
			with(computed, "security_group_id", true, "security_group_rule_id", true)),
			cfgResource("aws_vpc_security_group_ingress_rule", g+"_https", map[string]any{"security_group_id": sgRef(g),
				"ip_protocol": constant("tcp"), "from_port": constant(443), "to_port": constant(443), "cidr_ipv4": constant("10.0.0.0/8")}))
		f.instance(g, g)
	}
}

// rulesShape is ShapeRules: per group, rulesPerGroup counted rules and an
// instance.
func (f *flat) rulesShape(n int) {
	per := rulesPerGroup + 2
	for i := 0; i < (n+per-1)/per; i++ {
		g := "g" + strconv.Itoa(i)
		f.group(g, i)
		for j := 0; j < rulesPerGroup; j++ {
			cidr := "10." + strconv.Itoa(j) + ".0.0/16"
			if j == 0 && f.g.sshEvery > 0 && i%f.g.sshEvery == 0 {
				cidr = "0.0.0.0/0"
			}
			c := sgRule(g+"_allow", j, 10000+j, map[string]any{"cidr_blocks": []string{cidr}})
			if j == 0 {
				f.add(c, cfgResource("aws_security_group_rule", g+"_allow", map[string]any{"type": constant("ingress"), "from_port": ref("count.index"),
					"to_port": ref("count.index"), "protocol": constant("tcp"), "security_group_id": sgRef(g), "cidr_blocks": ref("var.allow", "count.index")},
					"count_expression", constant(rulesPerGroup)))
			} else {
				f.changes = append(f.changes, c)
			}
		}
		f.instance(g, g)
	}
}

// instancesShape is ShapeInstances: instanceGroups groups, the rest
// instances spread over them.
func (f *flat) instancesShape(n int) {
	for i := 0; i < instanceGroups; i++ {
		f.group("g"+strconv.Itoa(i), i)
	}
	for j := 0; j < n-instanceGroups; j++ {
		f.instance("i"+strconv.Itoa(j), "g"+strconv.Itoa(j%instanceGroups))
	}
}

func (f *flat) write(w *bufio.Writer) error {
	enc := func(v any) error { return encode(w, v) }
	w.WriteString(`{"format_version":"1.2","terraform_version":"1.8.5","timestamp":"2000-01-01T00:00:00Z","applyable":true,"complete":true,"errored":false,`)
	w.WriteString(`"planned_values":{"root_module":{"resources":[`)
	for i, c := range f.changes {
		if i > 0 {
			w.WriteString(",")
		}
		if err := enc(planned(c)); err != nil {
			return err
		}
	}
	w.WriteString(`]}},"resource_changes":[`)
	for i, c := range f.changes {
		if i > 0 {
			w.WriteString(",")
		}
		if err := enc(c); err != nil {
			return err
		}
	}
	w.WriteString(`],"configuration":`)
	cfg := map[string]any{
		"provider_config": map[string]any{"aws": map[string]any{"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}},
		"root_module":     map[string]any{"resources": f.config, "variables": map[string]any{"allow": map[string]any{}}},
	}
	if err := enc(cfg); err != nil {
		return err
	}
	_, err := w.WriteString("}\n")
	return err
}

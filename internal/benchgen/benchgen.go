// Package benchgen writes a synthetic `terraform show -json` plan with
// about a given number of resource instances, shaped like a real create
// plan: services instantiated from one module with for_each, ids unknown
// until apply and connected only through configuration references, and
// planned_values duplicating every object as Terraform does. Every 5th
// service opens 8080 to the world and every 7th opens SSH to the world (by
// default), so there is work for the policies at every size. The checker's
// benchmarks and scripts/benchgen use it.
package benchgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// Options shape a generated plan.
type Options struct {
	Resources  int // approximate number of resource instances
	WorldEvery int // every Nth service opens 8080 to the world (0: none)
	SSHEvery   int // every Nth service opens SSH to the world (0: none)
	// Shape is one of Shapes; "" is ShapeModules.
	Shape string
}

// Defaults are the options of `make bench` for a plan of n resources.
func Defaults(n int) Options { return Options{Resources: n, WorldEvery: 5, SSHEvery: 7} }

// Write writes the plan to w.
func Write(w io.Writer, o Options) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	g := gen{worldEvery: o.WorldEvery, sshEvery: o.SSHEvery}
	var err error
	switch o.Shape {
	case "", ShapeModules:
		err = g.write(bw, (o.Resources+perService-1)/perService)
	case ShapeFlat, ShapeRules, ShapeInstances:
		f := &flat{g: g}
		f.base()
		n := max(o.Resources-len(f.changes), 1)
		switch o.Shape {
		case ShapeFlat:
			f.flatShape(n)
		case ShapeRules:
			f.rulesShape(n)
		default:
			f.instancesShape(max(n, instanceGroups+1))
		}
		err = f.write(bw)
	default:
		err = fmt.Errorf("unknown shape %q; shapes: %v", o.Shape, Shapes)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// WriteFile writes the plan to the file at path.
func WriteFile(path string, o Options) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, o); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// TB is the part of testing.TB that TempPlan uses.
type TB interface {
	Helper()
	TempDir() string
	Fatal(args ...any)
}

// TempPlan writes the default plan of n resources (Defaults) into the
// test's temporary directory and returns its path; it fails the test if it
// cannot.
func TempPlan(tb TB, n int) string { return TempPlanShape(tb, n, ShapeModules) }

// TempPlanShape is TempPlan for a plan of the given shape.
func TempPlanShape(tb TB, n int, shape string) string {
	tb.Helper()
	o := Defaults(n)
	o.Shape = shape
	path := filepath.Join(tb.TempDir(), "plan-"+shape+"-"+strconv.Itoa(n)+".json")
	if err := WriteFile(path, o); err != nil {
		tb.Fatal(err)
	}
	return path
}

type gen struct{ worldEvery, sshEvery int }

// perService is how many resource instances one module instance adds.
const perService = 10

type change struct {
	Address       string         `json:"address"`
	ModuleAddress string         `json:"module_address,omitempty"`
	Mode          string         `json:"mode"`
	Type          string         `json:"type"`
	Name          string         `json:"name"`
	Index         any            `json:"index,omitempty"`
	ProviderName  string         `json:"provider_name"`
	Change        map[string]any `json:"change"`
}

func ingress(from, to int, proto string, cidrs ...string) map[string]any {
	return map[string]any{
		"from_port": from, "to_port": to, "protocol": proto, "cidr_blocks": cidrs,
		"ipv6_cidr_blocks": nil, "prefix_list_ids": nil, "security_groups": nil, "self": nil, "description": nil,
	}
}

func create(after, unknown map[string]any) map[string]any {
	return map[string]any{
		"actions": []string{"create"}, "before": nil, "after": after, "after_unknown": unknown,
		"before_sensitive": false, "after_sensitive": map[string]any{},
	}
}

// schemaPadding lists attributes the AWS provider's schemas have that the
// fixtures do not set: optional ones appear as null in "after", computed
// ones as true in "after_unknown", as in a real create plan. Without them a
// generated plan would be several times smaller per resource than a real one.
var schemaPadding = map[string]struct{ optional, computed []string }{
	"aws_instance": {
		optional: []string{"capacity_reservation_specification", "cpu_options", "credit_specification", "disable_api_stop", "disable_api_termination",
			"ebs_block_device", "enclave_options", "ephemeral_block_device", "get_password_data", "hibernation", "host_resource_group_arn",
			"instance_initiated_shutdown_behavior", "instance_market_options", "ipv6_address_count", "launch_template", "maintenance_options",
			"metadata_options", "monitoring", "placement_group", "placement_partition_number", "private_dns_name_options", "root_block_device",
			"secondary_private_ips", "source_dest_check", "tenancy", "timeouts", "user_data_base64", "user_data_replace_on_change", "volume_tags"},
		computed: []string{"availability_zone", "cpu_core_count", "cpu_threads_per_core", "ebs_optimized", "host_id", "instance_lifecycle",
			"instance_state", "ipv6_addresses", "outpost_arn", "password_data", "primary_network_interface_id", "private_dns", "spot_instance_request_id"},
	},
	"aws_security_group": {
		computed: []string{"arn"},
	},
	"aws_lb": {
		optional: []string{"access_logs", "connection_logs", "customer_owned_ipv4_pool", "desync_mitigation_mode", "drop_invalid_header_fields",
			"enable_cross_zone_load_balancing", "enable_http2", "enable_tls_version_and_cipher_suite_headers", "enable_waf_fail_open",
			"enable_xff_client_port", "idle_timeout", "preserve_host_header", "subnet_mapping", "timeouts", "xff_header_processing_mode",
			"client_keep_alive", "dns_record_client_routing_policy", "enforce_security_group_inbound_rules_on_private_link_traffic"},
		computed: []string{"arn_suffix"},
	},
	"aws_lb_listener": {
		optional: []string{"alpn_policy", "mutual_authentication", "tcp_idle_timeout_seconds", "timeouts"},
		computed: []string{"ssl_policy"},
	},
	"aws_lb_target_group": {
		optional: []string{"connection_termination", "deregistration_delay", "lambda_multi_value_headers_enabled", "load_balancing_algorithm_type",
			"load_balancing_anomaly_mitigation", "load_balancing_cross_zone_enabled", "name_prefix", "preserve_client_ip", "protocol_version",
			"proxy_protocol_v2", "slow_start", "stickiness", "target_failover", "target_health_state", "ip_address_type"},
		computed: []string{"health_check", "load_balancer_arns"},
	},
	"aws_security_group_rule": {
		computed: []string{"security_group_rule_id"},
	},
	"aws_vpc_security_group_ingress_rule": {
		computed: []string{"arn", "security_group_rule_id", "tags_all"},
	},
}

func pad(typ string, after, unknown map[string]any) {
	p := schemaPadding[typ]
	for _, a := range p.optional {
		if _, ok := after[a]; !ok {
			after[a] = nil
		}
	}
	for _, a := range p.computed {
		unknown[a] = true
	}
}

func res(module, typ, name string, index any, after, unknown map[string]any) change {
	pad(typ, after, unknown)
	addr := typ + "." + name
	if index != nil {
		switch k := index.(type) {
		case int:
			addr += "[" + strconv.Itoa(k) + "]"
		case string:
			addr += "[" + strconv.Quote(k) + "]"
		}
	}
	if module != "" {
		addr = module + "." + addr
	}
	return change{Address: addr, ModuleAddress: module, Mode: "managed", Type: typ, Name: name, Index: index,
		ProviderName: "registry.terraform.io/hashicorp/aws", Change: create(after, unknown)}
}

var computed = map[string]any{"id": true, "arn": true, "tags_all": true}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// service returns the resource changes of module.svc["s<i>"].
func (g gen) service(i int) []change {
	mod := fmt.Sprintf("module.svc[%q]", "s"+strconv.Itoa(i))
	ssh := map[string]any{"type": "ingress", "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": nil, "self": false, "description": nil, "ipv6_cidr_blocks": nil, "prefix_list_ids": nil}
	sshUnknown := with(computed, "security_group_id", true, "source_security_group_id", true, "security_group_rule_id", true)
	if g.sshEvery > 0 && i%g.sshEvery == 0 {
		ssh["cidr_blocks"] = []string{"0.0.0.0/0"}
		sshUnknown = with(computed, "security_group_id", true, "source_security_group_id", true, "security_group_rule_id", true)
	}
	appIngress := []any{ingress(8080, 8080, "tcp", "10.0.0.0/8")}
	if g.worldEvery > 0 && i%g.worldEvery == 0 {
		appIngress = append(appIngress, ingress(8080, 8080, "tcp", "0.0.0.0/0"))
	}
	unk := func(extra ...any) map[string]any { return with(computed, extra...) }
	out := []change{
		res(mod, "aws_security_group", "app", nil,
			map[string]any{"name": fmt.Sprintf("svc-%d-app", i), "description": "Managed by Terraform", "ingress": appIngress,
				"egress": []any{ingress(0, 0, "-1", "0.0.0.0/0")}, "revoke_rules_on_delete": false, "tags": nil, "timeouts": nil},
			unk("vpc_id", true, "owner_id", true, "name_prefix", true, "ingress", []any{map[string]any{"cidr_blocks": []any{false}}}, "egress", []any{map[string]any{"cidr_blocks": []any{false}}})),
		res(mod, "aws_security_group", "lb", nil,
			map[string]any{"name": fmt.Sprintf("svc-%d-lb", i), "description": "Managed by Terraform", "ingress": []any{ingress(443, 443, "tcp", "0.0.0.0/0")},
				"egress": []any{}, "revoke_rules_on_delete": false, "tags": nil, "timeouts": nil},
			unk("vpc_id", true, "owner_id", true, "name_prefix", true)),
		res(mod, "aws_security_group_rule", "ssh", nil, ssh, sshUnknown),
		res(mod, "aws_vpc_security_group_ingress_rule", "metrics", nil,
			map[string]any{"ip_protocol": "tcp", "from_port": 9100, "to_port": 9100, "cidr_ipv4": "10.0.0.0/8", "cidr_ipv6": nil, "description": nil, "prefix_list_id": nil, "referenced_security_group_id": nil, "tags": nil},
			unk("security_group_id", true, "security_group_rule_id", true)),
		res(mod, "aws_lb", "web", nil,
			map[string]any{"name": fmt.Sprintf("svc-%d", i), "internal": false, "load_balancer_type": "application", "enable_deletion_protection": false, "security_groups": []any{nil}, "subnets": []any{nil, nil}, "tags": nil},
			unk("security_groups", []any{true}, "subnets", []any{true, true}, "dns_name", true, "zone_id", true, "vpc_id", true, "arn_suffix", true, "ip_address_type", true, "name_prefix", true)),
		res(mod, "aws_lb_listener", "https", nil,
			map[string]any{"port": 443, "protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/x",
				"default_action": []any{map[string]any{"type": "forward", "fixed_response": []any{}, "redirect": []any{}}}, "tags": nil},
			unk("load_balancer_arn", true, "default_action", []any{map[string]any{"target_group_arn": true, "order": true}})),
		res(mod, "aws_lb_target_group", "app", nil,
			map[string]any{"name": fmt.Sprintf("svc-%d", i), "port": 8080, "protocol": "HTTP", "target_type": "instance", "tags": nil},
			unk("vpc_id", true, "arn_suffix", true, "health_check", true)),
	}
	for k := 0; k < 3; k++ {
		out = append(out, res(mod, "aws_instance", "app", k,
			map[string]any{"ami": "ami-0123456789abcdef0", "instance_type": "t3.small", "vpc_security_group_ids": []any{nil}, "user_data": nil, "tags": map[string]any{"Name": fmt.Sprintf("svc-%d-%d", i, k)}},
			unk("vpc_security_group_ids", []any{true}, "subnet_id", true, "associate_public_ip_address", true, "public_ip", true, "public_dns", true,
				"private_ip", true, "key_name", true, "security_groups", true, "iam_instance_profile", true)))
	}
	return out
}

func ref(refs ...string) map[string]any { return map[string]any{"references": refs} }

func constant(v any) map[string]any { return map[string]any{"constant_value": v} }

// configuration is the module's configuration: it is the same for every
// instance, so it does not grow with the plan.
func configuration(services int) map[string]any {
	keys := map[string]any{}
	for i := 0; i < services; i++ {
		keys["s"+strconv.Itoa(i)] = i
	}
	r := func(typ, name string, exprs map[string]any, extra ...any) map[string]any {
		m := map[string]any{"address": typ + "." + name, "mode": "managed", "type": typ, "name": name, "provider_config_key": "aws", "expressions": exprs, "schema_version": 0}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		return m
	}
	module := map[string]any{
		"variables": map[string]any{"vpc_id": map[string]any{}, "subnet_ids": map[string]any{}, "bastion_sg_id": map[string]any{}, "name": map[string]any{}},
		"resources": []any{
			r("aws_security_group", "app", map[string]any{"vpc_id": ref("var.vpc_id"), "name": ref("var.name")}),
			r("aws_security_group", "lb", map[string]any{"vpc_id": ref("var.vpc_id"), "name": ref("var.name")}),
			r("aws_security_group_rule", "ssh", map[string]any{"type": constant("ingress"), "from_port": constant(22), "to_port": constant(22), "protocol": constant("tcp"),
				"security_group_id": ref("aws_security_group.app.id", "aws_security_group.app"), "source_security_group_id": ref("var.bastion_sg_id")}),
			r("aws_vpc_security_group_ingress_rule", "metrics", map[string]any{"security_group_id": ref("aws_security_group.app.id", "aws_security_group.app"),
				"ip_protocol": constant("tcp"), "from_port": constant(9100), "to_port": constant(9100), "cidr_ipv4": constant("10.0.0.0/8")}),
			r("aws_lb", "web", map[string]any{"internal": constant(false), "security_groups": ref("aws_security_group.lb.id", "aws_security_group.lb"), "subnets": ref("var.subnet_ids")}),
			r("aws_lb_listener", "https", map[string]any{"load_balancer_arn": ref("aws_lb.web.arn", "aws_lb.web"), "port": constant(443), "protocol": constant("HTTPS"),
				"default_action": []any{map[string]any{"type": constant("forward"), "target_group_arn": ref("aws_lb_target_group.app.arn", "aws_lb_target_group.app")}}}),
			r("aws_lb_target_group", "app", map[string]any{"vpc_id": ref("var.vpc_id"), "port": constant(8080), "protocol": constant("HTTP")}),
			r("aws_instance", "app", map[string]any{"vpc_security_group_ids": ref("aws_security_group.app.id", "aws_security_group.app"),
				"subnet_id": ref("var.subnet_ids", "count.index")}, "count_expression", constant(3)),
		},
	}
	return map[string]any{
		"provider_config": map[string]any{"aws": map[string]any{"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}},
		"root_module": map[string]any{
			"resources": []any{
				r("aws_vpc", "main", map[string]any{"cidr_block": constant("10.0.0.0/16")}),
				r("aws_subnet", "private", map[string]any{"vpc_id": ref("aws_vpc.main.id", "aws_vpc.main"), "cidr_block": ref("count.index")}, "count_expression", constant(2)),
				r("aws_security_group", "bastion", map[string]any{"vpc_id": ref("aws_vpc.main.id", "aws_vpc.main")}),
				r("aws_instance", "bastion", map[string]any{"associate_public_ip_address": constant(true),
					"vpc_security_group_ids": ref("aws_security_group.bastion.id", "aws_security_group.bastion"), "subnet_id": ref("aws_subnet.private[0].id", "aws_subnet.private[0]")}),
			},
			"module_calls": map[string]any{"svc": map[string]any{
				"source": "./modules/service", "for_each_expression": constant(keys),
				"expressions": map[string]any{
					"vpc_id":        ref("aws_vpc.main.id", "aws_vpc.main"),
					"subnet_ids":    ref("aws_subnet.private"),
					"bastion_sg_id": ref("aws_security_group.bastion.id", "aws_security_group.bastion"),
					"name":          ref("each.key"),
				},
				"module": module,
			}},
		},
	}
}

func (g gen) write(w *bufio.Writer, services int) error {
	root := []change{
		res("", "aws_vpc", "main", nil, map[string]any{"cidr_block": "10.0.0.0/16", "tags": nil}, with(computed, "default_security_group_id", true)),
		res("", "aws_subnet", "private", 0, map[string]any{"cidr_block": "10.0.0.0/24", "map_public_ip_on_launch": false}, with(computed, "vpc_id", true)),
		res("", "aws_subnet", "private", 1, map[string]any{"cidr_block": "10.0.1.0/24", "map_public_ip_on_launch": false}, with(computed, "vpc_id", true)),
		res("", "aws_security_group", "bastion", nil, map[string]any{"name": "bastion", "ingress": []any{ingress(22, 22, "tcp", "203.0.113.0/24")}, "egress": []any{}}, with(computed, "vpc_id", true)),
		res("", "aws_instance", "bastion", nil, map[string]any{"ami": "ami-0123456789abcdef0", "associate_public_ip_address": true, "vpc_security_group_ids": []any{nil}, "tags": map[string]any{"Name": "bastion"}},
			with(computed, "vpc_security_group_ids", []any{true}, "subnet_id", true)),
	}
	// Stream the document: resource_changes and planned_values are written
	// service by service so generating 50k resources needs little memory.
	enc := func(v any) error { return encode(w, v) }
	w.WriteString(`{"format_version":"1.2","terraform_version":"1.8.5","timestamp":"2000-01-01T00:00:00Z","applyable":true,"complete":true,"errored":false,`)
	w.WriteString(`"planned_values":{"root_module":{"resources":[`)
	for i, c := range root {
		if i > 0 {
			w.WriteString(",")
		}
		enc(planned(c))
	}
	w.WriteString(`],"child_modules":[`)
	for i := 0; i < services; i++ {
		if i > 0 {
			w.WriteString(",")
		}
		cs := g.service(i)
		var rs []any
		for _, c := range cs {
			rs = append(rs, planned(c))
		}
		enc(map[string]any{"address": cs[0].ModuleAddress, "resources": rs})
	}
	w.WriteString(`]}},"resource_changes":[`)
	for i, c := range root {
		if i > 0 {
			w.WriteString(",")
		}
		enc(c)
	}
	for i := 0; i < services; i++ {
		for _, c := range g.service(i) {
			w.WriteString(",")
			if err := enc(c); err != nil {
				return err
			}
		}
	}
	w.WriteString(`],"configuration":`)
	if err := enc(configuration(services)); err != nil {
		return err
	}
	_, err := w.WriteString("}\n")
	return err
}

func encode(w *bufio.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func planned(c change) map[string]any {
	return map[string]any{"address": c.Address, "mode": c.Mode, "type": c.Type, "name": c.Name, "index": c.Index,
		"provider_name": c.ProviderName, "schema_version": 0, "values": c.Change["after"], "sensitive_values": map[string]any{}}
}

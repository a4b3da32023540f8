package planmodel

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// res is one resource instance of a hand-written plan: its after values,
// after_unknown mask and configuration expressions.
type res struct {
	addr, typ, name string
	after, unknown  map[string]any
	exprs           map[string]any
}

func ref(refs ...string) map[string]any { return map[string]any{"references": refs} }

// handPlan builds a minimal format-1.2 plan around root-module resources.
func handPlan(t *testing.T, rs ...res) *Model {
	t.Helper()
	var changes, cfg []any
	for _, r := range rs {
		changes = append(changes, map[string]any{
			"address": r.addr, "mode": "managed", "type": r.typ, "name": r.name,
			"change": map[string]any{"actions": []string{"create"}, "after": r.after, "after_unknown": r.unknown},
		})
		if r.exprs == nil {
			r.exprs = map[string]any{}
		}
		cfg = append(cfg, map[string]any{"mode": "managed", "type": r.typ, "name": r.name, "expressions": r.exprs})
	}
	raw, _ := json.Marshal(map[string]any{
		"format_version": "1.2", "resource_changes": changes,
		"configuration": map[string]any{"root_module": map[string]any{"resources": cfg}},
	})
	p, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBuildHandWrittenPlans(t *testing.T) {
	unknownID := map[string]any{"id": true, "arn": true}
	tests := []struct {
		name  string
		plan  []res
		check func(t *testing.T, m *Model)
	}{
		{"an internet-facing network load balancer without groups exposes its listeners to the world", []res{
			{"aws_lb.nlb", "aws_lb", "nlb", map[string]any{"load_balancer_type": "network", "internal": false}, unknownID, nil},
			{"aws_lb_listener.ssh", "aws_lb_listener", "ssh", map[string]any{"port": 22, "protocol": "TCP"}, map[string]any{"load_balancer_arn": true},
				map[string]any{"load_balancer_arn": ref("aws_lb.nlb.arn", "aws_lb.nlb")}},
		}, func(t *testing.T, m *Model) {
			lb := m.Targets["aws_lb.nlb"]
			if len(lb.PublicExposure) != 1 || !lb.PublicExposure[0].World || lb.PublicExposure[0].FromPort != 22 {
				t.Errorf("exposure: %+v", lb.PublicExposure)
			}
		}},
		{"a managed prefix list in the plan is expanded into the rule's CIDRs", []res{
			{"aws_ec2_managed_prefix_list.office", "aws_ec2_managed_prefix_list", "office",
				map[string]any{"entry": []any{map[string]any{"cidr": "0.0.0.0/1"}, map[string]any{"cidr": "128.0.0.0/1"}}}, unknownID, nil},
			{"aws_security_group.web", "aws_security_group", "web", map[string]any{"ingress": []any{}}, unknownID, nil},
			{"aws_vpc_security_group_ingress_rule.r", "aws_vpc_security_group_ingress_rule", "r",
				map[string]any{"ip_protocol": "tcp", "from_port": 80, "to_port": 80},
				map[string]any{"security_group_id": true, "prefix_list_id": true},
				map[string]any{"security_group_id": ref("aws_security_group.web.id"), "prefix_list_id": ref("aws_ec2_managed_prefix_list.office.id")}},
		}, func(t *testing.T, m *Model) {
			r := m.SecurityGroups["aws_security_group.web"].Ingress[0]
			if !r.World || !slices.Equal(r.CIDRv4, []string{"0.0.0.0/0"}) || len(r.PrefixLists) != 0 || len(r.Unknown) != 0 {
				t.Errorf("rule: %+v", r)
			}
		}},
		{"an unset listener protocol takes the provider default for the load balancer type", []res{
			{"aws_lb.web", "aws_lb", "web", map[string]any{"load_balancer_type": "application"}, map[string]any{"internal": true, "id": true, "arn": true}, nil},
			{"aws_lb_listener.l", "aws_lb_listener", "l", map[string]any{"port": 80}, map[string]any{"protocol": true, "load_balancer_arn": true},
				map[string]any{"load_balancer_arn": ref("aws_lb.web.arn")}},
		}, func(t *testing.T, m *Model) {
			lb := m.Targets["aws_lb.web"]
			if !lb.InternetFacing || len(lb.Listeners) != 1 || lb.Listeners[0].Protocol != "HTTP" || len(lb.Listeners[0].Unknown) != 0 {
				t.Errorf("lb: %+v", lb)
			}
		}},
		{"an instance named like a bastion is the bastion and its group a bastion group", []res{
			{"aws_security_group.jump", "aws_security_group", "jump", map[string]any{}, unknownID, nil},
			{"aws_instance.bastion", "aws_instance", "bastion", map[string]any{"associate_public_ip_address": true, "vpc_security_group_ids": []any{nil}},
				map[string]any{"vpc_security_group_ids": []any{true}}, map[string]any{"vpc_security_group_ids": ref("aws_security_group.jump.id")}},
		}, func(t *testing.T, m *Model) {
			if m.Targets["aws_instance.bastion"].Role != RoleBastion || !m.SecurityGroups["aws_security_group.jump"].Bastion {
				t.Errorf("target %+v", m.Targets["aws_instance.bastion"])
			}
		}},
		{"a rule whose ports stay unknown says so and adds no exposure", []res{
			{"aws_security_group.web", "aws_security_group", "web", map[string]any{
				"ingress": []any{map[string]any{"protocol": "tcp", "to_port": 22, "cidr_blocks": []any{"0.0.0.0/0"}}},
			}, map[string]any{"ingress": []any{map[string]any{"from_port": true}}}, nil},
		}, func(t *testing.T, m *Model) {
			sg := m.SecurityGroups["aws_security_group.web"]
			if !slices.Equal(sg.Ingress[0].Unknown, []string{"ports"}) || len(m.Targets["aws_security_group.web"].PublicExposure)+len(m.Targets["aws_security_group.web"].InternalExposure) != 0 {
				t.Errorf("group: %+v", sg)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, handPlan(t, tt.plan...)) })
	}
}

// A known id that names an instance existing only on the other side of the
// plan (a group being deleted) used to crash Build; the group is outside
// the modelled side, so it is an external group keyed by its id.
func TestBuildIDOfDeletedGroup(t *testing.T) {
	raw := []byte(`{"format_version":"1.2","resource_changes":[
{"address":"aws_security_group.old","mode":"managed","type":"aws_security_group","name":"old","change":{"actions":["delete"],"before":{"id":"sg-1","name":"old"},"after":null}},
{"address":"aws_instance.web","mode":"managed","type":"aws_instance","name":"web","change":{"actions":["create"],"after":{"vpc_security_group_ids":["sg-1"]},"after_unknown":{"id":true}}},
{"address":"aws_security_group_rule.r","mode":"managed","type":"aws_security_group_rule","name":"r","change":{"actions":["create"],"after":{"type":"ingress","from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"],"security_group_id":"sg-1"},"after_unknown":{}}}]}`)
	for _, before := range []bool{false, true} {
		p, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Build(p, Options{Before: before})
		if err != nil {
			t.Fatal(err)
		}
		if before {
			if _, ok := m.SecurityGroups["aws_security_group.old"]; !ok {
				t.Errorf("before the plan the group is in the model: %v", m.SecurityGroups)
			}
			continue
		}
		g := m.SecurityGroups["sg-1"]
		if g == nil || !g.External || len(g.Ingress) != 1 || !g.Ingress[0].World {
			t.Fatalf("after the plan the deleted group should be external sg-1 with the world SSH rule; got %+v", g)
		}
		if web := m.Targets["aws_instance.web"]; web == nil || !slices.Equal(web.SecurityGroups, []string{"sg-1"}) {
			t.Errorf("aws_instance.web should be protected by sg-1; got %+v", web)
		}
	}
}

// TestBuildConcurrentMatchesSerial builds every fixture plan, both sides,
// with and without the concurrent path (forced on small plans), and
// requires byte-identical models.
func TestBuildConcurrentMatchesSerial(t *testing.T) {
	paths := fixturePlans(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	defer func(n int) { parallelMin = n }(parallelMin)
	build := func(data []byte, opts Options, min int) []byte {
		parallelMin = min
		p, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		return modelJSON(t, p, opts)
	}
	opts := Options{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, before := range []bool{false, true} {
			opts.Before = before
			if serial, conc := build(data, opts, math.MaxInt), build(data, opts, 0); !bytes.Equal(serial, conc) {
				t.Errorf("%s (before %v): the concurrent build differs from the serial one", filepath.Base(path), before)
			}
		}
	}
}

// TestBastionNameLiteral checks the hand-matched literal patterns against
// the regexp they stand for.
func TestBastionNameLiteral(t *testing.T) {
	names := []string{"", "bastion", "BASTION-1", "my-Bastion", "xBaStIoNx", "bastio", "baſtion", "bastİon",
		"k8s-jump", "\u212a8s-jump", "K8S", "b", "B", "jump"}
	for _, pat := range []string{DefaultBastionPattern, "(?i)BASTION", "bastion", "(?i)bas.ion", "(?i)k8s", "(?i)", "(?i)b", "(?i)jump|bastion", "(?i)^jump"} {
		re := regexp.MustCompile(pat)
		b := &builder{nameRE: re, nameLit: foldLiteral(pat), nameMatch: map[string]bool{}}
		for _, n := range names {
			if got, want := b.bastionName(n), re.MatchString(n); got != want {
				t.Errorf("pattern %q (literal %q), name %q: got %v, want %v", pat, b.nameLit, n, got, want)
			}
		}
	}
	if foldLiteral(DefaultBastionPattern) != "bastion" {
		t.Errorf("the default pattern should be matched by hand; literal %q", foldLiteral(DefaultBastionPattern))
	}
}

// TestLastStringMatchesStrMap checks the map-free tag lookup against
// strMap, duplicates included.
func TestLastStringMatchesStrMap(t *testing.T) {
	members := fields{{"Name", "a"}, {"Role", "bastion"}, {"Name", 3.0}, {"Env", "x"}, {"Env", "y"}, {"Role", nil}, {"Role", "jump"}}
	o := obj{vals: fields{{"tags", members}}}
	m := o.strMap("tags")
	for _, k := range []string{"Name", "Role", "Env", "Missing"} {
		v, ok := lastString(members, k)
		if w, wok := m[k]; v != w || ok != wok {
			t.Errorf("%s: lastString gives %q %v, strMap %q %v", k, v, ok, w, wok)
		}
	}
}

// A configuration whose parts have the wrong types is bad input, as it was
// when encoding/json read it.
func TestConfigurationTypesAreChecked(t *testing.T) {
	for _, cfg := range []string{
		`{"root_module": {"resources": {}}}`,
		`{"root_module": {"resources": [{"type": 1}]}}`,
		`{"root_module": {"resources": [{"expressions": []}]}}`,
		`{"root_module": {"module_calls": {"m": {"module": []}}}}`,
		`{"root_module": {"outputs": {"o": {"expression": {"references": "x"}}}}}`,
		`[]`,
	} {
		plan := `{"format_version": "1.2", "resource_changes": [], "configuration": ` + cfg + `}`
		if _, err := Parse([]byte(plan)); err == nil || !strings.Contains(err.Error(), "configuration") {
			t.Errorf("%s: error %v", cfg, err)
		}
	}
	ok := `{"format_version": "1.2", "resource_changes": [], "configuration": {"root_module": {"resources": [{"mode": "managed", "type": "aws_vpc", "name": "a", "expressions": {"cidr_block": {"constant_value": "10.0.0.0/16"}}}], "outputs": {"o": {"expression": {"references": ["aws_vpc.a.id", "aws_vpc.a"]}}}}}}`
	p, err := Parse([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	if r := p.root.resources["aws_vpc.a"]; r == nil || r.exprs.value("cidr_block") == nil || len(p.root.outputs["o"].refs) != 2 {
		t.Errorf("configuration read as %+v", p.root)
	}
}

// TestIndexDuplicateAddress: a change whose address came before is
// dropped, the first kept, whether the plan is indexed on one core or two.
func TestIndexDuplicateAddress(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	defer func(n int) { parallelMin = n }(parallelMin)
	change := func(name, id string) string {
		return `{"address":"aws_security_group.` + name + `","mode":"managed","type":"aws_security_group","name":"` + name +
			`","change":{"actions":["create"],"after":{"id":"` + id + `","name":"` + id + `"},"after_unknown":{}}}`
	}
	data := []byte(`{"format_version":"1.2","resource_changes":[` + change("a", "sg-1") + `,` + change("b", "sg-2") + `,` +
		change("a", "sg-3") + `],"configuration":{"root_module":{}}}`)
	for _, min := range []int{0, math.MaxInt} {
		parallelMin = min
		p, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, in := range p.Instances {
			s, _ := in.After.str("id")
			got = append(got, in.Address+"="+s)
		}
		want := []string{"aws_security_group.a=sg-1", "aws_security_group.b=sg-2"}
		if !slices.Equal(got, want) || p.byID["sg-3"] != nil || p.byID["sg-1"] != p.byAddr["aws_security_group.a"] {
			t.Errorf("parallelMin %d: instances %v, sg-3 indexed %v", min, got, p.byID["sg-3"] != nil)
		}
	}
}

package planmodel

import (
	"slices"
	"testing"
)

func TestInterfacesAndDefaultGroupsFromFixtures(t *testing.T) {
	t.Run("an interface's own attachment and an sg attachment put their groups on the instance", func(t *testing.T) {
		m := loadFixture(t, "nic_attachment_eip", Options{})
		w := m.Targets["aws_instance.worker"]
		if !slices.Contains(w.SecurityGroups, "aws_security_group.worker_public") || !slices.Contains(w.SecurityGroups, appSG) {
			t.Errorf("groups %q", w.SecurityGroups)
		}
		if !w.PublicIP || !slices.Contains(w.PublicIPVia, "aws_eip.worker") {
			t.Errorf("public IP %v via %q", w.PublicIP, w.PublicIPVia)
		}
		if _, ok := m.Targets["aws_network_interface.worker"]; ok {
			t.Error("an attached interface is not a target of its own")
		}
	})
	t.Run("an instance naming no group lands in the managed default group of its VPC", func(t *testing.T) {
		m := loadFixture(t, "default_sg_open", Options{})
		if got := m.Targets["aws_instance.forgotten"].SecurityGroups; !slices.Equal(got, []string{"aws_default_security_group.this"}) {
			t.Errorf("groups %q", got)
		}
	})
	t.Run("without a managed default group it gets AWS's default rules", func(t *testing.T) {
		m := loadFixture(t, "default_sg_aws_rules", Options{})
		key := "default:module.base.aws_vpc.this"
		if got := m.Targets["aws_instance.forgotten"].SecurityGroups; !slices.Equal(got, []string{key}) {
			t.Fatalf("groups %q", got)
		}
		sg := m.SecurityGroups[key]
		if len(sg.Ingress) != 1 || !sg.Ingress[0].Self || sg.Ingress[0].Protocol != "all" || sg.Ingress[0].DeclaredIn != DefaultRulesOrigin {
			t.Errorf("ingress %+v", sg.Ingress)
		}
		if len(sg.Egress) != 1 || !sg.Egress[0].World {
			t.Errorf("egress %+v", sg.Egress)
		}
		if !slices.Equal(sg.Protects, []string{"aws_instance.forgotten"}) {
			t.Errorf("protects %q", sg.Protects)
		}
	})
}

func TestFleetsFromFixtures(t *testing.T) {
	t.Run("the module's app fleet is behind the internet-facing ALB and measured by its SLO", func(t *testing.T) {
		m := loadFixture(t, "compliant", Options{})
		f := m.Fleets["module.base.aws_autoscaling_group.app"]
		if f == nil || !f.InternetFacing || !slices.Equal(f.LoadBalancers, []string{"module.base.aws_lb.web"}) ||
			!slices.Equal(f.TargetGroups, []string{"module.base.aws_lb_target_group.app"}) {
			t.Fatalf("fleet %+v", f)
		}
		s := m.SRE.SLOs["module.base.sre_slo.web"]
		if s == nil || !slices.Equal(s.References, []string{"module.base.aws_lb.web"}) || len(s.Unknown) > 0 {
			t.Errorf("slo %+v", s)
		}
		if p := m.SRE.AlertPolicies["module.base.sre_alert_policy.web"]; p == nil || !slices.Equal(p.SLOs, []string{"module.base.sre_slo.web"}) {
			t.Errorf("alert policy %+v", p)
		}
		if b := m.Fleets["module.base.aws_autoscaling_group.bastion"]; b == nil || b.InternetFacing || b.Role != RoleBastion {
			t.Errorf("bastion fleet %+v", b)
		}
	})
	t.Run("an autoscaling attachment puts the group behind its target group", func(t *testing.T) {
		m := loadFixture(t, "rel_no_slo", Options{})
		f := m.Fleets["aws_autoscaling_group.api"]
		if !slices.Equal(f.TargetGroups, []string{"aws_lb_target_group.api"}) || !slices.Equal(f.LoadBalancers, []string{"aws_lb.api"}) || !f.InternetFacing {
			t.Errorf("fleet %+v", f)
		}
	})
	t.Run("instances registered in a target group are fleets, and an SLO through a module output resolves", func(t *testing.T) {
		m := loadFixture(t, "rel_slo_no_alert", Options{})
		if f := m.Fleets["aws_instance.api[1]"]; f == nil || !f.InternetFacing {
			t.Errorf("fleet %+v", f)
		}
		want := []string{"aws_lb_target_group.api", "module.base.aws_lb.web"}
		if s := m.SRE.SLOs["sre_slo.api"]; !slices.Equal(s.References, want) {
			t.Errorf("references %q, want %q", s.References, want)
		}
	})
	t.Run("an image_id update is an image change; an sre_asg_rollout naming the group rolls it", func(t *testing.T) {
		m := loadFixture(t, "rel_image_change", Options{})
		if f := m.Fleets["aws_autoscaling_group.batch"]; !f.ImageChange || len(f.Rollouts) != 0 {
			t.Errorf("fleet %+v", f)
		}
		m = loadFixture(t, "rel_image_rollout", Options{})
		if f := m.Fleets["aws_autoscaling_group.batch"]; !f.ImageChange || !slices.Equal(f.Rollouts, []string{"sre_asg_rollout.batch"}) {
			t.Errorf("fleet %+v", f)
		}
		if m := loadFixture(t, "compliant", Options{}); m.Fleets["module.base.aws_autoscaling_group.app"].ImageChange {
			t.Error("a created template is not an image change")
		}
	})
	t.Run("instance_refresh is recorded with the version kind", func(t *testing.T) {
		m := loadFixture(t, "rel_instance_refresh_latest", Options{})
		if f := m.Fleets["aws_autoscaling_group.batch"]; !f.InstanceRefresh || f.VersionKind != "latest" {
			t.Errorf("fleet %+v", f)
		}
	})
}

func TestTemplateWithoutGroupsLandsInDefaultGroup(t *testing.T) {
	unknownID := map[string]any{"id": true, "arn": true}
	m := handPlan(t,
		res{"aws_vpc.v", "aws_vpc", "v", map[string]any{}, unknownID, nil},
		res{"aws_subnet.a", "aws_subnet", "a", map[string]any{"map_public_ip_on_launch": false}, map[string]any{"id": true, "vpc_id": true},
			map[string]any{"vpc_id": ref("aws_vpc.v.id", "aws_vpc.v")}},
		res{"aws_launch_template.lt", "aws_launch_template", "lt", map[string]any{"name": "lt"}, unknownID, nil},
		res{"aws_autoscaling_group.g", "aws_autoscaling_group", "g",
			map[string]any{"name": "g", "launch_template": []any{map[string]any{"version": "1"}}},
			map[string]any{"id": true, "vpc_zone_identifier": true, "launch_template": []any{map[string]any{"id": true}}},
			map[string]any{"vpc_zone_identifier": ref("aws_subnet.a.id", "aws_subnet.a"),
				"launch_template": []any{map[string]any{"id": ref("aws_launch_template.lt.id", "aws_launch_template.lt"), "version": map[string]any{"constant_value": "1"}}}}},
	)
	lt := m.Targets["aws_launch_template.lt"]
	if !slices.Equal(lt.SecurityGroups, []string{"default:aws_vpc.v"}) {
		t.Fatalf("groups %q, notes %q", lt.SecurityGroups, lt.Notes)
	}
	if sg := m.SecurityGroups["default:aws_vpc.v"]; sg == nil || !slices.Equal(sg.Protects, []string{"aws_launch_template.lt"}) {
		t.Errorf("default group %+v", sg)
	}
}

func TestRingRolloutRollsItsGroups(t *testing.T) {
	m := handPlan(t,
		res{"aws_autoscaling_group.web", "aws_autoscaling_group", "web", map[string]any{"name": "web"}, map[string]any{"id": true, "arn": true}, nil},
		res{"aws_autoscaling_group.api", "aws_autoscaling_group", "api", map[string]any{"name": "api"}, map[string]any{"id": true, "arn": true}, nil},
		res{"aws_autoscaling_group.other", "aws_autoscaling_group", "other", map[string]any{"name": "other"}, map[string]any{"id": true, "arn": true}, nil},
		res{"sre_ring_rollout.r", "sre_ring_rollout", "r",
			map[string]any{"rings": []any{
				map[string]any{"groups": []any{map[string]any{"autoscaling_group_name": "web"}}},
				map[string]any{"groups": []any{map[string]any{"autoscaling_group_name": "api"}, map[string]any{"autoscaling_group_name": "elsewhere"}}},
			}},
			map[string]any{"id": true},
			map[string]any{"rings": ref("aws_autoscaling_group.api.name", "aws_autoscaling_group.api")}},
	)
	if r := m.SRE.Rollouts["sre_ring_rollout.r"]; r == nil || !slices.Equal(r.AutoscalingGroups, []string{"aws_autoscaling_group.api", "aws_autoscaling_group.web", "elsewhere"}) {
		t.Fatalf("rollout %+v", r)
	}
	for addr, want := range map[string]int{"aws_autoscaling_group.web": 1, "aws_autoscaling_group.api": 1, "aws_autoscaling_group.other": 0} {
		if got := len(m.Fleets[addr].Rollouts); got != want {
			t.Errorf("%s rollouts %q", addr, m.Fleets[addr].Rollouts)
		}
	}
}

func TestUnattachedInterfaceIsATarget(t *testing.T) {
	unknownID := map[string]any{"id": true, "arn": true}
	m := handPlan(t,
		res{"aws_security_group.a", "aws_security_group", "a", map[string]any{"ingress": []any{}}, unknownID, nil},
		res{"aws_security_group.b", "aws_security_group", "b", map[string]any{"ingress": []any{}}, unknownID, nil},
		res{"aws_network_interface.n", "aws_network_interface", "n", map[string]any{"attachment": []any{}}, map[string]any{"id": true, "security_groups": true},
			map[string]any{"security_groups": ref("aws_security_group.a.id", "aws_security_group.a")}},
		res{"aws_network_interface_sg_attachment.b", "aws_network_interface_sg_attachment", "b", map[string]any{}, map[string]any{"id": true, "security_group_id": true, "network_interface_id": true},
			map[string]any{"security_group_id": ref("aws_security_group.b.id", "aws_security_group.b"), "network_interface_id": ref("aws_network_interface.n.id", "aws_network_interface.n")}},
		res{"aws_eip_association.n", "aws_eip_association", "n", map[string]any{}, map[string]any{"id": true, "network_interface_id": true, "instance_id": true},
			map[string]any{"network_interface_id": ref("aws_network_interface.n.id", "aws_network_interface.n")}},
	)
	n := m.Targets["aws_network_interface.n"]
	if n == nil || n.Kind != KindNetworkInterface {
		t.Fatalf("target %+v", n)
	}
	if !slices.Equal(n.SecurityGroups, []string{"aws_security_group.a", "aws_security_group.b"}) {
		t.Errorf("groups %q", n.SecurityGroups)
	}
	if !n.PublicIP || !slices.Equal(n.PublicIPVia, []string{"aws_eip_association.n"}) {
		t.Errorf("public IP %v via %q", n.PublicIP, n.PublicIPVia)
	}
	if sg := m.SecurityGroups["aws_security_group.b"]; !slices.Equal(sg.Protects, []string{"aws_network_interface.n"}) {
		t.Errorf("b protects %q", sg.Protects)
	}
}

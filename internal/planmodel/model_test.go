package planmodel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func loadFixture(t *testing.T, name string, opts Options) *Model {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "check", "testdata", "plans", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, _, err := Read(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const (
	appSG  = "module.base.aws_security_group.app"
	bastSG = "module.base.aws_security_group.bastion"
)

func declared(rules []Rule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.DeclaredIn)
	}
	return out
}

func TestCompliantModel(t *testing.T) {
	m := loadFixture(t, "compliant", Options{BastionTags: map[string]string{"Role": "bastion"}})
	t.Run("rules from inline blocks and both rule resources land on their groups", func(t *testing.T) {
		if got := declared(m.SecurityGroups[appSG].Ingress); !slices.Equal(got, []string{
			"module.base.aws_vpc_security_group_ingress_rule.app_from_alb",
			"module.base.aws_vpc_security_group_ingress_rule.app_ssh_from_bastion",
		}) {
			t.Errorf("app ingress: %q", got)
		}
		if got := m.SecurityGroups["module.base.aws_security_group.db"].Ingress; len(got) != 1 || got[0].SourceSecurityGroups[0] != appSG {
			t.Errorf("db ingress: %+v", got)
		}
		if got := m.SecurityGroups["module.base.aws_security_group.alb"].Ingress; len(got) != 2 || !got[0].World {
			t.Errorf("alb ingress: %+v", got)
		}
	})
	t.Run("the bastion tag on the autoscaling group marks its template and group", func(t *testing.T) {
		lt := m.Targets["module.base.aws_launch_template.bastion"]
		if lt.Role != RoleBastion || !lt.PublicIP || !m.SecurityGroups[bastSG].Bastion {
			t.Errorf("bastion template: %+v", lt)
		}
		if m.AutoscalingGroups["module.base.aws_autoscaling_group.bastion"].MaxInstanceLifetime != 86400 {
			t.Error("lifetime not read")
		}
	})
	t.Run("the app template in private subnets has no public IP and nothing unknown", func(t *testing.T) {
		lt := m.Targets["module.base.aws_launch_template.app"]
		if lt.PublicIP || len(lt.Unknown) > 0 || !slices.Equal(lt.SecurityGroups, []string{appSG}) {
			t.Errorf("app template: %+v", lt)
		}
		if !slices.Equal(lt.UsedBy, []string{"module.base.aws_autoscaling_group.app"}) {
			t.Errorf("used by %q", lt.UsedBy)
		}
	})
	t.Run("the load balancer is internet-facing with both listeners", func(t *testing.T) {
		lb := m.Targets["module.base.aws_lb.web"]
		if !lb.InternetFacing || len(lb.Listeners) != 2 {
			t.Fatalf("lb: %+v", lb)
		}
		http := lb.Listeners[0]
		if http.Port != 80 || !http.RedirectsToHTTPS || lb.Listeners[1].Protocol != "HTTPS" {
			t.Errorf("listeners: %+v", lb.Listeners)
		}
	})
	t.Run("a launch template version from latest_version is a reference", func(t *testing.T) {
		a := m.AutoscalingGroups["module.base.aws_autoscaling_group.app"]
		if a.VersionKind != "reference" || a.LaunchTemplate != "module.base.aws_launch_template.app" {
			t.Errorf("asg: %+v", a)
		}
	})
	t.Run("the NAT gateway's Elastic IP leaves nothing unresolved", func(t *testing.T) {
		if len(m.Unresolved) != 0 {
			t.Errorf("unresolved: %+v", m.Unresolved)
		}
	})
}

func TestResolution(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		check   func(t *testing.T, m *Model)
	}{
		{"a rule in a child module reaches the group passed in through variables and outputs", "evasion_child_module", func(t *testing.T, m *Model) {
			if !slices.Contains(declared(m.SecurityGroups[appSG].Ingress), "module.rdp.aws_security_group_rule.this") {
				t.Errorf("app ingress: %q", declared(m.SecurityGroups[appSG].Ingress))
			}
		}},
		{"every for_each instance of a rule attaches", "evasion_for_each_rules", func(t *testing.T, m *Model) {
			n := 0
			for _, r := range m.SecurityGroups[appSG].Ingress {
				if strings.HasPrefix(r.DeclaredIn, "aws_vpc_security_group_ingress_rule.app_public[") {
					n++
				}
			}
			if n != 3 {
				t.Errorf("%d for_each rules attached", n)
			}
		}},
		{"a new group's rule and instance meet although the id is unknown", "evasion_unknown_sg_id", func(t *testing.T, m *Model) {
			in := m.Targets["aws_instance.debug"]
			if !slices.Equal(in.SecurityGroups, []string{"aws_security_group.debug"}) || len(in.PublicExposure) != 1 || !in.PublicExposure[0].World {
				t.Errorf("instance: %+v", in)
			}
		}},
		{"the subnet of an instance comes from an indexed module output", "evasion_split_across_groups", func(t *testing.T, m *Model) {
			in := m.Targets["aws_instance.dashboard"]
			if in.PublicIP || slices.Contains(in.Unknown, "public_ip") {
				t.Errorf("instance in a private subnet: %+v", in)
			}
		}},
		{"a group reached through a local stays unresolved", "unknown_group_via_local", func(t *testing.T, m *Model) {
			if len(m.Unresolved) != 1 || m.Unresolved[0].Address != "aws_security_group_rule.metrics" || m.Unresolved[0].Rule == nil {
				t.Errorf("unresolved: %+v", m.Unresolved)
			}
		}},
		{"an interpolated CIDR stays unknown on the rule", "unknown_cidr", func(t *testing.T, m *Model) {
			for _, r := range m.SecurityGroups[appSG].Ingress {
				if r.DeclaredIn == "aws_security_group_rule.from_nat" && !slices.Contains(r.Unknown, "cidrs") {
					t.Errorf("rule: %+v", r)
				}
			}
		}},
		{"an Elastic IP on an instance makes it public", "eip_on_app", func(t *testing.T, m *Model) {
			if in := m.Targets["aws_instance.reporting"]; !in.PublicIP || in.PublicIPVia[0] != "aws_eip.reporting" {
				t.Errorf("instance: %+v", in)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, loadFixture(t, tt.fixture, Options{}))
		})
	}
}

func TestBeforeModelHasOnlyPriorState(t *testing.T) {
	after := loadFixture(t, "changed_only", Options{})
	before := loadFixture(t, "changed_only", Options{Before: true})
	if got := declared(after.SecurityGroups[appSG].Ingress); !slices.Contains(got, "aws_security_group_rule.new_ssh") {
		t.Errorf("after: %q", got)
	}
	got := declared(before.SecurityGroups[appSG].Ingress)
	if slices.Contains(got, "aws_security_group_rule.new_ssh") || !slices.Contains(got, "aws_security_group_rule.legacy_public") {
		t.Errorf("before: %q", got)
	}
}

func TestModelJSONIsStable(t *testing.T) {
	a, _ := json.Marshal(loadFixture(t, "compliant", Options{}))
	b, _ := json.Marshal(loadFixture(t, "compliant", Options{}))
	if string(a) != string(b) {
		t.Error("model JSON differs between two reads of the same plan")
	}
}

package check

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// Scenarios for network interfaces, default security groups and NACLs,
// and the REL rules. REL findings are warnings by default, so a plan with
// only those passes (exit 0).
func TestInterfaceDefaultGroupAndRELScenarios(t *testing.T) {
	tests := []struct {
		name string
		plan string
		want []string
		code int
	}{
		{"a group attached to an interface that attaches itself to an instance, and an EIP on it, reach the instance", "nic_attachment_eip",
			[]string{"NET001 violation aws_instance.worker", "NET003 violation aws_instance.worker"}, exitViolations},
		{"an instance naming no group gets the managed default group's world SSH", "default_sg_open",
			[]string{"NET001 violation aws_instance.forgotten", "NET002 violation aws_instance.forgotten"}, exitViolations},
		{"an unmanaged default group keeps AWS's allow-all-from-itself rule: SSH not only from the bastion", "default_sg_aws_rules",
			[]string{"NET002 violation aws_instance.forgotten"}, exitViolations},
		{"a managed default group without rules exposes nothing", "default_sg_locked", nil, exitClean},
		{"IP allow-listing in the default network ACL is caught", "default_nacl_allowlist",
			[]string{"NET004 violation aws_default_network_acl.this"}, exitViolations},
		{"an internet-facing fleet without an SLO warns", "rel_no_slo",
			[]string{"REL001 violation aws_autoscaling_group.api"}, exitClean},
		{"instances in a target group whose SLO has no alert policy warn", "rel_slo_no_alert",
			[]string{"REL001 violation aws_instance.api[0]", "REL001 violation aws_instance.api[1]"}, exitClean},
		{"a fleet whose load balancer is measured by an alerted SLO passes", "rel_slo_covered", nil, exitClean},
		{"an image change without sre_asg_rollout warns", "rel_image_change",
			[]string{"REL002 violation aws_autoscaling_group.batch"}, exitClean},
		{"an image change rolled by sre_asg_rollout passes", "rel_image_rollout", nil, exitClean},
		{"an instance refresh on $Latest warns (and $Latest fails NET006)", "rel_instance_refresh_latest",
			[]string{"NET006 violation aws_autoscaling_group.batch", "REL002 violation aws_autoscaling_group.batch"}, exitViolations},
		{"a standalone bastion instance that nothing recycles warns", "rel_bastion_instance",
			[]string{"REL003 violation aws_instance.jump"}, exitClean},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, got := findingKeys(t, plan(tt.plan))
			want := slices.Clone(tt.want)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings:\n got  %q\n want %q", got, want)
			}
			if code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
		})
	}
}

// rel_severity turns the REL warnings into errors.
func TestRELSeverityParameter(t *testing.T) {
	data := writeFile(t, "data.json", `{"rel_severity": "error"}`)
	code, out, _ := runCheck(t, "", "--format", "json", "--data", data, plan("rel_no_slo"))
	if code != exitViolations || !strings.Contains(out, `"REL001"`) {
		t.Errorf("exit %d, output %s", code, out)
	}
	data = writeFile(t, "data.json", `{"rel_severity": "fatal"}`)
	if code, _, errOut := runCheck(t, "", "--data", data, plan("rel_no_slo")); code != exitBadInput || !strings.Contains(errOut, "rel_severity") {
		t.Errorf("bad rel_severity: exit %d, %s", code, errOut)
	}
}

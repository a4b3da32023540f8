package planmodel

import (
	"slices"
	"sort"
)

// Index lists, by key, the few parts of the model the bundled rules start
// from, so that policies iterate short lists instead of walking every
// target, exposure and rule of a large plan. Everything in it can be
// derived from the rest of the model; it is a cache, not new information.
// Entries are sorted.
type Index struct {
	// PublicExposures holds [target address, exposure index] for every
	// exposure from public addresses.
	PublicExposures [][2]any `json:"public_exposures"`
	// UnknownTargets holds [attribute, target address] for every target
	// attribute that stays unknown until apply.
	UnknownTargets [][2]string `json:"unknown_targets"`
	// UnknownRules holds [group key, ingress rule index] for every ingress
	// rule with unknown parts.
	UnknownRules [][2]any `json:"unknown_rules"`
	// PrefixListRules holds [group key, ingress rule index, prefix list]
	// for every prefix list an ingress rule allows.
	PrefixListRules [][3]any `json:"prefix_list_rules"`
	// LoadBalancers holds the addresses of load balancer targets.
	LoadBalancers []string `json:"load_balancers"`
	// PublicIPTargets holds the addresses of targets that get a public IP.
	PublicIPTargets []string `json:"public_ip_targets"`
	// SSHPort is the port SSHRules was computed for (Options.SSHPort).
	SSHPort int `json:"ssh_port"`
	// SSHRules holds [group key, ingress rule index] for every ingress rule
	// that reaches SSHPort over TCP (port ranges and protocol all included).
	SSHRules [][2]any `json:"ssh_rules"`
}

// DefaultSSHPort is the port Index.SSHRules is computed for when
// Options.SSHPort is zero.
const DefaultSSHPort = 22

func (b *builder) buildIndex() {
	ix := &Index{
		PublicExposures: [][2]any{}, UnknownTargets: [][2]string{}, UnknownRules: [][2]any{},
		PrefixListRules: [][3]any{}, LoadBalancers: []string{}, PublicIPTargets: []string{},
		SSHPort: b.opts.SSHPort, SSHRules: [][2]any{},
	}
	if ix.SSHPort == 0 {
		ix.SSHPort = DefaultSSHPort
	}
	addrs := make([]string, 0, len(b.m.Targets))
	for a := range b.m.Targets {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		t := b.m.Targets[a]
		for i, e := range t.Exposure {
			if e.Public {
				ix.PublicExposures = append(ix.PublicExposures, [2]any{a, i})
			}
		}
		for _, u := range t.Unknown {
			ix.UnknownTargets = append(ix.UnknownTargets, [2]string{u, a})
		}
		if t.Kind == KindLoadBalancer {
			ix.LoadBalancers = append(ix.LoadBalancers, a)
		}
		if t.PublicIP {
			ix.PublicIPTargets = append(ix.PublicIPTargets, a)
		}
	}
	keys := make([]string, 0, len(b.m.SecurityGroups))
	for k := range b.m.SecurityGroups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for i, r := range b.m.SecurityGroups[k].Ingress {
			if len(r.Unknown) > 0 {
				ix.UnknownRules = append(ix.UnknownRules, [2]any{k, i})
			}
			for _, pl := range r.PrefixLists {
				ix.PrefixListRules = append(ix.PrefixListRules, [3]any{k, i, pl})
			}
			if (r.Protocol == "tcp" || r.Protocol == "all") && r.FromPort <= ix.SSHPort && r.ToPort >= ix.SSHPort {
				ix.SSHRules = append(ix.SSHRules, [2]any{k, i})
			}
		}
	}
	// Duplicates collapse, as they do in the Rego sets these lists stand for.
	ix.UnknownTargets = slices.Compact(ix.UnknownTargets)
	b.m.Index = ix
}

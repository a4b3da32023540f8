package planmodel

import "sort"

// Source kinds of an ExposureRow.
const (
	SourceCIDR          = "cidr"
	SourceSecurityGroup = "security_group"
	SourcePrefixList    = "prefix_list"
	SourceSelf          = "self"
)

// ExposureRow is one door: a target reachable on a protocol and port
// interval from one source, granted by one ingress rule of one of its
// security groups. There is a row per target, ingress rule and source
// (CIDR as written in the rule, source group, prefix list not in the plan,
// or the group itself), so `who reaches what, on which port` is a scan
// of Model.Exposures. Rows are facts: whether a door is allowed is for the
// policies to say.
type ExposureRow struct {
	Target string `json:"target"`
	// SecurityGroup is the key (in Model.SecurityGroups) of the group
	// whose rule grants the door.
	SecurityGroup string `json:"security_group"`
	// Protocol, FromPort and ToPort are the rule's, normalised as in Rule.
	Protocol string `json:"protocol"`
	FromPort int    `json:"from_port"`
	ToPort   int    `json:"to_port"`
	// SourceKind is cidr, security_group, prefix_list or self; Source is
	// the CIDR, the source group's key, the prefix list id, or the group's
	// own key.
	SourceKind string `json:"source_kind"`
	Source     string `json:"source"`
	// World is true for a CIDR source that is the whole IPv4 or IPv6
	// internet, Public for one that is not all internal address space
	// (see Exposure).
	World  bool `json:"world,omitempty"`
	Public bool `json:"public,omitempty"`
	// DeclaredIn is the address of the resource that declares the rule.
	DeclaredIn string `json:"declared_in"`
}

// exposureRows lists the rows of every ingress rule of every group, for
// every target the group protects, in the order of the sorted group keys,
// their sorted rules and protected targets.
func (b *builder) exposureRows() []ExposureRow {
	keys := make([]string, 0, len(b.sgs))
	n := 0
	for k, sg := range b.sgs {
		keys = append(keys, k)
		for i := range sg.Ingress {
			r := &sg.Ingress[i]
			n += len(sg.Protects) * (len(r.CIDRv4) + len(r.CIDRv6) + len(r.SourceSecurityGroups) + len(r.PrefixLists) + 1)
		}
	}
	sort.Strings(keys)
	rows := make([]ExposureRow, 0, n)
	type class struct{ world, public bool }
	classes := map[string]class{}
	classOf := func(c string) class {
		cl, ok := classes[c]
		if !ok {
			if p, ok := parseCIDR(c); ok {
				s := newAddrSet(p)
				cl = class{world: s.covers(allIPv4) || s.covers(allIPv6), public: !s.within(internalSpace)}
			}
			classes[c] = cl
		}
		return cl
	}
	for _, k := range keys {
		sg := b.sgs[k]
		for i := range sg.Ingress {
			r := &sg.Ingress[i]
			for _, t := range sg.Protects {
				row := ExposureRow{Target: t, SecurityGroup: k, Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort, DeclaredIn: r.DeclaredIn}
				add := func(kind, source string, cl class) {
					row.SourceKind, row.Source, row.World, row.Public = kind, source, cl.world, cl.public
					rows = append(rows, row)
				}
				for _, cs := range [][]string{r.CIDRv4, r.CIDRv6} {
					for _, c := range cs {
						add(SourceCIDR, c, classOf(c))
					}
				}
				for _, s := range r.SourceSecurityGroups {
					add(SourceSecurityGroup, s, class{})
				}
				for _, pl := range r.PrefixLists {
					add(SourcePrefixList, pl, class{})
				}
				if r.Self {
					add(SourceSelf, r.SecurityGroup, class{})
				}
			}
		}
	}
	return rows
}

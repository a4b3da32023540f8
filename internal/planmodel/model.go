// Package planmodel turns `terraform show -json` output into a normalized
// network model: security groups with every rule that applies to them,
// what each group protects, public IP exposure and IP filters, with unknown
// values resolved through the configuration where possible and marked
// unknown where not. The plan is parsed once and indexed by address, so
// building the model is linear in the size of the plan.
//
// Every attribute in the model is three-valued: a field holds the value when
// Terraform knows it, its name is listed in the object's "unknown" list when
// it stays unknown until apply, and it is empty or absent when not set.
package planmodel

// ModelVersion changes whenever the JSON shape of Model changes
// incompatibly, so user-written Rego can check it. Version 3 left out the
// empty source lists and false flags of rules, exposures and exposure
// rows: they are most of the model's members at scale, and Rego reads an
// absent flag as false anyway. Version 4 lists a target's effective
// exposure from public sources only (public_exposure): the doors from
// internal addresses are the exposures rows, and a third copy of every
// internal rule in the input kept the collector busy through evaluation.
const ModelVersion = 4

// Model is the network model policies are evaluated on.
type Model struct {
	ModelVersion      int                          `json:"model_version"`
	TerraformVersion  string                       `json:"terraform_version"`
	Targets           map[string]*Target           `json:"targets"`
	SecurityGroups    map[string]*SecurityGroup    `json:"security_groups"`
	AutoscalingGroups map[string]*AutoscalingGroup `json:"autoscaling_groups"`
	NetworkACLRules   []NetworkACLRule             `json:"network_acl_rules"`
	IPFilters         []IPFilter                   `json:"ip_filters"`
	Unresolved        []Unresolved                 `json:"unresolved"`
	// Exposures lists every door: a row per target, ingress rule and
	// source.
	Exposures []ExposureRow `json:"exposures"`
	// Fleets, TargetGroups and SRE are what the REL rules read (fleet.go).
	Fleets       map[string]*Fleet       `json:"fleets"`
	TargetGroups map[string]*TargetGroup `json:"target_groups"`
	SRE          *SREResources           `json:"sre"`
}

// Target kinds.
const (
	KindInstance       = "instance"
	KindLaunchTemplate = "launch_template"
	KindLoadBalancer   = "load_balancer"
	KindDatabase       = "db_instance"
	KindSecurityGroup  = "security_group" // a group that protects nothing in the plan
)

// Roles.
const (
	RoleBastion      = "bastion"
	RoleServer       = "server"
	RoleLoadBalancer = "load_balancer"
	RoleDatabase     = "database"
	RoleUnattached   = "unattached"
)

// Target is something a security group protects: what can be reached.
type Target struct {
	Address        string   `json:"address"`
	Type           string   `json:"type"`
	Kind           string   `json:"kind"`
	Role           string   `json:"role"`
	Actions        []string `json:"actions"`
	SecurityGroups []string `json:"security_groups"`
	// PublicIP is true when the target gets a public address; PublicIPVia
	// says where it comes from (attribute, subnet default, EIP).
	PublicIP    bool     `json:"public_ip"`
	PublicIPVia []string `json:"public_ip_via,omitempty"`
	// Load balancers only.
	InternetFacing   bool       `json:"internet_facing,omitempty"`
	LoadBalancerType string     `json:"load_balancer_type,omitempty"`
	Listeners        []Listener `json:"listeners,omitempty"`
	// Launch templates: the autoscaling groups that launch them.
	UsedBy []string `json:"used_by,omitempty"`
	// PublicExposure is the effective ingress from CIDR sources over all
	// the target's security groups, merged per protocol and port range,
	// where the merged sources are not all internal address space.
	PublicExposure []Exposure `json:"public_exposure"`
	// InternalExposure is the rest of the effective exposure, whose
	// sources are all internal. Only the drawing of the doors reads it;
	// policies see those doors as exposures rows.
	InternalExposure []Exposure `json:"-"`
	Unknown          []string   `json:"unknown,omitempty"`
	Notes            []string   `json:"notes,omitempty"`
}

// Listener is a load balancer listener.
type Listener struct {
	Address          string   `json:"address"`
	Port             int      `json:"port"`
	Protocol         string   `json:"protocol"`
	DefaultActions   []string `json:"default_actions"`
	RedirectsToHTTPS bool     `json:"redirects_to_https"`
	Unknown          []string `json:"unknown,omitempty"`
}

// SecurityGroup holds every rule that applies to one group, wherever it
// was declared (inline blocks, aws_security_group_rule,
// aws_vpc_security_group_*_rule, in any module).
type SecurityGroup struct {
	Address  string   `json:"address,omitempty"`
	ID       string   `json:"id,omitempty"`
	Name     string   `json:"name,omitempty"`
	External bool     `json:"external"`
	Protects []string `json:"protects"`
	Bastion  bool     `json:"bastion"`
	Ingress  []Rule   `json:"ingress"`
	Egress   []Rule   `json:"egress"`
}

// Rule is one normalized security group rule. Protocol is tcp, udp, icmp,
// icmpv6, all, or the IP protocol number; "all" covers ports 0-65535.
type Rule struct {
	DeclaredIn    string   `json:"declared_in"`
	SecurityGroup string   `json:"security_group"`
	Protocol      string   `json:"protocol"`
	FromPort      int      `json:"from_port"`
	ToPort        int      `json:"to_port"`
	CIDRv4        []string `json:"cidr_ipv4,omitempty"`
	CIDRv6        []string `json:"cidr_ipv6,omitempty"`
	// PrefixLists are prefix lists whose entries are not in the plan.
	PrefixLists []string `json:"prefix_lists,omitempty"`
	// SourceSecurityGroups are keys into Model.SecurityGroups.
	SourceSecurityGroups []string `json:"source_security_groups,omitempty"`
	Self                 bool     `json:"self,omitempty"`
	World                bool     `json:"world,omitempty"`
	Public               bool     `json:"public,omitempty"`
	Unknown              []string `json:"unknown,omitempty"`
}

// Exposure is a port range of one protocol reachable from a set of CIDRs.
// World is true when the set covers the whole IPv4 or IPv6 internet.
type Exposure struct {
	Protocol string   `json:"protocol"`
	FromPort int      `json:"from_port"`
	ToPort   int      `json:"to_port"`
	CIDRv4   []string `json:"cidr_ipv4,omitempty"`
	CIDRv6   []string `json:"cidr_ipv6,omitempty"`
	World    bool     `json:"world,omitempty"`
	Via      []string `json:"via"`
	// public says the set is not all internal address space: which of a
	// target's two lists the exposure goes to.
	public bool
}

// AutoscalingGroup carries what fleet hygiene rules need.
type AutoscalingGroup struct {
	Address        string   `json:"address"`
	Role           string   `json:"role"`
	Actions        []string `json:"actions"`
	LaunchTemplate string   `json:"launch_template,omitempty"`
	// LaunchTemplateVersion is the configured version string; VersionKind
	// classifies it: number, latest ($Latest), default ($Default or unset),
	// or reference (a template's latest_version/default_version, a number
	// once applied).
	LaunchTemplateVersion string   `json:"launch_template_version"`
	VersionKind           string   `json:"version_kind"`
	MaxInstanceLifetime   int      `json:"max_instance_lifetime"`
	Unknown               []string `json:"unknown,omitempty"`
}

// NetworkACLRule is one network ACL entry.
type NetworkACLRule struct {
	Address    string   `json:"address"`
	ACL        string   `json:"network_acl"`
	Egress     bool     `json:"egress"`
	RuleNumber int      `json:"rule_number"`
	Action     string   `json:"action"`
	Protocol   string   `json:"protocol"`
	FromPort   int      `json:"from_port"`
	ToPort     int      `json:"to_port"`
	CIDR       string   `json:"cidr"`
	World      bool     `json:"world"`
	Unknown    []string `json:"unknown,omitempty"`
}

// IPFilter is IP-based filtering outside security groups: listener rules
// with source-ip conditions and WAF IP sets.
type IPFilter struct {
	Address string   `json:"address"`
	Kind    string   `json:"kind"`
	CIDRs   []string `json:"cidrs"`
	Unknown []string `json:"unknown,omitempty"`
}

// Unresolved is something the policy depends on that the model could not
// pin down: a rule whose security group stays unknown, for example.
type Unresolved struct {
	Address   string `json:"address"`
	Attribute string `json:"attribute"`
	Reason    string `json:"reason"`
	Rule      *Rule  `json:"rule,omitempty"`
}

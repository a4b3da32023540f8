package rollout

import (
	"strings"
	"time"
)

// Lifecycle is an Auto Scaling instance lifecycle state, spelled as the API
// spells it ("Pending:Wait", "InService", "Terminating:Proceed", …).
type Lifecycle string

// The lifecycle states the rollout tells apart; the Pending:* and
// Terminating:* variants count as their base state.
const (
	Pending         Lifecycle = "Pending"
	InService       Lifecycle = "InService"
	Terminating     Lifecycle = "Terminating"
	Terminated      Lifecycle = "Terminated"
	EnteringStandby Lifecycle = "EnteringStandby"
	Standby         Lifecycle = "Standby"
	Detaching       Lifecycle = "Detaching"
)

// counted reports whether the instance counts toward desired capacity: it
// is launching or in service. Standby instances are outside desired capacity
// (ExitStandby increments it), and terminating ones are on their way out.
func (l Lifecycle) counted() bool { return l.pending() || l == InService }

func (l Lifecycle) pending() bool { return l == Pending || strings.HasPrefix(string(l), "Pending:") }

func (l Lifecycle) standby() bool { return l == Standby || l == EnteringStandby }

func (l Lifecycle) terminating() bool { return strings.HasPrefix(string(l), "Terminat") }

// TargetState is an ELBv2 target health state. A target group that does not
// list an instance reports TargetUnused for it.
type TargetState string

// The ELBv2 target health states.
const (
	TargetInitial     TargetState = "initial"
	TargetHealthy     TargetState = "healthy"
	TargetUnhealthy   TargetState = "unhealthy"
	TargetUnused      TargetState = "unused"
	TargetDraining    TargetState = "draining"
	TargetUnavailable TargetState = "unavailable"
)

// AlarmState is a CloudWatch alarm state.
type AlarmState string

// The CloudWatch alarm states.
const (
	AlarmOK               AlarmState = "OK"
	AlarmAlarm            AlarmState = "ALARM"
	AlarmInsufficientData AlarmState = "INSUFFICIENT_DATA"
)

// Instance is one instance of the group as the adapter read it.
type Instance struct {
	ID        string
	AZ        string
	Lifecycle Lifecycle
	// Healthy is the group's health status; false once the group has marked
	// it Unhealthy (and will replace it).
	Healthy          bool
	LaunchTemplateID string
	Version          string
	Protected        bool
	LaunchedAt       time.Time
}

// TargetGroup is one target group attached to the group. The durations only
// feed estimates.
type TargetGroup struct {
	ARN string
	// HealthyAfter is interval × healthy threshold: how long a new target
	// takes to turn healthy.
	HealthyAfter        time.Duration
	DeregistrationDelay time.Duration
}

// Observation is what the adapter read for one step.
type Observation struct {
	Now   time.Time
	Group string
	// Desired, Min and Max are the group's capacity settings.
	Desired, Min, Max int
	// LaunchTemplateID and LaunchTemplateVersion are what the group launches
	// from; the version as the group holds it, possibly "$Latest".
	LaunchTemplateID      string
	LaunchTemplateVersion string
	// Suspended lists the suspended scaling processes.
	Suspended []string
	// NewInstancesProtected is the group's NewInstancesProtectedFromScaleIn.
	NewInstancesProtected bool
	TargetGroups          []TargetGroup
	Instances             []Instance
	// Targets is the target health by target group ARN, then instance id.
	Targets map[string]map[string]TargetState
	// Alarms holds the states of the alarms the gates select.
	Alarms map[string]AlarmState
	// Tags are the group's tags; the rollout record lives in them.
	Tags map[string]string
}

// targetState is an instance's state in one target group.
func (o Observation) targetState(tg, id string) TargetState {
	if s, ok := o.Targets[tg][id]; ok {
		return s
	}
	return TargetUnused
}

// registration summarises an instance's presence in the target groups.
type registration int

const (
	// unregistered: in no target group (or the group has none); safe to
	// terminate without draining.
	unregistered registration = iota
	// draining: deregistered from at least one and registered in none.
	draining
	// registered: registered in at least one target group.
	registered
)

func (o Observation) registration(id string) registration {
	r := unregistered
	for _, tg := range o.TargetGroups {
		switch o.targetState(tg.ARN, id) {
		case TargetUnused:
		case TargetDraining:
			r = max(r, draining)
		default:
			r = registered
		}
	}
	return r
}

// serving reports whether an instance takes traffic: in service, healthy,
// and healthy in every target group.
func (o Observation) serving(in Instance) bool {
	if in.Lifecycle != InService || !in.Healthy {
		return false
	}
	for _, tg := range o.TargetGroups {
		if o.targetState(tg.ARN, in.ID) != TargetHealthy {
			return false
		}
	}
	return true
}

func (o Observation) suspended(process string) bool {
	for _, p := range o.Suspended {
		if p == process {
			return true
		}
	}
	return false
}

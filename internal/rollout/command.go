package rollout

import (
	"fmt"
	"strings"
)

// Command is one change to the fleet. The set is closed: an adapter switches
// over the types below and nothing else.
type Command interface {
	fmt.Stringer
	command()
}

// WriteRecord stores the record in the group's tags. Tags always returns the
// same keys, so one CreateOrUpdateTags call is enough.
type WriteRecord struct{ Record Record }

// ClearRecord deletes every sre:rollout: tag of the group.
type ClearRecord struct{}

// SetLaunchTemplateVersion points the group at a numbered version of its
// launch template.
type SetLaunchTemplateVersion struct {
	LaunchTemplateID string
	Version          int
}

// SetDesired sets the desired capacity; the group rejects values outside
// [min, max].
type SetDesired struct{ Desired int }

// SetMaxSize sets the group's max_size.
type SetMaxSize struct{ Max int }

// SuspendProcesses suspends scaling processes of the group.
type SuspendProcesses struct{ Processes []string }

// ResumeProcesses resumes scaling processes of the group.
type ResumeProcesses struct{ Processes []string }

// SetNewInstanceProtection sets the group's NewInstancesProtectedFromScaleIn.
type SetNewInstanceProtection struct{ Protected bool }

// SetInstanceProtection sets scale-in protection of instances of the group.
type SetInstanceProtection struct {
	InstanceIDs []string
	Protected   bool
}

// Deregister removes instances from target groups; they drain for the
// deregistration delay.
type Deregister struct {
	TargetGroupARNs []string
	InstanceIDs     []string
}

// Terminate terminates one instance of the group
// (TerminateInstanceInAutoScalingGroup), so that the group's own scale-in
// never chooses which instance goes. Decrement (ShouldDecrementDesired
// Capacity) lowers desired capacity with it so no replacement launches;
// without it the instance is surplus the group could not scale in
// (protected) and the group is already above desired.
type Terminate struct {
	InstanceID string
	Decrement  bool
}

func (WriteRecord) command()              {}
func (ClearRecord) command()              {}
func (SetLaunchTemplateVersion) command() {}
func (SetDesired) command()               {}
func (SetMaxSize) command()               {}
func (SuspendProcesses) command()         {}
func (ResumeProcesses) command()          {}
func (SetNewInstanceProtection) command() {}
func (SetInstanceProtection) command()    {}
func (Deregister) command()               {}
func (Terminate) command()                {}

func (c WriteRecord) String() string { return "write record (" + c.Record.summary() + ")" }
func (ClearRecord) String() string   { return "clear record" }
func (c SetLaunchTemplateVersion) String() string {
	return fmt.Sprintf("set launch template %s version %d", c.LaunchTemplateID, c.Version)
}
func (c SetDesired) String() string { return fmt.Sprintf("set desired capacity %d", c.Desired) }
func (c SetMaxSize) String() string { return fmt.Sprintf("set max size %d", c.Max) }
func (c SuspendProcesses) String() string {
	return "suspend processes " + strings.Join(c.Processes, ", ")
}
func (c ResumeProcesses) String() string {
	return "resume processes " + strings.Join(c.Processes, ", ")
}
func (c SetNewInstanceProtection) String() string {
	return fmt.Sprintf("set new-instance scale-in protection %t", c.Protected)
}
func (c SetInstanceProtection) String() string {
	return fmt.Sprintf("set scale-in protection %t on %s", c.Protected, idList(c.InstanceIDs))
}
func (c Deregister) String() string {
	return fmt.Sprintf("deregister %s from %d target groups", idList(c.InstanceIDs), len(c.TargetGroupARNs))
}
func (c Terminate) String() string {
	if c.Decrement {
		return "terminate " + c.InstanceID + " and decrement desired capacity"
	}
	return "terminate surplus " + c.InstanceID
}

// idList shortens long id lists in messages.
func idList(ids []string) string {
	if len(ids) <= 4 {
		return strings.Join(ids, " ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:3], " "), len(ids)-3)
}

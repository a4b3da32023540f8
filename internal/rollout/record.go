package rollout

import (
	"fmt"
	"time"
)

// Phase is a step of the rollout, or of its rollback.
type Phase string

const (
	// PhasePrepare captures nothing new (the record already holds the
	// originals) and changes the group for the rollout: AZRebalance
	// suspended, new instances protected from scale-in, the launch template
	// version switched. In a rollback it switches the version back.
	PhasePrepare Phase = "prepare"
	// PhaseMakeRoom retires instances of the version being replaced before a
	// launch, when max_size leaves no room to surge.
	PhaseMakeRoom Phase = "make-room"
	// PhaseCanary launches the canary and holds the canary gates.
	PhaseCanary Phase = "canary"
	// PhaseSurge launches a wave (or the whole fleet) and holds the gates.
	PhaseSurge Phase = "surge"
	// PhaseRetire drains and terminates instances of the replaced version.
	PhaseRetire Phase = "retire"
	// PhaseFinalize restores what the rollout changed and clears the record.
	PhaseFinalize Phase = "finalize"
	// PhasePaused is where on_failure = pause (or a rollback that cannot
	// proceed) stops; FailedPhase says where it was.
	PhasePaused Phase = "paused"
)

var phases = []Phase{PhasePrepare, PhaseMakeRoom, PhaseCanary, PhaseSurge, PhaseRetire, PhaseFinalize, PhasePaused}

// Original is the group as it was before the rollout; finalize restores it.
type Original struct {
	Desired               int
	Max                   int
	NewInstancesProtected bool
	Suspended             []string
}

// Record is the persisted state of a rollout. Only what cannot be derived
// from an observation is kept: which instances are new follows from the
// launch template version (and launch time), which are draining from target
// health. The one id list is the small batch of terminations in flight.
//
// Capacity is an intent log. Base is the capacity the group would have
// without the rollout; Desired is what the rollout last asked for and is
// written before it asks (From, while Changing, is what it was before), so
// a resumed run can tell its own unfinished change from a scaling policy's.
// A difference it cannot explain is a policy's, and moves Base with it.
type Record struct {
	ID       string
	Phase    Phase
	Rollback bool
	// Wave is 0 for the canary, then 1, 2, … for the surge waves.
	Wave             int
	LaunchTemplateID string
	OldVersion       int
	TargetVersion    int
	Base             int
	Desired          int
	Changing         bool
	From             int
	// Goal is the desired capacity at which a retire or make-room phase is
	// done.
	Goal int
	// Max is the max_size in force during the rollout.
	Max      int
	Original Original
	// Started is when the record was first written; instances launched at or
	// after it are the rollout's own.
	Started    time.Time
	PhaseSince time.Time
	// GateSince is when all gates of the current step first held; the bake
	// runs from it.
	GateSince time.Time
	// Retiring lists the instances whose termination is in flight; Desired
	// already counts them as gone, unless Surplus says they are terminated
	// without a decrement.
	Retiring    []string
	Surplus     bool
	Failure     string
	FailedPhase Phase
}

// active reports whether the record describes a rollout.
func (r Record) active() bool { return r.ID != "" }

// PhaseName is the phase as people read it: "surge (wave 2)",
// "rollback: retire".
func (r Record) PhaseName() string {
	s := string(r.Phase)
	if r.Phase == PhaseSurge || r.Phase == PhaseMakeRoom {
		s = fmt.Sprintf("%s (wave %d)", s, r.Wave)
	}
	if r.Phase == PhasePaused && r.FailedPhase != "" {
		s = fmt.Sprintf("paused in %s", r.FailedPhase)
	}
	if r.Rollback {
		s = "rollback: " + s
	}
	return s
}

func (r Record) summary() string {
	return fmt.Sprintf("%s, desired %d, base %d, max %d", r.PhaseName(), r.Desired, r.Base, r.Max)
}

// stamp truncates to the second, which is what the tags keep, so that a
// record read back from tags decides exactly as the one in memory.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Unix(t.Unix(), 0).UTC()
}

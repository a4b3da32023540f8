// Package rollout is the golden-AMI rollout of one Auto Scaling group as a
// pure state machine: Decide looks at what an adapter observed and the
// rollout's record, and says which commands to apply and when to look again.
// It imports no AWS SDK and no Terraform; an adapter implements Fleet (one
// Observe, one Apply) and Run drives the loop.
//
// # Procedure
//
// prepare (AZRebalance suspended, new instances launched scale-in
// protected, the group switched to the numbered target version) → canary
// (desired +count; the new instances must be in service past the grace
// period, healthy in every target group, with no selected alarm in ALARM,
// for the canary bake) → surge (the rest of the fleet, at once or in waves,
// with the same gates and the fleet bake) → retire (old instances drained
// from their target groups, then terminated by id with a decrement) →
// finalize (protection, desired capacity, max_size and processes restored
// as they were; record cleared). A failed gate rolls back (or pauses, with
// on_failure = pause): the previous version is put back, old instances are
// launched for any already retired, the rollout's own new instances are
// drained and terminated, and the group is restored. Rollback is the same
// wave machinery run towards the old version, with health gates only.
// Every refusal (a symbolic version, missing alarms, protected or standby
// instances, no room) happens before the first change.
//
// # What is persisted
//
// The record lives in eight group tags (sre:rollout:*), each value under
// 256 characters, whatever the fleet size, because almost everything is
// derived from an observation: an instance is new when it runs the target
// version (and, without skip matching, was launched by this rollout, known
// from its launch time); an instance is being retired when it has been
// deregistered from every target group. What cannot be derived is kept:
// phase and wave, versions, the original capacity, max_size, protection and
// processes, timestamps (bake start), the failure, and the capacity intent.
//
// Capacity is an intent log. The record is written before every command, so
// a process killed at any point resumes from it without repeating what
// landed: a capacity request records where it came from, and a batch of
// terminations records its instance ids (at most one tag's worth; the next
// batch follows at once). A change of desired capacity the record cannot
// explain is a scaling policy's: the rollout follows it, never sets it back,
// and carries it into the capacity it leaves behind, clamped to [min_size,
// original max_size] as the group would have without the rollout. Changes
// closer together than one poll are seen as their net change, and a
// scale-out requested while desired sits at the raised max_size is capped by
// the group itself and never seen.
//
// # Exact retirement
//
// Scale-in picks instances by zone balance, so the rollout never lowers
// desired capacity to get rid of old instances: each one is terminated by id
// with a decrement. New instances are protected from scale-in while the
// rollout runs, so a policy scaling in meanwhile takes old instances, never
// a canary; protected instances above desired capacity (which the group
// cannot scale in) are terminated without a decrement. Retirement never
// takes serving capacity below the base (or the min_healthy_percent share of
// it while making room for a wave when max_size cannot be raised).
package rollout

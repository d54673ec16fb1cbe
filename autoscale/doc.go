// Package autoscale models Application Auto Scaling for ECS services and the
// arithmetic of ECS cluster auto scaling (managed scaling) as pure state
// machines: sim feeds one-minute datapoints and asks for decisions.
//
// Datapoints in, decision out. Nothing here reads a clock, draws a random
// number or ranges over a map to decide; time arrives as des.Time (nanoseconds
// since the scenario's start) and, for schedules only, as calendar time.Time.
//
// The pieces:
//   - metric.go: one-minute Datapoints, Statistics, a Series per metric with a
//     publication delay, and a Store that sim writes and policies read.
//   - alarm.go: CloudWatch metric alarms (M out of N, missing-data treatment).
//   - targettracking.go, stepscaling.go: the two Policy kinds.
//   - schedule.go, cron.go: at/rate/cron expressions and ScheduledActions.
//   - scalabletarget.go: min/max/desired and how several policies combine.
//   - managedscaling.go: CapacityProviderReservation and scale-out step maths.
//
// docs/semantics/autoscale.md lists every AWS rule implemented, its page and
// the test that pins it.
package autoscale

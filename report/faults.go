package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Deployment outcomes, as the report words them.
const (
	OutcomeCompleted  = "completed"
	OutcomeFailed     = "failed"
	OutcomeRolledBack = "failed, rolled back"
	OutcomeSuperseded = "superseded"
	OutcomeInProgress = "in progress at the end"
)

// Deployment is one of a service's deployments as the event log tells it:
// from DeploymentStarted to DeploymentCompleted or DeploymentFailed. A
// service's first deployment has no DeploymentStarted: it starts with the
// run (Initial).
type Deployment struct {
	Service        string
	TaskDefinition string // family:revision
	Cause          string // what started it: "timeline: update_service", a rollback
	Start, End     des.Time
	Outcome        string // one of the Outcome constants
	Reason         string // why it failed (the circuit breaker's count)
	Initial        bool   // the service's first deployment, started with the run
	Rollback       bool   // a rollback to the last completed deployment
}

// Finished reports whether the deployment ended within the run.
func (d *Deployment) Finished() bool { return d.Outcome != OutcomeInProgress }

// Bad reports whether the deployment failed (rolled back or not).
func (d *Deployment) Bad() bool { return d.Outcome == OutcomeFailed || d.Outcome == OutcomeRolledBack }

// Deployments reads every service deployment from the event log, in the
// order they started. A deployment still open when the next one of its
// service starts is superseded (ECS marks it FAILED without an event); one
// that fails and is followed at once by a rollback is rolled back.
func Deployments(res *sim.Result) []Deployment {
	var out []Deployment
	open := map[string]int{} // service -> index in out of its open deployment
	last := map[string]int{} // service -> index of its latest deployment
	for _, e := range res.Events {
		switch e.Type {
		case schema.DeploymentStarted:
			if i, ok := open[e.Subject]; ok {
				out[i].End, out[i].Outcome = e.At, OutcomeSuperseded
			}
			td, cause, _ := strings.Cut(e.Reason, " (")
			d := Deployment{Service: e.Subject, TaskDefinition: td, Cause: strings.TrimSuffix(cause, ")"),
				Start: e.At, End: res.End, Outcome: OutcomeInProgress}
			if strings.HasPrefix(d.Cause, "rollback") {
				d.Rollback = true
				if i, ok := last[e.Subject]; ok && out[i].Outcome == OutcomeFailed && out[i].End == e.At {
					out[i].Outcome = OutcomeRolledBack
				}
			}
			open[e.Subject], last[e.Subject] = len(out), len(out)
			out = append(out, d)
		case schema.DeploymentCompleted, schema.DeploymentFailed:
			i, ok := open[e.Subject]
			if !ok { // the service's first deployment, created with the run
				i = len(out)
				out = append(out, Deployment{Service: e.Subject, TaskDefinition: e.Reason, Cause: "service created", Initial: true})
				last[e.Subject] = i
			}
			delete(open, e.Subject)
			out[i].End, out[i].Outcome = e.At, OutcomeCompleted
			if e.Type == schema.DeploymentFailed {
				out[i].Outcome, out[i].Reason = OutcomeFailed, e.Reason
			}
		}
	}
	return out
}

// Fault kinds.
const (
	FaultZoneOutage       = "zone outage"
	FaultInstanceFailure  = "instance failure"
	FaultSpotInterruption = "Spot interruption"
	FaultFargateSpot      = "Fargate Spot interruption"
)

// Task statuses and stop reasons the report reads in the event log: ECS's
// lastStatus values, and the stop reasons of docs/outputs.md ("Stop codes
// and reasons") that mark a fault.
const (
	statusProvisioning = "PROVISIONING"
	statusPending      = "PENDING"
	statusStopping     = "STOPPING"
	statusStopped      = "STOPPED"
	// fargateSpotReason is a Fargate Spot task's stop reason when Fargate
	// reclaims it (stop code SpotInterruption).
	fargateSpotReason = "Your Spot Task was interrupted."
	// outageReasonPrefix starts the stop reason of a task lost in a zone
	// outage: "Availability Zone us-east-1a outage".
	outageReasonPrefix = "Availability Zone "
)

// serviceGroupPrefix starts a service's ECS task group: "service:web".
const serviceGroupPrefix = "service:"

// faultMerge is how close to a fault's first event another of its kind must
// come to be part of it: a timeline action fails or interrupts its instances
// at one instant; Spot notices this close together are one storm.
const faultMerge = time.Minute

// dipWindow is how soon after a fault a service's healthy count must drop
// for the fault to count as dropping it: a Spot notice gives two minutes
// before the instance goes, and replacements start on the next reconcile.
const dipWindow = 5 * time.Minute

// Fault is a loss of capacity: an Availability Zone outage (with the
// instances it took), instances that failed, EC2 Spot interruption notices
// (a storm when more than one) or Fargate Spot tasks reclaimed; with the
// services it touched and how each recovered.
type Fault struct {
	Kind       string
	Subject    string   // the zone; the Auto Scaling group of the instances; the task group of Fargate Spot tasks
	Instances  []string // instances failed or interrupted, in event order
	Tasks      []string // Fargate Spot tasks reclaimed, in event order
	Start, End des.Time // End: the zone recovered (the run's end if it never did); Start for the others
	Recovered  bool     // a zone outage ended within the run; true for the others
	// Known is whether the run recorded which tasks the fault touched: task
	// events (TaskStateChange rows) are on. Without them Services is nil.
	Known bool
	// Services are the services with a task on the capacity lost, in
	// scenario order: a task on a failed or interrupted instance at the
	// fault's time, a Fargate task stopped by the outage, a reclaimed
	// Fargate Spot task.
	Services []string
	Recovery []Recovery // one per service in Services that has a healthy series
}

// Label is the fault's short name: "zone outage us-east-1a", "Spot
// interruption storm (4 instances)".
func (f *Fault) Label() string {
	switch {
	case f.Kind == FaultZoneOutage:
		return f.Kind + " " + f.Subject
	case f.Kind == FaultFargateSpot && len(f.Tasks) > 1:
		return fmt.Sprintf("%s (%d tasks)", f.Kind, len(f.Tasks))
	case f.Kind == FaultSpotInterruption && len(f.Instances) > 1:
		return fmt.Sprintf("Spot interruption storm (%d instances)", len(f.Instances))
	case len(f.Instances) > 1:
		return fmt.Sprintf("%s (%d instances)", f.Kind, len(f.Instances))
	}
	return f.Kind
}

// Touched reports whether the fault is known to have touched the service.
func (f *Fault) Touched(service string) bool { return slices.Contains(f.Services, service) }

// Recovery is how one service's healthy count came back after a fault that
// touched it: Before is its count in the last sample before the fault,
// Lowest the least it fell to, and After the time from the fault to the
// first sample back at Before (minute resolution). A service whose desired
// count fell below Before (scale-in) is back once it is healthy at its
// desired count. Held: the healthy count never dropped (the tasks were
// replaced before they went, as draining does after a Spot notice).
type Recovery struct {
	Service   string
	Before    int
	Lowest    int
	Recovered bool
	After     time.Duration
	Held      bool
}

// Faults reads the faults from the event log, in the order they began,
// finds the services each touched from the tasks' events, and measures
// those services' recovery from the per-service series (none when the run
// recorded no per-service series). Instance failures at the instant a zone
// goes down are that outage's.
func Faults(res *sim.Result) []Fault {
	var out []Fault
	zone := map[string]int{} // zone -> its open outage
	lastOf := map[string]int{}
	join := func(kind, subject string, at des.Time) (int, bool) {
		i, ok := lastOf[kind]
		return i, ok && out[i].Subject == subject && (at-out[i].Start).Duration() <= faultMerge
	}
	hit := map[int]map[string]bool{} // fault -> services touched, found from stop reasons
	touch := func(i int, group string) {
		if s, ok := strings.CutPrefix(group, serviceGroupPrefix); ok {
			if hit[i] == nil {
				hit[i] = map[string]bool{}
			}
			hit[i][s] = true
		}
	}
	for _, e := range res.Events {
		switch e.Type {
		case schema.ZoneOutage:
			zone[e.Subject] = len(out)
			out = append(out, Fault{Kind: FaultZoneOutage, Subject: e.Subject, Start: e.At, End: res.End})
		case schema.ZoneRecovered:
			if i, ok := zone[e.Subject]; ok {
				out[i].End, out[i].Recovered = e.At, true
				delete(zone, e.Subject)
			}
		case schema.InstanceFailed, schema.SpotInterruptionNotice:
			if i := outageAt(out, e.At); e.Type == schema.InstanceFailed && i >= 0 {
				out[i].Instances = append(out[i].Instances, e.Subject)
				continue
			}
			kind := FaultInstanceFailure
			if e.Type == schema.SpotInterruptionNotice {
				kind = FaultSpotInterruption
			}
			if i, ok := join(kind, e.Group, e.At); ok {
				out[i].Instances = append(out[i].Instances, e.Subject)
				continue
			}
			lastOf[kind] = len(out)
			out = append(out, Fault{Kind: kind, Subject: e.Group, Instances: []string{e.Subject}, Start: e.At, End: e.At, Recovered: true})
		case schema.TaskStateChange:
			switch {
			case e.Status != statusStopping:
			case e.Reason == fargateSpotReason:
				i, ok := join(FaultFargateSpot, e.Group, e.At)
				if ok {
					out[i].Tasks = append(out[i].Tasks, e.Subject)
				} else {
					i, lastOf[FaultFargateSpot] = len(out), len(out)
					out = append(out, Fault{Kind: FaultFargateSpot, Subject: e.Group, Tasks: []string{e.Subject}, Start: e.At, End: e.At, Recovered: true})
				}
				touch(i, e.Group)
			case strings.HasPrefix(e.Reason, outageReasonPrefix):
				if i, ok := zone[strings.TrimSuffix(strings.TrimPrefix(e.Reason, outageReasonPrefix), " outage")]; ok {
					touch(i, e.Group)
				}
			}
		}
	}
	attribute(res, out, hit)
	return out
}

// attribute finds the services each fault touched: those hit already
// found from stop reasons (Fargate Spot, a zone's Fargate tasks), and
// those with a task on a failed or interrupted instance at the fault's
// time; and measures their recovery. Without task events it marks every
// fault unknown.
func attribute(res *sim.Result, faults []Fault, hit map[int]map[string]bool) {
	known := res.Config.Settings.TaskEvents
	stays := taskStays(res)
	for i := range faults {
		f := &faults[i]
		f.Known = known
		if !known {
			continue
		}
		touched := hit[i]
		for _, in := range f.Instances {
			for _, s := range stays[in] {
				if s.from <= f.Start && f.Start <= s.to {
					if touched == nil {
						touched = map[string]bool{}
					}
					touched[s.service] = true
				}
			}
		}
		for _, sc := range res.Config.Services { // scenario order
			if touched[sc.Name] {
				f.Services = append(f.Services, sc.Name)
			}
		}
		f.Recovery = recoveries(res, f.Start, f.Services)
	}
}

// stay is a service task's time on one container instance: from the first
// event that names the instance to STOPPED (the run's end if never).
type stay struct {
	service  string
	from, to des.Time
}

// taskStays indexes the service tasks' stays by container instance, from
// the tasks' TaskStateChange rows.
func taskStays(res *sim.Result) map[string][]stay {
	type open struct {
		instance, service string
		from              des.Time
	}
	cur := map[string]open{} // task ID -> where it is
	out := map[string][]stay{}
	for _, e := range res.Events {
		if e.Type != schema.TaskStateChange || e.Instance == "" {
			continue
		}
		svc, ok := strings.CutPrefix(e.Group, serviceGroupPrefix)
		if !ok {
			continue
		}
		o, seen := cur[e.Subject]
		if !seen {
			o = open{instance: e.Instance, service: svc, from: e.At}
			cur[e.Subject] = o
		}
		if e.Status == statusStopped {
			out[o.instance] = append(out[o.instance], stay{service: svc, from: o.from, to: e.At})
			delete(cur, e.Subject)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cur)) {
		o := cur[id]
		out[o.instance] = append(out[o.instance], stay{service: o.service, from: o.from, to: res.End})
	}
	return out
}

// outageAt is the zone outage that began at t, or -1.
func outageAt(fs []Fault, t des.Time) int {
	for i := len(fs) - 1; i >= 0 && fs[i].Start == t; i-- {
		if fs[i].Kind == FaultZoneOutage {
			return i
		}
	}
	return -1
}

// recoveries measures, for each of the services that has a healthy series,
// whether a fault at `at` dropped its healthy count and when it came back.
func recoveries(res *sim.Result, at des.Time, services []string) []Recovery {
	var out []Recovery
	for _, s := range services {
		healthy := column(res, schema.ServiceColumn(s, schema.ServiceHealthy))
		if healthy == nil {
			continue
		}
		r, ok := RecoverAfter(res.Series.Times, healthy, column(res, schema.ServiceColumn(s, schema.ServiceDesired)), at)
		if !ok {
			r = Recovery{Held: true}
		}
		r.Service = s
		out = append(out, r)
	}
	return out
}

// RecoverAfter measures a service's recovery from a fault at `at`, from its
// per-minute healthy counts (and desired counts; nil: not capped). The
// fault drops the service's healthy count when, within dipWindow, a sample
// falls below the last sample before the fault; the service is back at the
// first sample after that at or above it (or at its desired count, if
// lower). ok is false when the count did not drop, or the fault came before
// the first sample.
func RecoverAfter(times []des.Time, healthy, desired []float64, at des.Time) (r Recovery, ok bool) {
	b := -1
	for i := 0; i < len(times) && times[i] < at; i++ {
		b = i
	}
	if b < 0 || healthy[b] <= 0 {
		return r, false
	}
	before := healthy[b]
	target := func(i int) float64 {
		if desired != nil && desired[i] < before {
			return desired[i]
		}
		return before
	}
	dip := -1
	for i := b + 1; i < len(times) && times[i] <= at+des.At(dipWindow); i++ {
		if healthy[i] < target(i) {
			dip = i
			break
		}
	}
	if dip < 0 {
		return r, false
	}
	r = Recovery{Before: int(before), Lowest: int(healthy[dip])}
	for i := dip; i < len(times); i++ {
		if healthy[i] >= target(i) {
			r.Recovered, r.After = true, (times[i] - at).Duration()
			break
		}
		r.Lowest = min(r.Lowest, int(healthy[i]))
	}
	return r, true
}

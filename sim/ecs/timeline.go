package ecs

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim/schema"
)

// ServiceUpdate is an UpdateService call: nil fields and a TaskDefinition
// of -1 leave the service's value as it is.
type ServiceUpdate struct {
	Service        int
	TaskDefinition int // index into Config.TaskDefinitions; -1 unchanged
	DesiredCount   *int
	MinimumHealthy *int
	MaximumPercent *int
}

// UpdateService is UpdateService: a new task definition starts a
// deployment; desired count and deployment configuration change in place.
func (w *World) UpdateService(e ServiceUpdate) {
	si := int32(e.Service)
	s := &w.services[si]
	if e.MinimumHealthy != nil {
		s.minHealthyPct = *e.MinimumHealthy
	}
	if e.MaximumPercent != nil {
		s.maxPct = *e.MaximumPercent
	}
	if e.DesiredCount != nil {
		d := *e.DesiredCount
		if s.scaler != nil {
			lo, hi := s.scaler.target.Range()
			d = min(max(d, lo), hi)
		}
		old := s.desired
		s.desired = d
		w.serviceEvent(s, schema.UpdateService, fmt.Sprintf("%d->%d", old, d), "timeline: desired count")
	}
	if e.TaskDefinition >= 0 && e.TaskDefinition != s.deps[s.primary()].def {
		w.deploy(si, e.TaskDefinition, "timeline: update_service", false)
		return
	}
	w.reconcile(si)
}

// PickInstances draws count ACTIVE container instances of a group (or of
// the whole cluster when group is -1) from the stream "timeline/"+why.
func (w *World) PickInstances(group, count int, why string) []int32 {
	w.syncInstances()
	var cands []int32
	for i := range w.instances {
		in := &w.instances[i]
		if in.status == InstanceActive && (group < 0 || in.group == group) {
			cands = append(cands, int32(i))
		}
	}
	r := w.stream("timeline/" + why)
	r.Shuffle(len(cands), func(a, b int) { cands[a], cands[b] = cands[b], cands[a] })
	return cands[:min(count, len(cands))]
}

// Drain sets an instance to DRAINING (UpdateContainerInstancesState): no new
// tasks, service tasks replaced elsewhere, RunTask tasks left to finish.
func (w *World) Drain(i int32) {
	w.setStatus(&w.instances[i], InstanceDraining)
	w.drainTasks(i, "timeline: drain_instances")
}

// ZoneLost stops the Fargate tasks of an Availability Zone that went down
// (its EC2 instances are capacity's: they fail and ECS hears of each).
// Fargate places nothing there until the zone returns.
func (w *World) ZoneLost(zone string) {
	for ti := range w.tasks {
		tk := &w.tasks[ti]
		if tk.counted >= 0 && tk.state < TaskStopping && w.providers[tk.provider].fargate && w.taskZone(tk) == zone {
			w.stopTask(int32(ti), StopInfrastructureHealth, "Availability Zone "+zone+" outage", 0, true)
		}
	}
}

// fargateZone picks the zone of a new Fargate task. A service's task goes
// to the zone that is up with the fewest of the service's tasks (ties: the
// cluster's order): AWS (ECS Developer Guide, "Amazon ECS task placement"):
// Fargate tasks are spread across Availability Zones; placement strategies
// and constraints do not apply to Fargate. A RunTask task goes round-robin
// over the zones that are up (choice).
func (w *World) fargateZone(t int32) string {
	azs := w.cfg.Cluster.AvailabilityZones
	if si := w.tasks[t].service; si >= 0 {
		best, bestN := "", 0
		s := &w.services[si] // t is not active yet: its books count the others
		for zi, z := range azs {
			if w.fleet.ZoneDown(z) {
				continue
			}
			n := 0
			if zi < len(s.activeIn) {
				n = s.activeIn[zi] // the cluster's zones come first in World.zones
			}
			if best == "" || n < bestN {
				best, bestN = z, n
			}
		}
		if best != "" {
			return best
		}
	}
	for range azs {
		z := azs[w.nextFargateAZ%len(azs)]
		w.nextFargateAZ++
		if !w.fleet.ZoneDown(z) {
			return z
		}
	}
	return azs[0]
}

package sim

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sim/schema"

	"github.com/fleetsim/fleetsim/sim/des"
)

// onTimeline carries out one scheduled operation.
func (w *World) onTimeline(now des.Time, i int32) {
	e := &w.cfg.Timeline[i]
	switch e.Action {
	case "update_service":
		w.updateService(e)
	case "set_desired_capacity":
		w.fleet.SetDesired(e.Group, *e.DesiredCount, "timeline: set_desired_capacity")
	case "drain_instances":
		for _, in := range w.pickInstances(e.Group, e.Count, "drain") {
			w.drain(in)
		}
	case "fail_instances":
		for _, in := range w.pickInstances(e.Group, e.Count, "fail") {
			w.fleet.Fail(in, "Host EC2 instance failed its status checks")
		}
	case "az_outage":
		w.zoneOutage(e)
	case "spot_interruptions":
		w.fleet.SpotStorm(e.Group, e.Fraction, w.stream("timeline/spot"))
	default:
		panic("sim: unknown timeline action " + e.Action + " (scenario not validated?)")
	}
}

// updateService is UpdateService: a new task definition starts a deployment;
// desired count and deployment configuration change in place.
func (w *World) updateService(e *TimelineEntry) {
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

// pickInstances draws count ACTIVE container instances of a group (or of
// the whole cluster when group is -1) from the timeline's stream.
func (w *World) pickInstances(group, count int, why string) []int32 {
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

// drain sets an instance to DRAINING (UpdateContainerInstancesState): no new
// tasks, service tasks replaced elsewhere, RunTask tasks left to finish.
func (w *World) drain(i int32) {
	w.setStatus(&w.instances[i], InstanceDraining)
	w.drainTasks(i, "timeline: drain_instances")
}

// zoneOutage takes an Availability Zone down for a while: its instances
// fail (capacity), its Fargate tasks are lost, and nothing launches there
// until it returns.
func (w *World) zoneOutage(e *TimelineEntry) {
	w.fleet.ZoneOutage(e.Zone, e.Duration)
	for ti := range w.tasks {
		tk := &w.tasks[ti]
		if tk.counted >= 0 && tk.state < TaskStopping && w.providers[tk.provider].fargate && tk.zone == e.Zone {
			w.stopTask(int32(ti), StopInfrastructureHealth, "Availability Zone "+e.Zone+" outage", 0, true)
		}
	}
}

// fargateZone picks the zone of a new Fargate task: round-robin over the
// cluster's zones that are up (choice; Fargate spreads over the service's
// subnets).
func (w *World) fargateZone() string {
	azs := w.cfg.Cluster.AvailabilityZones
	for range azs {
		z := azs[w.nextFargateAZ%len(azs)]
		w.nextFargateAZ++
		if !w.fleet.ZoneDown(z) {
			return z
		}
	}
	return azs[0]
}

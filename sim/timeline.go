package sim

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sim/schema"
	"slices"

	"github.com/fleetsim/fleetsim/sim/des"
)

// onTimeline carries out one scheduled operation.
func (w *World) onTimeline(now des.Time, i int32) {
	e := &w.cfg.Timeline[i]
	switch e.Action {
	case "update_service":
		w.updateService(e)
	case "set_desired_capacity":
		g := &w.groups[e.Group]
		g.setDesired(*e.DesiredCount, "timeline: set_desired_capacity")
	case "drain_instances":
		for _, in := range w.pickInstances(e.Group, e.Count, "drain") {
			w.drain(in)
		}
	case "fail_instances":
		for _, in := range w.pickInstances(e.Group, e.Count, "fail") {
			w.failInstance(in, "Host EC2 instance failed its status checks")
		}
	case "az_outage":
		w.zoneOutage(e)
	case "spot_interruptions":
		w.spotStorm(e)
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
		w.rec.serviceEvent(s, schema.UpdateService, fmt.Sprintf("%d->%d", old, d), "timeline: desired count")
	}
	if e.TaskDefinition >= 0 && e.TaskDefinition != s.deps[s.primary()].def {
		w.deploy(si, e.TaskDefinition, "timeline: update_service", false)
		return
	}
	w.reconcile(si)
}

// pickInstances draws count active instances of a group (or of the whole
// cluster when group is -1) from the timeline's stream.
func (w *World) pickInstances(group, count int, why string) []int32 {
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
	w.setStatus(i, InstanceDraining, false)
	w.drainTasks(i, "timeline: drain_instances")
}

// failInstance loses an instance at once: its tasks stop with
// InfrastructureHealth and its group replaces it once its health check fails.
func (w *World) failInstance(i int32, reason string) {
	in := &w.instances[i]
	if in.status == InstanceDeregistered {
		return
	}
	w.rec.instanceEvent(in, schema.InstanceFailed, reason)
	if in.status == InstanceLaunching {
		w.eng.Cancel(in.regTimer)
	}
	w.setStatus(i, InstanceDraining, true) // no replacement may land on it
	w.poolDeactivate(in)
	w.stopAllTasks(i, StopInfrastructureHealth, reason)
	w.finishTermination(i)
	w.eng.After(w.cfg.Settings.InstanceFailureDetection, kindGroupReplenish, int32(in.group))
}

// zoneOutage takes an Availability Zone down for a while: its instances and
// Fargate tasks are lost, and nothing launches there until it returns.
func (w *World) zoneOutage(e *TimelineEntry) {
	if !slices.Contains(w.downZones, e.Zone) {
		w.downZones = append(w.downZones, e.Zone)
	}
	w.rec.zoneEvent(e.Zone, schema.ZoneOutage, fmt.Sprintf("for %s", e.Duration))
	for i := range w.instances {
		in := &w.instances[i]
		if in.status != InstanceDeregistered && w.cfg.Groups[in.group].AvailabilityZones[in.az] == e.Zone {
			w.failInstance(int32(i), "Availability Zone "+e.Zone+" outage")
		}
	}
	for ti := range w.tasks {
		tk := &w.tasks[ti]
		if tk.counted >= 0 && tk.state < TaskStopping && w.providers[tk.provider].fargate && tk.zone == e.Zone {
			w.stopTask(int32(ti), StopInfrastructureHealth, "Availability Zone "+e.Zone+" outage", 0, true)
		}
	}
	w.eng.After(e.Duration, kindZoneRecovered, int32(slices.Index(w.cfg.Cluster.AvailabilityZones, e.Zone)))
}

// onZoneRecovered brings a zone back; groups rebalance into it (AWS: Auto
// Scaling launches in the recovered zone before terminating elsewhere).
func (w *World) onZoneRecovered(now des.Time, z int32) {
	zone := w.cfg.Cluster.AvailabilityZones[z]
	w.downZones = slices.DeleteFunc(w.downZones, func(s string) bool { return s == zone })
	w.rec.zoneEvent(zone, schema.ZoneRecovered, "")
	for gi := range w.groups {
		w.groups[gi].rebalance()
	}
}

// spotStorm sends the interruption notice to a share of a group's Spot
// instances at once.
func (w *World) spotStorm(e *TimelineEntry) {
	var spot []int32
	for _, i := range w.groups[e.Group].instances {
		in := &w.instances[i]
		if in.purchase == Spot && in.inService() && in.status != InstanceDraining && !in.spotNoticed {
			spot = append(spot, i)
		}
	}
	n := int(float64(len(spot))*e.Fraction + 0.5)
	r := w.stream("timeline/spot")
	r.Shuffle(len(spot), func(a, b int) { spot[a], spot[b] = spot[b], spot[a] })
	for _, i := range spot[:n] {
		w.eng.Cancel(w.instances[i].spotTimer)
		w.onSpotNotice(w.eng.Now(), i)
	}
}

// zoneDown reports whether an Availability Zone is in an outage.
func (w *World) zoneDown(zone string) bool { return slices.Contains(w.downZones, zone) }

// fargateZone picks the zone of a new Fargate task: round-robin over the
// cluster's zones that are up (choice; Fargate spreads over the service's
// subnets).
func (w *World) fargateZone() string {
	azs := w.cfg.Cluster.AvailabilityZones
	for range azs {
		z := azs[w.nextFargateAZ%len(azs)]
		w.nextFargateAZ++
		if !w.zoneDown(z) {
			return z
		}
	}
	return azs[0]
}

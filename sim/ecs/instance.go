package ecs

import (
	"slices"

	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// InstanceStatus is a container instance's status as ECS reports it.
type InstanceStatus uint8

// Container instance statuses. LAUNCHING is fleetsim's name for an EC2
// instance that has not registered (yet, or ever).
const (
	InstanceLaunching InstanceStatus = iota
	InstanceActive
	InstanceDraining
	InstanceDeregistered
)

func (s InstanceStatus) String() string {
	return [...]string{"LAUNCHING", "ACTIVE", "DRAINING", "INACTIVE"}[s]
}

// instance is the ECS container instance on the EC2 instance of the same
// index in the capacity fleet: what ECS registered and what its tasks hold.
// Capacity owns the EC2 facts; ECS copies the few it reports (ID, type,
// group, zone) at registration.
type instance struct {
	// What tasks, the aggregate and scale-in read (reserve, release,
	// tally, ScaleInProtected) first, in the record's first cache line.
	group                        int
	status                       InstanceStatus
	known                        bool  // registered once: status is ECS's own
	release                      bool  // being terminated: tell capacity when empty (the lifecycle hook)
	zi                           int8  // zone's index in World.zones
	daemons                      int32 // of which daemon services' tasks (daemon.go)
	tasks                        []int32
	cpuFree                      int64
	memFree                      int64
	cpuRegistered, memRegistered int64
	eniFree                      int
	handles                      [2]placement.Handle
	ports                        []int // static host ports in use

	id    string
	typ   catalog.InstanceType
	zone  string
	attrs []Attribute
	regAt des.Time
}

// containerInstance returns ECS's record of fleet instance i, creating the
// records of instances launched since the last call.
func (w *World) containerInstance(i int32) *instance {
	if int(i) >= len(w.instances) {
		w.syncInstances()
	}
	return &w.instances[i]
}

// syncInstances extends ECS's records to every instance the fleet has
// launched (not registered ones are LAUNCHING, or INACTIVE once gone).
func (w *World) syncInstances() {
	for k := int32(len(w.instances)); int(k) < w.fleet.Len(); k++ {
		fi := w.fleet.Instance(k)
		w.instances = append(w.instances, instance{id: fi.ID, typ: fi.Type, group: fi.Group, zone: fi.Zone, zi: int8(w.zoneIndex(fi.Zone)),
			handles: [2]placement.Handle{placement.NoHandle, placement.NoHandle}})
	}
}

// statusOf is the status DescribeContainerInstances would show.
func (w *World) statusOf(i int32) InstanceStatus {
	in := w.containerInstance(i)
	if !in.known && w.fleet.Instance(i).Lifecycle == capacity.Terminated {
		return InstanceDeregistered
	}
	return in.status
}

// setStatus changes a container instance's status, keeping the cluster
// aggregate and the per-group draining counts.
func (w *World) setStatus(in *instance, s InstanceStatus) {
	busy := in.isBusy()
	defer w.rebusy(in, busy)
	w.tally(in, -1)
	if in.status == InstanceDraining {
		w.draining[in.group]--
	}
	was := in.status
	in.status = s
	if s == InstanceDraining {
		w.draining[in.group]++
	}
	w.tally(in, 1)
	if s == InstanceDraining && was != InstanceDraining {
		// Its service tasks are to be replaced now (isOld).
		for _, t := range in.tasks {
			if tk := &w.tasks[t]; tk.service >= 0 && tk.activeAt >= 0 {
				w.markOld(&w.services[tk.service], t)
			}
		}
	}
}

// InstanceRegistered registers the instance's resources and attributes with
// the cluster and offers them to waiting tasks (capacity.Orchestrator).
func (w *World) InstanceRegistered(i int32) {
	in := w.containerInstance(i)
	g := &w.cfg.Groups[in.group]
	s := &w.cfg.Settings
	w.tally(in, -1)
	in.known = true
	in.status = InstanceActive
	in.regAt = w.eng.Now()
	in.cpuRegistered = int64(in.typ.VCPU) * 1024
	in.memRegistered = s.RegisteredMemoryMiB(in.typ)
	in.cpuFree, in.memFree = in.cpuRegistered, in.memRegistered
	in.eniFree = w.eniLimit(in.typ)
	in.attrs = append([]Attribute{
		{Name: "ecs.ami-id", Value: s.AMIID},
		{Name: "ecs.availability-zone", Value: in.zone},
		{Name: "ecs.cpu-architecture", Value: in.typ.Arch},
		{Name: "ecs.instance-type", Value: in.typ.Name},
		{Name: "ecs.os-family", Value: "LINUX"},
		{Name: "ecs.os-type", Value: "linux"},
		{Name: "ecs.subnet-id", Value: w.subnetFor(in.zone)},
		{Name: "ecs.vpc-id", Value: w.cfg.Cluster.ContainerInstanceVPCID},
	}, g.Attributes...)
	w.tally(in, 1)
	w.instanceEvent(in, schema.InstanceRegistered, "")
	w.poolAdd(i)
	w.daemonsOnto(i) // daemon tasks first, before waiting replica tasks (daemon.go)
	w.schedulePass()
}

// InstanceTerminating is the group terminating a registered instance
// (capacity.Orchestrator). Under managed draining it drains first: service
// tasks are replaced elsewhere, RunTask tasks run to completion, and ECS
// completes the termination when it is empty. Otherwise it goes now.
func (w *World) InstanceTerminating(i int32, cause string) bool {
	in := w.containerInstance(i)
	p := w.providerOfGroup[in.group]
	if !in.known || p < 0 || !w.cfg.CapacityProviders[p-firstASGProvider].ManagedDraining {
		return false
	}
	in.release = true
	if in.status != InstanceDraining {
		w.setStatus(in, InstanceDraining)
	}
	w.drainTasks(i, cause)
	return true
}

// InstanceInterrupted is EC2's Spot notice (capacity.Orchestrator): with the
// agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING the container instance drains;
// without it the agent does nothing and the tasks die at the reclaim.
func (w *World) InstanceInterrupted(i int32) {
	in := w.containerInstance(i)
	if in.status == InstanceActive && w.cfg.Settings.SpotInstanceDraining {
		w.setStatus(in, InstanceDraining)
		w.drainTasks(i, "spot-interruption")
	}
}

// InstanceLost is the instance going away now (capacity.Orchestrator):
// every task left stops at once (TerminationNotice, or InfrastructureHealth
// for a failure), and the container instance deregisters.
func (w *World) InstanceLost(i int32, why capacity.EndReason, message string) {
	in := w.containerInstance(i)
	if !in.known || in.status == InstanceDeregistered {
		return
	}
	if in.status != InstanceDraining {
		w.setStatus(in, InstanceDraining) // no replacement may land on it
	}
	w.poolDeactivate(in)
	code := StopTerminationNotice
	if why == capacity.EndFailed {
		code = StopInfrastructureHealth
	}
	for _, t := range slices.Clone(in.tasks) {
		w.stopTask(t, code, message, 0, true)
	}
	w.poolRemove(in)
	in.release = false
	w.setStatus(in, InstanceDeregistered)
}

// ScaleInProtected reports scale-in protection (capacity.Orchestrator):
// under managed termination protection, whether any non-daemon task runs on
// the instance; otherwise the instance's own flag. AWS (ECS, "Control the
// instances Amazon ECS terminates").
func (w *World) ScaleInProtected(i int32) bool {
	in := w.containerInstance(i)
	if w.managedProtection(in.group) {
		// ECS keeps scale-in protection on while non-daemon tasks run and
		// turns it off when the instance is empty: "Tasks that are run by a
		// service that uses the DAEMON scheduling strategy are ignored"
		// (managed-termination-protection.html; daemon.go).
		return in.nonDaemonTasks() > 0
	}
	return w.fleet.ProtectedFromScaleIn(i)
}

// managedProtection reports whether group g's capacity provider has managed
// termination protection.
func (w *World) managedProtection(g int) bool {
	p := w.providerOfGroup[g]
	return p >= 0 && w.cfg.CapacityProviders[p-firstASGProvider].ManagedTerminationProtection
}

// drainTasks starts draining an instance: no new tasks; its service tasks
// are replaced elsewhere within their services' deployment bounds (stopped
// once replacements are healthy: see rollingUpdate); RunTask tasks run on.
// AWS (ECS Developer Guide, "Draining Amazon ECS container instances").
func (w *World) drainTasks(i int32, cause string) {
	in := w.containerInstance(i)
	w.poolDeactivate(in)
	w.instanceEvent(in, schema.InstanceDraining, cause)
	var services []int32
	for _, t := range in.tasks {
		if s := w.tasks[t].service; s >= 0 && !slices.Contains(services, s) {
			services = append(services, s)
		}
	}
	for _, s := range services {
		w.reconcile(s)
	}
	w.releaseIfEmpty(i)
}

// releaseIfEmpty completes a drained termination once nothing runs there.
func (w *World) releaseIfEmpty(i int32) {
	w.stopDaemonsLast(i) // only daemon tasks left on a draining instance: they go last (daemon.go)
	if in := &w.instances[i]; in.release && len(in.tasks) == 0 {
		w.fleet.Release(i)
	}
}

// eniLimit is how many awsvpc tasks an instance type can hold under the
// cluster's awsvpcTrunking setting: awsvpcTaskLimit (trunking.go) has AWS's
// rule and table.
func (w *World) eniLimit(it catalog.InstanceType) int {
	return awsvpcTaskLimit(it, w.cfg.Cluster.ENITrunking)
}

func (w *World) subnetFor(az string) string {
	for i, z := range w.cfg.Cluster.AvailabilityZones {
		if z == az && i < len(w.cfg.Cluster.ContainerInstanceSubnets) {
			return w.cfg.Cluster.ContainerInstanceSubnets[i]
		}
	}
	return "subnet-" + az
}

// hasPort reports whether a static host port is taken on the instance.
func (in *instance) hasPort(p int) bool { return slices.Contains(in.ports, p) }

// removeTask drops task t from the instance's task list.
func (in *instance) removeTask(t int32) {
	if i := slices.Index(in.tasks, t); i >= 0 {
		in.tasks = slices.Delete(in.tasks, i, i+1)
	}
}

package ecs

import (
	"fmt"

	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Daemon services: schedulingStrategy DAEMON. AWS (ECS Developer Guide,
// "Service scheduler concepts", Daemon; ecs_services.html):
//
//   - "deploys exactly one task on each active container instance that meets
//     all of the task placement constraints"; no desired count, placement
//     strategy or auto scaling;
//   - "Amazon ECS reserves container instance compute resources including
//     CPU, memory and network interfaces for the daemon tasks ... prioritizes
//     the daemon task to be the first task to launch on the instances and the
//     last task to stop";
//   - it "does not place any tasks on instances that have a DRAINING status";
//     when the instance drains, its daemon tasks are stopped (last: once
//     nothing else runs there);
//   - "If a deployment configuration is specified, the maximum percent
//     parameter must be 100 ... The default value for a daemon service for
//     minimumHealthyPercent is 0%";
//   - with too few resources "Amazon ECS continues to try and schedule the
//     task on the instance by waiting for resources to become available".
//
// A daemon task is made placed on its instance (never PROVISIONING: there is
// no other instance it could wait for); an instance keeps count of the
// daemon tasks it holds (instance.daemons) so that managed scaling and
// managed termination protection can leave them out.

// daemonState is the world's daemon services.
type daemonState struct {
	services []int32 // the daemon services, in configuration order
	waiting  []bool  // per service: an instance waits for room (said once)
}

// initDaemons lists the daemon services.
func (w *World) initDaemons() {
	for i := range w.cfg.Services {
		if w.cfg.Services[i].Daemon {
			w.daemons.services = append(w.daemons.services, int32(i))
		}
	}
	w.daemons.waiting = make([]bool, len(w.cfg.Services))
}

// startDaemons places the daemon tasks on the instances registered at
// time zero, before any replica service starts: the daemon is the first
// task on each instance.
func (w *World) startDaemons() {
	for _, si := range w.daemons.services {
		w.reconcileDaemon(si)
	}
}

// daemonTask reports whether t is a daemon service's task.
func (w *World) daemonTask(t int32) bool {
	si := w.tasks[t].service
	return si >= 0 && w.services[si].cfg.Daemon
}

// daemonsOnto places every daemon service's task on a newly registered
// instance, before the placement pass offers it to waiting replica tasks.
func (w *World) daemonsOnto(i int32) {
	for _, si := range w.daemons.services {
		s := &w.services[si]
		if w.daemonMatches(s, &w.instances[i]) {
			s.desired++
			if w.launchAllowed(si) {
				w.daemonOn(si, i)
			}
		}
	}
}

// daemonMatches reports whether an ACTIVE instance meets the daemon
// service's placement constraints.
func (w *World) daemonMatches(s *service, in *instance) bool {
	if !in.known || in.status != InstanceActive || in.handles[0] == placement.NoHandle {
		return false
	}
	return w.pool.byGroup[in.group].Matches(in.handles[0], w.poolSpec(s.spec, in.group))
}

// daemonHas reports whether the instance holds a task of service si (in
// any state short of STOPPED: a stopping one still holds its resources,
// and maximumPercent 100 allows one task per instance).
func (w *World) daemonHas(si int32, in *instance) bool {
	for _, t := range in.tasks {
		if w.tasks[t].service == si {
			return true
		}
	}
	return false
}

// reconcileDaemon keeps one task of daemon service si on each ACTIVE
// matching instance, and rolls a deployment within minimumHealthyPercent
// (maximumPercent is 100: the new task starts once the old one has
// stopped). The desired count is the matching instances.
func (w *World) reconcileDaemon(si int32) {
	s := &w.services[si]
	want := 0
	for i := range w.instances {
		in := &w.instances[i]
		if !w.daemonMatches(s, in) {
			continue
		}
		want++
		if !w.daemonHas(si, in) && w.launchAllowed(si) {
			w.daemonOn(si, int32(i))
		}
	}
	s.desired = want
	if s.old > 0 {
		w.rollDaemon(si)
	}
	w.checkRollout(si)
}

// daemonOn starts service si's task on instance i if it fits there; if not,
// the instance waits for resources (retried when a daemon task or any task
// leaves it: daemonRetry).
func (w *World) daemonOn(si, i int32) {
	s := &w.services[si]
	in := &w.instances[i]
	if r := w.pool.byGroup[in.group].Fit(in.handles[0], w.poolSpec(s.spec, in.group)); r != placement.Fits {
		if !w.daemons.waiting[si] {
			w.daemons.waiting[si] = true
			w.serviceEvent(s, schema.PlacementFailed, r.String(), fmt.Sprintf("daemon task waits for resources on container instance %s", in.id))
		}
		return
	}
	t := w.newDaemonTask(si, i)
	w.joinActive(s, t, s.primary())
	k := w.itemOf(s, t)
	w.tasks[t].item = int8(k)
	if k >= 0 {
		s.perItem[k]++
	}
	s.started++
}

// newDaemonTask makes a daemon task placed on instance i: as newTask and
// tryPlace do for a task that finds room at once, with the instance given.
func (w *World) newDaemonTask(si, i int32) int32 {
	var idx int32
	if n := len(w.freeTasks); n > 0 {
		idx = w.freeTasks[n-1]
		w.freeTasks = w.freeTasks[:n-1]
	} else {
		w.tasks = append(w.tasks, task{})
		idx = int32(len(w.tasks) - 1)
	}
	s := &w.services[si]
	w.tasks[idx] = task{spec: s.spec, service: si, job: -1, provider: int32(s.strategy[0].provider), instance: -1,
		state: TaskProvisioning, created: w.eng.Now(), counted: -1, usage: -1, zi: -1, activeAt: -1, uoAt: -1}
	w.announce(idx)
	in := &w.instances[i]
	in.daemons++ // before the reservation: the instance is not busy for managed scaling
	w.reserve(i, idx)
	tk := &w.tasks[idx]
	tk.instance = i
	tk.zi = in.zi
	w.markPlaced(idx)
	ready := w.pullImages(i, &w.specs[tk.spec])
	w.toPending(idx, ready+des.At(w.cfg.Settings.ContainerStartTime))
	w.startUsage(idx, w.eng.Now())
	return idx
}

// rollDaemon stops the daemon tasks of older deployments, those not
// serving first, then healthy ones while minimumHealthyPercent stays
// healthy; each instance gets its new task once the old one has stopped.
// Tasks on draining instances are left to the drain (stopped last).
func (w *World) rollDaemon(si int32) {
	s := &w.services[si]
	minHealthy, _ := RollingBounds(s.desired, s.minHealthyPct, s.maxPct)
	healthy := s.healthy
	var stop []int32 // chosen first: stopping a task changes the active list
	for pass := range 2 {
		for _, t := range s.active.ts {
			if t < 0 {
				continue
			}
			tk := &w.tasks[t]
			if tk.deployment == s.primary() || w.instances[tk.instance].status == InstanceDraining || tk.healthy != (pass == 1) {
				continue
			}
			if tk.healthy {
				if healthy <= minHealthy {
					break
				}
				healthy--
			}
			stop = append(stop, t)
		}
	}
	for _, t := range stop {
		w.stopTask(t, StopServiceSchedulerInitiated, "deployment: replaced by the new task definition", w.stopGrace(t), false)
	}
}

// daemonLeft is a task leaving instance in (released at STOPPED): a daemon
// task's instance gets its replacement, and a daemon waiting for room may
// now fit. Each daemon service reconciles once, in an event of its own.
func (w *World) daemonLeft(in *instance, t int32) {
	if len(w.daemons.services) == 0 {
		return
	}
	if w.daemonTask(t) {
		in.daemons--
		w.eng.At(w.eng.Now(), w.k.serviceRetry, w.tasks[t].service)
		return
	}
	for _, si := range w.daemons.services {
		if w.daemons.waiting[si] {
			w.daemons.waiting[si] = false
			w.eng.At(w.eng.Now(), w.k.serviceRetry, si)
		}
	}
}

// stopDaemonsLast stops the daemon tasks of a draining instance once
// nothing else runs there: the daemon is the last task to stop.
func (w *World) stopDaemonsLast(i int32) {
	in := &w.instances[i]
	if in.daemons == 0 || in.status != InstanceDraining || len(in.tasks) != int(in.daemons) {
		return
	}
	for _, t := range append([]int32(nil), in.tasks...) {
		if w.tasks[t].state < TaskStopping {
			w.stopTask(t, StopServiceSchedulerInitiated, "Task stopped because the container instance is draining", w.stopGrace(t), false)
		}
	}
}

// nonDaemonTasks is how many tasks other than daemon tasks an instance
// holds: managed termination protection and managed scaling count these.
func (in *instance) nonDaemonTasks() int { return len(in.tasks) - int(in.daemons) }

// daemonReservation is what the daemon services reserve on a new instance
// of group g: each daemon service whose placement constraints one of the
// group's ACTIVE instances meets (choice: the group's instances share their
// attributes but type and zone; with none registered, a service without
// constraints). Managed scaling's estimate leaves it out of the capacity
// of the instance it binpacks onto.
func (w *World) daemonReservation(g int) (cpu, mem int64, enis int) {
	for _, si := range w.daemons.services {
		s := &w.services[si]
		sp := &w.specs[s.spec]
		if !w.daemonForGroup(s, g) {
			continue
		}
		cpu += sp.cpu
		mem += sp.memMiB
		if sp.awsvpc {
			enis++
		}
	}
	return cpu, mem, enis
}

func (w *World) daemonForGroup(s *service, g int) bool {
	seen := false
	for _, i := range w.fleet.GroupInstances(g) {
		if int(i) >= len(w.instances) {
			break
		}
		in := &w.instances[i]
		if !in.known || in.status != InstanceActive {
			continue
		}
		seen = true
		if w.daemonMatches(s, in) {
			return true
		}
	}
	return !seen && len(w.specs[s.spec].task.Constraints) == 0
}

package ecs

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"math"
	"time"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim/des"
)

// managed is a capacity provider's managed scaling state: the target tracking
// policy ECS creates on CapacityProviderReservation, reduced to its alarms.
type managed struct {
	cfg        *ManagedScalingConfig // lastMetric starts at 100: N = 0, M = 0
	above      int                   // consecutive minutes above target
	below      int                   // consecutive minutes below target
	lastMetric float64
}

// observed defaults for the alarms ECS creates for managed scaling.
const (
	defaultScaleOutDatapoints = 1
	defaultScaleInDatapoints  = 15
)

// manageCapacity runs each provider's managed scaling for the minute that
// ends now. AWS (ECS Developer Guide, "Amazon ECS cluster auto scaling" and
// "managed scaling behavior"): CapacityProviderReservation = M / N x 100,
// N the instances in service, M the instances needed; with tasks in
// PROVISIONING, M = N + the binpacked estimate of the instances they need on
// the group's largest type; N = 0 and M > 0 reads 200, N = 0 and M = 0 reads
// 100. Without PROVISIONING tasks M is the instances running a task.
func (w *World) manageCapacity(now des.Time) {
	for pi := firstASGProvider; pi < len(w.providers); pi++ {
		m := w.managed[pi-firstASGProvider]
		if m == nil {
			continue
		}
		g := w.providers[pi].group
		n := w.fleet.Group(g).InService
		est, waiting := w.provisioningEstimate(pi, g)
		mm := n + est
		if est == 0 {
			mm = w.busyInstances(g)
		}
		metric := autoscale.CapacityProviderReservation(mm, n)
		if waiting && est == 0 {
			// AWS: when every waiting task is excluded (none fits the
			// smallest type), the metric stays at the target capacity.
			metric = float64(m.cfg.TargetCapacity)
		}
		m.lastMetric = metric
		target := float64(m.cfg.TargetCapacity)
		switch {
		case metric > target:
			m.above, m.below = m.above+1, 0
		case metric < target:
			m.above, m.below = 0, m.below+1
		default:
			m.above, m.below = 0, 0
		}
		switch {
		case m.above >= m.cfg.ScaleOutDatapoints && !w.warmingUp(g, m):
			w.scaleOut(pi, g, m, n, mm, est, metric)
		case m.below >= m.cfg.ScaleInDatapoints:
			w.scaleIn(pi, g, m, n, mm, metric)
		}
	}
}

// scaleOut launches what the estimate asks for, adjusted to the target
// capacity and bounded by the step sizes. AWS: "Amazon ECS will scale up the
// minimum scaling step size even if the actual demand is less"; from zero
// instances the metric reads 200%.
func (w *World) scaleOut(pi int, g int, m *managed, n, mm, est int, metric float64) {
	want := int(math.Ceil(float64(mm) * 100 / float64(m.cfg.TargetCapacity)))
	step := max(m.cfg.MinStep, min(m.cfg.MaxStep, want-n))
	if gc := &w.cfg.Groups[g]; w.cfg.Settings.MixedGroupsScaleByMinimumStep && (len(gc.InstanceTypes) > 1 || len(gc.AvailabilityZones) > 1) {
		// AWS's pages disagree here (docs/semantics/cluster.md): the
		// ManagedScaling API reference says a group with more than one
		// instance type or Availability Zone scales up "by the exact minimum
		// scaling step size value" and "will ignore both the maximum scaling
		// step size as well as the capacity demand"; the managed scaling
		// behaviour page describes the binpacked estimate. This setting
		// takes the API reference's reading.
		step = m.cfg.MinStep
	}
	if n == 0 {
		// AWS (managed scaling behavior): "Amazon ECS always scales-out to
		// two instances initially"; more waits for the warm-up.
		step = 2
	}
	w.fleet.SetDesired(g, n+step, fmt.Sprintf("capacity provider %s: CapacityProviderReservation %.0f > target %d (M=%d, N=%d, %d more needed by PROVISIONING tasks)",
		w.providers[pi].name, metric, m.cfg.TargetCapacity, mm, n, est))
	m.above = 0 // a new datapoint above target must arrive first (at max size: nothing to do until the metric moves)
}

// scaleIn removes instances after the low alarm's datapoints: each minute by
// at least one instance and less than half the group. AWS ("Faster scaling-in
// for Amazon ECS cluster auto scaling": the step limit is 50% of the group).
func (w *World) scaleIn(pi int, g int, m *managed, n, mm int, metric float64) {
	want := int(math.Ceil(float64(mm) * 100 / float64(m.cfg.TargetCapacity)))
	if want >= n {
		return
	}
	step := min(n-want, max(1, (n-1)/2))
	w.fleet.SetDesired(g, n-step, fmt.Sprintf("capacity provider %s: CapacityProviderReservation %.0f < target %d for %d minutes (M=%d, N=%d)",
		w.providers[pi].name, metric, m.cfg.TargetCapacity, m.below, mm, n))
}

// warmingUp reports an instance launched within the warm-up period. AWS
// (ManagedScaling, instanceWarmupPeriod): a new instance contributes to the
// metrics only after it; fleetsim holds further scale-out meanwhile.
//
// A group lists its instances in launch order, so the newest are looked at
// first and the look stops at the first one launched before the period (or
// at time zero: the existing fleet never counts).
func (w *World) warmingUp(g int, m *managed) bool {
	now := w.eng.Now()
	ins := w.fleet.GroupInstances(g)
	for k := len(ins) - 1; k >= 0; k-- {
		launched := w.fleet.LaunchTime(ins[k])
		if launched <= 0 || now-launched >= des.At(m.cfg.Warmup) {
			return false // this one and every older one are out of the period
		}
		if l := w.fleet.Lifecycle(ins[k]); l == capacity.Pending || l == capacity.InService {
			return true
		}
	}
	return false
}

// busyInstances counts the group's instances running at least one task,
// and those still launching: the first kept as tasks come and go
// (World.busy), the second capacity's.
func (w *World) busyInstances(g int) int {
	return w.busy[g] + w.fleet.Group(g).Pending
}

// isBusy is what busyInstances counts of a registered instance: ACTIVE and
// running a task other than a daemon task. AWS (cluster-auto-scaling.html):
// at 100% "all container instances are running at least one non-daemon
// task"; below, "at least one container instance ... is not running a
// non-daemon task": an instance running only daemon tasks counts as empty.
func (in *instance) isBusy() bool { return in.status == InstanceActive && in.nonDaemonTasks() > 0 }

// rebusy updates the group's busy count after in changed; was is what
// isBusy said before.
func (w *World) rebusy(in *instance, was bool) {
	if now := in.isBusy(); now != was {
		w.busy[in.group] += b2i(now) - b2i(was)
	}
}

// provisioningEstimate is how many more instances the provider's
// PROVISIONING tasks need, binpacked onto the group's largest type, and
// whether any task waits at all. AWS (managed scaling behavior): a task the
// smallest instance type cannot run is excluded from the estimate.
func (w *World) provisioningEstimate(pi int, g int) (int, bool) {
	types := w.cfg.Groups[g].InstanceTypes
	smallest := types[0]
	for _, t := range types[1:] {
		if t.VCPU < smallest.VCPU || (t.VCPU == smallest.VCPU && t.MemoryMiB < smallest.MemoryMiB) {
			smallest = t
		}
	}
	// The daemon tasks a new instance runs first take their share of it
	// (daemon.go): the estimate binpacks onto what is left.
	dCPU, dMem, dENI := w.daemonReservation(g)
	fitsSmallest := func(sp *placementSpec) bool {
		return sp.cpu <= int64(smallest.VCPU)*1024-dCPU && sp.memMiB <= w.cfg.Settings.RegisteredMemoryMiB(smallest)-dMem &&
			(!sp.awsvpc || w.eniLimit(smallest)-dENI > 0)
	}
	waiting := false
	needs := w.needs[:0] // scratch: EstimateInstances keeps nothing
	defer func() { w.needs = needs[:0] }()
	for qi := range w.queues {
		q := &w.queues[qi]
		if q.key.prov != pi {
			continue
		}
		sp := &w.specs[q.key.spec]
		if len(q.tasks) > q.head {
			waiting = true
		}
		if !fitsSmallest(sp) {
			continue
		}
		eni := 0
		if sp.awsvpc {
			eni = 1
		}
		for range len(q.tasks) - q.head {
			needs = append(needs, autoscale.TaskNeed{CPUUnits: int(sp.cpu), MemoryMiB: int(sp.memMiB), ENIs: eni})
		}
	}
	if len(needs) == 0 {
		return 0, waiting
	}
	largest := types[0]
	for _, t := range types[1:] {
		if t.VCPU > largest.VCPU || (t.VCPU == largest.VCPU && t.MemoryMiB > largest.MemoryMiB) {
			largest = t
		}
	}
	est, _ := autoscale.EstimateInstances(needs, autoscale.InstanceCapacity{
		CPUUnits: largest.VCPU*1024 - int(dCPU), MemoryMiB: int(w.cfg.Settings.RegisteredMemoryMiB(largest) - dMem), ENIs: w.eniLimit(largest) - dENI})
	return est, waiting
}

// onFargateSpotNotice is Fargate Spot reclaiming a task: SIGTERM with the
// two-minute warning; the task stops after its stopTimeout (at most the
// warning) with stop code SpotInterruption and its service replaces it.
func (w *World) onFargateSpotNotice(now des.Time, t int32) {
	w.rec.spotInterruptions++
	grace := min(w.stopGrace(t), des.At(w.cfg.Settings.SpotNotice))
	w.stopTask(t, StopSpotInterruption, "Your Spot Task was interrupted.", grace, true)
}

// scheduleFargateSpot draws a Fargate Spot task's interruption, if any.
func (w *World) scheduleFargateSpot(t int32) {
	rate := w.cfg.Settings.FargateSpotInterruptionsPerTaskHour
	if rate <= 0 || w.tasks[t].provider != provFargateSpot {
		return
	}
	hours := w.fargateSpot.ExpFloat64() / rate
	w.tasks[t].spotTimer = w.eng.At(w.eng.Now()+des.Time(hours*float64(time.Hour)), w.k.fargateSpot, t)
}

package ecs

import (
	"cmp"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/placement"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
)

// Amazon ECS Managed Instances (docs/semantics/ecs-managed-instances.md).
// ECS owns the instances of a Managed Instances capacity provider's group:
//
//   - provisioning: when tasks of the provider wait (PROVISIONING), ECS
//     launches what they need, packed first-fit decreasing (AWS re:Invent
//     2025 CNS416: "first fit descending"; the developer guide: "placing
//     multiple smaller tasks on larger instances"), each instance of the
//     candidate type with the lowest price per task it takes (choice), the
//     instances still booting counted first;
//   - idle detection: an instance without tasks for scaleInAfter is
//     deregistered and terminated;
//   - underutilized detection: an instance whose service tasks all fit in
//     the free room of the provider's other instances, scaleInAfter after
//     the task stop that made it so (the timer restarts at every task start
//     or stop there), drains: its service tasks are replaced elsewhere
//     within their deployment bounds, then it terminates;
//   - patching: every instance drains 14 days after its launch (or at the
//     event window's last start before then) and is terminated by day 21.

// miState is the world's Managed Instances state.
type miState struct {
	inst   []miInstance // by fleet index (instances of other groups stay zero)
	wanted []bool       // by provider: a provisioning pass is scheduled at this instant
	kProvision,
	kIdle, kUnder, kDrain, kDeadline des.Kind
	// scratch for the packing: needs and bins, reused
	needs []miNeed
	bins  []miBin
}

// miInstance is ECS's timers on one managed instance.
type miInstance struct {
	idle, under, drain, deadline des.Timer
	why                          string // why it is being terminated: idle, underutilized, maintenance
}

// miNeed is a count of waiting tasks of one placement spec.
type miNeed struct {
	spec   int32
	n      int
	cpu    int64
	mem    int64
	eni    bool
	ports  bool // static host ports: one per instance
	arch   string
	gpus   int
	placed int // scratch: taken by the instance being packed
}

// miBin is the room left on one instance being packed.
type miBin struct{ cpu, mem, eni int64 }

// initManagedInstances registers the event kinds (World.New).
func (w *World) initManagedInstances() {
	e := w.eng
	w.mi.wanted = make([]bool, len(w.providers))
	w.mi.kProvision = e.Register(func(_ des.Time, pi int32) { w.miProvision(int(pi)) })
	w.mi.kIdle = e.Register(w.onMIIdle)
	w.mi.kUnder = e.Register(w.onMIUnder)
	w.mi.kDrain = e.Register(w.onMIDrain)
	w.mi.kDeadline = e.Register(w.onMIDeadline)
}

// miConfig is provider pi's Managed Instances configuration, or nil.
func (w *World) miConfig(pi int) *ManagedInstancesConfig {
	if pi < firstASGProvider || pi >= len(w.providers) {
		return nil
	}
	return w.cfg.CapacityProviders[pi-firstASGProvider].ManagedInstances
}

// miOfGroup is the Managed Instances configuration of group g's provider.
func (w *World) miOfGroup(g int) *ManagedInstancesConfig {
	if g < 0 || g >= len(w.providerOfGroup) {
		return nil
	}
	return w.miConfig(w.providerOfGroup[g])
}

func (w *World) miInst(i int32) *miInstance {
	for int(i) >= len(w.mi.inst) {
		w.mi.inst = append(w.mi.inst, miInstance{})
	}
	return &w.mi.inst[i]
}

// miTasksWaiting is told a task of provider pi now waits: one provisioning
// pass runs at this instant, however many tasks wait.
func (w *World) miTasksWaiting(pi int) {
	if w.miConfig(pi) == nil || w.mi.wanted[pi] {
		return
	}
	w.mi.wanted[pi] = true
	w.eng.At(w.eng.Now(), w.mi.kProvision, int32(pi))
}

// miProvision launches the instances provider pi's waiting tasks need.
func (w *World) miProvision(pi int) {
	w.mi.wanted[pi] = false
	m := w.miConfig(pi)
	g := w.providers[pi].group
	needs := w.miWaiting(pi)
	if len(needs) == 0 {
		return
	}
	// The instances still booting take what they can first: the tasks will
	// go there when they register.
	for _, i := range w.fleet.GroupInstances(g) {
		if w.fleet.Lifecycle(i) == capacity.Pending {
			it := w.fleet.Instance(i).Type
			w.pack(it, needs, false)
			for k := range needs {
				needs[k].n -= needs[k].placed
			}
		}
	}
	types := w.cfg.Groups[g].InstanceTypes
	for left(needs) {
		best, bestPer := -1, 0.0
		for ti := range types {
			// The price per task the type has room for, of the waiting
			// shapes (largest first): a larger type holding more of them
			// leaves room for the next ones (AWS: "placing multiple
			// smaller tasks on larger instances, helping to reduce costs
			// and improve task launch times").
			n := w.pack(types[ti], needs, true)
			if n == 0 {
				continue
			}
			per := types[ti].PriceUSDPerHour / float64(n)
			if best < 0 || per < bestPer*(1-1e-9) {
				best, bestPer = ti, per
			}
		}
		if best < 0 {
			return // no candidate type can run what is left: it waits (its placement failures say why)
		}
		w.pack(types[best], needs, false)
		copies := 0
		for _, nd := range needs {
			if nd.placed > 0 && (copies == 0 || nd.n/nd.placed < copies) {
				copies = nd.n / nd.placed
			}
		}
		for range max(copies, 1) {
			if w.miLaunch(m, g, types[best]) < 0 {
				return
			}
		}
		for k := range needs {
			needs[k].n = max(needs[k].n-needs[k].placed*max(copies, 1), 0)
		}
	}
}

func left(needs []miNeed) bool {
	return slices.ContainsFunc(needs, func(n miNeed) bool { return n.n > 0 })
}

// miWaiting lists provider pi's waiting tasks by spec, largest first (CPU,
// then memory, then the spec's order): first fit decreasing.
func (w *World) miWaiting(pi int) []miNeed {
	needs := w.mi.needs[:0]
	for _, qi := range w.busyQueues {
		q := &w.queues[qi]
		if q.key.prov != pi || len(q.tasks) == q.head {
			continue
		}
		sp := &w.specs[q.key.spec]
		td := &w.cfg.TaskDefinitions[sp.def]
		needs = append(needs, miNeed{spec: q.key.spec, n: len(q.tasks) - q.head, cpu: sp.cpu, mem: sp.memMiB, eni: sp.awsvpc,
			ports: len(sp.ports) > 0 || w.distinct(sp), arch: cmp.Or(td.Platform.InstanceArch(), "x86_64"), gpus: td.GPUs()})
	}
	slices.SortStableFunc(needs, func(a, b miNeed) int {
		return cmp.Or(cmp.Compare(b.cpu, a.cpu), cmp.Compare(b.mem, a.mem), cmp.Compare(a.spec, b.spec))
	})
	w.mi.needs = needs
	return needs
}

// distinct reports a distinctInstance constraint on the spec's service:
// one of its tasks per instance, as a static host port.
func (w *World) distinct(sp *placementSpec) bool {
	name, ok := strings.CutPrefix(sp.group, "service:")
	if !ok {
		return false
	}
	return slices.ContainsFunc(w.cfg.Services[w.serviceNamed(name)].PlacementConstraints,
		func(c placement.Constraint) bool { return c.Kind == placement.DistinctInstanceConstraint })
}

// pack fills one instance of type it with the waiting tasks, first fit in
// the needs' order, setting each need's placed count; it returns how many
// tasks it took. room counts what the instance has room for instead: as
// many of each waiting shape as fit.
func (w *World) pack(it catalog.InstanceType, needs []miNeed, room bool) int {
	cpu, mem, eni := int64(it.VCPU)*1024, w.cfg.Settings.RegisteredMemoryMiB(it), int64(w.eniLimit(it))
	gpus := it.GPUs
	total := 0
	for k := range needs {
		nd := &needs[k]
		nd.placed = 0
		if nd.n <= 0 || nd.arch != it.Arch || nd.gpus > gpus {
			continue
		}
		take := int64(nd.n)
		if room {
			take = 1 << 30
		}
		if nd.cpu > 0 {
			take = min(take, cpu/nd.cpu)
		}
		if nd.mem > 0 {
			take = min(take, mem/nd.mem)
		}
		if nd.eni {
			take = min(take, eni)
		}
		if nd.ports {
			take = min(take, 1)
		}
		if nd.gpus > 0 {
			take = min(take, int64(gpus/nd.gpus))
		}
		if take <= 0 {
			continue
		}
		nd.placed = int(take)
		cpu -= take * nd.cpu
		mem -= take * nd.mem
		if nd.eni {
			eni -= take
		}
		gpus -= int(take) * nd.gpus
		total += int(take)
	}
	return total
}

// miLaunch launches one instance of it for group g in the zone with the
// fewest of the group's instances (choice: as Auto Scaling balances), and
// sets its lifecycle timers. It returns the fleet index, or -1.
func (w *World) miLaunch(m *ManagedInstancesConfig, g int, it catalog.InstanceType) int32 {
	gc := &w.cfg.Groups[g]
	per := make([]int, len(gc.AvailabilityZones))
	for _, i := range w.fleet.GroupInstances(g) {
		if l := w.fleet.Lifecycle(i); l == capacity.Pending || l == capacity.InService {
			per[w.fleet.Instance(i).AZ]++
		}
	}
	az := -1
	for z := range per {
		if !w.fleet.ZoneDown(gc.AvailabilityZones[z]) && (az < 0 || per[z] < per[az]) {
			az = z
		}
	}
	if az < 0 {
		return -1
	}
	i := w.fleet.LaunchDirect(g, it, az, m.Purchase)
	if i < 0 {
		return -1
	}
	mi := w.miInst(i)
	now := w.eng.Now()
	mi.drain = w.eng.At(now+des.At(m.maintenanceDrain(w.calendar(now))), w.mi.kDrain, i)
	mi.deadline = w.eng.At(now+des.At(m.TerminateAfter), w.mi.kDeadline, i)
	if !m.OptimizationOff {
		// Never given a task, it is idle from its registration.
		mi.idle = w.eng.At(now+des.At(gc.LaunchTime+m.ScaleInAfter), w.mi.kIdle, i)
	}
	return i
}

// miTaskPlaced is told a task was placed on instance i: it is not idle,
// and the underutilized timer restarts (AWS: "If a new task is launched ...
// during the waiting period, the timer resets").
func (w *World) miTaskPlaced(i int32) {
	m := w.miOfGroup(w.instances[i].group)
	if m == nil {
		return
	}
	mi := w.miInst(i)
	if w.instances[i].nonDaemonTasks() > 0 { // a daemon task alone keeps it idle
		w.eng.Cancel(mi.idle)
	}
	if w.eng.Active(mi.under) {
		w.eng.Cancel(mi.under)
		mi.under = w.eng.After(m.ScaleInAfter, w.mi.kUnder, i)
	}
}

// miTaskLeft is told a task left instance i: the last one starts the idle
// timer; otherwise, if the instance is now underutilized, its timer
// (re)starts.
func (w *World) miTaskLeft(i int32) {
	in := &w.instances[i]
	m := w.miOfGroup(in.group)
	if m == nil || m.OptimizationOff || in.status != InstanceActive {
		return
	}
	mi := w.miInst(i)
	w.eng.Cancel(mi.under)
	if in.nonDaemonTasks() == 0 { // daemon tasks alone leave it idle (daemon.go)
		w.eng.Cancel(mi.idle)
		mi.idle = w.eng.After(m.ScaleInAfter, w.mi.kIdle, i)
		return
	}
	if w.underutilized(i) {
		mi.under = w.eng.After(m.ScaleInAfter, w.mi.kUnder, i)
	}
}

// onMIIdle deregisters an instance still idle (AWS: the container instance
// goes DEREGISTERING and the EC2 instance terminates).
func (w *World) onMIIdle(_ des.Time, i int32) {
	if w.fleet.Lifecycle(i) != capacity.InService {
		return
	}
	if in := w.containerInstance(i); in.status == InstanceActive && in.nonDaemonTasks() == 0 {
		w.miTerminate(i, "idle")
	}
}

// onMIUnder drains an instance still underutilized, one at a time per
// provider (choice: a second waits ScaleInAfter more, as the first one's
// replacements may take the room it counted on).
func (w *World) onMIUnder(_ des.Time, i int32) {
	if w.fleet.Lifecycle(i) != capacity.InService || !w.underutilized(i) {
		return
	}
	g := w.instances[i].group
	for _, j := range w.fleet.GroupInstances(g) {
		if w.fleet.Lifecycle(j) == capacity.Terminating && w.miInst(j).why == "underutilized" {
			w.miInst(i).under = w.eng.After(w.miOfGroup(g).ScaleInAfter, w.mi.kUnder, i)
			return
		}
	}
	w.miTerminate(i, "underutilized")
}

// onMIDrain starts the patching replacement: the instance drains (its
// service tasks start elsewhere before they stop here).
func (w *World) onMIDrain(_ des.Time, i int32) {
	if l := w.fleet.Lifecycle(i); l == capacity.Pending || l == capacity.InService {
		w.miTerminate(i, "maintenance")
	}
}

// onMIDeadline is day 21: whatever still runs on the instance stops with it
// (AWS: DeregisterContainerInstance).
func (w *World) onMIDeadline(_ des.Time, i int32) {
	switch w.fleet.Lifecycle(i) {
	case capacity.Pending, capacity.InService:
		w.miTerminate(i, "maintenance")
		fallthrough
	case capacity.Terminating:
		w.fleet.Release(i)
	}
}

func (w *World) miTerminate(i int32, why string) {
	mi := w.miInst(i)
	mi.why = why
	w.eng.Cancel(mi.idle)
	w.eng.Cancel(mi.under)
	w.fleet.TerminateDirect(i, why)
}

// underutilized reports whether instance i's tasks could all move to the
// free room of its group's other ACTIVE instances (first fit decreasing,
// CPU, memory and ENIs): consolidating it takes no new instance. AWS: only
// service tasks are moved ("Instances running standalone tasks are not
// considered for optimization").
func (w *World) underutilized(i int32) bool {
	in := &w.instances[i]
	if in.status != InstanceActive || in.nonDaemonTasks() == 0 {
		return false
	}
	for _, t := range in.tasks {
		if w.tasks[t].service < 0 {
			return false
		}
	}
	bins := w.mi.bins[:0]
	for _, j := range w.fleet.GroupInstances(in.group) {
		if j == i || int(j) >= len(w.instances) {
			continue
		}
		if o := &w.instances[j]; o.known && o.status == InstanceActive {
			bins = append(bins, miBin{o.cpuFree, o.memFree, int64(o.eniFree)})
		}
	}
	w.mi.bins = bins
	if len(bins) == 0 {
		return false
	}
	tasks := slices.DeleteFunc(slices.Clone(in.tasks), w.daemonTask) // every instance has its own daemons
	slices.SortStableFunc(tasks, func(a, b int32) int {
		sa, sb := &w.specs[w.tasks[a].spec], &w.specs[w.tasks[b].spec]
		return cmp.Or(cmp.Compare(sb.cpu, sa.cpu), cmp.Compare(sb.memMiB, sa.memMiB))
	})
	for _, t := range tasks {
		sp := &w.specs[w.tasks[t].spec]
		eni := int64(0)
		if sp.awsvpc {
			eni = 1
		}
		k := slices.IndexFunc(bins, func(b miBin) bool { return b.cpu >= sp.cpu && b.mem >= sp.memMiB && b.eni >= eni })
		if k < 0 {
			return false
		}
		bins[k].cpu -= sp.cpu
		bins[k].mem -= sp.memMiB
		bins[k].eni -= eni
	}
	return true
}

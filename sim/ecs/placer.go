package ecs

import (
	"fmt"
	"slices"

	"github.com/fleetsim/fleetsim/placement"
)

// ReasonNoInstances is the failure when a provider has no registered instance.
const ReasonNoInstances = "No Container Instances were found in your capacity provider"

// Placement pools. Each Auto Scaling group's instances form the pool of the
// capacity provider using it; tasks with the EC2 launch type see every
// instance, through one more pool. An instance is in at most two pools and
// every reservation is made in each (placement.Pool keeps the per-group
// counts that spread and distinctInstance read). Pools are numbered: group
// g's is g, the EC2 launch type's is len(Config.Groups).
type pools struct {
	byGroup []*placement.Pool // per Config.Groups entry
	all     *placement.Pool   // EC2 launch type; nil when nothing uses it
	owner   [][]int32         // by pool number, by handle: the container instance
	explain *taskExplainer    // the placements to explain (explain.go); nil: none, and no cost
}

func (w *World) initPools() {
	initial := 0 // the existing fleet's instances, which register at time zero
	for i := range w.cfg.Groups {
		p := placement.NewPool()
		if g := &w.cfg.Groups[i]; !g.Direct {
			p.Grow(g.DesiredCapacity)
			initial += g.DesiredCapacity
		}
		w.pool.byGroup = append(w.pool.byGroup, p)
	}
	w.instances = slices.Grow(w.instances, initial)
	uses := func(items []StrategyItem, lt string) bool {
		return len(items) == 0 && lt != "FARGATE" && (lt == "EC2" || len(w.cfg.Cluster.DefaultProviderStrategy) == 0)
	}
	for _, s := range w.cfg.Services {
		if uses(s.ProviderStrategy, s.LaunchType) {
			w.pool.all = placement.NewPool()
		}
	}
	for _, j := range w.cfg.BatchJobs {
		if uses(j.ProviderStrategy, j.LaunchType) {
			w.pool.all = placement.NewPool()
		}
	}
	if w.pool.all != nil {
		w.pool.all.Grow(initial)
	}
	w.pool.owner = make([][]int32, len(w.cfg.Groups)+1)
}

// poolsOf lists the numbers of the pools an instance belongs to.
func (w *World) poolsOf(in *instance) (ids [2]int, n int) {
	ids[0], n = in.group, 1
	if w.pool.all != nil {
		ids[1], n = len(w.pool.byGroup), 2
	}
	return ids, n
}

// poolAt is pool number id.
func (w *World) poolAt(id int) *placement.Pool {
	if id == len(w.pool.byGroup) {
		return w.pool.all
	}
	return w.pool.byGroup[id]
}

// poolAdd registers an instance with its pools.
func (w *World) poolAdd(i int32) {
	in := &w.instances[i]
	attrs := make([]placement.Attribute, len(in.attrs))
	for k, a := range in.attrs {
		attrs[k] = placement.Attribute{Name: a.Name, Value: a.Value}
	}
	ids, n := w.poolsOf(in)
	for k, id := range ids[:n] {
		h, err := w.poolAt(id).Add(placement.Instance{
			ID: in.id, Attributes: attrs, CPUUnits: int32(in.cpuFree), MemoryMiB: int32(in.memFree),
			FreeENIs: int32(in.eniFree), GPUs: int32(in.typ.GPUs), ReservedPorts: placement.LinuxReservedPorts(),
			RegisteredAt: w.calendar(in.regAt), Active: true,
		})
		if err != nil {
			w.breach("instance %s: placement pool refused it: %v", in.id, err)
			return
		}
		in.handles[k] = h
		owners := &w.pool.owner[id]
		for int(h) >= len(*owners) {
			*owners = append(*owners, -1)
		}
		(*owners)[h] = i
	}
}

// poolDeactivate stops placement onto a draining or lost instance.
func (w *World) poolDeactivate(in *instance) {
	if in.handles[0] == placement.NoHandle {
		return
	}
	ids, n := w.poolsOf(in)
	for k, id := range ids[:n] {
		w.poolAt(id).SetActive(in.handles[k], false)
	}
}

// poolRemove takes a terminated instance out of its pools.
func (w *World) poolRemove(in *instance) {
	if in.handles[0] == placement.NoHandle {
		return
	}
	ids, n := w.poolsOf(in)
	for k, id := range ids[:n] {
		w.poolAt(id).Remove(in.handles[k])
		w.pool.owner[id][in.handles[k]] = -1
	}
	in.handles = [2]placement.Handle{placement.NoHandle, placement.NoHandle}
}

// poolSpec is the placement spec of a task spec in pool number id, built
// once.
func (w *World) poolSpec(spec int32, id int) *placement.Spec {
	sp := &w.specs[spec]
	if sp.bound == nil {
		sp.bound = make([]*placement.Spec, len(w.pool.owner))
	}
	if ps := sp.bound[id]; ps != nil {
		return ps
	}
	ps, err := w.poolAt(id).NewSpec(sp.task)
	if err != nil {
		panic(fmt.Sprintf("sim: placement spec for %s: %v (scenario not validated?)", sp.group, err))
	}
	sp.bound[id] = ps
	return ps
}

// choose picks the instance for a task on an EC2-backed provider, or returns
// -1 and, when explain is set, ECS's reason (the most frequent rejection;
// explaining costs a scan of every instance, so retries skip it).
func (w *World) choose(prov int, spec int32, explain bool) (int32, string) {
	id := len(w.pool.byGroup)
	if g := w.providers[prov].group; g >= 0 {
		id = g
	}
	p := w.poolAt(id)
	if p == nil || p.Len() == 0 {
		return -1, ReasonNoInstances
	}
	ps := w.poolSpec(spec, id)
	if h := p.Choose(ps, w.placeRand); h != placement.NoHandle {
		return w.pool.owner[id][h], ""
	}
	if !explain {
		return -1, ""
	}
	if w.pool.explain != nil {
		w.explainUnplaced(prov, id, spec)
	}
	return -1, mostFrequent(p.Explain(ps))
}

func mostFrequent(d placement.Decision) string {
	best := placement.Reason(0)
	for r := placement.ReasonCPU; r < placement.NumReasons; r++ {
		if best == 0 || d.Rejected[r] > d.Rejected[best] {
			best = r
		}
	}
	if d.Rejected[best] == 0 {
		return ReasonNoInstances
	}
	return best.String()
}

// poolReserve records a placed task in its instance's pools.
func (w *World) poolReserve(i, t int32) {
	if w.pool.explain != nil {
		w.explainPlaced(i, t) // before the pools change
	}
	in := &w.instances[i]
	ids, n := w.poolsOf(in)
	for k, id := range ids[:n] {
		if err := w.poolAt(id).Reserve(in.handles[k], w.poolSpec(w.tasks[t].spec, id)); err != nil {
			w.breach("instance %s: placement pool refused a reservation: %v", in.id, err)
		}
	}
}

// poolRelease removes a stopped task from its instance's pools.
func (w *World) poolRelease(i, t int32) {
	in := &w.instances[i]
	if in.handles[0] == placement.NoHandle {
		return
	}
	ids, n := w.poolsOf(in)
	for k, id := range ids[:n] {
		if err := w.poolAt(id).Release(in.handles[k], w.poolSpec(w.tasks[t].spec, id)); err != nil {
			w.breach("instance %s: placement pool refused a release: %v", in.id, err)
		}
	}
}

// placementTask builds placement's view of a task spec: its reservation,
// ports, ENI, group and rules. AWS defaults: a service with no strategy
// spreads over zones then instances; a RunTask task is placed randomly.
func (w *World) placementTask(sp *placementSpec, service bool, strategies []placement.Strategy, constraints []placement.Constraint) placement.Task {
	td := &w.cfg.TaskDefinitions[sp.def]
	t := placement.Task{CPUUnits: int32(sp.cpu), MemoryMiB: int32(sp.memMiB), NeedsENI: sp.awsvpc, GPUs: int32(td.GPUs()), Group: sp.group}
	for _, p := range sp.ports {
		t.HostPorts = append(t.HostPorts, uint16(p))
	}
	if td.NetworkMode == NetworkBridge {
		for _, c := range td.Containers {
			for _, pm := range c.PortMappings {
				if pm.HostPort == 0 {
					t.DynamicPorts++
				}
			}
		}
	}
	t.Strategies = slices.Clone(strategies)
	if len(t.Strategies) == 0 {
		t.Strategies = placement.DefaultRunTaskStrategies()
		if service {
			t.Strategies = placement.DefaultServiceStrategies()
		}
	}
	t.Constraints = slices.Concat(constraints, td.PlacementConstraints)
	return t
}

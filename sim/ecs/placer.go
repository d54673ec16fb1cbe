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
// counts that spread and distinctInstance read).
type pools struct {
	byGroup []*placement.Pool // per Config.Groups entry
	all     *placement.Pool   // EC2 launch type; nil when nothing uses it
	specs   map[specKey]*placement.Spec
}

type specKey struct {
	spec int32
	pool *placement.Pool
}

func (w *World) initPools() {
	w.pool.specs = map[specKey]*placement.Spec{}
	for range w.cfg.Groups {
		w.pool.byGroup = append(w.pool.byGroup, placement.NewPool())
	}
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
}

// poolsOf lists the pools an instance belongs to.
func (w *World) poolsOf(in *instance) []*placement.Pool {
	ps := []*placement.Pool{w.pool.byGroup[in.group]}
	if w.pool.all != nil {
		ps = append(ps, w.pool.all)
	}
	return ps
}

// poolAdd registers an instance with its pools.
func (w *World) poolAdd(i int32) {
	in := &w.instances[i]
	attrs := make([]placement.Attribute, len(in.attrs))
	for k, a := range in.attrs {
		attrs[k] = placement.Attribute{Name: a.Name, Value: a.Value}
	}
	for k, p := range w.poolsOf(in) {
		h, err := p.Add(placement.Instance{
			ID: in.id, Attributes: attrs, CPUUnits: int32(in.cpuFree), MemoryMiB: int32(in.memFree),
			FreeENIs: int32(in.eniFree), ReservedPorts: placement.LinuxReservedPorts(),
			RegisteredAt: w.calendar(in.regAt), Active: true,
		})
		if err != nil {
			w.breach("instance %s: placement pool refused it: %v", in.id, err)
			return
		}
		in.handles[k] = h
	}
}

// poolDeactivate stops placement onto a draining or lost instance.
func (w *World) poolDeactivate(in *instance) {
	if in.handles[0] == placement.NoHandle {
		return
	}
	for k, p := range w.poolsOf(in) {
		p.SetActive(in.handles[k], false)
	}
}

// poolRemove takes a terminated instance out of its pools.
func (w *World) poolRemove(in *instance) {
	if in.handles[0] == placement.NoHandle {
		return
	}
	for k, p := range w.poolsOf(in) {
		p.Remove(in.handles[k])
	}
	in.handles = [2]placement.Handle{placement.NoHandle, placement.NoHandle}
}

// poolSpec is the placement spec of a task spec in a pool, built once.
func (w *World) poolSpec(spec int32, p *placement.Pool) *placement.Spec {
	key := specKey{spec, p}
	if ps, ok := w.pool.specs[key]; ok {
		return ps
	}
	sp := &w.specs[spec]
	ps, err := p.NewSpec(sp.task)
	if err != nil {
		panic(fmt.Sprintf("sim: placement spec for %s: %v (scenario not validated?)", sp.group, err))
	}
	w.pool.specs[key] = ps
	return ps
}

// choose picks the instance for a task on an EC2-backed provider, or returns
// -1 and, when explain is set, ECS's reason (the most frequent rejection;
// explaining costs a scan of every instance, so retries skip it).
func (w *World) choose(prov int, spec int32, explain bool) (int32, string) {
	p := w.pool.all
	if g := w.providers[prov].group; g >= 0 {
		p = w.pool.byGroup[g]
	}
	if p == nil || p.Len() == 0 {
		return -1, ReasonNoInstances
	}
	ps := w.poolSpec(spec, p)
	if h := p.Choose(ps, w.placeRand); h != placement.NoHandle {
		return w.handleOwner(p, h), ""
	}
	if !explain {
		return -1, ""
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

// handleOwner maps a pool handle back to its instance.
func (w *World) handleOwner(p *placement.Pool, h placement.Handle) int32 {
	i, ok := w.byID[p.InstanceID(h)]
	if !ok {
		panic("sim: placement chose an unknown instance " + p.InstanceID(h))
	}
	return i
}

// poolReserve records a placed task in its instance's pools.
func (w *World) poolReserve(i, t int32) {
	in := &w.instances[i]
	for k, p := range w.poolsOf(in) {
		if err := p.Reserve(in.handles[k], w.poolSpec(w.tasks[t].spec, p)); err != nil {
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
	for k, p := range w.poolsOf(in) {
		if err := p.Release(in.handles[k], w.poolSpec(w.tasks[t].spec, p)); err != nil {
			w.breach("instance %s: placement pool refused a release: %v", in.id, err)
		}
	}
}

// placementTask builds placement's view of a task spec: its reservation,
// ports, ENI, group and rules. AWS defaults: a service with no strategy
// spreads over zones then instances; a RunTask task is placed randomly.
func (w *World) placementTask(sp *placementSpec, service bool, strategies []placement.Strategy, constraints []placement.Constraint) placement.Task {
	td := &w.cfg.TaskDefinitions[sp.def]
	t := placement.Task{CPUUnits: int32(sp.cpu), MemoryMiB: int32(sp.memMiB), NeedsENI: sp.awsvpc, Group: sp.group}
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

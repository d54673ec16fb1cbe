package ecs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Availability Zone rebalancing of a service. AWS (ECS Developer Guide,
// "Balancing an Amazon ECS service across Availability Zones",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html):
// once the service is in steady state ECS watches how many tasks run in each
// zone; on an imbalance it sends a service event that rebalancing starts,
// starts tasks in the zones with the fewest running tasks and stops tasks in
// the zones with the most, and says when the service is balanced. fleetsim
// moves one task at a time: a task pinned to the emptiest zone, and, once it
// is healthy, the newest running task of the fullest zone stops. When no
// container instance of that zone can take the task, ECS says so once
// ("unable to place a task in Availability Zone because no container
// instance met all of its requirements"; it launches no instance itself) and
// tries again the next minute.
// A zone is balanced when the counts differ by at most one (choice: AWS
// gives no threshold). AWS: CreateService defaults availabilityZoneRebalancing
// to ENABLED; it applies to services whose first placement strategy spreads
// over zones (or that give none: the default spreads over zones first).

// rebalancesZones reports whether service s takes part: enabled, and its
// first placement strategy (or the default) spreads over zones.
func (w *World) rebalancesZones(s *service) bool {
	if !s.cfg.AZRebalancing {
		return false
	}
	if len(s.cfg.PlacementStrategy) == 0 {
		return true
	}
	first := s.cfg.PlacementStrategy[0]
	return first.Kind == placement.SpreadStrategy && first.Field == "attribute:ecs.availability-zone"
}

// zoneCounts counts the service's RUNNING tasks in each zone that is up, in
// the cluster's order; ok is false unless the service is in steady state
// (its deployment completed, its desired count all running).
func (w *World) zoneCounts(s *service) (zones []string, counts []int, ok bool) {
	if s.deps[s.primary()].rollout != RolloutCompleted || s.active.n != s.desired || s.desired == 0 {
		return nil, nil, false
	}
	if w.rec.counts[s.idx][TaskRunning] != s.active.n {
		return nil, nil, false // a task is not RUNNING yet
	}
	zones, counts = w.zoneScratch.zones[:0], w.zoneScratch.counts[:0]
	for zi, z := range w.cfg.Cluster.AvailabilityZones {
		if !w.fleet.ZoneDown(z) {
			n := 0
			if zi < len(s.runningIn) {
				n = s.runningIn[zi] // the cluster's zones come first in World.zones
			}
			zones, counts = append(zones, z), append(counts, n)
		}
	}
	w.zoneScratch.zones, w.zoneScratch.counts = zones, counts
	return zones, counts, len(zones) > 1
}

// rebalanceZones runs service si's Availability Zone rebalancing for the
// minute: one move when the zones are out of balance and none is under way.
func (w *World) rebalanceZones(si int32) {
	s := &w.services[si]
	if s.rebal >= 0 { // a move under way (onSample visits w.rebalancing's services)
		return
	}
	zones, counts, ok := w.zoneCounts(s)
	if !ok {
		return
	}
	lo, hi := 0, 0
	for k, c := range counts {
		if c < counts[lo] {
			lo = k
		}
		if c > counts[hi] {
			hi = k
		}
	}
	if counts[hi]-counts[lo] <= 1 {
		if s.rebalancing {
			s.rebalancing = false
			w.serviceEvent(s, schema.ServiceRebalancing, "COMPLETED", "service ("+s.cfg.Name+") is AZ balanced with "+describeCounts(zones, counts))
		}
		return
	}
	if _, maxTotal := RollingBounds(s.desired, s.minHealthyPct, s.maxPct); s.desired+1 > maxTotal {
		return // a move needs room above desired (maximumPercent)
	}
	if !s.rebalancing {
		s.rebalancing, s.rebalStuck = true, false
		w.serviceEvent(s, schema.ServiceRebalancing, "STARTED", "service ("+s.cfg.Name+") is not AZ balanced with "+describeCounts(zones, counts)+". AZ Rebalancing in progress.")
	}
	spec := w.zoneSpec(s.spec, zones[lo])
	if !w.placeable(si, spec) {
		if !s.rebalStuck {
			s.rebalStuck = true
			w.serviceEvent(s, schema.ServiceRebalancing, "PLACEMENT_FAILURE", "service ("+s.cfg.Name+") is unable to place a task in "+zones[lo]+
				" because no container instance met all of its requirements")
		}
		return
	}
	s.rebal, s.rebalFrom = w.launchSpec(si, spec, s.primary()), zones[hi]
}

// placeable reports whether a task of spec could be placed now on the
// provider service si's next task would use (Fargate: always).
func (w *World) placeable(si, spec int32) bool {
	s := &w.services[si]
	prov := s.strategy[pickProvider(s.strategy, s.perItem)].provider
	if w.providers[prov].fargate {
		return true
	}
	in, _ := w.choose(prov, spec, false)
	return in >= 0
}

// rebalanced ends a move once its pinned task is healthy: the newest running
// task of the zone it came to relieve stops.
func (w *World) rebalanced(si, t int32) {
	s := &w.services[si]
	if s.rebal != t {
		return
	}
	s.rebal = -1
	for i := len(s.active.ts) - 1; i >= 0; i-- {
		if v := s.active.ts[i]; v >= 0 && v != t && w.tasks[v].state == TaskRunning && w.taskZone(&w.tasks[v]) == s.rebalFrom {
			w.stopTask(v, StopServiceSchedulerInitiated, fmt.Sprintf("%s has stopped 1 running tasks in %s due to AZ rebalancing", s.cfg.Name, s.rebalFrom),
				w.stopGrace(v), false)
			return
		}
	}
}

func describeCounts(zones []string, counts []int) string {
	parts := make([]string, len(zones))
	for k := range zones {
		parts[k] = fmt.Sprintf("%d tasks in %s", counts[k], zones[k])
	}
	return strings.Join(parts, ", ")
}

// zoneSpec is spec with its tasks pinned to one Availability Zone (a
// memberOf on ecs.availability-zone; Fargate takes the zone itself).
func (w *World) zoneSpec(spec int32, zone string) int32 {
	base := &w.specs[spec]
	zi := w.zoneIndex(zone)
	if zi < len(base.pinned) && base.pinned[zi] >= 0 {
		return base.pinned[zi] // made before (an unpinned spec's pinned twin is unique)
	}
	for zi >= len(base.pinned) {
		base.pinned = append(base.pinned, -1)
	}
	for i := range w.specs {
		if s := &w.specs[i]; s.def == base.def && s.group == base.group && s.cpu == base.cpu && s.memMiB == base.memMiB && s.zone == zone {
			base.pinned[zi] = int32(i)
			return int32(i)
		}
	}
	c, err := placement.ParseConstraint("memberOf", "attribute:ecs.availability-zone == "+zone)
	if err != nil {
		panic("ecs: zone constraint: " + err.Error()) // zones are validated names
	}
	pinned := *base
	pinned.zone, pinned.bound, pinned.pinned = zone, nil, nil
	pinned.task.Constraints = append(slices.Clone(base.task.Constraints), c)
	w.specs = append(w.specs, pinned)
	w.specs[spec].pinned[zi] = int32(len(w.specs) - 1)
	return int32(len(w.specs) - 1)
}

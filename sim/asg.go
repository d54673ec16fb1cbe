package sim

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sim/schema"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
)

// group is an EC2 Auto Scaling group: it keeps its in-service instances at
// its desired capacity, launching and terminating as EC2 Auto Scaling does.
type group struct {
	w            *World
	idx          int
	cfg          *GroupConfig
	provider     int     // the capacity provider using this group, or -1
	instances    []int32 // its instances not yet terminated, in launch order
	desired      int
	live, liveOD int        // in-service instances (launching or active), and how many On-Demand
	draining     int        // instances DRAINING (being terminated or not)
	liveAZ       []int      // in-service instances per zone
	spot         *rand.Rand // Spot interruption draws
	pick         *rand.Rand // termination policy's last, random step
	rotate       int        // capacity-optimized Spot: next type
}

func newGroup(w *World, i int) group {
	g := group{w: w, idx: i, cfg: &w.cfg.Groups[i], provider: -1, liveAZ: make([]int, len(w.cfg.Groups[i].AvailabilityZones)),
		spot: w.stream("group/" + w.cfg.Groups[i].Name + "/spot"),
		pick: w.stream("group/" + w.cfg.Groups[i].Name + "/terminate")}
	for pi, p := range w.providers {
		if p.group == i {
			g.provider = pi
			break
		}
	}
	return g
}

// start brings the group to its desired capacity. The instances a scenario
// starts with are its existing fleet: they are registered at time zero.
func (g *group) start() {
	g.desired = g.cfg.DesiredCapacity
	for range g.desired {
		g.launch(true)
	}
}

// inService counts instances launching or active (not draining or gone).
func (g *group) inService() (n, onDemand int) { return g.live, g.liveOD }

// count adds d to the in-service counters for an instance.
func (g *group) count(in *instance, d int) {
	g.live += d
	g.liveAZ[in.az] += d
	if in.purchase == OnDemand {
		g.liveOD += d
	}
}

// inService reports whether the instance counts in its Auto Scaling group:
// launching, active, or drained by ECS but not being terminated (AWS: an
// instance set to DRAINING stays InService in its group).
func (in *instance) inService() bool {
	return in.status == InstanceLaunching || in.status == InstanceActive || (in.status == InstanceDraining && !in.terminating)
}

// setStatus changes an instance's status and whether it is being
// terminated, keeping its group's in-service counters.
func (w *World) setStatus(i int32, s InstanceStatus, terminating bool) {
	in := &w.instances[i]
	if in.status == InstanceDeregistered {
		w.breach("instance %s: status %s after it was terminated", in.id, s)
		return
	}
	was, was0 := in.inService(), in.status
	w.tally(in, -1)
	in.status, in.terminating = s, terminating
	w.tally(in, 1)
	is := in.inService()
	g := &w.groups[in.group]
	if wasDraining, isDraining := was0 == InstanceDraining, s == InstanceDraining; wasDraining != isDraining {
		g.draining += b2i(isDraining) - b2i(wasDraining)
	}
	switch {
	case was && !is:
		g.count(in, -1)
	case !was && is:
		g.count(in, 1)
	}
}

// setDesired changes the desired capacity (clamped to min and max) and
// launches or terminates to reach it. Protected instances are never chosen
// for scale-in, so the group may stay above the new desired capacity.
func (g *group) setDesired(n int, cause string) {
	n = min(max(n, g.cfg.MinSize), g.cfg.MaxSize)
	old := g.desired
	g.desired = n
	cur, _ := g.inService()
	for ; cur < n; cur++ {
		g.launch(false)
	}
	for ; cur > n; cur-- {
		victim := g.terminationVictim()
		if victim < 0 {
			g.w.rec.groupEvent(g, schema.ScaleInProtected, fmt.Sprintf("%d kept", cur-n),
				"every remaining instance is protected from scale-in (managed termination protection keeps instances with tasks)")
			g.desired = cur
			break
		}
		g.w.terminate(victim, "scale-in")
	}
	if g.desired != old {
		g.w.rec.groupEvent(g, schema.AutoScalingGroupDesiredCapacity, fmt.Sprintf("%d->%d", old, g.desired), cause)
	}
}

// replenish launches replacements after an instance was lost, not scaled in.
func (g *group) replenish() {
	cur, _ := g.inService()
	for ; cur < g.desired; cur++ {
		g.launch(false)
	}
}

// launch starts one instance: the Availability Zone with the fewest in-service
// instances (AWS: Auto Scaling balances zones on launch), the purchase option
// the mixed instances policy asks for, and its instance type.
func (g *group) launch(initial bool) int32 {
	w := g.w
	az := g.leastLoadedAZ()
	if az < 0 {
		w.rec.groupEvent(g, schema.LaunchFailed, "", "every Availability Zone of the group is down")
		return -1
	}
	purchase := g.nextPurchase()
	it := g.instanceType(purchase)
	w.nextInstanceID++
	in := instance{
		id:        fmt.Sprintf("i-%017x", w.nextInstanceID),
		typ:       it,
		group:     g.idx,
		az:        az,
		launched:  w.eng.Now(),
		purchase:  purchase,
		protected: g.cfg.NewInstancesProtected,
		handles:   [2]placement.Handle{placement.NoHandle, placement.NoHandle},
	}
	idx := int32(len(w.instances))
	w.instances = append(w.instances, in)
	w.byID[in.id] = idx
	g.count(&w.instances[idx], 1) // launching counts as in service
	w.tally(&w.instances[idx], 1)
	g.instances = append(g.instances, idx)
	w.rec.instanceEvent(&w.instances[idx], schema.InstanceLaunch, purchase.String())
	if initial {
		w.onInstanceRegistered(w.eng.Now(), idx)
	} else {
		w.instances[idx].regTimer = w.eng.At(w.eng.Now()+des.At(g.cfg.LaunchTime), kindInstanceRegistered, idx)
	}
	if purchase == Spot && g.cfg.SpotInterruptionsPerInstHour > 0 {
		hours := g.spot.ExpFloat64() / g.cfg.SpotInterruptionsPerInstHour
		w.instances[idx].spotTimer = w.eng.At(w.eng.Now()+des.Time(hours*float64(time.Hour)), kindSpotNotice, idx)
	}
	return idx
}

// leastLoadedAZ is the zone with the fewest in-service instances among the
// zones that are up, or -1 when all are down.
func (g *group) leastLoadedAZ() int {
	counts := g.azCounts()
	best := -1
	for z, c := range counts {
		if !g.w.zoneDown(g.cfg.AvailabilityZones[z]) && (best < 0 || c < counts[best]) {
			best = z
		}
	}
	return best
}

func (g *group) azCounts() []int { return g.liveAZ }

// rebalance evens the group's zones after a zone returns: launch in the
// emptiest zone, then terminate from the fullest, while they differ by more
// than one. AWS (EC2 Auto Scaling, "AZ rebalancing").
func (g *group) rebalance() {
	for range len(g.instances) {
		counts := g.azCounts()
		lo, hi := slices.Min(counts), slices.Max(counts)
		if hi-lo <= 1 {
			return
		}
		if g.launch(false) < 0 {
			return
		}
		victim := g.terminationVictim()
		if victim < 0 {
			return
		}
		g.w.terminate(victim, "az-rebalance")
	}
}

// nextPurchase applies the instances distribution: the first
// OnDemandBaseCapacity instances are On-Demand, and of those above the base,
// OnDemandPercentageAboveBase percent are (the On-Demand count rounded up:
// choice).
func (g *group) nextPurchase() PurchaseOption {
	n, od := g.inService()
	total := n + 1
	base := min(g.cfg.OnDemandBaseCapacity, total)
	above := total - base
	wantOD := base + int(math.Ceil(float64(above)*float64(g.cfg.OnDemandPercentageAboveBase)/100))
	if od < wantOD {
		return OnDemand
	}
	return Spot
}

// instanceType chooses the type of a new instance. On-Demand takes the first
// override (the "prioritized" strategy, the On-Demand default). Spot:
// lowest-price and price-capacity-optimized take the cheapest type (fleetsim
// has no Spot capacity pools, so price decides: choice); capacity-optimized
// rotates through the types.
func (g *group) instanceType(p PurchaseOption) catalog.InstanceType {
	types := g.cfg.InstanceTypes
	if p == OnDemand || len(types) == 1 {
		return types[0]
	}
	if g.cfg.SpotAllocationStrategy == "capacity-optimized" {
		g.rotate++
		return types[(g.rotate-1)%len(types)]
	}
	best := types[0]
	for _, t := range types[1:] {
		if t.PriceUSDPerHour < best.PriceUSDPerHour {
			best = t
		}
	}
	return best
}

// terminationVictim applies the default termination policy to the
// unprotected in-service instances. AWS (EC2 Auto Scaling, "Configure
// termination policies"): (1) the Availability Zone with the most instances;
// (2) in a mixed group, the purchase option above its share; (3) launch
// configuration age (all equal here); (4) the instance closest to the next
// billing hour; (5) random. Returns -1 when every instance is protected.
func (g *group) terminationVictim() int32 {
	var cands []int32
	azCount := make([]int, len(g.cfg.AvailabilityZones))
	for _, i := range g.instances {
		in := &g.w.instances[i]
		if !in.inService() {
			continue
		}
		azCount[in.az]++
		if !g.w.isProtected(i) {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return -1
	}
	// Mixed groups choose the purchase option first, then balance zones
	// within it (AWS, "Mixed instances groups": "first identifies which of
	// the two types ... should be terminated").
	if over, ok := g.overAllocated(); ok {
		if kept := slices.DeleteFunc(slices.Clone(cands), func(i int32) bool { return g.w.instances[i].purchase != over }); len(kept) > 0 {
			cands = kept
		}
	}
	bestAZ := -1
	for _, i := range cands {
		if z := g.w.instances[i].az; bestAZ < 0 || azCount[z] > azCount[bestAZ] || (azCount[z] == azCount[bestAZ] && z < bestAZ) {
			bestAZ = z
		}
	}
	cands = slices.DeleteFunc(cands, func(i int32) bool { return g.w.instances[i].az != bestAZ })
	return g.closestToBillingHour(cands)
}

// overAllocated says which purchase option has more than its share, if any.
func (g *group) overAllocated() (PurchaseOption, bool) {
	n, od := g.inService()
	base := min(g.cfg.OnDemandBaseCapacity, n)
	wantOD := base + int(math.Ceil(float64(n-base)*float64(g.cfg.OnDemandPercentageAboveBase)/100))
	switch {
	case od > wantOD:
		return OnDemand, true
	case od < wantOD:
		return Spot, true
	}
	return OnDemand, false
}

func (g *group) closestToBillingHour(cands []int32) int32 {
	now := g.w.eng.Now()
	hour := des.At(time.Hour)
	var best []int32
	var bestLeft des.Time
	for _, i := range cands {
		left := hour - (now-g.w.instances[i].launched)%hour
		switch {
		case len(best) == 0 || left < bestLeft:
			best, bestLeft = []int32{i}, left
		case left == bestLeft:
			best = append(best, i)
		}
	}
	return best[g.pick.IntN(len(best))]
}

// isProtected reports scale-in protection: under managed termination
// protection, whether any non-daemon task runs on it; otherwise the
// instance's own protection flag. AWS (ECS,
// "Control the instances Amazon ECS terminates").
func (w *World) isProtected(i int32) bool {
	in := &w.instances[i]
	g := &w.groups[in.group]
	if g.provider >= 0 && w.cfg.CapacityProviders[g.provider-firstASGProvider].ManagedTerminationProtection {
		// ECS keeps scale-in protection on while non-daemon tasks run and
		// turns it off when the instance is empty.
		return len(in.tasks) > 0
	}
	return in.protected
}

// terminate takes an instance out of service (scale-in, rebalancing). Under
// managed draining a registered instance first drains: service tasks are
// stopped and replaced elsewhere, RunTask tasks run to completion, and the
// instance terminates when empty. Otherwise its tasks stop at once.
func (w *World) terminate(i int32, cause string) {
	in := &w.instances[i]
	if in.status == InstanceDeregistered || (in.status == InstanceDraining && in.terminating) {
		return
	}
	if in.status == InstanceLaunching {
		w.eng.Cancel(in.regTimer)
		w.finishTermination(i)
		return
	}
	g := &w.groups[in.group]
	drain := g.provider >= 0 && w.cfg.CapacityProviders[g.provider-firstASGProvider].ManagedDraining
	switch {
	case !drain:
		w.setStatus(i, InstanceDraining, true) // no replacement may land on it
		w.poolDeactivate(in)
		w.stopAllTasks(i, StopTerminationNotice, "Host EC2 (instance "+in.id+") terminated.")
		w.finishTermination(i)
	default:
		w.setStatus(i, InstanceDraining, true)
		w.drainTasks(i, cause)
	}
}

// drainTasks starts draining an instance: no new tasks; its service tasks
// are replaced elsewhere within their services' deployment bounds (stopped
// once replacements are healthy: see rollingUpdate); RunTask tasks run on.
// AWS (ECS Developer Guide, "Draining Amazon ECS container instances").
func (w *World) drainTasks(i int32, cause string) {
	in := &w.instances[i]
	w.poolDeactivate(in)
	w.rec.instanceEvent(in, schema.InstanceDraining, cause)
	var services []int32
	for _, t := range in.tasks {
		if s := w.tasks[t].service; s >= 0 && !slices.Contains(services, s) {
			services = append(services, s)
		}
	}
	for _, s := range services {
		w.reconcile(s)
	}
	if in.terminating && len(in.tasks) == 0 {
		w.finishTermination(i)
	}
}

// stopAllTasks stops every task on an instance at once (the host is gone).
func (w *World) stopAllTasks(i int32, code, reason string) {
	for _, t := range slices.Clone(w.instances[i].tasks) {
		w.stopTask(t, code, reason, 0, true)
	}
}

// finishTermination marks an instance terminated.
func (w *World) finishTermination(i int32) {
	in := &w.instances[i]
	if in.status == InstanceDeregistered {
		return
	}
	w.eng.Cancel(in.spotTimer)
	w.eng.Cancel(in.regTimer)
	w.poolRemove(in)
	w.setStatus(i, InstanceDeregistered, true)
	in.terminated = w.eng.Now()
	g := &w.groups[in.group]
	if k := slices.Index(g.instances, i); k >= 0 {
		g.instances = slices.Delete(g.instances, k, k+1) // groups hold in-service instances only
	}
	w.rec.terminated++
	w.rec.instanceEvent(in, schema.InstanceTerminated, "")
}

// onSpotNotice is EC2's two-minute Spot interruption warning. With the
// agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING the container instance drains;
// without it the agent does nothing and the tasks die at the reclaim. Either
// way the instance stays in service in its group until EC2 reclaims it
// (SpotNotice later), and ECS never terminates it early: a drained instance
// waits for the reclaim. An instance still launching never registers.
func (w *World) onSpotNotice(now des.Time, i int32) {
	in := &w.instances[i]
	if in.status == InstanceDeregistered || in.spotNoticed {
		return
	}
	in.spotNoticed = true
	w.rec.spotInterruptions++
	w.rec.instanceEvent(in, schema.SpotInterruptionNotice, "")
	switch {
	case in.status == InstanceLaunching:
		w.eng.Cancel(in.regTimer)
	case in.status == InstanceActive && w.cfg.Settings.SpotInstanceDraining:
		w.setStatus(i, InstanceDraining, false)
		w.drainTasks(i, "spot-interruption")
	}
	in.spotTimer = w.eng.At(now+des.At(w.cfg.Settings.SpotNotice), kindSpotReclaim, i)
}

// onSpotReclaim is EC2 taking the Spot instance back: every task left stops,
// the instance terminates, and the group launches its replacement (AWS:
// without Capacity Rebalancing, replacement follows the termination).
func (w *World) onSpotReclaim(now des.Time, i int32) {
	if w.instances[i].status == InstanceDeregistered {
		return // terminated meanwhile (scale-in, a failure): its timer was cancelled, this is defence only
	}
	w.setStatus(i, InstanceDraining, true)
	w.poolDeactivate(&w.instances[i])
	w.stopAllTasks(i, StopTerminationNotice, "Spot instance reclaimed")
	w.finishTermination(i)
	w.groups[w.instances[i].group].replenish()
}

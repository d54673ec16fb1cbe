package capacity

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// group is an EC2 Auto Scaling group: it keeps its counted instances at its
// desired capacity, launching and terminating as EC2 Auto Scaling does.
type group struct {
	idx          int
	cfg          *GroupConfig
	instances    []int32 // its instances not yet terminated, in launch order
	desired      int
	live, liveOD int        // counted instances (pending or in service), and how many On-Demand
	pending      int        // instances still booting
	liveAZ       []int      // counted instances per zone
	spot         *rand.Rand // Spot interruption draws
	pick         *rand.Rand // termination policy's last, random step
	rotate       int        // capacity-optimized Spot: next type
	// rebalancing pairs each instance launched to rebalance zones with the
	// one it replaces, terminated once the new one is in service.
	rebalancing map[int32]int32
	// extra counts replacements in service whose old instance could not go
	// yet (protected): the group is above desired by them until it can.
	extra int
	// scratch for terminationVictim, one victim at a time
	cands, best []int32

	pool    *warmPool       // its warm pool (warmpool.go); nil: none
	refresh *refreshRun     // an instance refresh in progress (refresh.go); nil: none
	recs    map[int32]int32 // Capacity Rebalancing: replacement -> at-risk instance (rebalance_rec.go)
}

// count adds d to the counters for an instance in its current state.
func (g *group) count(in *instance, d int) {
	if in.Lifecycle == Pending {
		g.pending += d
	}
	if !in.counts() {
		return
	}
	g.live += d
	g.liveAZ[in.AZ] += d
	if in.Purchase == OnDemand {
		g.liveOD += d
	}
}

// GroupState is a group's capacity now.
type GroupState struct {
	Desired   int
	InService int // pending or in service (AWS counts both toward desired)
	OnDemand  int // of which On-Demand
	Pending   int // of which still booting
}

// Group returns group gi's state.
func (f *Fleet) Group(gi int) GroupState {
	g := &f.groups[gi]
	return GroupState{Desired: g.desired, InService: g.live, OnDemand: g.liveOD, Pending: g.pending}
}

// GroupInstances lists group gi's instances not yet terminated, in launch
// order. The slice is the fleet's: read it, do not keep it.
func (f *Fleet) GroupInstances(gi int) []int32 { return f.groups[gi].instances }

// SetDesired changes group gi's desired capacity (clamped to min and max)
// and launches or terminates to reach it. Protected instances are never
// chosen for scale-in. AWS (EC2 Auto Scaling, "Use instance scale-in
// protection"): "If all instances in an Auto Scaling group are protected from
// scale in, and a scale-in event occurs, its desired capacity is
// decremented. However, the Auto Scaling group can't terminate the required
// number of instances until their instance scale-in protection settings are
// disabled": desired takes the new value, a ScaleInProtected event says how
// many are kept, and ProtectionLifted terminates them as protection lifts.
func (f *Fleet) SetDesired(gi, n int, cause string) {
	g := &f.groups[gi]
	if g.cfg.Direct {
		return // no desired capacity: the orchestrator launches each instance
	}
	n = min(max(n, g.cfg.MinSize), g.cfg.MaxSize)
	old := g.desired
	g.desired = n
	for cur := g.live; cur < n; cur++ {
		f.launch(g, false)
	}
	if kept := f.shrink(g, "scale-in"); kept > 0 {
		f.event(schema.ScaleInProtected, g.cfg.Name, g.cfg.Name, fmt.Sprintf("%d kept", kept),
			"Could not scale to desired capacity because all remaining instances are protected from scale-in", "")
	}
	f.fillWarmPool(g, false) // the warm pool follows desired capacity (warmpool.go)
	if g.desired != old {
		f.event(schema.AutoScalingGroupDesiredCapacity, g.cfg.Name, g.cfg.Name, fmt.Sprintf("%d->%d", old, g.desired), cause, "")
	}
}

// shrink terminates instances of g, by the termination policy, until its
// counted instances are down to its desired capacity or every one left is
// protected; it returns how many above desired it had to keep.
//
// The unprotected instances are found once: terminating one cannot make
// another unprotected or counted (an orchestrator's reaction, as tasks
// move, can only protect more), so each later victim is chosen from what
// is left of that list, asked again (victimList).
func (f *Fleet) shrink(g *group, cause string) int {
	vl := victimList{}
	for g.live > g.desired {
		victim := g.terminationVictim(f, &vl)
		if victim < 0 {
			return g.live - g.desired
		}
		f.terminate(victim, cause)
	}
	return 0
}

// victimList is the counted, unprotected instances of a group, in its
// order, kept across the victims of one scale-in. Entries may go stale as
// the scale-in goes on (a victim no longer counts; an orchestrator's
// reaction protects an instance): terminationVictim checks the ones it
// would choose among, not the whole list each time (which made a scale-in
// of k instances from n cost k x n asks of the orchestrator).
type victimList struct {
	cands []int32
	made  bool
}

// make lists the counted, unprotected instances, once.
func (vl *victimList) make(f *Fleet, g *group) {
	if vl.made {
		return
	}
	vl.made = true
	for _, i := range g.instances {
		if f.victimOK(i) {
			vl.cands = append(vl.cands, i)
		}
	}
}

// victimOK reports whether instance i may be scaled in: counted and not
// protected.
func (f *Fleet) victimOK(i int32) bool {
	return f.instances[i].counts() && !f.orch.ScaleInProtected(i)
}

// ProtectionLifted is the orchestrator saying that instance i's scale-in
// protection may have lifted (ECS's managed termination protection turns it
// off when the instance runs no task): a group kept above its desired
// capacity by protection terminates what it now may.
func (f *Fleet) ProtectionLifted(i int32) {
	g := &f.groups[f.instances[i].Group]
	if g.cfg.Direct || g.live <= g.desired {
		return
	}
	if g.extra > 0 {
		g.trimFullest(f) // above desired from a rebalancing: only from the fullest zones
		return
	}
	f.shrink(g, "scale-in")
}

// replenish launches replacements after an instance was lost, not scaled in.
func (g *group) replenish(f *Fleet) {
	if g.cfg.Direct {
		return // nothing replaces a directly launched instance but its orchestrator
	}
	for cur := g.live; cur < g.desired; cur++ {
		f.launch(g, false)
	}
}

// leastLoadedAZ is the zone with the fewest counted instances among the
// zones that are up, or -1 when all are down.
func (g *group) leastLoadedAZ(f *Fleet) int {
	best := -1
	for z, c := range g.liveAZ {
		if !f.ZoneDown(g.cfg.AvailabilityZones[z]) && (best < 0 || c < g.liveAZ[best]) {
			best = z
		}
	}
	return best
}

// rebalance evens the group's zones, after a zone returns. AWS (EC2 Auto
// Scaling, "Rebalancing activities"): the group launches new instances in
// the zones with too few before it terminates old ones in the zones with
// too many, "so that rebalancing does not compromise the performance or
// availability of your application"; it may exceed its maximum capacity by
// "a 10 percent margin (or by a margin of one instance, whichever is
// greater)" meanwhile; and it does not terminate instances protected from
// scale-in. Each replacement's old instance is terminated when the new one
// is in service (onRegister), and rebalancing then goes on. When the
// fullest zones hold only protected instances (managed termination
// protection keeps busy ones), the new instance is launched all the same
// and the group stays above desired until protection lifts on an instance
// there (ProtectionLifted terminates it): the orchestrator can move work to
// the new capacity meanwhile (ECS's service Availability Zone rebalancing).
func (g *group) rebalance(f *Fleet) {
	if g.cfg.Direct {
		return
	}
	margin := max(int(math.Ceil(float64(g.cfg.MaxSize)*0.1)), 1)
	for {
		eff := g.plannedAZ(f)
		lo, hi := slices.Min(eff), slices.Max(eff)
		if hi-lo <= 1 || g.live+1 > g.cfg.MaxSize+margin {
			return
		}
		victim := g.rebalanceVictim(f, eff, hi) // -1: none may go yet
		fresh := f.launch(g, false)
		if fresh < 0 {
			return
		}
		if f.instances[fresh].Lifecycle == Terminated {
			return // interrupted or failed at once: nothing to wait for
		}
		if g.rebalancing == nil {
			g.rebalancing = map[int32]int32{}
		}
		g.rebalancing[fresh] = victim
	}
}

// plannedAZ is the group's counted instances per zone once the rebalancing
// under way is done: those being replaced are gone, and each replacement
// still waiting for a victim takes one from the fullest zone.
func (g *group) plannedAZ(f *Fleet) []int {
	eff := slices.Clone(g.liveAZ)
	waiting := g.extra
	for _, old := range g.rebalancing {
		if old >= 0 {
			eff[f.instances[old].AZ]--
		} else {
			waiting++
		}
	}
	for range waiting {
		eff[slices.Index(eff, slices.Max(eff))]--
	}
	return eff
}

// rebalanceVictim is the instance a rebalancing launch replaces: an
// unprotected, counted instance of a zone holding hi instances, not being
// replaced already, chosen by the termination policy's last steps.
func (g *group) rebalanceVictim(f *Fleet, eff []int, hi int) int32 {
	var cands []int32
	for _, i := range g.instances {
		in := &f.instances[i]
		if !in.counts() || eff[in.AZ] != hi || f.orch.ScaleInProtected(i) {
			continue
		}
		if _, fresh := g.rebalancing[i]; fresh || g.replacing(i) {
			continue
		}
		cands = append(cands, i)
	}
	if len(cands) == 0 {
		return -1
	}
	return g.closestToBillingHour(f, cands)
}

// replacing reports whether instance i is already to be replaced.
func (g *group) replacing(i int32) bool {
	for _, old := range g.rebalancing {
		if old == i && old >= 0 {
			return true
		}
	}
	return false
}

// rebalanced ends a rebalancing replacement: fresh is in service (or gone),
// so the instance it replaces goes, unless it is protected now.
func (g *group) rebalanced(f *Fleet, fresh int32) {
	old, ok := g.rebalancing[fresh]
	if !ok {
		return
	}
	delete(g.rebalancing, fresh)
	if f.instances[fresh].Lifecycle != InService {
		return // the new instance failed: the old one stays
	}
	if in := &f.instances[max(old, 0)]; old >= 0 && in.counts() && !f.orch.ScaleInProtected(old) {
		f.terminate(old, "az-rebalance")
	} else {
		g.extra++
		g.trimFullest(f)
	}
	g.rebalance(f)
}

// trimFullest terminates, for each replacement still waiting for its old
// instance to go, an unprotected instance of the fullest zone, never one of
// the zones being filled, while the group is above desired.
func (g *group) trimFullest(f *Fleet) {
	for g.extra > 0 && g.live > g.desired {
		victim := g.rebalanceVictim(f, g.liveAZ, slices.Max(g.liveAZ))
		if victim < 0 {
			return
		}
		g.extra--
		f.terminate(victim, "az-rebalance")
	}
	if g.live <= g.desired {
		g.extra = 0
	}
}

// nextPurchase applies the instances distribution: the first
// OnDemandBaseCapacity instances are On-Demand, and of those above the base,
// OnDemandPercentageAboveBase percent are (the On-Demand count rounded up,
// AWS: "in favor of On-Demand Instances").
func (g *group) nextPurchase() PurchaseOption {
	total := g.live + 1
	base := min(g.cfg.OnDemandBaseCapacity, total)
	wantOD := base + int(math.Ceil(float64(total-base)*float64(g.cfg.OnDemandPercentageAboveBase)/100))
	if g.liveOD < wantOD {
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
// unprotected counted instances. AWS (EC2 Auto Scaling, "Configure
// termination policies"): (1) in a mixed group, the purchase option above
// its share; (2) the Availability Zone with the most instances; (3) launch
// template age (all equal here); (4) the instance closest to the next
// billing hour; (5) random. Returns -1 when every instance is protected.
//
// The list may hold stale entries; the choice is made over it and stands
// when every instance tied for it is still a valid victim, else those
// that are not leave the list and the choice is made again. That is the
// choice over the valid entries alone: the stale ones can only add zones
// and instances, and a choice whose ties are all valid has a zone and a
// billing minimum that valid instances reach (none of which can become a
// victim again within one scale-in: terminating cannot unprotect).
func (g *group) terminationVictim(f *Fleet, vl *victimList) int32 {
	vl.make(f, g)
	for len(vl.cands) > 0 {
		best := g.victimTies(f, vl.cands)
		if !slices.ContainsFunc(best, func(i int32) bool { return !f.victimOK(i) }) {
			v := best[g.pick.IntN(len(best))]
			k := slices.Index(vl.cands, v) // it goes now: off the list
			vl.cands = slices.Delete(vl.cands, k, k+1)
			return v
		}
		vl.cands = slices.DeleteFunc(vl.cands, func(i int32) bool { return slices.Contains(best, i) && !f.victimOK(i) })
	}
	return -1
}

// victimTies applies the termination policy's steps (1)-(4) to the listed
// instances: those tied for termination, in list order (step 5 draws one).
func (g *group) victimTies(f *Fleet, list []int32) []int32 {
	cands := append(g.cands[:0], list...)
	defer func() { g.cands = cands[:0] }()
	azCount := g.liveAZ // counted instances per zone
	// Mixed groups choose the purchase option first, then balance zones
	// within it (AWS, "Mixed instances groups": "first identifies which of
	// the two types ... should be terminated").
	if over, ok := g.overAllocated(); ok {
		if kept := slices.DeleteFunc(slices.Clone(cands), func(i int32) bool { return f.instances[i].Purchase != over }); len(kept) > 0 {
			cands = kept
		}
	}
	bestAZ := -1
	for _, i := range cands {
		if z := f.instances[i].AZ; bestAZ < 0 || azCount[z] > azCount[bestAZ] || (azCount[z] == azCount[bestAZ] && z < bestAZ) {
			bestAZ = z
		}
	}
	cands = slices.DeleteFunc(cands, func(i int32) bool { return f.instances[i].AZ != bestAZ })
	return g.billingTies(f, cands)
}

// overAllocated says which purchase option the next termination should take:
// the split is computed for the group's size after it, rounded in favour of
// On-Demand, as on launch. AWS (EC2 Auto Scaling, "Auto Scaling groups with
// multiple instance types and purchase options"): the group "first
// identifies which of the two types (Spot or On-Demand) should be
// terminated", so that it keeps its distribution at the new size. With 50%
// On-Demand, 2 + 2 going to 3 keeps ceil(3 x 0.5) = 2 On-Demand: a Spot
// instance goes.
func (g *group) overAllocated() (PurchaseOption, bool) {
	after := g.live - 1
	if after < 0 {
		return OnDemand, false
	}
	base := min(g.cfg.OnDemandBaseCapacity, after)
	wantOD := base + int(math.Ceil(float64(after-base)*float64(g.cfg.OnDemandPercentageAboveBase)/100))
	switch {
	case g.liveOD > wantOD:
		return OnDemand, true
	case g.live-g.liveOD > after-wantOD:
		return Spot, true
	}
	return OnDemand, false
}

func (g *group) closestToBillingHour(f *Fleet, cands []int32) int32 {
	best := g.billingTies(f, cands)
	return best[g.pick.IntN(len(best))]
}

// billingTies is the instances of cands closest to their next billing hour,
// in cands' order: the last step's ties before the draw. The slice is the
// group's scratch, valid until the next call.
func (g *group) billingTies(f *Fleet, cands []int32) []int32 {
	now := f.eng.Now()
	hour := des.At(time.Hour)
	best := g.best[:0]
	defer func() { g.best = best[:0] }() // keeps the room; best is returned as it is
	var bestLeft des.Time
	for _, i := range cands {
		left := hour - (now-f.instances[i].Launched)%hour
		switch {
		case len(best) == 0 || left < bestLeft:
			best, bestLeft = append(best[:0], i), left
		case left == bestLeft:
			best = append(best, i)
		}
	}
	return best
}

// GroupConfig returns a copy of group gi's configuration (the Cluster
// Autoscaler reads a group's instance types, zones and size limits).
func (f *Fleet) GroupConfig(gi int) GroupConfig { return *f.groups[gi].cfg }

// TerminateInstanceInGroup terminates instance i and lowers its group's
// desired capacity by one, as EC2 Auto Scaling's
// TerminateInstanceInAutoScalingGroup with ShouldDecrementDesiredCapacity
// does (what the Cluster Autoscaler calls to delete a node): no replacement
// is launched. AWS refuses the call when the decrement would take desired
// below the group's minimum; so does this, returning false, as it does for
// an instance already terminating or gone, or of a direct group.
func (f *Fleet) TerminateInstanceInGroup(i int32, cause string) bool {
	in := &f.instances[i]
	g := &f.groups[in.Group]
	if g.cfg.Direct || !in.counts() || g.desired-1 < g.cfg.MinSize {
		return false
	}
	old := g.desired
	g.desired--
	f.event(schema.AutoScalingGroupDesiredCapacity, g.cfg.Name, g.cfg.Name, fmt.Sprintf("%d->%d", old, g.desired), cause, "")
	f.terminate(i, cause)
	return true
}

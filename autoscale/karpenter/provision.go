package karpenter

import (
	"cmp"
	"slices"
	"sort"
	"strings"
)

// Problem is what the provisioner sees: the NodePools, the instance types
// (the same list for every pool: the pools' requirements filter it), the
// pending pods grouped by shape, and each pool's nodes' capacity in use
// (for its limits).
type Problem struct {
	Pools  []NodePool
	Types  []InstanceType
	Shapes []Shape
	// InUse is, by pool index, the capacity of the pool's nodes (and the
	// NodeClaims in flight): limits count capacity, not requests.
	InUse []Resources
}

// ShapeCount is a number of pods of one shape.
type ShapeCount struct{ Shape, Count int }

// Launch is one NodeClaim to create: its NodePool, the flexible list of
// instance types (cheapest first, at most MaxInstanceTypes) that hold all
// its pods, and the launch EC2 Fleet makes of it: the type, zone and
// capacity type and price of the offering chosen.
type Launch struct {
	Pool            int
	Options         []int // indexes into Problem.Types
	Type            int
	Zone            string
	Capacity        CapacityType
	PriceUSDPerHour float64
	Pods            []ShapeCount
	Requests        Resources // the pods' (not the DaemonSets')
}

// Plan is Provision's answer.
type Plan struct {
	Launches []Launch
	// Unschedulable are the pods no NodePool can take (requirements,
	// taints, limits, no type large enough).
	Unschedulable []ShapeCount
}

// claim is a NodeClaim being built.
type claim struct {
	pool    int
	options []int
	used    Resources
	pods    []ShapeCount
	npods   int
	// reqs are the requirements of its pods, one copy of each distinct
	// set (sigs names them): every option and the launch's offering must
	// satisfy them all (scheduling/nodeclaim.go CanAdd adds each pod's
	// requirements to the NodeClaim's).
	reqs []Requirement
	sigs []string
	// room and floor are the largest and the smallest free capacity among
	// the options, per resource: pods that do not fit room fit no option
	// (a quick rejection); pods that fit floor fit every option (nothing
	// to filter).
	room, floor Resources
}

type solver struct {
	p       *Problem
	order   []int     // pools by weight, highest first
	poolOK  [][]bool  // pool -> type: the pool's requirements admit it in some available offering
	shapeOK [][][]int // shape -> pool -> types admitted by both, large enough for one pod
	sigs    []string
	remain  []Resources // per pool: limit - in use (negative limit: none)
	claims  []claim
	// inflight is Karpenter's newNodeClaims: the claims in the order the
	// scheduler last sorted them (fewest pods first, sort.Slice), which
	// decides the claim a pod joins.
	inflight []int
	noLimitC []bool
	noLimitM []bool
}

func newSolver(p *Problem) *solver {
	s := &solver{p: p}
	for i := range p.Pools {
		s.order = append(s.order, i)
	}
	// NodePools are tried by weight, highest first (concepts/scheduling:
	// "the NodePool with the highest weight"); equal weights by name,
	// descending (kubernetes-sigs/karpenter pkg/utils/nodepool
	// OrderByWeight: "return nps[a].Name > nps[b].Name").
	slices.SortStableFunc(s.order, func(a, b int) int {
		if c := cmp.Compare(p.Pools[b].Weight, p.Pools[a].Weight); c != 0 {
			return c
		}
		return strings.Compare(p.Pools[b].Name, p.Pools[a].Name)
	})
	s.poolOK = make([][]bool, len(p.Pools))
	s.remain = make([]Resources, len(p.Pools))
	s.noLimitC, s.noLimitM = make([]bool, len(p.Pools)), make([]bool, len(p.Pools))
	for pi := range p.Pools {
		np := &p.Pools[pi]
		ok := make([]bool, len(p.Types))
		for ti := range p.Types {
			t := &p.Types[ti]
			if !typeAllowed(t, np.Requirements) {
				continue
			}
			for oi := range t.Offerings {
				if o := &t.Offerings[oi]; o.Available && offeringAllowed(o, np.Requirements) {
					ok[ti] = true
					break
				}
			}
		}
		s.poolOK[pi] = ok
		var used Resources
		if pi < len(p.InUse) {
			used = p.InUse[pi]
		}
		s.remain[pi] = Resources{MilliCPU: np.LimitMilliCPU - used.MilliCPU, MemoryBytes: np.LimitMemoryBytes - used.MemoryBytes}
		s.noLimitC[pi], s.noLimitM[pi] = np.LimitMilliCPU < 0, np.LimitMemoryBytes < 0
	}
	s.shapeOK = make([][][]int, len(p.Shapes))
	s.sigs = make([]string, len(p.Shapes))
	for si := range p.Shapes {
		sh := &p.Shapes[si]
		s.sigs[si] = signature(sh.Requirements)
		s.shapeOK[si] = make([][]int, len(p.Pools))
		for pi := range p.Pools {
			if pi >= len(sh.Pools) || !sh.Pools[pi] {
				continue
			}
			for ti := range p.Types {
				t := &p.Types[ti]
				if !s.poolOK[pi][ti] || !typeAllowed(t, sh.Requirements) ||
					!sh.Requests.fits(s.free(pi, ti)) || s.offering(pi, ti, sh.Requirements, -1) < 0 {
					continue
				}
				s.shapeOK[si][pi] = append(s.shapeOK[si][pi], ti)
			}
		}
	}
	return s
}

// signature names a set of pod requirements, so that a claim keeps one
// copy of each distinct set.
func signature(reqs []Requirement) string {
	var b strings.Builder
	for _, r := range reqs {
		b.WriteString(r.Key)
		b.WriteByte(byte('0' + r.Operator))
		b.WriteString(strings.Join(r.Values, ","))
		b.WriteByte(';')
	}
	return b.String()
}

// free is what a node of type ti in pool pi offers pods: allocatable less
// the pool's DaemonSet overhead.
func (s *solver) free(pi, ti int) Resources {
	return s.p.Types[ti].Allocatable.add(s.p.Pools[pi].Overhead, -1)
}

// offering is the index of the cheapest available offering of type ti that
// pool pi's requirements and reqs admit, of capacity type ct (-1: any); -1
// when none.
func (s *solver) offering(pi, ti int, reqs []Requirement, ct int) int {
	t := &s.p.Types[ti]
	best := -1
	for oi := range t.Offerings {
		o := &t.Offerings[oi]
		if !o.Available || (ct >= 0 && int(o.Capacity) != ct) || !offeringAllowed(o, s.p.Pools[pi].Requirements) || !offeringAllowed(o, reqs) {
			continue
		}
		if best < 0 || o.PriceUSDPerHour < t.Offerings[best].PriceUSDPerHour {
			best = oi
		}
	}
	return best
}

// withinLimits reports whether a node of type ti fits what is left of pool
// pi's limits.
func (s *solver) withinLimits(pi, ti int) bool {
	c := s.p.Types[ti].Capacity
	return (s.noLimitC[pi] || c.MilliCPU <= s.remain[pi].MilliCPU) && (s.noLimitM[pi] || c.MemoryBytes <= s.remain[pi].MemoryBytes)
}

// Provision plans the NodeClaims for the pending pods of p as Karpenter's
// scheduler does (pkg/controllers/provisioning/scheduling): the pods, the
// largest first (CPU, then memory: queue.go's order), one at a time, go
// onto the first planned NodeClaim that still holds them, the claims tried
// fewest pods first (scheduler.go add sorts newNodeClaims by len(Pods)),
// else onto a new one from the first NodePool (by weight) whose types hold
// them within its limits. A pod joins a claim when some option holds the
// claim's pods and it together, under the pool's, the claim's pods' and its
// own requirements. A NodeClaim keeps every type that holds all its pods;
// the launch takes the cheapest offering (On-Demand: lowest-price), Spot
// when the pool allows it (price-capacity-optimized).
func Provision(p *Problem) Plan {
	s := newSolver(p)
	var plan Plan
	for _, si := range shapeOrder(p.Shapes) {
		if left := s.place(si, p.Shapes[si].Count); left > 0 {
			plan.Unschedulable = append(plan.Unschedulable, ShapeCount{si, left})
		}
	}
	for ci := range s.claims {
		if l, ok := s.launch(&s.claims[ci], -1); ok {
			plan.Launches = append(plan.Launches, l)
		}
	}
	return plan
}

// shapeOrder sorts shapes as Karpenter's queue sorts pods: CPU requests
// descending, then memory descending, then input order.
func shapeOrder(shapes []Shape) []int {
	out := make([]int, len(shapes))
	for i := range out {
		out[i] = i
	}
	slices.SortStableFunc(out, func(a, b int) int {
		ra, rb := shapes[a].Requests, shapes[b].Requests
		if c := cmp.Compare(rb.MilliCPU, ra.MilliCPU); c != 0 {
			return c
		}
		return cmp.Compare(rb.MemoryBytes, ra.MemoryBytes)
	})
	return out
}

// place puts n pods of shape si on claims, one at a time, returning how
// many are left. A pod that fits no claim and no new one ends the shape:
// its twins would fail the same way, and the scheduler's sort of an
// unchanged, sorted list moves nothing.
func (s *solver) place(si, n int) int {
	left := n
	for left > 0 {
		// scheduler.go add: sort.Slice(s.newNodeClaims, len(Pods) a < b)
		// before each pod; the same unstable sort on the same sequence
		// gives the same order. On a list already in order sort.Slice
		// moves nothing (pdqsort's partial insertion sort returns at
		// once), so the call is skipped then.
		if !s.inflightSorted() {
			sort.Slice(s.inflight, func(a, b int) bool {
				return s.claims[s.inflight[a]].npods < s.claims[s.inflight[b]].npods
			})
		}
		placed := false
		for _, ci := range s.inflight {
			if s.addOne(ci, si) {
				placed = true
				break
			}
		}
		if !placed && !s.newClaim(si) {
			break
		}
		left--
	}
	return left
}

func (s *solver) inflightSorted() bool {
	for k := 1; k < len(s.inflight); k++ {
		if s.claims[s.inflight[k]].npods < s.claims[s.inflight[k-1]].npods {
			return false
		}
	}
	return true
}

// newClaim opens a NodeClaim for one pod of shape si in the first pool (by
// weight) that has types holding it within the pool's limits
// (addToNewNodeClaim: filterByRemainingResources, then CanAdd). The pool's
// limits lose the largest capacity among the claim's options after that
// first pod (subtractMax: "pessimistically assume ... the 8 CPU instance
// type is all that will be available").
func (s *solver) newClaim(si int) bool {
	for _, pi := range s.order {
		ok := s.shapeOK[si][pi]
		if len(ok) == 0 {
			continue
		}
		c := claim{pool: pi}
		for _, ti := range ok {
			if s.withinLimits(pi, ti) {
				c.options = append(c.options, ti)
			}
		}
		if len(c.options) == 0 {
			continue // every type the pod fits would breach the limits
		}
		s.claims = append(s.claims, c)
		ci := len(s.claims) - 1
		s.setRoom(&s.claims[ci])
		if !s.addOne(ci, si) {
			s.claims = s.claims[:ci]
			continue
		}
		var mc, mm int64
		for _, ti := range s.claims[ci].options {
			mc, mm = max(mc, s.p.Types[ti].Capacity.MilliCPU), max(mm, s.p.Types[ti].Capacity.MemoryBytes)
		}
		s.remain[pi].MilliCPU -= mc
		s.remain[pi].MemoryBytes -= mm
		s.inflight = append(s.inflight, ci)
		return true
	}
	return false
}

func (s *solver) setRoom(c *claim) {
	c.room = Resources{}
	for k, ti := range c.options {
		f := s.free(c.pool, ti)
		c.room = Resources{max(c.room.MilliCPU, f.MilliCPU), max(c.room.MemoryBytes, f.MemoryBytes), max(c.room.Pods, f.Pods)}
		if k == 0 {
			c.floor = f
		}
		c.floor = Resources{min(c.floor.MilliCPU, f.MilliCPU), min(c.floor.MemoryBytes, f.MemoryBytes), min(c.floor.Pods, f.Pods)}
	}
}

// addOne puts one pod of shape si on claim ci when the claim's pool admits
// the shape and an option holds the pod with the claim's pods under all
// their requirements, keeping the options that do.
func (s *solver) addOne(ci, si int) bool {
	c := &s.claims[ci]
	if len(s.shapeOK[si][c.pool]) == 0 {
		return false // the pool does not admit the shape, or no type of it holds one pod
	}
	sh := &s.p.Shapes[si]
	used := c.used.add(sh.Requests, 1)
	if !used.fits(c.room) {
		return false
	}
	newReqs := !slices.Contains(c.sigs, s.sigs[si])
	if !newReqs && used.fits(c.floor) {
		// Every option already satisfies these requirements (they are
		// the claim's) and holds the pods: the options stay as they are.
		s.count(c, si, used)
		return true
	}
	reqs := c.reqs
	if newReqs {
		reqs = append(slices.Clip(c.reqs), sh.Requirements...)
	}
	// The options are the pool's types that held the claim's pods under
	// their requirements: an option stays when it holds this pod too and,
	// for requirements new to the claim, satisfies them with the others.
	keep := func(ti int) bool {
		return used.fits(s.free(c.pool, ti)) &&
			(!newReqs || (typeAllowed(&s.p.Types[ti], reqs) && s.offering(c.pool, ti, reqs, -1) >= 0))
	}
	if !slices.ContainsFunc(c.options, keep) {
		return false
	}
	c.options = slices.DeleteFunc(c.options, func(ti int) bool { return !keep(ti) })
	if newReqs {
		c.reqs = reqs
		c.sigs = append(c.sigs, s.sigs[si])
	}
	s.count(c, si, used)
	s.setRoom(c)
	return true
}

// count records one more pod of shape si on c, which now uses used.
func (s *solver) count(c *claim, si int, used Resources) {
	c.used = used
	c.npods++
	if m := len(c.pods); m > 0 && c.pods[m-1].Shape == si {
		c.pods[m-1].Count++
	} else {
		c.pods = append(c.pods, ShapeCount{si, 1})
	}
}

// launch finalises a claim: its options by price (the cheapest offering
// each type has under the pods' requirements), at most MaxInstanceTypes,
// only those cheaper than below when below >= 0 (a consolidation's
// replacement); then the offering EC2 Fleet launches.
func (s *solver) launch(c *claim, below float64) (Launch, bool) {
	reqs := c.reqs
	type opt struct {
		ti    int
		price float64
	}
	var opts []opt
	for _, ti := range c.options {
		oi := s.offering(c.pool, ti, reqs, -1)
		if oi < 0 {
			continue
		}
		pr := s.p.Types[ti].Offerings[oi].PriceUSDPerHour
		if below >= 0 && pr >= below {
			continue
		}
		opts = append(opts, opt{ti, pr})
	}
	if len(opts) == 0 {
		return Launch{}, false
	}
	slices.SortStableFunc(opts, func(a, b opt) int { return cmp.Compare(a.price, b.price) })
	if len(opts) > MaxInstanceTypes {
		opts = opts[:MaxInstanceTypes]
	}
	l := Launch{Pool: c.pool, Pods: slices.Clone(c.pods), Requests: c.used, Type: -1}
	for _, o := range opts {
		l.Options = append(l.Options, o.ti)
	}
	// Spot when the pool and pods allow it and an option has a Spot
	// offering (Karpenter prefers Spot when both capacity types are allowed).
	if !s.choose(&l, reqs, Spot, below) {
		s.choose(&l, reqs, OnDemand, below)
	}
	return l, l.Type >= 0
}

// choose picks the offering EC2 Fleet launches among l's options of
// capacity type ct: On-Demand lowest-price; Spot price-capacity-optimized,
// modelled as the cheapest offering among the pools at least half as deep
// as the deepest (Offering.Depth; all pools equally deep when unknown).
func (s *solver) choose(l *Launch, reqs []Requirement, ct CapacityType, below float64) bool {
	type cand struct {
		ti, oi int
	}
	var cands []cand
	deepest := 0
	for _, ti := range l.Options {
		t := &s.p.Types[ti]
		for oi := range t.Offerings {
			o := &t.Offerings[oi]
			if !o.Available || o.Capacity != ct || !offeringAllowed(o, s.p.Pools[l.Pool].Requirements) || !offeringAllowed(o, reqs) {
				continue
			}
			if below >= 0 && o.PriceUSDPerHour >= below {
				continue
			}
			cands = append(cands, cand{ti, oi})
			deepest = max(deepest, o.Depth)
		}
	}
	best := -1
	for k, c := range cands {
		o := &s.p.Types[c.ti].Offerings[c.oi]
		if ct == Spot && 2*o.Depth < deepest {
			continue
		}
		if best < 0 || o.PriceUSDPerHour < s.p.Types[cands[best].ti].Offerings[cands[best].oi].PriceUSDPerHour {
			best = k
		}
	}
	if best < 0 {
		return false
	}
	o := &s.p.Types[cands[best].ti].Offerings[cands[best].oi]
	l.Type, l.Zone, l.Capacity, l.PriceUSDPerHour = cands[best].ti, o.Zone, o.Capacity, o.PriceUSDPerHour
	return true
}

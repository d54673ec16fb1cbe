package karpenter

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Node is an existing node a NodePool launched, as disruption sees it.
type Node struct {
	Pool            int
	Type            int // index into Problem.Types
	Zone            string
	Capacity        CapacityType
	PriceUSDPerHour float64
	// Pods are its reschedulable pods (not DaemonSet pods), by shape.
	Pods []ShapeCount
	// Held is what pods that are not moved still take on the node: pods
	// terminating (their grace period running) keep their requests, for
	// kube-scheduler as for Karpenter's cluster state, until they are gone.
	Held Resources
	// Created is the NodeClaim's creation; LastPodEvent the last pod bound
	// or removed (its initialization when none), both as run offsets.
	Created, LastPodEvent time.Duration
	// DoNotDisrupt: the node or one of its pods has karpenter.sh/do-not-
	// disrupt: "true". Blocked: a PodDisruptionBudget refuses an eviction
	// now. Both keep the node out of voluntary disruption.
	DoNotDisrupt, Blocked bool
	// Disrupting: marked for deletion, or not Ready: it counts against the
	// budgets and takes no pods.
	Disrupting bool
	// Nominated: pods are nominated to it (a NodeClaim just initialized,
	// within the nomination period): not a candidate.
	Nominated bool
}

// DisruptProblem is the cluster at one disruption poll. Problem.Shapes
// describes the nodes' pods (Count unused); Problem.InUse the pools' use.
type DisruptProblem struct {
	Problem
	Nodes []Node
	Now   time.Duration
	// Pending are the pods waiting for a node (not nominated to a NodeClaim
	// in flight), by shape. They and the pods of the nodes being disrupted
	// take room on the other nodes before a candidate's pods do: a
	// consolidation must not count on the room they will need (Karpenter's
	// SimulateScheduling adds the pending pods and the pods of the nodes
	// marked for deletion).
	Pending []ShapeCount
}

// Command is one disruption: the nodes to remove, why, and the NodeClaim
// that replaces them (nil: a delete).
type Command struct {
	Reason      Reason
	Nodes       []int // indexes into DisruptProblem.Nodes
	Replacement *Launch
	// SavingsUSDPerHour is the nodes' price less the replacement's.
	SavingsUSDPerHour float64
}

// Disruption is Disrupt's answer: the expired nodes (expiration is forceful
// in v1: no budget, no consolidateAfter) and at most one voluntary command,
// from the first method that finds one, in Karpenter's order: emptiness,
// multi-node consolidation, single-node consolidation.
type Disruption struct {
	Expired []int
	Command *Command
}

// Disrupt is one poll of the disruption controller.
func Disrupt(d *DisruptProblem) Disruption {
	var out Disruption
	expired := make([]bool, len(d.Nodes))
	for i := range d.Nodes {
		n := &d.Nodes[i]
		if ea := d.Pools[n.Pool].ExpireAfter; ea > 0 && !n.Disrupting && d.Now-n.Created >= ea {
			out.Expired = append(out.Expired, i)
			expired[i] = true
		}
	}
	if c := emptiness(d, expired); c != nil {
		out.Command = c
		return out
	}
	cands := candidates(d, expired, ReasonUnderutilized)
	if c := multiNode(d, cands); c != nil {
		out.Command = c
		return out
	}
	out.Command = singleNode(d, cands)
	return out
}

// AllowedDisruptions is, by pool, how many more nodes the pool's budgets
// let reason disrupt now: the smallest of its active budgets that apply to
// the reason (a percentage of the pool's nodes, rounded up), less the nodes
// disrupting already, never below zero. A pool without budgets has the
// default, 10% of its nodes.
func AllowedDisruptions(d *DisruptProblem, reason Reason) []int {
	nodes, busy := make([]int, len(d.Pools)), make([]int, len(d.Pools))
	for i := range d.Nodes {
		nodes[d.Nodes[i].Pool]++
		if d.Nodes[i].Disrupting {
			busy[d.Nodes[i].Pool]++
		}
	}
	out := make([]int, len(d.Pools))
	for pi := range d.Pools {
		budgets := d.Pools[pi].Budgets
		if len(budgets) == 0 {
			budgets = []Budget{{Nodes: DefaultBudgetPercent, Percent: true}}
		}
		allowed := math.MaxInt32
		for _, b := range budgets {
			if b.Active != nil && !b.Active(d.Now) {
				continue
			}
			if len(b.Reasons) > 0 && !slices.Contains(b.Reasons, reason) {
				continue
			}
			v := b.Nodes
			if b.Percent {
				v = (b.Nodes*nodes[pi] + 99) / 100 // rounded up, as intstr.GetScaledValueFromIntOrPercent(..., true)
			}
			allowed = min(allowed, v)
		}
		out[pi] = max(allowed-busy[pi], 0)
	}
	return out
}

// consolidatable: the pool consolidates at all, consolidateAfter has passed
// since the node's last pod event, and nothing blocks its disruption.
func consolidatable(d *DisruptProblem, i int) bool {
	n := &d.Nodes[i]
	np := &d.Pools[n.Pool]
	return !np.Never && !n.Disrupting && !n.DoNotDisrupt && !n.Blocked && !n.Nominated && d.Now-n.LastPodEvent >= np.ConsolidateAfter
}

func podCount(n *Node) int {
	c := 0
	for _, p := range n.Pods {
		c += p.Count
	}
	return c
}

// emptiness deletes the empty consolidatable nodes, as many as each pool's
// budget for Empty allows, in one command.
func emptiness(d *DisruptProblem, expired []bool) *Command {
	allowed := AllowedDisruptions(d, ReasonEmpty)
	var c Command
	for i := range d.Nodes {
		n := &d.Nodes[i]
		if expired[i] || podCount(n) > 0 || !consolidatable(d, i) || allowed[n.Pool] == 0 {
			continue
		}
		allowed[n.Pool]--
		c.Nodes = append(c.Nodes, i)
		c.SavingsUSDPerHour += n.PriceUSDPerHour
	}
	if len(c.Nodes) == 0 {
		return nil
	}
	c.Reason = ReasonEmpty
	return &c
}

// candidates are the nodes consolidation may take, cheapest to disrupt
// first: disruption cost is the pods' eviction costs (1 + priority/2^25,
// clamped to [-10, 10]) times the fraction of the node's lifetime left
// (pkg/utils/disruption), ties by index; each pool contributes at most its
// budget for reason, and only pools with WhenEmptyOrUnderutilized. Empty
// nodes are emptiness's, under its budget (choice).
func candidates(d *DisruptProblem, expired []bool, reason Reason) []int {
	type cand struct {
		i    int
		cost float64
	}
	var cs []cand
	for i := range d.Nodes {
		n := &d.Nodes[i]
		np := &d.Pools[n.Pool]
		if expired[i] || np.Policy != WhenEmptyOrUnderutilized || podCount(n) == 0 || !consolidatable(d, i) {
			continue
		}
		cost := 0.0
		for _, p := range n.Pods {
			e := 1 + float64(d.Shapes[p.Shape].Priority)/(1<<25)
			cost += float64(p.Count) * min(max(e, -10), 10)
		}
		if np.ExpireAfter > 0 {
			cost *= min(max(float64(np.ExpireAfter-(d.Now-n.Created))/float64(np.ExpireAfter), 0), 1)
		}
		cs = append(cs, cand{i, cost})
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return cmp.Compare(a.cost, b.cost) })
	allowed := AllowedDisruptions(d, reason)
	var out []int
	for _, c := range cs {
		if p := d.Nodes[c.i].Pool; allowed[p] > 0 {
			allowed[p]--
			out = append(out, c.i)
		}
	}
	return out
}

// simulate removes the nodes of set and reschedules their pods: onto the
// other nodes first (first fit, the nodes in index order), the rest onto new
// NodeClaims through Provision's solver. The command is valid when nothing
// is left unschedulable and at most one NodeClaim is needed, cheaper than
// the nodes removed (consolidation.go computeConsolidation).
func simulate(d *DisruptProblem, set []int, reason Reason) *Command {
	in := make([]bool, len(d.Nodes))
	price, allSpot := 0.0, true
	moving := make([]int, len(d.Shapes))
	for _, i := range set {
		in[i] = true
		price += d.Nodes[i].PriceUSDPerHour
		allSpot = allSpot && d.Nodes[i].Capacity == Spot
		for _, p := range d.Nodes[i].Pods {
			moving[p.Shape] += p.Count
		}
	}
	shapes := slices.Clone(d.Shapes)
	for i := range shapes {
		shapes[i].Count = moving[i]
	}
	used := make([]Resources, len(d.Nodes)) // per node: its pods' requests, and what terminating pods hold
	for i := range d.Nodes {
		used[i] = d.Nodes[i].Held
		for _, p := range d.Nodes[i].Pods {
			used[i] = used[i].add(d.Shapes[p.Shape].Requests, int64(p.Count))
		}
	}
	// First fit onto the nodes that stay, in index order.
	fill := func(shapes []Shape) {
		for _, sh := range shapeOrder(shapes) {
			s := &shapes[sh]
			for i := range d.Nodes {
				if s.Count == 0 {
					break
				}
				n := &d.Nodes[i]
				if in[i] || n.Disrupting || !fitsNode(d, s, n) {
					continue
				}
				free := d.Types[n.Type].Allocatable.add(d.Pools[n.Pool].Overhead, -1)
				k := howMany(free, used[i], s.Requests, int64(s.Count))
				used[i] = used[i].add(s.Requests, k)
				s.Count -= int(k)
			}
		}
	}
	// The pending pods and those of the nodes being disrupted take their
	// room first; what does not fit waits for provisioning (choice: it does
	// not count against the single replacement).
	waiting := slices.Clone(d.Shapes)
	for i := range waiting {
		waiting[i].Count = 0
	}
	for _, p := range d.Pending {
		waiting[p.Shape].Count += p.Count
	}
	for i := range d.Nodes {
		if n := &d.Nodes[i]; n.Disrupting && !in[i] {
			for _, p := range n.Pods {
				waiting[p.Shape].Count += p.Count
			}
		}
	}
	fill(waiting)
	fill(shapes)
	p := Problem{Pools: d.Pools, Types: d.Types, Shapes: shapes, InUse: d.InUse}
	sv := newSolver(&p)
	for _, sh := range shapeOrder(shapes) {
		if shapes[sh].Count > 0 && sv.place(sh, shapes[sh].Count) > 0 {
			return nil
		}
	}
	c := &Command{Reason: reason, Nodes: slices.Clone(set), SavingsUSDPerHour: price}
	switch len(sv.claims) {
	case 0:
		return c
	case 1:
	default:
		return nil
	}
	l, ok := sv.launch(&sv.claims[0], price)
	if !ok {
		return nil
	}
	if allSpot && l.Capacity == Spot {
		// Spot to Spot only with the feature gate; a single node only with
		// enough cheaper types that the replacement is not the next to be
		// interrupted, launched from the cheapest 15 of them. Multi-node
		// spot-to-spot has no such requirement ([disruption] "Spot
		// consolidation": "It does not have the same instance type
		// flexibility requirement for multi-node spot-to-spot
		// consolidations").
		if !d.Pools[l.Pool].SpotToSpot {
			return nil
		}
		if len(set) == 1 {
			if len(l.Options) < MinInstanceTypesForSpotToSpot {
				return nil
			}
			l.Options = l.Options[:MinInstanceTypesForSpotToSpot]
		}
	}
	c.Replacement = &l
	c.SavingsUSDPerHour = price - l.PriceUSDPerHour
	return c
}

// fitsNode: the shape's pods may run on node n (the pool admits them, and
// their requirements hold for its type, zone and capacity type).
func fitsNode(d *DisruptProblem, s *Shape, n *Node) bool {
	if n.Pool >= len(s.Pools) || !s.Pools[n.Pool] || !typeAllowed(&d.Types[n.Type], s.Requirements) {
		return false
	}
	o := Offering{Zone: n.Zone, Capacity: n.Capacity}
	return offeringAllowed(&o, s.Requirements)
}

// multiNode tries to remove several nodes at once: the longest prefix of
// the candidates (at most MaxMultiNodeCandidates) whose pods fit elsewhere
// with at most one cheaper replacement, found by binary search as
// firstNConsolidationOption does. It needs at least two nodes.
func multiNode(d *DisruptProblem, cands []int) *Command {
	hi := min(len(cands), MaxMultiNodeCandidates)
	if hi < 2 {
		return nil
	}
	lo := 1
	var best *Command
	for lo <= hi {
		mid := (lo + hi) / 2
		if c := simulate(d, cands[:mid], ReasonUnderutilized); c != nil && mid >= 2 {
			best = c
			lo = mid + 1
		} else if c != nil {
			lo = mid + 1
		} else {
			hi = mid - 1
		}
	}
	return best
}

// singleNode tries the candidates one by one and takes the first that can
// be deleted or replaced by a cheaper node.
func singleNode(d *DisruptProblem, cands []int) *Command {
	for _, i := range cands {
		if c := simulate(d, []int{i}, ReasonUnderutilized); c != nil {
			return c
		}
	}
	return nil
}

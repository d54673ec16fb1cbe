package kube

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Victim is a bound pod that preemption may remove: its compiled PodInfo
// (bound to the Framework's Cluster) and its start time, in any monotonic
// unit (the orchestrator's clock), for the last of the tie-breaks.
type Victim struct {
	Pod   *PodInfo
	Start int64
}

// PreemptionInput is what the orchestrator tells DefaultPreemption about the
// pods it may preempt.
type PreemptionInput struct {
	// Lower lists the pods bound to node id whose priority is below the
	// preemptor's and that may be evicted (not already terminating).
	Lower func(id NodeID) []Victim
	// Violates reports whether evicting v breaks a PodDisruptionBudget; nil
	// means no budget applies. A budget's allowance is read as given, not
	// decremented per victim (see PickPreemptionNode).
	Violates func(v *PodInfo) bool
	// Offset is where, among the nodes that preemption could help, the dry
	// run starts (kube-scheduler draws it at random: GetOffsetAndNumCandidates).
	Offset int
}

// Preemption is DefaultPreemption's choice: the node the preemptor is
// nominated to and the pods to evict there, most important first.
type Preemption struct {
	Node          NodeID
	Victims       []*PodInfo
	PDBViolations int
	starts        []int64
	// When no node can be made to fit, how many nodes eviction would not
	// help (NotHelpful: rejected as UnschedulableAndUnresolvable, or by a
	// PreFilter) and on how many the dry run found no victims (NoVictims);
	// Message words them.
	NotHelpful, NoVictims int
}

// The PostFilter's wording (preemption.go): per node, and the message
// FitError carries after its own (schedule_one.go: Diagnosis.PostFilterMsg).
const (
	preemptionNoVictims  = "No preemption victims found for incoming pod."
	preemptionNotHelpful = "Preemption is not helpful for scheduling"
)

// Message is the PostFilter's message for a failed preemption, as
// kube-scheduler appends it to the FitError: "preemption: 0/N nodes are
// available: " then "count reason" sorted as strings, joined by ", ",
// ending ".": "preemption: 0/3 nodes are available: 3 No preemption
// victims found for incoming pod.." (the reason's own period, then the
// sentence's). Empty when preemption found a node.
func (p Preemption) Message(numAllNodes int) string {
	if p.Node != NoNode || p.NotHelpful+p.NoVictims == 0 {
		return ""
	}
	var h []string
	if p.NoVictims > 0 {
		h = append(h, strconv.Itoa(p.NoVictims)+" "+preemptionNoVictims)
	}
	if p.NotHelpful > 0 {
		h = append(h, strconv.Itoa(p.NotHelpful)+" "+preemptionNotHelpful)
	}
	slices.Sort(h)
	return "preemption: 0/" + strconv.Itoa(numAllNodes) + " nodes are available: " + strings.Join(h, ", ") + "."
}

// DefaultPreemption's defaults (apis/config/v1 defaults.go
// SetDefaults_DefaultPreemptionArgs).
const (
	MinCandidateNodesPercentage = 10
	MinCandidateNodesAbsolute   = 100
)

// NumPreemptionCandidates is default_preemption.go calculateNumCandidates:
// how many candidate nodes the dry run looks for: 10% of the nodes, at least
// 100, at most all of them. 50 nodes -> 50, 1,000 -> 100, 5,000 -> 500.
func NumPreemptionCandidates(numNodes int) int {
	n := numNodes * MinCandidateNodesPercentage / 100
	if n < MinCandidateNodesAbsolute {
		n = MinCandidateNodesAbsolute
	}
	return min(n, numNodes)
}

// Preempt is DefaultPreemption's PostFilter for a pod that fits nowhere
// (framework/preemption/preemption.go Evaluator.Preempt, findCandidates,
// DryRunPreemption, SelectVictimsOnNode; plugins/defaultpreemption):
//
//   - potential nodes are those whose filters rejected the pod as
//     Unschedulable; an UnschedulableAndUnresolvable rejection (untolerated
//     taint, node affinity, a request above the whole allocatable) is one no
//     eviction can help, and a PreFilter rejection fails preemption outright;
//   - on each potential node, from in.Offset round the list, every lower
//     pod is removed and the filters run again; if the pod still does not
//     fit, the node is no candidate. Otherwise the removed pods are added
//     back one by one, most important first (higher priority, then earlier
//     start), those whose eviction would violate a budget before the others,
//     and each that leaves the pod fitting is reprieved; the rest are the
//     node's victims;
//   - the search stops once NumPreemptionCandidates nodes are candidates, at
//     least one of them without budget violations;
//   - PickPreemptionNode chooses among the candidates.
//
// The cluster is left as it was. ok is false when no node can be made to
// fit.
func (f *Framework) Preempt(p *PodInfo, in PreemptionInput) (Preemption, bool) {
	p.mustBelong(f.c)
	all := f.c.Nodes()
	if len(all) == 0 {
		return Preemption{Node: NoNode}, false
	}
	if _, _, reject := f.preFilter(p, all); reject != noReason {
		return Preemption{Node: NoNode, NotHelpful: len(all)}, false
	}
	var potential []NodeID
	notHelpful := 0
	for _, n := range all {
		switch st := f.runFilters(p, n); st.Code {
		case Unschedulable:
			potential = append(potential, n.id)
		case UnschedulableAndUnresolvable:
			notHelpful++
		}
	}
	if len(potential) == 0 || in.Lower == nil {
		return Preemption{Node: NoNode, NotHelpful: notHelpful, NoVictims: len(potential)}, false
	}
	want := NumPreemptionCandidates(len(all))
	off := in.Offset % len(potential)
	if off < 0 {
		off += len(potential)
	}
	var cands []Preemption
	clean := 0
	for i := range potential {
		id := potential[(off+i)%len(potential)]
		c, ok := f.selectVictims(p, id, in)
		if !ok {
			continue
		}
		cands = append(cands, c)
		if c.PDBViolations == 0 {
			clean++
		}
		if clean > 0 && len(cands) >= want {
			break
		}
	}
	f.preFilter(p, all) // leave the plugins' state as the cluster is
	if len(cands) == 0 {
		return Preemption{Node: NoNode, NotHelpful: notHelpful, NoVictims: len(potential)}, false
	}
	return PickPreemptionNode(cands), true
}

// fitsOn reruns the PreFilters (the cluster changed) and the filters of
// node id.
func (f *Framework) fitsOn(p *PodInfo, id NodeID) bool {
	if _, _, reject := f.preFilter(p, f.c.Nodes()); reject != noReason {
		return false
	}
	return f.runFilters(p, f.c.nodes[id]).IsSuccess()
}

// selectVictims is SelectVictimsOnNode for node id.
func (f *Framework) selectVictims(p *PodInfo, id NodeID, in PreemptionInput) (Preemption, bool) {
	lower := slices.Clone(in.Lower(id))
	if len(lower) == 0 {
		return Preemption{}, false
	}
	// Most important first: higher priority, then the earlier start
	// (util.MoreImportantPod).
	slices.SortStableFunc(lower, func(a, b Victim) int {
		if c := cmp.Compare(b.Pod.priority, a.Pod.priority); c != 0 {
			return c
		}
		return cmp.Compare(a.Start, b.Start)
	})
	for _, v := range lower {
		v.Pod.mustBelong(f.c)
		if bp, ok := f.c.pods[v.Pod.key]; !ok || bp.node != id {
			return Preemption{}, false // not bound there: the caller's list is wrong
		}
	}
	for _, v := range lower {
		f.c.unbind(f.c.pods[v.Pod.key])
	}
	restore := func(vs []Victim) {
		for _, v := range vs {
			_ = f.c.Bind(v.Pod, id)
		}
	}
	if !f.fitsOn(p, id) {
		restore(lower)
		return Preemption{}, false
	}
	var violating, other []Victim
	for _, v := range lower {
		if in.Violates != nil && in.Violates(v.Pod) {
			violating = append(violating, v)
		} else {
			other = append(other, v)
		}
	}
	out := Preemption{Node: id}
	var gone []Victim
	reprieve := func(v Victim, violates bool) {
		_ = f.c.Bind(v.Pod, id)
		if f.fitsOn(p, id) {
			return
		}
		f.c.unbind(f.c.pods[v.Pod.key])
		gone = append(gone, v)
		if violates {
			out.PDBViolations++
		}
	}
	for _, v := range violating {
		reprieve(v, true)
	}
	for _, v := range other {
		reprieve(v, false)
	}
	restore(gone)
	// Victims in importance order, as the dry run reports them.
	slices.SortStableFunc(gone, func(a, b Victim) int {
		if c := cmp.Compare(b.Pod.priority, a.Pod.priority); c != 0 {
			return c
		}
		return cmp.Compare(a.Start, b.Start)
	})
	for _, v := range gone {
		out.Victims = append(out.Victims, v.Pod)
		out.starts = append(out.starts, v.Start)
	}
	return out, true
}

// PickPreemptionNode is preemption.go pickOneNodeForPreemption: among the
// candidates, a node needing no victims at once; else, each criterion
// narrowing the ties of the one before:
//
//  1. the fewest PodDisruptionBudget violations;
//  2. the lowest priority of its most important victim;
//  3. the smallest sum of victims' priorities (each shifted by
//     MaxInt32 + 1, so that negative priorities count as less);
//  4. the fewest victims;
//  5. the latest start among its highest-priority victims' earliest starts;
//  6. the first candidate left.
//
// The kubernetes.io page on priority and preemption states the same order
// of preference.
func PickPreemptionNode(cands []Preemption) Preemption {
	for _, c := range cands {
		if len(c.Victims) == 0 {
			return c
		}
	}
	keys := []func(c *Preemption) int64{
		func(c *Preemption) int64 { return -int64(c.PDBViolations) },
		func(c *Preemption) int64 { return -int64(c.Victims[0].priority) },
		func(c *Preemption) int64 {
			var s int64
			for _, v := range c.Victims {
				s += int64(v.priority) + math.MaxInt32 + 1
			}
			return -s
		},
		func(c *Preemption) int64 { return -int64(len(c.Victims)) },
		func(c *Preemption) int64 {
			top := c.Victims[0].priority
			earliest := int64(math.MaxInt64)
			for i, v := range c.Victims {
				if v.priority == top {
					earliest = min(earliest, c.starts[i])
				}
			}
			return earliest
		},
	}
	left := make([]int, len(cands))
	for i := range left {
		left[i] = i
	}
	for _, key := range keys {
		if len(left) == 1 {
			break
		}
		best := int64(math.MinInt64)
		var next []int
		for _, i := range left {
			switch k := key(&cands[i]); {
			case k > best:
				best, next = k, append(next[:0], i)
			case k == best:
				next = append(next, i)
			}
		}
		left = next
	}
	return cands[left[0]]
}

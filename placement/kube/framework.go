package kube

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// MaxNodeScore is the largest score a Score plugin gives a node after
// NormalizeScore; the smallest is 0 (kube-scheduler framework interface.go).
const MaxNodeScore int64 = 100

// Plugin is a named kube-scheduler plugin; Name is its registry name.
type Plugin interface{ Name() string }

// FilterPlugin is a Filter extension point: can p run on n? Filter must not
// change n or p; a "no" is a Status with reasons, never a panic.
type FilterPlugin interface {
	Plugin
	Filter(p *PodInfo, n *NodeInfo) Status
}

// PreFilterPlugin is the optional PreFilter of a FilterPlugin: it prepares
// the plugin's state for p's cycle over the whole cluster. Skip leaves the
// plugin's Filter out of the cycle; a rejection fails the pod on every node.
type PreFilterPlugin interface {
	PreFilter(c *Cluster, p *PodInfo) Status
}

// ScorePlugin is a Score extension point: a raw score for n among the
// feasible nodes, normalised by the optional NormalizeScore to
// 0..MaxNodeScore and then multiplied by the plugin's weight.
type ScorePlugin interface {
	Plugin
	Score(p *PodInfo, n *NodeInfo) int64
}

// PreScorePlugin is the optional PreScore of a ScorePlugin: it prepares the
// plugin's state for scoring the feasible nodes. Skip leaves the plugin out,
// as if every node scored 0.
type PreScorePlugin interface {
	PreScore(c *Cluster, p *PodInfo, feasible []*NodeInfo) Status
}

// ScoreNormalizer is the optional NormalizeScore of a ScorePlugin: it
// rewrites the raw scores of the feasible nodes (scores[i] is feasible[i]'s)
// into 0..MaxNodeScore.
type ScoreNormalizer interface {
	NormalizeScore(p *PodInfo, feasible []*NodeInfo, scores []int64)
}

// batchScorer is an optional fast path of a ScorePlugin: the raw scores of
// all the feasible nodes at once (out[i] is feasible[i]'s), equal to Score
// on each node, with the per-pod work done once. TestBatchScoresEqualScore
// holds every implementation to it.
type batchScorer interface {
	scoreAll(p *PodInfo, feasible []*NodeInfo, out []int64)
}

// nodeNarrower is NodeName's PreFilterResult: only one node is considered.
type nodeNarrower interface {
	narrow(c *Cluster, p *PodInfo) (id NodeID, narrowed bool)
}

// WeightedScore is a score plugin and its weight in the profile.
type WeightedScore struct {
	Plugin ScorePlugin
	Weight int64
}

// Profile is a scheduler profile: the filters in the order they run, the
// score plugins with their weights, and percentageOfNodesToScore (0: the
// adaptive default).
type Profile struct {
	Filters                  []FilterPlugin
	Scores                   []WeightedScore
	PercentageOfNodesToScore int32
}

// DefaultProfile returns kube-scheduler's default profile (v1.37.2
// apis/config/v1 default_plugins.go getDefaultPlugins, MultiPoint order),
// less the volume, DRA and preemption plugins this package does not model.
// Filters run NodeName, NodeUnschedulable, TaintToleration, NodeAffinity,
// NodePorts, NodeResourcesFit, PodTopologySpread, InterPodAffinity: the
// MultiPoint order, cheap node-local checks before the cluster-wide ones, and
// a node gets the reasons of the first filter that rejects it. Scores:
// TaintToleration 3, NodeAffinity 2, NodeResourcesFit 1 (LeastAllocated),
// PodTopologySpread 2, InterPodAffinity 2, NodeResourcesBalancedAllocation 1,
// ImageLocality 1. Each call returns fresh plugins: a Profile belongs to one
// Framework.
func DefaultProfile() Profile {
	fit, err := NewNodeResourcesFit(LeastAllocatedStrategy())
	if err != nil {
		panic(err) // the default strategy is valid
	}
	spread := &PodTopologySpread{}
	ipa := NewInterPodAffinity()
	return Profile{
		Filters: []FilterPlugin{NodeName{}, NodeUnschedulable{}, TaintToleration{}, &NodeAffinity{}, NodePorts{}, fit, spread, ipa},
		Scores: []WeightedScore{
			{TaintToleration{}, 3},
			{&NodeAffinity{}, 2},
			{fit, 1},
			{spread, 2},
			{ipa, 2},
			{NewBalancedAllocation(), 1},
			{&ImageLocality{}, 1},
		},
	}
}

type filterEntry struct {
	FilterPlugin
	pre    PreFilterPlugin
	narrow nodeNarrower
}

type scoreEntry struct {
	ScorePlugin
	weight int64
	pre    PreScorePlugin
	norm   ScoreNormalizer
	batch  batchScorer
}

// Framework runs one Profile over one Cluster: kube-scheduler's scheduling
// cycle (schedule_one.go schedulePod) for one pod at a time, without binding.
// It keeps the round-robin start index between pods. It is not safe for
// concurrent use.
type Framework struct {
	c        *Cluster
	filters  []filterEntry
	scores   []scoreEntry
	pct      int32
	next     int // nextStartNodeIndex
	active   []filterEntry
	quick    quickFilters
	one      [1]*NodeInfo
	feasible []*NodeInfo
	raw      [][]int64
	total    []int64
	fused    *defaultScores // the default profile's scoring in one pass, when Scores are its
	// feasibleIDs are feasible's IDs; ids is scratch for idsOf.
	feasibleIDs, ids []NodeID
}

// NewFramework binds a profile to a cluster.
func NewFramework(c *Cluster, p Profile) (*Framework, error) {
	var errs []error
	if p.PercentageOfNodesToScore < 0 || p.PercentageOfNodesToScore > 100 {
		errs = append(errs, fmt.Errorf("kube: percentageOfNodesToScore %d: must be 0 (adaptive) to 100", p.PercentageOfNodesToScore))
	}
	f := &Framework{c: c, pct: p.PercentageOfNodesToScore}
	for i, pl := range p.Filters {
		if pl == nil {
			errs = append(errs, fmt.Errorf("kube: filter %d: nil", i))
			continue
		}
		fe := filterEntry{FilterPlugin: pl}
		fe.pre, _ = pl.(PreFilterPlugin)
		fe.narrow, _ = pl.(nodeNarrower)
		f.filters = append(f.filters, fe)
	}
	for i, ws := range p.Scores {
		if ws.Plugin == nil || ws.Weight < 1 {
			errs = append(errs, fmt.Errorf("kube: score plugin %d: needs a plugin and a weight of at least 1", i))
			continue
		}
		se := scoreEntry{ScorePlugin: ws.Plugin, weight: ws.Weight}
		se.pre, _ = ws.Plugin.(PreScorePlugin)
		se.norm, _ = ws.Plugin.(ScoreNormalizer)
		se.batch, _ = ws.Plugin.(batchScorer)
		f.scores = append(f.scores, se)
	}
	f.raw = make([][]int64, len(f.scores))
	f.fused = newDefaultScores(f.scores)
	return f, errors.Join(errs...)
}

// Result is a scheduling decision: the chosen node, how many nodes the
// filters looked at and how many of those were feasible.
type Result struct {
	Node           NodeID
	EvaluatedNodes int
	FeasibleNodes  int
}

// Schedule chooses a node for p, or explains why none fits. It runs the
// PreFilters; the Filters over the nodes in Cluster.Nodes order, starting
// where the previous pod's search stopped, until NumFeasibleNodesToFind
// nodes pass (every node when fewer do); then, with two or more feasible
// nodes, PreScore, Score, NormalizeScore and the weighted sum; and picks the
// highest total, ties broken uniformly with r (selectHost). A node is
// rejected by the first filter that says no. With no feasible node the error
// is a *FitError; on an empty cluster ErrNoNodesAvailable. Schedule does not
// change the cluster: Bind the pod to Result.Node to commit. r may be nil:
// ties then go to the first of them in evaluation order.
func (f *Framework) Schedule(p *PodInfo, r *rand.Rand) (Result, error) {
	p.mustBelong(f.c)
	all := f.c.Nodes()
	if len(all) == 0 {
		return Result{Node: NoNode}, ErrNoNodesAvailable
	}
	nodes, narrowed, rejectAll := f.preFilter(p, all)
	if rejectAll != noReason {
		return Result{Node: NoNode}, &FitError{Pod: p.key, NumAllNodes: len(all), PreFilter: rejectAll}
	}
	toFind := int(NumFeasibleNodesToFind(f.pct, int32(len(nodes))))
	if len(f.scores) == 0 {
		toFind = 1
	}
	feasible, rejected, counts := f.findFeasible(p, nodes, toFind)
	f.feasible = feasible
	f.next = (f.next + len(feasible) + rejected) % len(all)
	res := Result{Node: NoNode, EvaluatedNodes: len(feasible) + rejected, FeasibleNodes: len(feasible)}
	switch len(feasible) {
	case 0:
		fe := &FitError{Pod: p.key, NumAllNodes: len(all), Counts: counts}
		if narrowed {
			fe.Counts[ReasonNodeNameNotConsidered] += int32(len(all) - rejected)
		}
		return res, fe
	case 1:
		res.Node = feasible[0].id
		return res, nil
	}
	res.Node = feasible[f.pick(p, feasible, f.feasibleIDs, r)].id
	return res, nil
}

// pick scores the feasible nodes and returns the index selectHost chooses
// with r.
func (f *Framework) pick(p *PodInfo, feasible []*NodeInfo, ids []NodeID, r *rand.Rand) int {
	if f.fused == nil {
		return selectHost(f.score(p, feasible, ids), r)
	}
	total := f.zeroTotal(len(feasible))
	if best := f.fused.score(f, p, feasible, ids, total, r, true); best >= 0 {
		return best
	}
	return selectHost(total, r)
}

// zeroTotal returns f.total cut to k entries, zeroed.
func (f *Framework) zeroTotal(k int) []int64 {
	f.total = resize(f.total, k)
	total := f.total[:k]
	clear(total)
	return total
}

// preFilter runs the PreFilters and returns the nodes to filter, whether
// NodeName narrowed them, and the reason a PreFilter rejected the pod on
// every node, if one did.
func (f *Framework) preFilter(p *PodInfo, all []*NodeInfo) ([]*NodeInfo, bool, Reason) {
	f.active = f.active[:0]
	nodes, narrowed := all, false
	for _, fe := range f.filters {
		if fe.narrow != nil {
			if id, ok := fe.narrow.narrow(f.c, p); ok {
				narrowed, nodes = true, f.one[:0]
				if id != NoNode {
					nodes = append(nodes, f.c.nodes[id])
				}
			}
		}
		if fe.pre != nil {
			st := fe.pre.PreFilter(f.c, p)
			if st.IsSkip() {
				continue
			}
			if !st.IsSuccess() {
				return nil, narrowed, trailingReason(st.Reasons)
			}
		}
		f.active = append(f.active, fe)
	}
	return nodes, narrowed, noReason
}

// quickFilters is the active filters of one pod's cycle as cheap tests of
// a node: passing them all is sufficient for every filter to pass it, so
// findFeasible calls a plugin's Filter only where the test is not enough
// (or the plugin has none) and runs the chain, for its verdict, only on a
// node the tests do not pass (verdict: the chain's answer, with the filters
// the tests stand for decided from the node's hot fields). Each test is a
// plugin's "yes" without the status, read from nodeHot: NodeUnschedulable
// passes a schedulable node, TaintToleration a node without NoSchedule or
// NoExecute taints, NodeAffinity a node its PreFilter found matching,
// NodeResourcesFit a node with room for the whole request and one more pod.
type quickFilters struct {
	cordon, taints, fit bool
	affinity            []bool // by NodeID; nil: no test
	calls               []FilterPlugin
	// The tests on nodeHot: a node with a flag in block fails, and one with
	// less free than need (pods, resources).
	block    hotFlags
	needPods int32
	need     Resources
	// chain is the active filters in order for verdict, the ones it can
	// decide from nodeHot marked so.
	chain      []quickStep
	tolUnsched bool // the pod tolerates the unschedulable taint
	// affFirst: NodeAffinity is the first filter of the chain that does not
	// pass a node without hot flags in block, so such a node it rejects has
	// its reason alone.
	affFirst bool
}

// quickStep is one active filter as verdict runs it.
type quickStep struct {
	kind stepKind
	pl   FilterPlugin // stepCall
}

type stepKind uint8

const (
	stepCall     stepKind = iota // the plugin's Filter
	stepCordon                   // NodeUnschedulable
	stepTaints                   // TaintToleration for a pod without tolerations
	stepAffinity                 // NodeAffinity
	stepFit                      // NodeResourcesFit
)

// compile sets the tests for the active filters.
func (q *quickFilters) compile(c *Cluster, p *PodInfo, active []filterEntry) {
	*q = quickFilters{calls: q.calls[:0], chain: q.chain[:0]}
	for _, fe := range active {
		step := quickStep{pl: fe.FilterPlugin}
		switch pl := fe.FilterPlugin.(type) {
		case NodeUnschedulable:
			q.cordon = true
			step.kind = stepCordon
		case TaintToleration:
			q.taints = true
			if len(p.tolerations) == 0 {
				step.kind = stepTaints
			}
		case *NodeAffinity:
			q.affinity = c.affinityOK(p) // nil: no required affinity
			step.kind = stepAffinity
		case *NodeResourcesFit:
			q.fit = true
			step.kind = stepFit
		default:
			q.calls = append(q.calls, pl)
		}
		q.chain = append(q.chain, step)
	}
	q.tolUnsched = toleratedBy(p.tolerations, &c.unschedTaint)
	for _, st := range q.chain {
		if st.kind == stepAffinity {
			q.affFirst = q.affinity != nil
		}
		if st.kind != stepCordon && st.kind != stepTaints {
			break
		}
	}
	if q.cordon {
		q.block |= hotCordoned
	}
	if q.taints {
		q.block |= hotHardTaints
	}
	q.needPods, q.need = math.MinInt32, Resources{math.MinInt64, math.MinInt64, math.MinInt64}
	if q.fit {
		q.needPods, q.need = 1, p.req
	}
}

// pass reports whether n surely passes every active filter.
func (q *quickFilters) pass(p *PodInfo, n *NodeInfo) bool {
	return q.hotPass(&p.c.hot[n.id], n.id) && q.callsPass(p, n)
}

// hotPass reports whether the node with hot fields h passes the tests.
func (q *quickFilters) hotPass(h *nodeHot, id NodeID) bool {
	return h.flags&q.block == 0 && (q.affinity == nil || q.affinity[id]) && h.freePods >= q.needPods &&
		q.need.MilliCPU <= h.free.MilliCPU && q.need.MemoryBytes <= h.free.MemoryBytes && q.need.EphemeralBytes <= h.free.EphemeralBytes
}

// verdict is runFilters on the node n with hot fields h: whether it
// passes and else the first rejecting filter's reasons. It decides the
// filters it can from h and calls the others.
func (q *quickFilters) verdict(p *PodInfo, n *NodeInfo, h *nodeHot, id NodeID) (ReasonSet, bool) {
	for _, s := range q.chain {
		switch s.kind {
		case stepCordon:
			if h.flags&hotCordoned != 0 && !q.tolUnsched {
				return 1 << ReasonNodeUnschedulable, false
			}
		case stepTaints:
			if h.flags&hotHardTaints != 0 {
				return 1 << ReasonUntoleratedTaint, false
			}
		case stepAffinity:
			if q.affinity != nil && !q.affinity[id] {
				return 1 << ReasonNodeAffinity, false
			}
		case stepFit:
			if rs := fitReasons(&p.req, h); rs != 0 {
				return rs, false
			}
		default:
			if st := s.pl.Filter(p, n); !st.IsSuccess() {
				return st.Reasons, false
			}
		}
	}
	return 0, true
}

// fitReasons is NodeResourcesFit.Filter's reasons on the node with hot
// fields h for requests r.
func fitReasons(r *Resources, h *nodeHot) ReasonSet {
	var rs ReasonSet
	if h.freePods < 1 {
		rs |= 1 << ReasonTooManyPods
	}
	if r.MilliCPU > 0 && r.MilliCPU > h.free.MilliCPU {
		rs |= 1 << ReasonInsufficientCPU
	}
	if r.MemoryBytes > 0 && r.MemoryBytes > h.free.MemoryBytes {
		rs |= 1 << ReasonInsufficientMemory
	}
	if r.EphemeralBytes > 0 && r.EphemeralBytes > h.free.EphemeralBytes {
		rs |= 1 << ReasonInsufficientEphemeral
	}
	return rs
}

// callsPass reports whether the filters without a test pass n.
func (q *quickFilters) callsPass(p *PodInfo, n *NodeInfo) bool {
	for _, pl := range q.calls {
		if !pl.Filter(p, n).IsSuccess() {
			return false
		}
	}
	return true
}

// findFeasible filters nodes from the round-robin start, in order, until
// toFind pass or all were seen (findNodesThatPassFilters), and returns the
// feasible nodes, how many were rejected and the rejections' reasons. The
// feasible nodes' IDs are left in f.feasibleIDs.
func (f *Framework) findFeasible(p *PodInfo, nodes []*NodeInfo, toFind int) (feasible []*NodeInfo, rejected int, counts [NumReasons]int32) {
	feasible, f.feasibleIDs = f.feasible[:0], f.feasibleIDs[:0]
	if len(nodes) == 0 {
		return feasible, 0, counts
	}
	f.quick.compile(f.c, p, f.active)
	ids := f.idsOf(nodes)
	feasible = slices.Grow(feasible, min(toFind, len(nodes)))
	f.feasibleIDs = slices.Grow(f.feasibleIDs, min(toFind, len(nodes)))
	start := f.next % len(nodes)
	feasible, rejected = f.scan(p, nodes[start:], ids[start:], feasible, toFind, &counts)
	if len(feasible) < toFind {
		var more int
		feasible, more = f.scan(p, nodes[:start], ids[:start], feasible, toFind, &counts)
		rejected += more
	}
	f.feasible = feasible
	return feasible, rejected, counts
}

// idsOf returns the IDs of nodes: the Cluster's own when nodes is its node
// order.
func (f *Framework) idsOf(nodes []*NodeInfo) []NodeID {
	if o := f.c.order; len(nodes) == len(o) && len(o) == len(f.c.orderIDs) && &nodes[0] == &o[0] {
		return f.c.orderIDs
	}
	f.ids = f.ids[:0]
	for _, n := range nodes {
		f.ids = append(f.ids, n.id)
	}
	return f.ids
}

// scan is findFeasible over one run of nodes in order (ids are theirs): it
// appends the feasible ones until there are toFind, counts the rejected
// ones' reasons, and returns the feasible nodes and how many it rejected.
func (f *Framework) scan(p *PodInfo, run []*NodeInfo, ids []NodeID, feasible []*NodeInfo, toFind int, counts *[NumReasons]int32) ([]*NodeInfo, int) {
	q := &f.quick
	hot := f.c.hot
	fids := f.feasibleIDs
	rejected := 0
	ids = ids[:len(run)]
	if len(q.calls) == 0 {
		for k := 0; k < len(ids) && len(feasible) < toFind; {
			// The run of nodes the tests pass, taken whole.
			if m := q.passRun(hot, ids[k:], toFind-len(feasible)); m > 0 {
				feasible, fids = append(feasible, run[k:k+m]...), append(fids, ids[k:k+m]...)
				if k += m; k == len(ids) || len(feasible) == toFind {
					break
				}
			}
			// Node k fails the tests.
			if q.affFirst {
				if m := q.affinityRejects(hot, ids[k:], &rejected, counts); m > 0 {
					k += m
					continue
				}
			}
			if id, n := ids[k], run[k]; q.judge(p, n, &hot[id], id, &rejected, counts) {
				feasible, fids = append(feasible, n), append(fids, id)
			}
			k++
		}
		f.feasibleIDs = fids
		return feasible, rejected
	}
	for k := 0; k < len(ids) && len(feasible) < toFind; {
		if q.affFirst {
			if q.affFirst {
				if m := q.affinityRejects(hot, ids[k:], &rejected, counts); m > 0 {
					k += m
					continue
				}
			}
		}
		id, n := ids[k], run[k]
		k++
		h := &hot[id]
		if q.hotPass(h, id) && q.callsPass(p, n) || q.judge(p, n, h, id, &rejected, counts) {
			feasible, fids = append(feasible, n), append(fids, id)
		}
	}
	f.feasibleIDs = fids
	return feasible, rejected
}

// judge runs verdict on node n (hot fields h): it reports whether the
// node passes, and counts a rejection and its reasons.
func (q *quickFilters) judge(p *PodInfo, n *NodeInfo, h *nodeHot, id NodeID, rejected *int, counts *[NumReasons]int32) bool {
	rs, ok := q.verdict(p, n, h, id)
	if !ok {
		*rejected++
		for ; rs != 0; rs &= rs - 1 {
			counts[trailingReason(rs)]++
		}
	}
	return ok
}

// affinityRejects counts, when NodeAffinity is the chain's first test
// (affFirst), the run of nodes from ids[0] it rejects one after the other,
// as rejected with its reason, and returns how many.
func (q *quickFilters) affinityRejects(hot []nodeHot, ids []NodeID, rejected *int, counts *[NumReasons]int32) int {
	m := q.affinityRejectRun(hot, ids)
	*rejected += m
	counts[ReasonNodeAffinity] += int32(m)
	return m
}

// affinityRejectRun returns how many of the nodes ids, from the first, the
// chain rejects one after the other for NodeAffinity (affFirst: not
// matching and without hot flags in block).
func (q *quickFilters) affinityRejectRun(hot []nodeHot, ids []NodeID) int {
	block, aff := q.block, q.affinity
	for j, id := range ids {
		if aff[id] || hot[id].flags&block != 0 {
			return j
		}
	}
	return len(ids)
}

// passRun returns how many of the nodes ids, from the first and at most
// limit, pass the tests one after the other.
func (q *quickFilters) passRun(hot []nodeHot, ids []NodeID, limit int) int {
	ids = ids[:min(limit, len(ids))]
	block, needPods, need, aff := q.block, q.needPods, q.need, q.affinity
	for j, id := range ids {
		h := &hot[id]
		if h.flags&block != 0 || aff != nil && !aff[id] || h.freePods < needPods ||
			need.MilliCPU > h.free.MilliCPU || need.MemoryBytes > h.free.MemoryBytes || need.EphemeralBytes > h.free.EphemeralBytes {
			return j
		}
	}
	return len(ids)
}

// runFilters runs the active filters on one node: the first "no" wins.
func (f *Framework) runFilters(p *PodInfo, n *NodeInfo) Status {
	for i := range f.active {
		if st := f.active[i].Filter(p, n); !st.IsSuccess() {
			return st
		}
	}
	return Status{}
}

// score returns each feasible node's weighted total; ids are the feasible
// nodes' IDs.
func (f *Framework) score(p *PodInfo, feasible []*NodeInfo, ids []NodeID) []int64 {
	total := f.zeroTotal(len(feasible))
	if f.fused != nil {
		f.fused.score(f, p, feasible, ids, total, nil, false)
		return total
	}
	for i, se := range f.scores {
		if se.pre != nil && se.pre.PreScore(f.c, p, feasible).IsSkip() {
			continue
		}
		f.scoreOne(i, p, feasible, total)
	}
	return total
}

// scoreOne adds score plugin i's weighted, normalised scores of the
// feasible nodes to total; its PreScore has run.
func (f *Framework) scoreOne(i int, p *PodInfo, feasible []*NodeInfo, total []int64) {
	se := &f.scores[i]
	k := len(feasible)
	f.raw[i] = resize(f.raw[i], k)
	raw := f.raw[i][:k]
	if se.batch != nil {
		se.batch.scoreAll(p, feasible, raw)
	} else {
		for j, n := range feasible {
			raw[j] = se.Score(p, n)
		}
	}
	if se.norm != nil {
		se.norm.NormalizeScore(p, feasible, raw)
	}
	for j, s := range raw {
		total[j] += s * se.weight
	}
}

// ScoreNodes runs the score plugins of the profile over the given feasible
// nodes as Schedule would, and returns the weighted totals; for tests and
// for explaining a decision.
func (f *Framework) ScoreNodes(p *PodInfo, feasible []*NodeInfo) []int64 {
	p.mustBelong(f.c)
	return append([]int64(nil), f.score(p, feasible, f.idsOf(feasible))...)
}

// Constants of schedule_one.go numFeasibleNodesToFind.
const (
	minFeasibleNodesToFind           = 100
	minFeasibleNodesPercentageToFind = 5
)

// NumFeasibleNodesToFind is schedule_one.go numFeasibleNodesToFind: how many
// feasible nodes the filters look for before scoring. Below 100 nodes, all of
// them. Otherwise percentage of them, where percentage 0 is adaptive: 50 -
// nodes/125, at least 5; and never fewer than 100. So 100 nodes -> 100 (50%
// is 50, raised to 100); 1,000 -> 42% = 420; 5,000 -> 10% = 500; 6,000 ->
// 5% (50-48=2, raised to 5) = 300.
func NumFeasibleNodesToFind(percentage int32, numAllNodes int32) int32 {
	if numAllNodes < minFeasibleNodesToFind {
		return numAllNodes
	}
	if percentage == 0 {
		percentage = 50 - numAllNodes/125
		if percentage < minFeasibleNodesPercentageToFind {
			percentage = minFeasibleNodesPercentageToFind
		}
	}
	n := numAllNodes * percentage / 100
	if n < minFeasibleNodesToFind {
		return minFeasibleNodesToFind
	}
	return n
}

// selectHost returns the index of the highest total, a tie chosen by
// reservoir sampling: the k-th node seen with the best score replaces the
// choice with probability 1/k (schedule_one.go selectHost up to v1.34; from
// v1.35 a heap on (TotalScore, Randomizer) replaced it, with Randomizer drawn
// only when an extender scored, so without extenders v1.37 breaks ties by
// heap order; fleetsim keeps the uniform, seeded choice). A nil r keeps the
// first best.
func selectHost(total []int64, r *rand.Rand) int {
	if len(total) == 0 {
		return 0
	}
	ch := choice{top: total[0], ties: 1}
	for i, s := range total {
		ch.see(i, s, r)
	}
	return ch.best
}

// choice is selectHost's state: the best total so far, its index and how
// many nodes had it.
type choice struct {
	best, ties int
	top        int64
}

// see offers node i's total s (i = 0 first, with top set to its total).
// It is small enough to be inlined in the loops over the nodes: most
// totals are below the best.
func (ch *choice) see(i int, s int64, r *rand.Rand) {
	if s >= ch.top {
		ch.atTop(i, s, r)
	}
}

// atTop is see for a total at least the best.
func (ch *choice) atTop(i int, s int64, r *rand.Rand) {
	switch {
	case s > ch.top:
		ch.best, ch.ties, ch.top = i, 1, s
	case s == ch.top && i > 0:
		ch.ties++
		if r != nil && r.IntN(ch.ties) == 0 {
			ch.best = i
		}
	}
}

// trailingReason returns the lowest reason in s (noReason for an empty set).
func trailingReason(s ReasonSet) Reason {
	if s == 0 {
		return noReason
	}
	return Reason(bits.TrailingZeros32(uint32(s)))
}

package kube

// TaintToleration is a FilterPlugin and ScorePlugin
// (plugins/tainttoleration/taint_toleration.go).
//
// Filter: every NoSchedule and NoExecute taint of the node must be tolerated
// (core/v1 Toleration.ToleratesTaint: same key, or an empty key; Exists, or
// Equal and the same value; the same effect, or an empty one).
//
// Score: the number of the node's PreferNoSchedule taints not tolerated by
// the pod's tolerations with effect PreferNoSchedule or empty; NormalizeScore
// reverses it, score = 100 - 100*count/max(count), so a node with no such
// taint scores 100 (and every node does when none has one).
type TaintToleration struct{}

var (
	_ FilterPlugin    = TaintToleration{}
	_ ScorePlugin     = TaintToleration{}
	_ ScoreNormalizer = TaintToleration{}
)

// Name returns "TaintToleration".
func (TaintToleration) Name() string { return "TaintToleration" }

// Filter rejects, unresolvably, a node with an untolerated NoSchedule or
// NoExecute taint.
func (TaintToleration) Filter(p *PodInfo, n *NodeInfo) Status {
	if len(p.tolerations) == 0 {
		if n.hardTaints {
			return unresolvable(ReasonUntoleratedTaint)
		}
		return Status{}
	}
	for i := range n.taints {
		t := &n.taints[i]
		if (t.effect == NoSchedule || t.effect == NoExecute) && !toleratedBy(p.tolerations, t) {
			return unresolvable(ReasonUntoleratedTaint)
		}
	}
	return Status{}
}

// Score counts the node's untolerated PreferNoSchedule taints.
func (TaintToleration) Score(p *PodInfo, n *NodeInfo) int64 {
	if len(p.pnsTols) == 0 {
		return n.pnsTaints
	}
	var k int64
	for i := range n.taints {
		t := &n.taints[i]
		if t.effect == PreferNoSchedule && !toleratedBy(p.pnsTols, t) {
			k++
		}
	}
	return k
}

// scoreAll is Score over the feasible nodes.
func (pl TaintToleration) scoreAll(p *PodInfo, feasible []*NodeInfo, out []int64) {
	if len(p.pnsTols) == 0 {
		for i, n := range feasible {
			out[i] = n.pnsTaints
		}
		return
	}
	for i, n := range feasible {
		out[i] = pl.Score(p, n)
	}
}

// NormalizeScore reverses the counts onto 0..100.
func (TaintToleration) NormalizeScore(_ *PodInfo, _ []*NodeInfo, scores []int64) {
	defaultNormalizeScore(scores, true)
}

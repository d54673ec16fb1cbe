package kube

// NodeAffinity is a FilterPlugin and ScorePlugin
// (plugins/nodeaffinity/node_affinity.go, component-helpers
// scheduling/corev1/nodeaffinity).
//
// Filter: the node matches spec.nodeSelector (every label equal) and, when
// the pod has required node affinity, at least one of its terms (terms ORed,
// expressions ANDed; In, NotIn, Exists, DoesNotExist, Gt and Lt as
// apimachinery labels: NotIn and DoesNotExist hold without the label, Gt and
// Lt compare the label's integer value; an empty or unparsable term matches
// nothing). PreFilter skips the filter for a pod with neither.
//
// Score: the sum of the weights of the preferred terms the node matches;
// NormalizeScore scales it, score = 100*sum/max(sum) (integer division).
// PreScore skips the plugin for a pod without preferred terms.
type NodeAffinity struct {
	ok []bool // by NodeID: matches the required affinity
}

var (
	_ FilterPlugin    = (*NodeAffinity)(nil)
	_ PreFilterPlugin = (*NodeAffinity)(nil)
	_ ScorePlugin     = (*NodeAffinity)(nil)
	_ PreScorePlugin  = (*NodeAffinity)(nil)
	_ ScoreNormalizer = (*NodeAffinity)(nil)
)

// Name returns "NodeAffinity".
func (*NodeAffinity) Name() string { return "NodeAffinity" }

// PreFilter looks up which nodes match the pod's required affinity.
func (pl *NodeAffinity) PreFilter(c *Cluster, p *PodInfo) Status {
	if p.affSig == "" {
		return Status{Code: Skip}
	}
	pl.ok = c.affinityOK(p)
	return Status{}
}

// Filter rejects, unresolvably, a node that does not match.
func (pl *NodeAffinity) Filter(p *PodInfo, n *NodeInfo) Status {
	if p.affSig == "" {
		return Status{}
	}
	if pl.ok == nil || int(n.id) >= len(pl.ok) {
		pl.ok = p.c.affinityOK(p)
	}
	if !pl.ok[n.id] {
		return unresolvable(ReasonNodeAffinity)
	}
	return Status{}
}

// PreScore skips a pod without preferred terms.
func (*NodeAffinity) PreScore(_ *Cluster, p *PodInfo, _ []*NodeInfo) Status {
	if len(p.preferred) == 0 {
		return Status{Code: Skip}
	}
	return Status{}
}

// Score sums the weights of the matching preferred terms.
func (*NodeAffinity) Score(p *PodInfo, n *NodeInfo) int64 {
	var s int64
	for i := range p.preferred {
		if p.preferred[i].sel.matches(&p.c.in, n.labels) {
			s += p.preferred[i].w
		}
	}
	return s
}

// scoreAll is Score over the feasible nodes. A node's score depends only on
// its labels and the pod's preferred terms, so it is kept per node for pods
// with the same terms (Cluster.preferredMemo).
func (pl *NodeAffinity) scoreAll(p *PodInfo, feasible []*NodeInfo, out []int64) {
	if len(p.preferred) == 0 {
		clear(out[:len(feasible)])
		return
	}
	memo := p.c.preferredMemo(p)
	for i, n := range feasible {
		s := memo[n.id]
		if s < 0 {
			s = pl.Score(p, n)
			memo[n.id] = s
		}
		out[i] = s
	}
}

// preferredMemo returns NodeAffinity's Score by NodeID for p's preferred
// terms (-1: not yet known; imagelocality.go's nodeMemo).
func (c *Cluster) preferredMemo(p *PodInfo) []int64 {
	return nodeMemoFor(c, c.prefMemos, p.prefSig)
}

// NormalizeScore scales onto 0..100.
func (*NodeAffinity) NormalizeScore(_ *PodInfo, _ []*NodeInfo, scores []int64) {
	defaultNormalizeScore(scores, false)
}

package kube

import "math"

// InterPodAffinity is a FilterPlugin and ScorePlugin
// (plugins/interpodaffinity: filtering.go, scoring.go). A term selects pods
// in its namespaces (the pod's own when none are given) matching its label
// selector; a domain is the set of nodes sharing the value of its topology
// key.
//
// Filter, in this order:
//   - required affinity: the node must have every term's key, and each
//     term's domain must hold a pod matching all the terms; unless no pod
//     anywhere matches them all and the pod matches its own terms (the first
//     pod of a group with affinity to itself). "node(s) didn't match pod
//     affinity rules", unresolvable.
//   - required anti-affinity: no term's domain may hold a pod it selects.
//     "node(s) didn't match pod anti-affinity rules".
//   - existing pods' required anti-affinity: no domain may hold a pod whose
//     term selects the incoming pod. "node(s) didn't satisfy existing pods
//     anti-affinity rules".
//
// Score: per domain, the sum of the weights of the pod's preferred affinity
// terms times the pods they select there, minus the same for its preferred
// anti-affinity terms, plus the weights of the existing pods' preferred
// affinity terms that select the pod (minus anti-affinity), plus
// HardPodAffinityWeight (default 1) for each existing pod's required
// affinity term that selects it. A node's raw score is the sum over the keys
// of its domains' sums. NormalizeScore: score = int64(100 * (raw - min) /
// (max - min)) over the feasible nodes, 0 for all when max = min. PreScore
// skips the plugin when nothing contributes.
type InterPodAffinity struct {
	// HardPodAffinityWeight weighs existing pods' required affinity terms in
	// scoring (InterPodAffinityArgs.hardPodAffinityWeight, 0-100).
	HardPodAffinityWeight int64

	p        *PodInfo
	anyMatch bool            // some pod matches all required affinity terms
	existing []*existingTerm // existing required anti-affinity terms selecting the pod
	contrib  []ipaContrib    // score: the terms that contribute
}

var (
	_ FilterPlugin    = (*InterPodAffinity)(nil)
	_ PreFilterPlugin = (*InterPodAffinity)(nil)
	_ ScorePlugin     = (*InterPodAffinity)(nil)
	_ PreScorePlugin  = (*InterPodAffinity)(nil)
	_ ScoreNormalizer = (*InterPodAffinity)(nil)
)

// NewInterPodAffinity returns the plugin with the default arguments
// (apis/config/v1 defaults.go: hardPodAffinityWeight 1).
func NewInterPodAffinity() *InterPodAffinity { return &InterPodAffinity{HardPodAffinityWeight: 1} }

// Name returns "InterPodAffinity".
func (*InterPodAffinity) Name() string { return "InterPodAffinity" }

// PreFilter finds the existing anti-affinity terms that select the pod and
// whether any pod matches its required affinity terms.
func (pl *InterPodAffinity) PreFilter(c *Cluster, p *PodInfo) Status {
	pl.p = p
	pl.existing = pl.existing[:0]
	for _, t := range c.matchingTerms(p) {
		if t.kind == requiredAntiAffinity && t.carriers > 0 {
			pl.existing = append(pl.existing, t)
		}
	}
	pl.anyMatch = false
	for i := range p.reqAffinity {
		if p.reqAffinity[i].ref.total() > 0 {
			pl.anyMatch = true
		}
	}
	if len(p.reqAffinity) == 0 && len(p.reqAnti) == 0 && len(pl.existing) == 0 {
		return Status{Code: Skip}
	}
	return Status{}
}

// Filter checks affinity, anti-affinity and the existing pods'
// anti-affinity on the node.
func (pl *InterPodAffinity) Filter(p *PodInfo, n *NodeInfo) Status {
	if pl.p != p {
		if pl.PreFilter(p.c, p).IsSkip() {
			return Status{}
		}
	}
	if len(p.reqAffinity) > 0 {
		exist := true
		for i := range p.reqAffinity {
			t := &p.reqAffinity[i]
			d := n.dom[t.topo]
			if d < 0 {
				return unresolvable(ReasonPodAffinity)
			}
			if t.ref.inDomain(d) <= 0 {
				exist = false
			}
		}
		if !exist && (pl.anyMatch || !p.selfAffinity) {
			return unresolvable(ReasonPodAffinity)
		}
	}
	for i := range p.reqAnti {
		t := &p.reqAnti[i]
		if t.ref.inDomain(n.dom[t.topo]) > 0 {
			return unschedulable(ReasonPodAntiAffinity)
		}
	}
	for _, t := range pl.existing {
		if t.inDomain(n.dom[t.topo]) > 0 {
			return unschedulable(ReasonExistingAntiAffinity)
		}
	}
	return Status{}
}

// PreScore collects, per term that contributes, its weight and its counts
// by domain of its topology key: the preferred terms on both sides and the
// existing required affinity terms. A node's raw score is the sum over the
// terms of weight times the count in the node's domain, the same as summing
// per topology key and domain first (scoring.go's topologyScore) and adding
// the node's domains' sums, without a pass over every domain.
func (pl *InterPodAffinity) PreScore(c *Cluster, p *PodInfo, _ []*NodeInfo) Status {
	pl.p = p
	pl.contrib = pl.contrib[:0]
	contributed := false
	for side, list := range [2][]weightedTerm{p.prefAffinity, p.prefAnti} {
		for i := range list {
			t := &list[i]
			if t.ref.total() == 0 {
				continue
			}
			w := t.w
			if side == 1 {
				w = -w
			}
			pl.contrib = append(pl.contrib, ipaContrib{topo: t.topo, w: w, counts: t.ref.m.perDomain[t.ref.slot]})
			contributed = true
		}
	}
	for _, t := range c.matchingTerms(p) {
		if t.carriers == 0 {
			continue
		}
		var w int64
		switch t.kind {
		case requiredAffinity:
			w = pl.HardPodAffinityWeight
		case preferredAffinity:
			w = 1
		case preferredAntiAffinity:
			w = -1
		}
		if w == 0 {
			continue
		}
		pl.contrib = append(pl.contrib, ipaContrib{topo: t.topo, w: w, sums: t.perDomain})
		if t.nonZero > 0 {
			contributed = true
		}
	}
	if !contributed {
		return Status{Code: Skip}
	}
	return Status{}
}

// ipaContrib is one term's part of the raw scores: w times the term's
// count in the node's domain of topo, from counts (the pod's own terms) or
// sums (existing terms).
type ipaContrib struct {
	topo   int32
	w      int64
	counts []int32
	sums   []int64
}

// Score adds the terms' parts in the node's domains.
func (pl *InterPodAffinity) Score(_ *PodInfo, n *NodeInfo) int64 {
	var s int64
	for i := range pl.contrib {
		s += pl.contrib[i].of(n)
	}
	return s
}

func (t *ipaContrib) of(n *NodeInfo) int64 {
	d := n.dom[t.topo]
	switch {
	case d < 0:
		return 0
	case t.counts != nil:
		if int(d) < len(t.counts) {
			return t.w * int64(t.counts[d])
		}
	case int(d) < len(t.sums):
		return t.w * t.sums[d]
	}
	return 0
}

// scoreAll is Score over the feasible nodes.
func (pl *InterPodAffinity) scoreAll(_ *PodInfo, feasible []*NodeInfo, out []int64) {
	clear(out[:len(feasible)])
	for i := range pl.contrib {
		t := &pl.contrib[i]
		for j, n := range feasible {
			out[j] += t.of(n)
		}
	}
}

// NormalizeScore maps min..max onto 0..100.
func (pl *InterPodAffinity) NormalizeScore(_ *PodInfo, _ []*NodeInfo, scores []int64) {
	if len(pl.contrib) == 0 {
		return
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, s := range scores {
		lo, hi = min(lo, s), max(hi, s)
	}
	for i, s := range scores {
		var f float64
		if hi > lo {
			f = float64(MaxNodeScore) * (float64(s-lo) / float64(hi-lo))
		}
		scores[i] = int64(f)
	}
}

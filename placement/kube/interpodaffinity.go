package kube

import (
	"math"
	"slices"
)

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
	keys     []int32         // score: topology keys with sums
	sums     [][]int64       // score: sum by domain, per key
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
	for _, t := range c.terms {
		if t.kind == requiredAntiAffinity && t.carriers > 0 && t.cl.matches(&c.in, p.ns, p.labels) {
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

// PreScore sums, per topology key and domain, what the preferred terms on
// both sides and the existing required affinity terms give.
func (pl *InterPodAffinity) PreScore(c *Cluster, p *PodInfo, _ []*NodeInfo) Status {
	pl.p = p
	pl.keys = pl.keys[:0]
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
			sum := pl.sum(c, t.topo)
			for d, k := range t.ref.m.perDomain[t.ref.slot] {
				sum[d] += w * int64(k)
			}
			contributed = true
		}
	}
	for _, t := range c.terms {
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
		if w == 0 || !t.cl.matches(&c.in, p.ns, p.labels) {
			continue
		}
		sum := pl.sum(c, t.topo)
		for d, v := range t.perDomain {
			if v != 0 {
				sum[d] += w * v
				contributed = true
			}
		}
	}
	if !contributed {
		return Status{Code: Skip}
	}
	return Status{}
}

// sum returns the zeroed-at-first-use sums by domain of topology key t.
func (pl *InterPodAffinity) sum(c *Cluster, t int32) []int64 {
	if i := slices.Index(pl.keys, t); i >= 0 {
		return pl.sums[i]
	}
	n := len(c.topo[t].nodesIn)
	k := len(pl.keys)
	pl.keys = append(pl.keys, t)
	if k < len(pl.sums) {
		pl.sums[k] = resize(pl.sums[k], n)
		clear(pl.sums[k])
	} else {
		pl.sums = append(pl.sums, make([]int64, n))
	}
	return pl.sums[k]
}

// Score adds the sums of the node's domains.
func (pl *InterPodAffinity) Score(_ *PodInfo, n *NodeInfo) int64 {
	var s int64
	for i, t := range pl.keys {
		if d := n.dom[t]; d >= 0 {
			s += pl.sums[i][d]
		}
	}
	return s
}

// NormalizeScore maps min..max onto 0..100.
func (pl *InterPodAffinity) NormalizeScore(_ *PodInfo, _ []*NodeInfo, scores []int64) {
	if len(pl.keys) == 0 {
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

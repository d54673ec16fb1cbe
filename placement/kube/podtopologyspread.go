package kube

import (
	"math"
)

// PodTopologySpread is a FilterPlugin and ScorePlugin
// (plugins/podtopologyspread: filtering.go, scoring.go, common.go,
// plugin.go). The constraints are the pod's own or, when it has none, the
// cluster defaults (hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway,
// over Pod.DefaultSpreadSelector). A constraint counts the pods in the pod's
// namespace that match its selector (none for an empty selector) on the
// eligible nodes: those with every topology key of the pod's constraints and,
// by its policies, matching the pod's required node affinity (nodeAffinityPolicy
// Honor, the default) and tolerating its NoSchedule/NoExecute taints
// (nodeTaintsPolicy Honor; Ignore by default).
//
// Filter (DoNotSchedule): for each constraint, a node without the topology
// key fails ("(missing required label)", unresolvable); else, with match =
// the count in the node's domain, self = 1 if the pod matches the selector,
// and min = the smallest count over the eligible domains (0 when there are
// fewer than minDomains of them),
//
//	match + self - min > maxSkew  =>  "node(s) didn't match pod topology spread constraints"
//
// Score (ScheduleAnyway): with weight_c = ln(domains_c + 2), domains_c the
// number of the feasible nodes' domains (the feasible nodes themselves for
// kubernetes.io/hostname), and cnt the count in the node's domain (the pods
// on the node itself for hostname),
//
//	raw = round(sum_c (cnt_c * weight_c + maxSkew_c - 1))
//
// over the constraints whose key the node has; with the pod's own
// constraints, a feasible node missing one of their keys is not scored.
// NormalizeScore: score = 100 * (max + min - raw) / max over the scored
// nodes (100 for all when max is 0; 0 for the unscored).
type PodTopologySpread struct {
	c    *Cluster
	p    *PodInfo
	hard []hardState
	soft []softState
	// slow-path scratch: counts and presence by domain, per constraint
	cnt   [][]int32
	seen  [][]bool
	stamp []uint32 // by domain: last PreScore that saw it
	epoch uint32
	norm  []int64 // NormalizeScore's table
}

type hardState struct {
	sc     *spreadConstraint
	counts []int32 // by domain
	min    int32
	self   int32
}

type softState struct {
	sc     *spreadConstraint
	counts []int32 // by domain (not used for hostname)
	weight float64
}

var (
	_ FilterPlugin    = (*PodTopologySpread)(nil)
	_ PreFilterPlugin = (*PodTopologySpread)(nil)
	_ ScorePlugin     = (*PodTopologySpread)(nil)
	_ PreScorePlugin  = (*PodTopologySpread)(nil)
	_ ScoreNormalizer = (*PodTopologySpread)(nil)
)

// Name returns "PodTopologySpread".
func (*PodTopologySpread) Name() string { return "PodTopologySpread" }

// keysOf returns the topology keys of cs.
func keysOf(cs []spreadConstraint, buf []int32) []int32 {
	buf = buf[:0]
	for i := range cs {
		buf = append(buf, cs[i].topo)
	}
	return buf
}

// hasKeys reports whether n has every topology key of cs
// (nodeLabelsMatchSpreadConstraints).
func hasKeys(n *NodeInfo, cs []spreadConstraint) bool {
	for i := range cs {
		if n.dom[cs[i].topo] < 0 {
			return false
		}
	}
	return true
}

// filtersNodes reports whether sc's policies can leave out a node the keys do
// not: required node affinity honoured for a pod that has one, or taints
// honoured.
func (sc *spreadConstraint) filtersNodes(p *PodInfo) bool {
	return sc.honorAffinity && p.affSig != "" || sc.honorTaints
}

// eligible is matchNodeInclusionPolicies for one constraint.
func (sc *spreadConstraint) eligible(p *PodInfo, n *NodeInfo, affOK []bool) bool {
	if sc.honorAffinity && affOK != nil && !affOK[n.id] {
		return false
	}
	if sc.honorTaints {
		for i := range n.taints {
			t := &n.taints[i]
			if (t.effect == NoSchedule || t.effect == NoExecute) && !toleratedBy(p.tolerations, t) {
				return false
			}
		}
	}
	return true
}

// countedNodes returns the nodes whose pods sc may count: those matching
// p's required node affinity when sc honours it, else every node slot
// (removed ones included: callers skip them).
func (c *Cluster) countedNodes(p *PodInfo, sc *spreadConstraint) []*NodeInfo {
	if sc.honorAffinity && p.affSig != "" {
		c.affinityOK(p)
		return c.elig[p.affSig].nodes
	}
	return c.nodes
}

// PreFilter counts, per hard constraint, the matching pods by domain and the
// global minimum (calPreFilterState).
func (pl *PodTopologySpread) PreFilter(c *Cluster, p *PodInfo) Status {
	if len(p.hardSpread) == 0 {
		return Status{Code: Skip}
	}
	pl.c, pl.p = c, p
	pl.hard = pl.hard[:0]
	fast := c.allHaveKeys(keysOf(p.hardSpread, nil))
	for i := range p.hardSpread {
		fast = fast && !p.hardSpread[i].filtersNodes(p)
	}
	var affOK []bool
	if !fast {
		affOK = c.affinityOK(p)
	}
	for i := range p.hardSpread {
		sc := &p.hardSpread[i]
		hs := hardState{sc: sc}
		if sc.sel.matches(&c.in, p.labels) {
			hs.self = 1
		}
		tk := c.topo[sc.topo]
		var present func(d int) bool
		if fast {
			hs.counts = sc.ref.m.perDomain[sc.ref.slot]
			present = func(d int) bool { return tk.nodesIn[d] > 0 }
		} else {
			cnt, seen := pl.scratch(i, len(tk.nodesIn))
			for _, n := range c.countedNodes(p, sc) {
				if !n.live || !hasKeys(n, p.hardSpread) || !sc.eligible(p, n, affOK) {
					continue
				}
				d := n.dom[sc.topo]
				cnt[d] += sc.ref.m.onNode(n.id)
				seen[d] = true
			}
			hs.counts = cnt
			present = func(d int) bool { return seen[d] }
		}
		if sc.empty {
			hs.counts = nil
		}
		minCount, domains := int32(math.MaxInt32), int32(0)
		for d := range tk.nodesIn {
			if present(d) {
				domains++
				minCount = min(minCount, countAt(hs.counts, int32(d)))
			}
		}
		if domains < sc.minDomains {
			minCount = 0
		}
		hs.min = minCount
		pl.hard = append(pl.hard, hs)
	}
	return Status{}
}

func countAt(a []int32, d int32) int32 {
	if d < 0 || int(d) >= len(a) {
		return 0
	}
	return a[d]
}

// scratch returns zeroed count and presence slices of length n for
// constraint i.
func (pl *PodTopologySpread) scratch(i, n int) ([]int32, []bool) {
	for len(pl.cnt) <= i {
		pl.cnt = append(pl.cnt, nil)
		pl.seen = append(pl.seen, nil)
	}
	pl.cnt[i] = resize(pl.cnt[i], n)
	pl.seen[i] = resize(pl.seen[i], n)
	clear(pl.cnt[i])
	clear(pl.seen[i])
	return pl.cnt[i], pl.seen[i]
}

// Filter checks each hard constraint's skew on the node.
func (pl *PodTopologySpread) Filter(p *PodInfo, n *NodeInfo) Status {
	if pl.p != p {
		if st := pl.PreFilter(p.c, p); st.IsSkip() {
			return Status{}
		}
	}
	for i := range pl.hard {
		hs := &pl.hard[i]
		d := n.dom[hs.sc.topo]
		if d < 0 {
			return unresolvable(ReasonSpreadMissingLabel)
		}
		if countAt(hs.counts, d)+hs.self-hs.min > hs.sc.maxSkew {
			return unschedulable(ReasonSpreadConstraints)
		}
	}
	return Status{}
}

// PreScore finds the domains of the feasible nodes, their weights and, per
// soft constraint, the matching pods by domain over all eligible nodes
// (initPreScoreState and PreScore).
func (pl *PodTopologySpread) PreScore(c *Cluster, p *PodInfo, feasible []*NodeInfo) Status {
	if len(p.softSpread) == 0 || c.numNodes == 0 {
		return Status{Code: Skip}
	}
	pl.c, pl.p = c, p
	cs := p.softSpread
	requireAll := p.explicitSpread
	fast := !requireAll || c.allHaveKeys(keysOf(cs, nil))
	for i := range cs {
		fast = fast && !cs[i].filtersNodes(p)
	}
	var affOK []bool
	if !fast {
		affOK = c.affinityOK(p)
	}
	scored := len(feasible)
	if requireAll {
		scored = 0
		for _, n := range feasible {
			if hasKeys(n, cs) {
				scored++
			}
		}
	}
	pl.soft = pl.soft[:0]
	for i := range cs {
		sc := &cs[i]
		ss := softState{sc: sc}
		size := scored
		if !sc.hostname {
			size = pl.domainsAmong(c, p, sc, feasible, requireAll)
			if fast {
				ss.counts = sc.ref.m.perDomain[sc.ref.slot]
			} else {
				cnt, _ := pl.scratch(i, len(c.topo[sc.topo].nodesIn))
				if !requireAll && !sc.honorTaints && sc.honorAffinity && p.affSig != "" && sc.topo == c.zoneTopo {
					// The nodes matching the pod's required affinity, by
					// their hot zone: what the loop below counts.
					for _, id := range c.elig[p.affSig].ids {
						if d := c.hotDom[id].zone; d >= 0 {
							cnt[d] += sc.ref.m.onNode(id)
						}
					}
				} else {
					for _, n := range c.countedNodes(p, sc) {
						if !n.live || requireAll && !hasKeys(n, cs) || !sc.eligible(p, n, affOK) {
							continue
						}
						if d := n.dom[sc.topo]; d >= 0 {
							cnt[d] += sc.ref.m.onNode(n.id)
						}
					}
				}
				ss.counts = cnt
			}
		}
		ss.weight = math.Log(float64(size + 2))
		pl.soft = append(pl.soft, ss)
	}
	return Status{}
}

// domainsAmong counts the distinct domains of sc's key among the scored
// feasible nodes. With the cluster defaults a feasible node without the key
// is still scored, and kube-scheduler counts it in the domain of the empty
// value.
func (pl *PodTopologySpread) domainsAmong(c *Cluster, p *PodInfo, sc *spreadConstraint, feasible []*NodeInfo, requireAll bool) int {
	tk := c.topo[sc.topo]
	pl.stamp = growTo(pl.stamp, len(tk.nodesIn))
	pl.epoch++
	if pl.epoch == 0 {
		clear(pl.stamp)
		pl.epoch = 1
	}
	k, missing := 0, false
	domains := 0 // the domains with nodes: once all are seen only a missing key can add one
	for _, in := range tk.nodesIn {
		if in > 0 {
			domains++
		}
	}
	allHave := tk.withKey == c.numNodes
	for _, n := range feasible {
		if k == domains && (allHave || missing) {
			break
		}
		if requireAll && !hasKeys(n, p.softSpread) {
			continue
		}
		d := n.dom[sc.topo]
		if d < 0 {
			missing = true
			continue
		}
		if pl.stamp[d] != pl.epoch {
			pl.stamp[d] = pl.epoch
			k++
		}
	}
	if missing {
		empty, ok := tk.domOf[c.in.id("")]
		if !ok || pl.stamp[empty] != pl.epoch {
			k++
		}
	}
	return k
}

// Score sums scoreForCount over the soft constraints whose key the node has.
func (pl *PodTopologySpread) Score(p *PodInfo, n *NodeInfo) int64 {
	if p.explicitSpread && !hasKeys(n, p.softSpread) {
		return 0
	}
	var s float64
	for i := range pl.soft {
		ss := &pl.soft[i]
		d := n.dom[ss.sc.topo]
		if d < 0 {
			continue
		}
		var cnt int32
		switch {
		case ss.sc.empty:
		case ss.sc.hostname:
			cnt = ss.sc.ref.m.onNode(n.id)
		default:
			cnt = countAt(ss.counts, d)
		}
		s += float64(cnt)*ss.weight + float64(ss.sc.maxSkew-1)
	}
	return int64(math.Round(s))
}

// scoreAll is Score over the feasible nodes.
func (pl *PodTopologySpread) scoreAll(p *PodInfo, feasible []*NodeInfo, out []int64) {
	if !pl.defaultPair(p) {
		for i, n := range feasible {
			out[i] = pl.Score(p, n)
		}
		return
	}
	sp := pl.pair()
	for i, n := range feasible {
		out[i] = sp.raw(n)
	}
}

// NormalizeScore reverses the raw scores: fewer matching pods, higher score.
func (pl *PodTopologySpread) NormalizeScore(p *PodInfo, feasible []*NodeInfo, scores []int64) {
	lo, hi := int64(math.MaxInt64), int64(0)
	ignored := func(i int) bool { return p.explicitSpread && !hasKeys(feasible[i], p.softSpread) }
	for i, s := range scores {
		if ignored(i) {
			continue
		}
		lo, hi = min(lo, s), max(hi, s)
	}
	if !p.explicitSpread && hi > 0 && hi-lo < int64(len(scores)) {
		// Few distinct raw scores: divide once per value, not per node.
		tab := resize(pl.norm, int(hi-lo)+1)
		pl.norm = tab
		for v := range tab {
			tab[v] = MaxNodeScore * (hi - int64(v)) / hi
		}
		for i, s := range scores {
			scores[i] = tab[s-lo]
		}
		return
	}
	for i, s := range scores {
		switch {
		case ignored(i):
			scores[i] = 0
		case hi == 0:
			scores[i] = MaxNodeScore
		default:
			scores[i] = MaxNodeScore * (hi + lo - s) / hi
		}
	}
}

package kube

import "math"

// defaultScores is the default profile's scoring in one pass over the
// feasible nodes, for a Framework whose score plugins are exactly
// DefaultProfile's (same types, order, weights and arguments): per node it
// computes NodeResourcesFit's LeastAllocated, BalancedAllocation and
// ImageLocality (no NormalizeScore: they add straight to the total) and the
// raw TaintToleration count and cluster-default PodTopologySpread score,
// whose normalisations need the extremes over all the nodes and are applied
// in a second pass. NodeAffinity and InterPodAffinity, when their PreScore
// does not skip them, and PodTopologySpread with a pod's own constraints,
// take the plugin-by-plugin path. Each formula is the plugin's own (the
// plugins' Score methods are the reference); TestDefaultScoresEqualThePlugins
// and internal/kubecompare hold the pass to them.
type defaultScores struct {
	tt   TaintToleration
	na   *NodeAffinity
	fit  *NodeResourcesFit
	pts  *PodTopologySpread
	ipa  *InterPodAffinity
	ba   *BalancedAllocation
	il   *ImageLocality
	w    [7]int64
	tab  []int64 // per feasible node: TaintToleration count, then PodTopologySpread raw
	norm []int64 // PodTopologySpread's normalised, weighted score by raw - min
}

// The positions of the default score plugins in DefaultProfile.
const (
	dsTaint = iota
	dsNodeAffinity
	dsFit
	dsSpread
	dsInterPod
	dsBalanced
	dsImage
)

// newDefaultScores returns the one-pass scorer when scores are the default
// profile's, else nil.
func newDefaultScores(scores []scoreEntry) *defaultScores {
	if len(scores) != 7 {
		return nil
	}
	d := &defaultScores{}
	var ok [7]bool
	_, ok[dsTaint] = scores[dsTaint].ScorePlugin.(TaintToleration)
	d.na, ok[dsNodeAffinity] = scores[dsNodeAffinity].ScorePlugin.(*NodeAffinity)
	d.fit, ok[dsFit] = scores[dsFit].ScorePlugin.(*NodeResourcesFit)
	d.pts, ok[dsSpread] = scores[dsSpread].ScorePlugin.(*PodTopologySpread)
	d.ipa, ok[dsInterPod] = scores[dsInterPod].ScorePlugin.(*InterPodAffinity)
	d.ba, ok[dsBalanced] = scores[dsBalanced].ScorePlugin.(*BalancedAllocation)
	d.il, ok[dsImage] = scores[dsImage].ScorePlugin.(*ImageLocality)
	for i, se := range scores {
		if !ok[i] {
			return nil
		}
		d.w[i] = se.weight
	}
	if !d.fit.cpuMem || d.fit.strategy.Type != LeastAllocated ||
		len(d.ba.resources) != 2 || d.ba.resources[0].Name != ResourceCPU || d.ba.resources[1].Name != ResourceMemory {
		return nil
	}
	return d
}

// score fills total (zeroed, one per feasible node) for p.
func (d *defaultScores) score(f *Framework, p *PodInfo, feasible []*NodeInfo, total []int64) {
	c := f.c
	var skip [7]bool
	for i, se := range f.scores {
		skip[i] = se.pre != nil && se.pre.PreScore(c, p, feasible).IsSkip()
	}
	// The plugin-by-plugin path for what the pass does not cover.
	spreadPass := !skip[dsSpread] && d.pts.defaultPair(p)
	for _, i := range [...]int{dsNodeAffinity, dsInterPod, dsSpread} {
		if !skip[i] && !(i == dsSpread && spreadPass) {
			f.scoreOne(i, p, feasible, total)
		}
	}
	k := len(feasible)
	d.tab = growTo(d.tab[:0], 2*k)[:2*k]
	tt, pts := d.tab[:k], d.tab[k:]
	pc, pm := p.nonZero.MilliCPU, p.nonZero.MemoryBytes
	rc, rm := p.req.MilliCPU, p.req.MemoryBytes
	plainTaints := len(p.pnsTols) == 0
	balanced := !skip[dsBalanced]
	if balanced {
		d.ba.without = growTo(d.ba.without, len(c.nodes))
	}
	memo := c.imageMemo(p)
	var sp spreadPair
	if spreadPass {
		sp = d.pts.pair()
	}
	wFit, wBA, wIL := d.w[dsFit], d.w[dsBalanced], d.w[dsImage]
	ttMax, ptsLo, ptsHi := int64(0), int64(math.MaxInt64), int64(0)
	for i, n := range feasible {
		var s int64
		if n.exactDiv {
			s = d.resourceScores(n, pc, pm, rc, rm, balanced, wFit, wBA)
		} else {
			s = d.resourceScoresSlow(n, pc, pm, rc, rm, balanced, wFit, wBA)
		}
		im := memo[n.id] // ImageLocality.scoreAll
		if im < 0 {
			im = int8(d.il.Score(p, n))
			memo[n.id] = im
		}
		total[i] += s + int64(im)*wIL
	}
	// TaintToleration's raw count (Score).
	for i, n := range feasible {
		t := n.pnsTaints
		if !plainTaints {
			t = d.tt.Score(p, n)
		}
		tt[i] = t
		ttMax = max(ttMax, t)
	}
	if spreadPass {
		for i, n := range feasible {
			v := sp.raw(n)
			pts[i] = v
			ptsLo, ptsHi = min(ptsLo, v), max(ptsHi, v)
		}
	}
	// TaintToleration's NormalizeScore (defaultNormalizeScore, reversed) and
	// PodTopologySpread's (pod without constraints of its own), from a table
	// when the raw scores span fewer values than there are nodes.
	wTT, wPTS := d.w[dsTaint], d.w[dsSpread]
	var norm []int64
	if spreadPass && ptsHi > 0 && ptsHi-ptsLo < int64(k) {
		d.norm = growTo(d.norm[:0], int(ptsHi-ptsLo)+1)[:ptsHi-ptsLo+1]
		norm = d.norm
		for v := range norm {
			norm[v] = MaxNodeScore * (ptsHi - int64(v)) / ptsHi * wPTS
		}
	}
	for i := range feasible {
		v := MaxNodeScore
		switch t := tt[i]; {
		case t == 0:
		case t == ttMax:
			v = 0
		default:
			v = MaxNodeScore - MaxNodeScore*t/ttMax
		}
		v *= wTT
		switch {
		case !spreadPass:
		case norm != nil:
			v += norm[pts[i]-ptsLo]
		case ptsHi == 0:
			v += MaxNodeScore * wPTS
		default:
			v += MaxNodeScore * (ptsHi + ptsLo - pts[i]) / ptsHi * wPTS
		}
		total[i] += v
	}
}

// resourceScores is NodeResourcesFit's LeastAllocated (leastRequestedFast)
// times wFit plus, when balanced, BalancedAllocation's score (balance2)
// times wBA, for a node with exactDiv.
func (d *defaultScores) resourceScores(n *NodeInfo, pc, pm, rc, rm int64, balanced bool, wFit, wBA int64) int64 {
	ac, am := n.alloc.MilliCPU, n.alloc.MemoryBytes
	fc, fm := float64(ac), float64(am)
	var cpu, mem int64
	if q := n.nonZero.MilliCPU + pc; uint64(q) <= uint64(ac) {
		cpu = int64(float64((ac-q)*MaxNodeScore) / fc)
	}
	if q := n.nonZero.MemoryBytes + pm; uint64(q) <= uint64(am) {
		mem = int64(float64((am-q)*MaxNodeScore) / fm)
	}
	s := (cpu + mem) / 2 * wFit
	if !balanced {
		return s
	}
	nc, nm := n.requested.MilliCPU, n.requested.MemoryBytes
	f1 := min(float64(nc+rc)/fc, 1)
	f2 := min(float64(nm+rm)/fm, 1)
	bw := int64((1 - math.Abs((f1-f2)/2)) * float64(MaxNodeScore))
	m := &d.ba.without[n.id]
	if m.gen != n.gen {
		m.gen, m.b = n.gen, balance2(nc, ac, nm, am)
	}
	return s + (MaxNodeScore/2+(MaxNodeScore/2+bw-m.b)/2)*wBA
}

// resourceScoresSlow is resourceScores for any node.
func (d *defaultScores) resourceScoresSlow(n *NodeInfo, pc, pm, rc, rm int64, balanced bool, wFit, wBA int64) int64 {
	ac, am := n.alloc.MilliCPU, n.alloc.MemoryBytes
	cpu := leastRequestedFast(n.nonZero.MilliCPU+pc, ac)
	mem := leastRequestedFast(n.nonZero.MemoryBytes+pm, am)
	var s int64
	switch {
	case ac > 0 && am > 0:
		s = (cpu + mem) / 2
	case ac > 0:
		s = cpu
	default:
		s = mem
	}
	s *= wFit
	if !balanced {
		return s
	}
	nc, nm := n.requested.MilliCPU, n.requested.MemoryBytes
	bw := balance2(nc+rc, ac, nm+rm, am)
	m := &d.ba.without[n.id]
	if m.gen != n.gen {
		m.gen, m.b = n.gen, balance2(nc, ac, nm, am)
	}
	return s + (MaxNodeScore/2+(MaxNodeScore/2+bw-m.b)/2)*wBA
}

// spreadPair is PodTopologySpread's state for the cluster-default
// constraints (hostname, then zone), read by the one-pass scorer.
type spreadPair struct {
	hostTopo, zoneTopo int32
	perNode            []int32 // matching pods by NodeID
	counts             []int32 // matching pods by zone domain
	hw, hs, zw, zs     float64
}

// defaultPair reports whether the PreScore state is the cluster-default
// pair of constraints.
func (pl *PodTopologySpread) defaultPair(p *PodInfo) bool {
	return !p.explicitSpread && len(pl.soft) == 2 && pl.soft[0].sc.hostname && !pl.soft[1].sc.hostname && !pl.soft[0].sc.empty && !pl.soft[1].sc.empty
}

func (pl *PodTopologySpread) pair() spreadPair {
	h, z := &pl.soft[0], &pl.soft[1]
	m := h.sc.ref.m
	m.perNode = growTo(m.perNode, len(pl.c.nodes)) // zeros: no pod counted there yet
	return spreadPair{hostTopo: h.sc.topo, zoneTopo: z.sc.topo, perNode: m.perNode, counts: z.counts,
		hw: h.weight, hs: float64(h.sc.maxSkew - 1), zw: z.weight, zs: float64(z.sc.maxSkew - 1)}
}

// raw is PodTopologySpread.Score for the pair.
func (sp *spreadPair) raw(n *NodeInfo) int64 {
	var s float64
	dom := n.dom
	if dom[sp.hostTopo] >= 0 {
		s += float64(sp.perNode[n.id])*sp.hw + sp.hs
	}
	if d := dom[sp.zoneTopo]; d >= 0 {
		s += float64(countAt(sp.counts, d))*sp.zw + sp.zs
	}
	// math.Round(s) for s >= 0: s - Floor(s) is exact (Sterbenz), so
	// comparing it with one half rounds as Round does, half away from zero.
	r := math.Floor(s)
	if s-r >= 0.5 {
		r++
	}
	return int64(r)
}

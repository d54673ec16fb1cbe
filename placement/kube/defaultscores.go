package kube

import (
	"math"
	"math/rand/v2"
)

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
	// spreadTab is the cluster-default spreading's raw score by zone domain
	// and the pod's matching pods on the node (spreadPair.table).
	spreadTab []int32
	// codes and combined are codedNormalized's scratch.
	codes    []uint16
	combined *[maxCodes]int64
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

// score fills total (zeroed, one per feasible node; ids are the nodes'
// IDs) for p. With pick, it may instead choose the node as selectHost would
// with r, leaving total incomplete: it returns the chosen index, or -1 when
// it did not choose (total is then complete).
func (d *defaultScores) score(f *Framework, p *PodInfo, feasible []*NodeInfo, ids []NodeID, total []int64, r *rand.Rand, pick bool) int {
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
	ids = ids[:k]
	d.tab = resize(d.tab, 2*k)
	tt, pts := d.tab[:k], d.tab[k:]
	shape := resShape{p.nonZero.MilliCPU, p.nonZero.MemoryBytes, p.req.MilliCPU, p.req.MemoryBytes}
	res := c.res.score[c.res.lookup(shape, len(c.nodes))]
	d.ba.without = growTo(d.ba.without, len(c.nodes))
	plainTaints := len(p.pnsTols) == 0
	memo := c.imageMemo(p)
	hotDom := c.hotDom
	wFit, wBA, wIL := d.w[dsFit], d.w[dsBalanced], d.w[dsImage]
	if skip[dsBalanced] {
		wBA = 0
	}
	var sp spreadPair
	tabled := false // the table and the hot domains serve the pair
	if spreadPass {
		sp = d.pts.pair()
		d.spreadTab = sp.table(c, d.spreadTab)
		tabled = sp.hostTopo == c.hostnameTopo && sp.zoneTopo == c.zoneTopo
	}
	ttMax, ptsLo, ptsHi := int64(0), int64(math.MaxInt64), int64(0)
	total = total[:k]
	// The memoised resource and image scores, computed where missing. The
	// loop over the nodes is a leaf function that stops at a node missing
	// one, to be resumed there: without calls in it, the compiler keeps its
	// state in registers.
	for i := 0; ; {
		i = addResourceAndImage(ids, res, memo, total, i, wFit, wBA, wIL)
		if i == k {
			break
		}
		id := ids[i]
		if res[id] == 0 {
			res[id] = d.resourcePair(feasible[i], shape)
		}
		if memo[id] < 0 { // ImageLocality.scoreAll
			memo[id] = int8(d.il.Score(p, feasible[i]))
		}
	}
	if plainTaints && tabled {
		if best, ok := d.codedNormalized(c, ids, sp.perNode, total, r, pick); ok {
			return best
		}
	}
	// TaintToleration's raw count (Score).
	tt = tt[:k]
	if plainTaints {
		for i, id := range ids {
			t := int64(hotDom[id].pns)
			tt[i] = t
			ttMax = max(ttMax, t)
		}
	} else {
		for i, n := range feasible {
			t := d.tt.Score(p, n)
			tt[i] = t
			ttMax = max(ttMax, t)
		}
	}
	if spreadPass {
		pts = pts[:k]
		perNode, tab := sp.perNode, d.spreadTab
		for i, id := range ids {
			h := &hotDom[id]
			var v int64
			if pn := perNode[id]; tabled && uint32(pn) < spreadTabCounts && h.host >= 0 {
				v = int64(tab[(h.zone+1)*spreadTabCounts+pn])
			} else {
				v = sp.raw(feasible[i])
			}
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
		d.norm = resize(d.norm, int(ptsHi-ptsLo)+1)
		norm = d.norm
		for v := range norm {
			norm[v] = MaxNodeScore * (ptsHi - int64(v)) / ptsHi * wPTS
		}
	}
	for i := range feasible {
		v := taintNormalized(tt[i], ttMax) * wTT
		switch {
		case !spreadPass:
		case norm != nil:
			v += norm[pts[i]-ptsLo]
		default:
			v += spreadNormalized(pts[i], ptsLo, ptsHi) * wPTS
		}
		total[i] += v
	}
	return -1
}

// taintNormalized is TaintToleration's NormalizeScore of a node with t
// intolerable PreferNoSchedule taints, ttMax the most on a feasible node:
// defaultNormalizeScore reversed, MaxNodeScore for none.
func taintNormalized(t, ttMax int64) int64 {
	switch {
	case t == 0:
		return MaxNodeScore
	case t == ttMax:
		return 0
	default:
		return MaxNodeScore - MaxNodeScore*t/ttMax
	}
}

// spreadNormalized is PodTopologySpread's NormalizeScore of raw score v
// (pod without constraints of its own) among feasible nodes whose raw
// scores span lo..hi: MaxNodeScore * (hi + lo - v) / hi, MaxNodeScore for
// all when hi is 0.
func spreadNormalized(v, lo, hi int64) int64 {
	if hi == 0 {
		return MaxNodeScore
	}
	return MaxNodeScore * (hi + lo - v) / hi
}

// addResourceAndImage adds to total, from node i of ids on, the weighted
// resource scores (res, packRes) and image score (memo) of each node, until
// a node with either not memoised yet (res 0, memo negative); it returns
// that node's index, or len(ids). It is kept out of line: inlined into
// score, its loop shared registers with the rest and took 0.8 G more
// instructions over the 150,000-pod benchmark (cachegrind).
//
//go:noinline
func addResourceAndImage(ids []NodeID, res []uint16, memo []int8, total []int64, i int, wFit, wBA, wIL int64) int {
	total = total[:len(ids)]
	for ; i < len(ids); i++ {
		id := ids[i]
		v, im := res[id], memo[id]
		if v == 0 || im < 0 {
			return i
		}
		x := int64(v) - 1
		total[i] += (x&127)*wFit + (x>>7)*wBA + int64(im)*wIL
	}
	return len(ids)
}

// Bounds of codedNormalized's codes.
const (
	maxCodedTaints = 3
	maxCodes       = (maxCodedTaints + 1) * codeTaintStride
)

// maxCodes is a power of two (codes are masked with maxCodes-1 to spare
// bounds checks): this does not compile otherwise.
var _ = [1]struct{}{}[maxCodes&(maxCodes-1)]

// codedNormalized is the rest of score, TaintToleration and the
// cluster-default PodTopologySpread raw, normalised and weighted, for a
// pod without PreferNoSchedule tolerations, when every feasible node's raw
// scores come from small numbers: its PreferNoSchedule taints (at most
// maxCodedTaints), its zone and its matching pods (below spreadTabCounts,
// with a hostname label). Each node gets a code for the three (the first
// two kept in Cluster.hotCode); the extremes are taken over the codes seen and
// each code's weighted, normalised sum computed once, with the same
// formulas as the loops of score. It reports false, having changed nothing,
// when a node does not fit.
// With pick it does not complete total but chooses among the sums as
// selectHost would with r (selectCoded), and returns the choice; else -1.
func (d *defaultScores) codedNormalized(c *Cluster, ids []NodeID, perNode []int32, total []int64, r *rand.Rand, pick bool) (int, bool) {
	zc := len(d.spreadTab) // (zone domains + 1) * spreadTabCounts: the codes per taint count
	if zc > codeTaintStride {
		return -1, false
	}
	hotCode := c.hotCode
	d.codes = resize(d.codes, len(ids))
	codes := d.codes[:len(ids)]
	var seen [maxCodes]bool
	for i, id := range ids {
		base, pn := hotCode[id], perNode[id]
		if base == noCode || uint32(pn) >= spreadTabCounts {
			return -1, false
		}
		code := base + uint16(pn)
		codes[i] = code
		seen[code&(maxCodes-1)] = true // code < maxCodes: the mask only spares a bounds check
	}
	ttMax, ptsLo, ptsHi := int64(0), int64(math.MaxInt64), int64(0)
	for t := range maxCodedTaints + 1 {
		for j, ok := range seen[t*codeTaintStride:][:zc] {
			if ok {
				ttMax = max(ttMax, int64(t))
				v := int64(d.spreadTab[j])
				ptsLo, ptsHi = min(ptsLo, v), max(ptsHi, v)
			}
		}
	}
	wTT, wPTS := d.w[dsTaint], d.w[dsSpread]
	if d.combined == nil {
		d.combined = new([maxCodes]int64)
	}
	comb := d.combined
	for t := range maxCodedTaints + 1 {
		for j, ok := range seen[t*codeTaintStride:][:zc] {
			if !ok {
				continue
			}
			comb[t*codeTaintStride+j] = taintNormalized(int64(t), ttMax)*wTT + spreadNormalized(int64(d.spreadTab[j]), ptsLo, ptsHi)*wPTS
		}
	}
	if pick {
		return selectCoded(total, codes, comb, r), true
	}
	total = total[:len(codes)]
	for i, code := range codes {
		total[i] += comb[code&(maxCodes-1)]
	}
	return -1, true
}

// selectCoded is selectHost over the totals base[i] + comb[codes[i]],
// without writing them: the last pass over the feasible nodes adds and
// chooses at once. TestSelectCodedIsSelectHost holds it to selectHost.
func selectCoded(base []int64, codes []uint16, comb *[maxCodes]int64, r *rand.Rand) int {
	if len(codes) == 0 {
		return 0
	}
	base = base[:len(codes)]
	ch := choice{top: base[0] + comb[codes[0]&(maxCodes-1)], ties: 1}
	for i, code := range codes {
		ch.see(i, base[i]+comb[code&(maxCodes-1)], r)
	}
	return ch.best
}

// resourcePair returns NodeResourcesFit's LeastAllocated and
// BalancedAllocation's score of n for a pod of shape s, packed (packRes).
func (d *defaultScores) resourcePair(n *NodeInfo, s resShape) uint16 {
	ac, am := n.alloc.MilliCPU, n.alloc.MemoryBytes
	nc, nm := n.requested.MilliCPU, n.requested.MemoryBytes
	var la, bw int64
	if n.exactDiv {
		// leastRequestedFast and balance2 without their guards.
		fc, fm := float64(ac), float64(am)
		var cpu, mem int64
		if q := n.nonZero.MilliCPU + s.nzCPU; uint64(q) <= uint64(ac) {
			cpu = int64(float64((ac-q)*MaxNodeScore) / fc)
		}
		if q := n.nonZero.MemoryBytes + s.nzMem; uint64(q) <= uint64(am) {
			mem = int64(float64((am-q)*MaxNodeScore) / fm)
		}
		la = (cpu + mem) / 2
		f1 := min(float64(nc+s.cpu)/fc, 1)
		f2 := min(float64(nm+s.mem)/fm, 1)
		bw = int64((1 - math.Abs((f1-f2)/2)) * float64(MaxNodeScore))
	} else {
		cpu := leastRequestedFast(n.nonZero.MilliCPU+s.nzCPU, ac)
		mem := leastRequestedFast(n.nonZero.MemoryBytes+s.nzMem, am)
		switch {
		case ac > 0 && am > 0:
			la = (cpu + mem) / 2
		case ac > 0:
			la = cpu
		default:
			la = mem
		}
		bw = balance2(nc+s.cpu, ac, nm+s.mem, am)
	}
	m := &d.ba.without[n.id]
	if m.gen != n.gen {
		m.gen, m.b = n.gen, balance2(nc, ac, nm, am)
	}
	return packRes(la, MaxNodeScore/2+(MaxNodeScore/2+bw-m.b)/2)
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
	return sp.rawOf(n.dom[sp.hostTopo] >= 0, sp.perNode[n.id], n.dom[sp.zoneTopo])
}

// spreadTabCounts is how many per-node counts spreadPair.table covers.
const spreadTabCounts = 8

// table returns, at (zone + 1) * spreadTabCounts + count, the raw score of a
// node with a hostname label in zone domain zone (-1: none) holding count
// matching pods; buf is reused.
func (sp *spreadPair) table(c *Cluster, buf []int32) []int32 {
	zones := len(c.topo[sp.zoneTopo].nodesIn)
	n := (zones + 1) * spreadTabCounts
	buf = resize(buf, n)
	for z := -1; z < zones; z++ {
		for k := range int32(spreadTabCounts) {
			buf[(z+1)*spreadTabCounts+int(k)] = int32(sp.rawOf(true, k, int32(z)))
		}
	}
	return buf
}

// rawOf is raw for a node with or without a hostname label, holding
// perNode matching pods, in zone domain zone (-1: none).
func (sp *spreadPair) rawOf(host bool, perNode, zone int32) int64 {
	var s float64
	if host {
		s += float64(perNode)*sp.hw + sp.hs
	}
	if zone >= 0 {
		s += float64(countAt(sp.counts, zone))*sp.zw + sp.zs
	}
	// math.Round(s) for s >= 0: s - Floor(s) is exact (Sterbenz), so
	// comparing it with one half rounds as Round does, half away from zero.
	r := math.Floor(s)
	if s-r >= 0.5 {
		r++
	}
	return int64(r)
}

package placement

import (
	"math/rand/v2"
	"strings"
)

// keyVec holds one instance's strategy keys, lower wins, level by level.
type keyVec [MaxStrategies]int64

// plan is how Place searches for a spec's chain, chosen once by NewSpec.
type plan uint8

const (
	planScan       plan = iota // linear scan in ID order: no index serves the first strategy
	planRandom                 // random first: rejection sampling, scan as fallback
	planBinpack                // binpack first: whole-pool order by the resource
	planSpreadAttr             // spread(attribute:X) first, no random: partition on X
)

// Place chooses the instance for one task of s, or says why none fits.
//
// Order (AWS task-placement-strategies.html): (1) instances with the CPU,
// memory, ports and ENI the task needs, (2) that satisfy the constraints,
// (3) ranked by the strategies, (4) the best is chosen. The ranking is
// lexicographic: strategy 1's key, then strategy 2's to break its ties, and
// so on; a random strategy draws uniformly among the instances still tied;
// the last tie-break is the instance ID order. Place does not change the
// pool: call Reserve on the chosen handle. Randomness comes only from r,
// which may be nil when the chain has no random strategy.
func (p *Pool) Place(s *Spec, r *rand.Rand) Decision {
	if h := p.Choose(s, r); h != NoHandle {
		return Decision{Chosen: h}
	}
	return p.explain(s)
}

// Choose is Place without the explanation: the chosen instance, or NoHandle.
// A caller that already knows why a task waits (it failed the same way
// before) saves the full scan that explaining a failure costs.
func (p *Pool) Choose(s *Spec, r *rand.Rand) Handle {
	s.mustBelong(p)
	var h Handle
	switch s.plan {
	case planRandom:
		h = p.randomBest(s, r)
	case planBinpack:
		h, _ = p.binpackBest(s, 0, s.part.bucketAt(0), r)
	case planSpreadAttr:
		h = p.spreadAttrBest(s, r)
	default:
		h, _ = p.scanBest(s, 0, p.order, r)
	}
	return h
}

// Explain counts, over every active instance, the first check it fails: the
// Decision of a task that cannot be placed. O(instances).
func (p *Pool) Explain(s *Spec) Decision {
	s.mustBelong(p)
	return p.explain(s)
}

// Fit returns why the instance behind h cannot take a task of s now
// (resources, then constraints), or Fits. It ignores the active flag.
func (p *Pool) Fit(h Handle, s *Spec) Reason {
	s.mustBelong(p)
	return p.check(h, p.live(h), s)
}

// explain counts, over every active instance, the first check it fails.
func (p *Pool) explain(s *Spec) Decision {
	d := Decision{Chosen: NoHandle}
	for _, h := range p.order {
		c := &p.cands[h]
		if !c.active {
			continue
		}
		d.Considered++
		if r := p.check(h, c, s); r != Fits {
			d.Rejected[r]++
		}
	}
	return d
}

// scanBest is the linear scan, used where no index serves: over hs (in ID
// order) it keeps the fitting instance with the lowest keys for strategies
// lv..keyed, the earliest on ties; with a random strategy it collects the
// ties and draws one. It stops early once every key is 0, the lower bound of
// both spread and binpack keys, since no later instance can beat that.
func (p *Pool) scanBest(s *Spec, lv int, hs []Handle, r *rand.Rand) (Handle, keyVec) {
	best, bestK := NoHandle, keyVec{}
	ties := p.ties[:0]
	for _, h := range hs {
		c := &p.cands[h]
		if !c.active || p.check(h, c, s) != Fits {
			continue
		}
		var k keyVec
		for i := lv; i < s.keyed; i++ {
			k[i] = p.key(s, i, c)
		}
		d := compareKeys(k, bestK, lv, s.keyed)
		switch {
		case best == NoHandle || d < 0:
			best, bestK = h, k
			ties = append(ties[:0], h)
		case d == 0 && s.random:
			ties = append(ties, h)
		}
		if !s.random && zeroFrom(bestK, lv, s.keyed) {
			break
		}
	}
	p.ties = ties
	if s.random && best != NoHandle {
		best = pickTie(ties, r)
	}
	return best, bestK
}

func (p *Pool) key(s *Spec, i int, c *candidate) int64 {
	st := &s.strats[i]
	if st.kind == BinpackStrategy {
		return binpackKey(c, s, st.res)
	}
	return spreadKey(c, s, st)
}

func compareKeys(a, b keyVec, from, to int) int {
	for i := from; i < to; i++ {
		if a[i] != b[i] {
			return cmpInt64(a[i], b[i])
		}
	}
	return 0
}

func zeroFrom(k keyVec, from, to int) bool {
	for i := from; i < to; i++ {
		if k[i] != 0 {
			return false
		}
	}
	return true
}

// less orders two candidates by keys from lv, then ID order.
func (p *Pool) less(s *Spec, lv int, ka keyVec, ha Handle, kb keyVec, hb Handle) bool {
	if d := compareKeys(ka, kb, lv, s.keyed); d != 0 {
		return d < 0
	}
	return p.cands[ha].rank < p.cands[hb].rank
}

func (p *Pool) bindStrategy(st Strategy, group int32) boundStrategy {
	bs := boundStrategy{kind: st.Kind, attr: -1}
	switch st.Kind {
	case BinpackStrategy:
		if st.Field == "cpu" {
			bs.res = resCPU
		} else {
			bs.res = resMemory
		}
	case SpreadStrategy:
		if name, ok := strings.CutPrefix(st.Field, "attribute:"); ok {
			bs.attr = p.names.id(name)
			bs.table = p.tableFor(group, bs.attr)
		}
	}
	return bs
}

// planFor picks the search for s and makes the indexes it needs.
func (p *Pool) planFor(s *Spec) {
	switch {
	case len(s.strats) == 0:
		s.plan = planScan
	case s.keyed == 0:
		s.plan = planRandom
	case s.strats[0].kind == BinpackStrategy:
		s.part = p.partitionFor(-1)
		s.part.keepResource(p, s.strats[0].res)
		s.plan = planBinpack
	case s.strats[0].table != nil && !s.random:
		s.part = p.partitionFor(s.strats[0].attr)
		if len(s.strats) > 1 && s.strats[1].kind == BinpackStrategy {
			s.part.keepResource(p, s.strats[1].res)
		}
		s.plan = planSpreadAttr
	default:
		s.plan = planScan
	}
}

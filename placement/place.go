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
	planScan           plan = iota // linear scan in ID order: no index serves the first strategy
	planRandom                     // random first: rejection sampling, scan as fallback
	planBinpack                    // binpack first: the pool's order by the resource
	planSpreadAttr                 // spread(attribute:X) first, no random: partition on X (of the subset, unless binpack follows)
	planSpreadInstance             // spread(instanceId) first: the subset's order by the group's tasks
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
//
// A search that found nothing holds until the pool changes (any Add,
// Remove, SetActive, Reserve or Release): asked again before that, Choose
// answers at once, drawing from r what the search would have drawn (random
// first: its randomTries probes), so that the stream stays where it would
// be. Tasks that wait for capacity are tried again and again; this makes
// every try but the first after a change O(1).
func (p *Pool) Choose(s *Spec, r *rand.Rand) Handle {
	s.mustBelong(p)
	if s.failVer == p.ver {
		if s.plan == planRandom {
			p.randomMisses(r)
		}
		return NoHandle
	}
	var h Handle
	switch s.plan {
	case planRandom:
		h = p.randomBest(s, r)
	case planBinpack:
		h, _ = p.binpackBest(s, 0, s.part.bucketAt(0), r)
	case planSpreadAttr:
		h = p.spreadAttrBest(s, r)
	case planSpreadInstance:
		h, _ = p.orderBest(s, 0, s.part.groupOrder(s.part.bucketAt(0), s.group), 0, 0, r)
	default:
		h, _ = p.scanOrder(s, 0, p.rankOrder(s), r)
	}
	if h == NoHandle {
		s.failVer = p.ver
	}
	return h
}

// rankOrder is what a scan of s visits: the instances of its subset (or
// every instance) in ID order, with run summaries.
func (p *Pool) rankOrder(s *Spec) *order {
	if b := s.part.bucketAt(0); b != nil {
		return b.byRank
	}
	return nil // the subset is empty
}

// Explain counts, over every active instance, the first check it fails: the
// Decision of a task that cannot be placed. O(instances), once per change
// of the pool: the Decision holds until the pool changes.
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
	if s.explVer == p.ver {
		return s.expl
	}
	d := Decision{Chosen: NoHandle}
	if o := p.rankOrder(s); s.bare && s.part.attr < 0 && s.part.sub == nil && s.part.rank && o != nil {
		// A bare spec whose partition is the whole pool by rank: what its
		// check reads is in the rank order beside each entry (-1s: not
		// active): the same counts without a candidate's record each.
		for _, r := range o.runs {
			for _, f := range r.fits {
				switch {
				case f.cpu < 0:
					continue
				case f.cpu < s.cpu:
					d.Rejected[ReasonCPU]++
				case f.mem < s.mem:
					d.Rejected[ReasonMemory]++
				case s.eni && f.enis < 1:
					d.Rejected[ReasonENI]++
				}
				d.Considered++
			}
		}
		s.explVer, s.expl = p.ver, d
		return d
	}
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
	s.explVer, s.expl = p.ver, d
	return d
}

// scanBest is the linear scan, used where no index serves: over hs (in ID
// order) it keeps the fitting instance with the lowest keys for strategies
// lv..keyed, the earliest on ties; with a random strategy it collects the
// ties and draws one. It stops early once every key is 0, the lower bound of
// both spread and binpack keys, since no later instance can beat that.
func (p *Pool) scanBest(s *Spec, lv int, hs []Handle, r *rand.Rand) (Handle, keyVec) {
	sc := scan{p: p, s: s, lv: lv, best: NoHandle, ties: p.ties[:0]}
	for _, h := range hs {
		if c := &p.cands[h]; c.active && p.check(h, c, s) == Fits && sc.consider(h, c) {
			break
		}
	}
	return sc.result(r)
}

// scanOrder is scanBest over an order by rank (partition.keepRank): the
// same visit in ID order, with the runs that cannot fit the task skipped
// whole.
func (p *Pool) scanOrder(s *Spec, lv int, o *order, r *rand.Rand) (Handle, keyVec) {
	sc := scan{p: p, s: s, lv: lv, best: NoHandle, ties: p.ties[:0]}
	if o == nil {
		return sc.result(r)
	}
	for _, run := range o.runs {
		if m := run.summary(); !m.fits(s) {
			continue
		}
		for i, h := range run.hs {
			if f := run.fits[i]; f.cpu < s.cpu || f.mem < s.mem || (s.eni && f.enis < 1) {
				continue // short of a resource, or inactive (-1s)
			}
			// A bare spec fits wherever the run's copy of cpu, mem and enis
			// does: its check would read the candidate for nothing (a
			// random placement's fallback scans thousands).
			if c := &p.cands[h]; (s.bare || p.check(h, c, s) == Fits) && sc.consider(h, c) {
				return sc.result(r)
			}
		}
	}
	return sc.result(r)
}

// scan keeps the best of the fitting instances a linear scan visits.
type scan struct {
	p     *Pool
	s     *Spec
	lv    int
	best  Handle
	bestK keyVec
	ties  []Handle
}

// consider weighs a fitting instance and reports whether none after it can
// do better.
func (sc *scan) consider(h Handle, c *candidate) bool {
	s := sc.s
	var k keyVec
	for i := sc.lv; i < s.keyed; i++ {
		k[i] = sc.p.key(s, i, c)
	}
	d := compareKeys(k, sc.bestK, sc.lv, s.keyed)
	switch {
	case sc.best == NoHandle || d < 0:
		sc.best, sc.bestK = h, k
		sc.ties = append(sc.ties[:0], h)
	case d == 0 && s.random:
		sc.ties = append(sc.ties, h)
	}
	return !s.random && zeroFrom(sc.bestK, sc.lv, s.keyed)
}

func (sc *scan) result(r *rand.Rand) (Handle, keyVec) {
	sc.p.ties = sc.ties
	if sc.s.random && sc.best != NoHandle {
		sc.best = pickTie(sc.ties, r)
	}
	return sc.best, sc.bestK
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

// planFor picks the search for s and makes the indexes it needs, over the
// subset its static memberOf constraints allow.
func (p *Pool) planFor(s *Spec) {
	switch {
	case len(s.strats) == 0:
		s.plan = planScan
	case s.keyed == 0:
		s.plan = planRandom
		s.part = p.partitionFor(-1, nil) // the scan after the probes
		s.part.keepRank(p)
	case s.strats[0].kind == BinpackStrategy:
		// Binpack's orders are over every instance, never a subset: their
		// search reproduces the old index's (order.legacy), whose blocks
		// were those of the whole pool.
		s.part = p.partitionFor(-1, nil)
		s.part.keepResource(p, s.strats[0].res)
		s.plan = planBinpack
	case s.strats[0].table == nil: // spread(instanceId)
		s.part = p.partitionFor(-1, s.sub)
		s.part.keepGroup(p, s.group)
		s.plan = planSpreadInstance
	case !s.random:
		if len(s.strats) > 1 && s.strats[1].kind == BinpackStrategy {
			s.part = p.partitionFor(s.strats[0].attr, nil) // binpack's orders: every instance, as above
			s.part.keepResource(p, s.strats[1].res)
		} else {
			s.part = p.partitionFor(s.strats[0].attr, s.sub)
			if len(s.strats) > 1 && s.strats[1].kind == SpreadStrategy && s.strats[1].table == nil {
				s.part.keepGroup(p, s.group)
			}
		}
		s.plan = planSpreadAttr
	default:
		s.plan = planScan
	}
	if s.plan == planScan {
		s.part = p.partitionFor(-1, s.sub)
		s.part.keepRank(p)
	}
}

// randomMisses draws what randomBest draws when nothing fits.
func (p *Pool) randomMisses(r *rand.Rand) {
	n := len(p.order)
	if n == 0 {
		return
	}
	if r == nil {
		panic("placement: random strategy needs a *rand.Rand")
	}
	for range randomTries {
		r.IntN(n)
	}
}

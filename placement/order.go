package placement

import "math/rand/v2"

// order is a set of instances sorted by (key, ID order): by remaining CPU or
// memory for binpack, by the tasks of one group for spread(instanceId). It
// is cut into runs of at most runCap entries, each with a summary of what
// its active instances have left (blockMax), so that:
//
//   - a change of key is a remove and an insert: a binary search over the
//     runs and one within a run, and a shift inside that run only, so
//     O(log n + runCap) however many instances share the key (a flat sorted
//     slice shifts past every one of them: O(n) when most are alike);
//   - a search skips a run that cannot fit the task in one step, so that
//     instances full on another resource, or draining, cost O(n/runCap).
//
// Keys and labels (candidate.label: numbers in ID order that, unlike
// ranks, stay put when an instance is added or removed) are stored beside
// the handles, so that a search reads the run alone.
//
// legacy orders (binpack's, by remaining CPU or memory) also reproduce the
// summaries fleetsim's first index kept, so that placements, and every
// figure downstream of them, stay what they were. That index was one flat
// sorted slice with a summary per 64 entries (blockSize); an insert or a
// remove at position j reset every summary before block j/64 to zero
// (fixBlocks rebuilt its summaries from j only), and a zeroed summary
// stayed zero until a move across that block or a change of an instance
// in it recomputed it. A search skipped a zeroed block as if nothing in it
// fitted. zero is that set of blocks, by flat position; every other
// summary of the old index was exact, so a search that skips the entries
// in zeroed blocks, and checks the others one by one, chooses what the old
// one chose. (Those skipped instances could take the task: a placement
// that is not quite binpack's. Fixing it changes figures; see the README's
// Speed section.)
type order struct {
	runs   []*run
	n      int
	legacy bool
	zero   []uint64 // legacy: zeroed blocks of blockSize flat positions
	// lens is a Fenwick tree of the runs' lengths, so that a flat position
	// (pos, which legacy orders need on every change) costs O(log runs)
	// rather than a visit to every run before it; valid only when lensOK,
	// rebuilt on demand after a run is split, merged or dropped.
	lens   []int32
	lensOK bool
	// tree is a max tree over the runs' summaries (leaves from tsize on,
	// padded with zero entries), so that a search skips the runs that
	// cannot fit a task in O(log runs) rather than one by one: at scale
	// most of a binpack order is full on another resource. Valid only when
	// treeOK; stale lists the runs whose summary may have changed since
	// the tree read it. Built on the first skip, rebuilt after a run is
	// split, merged or dropped.
	tree   []blockMax
	tsize  int
	treeOK bool
	stale  []int32
	// lasts is each run's last (key, label), so that locate's search over
	// the runs reads one array rather than a run object a step; valid only
	// when lastsOK, kept up to date as entries come and go and rebuilt on
	// demand after a run is split, merged, dropped or relabelled.
	lasts   []lastEntry
	lastsOK bool
	// hints[h] is where h was last found (run, index), if hinted: a
	// reservation refreshes or moves the same instance in the order by
	// rank and the orders by resource, and an entry mostly stays where it
	// was (at, which checks the hint against the run before trusting it).
	// Only those orders keep hints: one array of every handle per order.
	hinted bool
	hints  []entryHint
}

// entryHint is an entry's last known run and index.
type entryHint struct{ ri, i int32 }

// at returns h's run and index: the hint's when the entry there is h,
// otherwise locate's (ri == len(o.runs) if h is not there: the caller
// panics), which it keeps as the hint.
func (o *order) at(h Handle, key int32, label uint64) (ri, i int) {
	if int(h) < len(o.hints) {
		e := o.hints[h]
		if int(e.ri) < len(o.runs) {
			if r := o.runs[e.ri]; int(e.i) < len(r.hs) && r.hs[e.i] == h {
				return int(e.ri), int(e.i)
			}
		}
	}
	ri, i = o.locate(key, label)
	o.hint(h, ri, i)
	return ri, i
}

// hint records that h is at (ri, i).
func (o *order) hint(h Handle, ri, i int) {
	if !o.hinted {
		return
	}
	if int(h) >= len(o.hints) {
		o.hints = append(o.hints, make([]entryHint, int(h)+1-len(o.hints))...)
	}
	o.hints[h] = entryHint{int32(ri), int32(i)}
}

// lastEntry is a run's last key and label.
type lastEntry struct {
	lbl uint64
	key int32
}

// blockSize is the span of one summary of the old flat index (legacy).
const blockSize = 64

// treeSkipMin is the fewest runs left for which a search skips through the
// max tree (nextFit) rather than run by run.
const treeSkipMin = 8

// runCap is the most entries a run holds before it splits in two.
const runCap = 64

type run struct {
	hs    []Handle
	keys  []int32
	lbls  []uint64   // each entry's label (ID order)
	fits  []blockMax // each entry's free resources; -1s when inactive
	max   blockMax   // valid unless dirty
	dirty bool
	// The slices above live here, in the run itself: a search that reads
	// a run touches one object.
	hsA   [runCap + 1]Handle
	keysA [runCap + 1]int32
	lblsA [runCap + 1]uint64
	fitsA [runCap + 1]blockMax
}

// newRun returns an empty run.
func newRun() *run {
	r := &run{dirty: true}
	r.hs, r.keys, r.lbls, r.fits = r.hsA[:0], r.keysA[:0], r.lblsA[:0], r.fitsA[:0]
	return r
}

func fitOf(c *candidate) blockMax {
	if !c.active {
		return blockMax{-1, -1, -1}
	}
	return blockMax{c.cpu, c.mem, c.enis}
}

// replaced keeps the run's summary exact when an entry's free resources go
// from old to f (f a zero-entry blockMax{-1,-1,-1} when the entry leaves):
// it goes up with f, and only when old held the most of a resource and f
// has less must it be recomputed (dirty).
func (r *run) replaced(old, f blockMax) {
	if r.dirty {
		return
	}
	m := &r.max
	for _, c := range [3]struct{ m, old, f *int32 }{{&m.cpu, &old.cpu, &f.cpu}, {&m.mem, &old.mem, &f.mem}, {&m.enis, &old.enis, &f.enis}} {
		switch {
		case *c.f >= *c.m:
			*c.m = *c.f
		case *c.old == *c.m:
			r.dirty = true
			return
		}
	}
}

// summary returns the run's blockMax, recomputing it if an entry changed.
func (r *run) summary() blockMax {
	if r.dirty {
		m := blockMax{-1, -1, -1}
		for _, f := range r.fits {
			m = blockMax{max(m.cpu, f.cpu), max(m.mem, f.mem), max(m.enis, f.enis)}
		}
		r.max, r.dirty = m, false
	}
	return r.max
}

// before reports whether entry (k, l) sorts before (key, label).
func before(k int32, l uint64, key int32, label uint64) bool {
	return k < key || k == key && l < label
}

// locate returns the run and index of the first entry not before (key,
// label); ri == len(o.runs) past the end. Label 0 is before every entry.
func (o *order) locate(key int32, label uint64) (ri, i int) {
	if !o.lastsOK {
		o.buildLasts()
	}
	lo, hi := 0, len(o.runs)
	for lo < hi { // the first run whose last entry is not before
		m := int(uint(lo+hi) >> 1)
		if e := &o.lasts[m]; before(e.key, e.lbl, key, label) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(o.runs) {
		return lo, 0
	}
	r := o.runs[lo]
	return lo, r.search(0, len(r.hs), key, label)
}

// search returns the first index in [a, b) of the run whose entry is not
// before (key, label), b if none.
func (r *run) search(a, b int, key int32, label uint64) int {
	for a < b {
		m := int(uint(a+b) >> 1)
		if before(r.keys[m], r.lbls[m], key, label) {
			a = m + 1
		} else {
			b = m
		}
	}
	return a
}

// buildLasts rebuilds every run's last entry in O(runs).
func (o *order) buildLasts() {
	o.lasts = o.lasts[:0]
	for _, r := range o.runs {
		last := len(r.hs) - 1
		o.lasts = append(o.lasts, lastEntry{lbl: r.lbls[last], key: r.keys[last]})
	}
	o.lastsOK = true
}

// lastChanged records that run ri's last entry may have changed (it is
// not empty).
func (o *order) lastChanged(ri int) {
	if o.lastsOK {
		r := o.runs[ri]
		last := len(r.hs) - 1
		o.lasts[ri] = lastEntry{lbl: r.lbls[last], key: r.keys[last]}
	}
}

// pos is the flat position of entry i of run ri.
func (o *order) pos(ri, i int) int {
	if !o.lensOK {
		o.buildLens()
	}
	for k := ri; k > 0; k &= k - 1 {
		i += int(o.lens[k])
	}
	return i
}

// buildLens rebuilds the Fenwick tree of run lengths in O(runs).
func (o *order) buildLens() {
	n := len(o.runs)
	o.lens = append(o.lens[:0], make([]int32, n+1)...)
	for k := 1; k <= n; k++ {
		o.lens[k] += int32(len(o.runs[k-1].hs))
		if up := k + k&-k; up <= n {
			o.lens[up] += o.lens[k]
		}
	}
	o.lensOK = true
}

// touched records that run ri's entries or their free resources changed.
func (o *order) touched(ri int) {
	if o.treeOK {
		o.stale = append(o.stale, int32(ri))
	}
}

// buildTree rebuilds the max tree of run summaries in O(runs).
func (o *order) buildTree() {
	size := 1
	for size < len(o.runs) {
		size *= 2
	}
	o.tsize = size
	o.tree = append(o.tree[:0], make([]blockMax, 2*size)...)
	for k := range size {
		m := blockMax{-1, -1, -1}
		if k < len(o.runs) {
			m = o.runs[k].summary()
		}
		o.tree[size+k] = m
	}
	for k := size - 1; k >= 1; k-- {
		o.tree[k] = maxOf(o.tree[2*k], o.tree[2*k+1])
	}
	o.treeOK, o.stale = true, o.stale[:0]
}

func maxOf(a, b blockMax) blockMax {
	return blockMax{max(a.cpu, b.cpu), max(a.mem, b.mem), max(a.enis, b.enis)}
}

// nextFit is the first run from ri on whose summary fits s (len(o.runs)
// if none): the run a search that skipped every run before it reaches.
func (o *order) nextFit(ri int, s *Spec) int {
	if !o.treeOK {
		o.buildTree()
	}
	// A stale run whose summary is what the tree holds changes nothing (a
	// run is listed once per change, often many times), and a node whose
	// maximum stays leaves its ancestors as they are.
	for _, k := range o.stale {
		n := o.tsize + int(k)
		m := o.runs[k].summary()
		if o.tree[n] == m {
			continue
		}
		o.tree[n] = m
		for n /= 2; n >= 1; n /= 2 {
			v := maxOf(o.tree[2*n], o.tree[2*n+1])
			if o.tree[n] == v {
				break
			}
			o.tree[n] = v
		}
	}
	o.stale = o.stale[:0]
	if f := o.firstFit(ri, s); f >= 0 {
		return f
	}
	return len(o.runs)
}

// firstFit is the first leaf from `from` on whose summary fits s, -1 when
// none: from that leaf rightwards through the disjoint subtrees that follow
// it, into the first that fits, leftmost child first. (A node fits when
// its maxima do, which no single child may: the search then goes on to
// the right.) O(log runs) steps but for such misses.
func (o *order) firstFit(from int, s *Spec) int {
	if from >= o.tsize {
		return -1
	}
	n := o.tsize + from
	for {
		if o.tree[n].fits(s) {
			if n >= o.tsize {
				return n - o.tsize
			}
			n = 2 * n
			continue
		}
		for n&1 == 1 { // a right child: on to its parent's right
			n >>= 1
		}
		if n == 0 {
			return -1
		}
		n++
	}
}

// grew records that run ri gained (d 1) or lost (d -1) an entry.
func (o *order) grew(ri int, d int32) {
	if !o.lensOK {
		return
	}
	for k := ri + 1; k < len(o.lens); k += k & -k {
		o.lens[k] += d
	}
}

// advance moves (ri, i) d entries on.
func (o *order) advance(ri, i, d int) (int, int) {
	for d > 0 && ri < len(o.runs) {
		if rem := len(o.runs[ri].hs) - i; d < rem {
			return ri, i + d
		} else {
			d -= rem
			ri, i = ri+1, 0
		}
	}
	return ri, i
}

// zeroBefore makes the blocks before flat position j the zeroed ones.
func (o *order) zeroBefore(j int) {
	k := j / blockSize
	words := (k + 63) / 64
	for len(o.zero) < words {
		o.zero = append(o.zero, 0)
	}
	clear(o.zero)
	for w := range words {
		o.zero[w] = ^uint64(0)
	}
	if k%64 != 0 {
		o.zero[words-1] = 1<<(k%64) - 1
	}
}

// unzero marks the blocks holding flat positions a..b as exact.
func (o *order) unzero(a, b int) {
	if a > b {
		a, b = b, a
	}
	for k := a / blockSize; k <= b/blockSize && k/64 < len(o.zero); k++ {
		o.zero[k/64] &^= 1 << (k % 64)
	}
}

func (o *order) zeroed(pos int) bool {
	k := pos / blockSize
	return k/64 < len(o.zero) && o.zero[k/64]&(1<<(k%64)) != 0
}

// nextExact is the first flat position after pos's block whose block is
// not zeroed.
func (o *order) nextExact(pos int) int {
	k := pos/blockSize + 1
	for o.zeroed(k * blockSize) {
		k++
	}
	return k * blockSize
}

func (o *order) insert(p *Pool, h Handle, key int32) {
	ri, i := o.insertEntry(p, h, key)
	if o.legacy {
		o.zeroBefore(o.pos(ri, i))
	}
}

// insertEntry inserts h and returns where it went (before a split).
func (o *order) insertEntry(p *Pool, h Handle, key int32) (int, int) {
	c := &p.cands[h]
	f := fitOf(c)
	o.n++
	if len(o.runs) == 0 {
		r := newRun()
		r.hs, r.keys, r.lbls, r.fits = append(r.hs, h), append(r.keys, key), append(r.lbls, c.label), append(r.fits, f)
		r.max, r.dirty = f, false
		o.runs = append(o.runs, r)
		o.lensOK, o.treeOK, o.lastsOK = false, false, false
		return 0, 0
	}
	ri, i := o.locate(key, c.label)
	if ri == len(o.runs) {
		ri = len(o.runs) - 1
		i = len(o.runs[ri].hs)
	}
	r := o.runs[ri]
	r.hs = insertAt(r.hs, i, h)
	r.keys = insertAt(r.keys, i, key)
	r.lbls = insertAt(r.lbls, i, c.label)
	r.fits = insertAt(r.fits, i, f)
	o.grew(ri, 1)
	o.touched(ri)
	o.lastChanged(ri)
	if !r.dirty {
		r.max = blockMax{max(r.max.cpu, f.cpu), max(r.max.mem, f.mem), max(r.max.enis, f.enis)}
	}
	if len(r.hs) > runCap {
		half := len(r.hs) / 2
		next := newRun()
		next.hs, next.keys = append(next.hs, r.hs[half:]...), append(next.keys, r.keys[half:]...)
		next.lbls, next.fits = append(next.lbls, r.lbls[half:]...), append(next.fits, r.fits[half:]...)
		r.hs, r.keys, r.lbls, r.fits, r.dirty = r.hs[:half], r.keys[:half], r.lbls[:half], r.fits[:half], true
		o.runs = insertAt(o.runs, ri+1, next)
		o.lensOK, o.treeOK, o.lastsOK = false, false, false
	}
	return ri, i
}

func (o *order) remove(p *Pool, h Handle, key int32) {
	ri, i := o.at(h, key, p.cands[h].label)
	if ri == len(o.runs) || o.runs[ri].hs[i] != h {
		panic("placement: order lost an instance")
	}
	if o.legacy {
		o.zeroBefore(o.pos(ri, i))
	}
	o.removeEntry(ri, i)
}

func (o *order) removeEntry(ri, i int) {
	r := o.runs[ri]
	r.replaced(r.fits[i], blockMax{-1, -1, -1})
	r.hs = deleteAt(r.hs, i)
	r.keys = deleteAt(r.keys, i)
	r.lbls = deleteAt(r.lbls, i)
	r.fits = deleteAt(r.fits, i)
	o.n--
	o.grew(ri, -1)
	o.touched(ri)
	switch {
	case len(r.hs) == 0:
		o.runs = deleteAt(o.runs, ri)
		o.lensOK, o.treeOK, o.lastsOK = false, false, false
	case len(r.hs) < runCap/4 && ri+1 < len(o.runs) && len(r.hs)+len(o.runs[ri+1].hs) <= runCap:
		next := o.runs[ri+1]
		r.hs = append(r.hs, next.hs...)
		r.keys = append(r.keys, next.keys...)
		r.lbls = append(r.lbls, next.lbls...)
		r.fits = append(r.fits, next.fits...)
		r.dirty = true
		o.runs = deleteAt(o.runs, ri+1)
		o.lensOK, o.treeOK, o.lastsOK = false, false, false
	default:
		o.lastChanged(ri)
	}
}

// move changes h's key from old to v. (legacy: the old index recomputed
// the summaries of the blocks between the two positions.)
func (o *order) move(p *Pool, h Handle, old, v int32) {
	if old == v {
		return
	}
	ri, i := o.at(h, old, p.cands[h].label)
	if ri == len(o.runs) || o.runs[ri].hs[i] != h {
		panic("placement: order lost an instance")
	}
	if o.shiftWithin(p, h, ri, i, old, v) {
		return
	}
	if !o.legacy {
		o.removeEntry(ri, i)
		o.insertEntry(p, h, v)
		return
	}
	from := o.pos(ri, i)
	o.removeEntry(ri, i)
	ri, i = o.insertEntry(p, h, v)
	o.unzero(from, o.pos(ri, i))
}

// shiftWithin is move's common case (a third of large-week's moves): entry
// i of run ri, h's, takes key v and its place stays inside the run, so the
// run's entries between the two places shift by one and nothing else
// changes size. It reports false, changing nothing, when the new place is
// past either end of the run and another run lies that way: then move
// removes and inserts. The entries end in the order a remove and an insert
// would leave them (by key, then label; h's label is the same at both
// places), so every search reads what it read before.
func (o *order) shiftWithin(p *Pool, h Handle, ri, i int, old, v int32) bool {
	r := o.runs[ri]
	n := len(r.hs)
	lbl, was := r.lbls[i], r.fits[i]
	var j int // h's index once the entries between have shifted
	if v > old {
		a := r.search(i+1, n, v, lbl) // the first entry after i not before (v, lbl)
		if a == n && ri != len(o.runs)-1 {
			return false // it may belong in a later run
		}
		j = a - 1
		copy(r.hs[i:j], r.hs[i+1:j+1])
		copy(r.keys[i:j], r.keys[i+1:j+1])
		copy(r.lbls[i:j], r.lbls[i+1:j+1])
		copy(r.fits[i:j], r.fits[i+1:j+1])
	} else {
		a := r.search(0, i, v, lbl) // the first entry before i not before (v, lbl)
		if a == 0 && ri != 0 {
			return false // it may belong in an earlier run
		}
		j = a
		copy(r.hs[j+1:i+1], r.hs[j:i])
		copy(r.keys[j+1:i+1], r.keys[j:i])
		copy(r.lbls[j+1:i+1], r.lbls[j:i])
		copy(r.fits[j+1:i+1], r.fits[j:i])
	}
	f := fitOf(&p.cands[h])
	r.replaced(was, f)
	r.hs[j], r.keys[j], r.lbls[j], r.fits[j] = h, v, lbl, f
	o.hint(h, ri, j)
	o.touched(ri)
	o.lastChanged(ri)
	if o.legacy {
		o.unzero(o.pos(ri, i), o.pos(ri, j))
	}
	return true
}

// refresh records that h's free resources or active flag changed. (legacy:
// the old index recomputed the summary of h's block.)
func (o *order) refresh(p *Pool, h Handle, key int32) {
	ri, i := o.at(h, key, p.cands[h].label)
	if ri == len(o.runs) || o.runs[ri].hs[i] != h {
		panic("placement: order lost an instance")
	}
	r := o.runs[ri]
	f := fitOf(&p.cands[h])
	r.replaced(r.fits[i], f)
	r.fits[i] = f
	o.touched(ri)
	if o.legacy {
		at := o.pos(ri, i)
		o.unzero(at, at)
	}
}

// relabel reads every entry's label again (Pool.relabel).
func (o *order) relabel(p *Pool) {
	o.lastsOK = false
	for _, r := range o.runs {
		for i, h := range r.hs {
			r.lbls[i] = p.cands[h].label
		}
	}
}

// handles lists the order's instances, for tests.
func (o *order) handles() []Handle {
	var hs []Handle
	for _, r := range o.runs {
		hs = append(hs, r.hs...)
	}
	return hs
}

// best finds, from the first entry whose key is at least from, the first
// instance that passes every check for s: the lowest key, then the lowest
// rank. When strategies follow level lv (more than lv+1 strategies), the
// instances with that same key that pass are handed to scanBest for
// levels lv+1.. to break the tie. The returned key at level lv is the
// entry's key minus sub (binpack's key is what remains after placement).
// Cost: O(log n + runs skipped) plus the instances skipped one by one for
// failing a constraint, plus the tie set when later strategies exist.
func (p *Pool) orderBest(s *Spec, lv int, o *order, from, sub int32, rnd *rand.Rand) (Handle, keyVec) {
	if o == nil {
		return NoHandle, keyVec{}
	}
	ri, i := o.locate(from, 0)
	skipZeroed := o.legacy && !(blockMax{}).fits(s) // the old index skipped a zeroed block
	pos := 0
	if skipZeroed {
		pos = o.pos(ri, i)
	}
	for ; ri < len(o.runs); ri, i = ri+1, 0 {
		r := o.runs[ri]
		if m := r.summary(); !m.fits(s) {
			if len(o.runs)-ri <= treeSkipMin {
				pos += len(r.hs) - i
				continue
			}
			next := o.nextFit(ri+1, s)
			if skipZeroed {
				pos = o.pos(next, 0)
			}
			ri = next - 1 // the loop's step brings it to next
			continue
		}
		for ; i < len(r.hs); i, pos = i+1, pos+1 {
			if skipZeroed && o.zeroed(pos) {
				next := o.nextExact(pos)
				ri, i = o.advance(ri, i, next-pos)
				pos = next
				if ri == len(o.runs) {
					return NoHandle, keyVec{}
				}
				r = o.runs[ri]
				i-- // the loop's step brings it back
				pos--
				continue
			}
			h := r.hs[i]
			if f := r.fits[i]; f.cpu < s.cpu || f.mem < s.mem || (s.eni && f.enis < 1) {
				continue // short of a resource, or inactive (-1s)
			}
			if p.check(h, &p.cands[h], s) != Fits {
				continue
			}
			v := r.keys[i]
			var k keyVec
			if lv+1 == len(s.strats) {
				k[lv] = int64(v) - int64(sub)
				return h, k
			}
			eq := append(p.eq[:0], h)
			p.eachFrom(o, ri, i+1, func(o Handle, ok int32) bool {
				if ok != v {
					return false
				}
				if c := &p.cands[o]; c.active && p.check(o, c, s) == Fits {
					eq = append(eq, o)
				}
				return true
			})
			p.eq = eq
			h, k = p.scanBest(s, lv+1, eq, rnd)
			k[lv] = int64(v) - int64(sub)
			return h, k
		}
	}
	return NoHandle, keyVec{}
}

// eachFrom visits the entries of o from run ri, index i on, while fn
// returns true.
func (p *Pool) eachFrom(o *order, ri, i int, fn func(h Handle, key int32) bool) {
	for ; ri < len(o.runs); ri, i = ri+1, 0 {
		r := o.runs[ri]
		for ; i < len(r.hs); i++ {
			if !fn(r.hs[i], r.keys[i]) {
				return
			}
		}
	}
}

func insertAt[T any](s []T, i int, v T) []T {
	var zero T
	s = append(s, zero)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

func deleteAt[T any](s []T, i int) []T {
	copy(s[i:], s[i+1:])
	var zero T
	s[len(s)-1] = zero
	return s[:len(s)-1]
}

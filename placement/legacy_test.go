package placement

import (
	"math/rand/v2"
	"slices"
	"sort"
)

// flatIndex is fleetsim's first binpack index, kept here as the oracle for
// order.legacy: per (attribute, value) bucket and resource one flat slice
// sorted by (remaining, rank) with a blockMax per blockSize entries, kept
// in sync exactly as it was (fixBlocks with its reset of the blocks before
// an insert or a remove). Placements of binpack chains must be the ones
// this index made, so that every figure downstream stays the same.
type flatIndex struct {
	parts []*flatPart
}

type flatPart struct {
	attr    int32
	keep    [2]bool
	buckets map[int32]*flatBucket
}

type flatBucket struct {
	byRes  [2][]Handle
	blocks [2][]blockMax
}

// newFlatIndex mirrors the binpack orders of p's whole-pool partitions.
func newFlatIndex(p *Pool) *flatIndex {
	fi := &flatIndex{}
	for _, part := range p.parts {
		if part.sub != nil || (!part.keep[resCPU] && !part.keep[resMemory]) {
			continue
		}
		fp := &flatPart{attr: part.attr, keep: part.keep, buckets: map[int32]*flatBucket{}}
		for _, v := range part.present {
			b := &flatBucket{}
			for r := range b.byRes {
				if !fp.keep[r] {
					continue
				}
				b.byRes[r] = slices.Clone(part.buckets[v].members)
				slices.SortStableFunc(b.byRes[r], func(x, y Handle) int {
					return cmpInt32(p.cands[x].resource(resource(r)), p.cands[y].resource(resource(r)))
				})
				b.fixBlocks(p, resource(r), 0, -1)
			}
			fp.buckets[v] = b
		}
		fi.parts = append(fi.parts, fp)
	}
	return fi
}

func (fi *flatIndex) part(attr int32) *flatPart {
	for _, fp := range fi.parts {
		if fp.attr == attr {
			return fp
		}
	}
	return nil
}

func (fp *flatPart) bucket(v int32) *flatBucket {
	if fp.buckets[v] == nil {
		fp.buckets[v] = &flatBucket{}
	}
	return fp.buckets[v]
}

func (b *flatBucket) fixBlocks(p *Pool, r resource, lo, hi int) {
	list := b.byRes[r]
	n := (len(list) + blockSize - 1) / blockSize
	if hi < 0 || len(b.blocks[r]) != n {
		hi = len(list) - 1
		b.blocks[r] = append(b.blocks[r][:0], make([]blockMax, n)...)
	}
	for k := lo / blockSize; k <= hi/blockSize && k < n; k++ {
		m := blockMax{-1, -1, -1}
		for _, h := range list[k*blockSize : min((k+1)*blockSize, len(list))] {
			if c := &p.cands[h]; c.active {
				m = blockMax{max(m.cpu, c.cpu), max(m.mem, c.mem), max(m.enis, c.enis)}
			}
		}
		b.blocks[r][k] = m
	}
}

func flatSearch(p *Pool, list []Handle, r resource, v, rank int32) int {
	return sort.Search(len(list), func(i int) bool {
		c := &p.cands[list[i]]
		a := c.resource(r)
		return a > v || a == v && c.rank >= rank
	})
}

// added follows Pool.Add of h.
func (fi *flatIndex) added(p *Pool, h Handle) {
	c := &p.cands[h]
	for _, fp := range fi.parts {
		b := fp.bucket(c.attr(fp.attr))
		for r := range b.byRes {
			if fp.keep[r] {
				j := flatSearch(p, b.byRes[r], resource(r), c.resource(resource(r)), c.rank)
				b.byRes[r] = slices.Insert(b.byRes[r], j, h)
				b.fixBlocks(p, resource(r), j, -1)
			}
		}
	}
}

// removing precedes Pool.Remove of h.
func (fi *flatIndex) removing(p *Pool, h Handle) {
	c := &p.cands[h]
	for _, fp := range fi.parts {
		b := fp.bucket(c.attr(fp.attr))
		for r := range b.byRes {
			if fp.keep[r] {
				j := flatSearch(p, b.byRes[r], resource(r), c.resource(resource(r)), c.rank)
				b.byRes[r] = slices.Delete(b.byRes[r], j, j+1)
				b.fixBlocks(p, resource(r), j, -1)
			}
		}
	}
}

// changed follows a Reserve or Release on h that took its CPU and memory
// from (cpu, mem) to what it has now, or a SetActive (no change of them).
func (fi *flatIndex) changed(p *Pool, h Handle, cpu, mem int32) {
	c := &p.cands[h]
	// The old index moved h by CPU while its memory was still the old one,
	// then by memory: the searches need h where the slices have it.
	newCPU, newMem := c.cpu, c.mem
	c.cpu, c.mem = cpu, mem
	for r, v := range [2]int32{newCPU, newMem} {
		if old := c.resource(resource(r)); v != old {
			for _, fp := range fi.parts {
				if fp.keep[r] {
					fp.bucket(c.attr(fp.attr)).move(p, h, resource(r), old, v)
				}
			}
		}
		if r == int(resCPU) {
			c.cpu = newCPU
		} else {
			c.mem = newMem
		}
	}
	for _, fp := range fi.parts {
		b := fp.bucket(c.attr(fp.attr))
		for r := range b.byRes {
			if fp.keep[r] {
				i := flatSearch(p, b.byRes[r], resource(r), c.resource(resource(r)), c.rank)
				b.fixBlocks(p, resource(r), i, i)
			}
		}
	}
}

func (b *flatBucket) move(p *Pool, h Handle, r resource, old, v int32) {
	rank := p.cands[h].rank
	list := b.byRes[r]
	i := flatSearch(p, list, r, old, rank)
	if list[i] != h {
		panic("flat index lost an instance")
	}
	if v < old {
		j := flatSearch(p, list[:i], r, v, rank)
		copy(list[j+1:i+1], list[j:i])
		list[j] = h
		b.fixBlocks(p, r, j, i)
		return
	}
	j := i + 1 + flatSearch(p, list[i+1:], r, v, rank)
	copy(list[i:j-1], list[i+1:j])
	list[j-1] = h
	b.fixBlocks(p, r, i, j-1)
}

// choose is the old index's Choose for a chain that binpacks first, or
// spreads over an attribute and then binpacks.
func (fi *flatIndex) choose(p *Pool, s *Spec, rnd *rand.Rand) Handle {
	if s.plan == planBinpack {
		h, _ := fi.binpackBest(p, s, 0, fi.part(-1).bucket(0), rnd)
		return h
	}
	fp := fi.part(s.strats[0].attr)
	t := s.strats[0].table
	vals := slices.Clone(s.part.present)
	slices.SortStableFunc(vals, func(a, b int32) int { return cmpInt32(t.count(a), t.count(b)) })
	for i := 0; i < len(vals); {
		j := i + 1
		for j < len(vals) && t.count(vals[j]) == t.count(vals[i]) {
			j++
		}
		best, bestK := NoHandle, keyVec{}
		for _, v := range vals[i:j] {
			h, k := fi.binpackBest(p, s, 1, fp.bucket(v), rnd)
			if h != NoHandle && (best == NoHandle || p.less(s, 1, k, h, bestK, best)) {
				best, bestK = h, k
			}
		}
		if best != NoHandle {
			return best
		}
		i = j
	}
	return NoHandle
}

func (fi *flatIndex) binpackBest(p *Pool, s *Spec, lv int, b *flatBucket, rnd *rand.Rand) (Handle, keyVec) {
	r := s.strats[lv].res
	need := s.need(r)
	list, blocks := b.byRes[r], b.blocks[r]
	for i := sort.Search(len(list), func(i int) bool { return p.cands[list[i]].resource(r) >= need }); i < len(list); i++ {
		if k := i / blockSize; !blocks[k].fits(s) {
			i = (k+1)*blockSize - 1
			continue
		}
		h := list[i]
		c := &p.cands[h]
		if !c.active || p.check(h, c, s) != Fits {
			continue
		}
		v := c.resource(r)
		var k keyVec
		if lv+1 == len(s.strats) {
			k[lv] = int64(v) - int64(need)
			return h, k
		}
		var eq []Handle
		eq = append(eq, h)
		for j := i + 1; j < len(list) && p.cands[list[j]].resource(r) == v; j++ {
			if o := &p.cands[list[j]]; o.active && p.check(list[j], o, s) == Fits {
				eq = append(eq, list[j])
			}
		}
		h, k = p.scanBest(s, lv+1, eq, rnd)
		k[lv] = int64(v) - int64(need)
		return h, k
	}
	return NoHandle, keyVec{}
}

// usesFlatIndex reports whether s's search went through the old binpack
// index.
func usesFlatIndex(s *Spec) bool {
	return s.plan == planBinpack || (s.plan == planSpreadAttr && len(s.strats) > 1 && s.strats[1].kind == BinpackStrategy)
}

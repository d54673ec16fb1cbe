package placement

import (
	"slices"
	"sort"
)

// resource is a binpack field.
type resource uint8

const (
	resCPU resource = iota
	resMemory
)

// partition buckets every instance by its value of one attribute (attr -1:
// a single bucket holding the whole pool). Each bucket lists its instances in
// ID order and, for each resource some Spec binpacks on, sorted by (remaining
// amount, ID order). Partitions are made by NewSpec on first need and kept in
// sync by Add, Remove, Reserve and Release: O(log n) search plus a shift as
// long as the distance the instance moves in the order.
type partition struct {
	attr    int32
	buckets []*bucket // by value id; 0 = attribute absent
	present []int32   // value ids with a non-empty bucket, ascending
	keep    [2]bool   // which resource orders are maintained
}

type bucket struct {
	members []Handle    // by rank
	byRes   [2][]Handle // by (remaining resource, rank)
	blocks  [2][]blockMax
}

// blockSize is how many entries of a sorted order one blockMax summarises.
const blockSize = 64

// blockMax is the most CPU, memory and free ENIs any active instance in one
// block of a sorted order has left. binpackBest skips a block that cannot
// fit the task, so instances full on another resource (or draining) cost
// O(n/blockSize), not O(n), per placement. Constraint failures cannot be
// summarised and are still skipped one by one.
type blockMax struct{ cpu, mem, enis int32 }

func (m blockMax) fits(s *Spec) bool {
	return m.cpu >= s.cpu && m.mem >= s.mem && (!s.eni || m.enis >= 1)
}

// fixBlocks recomputes the summaries of the blocks holding list[lo..hi];
// hi < 0 means to the end (after an insert or delete shifted everything).
func (b *bucket) fixBlocks(p *Pool, r resource, lo, hi int) {
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

// touch refreshes h's block summaries after its CPU, memory, ENIs or
// active flag changed.
func (p *Pool) touch(h Handle) {
	c := &p.cands[h]
	for _, part := range p.parts {
		b := part.buckets[c.attr(part.attr)]
		for r := range b.byRes {
			if part.keep[r] {
				i := resSearch(p, b.byRes[r], resource(r), c.resource(resource(r)), c.rank)
				b.fixBlocks(p, resource(r), i, i)
			}
		}
	}
}

// partitionFor returns the partition on attr, creating it from the pool.
func (p *Pool) partitionFor(attr int32) *partition {
	for _, part := range p.parts {
		if part.attr == attr {
			return part
		}
	}
	part := &partition{attr: attr}
	for _, h := range p.order {
		b := part.bucketFor(p.cands[h].attr(attr))
		b.members = append(b.members, h)
	}
	p.parts = append(p.parts, part)
	return part
}

// keepResource makes part maintain the order by r, building it now if new.
func (part *partition) keepResource(p *Pool, r resource) {
	if part.keep[r] {
		return
	}
	part.keep[r] = true
	for _, v := range part.present {
		b := part.buckets[v]
		b.byRes[r] = slices.Clone(b.members)
		slices.SortStableFunc(b.byRes[r], func(x, y Handle) int {
			return cmpInt32(p.cands[x].resource(r), p.cands[y].resource(r))
		})
		b.fixBlocks(p, r, 0, -1)
	}
}

func (part *partition) bucketFor(v int32) *bucket {
	for int(v) >= len(part.buckets) {
		part.buckets = append(part.buckets, nil)
	}
	if part.buckets[v] == nil {
		part.buckets[v] = &bucket{}
	}
	if i, found := slices.BinarySearch(part.present, v); !found {
		part.present = slices.Insert(part.present, i, v)
	}
	return part.buckets[v]
}

// bucketAt returns bucket v, nil when there is none.
func (part *partition) bucketAt(v int32) *bucket {
	if int(v) >= len(part.buckets) {
		return nil
	}
	return part.buckets[v]
}

func (part *partition) insert(p *Pool, h Handle) {
	c := &p.cands[h]
	b := part.bucketFor(c.attr(part.attr))
	i := sort.Search(len(b.members), func(i int) bool { return p.cands[b.members[i]].rank > c.rank })
	b.members = slices.Insert(b.members, i, h)
	for r := range b.byRes {
		if part.keep[r] {
			j := resSearch(p, b.byRes[r], resource(r), c.resource(resource(r)), c.rank)
			b.byRes[r] = slices.Insert(b.byRes[r], j, h)
			b.fixBlocks(p, resource(r), j, -1)
		}
	}
}

func (part *partition) remove(p *Pool, h Handle) {
	c := &p.cands[h]
	v := c.attr(part.attr)
	b := part.buckets[v]
	i := sort.Search(len(b.members), func(i int) bool { return p.cands[b.members[i]].rank >= c.rank })
	b.members = slices.Delete(b.members, i, i+1)
	for r := range b.byRes {
		if part.keep[r] {
			j := resSearch(p, b.byRes[r], resource(r), c.resource(resource(r)), c.rank)
			b.byRes[r] = slices.Delete(b.byRes[r], j, j+1)
			b.fixBlocks(p, resource(r), j, -1)
		}
	}
	if len(b.members) == 0 {
		k, _ := slices.BinarySearch(part.present, v)
		part.present = slices.Delete(part.present, k, k+1)
	}
}

// move repositions h in its bucket's order by r when its remaining amount
// goes from old to v; the shift covers only the instances it passes.
func (part *partition) move(p *Pool, h Handle, r resource, old, v int32) {
	rank := p.cands[h].rank
	b := part.buckets[p.cands[h].attr(part.attr)]
	list := b.byRes[r]
	i := resSearch(p, list, r, old, rank)
	if v < old {
		j := resSearch(p, list[:i], r, v, rank)
		copy(list[j+1:i+1], list[j:i])
		list[j] = h
		b.fixBlocks(p, r, j, i)
		return
	}
	j := i + 1 + resSearch(p, list[i+1:], r, v, rank)
	copy(list[i:j-1], list[i+1:j])
	list[j-1] = h
	b.fixBlocks(p, r, i, j-1)
}

// resSearch returns the first position in list (sorted by (amount, rank))
// whose key is not below (v, rank).
func resSearch(p *Pool, list []Handle, r resource, v, rank int32) int {
	return sort.Search(len(list), func(i int) bool {
		c := &p.cands[list[i]]
		a := c.resource(r)
		return a > v || a == v && c.rank >= rank
	})
}

// firstAtLeast returns the first position in list whose amount is >= need.
func firstAtLeast(p *Pool, list []Handle, r resource, need int32) int {
	return sort.Search(len(list), func(i int) bool { return p.cands[list[i]].resource(r) >= need })
}

func cmpInt32(a, b int32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

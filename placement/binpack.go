package placement

import "math/rand/v2"

// binpackKey is the binpack strategy's key, lower wins: what the instance
// would have left of the resource after placement. AWS
// (task-placement-strategies.html): binpack "places tasks on available
// candidates that have the least available amount of the resource ... For
// example, if you binpack on memory, a task is placed on the instance with
// the least amount of remaining memory but still enough to run the task."
// key = remaining(cpu|memory) - task's reservation, >= 0 on a fitting instance.
func binpackKey(c *candidate, s *Spec, r resource) int64 {
	return int64(c.resource(r)) - int64(s.need(r))
}

func (s *Spec) need(r resource) int32 {
	if r == resCPU {
		return s.cpu
	}
	return s.mem
}

// binpackBest finds the best instance of bucket b (its order by (remaining
// r, ID order)) for strategies lv.. where strategy lv is binpack(r). Index,
// not scan: a binary search finds the first instance with enough of r; the
// first that passes every check has the least left. Blocks whose summary
// (blockMax) cannot fit the task are skipped whole. When strategies follow,
// the instances with that same amount are handed to scanBest to break the
// tie. Cost: O(log n + n/blockSize) plus the instances skipped one by one for
// failing a constraint, plus the tie set when later strategies exist.
func (p *Pool) binpackBest(s *Spec, lv int, b *bucket, rnd *rand.Rand) (Handle, keyVec) {
	if b == nil {
		return NoHandle, keyVec{}
	}
	r := s.strats[lv].res
	need := s.need(r)
	list, blocks := b.byRes[r], b.blocks[r]
	for i := firstAtLeast(p, list, r, need); i < len(list); i++ {
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
		eq := append(p.eq[:0], h)
		for j := i + 1; j < len(list) && p.cands[list[j]].resource(r) == v; j++ {
			if o := &p.cands[list[j]]; o.active && p.check(list[j], o, s) == Fits {
				eq = append(eq, list[j])
			}
		}
		p.eq = eq
		h, k = p.scanBest(s, lv+1, eq, rnd)
		k[lv] = int64(v) - int64(need)
		return h, k
	}
	return NoHandle, keyVec{}
}

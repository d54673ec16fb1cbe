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

// binpackBest finds the best instance of bucket b for strategies lv..
// where strategy lv is binpack(r). Index, not scan: the bucket's order by
// (remaining r, ID order) (order.go) is searched from the first instance
// with enough of r; the first that passes every check has the least left,
// and when strategies follow, the instances with that same amount break the
// tie (order.orderBest).
func (p *Pool) binpackBest(s *Spec, lv int, b *bucket, rnd *rand.Rand) (Handle, keyVec) {
	if b == nil {
		return NoHandle, keyVec{}
	}
	need := s.need(s.strats[lv].res)
	return p.orderBest(s, lv, b.byRes[s.strats[lv].res], need, need, rnd)
}

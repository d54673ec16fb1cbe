package placement

import "math/rand/v2"

// spreadTable counts the running tasks of one group per value of one
// attribute over every instance in the pool (active or not, fitting or not),
// kept in sync by Reserve, Release and Remove. Choice (documented): tasks
// count wherever they run, and only values with a fitting instance can be
// chosen, as the service scheduler does (update-service-parameters.html:
// "Sort the valid container instances by the fewest number of running tasks
// for this service in the same Availability Zone as the instance").
type spreadTable struct {
	group, attr int32
	counts      []int32 // by value id; 0 = attribute absent
}

func (t *spreadTable) count(v int32) int32 {
	if int(v) < len(t.counts) {
		return t.counts[v]
	}
	return 0
}

func (t *spreadTable) add(v, d int32) {
	for int(v) >= len(t.counts) {
		t.counts = append(t.counts, 0)
	}
	t.counts[v] += d
}

func (p *Pool) tablesOf(g int32) []*spreadTable {
	if int(g) < len(p.byGrp) {
		return p.byGrp[g]
	}
	return nil
}

// tableFor returns the (group, attr) table, creating it from the instances'
// group counts (O(n), once).
func (p *Pool) tableFor(g, attr int32) *spreadTable {
	for _, t := range p.tablesOf(g) {
		if t.attr == attr {
			return t
		}
	}
	t := &spreadTable{group: g, attr: attr}
	if p.groupTasks(g) > 0 { // a group with no task yet (a new service's) has nothing to count
		for _, h := range p.order {
			c := &p.cands[h]
			if n := c.groupCount(g); n > 0 {
				t.add(c.attr(attr), n)
			}
		}
	}
	for int(g) >= len(p.byGrp) {
		p.byGrp = append(p.byGrp, nil)
	}
	p.byGrp[g] = append(p.byGrp[g], t)
	p.tables = append(p.tables, t)
	return t
}

// spreadKey is the spread strategy's key, lower wins: the number of tasks of
// the spec's group on the instance (instanceId/host) or in the instance's
// attribute value (attribute:NAME). AWS (task-placement-strategies.html):
// spread "places tasks evenly based on the specified value ... Service tasks
// are spread based on the tasks from that service. Standalone tasks are
// spread based on the tasks from the same task group." An instance without
// the attribute counts in the "absent" value (choice).
func spreadKey(c *candidate, s *Spec, st *boundStrategy) int64 {
	if st.table == nil {
		return int64(c.groupCount(s.group))
	}
	return int64(st.table.count(c.attr(st.attr)))
}

// spreadAttrBest places a spec whose chain starts with spread(attribute:X)
// and holds no random. Index, not scan: the pool's partition on X lists the
// values present; they are visited by ascending group count, and for the
// lowest count whose buckets hold a fitting instance, each bucket's best for
// the rest of the chain (binpackBest on the bucket's sorted order, else
// scanBest over the bucket) competes on (later keys, ID order).
func (p *Pool) spreadAttrBest(s *Spec, rnd *rand.Rand) Handle {
	t := s.strats[0].table
	vals := append(p.vals[:0], s.part.present...)
	for i := 1; i < len(vals); i++ { // insertion sort by (count, value id): few values
		for j := i; j > 0 && t.count(vals[j]) < t.count(vals[j-1]); j-- {
			vals[j], vals[j-1] = vals[j-1], vals[j]
		}
	}
	p.vals = vals
	for i := 0; i < len(vals); {
		j := i + 1
		for j < len(vals) && t.count(vals[j]) == t.count(vals[i]) {
			j++
		}
		best, bestK := NoHandle, keyVec{}
		for _, v := range vals[i:j] {
			h, k := p.bucketBest(s, s.part.buckets[v], rnd)
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

func (p *Pool) bucketBest(s *Spec, b *bucket, rnd *rand.Rand) (Handle, keyVec) {
	if len(s.strats) > 1 {
		switch st := &s.strats[1]; {
		case st.kind == BinpackStrategy:
			return p.binpackBest(s, 1, b, rnd)
		case st.kind == SpreadStrategy && st.table == nil:
			return p.orderBest(s, 1, s.part.groupOrder(b, s.group), 0, 0, rnd)
		}
	}
	return p.scanBest(s, 1, b.members, rnd)
}

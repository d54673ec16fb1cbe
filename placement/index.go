package placement

import (
	"slices"
	"sort"
	"strings"
)

// resource is a binpack field.
type resource uint8

const (
	resCPU resource = iota
	resMemory
)

// subset is the instances that satisfy a conjunction of static memberOf
// expressions (those that read only facts fixed at Add: attributes,
// ec2InstanceId, registeredAt, agentVersion, agentConnected): the only
// instances a spec with those constraints can ever take. Specs with the
// same expressions (by canonical form) share one subset, and the indexes
// built over it hold its members only, so that a search never walks past
// instances the constraint excludes. Membership is decided once per
// instance, at Add (or when the subset is first made).
type subset struct {
	key   string       // the expressions' canonical forms, joined
	exprs []*boundExpr // bound by the first spec that needed the subset
}

// has reports whether the instance behind h satisfies every expression.
func (sub *subset) has(p *Pool, h Handle) bool {
	for _, e := range sub.exprs {
		if !p.memberOf(h, &p.cands[h], e) {
			return false
		}
	}
	return true
}

// boundFor binds e to the pool once per canonical form: specs with the same
// expression (a service's specs pinned to one zone, say) share its bound
// form, and with it the per-instance results cached there (member_of.go).
func (p *Pool) boundFor(e *Expr) *boundExpr {
	key := e.String()
	if b, ok := p.bound[key]; ok {
		return b
	}
	if p.bound == nil {
		p.bound = map[string]*boundExpr{}
	}
	b := p.bindExpr(e)
	p.bound[key] = b
	return b
}

// subsetFor returns the subset of the spec's static memberOf constraints,
// nil when it has none (every instance).
func (p *Pool) subsetFor(s *Spec, t Task) *subset {
	var keys []string
	var exprs []*boundExpr
	for i, c := range t.Constraints {
		if c.Kind == MemberOfConstraint && s.cons[i].expr.static {
			keys = append(keys, c.Expr.String())
			exprs = append(exprs, s.cons[i].expr)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	key := strings.Join(keys, "\x00")
	for _, sub := range p.subsets {
		if sub.key == key {
			return sub
		}
	}
	sub := &subset{key: key, exprs: exprs}
	p.subsets = append(p.subsets, sub)
	return sub
}

// partition buckets the instances of a subset (sub nil: every instance) by
// their value of one attribute (attr -1: a single bucket). Each bucket
// lists its instances in ID order and keeps, as its specs need them, the
// orders the strategies search (order.go): by remaining CPU or memory for
// binpack, by the tasks of a group for spread(instanceId). Partitions are
// made by NewSpec on first need and kept in sync by Add, Remove, SetActive,
// Reserve and Release.
type partition struct {
	attr    int32
	sub     *subset
	buckets []*bucket // by value id; 0 = attribute absent
	present []int32   // value ids with a non-empty bucket, ascending
	keep    [2]bool   // which resource orders are maintained
	rank    bool      // whether the order by rank alone is maintained
	groups  []int32   // the groups whose count orders are maintained
	in      []bool    // by handle: a member
}

type bucket struct {
	members []Handle  // by rank
	byRes   [2]*order // by (remaining resource, rank), when kept
	byRank  *order    // by rank alone (key 0), with run summaries: scans
	byGroup []*order  // by (tasks of partition.groups[i], rank)
}

// eachOrder calls fn with each of the bucket's orders and the key it gives
// h.
func (part *partition) eachOrder(p *Pool, b *bucket, h Handle, fn func(o *order, key int32)) {
	c := &p.cands[h]
	for r, o := range b.byRes {
		if part.keep[r] {
			fn(o, c.resource(resource(r)))
		}
	}
	if part.rank {
		fn(b.byRank, 0)
	}
	for gi, o := range b.byGroup {
		fn(o, c.groupCount(part.groups[gi]))
	}
}

// blockMax is the most CPU, memory and free ENIs any active instance in one
// run of an order has left. A search skips a run that cannot fit the task,
// so that instances full on another resource (or draining) cost
// O(n/runCap), not O(n), per placement. Constraint failures cannot be
// summarised and are still skipped one by one.
type blockMax struct{ cpu, mem, enis int32 }

func (m blockMax) fits(s *Spec) bool {
	return m.cpu >= s.cpu && m.mem >= s.mem && (!s.eni || m.enis >= 1)
}

func (part *partition) has(h Handle) bool { return int(h) < len(part.in) && part.in[h] }

func (part *partition) bucketOf(p *Pool, h Handle) *bucket {
	return part.buckets[p.cands[h].attr(part.attr)]
}

// groupOrder returns the bucket's count order of group g, nil if none.
func (part *partition) groupOrder(b *bucket, g int32) *order {
	if b == nil {
		return nil
	}
	if i := slices.Index(part.groups, g); i >= 0 {
		return b.byGroup[i]
	}
	return nil
}

// partitionFor returns the partition of sub on attr, creating it from the
// pool.
func (p *Pool) partitionFor(attr int32, sub *subset) *partition {
	for _, part := range p.parts {
		if part.attr == attr && part.sub == sub {
			return part
		}
	}
	part := &partition{attr: attr, sub: sub}
	for _, h := range p.order {
		if sub == nil || sub.has(p, h) {
			part.setIn(h, true)
			b := part.bucketFor(p.cands[h].attr(attr))
			b.members = append(b.members, h)
		}
	}
	p.parts = append(p.parts, part)
	return part
}

func (part *partition) setIn(h Handle, in bool) {
	for int(h) >= len(part.in) {
		part.in = append(part.in, false)
	}
	part.in[h] = in
}

// buildOrder sorts hs (in rank order) by key into a new order.
func buildOrder(hs []Handle, key func(Handle) int32) *order {
	type entry struct {
		h Handle
		k int32
	}
	es := make([]entry, len(hs))
	for i, h := range hs {
		es[i] = entry{h, key(h)}
	}
	slices.SortStableFunc(es, func(a, b entry) int { return cmpInt32(a.k, b.k) })
	o := &order{n: len(es)}
	for i := 0; i < len(es); i += runCap / 2 {
		r := newRun()
		for _, e := range es[i:min(i+runCap/2, len(es))] {
			r.hs, r.keys = append(r.hs, e.h), append(r.keys, e.k)
		}
		o.runs = append(o.runs, r)
	}
	return o
}

// eachOrderOf calls fn for every order of every partition (relabel).
func (p *Pool) eachOrderOf(fn func(*order)) {
	for _, part := range p.parts {
		for _, v := range part.present {
			b := part.buckets[v]
			for r, o := range b.byRes {
				if part.keep[r] {
					fn(o)
				}
			}
			if part.rank {
				fn(b.byRank)
			}
			for _, o := range b.byGroup {
				fn(o)
			}
		}
	}
}

func (part *partition) fillFits(p *Pool, o *order) *order {
	o.lastsOK = false
	for _, r := range o.runs {
		r.fits = r.fitsA[:len(r.hs)]
		r.lbls = r.lblsA[:len(r.hs)]
		for i, h := range r.hs {
			r.fits[i] = fitOf(&p.cands[h])
			r.lbls[i] = p.cands[h].label
		}
	}
	return o
}

// keepResource makes part maintain the order by r, building it now if new.
func (part *partition) keepResource(p *Pool, r resource) {
	if part.keep[r] {
		return
	}
	part.keep[r] = true
	for _, v := range part.present {
		b := part.buckets[v]
		b.byRes[r] = part.fillFits(p, buildOrder(b.members, func(h Handle) int32 { return p.cands[h].resource(r) }))
		b.byRes[r].legacy, b.byRes[r].hinted = true, true
	}
}

// keepRank makes part maintain the order by rank alone.
func (part *partition) keepRank(p *Pool) {
	if part.rank {
		return
	}
	part.rank = true
	for _, v := range part.present {
		b := part.buckets[v]
		b.byRank = part.fillFits(p, buildOrder(b.members, func(Handle) int32 { return 0 }))
		b.byRank.hinted = true
	}
}

// keepGroup makes part maintain the order by the tasks of group g on each
// instance, building it now if new.
func (part *partition) keepGroup(p *Pool, g int32) {
	if slices.Contains(part.groups, g) {
		return
	}
	part.groups = append(part.groups, g)
	none := p.groupTasks(g) == 0 // a new group: every key is 0, the members' order as it is
	for _, v := range part.present {
		b := part.buckets[v]
		b.byGroup = append(b.byGroup, part.fillFits(p, buildOrder(b.members, func(h Handle) int32 {
			if none {
				return 0
			}
			return p.cands[h].groupCount(g)
		})))
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
		b := part.buckets[v]
		for r := range b.byRes {
			if part.keep[r] && b.byRes[r] == nil {
				b.byRes[r] = &order{legacy: true, hinted: true}
			}
		}
		if part.rank && b.byRank == nil {
			b.byRank = &order{hinted: true}
		}
		for len(b.byGroup) < len(part.groups) {
			b.byGroup = append(b.byGroup, &order{})
		}
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

// insert adds a new instance to part if it belongs to its subset.
func (part *partition) insert(p *Pool, h Handle) {
	if part.sub != nil && !part.sub.has(p, h) {
		return
	}
	part.setIn(h, true)
	c := &p.cands[h]
	b := part.bucketFor(c.attr(part.attr))
	i := sort.Search(len(b.members), func(i int) bool { return p.cands[b.members[i]].rank > c.rank })
	b.members = slices.Insert(b.members, i, h)
	part.eachOrder(p, b, h, func(o *order, key int32) { o.insert(p, h, key) })
}

func (part *partition) remove(p *Pool, h Handle) {
	if !part.has(h) {
		return
	}
	part.in[h] = false
	c := &p.cands[h]
	v := c.attr(part.attr)
	b := part.buckets[v]
	i := sort.Search(len(b.members), func(i int) bool { return p.cands[b.members[i]].rank >= c.rank })
	b.members = slices.Delete(b.members, i, i+1)
	part.eachOrder(p, b, h, func(o *order, key int32) { o.remove(p, h, key) })
	if len(b.members) == 0 {
		k, _ := slices.BinarySearch(part.present, v)
		part.present = slices.Delete(part.present, k, k+1)
	}
}

// touch refreshes h's entries in every order after its CPU, memory, ENIs
// or active flag changed.
func (p *Pool) touch(h Handle) {
	for _, part := range p.parts {
		if part.has(h) {
			part.eachOrder(p, part.bucketOf(p, h), h, func(o *order, key int32) { o.refresh(p, h, key) })
		}
	}
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

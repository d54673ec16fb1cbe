package kube

import "slices"

// clause selects pods: in one of the namespaces ns (sorted ids) and matching
// sel. It is an affinity term's (namespaces, labelSelector) and a spread
// constraint's (the pod's namespace, labelSelector).
type clause struct {
	ns  []int32
	sel selector
}

func (cl *clause) matches(in *interner, ns int32, ls labelSet) bool {
	return slices.Contains(cl.ns, ns) && cl.sel.matches(in, ls)
}

func (cl *clause) appendSig(b []byte) []byte {
	b = appendSigInt(append(b, '['), int64(len(cl.ns)))
	for _, n := range cl.ns {
		b = appendSigInt(b, int64(n))
	}
	return cl.sel.sig(b)
}

// matcher counts the bound pods that match all of its clauses: on each node
// and, for each topology key some PodInfo asked for, in each domain. The
// Cluster keeps it in step on every Bind and Unbind.
type matcher struct {
	clauses   []clause
	perNode   []int32 // by NodeID
	keys      []int32 // topology keys tracked
	perDomain [][]int32
	withKey   []int64 // per tracked key: matching pods on nodes with the key
}

func (m *matcher) matchesPod(in *interner, ns int32, ls labelSet) bool {
	for i := range m.clauses {
		if !m.clauses[i].matches(in, ns, ls) {
			return false
		}
	}
	return true
}

func (m *matcher) add(n *NodeInfo, delta int32) {
	m.perNode = growTo(m.perNode, int(n.id)+1)
	m.perNode[n.id] += delta
	for s, t := range m.keys {
		d := n.dom[t]
		if d < 0 {
			continue
		}
		m.perDomain[s] = growTo(m.perDomain[s], int(d)+1)
		m.perDomain[s][d] += delta
		m.withKey[s] += int64(delta)
	}
}

// onNode returns the matching pods on node id.
func (m *matcher) onNode(id NodeID) int32 {
	if int(id) >= len(m.perNode) {
		return 0
	}
	return m.perNode[id]
}

// resize returns s with length n, its contents unspecified: for scratch
// the caller overwrites. Unlike growTo(s[:0], n) it does not clear.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

func growTo[T any](s []T, n int) []T {
	if len(s) >= n {
		return s
	}
	return append(s, make([]T, n-len(s))...)
}

// countRef is one matcher's counts by the domains of one topology key.
type countRef struct {
	m    *matcher
	slot int
}

// inDomain returns the matching pods in domain d (-1: none).
func (r countRef) inDomain(d int32) int32 {
	if d < 0 {
		return 0
	}
	a := r.m.perDomain[r.slot]
	if int(d) >= len(a) {
		return 0
	}
	return a[d]
}

// total returns the matching pods on nodes that have the key.
func (r countRef) total() int64 { return r.m.withKey[r.slot] }

// matcher returns the Cluster's matcher for the clauses, creating it (and
// counting the bound pods) on first use.
func (c *Cluster) matcher(cls []clause) *matcher {
	b := c.sig[:0]
	for i := range cls {
		b = cls[i].appendSig(b)
	}
	c.sig = b
	if m, ok := c.matchers[string(b)]; ok {
		return m
	}
	// The caller's clauses may live on its stack: keep copies.
	own := make([]clause, len(cls))
	for i, cl := range cls {
		own[i] = clause{ns: slices.Clone(cl.ns), sel: cl.sel}
	}
	m := &matcher{clauses: own}
	c.matchers[string(b)] = m
	m.perNode = make([]int32, len(c.nodes))
	if slices.ContainsFunc(cls, func(cl clause) bool { return cl.sel.nothing }) {
		return m // matches no pod: never counted
	}
	if a, ok := cls[0].sel.anchor(); ok {
		c.anchored[a] = append(c.anchored[a], m)
	} else {
		c.unanchored = append(c.unanchored, m)
	}
	for _, n := range c.nodes {
		for _, bp := range n.pods {
			if m.matchesPod(&c.in, bp.ns, bp.labels) {
				m.perNode[n.id]++
			}
		}
	}
	return m
}

// countsBy returns m's counts by the domains of topology key t, tracking
// them from now on if they were not yet.
func (c *Cluster) countsBy(m *matcher, t int32) countRef {
	if s := slices.Index(m.keys, t); s >= 0 {
		return countRef{m, s}
	}
	dom := make([]int32, len(c.topo[t].nodesIn))
	var with int64
	for _, n := range c.nodes {
		if !n.live || n.dom[t] < 0 {
			continue
		}
		v := m.onNode(n.id)
		dom[n.dom[t]] += v
		with += int64(v)
	}
	m.keys = append(m.keys, t)
	m.perDomain = append(m.perDomain, dom)
	m.withKey = append(m.withKey, with)
	return countRef{m, len(m.keys) - 1}
}

// termKind is which of a pod's affinity lists a term comes from.
type termKind uint8

const (
	requiredAffinity termKind = iota
	requiredAntiAffinity
	preferredAffinity
	preferredAntiAffinity
)

// existingTerm is an inter-pod affinity term as bound pods carry it: how many
// carry it (required terms) or the sum of their weights (preferred), by the
// domain of its topology key. InterPodAffinity tests each live term against
// the incoming pod once, instead of each pod carrying it.
type existingTerm struct {
	kind      termKind
	cl        clause
	topo      int32
	perDomain []int64
	carriers  int32
	nonZero   int32 // domains with perDomain != 0
}

func (t *existingTerm) add(n *NodeInfo, w int64) {
	if w > 0 {
		t.carriers++
	} else {
		t.carriers--
	}
	d := n.dom[t.topo]
	if d < 0 {
		return
	}
	t.perDomain = growTo(t.perDomain, int(d)+1)
	was := t.perDomain[d] != 0
	t.perDomain[d] += w
	if now := t.perDomain[d] != 0; now != was {
		if now {
			t.nonZero++
		} else {
			t.nonZero--
		}
	}
}

func (t *existingTerm) inDomain(d int32) int64 {
	if d < 0 || int(d) >= len(t.perDomain) {
		return 0
	}
	return t.perDomain[d]
}

// termUse is one term a pod carries, with its weight (1 for required terms).
type termUse struct {
	t *existingTerm
	w int64
}

// existingTermFor returns the Cluster's entry for a term of kind k.
func (c *Cluster) existingTermFor(k termKind, cl clause, topo int32) *existingTerm {
	b := append(c.sig[:0], byte('0'+k))
	b = appendSigInt(b, int64(topo))
	b = cl.appendSig(b)
	c.sig = b
	if t, ok := c.termBySig[string(b)]; ok {
		return t
	}
	t := &existingTerm{kind: k, cl: cl, topo: topo}
	c.termBySig[string(b)] = t
	c.terms = append(c.terms, t)
	return t
}

// termMatches is the existing terms, in Cluster.terms order, that select
// pods with one namespace and label set: the first seen of Cluster.terms
// (terms are only ever appended, and a term's clause never changes).
type termMatches struct {
	seen int
	list []*existingTerm
}

// maxTermMatches bounds Cluster.termMatch; past it the cache starts over.
const maxTermMatches = 1024

// matchingTerms returns the existing terms whose clause selects p, in
// Cluster.terms order (whatever their carriers), from a cache by p's
// namespace and labels.
func (c *Cluster) matchingTerms(p *PodInfo) []*existingTerm {
	b := appendSigInt(c.tsig[:0], int64(p.ns))
	for _, l := range p.labels {
		b = appendSigInt(appendSigInt(b, int64(l.k)), int64(l.v))
	}
	c.tsig = b
	e := c.termMatch[string(b)]
	if e == nil {
		if len(c.termMatch) >= maxTermMatches {
			clear(c.termMatch)
		}
		e = &termMatches{}
		c.termMatch[string(b)] = e
	}
	for _, t := range c.terms[e.seen:] {
		if t.cl.matches(&c.in, p.ns, p.labels) {
			e.list = append(e.list, t)
		}
	}
	e.seen = len(c.terms)
	return e.list
}

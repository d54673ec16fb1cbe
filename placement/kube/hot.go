package kube

// nodeHot is what the search reads of every node it looks at, packed by
// NodeID (Cluster.hot) so that a cycle over hundreds of nodes streams a
// few cache lines instead of chasing a NodeInfo each: 32 bytes a node. The
// Cluster keeps it, and the scorer's nodeDom and code, in step with the
// NodeInfo on every change.
type nodeHot struct {
	free     Resources // allocatable - requested
	freePods int32     // allowed pods - bound pods
	flags    hotFlags
}

// nodeDom is what the one-pass scorer's loops read of a node where the
// codes do not serve (Cluster.hotDom, by NodeID).
type nodeDom struct {
	pns  int32 // PreferNoSchedule taints
	host int32 // hostname domain; -1: no hostname label
	zone int32 // zone domain; -1: no zone label
}

// The layout of codedNormalized's codes: taint count, zone domain + 1,
// matching pods on the node.
const (
	maxCodedZones   = 31 // the most zone domains + 1 with codes
	codeTaintStride = (maxCodedZones + 1) * spreadTabCounts
	noCode          = 0xFFFF
)

type hotFlags uint8

const (
	hotCordoned   hotFlags = 1 << iota // spec.unschedulable
	hotHardTaints                      // some NoSchedule or NoExecute taint
)

// syncHot copies n's hot fields to c.hot, c.hotDom and c.hotCode.
func (c *Cluster) syncHot(n *NodeInfo) {
	c.hot = growTo(c.hot, int(n.id)+1)
	c.hotDom = growTo(c.hotDom, int(n.id)+1)
	c.hotCode = growTo(c.hotCode, int(n.id)+1)
	h, hd := &c.hot[n.id], &c.hotDom[n.id]
	if !n.live {
		*h = nodeHot{flags: hotCordoned | hotHardTaints}
		*hd = nodeDom{host: -1, zone: -1}
		c.hotCode[n.id] = noCode
		return
	}
	h.free = n.alloc.sub(n.requested)
	h.freePods = int32(min(max(n.allowedPods-int64(len(n.pods)), -1<<31), 1<<31-1))
	hd.pns = int32(min(n.pnsTaints, 1<<31-1))
	hd.host, hd.zone = n.dom[c.hostnameTopo], n.dom[c.zoneTopo]
	h.flags = 0
	if n.unschedulable {
		h.flags |= hotCordoned
	}
	if n.hardTaints {
		h.flags |= hotHardTaints
	}
	code := uint16(noCode)
	if hd.host >= 0 && hd.pns <= maxCodedTaints && hd.zone+1 <= maxCodedZones {
		code = uint16(hd.pns*codeTaintStride + (hd.zone+1)*spreadTabCounts)
	}
	c.hotCode[n.id] = code
}

// resShape is what the resource scores of a pod depend on: its non-zero
// CPU and memory requests (NodeResourcesFit's LeastAllocated) and its plain
// ones (BalancedAllocation).
type resShape struct{ nzCPU, nzMem, cpu, mem int64 }

// resMemoSlots bounds the request shapes whose resource scores are kept.
const resMemoSlots = 16

// resMemo keeps, per request shape and node, LeastAllocated and
// BalancedAllocation of the default profile (resource scores of the node
// with the shape's pod): the scores depend on the node's allocatable and
// requested resources and on the shape alone, and a pod's cycle looks up
// hundreds of them. A node's entries are dropped whenever its pods change
// (Bind, Unbind) or the node comes or goes; a shape not seen for longest
// gives its slot up to a new one.
type resMemo struct {
	slot  map[resShape]int
	shape [resMemoSlots]resShape
	used  [resMemoSlots]uint64 // last use, for eviction
	live  int                  // slots in use
	tick  uint64
	score [resMemoSlots][]uint16 // by NodeID: 0 unknown, else 1 + la + 128*ba
}

// lookup returns the slot of shape s, taking one (and clearing it) for a
// new shape; n is the number of node IDs.
func (m *resMemo) lookup(s resShape, n int) int {
	m.tick++
	if m.slot == nil {
		m.slot = map[resShape]int{}
	}
	i, ok := m.slot[s]
	if !ok {
		if m.live < resMemoSlots {
			i = m.live
			m.live++
		} else {
			i = 0
			for j := 1; j < resMemoSlots; j++ {
				if m.used[j] < m.used[i] {
					i = j
				}
			}
			delete(m.slot, m.shape[i])
		}
		m.slot[s], m.shape[i] = i, s
		clear(m.score[i])
	}
	m.used[i] = m.tick
	m.score[i] = growTo(m.score[i], n)
	return i
}

// forget drops node id's entries.
func (m *resMemo) forget(id NodeID) {
	for i := range m.live {
		if int(id) < len(m.score[i]) {
			m.score[i][id] = 0
		}
	}
}

// packRes packs LeastAllocated la and BalancedAllocation ba (0..100 each)
// as 1 + la + 128*ba.
func packRes(la, ba int64) uint16 { return uint16(1 + la + 128*ba) }

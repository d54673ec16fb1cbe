package kube

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// NodeID names a node in a Cluster. The ID of a removed node is reused by a
// later AddNode.
type NodeID int32

// NoNode is the NodeID of no node: Result.Node when nothing was chosen.
const NoNode NodeID = -1

// NodeInfo is the Cluster's view of one node, kube-scheduler's NodeInfo: the
// node as added plus what its bound pods use. Plugins read it; only the
// Cluster writes it.
type NodeInfo struct {
	// What every cycle reads of every node it filters and scores comes
	// first, in as few cache lines as it takes.
	id            NodeID
	live          bool
	unschedulable bool
	hardTaints    bool      // some NoSchedule or NoExecute taint
	exactDiv      bool      // 0 < allocatable CPU and memory < maxExactQuotient
	alloc         Resources // status.allocatable
	requested     Resources // sum of the bound pods' effective requests
	nonZero       Resources // the same with scoring's non-zero defaults (CPU, memory)
	allowedPods   int64
	pods          []*boundPod
	pnsTaints     int64   // PreferNoSchedule taints
	gen           uint64  // changes whenever the bound pods change (unique cluster-wide)
	dom           []int32 // topology domain per registered topology key; -1: no such label
	name          string
	view          Node
	labels        labelSet
	taints        []ctaint
	ports         []cport
	images        []cimage // by name id
	zone          string   // GetZoneKey, for the node order
}

// ID returns the node's ID.
func (n *NodeInfo) ID() NodeID { return n.id }

// Name returns the node's name.
func (n *NodeInfo) Name() string { return n.name }

// Allocatable returns status.allocatable (CPU, memory, ephemeral storage).
func (n *NodeInfo) Allocatable() Resources { return n.alloc }

// Requested returns the sum of the bound pods' effective requests.
func (n *NodeInfo) Requested() Resources { return n.requested }

// NonZeroRequested returns Requested with a missing CPU or memory request
// counted as 100m / 200 MiB, as the resource scorers count it.
func (n *NodeInfo) NonZeroRequested() Resources { return n.nonZero }

// NumPods returns how many pods are bound to the node.
func (n *NodeInfo) NumPods() int { return len(n.pods) }

// Unschedulable reports spec.unschedulable.
func (n *NodeInfo) Unschedulable() bool { return n.unschedulable }

type ctaint struct {
	key, val int32
	effect   TaintEffect
}

// cport is a host port in use or wanted: host IP id, protocol id, port.
type cport struct{ ip, proto, port int32 }

type cimage struct {
	name int32
	size int64
}

// boundPod is a pod bound to a node: what Unbind must take away again.
type boundPod struct {
	key      string
	node     NodeID
	*podSpec // the bound PodInfo's, read-only: namespace, labels, requests, ports, the terms it carries (own)
}

// Cluster is kube-scheduler's snapshot of the cluster for the scheduling
// cycle: nodes and the pods bound to them, kept in step incrementally by the
// orchestrator (AddNode, RemoveNode, SetUnschedulable, SetTaints, Bind,
// Unbind). Besides each node's requested resources, pod count and used host
// ports it keeps, for every label selector a PodInfo uses, how many bound
// pods match it on each node and in each topology domain, and, for every
// inter-pod affinity term of a bound pod, how many carry it in each domain;
// so PreFilter and PreScore read sums instead of walking pods. A Cluster is
// not safe for concurrent use.
type Cluster struct {
	in     interner
	nodes  []*NodeInfo // by NodeID; removed nodes are not live
	hot    []nodeHot   // by NodeID
	hotDom []nodeDom   // by NodeID
	// hotCode is each node's part of codedNormalized's code, by NodeID:
	// its PreferNoSchedule taints times codeTaintStride plus (zone + 1)
	// times spreadTabCounts; noCode when it has none (no hostname label,
	// more than maxCodedTaints taints, a zone domain past maxCodedZones).
	// Apart from hot, so that the scorer streams 2 bytes a node rather
	// than a whole nodeHot entry.
	hotCode  []uint16
	res      resMemo
	free     []NodeID
	byName   map[string]NodeID
	numNodes int

	zones      []*zoneNodes // in first-seen order, as the cache's nodeTree
	zoneIdx    map[string]int
	order      []*NodeInfo
	orderIDs   []NodeID // order's IDs
	orderDirty bool

	topo      []*topoKey
	topoByKey map[int32]int32 // label key id -> topo index

	matchers     map[string]*matcher
	anchored     map[kv][]*matcher
	unanchored   []*matcher
	terms        []*existingTerm
	termBySig    map[string]*existingTerm
	pods         map[string]*boundPod
	imageNodes   map[int32]int32 // image name id -> nodes listing it
	elig         map[string]*eligibility
	imageMemos   map[string]*nodeMemo[int8] // by PodInfo.imageSig
	nodesGen     uint64                     // bumped when nodes or their labels change
	podsGen      uint64                     // source of NodeInfo.gen
	anyIP, tcp   int32
	unschedTaint ctaint // {node.kubernetes.io/unschedulable, NoSchedule}
	hostnameTopo int32
	zoneTopo     int32
	sig          []byte                      // scratch
	termMatch    map[string]*termMatches     // by namespace and labels, for matchingTerms
	tsig         []byte                      // matchingTerms' scratch
	prefMemos    map[string]*nodeMemo[int64] // by PodInfo.prefSig
	ns1          [1]int32                    // scratch for a one-namespace clause
	isig         []byte                      // NewPodInfo's scratch for imageSig
}

type zoneNodes struct {
	key   string
	nodes []NodeID
}

// topoKey is a node label used as a topology key: its values are domains with
// dense indexes.
type topoKey struct {
	label   int32
	domOf   map[int32]int32 // value id -> domain
	nodesIn []int32         // live nodes per domain
	withKey int             // live nodes with the label
}

// NewCluster returns an empty Cluster.
func NewCluster() *Cluster {
	c := &Cluster{
		in: newInterner(), byName: map[string]NodeID{}, zoneIdx: map[string]int{},
		topoByKey: map[int32]int32{}, matchers: map[string]*matcher{}, anchored: map[kv][]*matcher{},
		termBySig: map[string]*existingTerm{}, pods: map[string]*boundPod{}, imageNodes: map[int32]int32{},
		elig: map[string]*eligibility{}, imageMemos: map[string]*nodeMemo[int8]{},
		termMatch: map[string]*termMatches{}, prefMemos: map[string]*nodeMemo[int64]{},
	}
	c.anyIP = c.in.id("0.0.0.0")
	c.tcp = c.in.id(string(TCP))
	c.unschedTaint = ctaint{key: c.in.id(TaintNodeUnschedulable), val: c.in.id(""), effect: NoSchedule}
	c.hostnameTopo = c.topoKey(LabelHostname)
	c.zoneTopo = c.topoKey(LabelTopologyZone)
	return c
}

// NumNodes returns how many nodes the cluster has.
func (c *Cluster) NumNodes() int { return c.numNodes }

// NodeInfo returns the node behind id. It panics on an unknown id.
func (c *Cluster) NodeInfo(id NodeID) *NodeInfo { return c.live(id) }

// Node returns the view the node was added with (taints and
// unschedulability as last set).
func (c *Cluster) Node(id NodeID) Node { return c.live(id).view }

// Lookup returns the ID of the node named name.
func (c *Cluster) Lookup(name string) (NodeID, bool) {
	id, ok := c.byName[name]
	return id, ok
}

func (c *Cluster) live(id NodeID) *NodeInfo {
	if id < 0 || int(id) >= len(c.nodes) || !c.nodes[id].live {
		panic(fmt.Sprintf("kube: no node with id %d", id))
	}
	return c.nodes[id]
}

// AddNode adds a node. The Cluster keeps n's maps and slices: do not change
// them afterwards; to change a node's labels, remove it and add it again.
func (c *Cluster) AddNode(n Node) (NodeID, error) {
	if n.Name == "" {
		return NoNode, errors.New("kube: node without a name")
	}
	if _, dup := c.byName[n.Name]; dup {
		return NoNode, fmt.Errorf("kube: node %q: already in the cluster", n.Name)
	}
	var id NodeID
	if k := len(c.free); k > 0 {
		id, c.free = c.free[k-1], c.free[:k-1]
	} else {
		id = NodeID(len(c.nodes))
		c.nodes = append(c.nodes, nil)
	}
	c.podsGen++
	ni := &NodeInfo{id: id, live: true, gen: c.podsGen, name: n.Name, view: n, labels: c.in.labels(n.Labels),
		unschedulable: n.Unschedulable, alloc: n.Allocatable, allowedPods: n.AllowedPods, zone: zoneKey(n.Labels)}
	a := n.Allocatable
	ni.exactDiv = a.MilliCPU > 0 && a.MilliCPU < maxExactQuotient && a.MemoryBytes > 0 && a.MemoryBytes < maxExactQuotient
	ni.setTaints(c.compileTaints(n.Taints))
	ni.images = c.compileImages(n.Images)
	for _, im := range ni.images {
		c.imageNodes[im.name]++
	}
	ni.dom = make([]int32, len(c.topo))
	for t := range c.topo {
		ni.dom[t] = c.joinDomain(int32(t), ni)
	}
	c.nodes[id] = ni
	c.syncHot(ni)
	c.res.forget(id)
	c.byName[n.Name] = id
	c.numNodes++
	c.zoneAdd(ni)
	c.nodesGen++
	return id, nil
}

// RemoveNode removes a node and unbinds the pods on it.
func (c *Cluster) RemoveNode(id NodeID) {
	n := c.live(id)
	for len(n.pods) > 0 {
		c.unbind(n.pods[len(n.pods)-1])
	}
	for t, d := range n.dom {
		if d >= 0 {
			c.topo[t].nodesIn[d]--
			c.topo[t].withKey--
		}
	}
	for _, im := range n.images {
		c.imageNodes[im.name]--
	}
	c.zoneRemove(n)
	delete(c.byName, n.name)
	n.live = false
	c.nodes[id] = &NodeInfo{id: id}
	c.syncHot(c.nodes[id])
	c.res.forget(id)
	c.free = append(c.free, id)
	c.numNodes--
	c.nodesGen++
}

// SetUnschedulable sets spec.unschedulable (cordon, uncordon).
func (c *Cluster) SetUnschedulable(id NodeID, u bool) {
	n := c.live(id)
	n.unschedulable = u
	n.view.Unschedulable = u
	c.syncHot(n)
}

// SetTaints replaces the node's taints.
func (c *Cluster) SetTaints(id NodeID, taints []Taint) {
	n := c.live(id)
	n.setTaints(c.compileTaints(taints))
	n.view.Taints = taints
	c.syncHot(n)
	c.nodesGen++
}

// setTaints sets the node's taints and what TaintToleration reads of them
// for a pod without tolerations.
func (n *NodeInfo) setTaints(ts []ctaint) {
	n.taints, n.pnsTaints, n.hardTaints = ts, 0, false
	for _, t := range ts {
		switch t.effect {
		case PreferNoSchedule:
			n.pnsTaints++
		case NoSchedule, NoExecute:
			n.hardTaints = true
		}
	}
}

func (c *Cluster) compileTaints(ts []Taint) []ctaint {
	out := make([]ctaint, len(ts))
	for i, t := range ts {
		out[i] = ctaint{c.in.id(t.Key), c.in.id(t.Value), t.Effect}
	}
	return out
}

// compileImages gives each image name the size of the last image listing it.
func (c *Cluster) compileImages(ims []Image) []cimage {
	var out []cimage
	for _, im := range ims {
		for _, name := range im.Names {
			id := c.in.id(name)
			if i := slices.IndexFunc(out, func(x cimage) bool { return x.name == id }); i >= 0 {
				out[i].size = im.SizeBytes
				continue
			}
			out = append(out, cimage{id, im.SizeBytes})
		}
	}
	slices.SortFunc(out, func(a, b cimage) int { return cmp.Compare(a.name, b.name) })
	return out
}

// imageSize returns the size of the node's image called name: a linear scan
// of the few images a node lists, sorted by name id.
func (n *NodeInfo) imageSize(name int32) (int64, bool) {
	for i := range n.images {
		switch im := &n.images[i]; {
		case im.name == name:
			return im.size, true
		case im.name > name:
			return 0, false
		}
	}
	return 0, false
}

// topoKey registers label key as a topology key and returns its index.
func (c *Cluster) topoKey(key string) int32 {
	k := c.in.id(key)
	if t, ok := c.topoByKey[k]; ok {
		return t
	}
	t := int32(len(c.topo))
	c.topo = append(c.topo, &topoKey{label: k, domOf: map[int32]int32{}})
	c.topoByKey[k] = t
	for _, n := range c.nodes {
		if n.live {
			n.dom = append(n.dom, c.joinDomain(t, n))
		}
	}
	return t
}

// joinDomain returns n's domain for topology key t and counts n in it.
func (c *Cluster) joinDomain(t int32, n *NodeInfo) int32 {
	tk := c.topo[t]
	v, ok := n.labels.get(tk.label)
	if !ok {
		return -1
	}
	d, ok := tk.domOf[v]
	if !ok {
		d = int32(len(tk.nodesIn))
		tk.domOf[v] = d
		tk.nodesIn = append(tk.nodesIn, 0)
	}
	tk.nodesIn[d]++
	tk.withKey++
	return d
}

// allHaveKeys reports whether every node has every topology key in keys.
func (c *Cluster) allHaveKeys(keys []int32) bool {
	for _, t := range keys {
		if c.topo[t].withKey != c.numNodes {
			return false
		}
	}
	return true
}

// zoneKey is component-helpers node/topology GetZoneKey: region and zone,
// beta labels first; "" when the node has neither.
func zoneKey(labels map[string]string) string {
	zone, ok := labels[LabelFailureDomainBetaZone]
	if !ok {
		zone = labels[LabelTopologyZone]
	}
	region, ok := labels[LabelFailureDomainBetaRegion]
	if !ok {
		region = labels[LabelTopologyRegion]
	}
	if region == "" && zone == "" {
		return ""
	}
	return region + ":\x00:" + zone
}

func (c *Cluster) zoneAdd(n *NodeInfo) {
	i, ok := c.zoneIdx[n.zone]
	if !ok {
		i = len(c.zones)
		c.zones = append(c.zones, &zoneNodes{key: n.zone})
		c.zoneIdx[n.zone] = i
	}
	c.zones[i].nodes = append(c.zones[i].nodes, n.id)
	c.orderDirty = true
}

func (c *Cluster) zoneRemove(n *NodeInfo) {
	i := c.zoneIdx[n.zone]
	z := c.zones[i]
	z.nodes = slices.DeleteFunc(z.nodes, func(id NodeID) bool { return id == n.id })
	if len(z.nodes) == 0 {
		c.zones = slices.Delete(c.zones, i, i+1)
		delete(c.zoneIdx, n.zone)
		for j := i; j < len(c.zones); j++ {
			c.zoneIdx[c.zones[j].key] = j
		}
	}
	c.orderDirty = true
}

// Nodes returns the nodes in kube-scheduler's order (backend/cache
// node_tree.go list): zones in the order their first node was added, nodes
// of each zone in the order they were added, taken one zone at a time round
// robin, so that consecutive nodes spread over zones. The slice is the
// Cluster's: do not change it.
func (c *Cluster) Nodes() []*NodeInfo {
	if !c.orderDirty {
		return c.order
	}
	c.order, c.orderIDs = c.order[:0], c.orderIDs[:0]
	for i := 0; len(c.order) < c.numNodes; i++ {
		for _, z := range c.zones {
			if i < len(z.nodes) {
				c.order = append(c.order, c.nodes[z.nodes[i]])
				c.orderIDs = append(c.orderIDs, z.nodes[i])
			}
		}
	}
	c.orderDirty = false
	return c.order
}

// Bind records p as running on node id, kube-scheduler's assume: the node's
// requested resources, pod count and host ports, and every selector and term
// count, include it from now on. Bind does not check that p fits.
func (c *Cluster) Bind(p *PodInfo, id NodeID) error {
	p.mustBelong(c)
	n := c.live(id)
	if _, dup := c.pods[p.key]; dup {
		return fmt.Errorf("kube: pod %s: already bound", p.key)
	}
	bp := &boundPod{key: p.key, node: id, podSpec: p.podSpec}
	n.requested = n.requested.add(bp.req)
	n.nonZero = n.nonZero.add(bp.nonZero)
	n.ports = append(n.ports, bp.ports...)
	n.pods = append(n.pods, bp)
	c.podsGen++
	n.gen = c.podsGen
	c.syncHot(n)
	c.res.forget(id)
	c.countPod(bp, n, 1)
	c.pods[bp.key] = bp
	return nil
}

// Unbind removes the pod namespace/name from its node.
func (c *Cluster) Unbind(namespace, name string) error {
	bp, ok := c.pods[namespace+"/"+name]
	if !ok {
		return fmt.Errorf("kube: pod %s/%s: not bound", namespace, name)
	}
	c.unbind(bp)
	return nil
}

// NodeOf returns the node the pod namespace/name is bound to.
func (c *Cluster) NodeOf(namespace, name string) (NodeID, bool) {
	bp, ok := c.pods[namespace+"/"+name]
	if !ok {
		return NoNode, false
	}
	return bp.node, true
}

func (c *Cluster) unbind(bp *boundPod) {
	n := c.nodes[bp.node]
	n.requested = n.requested.sub(bp.req)
	n.nonZero = n.nonZero.sub(bp.nonZero)
	for _, p := range bp.ports {
		if i := slices.Index(n.ports, p); i >= 0 {
			n.ports = slices.Delete(n.ports, i, i+1)
		}
	}
	i := slices.Index(n.pods, bp)
	n.pods = slices.Delete(n.pods, i, i+1)
	c.podsGen++
	n.gen = c.podsGen
	c.syncHot(n)
	c.res.forget(n.id)
	c.countPod(bp, n, -1)
	delete(c.pods, bp.key)
}

// countPod adds delta for bp on n to every matcher bp matches and to every
// term bp carries.
func (c *Cluster) countPod(bp *boundPod, n *NodeInfo, delta int32) {
	for _, l := range bp.labels {
		for _, m := range c.anchored[l] {
			if m.matchesPod(&c.in, bp.ns, bp.labels) {
				m.add(n, delta)
			}
		}
	}
	for _, m := range c.unanchored {
		if m.matchesPod(&c.in, bp.ns, bp.labels) {
			m.add(n, delta)
		}
	}
	for _, u := range bp.own {
		u.t.add(n, int64(delta)*u.w)
	}
}

// eligibility caches, for one required node affinity (nodeSelector and
// required terms), which nodes match it.
type eligibility struct {
	gen   uint64
	ok    []bool      // by NodeID
	nodes []*NodeInfo // the live nodes that match, by NodeID
	ids   []NodeID    // their IDs
}

// maxEligibility bounds the cache; past it the cache starts over.
const maxEligibility = 256

// affinityOK returns, by NodeID, whether each node matches p's required node
// affinity, or nil when p has none (every node matches).
func (c *Cluster) affinityOK(p *PodInfo) []bool {
	if p.affSig == "" {
		return nil
	}
	e := c.elig[p.affSig]
	if e == nil {
		if len(c.elig) >= maxEligibility {
			clear(c.elig)
		}
		e = &eligibility{gen: c.nodesGen - 1}
		c.elig[p.affSig] = e
	}
	if e.gen != c.nodesGen || len(e.ok) != len(c.nodes) {
		e.ok = slices.Grow(e.ok[:0], len(c.nodes))[:len(c.nodes)]
		e.nodes, e.ids = e.nodes[:0], e.ids[:0]
		for i, n := range c.nodes {
			e.ok[i] = n.live && p.nodeMatches(&c.in, n)
			if e.ok[i] {
				e.nodes, e.ids = append(e.nodes, n), append(e.ids, n.id)
			}
		}
		e.gen = c.nodesGen
	}
	return e.ok
}

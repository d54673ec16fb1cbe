package kube

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

const gib = int64(1) << 30

// nodeB builds a Node for tests, kube's st.MakeNode() in spirit:
// node("n1").zone("a").cpu(4000).mem(8*gib).obj(). A node starts with its
// hostname label, 4 CPUs, 8 GiB and 110 pods.
type nodeB struct{ n Node }

func node(name string) *nodeB {
	return &nodeB{Node{Name: name, Labels: map[string]string{LabelHostname: name},
		Allocatable: Resources{MilliCPU: 4000, MemoryBytes: 8 * gib}, AllowedPods: 110}}
}

func (b *nodeB) label(k, v string) *nodeB { b.n.Labels[k] = v; return b }
func (b *nodeB) labels(m map[string]string) *nodeB {
	for k, v := range m {
		b.n.Labels[k] = v
	}
	return b
}
func (b *nodeB) noHostname() *nodeB     { delete(b.n.Labels, LabelHostname); return b }
func (b *nodeB) zone(z string) *nodeB   { return b.label(LabelTopologyZone, z) }
func (b *nodeB) cpu(milli int64) *nodeB { b.n.Allocatable.MilliCPU = milli; return b }
func (b *nodeB) mem(bytes int64) *nodeB { b.n.Allocatable.MemoryBytes = bytes; return b }
func (b *nodeB) eph(bytes int64) *nodeB { b.n.Allocatable.EphemeralBytes = bytes; return b }
func (b *nodeB) pods(n int64) *nodeB    { b.n.AllowedPods = n; return b }
func (b *nodeB) cordoned() *nodeB       { b.n.Unschedulable = true; return b }
func (b *nodeB) taint(k, v string, e TaintEffect) *nodeB {
	b.n.Taints = append(b.n.Taints, Taint{k, v, e})
	return b
}
func (b *nodeB) image(size int64, names ...string) *nodeB {
	b.n.Images = append(b.n.Images, Image{Names: names, SizeBytes: size})
	return b
}
func (b *nodeB) obj() Node { return b.n }

// podB builds a Pod for tests: pod("web-1").label("app", "web").req(500, gib).obj().
// req adds a container requesting both CPU and memory, so a 0 is an explicit
// 0 (as kube's st.MakePod().Req(map) gives both keys); init and sidecar add
// init containers; image adds request-less containers.
type podB struct{ p Pod }

func pod(name string) *podB {
	return &podB{Pod{Name: name, Namespace: "default", Labels: map[string]string{}}}
}

func (b *podB) ns(n string) *podB          { b.p.Namespace = n; return b }
func (b *podB) label(k, v string) *podB    { b.p.Labels[k] = v; return b }
func (b *podB) onNode(n string) *podB      { b.p.NodeName = n; return b }
func (b *podB) priority(p int32) *podB     { b.p.Priority = p; return b }
func (b *podB) overhead(r Resources) *podB { b.p.Overhead = r; return b }
func (b *podB) req(milliCPU, memBytes int64) *podB {
	b.p.Containers = append(b.p.Containers, Container{Name: fmt.Sprintf("c%d", len(b.p.Containers)),
		Requests: Resources{MilliCPU: milliCPU, MemoryBytes: memBytes}, ZeroCPU: milliCPU == 0, ZeroMemory: memBytes == 0})
	return b
}
func (b *podB) container(c Container) *podB { b.p.Containers = append(b.p.Containers, c); return b }
func (b *podB) init(milliCPU, memBytes int64) *podB {
	b.p.InitContainers = append(b.p.InitContainers, Container{Name: fmt.Sprintf("i%d", len(b.p.InitContainers)),
		Requests: Resources{MilliCPU: milliCPU, MemoryBytes: memBytes}, ZeroCPU: milliCPU == 0, ZeroMemory: memBytes == 0})
	return b
}
func (b *podB) sidecar(milliCPU, memBytes int64) *podB {
	b.p.InitContainers = append(b.p.InitContainers, Container{Name: fmt.Sprintf("s%d", len(b.p.InitContainers)),
		Requests: Resources{MilliCPU: milliCPU, MemoryBytes: memBytes}, ZeroCPU: milliCPU == 0, ZeroMemory: memBytes == 0, Sidecar: true})
	return b
}
func (b *podB) image(names ...string) *podB {
	for _, n := range names {
		b.p.Containers = append(b.p.Containers, Container{Name: n, Image: n})
	}
	return b
}
func (b *podB) hostPort(proto Protocol, ip string, port int32) *podB {
	b.p.Containers = append(b.p.Containers, Container{Name: fmt.Sprintf("p%d", port),
		HostPorts: []HostPort{{Port: port, Protocol: proto, HostIP: ip}}})
	return b
}
func (b *podB) nodeSelector(k, v string) *podB {
	if b.p.NodeSelector == nil {
		b.p.NodeSelector = map[string]string{}
	}
	b.p.NodeSelector[k] = v
	return b
}
func (b *podB) requiredTerm(rs ...Requirement) *podB {
	if b.p.NodeAffinity == nil {
		b.p.NodeAffinity = &NodeAffinityRules{}
	}
	b.p.NodeAffinity.Required = append(b.p.NodeAffinity.Required, NodeSelectorTerm{MatchExpressions: rs})
	return b
}
func (b *podB) preferredTerm(w int32, rs ...Requirement) *podB {
	if b.p.NodeAffinity == nil {
		b.p.NodeAffinity = &NodeAffinityRules{}
	}
	b.p.NodeAffinity.Preferred = append(b.p.NodeAffinity.Preferred, PreferredSchedulingTerm{w, NodeSelectorTerm{rs}})
	return b
}
func (b *podB) tolerate(t Toleration) *podB { b.p.Tolerations = append(b.p.Tolerations, t); return b }
func (b *podB) spread(skew int32, key string, when UnsatisfiableAction, sel *LabelSelector) *podB {
	b.p.TopologySpreadConstraints = append(b.p.TopologySpreadConstraints,
		TopologySpreadConstraint{MaxSkew: skew, TopologyKey: key, WhenUnsatisfiable: when, LabelSelector: sel})
	return b
}
func (b *podB) spreadC(c TopologySpreadConstraint) *podB {
	b.p.TopologySpreadConstraints = append(b.p.TopologySpreadConstraints, c)
	return b
}
func (b *podB) defaultSpread(sel *LabelSelector) *podB { b.p.DefaultSpreadSelector = sel; return b }
func (b *podB) affinity(a *PodAffinityRules) *podB     { b.p.PodAffinity = a; return b }
func (b *podB) antiAffinity(a *PodAffinityRules) *podB {
	b.p.PodAntiAffinity = a
	return b
}
func (b *podB) obj() Pod { return b.p }

func in(k string, vs ...string) Requirement { return Requirement{k, OpIn, vs} }
func notIn(k string, vs ...string) Requirement {
	return Requirement{k, OpNotIn, vs}
}
func exists(k string) Requirement       { return Requirement{Key: k, Operator: OpExists} }
func doesNotExist(k string) Requirement { return Requirement{Key: k, Operator: OpDoesNotExist} }
func gt(k, v string) Requirement        { return Requirement{k, OpGt, []string{v}} }
func lt(k, v string) Requirement        { return Requirement{k, OpLt, []string{v}} }

func labelSel(rs ...Requirement) *LabelSelector { return &LabelSelector{MatchExpressions: rs} }
func matchLabels(kvs ...string) *LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kvs); i += 2 {
		m[kvs[i]] = kvs[i+1]
	}
	return &LabelSelector{MatchLabels: m}
}

// placed is a pod already running on a named node.
type placed struct {
	node string
	pod  Pod
}

func on(nodeName string, b *podB) placed { return placed{nodeName, b.obj()} }

// clusterOf adds the nodes in order and binds the placed pods (named
// "existing-N" when unnamed).
func clusterOf(t testing.TB, nodes []Node, existing ...placed) *Cluster {
	t.Helper()
	c := NewCluster()
	for _, n := range nodes {
		_, err := c.AddNode(n)
		require.NoError(t, err)
	}
	for i, e := range existing {
		p := e.pod
		if p.Name == "" {
			p.Name = fmt.Sprintf("existing-%d", i)
		}
		if p.Namespace == "" {
			p.Namespace = "default"
		}
		id, ok := c.Lookup(e.node)
		require.True(t, ok, "no node %q", e.node)
		pi, err := c.NewPodInfo(p)
		require.NoError(t, err)
		require.NoError(t, c.Bind(pi, id))
	}
	return c
}

func nodes(bs ...*nodeB) []Node {
	out := make([]Node, len(bs))
	for i, b := range bs {
		out[i] = b.obj()
	}
	return out
}

func mustPodInfo(t testing.TB, c *Cluster, p Pod) *PodInfo {
	t.Helper()
	if p.Name == "" {
		p.Name = "incoming"
	}
	pi, err := c.NewPodInfo(p)
	require.NoError(t, err)
	return pi
}

// infos returns the NodeInfos of the named nodes (all, in add order, when
// none are named).
func infos(t testing.TB, c *Cluster, names ...string) []*NodeInfo {
	t.Helper()
	var out []*NodeInfo
	if len(names) == 0 {
		for _, n := range c.nodes {
			if n.live {
				out = append(out, n)
			}
		}
		return out
	}
	for _, name := range names {
		id, ok := c.Lookup(name)
		require.True(t, ok, "no node %q", name)
		out = append(out, c.NodeInfo(id))
	}
	return out
}

// runScore runs one score plugin as the framework does over the feasible
// nodes (all nodes when none are named) and returns the normalised scores;
// skipped reports whether PreScore skipped it (scores are then all 0).
func runScore(t testing.TB, c *Cluster, pl ScorePlugin, p *PodInfo, feasible ...string) (scores []int64, skipped bool) {
	t.Helper()
	ns := infos(t, c, feasible...)
	scores = make([]int64, len(ns))
	if pre, ok := pl.(PreScorePlugin); ok && pre.PreScore(c, p, ns).IsSkip() {
		return scores, true
	}
	for i, n := range ns {
		scores[i] = pl.Score(p, n)
	}
	if norm, ok := pl.(ScoreNormalizer); ok {
		norm.NormalizeScore(p, ns, scores)
	}
	return scores, false
}

// runFilter runs one filter plugin (with its PreFilter) on every node, in
// add order.
func runFilter(t testing.TB, c *Cluster, pl FilterPlugin, p *PodInfo) []Status {
	t.Helper()
	if pre, ok := pl.(PreFilterPlugin); ok {
		if st := pre.PreFilter(c, p); st.IsSkip() {
			return make([]Status, c.NumNodes())
		} else {
			require.True(t, st.IsSuccess(), "PreFilter: %v", st)
		}
	}
	var out []Status
	for _, n := range infos(t, c) {
		out = append(out, pl.Filter(p, n))
	}
	return out
}

func reasons(rs ...Reason) ReasonSet {
	var s ReasonSet
	for _, r := range rs {
		s |= 1 << r
	}
	return s
}

// fits is a Filter's "yes"; unsched and unresolved build its "no"s.
var fits = Status{}

func unsched(rs ...Reason) Status    { return Status{Unschedulable, reasons(rs...)} }
func unresolved(rs ...Reason) Status { return Status{UnschedulableAndUnresolvable, reasons(rs...)} }

package clusterautoscaler

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

// twoNodes is a group of two 4-CPU/16-GiB nodes: node 0 runs pods, node 1
// has room for them.
func twoNodes(podsOn0 []Pod) ([]Group, []Node) {
	groups := []Group{group("g", 0, 10, 2, node(4000, 16384))}
	nodes := []Node{
		{ID: 10, Group: 0, Allocatable: node(4000, 16384), Pods: podsOn0},
		{ID: 11, Group: 0, Allocatable: node(4000, 16384), Pods: pods(3, pod(1000, 4096))}, // 0.75: needed
	}
	return groups, nodes
}

// scanEvery runs a scan each scan interval from from to to and returns
// the first removal's time (or -1) and the decision.
func scanEvery(a *Autoscaler, groups []Group, nodes []Node, from, to time.Duration) (time.Duration, Decision) {
	for at := from; at <= to; at += a.cfg.ScanInterval {
		if d := a.Scan(snap(at, groups, nodes, nil)); len(d.Removals) > 0 {
			return at, d
		}
	}
	return -1, Decision{}
}

// TestUnneededNodeWaitsTenMinutesThenIsRemoved is the acceptance
// timeline: node 10 runs one pod of 1 CPU (utilization 0.25 < 0.5) that
// fits on node 11; it is unneeded from the first scan at 0 s and removed at
// the scan 10 minutes later, not before.
func TestUnneededNodeWaitsTenMinutesThenIsRemoved(t *testing.T) {
	groups, nodes := twoNodes([]Pod{pod(1000, 2048)})
	a := newCA(t, nil)
	d := a.Scan(snap(0, groups, nodes, nil))
	assert.Empty(t, d.Removals)
	since, ok := a.Unneeded(10)
	require.True(t, ok)
	assert.Zero(t, since)
	_, ok = a.Unneeded(11)
	assert.False(t, ok, "0.75 is over the threshold")
	at, d := scanEvery(a, groups, nodes, 10*time.Second, time.Hour)
	assert.Equal(t, 10*time.Minute, at)
	require.Len(t, d.Removals, 1)
	r := d.Removals[0]
	assert.Equal(t, int32(10), r.Node)
	assert.False(t, r.Empty)
	assert.InDelta(t, 0.25, r.Utilization, 1e-12)
	assert.Equal(t, "utilization 0.250 < 0.5 for 10m0s; pods movable to other nodes", r.Reason)
}

func TestUnneededClockRestartsWhenTheNodeIsNeeded(t *testing.T) {
	groups, nodes := twoNodes([]Pod{pod(1000, 2048)})
	a := newCA(t, nil)
	a.Scan(snap(0, groups, nodes, nil))
	busy := []Node{nodes[0], nodes[1]}
	busy[0].Pods = pods(3, pod(1000, 2048)) // 0.75 at 5 min
	a.Scan(snap(5*time.Minute, groups, busy, nil))
	_, ok := a.Unneeded(10)
	assert.False(t, ok)
	at, _ := scanEvery(a, groups, nodes, 5*time.Minute+10*time.Second, time.Hour)
	assert.Equal(t, 15*time.Minute+10*time.Second, at)
}

func TestUtilizationIsTheLargerShareAndTheThresholdIsStrict(t *testing.T) {
	a := newCA(t, nil)
	n := Node{Allocatable: node(4000, 16384), Pods: []Pod{pod(1000, 12288)}}
	assert.InDelta(t, 0.75, a.Utilization(&n), 1e-12, "memory 12/16 over CPU 1/4")
	ds := pod(2000, 0)
	ds.DaemonSet = true
	n.Pods = []Pod{ds}
	assert.InDelta(t, 0.5, a.Utilization(&n), 1e-12, "DaemonSet pods count by default")
	groups, nodes := twoNodes(n.Pods)
	a.Scan(snap(0, groups, nodes, nil))
	_, ok := a.Unneeded(10)
	assert.False(t, ok, "0.5 is not below 0.5")
	a = newCA(t, func(c *Config) { c.IgnoreDaemonSetsUtilization = true })
	assert.Zero(t, a.Utilization(&n))
	a.Scan(snap(0, groups, nodes, nil))
	_, ok = a.Unneeded(10)
	assert.True(t, ok)
}

// TestScaleDownBlockedByAPodDisruptionBudget is the acceptance
// test: node 10's pod is selected by a budget allowing no disruption; the
// node is never unneeded. With one disruption allowed it goes at 10 min;
// two pods under a budget allowing one keep the node.
func TestScaleDownBlockedByAPodDisruptionBudget(t *testing.T) {
	p := pod(1000, 2048)
	p.Budgets = []int{0}
	groups, nodes := twoNodes([]Pod{p})
	a := newCA(t, nil)
	for at := time.Duration(0); at <= time.Hour; at += 10 * time.Second {
		s := snap(at, groups, nodes, nil)
		s.Budgets = []int{0}
		require.Empty(t, a.Scan(s).Removals)
	}
	_, ok := a.Unneeded(10)
	assert.False(t, ok)

	a = newCA(t, nil)
	var removedAt time.Duration = -1
	for at := time.Duration(0); at <= time.Hour && removedAt < 0; at += 10 * time.Second {
		s := snap(at, groups, nodes, nil)
		s.Budgets = []int{1}
		if len(a.Scan(s).Removals) > 0 {
			removedAt = at
		}
	}
	assert.Equal(t, 10*time.Minute, removedAt)

	groups, nodes = twoNodes([]Pod{p, p})
	a = newCA(t, nil)
	s := snap(0, groups, nodes, nil)
	s.Budgets = []int{1}
	a.Scan(s)
	_, ok = a.Unneeded(10)
	assert.False(t, ok, "two pods to move, one disruption allowed")
}

func TestDrainRules(t *testing.T) {
	mk := func(mut func(*Pod)) Pod {
		p := pod(500, 1024)
		mut(p2(&p))
		return p
	}
	cases := []struct {
		name    string
		pod     Pod
		mut     func(*Config)
		blocked bool
	}{
		{"a Deployment's pod moves", mk(func(*Pod) {}), nil, false},
		{"a pod without a controller blocks", mk(func(p *Pod) { p.Controller = false }), nil, true},
		{"unless safe-to-evict=true", mk(func(p *Pod) { p.Controller, p.SafeToEvict = false, "true" }), nil, false},
		{"safe-to-evict=false blocks", mk(func(p *Pod) { p.SafeToEvict = "false" }), nil, true},
		{"kube-system without a budget blocks", mk(func(p *Pod) { p.KubeSystem = true }), nil, true},
		{"kube-system without a budget moves an hour after its creation", mk(func(p *Pod) { p.KubeSystem, p.Created = true, -des.At(time.Hour) }), nil, false},
		{"kube-system with a budget moves", mk(func(p *Pod) { p.KubeSystem, p.Budgets = true, []int{0} }), nil, false},
		{"kube-system with skip-nodes-with-system-pods=false moves", mk(func(p *Pod) { p.KubeSystem = true }),
			func(c *Config) { c.SkipNodesWithSystemPods = false }, false},
		{"local storage blocks", mk(func(p *Pod) { p.LocalStorage = true }), nil, true},
		{"local storage with skip-nodes-with-local-storage=false moves", mk(func(p *Pod) { p.LocalStorage = true }),
			func(c *Config) { c.SkipNodesWithLocalStorage = false }, false},
		{"a DaemonSet pod stays: the node is empty", mk(func(p *Pod) { p.Controller, p.DaemonSet = false, true }), nil, false},
		{"an expendable pod is ignored", mk(func(p *Pod) { p.Controller, p.Priority = false, -11 }), nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			groups, nodes := twoNodes([]Pod{tc.pod})
			a := newCA(t, tc.mut)
			s := snap(0, groups, nodes, nil)
			s.Budgets = []int{5}
			a.Scan(s)
			_, ok := a.Unneeded(10)
			assert.Equal(t, !tc.blocked, ok)
		})
	}
}

func p2(p *Pod) *Pod { return p }

func TestPodsMustFitElsewhere(t *testing.T) {
	groups, nodes := twoNodes([]Pod{pod(1500, 2048)}) // node 11 has 1000m free
	a := newCA(t, nil)
	a.Scan(snap(0, groups, nodes, nil))
	_, ok := a.Unneeded(10)
	assert.False(t, ok, "no room for 1.5 CPU")
	groups, nodes = twoNodes([]Pod{pod(500, 2048)})
	s := snap(0, groups, nodes, nil)
	s.FitsNode = func(from, p, to int) bool { return to != 1 } // a selector node 11 does not match
	a.Scan(s)
	_, ok = a.Unneeded(10)
	assert.False(t, ok)
	// Places are taken across the scan: two nodes of 1 CPU each cannot both
	// move onto node 11's single free CPU.
	groups = []Group{group("g", 0, 10, 3, node(4000, 16384))}
	nodes = []Node{
		{ID: 1, Group: 0, Allocatable: node(4000, 16384), Pods: []Pod{pod(1000, 1024)}},
		{ID: 2, Group: 0, Allocatable: node(4000, 16384), Pods: []Pod{pod(1000, 1024)}},
		{ID: 3, Group: -1, Allocatable: node(4000, 16384), Pods: pods(3, pod(1000, 1024))},
	}
	a = newCA(t, nil)
	a.Scan(snap(0, groups, nodes, nil))
	_, ok1 := a.Unneeded(1)
	_, ok2 := a.Unneeded(2)
	assert.True(t, ok1, "node 1's pod to node 2 or 3")
	assert.False(t, ok2, "node 2 took node 1's pod")
}

func TestEmptyNodesGoInBulkNonEmptyOneAtATime(t *testing.T) {
	groups := []Group{group("g", 0, 30, 15, node(4000, 16384))}
	var nodes []Node
	for i := range 12 {
		nodes = append(nodes, Node{ID: int32(i), Group: 0, Allocatable: node(4000, 16384)})
	}
	for i := 12; i < 15; i++ {
		nodes = append(nodes, Node{ID: int32(i), Group: 0, Allocatable: node(4000, 16384), Pods: []Pod{pod(100, 128)}})
	}
	a := newCA(t, nil)
	at, d := scanEvery(a, groups, nodes, 0, time.Hour)
	assert.Equal(t, 10*time.Minute, at)
	require.Len(t, d.Removals, 10, "max-scale-down-parallelism 10")
	for _, r := range d.Removals {
		assert.True(t, r.Empty)
	}
	// With 9 deletions under way, one more may start: an empty node first.
	for i := range 9 {
		nodes[i].Deleting = true
	}
	d = a.Scan(snap(10*time.Minute+10*time.Second, groups, nodes, nil))
	require.Len(t, d.Removals, 1)
	assert.True(t, d.Removals[0].Empty)
	// Only non-empty left, none deleting: one drain at a time.
	for i := range 12 {
		nodes[i].Deleting = false
	}
	nodes = nodes[12:]
	groups[0].Target = 3
	d = a.Scan(snap(10*time.Minute+20*time.Second, groups, nodes, nil))
	require.Len(t, d.Removals, 1, "max-drain-parallelism 1")
	assert.False(t, d.Removals[0].Empty)
	nodes[0].Deleting, nodes[0].Drain = true, true
	d = a.Scan(snap(10*time.Minute+30*time.Second, groups, nodes, nil))
	assert.Empty(t, d.Removals, "a drain is under way")
}

func TestMinSizeIsKept(t *testing.T) {
	groups := []Group{group("g", 2, 10, 3, node(4000, 16384))}
	var nodes []Node
	for i := range 3 {
		nodes = append(nodes, Node{ID: int32(i), Group: 0, Allocatable: node(4000, 16384)})
	}
	a := newCA(t, nil)
	_, d := scanEvery(a, groups, nodes, 0, time.Hour)
	require.Len(t, d.Removals, 1, "3 -> 2, the min")
	assert.Equal(t, int32(0), d.Removals[0].Node)
}

func TestScaleDownDelays(t *testing.T) {
	// after-add: a scale-up at 5 min holds scale-down until 15 min, though
	// the node has been unneeded for 10 min at 10 min.
	groups, nodes := twoNodes([]Pod{pod(1000, 2048)})
	groups = append(groups, group("other", 0, 10, 0, node(2000, 4096)))
	a := newCA(t, nil)
	for at := time.Duration(0); at < 5*time.Minute; at += 10 * time.Second {
		require.Empty(t, a.Scan(snap(at, groups, nodes, nil)).Removals)
	}
	s := snap(5*time.Minute, groups, nodes, []Pod{pod(3500, 1024)}) // fits only an empty 4-CPU node
	d := a.Scan(s)
	require.Len(t, d.ScaleUps, 1)
	at, _ := scanEvery(a, groups, nodes, 5*time.Minute+10*time.Second, time.Hour)
	assert.Equal(t, 15*time.Minute, at)

	// after-delete: with 2 min set, a second removal waits 2 min after the first.
	groups = []Group{group("g", 0, 10, 3, node(4000, 16384))}
	nodes = []Node{
		{ID: 3, Group: 0, Allocatable: node(4000, 16384), Pods: pods(3, pod(1000, 1024))}, // both move here
		{ID: 1, Group: 0, Allocatable: node(4000, 16384), Pods: []Pod{pod(500, 1024)}},
		{ID: 2, Group: 0, Allocatable: node(4000, 16384), Pods: []Pod{pod(500, 1024)}},
	}
	a = newCA(t, func(c *Config) { c.ScaleDownDelayAfterDelete = 2 * time.Minute })
	at, d = scanEvery(a, groups, nodes, 0, time.Hour)
	assert.Equal(t, 10*time.Minute, at)
	require.Len(t, d.Removals, 1)
	gone := d.Removals[0].Node
	var left []Node
	for _, n := range nodes {
		if n.ID != gone {
			left = append(left, n)
		}
	}
	groups[0].Target = 2
	at, _ = scanEvery(a, groups, left, 10*time.Minute+10*time.Second, time.Hour)
	assert.Equal(t, 12*time.Minute, at)

	// after-failure: 3 min.
	a = newCA(t, nil)
	groups, nodes = twoNodes([]Pod{pod(1000, 2048)})
	a.Scan(snap(0, groups, nodes, nil))
	a.ScaleDownFailed(0)
	a.ScaleDownFailed(9 * 60e9) // at 9 min
	at, _ = scanEvery(a, groups, nodes, 10*time.Second, time.Hour)
	assert.Equal(t, 12*time.Minute, at)
}

func TestScaleDownWaitsForAScanWithoutScaleUp(t *testing.T) {
	groups, nodes := twoNodes(nil)
	groups = append(groups, group("other", 0, 10, 0, node(8000, 16384)))
	a := newCA(t, func(c *Config) { c.ScaleDownDelayAfterAdd = 0; c.ScaleDownUnneededTime = 0 })
	d := a.Scan(snap(0, groups, nodes, []Pod{pod(6000, 1024)}))
	require.Len(t, d.ScaleUps, 1)
	assert.Empty(t, d.Removals, "no scale-down in a loop that scaled up")
	d = a.Scan(snap(10*time.Second, groups, nodes, nil))
	assert.Len(t, d.Removals, 1)
}

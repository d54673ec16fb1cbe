package clusterautoscaler

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

const mi = int64(1) << 20

func res(cpu, memMi int64) Resources {
	return Resources{MilliCPU: cpu, MemoryBytes: memMi * mi, Pods: 1}
}

func node(cpu, memMi int64) Resources {
	return Resources{MilliCPU: cpu, MemoryBytes: memMi * mi, Pods: 110}
}

func group(name string, min, max, target int, tmpl Resources) Group {
	return Group{Name: name, Min: min, Max: max, Target: target, Registered: target, Template: tmpl, Capacity: tmpl}
}

// pod is a Deployment's pod: controller-owned, movable.
func pod(cpu, memMi int64) Pod { return Pod{Requests: res(cpu, memMi), Controller: true} }

func pods(n int, p Pod) []Pod {
	out := make([]Pod, n)
	for i := range out {
		out[i] = p
	}
	return out
}

func yes(int, int) bool          { return true }
func yesNode(int, int, int) bool { return true }

func snap(now time.Duration, groups []Group, nodes []Node, pending []Pod) *Snapshot {
	return &Snapshot{Now: des.At(now), Groups: groups, Nodes: nodes, Pending: pending, FitsGroup: yes, FitsNode: yesNode}
}

func newCA(t *testing.T, mut func(*Config)) *Autoscaler {
	t.Helper()
	cfg := Defaults()
	if mut != nil {
		mut(&cfg)
	}
	a, err := New(&cfg, 8, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	return a
}

func TestDefaultsAreTheFAQs(t *testing.T) {
	c := Defaults()
	assert.Equal(t, 10*time.Second, c.ScanInterval)
	assert.Equal(t, []string{"least-waste"}, c.Expanders)
	assert.InDelta(t, 0.5, c.ScaleDownUtilizationThreshold, 0)
	assert.Equal(t, 10*time.Minute, c.ScaleDownUnneededTime)
	assert.Equal(t, 10*time.Minute, c.ScaleDownDelayAfterAdd)
	assert.Equal(t, time.Duration(0), c.ScaleDownDelayAfterDelete)
	assert.Equal(t, 3*time.Minute, c.ScaleDownDelayAfterFailure)
	assert.Equal(t, 15*time.Minute, c.MaxNodeProvisionTime)
	assert.Equal(t, 10, c.MaxScaleDownParallelism)
	assert.Equal(t, 1, c.MaxDrainParallelism)
	assert.Equal(t, int32(-10), c.ExpendablePodsPriorityCutoff)
	assert.Equal(t, 5*time.Minute, c.InitialNodeGroupBackoff)
	assert.Equal(t, 30*time.Minute, c.MaxNodeGroupBackoff)
	assert.Zero(t, c.MaxNodesTotal)
	assert.False(t, c.BalanceSimilarNodeGroups)
	assert.True(t, c.SkipNodesWithLocalStorage)
	assert.True(t, c.SkipNodesWithSystemPods)
	assert.Equal(t, time.Hour, c.BlockingSystemPodDisruptionTimeout)
}

func TestPriorityExpanderNeedsItsPriorities(t *testing.T) {
	cfg := Defaults()
	cfg.Expanders = []string{"priority"}
	_, err := New(&cfg, 1, rand.New(rand.NewPCG(1, 2)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "priority expander needs its priorities")
	cfg.Expanders = []string{"least-waste", "least-waste"}
	_, err = New(&cfg, 1, rand.New(rand.NewPCG(1, 2)))
	require.ErrorContains(t, err, "given twice")
	cfg.Expanders = []string{"grpc"}
	_, err = New(&cfg, 1, rand.New(rand.NewPCG(1, 2)))
	require.ErrorContains(t, err, `expander "grpc"`)
}

// TestLeastWasteUpstreamTable ports expander/waste/waste_test.go
// (TestLeastWaste): pods of 500m and 1000Mi; the balanced group (16 pods'
// worth of each) beats highmem (twice the memory), and lowcpu (half the
// CPU) beats both.
func TestLeastWasteUpstreamTable(t *testing.T) {
	cpu, mem := int64(500), int64(1000)
	groups := []Group{
		group("balanced", 0, 10, 0, Resources{16 * cpu, 16 * mem * mi, 100}),
		group("highmem", 0, 10, 0, Resources{16 * cpu, 32 * mem * mi, 100}),
		group("lowcpu", 0, 10, 0, Resources{8 * cpu, 16 * mem * mi, 100}),
	}
	s := snap(0, groups, nil, []Pod{pod(cpu, mem)})
	a := newCA(t, nil)
	opt := func(g int) Option { return Option{Group: g, NodeCount: 1, Pods: []int{0}} }
	kept, _ := a.filter(ExpanderLeastWaste, s, groups, []Option{opt(0)})
	assert.Equal(t, []Option{opt(0)}, kept)
	kept, _ = a.filter(ExpanderLeastWaste, s, groups, []Option{opt(0), opt(1)})
	assert.Equal(t, []Option{opt(0)}, kept)
	kept, _ = a.filter(ExpanderLeastWaste, s, groups, []Option{opt(0), opt(1), opt(2)})
	assert.Equal(t, []Option{opt(2)}, kept)
	// balanced wastes 15/16 of each; lowcpu 7/8 of its CPU.
	assert.InDelta(t, 0.9375+0.9375, wasteOf(s, &groups[0], opt(0)), 1e-12)
	assert.InDelta(t, 0.875+0.9375, wasteOf(s, &groups[2], opt(2)), 1e-12)
}

// TestScaleUpChoosesBetweenTwoGroupsByLeastWaste is the acceptance
// test: six pending pods of 1 CPU and 2 GiB; a 4 CPU/8 GiB group needs two
// nodes wasting (8-6)/8 + (16-12)/16 = 0.5; a 4 CPU/32 GiB group wastes
// 0.25 + (64-12)/64 = 1.0625: least-waste takes the first.
func TestScaleUpChoosesBetweenTwoGroupsByLeastWaste(t *testing.T) {
	groups := []Group{
		group("memory", 0, 10, 1, node(4000, 32768)),
		group("general", 0, 10, 1, node(4000, 8192)),
	}
	nodes := []Node{
		{ID: 0, Group: 0, Allocatable: node(4000, 32768), Pods: pods(4, pod(1000, 2048))},
		{ID: 1, Group: 1, Allocatable: node(4000, 8192), Pods: pods(4, pod(1000, 2048))},
	}
	a := newCA(t, nil)
	d := a.Scan(snap(0, groups, nodes, pods(6, pod(1000, 2048))))
	require.Len(t, d.ScaleUps, 1)
	u := d.ScaleUps[0]
	assert.Equal(t, ScaleUp{Group: 1, From: 1, To: 3, Pods: 6, Expander: "least-waste", Reason: u.Reason}, u)
	assert.Contains(t, u.Reason, "least-waste: [general] (waste memory 1.062, general 0.500)")
	assert.Contains(t, u.Reason, "6 unschedulable pods; 6 fit on 2 new general nodes")
}

func TestBinpackingEstimatorAndLimits(t *testing.T) {
	// Ten 1-CPU pods on 4-CPU templates: 3 nodes (4+4+2), the larger pods first.
	groups := []Group{group("g", 0, 10, 0, node(4000, 16384))}
	pending := append(pods(8, pod(1000, 1024)), pod(2000, 1024), pod(3000, 1024))
	a := newCA(t, nil)
	d := a.Scan(snap(0, groups, nil, pending))
	require.Len(t, d.ScaleUps, 1)
	assert.Equal(t, 4, d.ScaleUps[0].To, "3+1, 2+1+1, 1+1+1+1, then 1: 4 nodes")
	assert.Equal(t, 10, d.ScaleUps[0].Pods)

	// The group's max caps the nodes, and the pods beyond are left.
	groups[0].Max = 2
	a = newCA(t, nil)
	d = a.Scan(snap(0, groups, nil, pending))
	require.Len(t, d.ScaleUps, 1)
	assert.Equal(t, 2, d.ScaleUps[0].To)
	assert.Equal(t, 5, d.ScaleUps[0].Pods, "3+1 and 2+1+1")

	// max-nodes-total counts every node, the upcoming ones too.
	groups[0].Max = 10
	a = newCA(t, func(c *Config) { c.MaxNodesTotal = 1 })
	d = a.Scan(snap(0, groups, nil, pending))
	require.Len(t, d.ScaleUps, 1)
	assert.Equal(t, 1, d.ScaleUps[0].To)
	d = a.Scan(snap(10*time.Second, []Group{{Name: "g", Max: 10, Target: 1, Template: node(4000, 16384)}}, nil, pods(8, pod(1000, 1024))))
	assert.Empty(t, d.ScaleUps, "at max-nodes-total")
	assert.Equal(t, 4, d.Unhelped, "four of them fit on the upcoming node")

	// A pod no template can hold helps nothing.
	a = newCA(t, nil)
	d = a.Scan(snap(0, groups, nil, []Pod{pod(8000, 1024)}))
	assert.Empty(t, d.ScaleUps)
	assert.Equal(t, 1, d.Unhelped)
}

func TestPendingPodsThatFitExistingOrUpcomingNodesCauseNoScaleUp(t *testing.T) {
	g := group("g", 0, 10, 2, node(4000, 16384))
	g.Registered = 1 // one node on its way
	nodes := []Node{{ID: 0, Group: 0, Allocatable: node(4000, 16384), Pods: pods(3, pod(1000, 1024))}}
	a := newCA(t, nil)
	d := a.Scan(snap(0, []Group{g}, nodes, pods(5, pod(1000, 1024))))
	assert.Empty(t, d.ScaleUps, "one fits the existing node, four the upcoming one")
	d = a.Scan(snap(0, []Group{g}, nodes, pods(6, pod(1000, 1024))))
	require.Len(t, d.ScaleUps, 1)
	assert.Equal(t, 3, d.ScaleUps[0].To)
	assert.Equal(t, 1, d.ScaleUps[0].Pods)

	// Expendable pods (below -10) and, with new-pod-scale-up-delay, young ones wait.
	low := pod(1000, 1024)
	low.Priority = -11
	d = newCA(t, nil).Scan(snap(0, []Group{g}, nodes, pods(10, low)))
	assert.Empty(t, d.ScaleUps)
	young := pod(1000, 1024)
	young.Created = des.At(time.Minute)
	a = newCA(t, func(c *Config) { c.NewPodScaleUpDelay = 30 * time.Second })
	assert.Empty(t, a.Scan(snap(80*time.Second, []Group{g}, nodes, pods(10, young))).ScaleUps)
	assert.NotEmpty(t, a.Scan(snap(90*time.Second, []Group{g}, nodes, pods(10, young))).ScaleUps)
}

func TestFitsGroupSelectsTheGroups(t *testing.T) {
	groups := []Group{group("a", 0, 10, 0, node(4000, 16384)), group("b", 0, 10, 0, node(4000, 16384))}
	s := snap(0, groups, nil, pods(2, pod(1000, 1024)))
	s.FitsGroup = func(_, g int) bool { return g == 1 } // a node selector only b's template matches
	d := newCA(t, nil).Scan(s)
	require.Len(t, d.ScaleUps, 1)
	assert.Equal(t, 1, d.ScaleUps[0].Group)
	assert.Contains(t, d.ScaleUps[0].Reason, "the only node group that helps")
}

func TestExpanders(t *testing.T) {
	// Group a: 2-CPU nodes, $0.10; b: 8-CPU nodes, $0.50. Pods of 2 CPU:
	// a needs one node per pod, b one node for four.
	groups := []Group{group("small", 0, 2, 0, node(2000, 8192)), group("large", 0, 10, 0, node(8000, 32768))}
	groups[0].PriceUSDPerHour, groups[1].PriceUSDPerHour = 0.10, 0.50
	pending := pods(4, pod(2000, 1024))
	run := func(mut func(*Config)) ScaleUp {
		d := newCA(t, mut).Scan(snap(0, groups, nil, pending))
		require.Len(t, d.ScaleUps, 1)
		return d.ScaleUps[0]
	}
	// most-pods: small is capped at 2 nodes (2 pods), large takes all 4.
	u := run(func(c *Config) { c.Expanders = []string{"most-pods"} })
	assert.Equal(t, 1, u.Group)
	// least-nodes: large (1 node) beats small (2).
	assert.Equal(t, 1, run(func(c *Config) { c.Expanders = []string{"least-nodes"} }).Group)
	// price: small $0.10 x 2 / 2 pods = 0.10 per pod; large 0.50 / 4 = 0.125.
	assert.Equal(t, 0, run(func(c *Config) { c.Expanders = []string{"price"} }).Group)
	// priority: the highest matching tier; regexes match whole names.
	prio := func(c *Config) {
		c.Expanders = []string{"priority"}
		c.Priorities = []PriorityTier{{Priority: 10, Patterns: []string{"sm.*"}}, {Priority: 50, Patterns: []string{"lar"}}}
	}
	assert.Equal(t, 0, run(prio).Group, `"lar" does not match "large" whole`)
	prio2 := func(c *Config) {
		prio(c)
		c.Priorities[1].Patterns = []string{"lar.*"}
	}
	u = run(prio2)
	assert.Equal(t, 1, u.Group)
	assert.Contains(t, u.Reason, "priority 50: [large]")
	// A chain: priority ties, then least-nodes decides.
	chain := func(c *Config) {
		c.Expanders = []string{"priority", "least-nodes"}
		c.Priorities = []PriorityTier{{Priority: 1, Patterns: []string{".*"}}}
	}
	u = run(chain)
	assert.Equal(t, 1, u.Group)
	assert.Equal(t, "priority,least-nodes", u.Expander)
	// random: both groups come up over seeds; the same seed, the same choice.
	seen := map[int]bool{}
	for seed := range uint64(20) {
		cfg := Defaults()
		cfg.Expanders = []string{"random"}
		a, err := New(&cfg, 2, rand.New(rand.NewPCG(seed, 7)))
		require.NoError(t, err)
		d := a.Scan(snap(0, groups, nil, pending))
		seen[d.ScaleUps[0].Group] = true
		b, _ := New(&cfg, 2, rand.New(rand.NewPCG(seed, 7)))
		assert.Equal(t, d, b.Scan(snap(0, groups, nil, pending)))
	}
	assert.Len(t, seen, 2)
}

func TestBalanceSimilarNodeGroups(t *testing.T) {
	tmpl := node(4000, 16384)
	groups := []Group{group("a", 0, 10, 1, tmpl), group("b", 0, 10, 3, tmpl), group("c", 0, 10, 0, tmpl)}
	for g := range groups {
		groups[g].Similar = "m5.xlarge"
	}
	pending := pods(24, pod(1000, 1024)) // six new nodes
	a := newCA(t, func(c *Config) {
		c.BalanceSimilarNodeGroups = true
		c.Expanders = []string{"least-nodes"}
	})
	d := a.Scan(snap(0, groups, nil, pending))
	// Sizes 1, 3, 0 and six nodes, each to the smallest group (the first
	// of equals): c 1, a 2, c 2, a 3, c 3, a 4.
	require.Len(t, d.ScaleUps, 2)
	assert.Equal(t, ScaleUp{Group: 0, From: 1, To: 4}, ScaleUp{Group: d.ScaleUps[0].Group, From: d.ScaleUps[0].From, To: d.ScaleUps[0].To})
	assert.Equal(t, ScaleUp{Group: 2, From: 0, To: 3}, ScaleUp{Group: d.ScaleUps[1].Group, From: d.ScaleUps[1].From, To: d.ScaleUps[1].To})
	assert.Contains(t, d.ScaleUps[0].Reason, "balanced across similar node groups [a b c]")
	// Off (the default), one group takes it all.
	d = newCA(t, func(c *Config) { c.Expanders = []string{"least-nodes"} }).Scan(snap(0, groups, nil, pending))
	require.Len(t, d.ScaleUps, 1)
	assert.Equal(t, 6, d.ScaleUps[0].To-d.ScaleUps[0].From)
}

func TestMaxNodeProvisionTimeGivesUpAndBacksOff(t *testing.T) {
	groups := []Group{group("a", 0, 10, 0, node(4000, 16384)), group("b", 0, 10, 0, node(4000, 16384))}
	a := newCA(t, func(c *Config) {
		c.Expanders = []string{"priority"}
		c.Priorities = []PriorityTier{{10, []string{"a"}}, {1, []string{"b"}}}
	})
	pending := pods(2, pod(1000, 1024))
	d := a.Scan(snap(0, groups, nil, pending))
	require.Len(t, d.ScaleUps, 1)
	assert.Equal(t, 0, d.ScaleUps[0].Group)
	groups[0].Target = 1 // the instance never registers
	at := func(m time.Duration) Decision { return a.Scan(snap(m, groups, nil, pending)) }
	d = at(15*time.Minute - time.Second)
	assert.Empty(t, d.GiveUps)
	assert.Empty(t, d.ScaleUps, "the pods fit the upcoming node")
	d = at(15 * time.Minute)
	require.Len(t, d.GiveUps, 1)
	assert.Equal(t, GiveUp{Group: 0, From: 1, To: 0, Backoff: 5 * time.Minute}, d.GiveUps[0])
	require.Len(t, d.ScaleUps, 1, "the pods still pending: the next group")
	assert.Equal(t, 1, d.ScaleUps[0].Group)
	// The second failure of a backs off twice as long.
	groups[0].Target = 0
	groups[1].Target, groups[1].Registered = 1, 1
	d = at(20*time.Minute + 10*time.Second) // a's backoff is over
	require.Len(t, d.ScaleUps, 1)
	assert.Equal(t, 0, d.ScaleUps[0].Group)
	groups[0].Target = 1
	d = at(35 * time.Minute)
	assert.Empty(t, d.GiveUps)
	d = at(35*time.Minute + 10*time.Second)
	require.Len(t, d.GiveUps, 1)
	assert.Equal(t, 10*time.Minute, d.GiveUps[0].Backoff)
}

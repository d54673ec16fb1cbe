package karpenter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// launchedCPU sums the capacity (millicores) of the plan's launches in
// pool pi.
func launchedCPU(p *Problem, plan Plan, pi int) int64 {
	var c int64
	for _, l := range plan.Launches {
		if l.Pool == pi {
			c += p.Types[l.Type].Capacity.MilliCPU
		}
	}
	return c
}

// A NodePool's limits are checked before a launch: "It limits instance
// types when scheduling to those that will not exceed the specified
// limits. If a limit has been exceeded, nodes provisioning is prevented
// until some nodes have been terminated" (karpenter.sh/docs/concepts/
// nodepools/, spec.limits). The shape of eks-batch-burst-karpenter, scaled
// down: 1,000 pods of 250m/512Mi against a Spot pool with limits cpu 40 and
// an On-Demand pool behind it. The docs' caveat, "limit checking is
// eventually consistent, which can result in overrun during rapid scale
// outs", comes from Karpenter's parallel launches; fleetsim plans a batch
// in one pass, so it never overruns.
func TestProvisionNeverLaunchesPastTheLimits(t *testing.T) {
	spot := onDemandPool("spot")
	spot.Requirements[0].Values = []string{"spot"}
	spot.Weight, spot.LimitMilliCPU = 50, 40_000
	od := onDemandPool("on-demand")
	od.Weight = 10
	sh := Shape{Requests: Resources{MilliCPU: 250, MemoryBytes: 512 << 20, Pods: 1}, Pools: []bool{true, true}, Count: 1000}
	p := &Problem{Pools: []NodePool{spot, od}, Types: catalogue(), Shapes: []Shape{sh}}
	plan := Provision(p)
	require.Empty(t, plan.Unschedulable)
	got := launchedCPU(p, plan, 0)
	assert.LessOrEqual(t, got, int64(40_000), "the Spot pool's launches stay within limits.cpu 40")
	assert.Greater(t, got, int64(30_000), "and use most of it")
	placed := 0
	for _, l := range plan.Launches {
		for _, sc := range l.Pods {
			placed += sc.Count
		}
		if l.Pool == 0 {
			assert.Equal(t, Spot, l.Capacity)
		}
	}
	assert.Equal(t, 1000, placed, "the On-Demand pool takes what the Spot pool's limit leaves")
	assert.Positive(t, launchedCPU(p, plan, 1))

	// The next batch sees the pool's nodes (and NodeClaims in flight) in
	// InUse: at the limit, the Spot pool launches nothing more.
	p2 := &Problem{Pools: p.Pools, Types: p.Types, Shapes: []Shape{{Requests: sh.Requests, Pools: sh.Pools, Count: 50}},
		InUse: []Resources{{MilliCPU: got}, {}}}
	require.Less(t, 40_000-got, int64(2000), "what is left is smaller than the smallest type")
	plan2 := Provision(p2)
	assert.Zero(t, launchedCPU(p2, plan2, 0), "no launch once the limit leaves no room for a type")
	assert.Positive(t, launchedCPU(p2, plan2, 1))
	p2.InUse[0].MilliCPU = 41_000 // over the limit (nodes launched before it was lowered)
	plan3 := Provision(p2)
	assert.Zero(t, launchedCPU(p2, plan3, 0), "a limit exceeded prevents provisioning")
}

// Replace consolidation (karpenter.sh/docs/concepts/disruption/,
// "Consolidation": "Replace: all of its pods can run on a combination of
// other nodes in the cluster and a single lower-priced replacement node").
// A lone m5.2xlarge ($0.384/h) with two 500m/1GiB pods cannot be deleted
// (no other node takes them) but is replaced by the cheapest type that
// holds them, c5.large ($0.085/h).
func TestSingleNodeConsolidationReplacesABigNodeByACheaperOne(t *testing.T) {
	d := cluster(onDemandPool("default"), []string{"m5.2xlarge"}, []int{2})
	got := Disrupt(d)
	require.NotNil(t, got.Command)
	c := got.Command
	assert.Equal(t, ReasonUnderutilized, c.Reason)
	assert.Equal(t, []int{0}, c.Nodes)
	require.NotNil(t, c.Replacement, "replace, not delete")
	assert.Equal(t, "c5.large", d.Types[c.Replacement.Type].Name)
	assert.Equal(t, []ShapeCount{{0, 2}}, c.Replacement.Pods)
	assert.InDelta(t, 0.384-0.085, c.SavingsUSDPerHour, 1e-12)

	// Half full, c5.2xlarge ($0.34/h) is still cheaper and holds them.
	d = cluster(onDemandPool("default"), []string{"m5.2xlarge"}, []int{15})
	c = Disrupt(d).Command
	require.NotNil(t, c)
	require.NotNil(t, c.Replacement)
	assert.Equal(t, "c5.2xlarge", d.Types[c.Replacement.Type].Name)

	// The cheapest amd64 type already: nothing cheaper holds its pod.
	d = cluster(onDemandPool("default"), []string{"c5.large"}, []int{1})
	assert.Nil(t, Disrupt(d).Command, "no cheaper type than c5.large")
}

// Spot-to-spot consolidation with the feature gate: a single Spot node
// needs 15 cheaper types to be replaced; several Spot nodes replaced by one
// need no such flexibility ([disruption] "Spot consolidation").
func TestSpotToSpotNeedsFifteenCheaperTypesForOneNodeOnly(t *testing.T) {
	pool := onDemandPool("spot")
	pool.Requirements[0].Values = []string{"spot"}
	pool.SpotToSpot = true
	pool.Budgets = []Budget{{Nodes: 100, Percent: true}}
	d := cluster(pool, []string{"m5.2xlarge"}, []int{1})
	d.Nodes[0].Capacity, d.Nodes[0].PriceUSDPerHour = Spot, 0.384*0.3
	assert.Nil(t, Disrupt(d).Command, "one node: fewer than 15 cheaper Spot types")

	d = cluster(pool, []string{"m5.xlarge", "m5.xlarge"}, []int{1, 1})
	for i := range d.Nodes {
		d.Nodes[i].Capacity, d.Nodes[i].PriceUSDPerHour = Spot, 0.192*0.3
	}
	c := Disrupt(d).Command
	require.NotNil(t, c, "two nodes into one: no flexibility requirement")
	assert.Equal(t, []int{0, 1}, c.Nodes)
	require.NotNil(t, c.Replacement)
	assert.Equal(t, Spot, c.Replacement.Capacity)
	assert.Equal(t, "c5.large", d.Types[c.Replacement.Type].Name)

	d.Pools[0].SpotToSpot = false
	c = Disrupt(d).Command
	if c != nil {
		assert.Nil(t, c.Replacement, "without the gate a Spot node is only deleted")
	}
}

// A terminating pod still holds its requests on its node (kube-scheduler
// counts it until it is gone): consolidation does not move pods into that
// room. c5.large with one pod, m5.large with two and one terminating: the
// c5.large's pod does not fit beside them (1,500m + 500m > 1,920m), and no
// cheaper type replaces a c5.large.
func TestConsolidationCountsTerminatingPodsOnTheNodesItFills(t *testing.T) {
	d := cluster(onDemandPool("default"), []string{"c5.large", "m5.large"}, []int{1, 2})
	d.Nodes[1].Held = Resources{MilliCPU: 500, MemoryBytes: gib, Pods: 1}
	assert.Nil(t, Disrupt(d).Command, "the terminating pod's room is not free")

	d.Nodes[1].Held = Resources{}
	c := Disrupt(d).Command
	require.NotNil(t, c, "once it is gone, the pod moves")
	assert.Equal(t, []int{0}, c.Nodes)
	assert.Nil(t, c.Replacement)
}

// The pods waiting for a node, and those of a node being disrupted, take
// the room on the other nodes before a candidate's pods: c5.large with one
// pod, m5.large with two (room for one more, not a candidate itself); one
// pod pending leaves the c5.large's pod nowhere to go (Karpenter's
// SimulateScheduling adds the pending pods and the pods of the nodes marked
// for deletion).
func TestConsolidationLeavesRoomForPendingPodsAndThoseOfDisruptedNodes(t *testing.T) {
	d := cluster(onDemandPool("default"), []string{"c5.large", "m5.large"}, []int{1, 2})
	d.Pools[0].Budgets = []Budget{{Nodes: 100, Percent: true}}
	d.Nodes[1].DoNotDisrupt = true // a destination only
	c := Disrupt(d).Command
	require.NotNil(t, c, "alone, the pod moves to the m5.large")
	assert.Equal(t, []int{0}, c.Nodes)

	d.Pending = []ShapeCount{{0, 1}}
	assert.Nil(t, Disrupt(d).Command, "the pending pod needs that room")

	d.Pending = nil
	d = cluster(d.Pools[0], []string{"c5.large", "m5.large", "m5.large"}, []int{1, 2, 1})
	d.Nodes[1].DoNotDisrupt, d.Nodes[2].Disrupting = true, true
	assert.Nil(t, Disrupt(d).Command, "the disrupted node's pod needs that room")
}

package eks

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale/karpenter"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
)

// karpenterRig is a cluster whose only capacity is one NodePool over a
// direct capacity group of a few catalog types.
func karpenterRig(t *testing.T, capacityTypes []string, d time.Duration, deps ...Deployment) *rig {
	var types []catalog.InstanceType
	for _, n := range []string{"c5.large", "c5.xlarge", "c5.2xlarge", "m5.large", "m5.xlarge", "m5.2xlarge"} {
		types = append(types, lookup(t, n))
	}
	g := capacity.GroupConfig{Name: "karpenter-default", InstanceTypes: types, MaxSize: 1000, Direct: true,
		AvailabilityZones: []string{"us-east-1a", "us-east-1b"}, LaunchTime: 60 * time.Second}
	cfg := baseConfig()
	cfg.NodeGroups = []NodeGroup{{Name: "default", Kind: Karpenter, Group: 0}}
	cfg.NodePools = []NodePool{{NodeGroup: 0, Pool: karpenter.NodePool{Name: "default", LimitMilliCPU: -1, LimitMemoryBytes: -1,
		ExpireAfter: karpenter.DefaultExpireAfter, Budgets: []karpenter.Budget{{Nodes: 100, Percent: true}},
		Requirements: []karpenter.Requirement{{Key: karpenter.LabelCapacityType, Operator: karpenter.In, Values: capacityTypes}}}}}
	cfg.Karpenter = KarpenterSettings{SpotDiscount: 0.70}
	cfg.Deployments = deps
	return newRig(t, cfg, []capacity.GroupConfig{g}, 1, d)
}

func TestKarpenterLaunchesNodesForPendingPodsAndConsolidates(t *testing.T) {
	r := karpenterRig(t, []string{"on-demand"}, time.Hour, deploy("web", 10, tmpl("web", 1000, 1024)))
	r.until(5 * time.Minute)
	launches := r.events(EventKarpenterLaunch)
	require.NotEmpty(t, launches)
	// one batch: the first pods pending at 0 s open it, it closes 1 s after
	// the last (batchIdleDuration), well within batchMaxDuration.
	for _, e := range launches {
		assert.Equal(t, des.At(time.Second), e.At, e.Reason)
		assert.Equal(t, "on-demand", e.Status)
	}
	running := 0
	for _, p := range r.podsOf(0) {
		if p.phase == PhaseRunning {
			running++
		}
	}
	assert.Equal(t, 10, running)
	for _, i := range r.w.sortedNodes() {
		n := &r.w.nodes[i]
		assert.Equal(t, "default", n.labels[karpenter.LabelNodePool])
		assert.Equal(t, "on-demand", n.labels[karpenter.LabelCapacityType])
		assert.NotEmpty(t, n.labels[karpenter.LabelFamily])
	}
	before := len(r.w.sortedNodes())

	r.w.ScaleDeployment(0, 1)
	r.until(30 * time.Minute)
	dis := r.events(EventKarpenterDisrupt)
	require.NotEmpty(t, dis, "scaled down to one pod, the nodes are consolidated")
	assert.True(t, strings.HasPrefix(dis[0].Reason, "Empty") || strings.HasPrefix(dis[0].Reason, "Underutilized"), dis[0].Reason)
	assert.Less(t, len(r.w.sortedNodes()), before+1)
	assert.Equal(t, 1, len(r.w.sortedNodes()), "one pod needs one node")
	running = 0
	for _, p := range r.podsOf(0) {
		if p.phase == PhaseRunning {
			running++
		}
	}
	assert.Equal(t, 1, running)
}

func TestKarpenterPrefersSpotAndReplacesInterruptedNodes(t *testing.T) {
	r := karpenterRig(t, []string{"spot", "on-demand"}, time.Hour, deploy("web", 4, tmpl("web", 500, 512)))
	r.until(5 * time.Minute)
	launches := r.events(EventKarpenterLaunch)
	require.NotEmpty(t, launches)
	assert.Equal(t, "spot", launches[0].Status)
	nodes := r.w.sortedNodes()
	require.NotEmpty(t, nodes)
	r.fleet.SpotStorm(0, 1, r.eng.Stream("test"))
	r.until(15 * time.Minute)
	assert.Greater(t, len(r.events(EventKarpenterLaunch)), len(launches), "the interrupted nodes' pods get new nodes")
	running := 0
	for _, p := range r.podsOf(0) {
		if p.phase == PhaseRunning {
			running++
		}
	}
	assert.Equal(t, 4, running)
}

// Replace consolidation in the world: 14 pods of 500m/1GiB get one 8-vCPU
// node; scaled down to 2, the node is replaced by a c5.large (the cheapest
// type holding them), the replacement is logged as KarpenterReplace, and
// the old node is drained once the new one is Ready.
func TestKarpenterReplacesABigNodeByACheaperOne(t *testing.T) {
	r := karpenterRig(t, []string{"on-demand"}, time.Hour, deploy("web", 14, tmpl("web", 500, 1024)))
	r.until(5 * time.Minute)
	require.Len(t, r.events(EventKarpenterLaunch), 1, "one NodeClaim holds the 14 pods")
	nodes := r.w.sortedNodes()
	require.Len(t, nodes, 1)
	assert.Equal(t, 8, r.fleet.Instance(nodes[0]).Type.VCPU)

	r.w.ScaleDeployment(0, 2)
	r.until(30 * time.Minute)
	rep := r.events(EventKarpenterReplace)
	require.Len(t, rep, 1, "a single node with two small pods is replaced")
	assert.Contains(t, rep[0].Reason, "consolidation replacement: c5.large on-demand")
	dis := r.events(EventKarpenterDisrupt)
	require.Len(t, dis, 1)
	assert.True(t, strings.HasPrefix(dis[0].Reason, "Underutilized: replace 1 node(s)"), dis[0].Reason)
	assert.Len(t, r.events(EventKarpenterLaunch), 1, "the replacement is not a provisioning launch")
	nodes = r.w.sortedNodes()
	require.Len(t, nodes, 1, "the old node is gone")
	assert.Equal(t, "c5.large", r.fleet.Instance(nodes[0]).Type.Name)
	running := 0
	for _, p := range r.podsOf(0) {
		if p.phase == PhaseRunning {
			running++
		}
	}
	assert.Equal(t, 2, running)
}

// A workload whose pods carry karpenter.sh/do-not-disrupt: "true" keeps
// its node out of consolidation (karpenter.sh/docs/concepts/disruption/,
// "Pod-Level Controls"): the same scale-down as above leaves the 8-vCPU node.
func TestKarpenterDoNotDisruptPodsBlockConsolidation(t *testing.T) {
	var types []catalog.InstanceType
	for _, n := range []string{"c5.large", "c5.2xlarge", "m5.2xlarge"} {
		types = append(types, lookup(t, n))
	}
	g := capacity.GroupConfig{Name: "karpenter-default", InstanceTypes: types, MaxSize: 1000, Direct: true,
		AvailabilityZones: []string{"us-east-1a", "us-east-1b"}, LaunchTime: 60 * time.Second}
	cfg := baseConfig()
	cfg.NodeGroups = []NodeGroup{{Name: "default", Kind: Karpenter, Group: 0}}
	cfg.NodePools = []NodePool{{NodeGroup: 0, Pool: karpenter.NodePool{Name: "default", LimitMilliCPU: -1, LimitMemoryBytes: -1,
		ExpireAfter: karpenter.DefaultExpireAfter, Budgets: []karpenter.Budget{{Nodes: 100, Percent: true}},
		Requirements: []karpenter.Requirement{{Key: karpenter.LabelCapacityType, Operator: karpenter.In, Values: []string{"on-demand"}}}}}}
	cfg.Karpenter = KarpenterSettings{SpotDiscount: 0.70,
		DoNotDisrupt: []KarpenterWorkload{{Kind: "deployment", Namespace: "default", Name: "web"}}}
	cfg.Deployments = []Deployment{deploy("web", 14, tmpl("web", 500, 1024))}
	r := newRig(t, cfg, []capacity.GroupConfig{g}, 1, time.Hour)
	r.until(5 * time.Minute)
	require.Len(t, r.w.sortedNodes(), 1)
	r.w.ScaleDeployment(0, 2)
	r.until(30 * time.Minute)
	assert.Empty(t, r.events(EventKarpenterDisrupt), "do-not-disrupt pods keep the node")
	assert.Empty(t, r.events(EventKarpenterReplace))
	nodes := r.w.sortedNodes()
	require.Len(t, nodes, 1)
	assert.Equal(t, 8, r.fleet.Instance(nodes[0]).Type.VCPU)
}

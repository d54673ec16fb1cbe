package karpenter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests pin what internal/karpentercompare found against Karpenter's
// own scheduler (sigs.k8s.io/karpenter v1.13.0,
// pkg/controllers/provisioning/scheduling); docs/semantics/eks-karpenter.md
// "Checked against Karpenter's scheduler".

// utils/nodepool OrderByWeight: equal weights are ordered by name,
// descending ("return nps[a].Name > nps[b].Name").
func TestProvisionTriesEqualWeightPoolsByNameDescending(t *testing.T) {
	p := &Problem{Pools: []NodePool{onDemandPool("alpha"), onDemandPool("beta")}, Types: catalogue(),
		Shapes: []Shape{shape(1000, 1, 2, 2)}}
	plan := Provision(p)
	require.Len(t, plan.Launches, 1)
	assert.Equal(t, "beta", p.Pools[plan.Launches[0].Pool].Name)

	// a higher weight still comes first.
	p.Pools[0].Weight = 10
	plan = Provision(p)
	require.Len(t, plan.Launches, 1)
	assert.Equal(t, "alpha", p.Pools[plan.Launches[0].Pool].Name)
}

// scheduler.go addToNewNodeClaim: the pool's remaining limits lose
// subtractMax of the new claim's options right after its first pod, not of
// what the options shrink to as more pods join.
func TestProvisionLimitsLoseTheLargestOptionAfterTheFirstPod(t *testing.T) {
	pool := onDemandPool("default")
	pool.LimitMilliCPU = 10000
	p := &Problem{Pools: []NodePool{pool}, Shapes: []Shape{shape(500, 10, 4, 1)},
		Types: []InstanceType{
			itype("c5.large", "c5", "large", "amd64", 2, 4, 0.085, 29),
			itype("c5.2xlarge", "c5", "2xlarge", "amd64", 8, 16, 0.34, 58),
			itype("r5.xlarge", "r5", "xlarge", "amd64", 4, 32, 0.252, 58),
		}}
	plan := Provision(p)
	// The first pod (10 GiB) fits c5.2xlarge (15 GiB free) and r5.xlarge:
	// 8 vCPU of the 10 are spent, 2 left. The 2nd and 3rd pods leave only
	// r5.xlarge (31 GiB free); the 4th needs a new claim, and the only
	// type within 2 vCPU (c5.large, 3 GiB free) cannot hold it.
	require.Len(t, plan.Launches, 1)
	assert.Equal(t, "r5.xlarge", p.Types[plan.Launches[0].Type].Name)
	assert.Equal(t, []ShapeCount{{0, 3}}, plan.Launches[0].Pods)
	assert.Equal(t, []ShapeCount{{0, 1}}, plan.Unschedulable)
}

// scheduler.go add sorts the in-flight NodeClaims by their pod count
// before each pod, so a pod goes to the emptiest claim that holds it, not
// the first one opened.
func TestProvisionTriesTheClaimWithFewestPodsFirst(t *testing.T) {
	p := &Problem{Pools: []NodePool{onDemandPool("default")}, Types: catalogue(),
		Shapes: []Shape{shape(3000, 1, 3, 1), shape(1000, 1, 1, 1)}}
	plan := Provision(p)
	require.Len(t, plan.Launches, 2)
	// two 3-CPU pods fill an 8-vCPU type (7920m free); the third opens a
	// second claim; the 1-CPU pod would fit either (7000m, 4000m) and
	// joins the second, which has fewer pods.
	assert.Equal(t, []ShapeCount{{0, 2}}, plan.Launches[0].Pods)
	assert.Equal(t, []ShapeCount{{0, 1}, {1, 1}}, plan.Launches[1].Pods)
	assert.Equal(t, "c5.2xlarge", p.Types[plan.Launches[1].Type].Name, "4000m needs 8 vCPU")
}

// nodeclaim.go CanAdd: a pod joins a NodeClaim when its requirements are
// compatible with the claim's (the pods' requirements are added up), so a
// pod with no node selector shares a claim with one that has a zone, while
// two different zones do not mix.
func TestProvisionCompatibleRequirementsShareAClaim(t *testing.T) {
	a, c, b := shape(2000, 1, 1, 1), shape(1500, 1, 1, 1), shape(500, 1, 1, 1)
	a.Requirements = []Requirement{{Key: LabelZone, Operator: In, Values: []string{"us-east-1a"}}}
	c.Requirements = []Requirement{{Key: LabelZone, Operator: In, Values: []string{"us-east-1b"}}}
	p := &Problem{Pools: []NodePool{onDemandPool("default")}, Types: catalogue(), Shapes: []Shape{a, c, b}}
	plan := Provision(p)
	require.Empty(t, plan.Unschedulable)
	require.Len(t, plan.Launches, 2)
	assert.Equal(t, []ShapeCount{{0, 1}, {2, 1}}, plan.Launches[0].Pods)
	assert.Equal(t, "us-east-1a", plan.Launches[0].Zone)
	assert.Equal(t, []ShapeCount{{1, 1}}, plan.Launches[1].Pods)
	assert.Equal(t, "us-east-1b", plan.Launches[1].Zone)
	// 2.5 CPU on one claim: c5.xlarge (4 vCPU, $0.17) is the cheapest.
	assert.Equal(t, "c5.xlarge", p.Types[plan.Launches[0].Type].Name)
}

package karpenter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const gib = int64(1) << 30

var zones = []string{"us-east-1a", "us-east-1b"}

// itype is a test instance type: allocatable is capacity less 80m CPU and
// 1 GiB (a round stand-in for the AMI's reserve; sim/eks computes the real
// one), priced On-Demand in both zones and Spot at 30% of it.
func itype(name, family, size, arch string, vcpu int, memGiB int64, od float64, pods int64) InstanceType {
	t := InstanceType{Name: name, Family: family, Size: size, Arch: arch, VCPU: vcpu, MemoryMiB: memGiB * 1024,
		Capacity:    Resources{MilliCPU: int64(vcpu) * 1000, MemoryBytes: memGiB * gib, Pods: pods},
		Allocatable: Resources{MilliCPU: int64(vcpu)*1000 - 80, MemoryBytes: (memGiB - 1) * gib, Pods: pods}}
	for _, z := range zones {
		t.Offerings = append(t.Offerings, Offering{Zone: z, Capacity: OnDemand, PriceUSDPerHour: od, Available: true},
			Offering{Zone: z, Capacity: Spot, PriceUSDPerHour: od * 0.3, Available: true})
	}
	return t
}

// catalogue: us-east-1 On-Demand prices (aws.amazon.com/ec2/pricing/on-demand).
func catalogue() []InstanceType {
	return []InstanceType{
		itype("c5.large", "c5", "large", "amd64", 2, 4, 0.085, 29),
		itype("c5.xlarge", "c5", "xlarge", "amd64", 4, 8, 0.17, 58),
		itype("c5.2xlarge", "c5", "2xlarge", "amd64", 8, 16, 0.34, 58),
		itype("m5.large", "m5", "large", "amd64", 2, 8, 0.096, 29),
		itype("m5.xlarge", "m5", "xlarge", "amd64", 4, 16, 0.192, 58),
		itype("m5.2xlarge", "m5", "2xlarge", "amd64", 8, 32, 0.384, 58),
		itype("m6g.large", "m6g", "large", "arm64", 2, 8, 0.077, 29),
	}
}

func onDemandPool(name string) NodePool {
	return NodePool{Name: name, LimitMilliCPU: -1, LimitMemoryBytes: -1, ExpireAfter: DefaultExpireAfter,
		Requirements: []Requirement{{Key: LabelCapacityType, Operator: In, Values: []string{"on-demand"}},
			{Key: LabelArch, Operator: In, Values: []string{"amd64"}}}}
}

func shape(mcpu int64, memGiB int64, count int, pools int) Shape {
	s := Shape{Requests: Resources{MilliCPU: mcpu, MemoryBytes: memGiB * gib, Pods: 1}, Count: count}
	for range pools {
		s.Pools = append(s.Pools, true)
	}
	return s
}

func typeNames(p *Problem, ls []Launch) []string {
	var out []string
	for _, l := range ls {
		out = append(out, p.Types[l.Type].Name)
	}
	return out
}

func TestProvisionChoosesTheCheapestTypesThatFitTheBatch(t *testing.T) {
	p := &Problem{Pools: []NodePool{onDemandPool("default")}, Types: catalogue(),
		Shapes: []Shape{shape(1000, 2, 10, 1)}}
	plan := Provision(p)
	require.Empty(t, plan.Unschedulable)
	// 7 pods of 1 CPU fill the roomiest type (8 vCPU: 7920m allocatable);
	// the cheapest 8-vCPU type with 14 GiB free is c5.2xlarge ($0.34 <
	// m5.2xlarge's $0.384); the other 3 pods fit c5.xlarge ($0.17), which
	// is cheaper than m5.xlarge.
	require.Equal(t, []string{"c5.2xlarge", "c5.xlarge"}, typeNames(p, plan.Launches))
	assert.Equal(t, []ShapeCount{{0, 7}}, plan.Launches[0].Pods)
	assert.Equal(t, []ShapeCount{{0, 3}}, plan.Launches[1].Pods)
	for _, l := range plan.Launches {
		assert.Equal(t, OnDemand, l.Capacity)
		assert.Equal(t, p.Types[l.Type].Offerings[0].PriceUSDPerHour, l.PriceUSDPerHour)
		// the flexible list: every type that holds the pods, cheapest first,
		// none arm64 (the requirement) and the chosen one first.
		assert.Equal(t, l.Type, l.Options[0])
		prev := 0.0
		for _, ti := range l.Options {
			it := p.Types[ti]
			assert.Equal(t, "amd64", it.Arch)
			assert.True(t, l.Requests.fits(it.Allocatable), it.Name)
			assert.GreaterOrEqual(t, it.Offerings[0].PriceUSDPerHour, prev)
			prev = it.Offerings[0].PriceUSDPerHour
		}
	}
	assert.Equal(t, []string{"c5.xlarge", "m5.xlarge", "c5.2xlarge", "m5.2xlarge"}, func() (n []string) {
		for _, ti := range plan.Launches[1].Options {
			n = append(n, p.Types[ti].Name)
		}
		return n
	}())
}

func TestProvisionTruncatesTheFlexibleListToSixtyTypes(t *testing.T) {
	var types []InstanceType
	for i := range 100 {
		types = append(types, itype("t"+string(rune('A'+i/26))+string(rune('a'+i%26)), "m5", "x", "amd64", 4, 16, 0.1+float64(i)/1000, 58))
	}
	p := &Problem{Pools: []NodePool{onDemandPool("default")}, Types: types, Shapes: []Shape{shape(1000, 1, 1, 1)}}
	plan := Provision(p)
	require.Len(t, plan.Launches, 1)
	assert.Len(t, plan.Launches[0].Options, MaxInstanceTypes)
	assert.Equal(t, 0, plan.Launches[0].Type, "the cheapest")
}

func TestProvisionPrefersSpotWhenThePoolAllowsBoth(t *testing.T) {
	pool := onDemandPool("default")
	pool.Requirements[0].Values = []string{"spot", "on-demand"}
	p := &Problem{Pools: []NodePool{pool}, Types: catalogue(), Shapes: []Shape{shape(500, 1, 2, 1)}}
	plan := Provision(p)
	require.Len(t, plan.Launches, 1)
	assert.Equal(t, Spot, plan.Launches[0].Capacity)
	assert.InDelta(t, 0.085*0.3, plan.Launches[0].PriceUSDPerHour, 1e-12)

	// price-capacity-optimized: a shallow cheap pool loses to a deep one.
	for ti := range p.Types {
		for oi := range p.Types[ti].Offerings {
			o := &p.Types[ti].Offerings[oi]
			o.Depth = 100
			if p.Types[ti].Name == "c5.large" {
				o.Depth = 10
			}
		}
	}
	plan = Provision(p)
	assert.Equal(t, "m5.large", p.Types[plan.Launches[0].Type].Name)
	assert.Equal(t, Spot, plan.Launches[0].Capacity)

	// no Spot offering available (an InsufficientInstanceCapacity in the
	// unavailable-offerings cache): On-Demand, lowest price.
	for ti := range p.Types {
		for oi := range p.Types[ti].Offerings {
			if o := &p.Types[ti].Offerings[oi]; o.Capacity == Spot {
				o.Available = false
			}
		}
	}
	plan = Provision(p)
	assert.Equal(t, OnDemand, plan.Launches[0].Capacity)
	assert.Equal(t, "c5.large", p.Types[plan.Launches[0].Type].Name)
}

func TestProvisionTriesNodePoolsByWeight(t *testing.T) {
	light, heavy := onDemandPool("light"), onDemandPool("heavy")
	heavy.Weight = 50
	heavy.Requirements = append(heavy.Requirements, Requirement{Key: LabelFamily, Operator: In, Values: []string{"m5"}})
	p := &Problem{Pools: []NodePool{light, heavy}, Types: catalogue(),
		Shapes: []Shape{shape(500, 1, 2, 2), {Requests: Resources{MilliCPU: 500, MemoryBytes: gib, Pods: 1}, Count: 1, Pools: []bool{true, false}}}}
	plan := Provision(p)
	require.Len(t, plan.Launches, 2)
	assert.Equal(t, 1, plan.Launches[0].Pool, "the heavier pool first")
	assert.Equal(t, "m5.large", p.Types[plan.Launches[0].Type].Name)
	assert.Equal(t, 0, plan.Launches[1].Pool, "the pods the heavy pool's taints refuse")
	assert.Equal(t, "c5.large", p.Types[plan.Launches[1].Type].Name)
}

func TestProvisionHonoursLimits(t *testing.T) {
	pool := onDemandPool("capped")
	pool.LimitMilliCPU = 8000
	p := &Problem{Pools: []NodePool{pool}, Types: catalogue(), Shapes: []Shape{shape(1000, 1, 10, 1)}, InUse: []Resources{{MilliCPU: 4000}}}
	plan := Provision(p)
	// 4 vCPU left: one 4-vCPU node holds 3 pods; its options' largest
	// capacity (4 vCPU) uses up the limit.
	require.Len(t, plan.Launches, 1)
	assert.Equal(t, 4, p.Types[plan.Launches[0].Type].VCPU)
	assert.Equal(t, []ShapeCount{{0, 7}}, plan.Unschedulable)
}

func TestProvisionRequirementsOnWellKnownLabels(t *testing.T) {
	cases := []struct {
		name string
		reqs []Requirement
		want string
	}{
		{"instance-cpu Gt 4", []Requirement{{Key: LabelCPU, Operator: Gt, Values: []string{"4"}}}, "c5.2xlarge"},
		{"family NotIn c5: the arm64 m6g.large is cheapest", []Requirement{{Key: LabelFamily, Operator: NotIn, Values: []string{"c5"}}}, "m6g.large"},
		{"arch arm64", []Requirement{{Key: LabelArch, Operator: In, Values: []string{"arm64"}}}, "m6g.large"},
		{"size In xlarge", []Requirement{{Key: LabelSize, Operator: In, Values: []string{"xlarge"}}}, "c5.xlarge"},
		{"instance-memory Lt 8192", []Requirement{{Key: LabelMemory, Operator: Lt, Values: []string{"8192"}}}, "c5.large"},
		{"instance-type In", []Requirement{{Key: LabelInstanceType, Operator: In, Values: []string{"m5.xlarge", "m5.2xlarge"}}}, "m5.xlarge"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pool := NodePool{Name: "p", LimitMilliCPU: -1, LimitMemoryBytes: -1,
				Requirements: append([]Requirement{{Key: LabelCapacityType, Operator: In, Values: []string{"on-demand"}}}, tc.reqs...)}
			p := &Problem{Pools: []NodePool{pool}, Types: catalogue(), Shapes: []Shape{shape(500, 1, 1, 1)}}
			plan := Provision(p)
			require.Len(t, plan.Launches, 1)
			assert.Equal(t, tc.want, p.Types[plan.Launches[0].Type].Name)
		})
	}
	// a zone requirement on the pods
	s := shape(500, 1, 1, 1)
	s.Requirements = []Requirement{{Key: LabelZone, Operator: In, Values: []string{"us-east-1b"}}}
	p := &Problem{Pools: []NodePool{onDemandPool("p")}, Types: catalogue(), Shapes: []Shape{s}}
	assert.Equal(t, "us-east-1b", Provision(p).Launches[0].Zone)
	// nothing satisfies
	assert.False(t, Satisfiable([]Requirement{{Key: LabelFamily, Operator: In, Values: []string{"z9"}}}, catalogue()))
	assert.True(t, Satisfiable(onDemandPool("p").Requirements, catalogue()))
	// a pod larger than any type
	p = &Problem{Pools: []NodePool{onDemandPool("p")}, Types: catalogue(), Shapes: []Shape{shape(64000, 1, 2, 1)}}
	assert.Equal(t, []ShapeCount{{0, 2}}, Provision(p).Unschedulable)
}

func TestBatcherWindows(t *testing.T) {
	b := NewBatcher(0, 0)
	assert.Equal(t, time.Second, b.Pod(0))
	assert.Equal(t, 1500*time.Millisecond, b.Pod(500*time.Millisecond), "each pod extends the idle window")
	assert.False(t, b.Due(time.Second))
	assert.True(t, b.Due(1500*time.Millisecond))
	assert.False(t, b.Open())
	// pods every 0.5 s: the batch closes at batchMaxDuration, 10 s.
	for at := 20 * time.Second; at <= 40*time.Second; at += 500 * time.Millisecond {
		if b.Due(at) {
			assert.Equal(t, 30*time.Second, at)
			return
		}
		b.Pod(at)
	}
	t.Fatal("the batch never closed")
}

// cluster is a disruption fixture: nodes of the given types, each with
// pods of one 500m/1GiB shape.
func cluster(pool NodePool, types []string, pods []int) *DisruptProblem {
	d := &DisruptProblem{Problem: Problem{Pools: []NodePool{pool}, Types: catalogue(),
		Shapes: []Shape{shape(500, 1, 0, 1)}}, Now: time.Hour}
	for i, name := range types {
		ti := -1
		for k := range d.Types {
			if d.Types[k].Name == name {
				ti = k
			}
		}
		n := Node{Pool: 0, Type: ti, Zone: zones[0], Capacity: OnDemand, PriceUSDPerHour: d.Types[ti].Offerings[0].PriceUSDPerHour}
		if pods[i] > 0 {
			n.Pods = []ShapeCount{{0, pods[i]}}
		}
		d.Nodes = append(d.Nodes, n)
	}
	return d
}

func TestConsolidationReplacesTwoUnderusedNodesByOneCheaper(t *testing.T) {
	d := cluster(onDemandPool("default"), []string{"m5.xlarge", "m5.xlarge"}, []int{1, 1})
	d.Pools[0].Budgets = []Budget{{Nodes: 100, Percent: true}}
	got := Disrupt(d)
	require.NotNil(t, got.Command)
	c := got.Command
	assert.Equal(t, ReasonUnderutilized, c.Reason)
	assert.Equal(t, []int{0, 1}, c.Nodes)
	require.NotNil(t, c.Replacement)
	assert.Equal(t, "c5.large", d.Types[c.Replacement.Type].Name)
	assert.InDelta(t, 2*0.192-0.085, c.SavingsUSDPerHour, 1e-12)
	for _, ti := range c.Replacement.Options {
		assert.Less(t, d.Types[ti].Offerings[0].PriceUSDPerHour, 2*0.192, "only cheaper types replace")
	}
}

func TestSingleNodeConsolidationDeletesWhenThePodsFitElsewhere(t *testing.T) {
	// The default budget (10% of 2 nodes, rounded up: 1) lets one node go:
	// its pod moves to the other node.
	d := cluster(onDemandPool("default"), []string{"m5.xlarge", "m5.xlarge"}, []int{1, 1})
	got := Disrupt(d)
	require.NotNil(t, got.Command)
	assert.Len(t, got.Command.Nodes, 1)
	assert.Nil(t, got.Command.Replacement)
	assert.InDelta(t, 0.192, got.Command.SavingsUSDPerHour, 1e-12)
}

func TestBudgetsLimitDisruption(t *testing.T) {
	types, pods := make([]string, 10), make([]int, 10)
	for i := range types {
		types[i] = "m5.large"
	}
	d := cluster(onDemandPool("default"), types, pods)
	c := Disrupt(d).Command
	require.NotNil(t, c)
	assert.Equal(t, ReasonEmpty, c.Reason)
	assert.Len(t, c.Nodes, 1, "the default budget: 10% of 10 nodes")

	d.Pools[0].Budgets = []Budget{{Nodes: 35, Percent: true}}
	assert.Len(t, Disrupt(d).Command.Nodes, 4, "35% of 10, rounded up")

	d.Pools[0].Budgets = []Budget{{Nodes: 35, Percent: true}, {Nodes: 2}}
	assert.Len(t, Disrupt(d).Command.Nodes, 2, "the smallest budget holds")

	d.Nodes[9].Disrupting = true
	assert.Len(t, Disrupt(d).Command.Nodes, 1, "a node disrupting already uses the budget")

	d.Pools[0].Budgets = []Budget{{Nodes: 0, Reasons: []Reason{ReasonEmpty}}}
	assert.Nil(t, Disrupt(d).Command, "no empty node may go")
	d.Pools[0].Budgets = []Budget{{Nodes: 0, Reasons: []Reason{ReasonUnderutilized}}}
	assert.NotNil(t, Disrupt(d).Command, "that budget does not cover emptiness")

	d.Pools[0].Budgets = []Budget{{Nodes: 0, Active: func(now time.Duration) bool { return now < 30*time.Minute }}}
	assert.NotNil(t, Disrupt(d).Command, "an inactive budget does not apply")
}

func TestConsolidateAfterPolicyAndDoNotDisrupt(t *testing.T) {
	pool := onDemandPool("default")
	pool.ConsolidateAfter = 10 * time.Minute
	d := cluster(pool, []string{"m5.large", "m5.xlarge", "m5.xlarge"}, []int{0, 1, 1})
	d.Pools[0].Budgets = []Budget{{Nodes: 100, Percent: true}}
	for i := range d.Nodes {
		d.Nodes[i].LastPodEvent = d.Now - 5*time.Minute
	}
	assert.Nil(t, Disrupt(d).Command, "5 min since the last pod event < consolidateAfter 10 min")
	for i := range d.Nodes {
		d.Nodes[i].LastPodEvent = d.Now - 10*time.Minute
	}
	c := Disrupt(d).Command
	require.NotNil(t, c)
	assert.Equal(t, ReasonEmpty, c.Reason)
	assert.Equal(t, []int{0}, c.Nodes)

	d.Nodes[0].Disrupting = true // gone soon
	d.Pools[0].Policy = WhenEmpty
	assert.Nil(t, Disrupt(d).Command, "WhenEmpty leaves underutilized nodes")
	d.Pools[0].Policy = WhenEmptyOrUnderutilized
	require.NotNil(t, Disrupt(d).Command)
	d.Nodes[1].DoNotDisrupt, d.Nodes[2].Blocked = true, true
	assert.Nil(t, Disrupt(d).Command, "do-not-disrupt and a PDB block both")
	d.Nodes[1].DoNotDisrupt, d.Nodes[2].Blocked = false, false
	d.Nodes[1].Nominated, d.Nodes[2].Nominated = true, true
	assert.Nil(t, Disrupt(d).Command, "nodes holding nominated pods")
	d.Nodes[1].Nominated, d.Nodes[2].Nominated = false, false
	d.Pools[0].Never = true
	assert.Nil(t, Disrupt(d).Command, "consolidateAfter: Never")
}

func TestSpotNodesAreNotReplacedBySpotWithoutTheFeatureGate(t *testing.T) {
	pool := onDemandPool("spot")
	pool.Requirements[0].Values = []string{"spot"}
	d := cluster(pool, []string{"m5.2xlarge"}, []int{1})
	d.Nodes[0].Capacity, d.Nodes[0].PriceUSDPerHour = Spot, 0.384*0.3
	assert.Nil(t, Disrupt(d).Command)
	d.Pools[0].SpotToSpot = true
	assert.Nil(t, Disrupt(d).Command, "fewer than 15 cheaper types")
}

func TestExpirationIsForceful(t *testing.T) {
	d := cluster(onDemandPool("default"), []string{"m5.large", "m5.large"}, []int{3, 3})
	d.Pools[0].Budgets = []Budget{{Nodes: 0}}
	d.Nodes[1].Created = d.Now - DefaultExpireAfter
	d.Nodes[1].DoNotDisrupt = true
	got := Disrupt(d)
	assert.Equal(t, []int{1}, got.Expired, "720 h old: expired despite a zero budget")
	assert.Nil(t, got.Command)
}

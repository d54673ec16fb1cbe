package kube

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNumFeasibleNodesToFind(t *testing.T) {
	// kube's schedule_one_test.go TestNumFeasibleNodesToFind (v1.37.2) and the
	// sizes fleetsim runs at.
	cases := []struct {
		name       string
		percentage int32
		nodes      int32
		want       int32
	}{
		{"not set percentageOfNodesToScore and nodes number not more than 50", 0, 10, 10},
		{"set profile percentageOfNodesToScore and nodes number not more than 50", 40, 10, 10},
		{"not set percentageOfNodesToScore and nodes number more than 50: 50 - 1000/125 = 42% of 1000 = 420", 0, 1000, 420},
		{"set profile percentageOfNodesToScore and nodes number more than 50: 40% of 1000", 40, 1000, 400},
		{"not set profile percentageOfNodesToScore and nodes number more than 50*125: 50 - 48 = 2, raised to 5% = 300", 0, 6000, 300},
		{"set profile percentageOfNodesToScore and nodes number more than 50*125: 40% of 6000", 40, 6000, 2400},
		{"99 nodes: below minFeasibleNodesToFind, all of them", 0, 99, 99},
		{"100 nodes: 50% is 50, raised to minFeasibleNodesToFind = 100, all of them", 0, 100, 100},
		{"5,000 nodes: 50 - 5000/125 = 10% = 500", 0, 5000, 500},
		{"5,000 nodes at 1%: 50, raised to 100", 1, 5000, 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, NumFeasibleNodesToFind(tc.percentage, tc.nodes))
		})
	}
}

// flatProfile filters on NodeUnschedulable and scores every node the same.
func flatProfile(pct int32) Profile {
	return Profile{Filters: []FilterPlugin{NodeUnschedulable{}}, Scores: []WeightedScore{{TaintToleration{}, 1}}, PercentageOfNodesToScore: pct}
}

func TestSearchStartsWhereThePreviousPodStopped(t *testing.T) {
	// kube's TestFairEvaluationForNodes: 500 nodes at 30% -> 150 feasible
	// nodes per pod, and the next pod starts 150 nodes further, mod 500.
	var ns []Node
	for i := range 500 {
		ns = append(ns, node(fmt.Sprint(i)).obj())
	}
	c := clusterOf(t, ns)
	f, err := NewFramework(c, flatProfile(30))
	require.NoError(t, err)
	p := mustPodInfo(t, c, pod("p").obj())
	toFind := int(NumFeasibleNodesToFind(30, 500))
	require.Equal(t, 150, toFind)
	for i := range 2 * (500/toFind + 1) {
		res, err := f.Schedule(p, nil)
		require.NoError(t, err)
		assert.Equal(t, toFind, res.FeasibleNodes)
		assert.Equal(t, toFind, res.EvaluatedNodes)
		assert.Equal(t, (i+1)*toFind%500, f.next, "start index after pod %d", i)
		// With every score equal and no rand, the first node examined wins.
		assert.Equal(t, fmt.Sprint(i*toFind%500), c.NodeInfo(res.Node).Name())
	}
}

func TestNodesInterleaveZones(t *testing.T) {
	// backend/cache node_tree.go: zones in first-seen order, one node of each
	// zone at a time.
	c := clusterOf(t, nodes(node("a1").zone("a"), node("a2").zone("a"), node("a3").zone("a"),
		node("b1").zone("b"), node("b2").zone("b"), node("c1").zone("c")))
	names := func() []string {
		var out []string
		for _, n := range c.Nodes() {
			out = append(out, n.Name())
		}
		return out
	}
	assert.Equal(t, []string{"a1", "b1", "c1", "a2", "b2", "a3"}, names())
	id, _ := c.Lookup("b1")
	c.RemoveNode(id)
	assert.Equal(t, []string{"a1", "b2", "c1", "a2", "a3"}, names())
}

func TestDefaultWeightsPickTheWinner(t *testing.T) {
	// The worked example (noderesources_test.go): per node, TaintToleration
	// 100 x 3, NodeResourcesFit (LeastAllocated) 50/59/62 x 1,
	// BalancedAllocation 75/76/68 x 1, ImageLocality 0 (no image anywhere);
	// NodeAffinity, PodTopologySpread and InterPodAffinity are skipped.
	cases := []struct {
		name   string
		pod    func(*podB) *podB
		taint  bool
		totals []int64
		winner string
	}{
		{"requests only: n1 300+50+75 = 425, n2 300+59+76 = 435, n3 300+62+68 = 430 -> n2",
			func(b *podB) *podB { return b }, false, []int64{425, 435, 430}, "n2"},
		{"default spreading adds 2 x (50, 100, 100): n1 holds both web pods -> 525, 635, 630 -> n2",
			func(b *podB) *podB { return b.defaultSpread(matchLabels("app", "web")) }, false, []int64{525, 635, 630}, "n2"},
		{"an untolerated PreferNoSchedule taint on n2 costs it 3 x 100 -> 525, 335, 630 -> n3",
			func(b *podB) *podB { return b.defaultSpread(matchLabels("app", "web")) }, true, []int64{525, 335, 630}, "n3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := workedExample(t)
			if tc.taint {
				id, _ := c.Lookup("n2")
				c.SetTaints(id, []Taint{{"spot", "true", PreferNoSchedule}})
			}
			p := mustPodInfo(t, c, tc.pod(pod("web-c").label("app", "web").req(1000, 2*gib)).obj())
			f, err := NewFramework(c, DefaultProfile())
			require.NoError(t, err)
			assert.Equal(t, tc.totals, f.ScoreNodes(p, infos(t, c, "n1", "n2", "n3")))
			res, err := f.Schedule(p, rand.New(rand.NewPCG(1, 2)))
			require.NoError(t, err)
			assert.Equal(t, tc.winner, c.NodeInfo(res.Node).Name())
			assert.Equal(t, Result{Node: res.Node, EvaluatedNodes: 3, FeasibleNodes: 3}, res)
		})
	}
}

func TestSelectHostBreaksTiesUniformlyWithTheCallersRand(t *testing.T) {
	totals := []int64{5, 7, 7, 3, 7}
	assert.Equal(t, 1, selectHost(totals, nil), "no rand: the first of the best")
	r := rand.New(rand.NewPCG(7, 7))
	counts := map[int]int{}
	const n = 30000
	for range n {
		counts[selectHost(totals, r)]++
	}
	assert.Equal(t, []int{0, 3}, []int{counts[0], len(counts)}, "only the three best are ever chosen")
	for _, i := range []int{1, 2, 4} {
		assert.InDelta(t, n/3, counts[i], n/3*0.05, "node %d: reservoir sampling gives each tie 1/3", i)
	}
	a, b := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for range 100 {
		require.Equal(t, selectHost(totals, a), selectHost(totals, b), "same seed, same choices")
	}
}

func TestSameSeedGivesSamePlacements(t *testing.T) {
	run := func(seed uint64) []string {
		var ns []Node
		for i := range 12 {
			ns = append(ns, node(fmt.Sprintf("n%02d", i)).zone(string(rune('a'+i%3))).obj())
		}
		c := clusterOf(t, ns)
		f, err := NewFramework(c, DefaultProfile())
		require.NoError(t, err)
		r := rand.New(rand.NewPCG(seed, 1))
		var out []string
		for i := range 60 {
			p := mustPodInfo(t, c, pod(fmt.Sprintf("web-%d", i)).label("app", "web").req(100, 128<<20).defaultSpread(matchLabels("app", "web")).obj())
			res, err := f.Schedule(p, r)
			require.NoError(t, err)
			require.NoError(t, c.Bind(p, res.Node))
			out = append(out, c.NodeInfo(res.Node).Name())
		}
		return out
	}
	first := run(42)
	assert.Equal(t, first, run(42))
	counts := map[string]int{}
	for _, n := range first {
		counts[n]++
	}
	assert.Len(t, counts, 12, "default spreading uses every node")
	for n, k := range counts {
		assert.Equal(t, 5, k, "node %s: 60 pods over 12 identical nodes, 5 each", n)
	}
}

func TestFitErrorWording(t *testing.T) {
	small := func(name string) *nodeB { return node(name).cpu(500) }
	cases := []struct {
		name     string
		nodes    []Node
		existing []placed
		pod      *podB
		want     string
	}{
		{"reasons are counted per node and sorted as strings",
			nodes(small("a"), small("b"), small("c"), node("d").taint("dedicated", "gpu", NoSchedule), node("e").taint("dedicated", "gpu", NoExecute)),
			nil, pod("p").req(1000, gib),
			"0/5 nodes are available: 2 node(s) had untolerated taint(s), 3 Insufficient cpu."},
		{"string order puts 10 before 2, as kube-scheduler's sort.Strings does",
			append(nodes(node("u1").cordoned(), node("u2").cordoned()), func() []Node {
				var out []Node
				for i := range 10 {
					out = append(out, node(fmt.Sprint("m", i)).mem(gib/2).obj())
				}
				return out
			}()...),
			nil, pod("p").req(100, gib),
			"0/12 nodes are available: 10 Insufficient memory, 2 node(s) were unschedulable."},
		{"a node short of CPU and memory counts under both",
			nodes(node("a").cpu(500).mem(gib)), nil, pod("p").req(1000, 2*gib),
			"0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory."},
		{"a node gets the reasons of the first filter that rejects it: cordoned before short of CPU",
			nodes(node("a").cpu(500).cordoned(), small("b")), nil, pod("p").req(1000, gib),
			"0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable."},
		{"spec.nodeName narrows the search to its node; the others count under NodeName's PreFilter",
			nodes(small("a"), node("b"), node("c")), nil, pod("p").req(1000, gib).onNode("a"),
			"0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeName]."},
		{"spec.nodeName naming no node leaves none",
			nodes(node("a"), node("b"), node("c")), nil, pod("p").onNode("z"),
			"0/3 nodes are available: 3 node(s) didn't satisfy plugin(s) [NodeName]."},
		{"too many pods, topology spread (zone z 2 web pods, zone y none: 2+1-0 > 1), a missing zone label and a cordoned node",
			nodes(node("a").pods(0).zone("z"), node("b").zone("z"), node("c"), node("d").zone("y").cordoned()),
			webPods("b", 2), pod("p").label("app", "web").spread(1, LabelTopologyZone, DoNotSchedule, matchLabels("app", "web")),
			"0/4 nodes are available: 1 Too many pods, 1 node(s) didn't match pod topology spread constraints, " +
				"1 node(s) didn't match pod topology spread constraints (missing required label), 1 node(s) were unschedulable."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clusterOf(t, tc.nodes, tc.existing...)
			f, err := NewFramework(c, DefaultProfile())
			require.NoError(t, err)
			res, err := f.Schedule(mustPodInfo(t, c, tc.pod.obj()), nil)
			var fe *FitError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, NoNode, res.Node)
			assert.Equal(t, tc.want, fe.Error())
		})
	}
}

func TestScheduleOnAnEmptyCluster(t *testing.T) {
	c := NewCluster()
	f, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)
	_, err = f.Schedule(mustPodInfo(t, c, pod("p").obj()), nil)
	assert.True(t, errors.Is(err, ErrNoNodesAvailable))
}

func TestScheduleHonoursNodeNameAndDoesNotBind(t *testing.T) {
	c := clusterOf(t, nodes(node("a"), node("b"), node("c")))
	f, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)
	p := mustPodInfo(t, c, pod("p").req(100, gib).onNode("b").obj())
	res, err := f.Schedule(p, nil)
	require.NoError(t, err)
	assert.Equal(t, "b", c.NodeInfo(res.Node).Name())
	assert.Equal(t, Result{Node: res.Node, EvaluatedNodes: 1, FeasibleNodes: 1}, res, "only node b is evaluated, and alone it needs no scoring")
	assert.Zero(t, c.NodeInfo(res.Node).NumPods(), "Schedule does not bind")
	require.NoError(t, c.Bind(p, res.Node))
	assert.Equal(t, Resources{MilliCPU: 100, MemoryBytes: gib}, c.NodeInfo(res.Node).Requested())
	assert.Error(t, c.Bind(p, res.Node), "a pod binds once")
}

func TestSpreadSlowPathAgreesWithTheFastPath(t *testing.T) {
	// A node selector every node matches sends PodTopologySpread down the
	// path that walks the nodes; the answers must not change.
	web := matchLabels("app", "web")
	var ns []*nodeB
	for i := range 9 {
		ns = append(ns, node(fmt.Sprint("n", i)).zone(string(rune('a'+i%3))).label("pool", "general"))
	}
	var existing []placed
	for i := range 17 {
		existing = append(existing, on(fmt.Sprint("n", (i*i)%9), pod(fmt.Sprint("w", i)).label("app", "web")))
	}
	c := clusterOf(t, nodes(ns...), existing...)
	for _, when := range []UnsatisfiableAction{DoNotSchedule, ScheduleAnyway} {
		fast := pod("f").label("app", "web").spread(2, LabelTopologyZone, when, web).spread(2, LabelHostname, when, web)
		slow := pod("s").label("app", "web").spread(2, LabelTopologyZone, when, web).spread(2, LabelHostname, when, web).nodeSelector("pool", "general")
		fp, sp := mustPodInfo(t, c, fast.obj()), mustPodInfo(t, c, slow.obj())
		assert.Equal(t, runFilter(t, c, &PodTopologySpread{}, fp), runFilter(t, c, &PodTopologySpread{}, sp))
		fs, _ := runScore(t, c, &PodTopologySpread{}, fp)
		ss, _ := runScore(t, c, &PodTopologySpread{}, sp)
		assert.Equal(t, fs, ss)
	}
}

func TestRemoveNodeTakesItsPodsOut(t *testing.T) {
	web := matchLabels("app", "web")
	c := clusterOf(t, nodes(node("a").zone("z1"), node("b").zone("z1"), node("c").zone("z2")),
		concat(webPods("a", 2), webPods("c", 1))...)
	a, _ := c.Lookup("a")
	c.RemoveNode(a)
	_, bound := c.NodeOf("default", "web-a-0")
	assert.False(t, bound)
	assert.Equal(t, 2, c.NumNodes())
	// z1 now holds 0 web pods, z2 1: with maxSkew 1, b 0+1-0 = 1 fits and
	// c 1+1-0 = 2 > 1 does not.
	p := mustPodInfo(t, c, pod("p").label("app", "web").spread(1, LabelTopologyZone, DoNotSchedule, web).obj())
	f, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)
	res, err := f.Schedule(p, nil)
	require.NoError(t, err)
	assert.Equal(t, "b", c.NodeInfo(res.Node).Name())
	id, err := c.AddNode(node("d").zone("z2").obj())
	require.NoError(t, err)
	assert.Equal(t, a, id, "the removed node's id is reused")
}

func TestNewPodInfoNamesEveryProblem(t *testing.T) {
	p := pod("bad").spread(0, LabelTopologyZone, DoNotSchedule, nil).spread(1, "", ScheduleAnyway, nil).
		tolerate(Toleration{Key: "k", Operator: TolerationExists, Value: "v"}).
		affinity(required(term("", nil))).antiAffinity(preferred(weighted(101, term(LabelHostname, nil)))).obj()
	_, err := NewCluster().NewPodInfo(p)
	require.Error(t, err)
	for _, want := range []string{
		"kube: pod default/bad: topologySpreadConstraints[0].maxSkew: must be greater than zero, got 0",
		"topologySpreadConstraints[1].topologyKey: can not be empty",
		"tolerations[0]: value must be empty when operator is Exists",
		"podAffinity.required[0].topologyKey: can not be empty",
		"podAntiAffinity.preferred[0].weight: must be in the range 1-100, got 101",
	} {
		assert.Contains(t, err.Error(), want)
	}
}

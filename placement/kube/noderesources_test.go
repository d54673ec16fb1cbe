package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// core is one CPU in millicores: kube's test tables give CPU in cores
// ("cpu": "4000" is 4,000 cores).
const core = 1000

// workedExample is the three-node example the resource scorers are checked
// on by hand. The incoming pod requests 1000m and 2 GiB (explicitly, so the
// non-zero defaults do not apply).
//
//	node  allocatable     requested before      requested with the pod
//	n1    4000m,  8 GiB   1000m,  2 GiB (2 web)  2000m,  4 GiB
//	n2    8000m, 32 GiB   1000m, 16 GiB (1 db)   2000m, 18 GiB
//	n3    2000m,  8 GiB   0,      0              1000m,  2 GiB
func workedExample(t testing.TB) (*Cluster, *PodInfo) {
	t.Helper()
	c := clusterOf(t, nodes(
		node("n1").zone("a").cpu(4000).mem(8*gib),
		node("n2").zone("b").cpu(8000).mem(32*gib),
		node("n3").zone("c").cpu(2000).mem(8*gib),
	),
		on("n1", pod("web-a").label("app", "web").req(500, gib)),
		on("n1", pod("web-b").label("app", "web").req(500, gib)),
		on("n2", pod("db-a").label("app", "db").req(1000, 16*gib)),
	)
	return c, mustPodInfo(t, c, pod("web-c").label("app", "web").req(1000, 2*gib).obj())
}

func TestLeastAllocatedScoresTheWorkedExample(t *testing.T) {
	c, p := workedExample(t)
	fit, err := NewNodeResourcesFit(LeastAllocatedStrategy())
	require.NoError(t, err)
	got, _ := runScore(t, c, fit, p)
	// n1: cpu (4000-2000)*100/4000 = 50, memory (8-4)*100/8 = 50 -> (50+50)/2 = 50
	// n2: cpu (8000-2000)*100/8000 = 75, memory (32-18)*100/32 = 43 -> (75+43)/2 = 59
	// n3: cpu (2000-1000)*100/2000 = 50, memory (8-2)*100/8 = 75 -> (50+75)/2 = 62
	assert.Equal(t, []int64{50, 59, 62}, got)

	// The same resources listed memory first take the general path.
	general, err := NewNodeResourcesFit(ScoringStrategy{Type: LeastAllocated, Resources: []ResourceSpec{{ResourceMemory, 1}, {ResourceCPU, 1}}})
	require.NoError(t, err)
	got, _ = runScore(t, c, general, p)
	assert.Equal(t, []int64{50, 59, 62}, got)
}

func TestMostAllocatedScoresTheWorkedExample(t *testing.T) {
	c, p := workedExample(t)
	fit, err := NewNodeResourcesFit(ScoringStrategy{Type: MostAllocated})
	require.NoError(t, err)
	got, _ := runScore(t, c, fit, p)
	// n1: cpu 2000*100/4000 = 50, memory 4*100/8 = 50 -> 50
	// n2: cpu 2000*100/8000 = 25, memory 18*100/32 = 56 -> (25+56)/2 = 40
	// n3: cpu 1000*100/2000 = 50, memory 2*100/8 = 25 -> (50+25)/2 = 37
	assert.Equal(t, []int64{50, 40, 37}, got)
}

func TestRequestedToCapacityRatioScoresTheWorkedExample(t *testing.T) {
	c, p := workedExample(t)
	// Shape 0% -> 0, 100% -> 10 (scaled to 100): f(u) = u, a rounding MostAllocated.
	fit, err := NewNodeResourcesFit(ScoringStrategy{Type: RequestedToCapacityRatio,
		Shape: []UtilizationShapePoint{{0, 0}, {100, 10}}})
	require.NoError(t, err)
	got, _ := runScore(t, c, fit, p)
	// n1: f(50) = 50, f(50) = 50 -> round(100/2) = 50
	// n2: f(2000*100/8000 = 25) = 25, f(18*100/32 = 56) = 56 -> round(81/2 = 40.5) = 41
	// n3: f(50) = 50, f(25) = 25 -> round(75/2 = 37.5) = 38
	assert.Equal(t, []int64{50, 41, 38}, got)
}

func TestBalancedAllocationScoresTheWorkedExample(t *testing.T) {
	c, p := workedExample(t)
	got, _ := runScore(t, c, NewBalancedAllocation(), p)
	// b(f) = int64((1 - |f_cpu - f_mem|/2) * 100); score = 50 + (50 + b(with) - b(without))/2
	// n1: with (.5, .5) -> 100, without (.25, .25) -> 100 -> 50 + 50/2 = 75
	// n2: with (.25, .5625) -> std .15625 -> 84, without (.125, .5) -> std .1875 -> 81 -> 50 + 53/2 = 76
	// n3: with (.5, .25) -> std .125 -> 87, without (0, 0) -> 100 -> 50 + 37/2 = 68
	assert.Equal(t, []int64{75, 76, 68}, got)
}

// resourceCase is a row of the kube-scheduler scorer tables
// (least_allocated_test.go, most_allocated_test.go,
// requested_to_capacity_ratio_test.go, balanced_allocation_test.go, v1.37.2),
// ported as data. CPU is in cores as there.
type resourceCase struct {
	name     string
	pod      *podB
	nodes    []Node
	existing []placed
	want     []int64
}

func capNode(name string, cpuCores, memBytes int64) *nodeB {
	return node(name).cpu(cpuCores * core).mem(memBytes)
}

func runResourceCases(t *testing.T, pl func() ScorePlugin, cases []resourceCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clusterOf(t, tc.nodes, tc.existing...)
			got, _ := runScore(t, c, pl(), mustPodInfo(t, c, tc.pod.obj()))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestLeastAllocatedKubeCases(t *testing.T) {
	two := func(a, b int64) []Node { return nodes(capNode("node1", a, 10000), capNode("node2", b, 10000)) }
	big := nodes(capNode("node1", 10000, 20000), capNode("node2", 10000, 20000))
	runResourceCases(t, func() ScorePlugin {
		fit, _ := NewNodeResourcesFit(LeastAllocatedStrategy())
		return fit
	}, []resourceCase{
		{"nothing scheduled, nothing requested: (100 + 100) / 2 = 100 on both", pod("p"), two(4000, 4000), nil, []int64{100, 100}},
		{"nothing scheduled, resources requested, differently sized nodes: (25 + 50) / 2 = 37 and (50 + 50) / 2 = 50",
			pod("p").req(1000*core, 2000).req(2000*core, 3000), two(4000, 6000), nil, []int64{37, 50}},
		{"no resources requested, pods scheduled: pods without containers request nothing",
			pod("p"), two(4000, 4000), []placed{on("node1", pod("")), on("node1", pod("")), on("node2", pod("")), on("node2", pod(""))}, []int64{100, 100}},
		{"no resources requested, pods scheduled with resources: (40 + 100) / 2 = 70 and (40 + 75) / 2 = 57",
			pod("p"), big, []placed{
				on("node1", pod("").req(3000*core, 0)), on("node1", pod("").req(3000*core, 0)),
				on("node2", pod("").req(3000*core, 0)), on("node2", pod("").req(3000*core, 5000))}, []int64{70, 57}},
		{"resources requested, pods scheduled with resources: (40 + 75) / 2 = 57 and (40 + 50) / 2 = 45",
			pod("p").req(1000*core, 2000).req(2000*core, 3000), big, []placed{
				on("node1", pod("").req(3000*core, 0)), on("node2", pod("").req(3000*core, 5000))}, []int64{57, 45}},
		{"resources requested, pods scheduled with resources, differently sized nodes: 57 and (40 + 80) / 2 = 60",
			pod("p").req(1000*core, 2000).req(2000*core, 3000), nodes(capNode("node1", 10000, 20000), capNode("node2", 10000, 50000)), []placed{
				on("node1", pod("").req(3000*core, 0)), on("node2", pod("").req(3000*core, 5000))}, []int64{57, 60}},
		{"requested resources exceed node capacity: cpu 6000 > 4000 scores 0, so (0 + 100) / 2 = 50 and (0 + 50) / 2 = 25",
			pod("p").req(3000*core, 0), two(4000, 4000), []placed{
				on("node1", pod("").req(3000*core, 0)), on("node2", pod("").req(3000*core, 5000))}, []int64{50, 25}},
		{"zero node resources, pods scheduled with resources: nothing to score, 0",
			pod("p"), nodes(node("node1").cpu(0).mem(0), node("node2").cpu(0).mem(0)), []placed{
				on("node1", pod("").req(3000*core, 0)), on("node2", pod("").req(3000*core, 5000))}, []int64{0, 0}},
	})
}

func TestLeastAllocatedWeighsResources(t *testing.T) {
	// kube's "resources requested with different weight on CPU and memory":
	// node1 (25*1 + 50*2) / 3 = 41, node2 (50*1 + 50*2) / 3 = 50.
	c := clusterOf(t, nodes(capNode("node1", 4000, 10000), capNode("node2", 6000, 10000)))
	fit, err := NewNodeResourcesFit(ScoringStrategy{Type: LeastAllocated, Resources: []ResourceSpec{{ResourceMemory, 2}, {ResourceCPU, 1}}})
	require.NoError(t, err)
	got, _ := runScore(t, c, fit, mustPodInfo(t, c, pod("p").req(1000*core, 2000).req(2000*core, 3000).obj()))
	assert.Equal(t, []int64{41, 50}, got)
}

func TestMostAllocatedKubeCases(t *testing.T) {
	big := nodes(capNode("node1", 10000, 20000), capNode("node2", 10000, 20000))
	runResourceCases(t, func() ScorePlugin {
		fit, _ := NewNodeResourcesFit(ScoringStrategy{Type: MostAllocated})
		return fit
	}, []resourceCase{
		{"nothing scheduled, nothing requested: 0 on both", pod("p"), nodes(capNode("node1", 4000, 10000), capNode("node2", 4000, 10000)), nil, []int64{0, 0}},
		{"nothing scheduled, resources requested, differently sized nodes: (75 + 50) / 2 = 62 and 50",
			pod("p").req(1000*core, 2000).req(2000*core, 3000), nodes(capNode("node1", 4000, 10000), capNode("node2", 6000, 10000)), nil, []int64{62, 50}},
		{"no resources requested, pods scheduled with resources: (60 + 0) / 2 = 30 and (60 + 25) / 2 = 42",
			pod("p"), big, []placed{
				on("node1", pod("").req(3000*core, 0)), on("node1", pod("").req(3000*core, 0)),
				on("node2", pod("").req(3000*core, 0)), on("node2", pod("").req(3000*core, 5000))}, []int64{30, 42}},
		{"resources requested, pods scheduled with resources: (60 + 25) / 2 = 42 and (60 + 50) / 2 = 55",
			pod("p").req(1000*core, 2000).req(2000*core, 3000), big, []placed{
				on("node1", pod("").req(3000*core, 0)), on("node2", pod("").req(3000*core, 5000))}, []int64{42, 55}},
		{"resources requested equal node capacity: (100 + 90) / 2 = 95 and (50 + 100) / 2 = 75",
			pod("p").req(2000*core, 4000).req(3000*core, 5000), nodes(capNode("node1", 5000, 10000), capNode("node2", 10000, 9000)), nil, []int64{95, 75}},
	})
}

func TestRequestedToCapacityRatioKubeCases(t *testing.T) {
	// Shape 0% -> 10, 100% -> 0 (scaled to 100): least requested first.
	runResourceCases(t, func() ScorePlugin {
		fit, _ := NewNodeResourcesFit(ScoringStrategy{Type: RequestedToCapacityRatio, Shape: []UtilizationShapePoint{{0, 10}, {100, 0}}})
		return fit
	}, []resourceCase{
		{"nothing scheduled, nothing requested: f(0) = 100 on both",
			pod("p"), nodes(capNode("node1", 4000, 10000), capNode("node2", 4000, 10000)), []placed{on("node1", pod("")), on("node1", pod(""))}, []int64{100, 100}},
		{"nothing scheduled, resources requested, differently sized nodes: round((25 + 50) / 2) = 38 and 50",
			pod("p").req(1000*core, 2000).req(2000*core, 3000), nodes(capNode("node1", 4000, 10000), capNode("node2", 6000, 10000)),
			[]placed{on("node1", pod("")), on("node1", pod(""))}, []int64{38, 50}},
		{"no resources requested, pods scheduled with resources: 38 and 50",
			pod("p"), nodes(capNode("node1", 4000, 10000), capNode("node2", 6000, 10000)),
			[]placed{on("node1", pod("").req(3000*core, 5000)), on("node2", pod("").req(3000*core, 5000))}, []int64{38, 50}},
	})
}

func TestBalancedAllocationKubeCases(t *testing.T) {
	runResourceCases(t, func() ScorePlugin { return NewBalancedAllocation() }, []resourceCase{
		{"nothing scheduled, resources requested, differently sized nodes: 68 (100 -> 87) and 75 (100 -> 100)",
			pod("p").req(1000, 2000).req(2000, 3000), nodes(node("node1").cpu(4000).mem(10000), node("node2").cpu(6000).mem(10000)), nil, []int64{68, 75}},
		{"resources requested, pods scheduled with resources: 73 (85 -> 82) and 74 (97 -> 95)",
			pod("p").req(1000, 2000).req(2000, 3000), nodes(node("node1").cpu(10000).mem(20000), node("node2").cpu(10000).mem(20000)),
			[]placed{on("node1", pod("").req(1000, 0).req(2000, 0)), on("node2", pod("").req(1000, 2000).req(2000, 3000))}, []int64{73, 74}},
		{"resources requested, pods scheduled with resources, differently sized nodes: 73 and 70 (90 -> 80)",
			pod("p").req(1000, 2000).req(2000, 3000), nodes(node("node1").cpu(10000).mem(20000), node("node2").cpu(10000).mem(50000)),
			[]placed{on("node1", pod("").req(1000, 0).req(2000, 0)), on("node2", pod("").req(1000, 2000).req(2000, 3000))}, []int64{73, 70}},
		{"nodes to reach min/max score: 100 (50 -> 100) and 50 (100 -> 50)",
			pod("p").req(0, 2000).req(0, 3000), nodes(node("node1").cpu(3000).mem(5000), node("node2").cpu(3000).mem(5000)),
			[]placed{on("node1", pod("").req(1000, 0).req(2000, 0))}, []int64{100, 50}},
		{"requested resources at node capacity: 62 (75 -> 50) and 62 (100 -> 75)",
			pod("p").req(1000, 0).req(2000, 0), nodes(node("node1").cpu(6000).mem(10000), node("node2").cpu(6000).mem(10000)),
			[]placed{on("node1", pod("").req(1000, 0).req(2000, 0)), on("node2", pod("").req(1000, 2000).req(2000, 3000))}, []int64{62, 62}},
	})
}

func TestBalancedAllocationSkipsBestEffortPods(t *testing.T) {
	c := clusterOf(t, nodes(node("node1").cpu(4000).mem(10000), node("node2").cpu(4000).mem(10000)))
	_, skipped := runScore(t, c, NewBalancedAllocation(), mustPodInfo(t, c, pod("p").obj()))
	assert.True(t, skipped, "a pod requesting no CPU and no memory is skipped in PreScore (kubernetes#129138)")
}

func TestNodeResourcesFitFilter(t *testing.T) {
	// kube's fit_test.go TestEnoughRequests: the node has 10m CPU, 20 bytes of
	// memory, 32 pods; the existing pod's requests are given per row.
	cases := []struct {
		name     string
		pod      *podB
		existing Resources
		want     Status
	}{
		{"no resources requested always fits", pod("p"), Resources{MilliCPU: 10, MemoryBytes: 20}, fits},
		{"too many resources fails", pod("p").req(1, 1), Resources{MilliCPU: 10, MemoryBytes: 20},
			unsched(ReasonInsufficientCPU, ReasonInsufficientMemory)},
		{"too many resources fails due to init container cpu: max(1, 3) = 3 > 10 - 8", pod("p").req(1, 1).init(3, 1),
			Resources{MilliCPU: 8, MemoryBytes: 19}, unsched(ReasonInsufficientCPU)},
		{"too many resources fails due to highest init container cpu: max(1, 3, 2) = 3", pod("p").req(1, 1).init(3, 1).init(2, 1),
			Resources{MilliCPU: 8, MemoryBytes: 19}, unsched(ReasonInsufficientCPU)},
		{"too many resources fails due to init container memory: max(1, 3) = 3 > 20 - 19", pod("p").req(1, 1).init(1, 3),
			Resources{MilliCPU: 9, MemoryBytes: 19}, unsched(ReasonInsufficientMemory)},
		{"too many resources fails due to highest init container memory", pod("p").req(1, 1).init(1, 3).init(1, 2),
			Resources{MilliCPU: 9, MemoryBytes: 19}, unsched(ReasonInsufficientMemory)},
		{"init container fits because it's the max, not sum, of containers and init containers", pod("p").req(1, 1).init(1, 1),
			Resources{MilliCPU: 9, MemoryBytes: 19}, fits},
		{"multiple init containers fit because it's the max, not sum, of containers and init containers", pod("p").req(1, 1).init(1, 1).init(1, 1),
			Resources{MilliCPU: 9, MemoryBytes: 19}, fits},
		{"both resources fit", pod("p").req(1, 1), Resources{MilliCPU: 5, MemoryBytes: 5}, fits},
		{"one resource memory fits", pod("p").req(2, 1), Resources{MilliCPU: 9, MemoryBytes: 5}, unsched(ReasonInsufficientCPU)},
		{"one resource cpu fits", pod("p").req(1, 2), Resources{MilliCPU: 5, MemoryBytes: 19}, unsched(ReasonInsufficientMemory)},
		{"equal edge case", pod("p").req(5, 1), Resources{MilliCPU: 5, MemoryBytes: 19}, fits},
		{"equal edge case for init container", pod("p").req(4, 1).init(5, 1), Resources{MilliCPU: 5, MemoryBytes: 19}, fits},
		{"a request above the node's whole allocatable is unresolvable", pod("p").req(11, 1), Resources{},
			unresolved(ReasonInsufficientCPU)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clusterOf(t, nodes(node("n").cpu(10).mem(20).pods(32)),
				on("n", pod("existing").container(Container{Requests: tc.existing})))
			fit, err := NewNodeResourcesFit(LeastAllocatedStrategy())
			require.NoError(t, err)
			assert.Equal(t, []Status{tc.want}, runFilter(t, c, fit, mustPodInfo(t, c, tc.pod.obj())))
		})
	}
}

func TestNodeResourcesFitCountsPodsAndEphemeralStorage(t *testing.T) {
	c := clusterOf(t, nodes(node("full").pods(1), node("disk").eph(10*gib), node("roomy").eph(100*gib)),
		on("full", pod("a")), on("disk", pod("b").container(Container{Requests: Resources{EphemeralBytes: 8 * gib}})))
	fit, err := NewNodeResourcesFit(LeastAllocatedStrategy())
	require.NoError(t, err)
	p := mustPodInfo(t, c, pod("p").container(Container{Requests: Resources{MilliCPU: 100, EphemeralBytes: 5 * gib}}).obj())
	assert.Equal(t, []Status{
		unresolved(ReasonTooManyPods, ReasonInsufficientEphemeral), // 1 + 1 > 1 pods; 5 GiB > 0 allocatable
		unsched(ReasonInsufficientEphemeral),                       // 5 GiB > 10 - 8
		fits,
	}, runFilter(t, c, fit, p))
}

func TestEffectiveRequests(t *testing.T) {
	cases := []struct {
		name        string
		pod         *podB
		want        Resources
		wantNonZero Resources
	}{
		{"fit.go's example: init 2/1G and 2/3G, app 2/1G + 1/1G -> cpu max(2, 3) = 3, memory max(3G, 2G) = 3G",
			pod("p").init(2000, gib).init(2000, 3*gib).req(2000, gib).req(1000, gib),
			Resources{MilliCPU: 3000, MemoryBytes: 3 * gib}, Resources{MilliCPU: 3000, MemoryBytes: 3 * gib}},
		{"a sidecar adds to the app containers and to every init container after it: max(500+100, 1000+100) = 1100",
			pod("p").sidecar(100, 0).init(1000, 0).req(500, 0),
			Resources{MilliCPU: 1100}, Resources{MilliCPU: 1100}},
		{"an init container before the sidecar does not carry it: max(1000, 500+100) = 1000",
			pod("p").init(1000, 0).sidecar(100, 0).req(500, 0),
			Resources{MilliCPU: 1000}, Resources{MilliCPU: 1000}},
		{"overhead is added after the max: 3000 + 250",
			pod("p").init(3000, gib).req(1000, gib).overhead(Resources{MilliCPU: 250, MemoryBytes: 120 << 20}),
			Resources{MilliCPU: 3250, MemoryBytes: gib + 120<<20}, Resources{MilliCPU: 3250, MemoryBytes: gib + 120<<20}},
		{"a container without requests counts 0, and 100m / 200 MiB for scoring",
			pod("p").image("nginx"),
			Resources{}, Resources{MilliCPU: 100, MemoryBytes: 200 << 20}},
		{"an explicit 0 stays 0 for scoring", pod("p").req(0, 0), Resources{}, Resources{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCluster()
			p := mustPodInfo(t, c, tc.pod.obj())
			assert.Equal(t, tc.want, p.Requests())
			assert.Equal(t, tc.wantNonZero, p.NonZeroRequests())
		})
	}
}

func TestScoringStrategyValidation(t *testing.T) {
	_, err := NewNodeResourcesFit(ScoringStrategy{Type: RequestedToCapacityRatio,
		Resources: []ResourceSpec{{ResourceCPU, 0}, {"gpu", 1}}, Shape: []UtilizationShapePoint{{50, 11}, {40, 1}}})
	require.Error(t, err)
	for _, want := range []string{"weight: must be in the range 1-100", `unknown resource "gpu"`, "shape[0].score", "shape[1].utilization"} {
		assert.Contains(t, err.Error(), want)
	}
}

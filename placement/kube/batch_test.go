package kube

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// batchCluster is a cluster of n benchmark-shaped nodes, a few of them
// cordoned or without a zone, with pods of the benchmark's deployments
// bound where the default profile puts them.
func batchCluster(t testing.TB, n, pods int, r *rand.Rand) (*Cluster, *Framework) {
	t.Helper()
	c := NewCluster()
	for i, nd := range benchNodes(n, r) {
		switch i % 37 {
		case 5:
			nd.Unschedulable = true
		case 11:
			delete(nd.Labels, LabelTopologyZone)
		case 17:
			nd.Taints = append(nd.Taints, Taint{"spot", "true", PreferNoSchedule}, Taint{"other", "", PreferNoSchedule})
		}
		_, err := c.AddNode(nd)
		require.NoError(t, err)
	}
	f, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)
	for i := range pods {
		p := benchDeployment(i % 40)
		p.Name = fmt.Sprint("p-", i)
		pi := mustPodInfo(t, c, p)
		if res, err := f.Schedule(pi, r); err == nil {
			require.NoError(t, c.Bind(pi, res.Node))
		}
	}
	return c, f
}

// batchProbes are incoming pods that take every branch of the fast paths:
// the benchmark's deployments, PreferNoSchedule tolerations, a pod's own
// ScheduleAnyway constraints, best effort, explicit zero requests.
func batchProbes() []Pod {
	var out []Pod
	for d := range 20 {
		out = append(out, benchDeployment(d))
	}
	self := &LabelSelector{MatchLabels: map[string]string{"app": "app-001"}}
	out = append(out,
		pod("tol-pns").label("app", "app-001").req(100, gib).defaultSpread(self).
			tolerate(Toleration{Key: "spot", Operator: TolerationExists, Effect: PreferNoSchedule}).obj(),
		pod("tol-all").label("app", "app-001").req(100, gib).tolerate(Toleration{Operator: TolerationExists}).obj(),
		pod("own-soft").label("app", "app-001").req(250, gib).
			spread(1, LabelTopologyZone, ScheduleAnyway, self).spread(2, LabelHostname, ScheduleAnyway, self).obj(),
		pod("best-effort").label("app", "app-001").defaultSpread(self).image("registry.example/app-03:v1").obj(),
		pod("zero").label("app", "app-002").req(0, 0).defaultSpread(self).obj(),
	)
	for i := range out {
		if out[i].Name == "" {
			out[i].Name = fmt.Sprint("probe-", i)
		}
		if out[i].Namespace == "" {
			out[i].Namespace = "default"
		}
	}
	return out
}

func TestBatchScoresEqualScore(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	c, _ := batchCluster(t, 300, 3000, r)
	feasible := infos(t, c)
	for _, p := range batchProbes() {
		pi := mustPodInfo(t, c, p)
		for _, ws := range DefaultProfile().Scores {
			pl := ws.Plugin
			b, ok := pl.(batchScorer)
			if !ok {
				continue
			}
			t.Run(p.Name+"/"+pl.Name(), func(t *testing.T) {
				if pre, ok := pl.(PreScorePlugin); ok && pre.PreScore(c, pi, feasible).IsSkip() {
					return
				}
				want := make([]int64, len(feasible))
				for i, n := range feasible {
					want[i] = pl.Score(pi, n)
				}
				got := make([]int64, len(feasible))
				b.scoreAll(pi, feasible, got)
				assert.Equal(t, want, got)
				b.scoreAll(pi, feasible, got) // memoised the second time
				assert.Equal(t, want, got)
			})
		}
	}
}

func TestQuickFiltersPassOnlyWhatTheFiltersPass(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	c, f := batchCluster(t, 300, 8000, r) // full enough that Fit rejects
	quick, total := 0, 0
	for _, p := range batchProbes() {
		pi := mustPodInfo(t, c, p)
		f.preFilter(pi, c.Nodes())
		f.quick.compile(c, pi, f.active)
		for _, n := range infos(t, c) {
			total++
			if f.quick.pass(pi, n) {
				quick++
				assert.True(t, f.runFilters(pi, n).IsSuccess(), "%s on %s", p.Name, n.Name())
			}
			// The verdict from the hot fields is the chain's.
			st := f.runFilters(pi, n)
			rs, ok := f.quick.verdict(pi, n, &c.hot[n.id], n.id)
			assert.Equal(t, st.IsSuccess(), ok, "%s on %s", p.Name, n.Name())
			if !ok {
				assert.Equal(t, st.Reasons, rs, "%s on %s", p.Name, n.Name())
			}
		}
	}
	assert.Greater(t, quick, total/3, "the quick tests should pass most nodes")
	assert.Less(t, quick, total, "and not all")
}

func TestLeastRequestedFastIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	allocs := []int64{1, 3, 7, 100, 1930, 7910, 15890, 7518 << 20, 30 * gib, 24 << 40, maxExactQuotient - 1, maxExactQuotient, 1 << 50}
	for _, alloc := range allocs {
		for range 20000 {
			req := r.Int64N(alloc + alloc/10 + 2)
			require.Equal(t, leastRequested(req, alloc), leastRequestedFast(req, alloc), "req %d alloc %d", req, alloc)
		}
		// The quotients closest to an integer from below: (alloc - req) * 100 = k * alloc - 1.
		for k := int64(1); k <= 100 && alloc < math.MaxInt64/100; k++ {
			if (k*alloc-1)%MaxNodeScore == 0 {
				req := alloc - (k*alloc-1)/MaxNodeScore
				require.Equal(t, leastRequested(req, alloc), leastRequestedFast(req, alloc), "req %d alloc %d", req, alloc)
			}
		}
	}
}

func TestSearchMatchesTheFilterChainNodeByNode(t *testing.T) {
	// findFeasible passes nodes on quick tests; the nodes it reports as
	// evaluated, feasible and rejected (with reasons) must be those of the
	// filter chain run on each node.
	r := rand.New(rand.NewPCG(10, 10))
	c, f := batchCluster(t, 400, 9000, r)
	anyRejected := 0
	for _, p := range batchProbes() {
		pi := mustPodInfo(t, c, p)
		nodes, _, _ := f.preFilter(pi, c.Nodes())
		for _, toFind := range []int{1, 17, 100, 230, len(nodes)} {
			for _, next := range []int{0, 123, len(nodes) - 1} {
				f.next = next
				var wantFeasible []*NodeInfo
				var wantCounts [NumReasons]int32
				wantRejected := 0
				for i := 0; i < len(nodes) && len(wantFeasible) < toFind; i++ {
					n := nodes[(next+i)%len(nodes)]
					if st := f.runFilters(pi, n); st.IsSuccess() {
						wantFeasible = append(wantFeasible, n)
					} else {
						wantRejected++
						for _, why := range st.Reasons.Reasons() {
							wantCounts[why]++
						}
					}
				}
				feasible, rejected, counts := f.findFeasible(pi, nodes, toFind)
				name := fmt.Sprintf("%s toFind %d next %d", p.Name, toFind, next)
				assert.Equal(t, wantFeasible, feasible, name)
				assert.Equal(t, wantRejected, rejected, name)
				assert.Equal(t, wantCounts, counts, name)
				anyRejected += rejected
			}
		}
	}
	assert.Positive(t, anyRejected, "the cluster should be full enough for filters to reject")
}

func TestDefaultScoresEqualThePlugins(t *testing.T) {
	// The one-pass scorer against the plugins one by one, over every node and
	// over a sample of them, for pods that take each of its branches.
	r := rand.New(rand.NewPCG(11, 11))
	c, fused := batchCluster(t, 300, 4000, r)
	require.NotNil(t, fused.fused, "the default profile is scored in one pass")
	generic, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)
	generic.fused = nil
	compare := func(when string) {
		all := infos(t, c)
		some := all[100:150]
		for _, p := range batchProbes() {
			pi := mustPodInfo(t, c, p)
			for _, feasible := range [][]*NodeInfo{all, some} {
				assert.Equal(t, generic.ScoreNodes(pi, feasible), fused.ScoreNodes(pi, feasible), "%s: %s over %d nodes", when, p.Name, len(feasible))
			}
		}
	}
	compare("first")
	// Nodes leave and others take their IDs, taints and cordons change, pods
	// come and go: the memos must follow.
	for i, n := range infos(t, c)[:40] {
		if i%2 == 0 {
			c.RemoveNode(n.ID())
		}
	}
	for i, nd := range benchNodes(30, r) {
		nd.Name = fmt.Sprint("late-", i)
		nd.Labels[LabelHostname] = nd.Name
		nd.Allocatable.MilliCPU += int64(i)
		_, err := c.AddNode(nd)
		require.NoError(t, err)
	}
	for i, n := range infos(t, c)[50:70] {
		c.SetTaints(n.ID(), []Taint{{"spot", "true", PreferNoSchedule}})
		c.SetUnschedulable(n.ID(), i%3 == 0)
	}
	for i := range 500 {
		p := benchDeployment(i % 40)
		p.Name = fmt.Sprint("later-", i)
		pi := mustPodInfo(t, c, p)
		if res, err := fused.Schedule(pi, r); err == nil {
			require.NoError(t, c.Bind(pi, res.Node))
		}
	}
	compare("after churn")
	for _, s := range []ScoringStrategy{{Type: MostAllocated}, {Type: LeastAllocated, Resources: []ResourceSpec{{ResourceCPU, 2}, {ResourceMemory, 1}}}} {
		prof := DefaultProfile()
		fit, err := NewNodeResourcesFit(s)
		require.NoError(t, err)
		prof.Scores[dsFit].Plugin = fit
		f, err := NewFramework(c, prof)
		require.NoError(t, err)
		assert.Nil(t, f.fused, "another strategy is scored plugin by plugin")
	}
}

func TestResourceMemoFollowsShapesAndBinds(t *testing.T) {
	// More request shapes than the memo has slots, in turn, with binds in
	// between: the one-pass scores stay the plugins'.
	r := rand.New(rand.NewPCG(12, 12))
	c, fused := batchCluster(t, 200, 2000, r)
	generic, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)
	generic.fused = nil
	all := infos(t, c)
	for i := range 3 * resMemoSlots * 2 {
		shape := i % (resMemoSlots + 7)
		p := pod(fmt.Sprint("shape-", i)).label("app", "app-001").req(int64(50+25*shape), int64(64+32*shape)<<20).
			defaultSpread(matchLabels("app", "app-001")).obj()
		pi := mustPodInfo(t, c, p)
		require.Equal(t, generic.ScoreNodes(pi, all), fused.ScoreNodes(pi, all), "pod %d", i)
		res, err := fused.Schedule(pi, r)
		require.NoError(t, err)
		require.NoError(t, c.Bind(pi, res.Node))
	}
	assert.Equal(t, resMemoSlots, c.res.live, "every slot in use")
}

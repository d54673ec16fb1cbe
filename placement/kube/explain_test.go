package kube

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// explainCluster is the worked example: A and B have 4 CPUs and 8 GiB, A
// running 1 CPU / 2 GiB, B 2 CPUs / 2 GiB and holding the pod's 500 MiB
// image; C has 8 CPUs, 16 GiB, nothing running, an SSD label and a
// PreferNoSchedule taint.
func explainCluster(t *testing.T) *Cluster {
	return clusterOf(t, nodes(
		node("a").cpu(4000).mem(8*gib),
		node("b").cpu(4000).mem(8*gib).image(500*mb, "registry.example/web:v1"),
		node("c").cpu(8000).mem(16*gib).label("disk", "ssd").taint("spot", "true", PreferNoSchedule),
	), on("a", pod("a-1").req(1000, 2*gib)), on("b", pod("b-1").req(2000, 2*gib)))
}

// explainPod asks for milliCPU and 1 GiB, runs registry.example/web:v1 and
// prefers (weight 10) disk=ssd.
func explainPod(milliCPU int64) Pod {
	p := pod("web-1").req(milliCPU, gib).preferredTerm(10, in("disk", "ssd")).obj()
	p.Containers[0].Image = "registry.example/web:v1"
	return p
}

func TestExplainTheWorkedExample(t *testing.T) {
	// Kubernetes' formulas, by hand, for a 1 CPU / 1 GiB pod:
	//   NodeResourcesFit, LeastAllocated ((alloc - req) * 100 / alloc per resource, averaged):
	//     a: cpu (4000-2000)*100/4000 = 50, mem (8-3)*100/8 = 62 -> 56
	//     b: cpu (4000-3000)*100/4000 = 25, mem 62 -> 43
	//     c: cpu (8000-1000)*100/8000 = 87, mem (16-1)*100/16 = 93 -> 90
	//   BalancedAllocation (b(f) = int((1 - |f_cpu - f_mem| / 2) * 100); 50 + (50 + b(with) - b(without)) / 2):
	//     a: without .25/.25 -> 100, with .5/.375 -> 93: 50 + 43/2 = 71
	//     b: without .5/.25 -> 87, with .75/.375 -> 81: 50 + 44/2 = 72
	//     c: without 0/0 -> 100, with .125/.0625 -> 96: 50 + 46/2 = 73
	//   TaintToleration: untolerated PreferNoSchedule taints 0, 0, 1 -> reversed 100, 100, 0, weight 3
	//   NodeAffinity: preferred weights 0, 0, 10 -> 0, 0, 100, weight 2
	//   ImageLocality: 500 MiB on 1 of 3 nodes: int(524288000 / 3) = 174762666;
	//     b: 100 * (174762666 - 23 MiB) / (1000 MiB - 23 MiB) = 14; a, c: 0
	//   PodTopologySpread and InterPodAffinity: nothing to spread over or attract: skipped.
	// Totals: a 300 + 56 + 71 = 427; b 300 + 43 + 72 + 14 = 429; c 200 + 90 + 73 = 363: b wins, by its image.
	c := explainCluster(t)
	f, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)
	res, ex, err := f.Explain(mustPodInfo(t, c, explainPod(1000)), nil)
	require.NoError(t, err)
	assert.Equal(t, "b", c.NodeInfo(res.Node).Name())
	assert.Equal(t, "b", ex.Chosen)
	assert.Equal(t, []string{"b"}, ex.Best)
	assert.Equal(t, 3, ex.FeasibleNodes)
	assert.Equal(t, []ScorePluginInfo{
		{"TaintToleration", 3, false}, {"NodeAffinity", 2, false}, {"NodeResourcesFit", 1, false},
		{"PodTopologySpread", 2, true}, {"InterPodAffinity", 2, true}, {"NodeResourcesBalancedAllocation", 1, false}, {"ImageLocality", 1, false},
	}, ex.ScorePlugins)
	type row struct{ raw, norm int64 }
	want := map[string]struct {
		scores [7]row
		total  int64
	}{
		"a": {[7]row{{0, 100}, {0, 0}, {56, 56}, {0, 0}, {0, 0}, {71, 71}, {0, 0}}, 427},
		"b": {[7]row{{0, 100}, {0, 0}, {43, 43}, {0, 0}, {0, 0}, {72, 72}, {14, 14}}, 429},
		"c": {[7]row{{1, 0}, {10, 100}, {90, 90}, {0, 0}, {0, 0}, {73, 73}, {0, 0}}, 363},
	}
	require.Len(t, ex.Nodes, 3)
	for _, ne := range ex.Nodes {
		w := want[ne.Node]
		assert.True(t, ne.Evaluated && ne.Feasible, ne.Node)
		assert.Empty(t, ne.RejectedBy, ne.Node)
		require.Len(t, ne.Scores, 7, ne.Node)
		for i, s := range ne.Scores {
			assert.Equal(t, w.scores[i], row{s.Raw, s.Normalized}, "%s %s", ne.Node, s.Plugin)
			assert.Equal(t, s.Normalized*s.Weight, s.Weighted)
		}
		assert.Equal(t, w.total, ne.Total, ne.Node)
		for _, v := range ne.Filters {
			switch v.Plugin {
			case "NodeUnschedulable", "TaintToleration", "NodeResourcesFit":
				assert.Equal(t, "Success", v.Code, "%s %s", ne.Node, v.Plugin)
			default: // their PreFilters leave them out for this pod
				assert.Equal(t, "Skip", v.Code, "%s %s", ne.Node, v.Plugin)
			}
		}
	}
	// The totals are the framework's own.
	assert.Equal(t, []int64{427, 429, 363}, f.ScoreNodes(mustPodInfo(t, c, explainPod(1000)), infos(t, c, "a", "b", "c")))
}

func TestExplainNamesThePluginThatRejectedEachNode(t *testing.T) {
	c := explainCluster(t)
	f, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)

	// 5 CPUs fit c alone: chosen without scoring.
	_, ex, err := f.Explain(mustPodInfo(t, c, explainPod(5000)), nil)
	require.NoError(t, err)
	assert.Equal(t, "c", ex.Chosen)
	assert.Empty(t, ex.ScorePlugins)
	for _, ne := range ex.Nodes {
		if ne.Node == "c" {
			assert.True(t, ne.Feasible)
			continue
		}
		assert.False(t, ne.Feasible)
		assert.Equal(t, "NodeResourcesFit", ne.RejectedBy)
		assert.Contains(t, ne.Filters, Verdict{Plugin: "NodeResourcesFit", Code: "UnschedulableAndUnresolvable", Reasons: []string{"Insufficient cpu"}})
	}

	// 9 CPUs fit nowhere: the FitError, no choice.
	_, ex, err = f.Explain(mustPodInfo(t, c, explainPod(9000)), nil)
	require.Error(t, err)
	assert.Equal(t, "0/3 nodes are available: 3 Insufficient cpu.", ex.Error)
	assert.Empty(t, ex.Chosen)
	assert.Equal(t, 0, ex.FeasibleNodes)
	assert.Equal(t, 3, ex.EvaluatedNodes)
}

func TestExplainDecidesAsScheduleDoes(t *testing.T) {
	// Explaining must not change the run: the same choices, the same
	// round-robin start and the same draws from the stream.
	r1, r2 := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	c1, f1 := batchCluster(t, 200, 1500, rand.New(rand.NewPCG(5, 6)))
	c2, f2 := batchCluster(t, 200, 1500, rand.New(rand.NewPCG(5, 6)))
	for i, p := range batchProbes() {
		p1, p2 := mustPodInfo(t, c1, p), mustPodInfo(t, c2, p)
		want, werr := f1.Schedule(p1, r1)
		got, ex, gerr := f2.Explain(p2, r2)
		require.Equal(t, werr, gerr, p.Name)
		require.Equal(t, want, got, p.Name)
		require.Equal(t, f1.next, f2.next, p.Name)
		if want.Node != NoNode {
			assert.Equal(t, c1.NodeInfo(want.Node).Name(), ex.Chosen, p.Name)
			assert.Contains(t, ex.Best, ex.Chosen, p.Name)
			require.NoError(t, c1.Bind(p1, want.Node))
			require.NoError(t, c2.Bind(p2, got.Node))
		}
		evaluated := 0
		for _, ne := range ex.Nodes {
			if ne.Evaluated {
				evaluated++
			}
		}
		assert.Equal(t, want.EvaluatedNodes, evaluated, p.Name)
		if i == 0 {
			b, err := json.Marshal(ex)
			require.NoError(t, err)
			assert.Contains(t, string(b), `"rejected_by"`)
		}
	}
	assert.Equal(t, r1.Uint64(), r2.Uint64(), "the same draws")
}

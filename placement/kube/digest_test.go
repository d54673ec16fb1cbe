package kube

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// placementDigest schedules and binds 20,000 seeded pods of the benchmark's
// deployments and a few odd ones (best effort, PreferNoSchedule
// tolerations, own soft constraints, too big to fit) on a cluster of n
// nodes, with churn half way (pods unbound, nodes removed and added with
// other sizes, taints and cordons changed), and hashes every decision: the
// chosen node, the nodes evaluated and found feasible, the FitError's
// message.
func placementDigest(t testing.TB, n int) uint64 {
	r := rand.New(rand.NewPCG(21, 21))
	c := NewCluster()
	for i, nd := range benchNodes(n, r) {
		if i%41 == 9 {
			nd.Allocatable.MilliCPU += int64(i) // sizes that are not the benchmark's
			nd.Allocatable.MemoryBytes += int64(i) << 20
		}
		_, err := c.AddNode(nd)
		require.NoError(t, err)
	}
	f, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)
	probes := batchProbes()
	h := fnv.New64a()
	var bound []*PodInfo
	schedule := func(i int) {
		var p Pod
		switch {
		case i%97 == 3:
			p = probes[len(probes)-5+i%5]
		case i%211 == 7:
			p = pod("").label("app", "huge").req(64_000, 8*gib).obj()
		default:
			p = benchDeployment(i % 200)
		}
		p.Name = fmt.Sprint("d-", i)
		pi := mustPodInfo(t, c, p)
		res, err := f.Schedule(pi, r)
		var fe *FitError
		switch {
		case errors.As(err, &fe):
			fmt.Fprintf(h, "%d %d %d %s\n", i, res.EvaluatedNodes, res.FeasibleNodes, fe.Error())
			return
		case err != nil:
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%d %d %d %d\n", i, res.Node, res.EvaluatedNodes, res.FeasibleNodes)
		require.NoError(t, c.Bind(pi, res.Node))
		bound = append(bound, pi)
	}
	for i := range 12_000 {
		schedule(i)
	}
	for i, pi := range bound {
		if i%7 == 0 {
			ns, name, _ := cutKey(pi.Key())
			require.NoError(t, c.Unbind(ns, name))
		}
	}
	for i, nd := range infos(t, c) {
		switch {
		case i%53 == 0:
			c.RemoveNode(nd.ID())
		case i%61 == 1:
			c.SetTaints(nd.ID(), []Taint{{"spot", "true", PreferNoSchedule}})
		case i%67 == 2:
			c.SetUnschedulable(nd.ID(), true)
		}
	}
	for i, nd := range benchNodes(n/20, r) {
		nd.Name = fmt.Sprint("late-", i)
		nd.Labels[LabelHostname] = nd.Name
		nd.Allocatable.MilliCPU += int64(i)
		_, err := c.AddNode(nd)
		require.NoError(t, err)
	}
	for i := 12_000; i < 20_000; i++ {
		schedule(i)
	}
	requireHotInStep(t, c)
	return h.Sum64()
}

func cutKey(key string) (ns, name string, ok bool) {
	for i := range len(key) {
		if key[i] == '/' {
			return key[:i], key[i+1:], true
		}
	}
	return "", key, false
}

func TestPlacementsMatchTheirDigest(t *testing.T) {
	// Every decision of a seeded run, hashed: a change that makes the
	// scheduler faster must not change one. The digests were taken before
	// the fast paths of issue 21's speed work.
	for _, tc := range []struct {
		nodes int
		want  uint64
	}{
		{400, 0xd7b5dc3840e01de0},
		{3000, 0xbdcb1f192b6be0bd},
	} {
		assert.Equal(t, tc.want, placementDigest(t, tc.nodes), "%d nodes", tc.nodes)
	}
}

// requireHotInStep checks every node's hot fields against its NodeInfo.
func requireHotInStep(t testing.TB, c *Cluster) {
	t.Helper()
	got, gotDom, gotCode := append([]nodeHot(nil), c.hot...), append([]nodeDom(nil), c.hotDom...), append([]uint16(nil), c.hotCode...)
	for _, n := range c.nodes {
		c.syncHot(n)
	}
	require.Equal(t, c.hot, got, "hot fields out of step")
	require.Equal(t, c.hotDom, gotDom, "hot domains out of step")
	require.Equal(t, c.hotCode, gotCode, "hot codes out of step")
}

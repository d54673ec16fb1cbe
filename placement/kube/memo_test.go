package kube

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The caches the speed work added keep answers that depend on state which
// changes: each test changes that state after a first lookup and checks the
// answer follows.

func TestPreferredNodeAffinityMemoFollowsTheNodes(t *testing.T) {
	// NodeAffinity's preferred scores are kept per node for a set of terms;
	// a node removed and another taking its ID (with other labels) must be
	// scored afresh. Expected: weight 50 on a c5.4xlarge node, 0 elsewhere.
	c := clusterOf(t, nodes(node("a").label("type", "c5.4xlarge"), node("b").label("type", "m5.2xlarge")))
	pl := &NodeAffinity{}
	p := pod("p").preferredTerm(50, in("type", "c5.4xlarge")).obj()
	scoreAll := func() map[string]int64 {
		pi := mustPodInfo(t, c, p)
		all := infos(t, c)
		out := make([]int64, len(all))
		pl.scoreAll(pi, all, out)
		got := map[string]int64{}
		for i, n := range all {
			got[n.Name()] = out[i]
			assert.Equal(t, pl.Score(pi, n), out[i], "%s: scoreAll is Score", n.Name())
		}
		return got
	}
	assert.Equal(t, map[string]int64{"a": 50, "b": 0}, scoreAll())
	assert.Equal(t, map[string]int64{"a": 50, "b": 0}, scoreAll(), "memoised")
	id, ok := c.Lookup("a")
	require.True(t, ok)
	c.RemoveNode(id)
	nid, err := c.AddNode(node("c").label("type", "m5.2xlarge").obj())
	require.NoError(t, err)
	require.Equal(t, id, nid, "the new node takes the removed one's ID")
	assert.Equal(t, map[string]int64{"b": 0, "c": 0}, scoreAll(), "c is not a")
	_, err = c.AddNode(node("d").label("type", "c5.4xlarge").obj())
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"b": 0, "c": 0, "d": 50}, scoreAll())
}

func TestMatchingTermsFollowNewTerms(t *testing.T) {
	// The existing terms selecting a pod are cached by its namespace and
	// labels; a term that appears after the first lookup (a pod with
	// required anti-affinity to app=web bound on n1) must reach the next
	// pod with those labels: it can no longer go to n1.
	c := clusterOf(t, nodes(node("n1"), node("n2")))
	f, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)
	web := func(i int) *PodInfo {
		return mustPodInfo(t, c, pod(fmt.Sprint("web-", i)).label("app", "web").req(100, gib).obj())
	}
	_, err = f.Schedule(web(0), nil)
	require.NoError(t, err)
	assert.Empty(t, c.matchingTerms(web(0)), "no term yet")
	guard := mustPodInfo(t, c, pod("guard").label("app", "guard").req(100, gib).
		antiAffinity(&PodAffinityRules{Required: []PodAffinityTerm{{LabelSelector: matchLabels("app", "web"), TopologyKey: LabelHostname}}}).obj())
	n1, _ := c.Lookup("n1")
	n2, _ := c.Lookup("n2")
	require.NoError(t, c.Bind(guard, n1))
	require.Len(t, c.matchingTerms(web(1)), 1, "the guard's term selects app=web")
	for i := range 20 {
		res, err := f.Schedule(web(i+1), nil)
		require.NoError(t, err)
		assert.Equal(t, n2, res.Node, "web-%d", i+1)
	}
}

func TestSharedSelectorsAndLabelSetsAreEqualToFreshOnes(t *testing.T) {
	// Selectors from matchLabels, label sets and image signatures are shared
	// between pods with the same ones; sharing must not mix up different
	// ones (same keys, other values; keys and values that concatenate
	// alike).
	c := NewCluster()
	in := &c.in
	for _, m := range []map[string]string{
		{"app": "web"}, {"app": "api"}, {"app": "web", "tier": "front"}, {"ap": "pweb"}, {"a": "pp", "web": ""},
	} {
		got, err := in.labelSelector(&LabelSelector{MatchLabels: m})
		require.NoError(t, err)
		want, err := in.compileSelector(&LabelSelector{MatchLabels: m})
		require.NoError(t, err)
		assert.Equal(t, want, got, "%v", m)
		again, err := in.labelSelector(&LabelSelector{MatchLabels: m})
		require.NoError(t, err)
		assert.Equal(t, want, again, "%v from the cache", m)
		ls := in.labels(m)
		assert.Len(t, ls, len(m))
		for k, v := range m {
			got, ok := ls.get(in.id(k))
			assert.True(t, ok, "%v: %s", m, k)
			assert.Equal(t, in.id(v), got, "%v: %s", m, k)
		}
	}
	a := mustPodInfo(t, c, pod("a").image("registry.example/app-01:v1").obj())
	b := mustPodInfo(t, c, pod("b").image("registry.example/app-02:v1").obj())
	a2 := mustPodInfo(t, c, pod("a2").image("registry.example/app-01:v1").obj())
	assert.NotEqual(t, a.imageSig, b.imageSig)
	assert.Equal(t, a.imageSig, a2.imageSig)
	_, err := in.labelSelector(&LabelSelector{MatchLabels: map[string]string{"app": "not valid!"}})
	assert.Error(t, err, "an invalid selector is an error from the cache's path too")
	_, err = in.labelSelector(&LabelSelector{MatchLabels: map[string]string{"app": "not valid!"}})
	assert.Error(t, err, "and is not cached")
}

func TestSelectHostIsReservoirSampling(t *testing.T) {
	// selectHost against the plain reservoir loop, whatever shape a faster
	// one takes: the same choice and the same numbers drawn from r (so the
	// stream is where it would be for the next pod).
	reference := func(total []int64, r *rand.Rand) int {
		best, ties, top := 0, 1, total[0]
		for i, s := range total {
			switch {
			case s > top:
				best, ties, top = i, 1, s
			case s == top && i > 0:
				ties++
				if r != nil && r.IntN(ties) == 0 {
					best = i
				}
			}
		}
		return best
	}
	gen := rand.New(rand.NewPCG(3, 4))
	a, b := rand.New(rand.NewPCG(5, 6)), rand.New(rand.NewPCG(5, 6))
	for n := range 3000 {
		total := make([]int64, 1+gen.IntN(60))
		for i := range total {
			total[i] = int64(gen.IntN(1 + n%5))
		}
		require.Equal(t, reference(total, a), selectHost(total, b), "%v", total)
		require.Equal(t, reference(total, nil), selectHost(total, nil), "%v without r", total)
		require.Equal(t, a.Uint64(), b.Uint64(), "same draws for %v", total)
	}
}

func TestReplicaEqualsNewPodInfo(t *testing.T) {
	// A replica stamped from a compiled template is what NewPodInfo compiles
	// for the same pod under the new name, field for field, and schedules
	// and binds as its own pod.
	c := clusterOf(t, nodes(node("n1").label("zone", "a").label("pool", "general"), node("n2").label("zone", "b").label("pool", "general")))
	tmpl := func(name string) Pod {
		return pod(name).ns("team-1").label("app", "web").req(200, gib/2).image("registry.example/web:v1").
			hostPort(TCP, "", 8080).nodeSelector("pool", "general").preferredTerm(40, in("zone", "a")).
			tolerate(Toleration{Key: "spot", Operator: TolerationExists}).
			spread(1, "zone", DoNotSchedule, matchLabels("app", "web")).
			antiAffinity(&PodAffinityRules{Preferred: []WeightedPodAffinityTerm{{Weight: 100, Term: PodAffinityTerm{LabelSelector: matchLabels("app", "web"), TopologyKey: LabelHostname}}}}).
			defaultSpread(matchLabels("app", "web")).obj()
	}
	first := mustPodInfo(t, c, tmpl("web-0"))
	r, err := first.Replica("web-1")
	require.NoError(t, err)
	assert.Equal(t, mustPodInfo(t, c, tmpl("web-1")), r)
	assert.Equal(t, "team-1/web-1", r.Key())
	assert.Equal(t, "team-1/web-0", first.Key(), "the template keeps its name")
	_, err = first.Replica("")
	assert.ErrorContains(t, err, "name: empty")

	f, err := NewFramework(c, DefaultProfile())
	require.NoError(t, err)
	res, err := f.Schedule(first, nil)
	require.NoError(t, err)
	require.NoError(t, c.Bind(first, res.Node))
	// The replica spreads away from the template's pod: host port 8080 and
	// the zone constraint leave only the other node.
	res2, err := f.Schedule(r, nil)
	require.NoError(t, err)
	assert.NotEqual(t, res.Node, res2.Node)
	require.NoError(t, c.Bind(r, res2.Node))
	assert.Error(t, c.Bind(r, res2.Node), "bound once")
}

func TestSelectCodedIsSelectHost(t *testing.T) {
	// Adding each node's code to its base while choosing chooses what
	// selectHost chooses over the summed totals, with the same draws.
	gen := rand.New(rand.NewPCG(7, 8))
	a, b := rand.New(rand.NewPCG(9, 10)), rand.New(rand.NewPCG(9, 10))
	for n := range 3000 {
		k := 1 + gen.IntN(60)
		base, codes, comb := make([]int64, k), make([]uint16, k), new([maxCodes]int64)
		for i := range 8 {
			comb[i] = int64(gen.IntN(1 + n%4))
		}
		sum := make([]int64, k)
		for i := range base {
			base[i], codes[i] = int64(gen.IntN(1+n%3)), uint16(gen.IntN(8))
			sum[i] = base[i] + comb[codes[i]]
		}
		require.Equal(t, selectHost(sum, a), selectCoded(base, codes, comb, b), "%v", sum)
		require.Equal(t, selectHost(sum, nil), selectCoded(base, codes, comb, nil), "%v without r", sum)
		require.Equal(t, a.Uint64(), b.Uint64(), "same draws for %v", sum)
	}
}

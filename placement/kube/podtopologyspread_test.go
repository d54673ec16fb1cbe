package kube

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withFoo places n pods labelled foo on the node.
func withFoo(nodeName string, n int) []placed {
	var out []placed
	for i := range n {
		out = append(out, on(nodeName, pod(fmt.Sprintf("p-%s%d", nodeName, i)).label("foo", "")))
	}
	return out
}

func concat(ps ...[]placed) []placed {
	var out []placed
	for _, p := range ps {
		out = append(out, p...)
	}
	return out
}

func TestPodTopologySpreadScoreKubeCases(t *testing.T) {
	// kube's scoring_test.go TestPodTopologySpreadScore (v1.37.2). X/Y: X
	// matching pods on the first node, Y on the second; ~Y~: not a candidate;
	// ?Y?: a candidate without the topology key.
	foo := labelSel(exists("foo"))
	hostnames := func(names ...string) []Node {
		var out []Node
		for _, n := range names {
			out = append(out, node(n).obj())
		}
		return out
	}
	cases := []struct {
		name     string
		pod      *podB
		nodes    []Node
		existing []placed
		feasible []string
		want     []int64
	}{
		{"one constraint on node, no existing pods: every raw score is 0 -> 100",
			pod("p").label("foo", "").spread(1, LabelHostname, ScheduleAnyway, foo),
			hostnames("node-a", "node-b"), nil, nil, []int64{100, 100}},
		{"one constraint on node, only one node is candidate",
			pod("p").label("foo", "").spread(1, LabelHostname, ScheduleAnyway, foo),
			hostnames("node-a", "node-b"), concat(withFoo("node-a", 2), withFoo("node-b", 1)), []string{"node-a"}, []int64{100}},
		{"one constraint on node, all nodes have the same number of matching pods",
			pod("p").label("foo", "").spread(1, LabelHostname, ScheduleAnyway, foo),
			hostnames("node-a", "node-b"), concat(withFoo("node-a", 1), withFoo("node-b", 1)), nil, []int64{100, 100}},
		{"one constraint on node, all 4 nodes are candidates: 2/1/0/3, w = ln(6), raw 4/2/0/5 -> 100*(5+0-raw)/5",
			pod("p").label("foo", "").spread(1, LabelHostname, ScheduleAnyway, foo),
			hostnames("node-a", "node-b", "node-c", "node-d"), concat(withFoo("node-a", 2), withFoo("node-b", 1), withFoo("node-d", 3)),
			nil, []int64{20, 60, 100, 0}},
		{"one constraint on node, null selector: counts nothing",
			pod("p").label("foo", "").spread(1, LabelHostname, ScheduleAnyway, nil),
			hostnames("node-a", "node-b", "node-c", "node-d"), concat(withFoo("node-a", 2), withFoo("node-b", 1), withFoo("node-d", 3)),
			nil, []int64{100, 100, 100, 100}},
		{"one constraint on node, all 4 nodes are candidates, maxSkew=2: raw + 1 each",
			pod("p").label("foo", "").spread(2, LabelHostname, ScheduleAnyway, foo),
			hostnames("node-a", "node-b", "node-c", "node-d"), concat(withFoo("node-a", 2), withFoo("node-b", 1), withFoo("node-d", 3)),
			nil, []int64{33, 66, 100, 16}},
		{"one constraint on node, all 4 nodes are candidates, maxSkew=3: 4/3/2/1",
			pod("p").label("foo", "").spread(3, LabelHostname, ScheduleAnyway, foo),
			hostnames("node-a", "node-b", "node-c", "node-d"),
			concat(withFoo("node-a", 4), withFoo("node-b", 3), withFoo("node-c", 2), withFoo("node-d", 1)),
			nil, []int64{44, 66, 77, 100}},
		{"system defaulting, nodes don't have zone, pods match service: same as hostname maxSkew 3",
			pod("p").label("foo", "").defaultSpread(matchLabels("foo", "")),
			hostnames("node-a", "node-b", "node-c", "node-d"),
			concat(withFoo("node-a", 4), withFoo("node-b", 3), withFoo("node-c", 2), withFoo("node-d", 1)),
			nil, []int64{44, 66, 77, 100}},
		{"one constraint on node, 3 out of 4 nodes are candidates: 4/2/1/~3~",
			pod("p").label("foo", "").spread(1, LabelHostname, ScheduleAnyway, foo),
			hostnames("node-a", "node-b", "node-x", "node-y"),
			concat(withFoo("node-a", 4), withFoo("node-b", 2), withFoo("node-x", 1), withFoo("node-y", 3)),
			[]string{"node-a", "node-b", "node-x"}, []int64{33, 83, 100}},
		{"one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key: 4/?2?/1/~3~",
			pod("p").label("foo", "").spread(1, LabelHostname, ScheduleAnyway, foo),
			nodes(node("node-a"), node("node-b").noHostname().label("n", "node-b"), node("node-x"), node("node-y")),
			concat(withFoo("node-a", 4), withFoo("node-b", 2), withFoo("node-x", 1), withFoo("node-y", 3)),
			[]string{"node-a", "node-b", "node-x"}, []int64{16, 0, 100}},
		{"one constraint on zone, 3 out of 4 nodes are candidates: zone1 6, zone2 4 (node-y's pods count)",
			pod("p").label("foo", "").spread(1, "zone", ScheduleAnyway, foo),
			nodes(node("node-a").label("zone", "zone1"), node("node-b").label("zone", "zone1"), node("node-x").label("zone", "zone2"), node("node-y").label("zone", "zone2")),
			concat(withFoo("node-a", 4), withFoo("node-b", 2), withFoo("node-x", 1), withFoo("node-y", 3)),
			[]string{"node-a", "node-b", "node-x"}, []int64{75, 75, 100}},
		{"two Constraints on zone and node, 2 out of 4 nodes are candidates: 2/~1~/2/~4~",
			pod("p").label("foo", "").spread(1, "zone", ScheduleAnyway, foo).spread(1, LabelHostname, ScheduleAnyway, foo),
			nodes(node("node-a").label("zone", "zone1"), node("node-b").label("zone", "zone1"), node("node-x").label("zone", "zone2"), node("node-y").label("zone", "zone2")),
			concat(withFoo("node-a", 2), withFoo("node-b", 1), withFoo("node-x", 2), withFoo("node-y", 4)),
			[]string{"node-a", "node-x"}, []int64{100, 63}},
		{"existing pods in a different namespace do not count",
			pod("p").label("foo", "").spread(1, LabelHostname, ScheduleAnyway, foo),
			hostnames("node-a", "node-b"), []placed{on("node-a", pod("other").ns("ns2").label("foo", "")), on("node-b", pod("same").label("foo", ""))},
			nil, []int64{100, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clusterOf(t, tc.nodes, tc.existing...)
			got, skipped := runScore(t, c, &PodTopologySpread{}, mustPodInfo(t, c, tc.pod.obj()), tc.feasible...)
			require.False(t, skipped)
			assert.Equal(t, tc.want, got)
		})
	}
}

// webPods places n pods labelled app=web on the node.
func webPods(nodeName string, n int) []placed {
	var out []placed
	for i := range n {
		out = append(out, on(nodeName, pod(fmt.Sprintf("web-%s-%d", nodeName, i)).label("app", "web")))
	}
	return out
}

func TestDefaultSpreadConstraintsScoreAndNeverFilter(t *testing.T) {
	// Cluster defaults: hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway.
	// n1, n2 in zone a, n3 in b, n4 in c; app=web pods 3/1/2/0, so zones a=4,
	// b=2, c=0. Weights: hostname ln(4+2) = 1.7918, zone ln(3+2) = 1.6094.
	//   n1: 3*1.7918 + 2 + 4*1.6094 + 4 = 17.81 -> 18
	//   n2: 1*1.7918 + 2 + 4*1.6094 + 4 = 14.23 -> 14
	//   n3: 2*1.7918 + 2 + 2*1.6094 + 4 = 12.80 -> 13
	//   n4: 0        + 2 + 0        + 4 = 6
	// Normalised 100*(18+6-raw)/18: 33, 55, 61, 100.
	c := clusterOf(t, nodes(node("n1").zone("a"), node("n2").zone("a"), node("n3").zone("b"), node("n4").zone("c")),
		concat(webPods("n1", 3), webPods("n2", 1), webPods("n3", 2))...)
	p := mustPodInfo(t, c, pod("web-new").label("app", "web").defaultSpread(matchLabels("app", "web")).obj())
	got, _ := runScore(t, c, &PodTopologySpread{}, p)
	assert.Equal(t, []int64{33, 55, 61, 100}, got)
	assert.Equal(t, []Status{fits, fits, fits, fits}, runFilter(t, c, &PodTopologySpread{}, p),
		"the defaults are ScheduleAnyway: no node is filtered however skewed")

	_, skipped := runScore(t, c, &PodTopologySpread{}, mustPodInfo(t, c, pod("lone").label("app", "web").obj()))
	assert.True(t, skipped, "without a controller selector there are no default constraints")
}

func TestPodTopologySpreadDoNotSchedule(t *testing.T) {
	// Zones a, b, c and a node without a zone label; app=web pods per zone
	// as given. A node passes when count(its zone) + self - min <= maxSkew.
	web := matchLabels("app", "web")
	zoned := nodes(node("a").zone("a"), node("b").zone("b"), node("c").zone("c"), node("nozone"))
	cases := []struct {
		name     string
		existing []placed
		pod      *podB
		want     []Status
	}{
		{"maxSkew 1 over 2/1/0: a 2+1-0 = 3 > 1, b 1+1-0 = 2 > 1, c 0+1-0 = 1 fits, no zone label is unresolvable",
			concat(webPods("a", 2), webPods("b", 1)),
			pod("p").label("app", "web").spread(1, LabelTopologyZone, DoNotSchedule, web),
			[]Status{unsched(ReasonSpreadConstraints), unsched(ReasonSpreadConstraints), fits, unresolved(ReasonSpreadMissingLabel)}},
		{"maxSkew 2 over 2/1/0: a 3 > 2, b 2 fits, c 1 fits",
			concat(webPods("a", 2), webPods("b", 1)),
			pod("p").label("app", "web").spread(2, LabelTopologyZone, DoNotSchedule, web),
			[]Status{unsched(ReasonSpreadConstraints), fits, fits, unresolved(ReasonSpreadMissingLabel)}},
		{"a pod its selector does not match adds no self: 2+0-0 = 2 > 1, 1 fits, 0 fits",
			concat(webPods("a", 2), webPods("b", 1)),
			pod("p").label("app", "api").spread(1, LabelTopologyZone, DoNotSchedule, web),
			[]Status{unsched(ReasonSpreadConstraints), fits, fits, unresolved(ReasonSpreadMissingLabel)}},
		{"1/1/1 with minDomains 3: min 1, each 1+1-1 = 1 fits",
			concat(webPods("a", 1), webPods("b", 1), webPods("c", 1)),
			pod("p").label("app", "web").spreadC(TopologySpreadConstraint{MaxSkew: 1, TopologyKey: LabelTopologyZone, WhenUnsatisfiable: DoNotSchedule, LabelSelector: web, MinDomains: 3}),
			[]Status{fits, fits, fits, unresolved(ReasonSpreadMissingLabel)}},
		{"1/1/1 with minDomains 4: 3 domains < 4, min is 0, each 1+1-0 = 2 > 1",
			concat(webPods("a", 1), webPods("b", 1), webPods("c", 1)),
			pod("p").label("app", "web").spreadC(TopologySpreadConstraint{MaxSkew: 1, TopologyKey: LabelTopologyZone, WhenUnsatisfiable: DoNotSchedule, LabelSelector: web, MinDomains: 4}),
			[]Status{unsched(ReasonSpreadConstraints), unsched(ReasonSpreadConstraints), unsched(ReasonSpreadConstraints), unresolved(ReasonSpreadMissingLabel)}},
		{"nodeAffinityPolicy Honor (default) counts only zones a and b the pod may use: min 1, a 2+1-1 = 2 > 1, b fits, c 0+1-1 fits",
			concat(webPods("a", 2), webPods("b", 1)),
			pod("p").label("app", "web").requiredTerm(in(LabelTopologyZone, "a", "b")).spread(1, LabelTopologyZone, DoNotSchedule, web),
			[]Status{unsched(ReasonSpreadConstraints), fits, fits, unresolved(ReasonSpreadMissingLabel)}},
		{"nodeAffinityPolicy Ignore counts zone c too: min 0, b 1+1-0 = 2 > 1",
			concat(webPods("a", 2), webPods("b", 1)),
			pod("p").label("app", "web").requiredTerm(in(LabelTopologyZone, "a", "b")).spreadC(TopologySpreadConstraint{
				MaxSkew: 1, TopologyKey: LabelTopologyZone, WhenUnsatisfiable: DoNotSchedule, LabelSelector: web, NodeAffinityPolicy: PolicyIgnore}),
			[]Status{unsched(ReasonSpreadConstraints), unsched(ReasonSpreadConstraints), fits, unresolved(ReasonSpreadMissingLabel)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clusterOf(t, zoned, tc.existing...)
			assert.Equal(t, tc.want, runFilter(t, c, &PodTopologySpread{}, mustPodInfo(t, c, tc.pod.obj())))
		})
	}
}

func TestPodTopologySpreadTaintsPolicyHonor(t *testing.T) {
	// Zone c's only node is tainted: with nodeTaintsPolicy Honor it is not an
	// eligible domain, so min is 1 (zone b) instead of 0.
	web := matchLabels("app", "web")
	c := clusterOf(t, nodes(node("a").zone("a"), node("b").zone("b"), node("c").zone("c").taint("dedicated", "x", NoSchedule)),
		concat(webPods("a", 2), webPods("b", 1))...)
	honor := pod("p").label("app", "web").spreadC(TopologySpreadConstraint{MaxSkew: 1, TopologyKey: LabelTopologyZone,
		WhenUnsatisfiable: DoNotSchedule, LabelSelector: web, NodeTaintsPolicy: PolicyHonor})
	assert.Equal(t, []Status{unsched(ReasonSpreadConstraints), fits, fits}, runFilter(t, c, &PodTopologySpread{}, mustPodInfo(t, c, honor.obj())))
	ignore := pod("q").label("app", "web").spread(1, LabelTopologyZone, DoNotSchedule, web)
	assert.Equal(t, []Status{unsched(ReasonSpreadConstraints), unsched(ReasonSpreadConstraints), fits}, runFilter(t, c, &PodTopologySpread{}, mustPodInfo(t, c, ignore.obj())))
}

func TestPodTopologySpreadCountsFollowBindAndUnbind(t *testing.T) {
	web := matchLabels("app", "web")
	c := clusterOf(t, nodes(node("a").zone("a"), node("b").zone("b")))
	spec := func(name string) Pod {
		return pod(name).label("app", "web").spread(1, LabelTopologyZone, DoNotSchedule, web).obj()
	}
	p1 := mustPodInfo(t, c, spec("w1"))
	a, _ := c.Lookup("a")
	require.NoError(t, c.Bind(p1, a))
	// a=1, b=0: a 1+1-0 = 2 > 1.
	assert.Equal(t, []Status{unsched(ReasonSpreadConstraints), fits}, runFilter(t, c, &PodTopologySpread{}, mustPodInfo(t, c, spec("w2"))))
	require.NoError(t, c.Unbind("default", "w1"))
	assert.Equal(t, []Status{fits, fits}, runFilter(t, c, &PodTopologySpread{}, mustPodInfo(t, c, spec("w3"))))
}

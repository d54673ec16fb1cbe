package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func required(terms ...PodAffinityTerm) *PodAffinityRules { return &PodAffinityRules{Required: terms} }
func preferred(terms ...WeightedPodAffinityTerm) *PodAffinityRules {
	return &PodAffinityRules{Preferred: terms}
}
func term(key string, sel *LabelSelector, namespaces ...string) PodAffinityTerm {
	return PodAffinityTerm{LabelSelector: sel, TopologyKey: key, Namespaces: namespaces}
}
func weighted(w int32, t PodAffinityTerm) WeightedPodAffinityTerm {
	return WeightedPodAffinityTerm{w, t}
}

func TestInterPodAffinityFilter(t *testing.T) {
	// n1, n2 in zone a, n3 in zone b, n4 has no zone label; an app=db pod runs
	// on n1.
	db := matchLabels("app", "db")
	web := matchLabels("app", "web")
	base := nodes(node("n1").zone("a"), node("n2").zone("a"), node("n3").zone("b"), node("n4"))
	dbOnN1 := on("n1", pod("db").label("app", "db"))
	cases := []struct {
		name     string
		existing []placed
		pod      *podB
		want     []Status
	}{
		{"a pod without terms can go anywhere", []placed{dbOnN1}, pod("p"), []Status{fits, fits, fits, fits}},
		{"required affinity to app=db by zone: zone a fits, zone b does not, a node without the zone key never does",
			[]placed{dbOnN1}, pod("p").affinity(required(term(LabelTopologyZone, db))),
			[]Status{fits, fits, unresolved(ReasonPodAffinity), unresolved(ReasonPodAffinity)}},
		{"the first pod of a group with affinity to itself may go on any node with the key",
			[]placed{dbOnN1}, pod("p").label("app", "web").affinity(required(term(LabelTopologyZone, web))),
			[]Status{fits, fits, fits, unresolved(ReasonPodAffinity)}},
		{"once one pod of the group runs, the others must follow it",
			[]placed{dbOnN1, on("n3", pod("web-1").label("app", "web"))}, pod("p").label("app", "web").affinity(required(term(LabelTopologyZone, web))),
			[]Status{unresolved(ReasonPodAffinity), unresolved(ReasonPodAffinity), fits, unresolved(ReasonPodAffinity)}},
		{"required affinity counts only the term's namespaces",
			[]placed{dbOnN1}, pod("p").affinity(required(term(LabelTopologyZone, db, "other"))),
			[]Status{unresolved(ReasonPodAffinity), unresolved(ReasonPodAffinity), unresolved(ReasonPodAffinity), unresolved(ReasonPodAffinity)}},
		{"required anti-affinity to app=db by hostname keeps off n1 only",
			[]placed{dbOnN1}, pod("p").antiAffinity(required(term(LabelHostname, db))),
			[]Status{unsched(ReasonPodAntiAffinity), fits, fits, fits}},
		{"required anti-affinity to app=db by zone keeps off zone a; a node without the key is not in that zone",
			[]placed{dbOnN1}, pod("p").antiAffinity(required(term(LabelTopologyZone, db))),
			[]Status{unsched(ReasonPodAntiAffinity), unsched(ReasonPodAntiAffinity), fits, fits}},
		{"an existing pod's required anti-affinity keeps the pods it selects off its node",
			[]placed{dbOnN1, on("n3", pod("cache").label("app", "cache").antiAffinity(required(term(LabelHostname, web))))},
			pod("p").label("app", "web"), []Status{fits, fits, unsched(ReasonExistingAntiAffinity), fits}},
		{"an existing pod's anti-affinity selects only pods of its own namespace by default",
			[]placed{dbOnN1, on("n3", pod("cache").label("app", "cache").antiAffinity(required(term(LabelHostname, web))))},
			pod("p").ns("other").label("app", "web"), []Status{fits, fits, fits, fits}},
		{"affinity is checked before anti-affinity: n1 has the db for both",
			[]placed{dbOnN1}, pod("p").affinity(required(term(LabelTopologyZone, db))).antiAffinity(required(term(LabelHostname, db))),
			[]Status{unsched(ReasonPodAntiAffinity), fits, unresolved(ReasonPodAffinity), unresolved(ReasonPodAffinity)}},
		{"several affinity terms must be met by the same pod: no pod is both app=db and tier=gold",
			[]placed{dbOnN1, on("n2", pod("gold").label("tier", "gold"))},
			pod("p").affinity(required(term(LabelTopologyZone, db), term(LabelTopologyZone, matchLabels("tier", "gold")))),
			[]Status{unresolved(ReasonPodAffinity), unresolved(ReasonPodAffinity), unresolved(ReasonPodAffinity), unresolved(ReasonPodAffinity)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clusterOf(t, base, tc.existing...)
			assert.Equal(t, tc.want, runFilter(t, c, NewInterPodAffinity(), mustPodInfo(t, c, tc.pod.obj())))
		})
	}
}

func TestInterPodAffinityScoreKubeCases(t *testing.T) {
	// kube's scoring_test.go TestPreferredAffinity (v1.37.2), the rows without
	// namespaceSelector. Weights: stayWithS1InRegion 5, stayWithS2InRegion 6,
	// affinity3 8 and 2, awayFrom*InAz 5, stayWithS1InRegionAwayFromS2InAz 8
	// and 5; raw = sum of weight x matching pods per domain; normalised
	// 100*(raw-min)/(max-min).
	s1 := func(b *podB) *podB { return b.label("security", "S1") }
	s2 := func(b *podB) *podB { return b.label("security", "S2") }
	china := func(n string) *nodeB { return node(n).label("region", "China") }
	india := func(n string) *nodeB { return node(n).label("region", "India") }
	az := func(n, v string) *nodeB { return node(n).label("az", v) }
	secIn := func(v ...string) *LabelSelector { return labelSel(in("security", v...)) }
	stayWithS1InRegion := preferred(weighted(5, term("region", secIn("S1"))))
	stayWithS2InRegion := preferred(weighted(6, term("region", secIn("S2"))))
	affinity3 := preferred(
		weighted(8, term("region", labelSel(notIn("security", "S1"), in("security", "S2")))),
		weighted(2, term("region", labelSel(exists("security"), doesNotExist("wrongkey")))))
	hardAffinity := required(term("region", secIn("S1", "value2")), term("region", labelSel(exists("security"), doesNotExist("wrongkey"))))
	awayFromS1InAz := preferred(weighted(5, term("az", secIn("S1"))))
	awayFromS2InAz := preferred(weighted(5, term("az", secIn("S2"))))
	stayS1AwayS2 := func(b *podB) *podB {
		return b.affinity(preferred(weighted(8, term("region", secIn("S1"))))).antiAffinity(awayFromS2InAz)
	}
	cases := []struct {
		name     string
		pod      *podB
		existing []placed
		nodes    []Node
		want     []int64
	}{
		{"Affinity: pod that matches topology key & pods in nodes will get high score comparing to others which doesn't match either pods in nodes or in topology key: China 5",
			s1(pod("p")).affinity(stayWithS1InRegion),
			[]placed{on("node1", s1(pod(""))), on("node2", s2(pod(""))), on("node3", s1(pod("")))},
			nodes(china("node1"), india("node2"), az("node3", "az1")), []int64{100, 0, 0}},
		{"All the nodes that have the same topology key & label value with one of them has an existing pod that match the affinity rules, have the same score",
			pod("p").affinity(stayWithS1InRegion),
			[]placed{on("node1", s1(pod("")))},
			nodes(china("node1"), china("node2").label("az", "az1"), india("node3")), []int64{100, 100, 0}},
		{"Affinity: nodes in one region has more matching pods comparing to other region, so the region which has more matches will get high score: China 4*6, India 2*6",
			s1(pod("p")).affinity(stayWithS2InRegion),
			[]placed{on("node1", s2(pod(""))), on("node1", s2(pod(""))), on("node2", s2(pod(""))), on("node3", s2(pod(""))), on("node4", s2(pod(""))), on("node5", s2(pod("")))},
			nodes(china("node1"), india("node2"), china("node3"), china("node4"), india("node5")), []int64{100, 0, 100, 100, 0}},
		{"Affinity: different Label operators and values for pod affinity scheduling preference, including some match failures: China 2, India 8+2 -> 20, 100, 0",
			s1(pod("p")).affinity(affinity3),
			[]placed{on("node1", s1(pod(""))), on("node2", s2(pod(""))), on("node3", s1(pod("")))},
			nodes(china("node1"), india("node2"), az("node3", "az1")), []int64{20, 100, 0}},
		{"Affinity symmetry: considered only the preferredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry: India 6",
			s2(pod("p")),
			[]placed{on("node1", s1(pod("")).affinity(stayWithS1InRegion)), on("node2", s2(pod("")).affinity(stayWithS2InRegion))},
			nodes(china("node1"), india("node2"), az("node3", "az1")), []int64{0, 100, 0}},
		{"Affinity symmetry: considered RequiredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry: hardPodAffinityWeight 1 per term, China 2, India 2",
			s1(pod("p")),
			[]placed{on("node1", s1(pod("")).affinity(hardAffinity)), on("node2", s2(pod("")).affinity(hardAffinity))},
			nodes(china("node1"), india("node2"), az("node3", "az1")), []int64{100, 100, 0}},
		{"Anti Affinity: pod that does not match existing pods in node will get high score: az1 -5",
			s1(pod("p")).antiAffinity(awayFromS1InAz),
			[]placed{on("node1", s1(pod(""))), on("node2", s2(pod("")))},
			nodes(az("node1", "az1"), china("node2")), []int64{0, 100}},
		{"Anti Affinity: one node has more matching pods comparing to other node, so the node which has more unmatches will get high score",
			s1(pod("p")).antiAffinity(awayFromS1InAz),
			[]placed{on("node1", s1(pod(""))), on("node1", s1(pod(""))), on("node2", s2(pod("")))},
			nodes(az("node1", "az1"), india("node2")), []int64{0, 100}},
		{"Anti Affinity symmetry: the existing pods in node which has anti affinity match will get high score",
			s2(pod("p")),
			[]placed{on("node1", s1(pod("")).antiAffinity(awayFromS2InAz)), on("node2", s2(pod("")).antiAffinity(awayFromS1InAz))},
			nodes(az("node1", "az1"), az("node2", "az2")), []int64{0, 100}},
		{"Affinity and Anti Affinity: considering both affinity and anti-affinity, the pod to schedule and existing pods have the same labels: China 5*8, India 2*8",
			stayS1AwayS2(s1(pod("p"))),
			[]placed{on("node1", s1(pod(""))), on("node1", s1(pod(""))), on("node2", s1(pod(""))), on("node3", s1(pod(""))), on("node3", s1(pod(""))), on("node4", s1(pod(""))), on("node5", s1(pod("")))},
			nodes(china("node1").label("az", "az1"), india("node2"), china("node3"), china("node4"), india("node5")), []int64{100, 0, 100, 100, 0}},
		{"Affinity and Anti Affinity and symmetry: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity & symmetry: 8, -5, 8, -5",
			stayS1AwayS2(s1(pod("p"))),
			[]placed{on("node1", s1(pod(""))), on("node2", s2(pod(""))), on("node3", stayS1AwayS2(pod(""))), on("node4", pod("").antiAffinity(awayFromS1InAz))},
			nodes(china("node1"), az("node2", "az1"), india("node3"), az("node4", "az2")), []int64{100, 0, 100, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clusterOf(t, tc.nodes, tc.existing...)
			got, skipped := runScore(t, c, NewInterPodAffinity(), mustPodInfo(t, c, tc.pod.obj()))
			require.False(t, skipped)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestInterPodAffinityScoreSkipsWhenNothingContributes(t *testing.T) {
	// kube: "all nodes are same priority as Affinity is nil" returns Skip.
	c := clusterOf(t, nodes(node("node1").label("region", "China"), node("node2").label("region", "India")),
		on("node1", pod("a").label("security", "S1")))
	_, skipped := runScore(t, c, NewInterPodAffinity(), mustPodInfo(t, c, pod("p").label("security", "S1").obj()))
	assert.True(t, skipped)
}

func TestInterPodAffinityRejectsAnInvalidSelector(t *testing.T) {
	// kube: "PodAffinity fails PreFilter with an invalid affinity label syntax".
	_, err := NewCluster().NewPodInfo(pod("p").affinity(required(term("region", labelSel(in("security", "{{.bad-value.}}"))))).obj())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `podAffinity.required[0].labelSelector: matchExpressions[0]: invalid label value "{{.bad-value.}}"`)
}

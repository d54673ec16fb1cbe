package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTaintTolerationFilter(t *testing.T) {
	// kube's taint_toleration_test.go TestTaintTolerationFilter (v1.37.2),
	// without the Lt/Gt rows of the alpha comparison operators, plus the
	// empty-key Exists rows.
	equal := func(k, v string, e TaintEffect) Toleration {
		return Toleration{Key: k, Operator: TolerationEqual, Value: v, Effect: e}
	}
	cases := []struct {
		name   string
		tols   []Toleration
		taints []Taint
		want   Status
	}{
		{"A pod having no tolerations can't be scheduled onto a node with nonempty taints",
			nil, []Taint{{"dedicated", "user1", NoSchedule}}, unresolved(ReasonUntoleratedTaint)},
		{"A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
			[]Toleration{equal("dedicated", "user1", NoSchedule)}, []Taint{{"dedicated", "user1", NoSchedule}}, fits},
		{"A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
			[]Toleration{equal("dedicated", "user2", NoSchedule)}, []Taint{{"dedicated", "user1", NoSchedule}}, unresolved(ReasonUntoleratedTaint)},
		{"A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node",
			[]Toleration{{Key: "foo", Operator: TolerationExists, Effect: NoSchedule}}, []Taint{{"foo", "bar", NoSchedule}}, fits},
		{"A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node",
			[]Toleration{equal("dedicated", "user2", NoSchedule), {Key: "foo", Operator: TolerationExists, Effect: NoSchedule}},
			[]Taint{{"dedicated", "user2", NoSchedule}, {"foo", "bar", NoSchedule}}, fits},
		{"A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node",
			[]Toleration{equal("foo", "bar", PreferNoSchedule)}, []Taint{{"foo", "bar", NoSchedule}}, unresolved(ReasonUntoleratedTaint)},
		{"The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node",
			[]Toleration{equal("foo", "bar", AnyEffect)}, []Taint{{"foo", "bar", NoSchedule}}, fits},
		{"The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
			[]Toleration{equal("dedicated", "user2", NoSchedule)}, []Taint{{"dedicated", "user1", PreferNoSchedule}}, fits},
		{"The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
			nil, []Taint{{"dedicated", "user1", PreferNoSchedule}}, fits},
		{"Exists with an empty key and no effect tolerates every taint",
			[]Toleration{{Operator: TolerationExists}}, []Taint{{"a", "1", NoSchedule}, {"b", "2", NoExecute}}, fits},
		{"Exists with an empty key and effect NoSchedule leaves a NoExecute taint untolerated",
			[]Toleration{{Operator: TolerationExists, Effect: NoSchedule}}, []Taint{{"a", "1", NoSchedule}, {"b", "2", NoExecute}}, unresolved(ReasonUntoleratedTaint)},
		{"A NoExecute taint filters like NoSchedule",
			nil, []Taint{{"node.kubernetes.io/not-ready", "", NoExecute}}, unresolved(ReasonUntoleratedTaint)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := node("nodeA")
			for _, ta := range tc.taints {
				b.taint(ta.Key, ta.Value, ta.Effect)
			}
			c := clusterOf(t, nodes(b))
			pb := pod("pod1")
			for _, tol := range tc.tols {
				pb.tolerate(tol)
			}
			assert.Equal(t, []Status{tc.want}, runFilter(t, c, TaintToleration{}, mustPodInfo(t, c, pb.obj())))
		})
	}
}

func TestTaintTolerationScore(t *testing.T) {
	// kube's TestTaintTolerationScore (v1.37.2): the raw score counts
	// untolerated PreferNoSchedule taints, normalised reversed:
	// 100 - 100*count/max(count).
	pns := func(k, v string) Taint { return Taint{k, v, PreferNoSchedule} }
	tol := func(k, v string, e TaintEffect) Toleration { return Toleration{Key: k, Value: v, Effect: e} }
	cases := []struct {
		name  string
		tols  []Toleration
		nodes [][]Taint
		want  []int64
	}{
		{"node with taints tolerated by the pod, gets a higher score than those node with intolerable taints",
			[]Toleration{tol("foo", "bar", PreferNoSchedule)}, [][]Taint{{pns("foo", "bar")}, {pns("foo", "blah")}}, []int64{100, 0}},
		{"the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has",
			[]Toleration{tol("cpu-type", "arm64", PreferNoSchedule), tol("disk-type", "ssd", PreferNoSchedule)},
			[][]Taint{{}, {pns("cpu-type", "arm64")}, {pns("cpu-type", "arm64"), pns("disk-type", "ssd")}}, []int64{100, 100, 100}},
		{"the more intolerable taints a node has, the lower score it gets: counts 0, 1, 2 -> 100, 100 - 100*1/2 = 50, 0",
			[]Toleration{tol("foo", "bar", PreferNoSchedule)},
			[][]Taint{{}, {pns("cpu-type", "arm64")}, {pns("cpu-type", "arm64"), pns("disk-type", "ssd")}}, []int64{100, 50, 0}},
		{"only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function",
			[]Toleration{tol("cpu-type", "arm64", NoSchedule), tol("disk-type", "ssd", NoSchedule)},
			[][]Taint{{}, {{"cpu-type", "arm64", NoSchedule}}, {pns("cpu-type", "arm64"), pns("disk-type", "ssd")}}, []int64{100, 100, 0}},
		{"Default behaviour No taints and tolerations, lands on node with no taints",
			nil, [][]Taint{{}, {pns("cpu-type", "arm64")}}, []int64{100, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ns []Node
			for i, taints := range tc.nodes {
				b := node(string(rune('A' + i)))
				for _, ta := range taints {
					b.taint(ta.Key, ta.Value, ta.Effect)
				}
				ns = append(ns, b.obj())
			}
			c := clusterOf(t, ns)
			pb := pod("pod1")
			for _, tl := range tc.tols {
				pb.tolerate(tl)
			}
			got, _ := runScore(t, c, TaintToleration{}, mustPodInfo(t, c, pb.obj()))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestNodeUnschedulableFilter(t *testing.T) {
	// node_unschedulable_test.go: a cordoned node takes only a pod tolerating
	// {node.kubernetes.io/unschedulable, NoSchedule}.
	c := clusterOf(t, nodes(node("open"), node("cordoned").cordoned()))
	plain := mustPodInfo(t, c, pod("plain").obj())
	tolerant := mustPodInfo(t, c, pod("tolerant").tolerate(Toleration{Key: TaintNodeUnschedulable, Operator: TolerationExists, Effect: NoSchedule}).obj())
	assert.Equal(t, []Status{fits, unresolved(ReasonNodeUnschedulable)}, runFilter(t, c, NodeUnschedulable{}, plain))
	assert.Equal(t, []Status{fits, fits}, runFilter(t, c, NodeUnschedulable{}, tolerant))

	id, _ := c.Lookup("cordoned")
	c.SetUnschedulable(id, false)
	assert.Equal(t, []Status{fits, fits}, runFilter(t, c, NodeUnschedulable{}, plain), "uncordoned")
}

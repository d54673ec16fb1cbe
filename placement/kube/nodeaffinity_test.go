package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNodeAffinityFilter(t *testing.T) {
	// Rows from kube's node_affinity_test.go TestNodeAffinity (v1.37.2) and
	// one per operator.
	cases := []struct {
		name   string
		pod    *podB
		labels map[string]string
		want   Status
	}{
		{"missing labels", pod("p").nodeSelector("foo", "bar"), nil, unresolved(ReasonNodeAffinity)},
		{"same labels", pod("p").nodeSelector("foo", "bar"), map[string]string{"foo": "bar"}, fits},
		{"node labels are superset", pod("p").nodeSelector("foo", "bar"), map[string]string{"foo": "bar", "baz": "blah"}, fits},
		{"node labels are subset", pod("p").nodeSelector("foo", "bar").nodeSelector("baz", "blah"), map[string]string{"foo": "bar"}, unresolved(ReasonNodeAffinity)},
		{"Pod with matchExpressions using In operator that matches the existing node",
			pod("p").requiredTerm(in("foo", "bar", "value2")), map[string]string{"foo": "bar"}, fits},
		{"Pod with matchExpressions using Gt operator that matches the existing node: 0206 > 0204",
			pod("p").requiredTerm(gt("kernel-version", "0204")), map[string]string{"kernel-version": "0206"}, fits},
		{"Pod with matchExpressions using NotIn operator that matches the existing node",
			pod("p").requiredTerm(notIn("mem-type", "DDR", "DDR2")), map[string]string{"mem-type": "DDR3"}, fits},
		{"Pod with matchExpressions using Exists operator that matches the existing node",
			pod("p").requiredTerm(exists("GPU")), map[string]string{"GPU": "NVIDIA-GRID-K1"}, fits},
		{"Pod with affinity that don't match node's labels won't schedule onto the node",
			pod("p").requiredTerm(notIn("foo", "value1", "value2")), map[string]string{"foo": "value1"}, unresolved(ReasonNodeAffinity)},
		{"Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node",
			pod("p").requiredTerm(), map[string]string{"foo": "bar"}, unresolved(ReasonNodeAffinity)},
		{"Pod with no Affinity will schedule onto a node", pod("p"), map[string]string{"foo": "bar"}, fits},
		{"Pod with multiple matchExpressions ANDed that matches the existing node",
			pod("p").requiredTerm(exists("GPU"), notIn("GPU", "AMD", "INTER")), map[string]string{"GPU": "NVIDIA-GRID-K1"}, fits},
		{"Pod with multiple matchExpressions ANDed that doesn't match the existing node",
			pod("p").requiredTerm(exists("GPU"), in("GPU", "AMD", "INTER")), map[string]string{"GPU": "NVIDIA-GRID-K1"}, unresolved(ReasonNodeAffinity)},
		{"Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node",
			pod("p").requiredTerm(in("foo", "bar", "value2")).requiredTerm(in("diffkey", "wrong", "value2")), map[string]string{"foo": "bar"}, fits},
		{"Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node",
			pod("p").nodeSelector("foo", "bar").requiredTerm(exists("foo")), map[string]string{"foo": "bar"}, fits},
		{"Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node",
			pod("p").nodeSelector("foo", "bar").requiredTerm(exists("foo")), map[string]string{"foo": "barrrrrr"}, unresolved(ReasonNodeAffinity)},
		{"Pod with an invalid value in Affinity term won't be scheduled onto the node",
			pod("p").requiredTerm(notIn("foo", "invalid value: ___@#$%^")), map[string]string{"foo": "bar"}, unresolved(ReasonNodeAffinity)},
		{"NotIn holds on a node without the label", pod("p").requiredTerm(notIn("foo", "bar")), nil, fits},
		{"DoesNotExist holds on a node without the label", pod("p").requiredTerm(doesNotExist("spot")), map[string]string{"foo": "bar"}, fits},
		{"DoesNotExist fails on a node with the label", pod("p").requiredTerm(doesNotExist("spot")), map[string]string{"spot": "true"}, unresolved(ReasonNodeAffinity)},
		{"Gt fails on an equal value: 8 > 8 is false", pod("p").requiredTerm(gt("cpus", "8")), map[string]string{"cpus": "8"}, unresolved(ReasonNodeAffinity)},
		{"Lt compares numbers, not strings: 16 < 100", pod("p").requiredTerm(lt("cpus", "100")), map[string]string{"cpus": "16"}, fits},
		{"Lt fails on a non-integer label value", pod("p").requiredTerm(lt("cpus", "100")), map[string]string{"cpus": "sixteen"}, unresolved(ReasonNodeAffinity)},
		{"Gt fails on a node without the label", pod("p").requiredTerm(gt("cpus", "1")), nil, unresolved(ReasonNodeAffinity)},
		{"Gt with a non-integer value matches no node", pod("p").requiredTerm(gt("cpus", "x")), map[string]string{"cpus": "8"}, unresolved(ReasonNodeAffinity)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clusterOf(t, nodes(node("node1").labels(tc.labels)))
			assert.Equal(t, []Status{tc.want}, runFilter(t, c, &NodeAffinity{}, mustPodInfo(t, c, tc.pod.obj())))
		})
	}
}

func TestNodeAffinityScore(t *testing.T) {
	// kube's TestNodeAffinityPriority (v1.37.2) affinity2: weights 2 (foo=bar),
	// 4 (key=value), 5 (foo=bar, key=value, az=az1).
	p := pod("p").preferredTerm(2, in("foo", "bar")).preferredTerm(4, in("key", "value")).
		preferredTerm(5, in("foo", "bar"), in("key", "value"), in("az", "az1"))
	c := clusterOf(t, nodes(
		node("node1").label("foo", "bar"),
		node("node5").label("foo", "bar").label("key", "value").label("az", "az1"),
		node("node2").label("key", "value"),
	))
	got, skipped := runScore(t, c, &NodeAffinity{}, mustPodInfo(t, c, p.obj()))
	require.False(t, skipped)
	// raw 2, 2+4+5 = 11, 4 -> 100*2/11 = 18, 100, 100*4/11 = 36
	assert.Equal(t, []int64{18, 100, 36}, got)

	_, skipped = runScore(t, c, &NodeAffinity{}, mustPodInfo(t, c, pod("q").obj()))
	assert.True(t, skipped, "Skip is returned in PreScore when NodeAffinity is nil")
}

func TestNodeAffinityRejectsABrokenPreferredTerm(t *testing.T) {
	// kube's PreScore fails on "invalid key"; fleetsim rejects the pod up front.
	_, err := NewCluster().NewPodInfo(pod("p").preferredTerm(2, in("invalid key", "bar")).obj())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `nodeAffinity.preferred[0]: matchExpressions[0]: invalid label key "invalid key"`)
}

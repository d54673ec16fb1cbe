package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// preemptionRig is a cluster whose bound pods are kept with their PodInfos
// and start times, the orchestrator's side of PreemptionInput.
type preemptionRig struct {
	c     *Cluster
	bound map[NodeID][]Victim
	start int64
}

func newPreemptionRig(t *testing.T, ns ...Node) *preemptionRig {
	r := &preemptionRig{c: NewCluster(), bound: map[NodeID][]Victim{}}
	for _, n := range ns {
		_, err := r.c.AddNode(n)
		require.NoError(t, err)
	}
	return r
}

func (r *preemptionRig) bind(t *testing.T, nodeName string, p Pod) *PodInfo {
	t.Helper()
	id, ok := r.c.Lookup(nodeName)
	require.True(t, ok)
	pi := mustPodInfo(t, r.c, p)
	require.NoError(t, r.c.Bind(pi, id))
	r.start++
	r.bound[id] = append(r.bound[id], Victim{Pod: pi, Start: r.start})
	return pi
}

func (r *preemptionRig) input(pri int32) PreemptionInput {
	return PreemptionInput{Lower: func(id NodeID) []Victim {
		var out []Victim
		for _, v := range r.bound[id] {
			if v.Pod.Priority() < pri {
				out = append(out, v)
			}
		}
		return out
	}}
}

// TestPreemptionChoosesTheNodeWhoseMostImportantVictimMattersLeast: three
// 4-CPU nodes full of lower-priority pods; a 2-CPU pod of priority 100.
// n1 must lose its priority-10 pod, n3 its priority-20 pod; on n2 one of
// two priority-5 pods is reprieved (the earlier started, more important
// one) and the other goes. n2's most important victim has the lowest
// priority: n2 wins, with one victim. The tainted n4 could make room too,
// but its rejection is unresolvable, so it is no candidate.
func TestPreemptionChoosesTheNodeWhoseMostImportantVictimMattersLeast(t *testing.T) {
	r := newPreemptionRig(t, node("n1").obj(), node("n2").obj(), node("n3").obj(),
		node("n4").taint("gpu", "", NoSchedule).obj())
	r.bind(t, "n1", pod("low10").priority(10).req(3000, gib).obj())
	early := r.bind(t, "n2", pod("a5").priority(5).req(1500, gib).obj())
	late := r.bind(t, "n2", pod("b5").priority(5).req(1500, gib).obj())
	r.bind(t, "n3", pod("c20").priority(20).req(3000, gib).obj())
	r.bind(t, "n4", pod("d1").priority(1).req(3000, gib).obj())
	f, err := NewFramework(r.c, DefaultProfile())
	require.NoError(t, err)
	p := mustPodInfo(t, r.c, pod("urgent").priority(100).req(2000, gib).obj())
	_, err = f.Schedule(p, nil)
	require.Error(t, err)

	got, ok := f.Preempt(p, r.input(100))
	require.True(t, ok)
	n2, _ := r.c.Lookup("n2")
	assert.Equal(t, n2, got.Node)
	assert.Equal(t, []*PodInfo{late}, got.Victims, "the later-started of the two equal pods goes")
	assert.NotContains(t, got.Victims, early)
	// The dry run left the cluster as it was.
	for _, name := range []string{"n1", "n2", "n3", "n4"} {
		id, _ := r.c.Lookup(name)
		assert.Equal(t, len(r.bound[id]), r.c.NodeInfo(id).NumPods(), name)
	}
	_, err = f.Schedule(p, nil)
	assert.Error(t, err, "nothing was evicted by the dry run")
}

func TestPreemptionNeedsLowerPriorityVictimsThatMakeRoom(t *testing.T) {
	r := newPreemptionRig(t, node("n1").obj())
	r.bind(t, "n1", pod("same").priority(100).req(3000, gib).obj())
	r.bind(t, "n1", pod("low").priority(1).req(500, gib).obj())
	f, err := NewFramework(r.c, DefaultProfile())
	require.NoError(t, err)
	p := mustPodInfo(t, r.c, pod("urgent").priority(100).req(2000, gib).obj())
	_, ok := f.Preempt(p, r.input(100))
	assert.False(t, ok, "evicting the priority-1 pod leaves 500m: no candidate; equal priority is never a victim")
}

func TestPickPreemptionNodeAppliesTheCriteriaInOrder(t *testing.T) {
	c := NewCluster()
	pi := func(name string, pri int32) *PodInfo { return mustPodInfo(t, c, pod(name).priority(pri).obj()) }
	cand := func(node NodeID, pdb int, starts []int64, vs ...*PodInfo) Preemption {
		return Preemption{Node: node, Victims: vs, PDBViolations: pdb, starts: starts}
	}
	for _, tc := range []struct {
		name  string
		cands []Preemption
		want  NodeID
	}{
		{"a node with no victims wins at once",
			[]Preemption{cand(0, 0, []int64{1}, pi("a", 1)), cand(1, 0, nil)}, 1},
		{"fewest budget violations first, whatever the priorities",
			[]Preemption{cand(0, 1, []int64{1}, pi("b", 1)), cand(1, 0, []int64{1}, pi("c", 50))}, 1},
		{"then the lowest priority of the most important victim",
			[]Preemption{cand(0, 0, []int64{1}, pi("d", 30)), cand(1, 0, []int64{1, 2}, pi("e", 20), pi("f", 20))}, 1},
		{"then the smallest sum of priorities",
			[]Preemption{cand(0, 0, []int64{1, 2}, pi("g", 20), pi("h", 10)), cand(1, 0, []int64{1, 2}, pi("i", 20), pi("j", 5))}, 1},
		{"negative priorities count as less than none",
			[]Preemption{cand(0, 0, []int64{1}, pi("k", 0)), cand(1, 0, []int64{1, 2}, pi("l", 0), pi("m", -10))}, 0},
		{"then the fewest victims",
			[]Preemption{cand(0, 0, []int64{1, 2, 3}, pi("n", 10), pi("o", 0), pi("p", 0)), cand(1, 0, []int64{1, 2}, pi("q", 10), pi("r", 0))}, 1},
		{"then the latest start of the top-priority victims",
			[]Preemption{cand(0, 0, []int64{5}, pi("s", 10)), cand(1, 0, []int64{9}, pi("u", 10))}, 1},
		{"then the first",
			[]Preemption{cand(0, 0, []int64{5}, pi("v", 10)), cand(1, 0, []int64{5}, pi("x", 10))}, 0},
	} {
		assert.Equal(t, tc.want, PickPreemptionNode(tc.cands).Node, tc.name)
	}
}

func TestNumPreemptionCandidates(t *testing.T) {
	for nodes, want := range map[int]int{1: 1, 50: 50, 100: 100, 1000: 100, 5000: 500} {
		assert.Equal(t, want, NumPreemptionCandidates(nodes), "%d nodes", nodes)
	}
}

func TestPreemptionMessageCountsNodesAsKubeSchedulerWordsThem(t *testing.T) {
	assert.Equal(t, "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..",
		Preemption{Node: NoNode, NoVictims: 3}.Message(3))
	assert.Equal(t, "preemption: 0/12 nodes are available: 10 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..",
		Preemption{Node: NoNode, NoVictims: 2, NotHelpful: 10}.Message(12), "sorted as strings: 10 before 2")
	assert.Empty(t, Preemption{Node: 1}.Message(3), "a nominated node: no message")

	r := newPreemptionRig(t, node("n1").obj(), node("n2").taint("gpu", "", NoSchedule).obj())
	r.bind(t, "n1", pod("same").priority(5).req(3000, gib).obj())
	f, err := NewFramework(r.c, DefaultProfile())
	require.NoError(t, err)
	p := mustPodInfo(t, r.c, pod("urgent").priority(5).req(2000, gib).obj())
	got, ok := f.Preempt(p, r.input(5))
	require.False(t, ok)
	assert.Equal(t, "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod., 1 Preemption is not helpful for scheduling.", got.Message(2))
}

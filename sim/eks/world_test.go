package eks

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
)

func TestNodesRegisterWithTheWellKnownLabelsAfterTheLaunchAndRegistration(t *testing.T) {
	cfg := baseConfig("od", "self")
	cfg.NodeGroups[0].Labels = map[string]string{"team": "web"}
	cfg.NodeGroups[0].Taints = []kube.Taint{{Key: "dedicated", Value: "web", Effect: kube.NoSchedule}}
	cfg.NodeGroups[1].Kind = SelfManaged
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "od", "m5.large", 1), group(t, "self", "m5.large", 1)}, 1, time.Hour)
	r.until(29 * time.Second)
	assert.Equal(t, 0, r.w.cluster.NumNodes(), "the existing fleet's nodes are Ready NodeRegistration after time zero")
	r.until(30 * time.Second)
	require.Equal(t, 2, r.w.cluster.NumNodes())

	od, self := &r.w.nodes[0], &r.w.nodes[1]
	assert.Equal(t, map[string]string{
		LabelHostname: od.name, LabelZone: "us-east-1a", LabelRegion: "us-east-1", LabelInstanceType: "m5.large",
		LabelArch: "amd64", LabelOS: "linux", LabelCapacityType: "ON_DEMAND", LabelNodeGroup: "od", "team": "web",
	}, od.labels)
	assert.Equal(t, []kube.Taint{{Key: "dedicated", Value: "web", Effect: kube.NoSchedule}}, od.taints)
	assert.NotContains(t, self.labels, LabelNodeGroup, "a self-managed node group's nodes carry no EKS labels")
	assert.NotContains(t, self.labels, LabelCapacityType)
	assert.Equal(t, "ip-10-0-0-10.ec2.internal", od.name)

	// A node launched later: the group's launch time (90 s), then the
	// kubelet's registration (30 s).
	r.fleet.SetDesired(1, 2, "test")
	launched := r.eng.Now()
	r.until(launched.Duration() + 119*time.Second)
	assert.Equal(t, 2, r.w.cluster.NumNodes())
	r.until(launched.Duration() + 120*time.Second)
	assert.Equal(t, 3, r.w.cluster.NumNodes())
}

func TestNodesOfferTheAMIsAllocatableToTheScheduler(t *testing.T) {
	cfg := baseConfig("a")
	// m5.large: 1930m CPU allocatable. Two 1000m pods do not fit one node,
	// one does (and 930m of room is left, which a 931m pod does not take).
	cfg.Deployments = []Deployment{deploy("big", 3, tmpl("big", 1000, 100))}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 2)}, 1, time.Hour)
	r.until(5 * time.Minute)
	n := r.w.cluster.NodeInfo(r.w.nodes[0].id)
	assert.Equal(t, kube.Resources{MilliCPU: 1930, MemoryBytes: 7518 * MiB}, n.Allocatable())
	assert.Equal(t, 29, r.w.nodes[0].res.Allocatable.Pods)
	assert.Equal(t, 27, r.w.nodes[0].ipLimit, "3 ENIs x (10 - 1) addresses for pods of their own")

	var running, pending int
	for _, p := range r.podsOf(0) {
		if p.ready {
			running++
		} else {
			pending++
			assert.Equal(t, "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..", p.message,
				"the FitError, then the PostFilter's message: no lower-priority pod to evict (the double period is kube-scheduler's)")
		}
	}
	assert.Equal(t, 2, running)
	assert.Equal(t, 1, pending)
	sum := r.w.Outcome().Summary
	// The pods were created at time zero, before the nodes registered.
	insufficient := "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.."
	want := map[string]int{"no nodes available to schedule pods": 3, insufficient: 1}
	assert.Equal(t, want, sum.Unschedulable)
	assert.Equal(t, want, sum.Workloads[0].Unschedulable)
	fails := r.events(EventFailedScheduling)
	require.Len(t, fails, 4)
	assert.Equal(t, insufficient, fails[3].Reason)
}

func TestUnschedulableReasonsCountEveryFilterAsTheSchedulerWordsThem(t *testing.T) {
	cfg := baseConfig("tainted", "small")
	cfg.NodeGroups[0].Taints = []kube.Taint{{Key: "gpu", Value: "true", Effect: kube.NoSchedule}}
	cfg.Pods = []Pod{{Name: "huge", Namespace: "default", Template: tmpl("huge", 1500, 7000)}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "tainted", "m5.large", 1), group(t, "small", "t3.medium", 2)}, 1, time.Hour)
	r.until(2 * time.Minute)
	p := r.podsOf(0)[0]
	assert.False(t, p.ready)
	// t3.medium: 1930m CPU but 3554 MiB memory allocatable.
	// Every rejection is unresolvable (a taint; more memory than a
	// t3.medium's whole allocatable), so preemption cannot help anywhere.
	assert.Equal(t, "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient memory. "+
		"preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", p.message)
}

func TestUnschedulablePodsBackOffAndRetryWhenANodeJoins(t *testing.T) {
	cfg := baseConfig("a")
	cfg.Pods = []Pod{{Name: "p", Namespace: "default", Template: tmpl("p", 1000, 100)}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 0)}, 1, time.Hour)
	r.until(time.Minute)
	p := r.podsOf(0)[0]
	assert.Equal(t, "no nodes available to schedule pods", p.message)
	// Backoff: 1 s doubled per attempt, at most 10 s.
	for attempts, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 9: 10 * time.Second} {
		p.attempts = attempts - 1
		r.w.unschedulable(0, p.message)
		assert.Equal(t, r.eng.Now()+des.At(want), p.backoffEnd, "attempt %d", attempts)
		r.w.activate(0)
	}
	r.fleet.SetDesired(0, 1, "test")
	at := r.eng.Now()
	r.until(at.Duration() + 120*time.Second) // launch 90 s + registration 30 s
	require.Equal(t, 1, r.w.cluster.NumNodes())
	r.until(at.Duration() + 125*time.Second)
	assert.Equal(t, int32(0), p.node, "bound as the node joins (a cluster event), not at the 5-minute flush")
}

// TestRollingUpdateKeepsWithinMaxSurgeAndMaxUnavailable follows every event
// of a rollout of 10 replicas at 25%/25% (surge 3, unavailable 2): never
// more than 13 pods, never fewer than 8 available.
func TestRollingUpdateKeepsWithinMaxSurgeAndMaxUnavailable(t *testing.T) {
	cfg := baseConfig("a")
	cfg.Deployments = []Deployment{deploy("web", 10, tmpl("web", 100, 100))}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 4)}, 1, time.Hour)
	r.until(5 * time.Minute)
	pods, avail := r.w.deploymentCounts(0)
	require.Equal(t, 10, pods)
	require.Equal(t, 10, avail)
	r.w.SetImage(0, "repo/web:2")
	maxPods, minAvail := 0, 10
	for r.eng.Step(des.At(30 * time.Minute)) {
		pods, avail := r.w.deploymentCounts(0)
		maxPods, minAvail = max(maxPods, pods), min(minAvail, avail)
	}
	require.NoError(t, r.eng.Err())
	assert.Equal(t, 13, maxPods, "replicas + maxSurge, reached")
	assert.Equal(t, 8, minAvail, "replicas - maxUnavailable, reached")
	for _, p := range r.podsOf(0) {
		if p.active() {
			assert.Equal(t, "repo/web:2", p.tmpl.Pod.Containers[0].Image)
		}
	}
	assert.Len(t, r.events(EventDeploymentComplete), 2, "the first rollout and the update")
}

func TestRecreateStopsEveryOldPodBeforeStartingTheNew(t *testing.T) {
	cfg := baseConfig("a")
	d := deploy("web", 4, tmpl("web", 100, 100))
	d.Recreate = true
	cfg.Deployments = []Deployment{d}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 2)}, 1, time.Hour)
	r.until(5 * time.Minute)
	r.w.SetImage(0, "repo/web:2")
	for r.eng.Step(des.At(30 * time.Minute)) {
		old, fresh := 0, 0
		for _, p := range r.podsOf(0) {
			if p.rs == 0 {
				old++
			} else {
				fresh++
			}
		}
		require.False(t, old > 0 && fresh > 0, "at %v: %d old and %d new pods together", r.eng.Now(), old, fresh)
	}
	_, avail := r.w.deploymentCounts(0)
	assert.Equal(t, 4, avail)
}

func TestResolveFencepostsRoundsSurgeUpAndUnavailableDown(t *testing.T) {
	pct := func(v int) IntOrPercent { return IntOrPercent{Value: v, Percent: true} }
	for _, c := range []struct {
		surge, unavail IntOrPercent
		replicas       int
		wantS, wantU   int
	}{
		{pct(25), pct(25), 10, 3, 2},
		{pct(25), pct(25), 1, 1, 0},
		{pct(25), pct(25), 50, 13, 12},
		{IntOrPercent{Value: 0}, IntOrPercent{Value: 0}, 5, 0, 1},
		{IntOrPercent{Value: 2}, pct(10), 5, 2, 0},
	} {
		s, u := ResolveFenceposts(c.surge, c.unavail, c.replicas)
		assert.Equal(t, [2]int{c.wantS, c.wantU}, [2]int{s, u}, "%+v", c)
	}
}

func TestScaleDeploymentDeletesUnscheduledPodsFirst(t *testing.T) {
	cfg := baseConfig("a")
	cfg.Deployments = []Deployment{deploy("big", 3, tmpl("big", 1000, 100))}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 2)}, 1, time.Hour)
	r.until(5 * time.Minute)
	r.w.ScaleDeployment(0, 2)
	r.until(6 * time.Minute)
	pods := r.podsOf(0)
	require.Len(t, pods, 2)
	for _, p := range pods {
		assert.True(t, p.ready, "the pending pod went, the running ones stayed")
	}
}

func TestJobRunsCompletionsWithParallelism(t *testing.T) {
	cfg := baseConfig("a")
	jt := tmpl("batch", 100, 100)
	jt.Run = 10 * time.Minute
	cfg.Jobs = []Job{{Name: "etl", Namespace: "default", Template: jt, Completions: 5, Parallelism: 2, BackoffLimit: 6}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 2)}, 1, 3*time.Hour)
	maxActive := 0
	for r.eng.Step(des.At(2 * time.Hour)) {
		active := 0
		for _, p := range r.podsOf(0) {
			if p.active() {
				active++
			}
		}
		maxActive = max(maxActive, active)
	}
	assert.Equal(t, 2, maxActive, "parallelism")
	jr := &r.w.jobs[0]
	assert.True(t, jr.done && !jr.failedJob)
	assert.Equal(t, 5, jr.succeeded)
	assert.Len(t, jr.pods, 5)
	assert.Len(t, r.events(EventJobComplete), 1)
}

// TestJobFailsPastItsBackoffLimitWithTheDocumentedDelays: backoffLimit 2
// allows 2 retries: the third failure fails the Job; each new pod waits
// 10 s, then 20 s, after the failure before it.
func TestJobFailsPastItsBackoffLimitWithTheDocumentedDelays(t *testing.T) {
	cfg := baseConfig("a")
	jt := tmpl("bad", 100, 100)
	jt.Run, jt.FailureProbability = time.Minute, 1
	cfg.Jobs = []Job{{Name: "bad", Namespace: "default", Template: jt, Completions: 1, Parallelism: 1, BackoffLimit: 2}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 1)}, 1, time.Hour)
	r.until(30 * time.Minute)
	jr := &r.w.jobs[0]
	require.True(t, jr.done)
	assert.True(t, jr.failedJob)
	assert.Equal(t, 3, jr.failed)
	require.Len(t, jr.pods, 3)
	p := func(k int) *pod { return &r.w.pods[jr.pods[k]] }
	assert.Equal(t, p(0).ended+des.At(10*time.Second), p(1).created)
	assert.Equal(t, p(1).ended+des.At(20*time.Second), p(2).created)
	fails := r.events(EventJobFailed)
	require.Len(t, fails, 1)
	assert.Contains(t, fails[0].Reason, "BackoffLimitExceeded")
	assert.Equal(t, []des.Time{0, 10e9, 20e9, 40e9, 320e9, 360e9, 360e9},
		[]des.Time{jobBackoff(0), jobBackoff(1), jobBackoff(2), jobBackoff(3), jobBackoff(6), jobBackoff(7), jobBackoff(12)})
}

func TestDaemonSetRunsOnEveryMatchingNodeIncludingNewOnes(t *testing.T) {
	cfg := baseConfig("web", "gpu")
	cfg.NodeGroups[0].Labels = map[string]string{"role": "web"}
	cfg.NodeGroups[1].Labels = map[string]string{"role": "gpu"}
	cfg.NodeGroups[1].Taints = []kube.Taint{{Key: "gpu", Effect: kube.NoSchedule}}
	agent := tmpl("agent", 50, 50)
	agent.Pod.NodeSelector = map[string]string{"role": "web"}
	everywhere := tmpl("logs", 50, 50)
	everywhere.Pod.Tolerations = []kube.Toleration{{Operator: kube.TolerationExists}}
	cfg.DaemonSets = []DaemonSet{{Name: "agent", Namespace: "kube-system", Template: agent},
		{Name: "logs", Namespace: "kube-system", Template: everywhere}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "web", "m5.large", 2), group(t, "gpu", "m5.large", 1)}, 1, time.Hour)
	r.until(2 * time.Minute)
	onNodes := func(k int) map[string]bool {
		out := map[string]bool{}
		for _, p := range r.podsOf(k) {
			if p.ready {
				out[r.w.nodes[p.node].name] = true
			}
		}
		return out
	}
	web := []string{r.w.nodes[0].name, r.w.nodes[1].name}
	assert.Equal(t, map[string]bool{web[0]: true, web[1]: true}, onNodes(0), "only the nodes the selector admits")
	assert.Len(t, onNodes(1), 3, "a toleration of everything: every node, the tainted one too")

	r.fleet.SetDesired(0, 3, "test")
	r.until(10 * time.Minute)
	assert.Len(t, onNodes(0), 3, "the new node got its daemon pod")
	assert.Equal(t, 3, r.w.daemonDesired(0))

	// A cordoned (draining) node keeps its daemon pods: drain skips them and
	// they tolerate node.kubernetes.io/unschedulable.
	r.w.DrainNode(0)
	r.until(15 * time.Minute)
	assert.Len(t, onNodes(0), 3)
	assert.Len(t, onNodes(1), 4)
}

func TestAPodDisruptionBudgetHoldsUpADrain(t *testing.T) {
	cfg := baseConfig("a")
	cfg.Deployments = []Deployment{deploy("db", 2, tmpl("db", 1000, 100))}
	cfg.Budgets = []PodDisruptionBudget{{Name: "db", Namespace: "default",
		Selector: kube.LabelSelector{MatchLabels: map[string]string{"app": "db"}}, MinAvailable: &IntOrPercent{Value: 2}}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 2)}, 1, 2*time.Hour)
	r.until(5 * time.Minute)
	assert.Equal(t, budgetStatus{expected: 2, currentHealthy: 2, desiredHealthy: 2, allowed: 0}, r.w.budget(0))

	// Scale-in of the managed node group drains the node it chose; the
	// budget refuses the eviction, retried every 5 s; the instance stays.
	r.fleet.SetDesired(0, 1, "test")
	r.until(30 * time.Minute)
	assert.Equal(t, 2, r.w.cluster.NumNodes(), "the drain holds the instance")
	blocked := r.events(EventEvictionBlocked)
	require.Len(t, blocked, 1, "logged once per pod")
	assert.Equal(t, "Cannot evict pod as it would violate the pod's disruption budget db", blocked[0].Reason)
	_, avail := r.w.deploymentCounts(0)
	assert.Equal(t, 2, avail)

	// A budget of one lets the drain through: one pod goes, its replacement
	// has nowhere to run (one node's CPU), and the instance is released.
	r.w.cfg.Budgets[0].MinAvailable = &IntOrPercent{Value: 1}
	r.until(31 * time.Minute)
	assert.Equal(t, 1, r.w.cluster.NumNodes())
	assert.Len(t, r.events(EventNodeDrained), 1)
}

func TestBudgetStatusFollowsTheDisruptionController(t *testing.T) {
	cfg := baseConfig("a")
	cfg.Deployments = []Deployment{deploy("web", 5, tmpl("web", 100, 100))}
	pct := func(v int) *IntOrPercent { return &IntOrPercent{Value: v, Percent: true} }
	sel := kube.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	cfg.Budgets = []PodDisruptionBudget{
		{Name: "min50", Namespace: "default", Selector: sel, MinAvailable: pct(50)},   // ceil(2.5) = 3
		{Name: "max30", Namespace: "default", Selector: sel, MaxUnavailable: pct(30)}, // 5 - ceil(1.5) = 3
		{Name: "max1", Namespace: "default", Selector: sel, MaxUnavailable: &IntOrPercent{Value: 1}},
		{Name: "other", Namespace: "other", Selector: sel, MinAvailable: &IntOrPercent{Value: 1}},
	}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 2)}, 1, time.Hour)
	r.until(5 * time.Minute)
	assert.Equal(t, budgetStatus{5, 5, 3, 2}, r.w.budget(0))
	assert.Equal(t, budgetStatus{5, 5, 3, 2}, r.w.budget(1))
	assert.Equal(t, budgetStatus{5, 5, 4, 1}, r.w.budget(2))
	assert.Equal(t, budgetStatus{0, 0, 1, 0}, r.w.budget(3), "another namespace's pods are not selected")
}

func TestAHigherPriorityPodPreemptsALowerOne(t *testing.T) {
	cfg := baseConfig("a")
	cfg.PriorityClasses = []PriorityClass{{Name: "low", Value: 100}, {Name: "high", Value: 1000},
		{Name: "polite", Value: 1000, PreemptionPolicy: "Never"}}
	low := tmpl("low", 1500, 100)
	low.PriorityClass = 0
	high := tmpl("high", 1000, 100)
	high.PriorityClass = 1
	polite := tmpl("polite", 1000, 100)
	polite.PriorityClass = 2
	cfg.Deployments = []Deployment{deploy("low", 1, low)}
	cfg.Pods = []Pod{{Name: "polite", Namespace: "default", Template: polite, At: 2 * time.Minute},
		{Name: "high", Namespace: "default", Template: high, At: 5 * time.Minute}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 1)}, 1, time.Hour)
	r.until(4 * time.Minute)
	polP := r.podsOf(1)[0]
	assert.False(t, polP.ready, "PreemptionPolicy Never: it waits")
	assert.Empty(t, r.events(EventPreempting))
	r.until(10 * time.Minute)
	highP := r.podsOf(2)[0]
	assert.True(t, highP.ready, "the high-priority pod runs")
	pre := r.events(EventPreempting)
	require.Len(t, pre, 1)
	assert.Equal(t, "nominated to "+r.w.nodes[0].name+", preempting 1 pod(s)", pre[0].Reason)
	lows := r.podsOf(0)
	require.Len(t, lows, 1, "the victim is gone; its Deployment made another")
	assert.False(t, lows[0].ready)
	assert.Equal(t, 1, r.w.rec.preempted)
}

func TestPodsWithTheirOwnIPWaitForAnAddressHostNetworkPodsDoNot(t *testing.T) {
	for _, host := range []int{0, 2} {
		cfg := baseConfig("a")
		small := tmpl("small", 10, 10)
		cfg.Deployments = []Deployment{deploy("small", 29-host, small)}
		if host > 0 {
			hn := tmpl("hostnet", 10, 10)
			hn.HostNetwork = true
			cfg.DaemonSets = []DaemonSet{{Name: "aws-node", Namespace: "kube-system", Template: hn},
				{Name: "kube-proxy", Namespace: "kube-system", Template: hn}}
		}
		r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 1)}, 1, time.Hour)
		r.until(5 * time.Minute)
		n := &r.w.nodes[0]
		assert.Equal(t, 29, len(n.pods), "the kubelet's max pods bound, host network or not")
		ready := 0
		for _, pi := range n.pods {
			if r.w.pods[pi].ready {
				ready++
			}
		}
		if host == 0 {
			assert.Equal(t, 27, ready, "27 addresses; two pods wait")
			assert.Len(t, r.events(EventFailedCreatePodSandBox), 2)
		} else {
			assert.Equal(t, 29, ready, "the two hostNetwork pods took no address")
		}
	}
}

func TestSpotReclaimDeletesThePodsAndTheirControllersReplaceThem(t *testing.T) {
	cfg := baseConfig("spot")
	cfg.NodeGroups[0].Kind = SelfManaged // no drain on the notice: the reclaim takes the pods
	cfg.Deployments = []Deployment{deploy("web", 4, tmpl("web", 100, 100))}
	g := group(t, "spot", "m5.large", 2)
	g.OnDemandPercentageAboveBase = 0
	r := newRig(t, cfg, []capacity.GroupConfig{g}, 1, time.Hour)
	r.until(5 * time.Minute)
	r.fleet.SpotStorm(0, 0.5, r.eng.Stream("test"))
	r.until(7*time.Minute + time.Second)
	lost := 0
	for _, e := range r.events(EventPodPhase) {
		if strings.HasPrefix(e.Reason, "SpotReclaimed") {
			lost++
			assert.Equal(t, "Failed", e.Status)
		}
	}
	assert.Positive(t, lost)
	r.until(20 * time.Minute)
	_, avail := r.w.deploymentCounts(0)
	assert.Equal(t, 4, avail, "replaced on the surviving node and the replacement instance")
}

func TestSameSeedSameRun(t *testing.T) {
	build := func() (*Outcome, []string) {
		cfg := baseConfig("a", "b")
		cfg.Deployments = []Deployment{deploy("web", 12, tmpl("web", 300, 500))}
		jt := tmpl("batch", 200, 200)
		jt.Run, jt.RunStdDev, jt.FailureProbability = 5*time.Minute, time.Minute, 0.3
		cfg.Jobs = []Job{{Name: "etl", Namespace: "default", Template: jt, Completions: 6, Parallelism: 3, BackoffLimit: 6, Every: 20 * time.Minute}}
		gb := group(t, "b", "m5.xlarge", 2)
		gb.OnDemandPercentageAboveBase, gb.SpotInterruptionsPerInstHour = 0, 0.5
		r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 3), gb}, 7, 2*time.Hour)
		r.until(2 * time.Hour)
		var evs []string
		for _, e := range r.log.All() {
			evs = append(evs, e.At.String()+" "+e.Type+" "+e.Subject+" "+e.Instance+" "+e.Reason)
		}
		return r.w.Outcome(), evs
	}
	o1, e1 := build()
	o2, e2 := build()
	assert.Equal(t, e1, e2)
	assert.Equal(t, o1.Summary, o2.Summary)
	assert.Equal(t, fmt.Sprint(o1.Series), fmt.Sprint(o2.Series)) // NaN cells: compare as text
	assert.Positive(t, o1.Summary.Pods.Succeeded)
}

// TestRollingUpdateCountsAPodAvailableAfterMinReadySeconds: maxUnavailable
// 0 with minReadySeconds 10: no old pod goes until a new one has been Ready
// for 10 s, and the rollout still completes.
func TestRollingUpdateCountsAPodAvailableAfterMinReadySeconds(t *testing.T) {
	cfg := baseConfig("a")
	d := deploy("web", 6, tmpl("web", 100, 100))
	d.MaxUnavailable, d.MinReady = IntOrPercent{Value: 0}, 10*time.Second
	cfg.Deployments = []Deployment{d}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 3)}, 1, time.Hour)
	r.until(5 * time.Minute)
	r.w.SetImage(0, "repo/web:2")
	minAvail := 6
	var firstNewReady, firstOldGone des.Time
	for r.eng.Step(des.At(30 * time.Minute)) {
		_, avail := r.w.deploymentCounts(0)
		minAvail = min(minAvail, avail)
		for pi := range r.w.pods {
			p := &r.w.pods[pi]
			if p.rs == 1 && p.ready && firstNewReady == 0 {
				firstNewReady = p.started
			}
			if p.rs == 0 && p.deleting && firstOldGone == 0 {
				firstOldGone = r.eng.Now()
			}
		}
	}
	assert.Equal(t, 6, minAvail)
	assert.Equal(t, firstNewReady+des.At(10*time.Second), firstOldGone)
	assert.Len(t, r.events(EventDeploymentComplete), 2)
}

func TestTheActiveQueueOrdersByPriorityThenQueueTime(t *testing.T) {
	cfg := baseConfig("a")
	cfg.PriorityClasses = []PriorityClass{{Name: "high", Value: 10}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 0)}, 1, time.Hour)
	w := r.w
	mk := func(pri int32, at des.Time) int32 {
		w.pods = append(w.pods, pod{priority: pri, qTime: at})
		pi := int32(len(w.pods) - 1)
		w.rec.qSeq++
		w.pods[pi].qSeq = w.rec.qSeq
		w.queue.push(w, pi)
		return pi
	}
	a := mk(0, 5)
	b := mk(10, 7)
	c := mk(0, 3)
	d := mk(10, 7)
	var got []int32
	for w.queue.Len() > 0 {
		got = append(got, w.queue.pop(w))
	}
	assert.Equal(t, []int32{b, d, c, a}, got, "priority first, then the earlier queue time, then the order of queueing")
}

func TestImagePullPolicyDefaultsToAlwaysForLatestOrNoTag(t *testing.T) {
	for image, always := range map[string]bool{
		"nginx": true, "nginx:latest": true, "nginx:1.27": false, "registry:5000/team/app": true,
		"registry:5000/team/app:v2": false, "repo/app@sha256:abcd": false,
	} {
		assert.Equal(t, always, pullAlways(image), image)
	}
}

func TestAManagedSpotNodeDrainsOnTheNoticeASelfManagedOneDoesNot(t *testing.T) {
	for _, kind := range []NodeKind{Managed, SelfManaged} {
		cfg := baseConfig("spot")
		cfg.NodeGroups[0].Kind = kind
		cfg.Deployments = []Deployment{deploy("web", 2, tmpl("web", 100, 100))}
		g := group(t, "spot", "m5.large", 1)
		g.OnDemandPercentageAboveBase = 0
		r := newRig(t, cfg, []capacity.GroupConfig{g}, 1, time.Hour)
		r.until(5 * time.Minute)
		r.fleet.SpotStorm(0, 1, r.eng.Stream("test"))
		r.until(6 * time.Minute)
		drains := len(r.events(EventNodeDraining))
		if kind == Managed {
			assert.Equal(t, 1, drains, "managed: cordon and drain on the notice")
			assert.Len(t, r.events(EventPodKilling), 2, "both pods evicted before the reclaim")
		} else {
			assert.Zero(t, drains, "self-managed: no termination handler runs")
			assert.Empty(t, r.events(EventPodKilling))
		}
	}
}

func TestScaleDownDeletesDoubledUpPodsFirst(t *testing.T) {
	cfg := baseConfig("a")
	cfg.Deployments = []Deployment{deploy("web", 3, tmpl("web", 100, 100))}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 2)}, 1, time.Hour)
	r.until(5 * time.Minute)
	perNode := func() map[int32]int {
		out := map[int32]int{}
		for _, p := range r.podsOf(0) {
			if p.active() {
				out[p.node]++
			}
		}
		return out
	}
	before := perNode()
	require.Len(t, before, 2)
	r.w.ScaleDeployment(0, 2)
	r.until(6 * time.Minute)
	assert.Equal(t, map[int32]int{0: 1, 1: 1}, perNode(), "the node holding two lost one: %v before", before)
}

// TestACronJobKeepsThreeSuccessfulJobsAndOneFailed: an Every Job is a
// CronJob; its older finished Jobs go with their pods beyond
// successfulJobsHistoryLimit 3 and failedJobsHistoryLimit 1.
func TestACronJobKeepsThreeSuccessfulJobsAndOneFailed(t *testing.T) {
	cfg := baseConfig("a")
	jt := tmpl("tick", 100, 100)
	jt.Run = time.Minute
	cfg.Jobs = []Job{{Name: "tick", Namespace: "default", Template: jt, Completions: 1, Parallelism: 1, BackoffLimit: 0, Every: 10 * time.Minute}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 1)}, 1, 2*time.Hour)
	r.until(time.Hour + 5*time.Minute) // runs at 0, 10, ..., 60 min: 7, all complete
	var kept []string
	for _, ji := range r.w.jobCfgs[0].runs {
		if jr := &r.w.jobs[ji]; !jr.deleted {
			kept = append(kept, jr.name)
		}
	}
	require.Len(t, r.w.jobCfgs[0].runs, 7)
	assert.Len(t, kept, 3)
	assert.Len(t, r.events(EventJobDeleted), 4)
	assert.Equal(t, 3, len(r.podsOf(0)), "the deleted Jobs' pods are gone")
	assert.Equal(t, 7, r.w.Outcome().Summary.Workloads[0].Succeeded, "the summary still counts them")
}

func TestAPodThatMayNotPreemptSaysSo(t *testing.T) {
	cfg := baseConfig("a")
	cfg.PriorityClasses = []PriorityClass{{Name: "polite", Value: 1000, PreemptionPolicy: "Never"}}
	polite := tmpl("polite", 1500, 100)
	polite.PriorityClass = 0
	cfg.Pods = []Pod{{Name: "first", Namespace: "default", Template: tmpl("first", 1500, 100)},
		{Name: "polite", Namespace: "default", Template: polite, At: time.Minute}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 1)}, 1, time.Hour)
	r.until(2 * time.Minute)
	assert.Equal(t, "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.", r.podsOf(1)[0].message)
}

func TestAPodUnderTwoBudgetsCannotBeEvicted(t *testing.T) {
	cfg := baseConfig("a")
	cfg.Deployments = []Deployment{deploy("web", 4, tmpl("web", 100, 100))}
	sel := kube.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	cfg.Budgets = []PodDisruptionBudget{{Name: "one", Namespace: "default", Selector: sel, MaxUnavailable: &IntOrPercent{Value: 4}},
		{Name: "two", Namespace: "default", Selector: sel, MaxUnavailable: &IntOrPercent{Value: 4}}}
	cfg.Settings.DrainTimeout = 10 * time.Minute
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "a", "m5.large", 2)}, 1, time.Hour)
	r.until(5 * time.Minute)
	r.w.DrainNode(0)
	r.until(14 * time.Minute)
	blocked := r.events(EventEvictionBlocked)
	require.NotEmpty(t, blocked, "both budgets allow 4 disruptions, yet no eviction goes through")
	assert.Equal(t, "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", blocked[0].Reason)
	assert.Empty(t, r.events(EventNodeDrained))
	r.until(20 * time.Minute)
	assert.Len(t, r.events(EventNodeDrainTimeout), 1, "DrainTimeout forces it")
	assert.Len(t, r.events(EventNodeDrained), 1)
}

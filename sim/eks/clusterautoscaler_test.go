package eks

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale/clusterautoscaler"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// caRig is one managed node group of m5.xlarge (4 vCPU, 16 GiB) per name,
// each starting with start nodes, min 1, max 10, managed by the Cluster
// Autoscaler with its defaults (mut changes them).
func caRig(t *testing.T, names []string, types []string, start int, mut func(*Config), d time.Duration, gmut ...func([]capacity.GroupConfig)) *rig {
	t.Helper()
	cfg := baseConfig(names...)
	cfg.ClusterAutoscaler = &ClusterAutoscaler{Config: clusterautoscaler.Defaults()}
	var groups []capacity.GroupConfig
	for i, n := range names {
		g := group(t, n, types[i], start)
		g.MinSize, g.MaxSize = 1, 10
		groups = append(groups, g)
		cfg.ClusterAutoscaler.NodeGroups = append(cfg.ClusterAutoscaler.NodeGroups, CANodeGroup{NodeGroup: i, Min: 1, Max: 10})
	}
	if mut != nil {
		mut(cfg)
	}
	for _, f := range gmut {
		f(groups)
	}
	return newRig(t, cfg, groups, 1, d)
}

func (r *rig) readyNodes(ng int) int {
	n := 0
	for i := range r.w.nodes {
		if r.w.nodes[i].present && r.w.nodes[i].group == ng {
			n++
		}
	}
	return n
}

// TestCAScalesUpForPendingPods: ten pods of 1 CPU on one m5.xlarge (3
// fit: allocatable 3920m): the scan at 10 s (the one at 0 s comes before
// the pods) sees the unschedulable pods and asks for the nodes the
// binpacking estimator counts; they launch (90 s), register (30 s) and the
// pods run.
func TestCAScalesUpForPendingPods(t *testing.T) {
	r := caRig(t, []string{"general"}, []string{"m5.xlarge"}, 1, func(c *Config) {
		c.Deployments = []Deployment{deploy("web", 10, tmpl("web", 1000, 1024))}
	}, 0)
	r.until(11 * time.Second)
	ups := r.events(EventCAScaleUp)
	require.Len(t, ups, 1)
	assert.Equal(t, des.At(10*time.Second), ups[0].At)
	assert.Equal(t, "general", ups[0].Subject)
	assert.Equal(t, "1->4", ups[0].Status, "7 pending pods, 3 a node: 3 new nodes")
	assert.Contains(t, ups[0].Reason, "expander least-waste: 7 unschedulable pods; 7 fit on 3 new general nodes")
	assert.Equal(t, 4, r.fleet.Group(0).Desired)
	r.until(3 * time.Minute)
	assert.Equal(t, 4, r.readyNodes(0), "ready at 10 s + 90 s + 30 s")
	running := 0
	for _, p := range r.podsOf(0) {
		if p.ready {
			running++
		}
	}
	assert.Equal(t, 10, running)
	assert.Len(t, r.events(EventCAScaleUp), 1, "the upcoming nodes took the pods: no second scale-up")
	s := r.w.Outcome().Summary.ClusterAutoscaler
	require.NotNil(t, s)
	assert.Equal(t, 1, s.ScaleUps)
	assert.Equal(t, 3, s.NodesAdded)
}

// TestCARemovesANodeUnneededForTenMinutes: four nodes run 10 pods; at 1 h
// the Deployment scales to 3. The emptied nodes are unneeded from the next
// scan and removed once 10 minutes have passed (the delay after the
// scale-up at 0 s is long over): the group falls to its pods' need.
func TestCARemovesANodeUnneededForTenMinutes(t *testing.T) {
	r := caRig(t, []string{"general"}, []string{"m5.xlarge"}, 1, func(c *Config) {
		c.Deployments = []Deployment{deploy("web", 10, tmpl("web", 1000, 1024))}
	}, 0)
	r.until(time.Hour)
	r.w.ScaleDeployment(0, 3) // kubectl scale, as the timeline's scale_deployment
	r.until(time.Hour + 9*time.Minute)
	assert.Empty(t, r.events(EventCAScaleDown), "not before 10 minutes unneeded")
	r.until(2 * time.Hour)
	downs := r.events(EventCAScaleDown)
	require.NotEmpty(t, downs)
	first := downs[0]
	assert.GreaterOrEqual(t, first.At, des.At(time.Hour+10*time.Minute))
	assert.LessOrEqual(t, first.At, des.At(time.Hour+10*time.Minute+time.Minute))
	assert.Contains(t, first.Reason, "< 0.5 for 10m")
	assert.Equal(t, 1, r.fleet.Group(0).Desired, "3 pods of 1 CPU fit on one node")
	assert.Equal(t, 1, r.readyNodes(0))
	for _, e := range r.events(EventNodeRemoved) {
		assert.Equal(t, "terminated", e.Reason)
	}
}

// TestCAScaleDownBlockedByABudget: the same, with a budget keeping all 3
// pods available: the non-empty nodes are never removed (the empty ones
// go).
func TestCAScaleDownBlockedByABudget(t *testing.T) {
	r := caRig(t, []string{"general"}, []string{"m5.xlarge"}, 1, func(c *Config) {
		c.Deployments = []Deployment{deploy("web", 10, tmpl("web", 1000, 1024))}
		c.Budgets = []PodDisruptionBudget{{Name: "web", Namespace: "default", Selector: selOf("web"), MinAvailable: &IntOrPercent{Value: 3}}}
	}, 0)
	r.until(time.Hour)
	r.w.ScaleDeployment(0, 3)
	r.until(3 * time.Hour)
	nodesWithPods := 0
	for i := range r.w.nodes {
		n := &r.w.nodes[i]
		if n.present && len(n.pods) > 0 {
			nodesWithPods++
		}
	}
	assert.Equal(t, nodesWithPods, r.readyNodes(0), "only empty nodes were removed")
	for _, e := range r.events(EventCAScaleDown) {
		assert.True(t, strings.HasSuffix(e.Reason, "; empty"), e.Reason)
	}
	assert.Empty(t, r.events(EventEvictionBlocked), "CA never started a drain the budget refuses")
}

// TestCAScalesTheGroupWhoseTemplateMatches: pods selecting a label only
// the second group's nodes carry scale that group, though least-waste
// would prefer neither.
func TestCAScalesTheGroupWhoseTemplateMatches(t *testing.T) {
	r := caRig(t, []string{"a", "b"}, []string{"m5.xlarge", "m5.xlarge"}, 1, func(c *Config) {
		c.NodeGroups[1].Labels = map[string]string{"tier": "batch"}
		tp := tmpl("job", 2000, 1024)
		tp.Pod.NodeSelector = map[string]string{"tier": "batch"}
		c.Deployments = []Deployment{deploy("batch", 4, tp)}
	}, 0)
	r.until(11 * time.Second)
	ups := r.events(EventCAScaleUp)
	require.Len(t, ups, 1)
	assert.Equal(t, "b", ups[0].Subject)
	assert.Equal(t, "1->4", ups[0].Status, "one pod of 2 CPU a node: one on b's own node (upcoming at 10 s), three new")
}

// TestCAGivesUpNodesThatDoNotRegister: the slow group's new instances take
// 20 minutes to boot. Sixteen pods of 1 CPU: the two nodes the run starts
// with take 3 and 7; the priority expander asks slow for 2 more at 10 s;
// at 15 min 10 s (max-node-provision-time after) the scale-up is given up,
// its instances terminated, slow backed off 5 minutes, and fast scales in
// the same scan.
func TestCAGivesUpNodesThatDoNotRegister(t *testing.T) {
	r := caRig(t, []string{"slow", "fast"}, []string{"m5.xlarge", "m5.2xlarge"}, 1, func(c *Config) {
		c.Deployments = []Deployment{deploy("web", 16, tmpl("web", 1000, 1024))}
		c.ClusterAutoscaler.Config.Expanders = []string{"priority"}
		c.ClusterAutoscaler.Config.Priorities = []clusterautoscaler.PriorityTier{{Priority: 10, Patterns: []string{"slow"}}, {Priority: 1, Patterns: []string{"fast"}}}
	}, 0, func(gs []capacity.GroupConfig) { gs[0].LaunchTime = 20 * time.Minute })
	r.until(15 * time.Minute)
	ups := r.events(EventCAScaleUp)
	require.Len(t, ups, 1)
	assert.Equal(t, "slow", ups[0].Subject)
	assert.Equal(t, "1->3", ups[0].Status)
	assert.Empty(t, r.events(EventCAScaleUpTimedOut))
	r.until(15*time.Minute + 11*time.Second)
	gu := r.events(EventCAScaleUpTimedOut)
	require.Len(t, gu, 1)
	assert.Equal(t, des.At(15*time.Minute+10*time.Second), gu[0].At)
	assert.Equal(t, "slow", gu[0].Subject)
	assert.Equal(t, "3->1", gu[0].Status)
	assert.Contains(t, gu[0].Reason, "2 nodes not registered within max-node-provision-time 15m0s; node group backed off 5m0s")
	assert.Equal(t, 1, r.fleet.Group(0).Desired)
	assert.Equal(t, 1, r.fleet.Group(0).InService, "the two pending instances were terminated")
	ups = r.events(EventCAScaleUp)
	require.Len(t, ups, 2)
	assert.Equal(t, "fast", ups[1].Subject)
	assert.Equal(t, "1->2", ups[1].Status)
	assert.Equal(t, gu[0].At, ups[1].At)
}

func TestCARunsAreDeterministic(t *testing.T) {
	run := func() []schema.Event {
		r := caRig(t, []string{"a", "b"}, []string{"m5.xlarge", "m5.xlarge"}, 1, func(c *Config) {
			c.ClusterAutoscaler.Config.Expanders = []string{"random"}
			c.Deployments = []Deployment{deploy("web", 20, tmpl("web", 1000, 1024))}
		}, 0)
		r.until(time.Hour)
		r.w.ScaleDeployment(0, 2)
		r.until(2 * time.Hour)
		return r.log.All()
	}
	a, b := run(), run()
	assert.Equal(t, a, b)
}

// TestCAReportsADrainPastMaxPodEvictionTime: a removal whose evictions a
// budget still refuses 2 minutes (max-pod-eviction-time) after it began is
// a failed scale-down, once: an event, the summary's count, and the
// delay-after-failure for the next removal. (The node is put in that state
// by hand: the autoscaler itself never picks a node a budget holds.)
func TestCAReportsADrainPastMaxPodEvictionTime(t *testing.T) {
	r := caRig(t, []string{"general"}, []string{"m5.xlarge"}, 1, func(c *Config) {
		c.Deployments = []Deployment{deploy("web", 2, tmpl("web", 1000, 1024))}
		c.Budgets = []PodDisruptionBudget{{Name: "web", Namespace: "default", Selector: selOf("web"), MinAvailable: &IntOrPercent{Value: 2}}}
	}, 0)
	r.until(time.Minute)
	i := r.w.sortedNodes()[0]
	r.w.startDrain(i, false, "test")
	r.w.ca.deleting[i] = caDeletion{since: r.w.now(), drain: true}
	r.until(3*time.Minute - time.Second)
	assert.Empty(t, r.events(EventCAScaleDownFailed))
	r.until(4 * time.Minute)
	fails := r.events(EventCAScaleDownFailed)
	require.Len(t, fails, 1)
	assert.Equal(t, "evictions still refused after max-pod-eviction-time 2m0s", fails[0].Reason)
	assert.Equal(t, 1, r.w.Outcome().Summary.ClusterAutoscaler.ScaleDownFails)
}

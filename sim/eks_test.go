package sim

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// eksConfig is an EKS run: two managed node groups (On-Demand and Spot), a
// Deployment, a Job and a DaemonSet, and a timeline.
func eksConfig(t testing.TB) *Config {
	zones := []string{"us-east-1a", "us-east-1b"}
	od := capacity.GroupConfig{Name: "od", InstanceTypes: mustTypes(t, "m5.large"), MinSize: 0, MaxSize: 10, DesiredCapacity: 3,
		AvailabilityZones: zones, LaunchTime: 90 * time.Second, OnDemandPercentageAboveBase: 100}
	spot := capacity.GroupConfig{Name: "spot", InstanceTypes: mustTypes(t, "m5.xlarge"), MinSize: 0, MaxSize: 10, DesiredCapacity: 2,
		AvailabilityZones: zones, LaunchTime: 90 * time.Second}
	tmpl := func(app string, cpu int64) eks.PodTemplate {
		return eks.PodTemplate{Pod: kube.Pod{Labels: map[string]string{"app": app},
			Containers: []kube.Container{{Name: app, Image: "repo/" + app + ":1", Requests: kube.Resources{MilliCPU: cpu, MemoryBytes: 256 << 20}}}},
			PriorityClass: -1, Images: []eks.Image{{Name: "repo/" + app + ":1", SizeBytes: 80 << 20}},
			TerminationGracePeriod: 30 * time.Second, StartTime: 3 * time.Second}
	}
	job := tmpl("batch", 500)
	job.Run, job.RunStdDev = 10*time.Minute, 2*time.Minute
	pct := eks.IntOrPercent{Value: 25, Percent: true}
	cfg := &Config{Name: "eks-test", Start: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Duration: 3 * time.Hour, Seed: 3,
		Region: "us-east-1", Groups: []capacity.GroupConfig{od, spot}, Settings: DefaultSettings(),
		EKS: &eks.Config{Name: "c", Version: "1.33", ControlPlaneUSDPerHour: 0.10, Zones: zones,
			NodeGroups:  []eks.NodeGroup{{Name: "od", Kind: eks.Managed, Group: 0}, {Name: "spot", Kind: eks.Managed, Group: 1}},
			Deployments: []eks.Deployment{{Name: "web", Namespace: "default", Replicas: 6, Template: tmpl("web", 400), MaxSurge: pct, MaxUnavailable: pct}},
			Jobs:        []eks.Job{{Name: "etl", Namespace: "default", Template: job, Completions: 8, Parallelism: 4, BackoffLimit: 6, At: 30 * time.Minute}},
			DaemonSets:  []eks.DaemonSet{{Name: "agent", Namespace: "kube-system", Template: tmpl("agent", 50)}},
			Timeline: []eks.TimelineEntry{{At: time.Hour, Action: "set_image", Deployment: 0, Image: "repo/web:2", NodeGroup: -1},
				{At: 90 * time.Minute, Action: "scale_deployment", Deployment: 0, Replicas: 9, NodeGroup: -1},
				{At: 2 * time.Hour, Action: "set_node_group_size", NodeGroup: 0, Count: 2, Deployment: -1}},
			Settings: eks.Settings{NodeRegistration: 30 * time.Second, PodEvents: true}}}
	cfg.Settings.SampleEvery = time.Minute
	return cfg
}

func mustTypes(t testing.TB, names ...string) []catalog.InstanceType {
	var out []catalog.InstanceType
	for _, n := range names {
		out = append(out, mustType(t, n))
	}
	return out
}

func TestAnEKSRunReportsItsNodesPodsAndWorkloads(t *testing.T) {
	res := run(t, eksConfig(t))
	require.NotNil(t, res.EKS)
	s := res.Summary.EKS
	require.NotNil(t, s)
	assert.Equal(t, 5, s.Nodes.Registered)
	require.Len(t, s.Workloads, 3)
	web := s.Workloads[0]
	assert.Equal(t, "deployment", web.Kind)
	assert.Equal(t, 9, web.Desired)
	assert.Equal(t, 9, web.RunningAtEnd)
	assert.Equal(t, 1, s.Workloads[1].RunsComplete)
	assert.Equal(t, 8, s.Workloads[1].Succeeded)
	assert.Equal(t, 4, s.Workloads[2].Desired, "the DaemonSet on the 4 nodes left after the scale-in")
	assert.Empty(t, res.Summary.Services)
	assert.Equal(t, 4, res.Summary.Instances.AtEnd)
	// The scale-in drained its node before the instance went.
	var drained, terminated time.Duration
	for _, e := range res.Events {
		switch e.Type {
		case eks.EventNodeDrained:
			drained = e.At.Duration()
		case "InstanceTerminated":
			terminated = e.At.Duration()
		}
	}
	assert.Positive(t, drained)
	assert.Equal(t, drained, terminated)
	// state.json: a v1 List of the nodes, then the pods.
	st := res.EKS.State
	assert.Equal(t, "List", st.Kind)
	first, ok := st.Items[0].(eks.NodeObject)
	require.True(t, ok)
	assert.Equal(t, "m5.large", first.Metadata.Labels[eks.LabelInstanceType])
	assert.Equal(t, "1930m", first.Status.Allocatable["cpu"])
}

func TestAnEKSRunIsDeterministic(t *testing.T) {
	cfg := func() *Config {
		c := eksConfig(t)
		c.Groups[1].SpotInterruptionsPerInstHour = 1 // Spot notices, drains and reclaims too
		return c
	}
	ra := run(t, cfg())
	assert.Positive(t, ra.Summary.Instances.SpotInterruptions)
	a, err := json.Marshal(ra.Summary)
	require.NoError(t, err)
	b, err := json.Marshal(run(t, cfg()).Summary)
	require.NoError(t, err)
	assert.JSONEq(t, string(a), string(b))
	assert.Equal(t, string(a), string(b))
}

func TestAnEKSRunLeavesItsConfigAsItFoundIt(t *testing.T) {
	cfg := eksConfig(t)
	before, err := json.Marshal(cfg.EKS)
	require.NoError(t, err)
	run(t, cfg)
	after, err := json.Marshal(cfg.EKS)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
}

func TestEKSTimelineDrainsAndFailsNodes(t *testing.T) {
	cfg := eksConfig(t)
	cfg.EKS.Timeline = []eks.TimelineEntry{
		{At: 20 * time.Minute, Action: "drain_nodes", NodeGroup: 0, Count: 1, Deployment: -1},
		{At: 40 * time.Minute, Action: "fail_nodes", NodeGroup: 1, Count: 1, Deployment: -1},
	}
	res := run(t, cfg)
	kinds := map[string]int{}
	for _, e := range res.Events {
		kinds[e.Type]++
	}
	assert.Equal(t, 1, kinds[eks.EventNodeDraining])
	assert.Equal(t, 1, kinds[eks.EventNodeDrained])
	assert.Equal(t, 1, kinds["InstanceFailed"])
	assert.Equal(t, 1, kinds[eks.EventNodeRemoved])
	web := res.Summary.EKS.Workloads[0]
	assert.Equal(t, web.Desired, web.RunningAtEnd, "the Deployment recovered on the other nodes and the replacement")
}

func TestAnUnknownEKSTimelineActionEndsTheRunWithAnError(t *testing.T) {
	cfg := eksConfig(t)
	cfg.EKS.Timeline = []eks.TimelineEntry{{At: time.Minute, Action: "reboot_everything", NodeGroup: -1, Deployment: -1}}
	_, err := New(cfg).Run()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown EKS timeline action "reboot_everything"`)
}

func TestABadPodTemplateIsAnErrorNotAPanic(t *testing.T) {
	cfg := eksConfig(t)
	bad := cfg.EKS.Deployments[0]
	bad.Template.Pod.TopologySpreadConstraints = []kube.TopologySpreadConstraint{{MaxSkew: 0, TopologyKey: "zone", WhenUnsatisfiable: kube.DoNotSchedule}}
	cfg.EKS.Deployments = []eks.Deployment{bad}
	_, err := New(cfg).Run()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `deployment "web"`)
	assert.Contains(t, err.Error(), "maxSkew")
}

package eks

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale/hpa"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
)

// fargateConfig is a cluster with one node group of one m5.large and a
// Fargate profile taking namespace default's pods labelled app=api.
func fargateConfig() *Config {
	cfg := baseConfig("ng")
	cfg.FargateProfiles = []FargateProfile{{Name: "api", Selectors: []FargateSelector{{Namespace: "default", Labels: map[string]string{"app": "api"}}}}}
	return cfg
}

// A pod matching the profile never meets kube-scheduler: it waits the
// Fargate start latency (60 s), pulls its image with no cache at Fargate's
// 50 MiB/s (50 MiB: 1 s), starts 2 s later on a fargate-ip-... node of its
// own; a pod matching no profile goes to the EC2 node. The Fargate node is
// no EC2 node: the node count stays 1.
func TestFargatePodRunsOnItsOwnCapacityAfterStartLatencyAndPull(t *testing.T) {
	cfg := fargateConfig()
	cfg.Deployments = []Deployment{deploy("api", 1, tmpl("api", 500, 512)), deploy("web", 1, tmpl("web", 250, 256))}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 1)}, 1, 10*time.Minute)
	r.until(5 * time.Minute)

	api := r.podsOf(0)
	require.Len(t, api, 1)
	p := api[0]
	require.NotNil(t, p.fg)
	assert.True(t, p.fg.up)
	assert.Equal(t, int32(-1), p.node)
	assert.True(t, strings.HasPrefix(p.fg.name, "fargate-ip-10-"), p.fg.name)
	pull := capacity.PullTime(50<<20, DefaultFargatePullBytesPerSecond)
	assert.Equal(t, p.created+des.At(DefaultFargatePodStartLatency), p.scheduled)
	assert.Equal(t, p.scheduled+pull+des.At(2*time.Second), p.started)
	assert.Equal(t, PhaseRunning, p.phase)
	// 0.5 vCPU and 512 MiB + 256 MiB: 0.5 vCPU / 1 GB.
	assert.Equal(t, FargatePodSize{CPU: 512, MemoryMiB: 1024, RequestCPU: 512, RequestMemoryMiB: 768}, p.fg.size)

	web := r.podsOf(1)
	require.Len(t, web, 1)
	assert.Nil(t, web[0].fg)
	assert.GreaterOrEqual(t, web[0].node, int32(0))

	assert.Equal(t, 1, r.w.nodeTally().ready, "the Fargate node is not an EC2 node")
	o := r.w.Outcome()
	require.Len(t, o.Fargate, 1)
	u := o.Fargate[0]
	assert.Equal(t, "api", u.Profile)
	assert.Equal(t, 512, u.CPU)
	assert.Equal(t, 1024, u.MemoryMiB)
	assert.Equal(t, p.scheduled, u.Start, "billed from the image pull's start")
	require.NotNil(t, o.Summary.Fargate)
	assert.Equal(t, 1, o.Summary.Fargate.Pods)
	assert.Equal(t, 1, o.Summary.Fargate.AtEnd)
	assert.Equal(t, map[string]int{"0.5 vCPU 1 GB": 1}, o.Summary.Fargate.Profiles[0].Sizes)
	assert.Equal(t, 1, o.Summary.Workloads[0].FargatePods)
	assert.Equal(t, 0, o.Summary.Workloads[1].FargatePods)

	// The pod's events name its Fargate node; state.json has it with the
	// fargate-scheduler.
	var sched []string
	for _, e := range r.events(EventPodScheduled) {
		sched = append(sched, e.Instance)
	}
	assert.Contains(t, sched, p.fg.name)
	for _, it := range o.State.Items {
		if po, ok := it.(PodObject); ok && po.Metadata.Name == p.name {
			assert.Equal(t, p.fg.name, po.Spec.NodeName)
			assert.Equal(t, SchedulerFargate, po.Spec.SchedulerName)
		}
	}
}

// Scaling the Deployment to zero deletes the pod: its capacity goes with it
// at the end of its grace period (30 s), and the bill stops there.
func TestFargateDeletedPodReleasesItsCapacity(t *testing.T) {
	cfg := fargateConfig()
	cfg.Deployments = []Deployment{deploy("api", 1, tmpl("api", 500, 512))}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 1)}, 1, 10*time.Minute)
	r.until(3 * time.Minute)
	r.w.ScaleDeployment(0, 0)
	r.until(5 * time.Minute)
	o := r.w.Outcome()
	require.Len(t, o.Fargate, 1)
	assert.Equal(t, des.At(3*time.Minute+30*time.Second), o.Fargate[0].Stop)
	assert.Equal(t, 0, o.Summary.Fargate.AtEnd)
	assert.Equal(t, 0, r.w.fg.held[0])
}

// A Job's pods on Fargate run to completion; each pod's capacity ends with
// it, and the Job completes.
func TestFargateJobPodsEndAndRelease(t *testing.T) {
	cfg := fargateConfig()
	jt := tmpl("api", 250, 256)
	jt.Run = 90 * time.Second
	cfg.Jobs = []Job{{Name: "batch", Namespace: "default", Template: jt, Completions: 2, Parallelism: 2, BackoffLimit: 6}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 1)}, 1, 10*time.Minute)
	r.until(10 * time.Minute)
	o := r.w.Outcome()
	require.Len(t, o.Fargate, 2)
	for _, u := range o.Fargate {
		// pull 1 s, start 2 s, run 90 s after the node registers.
		assert.Equal(t, u.Start+capacity.PullTime(50<<20, DefaultFargatePullBytesPerSecond)+des.At(92*time.Second), u.Stop)
	}
	assert.Equal(t, 2, o.Summary.Workloads[0].Succeeded)
	assert.Equal(t, 1, o.Summary.Workloads[0].RunsComplete)
}

// A DaemonSet whose pods the profile's selector matches still runs on the
// EC2 nodes only (fargate.html: DaemonSets aren't supported on Fargate).
func TestFargateNeverTakesDaemonSetPods(t *testing.T) {
	cfg := fargateConfig()
	cfg.DaemonSets = []DaemonSet{{Name: "agent", Namespace: "default", Template: tmpl("api", 50, 50)}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 2)}, 1, 10*time.Minute)
	r.until(5 * time.Minute)
	ds := r.podsOf(r.w.daemonWorkload(0))
	require.Len(t, ds, 2)
	for _, p := range ds {
		assert.Nil(t, p.fg)
		assert.GreaterOrEqual(t, p.node, int32(0))
	}
	assert.Empty(t, r.w.Outcome().Fargate)
}

// Fargate pods never wait in the unschedulable set, so neither Karpenter
// nor the Cluster Autoscaler sees them; the series counts them apart
// (fargate.api.pods) and not as unscheduled. The Fargate start latency is
// the setting's when given.
func TestFargatePodsAreNotPendingForNodesAndSeriesCountThem(t *testing.T) {
	cfg := fargateConfig()
	cfg.Settings.FargateStartTime = 30 * time.Second
	cfg.Deployments = []Deployment{deploy("api", 3, tmpl("api", 1000, 2048))}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 1)}, 1, 10*time.Minute)
	r.until(10 * time.Second)
	assert.Empty(t, r.w.unsched)
	assert.Equal(t, 0, r.w.rec.counts[stUnscheduled])
	assert.Equal(t, 3, r.w.rec.counts[stStarting])
	r.until(5 * time.Minute)
	for _, p := range r.podsOf(0) {
		assert.Equal(t, p.created+des.At(30*time.Second), p.scheduled)
		assert.True(t, p.onKubelet(), "the HPA sees a started pod")
	}
	s := r.w.rec.series
	col := func(name string) []float64 {
		for _, c := range s.Columns {
			if c.Name == name {
				return c.Values
			}
		}
		t.Fatalf("no column %s", name)
		return nil
	}
	pods, vcpu := col(FargateColumn("api", "pods")), col(FargateColumn("api", "vcpu"))
	assert.Equal(t, 3.0, pods[len(pods)-1])
	// 1 vCPU and 2 GiB + 256 MiB: 1 vCPU / 3 GB.
	assert.Equal(t, 3.0, vcpu[len(vcpu)-1])
	assert.Equal(t, 0.0, pods[0])
}

// A template the profile takes that Fargate refuses is an error of New.
func TestFargateRefusesHostPortTemplate(t *testing.T) {
	cfg := fargateConfig()
	tp := tmpl("api", 250, 256)
	tp.HostNetwork = true
	cfg.Deployments = []Deployment{deploy("api", 1, tp)}
	_, err := New(cfg, Env{Start: start, Region: "us-east-1"}, des.New(1), nil, nil, 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "hostNetwork")
}

func TestFargateNodeName(t *testing.T) {
	assert.Equal(t, "fargate-ip-10-128-0-11.ec2.internal", FargateNodeName("us-east-1", 1))
	assert.Equal(t, "fargate-ip-10-128-1-10.eu-west-1.compute.internal", FargateNodeName("eu-west-1", 256))
}

// A pod deleted while it waits for its Fargate node goes at once (it has no
// kubelet yet) and is never billed: Fargate bills from the image pull.
func TestFargatePodDeletedBeforeItsNodeIsNotBilled(t *testing.T) {
	cfg := fargateConfig()
	cfg.Deployments = []Deployment{deploy("api", 2, tmpl("api", 250, 256))}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 1)}, 1, 10*time.Minute)
	r.until(20 * time.Second)
	r.w.ScaleDeployment(0, 0)
	r.until(21 * time.Second)
	assert.Empty(t, r.podsOf(0), "gone at once, no grace period")
	r.until(5 * time.Minute)
	o := r.w.Outcome()
	assert.Empty(t, o.Fargate)
	assert.Equal(t, 0, o.Summary.Fargate.Pods)
	assert.Empty(t, r.events(EventPodScheduled))
}

// The HPA scales a Deployment whose pods run on Fargate as it scales one on
// nodes: 150 rps on 2 pods of 100 rps at 100% CPU is 75% of a 50% target,
// so it proposes 3 once its pods have two scrapes (they are Ready at about
// 63 s on Fargate: 60 s for the node, 1 s pull, 2 s start), and the third
// pod runs on Fargate too.
func TestFargateHPAScalesPodsOnFargate(t *testing.T) {
	cfg := fargateConfig()
	dep := deploy("api", 2, tmpl("api", 500, 256))
	dep.Load, dep.PodRequestsPerSecond = steps([]time.Duration{0}, []float64{150}), 100
	cfg.Deployments = []Deployment{dep}
	cfg.HPAs = []HorizontalPodAutoscaler{{Name: "api", Namespace: "default", Deployment: 0,
		Spec:    hpa.Spec{MaxReplicas: 10, Metrics: []hpa.Metric{{Type: hpa.Resource, Name: hpa.CPU, Target: hpa.Utilization, AverageUtilization: 50}}},
		Sources: []MetricSource{SourceCPU}}}
	r := newRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 1)}, 1, 30*time.Minute)
	r.until(10 * time.Minute)
	ev := rescales(r)
	require.NotEmpty(t, ev)
	assert.Equal(t, "New size: 3; reason: cpu resource utilization (percentage of request) above target", ev[0].Reason)
	assert.Greater(t, ev[0].At.Duration(), 63*time.Second)
	pods := r.podsOf(0)
	require.Len(t, pods, 3)
	for _, p := range pods {
		require.NotNil(t, p.fg)
		assert.True(t, p.ready)
	}
}

// A registry failure backs a Fargate pod off as a node's pod (the kubelet
// runs on its Fargate node): pulls at 60 s and 70 s fail inside the 2-minute
// window, 90 s also, 130 s gets through (10 s, 20 s, 40 s back-offs), then
// 50 MiB at Fargate's 50 MiB/s and the 2 s start. Its bill runs from 60 s.
func TestFargatePodBacksOffARegistryFailure(t *testing.T) {
	cfg := baseConfig("ng")
	cfg.FargateProfiles = []FargateProfile{{Name: "web", Selectors: []FargateSelector{{Namespace: "default"}}}}
	cfg.Deployments = []Deployment{deploy("web", 1, tmpl("web", 250, 256))}
	r := ecrRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 1)}, 10*time.Minute)
	r.until(10 * time.Minute)
	fails := r.events(EventErrImagePull)
	require.Len(t, fails, 3)
	assert.Equal(t, []time.Duration{60 * time.Second, 70 * time.Second, 90 * time.Second},
		[]time.Duration{fails[0].At.Duration(), fails[1].At.Duration(), fails[2].At.Duration()})
	assert.True(t, strings.HasPrefix(fails[0].Instance, "fargate-ip-"), fails[0].Instance)
	p := r.podsOf(0)[0]
	assert.Equal(t, des.At(130*time.Second)+capacity.PullTime(50<<20, DefaultFargatePullBytesPerSecond)+des.At(2*time.Second), p.started)
	assert.Equal(t, des.At(60*time.Second), r.w.Outcome().Fargate[0].Start)
}

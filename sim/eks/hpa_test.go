package eks

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale/hpa"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/schema"
	"github.com/fleetsim/fleetsim/workload"
)

// steps is a load of rates[i] requests per second from at[i] on.
func steps(at []time.Duration, rates []float64) workload.Pattern {
	return workload.PatternFunc(func(t time.Time) float64 {
		r := 0.0
		for i, a := range at {
			if !t.Before(start.Add(a)) {
				r = rates[i]
			}
		}
		return r
	})
}

// hpaRig is a web Deployment of 2 pods (500m each, 100 requests per second
// at 100% of it) on 4 m5.large nodes, its load from steps, and one HPA.
func hpaRig(t *testing.T, load workload.Pattern, h HorizontalPodAutoscaler, d time.Duration) *rig {
	cfg := baseConfig("ng")
	dep := deploy("web", 2, tmpl("web", 500, 256))
	dep.Load, dep.PodRequestsPerSecond = load, 100
	cfg.Deployments = []Deployment{dep}
	h.Name, h.Namespace, h.Deployment = "web", "default", 0
	cfg.HPAs = []HorizontalPodAutoscaler{h}
	return newRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 4)}, 1, d)
}

func rescales(r *rig) []schema.Event { return r.events(EventHPARescale) }

// CPU utilisation of requests: 150 rps on 2 pods is 75% of a 50% target,
// so the first sync with samples (the pods Ready at about 33 s, their
// second scrape at 60 s) proposes ceil(2 x 1.5) = 3; when the load falls to
// 50 rps (17% on 3 pods) the proposal is ceil(3 x 0.33) = 1, held by the
// 5-minute scale-down stabilization window.
func TestHPAScalesADeploymentOnCPU(t *testing.T) {
	r := hpaRig(t, steps([]time.Duration{0, 10 * time.Minute}, []float64{150, 50}),
		HorizontalPodAutoscaler{Spec: hpa.Spec{MaxReplicas: 10, Metrics: []hpa.Metric{{Type: hpa.Resource, Name: hpa.CPU, Target: hpa.Utilization, AverageUtilization: 50}}},
			Sources: []MetricSource{SourceCPU}}, 30*time.Minute)
	r.until(30 * time.Minute)
	ev := rescales(r)
	require.Len(t, ev, 2, "%+v", ev)
	assert.Equal(t, 60*time.Second, ev[0].At.Duration())
	assert.Equal(t, "New size: 3; reason: cpu resource utilization (percentage of request) above target", ev[0].Reason)
	assert.Equal(t, "deployment:web", ev[0].Group)
	// The load drops at 10 min; the first sync after it sees it at the
	// next scrape and recommends 1; 300 s later the window lets it go.
	assert.GreaterOrEqual(t, ev[1].At.Duration(), 15*time.Minute)
	assert.Less(t, ev[1].At.Duration(), 15*time.Minute+30*time.Second)
	assert.Equal(t, "New size: 1; reason: All metrics below target", ev[1].Reason)
	assert.Equal(t, 1, r.w.deploys[0].replicas)

	failed := r.events(EventHPAFailed)
	require.NotEmpty(t, failed, "the syncs before any pod had samples")
	assert.Less(t, failed[0].At.Duration(), time.Minute)
	recs := r.events(EventHPARecommendation)
	require.NotEmpty(t, recs)
	assert.Equal(t, "proposal 3", recs[0].Status)
	assert.Equal(t, "cpu resource utilization (percentage of request): cpu 75%/50% -> 3", recs[0].Reason)

	s := r.w.Outcome().Summary.HPAs
	require.Len(t, s, 1)
	assert.Equal(t, 1, s[0].ScaleUps)
	assert.Equal(t, 1, s[0].ScaleDowns)
	assert.Equal(t, int32(3), s[0].PeakDesired)
	assert.Equal(t, int32(1), s[0].DesiredAtEnd)
	assert.Positive(t, s[0].Stabilized["ScaleDownStabilized"])
	assert.Equal(t, 30*60/15, s[0].Syncs)
}

// A Pods metric of requests per second with the default behavior: 1000 rps
// on 2 pods is 500 a pod against a 50 target; the default scale-up policy
// allows max(2 + 4, 2 x 2) = 6 in the first period, then doubling.
func TestHPAScalesOnRequestsPerSecondWithinTheDefaultPolicy(t *testing.T) {
	r := hpaRig(t, steps([]time.Duration{0}, []float64{1000}),
		HorizontalPodAutoscaler{Spec: hpa.Spec{MaxReplicas: 20, Behavior: &hpa.Behavior{},
			Metrics: []hpa.Metric{{Type: hpa.Pods, Name: MetricRequestsPerSecond, Target: hpa.AverageValue, TargetMilli: 50_000}}},
			Sources: []MetricSource{SourceRequestsPerSecond}}, 10*time.Minute)
	r.until(10 * time.Minute)
	ev := rescales(r)
	require.NotEmpty(t, ev)
	assert.Equal(t, "replicas 6", ev[0].Status)
	assert.Contains(t, ev[0].Reason, "(ScaleUpLimit)")
	assert.Equal(t, 20, r.w.deploys[0].replicas, "1000 rps / 50 = 20, capped by maxReplicas 20")
}

// An External metric of the total requests per second with a Value
// target: with no HPA the world's outputs are the same as before.
func TestHPAExternalMetricAndNoHPAIsNoChange(t *testing.T) {
	r := hpaRig(t, steps([]time.Duration{0}, []float64{400}),
		HorizontalPodAutoscaler{Spec: hpa.Spec{MaxReplicas: 20, Behavior: &hpa.Behavior{},
			Metrics: []hpa.Metric{{Type: hpa.External, Name: MetricRequestsPerSecond, Target: hpa.AverageValue, TargetMilli: 100_000}}},
			Sources: []MetricSource{SourceRequestsPerSecond}}, 5*time.Minute)
	r.until(5 * time.Minute)
	assert.Equal(t, 4, r.w.deploys[0].replicas, "400 rps / 100 a pod")

	cfg := baseConfig("ng")
	dep := deploy("web", 2, tmpl("web", 500, 256))
	dep.Load, dep.PodRequestsPerSecond = steps([]time.Duration{0}, []float64{400}), 100
	cfg.Deployments = []Deployment{dep}
	plain := newRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", 4)}, 1, 5*time.Minute)
	plain.until(5 * time.Minute)
	assert.Equal(t, 2, plain.w.deploys[0].replicas)
	assert.Nil(t, plain.w.Outcome().Summary.HPAs)
	assert.Empty(t, plain.events(EventHPARecommendation))
}

// The memory model (choice): 200 rps saturate 2 pods (100% CPU), so their
// memory is 0.8 of the request; against a 60% target that is ratio 1.33:
// ceil(2 x 1.33) = 3, the maximum.
func TestHPAMemoryModel(t *testing.T) {
	r := hpaRig(t, steps([]time.Duration{0}, []float64{200}),
		HorizontalPodAutoscaler{Spec: hpa.Spec{MaxReplicas: 3, Behavior: &hpa.Behavior{},
			Metrics: []hpa.Metric{{Type: hpa.Resource, Name: hpa.Memory, Target: hpa.Utilization, AverageUtilization: 60}}},
			Sources: []MetricSource{SourceMemory}}, 5*time.Minute)
	r.until(5 * time.Minute)
	recs := r.events(EventHPARecommendation)
	require.NotEmpty(t, recs)
	assert.Equal(t, "memory resource utilization (percentage of request): memory 80%/60% -> 3", recs[0].Reason)
	assert.Equal(t, 3, r.w.deploys[0].replicas)
}

package eks

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale/hpa"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/workload"
)

// servedRig is Deployment web of replicas pods of 500m (0.5 vCPU) served
// as an ECS service: cpu_seconds_per_request 0.005, so each Ready pod
// serves 0.5/0.005 = 100 requests a second, latency SLO 20 ms, on nodes
// m5.large nodes.
func servedRig(t *testing.T, replicas int, cpu int64, rate float64, nodes int, h *HorizontalPodAutoscaler) *rig {
	cfg := baseConfig("ng")
	dep := deploy("web", replicas, tmpl("web", cpu, 256))
	dep.Load, dep.CPUSecondsPerRequest, dep.LatencySLO = workload.Constant(rate), 0.005*float64(cpu)/500, 20*time.Millisecond
	cfg.Deployments = []Deployment{dep}
	if h != nil {
		h.Name, h.Namespace, h.Deployment = "web", "default", 0
		cfg.HPAs = []HorizontalPodAutoscaler{*h}
	}
	return newRig(t, cfg, []capacity.GroupConfig{group(t, "ng", "m5.large", nodes)}, 1, 30*time.Minute)
}

func (r *rig) column(name string) []float64 {
	for _, c := range r.w.Outcome().Series.Columns {
		if c.Name == name {
			return c.Values
		}
	}
	r.t.Fatalf("no column %s", name)
	return nil
}

// 200 requests/s on 4 pods of 100/s each: a = 2 Erlangs, ρ = 50%. Erlang
// C(4, 2) = 0.1739 and P(T > 20 ms) = e^-2 (1 + 0.1739 (1 - e^-2)) =
// 0.1557 (M/M/c, workload.ServiceModel, as an ECS service of four 0.5-vCPU
// tasks): 84.4% of a steady minute's requests meet the SLO. Each sample
// offers the minute's 12,000 requests.
func TestADeploymentWithCPUSecondsPerRequestIsServedAsAnECSService(t *testing.T) {
	r := servedRig(t, 4, 500, 200, 2, nil)
	r.until(30 * time.Minute)
	steady := workload.ServiceModel{CPUSecondsPerRequest: 0.005, TaskVCPU: 0.5, SLO: 20 * time.Millisecond}.Respond(200, 4)
	assert.InDelta(t, 0.1557, steady.TailShare, 5e-4, "P(T > 20 ms) of M/M/4 at a = 2")

	util, dropped, avail := r.column(DeploymentColumn("web", "cpu_utilization")), r.column(DeploymentColumn("web", "dropped_rps")), r.column(DeploymentColumn("web", "available"))
	last := len(util) - 1
	assert.InDelta(t, 50, util[last], 1e-9, "the model's utilisation: 200 of 400 requests/s")
	assert.Zero(t, dropped[last])
	assert.True(t, math.IsNaN(util[0]), "no period has ended at the first sample")

	var offered, drops, missed float64
	for i := 1; i <= last; i++ {
		rr := workload.ServiceModel{CPUSecondsPerRequest: 0.005, TaskVCPU: 0.5, SLO: 20 * time.Millisecond}.Respond(200, int(avail[i]))
		offered += 200 * 60
		drops += rr.Dropped * 60
		missed += rr.MissShare * 200 * 60
	}
	ws := r.w.Outcome().Summary.Workloads[0]
	require.NotNil(t, ws.RequestsOffered)
	assert.Equal(t, float64(29*12000), *ws.RequestsOffered, "29 sampled minutes of 200 requests/s")
	assert.Equal(t, math.Round(drops), *ws.RequestsDropped)
	assert.Zero(t, *ws.RequestsDropped, "the pods were Ready within the first minute")
	assert.Equal(t, math.Round((1-missed/offered)*1e4)/100, *ws.SLOAttainmentPct)
	assert.InDelta(t, 84.43, *ws.SLOAttainmentPct, 0.01, "every minute a steady one")
	assert.Equal(t, 100.0, *ws.AvailabilityPct, "4 pods Ready within the first five minutes")
}

// Overload, as on ECS: 2 pods admit at most 99% of their 200 requests/s;
// of 500 offered, 198 are served and 302 dropped, at 99% utilisation.
func TestAnOverloadedServedDeploymentDropsAboveItsAdmissionCap(t *testing.T) {
	r := servedRig(t, 2, 500, 500, 1, nil)
	r.until(30 * time.Minute)
	util, dropped := r.column(DeploymentColumn("web", "cpu_utilization")), r.column(DeploymentColumn("web", "dropped_rps"))
	last := len(util) - 1
	assert.InDelta(t, 99, util[last], 1e-9)
	assert.InDelta(t, 302, dropped[last], 1e-9)
	ws := r.w.Outcome().Summary.Workloads[0]
	assert.LessOrEqual(t, *ws.SLOAttainmentPct, 39.6, "302 of 500 requests dropped: at most 39.6% served at all")
}

// Availability as the ECS side counts it: a sample is up when the
// available pods reach replicas - maxUnavailable (4 - 25% = 3) of the
// lowest replica count of the last five minutes, none before five minutes
// have passed. 4 pods of 900m on one m5.large (1930m allocatable): 2 run,
// so the 25 samples from the fifth on are down: 4 of 29 up.
func TestAServedDeploymentIsUnavailableBelowItsMinimumAvailability(t *testing.T) {
	r := servedRig(t, 4, 900, 100, 1, nil)
	r.until(30 * time.Minute)
	ws := r.w.Outcome().Summary.Workloads[0]
	assert.Equal(t, 2, ws.RunningAtEnd)
	assert.Equal(t, math.Round(4.0/29*1e4)/100, *ws.AvailabilityPct)
}

// The HorizontalPodAutoscaler reads the model's utilisation: 150
// requests/s on 2 pods of 100/s is 75% of their CPU request, against a
// 50% target: ceil(2 x 1.5) = 3.
func TestTheHPAOfAServedDeploymentReadsTheModelsUtilisation(t *testing.T) {
	h := &HorizontalPodAutoscaler{Spec: hpa.Spec{MaxReplicas: 10, Metrics: []hpa.Metric{{Type: hpa.Resource, Name: hpa.CPU, Target: hpa.Utilization, AverageUtilization: 50}}},
		Sources: []MetricSource{SourceCPU}}
	r := servedRig(t, 2, 500, 150, 4, h)
	r.until(10 * time.Minute)
	recs := r.events(EventHPARecommendation)
	require.NotEmpty(t, recs)
	assert.Equal(t, "cpu resource utilization (percentage of request): cpu 75%/50% -> 3", recs[0].Reason)
}

// A pod without a CPU request cannot be served: New refuses it (the
// scenario refuses it first).
func TestAServedDeploymentNeedsACPURequest(t *testing.T) {
	dc := deploy("web", 1, tmpl("web", 0, 256))
	dc.Load, dc.CPUSecondsPerRequest = workload.Constant(1), 0.01
	_, err := newServiceState(&dc, time.Minute)
	assert.ErrorContains(t, err, "CPU request")
}

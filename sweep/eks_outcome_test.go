package sweep

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// An EKS run is judged by the figures an ECS run is: the worst p95 time
// Pending of its workloads, the pods that started, SLO attainment and
// availability of its served Deployment, and the bill split with the
// control plane at $0.10 per cluster-hour ($2.40 a day, Amazon EKS
// pricing, standard support) counted in the cost.
func TestAnEKSRowHasItsWaitPodsSLOAndControlPlane(t *testing.T) {
	sc, err := scenarios.Resolve("eks-hpa-cluster-autoscaler")
	require.NoError(t, err)
	cfg := sc.Config
	cfg.Duration = 12 * time.Hour // midnight to noon in New York: the morning's scale-up
	d := &cfg.EKS.Deployments[0]
	d.PodRequestsPerSecond, d.CPUSecondsPerRequest, d.LatencySLO = 0, 0.5/60, 50*time.Millisecond // a 500m pod serves 60 requests/s
	cfg.EKS.Settings.PodEvents = true
	res, err := sim.New(cfg).Run()
	require.NoError(t, err)
	prices := report.PricesFor(cfg)
	o, err := OutcomeOf(res, prices)
	require.NoError(t, err)

	web := res.Summary.EKS.Workloads[0]
	require.NotNil(t, web.SLOAttainmentPct)
	assert.Greater(t, o.P95WaitS, 0.0, "the Cluster Autoscaler's nodes take minutes: pods wait Pending")
	assert.InDelta(t, web.PendingP95S, o.P95WaitS, 1e-3)
	assert.Equal(t, res.EKS.PodsStarted, o.TasksStarted)
	assert.GreaterOrEqual(t, o.TasksStarted, 8, "at least the 8 replicas the Deployment starts with")
	// placement_failures: the pods with a FailedScheduling event, each once
	// however many messages it got.
	failed := map[string]bool{}
	for _, e := range res.Events {
		if e.Type == "FailedScheduling" {
			failed[e.Subject] = true
		}
	}
	assert.NotEmpty(t, failed, "the scale-up's pods wait for the Cluster Autoscaler's nodes")
	assert.Equal(t, len(failed), o.PlacementFailures)
	assert.Equal(t, *web.SLOAttainmentPct, o.SLOAttainmentPct)
	assert.Equal(t, *web.AvailabilityPct, o.AvailabilityPct)
	assert.Greater(t, o.SLOAttainmentPct, 0.0)
	assert.LessOrEqual(t, o.SLOAttainmentPct, 100.0)

	assert.InDelta(t, 2.40, o.ControlPlaneUSDPerDay, 1e-6, "$0.10 per cluster-hour")
	cost, err := report.ComputeCost(res, prices)
	require.NoError(t, err)
	days := res.End.Duration().Hours() / 24
	assert.InDelta(t, float64(cost.TotalUSD)+0.10*12, o.CostUSD, 1e-5, "the nodes' bill and the control plane")
	assert.InDelta(t, o.ComputeUSDPerDay+o.ControlPlaneUSDPerDay+o.FargateUSDPerDay, o.USDPerDay, 1e-5)
	assert.InDelta(t, float64(cost.TotalUSD)/days, o.ComputeUSDPerDay, 1e-5)
	assert.Zero(t, o.FargateUSDPerDay)
	ek, err := report.ComputeEKSCost(res, prices)
	require.NoError(t, err)
	idle, ok := report.EKSIdle(res, ek)
	require.True(t, ok)
	assert.InDelta(t, float64(idle.USD)/days, o.IdleUSDPerDay, 1e-5)
	assert.Greater(t, o.IdleUSDPerDay, 0.0)
	assert.Less(t, o.IdleUSDPerDay, o.ComputeUSDPerDay)
}

// An ECS row is what it was before the EKS figures: the bill, the worst
// service or job placement wait, the tasks placed, SLO attainment weighted
// by requests offered; the new columns split the same bill, with no
// control plane.
func TestAnECSRowKeepsItsFiguresAndSplitsItsBill(t *testing.T) {
	sc, err := scenarios.Resolve("web-and-batch")
	require.NoError(t, err)
	cfg := sc.Config
	cfg.Duration = 2 * time.Hour
	res, err := sim.New(cfg).Run()
	require.NoError(t, err)
	prices := report.PricesFor(cfg)
	o, err := OutcomeOf(res, prices)
	require.NoError(t, err)
	cost, err := report.ComputeCost(res, prices)
	require.NoError(t, err)

	assert.Equal(t, round(float64(cost.TotalUSD), 1e6), o.CostUSD)
	assert.Equal(t, round(float64(cost.PerDayUSD), 1e6), o.USDPerDay)
	assert.Equal(t, res.Tasks.Len(), o.TasksStarted)
	var wait, offered, within, up float64
	for _, s := range res.Summary.Services {
		wait = max(wait, s.PlacementWait.P95)
		if s.RequestsOffered > 0 {
			offered += s.RequestsOffered
			up += s.RequestsOffered * s.AvailabilityPct
			if s.SLOAttainmentPct >= 0 {
				within += s.RequestsOffered * s.SLOAttainmentPct
			}
		}
	}
	for _, j := range res.Summary.BatchJobs {
		wait = max(wait, j.PlacementWait.P95)
	}
	assert.Equal(t, round(wait, 1e3), o.P95WaitS)
	require.Greater(t, offered, 0.0)
	assert.InDelta(t, up/offered, o.AvailabilityPct, 1e-4)
	if math.IsNaN(o.SLOAttainmentPct) {
		assert.Zero(t, within)
	}
	assert.Zero(t, o.ControlPlaneUSDPerDay)
	assert.InDelta(t, o.USDPerDay, o.ComputeUSDPerDay+o.FargateUSDPerDay, 1e-5, "EC2 and Fargate are the whole bill")
	assert.Greater(t, o.ComputeUSDPerDay, 0.0)
	days := res.End.Duration().Hours() / 24
	var idle float64
	for _, ow := range cost.ByOwner {
		if ow.Kind == "idle" {
			idle = float64(ow.USD)
		}
	}
	assert.InDelta(t, idle/days, o.IdleUSDPerDay, 1e-5)
}

// The report's split table holds the split columns whose mean differs
// between variants (an ECS variant's control plane of 0 against an EKS
// one's 2.40); one equal in every variant (Fargate at 0 on both) is left
// out, and the wide table holds none of them.
func TestTheReportSplitsTheBillWhereItVaries(t *testing.T) {
	stats := func(compute, plane, fargate float64) VariantSummary {
		v := VariantSummary{Stats: make([]Interval, len(Metrics))}
		for i := range v.Stats {
			v.Stats[i].Mean = math.NaN()
		}
		v.Stats[metricIndex("compute_usd_per_day")].Mean = compute
		v.Stats[metricIndex("control_plane_usd_per_day")].Mean = plane
		v.Stats[metricIndex("fargate_usd_per_day")].Mean = fargate
		return v
	}
	full, split := shownMetrics([]VariantSummary{stats(8.53, 0, 0), stats(7.06, 2.4, 0)})
	var names []string
	for _, i := range split {
		names = append(names, Metrics[i].Column)
	}
	assert.Equal(t, []string{"compute_usd_per_day", "control_plane_usd_per_day"}, names)
	for _, i := range full {
		assert.NotContains(t, whereTheyVary, Metrics[i].Column)
	}
	assert.Len(t, full, len(Metrics)-len(whereTheyVary))
	_, split = shownMetrics([]VariantSummary{stats(8.53, 0, 0)})
	assert.Len(t, split, 1, "one variant: the figures that are there (compute)")
}

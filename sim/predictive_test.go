package sim

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// dailyPeakConfig is fargateConfig's service (1-vCPU tasks, 0.01 CPU-s a
// request) at 100 rps, 1000 rps from 10:00 to 11:00 of each day: a total CPU
// utilization of 100 task-percent (2 tasks at a target of 50), 1000 in the
// peak (20 tasks), with a predictive scaling policy on it.
func dailyPeakConfig(t testing.TB, mode autoscale.PredictiveMode, days int) *Config {
	cfg := fargateConfig(t, 2, 100)
	cfg.Duration = time.Duration(days)*24*time.Hour + 12*time.Hour
	var steps []ecs.LoadStep
	for d := range days + 1 {
		day := time.Duration(d) * 24 * time.Hour
		steps = append(steps, ecs.LoadStep{At: day + 10*time.Hour, RPS: 1000}, ecs.LoadStep{At: day + 11*time.Hour, RPS: 100})
	}
	cfg.Services[0].Load = &ecs.LoadConfig{Pattern: "step", BaseRPS: 100, Steps: steps, CPUSecondsPerRequest: 0.01}
	cfg.Services[0].AutoScaling = &ecs.AutoScalingConfig{MinCapacity: 1, MaxCapacity: 40,
		Predictive: []autoscale.PredictiveScalingConfig{{Name: "forecast", LoadMetric: autoscale.ECSServiceTotalCPUUtilization,
			TargetValue: 50, Mode: mode}}}
	return cfg
}

// AWS (Application Auto Scaling, predictive scaling): no forecast before 24
// hours of data; in ForecastAndScale mode the forecast hour's capacity is in
// force SchedulingBufferTime (300 s) before the hour. Day 1's 10:00 peak,
// learnt from day 0's: 2 -> ceil(1000 / 50) = 20 at 09:55.
func TestPredictiveScalingRaisesDesiredBeforeTheForecastHour(t *testing.T) {
	res := run(t, dailyPeakConfig(t, autoscale.ForecastAndScale, 1))
	ev := scalingEvents(res)
	require.NotEmpty(t, ev)
	assert.Equal(t, "2->20", ev[0].Status)
	assert.Equal(t, 34*time.Hour-300*time.Second, ev[0].At.Duration(), "300 s before day 1's 10:00")
	assert.Contains(t, ev[0].Reason, `predictive scaling "forecast"`)
	assert.Contains(t, ev[0].Reason, "ceil(1000 / 50) = 20")

	fc := column(res, "service.web.forecast_capacity")
	load := column(res, "service.web.forecast_load")
	measured := column(res, "service.web.load_metric")
	require.NotEmpty(t, fc)
	assert.True(t, math.IsNaN(fc[int((23*time.Hour)/time.Minute)]), "no forecast in the first day")
	assert.Equal(t, 20.0, fc[int((34*time.Hour+30*time.Minute)/time.Minute)], "day 1's peak hour")
	assert.Equal(t, 2.0, fc[int((30*time.Hour)/time.Minute)])
	assert.InDelta(t, 1000, load[int((34*time.Hour+30*time.Minute)/time.Minute)], 1e-6)
	assert.InDelta(t, 1000, measured[int((10*time.Hour+30*time.Minute)/time.Minute)], 1e-6,
		"the load metric: 2 tasks at 500% = 1000 task-percent")
}

// ForecastOnly records the forecast and does not scale.
func TestPredictiveForecastOnlyRecordsTheForecastAndDoesNotScale(t *testing.T) {
	res := run(t, dailyPeakConfig(t, autoscale.ForecastOnly, 1))
	assert.Empty(t, scalingEvents(res))
	fc := column(res, "service.web.forecast_capacity")
	assert.Equal(t, 20.0, fc[int((34*time.Hour+30*time.Minute)/time.Minute)])
}

// A service without predictive scaling has no forecast columns.
func TestNoForecastColumnsWithoutPredictiveScaling(t *testing.T) {
	cfg := fargateConfig(t, 2, 100)
	cfg.Duration = 10 * time.Minute
	res := run(t, cfg)
	assert.Nil(t, column(res, "service.web.forecast_capacity"))
}

// AWS (ECS Developer Guide, "Faster auto scaling with high-resolution
// metrics"): 20-second metrics for target tracking. Observed: the alarm
// keeps its 3 datapoints, so 10 tasks at 80% against a target of 50 scale
// to 16 on the third 20-second datapoint with RUNNING tasks, where 60-second
// metrics take until 180 s (TestTargetTrackingTenTasksAtEightyPercentAsksForSixteen).
func TestHighResolutionTargetTrackingScalesOutOnThreeTwentySecondDatapoints(t *testing.T) {
	cfg := fargateConfig(t, 10, 800)
	cfg.Duration = 5 * time.Minute
	cfg.Services[0].AutoScaling = &ecs.AutoScalingConfig{MinCapacity: 1, MaxCapacity: 100, MetricPeriod: autoscale.HighResolutionPeriod,
		TargetTracking: []autoscale.TargetTrackingConfig{{Name: "cpu50", Metric: autoscale.ECSServiceAverageCPUUtilization, TargetValue: 50}}}
	res := run(t, cfg)
	ev := scalingEvents(res)
	require.NotEmpty(t, ev)
	assert.Equal(t, "10->16", ev[0].Status)
	running := firstEvent(t, res, "TaskStateChange", "RUNNING").At.Duration()
	first := (running + 20*time.Second - 1) / (20 * time.Second) * (20 * time.Second) // the first period ending with tasks RUNNING
	assert.Equal(t, first+40*time.Second, ev[0].At.Duration(), "three 20-second datapoints above target (tasks RUNNING from %s)", running)
	assert.Less(t, ev[0].At.Duration(), 3*time.Minute, "sooner than three 60-second datapoints")
	assert.Contains(t, ev[0].Reason, "ceil(10 x 80 / 50) = 16")
}

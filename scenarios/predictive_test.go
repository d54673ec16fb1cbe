package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale"
)

// withScaling appends a load and an [services.auto_scaling] section with the
// given policy tables to the small base's service.
func withScaling(policies string) string {
	return smallBase + `
  [services.load]
  pattern = "constant"
  base_rps = 10
  cpu_seconds_per_request = 0.01
  [services.auto_scaling]
  min_capacity = 1
  max_capacity = 10
` + policies
}

const predictivePolicy = `
  [[services.auto_scaling.predictive_scaling]]
  name = "forecast"
  predefined_metric_pair = "ECSServiceCPUUtilization"
  target_value = 50
`

func TestPredictiveScalingKeysReachTheService(t *testing.T) {
	s, ps := parseSmall(withScaling(predictivePolicy+`  mode = "ForecastAndScale"
  scheduling_buffer_time = "10m"
  max_capacity_breach_behavior = "IncreaseMaxCapacity"
  max_capacity_buffer = 10
  forecast_season = "168h"
  forecast_decay = 1
`), nil)
	require.Empty(t, ps)
	ac := s.Config.Services[0].AutoScaling
	require.Len(t, ac.Predictive, 1)
	p := ac.Predictive[0]
	assert.Equal(t, autoscale.ECSServiceTotalCPUUtilization, p.LoadMetric, "the pair's load metric")
	assert.Equal(t, autoscale.ForecastAndScale, p.Mode)
	assert.Equal(t, 10*time.Minute, p.SchedulingBufferTime)
	assert.Equal(t, autoscale.IncreaseMaxCapacity, p.MaxCapacityBreachBehavior)
	assert.Equal(t, 10, p.MaxCapacityBuffer)
	assert.Equal(t, autoscale.SeasonalModel{Season: 168 * time.Hour, Decay: 1}, p.Model)
	assert.Zero(t, ac.MetricPeriod, "standard-resolution metrics")
}

// AWS's defaults reach the policy: ForecastOnly, HonorMaxCapacity, a 300 s
// buffer (the zero value); "0s" asks for none.
func TestPredictiveScalingDefaults(t *testing.T) {
	s, ps := parseSmall(withScaling(predictivePolicy), nil)
	require.Empty(t, ps)
	p := s.Config.Services[0].AutoScaling.Predictive[0]
	assert.Equal(t, autoscale.ForecastOnly, p.Mode)
	assert.Equal(t, autoscale.HonorMaxCapacity, p.MaxCapacityBreachBehavior)
	pol, err := autoscale.NewPredictiveScaling(p)
	require.NoError(t, err)
	assert.Equal(t, autoscale.DefaultSchedulingBufferTime, pol.SchedulingBuffer())

	s, ps = parseSmall(withScaling(predictivePolicy+`  scheduling_buffer_time = "0s"
`), nil)
	require.Empty(t, ps)
	pol, err = autoscale.NewPredictiveScaling(s.Config.Services[0].AutoScaling.Predictive[0])
	require.NoError(t, err)
	assert.Zero(t, pol.SchedulingBuffer())
}

func TestPredictiveScalingProblems(t *testing.T) {
	const key = "services.web.auto_scaling.predictive_scaling.0."
	for _, tc := range []struct {
		name, extra, key, want, got string
	}{
		{"an unknown mode", `  mode = "ForecastAndScal"`, "mode", "one of ForecastOnly, ForecastAndScale", `"ForecastAndScal"`},
		{"a buffer of an hour", `  scheduling_buffer_time = "1h"`, "scheduling_buffer_time", "less than the 3600 s forecast interval", "1h0m0s"},
		{"a buffer without IncreaseMaxCapacity", `  max_capacity_buffer = 10`, "max_capacity_buffer", "only with max_capacity_breach_behavior", "10"},
		{"IncreaseMaxCapacity without a buffer", `  max_capacity_breach_behavior = "IncreaseMaxCapacity"`, "max_capacity_buffer", "required with IncreaseMaxCapacity", "none"},
		{"a season of 90 minutes", `  forecast_season = "90m"`, "forecast_season", "a whole number of hours", "1h30m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := parseSmall(withScaling(predictivePolicy+tc.extra+"\n"), nil)
			got := keyed(ps, key+tc.key)
			require.Len(t, got, 1, "problems: %v", ps)
			assert.Contains(t, got[0].Want, tc.want)
			assert.Equal(t, tc.got, got[0].Got)
			assert.Positive(t, got[0].Line, "the problem names its line")
		})
	}
	t.Run("no metric pair", func(t *testing.T) {
		_, ps := parseSmall(withScaling(`
  [[services.auto_scaling.predictive_scaling]]
  target_value = 50
`), nil)
		got := keyed(ps, key+"predefined_metric_pair")
		require.Len(t, got, 1, "problems: %v", ps)
		assert.Equal(t, "none", got[0].Got)
	})
	t.Run("ALBRequestCount without a load balancer", func(t *testing.T) {
		_, ps := parseSmall(withScaling(`
  [[services.auto_scaling.predictive_scaling]]
  predefined_metric_pair = "ALBRequestCount"
  target_value = 1000
`), nil)
		require.Len(t, keyed(ps, key+"predefined_metric_pair"), 1, "problems: %v", ps)
	})
}

// AWS (PredefinedMetricSpecification): the HighResolution metric types are
// the 20-second versions of the ECS utilization metrics.
func TestHighResolutionMetricSetsTheMetricPeriod(t *testing.T) {
	s, ps := parseSmall(withScaling(`
  [[services.auto_scaling.target_tracking]]
  predefined_metric = "ECSServiceAverageCPUUtilizationHighResolution"
  target_value = 50
`), nil)
	require.Empty(t, ps)
	ac := s.Config.Services[0].AutoScaling
	assert.Equal(t, 20*time.Second, ac.MetricPeriod)
	assert.Equal(t, autoscale.ECSServiceAverageCPUUtilization, ac.TargetTracking[0].Metric, "the same metric, at 20 s")

	_, ps = parseSmall(withScaling(`
  [[services.auto_scaling.target_tracking]]
  predefined_metric = "ECSServiceAverageCPUUtilizationHighResolution"
  target_value = 50
  [[services.auto_scaling.target_tracking]]
  predefined_metric = "ECSServiceAverageMemoryUtilization"
  target_value = 50
`), nil)
	got := keyed(ps, "services.web.auto_scaling.target_tracking.0.predefined_metric")
	require.Len(t, got, 1, "problems: %v", ps)
	assert.Contains(t, got[0].Want, "the same metric period")
}

func TestPredictiveLibraryScenarioHasItsPolicy(t *testing.T) {
	sc, err := Resolve("predictive-nasa-trace")
	require.NoError(t, err)
	require.Len(t, sc.Config.Services, 2)
	assert.Nil(t, sc.Config.Services[0].AutoScaling.Predictive, "web-tt: target tracking alone")
	p := sc.Config.Services[1].AutoScaling.Predictive
	require.Len(t, p, 1)
	assert.Equal(t, autoscale.ForecastAndScale, p[0].Mode)
	assert.Equal(t, 600*time.Second, p[0].SchedulingBufferTime)
	assert.GreaterOrEqual(t, sc.Config.Duration, 48*time.Hour, "at least two days, so that the forecast starts")
}

package scenarios

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale"
)

func diurnalSource(t testing.TB) string {
	src, err := fs.ReadFile(LibraryFS(), "diurnal-target-tracking.toml")
	require.NoError(t, err)
	return string(src)
}

func TestDiurnalScenarioBuildsItsPolicies(t *testing.T) {
	s, err := parseLibrary(diurnalSource(t))
	require.NoError(t, err)
	svc := s.Config.Services[0]
	require.NotNil(t, svc.Load)
	assert.Equal(t, "diurnal", svc.Load.Pattern)
	assert.Equal(t, "America/New_York", svc.Load.Location.String())
	require.NotNil(t, svc.AutoScaling)
	assert.Equal(t, 2, svc.AutoScaling.MinCapacity)
	require.Len(t, svc.AutoScaling.TargetTracking, 1)
	tt := svc.AutoScaling.TargetTracking[0]
	assert.Equal(t, autoscale.ECSServiceAverageCPUUtilization, tt.Metric)
	assert.Equal(t, 60.0, tt.TargetValue)
	assert.Len(t, svc.AutoScaling.Scheduled, 2)
}

func TestBadScalingInputIsRejected(t *testing.T) {
	stepPolicy := `
  [[services.auto_scaling.step_scaling]]
  metric = "ECSServiceAverageCPUUtilization"
  comparison = "GreaterThanOrEqualToThreshold"
  threshold = 85
  evaluation_periods = 2
  adjustment_type = "PercentChangeInCapacity"
  step_adjustments = [
    { metric_interval_lower_bound = 0, metric_interval_upper_bound = 10, scaling_adjustment = 20 },
    { metric_interval_lower_bound = 5, scaling_adjustment = 50 },
  ]
`
	tests := []struct {
		name, old, new, problem string
	}{
		{"an unknown predefined metric", `predefined_metric = "ECSServiceAverageCPUUtilization"`, `predefined_metric = "ECSServiceAverageCPUUtilisation"`,
			`services.web.auto_scaling.target_tracking.0.predefined_metric: want one of ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization, ALBRequestCountPerTarget, ECSServiceAverageCPUUtilizationHighResolution, ECSServiceAverageMemoryUtilizationHighResolution, found "ECSServiceAverageCPUUtilisation" (did you mean "ECSServiceAverageCPUUtilization"?)`},
		{"a target value out of range", "target_value = 60", "target_value = 160",
			"target_tracking.0.target_value: want a target above 0 (at most 100 for a utilisation), found 160"},
		{"an unparsable cron names the column", `schedule = "cron(0 8 ? * MON-FRI *)"`, `schedule = "cron(0 8 ? * MON-FRX *)"`,
			`scheduled_actions.0.schedule: want at(...), rate(...) or cron(...), found "cron(0 8 ? * MON-FRX *)" at column`},
		{"an unknown timezone", `timezone = "America/New_York"
  weekend_factor`, `timezone = "America/Nowhere"
  weekend_factor`, `services.web.load.timezone: want an IANA time zone such as "America/New_York", found "America/Nowhere"`},
		{"min above max", "min_capacity = 2\n  max_capacity = 40\n  [[services.auto_scaling.target_tracking]]", "min_capacity = 50\n  max_capacity = 40\n  [[services.auto_scaling.target_tracking]]",
			"services.web.auto_scaling.max_capacity: want max_capacity >= min_capacity (50), found 40"},
		{"overlapping step intervals", `  [[services.auto_scaling.scheduled_actions]]
  name = "weekday-floor"`, stepPolicy + `  [[services.auto_scaling.scheduled_actions]]
  name = "weekday-floor"`, "step_scaling.0.step_adjustments: want step adjustments without gaps or overlaps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := diurnalSource(t)
			edited := strings.Replace(src, tc.old, tc.new, 1)
			require.NotEqual(t, src, edited, "the edit applied")
			_, err := parseLibrary(edited)
			require.Error(t, err)
			assert.Contains(t, problemsOf(t, err).Error(), tc.problem)
		})
	}
}

func TestBadCapacityInputIsRejected(t *testing.T) {
	src, err := fs.ReadFile(LibraryFS(), "burst-scale-out.toml")
	require.NoError(t, err)
	tests := []struct{ name, old, new, problem string }{
		{"target_capacity outside 1..100", "target_capacity = 100", "target_capacity = 0",
			"capacity_providers.batch-cp.managed_scaling.target_capacity: want target_capacity from 1 to 100, found 0"},
		{"managed termination protection without instance protection", "new_instances_protected_from_scale_in = true", "new_instances_protected_from_scale_in = false",
			"capacity_providers.batch-cp.managed_termination_protection: want new_instances_protected_from_scale_in = true on its group, found false"},
		{"an unknown managed scaling status", `status = "ENABLED"`, `status = "ON"`,
			`managed_scaling.status: want one of ENABLED, DISABLED, found "ON"`},
		{"a percentage above 100", "new_instances_protected_from_scale_in = true", "new_instances_protected_from_scale_in = true\non_demand_percentage_above_base_capacity = 120",
			"auto_scaling_groups.asg-batch.on_demand_percentage_above_base_capacity: want a percentage from 0 to 100, found 120"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			edited := strings.Replace(string(src), tc.old, tc.new, 1)
			require.NotEqual(t, string(src), edited)
			_, err := parseLibrary(edited)
			require.Error(t, err)
			assert.Contains(t, problemsOf(t, err).Error(), tc.problem)
		})
	}
}

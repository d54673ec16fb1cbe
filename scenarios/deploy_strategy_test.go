package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/ecs"
)

// withDeployment gives the small base's service a deployment_configuration.
func withDeployment(t *testing.T, dc string) string {
	return replaceOnce(t, smallBase, "desired_count = 2\n", "desired_count = 2\ndeployment_configuration = "+dc+"\n")
}

func TestDeploymentStrategyKeysReachTheService(t *testing.T) {
	src := withDeployment(t, `{ strategy = "LINEAR", bake_time_in_minutes = 15, linear_configuration = { step_percent = 20, step_bake_time_in_minutes = 3 },
  lifecycle_hooks = [{ name = "smoke", lifecycle_stages = ["POST_SCALE_UP", "PRODUCTION_TRAFFIC_SHIFT"], simulate_duration = "90s", timeout_in_minutes = 30, timeout_action = "CONTINUE" }],
  alarms = { alarm_names = ["web-5xx"], enable = true, rollback = true } }`)
	s, ps := parseSmall(src, nil)
	require.Empty(t, ps)
	d := s.Config.Services[0].Deployment
	require.NotNil(t, d)
	assert.Equal(t, ecs.StrategyLinear, d.Strategy)
	assert.Equal(t, 15*time.Minute, d.BakeTime)
	assert.Equal(t, 20.0, d.StepPercent)
	assert.Equal(t, 3*time.Minute, d.StepBakeTime)
	require.Len(t, d.Hooks, 1)
	h := d.Hooks[0]
	assert.Equal(t, []ecs.Stage{ecs.StagePostScaleUp, ecs.StageProductionTrafficShift}, h.Stages)
	assert.Equal(t, 90*time.Second, h.Takes)
	assert.Equal(t, 30*time.Minute, h.Timeout)
	assert.True(t, h.TimeoutContinues)
	assert.False(t, h.Pause)
	assert.Equal(t, &ecs.DeploymentAlarms{Names: []string{"web-5xx"}, Enable: true, Rollback: true}, d.Alarms)

	// Without the keys: ROLLING as before, no strategy config at all.
	s, ps = parseSmall(smallBase, nil)
	require.Empty(t, ps)
	assert.Nil(t, s.Config.Services[0].Deployment)
}

// AWS's defaults: LINEAR 10% every 6 minutes, CANARY 5% for 10 minutes.
func TestDeploymentStrategyDefaults(t *testing.T) {
	s, ps := parseSmall(withDeployment(t, `{ strategy = "LINEAR" }`), nil)
	require.Empty(t, ps)
	d := s.Config.Services[0].Deployment
	assert.Equal(t, 10.0, d.StepPercent)
	assert.Equal(t, 6*time.Minute, d.StepBakeTime)
	assert.Equal(t, time.Duration(0), d.BakeTime, "choice: no bake without bake_time_in_minutes")
	s, ps = parseSmall(withDeployment(t, `{ strategy = "CANARY" }`), nil)
	require.Empty(t, ps)
	d = s.Config.Services[0].Deployment
	assert.Equal(t, 5.0, d.CanaryPercent)
	assert.Equal(t, 10*time.Minute, d.CanaryBakeTime)
}

func TestDeploymentStrategyProblems(t *testing.T) {
	const key = "services.web.deployment_configuration."
	for _, tc := range []struct {
		name, dc, key, want, got string
	}{
		{"an unknown strategy", `{ strategy = "BLUEGREEN" }`, "strategy", "one of ROLLING, BLUE_GREEN, LINEAR, CANARY", `"BLUEGREEN"`},
		{"blue/green needs a bake time", `{ strategy = "BLUE_GREEN" }`, "bake_time_in_minutes", "the bake time, in minutes from 0 to 1440", "none"},
		{"a bake above 24 h", `{ strategy = "BLUE_GREEN", bake_time_in_minutes = 1441 }`, "bake_time_in_minutes", "a value from 0 to 1440", "1441"},
		{"a step below 3%", `{ strategy = "LINEAR", linear_configuration = { step_percent = 2.5 } }`, "linear_configuration.step_percent", "a value from 3 to 100", "2.5"},
		{"a step not in tenths", `{ strategy = "LINEAR", linear_configuration = { step_percent = 12.25 } }`, "linear_configuration.step_percent", "a multiple of 0.1 from 3 to 100", "12.25"},
		{"a canary above 100%", `{ strategy = "CANARY", canary_configuration = { canary_percent = 101 } }`, "canary_configuration.canary_percent", "a value from 0.1 to 100", "101"},
		{"a step bake above 24 h", `{ strategy = "LINEAR", linear_configuration = { step_bake_time_in_minutes = 2000 } }`, "linear_configuration.step_bake_time_in_minutes", "a value from 0 to 1440", "2000"},
		{"a hook at SCALE_UP", `{ strategy = "CANARY", lifecycle_hooks = [{ lifecycle_stages = ["SCALE_UP"] }] }`, "lifecycle_hooks.0.lifecycle_stages.0", "one of RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP", `"SCALE_UP"`},
		{"a hook without stages", `{ strategy = "CANARY", lifecycle_hooks = [{ name = "x" }] }`, "lifecycle_hooks.0.lifecycle_stages", "the stages the hook runs at", "none"},
		{"a hook timeout past 14 days", `{ strategy = "CANARY", lifecycle_hooks = [{ lifecycle_stages = ["PRE_SCALE_UP"], timeout_in_minutes = 20161 }] }`, "lifecycle_hooks.0.timeout_in_minutes", "a value from 1 to 20160", "20161"},
		{"an unknown timeout action", `{ strategy = "CANARY", lifecycle_hooks = [{ lifecycle_stages = ["PRE_SCALE_UP"], timeout_action = "ABANDON" }] }`, "lifecycle_hooks.0.timeout_action", "one of ROLLBACK, CONTINUE", `"ABANDON"`},
		{"alarms without names", `{ alarms = { enable = true } }`, "alarms.alarm_names", "the names of the CloudWatch alarms", "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := parseSmall(withDeployment(t, tc.dc), nil)
			got := keyed(ps, key+tc.key)
			require.Len(t, got, 1, "problems: %v", ps)
			assert.Contains(t, got[0].Want, tc.want)
			assert.Equal(t, tc.got, got[0].Got)
			assert.Positive(t, got[0].Line, "the problem names its line")
		})
	}
}

// Keys of another strategy are ignored with a warning, so that a sweep can
// vary the strategy key alone over one file.
func TestKeysOfAnotherStrategyAreIgnoredWithAWarning(t *testing.T) {
	const dc = `{ strategy = "ROLLING", bake_time_in_minutes = 15, canary_configuration = { canary_percent = 10 }, lifecycle_hooks = [{ lifecycle_stages = ["PRE_SCALE_UP"] }] }`
	s, ps := parseSmall(withDeployment(t, dc), nil)
	require.Empty(t, ps)
	d := s.Config.Services[0].Deployment
	assert.Equal(t, ecs.StrategyRolling, d.Strategy)
	for _, key := range []string{"bake_time_in_minutes", "canary_configuration", "lifecycle_hooks"} {
		w := keyed(s.Warnings, "services.web.deployment_configuration."+key)
		require.Len(t, w, 1, key)
		assert.Equal(t, `strategy "ROLLING"`, w[0].Got)
		assert.Contains(t, w[0].Hint, "ignored")
	}
}

// The library's blue/green deployment at peak shows what it promises: green
// at full size beside blue doubles the service's tasks for the bake, and
// managed scaling launches the instances for it, then scales them in.
func TestBlueGreenAtPeakShowsTheCapacitySpike(t *testing.T) {
	res := runLibrary(t, "blue-green-at-peak")
	s := res.Summary.Services[0]
	assert.Equal(t, 2, s.DeploymentsCompleted)
	assert.Equal(t, 100.0, s.AvailabilityPct)
	assert.Equal(t, "api:8", s.TaskDefinition)
	var shift, clean time.Duration
	for _, e := range res.Events {
		switch {
		case e.Type == "DeploymentStage" && e.Status == "PRODUCTION_TRAFFIC_SHIFT":
			shift = e.At.Duration()
		case e.Type == "DeploymentStage" && e.Status == "CLEAN_UP":
			clean = e.At.Duration()
		}
	}
	require.NotZero(t, shift)
	assert.Equal(t, 30*time.Minute, clean-shift, "bake_time_in_minutes = 30")
	col := func(name string) []float64 {
		for _, c := range res.Series.Columns {
			if c.Name == name {
				return c.Values
			}
		}
		require.Failf(t, "no column", name)
		return nil
	}
	running, instances := col("service.api.running"), col("instances_active")
	before, during := int(shift/time.Minute)-3, int(shift/time.Minute)+2
	assert.Equal(t, 2*running[before], running[during], "both sets run during the bake")
	assert.Greater(t, instances[during], instances[before]+5, "managed scaling launched instances for green")
	assert.Less(t, instances[len(instances)-1], instances[during], "and scaled them in after")
}

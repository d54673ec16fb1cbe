package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// stagedConfig is deployConfig (10 Fargate tasks, revision 2 deployed at
// 1 h) with the given deployment strategy.
func stagedConfig(t testing.TB, d ecs.DeploymentStrategyConfig) *Config {
	cfg := deployConfig(t)
	cfg.Services[0].Deployment = &d
	return cfg
}

// stages is the run's DeploymentStage events, in order.
func stages(res *Result) []schema.Event {
	var out []schema.Event
	for _, e := range res.Events {
		if e.Type == schema.DeploymentStage {
			out = append(out, e)
		}
	}
	return out
}

// firstEvent is the first event of the type whose status is status ("" any),
// or fails the test.
func firstEvent(t *testing.T, res *Result, typ, status string) schema.Event {
	t.Helper()
	for _, e := range res.Events {
		if e.Type == typ && (status == "" || e.Status == status) {
			return e
		}
	}
	require.Failf(t, "no event", "%s %s", typ, status)
	return schema.Event{}
}

// lastEvent is the last event of the type and status ("" any).
func lastEvent(t *testing.T, res *Result, typ, status string) schema.Event {
	t.Helper()
	var out *schema.Event
	for i, e := range res.Events {
		if e.Type == typ && (status == "" || e.Status == status) {
			out = &res.Events[i]
		}
	}
	require.NotNil(t, out, "no %s %s event", typ, status)
	return *out
}

// AWS (DeploymentConfiguration bakeTimeInMinutes; lifecycleStage
// BAKE_TIME, CLEAN_UP): green starts at full size beside blue, production
// traffic shifts at once, both revisions run for the bake time, then blue
// is scaled down. Bake 10 min: 20 tasks until the shift + 10 min, then 10.
func TestBlueGreenBakeTimeHoldsBothSetsThenStopsBlue(t *testing.T) {
	cfg := stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyBlueGreen, BakeTime: 10 * time.Minute})
	res := run(t, cfg)
	s := res.Summary.Services[0]
	assert.Equal(t, 2, s.DeploymentsCompleted, "the initial deployment and the blue/green one")
	assert.Equal(t, 0, s.DeploymentsFailed)
	assert.Equal(t, 20, s.TasksStarted, "10 blue + 10 green, no more")

	var names []string
	for _, e := range stages(res) {
		names = append(names, e.Status)
	}
	assert.Equal(t, []string{"PRE_SCALE_UP", "SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
		"PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"}, names)
	shift := firstEvent(t, res, schema.DeploymentStage, "PRODUCTION_TRAFFIC_SHIFT")
	assert.Contains(t, shift.Reason, "100% of production traffic (step 1 of 1)")
	bake := firstEvent(t, res, schema.DeploymentStage, "BAKE_TIME")
	clean := firstEvent(t, res, schema.DeploymentStage, "CLEAN_UP")
	assert.Equal(t, shift.At, bake.At, "no hooks: the bake starts with the shift")
	assert.Equal(t, 10*time.Minute, clean.At.Duration()-bake.At.Duration(), "blue is stopped when the bake ends")

	// Both sets run through the bake; blue is gone after it.
	healthy := column(res, "service.web.healthy")
	startMin := int(bake.At.Duration()/time.Minute) + 1
	endMin := int(clean.At.Duration() / time.Minute)
	for m := startMin; m <= endMin; m++ {
		assert.Equal(t, 20.0, healthy[m], "minute %d: blue and green both healthy during the bake", m)
	}
	for m := endMin + 1; m < len(healthy); m++ {
		assert.Equal(t, 10.0, healthy[m], "minute %d: blue gone after the bake", m)
	}
	done := lastEvent(t, res, "DeploymentCompleted", "")
	assert.GreaterOrEqual(t, done.At, clean.At, "the deployment completes after CLEAN_UP")
	for _, td := range res.State.Describe().Tasks {
		assert.Contains(t, td.TaskDefinitionArn, "task-definition/web:2")
	}
}

// AWS (CanaryConfiguration): canaryPercent of production traffic, then
// the rest after canaryBakeTimeInMinutes. 10% for 15 min, then 100%.
func TestCanaryShiftsTenPercentThenTheRest(t *testing.T) {
	cfg := stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyCanary, CanaryPercent: 10, CanaryBakeTime: 15 * time.Minute, BakeTime: 5 * time.Minute})
	res := run(t, cfg)
	var shifts []schema.Event
	for _, e := range stages(res) {
		if e.Status == "PRODUCTION_TRAFFIC_SHIFT" {
			shifts = append(shifts, e)
		}
	}
	require.Len(t, shifts, 2)
	assert.Contains(t, shifts[0].Reason, "green takes 10% of production traffic (step 1 of 2)")
	assert.Contains(t, shifts[1].Reason, "green takes 100% of production traffic (step 2 of 2)")
	assert.Equal(t, 15*time.Minute, shifts[1].At.Duration()-shifts[0].At.Duration(), "the canary bake time")
	clean := firstEvent(t, res, schema.DeploymentStage, "CLEAN_UP")
	assert.Equal(t, 5*time.Minute, clean.At.Duration()-shifts[1].At.Duration(), "the deployment bake after 100%")
	assert.Equal(t, 2, res.Summary.Services[0].DeploymentsCompleted)
}

// AWS (LinearConfiguration): equal steps of stepPercent, the step bake
// time between them and not after 100%. 20% every 3 min: 5 steps, 12 min.
func TestLinearTwentyPercentStepsTakeFiveSteps(t *testing.T) {
	cfg := stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyLinear, StepPercent: 20, StepBakeTime: 3 * time.Minute, BakeTime: 0})
	res := run(t, cfg)
	var shifts []schema.Event
	for _, e := range stages(res) {
		if e.Status == "PRODUCTION_TRAFFIC_SHIFT" {
			shifts = append(shifts, e)
		}
	}
	require.Len(t, shifts, 5)
	for i, e := range shifts {
		assert.Contains(t, e.Reason, fmt.Sprintf("green takes %d%% of production traffic (step %d of 5)", 20*(i+1), i+1))
		if i > 0 {
			assert.Equal(t, 3*time.Minute, e.At.Duration()-shifts[i-1].At.Duration(), "step %d", i+1)
		}
	}
	post := firstEvent(t, res, schema.DeploymentStage, "POST_PRODUCTION_TRAFFIC_SHIFT")
	assert.Equal(t, shifts[4].At, post.At, "no step bake after 100%")
	assert.Equal(t, 2, res.Summary.Services[0].DeploymentsCompleted)

	// A PRODUCTION_TRAFFIC_SHIFT hook runs at each shift, before the step's
	// bake: a 60 s hook spaces the shifts 4 min apart.
	hook := ecs.LifecycleHook{Name: "probe", Stages: []ecs.Stage{ecs.StageProductionTrafficShift}, Takes: time.Minute}
	cfg = stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyLinear, StepPercent: 20, StepBakeTime: 3 * time.Minute, Hooks: []ecs.LifecycleHook{hook}})
	res = run(t, cfg)
	shifts = shifts[:0]
	answers := 0
	for _, e := range stages(res) {
		switch {
		case e.Status == "PRODUCTION_TRAFFIC_SHIFT" && e.Reason == "hook probe SUCCEEDED after 1m0s":
			answers++
		case e.Status == "PRODUCTION_TRAFFIC_SHIFT":
			shifts = append(shifts, e)
		}
	}
	require.Len(t, shifts, 5)
	assert.Equal(t, 5, answers, "the hook answers once per shift")
	for i := 1; i < len(shifts); i++ {
		assert.Equal(t, 4*time.Minute, shifts[i].At.Duration()-shifts[i-1].At.Duration(), "step %d", i+1)
	}
}

// AWS (LinearConfiguration, CloudFormation's step count): 100/step - 1
// waits when step divides 100, floor(100/step) otherwise.
func TestLinearStepsForDocumentedPercents(t *testing.T) {
	for pct, want := range map[float64]int{20: 5, 10: 10, 11: 10, 3: 34, 33.3: 4, 100: 1, 50: 2} {
		steps := ecs.TrafficSteps(&ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyLinear, StepPercent: pct})
		assert.Len(t, steps, want, "%v%%", pct)
		assert.Equal(t, 100.0, steps[len(steps)-1], "%v%% ends at 100", pct)
	}
	assert.Equal(t, []float64{11, 22, 33, 44, 55, 66, 77, 88, 99, 100},
		ecs.TrafficSteps(&ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyLinear, StepPercent: 11}))
	assert.Equal(t, []float64{5, 100}, ecs.TrafficSteps(&ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyCanary}), "canaryPercent default 5.0")
	assert.Len(t, ecs.TrafficSteps(&ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyLinear}), 10, "stepPercent default 10.0")
}

// AWS (deployment failure detection): the circuit breaker applies to
// blue/green deployments; on rollback production traffic stays on (returns
// to) blue and green is stopped. A green that cannot pull its image fails
// 5 tasks (0.5 x 10) during SCALE_UP: blue never stops.
func TestBlueGreenCircuitBreakerRestoresBlueAndStopsGreen(t *testing.T) {
	cfg := stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyBlueGreen, BakeTime: 10 * time.Minute})
	cfg.TaskDefinitions[1].FailsToStart = true
	cfg.Services[0].CircuitBreaker = &ecs.CircuitBreakerConfig{Enable: true, Rollback: true}
	res := run(t, cfg)
	s := res.Summary.Services[0]
	assert.Equal(t, 1, s.DeploymentsFailed)
	assert.Equal(t, 1, s.RolledBack)
	failed := firstEvent(t, res, "DeploymentFailed", "")
	assert.Contains(t, failed.Reason, "circuit breaker: 5 failed tasks, threshold 5")
	rb := lastEvent(t, res, "DeploymentStarted", "")
	assert.Contains(t, rb.Reason, "web:1 (rollback: production traffic back to blue")
	assert.Equal(t, failed.At, rb.At, "the rollback follows at the same instant")
	// Blue was never stopped: 10 healthy tasks throughout, and only green's
	// failed tasks were started beyond the first ten.
	healthy := column(res, "service.web.healthy")
	for m := 5; m < len(healthy); m++ {
		assert.GreaterOrEqual(t, healthy[m], 10.0, "minute %d", m)
	}
	for _, e := range res.Events {
		if e.Type == "TaskStateChange" && e.Status == "STOPPED" {
			assert.NotContains(t, e.Reason, "blue revision scaled down", "blue is never scaled down")
		}
	}
	for _, td := range res.State.Describe().Tasks {
		assert.Contains(t, td.TaskDefinitionArn, "task-definition/web:1", "only blue at the end")
	}
	assert.Len(t, res.State.Describe().Tasks, 10)
	completed := lastEvent(t, res, "DeploymentCompleted", "")
	assert.Contains(t, completed.Reason, "web:1", "the rollback deployment completes once green is gone")
	assert.Empty(t, stagesAfter(res, failed.At), "no stage after the failure")
}

func stagesAfter(res *Result, at interface{ Duration() time.Duration }) []schema.Event {
	var out []schema.Event
	for _, e := range stages(res) {
		if e.At.Duration() > at.Duration() {
			out = append(out, e)
		}
	}
	return out
}

// AWS (CloudWatch alarms): a deployment whose alarm goes into ALARM fails
// and rolls back. The canary takes 10%; its alarm fires 4 min later, during
// the canary bake: traffic returns to blue, 100% is never shifted.
func TestCanaryAlarmRollsBackBeforeFullShift(t *testing.T) {
	cfg := stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyCanary, CanaryPercent: 10, CanaryBakeTime: 10 * time.Minute, BakeTime: 5 * time.Minute,
		Alarms: &ecs.DeploymentAlarms{Names: []string{"web-5xx"}, Enable: true, Rollback: true}})
	cfg.TaskDefinitions[1].SimulateAlarmAfter = 4 * time.Minute
	res := run(t, cfg)
	shift := firstEvent(t, res, schema.DeploymentStage, "PRODUCTION_TRAFFIC_SHIFT")
	alarm := firstEvent(t, res, "AlarmStateChange", "ALARM")
	assert.Equal(t, 4*time.Minute, alarm.At.Duration()-shift.At.Duration())
	failed := firstEvent(t, res, "DeploymentFailed", "")
	assert.Equal(t, "alarm web-5xx in ALARM", failed.Reason)
	for _, e := range stages(res) {
		assert.NotContains(t, e.Reason, "100% of production traffic", "the full shift never happens")
	}
	s := res.Summary.Services[0]
	assert.Equal(t, 1, s.RolledBack)
	for _, td := range res.State.Describe().Tasks {
		assert.Contains(t, td.TaskDefinitionArn, "task-definition/web:1")
	}
}

// AWS (lifecycle hooks): a hook holds its stage until it returns; a Lambda
// answering IN_PROGRESS is invoked again every 30 s (callBackDelay), so a
// 100 s check is seen done at 120 s. A failing hook rolls back.
func TestLifecycleHooksDelayTheirStage(t *testing.T) {
	hook := ecs.LifecycleHook{Name: "smoke", Stages: []ecs.Stage{ecs.StagePostScaleUp, ecs.StagePostProductionTrafficShift}, Takes: 100 * time.Second}
	cfg := stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyBlueGreen, BakeTime: 5 * time.Minute, Hooks: []ecs.LifecycleHook{hook}})
	res := run(t, cfg)
	var post []schema.Event
	for _, e := range stages(res) {
		if e.Status == "POST_SCALE_UP" {
			post = append(post, e)
		}
	}
	require.Len(t, post, 2, "the stage begins, then its hook answers")
	assert.Equal(t, 120*time.Second, post[1].At.Duration()-post[0].At.Duration(), "100 s seen at the fourth invocation, 120 s")
	assert.Equal(t, "hook smoke SUCCEEDED after 2m0s", post[1].Reason)
	test := firstEvent(t, res, schema.DeploymentStage, "TEST_TRAFFIC_SHIFT")
	assert.Equal(t, post[1].At, test.At, "the next stage starts when the hook is done")
	ppts := lastEvent(t, res, schema.DeploymentStage, "POST_PRODUCTION_TRAFFIC_SHIFT")
	bake := firstEvent(t, res, schema.DeploymentStage, "BAKE_TIME")
	assert.Equal(t, ppts.At, bake.At)
	assert.Equal(t, 2, res.Summary.Services[0].DeploymentsCompleted)

	// The same hook answering FAILED: the deployment rolls back at 120 s.
	hook.Fails = true
	cfg = stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyBlueGreen, BakeTime: 5 * time.Minute, Hooks: []ecs.LifecycleHook{hook}})
	res = run(t, cfg)
	failed := firstEvent(t, res, "DeploymentFailed", "")
	assert.Equal(t, "lifecycle hook at POST_SCALE_UP: hook smoke FAILED after 2m0s", failed.Reason)
	assert.Equal(t, 1, res.Summary.Services[0].RolledBack)
	for _, td := range res.State.Describe().Tasks {
		assert.Contains(t, td.TaskDefinitionArn, "task-definition/web:1")
	}
}

// AWS (DeploymentLifecycleHookTimeoutConfiguration): a hook still running
// at its timeout (default 1440 min) takes the timeout action, ROLLBACK by
// default; CONTINUE proceeds.
func TestHookTimeoutActions(t *testing.T) {
	pause := ecs.LifecycleHook{Name: "approve", Pause: true, Stages: []ecs.Stage{ecs.StagePreScaleUp}, Takes: 30 * time.Minute, Timeout: 20 * time.Minute}
	cfg := stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyBlueGreen, Hooks: []ecs.LifecycleHook{pause}})
	res := run(t, cfg)
	failed := firstEvent(t, res, "DeploymentFailed", "")
	assert.Equal(t, "lifecycle hook at PRE_SCALE_UP: hook approve TIMED_OUT after 20m0s: ROLLBACK", failed.Reason)
	started := lastEvent(t, res, "DeploymentStarted", "")
	assert.Equal(t, time.Hour+20*time.Minute, failed.At.Duration())
	assert.Contains(t, started.Reason, "0 green tasks stopped", "green had not started")
	assert.Equal(t, 10, res.Summary.Services[0].TasksStarted, "no green task was ever started")

	pause.TimeoutContinues = true
	cfg = stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyBlueGreen, Hooks: []ecs.LifecycleHook{pause}})
	res = run(t, cfg)
	scale := firstEvent(t, res, schema.DeploymentStage, "SCALE_UP")
	assert.Equal(t, time.Hour+20*time.Minute, scale.At.Duration(), "CONTINUE: scale-up after the 20 min timeout")
	assert.Equal(t, 2, res.Summary.Services[0].DeploymentsCompleted)

	pause.Timeout = 0 // the default, 1440 min: the 30 min pause ends first
	cfg = stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyBlueGreen, Hooks: []ecs.LifecycleHook{pause}})
	res = run(t, cfg)
	scale = firstEvent(t, res, schema.DeploymentStage, "SCALE_UP")
	assert.Equal(t, time.Hour+30*time.Minute, scale.At.Duration(), "a PAUSE hook ends exactly when continued")
}

// Rolling stays as it was: a service without a strategy, or with ROLLING,
// logs no stage and starts what deployConfig always started.
func TestRollingStrategyIsTheRollingUpdate(t *testing.T) {
	plain := run(t, deployConfig(t))
	rolling := run(t, stagedConfig(t, ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyRolling}))
	assert.Empty(t, stages(rolling))
	assert.Equal(t, plain.Summary.Services[0], rolling.Summary.Services[0])
	assert.Equal(t, len(plain.Events), len(rolling.Events))
}

// AWS (Troubleshooting service auto scaling): scale-in is turned off while
// a deployment is in progress, scale-out goes on. A 30-minute bake halves
// the CPU metric (blue idle) for longer than target tracking's 15
// scale-in datapoints: no scale-in until CLEAN_UP.
func TestScaleInIsSuspendedDuringAStagedDeployment(t *testing.T) {
	cfg := fargateConfig(t, 10, 500) // 500 rps x 0.01 s = 5 vCPU on 10 x 1 vCPU: 50%
	cfg.Duration = 3 * time.Hour
	rev2 := cfg.TaskDefinitions[0]
	rev2.Revision = 2
	cfg.TaskDefinitions = append(cfg.TaskDefinitions, rev2)
	cfg.Timeline = []TimelineEntry{{At: time.Hour, Action: "update_service", Service: 0, TaskDefinition: 1, Group: -1}}
	cfg.Services[0].AutoScaling = &ecs.AutoScalingConfig{MinCapacity: 1, MaxCapacity: 100,
		TargetTracking: []autoscale.TargetTrackingConfig{{Name: "cpu50", Metric: autoscale.ECSServiceAverageCPUUtilization, TargetValue: 50}}}
	cfg.Services[0].Deployment = &ecs.DeploymentStrategyConfig{Strategy: ecs.StrategyBlueGreen, BakeTime: 30 * time.Minute}
	res := run(t, cfg)
	clean := firstEvent(t, res, schema.DeploymentStage, "CLEAN_UP")
	bake := firstEvent(t, res, schema.DeploymentStage, "BAKE_TIME")
	require.Equal(t, 30*time.Minute, clean.At.Duration()-bake.At.Duration())
	cpu := column(res, "service.web.cpu_utilization")
	m := int(bake.At.Duration()/time.Minute) + 20
	assert.InDelta(t, 25, cpu[m], 1, "both sets run: the metric averages over 20 tasks")
	for _, e := range scalingEvents(res) {
		if e.At > bake.At && e.At < clean.At {
			assert.Failf(t, "scaled during the bake", "%v %s %s", e.At, e.Status, e.Reason)
		}
	}
	desired := column(res, "service.web.desired")
	assert.Equal(t, 10.0, desired[int(clean.At.Duration()/time.Minute)], "still 10 at CLEAN_UP")
	assert.Equal(t, 2, res.Summary.Services[0].DeploymentsCompleted)
}

// AWS ("Troubleshooting service auto scaling"): Application Auto Scaling
// turns off scale-in while an ECS deployment is in progress, rolling ones
// too, and scale-in resumes once it has completed. Twenty tasks at 25% CPU
// against a 50% target scale in about 15 minutes after the start; a rolling
// update at 5 minutes to a revision that never passes its health check
// (no circuit breaker: the deployment stays IN_PROGRESS, the old tasks
// serve at 100% minimum healthy) holds scale-in off for the rest of the run,
// while scale-out would still go on.
func TestScaleInIsSuspendedDuringARollingDeployment(t *testing.T) {
	build := func(update bool) *Config {
		cfg := fargateConfig(t, 20, 500) // 5 vCPU on 20 x 1 vCPU: 25%
		cfg.Duration = 90 * time.Minute
		cfg.Services[0].AutoScaling = &ecs.AutoScalingConfig{MinCapacity: 1, MaxCapacity: 100,
			TargetTracking: []autoscale.TargetTrackingConfig{{Name: "cpu50", Metric: autoscale.ECSServiceAverageCPUUtilization, TargetValue: 50}}}
		cfg.Services[0].MinimumHealthyPercent, cfg.Services[0].MaximumPercent = 100, 200
		if update {
			rev2 := cfg.TaskDefinitions[0]
			rev2.Revision = 2
			rev2.HealthCheck = &ecs.HealthCheck{Interval: 30 * time.Second, Retries: 3}
			rev2.FailsHealthCheck = true
			cfg.TaskDefinitions = append(cfg.TaskDefinitions, rev2)
			cfg.Timeline = []TimelineEntry{{At: 5 * time.Minute, Action: "update_service", Service: 0, TaskDefinition: 1, Group: -1}}
		}
		return cfg
	}
	scaledIn := func(res *Result, after time.Duration) bool {
		for _, e := range scalingEvents(res) {
			if e.At.Duration() > after && strings.HasPrefix(e.Status, "20->") {
				return true
			}
		}
		return false
	}
	base := run(t, build(false))
	require.True(t, scaledIn(base, 0), "without a deployment the service scales in: %v", scalingEvents(base))
	held := run(t, build(true))
	require.Equal(t, 0, held.Summary.Services[0].DeploymentsCompleted-1, "the new revision never completes")
	assert.False(t, scaledIn(held, 5*time.Minute), "no scale-in while the deployment is in progress: %v", scalingEvents(held))
}

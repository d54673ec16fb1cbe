package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim/ecs"
)

// The fixed sets the deployment keys take (also the JSON Schema's enums).
var (
	deployStrategyNames = ecs.StrategyNames[:]
	hookTargetTypes     = []string{"AWS_LAMBDA", "PAUSE"}
	hookTimeoutActions  = []string{"ROLLBACK", "CONTINUE"}
	hookResults         = []string{"SUCCEEDED", "FAILED"}
	hookStageNames      = func() []string {
		var out []string
		for s := range ecs.StageNames {
			if ecs.HookStage(ecs.Stage(s)) {
				out = append(out, ecs.StageNames[s])
			}
		}
		return out
	}()
)

// deployStrategy reads a service's deployment_configuration beyond the
// rolling bounds: strategy, bake time, linear and canary steps, lifecycle
// hooks and alarms (docs/semantics/ecs-deployments.md). nil when none of
// them is given: ROLLING, as before.
func (v *validator) deployStrategy(path []string, d deploymentSchema) *ecs.DeploymentStrategyConfig {
	if d.Strategy == "" && d.BakeTimeInMinutes == nil && d.LinearConfiguration == nil && d.CanaryConfiguration == nil &&
		len(d.LifecycleHooks) == 0 && d.Alarms == nil {
		return nil
	}
	at := func(key ...string) []string { return append(slices.Clone(path), key...) }
	c := &ecs.DeploymentStrategyConfig{Strategy: ecs.Strategy(v.enum(at("strategy"), deployStrategyNames, d.Strategy, 0))}
	staged := c.Strategy != ecs.StrategyRolling
	// A key of another strategy is ignored with a warning, not refused, so
	// that a sweep can vary the strategy alone (docs/sweeps.md).
	ignored := func(key, want string) {
		v.warn(at(key), want, fmt.Sprintf("strategy %q", c.Strategy), "ignored: the key does not apply to this strategy")
	}
	only := func(key string, s ecs.Strategy, given bool) bool {
		if given && c.Strategy != s {
			ignored(key, fmt.Sprintf("%s only with strategy = %q", key, s))
			return false
		}
		return given
	}
	// AWS (DeploymentConfiguration): bakeTimeInMinutes, 0 to 1440, must be
	// given for BLUE_GREEN; LINEAR and CANARY without one bake 0 minutes
	// (choice: the API gives no default).
	switch {
	case d.BakeTimeInMinutes != nil && !staged:
		ignored("bake_time_in_minutes", `bake_time_in_minutes only with strategy "BLUE_GREEN", "LINEAR" or "CANARY"`)
	case d.BakeTimeInMinutes != nil:
		c.BakeTime = time.Duration(*d.BakeTimeInMinutes) * time.Minute
	case c.Strategy == ecs.StrategyBlueGreen:
		v.badHint(at("bake_time_in_minutes"), "the bake time, in minutes from 0 to 1440, for strategy \"BLUE_GREEN\"", "none",
			"AWS requires bakeTimeInMinutes with the BLUE_GREEN strategy: how long blue runs beside green after the traffic shift")
	}
	c.StepPercent, c.StepBakeTime = ecs.DefaultStepPercent, ecs.DefaultStepBakeTime
	if l := d.LinearConfiguration; only("linear_configuration", ecs.StrategyLinear, l != nil) {
		if l.StepPercent != nil {
			c.StepPercent = v.tenths(at("linear_configuration", "step_percent"), *l.StepPercent, ecs.MinStepPercent)
		}
		if l.StepBakeTimeInMinutes != nil {
			c.StepBakeTime = time.Duration(*l.StepBakeTimeInMinutes) * time.Minute
		}
	}
	c.CanaryPercent, c.CanaryBakeTime = ecs.DefaultCanaryPercent, ecs.DefaultCanaryBakeTime
	if k := d.CanaryConfiguration; only("canary_configuration", ecs.StrategyCanary, k != nil) {
		if k.CanaryPercent != nil {
			c.CanaryPercent = v.tenths(at("canary_configuration", "canary_percent"), *k.CanaryPercent, ecs.MinCanaryPercent)
		}
		if k.CanaryBakeTimeInMinutes != nil {
			c.CanaryBakeTime = time.Duration(*k.CanaryBakeTimeInMinutes) * time.Minute
		}
	}
	if len(d.LifecycleHooks) > 0 && !staged {
		ignored("lifecycle_hooks", `lifecycle hooks only with strategy "BLUE_GREEN", "LINEAR" or "CANARY"`)
	}
	for i, h := range d.LifecycleHooks {
		c.Hooks = append(c.Hooks, v.lifecycleHook(at("lifecycle_hooks", strconv.Itoa(i)), i, h))
	}
	if a := d.Alarms; a != nil {
		c.Alarms = &ecs.DeploymentAlarms{Names: a.AlarmNames, Enable: a.Enable, Rollback: a.Rollback}
		if a.Enable && len(a.AlarmNames) == 0 {
			v.bad(at("alarms", "alarm_names"), "the names of the CloudWatch alarms that fail the deployment", "none")
		}
		for j, n := range a.AlarmNames {
			if n == "" || len(n) > 255 {
				v.bad(at("alarms", "alarm_names", strconv.Itoa(j)), "an alarm name of 1 to 255 characters", quoteShort(n))
			}
		}
	}
	return c
}

// tenths checks a traffic percentage: AWS (LinearConfiguration,
// CanaryConfiguration): multiples of 0.1 from lo to 100.
func (v *validator) tenths(path []string, x, lo float64) float64 {
	if t := x * 10; math.Abs(t-math.Round(t)) > 1e-9 {
		v.bad(path, fmt.Sprintf("a multiple of 0.1 from %s to 100 (AWS)", tomlFloat(lo)), tomlFloat(x))
	}
	return math.Round(x*10) / 10
}

// lifecycleHook reads one lifecycle hook. AWS (DeploymentLifecycleHook):
// lifecycleStages from RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP,
// TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT,
// POST_PRODUCTION_TRAFFIC_SHIFT; target types AWS_LAMBDA and PAUSE;
// timeout 1 to 20160 minutes (default 1440), action ROLLBACK (default) or
// CONTINUE.
func (v *validator) lifecycleHook(path []string, i int, h lifecycleHookSchema) ecs.LifecycleHook {
	at := func(key ...string) []string { return append(slices.Clone(path), key...) }
	out := ecs.LifecycleHook{Name: h.Name, Takes: h.SimulateDuration.Duration}
	if out.Name == "" {
		out.Name = fmt.Sprintf("hook-%d", i+1)
	}
	out.Pause = v.enum(at("target_type"), hookTargetTypes, h.TargetType, 0) == 1
	hookStages := hookStageNames
	if len(h.LifecycleStages) == 0 {
		v.bad(at("lifecycle_stages"), "the stages the hook runs at: "+strings.Join(hookStages, ", "), "none")
	}
	for j, name := range h.LifecycleStages {
		k := v.enum(at("lifecycle_stages", strconv.Itoa(j)), hookStages, name, -1)
		if name == "" {
			v.bad(at("lifecycle_stages", strconv.Itoa(j)), "one of "+strings.Join(hookStages, ", "), `""`)
		}
		if k < 0 {
			continue
		}
		st, _ := ecs.ParseStage(hookStages[k])
		if slices.Contains(out.Stages, st) {
			v.bad(at("lifecycle_stages", strconv.Itoa(j)), "each stage once", quoteShort(name)+" again")
		}
		out.Stages = append(out.Stages, st)
	}
	if h.TimeoutInMinutes != nil {
		out.Timeout = time.Duration(*h.TimeoutInMinutes) * time.Minute
	}
	out.TimeoutContinues = v.enum(at("timeout_action"), hookTimeoutActions, h.TimeoutAction, 0) == 1
	out.Fails = v.enum(at("simulate_result"), hookResults, h.SimulateResult, 0) == 1
	if h.CallbackDelay != nil {
		if out.Pause {
			v.bad(at("callback_delay"), "callback_delay only for target_type \"AWS_LAMBDA\" (a PAUSE hook waits for ContinueServiceDeployment)", "target_type \"PAUSE\"")
		}
		out.CallbackDelay = h.CallbackDelay.Duration
	}
	return out
}

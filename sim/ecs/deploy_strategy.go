package ecs

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Deployment strategies beyond rolling: the ECS deployment controller's
// BLUE_GREEN (2025-07), LINEAR and CANARY (2025-10). docs/semantics/
// ecs-deployments.md cites each rule and the test that pins it.
//
// A staged deployment runs AWS's lifecycle stages in order: the green
// service revision is started at full size beside blue (SCALE_UP), then
// production traffic shifts to it (all at once, in canary's two steps, or in
// linear's equal steps), both sets run for the bake time, and blue is
// stopped (CLEAN_UP). Lifecycle hooks hold their stages as delays; a hook
// that fails or times out (timeoutAction ROLLBACK), the circuit breaker and
// the deployment's CloudWatch alarm roll back: production traffic returns to
// blue and green is stopped.

// Strategy is deploymentConfiguration.strategy.
type Strategy uint8

// Strategies, as the API spells them.
const (
	StrategyRolling Strategy = iota
	StrategyBlueGreen
	StrategyLinear
	StrategyCanary
)

// StrategyNames are the strategies' API names, by Strategy.
var StrategyNames = [...]string{"ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"}

func (s Strategy) String() string { return StrategyNames[s] }

// Defaults and bounds from the API reference (LinearConfiguration,
// CanaryConfiguration, DeploymentConfiguration,
// DeploymentLifecycleHookTimeoutConfiguration) and the developer guide
// (Lambda hooks' callback interval).
const (
	DefaultStepPercent     = 10.0
	DefaultStepBakeTime    = 6 * time.Minute
	DefaultCanaryPercent   = 5.0
	DefaultCanaryBakeTime  = 10 * time.Minute
	DefaultHookTimeout     = 1440 * time.Minute
	MaxHookTimeout         = 20160 * time.Minute
	MaxBakeTime            = 1440 * time.Minute
	DefaultHookCallback    = 30 * time.Second
	MinStepPercent         = 3.0
	MinCanaryPercent       = 0.1
	MaxTrafficPercent      = 100.0
	trafficPercentQuantum  = 0.1 // percents are multiples of 0.1
	maxDeploymentStepCount = 1000
)

// DeploymentStrategyConfig is a service's deployment configuration beyond
// the rolling bounds: its strategy, bake time, traffic steps, lifecycle
// hooks and alarms. nil on a ServiceConfig: ROLLING without alarms.
type DeploymentStrategyConfig struct {
	Strategy Strategy
	// BakeTime is bakeTimeInMinutes: both revisions run this long after
	// production traffic has shifted, then blue is stopped.
	BakeTime time.Duration
	// StepPercent and StepBakeTime are LINEAR's linearConfiguration.
	StepPercent  float64
	StepBakeTime time.Duration
	// CanaryPercent and CanaryBakeTime are CANARY's canaryConfiguration.
	CanaryPercent  float64
	CanaryBakeTime time.Duration
	Hooks          []LifecycleHook
	Alarms         *DeploymentAlarms // nil: none
}

// DeploymentAlarms is deploymentConfiguration.alarms. Which revision trips
// the alarm is the task definition's SimulateAlarmAfter (a rehearsal, like
// FailsHealthCheck).
type DeploymentAlarms struct {
	Names            []string
	Enable, Rollback bool
}

// LifecycleHook is a deployment lifecycle hook, as a delay: the hook's
// target takes Takes to return SUCCEEDED (or FAILED, when Fails), answering
// IN_PROGRESS until then; ECS invokes it again every CallbackDelay (a Lambda
// hook's callBackDelay, default 30 s), so it is seen done at the first
// invocation at or after Takes. A PAUSE hook is the same with Takes the time
// until ContinueServiceDeployment is called. Past Timeout (default 1440
// minutes) the timeout action applies: ROLLBACK (the default) or CONTINUE.
type LifecycleHook struct {
	Name             string
	Pause            bool // a PAUSE hook: no callbacks, done exactly at Takes
	Stages           []Stage
	Takes            time.Duration
	Fails            bool
	CallbackDelay    time.Duration // 0: DefaultHookCallback
	Timeout          time.Duration // 0: DefaultHookTimeout
	TimeoutContinues bool          // timeoutAction CONTINUE
}

// Stage is a service deployment's lifecycleStage.
type Stage uint8

// Lifecycle stages, in the order a deployment goes through them.
const (
	StageReconcileService Stage = iota
	StagePreScaleUp
	StageScaleUp
	StagePostScaleUp
	StageTestTrafficShift
	StagePostTestTrafficShift
	StageProductionTrafficShift
	StagePostProductionTrafficShift
	StageBakeTime
	StageCleanUp
	numStages
)

// StageNames are the stages' API names, by Stage.
var StageNames = [...]string{"RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT",
	"POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"}

func (s Stage) String() string { return StageNames[s] }

// HookStage reports whether a hook may be attached to the stage. AWS
// (DeploymentLifecycleHook, lifecycleStages): every stage but SCALE_UP,
// BAKE_TIME and CLEAN_UP.
func HookStage(s Stage) bool {
	return s != StageScaleUp && s != StageBakeTime && s != StageCleanUp && s < numStages
}

// ParseStage resolves a stage's API name.
func ParseStage(name string) (Stage, bool) {
	for i, n := range StageNames {
		if n == name {
			return Stage(i), true
		}
	}
	return 0, false
}

// ParseStrategy resolves a strategy's API name.
func ParseStrategy(name string) (Strategy, bool) {
	for i, n := range StrategyNames {
		if n == name {
			return Strategy(i), true
		}
	}
	return 0, false
}

// TrafficSteps are the shares of production traffic (percent) green holds
// after each shift: BLUE_GREEN one shift to 100; CANARY canaryPercent, then
// 100; LINEAR stepPercent, 2 x stepPercent, ... capped at 100. AWS
// (LinearConfiguration): equal increments until 100% of traffic is
// shifted; the step bake time runs between steps, not after the last (so
// CloudFormation counts 100/step - 1 waits when step divides 100, floor
// (100/step) otherwise).
func TrafficSteps(c *DeploymentStrategyConfig) []float64 {
	switch c.Strategy {
	case StrategyCanary:
		p := cmpOr(c.CanaryPercent, DefaultCanaryPercent)
		if p >= MaxTrafficPercent {
			return []float64{MaxTrafficPercent}
		}
		return []float64{p, MaxTrafficPercent}
	case StrategyLinear:
		p := cmpOr(c.StepPercent, DefaultStepPercent)
		var out []float64
		for k := 1; len(out) < maxDeploymentStepCount; k++ {
			// In tenths, so that 10 x 10% is exactly 100.
			tenths := math.Round(p*10) * float64(k)
			if tenths >= 1000 {
				out = append(out, MaxTrafficPercent)
				break
			}
			out = append(out, tenths/10)
		}
		return out
	}
	return []float64{MaxTrafficPercent}
}

// stepBake is the wait after each traffic step but the last.
func stepBake(c *DeploymentStrategyConfig) time.Duration {
	switch c.Strategy {
	case StrategyCanary:
		return c.CanaryBakeTime
	case StrategyLinear:
		return c.StepBakeTime
	}
	return 0
}

func cmpOr(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

// hookDone is when ECS sees a hook done, from the start of its stage, and
// whether it succeeded; a hook past its timeout ends at the timeout with
// its timeout action.
func hookDone(h *LifecycleHook) (after time.Duration, ok bool, why string) {
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultHookTimeout
	}
	seen := h.Takes
	if !h.Pause {
		cb := h.CallbackDelay
		if cb <= 0 {
			cb = DefaultHookCallback
		}
		seen = (h.Takes + cb - 1) / cb * cb // the first invocation at or after Takes
	}
	if seen > timeout {
		if h.TimeoutContinues {
			return timeout, true, fmt.Sprintf("hook %s TIMED_OUT after %s: CONTINUE", h.Name, timeout)
		}
		return timeout, false, fmt.Sprintf("hook %s TIMED_OUT after %s: ROLLBACK", h.Name, timeout)
	}
	if h.Fails {
		return seen, false, fmt.Sprintf("hook %s FAILED after %s", h.Name, seen)
	}
	return seen, true, fmt.Sprintf("hook %s SUCCEEDED after %s", h.Name, seen)
}

// stagedRollout is a staged deployment under way: the service's state
// while its primary deployment goes through the lifecycle stages.
type stagedRollout struct {
	green   int32 // the deployment going out (PRIMARY)
	blue    int32 // the deployment serving before; -1 none
	stage   Stage
	steps   []float64
	step    int     // traffic steps taken
	share   float64 // percent of production traffic on green
	timer   des.Timer
	pending pendingAction // what the timer ends
	hookWhy string        // the hooks' outcome, for the event the timer ends with
	hookOK  bool
	frozen  bool // failed without a rollback: it stays as it is
}

type pendingAction uint8

const (
	pendingNone  pendingAction = iota
	pendingHooks               // the stage's hooks are done
	pendingStep                // a traffic step's bake is over
	pendingBake                // the deployment's bake time is over
)

// deployState is a service's deployment state beyond its deployments: the
// staged rollout under way and the alarm watch.
type deployState struct {
	staged     *stagedRollout
	alarmDep   int32 // the deployment whose alarm runs, plus one; 0 none
	alarmTimer des.Timer
}

func (s *service) deployCfg() *DeploymentStrategyConfig { return s.cfg.Deployment }

// staged reports whether the service deploys with a strategy other than
// ROLLING.
func (s *service) stagedStrategy() bool {
	return s.cfg.Deployment != nil && s.cfg.Deployment.Strategy != StrategyRolling
}

// startStaged begins the lifecycle stages of the deployment deploy just
// appended (the PRIMARY). prev is the previous PRIMARY, prevCompleted
// whether it had completed, prevStaged the rollout it superseded (nil none).
func (w *World) startStaged(si int32, prev int32, prevCompleted bool, prevStaged *stagedRollout) {
	s := &w.services[si]
	if prevStaged != nil {
		w.eng.Cancel(prevStaged.timer)
	}
	blue := int32(-1)
	switch {
	case prevCompleted:
		blue = prev
	case prevStaged != nil:
		blue = prevStaged.blue // the superseded green goes; its blue stays
	}
	r := &stagedRollout{green: s.primary(), blue: blue, steps: TrafficSteps(s.deployCfg())}
	s.dstate.staged = r
	w.suspendScaleIn(s, true)
	// AWS (lifecycleStage RECONCILE_SERVICE): only when the deployment
	// starts with more than one service revision ACTIVE.
	active := 0
	for d := range s.primary() {
		if s.deps[d].active > 0 {
			active++
		}
	}
	if active > 1 {
		w.enterStage(si, StageReconcileService)
	} else {
		w.enterStage(si, StagePreScaleUp)
	}
}

// stageEvent logs a staged deployment's step.
func (w *World) stageEvent(s *service, st Stage, reason string) {
	w.serviceEvent(s, schema.DeploymentStage, st.String(), reason)
}

// enterStage moves the rollout to stage st and starts its work.
func (w *World) enterStage(si int32, st Stage) {
	s := &w.services[si]
	r := s.dstate.staged
	r.stage = st
	td := &w.cfg.TaskDefinitions[s.deps[r.green].def]
	rev := fmt.Sprintf("%s:%d", td.Family, td.Revision)
	switch st {
	case StageScaleUp:
		w.stageEvent(s, st, fmt.Sprintf("%s scaling up to %d tasks beside blue", rev, s.desired))
		return // stagedUpdate launches green and moves on once it is healthy
	case StageProductionTrafficShift:
		w.shiftTraffic(si)
		return
	case StageBakeTime:
		bake := s.deployCfg().BakeTime
		w.stageEvent(s, st, fmt.Sprintf("both revisions run for the bake time, %s", bake))
		w.wait(si, bake, pendingBake)
		return
	case StageCleanUp:
		w.cleanUp(si)
		return
	}
	w.stageEvent(s, st, rev)
	w.runHooks(si)
}

// runHooks starts the current stage's hooks; without any, the stage is
// done at once.
func (w *World) runHooks(si int32) {
	s := &w.services[si]
	r := s.dstate.staged
	var end time.Duration
	ok, why := true, ""
	failAt := time.Duration(-1)
	for i := range s.deployCfg().Hooks {
		h := &s.deployCfg().Hooks[i]
		if !hasStage(h.Stages, r.stage) {
			continue
		}
		after, hok, hwhy := hookDone(h)
		// AWS: every hook of a stage must complete before the deployment
		// proceeds; a failed one rolls back when it answers.
		if !hok && (failAt < 0 || after < failAt) {
			failAt, ok, why = after, false, hwhy
		}
		if ok {
			end = max(end, after)
			why = joinWhy(why, hwhy)
		}
	}
	if !ok {
		end = failAt
	}
	if why == "" {
		w.stageDone(si)
		return
	}
	r.hookOK, r.hookWhy = ok, why
	w.wait(si, end, pendingHooks)
}

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func hasStage(stages []Stage, st Stage) bool {
	for _, x := range stages {
		if x == st {
			return true
		}
	}
	return false
}

// wait ends the current step after d (at once when d is 0).
func (w *World) wait(si int32, d time.Duration, p pendingAction) {
	r := w.services[si].dstate.staged
	r.pending = p
	r.timer = w.eng.At(w.eng.Now()+des.At(d), w.k.deployStage, si)
}

// onDeployStage ends what a staged rollout was waiting for.
func (w *World) onDeployStage(_ des.Time, si int32) {
	s := &w.services[si]
	r := s.dstate.staged
	if r == nil || r.frozen {
		return
	}
	p := r.pending
	r.pending = pendingNone
	switch p {
	case pendingHooks:
		w.stageEvent(s, r.stage, r.hookWhy)
		if !r.hookOK {
			w.failDeployment(si, "lifecycle hook at "+r.stage.String()+": "+r.hookWhy, true)
			return
		}
		w.stageDone(si)
	case pendingStep:
		w.shiftTraffic(si)
	case pendingBake:
		w.enterStage(si, StageCleanUp)
	}
}

// stageDone moves on from a stage whose hooks are done.
func (w *World) stageDone(si int32) {
	r := w.services[si].dstate.staged
	switch r.stage {
	case StageProductionTrafficShift:
		if r.step < len(r.steps) {
			w.wait(si, stepBake(w.services[si].deployCfg()), pendingStep)
			return
		}
		w.enterStage(si, StagePostProductionTrafficShift)
	case StagePreScaleUp:
		w.enterStage(si, StageScaleUp)
		w.reconcile(si)
	default:
		w.enterStage(si, r.stage+1)
	}
}

// shiftTraffic takes the next production traffic step, then runs the
// stage's hooks (AWS: PRODUCTION_TRAFFIC_SHIFT hooks are invoked at each
// shift; choice: after the shift, the step's bake after the hooks).
func (w *World) shiftTraffic(si int32) {
	s := &w.services[si]
	r := s.dstate.staged
	r.stage = StageProductionTrafficShift
	r.share = r.steps[r.step]
	r.step++
	w.stageEvent(s, r.stage, fmt.Sprintf("green takes %s%% of production traffic (step %d of %d)", fmtPct(r.share), r.step, len(r.steps)))
	if r.step == 1 {
		w.watchAlarm(si, r.green) // green serves production traffic from now
	}
	w.runHooks(si)
}

func fmtPct(p float64) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", p), "0"), ".")
}

// cleanUp stops blue: green alone serves, and the deployment completes
// once blue's tasks have left.
func (w *World) cleanUp(si int32) {
	s := &w.services[si]
	r := s.dstate.staged
	var blue []int32 // collected first: stopping a task may compact the active list
	for _, t := range s.active.ts {
		if t >= 0 && w.tasks[t].deployment != r.green && !w.holdsDeployment(s, t) { // a protected blue task stays until its protection ends (protection.go)
			blue = append(blue, t)
		}
	}
	for _, t := range blue {
		w.stopTask(t, StopServiceSchedulerInitiated, "deployment: blue revision scaled down after the bake time", w.stopGrace(t), false)
	}
	n := len(blue)
	for d := range s.primary() {
		s.deps[d].keep = 0
	}
	w.stageEvent(s, StageCleanUp, fmt.Sprintf("%d blue tasks stopped", n))
	s.dstate.staged = nil
	w.suspendScaleIn(s, false)
	w.reconcile(si)
}

// stagedUpdate is reconcile for a service whose staged rollout is under
// way: green launched to the desired count from SCALE_UP on, blue kept at
// its count until CLEAN_UP, tasks of neither stopped. It reports false when
// no staged rollout runs.
func (w *World) stagedUpdate(si int32) bool {
	s := &w.services[si]
	r := s.dstate.staged
	if r == nil {
		return false
	}
	// Tasks to replace of neither revision: a superseded green's, and
	// green's on a draining instance (replaced below).
	blueActive := 0
	if r.blue >= 0 {
		blueActive = s.deps[r.blue].active
	}
	if s.old > blueActive {
		var stop []int32
		for _, t := range s.active.ts {
			if t >= 0 && w.tasks[t].old && w.tasks[t].deployment != r.blue {
				stop = append(stop, t)
			}
		}
		for _, t := range stop {
			w.replaceOld(s, t)
		}
	}
	if r.stage >= StageScaleUp && !r.frozen {
		green := s.active.n - s.old
		for green < s.desired && w.launchAllowed(si) {
			w.launch(si)
			green++
		}
		// A scale-in during the rollout takes green's newest tasks
		// (collected first: stopping may compact the active list).
		var extra []int32
		for i := len(s.active.ts) - 1; i >= 0 && green > s.desired; i-- {
			if t := s.active.ts[i]; t >= 0 && !w.tasks[t].old {
				extra = append(extra, t)
				green--
			}
		}
		for _, t := range extra {
			w.stopTask(t, StopServiceSchedulerInitiated, reasonScaleIn, w.stopGrace(t), false)
		}
	}
	if r.blue >= 0 {
		w.keepRunningVersion(si, 0, math.MaxInt32) // blue keeps its count until CLEAN_UP
	}
	if r.stage == StageScaleUp && !r.frozen && s.healthy-s.healthyOld >= s.desired {
		w.stageEvent(s, StageScaleUp, fmt.Sprintf("%d green tasks healthy", s.healthy-s.healthyOld))
		w.enterStage(si, StagePostScaleUp)
	}
	return true
}

// failDeployment fails the PRIMARY deployment and, when rollback is on and
// there is a revision to return to, rolls back: a staged rollout returns
// production traffic to blue and stops green; a rolling one deploys the
// last completed revision.
func (w *World) failDeployment(si int32, reason string, rollback bool) {
	s := &w.services[si]
	d := &s.deps[s.primary()]
	if d.rollout != RolloutInProgress {
		return
	}
	d.rollout = RolloutFailed
	s.failed++
	w.serviceEvent(s, schema.DeploymentFailed, RolloutFailed.String(), reason)
	r := s.dstate.staged
	if r == nil {
		if rollback && s.lastCompleted >= 0 {
			s.rolledBack++
			w.deploy(si, s.lastCompleted, "rollback to the last completed deployment", true)
			return
		}
		w.suspendScaleIn(s, false) // a FAILED deployment is no longer in progress
		return
	}
	w.eng.Cancel(r.timer)
	if !rollback || r.blue < 0 {
		r.frozen = true // AWS: a FAILED deployment launches nothing more
		w.suspendScaleIn(s, false)
		return
	}
	s.rolledBack++
	w.restoreBlue(si)
}

// restoreBlue ends a staged rollout by returning to blue: blue's tasks
// become a new PRIMARY deployment of blue's revision (they keep running:
// production traffic shifts back to them at once), green's tasks stop.
func (w *World) restoreBlue(si int32) {
	s := &w.services[si]
	r := s.dstate.staged
	b := s.deps[r.blue]
	s.deps = append(s.deps, deployment{def: b.def, spec: b.spec, rollback: true})
	np := s.primary()
	s.spec = b.spec
	var green []int32
	for _, t := range s.active.ts {
		if t < 0 {
			continue
		}
		tk := &w.tasks[t]
		if tk.deployment != r.blue {
			green = append(green, t)
			continue
		}
		s.booksDirty = true
		s.deps[r.blue].active--
		s.deps[np].active++
		tk.deployment = np
		if !(tk.instance >= 0 && w.instances[tk.instance].status == InstanceDraining) {
			w.unmarkOld(s, t)
		}
	}
	s.deps[r.blue].keep = 0
	s.dstate.staged = nil
	w.suspendScaleIn(s, false)
	s.throttle, s.throttledUntil = 0, 0
	td := &w.cfg.TaskDefinitions[b.def]
	w.serviceEvent(s, schema.DeploymentStarted, RolloutInProgress.String(),
		fmt.Sprintf("%s:%d (rollback: production traffic back to blue, %d green tasks stopped)", td.Family, td.Revision, len(green)))
	for _, t := range green {
		w.stopTask(t, StopServiceSchedulerInitiated, "deployment: rolled back to the blue revision", w.stopGrace(t), false)
	}
	w.reconcile(si)
}

// unmarkOld takes a task out of the books of tasks to replace (restoreBlue:
// it belongs to the PRIMARY again).
func (w *World) unmarkOld(s *service, t int32) {
	s.booksDirty = true
	tk := &w.tasks[t]
	if !tk.old {
		return
	}
	tk.old = false
	s.old--
	if tk.healthy {
		s.healthyOld-- // its entry in ho is stale now: popHealthyOld skips it
	} else {
		w.uoRemove(s, t)
	}
	if s.old == 0 {
		s.ho = s.ho[:0]
	}
}

// watchAlarm starts the deployment alarm's watch of deployment dep once it
// serves production traffic: a revision that trips the alarm
// (TaskDefinition.SimulateAlarmAfter) sends it into ALARM that long after.
// AWS ("How CloudWatch alarms detect Amazon ECS deployment failures"): the
// deployment is set to FAILED when a specified alarm goes into ALARM, and
// rolled back when rollback is on.
func (w *World) watchAlarm(si, dep int32) {
	s := &w.services[si]
	c := s.deployCfg()
	if c == nil || c.Alarms == nil || !c.Alarms.Enable || s.dstate.alarmDep == dep+1 {
		return
	}
	after := w.cfg.TaskDefinitions[s.deps[dep].def].SimulateAlarmAfter
	if after <= 0 {
		return
	}
	w.eng.Cancel(s.dstate.alarmTimer)
	s.dstate.alarmDep = dep + 1
	s.dstate.alarmTimer = w.eng.At(w.eng.Now()+des.At(after), w.k.deployAlarm, si)
}

// onDeployAlarm fires the deployment alarm: it fails the deployment still
// in progress that it watches.
func (w *World) onDeployAlarm(_ des.Time, si int32) {
	s := &w.services[si]
	dep := s.dstate.alarmDep - 1
	if dep != s.primary() || s.deps[dep].rollout != RolloutInProgress {
		return // done, superseded or failed already: the alarm changes nothing
	}
	a := s.deployCfg().Alarms
	w.serviceEvent(s, schema.AlarmStateChange, "ALARM", strings.Join(a.Names, ",")+": deployment alarm")
	w.failDeployment(si, "alarm "+strings.Join(a.Names, ",")+" in ALARM", a.Rollback)
}

// stagedBlue is how many tasks a staged rollout runs beside the desired
// count: blue's, which stay until CLEAN_UP whatever maximumPercent says
// (the invariant's allowance; 0 outside a staged rollout).
func (w *World) stagedBlue(s *service) int {
	r := s.dstate.staged
	if r == nil || r.blue < 0 {
		return 0
	}
	return max(s.deps[r.blue].keep, s.deps[r.blue].active)
}

// suspendScaleIn turns Application Auto Scaling's scale-in off for the
// length of a staged rollout and back on after it. AWS ("Troubleshooting
// service auto scaling"): scale-in is turned off while a deployment is in
// progress, scale-out goes on: from deploy (every deployment of a new
// revision, rolling or staged, and a rollback) until it completes or fails.
func (w *World) suspendScaleIn(s *service, on bool) {
	if s.scaler != nil {
		s.scaler.target.SuspendDynamicScaleIn(on)
	}
}

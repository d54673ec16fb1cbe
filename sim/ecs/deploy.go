package ecs

import (
	"cmp"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/schema"
	"math"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Rollout is a deployment's rolloutState.
type Rollout uint8

// Rollout states, as DescribeServices reports them.
const (
	RolloutInProgress Rollout = iota
	RolloutCompleted
	RolloutFailed
)

func (r Rollout) String() string { return [...]string{"IN_PROGRESS", "COMPLETED", "FAILED"}[r] }

// deployment is one of a service's deployments: the task definition it runs
// and how its rollout goes. The last of a service's deployments is PRIMARY.
type deployment struct {
	def      int
	spec     int32
	rollout  Rollout
	failures int // tasks that failed to reach RUNNING or failed health checks
	rollback bool
	// keep is, for the deployment the service ran before a newer one, how
	// many of its tasks the rolling update still keeps: a task of it that
	// fails or is lost is replaced with its own revision while keep is above
	// its count. It drops as the rollout stops its tasks.
	keep int
	// active counts its tasks not yet STOPPING (the service's books).
	active int
}

// healthyDelay is how long after RUNNING a task counts as healthy. AWS (ECS
// Developer Guide, "Deploy Amazon ECS services by replacing tasks"): a task
// without a health check counts as healthy 40 s after RUNNING; with one, when
// its first check passes, one interval after start (choice: checks pass).
//
// Behind a load balancer the task is healthy once its target is too: a new
// target passes its first check one interval after registration (choice:
// registration at RUNNING, the first check an interval later), and the
// container's check, if any, must pass as well.
func (w *World) healthyDelay(def int, lb *LoadBalancerConfig) time.Duration {
	hc := w.cfg.TaskDefinitions[def].HealthCheck
	var d time.Duration
	switch {
	case hc != nil:
		// The first check runs an interval after start; success within the
		// start period already counts (AWS, HealthCheck API).
		d = hc.Interval
	case lb == nil:
		d = 40 * time.Second
	}
	if lb != nil {
		d = max(d, lb.Interval)
	}
	return d
}

// CircuitBreakerThreshold is the number of failed tasks that fails a
// deployment. AWS (ServiceDeploymentCircuitBreaker / "How the deployment
// circuit breaker detects failures"): 0.5 x desired count (rounded up), at
// least 3, at most 200. Older guides gave a minimum of 10.
func CircuitBreakerThreshold(desired int) int {
	return min(200, max(3, int(math.Ceil(0.5*float64(desired)))))
}

// RollingBounds are a rolling update's bounds on the service's tasks. AWS
// (DeploymentConfiguration): at least minimumHealthyPercent of the desired
// count (rounded up) stay healthy, at most maximumPercent (rounded down) run.
func RollingBounds(desired, minPct, maxPct int) (minHealthy, maxTotal int) {
	minHealthy = (desired*minPct + 99) / 100
	maxTotal = desired * maxPct / 100
	return minHealthy, maxTotal
}

func (s *service) primary() int32 { return int32(len(s.deps) - 1) }

// deploy starts a new deployment of task definition def. The previous
// PRIMARY's tasks are replaced within the rolling bounds.
func (w *World) deploy(si int32, def int, cause string, rollback bool) {
	s := &w.services[si]
	prev, prevStaged := s.primary(), s.dstate.staged
	s.dstate.staged = nil
	// AWS: scale-in is off while a deployment is in progress, rolling or
	// staged (suspendScaleIn); checkRollout, a failure or the staged
	// rollout's end turn it back on.
	w.suspendScaleIn(s, true)
	p := &s.deps[s.primary()]
	prevCompleted := p.rollout == RolloutCompleted
	if p.rollout == RolloutInProgress {
		p.rollout = RolloutFailed // superseded before completing
	}
	// AWS (What's New, November 2025, "Amazon ECS improves Service
	// Availability during Rolling deployments"): ECS replaces unhealthy or
	// terminated tasks of the running version with that same version,
	// independent of the new version's status. The running version is the
	// completed one; a version superseded before completing keeps nothing.
	p.keep = 0
	if p.rollout == RolloutCompleted {
		p.keep = p.active
	}
	s.deps = append(s.deps, deployment{def: def, spec: w.specFor(def, "service:"+s.cfg.Name), rollback: rollback})
	s.spec = s.deps[len(s.deps)-1].spec
	for _, t := range s.active.ts {
		if t >= 0 {
			w.markOld(s, t) // every task is of an older deployment now
		}
	}
	s.throttle, s.throttledUntil = 0, 0
	td := &w.cfg.TaskDefinitions[def]
	w.serviceEvent(s, schema.DeploymentStarted, RolloutInProgress.String(), fmt.Sprintf("%s:%d (%s)", td.Family, td.Revision, cause))
	if s.stagedStrategy() && !rollback {
		w.startStaged(si, prev, prevCompleted, prevStaged) // deploy_strategy.go
	} else if prevStaged != nil {
		w.eng.Cancel(prevStaged.timer)
	}
	w.reconcile(si)
}

// rollingUpdate starts new tasks and stops old ones within the bounds while
// an older deployment still has tasks (or a task sits on a draining
// instance). Its cost is what it starts and stops, plus the running
// version's replacements still starting: the service's books (books.go)
// hold the counts and the tasks to replace, so it never scans the service.
func (w *World) rollingUpdate(si int32) {
	s := &w.services[si]
	minHealthy, maxTotal := RollingBounds(s.desired, s.minHealthyPct, s.maxPct)
	old, healthy := s.old, s.healthy
	newActive := s.active.n - old
	for newActive < s.desired && newActive+old < max(maxTotal, 1) && w.launchAllowed(si) {
		w.launch(si)
		newActive++
	}
	w.keepRunningVersion(si, newActive+old, maxTotal)
	// Stop old tasks, those not serving first (they hold no healthy count),
	// each kind oldest first; then healthy ones while minHealthy stays
	// healthy.
	var unhealthy []int32
	for _, t := range s.uo {
		if d := w.tasks[t].deployment; d != s.primary() && s.deps[d].keep > 0 {
			continue // the running version's replacement, still starting: it is there to serve
		}
		if w.holdsDeployment(s, t) {
			continue // protected from the deployment until protection is unset or expires (protection.go)
		}
		unhealthy = append(unhealthy, t)
	}
	slices.SortFunc(unhealthy, func(a, b int32) int { return cmp.Compare(w.tasks[a].num, w.tasks[b].num) })
	for _, t := range unhealthy {
		w.replaceOld(s, t)
	}
	var held []int32 // protected old tasks: back on the heap for a later pass (protection.go)
	for ; healthy > minHealthy; healthy-- {
		t, ok := w.popHealthyOld(s)
		if !ok {
			break
		}
		if w.holdsDeployment(s, t) {
			held, healthy = append(held, t), healthy+1
			continue
		}
		w.replaceOld(s, t)
	}
	for _, t := range held {
		s.ho.push(w.tasks[t].num, t)
	}
	w.sayHeld(s, len(held), "deployment")
}

// replaceOld stops an old task for the rolling update.
func (w *World) replaceOld(s *service, t int32) {
	reason := "deployment: replaced by the new task definition"
	if d := w.tasks[t].deployment; d == s.primary() {
		reason = "Task stopped because the container instance is draining"
	} else if s.deps[d].keep > 0 {
		s.deps[d].keep-- // the rollout's own progress: not to be replaced
	}
	w.stopTask(t, StopServiceSchedulerInitiated, reason, w.stopGrace(t), false)
}

// keepRunningVersion replaces, within maximumPercent, the tasks the running
// version lost during a rolling update (failed, unhealthy, on a lost
// instance) with tasks of that same version, while the rollout still keeps
// them (deployment.keep).
func (w *World) keepRunningVersion(si int32, total, maxTotal int) {
	s := &w.services[si]
	for d := range s.primary() {
		dep := &s.deps[d]
		if dep.keep == 0 {
			continue
		}
		// Not held by the throttle the new version's start failures set:
		// "independent of the new version's status".
		for have := dep.active; have < dep.keep && total < max(maxTotal, 1); have, total = have+1, total+1 {
			w.launchSpec(si, dep.spec, d)
		}
	}
}

// scaleRunningVersion applies a scale-out during a rolling update to the
// running version too (AWS, November 2025: "when Application Auto Scaling
// triggers during a rolling deployment, ECS applies scale-out to both
// service revisions"): the tasks it keeps grow in proportion, rounded up.
func (w *World) scaleRunningVersion(s *service, from, to int) {
	if to <= from || from <= 0 {
		return
	}
	for d := range s.primary() {
		if k := s.deps[d].keep; k > 0 {
			s.deps[d].keep = (k*to + from - 1) / from
		}
	}
}

// isOld reports whether a service task is to be replaced: it belongs to an
// older deployment, or sits on a draining instance.
func (w *World) isOld(s *service, t int32) bool {
	tk := &w.tasks[t]
	if tk.deployment != s.primary() {
		return true
	}
	return tk.instance >= 0 && w.instances[tk.instance].status == InstanceDraining
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkRollout completes the primary deployment once it alone runs the
// desired count, healthy.
func (w *World) checkRollout(si int32) {
	s := &w.services[si]
	p := s.primary()
	d := &s.deps[p]
	if d.rollout != RolloutInProgress || s.dstate.staged != nil {
		return // a staged rollout completes after its CLEAN_UP
	}
	if d.active != s.active.n {
		return // tasks of an older deployment still run
	}
	// Healthy tasks of the primary, but not on a draining instance.
	if s.healthy-s.healthyOld >= s.desired {
		d.rollout = RolloutCompleted
		s.lastCompleted = d.def
		s.completed++
		w.suspendScaleIn(s, false)
		td := &w.cfg.TaskDefinitions[d.def]
		w.serviceEvent(s, schema.DeploymentCompleted, RolloutCompleted.String(), fmt.Sprintf("%s:%d", td.Family, td.Revision))
	}
}

// taskFailed counts a new task's failure against its deployment's circuit
// breaker and the service's throttle.
func (w *World) taskFailed(t int32, startFailure bool) {
	tk := &w.tasks[t]
	s := &w.services[tk.service]
	if startFailure {
		s.throttle++
		wait := min(w.cfg.Settings.ThrottleBase<<min(s.throttle-1, 20), w.cfg.Settings.ThrottleMax)
		s.throttledUntil = w.eng.Now() + des.At(wait)
		w.eng.At(s.throttledUntil, w.k.serviceRetry, tk.service)
	}
	d := &s.deps[tk.deployment]
	d.failures++
	cb := s.cfg.CircuitBreaker
	if cb == nil || !cb.Enable || d.rollout != RolloutInProgress || tk.deployment != s.primary() {
		return
	}
	if d.failures < CircuitBreakerThreshold(s.desired) {
		return
	}
	w.failDeployment(tk.service, fmt.Sprintf("circuit breaker: %d failed tasks, threshold %d", d.failures, CircuitBreakerThreshold(s.desired)), cb.Rollback)
}

// launchAllowed reports whether the service may start a task now: not while
// throttled after repeated start failures. AWS ("Amazon ECS service throttle
// logic"): the wait grows up to 27 minutes; its steps are undocumented
// (choice: ThrottleBase doubling, capped at ThrottleMax).
//
// A FAILED deployment launches nothing more (AWS, circuit breaker: "A
// deployment in a FAILED state doesn't launch any new tasks"; without a
// deployment to roll back to, it stalls).
func (w *World) launchAllowed(si int32) bool {
	s := &w.services[si]
	return s.throttledUntil <= w.eng.Now() && s.deps[s.primary()].rollout != RolloutFailed && w.launchRateAllows(si) // launchrate.go
}

// onTaskHealthy marks a RUNNING task healthy and moves any rollout on.
func (w *World) onTaskHealthy(now des.Time, t int32) {
	tk := &w.tasks[t]
	if tk.state != TaskRunning {
		return
	}
	tk.healthy = true
	s := &w.services[tk.service]
	s.healthy++
	s.booksDirty = true
	w.markHealthy(s, t)
	if tk.deployment == s.primary() {
		// AWS (circuit breaker): the failure count is consecutive; a task
		// that turns healthy resets it (resetOnHealthyTask).
		s.deps[tk.deployment].failures = 0
		if len(s.deps) > 1 && s.dstate.staged == nil {
			// A rolling update's alarm watch starts with its first
			// healthy task (a staged one's at its first traffic shift).
			w.watchAlarm(tk.service, tk.deployment)
		}
	}
	w.rebalanced(tk.service, t)
	w.reconcile(tk.service)
}

// onTaskUnhealthy stops a task whose container health checks failed: a
// stage-two failure of its deployment.
func (w *World) onTaskUnhealthy(now des.Time, t int32) {
	tk := &w.tasks[t]
	if tk.state != TaskRunning {
		return
	}
	// AWS (DeploymentConfiguration): maximumPercent lets the scheduler start
	// a replacement first, then stop the unhealthy task.
	si := tk.service
	s := &w.services[si]
	_, maxTotal := RollingBounds(s.desired, s.minHealthyPct, s.maxPct)
	w.taskFailed(t, false)
	if s.active.n < maxTotal && w.launchAllowed(si) {
		w.launch(si)
	}
	w.stopTask(t, StopServiceSchedulerInitiated, "Task failed container health checks", w.stopGrace(t), true)
}

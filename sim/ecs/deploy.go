package ecs

import (
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
	p := &s.deps[s.primary()]
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
		for _, t := range s.active {
			if w.tasks[t].deployment == s.primary() {
				p.keep++
			}
		}
	}
	s.deps = append(s.deps, deployment{def: def, spec: w.specFor(def, "service:"+s.cfg.Name), rollback: rollback})
	s.spec = s.deps[len(s.deps)-1].spec
	s.throttle, s.throttledUntil = 0, 0
	td := &w.cfg.TaskDefinitions[def]
	w.serviceEvent(s, schema.DeploymentStarted, RolloutInProgress.String(), fmt.Sprintf("%s:%d (%s)", td.Family, td.Revision, cause))
	w.reconcile(si)
}

// rollingUpdate starts new tasks and stops old ones within the bounds while
// an older deployment still has tasks. It reports whether it did anything
// beyond the steady-state reconcile's job.
func (w *World) rollingUpdate(si int32) {
	s := &w.services[si]
	minHealthy, maxTotal := RollingBounds(s.desired, s.minHealthyPct, s.maxPct)
	var newActive, healthy int
	var old []int32
	for _, t := range s.active {
		tk := &w.tasks[t]
		if tk.healthy {
			healthy++
		}
		if w.isOld(s, t) {
			old = append(old, t)
		} else {
			newActive++
		}
	}
	for newActive < s.desired && newActive+len(old) < max(maxTotal, 1) && w.launchAllowed(si) {
		w.launch(si)
		newActive++
	}
	w.keepRunningVersion(si, newActive+len(old), maxTotal)
	// Stop old tasks, those not serving first (they hold no healthy count),
	// then healthy ones while minHealthy stays healthy.
	slices.SortStableFunc(old, func(a, b int32) int { return b2i(w.tasks[a].healthy) - b2i(w.tasks[b].healthy) })
	for _, t := range old {
		if d := w.tasks[t].deployment; d != s.primary() && s.deps[d].keep > 0 && !w.tasks[t].healthy {
			continue // the running version's replacement, still starting: it is there to serve
		}
		if w.tasks[t].healthy {
			if healthy-1 < minHealthy {
				break
			}
			healthy--
		}
		reason := "deployment: replaced by the new task definition"
		if d := w.tasks[t].deployment; d == s.primary() {
			reason = "Task stopped because the container instance is draining"
		} else if s.deps[d].keep > 0 {
			s.deps[d].keep-- // the rollout's own progress: not to be replaced
		}
		w.stopTask(t, StopServiceSchedulerInitiated, reason, w.stopGrace(t), false)
	}
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
		have := 0
		for _, t := range s.active {
			if w.tasks[t].deployment == d {
				have++
			}
		}
		// Not held by the throttle the new version's start failures set:
		// "independent of the new version's status".
		for ; have < dep.keep && total < max(maxTotal, 1); have, total = have+1, total+1 {
			t := w.launchSpec(si, dep.spec)
			w.tasks[t].deployment = d
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
	if d.rollout != RolloutInProgress {
		return
	}
	healthy := 0
	for _, t := range s.active {
		tk := &w.tasks[t]
		if tk.deployment != p {
			return
		}
		if w.isOld(s, t) {
			continue // on a draining instance: not counted
		}
		if tk.healthy {
			healthy++
		}
	}
	if healthy >= s.desired {
		d.rollout = RolloutCompleted
		s.lastCompleted = d.def
		s.completed++
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
	d.rollout = RolloutFailed
	s.failed++
	w.serviceEvent(s, schema.DeploymentFailed, RolloutFailed.String(),
		fmt.Sprintf("circuit breaker: %d failed tasks, threshold %d", d.failures, CircuitBreakerThreshold(s.desired)))
	if cb.Rollback && s.lastCompleted >= 0 {
		s.rolledBack++
		w.deploy(tk.service, s.lastCompleted, "rollback to the last completed deployment", true)
	}
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
	return s.throttledUntil <= w.eng.Now() && s.deps[s.primary()].rollout != RolloutFailed
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
	if tk.deployment == s.primary() {
		// AWS (circuit breaker): the failure count is consecutive; a task
		// that turns healthy resets it (resetOnHealthyTask).
		s.deps[tk.deployment].failures = 0
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
	if len(s.active) < maxTotal && w.launchAllowed(si) {
		w.launch(si)
	}
	w.stopTask(t, StopServiceSchedulerInitiated, "Task failed container health checks", w.stopGrace(t), true)
}

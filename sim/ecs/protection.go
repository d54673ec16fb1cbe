package ecs

import (
	"fmt"
	"math"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Task scale-in protection. AWS (ECS Developer Guide, "Protect your Amazon
// ECS tasks from being terminated by scale-in events",
// task-scale-in-protection.html; API Reference, UpdateTaskProtection):
//
//   - protectionEnabled protects a service's task "from termination during
//     scale-in events from Service Autoscaling or deployments";
//   - it "expires after 2 hours" by default; expiresInMinutes sets 1 to
//     2,880 minutes (48 hours), and "is always reset when you invoke this
//     operation for a task that already has protectionEnabled set to true";
//   - a rolling update creates new tasks, but "tasks running older version
//     will not be terminated until protectionEnabled is unset or expires";
//   - "Amazon ECS will vend service events if protected tasks are keeping a
//     deployment ... from reaching steady state";
//   - DEPLOYMENT_BLOCKED: "the service has more protected tasks than the
//     desired count of tasks for the service".
//
// Protection does not keep a task on an instance that drains, fails or is
// reclaimed: those are not scale-in events (AWS lists only service auto
// scaling and deployments). It keeps the task's instance from capacity
// provider scale-in under managed termination protection, because the task
// keeps running there (a non-daemon task: ScaleInProtected).

// Protection expiry bounds, in AWS's minutes (UpdateTaskProtection,
// expiresInMinutes).
const (
	DefaultProtectionExpiry = 120 * time.Minute
	MinProtectionExpiry     = 1 * time.Minute
	MaxProtectionExpiry     = 2880 * time.Minute
)

// ProtectionExpiryError checks an expiresInMinutes value: whole minutes
// from 1 to 2,880. It returns what is wrong, or "".
func ProtectionExpiryError(d time.Duration) string {
	switch {
	case d < MinProtectionExpiry || d > MaxProtectionExpiry:
		return fmt.Sprintf("%s is outside UpdateTaskProtection's expiresInMinutes range of 1 to 2880 minutes (48 hours)", d)
	case d%time.Minute != 0:
		return fmt.Sprintf("%s is not a whole number of minutes (expiresInMinutes)", d)
	}
	return ""
}

// TaskProtectionRule is a workload rule that sets its service's task
// protection, as a task calling the agent's task-protection endpoint would.
type TaskProtectionRule struct {
	// WhileProcessing: a queue worker protects a task while it holds a
	// message (AWS's own example: "When a container starts processing work,
	// for example by consuming an SQS message"), and removes protection when
	// it is idle. Each minute the busy share of the service's capacity
	// (processed over what the RUNNING tasks could process) gives the busy
	// tasks, rounded up; the tasks already protected stay busy first, then
	// the oldest RUNNING ones (choice: one-minute granularity, the
	// service's own queue model).
	WhileProcessing bool
	// ExpiresIn is the expiresInMinutes each call asks for (renewed each
	// minute while busy).
	ExpiresIn time.Duration
}

// ProtectionUpdate is an UpdateTaskProtection call from the timeline:
// Count tasks, or Fraction of them (rounded up), of Service's RUNNING tasks.
// Enabled protects the oldest unprotected ones for ExpiresIn; disabled
// removes protection from the oldest protected ones (all of them when
// Count and Fraction are 0).
type ProtectionUpdate struct {
	Service   int
	Count     int
	Fraction  float64
	Enabled   bool
	ExpiresIn time.Duration
}

// protections is the world's task protection, by task slot. An entry
// belongs to the task whose number it holds, so a recycled slot never
// inherits its last task's protection.
type protections struct {
	kind  des.Kind
	until []des.Time  // when protectionEnabled resets to false
	num   []uint32    // the task the entry belongs to; 0: none
	timer []des.Timer // its expiry
	by    []bool      // set by the service's rule (quiet) rather than the timeline
	used  []bool      // per service: it has protected a task (scale-in must look)
	held  []int       // per service: protected tasks last said to hold a scale-in or deployment back
}

func (w *World) initProtection() {
	w.prot.kind = w.eng.Register(w.onProtectionExpired)
	w.prot.used = make([]bool, len(w.cfg.Services))
	w.prot.held = make([]int, len(w.cfg.Services))
}

// taskProtected reports whether task t's protection is on now.
func (w *World) taskProtected(t int32) bool {
	p := &w.prot
	return int(t) < len(p.num) && p.num[t] != 0 && p.num[t] == w.tasks[t].num && p.until[t] > w.eng.Now()
}

// protect turns task t's protection on (or renews it) for d.
func (w *World) protect(t int32, d time.Duration, byRule bool) {
	p := &w.prot
	for int(t) >= len(p.num) {
		p.num, p.until, p.timer, p.by = append(p.num, 0), append(p.until, 0), append(p.timer, des.Timer{}), append(p.by, false)
	}
	w.eng.Cancel(p.timer[t])
	p.num[t], p.by[t] = w.tasks[t].num, byRule
	p.until[t] = w.eng.Now() + des.At(d)
	p.timer[t] = w.eng.At(p.until[t], p.kind, t)
	w.prot.used[w.tasks[t].service] = true
}

// unprotect turns task t's protection off.
func (w *World) unprotect(t int32) {
	p := &w.prot
	if int(t) < len(p.num) {
		w.eng.Cancel(p.timer[t])
		p.num[t], p.until[t] = 0, 0
	}
}

// onProtectionExpired is a task's protection running out: ECS resets
// protectionEnabled to false and a scale-in or deployment held back by it
// goes on.
func (w *World) onProtectionExpired(now des.Time, t int32) {
	p := &w.prot
	if int(t) >= len(p.num) || p.num[t] == 0 || p.num[t] != w.tasks[t].num || p.until[t] > now {
		return
	}
	p.num[t] = 0
	tk := &w.tasks[t]
	if tk.state >= TaskStopping || tk.service < 0 {
		return
	}
	s := &w.services[tk.service]
	if !p.by[t] {
		w.serviceEvent(s, schema.TaskProtection, "EXPIRED", "task "+tk.idString()+": protectionEnabled reset to false")
	}
	w.reconcile(tk.service)
}

// protectedActive counts the service's protected tasks not yet stopping.
func (w *World) protectedActive(s *service) int {
	if !w.prot.used[s.idx] {
		return 0
	}
	n := 0
	for _, t := range s.active.ts {
		if t >= 0 && w.taskProtected(t) {
			n++
		}
	}
	return n
}

// spareProtected takes the service's protected tasks out of a scale-in of
// k tasks (marking them taken under the current victim stamp) and returns
// how many may go; a scale-in held back is said once per change.
func (w *World) spareProtected(s *service, k int) int {
	if !w.prot.used[s.idx] {
		return k
	}
	n := 0
	for _, t := range s.active.ts {
		if t >= 0 && w.taskProtected(t) {
			w.victimMarks[t] = w.victimStamp
			n++
		}
	}
	free := s.active.n - n
	held := max(k-free, 0)
	w.sayHeld(s, held, "scale-in")
	return min(k, free)
}

// holdsDeployment reports whether a task the rolling update would replace
// is protected: a task of an older deployment (not one on a draining
// instance: draining is not a scale-in event).
func (w *World) holdsDeployment(s *service, t int32) bool {
	return w.prot.used[s.idx] && w.tasks[t].deployment != s.primary() && w.taskProtected(t)
}

// sayHeld logs a TaskProtection event when the number of protected tasks
// holding the service back changes.
func (w *World) sayHeld(s *service, held int, what string) {
	if held == w.prot.held[s.idx] {
		return
	}
	w.prot.held[s.idx] = held
	if held > 0 {
		w.serviceEvent(s, schema.TaskProtection, "HELD", fmt.Sprintf("(service %s) %d protected tasks keep the %s from reaching steady state", s.cfg.Name, held, what))
	}
}

// ProtectTasks is UpdateTaskProtection from the timeline.
func (w *World) ProtectTasks(e ProtectionUpdate) {
	si := int32(e.Service)
	s := &w.services[si]
	var running, protected []int32 // oldest first
	for _, t := range s.active.ts {
		if t < 0 || w.tasks[t].state != TaskRunning {
			continue
		}
		if w.taskProtected(t) {
			protected = append(protected, t)
		} else {
			running = append(running, t)
		}
	}
	n := e.Count
	if e.Fraction > 0 {
		n = int(math.Ceil(e.Fraction * float64(len(running)+len(protected))))
	}
	if !e.Enabled {
		if n == 0 {
			n = len(protected)
		}
		n = min(n, len(protected))
		for _, t := range protected[:n] {
			w.unprotect(t)
		}
		w.serviceEvent(s, schema.TaskProtection, "DISABLED", fmt.Sprintf("%d tasks (timeline: protect_tasks)", n))
		w.reconcile(si)
		return
	}
	n = min(n, len(running))
	allowed := max(min(n, s.desired-len(protected)), 0)
	for _, t := range running[:allowed] {
		w.protect(t, e.ExpiresIn, false)
	}
	w.serviceEvent(s, schema.TaskProtection, "ENABLED", fmt.Sprintf("%d tasks for %s (timeline: protect_tasks)", allowed, e.ExpiresIn))
	if allowed < n {
		w.serviceEvent(s, schema.TaskProtection, "DEPLOYMENT_BLOCKED",
			fmt.Sprintf("%d tasks refused: the service would have more protected tasks than its desired count %d", n-allowed, s.desired))
	}
}

// protectByRule applies the services' protection rules for the minute
// that ends now (after their load was measured).
func (w *World) protectByRule() {
	for _, si := range w.protRuled { // cfg.Protection.WhileProcessing, with a queue to process
		s := &w.services[si]
		r := s.cfg.Protection
		var running []int32
		for _, t := range s.active.ts {
			if t >= 0 && w.tasks[t].state == TaskRunning {
				running = append(running, t)
			}
		}
		share := 0.0
		if !math.IsNaN(s.lastCPU) {
			share = s.lastCPU / 100
		}
		// Busy tasks hold a message; never more protected than desired
		// (DEPLOYMENT_BLOCKED).
		busy := min(int(math.Ceil(share*float64(len(running))-1e-9)), len(running), max(s.desired, 0))
		keep := make([]bool, len(running))
		n := 0
		for i, t := range running { // the tasks already holding a message go on holding it
			if n < busy && w.taskProtected(t) {
				keep[i], n = true, n+1
			}
		}
		for i, t := range running { // then the oldest idle ones pick one up
			if n < busy && !keep[i] && !w.taskProtected(t) {
				keep[i], n = true, n+1
			}
		}
		for i, t := range running {
			switch {
			case keep[i]:
				w.protect(t, r.ExpiresIn, true) // set, or renewed: expiresInMinutes starts again
			case w.taskProtected(t):
				w.unprotect(t) // idle: protectionEnabled false
			}
		}
	}
}

// keptAbove is how many of a service's tasks may run beyond its rolling
// bounds, ECS's own doing (the invariant's allowance): protected tasks a
// scale-in or deployment may not stop, and a daemon's tasks on draining
// instances, which stop last.
func (w *World) keptAbove(s *service) int {
	n := w.protectedActive(s)
	if s.daemon {
		for _, t := range s.active.ts {
			if t >= 0 && w.instances[w.tasks[t].instance].status == InstanceDraining {
				n++
			}
		}
	}
	return n
}

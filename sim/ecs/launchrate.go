package ecs

import (
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// LaunchRates are the rates at which ECS and Fargate launch tasks, and the
// cap on tasks waiting in PROVISIONING. Nil in Settings: no limit (fleetsim
// before them); a scenario's [settings.launch_rates] table switches them on
// with AWS's defaults (DefaultLaunchRates). docs/semantics/ecs-launch-rates.md
// has the sources.
type LaunchRates struct {
	// FargateBurst and FargatePerSecond are the Fargate token bucket of
	// On-Demand tasks, one per account and Region. AWS (AWS Fargate
	// throttling quotas): "Fargate Resource rate quota for On Demand Amazon
	// ECS tasks and Amazon EKS pods", bucket maximum 100, refill 20 per
	// second.
	FargateBurst     int
	FargatePerSecond int
	// FargateSpotBurst and FargateSpotPerSecond: the same for Fargate Spot
	// tasks (a bucket of its own: 100, 20 per second).
	FargateSpotBurst     int
	FargateSpotPerSecond int
	// ServicePerMinute is how many tasks one service may launch in any
	// minute. AWS (Amazon ECS service quotas): "Rate of tasks launched by a
	// service on AWS Fargate" 500 and "... on an Amazon EC2 or External
	// instance" 500, "per service per minute". The window slides (choice:
	// the page says per minute, not which minute).
	ServicePerMinute int
	// ProvisioningPerCluster caps the tasks in PROVISIONING in the cluster.
	// AWS (Amazon ECS service quotas): "Tasks in the PROVISIONING state per
	// cluster" 500. A service at the cap waits (choice: AWS does not say
	// how the scheduler behaves there) and looks again ProvisioningRecheck
	// later.
	ProvisioningPerCluster int
	ProvisioningRecheck    time.Duration
}

// DefaultLaunchRates are AWS's default quotas.
func DefaultLaunchRates() LaunchRates {
	return LaunchRates{
		FargateBurst: 100, FargatePerSecond: 20,
		FargateSpotBurst: 100, FargateSpotPerSecond: 20,
		ServicePerMinute:       500,
		ProvisioningPerCluster: 500,
		ProvisioningRecheck:    15 * time.Second,
	}
}

// launchRates is the world's state for LaunchRates: the two Fargate
// buckets, each service's recent launches, and the task a token was just
// granted to.
type launchRates struct {
	on       bool
	buckets  [2]tokenBucket // FARGATE, FARGATE_SPOT (provFargate, provFargateSpot)
	recent   [][]des.Time   // per service: its last ServicePerMinute launch times, a ring
	next     []int          // per service: the ring's oldest entry
	retryAt  []des.Time     // per service: a reconcile is due then (0: none)
	granting int32          // the task whose token came due (onFargateToken); -1 none
	waited   int            // Fargate tasks that waited for a token
}

// tokenBucket is a token bucket of burst b refilled at r tokens a second,
// kept as the generic cell rate algorithm: tat is the theoretical arrival
// time of the next token, so a request at t goes at max(t, tat - tau), tau =
// (b - 1) x interval, and moves tat on by one interval. Requests reserve
// their token in order (first come, first served), so the k-th of a burst
// of n at once goes at max(0, k - b + 1) x interval: integer time, no drift.
type tokenBucket struct {
	interval, tau des.Time
	tat           des.Time
}

func newTokenBucket(burst, perSecond int) tokenBucket {
	iv := des.Time(time.Second) / des.Time(perSecond)
	return tokenBucket{interval: iv, tau: des.Time(burst-1) * iv}
}

// reserve takes the next token for a request made at now and returns when
// the request may go.
func (b *tokenBucket) reserve(now des.Time) des.Time {
	at := max(now, b.tat-b.tau)
	b.tat = max(b.tat, at) + b.interval
	return at
}

func (w *World) initLaunchRates() {
	w.rates.granting = -1
	lr := w.cfg.Settings.LaunchRates
	if lr == nil {
		return
	}
	w.rates.on = true
	w.rates.buckets = [2]tokenBucket{newTokenBucket(lr.FargateBurst, lr.FargatePerSecond),
		newTokenBucket(lr.FargateSpotBurst, lr.FargateSpotPerSecond)}
	n := len(w.cfg.Services)
	w.rates.recent, w.rates.next, w.rates.retryAt = make([][]des.Time, n), make([]int, n), make([]des.Time, n)
}

// fargateWaits is tryPlace's gate for a Fargate task: true when the task
// must wait for its launch token (it stays PROVISIONING, its timer set to
// the token's time), false when it may launch now.
func (w *World) fargateWaits(t int32) bool {
	if !w.rates.on {
		return false
	}
	if w.rates.granting == t {
		w.rates.granting = -1
		return false
	}
	tk := &w.tasks[t]
	b := &w.rates.buckets[min(tk.provider, provFargateSpot)]
	now := w.eng.Now()
	at := b.reserve(now)
	if at <= now {
		return false
	}
	w.rates.waited++
	tk.timer = w.eng.At(at, w.k.fargateToken, t)
	return true
}

// onFargateToken launches a Fargate task whose token came due.
func (w *World) onFargateToken(_ des.Time, t int32) {
	if w.tasks[t].state != TaskProvisioning {
		return // stopped while it waited: its timer is cancelled, defence only
	}
	w.rates.granting = t
	w.tryPlace(t)
	w.rates.granting = -1
}

// launchRateAllows is launchAllowed's part for the launch rates: the
// service has launched fewer than ServicePerMinute tasks in the last
// minute, and the cluster has fewer than ProvisioningPerCluster tasks in
// PROVISIONING. When it says no, a reconcile is scheduled for when the
// window frees (or ProvisioningRecheck later).
func (w *World) launchRateAllows(si int32) bool {
	if !w.rates.on {
		return true
	}
	lr := w.cfg.Settings.LaunchRates
	now := w.eng.Now()
	var wake des.Time
	if ring := w.rates.recent[si]; len(ring) >= lr.ServicePerMinute {
		if free := ring[w.rates.next[si]] + des.At(time.Minute); free > now {
			wake = free
		}
	}
	if wake == 0 && w.provisioning() >= lr.ProvisioningPerCluster {
		wake = now + des.At(lr.ProvisioningRecheck)
	}
	if wake == 0 {
		return true
	}
	if r := w.rates.retryAt[si]; r <= now || r > wake {
		w.rates.retryAt[si] = wake
		w.eng.At(wake, w.k.serviceRetry, si)
	}
	return false
}

// noteLaunch records a service's launch in its window.
func (w *World) noteLaunch(si int32) {
	if !w.rates.on {
		return
	}
	ring := w.rates.recent[si]
	if len(ring) < w.cfg.Settings.LaunchRates.ServicePerMinute {
		w.rates.recent[si] = append(ring, w.eng.Now())
		return
	}
	k := w.rates.next[si]
	ring[k] = w.eng.Now()
	w.rates.next[si] = (k + 1) % len(ring)
}

// provisioning counts the cluster's tasks in PROVISIONING.
func (w *World) provisioning() int { return w.rec.total[TaskProvisioning] }

// FargateTokenWaits is how many Fargate tasks waited for a launch token.
func (w *World) FargateTokenWaits() int { return w.rates.waited }

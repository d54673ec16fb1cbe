package autoscale

import (
	"errors"
	"fmt"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Change records one change of desired capacity and its cause, naming the
// policy, alarm and step or the scheduled action.
type Change struct {
	At       des.Time
	Old, New int
	Cause    string
}

// Step is the outcome of one evaluation: the change applied, if any, and the
// alarm state changes seen, in policy order.
type Step struct {
	Change       Change
	Changed      bool
	AlarmChanges []StateChange
}

// ErrTarget reports an invalid scalable target or scheduled capacity.
var ErrTarget = errors.New("autoscale: invalid scalable target")

// ScalableTarget is an ecs:service:DesiredCount scalable target: min and max
// capacity, the desired count, and the policies attached in order.
//
// AWS (Application Auto Scaling User Guide, "Application Auto Scaling
// concepts"): policies never go outside min..max, and a desired count found
// outside the range is brought back into it.
type ScalableTarget struct {
	min, max, desired int
	policies          []Policy
	scaleInSuspended  bool // DynamicScalingInSuspended (suspend.go)
}

// NewScalableTarget returns a target with desired clamped into min..max.
func NewScalableTarget(minCap, maxCap, desired int) (*ScalableTarget, error) {
	if minCap < 0 || maxCap < minCap {
		return nil, fmt.Errorf("%w: need 0 <= MinCapacity %d <= MaxCapacity %d", ErrTarget, minCap, maxCap)
	}
	return &ScalableTarget{min: minCap, max: maxCap, desired: clamp(desired, minCap, maxCap)}, nil
}

// Attach adds a policy; policies are evaluated in attachment order, which
// breaks ties between equal requests (the first wins).
func (t *ScalableTarget) Attach(p Policy) { t.policies = append(t.policies, p) }

// Desired returns the desired count.
func (t *ScalableTarget) Desired() int { return t.desired }

// Range returns min and max capacity.
func (t *ScalableTarget) Range() (minCap, maxCap int) { return t.min, t.max }

type request struct {
	d      Decision
	policy int
	gated  bool // a scale-in by an enabled target tracking policy
}

// Evaluate asks every policy for a decision and applies the combined one.
//
// AWS (Application Auto Scaling API Reference, PutScalingPolicy): the policy
// that provides the largest capacity wins, for scale-out and scale-in alike;
// "if the step scaling policy initiates a scale-in activity before the target
// tracking policy is ready to scale in, the scale-in activity will not be
// blocked". AWS (User Guide, target tracking, "Multiple scaling policies"):
// a target tracking scale-in happens only if every target tracking policy
// with scale-in enabled is ready to scale in. So: scale out if any policy
// asks; a target tracking scale-in only when every enabled target tracking
// policy asks for one; a step scaling (or any other policy's) scale-in is
// never held back by target tracking; among the requests left, the largest
// capacity wins.
func (t *ScalableTarget) Evaluate(now des.Time, m Metrics) Step {
	var st Step
	var reqs []request
	ttReady := true
	for i, p := range t.policies {
		d, ok := p.Evaluate(now, Input{Datapoints: m.Datapoints(p.Metric(), now), Current: t.desired, Min: t.min, Max: t.max})
		if l, isLogger := p.(alarmLogger); isLogger {
			st.AlarmChanges = l.takeAlarmChanges(st.AlarmChanges)
		}
		asksIn := ok && d.Desired < t.desired
		tt, isTT := p.(*TargetTracking)
		enabledTT := isTT && !tt.cfg.DisableScaleIn
		if enabledTT && !asksIn {
			ttReady = false
		}
		if !ok || d.Desired == t.desired {
			continue
		}
		reqs = append(reqs, request{d: d, policy: i, gated: enabledTT && asksIn})
	}
	floor := t.predictiveFloor()
	var best *request
	for i := range reqs {
		r := &reqs[i]
		if r.gated && !ttReady {
			continue
		}
		if best == nil || r.d.Desired > best.d.Desired {
			best = r
		}
	}
	if best == nil || (t.scaleInSuspended && best.d.Desired < t.desired) { // suspend.go
		return st
	}
	d := best.d
	if d.Desired < t.desired && floor > d.Desired { // predictive.go: a scale-in stops at the forecast capacity
		if floor >= t.desired {
			return st
		}
		d.Desired, d.Reason = floor, d.Reason+fmt.Sprintf(", held at the forecast capacity %d", floor)
	}
	st.Change, st.Changed = t.set(now, d.Desired, d.Reason)
	return st
}

// predictiveFloor raises the maximum capacity where a predictive policy's
// IncreaseMaxCapacity asks (AWS, EC2 Auto Scaling: the increased maximum
// "becomes the new normal maximum capacity"; choice: the same for ECS) and
// returns the largest capacity predictive policies put in force (-1: none).
func (t *ScalableTarget) predictiveFloor() int {
	floor := -1
	for _, p := range t.policies {
		if pp, ok := p.(*PredictiveScaling); ok {
			if c, raise, ok := pp.floor(); ok {
				t.max = max(t.max, raise)
				floor = max(floor, min(c, t.max))
			}
		}
	}
	return floor
}

// set applies a new desired count (clamped) and tells every policy.
func (t *ScalableTarget) set(now des.Time, desired int, cause string) (Change, bool) {
	desired = clamp(desired, t.min, t.max)
	if desired == t.desired {
		return Change{}, false
	}
	ch := Change{At: now, Old: t.desired, New: desired, Cause: cause}
	t.desired = desired
	for _, p := range t.policies {
		p.Observe(now, ch.Old, ch.New)
	}
	return ch, true
}

// ApplyScheduled runs a scheduled action: it sets min and/or max and clamps
// desired into the new range, ignoring cooldowns. A change it makes is not
// a scaling activity of any policy, so it starts no cooldown (choice).
//
// AWS (PutScheduledAction, ScalableTargetAction): below the new minimum the
// target scales out to it; above the new maximum it scales in to it.
func (t *ScalableTarget) ApplyScheduled(now des.Time, a *ScheduledAction) (Change, bool, error) {
	lo, hi := t.min, t.max
	minCap, maxCap := a.Capacity()
	if minCap != nil {
		lo = *minCap
	}
	if maxCap != nil {
		hi = *maxCap
	}
	if lo < 0 || hi < lo {
		return Change{}, false, fmt.Errorf("%w: scheduled action %q would set MinCapacity %d > MaxCapacity %d", ErrTarget, a.Name(), lo, hi)
	}
	t.min, t.max = lo, hi
	desired := clamp(t.desired, lo, hi)
	if desired == t.desired {
		return Change{}, false, nil
	}
	ch := Change{At: now, Old: t.desired, New: desired,
		Cause: fmt.Sprintf("scheduled action %q: min %d max %d", a.Name(), lo, hi)}
	t.desired = desired
	return ch, true, nil
}

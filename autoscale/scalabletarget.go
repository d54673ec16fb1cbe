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
}

// Evaluate asks every policy for a decision and applies the combined one.
//
// AWS (Application Auto Scaling User Guide, target tracking, "Multiple
// scaling policies"): the policy asking for the largest capacity wins, so the
// target scales out if any policy asks and scales in only if every target
// tracking policy (scale-in enabled) asks. Choice: step policies do not veto
// scale-in, so separate step scale-out and scale-in policies work.
func (t *ScalableTarget) Evaluate(now des.Time, m Metrics) Step {
	var st Step
	var best *request
	out, vetoed := false, false
	for i, p := range t.policies {
		d, ok := p.Evaluate(now, Input{Datapoints: m.Datapoints(p.Metric(), now), Current: t.desired, Min: t.min, Max: t.max})
		if l, isLogger := p.(alarmLogger); isLogger {
			st.AlarmChanges = l.takeAlarmChanges(st.AlarmChanges)
		}
		asksIn := ok && d.Desired < t.desired
		if tt, isTT := p.(*TargetTracking); isTT && !tt.cfg.DisableScaleIn && !asksIn {
			vetoed = true
		}
		if !ok || d.Desired == t.desired {
			continue
		}
		out = out || d.Desired > t.desired
		if best == nil || d.Desired > best.d.Desired {
			best = &request{d, i}
		}
	}
	if best == nil || !out && vetoed {
		return st
	}
	st.Change, st.Changed = t.set(now, best.d.Desired, best.d.Reason)
	return st
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

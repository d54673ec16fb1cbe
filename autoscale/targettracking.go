package autoscale

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Observed alarm shapes of target tracking (AWS's ECS workshop and re:Post;
// not in AWS's reference): the high alarm fires when the metric is above the
// target for 3 of 3 one-minute datapoints, the low alarm when it is below
// 0.9 x target for 15 of 15.
const (
	DefaultHighDatapoints = 3
	DefaultLowDatapoints  = 15
	DefaultLowFraction    = 0.9
)

// TargetTrackingConfig is a TargetTrackingScalingPolicyConfiguration plus the
// observed alarm shapes as settings. Zero values take the defaults.
type TargetTrackingConfig struct {
	Name        string
	Metric      MetricName
	TargetValue float64
	// Cooldowns: 0 means DefaultCooldown (300 s for ECS), NoCooldown means none.
	ScaleOutCooldown, ScaleInCooldown time.Duration
	DisableScaleIn                    bool
	HighDatapoints, LowDatapoints     int     // 0: 3 and 15 (observed)
	LowFraction                       float64 // 0: 0.9 (observed)
}

// ErrPolicyConfig reports an invalid policy configuration.
var ErrPolicyConfig = errors.New("autoscale: invalid policy")

// TargetTracking is a Policy that keeps a metric at a target value.
//
// AWS (Application Auto Scaling User Guide, "How target tracking scaling for
// Application Auto Scaling works"): it adds capacity in proportion to the
// metric, scales in only when the metric is well below target and not so far
// that the metric would rise back above it, and treats zero current capacity
// as one. Observed: new capacity = ceil(current x metric / target).
type TargetTracking struct {
	cfg       TargetTrackingConfig
	high, low *Alarm
	cd        cooldowns
	changes   []StateChange
}

var _ Policy = (*TargetTracking)(nil)

// NewTargetTracking fills defaults, validates c and creates its two alarms,
// named NAME-AlarmHigh and NAME-AlarmLow (treat missing data: missing).
func NewTargetTracking(c TargetTrackingConfig) (*TargetTracking, error) {
	if c.HighDatapoints == 0 {
		c.HighDatapoints = DefaultHighDatapoints
	}
	if c.LowDatapoints == 0 {
		c.LowDatapoints = DefaultLowDatapoints
	}
	if c.LowFraction == 0 {
		c.LowFraction = DefaultLowFraction
	}
	if !(c.TargetValue > 0) || math.IsInf(c.TargetValue, 0) || !(c.LowFraction > 0 && c.LowFraction <= 1) {
		return nil, fmt.Errorf("%w %q: TargetValue %g must be > 0 and LowFraction %g in (0, 1]",
			ErrPolicyConfig, c.Name, c.TargetValue, c.LowFraction)
	}
	high, err := NewAlarm(AlarmConfig{Name: c.Name + "-AlarmHigh", Comparison: GreaterThanThreshold,
		Threshold: c.TargetValue, EvaluationPeriods: c.HighDatapoints})
	if err != nil {
		return nil, fmt.Errorf("target tracking %q: %w", c.Name, err)
	}
	low, err := NewAlarm(AlarmConfig{Name: c.Name + "-AlarmLow", Comparison: LessThanThreshold,
		Threshold: c.TargetValue * c.LowFraction, EvaluationPeriods: c.LowDatapoints})
	if err != nil {
		return nil, fmt.Errorf("target tracking %q: %w", c.Name, err)
	}
	p := &TargetTracking{cfg: c, high: high, low: low}
	p.cd.out = cooldownOrDefault(c.ScaleOutCooldown)
	p.cd.in = cooldownOrDefault(c.ScaleInCooldown)
	return p, nil
}

// Name returns the policy name.
func (p *TargetTracking) Name() string { return p.cfg.Name }

// Metric returns the tracked metric.
func (p *TargetTracking) Metric() MetricName { return p.cfg.Metric }

// Alarms returns the high and low alarms.
func (p *TargetTracking) Alarms() (high, low *Alarm) { return p.high, p.low }

// Observe updates the cooldowns for a change the target applied.
func (p *TargetTracking) Observe(now des.Time, old, new int) { p.cd.observe(now, old, new) }

func (p *TargetTracking) takeAlarmChanges(dst []StateChange) []StateChange {
	dst = append(dst, p.changes...)
	p.changes = p.changes[:0]
	return dst
}

// Evaluate evaluates both alarms and, if one is in ALARM and its cooldown
// allows, asks for the capacity that brings the newest datapoint to target.
func (p *TargetTracking) Evaluate(now des.Time, in Input) (Decision, bool) {
	for _, a := range [...]*Alarm{p.high, p.low} {
		if ch, ok := a.Evaluate(now, in.Datapoints); ok {
			p.changes = append(p.changes, ch)
		}
	}
	v, ok := newest(in.Datapoints, max(p.high.cfg.EvaluationRange, p.low.cfg.EvaluationRange))
	if !ok {
		return Decision{}, false // AWS: no scaling on insufficient data
	}
	if p.high.State() == InAlarm {
		return p.scaleOut(now, in, v)
	}
	if p.low.State() == InAlarm && !p.cfg.DisableScaleIn && !p.cd.inIn(now) {
		return p.scaleIn(in, v)
	}
	return Decision{}, false
}

// scaleOut: during the scale-out cooldown the capacity it added counts as
// current, so only a larger scale-out goes through.
func (p *TargetTracking) scaleOut(now des.Time, in Input, v float64) (Decision, bool) {
	base := in.Current
	if p.cd.inOut(now) {
		base = p.cd.outBase
	}
	from := max(base, 1) // AWS: from zero, current capacity counts as one
	want := clamp(ceilCapacity(float64(from)*v/p.cfg.TargetValue), in.Min, in.Max)
	if want <= in.Current {
		return Decision{}, false
	}
	return Decision{Desired: want, Reason: p.reason(p.high, " > target ", -1, v, from, want)}, true
}

// scaleIn removes capacity only as far as keeps the metric at or below
// target: ceil(current x metric / target).
func (p *TargetTracking) scaleIn(in Input, v float64) (Decision, bool) {
	if in.Current <= 0 {
		return Decision{}, false
	}
	want := clamp(ceilCapacity(float64(in.Current)*v/p.cfg.TargetValue), in.Min, in.Max)
	if want >= in.Current {
		return Decision{}, false
	}
	return Decision{Desired: want, Reason: p.reason(p.low, " < ", p.cfg.LowFraction, v, in.Current, want)}, true
}

// reason words a decision as fmt's
//
//	"target tracking %q: %s in ALARM, %s %.4g > target %.4g: ceil(%d x %.4g / %.4g) = %d"
//
// (scale-out; scale-in has "< %.4g x target" with the low fraction, given
// as frac >= 0) would print it, built with strconv: a week's target
// tracking decides often enough for fmt's reflection to show
// (TestTargetTrackingReasonIsFmts holds it to fmt's bytes).
func (p *TargetTracking) reason(a *Alarm, cmp string, frac, v float64, from, want int) string {
	g := func(b []byte, x float64) []byte { return strconv.AppendFloat(b, x, 'g', 4, 64) }
	b := make([]byte, 0, 160)
	b = append(b, "target tracking "...)
	b = strconv.AppendQuote(b, p.cfg.Name)
	b = append(b, ": "...)
	b = append(b, a.Name()...)
	b = append(b, " in ALARM, "...)
	b = append(b, p.cfg.Metric...)
	b = append(b, ' ')
	b = g(b, v)
	b = append(b, cmp...)
	if frac >= 0 {
		b = g(b, frac)
		b = append(b, " x target "...)
	}
	b = g(b, p.cfg.TargetValue)
	b = append(b, ": ceil("...)
	b = strconv.AppendInt(b, int64(from), 10)
	b = append(b, " x "...)
	b = g(b, v)
	b = append(b, " / "...)
	b = g(b, p.cfg.TargetValue)
	b = append(b, ") = "...)
	b = strconv.AppendInt(b, int64(want), 10)
	return string(b)
}

// ceilCapacity rounds up, forgiving float noise of a few ulps (16.000000000000004 -> 16).
func ceilCapacity(x float64) int {
	if math.IsNaN(x) || x <= 0 {
		return 0
	}
	if x >= math.MaxInt32 {
		return math.MaxInt32
	}
	return int(math.Ceil(x - 1e-9))
}

// newest returns the most recent non-missing value among the last limit
// datapoints. Choice: target tracking uses the newest datapoint its alarms saw.
func newest(dps []Datapoint, limit int) (float64, bool) {
	for i := len(dps) - 1; i >= 0 && i >= len(dps)-limit; i-- {
		if !dps[i].Missing {
			return dps[i].Value, true
		}
	}
	return 0, false
}

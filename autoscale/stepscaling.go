package autoscale

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// AdjustmentType says how a StepAdjustment's ScalingAdjustment is read.
type AdjustmentType uint8

// AWS (StepScalingPolicyConfiguration, AdjustmentType).
const (
	ChangeInCapacity AdjustmentType = iota
	PercentChangeInCapacity
	ExactCapacity
)

var adjustmentNames = [...]string{"ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"}

// String returns the AWS spelling.
func (a AdjustmentType) String() string {
	if int(a) < len(adjustmentNames) {
		return adjustmentNames[a]
	}
	return "AdjustmentType(?)"
}

// StepAdjustment is one step: bounds are offsets from the alarm threshold; a
// nil Lower is minus infinity, a nil Upper plus infinity.
//
// AWS (Application Auto Scaling API, StepAdjustment): above the threshold the
// lower bound is inclusive and the upper exclusive; below it the lower bound
// is exclusive and the upper inclusive.
type StepAdjustment struct {
	Lower, Upper *float64
	Adjustment   int
}

// Bound returns a pointer to v, for StepAdjustment bounds.
func Bound(v float64) *float64 { return &v }

// StepScalingConfig is a StepScalingPolicyConfiguration with the alarm that
// invokes it (step scaling users create their own alarms).
type StepScalingConfig struct {
	Name                   string
	Metric                 MetricName
	Alarm                  AlarmConfig
	AdjustmentType         AdjustmentType
	Steps                  []StepAdjustment
	MinAdjustmentMagnitude int
	Cooldown               time.Duration // 0: DefaultCooldown; NoCooldown: none
	Aggregation            Statistic     // MetricAggregationType: Average (default), Minimum, Maximum
}

// ErrSteps reports step adjustments AWS would reject.
var ErrSteps = errors.New("autoscale: invalid step adjustments")

// ValidateSteps checks AWS's rules (StepAdjustment): ranges neither overlap
// nor leave gaps; at most one null lower and one null upper bound, never both
// in one step; a negative lower bound needs a step with a null lower bound and
// a positive upper bound one with a null upper bound. Every problem is reported.
func ValidateSteps(steps []StepAdjustment) error {
	if len(steps) == 0 {
		return fmt.Errorf("%w: at least one step is required", ErrSteps)
	}
	var errs []error
	var nilLo, nilHi, negLo, posHi int
	for i, s := range steps {
		switch {
		case s.Lower == nil && s.Upper == nil:
			errs = append(errs, fmt.Errorf("%w: step %d: lower and upper bound both null", ErrSteps, i))
		case s.Lower != nil && s.Upper != nil && !(*s.Upper > *s.Lower):
			errs = append(errs, fmt.Errorf("%w: step %d: upper bound %g must be greater than lower bound %g", ErrSteps, i, *s.Upper, *s.Lower))
		}
		nilLo += b2i(s.Lower == nil)
		nilHi += b2i(s.Upper == nil)
		negLo += b2i(s.Lower != nil && *s.Lower < 0)
		posHi += b2i(s.Upper != nil && *s.Upper > 0)
	}
	if nilLo > 1 || nilHi > 1 {
		errs = append(errs, fmt.Errorf("%w: %d null lower and %d null upper bounds, at most one each", ErrSteps, nilLo, nilHi))
	}
	if negLo > 0 && nilLo == 0 {
		errs = append(errs, fmt.Errorf("%w: a negative lower bound needs a step with a null lower bound", ErrSteps))
	}
	if posHi > 0 && nilHi == 0 {
		errs = append(errs, fmt.Errorf("%w: a positive upper bound needs a step with a null upper bound", ErrSteps))
	}
	return errors.Join(append(errs, contiguity(steps)...)...)
}

// contiguity sorts the steps by lower bound and reports gaps and overlaps.
func contiguity(steps []StepAdjustment) []error {
	idx := make([]int, len(steps))
	for i := range idx {
		idx[i] = i
	}
	lo := func(i int) float64 { return boundOr(steps[i].Lower, math.Inf(-1)) }
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(lo(a), lo(b)) })
	var errs []error
	for k := 1; k < len(idx); k++ {
		prevHi := boundOr(steps[idx[k-1]].Upper, math.Inf(1))
		curLo := lo(idx[k])
		switch {
		case prevHi < curLo:
			errs = append(errs, fmt.Errorf("%w: gap between step %d (upper %s) and step %d (lower %s)",
				ErrSteps, idx[k-1], fmtBound(prevHi), idx[k], fmtBound(curLo)))
		case prevHi > curLo:
			errs = append(errs, fmt.Errorf("%w: step %d (upper %s) overlaps step %d (lower %s)",
				ErrSteps, idx[k-1], fmtBound(prevHi), idx[k], fmtBound(curLo)))
		}
	}
	return errs
}

// PercentAdjustment is the change PercentChangeInCapacity makes to current.
//
// AWS (Application Auto Scaling User Guide, "Step scaling policies", scaling
// adjustment types): a result above 1 is rounded down (12.7 -> 12), between 0
// and 1 becomes 1, between -1 and 0 becomes -1, below -1 is rounded towards
// zero (-6.67 -> -6). MinAdjustmentMagnitude raises a smaller magnitude to it
// (+25% of 4 with magnitude 2 -> +2).
func PercentAdjustment(current, percent, minMagnitude int) int {
	p := current * percent // hundredths of a task, exact in integers
	var d int
	switch {
	case p > 0 && p < 100:
		d = 1
	case p < 0 && p > -100:
		d = -1
	default:
		d = p / 100 // Go truncates towards zero
	}
	if minMagnitude > 0 && d != 0 && abs(d) < minMagnitude {
		d = minMagnitude * sign(d)
	}
	return d
}

// StepScaling is a Policy that applies the step matching how far the
// aggregated metric is from its alarm's threshold, each minute the alarm is
// in ALARM, subject to the cooldown.
type StepScaling struct {
	cfg     StepScalingConfig
	alarm   *Alarm
	cd      cooldowns
	changes []StateChange
}

var _ Policy = (*StepScaling)(nil)

// NewStepScaling validates c and creates its alarm.
func NewStepScaling(c StepScalingConfig) (*StepScaling, error) {
	if c.Aggregation != Average && c.Aggregation != Minimum && c.Aggregation != Maximum {
		return nil, fmt.Errorf("%w %q: MetricAggregationType %s, want Average, Minimum or Maximum", ErrPolicyConfig, c.Name, c.Aggregation)
	}
	if c.AdjustmentType > ExactCapacity || c.MinAdjustmentMagnitude < 0 {
		return nil, fmt.Errorf("%w %q: bad adjustment type or MinAdjustmentMagnitude", ErrPolicyConfig, c.Name)
	}
	if err := ValidateSteps(c.Steps); err != nil {
		return nil, fmt.Errorf("step scaling %q: %w", c.Name, err)
	}
	a, err := NewAlarm(c.Alarm)
	if err != nil {
		return nil, fmt.Errorf("step scaling %q: %w", c.Name, err)
	}
	c.Steps = slices.Clone(c.Steps)
	p := &StepScaling{cfg: c, alarm: a}
	p.cd.out = cooldownOrDefault(c.Cooldown)
	p.cd.in = p.cd.out
	return p, nil
}

// Name returns the policy name.
func (p *StepScaling) Name() string { return p.cfg.Name }

// Metric returns the alarm's metric.
func (p *StepScaling) Metric() MetricName { return p.cfg.Metric }

// Alarm returns the policy's alarm.
func (p *StepScaling) Alarm() *Alarm { return p.alarm }

// Observe updates the cooldown for a change the target applied.
func (p *StepScaling) Observe(now des.Time, old, new int) { p.cd.observe(now, old, new) }

func (p *StepScaling) takeAlarmChanges(dst []StateChange) []StateChange {
	dst = append(dst, p.changes...)
	p.changes = p.changes[:0]
	return dst
}

// Evaluate evaluates the alarm and, while it is in ALARM, applies the
// matching step. Choice: the aggregation runs over the datapoints the alarm
// evaluated (the last EvaluationPeriods).
func (p *StepScaling) Evaluate(now des.Time, in Input) (Decision, bool) {
	if ch, ok := p.alarm.Evaluate(now, in.Datapoints); ok {
		p.changes = append(p.changes, ch)
	}
	if p.alarm.State() != InAlarm {
		return Decision{}, false
	}
	n := p.alarm.cfg.EvaluationPeriods
	v, ok := Aggregate(in.Datapoints[max(0, len(in.Datapoints)-n):], p.cfg.Aggregation)
	if !ok {
		return Decision{}, false
	}
	i, ok := p.matchStep(v - p.alarm.cfg.Threshold)
	if !ok {
		return Decision{}, false
	}
	return p.apply(now, in, v, i)
}

// matchStep finds the step containing diff = metric - threshold. At diff 0 the
// alarm's direction picks the side.
func (p *StepScaling) matchStep(diff float64) (int, bool) {
	above := diff > 0 || (diff == 0 && p.alarm.cfg.Comparison.upward())
	for i, s := range p.cfg.Steps {
		lo, hi := boundOr(s.Lower, math.Inf(-1)), boundOr(s.Upper, math.Inf(1))
		if above && diff >= lo && diff < hi || !above && diff > lo && diff <= hi {
			return i, true
		}
	}
	return 0, false
}

// apply turns step i into a decision. During the scale-out cooldown the
// capacity it added counts as current: +2, then a +3 step -> +1 more.
func (p *StepScaling) apply(now des.Time, in Input, v float64, i int) (Decision, bool) {
	adj := p.cfg.Steps[i].Adjustment
	base := in.Current
	exact := p.cfg.AdjustmentType == ExactCapacity
	if p.cd.inOut(now) && !exact && adj > 0 {
		base = p.cd.outBase
	}
	var want int
	switch p.cfg.AdjustmentType {
	case ExactCapacity:
		want = adj
	case PercentChangeInCapacity:
		want = base + PercentAdjustment(base, adj, p.cfg.MinAdjustmentMagnitude)
	default:
		want = base + adj
	}
	want = clamp(want, in.Min, in.Max)
	out := !exact && adj > 0 || exact && want > in.Current
	if out && want <= in.Current || !out && (want >= in.Current || p.cd.inIn(now)) {
		return Decision{}, false
	}
	return Decision{Desired: want, Reason: fmt.Sprintf(
		"step scaling %q: %s in ALARM, %s %s %.4g is %+.4g from threshold %.4g, step %d %s %s %d: %d -> %d",
		p.cfg.Name, p.alarm.Name(), p.cfg.Aggregation, p.cfg.Metric, v, v-p.alarm.cfg.Threshold,
		p.alarm.cfg.Threshold, i, stepRange(p.cfg.Steps[i]), p.cfg.AdjustmentType, adj, base, want)}, true
}

func stepRange(s StepAdjustment) string {
	return "[" + fmtBound(boundOr(s.Lower, math.Inf(-1))) + ", " + fmtBound(boundOr(s.Upper, math.Inf(1))) + ")"
}

func fmtBound(v float64) string {
	switch {
	case math.IsInf(v, -1):
		return "-inf"
	case math.IsInf(v, 1):
		return "+inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func boundOr(b *float64, inf float64) float64 {
	if b == nil {
		return inf
	}
	return *b
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func sign(x int) int {
	if x < 0 {
		return -1
	}
	return 1
}

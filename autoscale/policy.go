package autoscale

import (
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Decision is what a policy asks of its scalable target: a new desired
// capacity and the reason, naming the policy, the alarm and the step.
type Decision struct {
	Desired int
	Reason  string
}

// Input is what a policy sees at one evaluation: its metric's visible
// datapoints (oldest first, one a minute) and the target's capacity.
type Input struct {
	Datapoints []Datapoint
	Current    int
	Min, Max   int
}

// Policy is a scaling policy attached to a ScalableTarget. Evaluate is called
// once a minute; Observe tells it of every change the target applied, so
// cooldowns track what actually happened.
type Policy interface {
	Name() string
	Metric() MetricName
	Evaluate(now des.Time, in Input) (Decision, bool)
	Observe(now des.Time, old, new int)
}

// alarmLogger is implemented by this package's policies: it appends the alarm
// state changes of the last evaluation to dst and forgets them.
type alarmLogger interface {
	takeAlarmChanges(dst []StateChange) []StateChange
}

// DefaultCooldown is the ECS default for every cooldown. AWS (Application Auto
// Scaling API, TargetTrackingScalingPolicyConfiguration ScaleInCooldown /
// ScaleOutCooldown, StepScalingPolicyConfiguration Cooldown): 300 s for ECS
// services.
const DefaultCooldown = 300 * time.Second

// NoCooldown asks for a zero cooldown; a zero Duration means "the default".
const NoCooldown time.Duration = -1

func cooldownOrDefault(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return DefaultCooldown
	case d < 0:
		return 0
	}
	return d
}

// cooldowns is the state both policy kinds keep.
//
// AWS (TargetTrackingScalingPolicyConfiguration, StepScalingPolicyConfiguration):
// after a scale-out, capacity it added counts as current for the next
// scale-out, which happens only if larger, until the cooldown ends; scale-in
// waits for its cooldown; a scale-out during a scale-in cooldown happens at
// once and ends it.
type cooldowns struct {
	out, in time.Duration
	outBase int      // capacity before the scale-out that started the cooldown
	outEnd  des.Time // scale-out cooldown active while now < outEnd
	inEnd   des.Time
}

func (c *cooldowns) inOut(now des.Time) bool { return now < c.outEnd }
func (c *cooldowns) inIn(now des.Time) bool  { return now < c.inEnd }

// observe updates the cooldowns for a change the target applied. Choice: a
// larger scale-out during the cooldown keeps the original base and restarts
// the cooldown.
func (c *cooldowns) observe(now des.Time, old, new int) {
	switch {
	case new > old:
		if !c.inOut(now) {
			c.outBase = old
		}
		c.outEnd = now + des.At(c.out)
		c.inEnd = now // a scale-out ends any scale-in cooldown
	case new < old:
		c.inEnd = now + des.At(c.in)
		c.outEnd = now // choice: a scale-in ends the scale-out cooldown
	}
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

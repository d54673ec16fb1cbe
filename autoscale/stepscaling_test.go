package autoscale

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPercentAdjustment(t *testing.T) {
	// AWS (Application Auto Scaling, step scaling, scaling adjustment types).
	tests := []struct {
		name                        string
		current, percent, magnitude int
		want                        int
	}{
		{"127% of 10 = 12.7 rounds down to 12", 10, 127, 0, 12},
		{"30% of 11 = 3.3 rounds down to 3", 11, 30, 0, 3},
		{"10% of 5 = 0.5 becomes 1", 5, 10, 0, 1},
		{"-10% of 5 = -0.5 becomes -1", 5, -10, 0, -1},
		{"-10% of 14 = -1.4 rounds towards zero to -1", 14, -10, 0, -1},
		{"-66.7% ... -6.67 rounds towards zero to -6", 10, -67, 0, -6},
		{"+25% of 4 with MinAdjustmentMagnitude 2 -> +2", 4, 25, 2, 2},
		{"-25% of 4 with MinAdjustmentMagnitude 2 -> -2", 4, -25, 2, -2},
		{"a magnitude below the result changes nothing", 20, 50, 2, 10},
		{"0% of anything is 0", 9, 0, 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, PercentAdjustment(tc.current, tc.percent, tc.magnitude))
		})
	}
}

func TestValidateSteps(t *testing.T) {
	tests := []struct {
		name    string
		steps   []StepAdjustment
		wantErr string
	}{
		{"AWS scale-out example is valid", []StepAdjustment{{Lower: Bound(0), Upper: Bound(10)}, {Lower: Bound(10), Upper: Bound(20)}, {Lower: Bound(20)}}, ""},
		{"AWS scale-in example is valid", []StepAdjustment{{Lower: Bound(-10), Upper: Bound(0)}, {Lower: Bound(-20), Upper: Bound(-10)}, {Upper: Bound(-20)}}, ""},
		{"no steps", nil, "at least one step"},
		{"both bounds null", []StepAdjustment{{}}, "both null"},
		{"gap between 10 and 15", []StepAdjustment{{Lower: Bound(0), Upper: Bound(10)}, {Lower: Bound(15)}}, "gap between step 0"},
		{"overlap of 5..10", []StepAdjustment{{Lower: Bound(0), Upper: Bound(10)}, {Lower: Bound(5)}}, "overlaps step 1"},
		{"two null upper bounds", []StepAdjustment{{Lower: Bound(0)}, {Lower: Bound(10)}}, "2 null upper"},
		{"positive upper bound without a null upper", []StepAdjustment{{Lower: Bound(0), Upper: Bound(10)}}, "null upper bound"},
		{"negative lower bound without a null lower", []StepAdjustment{{Lower: Bound(-10), Upper: Bound(0)}}, "null lower bound"},
		{"upper not above lower", []StepAdjustment{{Lower: Bound(5), Upper: Bound(5)}, {Lower: Bound(5)}}, "must be greater"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateSteps(tc.steps)
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrSteps)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

// awsExample is AWS's documented pair of step policies (EC2 Auto Scaling and
// Application Auto Scaling step scaling guides): capacity held between 40 and
// 60; +10% from 60, +30% from 70; -10% from 40, -30% from 30.
func awsExample(t *testing.T) (out, in *StepScaling) {
	t.Helper()
	var err error
	out, err = NewStepScaling(StepScalingConfig{Name: "out", Metric: ECSServiceAverageCPUUtilization,
		Alarm:          AlarmConfig{Name: "high", Comparison: GreaterThanOrEqualToThreshold, Threshold: 60, EvaluationPeriods: 1},
		AdjustmentType: PercentChangeInCapacity, Cooldown: NoCooldown,
		Steps: []StepAdjustment{{Lower: Bound(0), Upper: Bound(10), Adjustment: 10}, {Lower: Bound(10), Adjustment: 30}}})
	require.NoError(t, err)
	in, err = NewStepScaling(StepScalingConfig{Name: "in", Metric: ECSServiceAverageCPUUtilization,
		Alarm:          AlarmConfig{Name: "low", Comparison: LessThanOrEqualToThreshold, Threshold: 40, EvaluationPeriods: 1},
		AdjustmentType: PercentChangeInCapacity, Cooldown: NoCooldown,
		Steps: []StepAdjustment{{Lower: Bound(-10), Upper: Bound(0), Adjustment: -10}, {Upper: Bound(-10), Adjustment: -30}}})
	require.NoError(t, err)
	return out, in
}

func TestStepScalingAWSExample(t *testing.T) {
	out, in := awsExample(t)
	tgt, err := NewScalableTarget(1, 100, 10)
	require.NoError(t, err)
	tgt.Attach(out)
	tgt.Attach(in)
	st := NewStore(0)
	steps := []struct {
		name   string
		metric float64
		want   int
	}{
		{"metric 50 holds 10", 50, 10},
		{"metric 60: +10% of 10 = 1 -> 11", 60, 11},
		{"metric 70: +30% of 11 = 3.3 -> 3 -> 14", 70, 14},
		{"metric 40: -10% of 14 = -1.4 -> -1 -> 13", 40, 13},
		{"metric 30: -30% of 13 = -3.9 -> -3 -> 10", 30, 10},
	}
	for i, s := range steps {
		st.Record(ECSServiceAverageCPUUtilization, minute(i), s.metric)
		tgt.Evaluate(minute(i+1), st)
		assert.Equal(t, s.want, tgt.Desired(), s.name)
	}
}

func TestStepScalingBoundsInclusiveExclusive(t *testing.T) {
	// AWS (StepAdjustment): threshold 50; [0, 10) above, (-10, 0] below.
	tests := []struct {
		name   string
		cmp    Comparison
		metric float64
		want   int // step index, -1 none
	}{
		{"60 is in the next step above: upper bound exclusive", GreaterThanOrEqualToThreshold, 60, 1},
		{"59.9 is in [0, 10)", GreaterThanOrEqualToThreshold, 59.9, 0},
		{"50 above: lower bound inclusive", GreaterThanOrEqualToThreshold, 50, 0},
		{"50 below: upper bound inclusive", LessThanOrEqualToThreshold, 50, 2},
		{"40 below: lower bound exclusive, falls to the next step", LessThanOrEqualToThreshold, 40, 3},
	}
	steps := []StepAdjustment{{Lower: Bound(0), Upper: Bound(10), Adjustment: 1}, {Lower: Bound(10), Adjustment: 2},
		{Lower: Bound(-10), Upper: Bound(0), Adjustment: -1}, {Upper: Bound(-10), Adjustment: -2}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewStepScaling(StepScalingConfig{Name: "s", Steps: steps,
				Alarm: AlarmConfig{Name: "a", Comparison: tc.cmp, Threshold: 50, EvaluationPeriods: 1}})
			require.NoError(t, err)
			got, ok := p.matchStep(tc.metric - 50)
			if !ok {
				got = -1
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestStepScalingCooldown(t *testing.T) {
	// AWS (StepScalingPolicyConfiguration, Cooldown): +2, then a +3 step
	// during the cooldown adds only 1.
	p, err := NewStepScaling(StepScalingConfig{Name: "out",
		Alarm: AlarmConfig{Name: "high", Comparison: GreaterThanOrEqualToThreshold, Threshold: 60, EvaluationPeriods: 1},
		Steps: []StepAdjustment{{Lower: Bound(0), Upper: Bound(20), Adjustment: 2}, {Lower: Bound(20), Adjustment: 3}}})
	require.NoError(t, err)
	d, ok := p.Evaluate(minute(1), Input{Datapoints: dps(65), Current: 10, Max: 100})
	require.True(t, ok)
	require.Equal(t, 12, d.Desired)
	p.Observe(minute(1), 10, 12)
	_, ok = p.Evaluate(minute(2), Input{Datapoints: dps(65, 65), Current: 12, Max: 100})
	assert.False(t, ok, "the same +2 step during the cooldown adds nothing")
	d, ok = p.Evaluate(minute(3), Input{Datapoints: dps(65, 65, 85), Current: 12, Max: 100})
	require.True(t, ok)
	assert.Equal(t, 13, d.Desired, "+3 from the pre-cooldown 10 is 13: one more")
	p.Observe(minute(3), 12, 13)
	d, ok = p.Evaluate(minute(3)+timeOf(DefaultCooldown), Input{Datapoints: dps(repeat(85, 8)...), Current: 13, Max: 100})
	require.True(t, ok)
	assert.Equal(t, 16, d.Desired, "after the cooldown +3 applies to 13")
}

func TestStepScalingAggregationAndExact(t *testing.T) {
	steps := []StepAdjustment{{Lower: Bound(0), Upper: Bound(20), Adjustment: 5}, {Lower: Bound(20), Adjustment: 9}}
	tests := []struct {
		name string
		agg  Statistic
		typ  AdjustmentType
		want int
	}{
		{"Average of 70 70 100 is 80: second step, +9", Average, ChangeInCapacity, 19},
		{"Minimum is 70: first step, +5", Minimum, ChangeInCapacity, 15},
		{"Maximum is 100: second step as ExactCapacity 9... below current, a scale-in", Maximum, ExactCapacity, 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewStepScaling(StepScalingConfig{Name: "s", Steps: steps, Aggregation: tc.agg, AdjustmentType: tc.typ,
				Alarm: AlarmConfig{Name: "a", Comparison: GreaterThanOrEqualToThreshold, Threshold: 60, EvaluationPeriods: 3}})
			require.NoError(t, err)
			d, ok := p.Evaluate(minute(3), Input{Datapoints: dps(70, 70, 100), Current: 10, Max: 100})
			require.True(t, ok)
			assert.Equal(t, tc.want, d.Desired, d.Reason)
		})
	}
	t.Run("Sum is not a MetricAggregationType", func(t *testing.T) {
		_, err := NewStepScaling(StepScalingConfig{Name: "s", Steps: steps, Aggregation: Sum,
			Alarm: AlarmConfig{Name: "a", EvaluationPeriods: 1}})
		assert.ErrorIs(t, err, ErrPolicyConfig)
	})
}

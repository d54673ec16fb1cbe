package autoscale

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTT(t *testing.T, c TargetTrackingConfig) *TargetTracking {
	t.Helper()
	if c.Name == "" {
		c.Name = "cpu50"
	}
	if c.Metric == "" {
		c.Metric = ECSServiceAverageCPUUtilization
	}
	p, err := NewTargetTracking(c)
	require.NoError(t, err)
	return p
}

func TestTargetTrackingScaleOut(t *testing.T) {
	tests := []struct {
		name    string
		points  []float64
		current int
		want    int // 0: no decision
	}{
		// AWS workshop (observed): 3 of 3 above target; ceil(10 x 80 / 50) = 16.
		{"10 tasks at 80% vs 50% for three minutes -> 16", []float64{80, 80, 80}, 10, 16},
		{"two minutes above target are not enough", []float64{40, 80, 80}, 10, 0},
		{"exactly at target does not breach GreaterThanThreshold", []float64{50, 50, 50}, 10, 0},
		{"from zero current capacity counts as one: ceil(1 x 120 / 50) = 3", []float64{120, 120, 120}, 0, 3},
		{"all datapoints missing: insufficient data, no scaling", []float64{X, X, X, X, X}, 10, 0},
		// AWS Knowledge Center: an old breach with only missing data after it alarms.
		{"80 80 then three missing minutes still alarms (treat missing: missing)", []float64{80, 80, X, X, X}, 10, 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newTT(t, TargetTrackingConfig{TargetValue: 50})
			d, ok := p.Evaluate(minute(len(tc.points)), Input{Datapoints: dps(tc.points...), Current: tc.current, Max: 100})
			if tc.want == 0 {
				assert.False(t, ok, d.Reason)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tc.want, d.Desired, d.Reason)
		})
	}
}

func TestTargetTrackingScaleIn(t *testing.T) {
	low := repeat(20, 15)
	tests := []struct {
		name    string
		cfg     TargetTrackingConfig
		points  []float64
		current int
		want    int
	}{
		{"15 minutes below 0.9 x target: ceil(10 x 20 / 50) = 4", TargetTrackingConfig{TargetValue: 50}, low, 10, 4},
		{"14 minutes below are not enough", TargetTrackingConfig{TargetValue: 50}, append([]float64{50}, low[1:]...), 10, 0},
		{"46% is not below 0.9 x 50 = 45", TargetTrackingConfig{TargetValue: 50}, repeat(46, 15), 10, 0},
		{"never below min capacity", TargetTrackingConfig{TargetValue: 50}, low, 10, 6},
		{"DisableScaleIn never scales in", TargetTrackingConfig{TargetValue: 50, DisableScaleIn: true}, low, 10, 0},
		{"a 5-of-5 low alarm as a setting", TargetTrackingConfig{TargetValue: 50, LowDatapoints: 5}, repeat(20, 5), 10, 4},
		// 3 tasks at 40% vs 50: ceil(3 x 40/50) = ceil(2.4) = 3, removing one would give 60% > 50%.
		{"scale-in that would push the metric above target does not happen", TargetTrackingConfig{TargetValue: 50}, repeat(40, 15), 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newTT(t, tc.cfg)
			minCap := 0
			if tc.name == "never below min capacity" {
				minCap = 6
			}
			d, ok := p.Evaluate(minute(len(tc.points)), Input{Datapoints: dps(tc.points...), Current: tc.current, Min: minCap, Max: 100})
			if tc.want == 0 {
				assert.False(t, ok, d.Reason)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tc.want, d.Desired, d.Reason)
		})
	}
}

// TestTargetTrackingCooldowns pins AWS (TargetTrackingScalingPolicyConfiguration,
// ScaleOutCooldown / ScaleInCooldown, default 300 s for ECS).
func TestTargetTrackingCooldowns(t *testing.T) {
	t.Run("during scale-out cooldown only a larger scale-out happens, from the pre-scale-out capacity", func(t *testing.T) {
		p := newTT(t, TargetTrackingConfig{TargetValue: 50})
		in := Input{Datapoints: dps(80, 80, 80), Current: 10, Max: 100}
		d, ok := p.Evaluate(minute(3), in)
		require.True(t, ok)
		p.Observe(minute(3), 10, d.Desired) // 10 -> 16
		_, ok = p.Evaluate(minute(4), Input{Datapoints: dps(80, 80, 80, 80), Current: 16, Max: 100})
		assert.False(t, ok, "still 80%: ceil(10 x 80/50) = 16 is not larger")
		d, ok = p.Evaluate(minute(5), Input{Datapoints: dps(80, 80, 80, 80, 100), Current: 16, Max: 100})
		require.True(t, ok)
		assert.Equal(t, 20, d.Desired, "ceil(10 x 100/50) = 20, the added 6 count as current")
	})
	t.Run("after the cooldown the current capacity is the base again", func(t *testing.T) {
		p := newTT(t, TargetTrackingConfig{TargetValue: 50})
		p.Observe(minute(3), 10, 16)
		d, ok := p.Evaluate(minute(3)+timeOf(DefaultCooldown), Input{Datapoints: dps(repeat(80, 8)...), Current: 16, Max: 100})
		require.True(t, ok)
		assert.Equal(t, 26, d.Desired, "ceil(16 x 80/50) = 26")
	})
	t.Run("scale-in waits for the scale-in cooldown", func(t *testing.T) {
		p := newTT(t, TargetTrackingConfig{TargetValue: 50})
		p.Observe(minute(15), 20, 10)
		in := Input{Datapoints: dps(repeat(20, 16)...), Current: 10, Max: 100}
		_, ok := p.Evaluate(minute(16), in)
		assert.False(t, ok)
		d, ok := p.Evaluate(minute(15)+timeOf(300*time.Second), in)
		require.True(t, ok)
		assert.Equal(t, 4, d.Desired)
	})
	t.Run("a scale-out during the scale-in cooldown happens at once and ends it", func(t *testing.T) {
		p := newTT(t, TargetTrackingConfig{TargetValue: 50})
		p.Observe(minute(15), 20, 10)
		d, ok := p.Evaluate(minute(16), Input{Datapoints: dps(80, 80, 80), Current: 10, Max: 100})
		require.True(t, ok)
		assert.Equal(t, 16, d.Desired)
		p.Observe(minute(16), 10, 16)
		assert.False(t, p.cd.inIn(minute(17)), "the scale-in cooldown stopped")
	})
	t.Run("NoCooldown allows the next scale-out from the new capacity", func(t *testing.T) {
		p := newTT(t, TargetTrackingConfig{TargetValue: 50, ScaleOutCooldown: NoCooldown})
		p.Observe(minute(3), 10, 16)
		d, ok := p.Evaluate(minute(4), Input{Datapoints: dps(80, 80, 80, 80), Current: 16, Max: 100})
		require.True(t, ok)
		assert.Equal(t, 26, d.Desired)
	})
}

func TestTargetTrackingRejectsBadTarget(t *testing.T) {
	_, err := NewTargetTracking(TargetTrackingConfig{Name: "zero"})
	assert.ErrorIs(t, err, ErrPolicyConfig)
}

// A decision's reason is what fmt printed before it was built with
// strconv: names that need quoting, values small, large, negative, with
// many digits, infinite and not a number.
func TestTargetTrackingReasonIsFmts(t *testing.T) {
	vals := []float64{0, 1, 61.25, 0.00012345, 1234567, -3.5, 99.99999, 1e21, math.Inf(1), math.Inf(-1), math.NaN(), 5e-324}
	for _, name := range []string{"cpu50", `a "quoted" name`, "tab\there", "é ünïcode", ""} {
		p := newTT(t, TargetTrackingConfig{Name: name, TargetValue: 60, LowFraction: 0.9})
		for _, v := range vals {
			for _, frac := range []float64{-1, 0.9, 1} {
				want := fmt.Sprintf("target tracking %q: %s in ALARM, %s %.4g > target %.4g: ceil(%d x %.4g / %.4g) = %d",
					p.cfg.Name, p.high.Name(), p.cfg.Metric, v, p.cfg.TargetValue, 7, v, p.cfg.TargetValue, 12)
				cmp := " > target "
				if frac >= 0 {
					want = fmt.Sprintf("target tracking %q: %s in ALARM, %s %.4g < %.4g x target %.4g: ceil(%d x %.4g / %.4g) = %d",
						p.cfg.Name, p.low.Name(), p.cfg.Metric, v, frac, p.cfg.TargetValue, 7, v, p.cfg.TargetValue, 12)
					cmp = " < "
				}
				a := p.high
				if frac >= 0 {
					a = p.low
				}
				assert.Equal(t, want, p.reason(a, cmp, frac, v, 7, 12))
			}
		}
		p.cfg.TargetValue = 1.0 / 3
		assert.Equal(t, fmt.Sprintf("target tracking %q: %s in ALARM, %s %.4g > target %.4g: ceil(%d x %.4g / %.4g) = %d",
			p.cfg.Name, p.high.Name(), p.cfg.Metric, 2.0, p.cfg.TargetValue, -1, 2.0, p.cfg.TargetValue, 0), p.reason(p.high, " > target ", -1, 2, -1, 0))
	}
}

package autoscale

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedMetrics serves one datapoint list per metric name.
type fixedMetrics map[MetricName][]Datapoint

func (f fixedMetrics) Datapoints(name MetricName, _ desTime) []Datapoint { return f[name] }

// stepIn returns a step scaling policy on CPU that removes n tasks while the
// minute's CPU is at or below 40.
func stepIn(t *testing.T, n int) *StepScaling {
	t.Helper()
	p, err := NewStepScaling(StepScalingConfig{Name: "cpu-in", Metric: ECSServiceAverageCPUUtilization,
		Alarm: AlarmConfig{Name: "cpu-low", Comparison: LessThanOrEqualToThreshold, Threshold: 40, EvaluationPeriods: 1},
		Steps: []StepAdjustment{{Upper: Bound(0), Adjustment: -n}}})
	require.NoError(t, err)
	return p
}

// ttCPU and ttMem return target tracking policies at target 50 on CPU and
// memory; the memory one may have scale-in disabled.
func ttCPU(t *testing.T) Policy {
	t.Helper()
	return newTT(t, TargetTrackingConfig{Name: "cpu", Metric: ECSServiceAverageCPUUtilization, TargetValue: 50})
}

func ttMem(t *testing.T, disableScaleIn bool) Policy {
	t.Helper()
	return newTT(t, TargetTrackingConfig{Name: "mem", Metric: ECSServiceAverageMemoryUtilization, TargetValue: 50, DisableScaleIn: disableScaleIn})
}

// TestLargestCapacityWinsAndStepScaleInIsNotBlocked pins AWS (PutScalingPolicy;
// target tracking, "Multiple scaling policies"): the largest requested
// capacity wins; scale out if any policy asks; a target tracking scale-in
// only if every target tracking policy with scale-in enabled asks for one; a
// step scaling scale-in is not blocked by a target tracking policy that is
// not ready to scale in. Desired starts at 10 in 1..100.
func TestLargestCapacityWinsAndStepScaleInIsNotBlocked(t *testing.T) {
	tests := []struct {
		name     string
		policies func(t *testing.T) []Policy
		cpu, mem []float64
		want     int
	}{
		{"both target tracking ask out: the larger (cpu 16 vs mem 12) wins",
			func(t *testing.T) []Policy { return []Policy{ttCPU(t), ttMem(t, false)} }, repeat(80, 15), repeat(60, 15), 16},
		{"one target tracking asks out, one asks in: out wins",
			func(t *testing.T) []Policy { return []Policy{ttCPU(t), ttMem(t, false)} }, repeat(80, 15), repeat(20, 15), 16},
		{"both target tracking ask in: the larger (cpu 4 vs mem 2) wins",
			func(t *testing.T) []Policy { return []Policy{ttCPU(t), ttMem(t, false)} }, repeat(20, 15), repeat(10, 15), 4},
		{"only one target tracking asks in: no scale-in",
			func(t *testing.T) []Policy { return []Policy{ttCPU(t), ttMem(t, false)} }, repeat(20, 15), repeat(48, 15), 10},
		{"a DisableScaleIn target tracking does not block the other's scale-in",
			func(t *testing.T) []Policy { return []Policy{ttCPU(t), ttMem(t, true)} }, repeat(20, 15), repeat(48, 15), 4},
		{"a step scale-in 10 -> 8 is not blocked by a target tracking not ready to scale in",
			func(t *testing.T) []Policy { return []Policy{stepIn(t, 2), ttMem(t, false)} }, repeat(20, 15), repeat(48, 15), 8},
		{"a step scale-in attached after the target tracking is not blocked either",
			func(t *testing.T) []Policy { return []Policy{ttMem(t, false), stepIn(t, 2)} }, repeat(20, 15), repeat(48, 15), 8},
		{"a target tracking scale-out beats a step scale-in",
			func(t *testing.T) []Policy { return []Policy{stepIn(t, 2), ttMem(t, false)} }, repeat(20, 15), repeat(80, 15), 16},
		{"step and every target tracking ask in: the larger (step 8 vs cpu 4) wins",
			func(t *testing.T) []Policy { return []Policy{ttCPU(t), stepIn(t, 2)} }, repeat(20, 15), nil, 8},
		{"a target tracking not ready holds back the other's scale-in, not the step's (step 3, cpu 4 held)",
			func(t *testing.T) []Policy { return []Policy{ttCPU(t), ttMem(t, false), stepIn(t, 7)} }, repeat(20, 15), repeat(48, 15), 3},
		{"with every target tracking ready the larger of step 3 and cpu 4 wins",
			func(t *testing.T) []Policy { return []Policy{ttCPU(t), ttMem(t, false), stepIn(t, 7)} }, repeat(20, 15), repeat(20, 15), 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tgt, err := NewScalableTarget(1, 100, 10)
			require.NoError(t, err)
			for _, p := range tc.policies(t) {
				tgt.Attach(p)
			}
			m := fixedMetrics{ECSServiceAverageCPUUtilization: dps(tc.cpu...), ECSServiceAverageMemoryUtilization: dps(tc.mem...)}
			st := tgt.Evaluate(minute(15), m)
			assert.Equal(t, tc.want, tgt.Desired(), st.Change.Cause)
		})
	}
}

func TestTargetRecordsChangeAndAlarms(t *testing.T) {
	tgt, err := NewScalableTarget(1, 12, 10)
	require.NoError(t, err)
	tgt.Attach(newTT(t, TargetTrackingConfig{TargetValue: 50}))
	st := tgt.Evaluate(minute(3), fixedMetrics{ECSServiceAverageCPUUtilization: dps(80, 80, 80)})
	require.True(t, st.Changed)
	assert.Equal(t, Change{At: minute(3), Old: 10, New: 12,
		Cause: `target tracking "cpu50": cpu50-AlarmHigh in ALARM, ECSServiceAverageCPUUtilization 80 > target 50: ceil(10 x 80 / 50) = 12`},
		st.Change, "16 is clamped to max 12")
	require.Len(t, st.AlarmChanges, 2)
	assert.Equal(t, "cpu50-AlarmHigh", st.AlarmChanges[0].Alarm)
	assert.Equal(t, InAlarm, st.AlarmChanges[0].To)
	assert.Equal(t, OK, st.AlarmChanges[1].To, "low alarm: 3 real points of 15, 80 is not low")
}

func TestScheduledActionClamps(t *testing.T) {
	tests := []struct {
		name         string
		minCap, maxC *int
		want         int
		wantMin      int
		wantMax      int
	}{
		{"a new minimum above desired scales out to it", intp(15), nil, 15, 15, 20},
		{"a new maximum below desired scales in to it", nil, intp(5), 5, 1, 5},
		{"a range containing desired changes nothing", intp(2), intp(12), 10, 2, 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tgt, err := NewScalableTarget(1, 20, 10)
			require.NoError(t, err)
			a, err := NewScheduledAction(ScheduledActionConfig{Name: "s", Schedule: mustSchedule(t, "rate(1 hour)"), MinCapacity: tc.minCap, MaxCapacity: tc.maxC}, utc("2026-01-01T00:00:00Z"))
			require.NoError(t, err)
			_, _, err = tgt.ApplyScheduled(minute(60), a)
			require.NoError(t, err)
			assert.Equal(t, tc.want, tgt.Desired())
			lo, hi := tgt.Range()
			assert.Equal(t, [2]int{tc.wantMin, tc.wantMax}, [2]int{lo, hi})
		})
	}
	t.Run("a minimum above the current maximum is refused", func(t *testing.T) {
		tgt, err := NewScalableTarget(1, 20, 10)
		require.NoError(t, err)
		a, err := NewScheduledAction(ScheduledActionConfig{Name: "s", Schedule: mustSchedule(t, "rate(1 hour)"), MinCapacity: intp(30)}, utc("2026-01-01T00:00:00Z"))
		require.NoError(t, err)
		_, changed, err := tgt.ApplyScheduled(minute(60), a)
		assert.ErrorIs(t, err, ErrTarget)
		assert.False(t, changed)
	})
	t.Run("scheduled actions ignore cooldowns", func(t *testing.T) {
		tgt, err := NewScalableTarget(1, 20, 10)
		require.NoError(t, err)
		p := newTT(t, TargetTrackingConfig{TargetValue: 50})
		tgt.Attach(p)
		p.Observe(minute(0), 20, 10) // scale-in cooldown running
		a, err := NewScheduledAction(ScheduledActionConfig{Name: "night", Schedule: mustSchedule(t, "rate(1 hour)"), MaxCapacity: intp(3)}, utc("2026-01-01T00:00:00Z"))
		require.NoError(t, err)
		ch, changed, err := tgt.ApplyScheduled(minute(1), a)
		require.NoError(t, err)
		require.True(t, changed)
		assert.Equal(t, `scheduled action "night": min 1 max 3`, ch.Cause)
		assert.Equal(t, 3, tgt.Desired())
	})
}

func TestNewScalableTargetClampsDesired(t *testing.T) {
	tgt, err := NewScalableTarget(2, 8, 20)
	require.NoError(t, err)
	assert.Equal(t, 8, tgt.Desired())
	_, err = NewScalableTarget(5, 2, 3)
	assert.ErrorIs(t, err, ErrTarget)
}

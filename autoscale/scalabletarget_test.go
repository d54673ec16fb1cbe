package autoscale

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedMetrics serves one datapoint list per metric name.
type fixedMetrics map[MetricName][]Datapoint

func (f fixedMetrics) Datapoints(name MetricName, _ desTime) []Datapoint { return f[name] }

func twoPolicies(t *testing.T, cpuTarget, memTarget float64, disableMemScaleIn bool) *ScalableTarget {
	t.Helper()
	tgt, err := NewScalableTarget(1, 100, 10)
	require.NoError(t, err)
	tgt.Attach(newTT(t, TargetTrackingConfig{Name: "cpu", Metric: ECSServiceAverageCPUUtilization, TargetValue: cpuTarget}))
	tgt.Attach(newTT(t, TargetTrackingConfig{Name: "mem", Metric: ECSServiceAverageMemoryUtilization, TargetValue: memTarget, DisableScaleIn: disableMemScaleIn}))
	return tgt
}

// TestSeveralPolicies pins AWS (target tracking, "Multiple scaling
// policies"): the largest requested capacity wins; scale out if any asks,
// scale in only if all do.
func TestSeveralPolicies(t *testing.T) {
	tests := []struct {
		name      string
		cpu, mem  []float64
		disableIn bool
		want      int
	}{
		{"both ask out: the larger (cpu 16 vs mem 12) wins", repeat(80, 15), repeat(60, 15), false, 16},
		{"one asks out, one asks in: out wins", repeat(80, 15), repeat(20, 15), false, 16},
		{"both ask in: the larger (cpu 4 vs mem 2) wins", repeat(20, 15), repeat(10, 15), false, 4},
		{"only one asks in: no scale-in", repeat(20, 15), repeat(48, 15), false, 10},
		{"a DisableScaleIn policy does not block the other's scale-in", repeat(20, 15), repeat(48, 15), true, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tgt := twoPolicies(t, 50, 50, tc.disableIn)
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
			a, err := NewScheduledAction(ScheduledActionConfig{Name: "s", Schedule: "rate(1 hour)", MinCapacity: tc.minCap, MaxCapacity: tc.maxC}, utc("2026-01-01T00:00:00Z"))
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
		a, err := NewScheduledAction(ScheduledActionConfig{Name: "s", Schedule: "rate(1 hour)", MinCapacity: intp(30)}, utc("2026-01-01T00:00:00Z"))
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
		a, err := NewScheduledAction(ScheduledActionConfig{Name: "night", Schedule: "rate(1 hour)", MaxCapacity: intp(3)}, utc("2026-01-01T00:00:00Z"))
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

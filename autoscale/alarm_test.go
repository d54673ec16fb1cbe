package autoscale

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAlarmMissingDataTable pins AWS's table (CloudWatch User Guide, "How
// alarm state is evaluated when data is missing"): 3 of 3, evaluation range 5,
// oldest first, 0 = not breaching, B = breaching, X = missing.
func TestAlarmMissingDataTable(t *testing.T) {
	const B, G = 100.0, 0.0 // threshold 50, GreaterThanThreshold
	rows := []struct {
		name   string
		points []float64
		want   [4]State // missing, notBreaching, breaching, ignore; start state OK
	}{
		{"0 - B - B: three real points decide, 2 of 3 is OK", []float64{G, X, B, X, B}, [4]State{OK, OK, OK, OK}},
		{"0 - - - -: one good point keeps every treatment OK", []float64{G, X, X, X, X}, [4]State{OK, OK, OK, OK}},
		{"all missing", []float64{X, X, X, X, X}, [4]State{InsufficientData, OK, InAlarm, OK}},
		{"0 B B - B: the newest three real points breach", []float64{G, B, B, X, B}, [4]State{InAlarm, InAlarm, InAlarm, InAlarm}},
		{"- - B - -: one old breach alarms unless missing is good", []float64{X, X, B, X, X}, [4]State{InAlarm, OK, InAlarm, OK}},
	}
	treatments := [4]MissingData{TreatMissing, TreatNotBreaching, TreatBreaching, TreatIgnore}
	for _, row := range rows {
		for k, tm := range treatments {
			t.Run(row.name+" treated as "+tm.String(), func(t *testing.T) {
				a, err := NewAlarm(AlarmConfig{Name: "a", Comparison: GreaterThanThreshold, Threshold: 50,
					EvaluationPeriods: 3, TreatMissing: tm})
				require.NoError(t, err)
				a.state = OK // "retain current state" reads as OK
				a.Evaluate(minute(5), dps(row.points...))
				assert.Equal(t, row.want[k], a.State())
			})
		}
	}
}

func TestAlarmMOutOfN(t *testing.T) {
	tests := []struct {
		name   string
		points []float64
		want   State
	}{
		{"2 of 3 breaching alarms", []float64{60, 40, 70}, InAlarm},
		{"1 of 3 breaching is OK", []float64{60, 40, 40}, OK},
		{"older breaches outside the last 3 real points do not count", []float64{90, 90, 40, 40, 60}, OK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewAlarm(AlarmConfig{Name: "m-of-n", Comparison: GreaterThanOrEqualToThreshold,
				Threshold: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2})
			require.NoError(t, err)
			a.Evaluate(minute(len(tc.points)), dps(tc.points...))
			assert.Equal(t, tc.want, a.State())
		})
	}
}

func TestAlarmComparisons(t *testing.T) {
	tests := []struct {
		name string
		c    Comparison
		v    float64
		want bool
	}{
		{">= breaches at the threshold", GreaterThanOrEqualToThreshold, 50, true},
		{"> does not breach at the threshold", GreaterThanThreshold, 50, false},
		{"< does not breach at the threshold", LessThanThreshold, 50, false},
		{"<= breaches at the threshold", LessThanOrEqualToThreshold, 50, true},
		{"< breaches below", LessThanThreshold, 49.9, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.c.Breaches(tc.v, 50))
		})
	}
}

func TestAlarmStateChangeRecord(t *testing.T) {
	a, err := NewAlarm(AlarmConfig{Name: "high", Comparison: GreaterThanThreshold, Threshold: 50, EvaluationPeriods: 3})
	require.NoError(t, err)
	assert.Equal(t, InsufficientData, a.State(), "a new alarm starts in INSUFFICIENT_DATA")
	ch, ok := a.Evaluate(minute(3), dps(80, 80, 80))
	require.True(t, ok)
	assert.Equal(t, StateChange{At: minute(3), Alarm: "high", From: InsufficientData, To: InAlarm,
		Reason: "3 of the last 3 datapoints breach GreaterThanThreshold 50 (need 3)"}, ch)
	_, ok = a.Evaluate(minute(4), dps(80, 80, 80, 80))
	assert.False(t, ok, "no record while the state holds")
}

func TestAlarmConfigRejected(t *testing.T) {
	tests := []struct {
		name string
		c    AlarmConfig
	}{
		{"no evaluation periods", AlarmConfig{Name: "a"}},
		{"more datapoints than periods", AlarmConfig{Name: "a", EvaluationPeriods: 2, DatapointsToAlarm: 3}},
		{"range shorter than periods", AlarmConfig{Name: "a", EvaluationPeriods: 3, EvaluationRange: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewAlarm(tc.c)
			assert.ErrorIs(t, err, ErrAlarmConfig)
		})
	}
}

// The reason is built without fmt and reads as fmt would print it, for
// thresholds of every shape %g has.
func TestAlarmReasonReadsAsFmtWouldPrintIt(t *testing.T) {
	for _, th := range []float64{70, 0.5, -3.25, 1e21, 1.5e-7, 0, math.Inf(1), math.NaN(), 123456789.125} {
		for _, tm := range []MissingData{TreatMissing, TreatNotBreaching, TreatBreaching, TreatIgnore} {
			a := &Alarm{cfg: AlarmConfig{Comparison: LessThanThreshold, Threshold: th, EvaluationPeriods: 15, DatapointsToAlarm: 12, TreatMissing: tm}}
			full := tally{real: 15, breaching: 13}
			assert.Equal(t, fmt.Sprintf("%d of the last %d datapoints breach %s %g (need %d)", 13, 15, LessThanThreshold, th, 12), a.reason(full))
			part := tally{real: 4, breaching: 2, fills: 11}
			assert.Equal(t, fmt.Sprintf("%d real datapoints of %d (%d breaching), %d missing treated as %s", 4, 15, 2, 11, tm), a.reason(part))
		}
	}
}

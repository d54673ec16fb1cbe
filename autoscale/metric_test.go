package autoscale

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMinuteStatsStatistics(t *testing.T) {
	var m MinuteStats
	for _, v := range []float64{40, 80, 60} {
		m.Add(v)
	}
	tests := []struct {
		name string
		stat Statistic
		want float64
	}{
		{"average of 40 80 60 is 60", Average, 60},
		{"minimum is 40", Minimum, 40},
		{"maximum is 80", Maximum, 80},
		{"sum is 180", Sum, 180},
		{"sample count is 3", SampleCount, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := m.Value(tc.stat)
			require.True(t, ok)
			assert.Equal(t, tc.want, got)
		})
	}
	t.Run("an empty minute is missing", func(t *testing.T) {
		var empty MinuteStats
		_, ok := empty.Value(Average)
		assert.False(t, ok)
	})
}

func TestUtilizationPercent(t *testing.T) {
	// AWS (ECS, service utilization metrics): used x 100 / (task CPU x tasks).
	got, ok := UtilizationPercent(8*204.8, 8*256)
	require.True(t, ok)
	assert.InDelta(t, 80.0, got, 1e-9)
	_, ok = UtilizationPercent(0, 0)
	assert.False(t, ok, "no running tasks: ECS publishes nothing")
}

func TestSeriesWindow(t *testing.T) {
	tests := []struct {
		name  string
		delay time.Duration
		now   time.Duration
		want  []Datapoint
	}{
		{"before the first minute ends nothing is visible", 0, 59 * time.Second, nil},
		{"minutes 0 and 1 visible at 2m, gap reads missing", 0, 2 * time.Minute,
			[]Datapoint{{Minute: minute(0), Value: 10}, {Minute: minute(1), Missing: true}}},
		{"a 90 s delay hides minute 1 until 3m30s", 90 * time.Second, 3*time.Minute + 29*time.Second,
			[]Datapoint{{Minute: minute(0), Value: 10}}},
		{"at 3m30s the delay has passed for minute 1", 90 * time.Second, 3*time.Minute + 30*time.Second,
			[]Datapoint{{Minute: minute(0), Value: 10}, {Minute: minute(1), Missing: true}}},
		{"minute 2 shows at 4m30s", 90 * time.Second, 4*time.Minute + 30*time.Second,
			[]Datapoint{{Minute: minute(0), Value: 10}, {Minute: minute(1), Missing: true}, {Minute: minute(2), Value: 30}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSeries(tc.delay)
			s.Record(minute(0)+1, 10)
			s.Record(minute(2), 30)
			assert.Equal(t, tc.want, s.Window(minute(0)+timeOf(tc.now)))
		})
	}
}

func TestStoreKeepsMetricsApart(t *testing.T) {
	st := NewStore(DefaultPublicationDelay)
	st.Record(ECSServiceAverageCPUUtilization, minute(0), 70)
	st.Record(ECSServiceAverageMemoryUtilization, minute(0), 20)
	assert.Equal(t, 70.0, st.Datapoints(ECSServiceAverageCPUUtilization, minute(1))[0].Value)
	assert.Equal(t, 20.0, st.Datapoints(ECSServiceAverageMemoryUtilization, minute(1))[0].Value)
	assert.True(t, st.Datapoints("custom", minute(1))[0].Missing)
}

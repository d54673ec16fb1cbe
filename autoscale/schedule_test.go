package autoscale

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRateAndAt(t *testing.T) {
	created := utc("2026-01-01T00:00:00Z")
	tests := []struct {
		name, expr  string
		start       time.Time
		after, want string
		ok          bool
	}{
		{"rate(5 minutes) counts from creation", "rate(5 minutes)", time.Time{}, "2026-01-01T00:07:00Z", "2026-01-01T00:10:00Z", true},
		{"rate(1 hour) from a start time fires at the start first", "rate(1 hour)", utc("2026-01-02T08:00:00Z"), "2026-01-01T00:00:00Z", "2026-01-02T08:00:00Z", true},
		{"rate(2 days) from the start", "rate(2 days)", utc("2026-01-02T08:00:00Z"), "2026-01-02T08:00:00Z", "2026-01-04T08:00:00Z", true},
		{"at fires once", "at(2026-06-01T09:00:00)", time.Time{}, "2026-01-01T00:00:00Z", "2026-06-01T09:00:00Z", true},
		{"at is over once passed", "at(2026-06-01T09:00:00)", time.Time{}, "2026-06-01T09:00:00Z", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewScheduledAction(ScheduledActionConfig{Name: "a", Schedule: mustSchedule(t, tc.expr), Start: tc.start, MinCapacity: intp(1)}, created)
			require.NoError(t, err)
			got, ok := a.Next(utc(tc.after))
			require.Equal(t, tc.ok, ok)
			if ok {
				assert.Equal(t, utc(tc.want), got)
			}
		})
	}
}

func TestScheduledActionWindow(t *testing.T) {
	cron, err := ParseSchedule("cron(0 8 ? * MON-FRI *)", nyc(t))
	require.NoError(t, err)
	a, err := NewScheduledAction(ScheduledActionConfig{Name: "weekday-morning", Schedule: cron,
		Start: utc("2026-03-02T00:00:00Z"), End: utc("2026-03-04T23:00:00Z"), MinCapacity: intp(10)},
		utc("2026-01-01T00:00:00Z"))
	require.NoError(t, err)
	var got []time.Time
	after := utc("2026-03-01T00:00:00Z")
	for {
		next, ok := a.Next(after)
		if !ok {
			break
		}
		got = append(got, next.UTC())
		after = next
	}
	// AWS: with a start time the action runs at it, then per the recurrence; none after the end.
	want := []time.Time{utc("2026-03-02T00:00:00Z"), utc("2026-03-02T13:00:00Z"), utc("2026-03-03T13:00:00Z"), utc("2026-03-04T13:00:00Z")}
	assert.Equal(t, want, got)
}

func TestScheduledActionRejected(t *testing.T) {
	tests := []struct {
		name string
		c    ScheduledActionConfig
	}{
		{"neither min nor max", ScheduledActionConfig{Name: "a", Schedule: mustSchedule(t, "rate(1 hour)")}},
		{"min above max", ScheduledActionConfig{Name: "a", Schedule: mustSchedule(t, "rate(1 hour)"), MinCapacity: intp(5), MaxCapacity: intp(2)}},
		{"no schedule", ScheduledActionConfig{Name: "a", MinCapacity: intp(1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewScheduledAction(tc.c, time.Time{})
			assert.Error(t, err)
		})
	}
}

// mustSchedule parses a schedule expression in UTC, or fails the test.
func mustSchedule(t *testing.T, expr string) Schedule {
	t.Helper()
	s, err := ParseSchedule(expr, nil)
	if err != nil {
		t.Fatalf("schedule %q: %v", expr, err)
	}
	return s
}

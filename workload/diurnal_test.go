package workload

import (
	"math"
	"testing"
	"time"
	_ "time/tzdata" // zones on machines without a tz database

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiurnal(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	d := Diurnal{Base: 10, Peak: 100, PeakHour: 14, WeekendFactor: 0.5, Location: ny,
		Holidays: []Date{{2026, time.December, 25}}}
	oneHourOff := 10 + 90*(1+math.Cos(2*math.Pi/24))/2
	tests := []struct {
		name string
		at   time.Time
		want float64
	}{
		{"peak at 14:00 EST in winter (19:00 UTC)", time.Date(2026, 1, 14, 19, 0, 0, 0, time.UTC), 100},
		{"peak at 14:00 EDT in summer (18:00 UTC)", time.Date(2026, 7, 15, 18, 0, 0, 0, time.UTC), 100},
		{"one hour after the summer peak is one hour off the cosine", time.Date(2026, 7, 15, 19, 0, 0, 0, time.UTC), oneHourOff},
		{"trough twelve hours from the peak", time.Date(2026, 1, 14, 2, 0, 0, 0, ny), 10},
		{"the DST change day still peaks at 14:00 local", time.Date(2026, 3, 9, 14, 0, 0, 0, ny), 100},
		{"a Saturday peak is halved", time.Date(2026, 1, 17, 14, 0, 0, 0, ny), 50},
		{"a Sunday trough is halved", time.Date(2026, 1, 18, 2, 0, 0, 0, ny), 5},
		{"02:00 on the spring-forward Sunday does not exist: it is 03:00 EDT", time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC),
			0.5 * (10 + 90*(1+math.Cos(2*math.Pi*11/24))/2)},
		{"a holiday on a Friday is halved", time.Date(2026, 12, 25, 14, 0, 0, 0, ny), 50},
		{"the weekday is read in local time: Fri 23:00 EST is Sat 04:00 UTC", time.Date(2026, 1, 17, 4, 0, 0, 0, time.UTC),
			10 + 90*(1+math.Cos(2*math.Pi*9/24))/2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, d.Rate(tc.at), 1e-9)
		})
	}
}

func TestNewDiurnalHasNoWeeklyCycle(t *testing.T) {
	d := NewDiurnal(1, 3, 12.5)
	sat := time.Date(2026, 1, 17, 12, 30, 0, 0, time.UTC)
	assert.InDelta(t, 3.0, d.Rate(sat), 1e-9, "a Saturday noon-thirty peak in UTC")
	assert.InDelta(t, 1.0, d.Rate(sat.Add(12*time.Hour)), 1e-9, "trough twelve hours later")
}

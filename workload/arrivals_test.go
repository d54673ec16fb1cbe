package workload

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
)

func drain(a Arrivals) []des.Time {
	var ts []des.Time
	for t, ok := a.Next(); ok; t, ok = a.Next() {
		ts = append(ts, t)
	}
	return ts
}

func TestPoissonMoments(t *testing.T) {
	// 60 an hour over 10,000 hours: 600,000 expected, σ = 775; tolerance
	// 0.5% (about 4σ). Gaps are exponential: mean 60 s, std 60 s within 1%.
	r := rand.New(rand.NewPCG(1, 1))
	ts := drain(NewPoisson(60, 0, des.At(10_000*time.Hour), r))
	assert.InEpsilon(t, 600_000, len(ts), 5e-3)
	gaps := make([]float64, len(ts)-1)
	for i := range gaps {
		gaps[i] = (ts[i+1] - ts[i]).Duration().Seconds()
	}
	mean, std := stat.MeanStdDev(gaps, nil)
	assert.InEpsilon(t, 60, mean, 1e-2)
	assert.InEpsilon(t, 60, std, 1e-2)
	assert.Less(t, ts[len(ts)-1], des.At(10_000*time.Hour))
}

func TestPoissonHourlyCountsArePoisson(t *testing.T) {
	// Counts per hour at 20/h over 20,000 hours: mean and variance both 20
	// (within 2%).
	r := rand.New(rand.NewPCG(2, 3))
	counts := make([]float64, 20_000)
	for _, at := range drain(NewPoisson(20, 0, des.At(20_000*time.Hour), r)) {
		counts[at.Duration()/time.Hour]++
	}
	mean, variance := stat.MeanVariance(counts, nil)
	assert.InEpsilon(t, 20, mean, 2e-2)
	assert.InEpsilon(t, 20, variance, 3e-2)
}

func TestArrivalsAreDeterministic(t *testing.T) {
	mk := func() []des.Time {
		return drain(NewPoisson(100, 0, des.At(24*time.Hour), rand.New(rand.NewPCG(9, 9))))
	}
	assert.Equal(t, mk(), mk())
}

func TestPoissonEdgeCases(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	assert.Empty(t, drain(NewPoisson(0, 0, des.Never, r)), "rate 0")
	assert.Empty(t, drain(NewPoisson(math.NaN(), 0, des.Never, r)), "rate NaN")
	assert.Empty(t, drain(NewPoisson(1e-9, 0, des.Never, r)), "a gap beyond Never ends the stream")
}

func TestThinnedFollowsThePattern(t *testing.T) {
	// 1/s for the first 10,000 s, then 3/s: 10,000 and 30,000 arrivals, 2%.
	step := NewStep(t0, 1, StepAt{Offset: 10_000 * time.Second, RatePerSec: 3})
	th := NewThinned(step, t0, 4, 0, des.At(20_000*time.Second), rand.New(rand.NewPCG(5, 6)))
	var before, after int
	for _, at := range drain(th) {
		if at < des.At(10_000*time.Second) {
			before++
		} else {
			after++
		}
	}
	assert.InEpsilon(t, 10_000, before, 2e-2)
	assert.InEpsilon(t, 30_000, after, 2e-2)
	assert.Zero(t, th.Overshoots)

	low := NewThinned(step, t0, 2, 0, des.At(20_000*time.Second), rand.New(rand.NewPCG(5, 6)))
	drain(low)
	assert.Positive(t, low.Overshoots, "a bound below the pattern is counted")
}

func TestScheduleAndEvery(t *testing.T) {
	tests := []struct {
		name string
		a    Arrivals
		want []des.Time
	}{
		{"a schedule plays its times sorted", NewSchedule(30, 10, 20), []des.Time{10, 20, 30}},
		{"every interval up to but not at until", NewEvery(5, 10, 35), []des.Time{5, 15, 25}},
		{"a non-positive interval gives one arrival", NewEvery(5, 0, 35), []des.Time{5}},
		{"from tasks offsets each arrival", FromTasks([]Task{{Arrival: 2}, {Arrival: 1}}, 100), []des.Time{101, 102}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, drain(tc.a))
		})
	}
}

func TestDailyWindow(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	origin := time.Date(2026, 3, 7, 0, 0, 0, 0, ny) // the day before DST starts
	night := Daily(origin, 22*time.Hour, 4*time.Hour)
	office := Daily(origin, 9*time.Hour, 8*time.Hour)
	at := func(d time.Duration) des.Time { return des.At(d) }
	tests := []struct {
		name   string
		active func(des.Time) bool
		t      des.Time
		want   bool
	}{
		{"09:00 opens the office window", office, at(9 * time.Hour), true},
		{"17:00 closes it", office, at(17 * time.Hour), false},
		{"after DST the window is still 09:00 local: 24h+9h is 10:00 EDT", office, at(33 * time.Hour), true},
		{"and 24h+8h30 is 09:30 EDT", office, at(32*time.Hour + 30*time.Minute), true},
		{"and 24h+7h59 is 08:59 EDT", office, at(31*time.Hour + 59*time.Minute), false},
		{"a window across midnight includes 01:00", night, at(25 * time.Hour), true},
		{"and excludes 21:59", night, at(21*time.Hour + 59*time.Minute), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.active(tc.t))
		})
	}
	w := Windowed{A: NewEvery(0, time.Hour, des.At(48*time.Hour)), Active: office}
	assert.Len(t, drain(w), 16, "eight office hours a day for two days")
}

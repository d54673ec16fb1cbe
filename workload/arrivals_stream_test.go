package workload

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/fleetsim/fleetsim/sim/des"
)

// every is a Firings at origin + k*step for k >= 0, as a rate schedule
// anchored at origin fires (autoscale.RateSchedule; workload cannot import
// it).
type every struct {
	origin time.Time
	step   time.Duration
}

func (e every) Next(after time.Time) (time.Time, bool) {
	if after.Before(e.origin) {
		return e.origin, true
	}
	k := after.Sub(e.origin)/e.step + 1
	return e.origin.Add(k * e.step), true
}

// stuck is a broken Firings: it fires at the same instant for ever.
type stuck struct{ at time.Time }

func (s stuck) Next(time.Time) (time.Time, bool) { return s.at, true }

// listed computes the arrivals as arrivalsFor did before they streamed:
// every firing through through into one list, perFiring times each,
// stopping at the first firing once limit were listed.
func listed(s Firings, origin time.Time, through des.Time, perFiring, limit int) []des.Time {
	var times []des.Time
	for at, ok := s.Next(origin.Add(-time.Nanosecond)); ok; at, ok = s.Next(at) {
		t := des.At(at.Sub(origin))
		if t > through || (limit > 0 && len(times) >= limit) {
			break
		}
		for range max(perFiring, 1) {
			times = append(times, t)
		}
	}
	if limit > 0 && len(times) > limit {
		times = times[:limit] // the job submits no more than limit
	}
	return times
}

func TestScheduleStreamPlaysWhatTheListDid(t *testing.T) {
	origin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name              string
		s                 Firings
		through           des.Time
		perFiring, limit  int
		wantLen           int
		wantFirst, wantAt des.Time // the first and last arrivals
	}{
		{"hourly for a day, through the end inclusive", every{origin, time.Hour}, des.At(24 * time.Hour), 1, 0, 25, 0, des.At(24 * time.Hour)},
		{"three a firing", every{origin, time.Hour}, des.At(2 * time.Hour), 3, 0, 9, 0, des.At(2 * time.Hour)},
		{"no tasks a firing means one", every{origin, time.Hour}, des.At(2 * time.Hour), 0, 0, 3, 0, des.At(2 * time.Hour)},
		{"a limit that cuts a firing short", every{origin, time.Hour}, des.At(24 * time.Hour), 3, 5, 5, 0, des.At(time.Hour)},
		{"a schedule that starts before the run", every{origin.Add(-90 * time.Minute), time.Hour}, des.At(3 * time.Hour), 1, 0, 3, des.At(30 * time.Minute), des.At(150 * time.Minute)},
		{"a schedule that starts after the end", every{origin.Add(4 * time.Hour), time.Hour}, des.At(3 * time.Hour), 2, 0, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := listed(tc.s, origin, tc.through, tc.perFiring, tc.limit)
			got := drain(NewScheduleStream(tc.s, origin, tc.through, tc.perFiring, tc.limit))
			assert.Equal(t, want, got)
			if assert.Len(t, got, tc.wantLen) && tc.wantLen > 0 {
				assert.Equal(t, tc.wantFirst, got[0])
				assert.Equal(t, tc.wantAt, got[len(got)-1])
			}
		})
	}
}

func TestScheduleStreamEndsOnABrokenOrMissingSchedule(t *testing.T) {
	origin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got := drain(NewScheduleStream(stuck{origin.Add(time.Minute)}, origin, des.Never, 2, 0))
	assert.Equal(t, []des.Time{des.At(time.Minute), des.At(time.Minute)}, got, "one firing, then the schedule stands still and the stream ends")
	assert.Empty(t, drain(NewScheduleStream(nil, origin, des.Never, 1, 0)), "no schedule, no arrivals")
}

// A year of firings a minute (525,600) costs no memory: arrivals are not
// listed up front, and Next allocates nothing.
func TestScheduleStreamMemoryDoesNotGrowWithTheFirings(t *testing.T) {
	origin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	year := des.At(365 * 24 * time.Hour)
	var n int
	allocs := testing.AllocsPerRun(1, func() {
		st := NewScheduleStream(every{origin, time.Minute}, origin, year, 1, 0)
		n = 0
		for _, ok := st.Next(); ok; _, ok = st.Next() {
			n++
		}
	})
	assert.Equal(t, 365*24*60+1, n)
	assert.LessOrEqual(t, allocs, 1.0, "the stream itself, nothing per firing")
}

func TestFromTasksReadsASortedTraceInPlace(t *testing.T) {
	tasks := []Task{{Arrival: 1}, {Arrival: 2}, {Arrival: 2}, {Arrival: 5}}
	var a *TaskArrivals
	allocs := testing.AllocsPerRun(10, func() { a = FromTasks(tasks, 10) })
	assert.LessOrEqual(t, allocs, 1.0, "the iterator, no copy of the times")
	assert.Equal(t, []des.Time{11, 12, 12, 15}, drain(a))
	unsorted := []Task{{Arrival: 3}, {Arrival: 1}}
	assert.Equal(t, []des.Time{1, 3}, drain(FromTasks(unsorted, 0)))
	assert.Equal(t, []Task{{Arrival: 3}, {Arrival: 1}}, unsorted, "the caller's list is left as it was")
}

package des

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const kindA, kindB Kind = 0, 1

type firing struct {
	at Time
	id int32
}

func recorder(e *Engine, k Kind) *[]firing {
	var got []firing
	e.Handle(k, func(now Time, id int32) { got = append(got, firing{now, id}) })
	return &got
}

func TestEventsFireInTimeThenSchedulingOrder(t *testing.T) {
	e := New(1)
	got := recorder(e, kindA)
	e.At(30, kindA, 1)
	e.At(10, kindA, 2)
	e.At(30, kindA, 3) // same time as id 1: fires after it
	e.At(20, kindA, 4)
	e.At(10, kindA, 5) // same time as id 2: fires after it
	_, err := e.Run(Never)
	require.NoError(t, err)
	want := []firing{{10, 2}, {10, 5}, {20, 4}, {30, 1}, {30, 3}}
	assert.Equal(t, want, *got)
}

func TestHeapOrdersManyRandomEvents(t *testing.T) {
	e := New(7)
	r := e.Stream("test")
	var last Time
	fired := 0
	e.Handle(kindA, func(now Time, _ int32) {
		assert.GreaterOrEqual(t, now, last, "time went backwards")
		last = now
		fired++
	})
	for i := range 10000 {
		e.At(Time(r.IntN(1000)), kindA, int32(i))
	}
	_, err := e.Run(Never)
	require.NoError(t, err)
	assert.Equal(t, 10000, fired)
}

func TestCancelledTimerNeverFires(t *testing.T) {
	e := New(1)
	got := recorder(e, kindA)
	keep := e.At(10, kindA, 1)
	drop := e.At(5, kindA, 2)
	assert.True(t, e.Cancel(drop), "first cancel of a pending timer")
	assert.False(t, e.Cancel(drop), "second cancel is a no-op")
	assert.False(t, e.Active(drop))
	assert.True(t, e.Active(keep))
	stats, err := e.Run(Never)
	require.NoError(t, err)
	assert.Equal(t, []firing{{10, 1}}, *got)
	assert.Equal(t, uint64(1), stats.Events)
	assert.Equal(t, uint64(1), stats.Cancelled)
	assert.False(t, e.Cancel(keep), "a fired timer cannot be cancelled")
}

func TestReusedSlotDoesNotReviveCancelledEvent(t *testing.T) {
	e := New(1)
	got := recorder(e, kindA)
	old := e.At(50, kindA, 1)
	e.Cancel(old)
	// The slot is reused by the next event; the stale queue entry must still be dropped.
	fresh := e.At(60, kindA, 2)
	assert.Equal(t, old.slot, fresh.slot, "slot reused")
	assert.False(t, e.Cancel(old), "stale timer cannot cancel the new event")
	_, err := e.Run(Never)
	require.NoError(t, err)
	assert.Equal(t, []firing{{60, 2}}, *got)
}

func TestZeroTimerIsNeverActive(t *testing.T) {
	e := New(1)
	var zero Timer
	assert.False(t, e.Active(zero))
	assert.False(t, e.Cancel(zero))
}

func TestRunStopsAtUntilAndAdvancesClock(t *testing.T) {
	e := New(1)
	got := recorder(e, kindA)
	e.At(Time(time.Minute), kindA, 1)
	e.At(Time(2*time.Hour), kindA, 2)
	_, err := e.Run(At(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []firing{{Time(time.Minute), 1}}, *got)
	assert.Equal(t, At(time.Hour), e.Now())
	_, err = e.Run(At(3 * time.Hour))
	require.NoError(t, err)
	assert.Len(t, *got, 2)
}

func TestHandlersScheduleFurtherEvents(t *testing.T) {
	e := New(1)
	var ticks []Time
	e.Handle(kindB, func(now Time, id int32) {
		ticks = append(ticks, now)
		if id < 3 {
			e.After(time.Second, kindB, id+1)
		}
	})
	e.At(0, kindB, 0)
	_, err := e.Run(Never)
	require.NoError(t, err)
	assert.Equal(t, []Time{0, At(time.Second), At(2 * time.Second), At(3 * time.Second)}, ticks)
}

func TestFailEndsTheRunWithTheFirstError(t *testing.T) {
	e := New(1)
	boom := errors.New("instance i-1 overcommitted")
	fired := 0
	e.Handle(kindA, func(now Time, id int32) {
		fired++
		e.Fail(boom)
		e.Fail(errors.New("second"))
	})
	e.At(1, kindA, 0)
	e.At(2, kindA, 0)
	_, err := e.Run(Never)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, 1, fired)
	assert.Equal(t, Time(1), e.Now(), "clock stays where the run failed")
}

func TestEventWithoutHandlerIsAnError(t *testing.T) {
	e := New(1)
	e.At(1, Kind(9), 0)
	_, err := e.Run(Never)
	assert.ErrorIs(t, err, ErrNoHandler)
}

func TestSchedulingInThePastPanics(t *testing.T) {
	e := New(1)
	e.Handle(kindA, func(Time, int32) {})
	e.At(10, kindA, 0)
	_, err := e.Run(Never)
	require.NoError(t, err)
	assert.Panics(t, func() { e.At(5, kindA, 0) })
}

func TestProgressIsReportedPerIntervalAndAtTheEnd(t *testing.T) {
	e := New(1)
	e.Handle(kindA, func(Time, int32) {})
	for i := range 10 {
		e.At(At(time.Duration(i)*30*time.Minute), kindA, 0)
	}
	var seen []Time
	e.OnProgress(At(time.Hour), func(now Time) { seen = append(seen, now) })
	_, err := e.Run(At(5 * time.Hour))
	require.NoError(t, err)
	// events at 0, 30m, ..., 4h30m: progress at the first event at or past 1h, 2h, 3h, 4h, then the end.
	want := []Time{At(time.Hour), At(2 * time.Hour), At(3 * time.Hour), At(4 * time.Hour), At(5 * time.Hour)}
	assert.Equal(t, want, seen)
}

func TestStreamsAreIndependentAndReproducible(t *testing.T) {
	draw := func(seed uint64, name string) []uint64 {
		r := NewStream(seed, name)
		return []uint64{r.Uint64(), r.Uint64(), r.Uint64()}
	}
	assert.Equal(t, draw(42, "service/web"), draw(42, "service/web"), "same seed and name")
	assert.NotEqual(t, draw(42, "service/web"), draw(42, "service/api"), "other name")
	assert.NotEqual(t, draw(42, "service/web"), draw(43, "service/web"), "other seed")

	// Drawing from one stream leaves another untouched.
	e := New(42)
	a := e.Stream("a")
	a.Uint64()
	b := e.Stream("b")
	assert.Equal(t, draw(42, "b"), []uint64{b.Uint64(), b.Uint64(), b.Uint64()})
}

func TestRegisterHandsOutKindsThatDoNotCollide(t *testing.T) {
	e := New(1)
	var got []string
	a := e.Register(func(Time, int32) { got = append(got, "a") })
	b := e.Register(func(Time, int32) { got = append(got, "b") })
	require.NotEqual(t, a, b)
	e.At(2, a, 0)
	e.At(1, b, 0)
	_, err := e.Run(Never)
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "a"}, got)
}

func TestEventsPastTheHorizonAreNotQueued(t *testing.T) {
	e := New(1)
	e.SetHorizon(100)
	got := recorder(e, kindA)
	e.At(100, kindA, 1) // at the horizon: fires
	far := e.At(101, kindA, 2)
	cancelled := e.At(500, kindA, 3)
	assert.Equal(t, 1, e.Pending(), "only the event at the horizon is queued")
	assert.True(t, e.Active(far), "a timer past the horizon stays active")
	assert.True(t, e.Cancel(cancelled), "and can be cancelled")
	assert.False(t, e.Active(cancelled))
	// The sequence numbers are spent all the same: an event scheduled
	// after the parked ones keeps its place at equal times.
	e.At(50, kindA, 4)
	e.At(50, kindA, 5)
	_, err := e.Run(100)
	require.NoError(t, err)
	assert.Equal(t, []firing{{50, 4}, {50, 5}, {100, 1}}, *got)
	assert.Panics(t, func() { e.Step(101) }, "running past the horizon is a programming error")
}

package workload

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
	"gonum.org/v1/gonum/stat/distuv"
)

// Arrivals is an iterator over the arrival times of batch work, in
// non-decreasing order. Next returns the next arrival, or false when there
// are no more.
type Arrivals interface {
	Next() (des.Time, bool)
}

// Poisson is an Arrivals with exponential gaps: a homogeneous Poisson process
// of a given rate from a start time (exclusive) to an end (exclusive). Each
// gap is drawn in seconds and rounded once to a nanosecond.
type Poisson struct {
	gap   distuv.Exponential
	t     des.Time
	until des.Time
}

// NewPoisson returns Poisson arrivals at ratePerHour after from and before
// until (des.Never for no end), drawing from r. A rate of 0 or less, or NaN,
// gives no arrivals.
func NewPoisson(ratePerHour float64, from, until des.Time, r *rand.Rand) *Poisson {
	p := &Poisson{t: from, until: until}
	if ratePerHour > 0 {
		p.gap = distuv.Exponential{Rate: ratePerHour / 3600, Src: r}
	} else {
		p.until = from
	}
	return p
}

// Next returns the next arrival.
func (p *Poisson) Next() (des.Time, bool) {
	if p.t >= p.until {
		return 0, false
	}
	ns := p.gap.Rand() * 1e9
	if ns >= float64(p.until-p.t) {
		p.t = p.until
		return 0, false
	}
	p.t += des.Time(math.Round(ns))
	return p.t, true
}

// Thinned is an Arrivals for a non-homogeneous Poisson process whose rate
// follows a Pattern (events per second at origin + t), by thinning (Lewis and
// Shedler 1979): candidates come from a Poisson process at MaxPerSec and each
// is kept with probability Rate/MaxPerSec. MaxPerSec must bound the pattern's
// rate; candidates where it does not are kept and counted in Overshoots, the
// sign that the bound was too low.
type Thinned struct {
	p          Pattern
	origin     time.Time
	maxPerSec  float64
	candidates *Poisson
	r          *rand.Rand
	Overshoots int
}

// NewThinned returns arrivals at the rate of p between from and until,
// where des time 0 is the calendar instant origin.
func NewThinned(p Pattern, origin time.Time, maxPerSec float64, from, until des.Time, r *rand.Rand) *Thinned {
	return &Thinned{
		p: p, origin: origin, maxPerSec: maxPerSec, r: r,
		candidates: NewPoisson(maxPerSec*3600, from, until, r),
	}
}

// Next returns the next kept candidate.
func (th *Thinned) Next() (des.Time, bool) {
	for {
		t, ok := th.candidates.Next()
		if !ok {
			return 0, false
		}
		rate := th.p.Rate(th.origin.Add(t.Duration()))
		if rate > th.maxPerSec {
			th.Overshoots++
		}
		if th.r.Float64()*th.maxPerSec < rate {
			return t, true
		}
	}
}

// Schedule is an Arrivals over a fixed list of times, sorted.
type Schedule struct {
	times []des.Time
	i     int
}

// NewSchedule returns arrivals at the given times, sorted (a copy).
func NewSchedule(times ...des.Time) *Schedule {
	return &Schedule{times: slices.Sorted(slices.Values(times))}
}

// TaskArrivals is an Arrivals at the arrivals of a task list sorted by
// arrival (a TaskTrace's order), offset by a des time. It reads the list in
// place: no times are computed up front.
type TaskArrivals struct {
	tasks []Task
	at    des.Time
	i     int
}

// FromTasks returns arrivals at each task's arrival, offset by at: the
// trace's origin plays at des time at. A list sorted by arrival (every
// TaskTrace is) is read in place; another is sorted first, in a copy, stably.
func FromTasks(tasks []Task, at des.Time) *TaskArrivals {
	byArrival := func(a, b Task) int { return cmpDuration(a.Arrival, b.Arrival) }
	if !slices.IsSortedFunc(tasks, byArrival) {
		tasks = slices.Clone(tasks)
		slices.SortStableFunc(tasks, byArrival)
	}
	return &TaskArrivals{tasks: tasks, at: at}
}

// Next returns the next task's arrival.
func (a *TaskArrivals) Next() (des.Time, bool) {
	if a.i >= len(a.tasks) {
		return 0, false
	}
	a.i++
	return a.at + des.At(a.tasks[a.i-1].Arrival), true
}

// Firings gives the instants a schedule fires: the first strictly after
// after, or false when there is none. autoscale.Schedule (cron, rate, at)
// is one; workload declares the view it needs rather than importing it.
type Firings interface {
	Next(after time.Time) (time.Time, bool)
}

// ScheduleStream is an Arrivals at the firings of a schedule: perFiring
// arrivals at each instant, from origin (inclusive: a firing at origin
// counts) through des time through (inclusive), at most limit in all. It asks
// the schedule for one firing at a time, so its memory does not grow with
// the number of firings.
type ScheduleStream struct {
	s          Firings
	origin     time.Time
	through    des.Time
	per, limit int

	last    time.Time // the firing being played
	t       des.Time  // last as a des time
	left    int       // arrivals still to play at t
	n       int       // arrivals played
	started bool
	done    bool
}

// NewScheduleStream returns perFiring arrivals (at least 1) at each firing
// of s from origin, which is des time 0, through des time through; limit > 0
// stops after limit arrivals in all (0: no limit). A nil s gives none.
func NewScheduleStream(s Firings, origin time.Time, through des.Time, perFiring, limit int) *ScheduleStream {
	return &ScheduleStream{s: s, origin: origin, through: through, per: max(perFiring, 1), limit: limit, done: s == nil}
}

// Next returns the next arrival: the current firing's while it has some
// left, else the first of the next firing. A schedule whose next firing is
// not after the one before ends the stream rather than loop.
func (st *ScheduleStream) Next() (des.Time, bool) {
	if st.done || (st.limit > 0 && st.n >= st.limit) {
		st.done = true
		return 0, false
	}
	if st.left == 0 {
		after := st.last
		if !st.started {
			after = st.origin.Add(-time.Nanosecond)
		}
		at, ok := st.s.Next(after)
		if !ok || (st.started && !at.After(st.last)) {
			st.done = true
			return 0, false
		}
		t := des.At(at.Sub(st.origin))
		if t > st.through {
			st.done = true
			return 0, false
		}
		st.last, st.t, st.left, st.started = at, t, st.per, true
	}
	st.left--
	st.n++
	return st.t, true
}

// Next returns the next listed time.
func (s *Schedule) Next() (des.Time, bool) {
	if s.i >= len(s.times) {
		return 0, false
	}
	s.i++
	return s.times[s.i-1], true
}

// Every is an Arrivals at first, first+Interval, ... before until.
type Every struct {
	next, until des.Time
	interval    time.Duration
}

// NewEvery returns arrivals every interval from first (inclusive) to until
// (exclusive). An interval of 0 or less gives the single arrival at first.
func NewEvery(first des.Time, interval time.Duration, until des.Time) *Every {
	return &Every{next: first, until: until, interval: interval}
}

// Next returns the next tick.
func (e *Every) Next() (des.Time, bool) {
	if e.next >= e.until {
		return 0, false
	}
	t := e.next
	if e.interval <= 0 || e.until-t <= des.Time(e.interval) {
		e.next = e.until
	} else {
		e.next = t + des.Time(e.interval)
	}
	return t, true
}

// Windowed is an Arrivals that keeps only the arrivals of A at which Active
// is true. For a Poisson source this is again Poisson inside the windows. A
// must end or Active must recur, or Next never returns.
type Windowed struct {
	A      Arrivals
	Active func(des.Time) bool
}

// Next returns A's next arrival inside a window.
func (w Windowed) Next() (des.Time, bool) {
	for {
		t, ok := w.A.Next()
		if !ok || w.Active(t) {
			return t, ok
		}
	}
}

// Daily returns an active-window function: true when the wall-clock time of
// day of origin + t, in origin's location, is in [start, start+length); a
// window may run past midnight. Wall-clock means a window at 09:00 stays at
// 09:00 local time across daylight-saving changes.
func Daily(origin time.Time, start, length time.Duration) func(des.Time) bool {
	const day = 24 * time.Hour
	return func(t des.Time) bool {
		at := origin.Add(t.Duration())
		h, m, s := at.Clock()
		tod := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
			time.Duration(s)*time.Second + time.Duration(at.Nanosecond())
		since := (tod - start%day + day) % day
		return length >= day || since < length
	}
}

var (
	_ Arrivals = (*Poisson)(nil)
	_ Arrivals = (*Thinned)(nil)
	_ Arrivals = (*Schedule)(nil)
	_ Arrivals = (*TaskArrivals)(nil)
	_ Arrivals = (*ScheduleStream)(nil)
	_ Arrivals = (*Every)(nil)
	_ Arrivals = Windowed{}
)

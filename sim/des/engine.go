package des

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Kind names a family of events. Each run registers one handler per kind with
// Handle; an event carries only its kind and a small integer subject, so the
// queue holds plain values and dispatch is an index into a slice.
type Kind uint16

// Handler is called when an event of its kind fires, with the current time and
// the event's subject (an index the handler's owner understands: a task, an
// instance, a service...).
type Handler func(now Time, id int32)

// Timer identifies one scheduled event so that it can be cancelled. The zero
// Timer is never valid: Cancel of it returns false.
type Timer struct{ slot, gen uint32 }

// Stats counts what a run did.
type Stats struct {
	Events    uint64 // events dispatched to a handler
	Cancelled uint64 // cancelled events dropped when they reached the front
}

// ErrNoHandler is returned by Run when an event's kind has no handler.
var ErrNoHandler = errors.New("des: event kind has no handler")

// Engine is the event loop: a clock, a queue of events ordered by (time,
// sequence) and the handlers they dispatch to. Events at the same time fire in
// the order they were scheduled, so a run is a pure function of its inputs.
// An Engine is not safe for concurrent use; run independent simulations in
// independent Engines.
type Engine struct {
	now      Time
	seq      uint64
	q        timeline
	handlers []Handler
	slots    []uint32 // slot -> current generation; an event is live if its gen matches
	free     []uint32 // free slots
	stats    Stats
	seed     uint64
	err      error
	stopped  bool
	horizon  Time // events after it are never queued (SetHorizon)

	progress      func(now Time)
	progressEvery Time
	nextProgress  Time
}

// New returns an Engine at time zero whose random streams derive from seed.
func New(seed uint64) *Engine {
	// slot 0 is reserved so that the zero Timer never matches a live event.
	return &Engine{seed: seed, slots: []uint32{1}, horizon: Never, q: newTimeline()}
}

// SetHorizon declares that the engine will never run past h: an event
// scheduled after h gets a Timer (Active until cancelled, Cancel works) but
// is not queued, since it could never fire. A run whose failure timers
// mostly fall after its end keeps a queue the size of its near future,
// not of every timer drawn (with 20,000 tasks failing at a mean of 20
// hours, a one-day run's queue held 20,000 events that never fire).
// Running past h is a programming error: Step panics.
func (e *Engine) SetHorizon(h Time) { e.horizon = h }

// Now is the current simulated time.
func (e *Engine) Now() Time { return e.now }

// Seed is the seed the engine's streams derive from.
func (e *Engine) Seed() uint64 { return e.seed }

// Stats returns what the engine has done so far.
func (e *Engine) Stats() Stats { return e.stats }

// Pending is the number of events in the queue, cancelled ones included until
// they reach the front (and those after the horizon excluded: SetHorizon).
func (e *Engine) Pending() int { return e.q.n }

// Handle registers h for events of kind k, replacing any earlier handler.
func (e *Engine) Handle(k Kind, h Handler) {
	if int(k) >= len(e.handlers) {
		e.handlers = append(e.handlers, make([]Handler, int(k)+1-len(e.handlers))...)
	}
	e.handlers[k] = h
}

// Register adds a handler under a new kind and returns the kind: packages
// that share one engine (capacity and an orchestrator, say) each register
// their own without agreeing on numbers. Kinds are handed out in call order,
// so the same construction gives the same kinds.
func (e *Engine) Register(h Handler) Kind {
	k := Kind(len(e.handlers))
	e.handlers = append(e.handlers, h)
	return k
}

// At schedules an event of kind k for subject id at time t, which must not be
// in the past. It returns a Timer that can cancel it. O(log n).
func (e *Engine) At(t Time, k Kind, id int32) Timer {
	if t < e.now {
		panic(fmt.Sprintf("des: event at %v scheduled in the past (now %v)", t, e.now))
	}
	slot := e.allocSlot()
	gen := e.slots[slot]
	if t <= e.horizon {
		ev := event{at: t, seq: e.seq, kind: k, id: id, slot: slot, gen: gen}
		if q := &e.q; t < q.edge { // timeline.push, with the heap's push inlined
			q.n++
			q.near.room()
			q.near.push(ev)
		} else {
			q.later(ev)
		}
	}
	e.seq++
	return Timer{slot: slot, gen: gen}
}

// After schedules an event d after now. A negative d is a programming error.
func (e *Engine) After(d time.Duration, k Kind, id int32) Timer {
	return e.At(e.now+Time(d), k, id)
}

// Cancel stops a scheduled event from firing and reports whether it was still
// pending. It is O(1): the event stays in the queue and is dropped when it
// reaches the front.
func (e *Engine) Cancel(t Timer) bool {
	if t.slot == 0 || int(t.slot) >= len(e.slots) || e.slots[t.slot] != t.gen {
		return false
	}
	e.slots[t.slot]++
	e.free = append(e.free, t.slot)
	return true
}

// Active reports whether t is scheduled and not yet fired or cancelled.
func (e *Engine) Active(t Timer) bool {
	return t.slot != 0 && int(t.slot) < len(e.slots) && e.slots[t.slot] == t.gen
}

func (e *Engine) allocSlot() uint32 {
	if n := len(e.free); n > 0 {
		s := e.free[n-1]
		e.free = e.free[:n-1]
		return s
	}
	if len(e.slots) == cap(e.slots) { // doubled: append grows a large slice a quarter at a time
		e.slots = slices.Grow(e.slots, len(e.slots))
	}
	e.slots = append(e.slots, 1)
	return uint32(len(e.slots) - 1)
}

// OnProgress asks Run to call fn each time simulated time passes another
// multiple of every (and once at the end of the run). fn must not schedule.
func (e *Engine) OnProgress(every Time, fn func(now Time)) {
	if every <= 0 {
		panic("des: progress interval must be positive")
	}
	e.progress, e.progressEvery = fn, every
	e.nextProgress = e.now + every
}

// Fail ends the run: Run returns err after the current handler returns. The
// first error wins. Handlers use it for invariant breaches.
func (e *Engine) Fail(err error) {
	if e.err == nil {
		e.err = err
	}
	e.stopped = true
}

// Err returns the first error given to Fail, if any.
func (e *Engine) Err() error { return e.err }

// Stop ends the run after the current handler, without an error.
func (e *Engine) Stop() { e.stopped = true }

// Step fires the earliest live event, if any is due at or before until, and
// reports whether it fired one.
func (e *Engine) Step(until Time) bool {
	if until > e.horizon {
		panic(fmt.Sprintf("des: step until %v, past the horizon %v", until, e.horizon))
	}
	for {
		ev := e.q.peek()
		if ev == nil {
			return false
		}
		if ev.at > until {
			return false
		}
		at, k, id, slot, gen := ev.at, ev.kind, ev.id, ev.slot, ev.gen
		e.q.pop()
		if e.slots[slot] != gen {
			e.stats.Cancelled++
			continue
		}
		e.slots[slot]++
		e.free = append(e.free, slot)
		e.now = at
		if int(k) >= len(e.handlers) || e.handlers[k] == nil {
			e.Fail(fmt.Errorf("%w: kind %d at %v", ErrNoHandler, k, at))
			return false
		}
		e.stats.Events++
		e.handlers[k](at, id)
		return true
	}
}

// Run fires events in (time, sequence) order until none is left at or before
// until, a handler calls Stop or Fail, and then sets the clock to until (unless
// the run was stopped early or until is Never). It returns the first error a
// handler reported.
func (e *Engine) Run(until Time) (Stats, error) {
	e.stopped = false
	for !e.stopped && e.Step(until) {
		if e.progress != nil && e.now >= e.nextProgress {
			e.progress(e.now)
			for e.nextProgress <= e.now {
				e.nextProgress += e.progressEvery
			}
		}
	}
	if !e.stopped && until != Never && until > e.now {
		e.now = until
	}
	if e.progress != nil {
		e.progress(e.now)
	}
	return e.stats, e.err
}

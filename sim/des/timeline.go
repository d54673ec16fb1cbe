package des

import (
	"math/bits"
	"time"
)

// bucketWidth is the span of simulated time one bucket of the timeline
// holds, and ringSize the buckets it keeps ahead of the heap: events up to
// ringSize minutes (34 hours) ahead are filed by minute, those later wait
// in one unsorted list that is filed again once every ringSize minutes at
// most. Neither changes the order events fire in, only how much of the
// future the heap holds.
const (
	bucketWidth = Time(time.Minute)
	ringSize    = 2048
)

// timeline is the event queue: a 4-ary heap (queue) of the near future
// with the later events filed by time, unsorted, until the clock comes
// near them. A run's queue is mostly timers hours ahead (a task's next
// failure, a scheduled action); in a heap of all of them every pop
// walks a path through entries that will not fire for hours, a path that
// at tens of thousands of entries no longer stays in cache. Filed by
// minute instead, an event costs an append when it is scheduled and one
// heap push when its minute comes; the heap holds the current minute's
// events only.
//
// Buckets are absolute minutes (at / bucketWidth). The heap takes every
// event of minute cur or before; ring[m % ringSize] holds minute m for
// cur < m < end; far holds those of minute end or later, and is filed
// again when the ring has nothing left, ringSize minutes at a time. The
// order is exactly the heap's, (time, sequence): the heap holds only
// minutes up to cur and every filed event is of a later minute, so the
// heap's earliest is the earliest of all, and the next minute is loaded
// only when the heap is empty, whole, so that the events of one instant
// are all in the heap before any of them fires.
type timeline struct {
	near queue
	edge Time  // the start of minute cur + 1: events before it go to the heap
	cur  int64 // the last minute loaded into the heap
	end  int64 // the first minute in far; end - cur <= ringSize
	ring []bucket
	used [ringSize / 64]uint64 // ring buckets that hold events
	free *chunk                // chunks to reuse
	far  []event
	n    int // events held, cancelled ones included
}

func newTimeline() timeline {
	return timeline{edge: bucketWidth, end: ringSize, ring: make([]bucket, ringSize)}
}

// bucket is one minute's filed events, in chunks drawn from the
// timeline's free list: a bucket's own slice would keep, once loaded, the
// room of the busiest minute it ever held, 2,048 times over (large-week's
// ring held 63 MB that way).
type bucket struct{ head, tail *chunk }

// chunkLen is the events one chunk holds (1 KiB).
const chunkLen = 32

type chunk struct {
	evs  [chunkLen]event
	n    int
	next *chunk
}

func minuteOf(at Time) int64 { return int64(at / bucketWidth) }

// push adds ev. (Engine.At does the same with the heap's push inlined.)
func (t *timeline) push(ev event) {
	if ev.at < t.edge {
		t.n++
		t.near.room()
		t.near.push(ev)
		return
	}
	t.later(ev)
}

// later adds an event at or after edge.
func (t *timeline) later(ev event) {
	t.n++
	switch m := minuteOf(ev.at); {
	case m <= t.cur: // at Never, past the last edge that can be written
		t.near.room()
		t.near.push(ev)
	case m < t.end:
		t.file(m, ev)
	default:
		t.far = append(t.far, ev)
	}
}

// peek returns the earliest event, nil when none is held.
func (t *timeline) peek() *event {
	if len(t.near) == 0 && !t.advance() {
		return nil
	}
	return &t.near[0]
}

// pop removes the event peek returned.
func (t *timeline) pop() {
	t.near.pop()
	t.n--
}

// file puts ev, of minute m (cur < m < end), in its bucket.
func (t *timeline) file(m int64, ev event) {
	k := m % ringSize
	b := &t.ring[k]
	if b.tail == nil || b.tail.n == chunkLen {
		c := t.free
		if c != nil {
			t.free = c.next
			c.next = nil
		} else {
			c = &chunk{}
		}
		if b.tail == nil {
			b.head = c
		} else {
			b.tail.next = c
		}
		b.tail = c
	}
	b.tail.evs[b.tail.n] = ev
	b.tail.n++
	t.used[k/64] |= 1 << (k % 64)
}

// advance loads the next minute that holds events into the empty heap,
// and reports false when nothing is filed.
func (t *timeline) advance() bool {
	if t.n == 0 {
		return false
	}
	m, ok := t.nextUsed()
	if !ok {
		t.refile()
		if m, ok = t.nextUsed(); !ok {
			panic("des: timeline lost its events")
		}
	}
	t.cur, t.edge = m, Never
	if m < minuteOf(Never) {
		t.edge = Time(m+1) * bucketWidth
	}
	k := m % ringSize
	b := &t.ring[k]
	for c := b.head; c != nil; {
		for _, ev := range c.evs[:c.n] {
			t.near.room()
			t.near.push(ev)
		}
		next := c.next
		c.n, c.next, t.free = 0, t.free, c
		c = next
	}
	*b = bucket{}
	t.used[k/64] &^= 1 << (k % 64)
	return true
}

// nextUsed is the first minute after cur whose bucket holds events.
func (t *timeline) nextUsed() (int64, bool) {
	start := (t.cur + 1) % ringSize // the ring's buckets in minute order from here, wrapping
	for i := range int64(ringSize/64 + 1) {
		w := (start/64 + i) % (ringSize / 64)
		bitsLeft := t.used[w]
		if i == 0 {
			bitsLeft &^= 1<<(start%64) - 1 // minutes before start in this word come after the wrap
		}
		if bitsLeft == 0 {
			continue
		}
		k := w*64 + int64(bits.TrailingZeros64(bitsLeft))
		return t.cur + 1 + (k-start+ringSize)%ringSize, true
	}
	return 0, false
}

// refile starts a new round of the ring once it holds nothing (the heap
// is empty too): far's events of the ringSize minutes from its earliest
// go to their buckets.
func (t *timeline) refile() {
	first := minuteOf(t.far[0].at)
	for _, ev := range t.far[1:] {
		first = min(first, minuteOf(ev.at))
	}
	t.cur = first - 1 // nothing is due before first
	t.end = first + ringSize
	kept := t.far[:0]
	for _, ev := range t.far {
		if m := minuteOf(ev.at); m < t.end {
			t.file(m, ev)
		} else {
			kept = append(kept, ev)
		}
	}
	clear(t.far[len(kept):])
	t.far = kept
}

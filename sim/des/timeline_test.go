package des

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// refQueue is the order the timeline must reproduce: every event held,
// the earliest (time, sequence) out first.
type refQueue []event

func (r *refQueue) push(ev event) { *r = append(*r, ev) }

func (r *refQueue) pop() event {
	i := 0
	for j := range *r {
		if (*r)[j].before(&(*r)[i]) {
			i = j
		}
	}
	ev := (*r)[i]
	*r = slices.Delete(*r, i, i+1)
	return ev
}

// TestTimelineOrder pops what a hold model with mixed horizons pushes
// (the same instant, the next seconds, the next hours, beyond the ring's
// 34 hours, a year ahead, Never) and checks each pop against the plain
// (time, sequence) order, with pushes between pops as handlers make them.
func TestTimelineOrder(t *testing.T) {
	spans := []Time{0, Time(time.Second), Time(time.Minute), Time(90 * time.Minute), Time(20 * time.Hour),
		Time(40 * time.Hour), Time(200 * time.Hour), Time(365 * 24 * time.Hour)}
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		tl, ref := newTimeline(), refQueue{}
		var seq uint64
		now := Time(0)
		add := func() {
			at := now
			switch s := spans[r.IntN(len(spans))]; {
			case s == 0:
			case r.IntN(50) == 0:
				at = Never
			default:
				at += Time(r.Int64N(int64(s)))
			}
			ev := event{at: at, seq: seq, id: int32(seq)}
			seq++
			tl.push(ev)
			ref.push(ev)
		}
		for range 200 + r.IntN(800) {
			add()
		}
		for pops := 0; len(ref) > 0; pops++ {
			want := ref.pop()
			got := tl.peek()
			require.NotNil(t, got, "seed %d pop %d: timeline empty, want %+v", seed, pops, want)
			require.Equal(t, want, *got, "seed %d pop %d", seed, pops)
			tl.pop()
			require.Equal(t, len(ref), tl.n, "seed %d: events held", seed)
			now = want.at
			if now == Never {
				continue
			}
			if pops < 3000 {
				for range r.IntN(3) {
					add()
				}
			}
		}
		require.Nil(t, tl.peek(), "seed %d: drained", seed)
	}
}

// TestTimelineSparse: events days apart, so that the ring is empty between
// them and each round starts at the next event's minute, and events of the
// same instant filed in far keep their sequence order.
func TestTimelineSparse(t *testing.T) {
	tl := newTimeline()
	var want []event
	for i := range 50 {
		at := Time(i/2) * Time(72*time.Hour) // two events an instant, three days apart
		ev := event{at: at, seq: uint64(100 - i), id: int32(i)}
		tl.push(ev)
		want = append(want, ev)
	}
	slices.SortFunc(want, func(a, b event) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq))
	})
	for i, w := range want {
		got := tl.peek()
		require.NotNil(t, got, "pop %d", i)
		require.Equal(t, w, *got, "pop %d", i)
		tl.pop()
	}
	require.Nil(t, tl.peek())
	require.Zero(t, tl.n)
}

// TestTimelineChunks: a minute of more events than a chunk holds comes out
// whole and in order, and the next minutes reuse its chunks rather than
// keep room of their own.
func TestTimelineChunks(t *testing.T) {
	tl := newTimeline()
	var seq uint64
	for minute := int64(1); minute <= 3; minute++ {
		for i := range 3*chunkLen + 5 {
			at := Time(minute)*bucketWidth + Time(3*chunkLen+5-i)*Time(time.Millisecond) // later first
			tl.push(event{at: at, seq: seq})
			seq++
		}
		require.NotNil(t, tl.ring[minute].head.next.next.next, "minute %d: four chunks", minute)
		last := Time(-1)
		for range 3*chunkLen + 5 {
			ev := tl.peek()
			require.NotNil(t, ev)
			require.Greater(t, ev.at, last)
			last = ev.at
			tl.pop()
		}
		require.Nil(t, tl.peek())
		free := 0
		for c := tl.free; c != nil; c = c.next {
			require.Zero(t, c.n)
			free++
		}
		require.Equal(t, 4, free, "minute %d: its chunks back on the free list, no new ones", minute)
	}
}

// TestQueuePopsInOrderAndKeepsTheHeap: the heap gives back the (time,
// sequence) order of the reference for random pushes and pops (many at the
// same instant), every node is before its four children after each
// operation, and once the heap is big enough for a page of its own each
// block of four children starts on a 128-byte boundary.
func TestQueuePopsInOrderAndKeepsTheHeap(t *testing.T) {
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 11))
		var q queue
		ref := refQueue{}
		var seq uint64
		check := func() {
			for c := 1; c < len(q); c++ {
				require.False(t, q[c].before(&q[(c-1)/4]), "seed %d: child %d before its parent", seed, c)
			}
			if cap(q)*int(unsafe.Sizeof(event{})) > 64<<10 {
				addr := uintptr(unsafe.Pointer(&q[1]))
				require.Zero(t, addr%128, "seed %d: the root's children at %#x, cap %d", seed, addr, cap(q))
			}
		}
		for op := range 12000 {
			if len(ref) == 0 || r.IntN(4) > 0 && op < 9000 {
				ev := event{at: Time(r.IntN(40)), seq: seq, id: int32(seq)}
				seq++
				q.room()
				q.push(ev)
				ref.push(ev)
			} else {
				want := ref.pop()
				require.Equal(t, want, q[0], "seed %d op %d", seed, op)
				q.pop()
			}
			require.Equal(t, len(ref), len(q), "seed %d op %d", seed, op)
			if op%97 == 0 {
				check()
			}
		}
		check()
		for len(ref) > 0 {
			require.Equal(t, ref.pop(), q[0], "seed %d: draining", seed)
			q.pop()
		}
		require.Empty(t, q)
	}
}

package des

// event is one scheduled occurrence. It is a plain value (32 bytes) so that the
// queue is a flat slice: no boxing, no allocation per event once the slice has
// grown to the run's high-water mark.
type event struct {
	at   Time
	seq  uint64
	id   int32
	slot uint32
	gen  uint32
	kind Kind
}

// before orders events by time, then by scheduling order (FIFO at equal times).
func (a *event) before(b *event) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// queue is a 4-ary min-heap of events. A 4-ary heap halves the depth of a
// binary one, and here a node's four children sit in two cache lines: the
// slice starts pad events into its allocation, so the children of node i,
// q[4i+1 : 4i+5], start a multiple of four events (128 bytes) from the
// allocation's start (which, for a heap bigger than 32 KiB, is a page).
// Laid out from the allocation's start, as usual, a node's children start
// one event into a block and span three lines, and a pop that walks a heap
// bigger than the cache (a rollout's minute of hundreds of thousands of
// events) misses a line more a level. Since (time, sequence) orders events
// totally, no layout can change the order they come out in.
type queue []event

// pad is the unused events before a queue's first.
const pad = 3

// push adds ev. The caller makes room first (room), which keeps the
// allocation's pad: append would grow the slice without it. (Apart, each
// inlines where it is called.)
func (q *queue) push(ev event) {
	*q = append(*q, ev)
	h := *q
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !ev.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = ev
}

// room makes sure one more event fits without append growing the slice.
func (q *queue) room() {
	if len(*q) == cap(*q) {
		q.grow()
	}
}

// grow doubles the queue's room (64 events at first), in an allocation
// that begins pad events before the queue.
//
//go:noinline
func (q *queue) grow() {
	n := max(2*cap(*q), 64)
	h := make([]event, pad+len(*q), pad+n)[pad:]
	copy(h, *q)
	*q = h
}

// pop removes the earliest event. The caller reads it at q[0] first.
func (q *queue) pop() {
	h := *q
	n := len(h) - 1
	last := h[n]
	*q = h[:n]
	if n == 0 {
		return
	}
	h = h[:n]
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if h[j].before(&h[m]) {
				m = j
			}
		}
		if !h[m].before(&last) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = last
}

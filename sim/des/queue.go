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
// binary one and keeps a node's children in one or two cache lines, which is
// what makes pop (the dominant operation) cheap.
type queue []event

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

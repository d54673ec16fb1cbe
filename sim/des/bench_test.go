package des

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkHold is the classic hold model: n events pending; each iteration
// fires the earliest event, whose handler schedules one new event at
// now + Exp(mean 1 s), all through the Engine's public API. Alongside, the same
// pop+push runs on a bare hand-written 4-ary heap of (time, seq) pairs with the
// same random draws, and the ratio of the two is reported as "x-bare" so that
// the engine's overhead is measured in the same process on the same machine.
func BenchmarkHold(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			e := New(1)
			r := e.Stream("hold")
			e.Handle(kindA, func(now Time, id int32) {
				e.At(now+Time(r.ExpFloat64()*float64(time.Second)), kindA, id)
			})
			for i := range n {
				e.At(Time(r.ExpFloat64()*float64(time.Second)), kindA, int32(i))
			}
			b.ReportAllocs()
			for b.Loop() {
				if !e.Step(Never) {
					b.Fatal("queue ran dry")
				}
			}
			engineNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			bareNs := bareHold(n, b.N)
			b.ReportMetric(engineNs, "ns/event")
			b.ReportMetric(bareNs, "bare-ns/event")
			b.ReportMetric(engineNs/bareNs, "x-bare")
		})
	}
}

// BenchmarkBareHeap4 is the reference alone, for benchstat.
func BenchmarkBareHeap4(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			h, r := newBare(n)
			b.ReportAllocs()
			for b.Loop() {
				h.hold(r)
			}
		})
	}
}

func bareHold(n, iters int) float64 {
	h, r := newBare(n)
	start := time.Now()
	for range iters {
		h.hold(r)
	}
	return float64(time.Since(start).Nanoseconds()) / float64(iters)
}

type bareItem struct {
	at  int64
	seq uint64
}

type bareHeap struct {
	items []bareItem
	now   int64
	seq   uint64
}

func newBare(n int) (*bareHeap, *rand.Rand) {
	r := NewStream(1, "hold")
	h := &bareHeap{items: make([]bareItem, 0, n+1)}
	for range n {
		h.push(int64(r.ExpFloat64() * float64(time.Second)))
	}
	return h, r
}

func (h *bareHeap) hold(r *rand.Rand) {
	h.now = h.items[0].at
	h.pop()
	h.push(h.now + int64(r.ExpFloat64()*float64(time.Second)))
}

func (h *bareHeap) less(a, b bareItem) bool { return a.at < b.at || (a.at == b.at && a.seq < b.seq) }

func (h *bareHeap) push(at int64) {
	it := bareItem{at, h.seq}
	h.seq++
	h.items = append(h.items, it)
	i := len(h.items) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !h.less(it, h.items[p]) {
			break
		}
		h.items[i] = h.items[p]
		i = p
	}
	h.items[i] = it
}

func (h *bareHeap) pop() {
	n := len(h.items) - 1
	last := h.items[n]
	h.items = h.items[:n]
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < c+4 && j < n; j++ {
			if h.less(h.items[j], h.items[m]) {
				m = j
			}
		}
		if !h.less(h.items[m], last) {
			break
		}
		h.items[i] = h.items[m]
		i = m
	}
	if n > 0 {
		h.items[i] = last
	}
}

package workload

import (
	"math"
	"sort"
	"time"
)

// Interpolation says how a Replay reads the rate between two trace rows.
type Interpolation uint8

const (
	// Hold keeps each row's rate for its whole width (a step function).
	Hold Interpolation = iota
	// Linear moves linearly from one row's rate to the next row's between
	// their times; the last row is held.
	Linear
)

// Replay is a Pattern that plays a Trace from a calendar instant. At Start
// the trace is at offset Shift; the trace then advances Speed trace seconds
// per second (Speed 2 plays a day in twelve hours; 0 means 1) and rates are
// multiplied by Scale (0 means 1). Speed compresses time only: the rates are
// the trace's (choice), so a faster replay holds fewer requests in total.
// Outside the trace the rate is 0, unless Loop is set, in which case the
// trace repeats with period Span.
type Replay struct {
	Trace  *Trace
	Start  time.Time
	Shift  time.Duration
	Speed  float64
	Scale  float64
	Loop   bool
	Interp Interpolation
}

// NewReplay returns a Replay of tr from start at speed 1, scale 1, no loop,
// holding each row's rate.
func NewReplay(tr *Trace, start time.Time) Replay {
	return Replay{Trace: tr, Start: start, Speed: 1, Scale: 1}
}

// Rate returns the scaled trace rate at the trace offset at maps to.
func (p Replay) Rate(at time.Time) float64 {
	off, ok := p.offset(at)
	if !ok {
		return 0
	}
	scale := p.Scale
	if scale == 0 {
		scale = 1
	}
	return max(scale*p.Trace.rateAt(off, p.Interp), 0)
}

// offset maps a calendar instant to a trace offset in [0, Span).
func (p Replay) offset(at time.Time) (time.Duration, bool) {
	speed := p.Speed
	if speed == 0 {
		speed = 1
	}
	ns := float64(p.Shift) + float64(at.Sub(p.Start))*speed
	span := p.Trace.Span()
	if p.Loop {
		ns = math.Mod(ns, float64(span))
		if ns < 0 {
			ns += float64(span)
		}
	}
	if ns < 0 || ns >= float64(span) || math.IsNaN(ns) {
		return 0, false
	}
	return min(time.Duration(ns), span-1), true
}

// rateAt returns the rate at offset off in [0, Span).
func (t *Trace) rateAt(off time.Duration, interp Interpolation) float64 {
	// Index of the last row starting at or before off.
	i := sort.Search(len(t.points), func(i int) bool { return t.points[i].Offset > off }) - 1
	p := t.points[i]
	if interp != Linear || i+1 == len(t.points) {
		return p.RatePerSec
	}
	q := t.points[i+1]
	f := float64(off-p.Offset) / float64(q.Offset-p.Offset)
	return p.RatePerSec + (q.RatePerSec-p.RatePerSec)*f
}

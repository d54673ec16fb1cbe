// Package workload generates and replays the load a fleetsim scenario puts on
// a cluster: request-rate patterns for services (Pattern), trace readers for
// rate series and task traces (CSV and the Standard Workload Format), arrival
// iterators and duration distributions for RunTask-style batch work, and the
// M/M/c queueing model that turns a request rate and a task count into
// utilisation, latency and dropped requests.
//
// The package is pure: it keeps no global state, never reads the wall clock,
// and takes every random draw from a *math/rand/v2.Rand the caller passes in
// (normally a named des stream), so a scenario is reproducible from its seed.
package workload

import (
	"slices"
	"time"
)

// Pattern is a request-rate model: Rate returns the requests per second a
// service receives at a calendar instant. Implementations are pure functions
// of the instant: calling Rate in any order, any number of times, gives the
// same values, and a rate is never negative.
type Pattern interface {
	Rate(at time.Time) float64
}

// PatternFunc is a Pattern backed by a plain function.
type PatternFunc func(at time.Time) float64

// Rate calls f.
func (f PatternFunc) Rate(at time.Time) float64 { return f(at) }

// Constant is a Pattern with the same rate, in requests per second, at every
// instant.
type Constant float64

// Rate returns c, or 0 if c is negative.
func (c Constant) Rate(time.Time) float64 { return max(float64(c), 0) }

// StepAt is one change of a Step pattern: from Start+Offset on, the rate is
// RatePerSec.
type StepAt struct {
	Offset     time.Duration
	RatePerSec float64
}

// Step is a Pattern that holds a rate and changes it at given offsets from
// Start: before the first step (and before Start) the rate is Initial. Build
// it with NewStep, which sorts the steps.
type Step struct {
	Start   time.Time
	Initial float64
	Steps   []StepAt // sorted by Offset; equal offsets: the last one wins
}

// NewStep returns a Step with a sorted copy of steps (stable, so of two steps
// at the same offset the later one given wins).
func NewStep(start time.Time, initial float64, steps ...StepAt) Step {
	s := slices.Clone(steps)
	slices.SortStableFunc(s, func(a, b StepAt) int { return cmpDuration(a.Offset, b.Offset) })
	return Step{Start: start, Initial: initial, Steps: s}
}

// Rate returns the rate of the last step whose offset is not after at.
func (s Step) Rate(at time.Time) float64 {
	d := at.Sub(s.Start)
	// First step with Offset > d; the one before it is in force.
	i, _ := slices.BinarySearchFunc(s.Steps, d, func(st StepAt, d time.Duration) int {
		if st.Offset <= d {
			return -1
		}
		return 1
	})
	if i == 0 {
		return max(s.Initial, 0)
	}
	return max(s.Steps[i-1].RatePerSec, 0)
}

// Ramp is a Pattern that moves linearly from FromRate at From to ToRate at
// To, holding FromRate before From and ToRate after To. If To is not after
// From the ramp is a step at From.
type Ramp struct {
	From, To         time.Time
	FromRate, ToRate float64
}

// Rate returns FromRate + (ToRate-FromRate) * (at-From)/(To-From), clamped to
// the ramp's ends.
func (r Ramp) Rate(at time.Time) float64 {
	if at.Before(r.From) {
		return max(r.FromRate, 0)
	}
	span := r.To.Sub(r.From)
	d := at.Sub(r.From)
	if span <= 0 || d >= span {
		return max(r.ToRate, 0)
	}
	f := float64(d) / float64(span)
	return max(r.FromRate+(r.ToRate-r.FromRate)*f, 0)
}

func cmpDuration(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

package workload

import (
	"math"
	"math/rand/v2"
	"time"
)

// MeanReverting is a Pattern that multiplies Base by a mean-reverting random
// walk: an Ornstein-Uhlenbeck process X sampled once a minute from Start for
// Horizon, precomputed at construction, so Rate is a pure function of time.
//
//	X(0) = 0
//	X(k+1) = a X(k) + Sigma sqrt(1 - a²) Z(k),  a = exp(-1 min / Reversion)
//	Rate(t) = Base(t) * max(0, 1 + X(k)),       k = whole minutes since Start
//
// This is the exact discretisation of dX = -X/Reversion dt + σ dW with
// stationary standard deviation Sigma: Sigma 0.1 gives slow swings of about
// ±10% that decay back to the base with time constant Reversion. Outside
// [Start, Start+Horizon) the factor is 1 (choice).
type MeanReverting struct {
	Base  Pattern
	Start time.Time
	x     []float64 // X per minute since Start
}

// NewMeanReverting draws the walk from r: one normal per minute of horizon. A
// Reversion of 0 or less gives independent minutes (a = 0).
func NewMeanReverting(base Pattern, start time.Time, horizon, reversion time.Duration,
	sigma float64, r *rand.Rand) MeanReverting {
	n := int(max(horizon, 0) / time.Minute)
	a := 0.0
	if reversion > 0 {
		a = math.Exp(-float64(time.Minute) / float64(reversion))
	}
	step := sigma * math.Sqrt(1-a*a)
	x := make([]float64, n)
	for k := 1; k < n; k++ {
		x[k] = a*x[k-1] + step*r.NormFloat64()
	}
	return MeanReverting{Base: base, Start: start, x: x}
}

// Factor returns the walk's multiplier 1+X at at (1 outside the horizon).
func (m MeanReverting) Factor(at time.Time) float64 {
	d := at.Sub(m.Start)
	if d < 0 {
		return 1
	}
	k := int64(d / time.Minute)
	if k >= int64(len(m.x)) {
		return 1
	}
	return max(1+m.x[k], 0)
}

// Rate returns the base rate times the walk's factor.
func (m MeanReverting) Rate(at time.Time) float64 {
	return max(m.Base.Rate(at)*m.Factor(at), 0)
}

package workload

import "time"

// Sum is a Pattern whose rate is the sum of its parts' rates (0 if empty).
type Sum []Pattern

// Rate returns the sum of the parts' rates at at.
func (s Sum) Rate(at time.Time) float64 {
	r := 0.0
	for _, p := range s {
		r += p.Rate(at)
	}
	return max(r, 0)
}

// Product is a Pattern whose rate is the product of its parts' rates (1 if
// empty). Use it to multiply a shape by a unitless factor pattern, for example
// a Diurnal normalised to 1 by a weekly trend.
type Product []Pattern

// Rate returns the product of the parts' rates at at.
func (p Product) Rate(at time.Time) float64 {
	r := 1.0
	for _, q := range p {
		r *= q.Rate(at)
	}
	return max(r, 0)
}

// Scale is a Pattern that multiplies P's rate by Factor.
type Scale struct {
	P      Pattern
	Factor float64
}

// Rate returns Factor * P.Rate(at), never below 0.
func (s Scale) Rate(at time.Time) float64 { return max(s.Factor*s.P.Rate(at), 0) }

// Clip is a Pattern that keeps P's rate within [Min, Max]. Max 0 means no
// upper bound.
type Clip struct {
	P        Pattern
	Min, Max float64
}

// Rate returns P.Rate(at) clamped to [Min, Max].
func (c Clip) Rate(at time.Time) float64 {
	r := max(c.P.Rate(at), c.Min)
	if c.Max > 0 {
		r = min(r, c.Max)
	}
	return max(r, 0)
}

// Shift is a Pattern that plays P later by By: Rate(t) = P.Rate(t - By).
type Shift struct {
	P  Pattern
	By time.Duration
}

// Rate returns P's rate at at - By.
func (s Shift) Rate(at time.Time) float64 { return s.P.Rate(at.Add(-s.By)) }

var (
	_ Pattern = Constant(0)
	_ Pattern = PatternFunc(nil)
	_ Pattern = Step{}
	_ Pattern = Ramp{}
	_ Pattern = Spike{}
	_ Pattern = Diurnal{}
	_ Pattern = Sum{}
	_ Pattern = Product{}
	_ Pattern = Scale{}
	_ Pattern = Clip{}
	_ Pattern = Shift{}
	_ Pattern = Noise{}
	_ Pattern = MeanReverting{}
	_ Pattern = Replay{}
)

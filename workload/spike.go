package workload

import (
	"math"
	"time"
)

// Spike is a Pattern for a flash crowd on top of a base pattern. Its shape
// s(t) is 0 before Start, rises linearly to 1 over Rise, then decays
// exponentially with time constant Decay:
//
//	s(t) = (t-Start)/Rise                          for Start <= t < Start+Rise
//	s(t) = exp(-(t-Start-Rise)/Decay)              for t >= Start+Rise
//	Rate(t) = Base(t) * (1 + (Multiplier-1)*s(t)) + AddedRate*s(t)
//
// So Multiplier 5 makes the peak five times the base, AddedRate 100 adds 100
// requests per second at the peak; use either or both (Multiplier 0 is read
// as 1, no multiplication). A nil Base is a base of 0. Rise 0 jumps to the
// peak; Decay 0 ends the spike at its peak.
type Spike struct {
	Base       Pattern
	Start      time.Time
	Rise       time.Duration
	Decay      time.Duration
	Multiplier float64
	AddedRate  float64
}

// Rate returns the base rate raised by the spike's shape at at.
func (s Spike) Rate(at time.Time) float64 {
	base := 0.0
	if s.Base != nil {
		base = s.Base.Rate(at)
	}
	shape := s.shape(at.Sub(s.Start))
	m := s.Multiplier
	if m == 0 {
		m = 1
	}
	return max(base*(1+(m-1)*shape)+s.AddedRate*shape, 0)
}

// shape returns s(t) for d = t - Start.
func (s Spike) shape(d time.Duration) float64 {
	switch {
	case d < 0:
		return 0
	case d < s.Rise:
		return float64(d) / float64(s.Rise)
	case s.Decay <= 0:
		if d == s.Rise {
			return 1
		}
		return 0
	}
	return math.Exp(-float64(d-s.Rise) / float64(s.Decay))
}

package workload

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Noise is a Pattern that multiplies Base by Gaussian noise drawn once per
// calendar minute:
//
//	Rate(t) = Base(t) * max(0, 1 + Sigma * z(minute(t)))
//
// where minute(t) is the Unix minute of t and z is a standard normal draw
// derived from a hash of (Seed, minute) rather than by advancing a generator.
// Rate is therefore a pure function of t: evaluation order and repetition do
// not change values, and two Noise values with different seeds are
// independent. The clamp at 0 matters only for Sigma above about 0.3.
type Noise struct {
	Base  Pattern
	Sigma float64
	Seed  uint64
}

// NewNoise returns a Noise on base whose seed is one draw from r.
func NewNoise(base Pattern, sigma float64, r *rand.Rand) Noise {
	return Noise{Base: base, Sigma: sigma, Seed: r.Uint64()}
}

// Rate returns the base rate times this minute's noise factor.
func (n Noise) Rate(at time.Time) float64 {
	z := minuteNormal(n.Seed, unixMinute(at))
	return max(n.Base.Rate(at)*(1+n.Sigma*z), 0)
}

// unixMinute returns floor(Unix seconds / 60), also before 1970.
func unixMinute(t time.Time) int64 {
	s := t.Unix()
	m := s / 60
	if s%60 < 0 {
		m--
	}
	return m
}

// minuteNormal returns a standard normal draw that depends only on (seed, k):
// a PCG generator seeded from the pair, its first normal. The generator is
// reseeded rather than made anew: a rand.Rand holds nothing but its source,
// so the draw is the same, and the two allocations a draw cost were most
// of a small run's (a sweep's) by count.
func minuteNormal(seed uint64, k int64) float64 {
	g := normals.Get().(*normalGen)
	g.pcg.Seed(seed, splitmix64(uint64(k)))
	z := g.r.NormFloat64()
	normals.Put(g)
	return z
}

// normalGen is a PCG and the rand.Rand that draws from it.
type normalGen struct {
	pcg rand.PCG
	r   *rand.Rand
}

var normals = sync.Pool{New: func() any {
	g := new(normalGen)
	g.r = rand.New(&g.pcg)
	return g
}}

// splitmix64 scrambles x so that neighbouring keys seed unrelated streams.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

package workload

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Durations draws task run times.
type Durations interface {
	Sample() time.Duration
}

// Dist is a Durations backed by a gonum distribution in seconds. Each draw
// becomes a Duration once, rounded to the nanosecond; negative draws become
// 0 and draws beyond about 292 years are capped at the largest Duration.
// Constructors panic on invalid parameters (a caller bug: scenarios validate
// their input first).
type Dist struct {
	src distuv.Rander
}

// Sample draws one duration.
func (d Dist) Sample() time.Duration { return secondsToDuration(d.src.Rand()) }

// secondsToDuration rounds a float number of seconds to a Duration.
func secondsToDuration(s float64) time.Duration {
	ns := s * 1e9
	switch {
	case math.IsNaN(ns) || ns <= 0:
		return 0
	case ns >= math.MaxInt64:
		return math.MaxInt64
	}
	return time.Duration(math.Round(ns))
}

// fixed is a Rander that always returns the same value.
type fixed float64

func (f fixed) Rand() float64 { return float64(f) }

// Fixed returns the Durations that is always d.
func Fixed(d time.Duration) Dist { return Dist{src: fixed(d.Seconds())} }

// Exponential returns exponential durations with the given mean.
func Exponential(mean time.Duration, r *rand.Rand) Dist {
	mustPositive("exponential mean", mean.Seconds())
	return Dist{src: distuv.Exponential{Rate: 1 / mean.Seconds(), Src: r}}
}

// LogNormal returns log-normal durations with the given median and sigma
// (the standard deviation of the log): Mu = ln(median in seconds).
func LogNormal(median time.Duration, sigma float64, r *rand.Rand) Dist {
	mustPositive("log-normal median", median.Seconds())
	mustPositive("log-normal sigma", sigma)
	return Dist{src: distuv.LogNormal{Mu: math.Log(median.Seconds()), Sigma: sigma, Src: r}}
}

// Weibull returns Weibull durations with scale λ and shape k: k < 1 gives
// many short and a few very long runs, k = 1 is exponential.
func Weibull(scale time.Duration, shape float64, r *rand.Rand) Dist {
	mustPositive("Weibull scale", scale.Seconds())
	mustPositive("Weibull shape", shape)
	return Dist{src: distuv.Weibull{Lambda: scale.Seconds(), K: shape, Src: r}}
}

// Pareto returns Pareto durations of at least min with tail index alpha
// (the mean is finite only for alpha > 1).
func Pareto(min time.Duration, alpha float64, r *rand.Rand) Dist {
	mustPositive("Pareto minimum", min.Seconds())
	mustPositive("Pareto alpha", alpha)
	return Dist{src: distuv.Pareto{Xm: min.Seconds(), Alpha: alpha, Src: r}}
}

// empirical resamples a fixed sample uniformly.
type empirical struct {
	vals []float64
	r    *rand.Rand
}

func (e empirical) Rand() float64 { return e.vals[e.r.IntN(len(e.vals))] }

// Empirical returns durations drawn uniformly, with replacement, from sample
// (for example the run times of a task trace). It panics on an empty sample.
func Empirical(sample []time.Duration, r *rand.Rand) Dist {
	if len(sample) == 0 {
		panic("workload: empirical durations need a non-empty sample")
	}
	vals := make([]float64, len(sample))
	for i, d := range slices.Sorted(slices.Values(sample)) {
		vals[i] = d.Seconds()
	}
	return Dist{src: empirical{vals: vals, r: r}}
}

// TaskDurations returns the durations of tasks, for Empirical.
func TaskDurations(tasks []Task) []time.Duration {
	ds := make([]time.Duration, len(tasks))
	for i, t := range tasks {
		ds[i] = t.Duration
	}
	return ds
}

func mustPositive(what string, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		panic(fmt.Sprintf("workload: %s must be positive and finite, got %v", what, v))
	}
}

var _ Durations = Dist{}

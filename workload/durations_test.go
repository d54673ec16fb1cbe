package workload

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/stat"
)

func samples(d Durations, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = d.Sample().Seconds()
	}
	return xs
}

func TestDurationMoments(t *testing.T) {
	// 1e6 seeded draws each, gonum-style; tolerances are relative.
	const n = 1_000_000
	r := func() *rand.Rand { return rand.New(rand.NewPCG(11, 12)) }
	tests := []struct {
		name      string
		d         Durations
		wantMean  float64
		wantMed   float64
		tolerance float64
	}{
		{"exponential with mean 10 s", Exponential(10*time.Second, r()), 10, 10 * math.Ln2, 1e-2},
		{"log-normal with median 60 s and sigma 0.5", LogNormal(time.Minute, 0.5, r()), 60 * math.Exp(0.125), 60, 1e-2},
		{"Weibull with scale 100 s and shape 2", Weibull(100*time.Second, 2, r()), 100 * math.Gamma(1.5), 100 * math.Sqrt(math.Ln2), 1e-2},
		{"Pareto with minimum 5 s and alpha 3", Pareto(5*time.Second, 3, r()), 7.5, 5 * math.Cbrt(2), 1e-2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			xs := samples(tc.d, n)
			assert.InEpsilon(t, tc.wantMean, stat.Mean(xs, nil), tc.tolerance, "mean")
			slices.Sort(xs)
			assert.InEpsilon(t, tc.wantMed, stat.Quantile(0.5, stat.Empirical, xs, nil), tc.tolerance, "median")
		})
	}
}

func TestDurationsAreDeterministicAndRounded(t *testing.T) {
	a := LogNormal(time.Minute, 1, rand.New(rand.NewPCG(3, 3)))
	b := LogNormal(time.Minute, 1, rand.New(rand.NewPCG(3, 3)))
	for range 1000 {
		assert.Equal(t, a.Sample(), b.Sample())
	}
	assert.Equal(t, 90*time.Second, Fixed(90*time.Second).Sample())
	assert.Equal(t, time.Duration(1500), secondsToDuration(1.4999999e-6), "rounded to the nearest nanosecond")
	assert.Equal(t, time.Duration(0), secondsToDuration(-1))
	assert.Equal(t, time.Duration(math.MaxInt64), secondsToDuration(1e300), "capped")
}

func TestEmpiricalResamplesTheTrace(t *testing.T) {
	sample := []time.Duration{1234567891, time.Minute, time.Hour}
	d := Empirical(sample, rand.New(rand.NewPCG(1, 2)))
	seen := map[time.Duration]int{}
	for range 30_000 {
		seen[d.Sample()]++
	}
	assert.Len(t, seen, 3, "only the sample's values, exactly")
	for _, s := range sample {
		assert.InEpsilon(t, 10_000, seen[s], 5e-2, "each value a third of the time: %v", s)
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second}, TaskDurations([]Task{{Duration: time.Second}, {Duration: 2 * time.Second}}))
}

func TestDurationConstructorsPanicOnBadParameters(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	assert.PanicsWithValue(t, "workload: exponential mean must be positive and finite, got 0", func() { Exponential(0, r) })
	assert.Panics(t, func() { LogNormal(time.Second, -1, r) })
	assert.Panics(t, func() { Weibull(time.Second, math.NaN(), r) })
	assert.Panics(t, func() { Pareto(-time.Second, 2, r) })
	assert.Panics(t, func() { Empirical(nil, r) })
}

package workload

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
)

func TestNoiseIsAPureFunctionOfTime(t *testing.T) {
	n := NewNoise(Constant(100), 0.1, rand.New(rand.NewPCG(1, 2)))
	const minutes = 500
	forward := make([]float64, minutes)
	for i := range minutes {
		forward[i] = n.Rate(t0.Add(time.Duration(i) * time.Minute))
	}
	for i := minutes - 1; i >= 0; i-- {
		at := t0.Add(time.Duration(i)*time.Minute + 59*time.Second)
		require.Equal(t, forward[i], n.Rate(at), "minute %d read backwards, late in the minute", i)
	}
	again := NewNoise(Constant(100), 0.1, rand.New(rand.NewPCG(1, 2)))
	assert.Equal(t, forward[17], again.Rate(t0.Add(17*time.Minute)), "same seed, same value")
	other := NewNoise(Constant(100), 0.1, rand.New(rand.NewPCG(3, 4)))
	assert.NotEqual(t, forward[17], other.Rate(t0.Add(17*time.Minute)), "another seed, another value")
}

func TestNoiseMoments(t *testing.T) {
	// 200,000 minutes: the mean factor is within 0.2% of 1 (σ/√n = 0.02%)
	// and its standard deviation within 1% of Sigma.
	n := Noise{Base: Constant(1), Sigma: 0.1, Seed: 42}
	xs := make([]float64, 200_000)
	for i := range xs {
		xs[i] = n.Rate(t0.Add(time.Duration(i) * time.Minute))
	}
	mean, std := stat.MeanStdDev(xs, nil)
	assert.InDelta(t, 1.0, mean, 2e-3)
	assert.InDelta(t, 0.1, std, 1e-3)
}

func TestMeanReverting(t *testing.T) {
	mk := func() MeanReverting {
		return NewMeanReverting(Constant(10), t0, 60*24*time.Hour, time.Hour, 0.1, rand.New(rand.NewPCG(7, 7)))
	}
	a, b := mk(), mk()
	at := t0.Add(1000 * time.Minute)
	assert.Equal(t, a.Rate(at), b.Rate(at), "same seed, same walk")
	assert.Equal(t, a.Rate(at), a.Rate(at.Add(30*time.Second)), "constant within a minute")
	assert.Equal(t, 10.0, a.Rate(t0), "the walk starts at the mean")
	assert.Equal(t, 10.0, a.Rate(t0.Add(-time.Hour)), "factor 1 before Start")
	assert.Equal(t, 10.0, a.Rate(t0.Add(61*24*time.Hour)), "factor 1 after the horizon")

	// Stationary std of X is Sigma; 86,400 minutes with a 60-minute time
	// constant give about 700 independent stretches, so 15% tolerance.
	xs := make([]float64, 0, 86_400)
	for k := 600; k < 86_400; k++ {
		xs = append(xs, a.Factor(t0.Add(time.Duration(k)*time.Minute))-1)
	}
	mean, std := stat.MeanStdDev(xs, nil)
	assert.InDelta(t, 0, mean, 0.02)
	assert.InDelta(t, 0.1, std, 0.015)
	// Lag-60 autocorrelation is exp(-1) for a one-hour time constant.
	assert.InDelta(t, 0.368, stat.Correlation(xs[:len(xs)-60], xs[60:], nil), 0.05)
}

// minuteNormal's reused generator draws what a fresh PCG seeded from the
// pair would, whatever it drew before and from any goroutine.
func TestMinuteNormalIsAFreshGeneratorsFirstDraw(t *testing.T) {
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for k := int64(-50); k < 500; k++ {
				seed := uint64(w)*7919 + uint64(k&3)
				want := rand.New(rand.NewPCG(seed, splitmix64(uint64(k)))).NormFloat64()
				if got := minuteNormal(seed, k); got != want {
					t.Errorf("seed %d, minute %d: %v, a fresh generator draws %v", seed, k, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

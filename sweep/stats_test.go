package sweep

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMeanCIMatchesAHandComputedStudentT(t *testing.T) {
	// {1,2,3,4,5}: mean 3, s = sqrt(10/4) = 1.58114, t(0.975, 4) = 2.776445
	// (tables), half-width = 2.776445 x 1.58114 / sqrt(5) = 1.963243.
	iv := MeanCI([]float64{1, 2, 3, 4, 5}, 0.95)
	assert.Equal(t, 5, iv.N)
	assert.InDelta(t, 3, iv.Mean, 1e-12)
	assert.InDelta(t, 1.963243, iv.HalfWide, 1e-6)
	assert.InDelta(t, 3-1.963243, iv.Lo, 1e-6)
	assert.InDelta(t, 3+1.963243, iv.Hi, 1e-6)
}

func TestMeanCIEdgeCases(t *testing.T) {
	tests := []struct {
		name         string
		xs           []float64
		wantN        int
		wantMean     float64
		wantHalfWide float64 // NaN: no interval
	}{
		{"two values: s = sqrt(2), so t(0.975, 1) x s/sqrt(2) = 12.706205", []float64{10, 12}, 2, 11, 12.706205},
		{"one value has no interval", []float64{7}, 1, 7, math.NaN()},
		{"no value has no mean", nil, 0, math.NaN(), math.NaN()},
		{"NaNs are no data", []float64{math.NaN(), 4, math.NaN()}, 1, 4, math.NaN()},
		{"equal values have a zero-width interval", []float64{2, 2, 2}, 3, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iv := MeanCI(tc.xs, 0.95)
			assert.Equal(t, tc.wantN, iv.N)
			assertNaNOrNear(t, tc.wantMean, iv.Mean)
			assertNaNOrNear(t, tc.wantHalfWide, iv.HalfWide)
		})
	}
}

func assertNaNOrNear(t *testing.T, want, got float64) {
	t.Helper()
	if math.IsNaN(want) {
		assert.True(t, math.IsNaN(got), "want NaN, got %v", got)
		return
	}
	assert.InDelta(t, want, got, 1e-5)
}

func TestTheParetoFrontKeepsTheUndominated(t *testing.T) {
	cost, wait := metricIndex("usd_per_day"), metricIndex("p95_wait_s")
	v := func(usd, waitS float64) VariantSummary {
		s := make([]Interval, len(Metrics))
		for i := range s {
			s[i] = Interval{Mean: math.NaN()}
		}
		s[cost].Mean, s[wait].Mean = usd, waitS
		return VariantSummary{Stats: s}
	}
	vs := []VariantSummary{
		v(10, 30), // cheapest: on the front
		v(20, 5),  // fastest: on the front
		v(15, 10), // in between: on the front
		v(16, 10), // as fast as the one before, dearer: dominated
		v(25, 40), // worse on both: dominated
		v(10, 30), // a tie with the first: neither dominates the other
		v(math.NaN(), 1),
	}
	assert.Equal(t, []bool{true, true, true, false, false, true, false}, ParetoFront(vs, wait, false))
	x, higher := FrontMetric(vs)
	assert.Equal(t, wait, x, "without SLO figures the front uses the p95 wait")
	assert.False(t, higher)
}

func TestTheFrontUsesTheSLOWhenEveryVariantHasOneAndTheyDiffer(t *testing.T) {
	slo, wait := metricIndex("slo_attainment_pct"), metricIndex("p95_wait_s")
	v := func(pct float64) VariantSummary {
		s := make([]Interval, len(Metrics))
		s[slo].Mean = pct
		return VariantSummary{Stats: s}
	}
	tests := []struct {
		name       string
		vs         []VariantSummary
		want       int
		wantHigher bool
	}{
		{"every variant has a different SLO figure", []VariantSummary{v(99.5), v(99.9)}, slo, true},
		{"one variant has none", []VariantSummary{v(99.5), v(math.NaN())}, wait, false},
		{"all are equal: the SLO tells nothing apart", []VariantSummary{v(100), v(100)}, wait, false},
		{"all read 99.99: differences below the report's precision", []VariantSummary{v(99.99), v(99.986), v(99.9862)}, wait, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, higher := FrontMetric(tc.vs)
			assert.Equal(t, tc.want, x)
			assert.Equal(t, tc.wantHigher, higher)
		})
	}
}

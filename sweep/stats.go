package sweep

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Interval is a sample's mean and its confidence interval.
type Interval struct {
	N        int // values that were not NaN
	Mean     float64
	Lo, Hi   float64 // NaN when N < 2
	HalfWide float64 // (Hi - Lo) / 2; NaN when N < 2
}

// MeanCI is the mean of xs (NaNs skipped: no data) and its two-sided
// confidence interval at level (0.95 for 95%) from Student's t with n-1
// degrees of freedom: mean ± t(1-(1-level)/2, n-1) · s/√n, s the sample
// standard deviation (n-1 in the denominator). The runs of a variant are
// independent (distinct seeds), which is what the interval assumes; it says
// nothing of the model's bias.
func MeanCI(xs []float64, level float64) Interval {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	iv := Interval{N: len(v), Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), HalfWide: math.NaN()}
	if len(v) == 0 {
		return iv
	}
	iv.Mean = stat.Mean(v, nil)
	if len(v) < 2 {
		return iv
	}
	// Quantile draws no random numbers, so the distribution needs no Src.
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(v) - 1)}.Quantile(1 - (1-level)/2)
	iv.HalfWide = t * stat.StdDev(v, nil) / math.Sqrt(float64(len(v)))
	iv.Lo, iv.Hi = iv.Mean-iv.HalfWide, iv.Mean+iv.HalfWide
	return iv
}

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

// PairedDiff is the paired difference b − a over the seeds both have a
// value for (a[k] and b[k] ran on the same seed): the mean of the per-seed
// differences and its confidence interval at level, MeanCI of the
// differences. With common random numbers the seed's luck cancels in each
// difference, so the interval is much narrower than the two variants'
// own intervals suggest; it assumes only that the seeds are independent.
func PairedDiff(a, b []float64, level float64) Interval {
	d := make([]float64, 0, min(len(a), len(b)))
	for k := range min(len(a), len(b)) {
		d = append(d, b[k]-a[k]) // NaN when either has no value: skipped
	}
	return MeanCI(d, level)
}

// PairOf is b's paired difference from a on metric i, from their samples;
// for summaries without samples (built from means alone) it is the
// difference of the means, without an interval.
func PairOf(a, b VariantSummary, i int) Interval {
	if len(a.Samples) > i && len(b.Samples) > i {
		return PairedDiff(a.Samples[i], b.Samples[i], ConfidenceLevel)
	}
	d := b.Stats[i].Mean - a.Stats[i].Mean
	return Interval{N: 1, Mean: d, Lo: math.NaN(), Hi: math.NaN(), HalfWide: math.NaN()}
}

// Verdict says whether a difference d (the other variant minus this one)
// makes the other better (+1), worse (-1) or neither (0). A difference is a
// tie when its mean rounds to zero at the metric's displayed decimals, or
// when its confidence interval (if it has one) holds zero: seed noise is
// not a reason to prefer a variant.
func Verdict(d Interval, decimals int, higherIsBetter bool) int {
	if math.IsNaN(d.Mean) || resolvedZero(d.Mean, decimals) {
		return 0
	}
	if !math.IsNaN(d.HalfWide) && d.Lo <= 0 && d.Hi >= 0 {
		return 0
	}
	if (d.Mean > 0) == higherIsBetter {
		return 1
	}
	return -1
}

// resolvedZero reports whether x reads as zero with the given decimals.
func resolvedZero(x float64, decimals int) bool {
	return math.Abs(x) < 0.5*math.Pow10(-decimals)
}

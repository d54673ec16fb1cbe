package autoscale

import (
	"math"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// X marks a missing datapoint in dps().
var X = math.NaN()

// dps builds one-minute datapoints, oldest first; NaN is missing.
func dps(vals ...float64) []Datapoint {
	out := make([]Datapoint, len(vals))
	for i, v := range vals {
		out[i] = Datapoint{Minute: des.At(time.Duration(i) * time.Minute), Value: v, Missing: math.IsNaN(v)}
	}
	return out
}

// repeat returns n copies of v.
func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func minute(n int) des.Time { return des.At(time.Duration(n) * time.Minute) }

func intp(v int) *int { return &v }

func timeOf(d time.Duration) des.Time { return des.At(d) }

type desTime = des.Time

package workload

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var t0 = time.Date(2026, 1, 14, 0, 0, 0, 0, time.UTC) // a Wednesday

func TestConstantStepRamp(t *testing.T) {
	step := NewStep(t0, 5, StepAt{Offset: 2 * time.Hour, RatePerSec: 30}, StepAt{Offset: time.Hour, RatePerSec: 20})
	ramp := Ramp{From: t0, To: t0.Add(time.Hour), FromRate: 10, ToRate: 70}
	tests := []struct {
		name string
		p    Pattern
		at   time.Time
		want float64
	}{
		{"a constant is the same at any instant", Constant(7), t0.Add(1234 * time.Hour), 7},
		{"a negative constant is read as zero", Constant(-3), t0, 0},
		{"a step holds its initial rate before the first step", step, t0.Add(59 * time.Minute), 5},
		{"a step holds its initial rate before its start", step, t0.Add(-time.Hour), 5},
		{"steps given out of order are sorted: 1h applies at 1h", step, t0.Add(time.Hour), 20},
		{"the last step holds forever", step, t0.Add(100 * time.Hour), 30},
		{"a ramp holds its start rate before From", ramp, t0.Add(-time.Minute), 10},
		{"a ramp is halfway at half time", ramp, t0.Add(30 * time.Minute), 40},
		{"a ramp holds its end rate after To", ramp, t0.Add(2 * time.Hour), 70},
		{"a ramp with To before From is a step at From", Ramp{From: t0, To: t0, FromRate: 1, ToRate: 2}, t0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, tc.p.Rate(tc.at), 1e-9)
		})
	}
}

func TestSpike(t *testing.T) {
	s := Spike{Base: Constant(100), Start: t0, Rise: 10 * time.Minute, Decay: 30 * time.Minute, Multiplier: 5}
	add := Spike{Start: t0, Rise: 0, Decay: time.Hour, AddedRate: 50}
	tests := []struct {
		name string
		p    Pattern
		at   time.Time
		want float64
	}{
		{"before the spike the base rate holds", s, t0.Add(-time.Second), 100},
		{"halfway up the rise the rate is halfway to the peak", s, t0.Add(5 * time.Minute), 300},
		{"at the end of the rise the rate is base times the multiplier", s, t0.Add(10 * time.Minute), 500},
		{"one decay constant after the peak 1/e of the excess remains", s, t0.Add(40 * time.Minute), 100 + 400/math.E},
		{"an added-rate spike with no base jumps to the added rate", add, t0, 50},
		{"an added-rate spike halves after ln 2 decay constants", add, t0.Add(time.Duration(math.Round(math.Ln2 * float64(time.Hour)))), 25},
		{"a spike with no decay ends after its peak", Spike{Start: t0, Rise: time.Minute, AddedRate: 9}, t0.Add(2 * time.Minute), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, tc.p.Rate(tc.at), 1e-6)
		})
	}
}

func TestCompose(t *testing.T) {
	ramp := Ramp{From: t0, To: t0.Add(time.Hour), FromRate: 0, ToRate: 100}
	tests := []struct {
		name string
		p    Pattern
		at   time.Time
		want float64
	}{
		{"a sum adds its parts", Sum{Constant(1), Constant(2), ramp}, t0.Add(30 * time.Minute), 53},
		{"an empty sum is zero", Sum{}, t0, 0},
		{"a product multiplies its parts", Product{Constant(3), ramp}, t0.Add(30 * time.Minute), 150},
		{"an empty product is one", Product{}, t0, 1},
		{"scale multiplies by its factor", Scale{P: ramp, Factor: 0.5}, t0.Add(time.Hour), 50},
		{"clip raises a rate below Min", Clip{P: ramp, Min: 10, Max: 60}, t0, 10},
		{"clip lowers a rate above Max", Clip{P: ramp, Min: 10, Max: 60}, t0.Add(time.Hour), 60},
		{"clip with Max 0 has no upper bound", Clip{P: ramp, Min: 10}, t0.Add(time.Hour), 100},
		{"shift plays the pattern later", Shift{P: ramp, By: time.Hour}, t0.Add(90 * time.Minute), 50},
		{"a PatternFunc is called", PatternFunc(func(at time.Time) float64 { return float64(at.Hour()) }), t0.Add(5 * time.Hour), 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, tc.p.Rate(tc.at), 1e-9)
		})
	}
}

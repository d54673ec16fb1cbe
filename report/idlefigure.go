package report

import (
	"image/color"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

// idleColours are the causes' colours in the idle figure: resources left
// on busy instances in blues and green, empty instances kept on purpose in
// orange and purple, instances coming and going in greys and yellow.
var idleColours = [numIdleCauses]color.Color{
	IdleRoom: colour(0), IdleMemoryLeft: colour(4), IdleCPULeft: colour(2),
	IdleMinSize: colour(1), IdleTarget: colour(5), IdleScaleIn: colour(3), IdleFixed: tint(colour(3), 0x90),
	IdleWarmup: colour(7), IdleBoot: color.Gray{Y: 0x50}, IdleDraining: tint(colour(6), 0x50),
	IdleBilling: color.Gray{Y: 0xB0},
}

// idleFigure stacks the idle EC2 capacity's cost rate by cause, in
// buckets of ex.Step: the top edge is the idle part of the EC2 cost rate.
// Nil when nothing was idle.
func idleFigure(res *sim.Result, ex *IdleExplanation) (*Figure, error) {
	if ex == nil || ex.USD <= 0 || len(ex.Causes) == 0 {
		return nil, nil
	}
	f := newFigure(res, "idle-capacity", "Idle EC2 capacity by cause", "USD per hour",
		"What no task reserved of the EC2 instances billed, in dollars per hour of each "+span(des.At(ex.Step))+
			", stacked by what kept it (the table under Cost says how much each cause held, with its numbers); "+
			"the top edge is the idle part of the cost rate above.")
	f.idle = ex
	n := len(ex.Rate[IdleRoom])
	times := make([]des.Time, n+1)
	for k := range n {
		times[k] = des.At(time.Duration(k) * ex.Step)
	}
	times[n] = res.End
	x := xs(res, times)
	stack := make([]float64, n+1)
	var ss []series
	for c := range IdleBilling { // the billing minimum has no time of its own
		if !slices.ContainsFunc(ex.Causes, func(s IdleShare) bool { return s.Cause == c }) {
			continue // too small to name
		}
		y := make([]float64, n+1)
		for k := range n {
			stack[k] += ex.Rate[c][k]
			y[k] = stack[k]
		}
		y[n] = y[n-1]
		ss = append(ss, series{label: idleLabels[c], x: x, y: y, color: idleColours[c], fill: true, stacked: true})
	}
	slices.Reverse(ss) // tallest first, so that each band shows
	err := f.addSeries(ss...)
	headroom(f.plot)
	return f, err
}

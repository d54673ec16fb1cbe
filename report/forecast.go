package report

import (
	"fmt"
	"math"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// forecastFigure plots a service's predictive scaling forecast against what
// happened: the forecast capacity of each hour (ceil(forecast load /
// target)), the capacity the load measured needed in that hour (its
// hourly mean load metric / target), and the desired count. Nil when the
// service has no predictive scaling policy or the run recorded no
// per-service series.
func forecastFigure(res *sim.Result, inc *incidents, i int) (*Figure, error) {
	cfg := &res.Config.Services[i]
	if cfg.AutoScaling == nil || len(cfg.AutoScaling.Predictive) == 0 {
		return nil, nil
	}
	col := func(m schema.Measure) []float64 { return column(res, schema.ServiceColumn(cfg.Name, m)) }
	fc, lm := col(schema.ServiceForecastCapacity), col(schema.ServiceLoadMetric)
	if fc == nil || lm == nil {
		return nil, nil
	}
	p := cfg.AutoScaling.Predictive[0]
	f := newFigure(res, fmt.Sprintf("service-%d-forecast", i+1), "Service "+cfg.Name+": predictive scaling forecast against the load", "tasks",
		fmt.Sprintf("Predictive scaling policy %q (%s, target %g): the forecast capacity of each hour, ceil(forecast %s / %g), "+
			"missing until the metric has 24 hours of data; the capacity the load measured in that hour needed (its hourly mean / target); "+
			"and the desired count, which target tracking raises above the forecast when the load exceeds it.",
			p.Name, p.Mode, p.TargetValue, p.LoadMetric, p.TargetValue))
	ms := serviceMarks(res, inc, cfg.Name)
	f.addMarks(ms)
	x := xs(res, res.Series.Times)
	ss := []series{
		{label: "needed (hourly, measured)", x: x, y: hourlyMean(res, lm, p.TargetValue), color: tint(colour(5), 0xc0), width: 4},
		{label: "forecast capacity", x: x, y: fc, color: colour(4)},
	}
	if d := col(schema.ServiceDesired); d != nil {
		ss = append(ss, series{label: "desired", x: x, y: d, color: colour(6), dashes: dashed, width: 1.2})
	}
	if err := f.addSeries(ss...); err != nil {
		return nil, err
	}
	headroom(f.plot)
	f.keyMarks(ms)
	return f, nil
}

// hourlyMean returns, at each sample, the mean of v / per over the sample's
// hour from the run's start (missing samples left out; NaN for an hour
// without data).
func hourlyMean(res *sim.Result, v []float64, per float64) []float64 {
	out := make([]float64, len(v))
	hour := func(j int) int64 { return int64(res.Series.Times[j].Duration() / time.Hour) }
	for j := 0; j < len(v); {
		k, sum, n := j, 0.0, 0
		for ; k < len(v) && hour(k) == hour(j); k++ {
			if !math.IsNaN(v[k]) {
				sum += v[k]
				n++
			}
		}
		m := math.NaN()
		if n > 0 {
			m = sum / float64(n) / per
		}
		for ; j < k; j++ {
			out[j] = m
		}
	}
	return out
}

package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// predictSchema is one [[services.auto_scaling.predictive_scaling]]
// policy: a PredictiveScalingPolicyConfiguration with one metric
// specification (a predefined metric pair), plus the forecast model's
// settings (a choice: AWS's model is not published).
type predictSchema struct {
	Name                      string   `toml:"name"`
	PredefinedMetricPair      string   `toml:"predefined_metric_pair"`
	TargetValue               float64  `toml:"target_value" max:"1e10" why:"AWS: PredictiveScalingMetricSpecification"`
	Mode                      string   `toml:"mode"`
	SchedulingBufferTime      Duration `toml:"scheduling_buffer_time" min:"0s" max:"3599s" why:"AWS: less than the 3600 s forecast interval"`
	MaxCapacityBreachBehavior string   `toml:"max_capacity_breach_behavior"`
	MaxCapacityBuffer         *int     `toml:"max_capacity_buffer" min:"0" max:"100" why:"AWS: a percentage of the forecast capacity"`
	ForecastSeason            Duration `toml:"forecast_season" min:"1h" max:"336h" why:"within the 14 days predictive scaling analyses"`
	ForecastSeasons           int      `toml:"forecast_seasons" min:"0" max:"336"`
	ForecastDecay             float64  `toml:"forecast_decay" min:"0" max:"1"`
}

// names of predictive scaling's enumerations, in the enums' order.
var (
	// AWS (PredictiveScalingPredefinedMetricPair, for ECS services).
	predictivePairNames = []string{"ECSServiceCPUUtilization", "ECSServiceMemoryUtilization", "ALBRequestCount"}
	predictiveLoads     = []autoscale.MetricName{autoscale.ECSServiceTotalCPUUtilization,
		autoscale.ECSServiceTotalMemoryUtilization, autoscale.ALBTargetGroupRequestCount}
	predictiveModeNames = []string{autoscale.ForecastOnly.String(), autoscale.ForecastAndScale.String()}
	maxBreachNames      = []string{autoscale.HonorMaxCapacity.String(), autoscale.IncreaseMaxCapacity.String()}
	// AWS (PredefinedMetricSpecification, 2026-06): the 20-second versions
	// of the ECS utilization metrics, for target tracking.
	highResolutionNames = []string{"ECSServiceAverageCPUUtilizationHighResolution", "ECSServiceAverageMemoryUtilizationHighResolution"}
	// targetTrackingPredefinedNames is what target tracking's
	// predefined_metric takes.
	targetTrackingPredefinedNames = append(slices.Clone(predefinedNames), highResolutionNames...)
)

// highResolutionBase returns the standard metric a HighResolution metric
// type is the 20-second version of, and whether it is one; any other name
// is returned as it is.
func highResolutionBase(name string) (string, bool) {
	switch name {
	case highResolutionNames[0]:
		return string(autoscale.ECSServiceAverageCPUUtilization), true
	case highResolutionNames[1]:
		return string(autoscale.ECSServiceAverageMemoryUtilization), true
	}
	return name, false
}

// targetTrackingPredefined checks a target tracking policy's
// predefined_metric against the names it takes (the HighResolution ones
// included) and returns the standard metric it tracks; an unknown name is
// reported here once, and read as the CPU metric.
func (v *validator) targetTrackingPredefined(path []string, name string) string {
	if name != "" && !slices.Contains(targetTrackingPredefinedNames, name) {
		v.enum(append(slices.Clone(path), "predefined_metric"), targetTrackingPredefinedNames, name, 0)
		return string(autoscale.ECSServiceAverageCPUUtilization)
	}
	base, _ := highResolutionBase(name)
	return base
}

func (v *validator) predictiveScaling(path []string, ps []predictSchema) []autoscale.PredictiveScalingConfig {
	var out []autoscale.PredictiveScalingConfig
	for i, p := range ps {
		out = append(out, v.predictivePolicy(append(slices.Clone(path), strconv.Itoa(i)), p, i))
	}
	return out
}

func (v *validator) predictivePolicy(path []string, p predictSchema, i int) autoscale.PredictiveScalingConfig {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	c := autoscale.PredictiveScalingConfig{Name: p.Name, TargetValue: p.TargetValue,
		Mode:                      autoscale.PredictiveMode(v.enum(k("mode"), predictiveModeNames, p.Mode, 0)),
		MaxCapacityBreachBehavior: autoscale.MaxCapacityBreach(v.enum(k("max_capacity_breach_behavior"), maxBreachNames, p.MaxCapacityBreachBehavior, 0)),
		SchedulingBufferTime:      p.SchedulingBufferTime.Duration,
		Model:                     autoscale.SeasonalModel{Season: p.ForecastSeason.Duration, Seasons: p.ForecastSeasons, Decay: p.ForecastDecay},
	}
	if c.Name == "" {
		c.Name = fmt.Sprintf("predictive-scaling-%d", i)
	}
	pair := 0
	if p.PredefinedMetricPair == "" {
		v.bad(k("predefined_metric_pair"), "one of "+joinNames(predictivePairNames), "none")
	} else {
		pair = v.enum(k("predefined_metric_pair"), predictivePairNames, p.PredefinedMetricPair, 0)
	}
	c.LoadMetric = predictiveLoads[pair]
	if p.SchedulingBufferTime.Set && p.SchedulingBufferTime.Duration == 0 {
		c.SchedulingBufferTime = autoscale.NoSchedulingBuffer
	}
	if p.SchedulingBufferTime.Duration < 0 || p.SchedulingBufferTime.Duration >= autoscale.ForecastInterval {
		v.bad(k("scheduling_buffer_time"), "a buffer from 0s to 59m59s (less than the 3600 s forecast interval)", p.SchedulingBufferTime.String())
	}
	if p.TargetValue <= 0 || p.TargetValue > 1e10 || (pair != 2 && p.TargetValue > 100) {
		v.bad(k("target_value"), "a target above 0 (at most 100 for a utilization)", fmt.Sprint(p.TargetValue))
	}
	switch {
	case p.MaxCapacityBuffer != nil && c.MaxCapacityBreachBehavior != autoscale.IncreaseMaxCapacity:
		// AWS (MaxCapacityBuffer): "Required if the MaxCapacityBreachBehavior
		// property is set to IncreaseMaxCapacity, and cannot be used otherwise."
		v.bad(k("max_capacity_buffer"), "max_capacity_buffer only with max_capacity_breach_behavior = \"IncreaseMaxCapacity\"", fmt.Sprint(*p.MaxCapacityBuffer))
	case p.MaxCapacityBuffer == nil && c.MaxCapacityBreachBehavior == autoscale.IncreaseMaxCapacity:
		v.bad(k("max_capacity_buffer"), "a buffer from 0 to 100 (required with IncreaseMaxCapacity)", "none")
	case p.MaxCapacityBuffer != nil:
		c.MaxCapacityBuffer = *p.MaxCapacityBuffer
	}
	if s := p.ForecastSeason.Duration; p.ForecastSeason.Set && (s < time.Hour || s%time.Hour != 0 || s > autoscale.ForecastLookback) {
		v.bad(k("forecast_season"), "a whole number of hours from 1h to 336h (14 days)", p.ForecastSeason.String())
	}
	if p.ForecastDecay < 0 || p.ForecastDecay > 1 {
		v.bad(k("forecast_decay"), "a weight from 0 (the default, 0.5) to 1", fmt.Sprint(p.ForecastDecay))
	}
	if !v.rejectedUnder(path) {
		if _, err := autoscale.NewPredictiveScaling(c); err != nil {
			v.bad(path, "a valid predictive scaling policy", oneLine(err))
		}
	}
	return c
}

// rejectedUnder reports whether a problem was reported at or under path.
func (v *validator) rejectedUnder(path []string) bool {
	for _, key := range []string{"mode", "max_capacity_breach_behavior", "predefined_metric_pair", "scheduling_buffer_time",
		"target_value", "max_capacity_buffer", "forecast_season", "forecast_decay"} {
		if v.rejected(append(slices.Clone(path), key)) {
			return true
		}
	}
	return false
}

// metricPeriod is the period of a service's scaling metrics: 20 s when its
// target tracking policies track ECS's HighResolution metrics, else 60 s.
// The simulator evaluates a service's policies on one period, so a service
// may not mix them, nor have step scaling (60 s alarms) beside them.
func (v *validator) metricPeriod(path []string, a *autoScalingSchema) time.Duration {
	high, standard := -1, -1
	for i, t := range a.TargetTracking {
		if _, hr := highResolutionBase(t.PredefinedMetric); hr {
			high = i
		} else {
			standard = i
		}
	}
	if high < 0 {
		return 0
	}
	key := append(slices.Clone(path), "target_tracking", strconv.Itoa(high), "predefined_metric")
	switch {
	case standard >= 0:
		v.badHint(key, "the same metric period for every target tracking policy of the service",
			fmt.Sprintf("%s (20 s) beside target_tracking.%d at 60 s", a.TargetTracking[high].PredefinedMetric, standard),
			"use the HighResolution metric types in all of them, or in none")
	case len(a.StepScaling) > 0:
		v.badHint(key, "no step_scaling beside a high-resolution target tracking policy", fmt.Sprintf("%d step scaling policies", len(a.StepScaling)),
			"the simulator evaluates a service's policies on one metric period")
	}
	return autoscale.HighResolutionPeriod
}

// predictiveService checks what predictive scaling and high-resolution
// metrics need of the service: a load to measure, a load balancer for the
// request count, and no queue (its metric is a minute's backlog).
func (v *validator) predictiveService(path []string, s serviceSchema, sc *ecs.ServiceConfig) {
	ac := sc.AutoScaling
	if ac == nil {
		return
	}
	asPath := append(slices.Clone(path), "auto_scaling")
	if len(ac.Predictive) > 0 && sc.Load == nil {
		v.bad(asPath, "a [services.load] section to drive the predictive scaling policy's load metric", "none")
	}
	for i, p := range ac.Predictive {
		if p.LoadMetric == autoscale.ALBTargetGroupRequestCount && sc.LoadBalancer == nil {
			v.bad(append(slices.Clone(asPath), "predictive_scaling", strconv.Itoa(i), "predefined_metric_pair"),
				"a load_balancer on the service for ALBRequestCount", "none")
		}
	}
	if ac.MetricPeriod > 0 && ac.MetricPeriod < autoscale.Period && s.Load != nil && s.Load.Queue {
		v.bad(append(slices.Clone(asPath), "target_tracking"), "standard-resolution (60 s) metrics for a queue consumer", "a HighResolution metric type")
	}
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

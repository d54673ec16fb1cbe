package autoscale

import (
	"fmt"
	"math"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Predictive scaling's load metrics for ECS services: what the forecast is
// made of. AWS (Application Auto Scaling API, PredictiveScalingPredefinedMetricPair
// and PredictiveScalingPredefinedLoadMetric): the pairs ECSServiceCPUUtilization,
// ECSServiceMemoryUtilization and ALBRequestCount forecast the load metric
// ECSServiceTotalCPUUtilization, ECSServiceTotalMemoryUtilization or
// ALBTargetGroupRequestCount, and scale so that the scaling metric (the
// average per task) meets the target. Here a total utilization is the
// tasks' utilization summed (average x tasks, in task-percent), and the
// request count is the target group's requests per minute.
const (
	ECSServiceTotalCPUUtilization    MetricName = "ECSServiceTotalCPUUtilization"
	ECSServiceTotalMemoryUtilization MetricName = "ECSServiceTotalMemoryUtilization"
	ALBTargetGroupRequestCount       MetricName = "ALBTargetGroupRequestCount"
)

// PredictiveMode is a predictive scaling policy's Mode.
type PredictiveMode uint8

// AWS (PredictiveScalingPolicyConfiguration Mode): ForecastOnly (the
// default) forecasts and does not scale; ForecastAndScale scales on the
// forecast.
const (
	ForecastOnly PredictiveMode = iota
	ForecastAndScale
)

var predictiveModeNames = [...]string{"ForecastOnly", "ForecastAndScale"}

// String returns the API's spelling.
func (m PredictiveMode) String() string {
	if int(m) < len(predictiveModeNames) {
		return predictiveModeNames[m]
	}
	return "PredictiveMode(?)"
}

// MaxCapacityBreach is a predictive scaling policy's MaxCapacityBreachBehavior.
type MaxCapacityBreach uint8

// AWS (PredictiveScalingPolicyConfiguration MaxCapacityBreachBehavior):
// HonorMaxCapacity (the default) never goes above the maximum capacity;
// IncreaseMaxCapacity may, up to the forecast capacity plus MaxCapacityBuffer
// percent of it.
const (
	HonorMaxCapacity MaxCapacityBreach = iota
	IncreaseMaxCapacity
)

var maxBreachNames = [...]string{"HonorMaxCapacity", "IncreaseMaxCapacity"}

// String returns the API's spelling.
func (b MaxCapacityBreach) String() string {
	if int(b) < len(maxBreachNames) {
		return maxBreachNames[b]
	}
	return "MaxCapacityBreach(?)"
}

// AWS's documented numbers for predictive scaling.
//
// AWS (Application Auto Scaling User Guide, "How Application Auto Scaling
// predictive scaling works"): the metric needs at least 24 hours of data
// before a forecast; the policy analyses up to the past 14 days and makes
// an hourly forecast for the next 48 hours, updated every 6 hours.
// AWS (PredictiveScalingConfiguration SchedulingBufferTime, EC2 Auto Scaling
// API, which the Application Auto Scaling field mirrors): 300 s when not
// given, less than the forecast interval of 3600 s.
const (
	ForecastMinimumHistory      = 24 * time.Hour
	ForecastLookback            = 14 * 24 * time.Hour
	ForecastHorizon             = 48 * time.Hour
	ForecastRefresh             = 6 * time.Hour
	ForecastInterval            = time.Hour
	DefaultSchedulingBufferTime = 300 * time.Second
)

// NoSchedulingBuffer asks for a zero SchedulingBufferTime; a zero Duration
// means "the default" (300 s).
const NoSchedulingBuffer time.Duration = -1

// SeasonalModel is the forecast model, a choice: AWS's model is a machine
// learning black box ("analyzing metric data from up to the past 14 days to
// identify patterns"). The forecast of an hour is the weighted mean of the
// load of the same hour one, two ... Seasons seasons earlier (those within
// the history and the 14-day lookback), the season k back weighing
// Decay^(k-1). Zero values take the defaults: a season of 24 h, as many
// seasons as the 14 days hold, Decay 0.5.
type SeasonalModel struct {
	Season  time.Duration // a whole number of hours
	Seasons int
	Decay   float64 // in (0, 1]
}

// Default seasonal model values (choice).
const (
	DefaultSeason      = 24 * time.Hour
	DefaultSeasonDecay = 0.5
)

func (m SeasonalModel) withDefaults() SeasonalModel {
	if m.Season == 0 {
		m.Season = DefaultSeason
	}
	if m.Seasons == 0 {
		m.Seasons = max(int(ForecastLookback/m.Season), 1)
	}
	if m.Decay == 0 {
		m.Decay = DefaultSeasonDecay
	}
	return m
}

// PredictiveScalingConfig is a PredictiveScalingPolicyConfiguration with one
// metric specification (AWS supports only one): the load metric forecast and
// the target of the scaling metric per task, plus the forecast model.
type PredictiveScalingConfig struct {
	Name        string
	LoadMetric  MetricName
	TargetValue float64 // the scaling metric's target: load per task
	Mode        PredictiveMode
	// SchedulingBufferTime: 0 means 300 s, NoSchedulingBuffer none.
	SchedulingBufferTime      time.Duration
	MaxCapacityBreachBehavior MaxCapacityBreach
	MaxCapacityBuffer         int // percent of the forecast capacity; IncreaseMaxCapacity only
	Model                     SeasonalModel
}

// PredictiveScaling is a Policy that forecasts its load metric from its
// history and, in ForecastAndScale mode, raises capacity ahead of the
// forecast. It never scales in.
//
// AWS (User Guide, "How Application Auto Scaling predictive scaling works"):
// "If the forecast expects a decrease in load, predictive scaling will not
// scale in to remove capacity"; in ForecastOnly mode it "generates capacity
// forecasts but does not actually scale". AWS (EC2 Auto Scaling User Guide,
// "Predictive scaling"; ECS's launch post): with dynamic scaling policies
// beside it, the larger capacity wins - the forecast capacity is a floor a
// target tracking scale-in does not go under, and target tracking scales out
// above it (ScalableTarget.Evaluate).
//
// Timeline: forecasts are made at multiples of ForecastRefresh from time zero
// (choice: AWS refreshes every 6 hours from when the policy was created),
// the first once the metric has ForecastMinimumHistory of data; each covers
// the ForecastHorizon of hours from the one under way. Hours are counted
// from time zero (choice: the scenario's start, on the hour in the library).
// The capacity of an hour is ceil(forecast load / TargetValue), in force from
// SchedulingBufferTime before the hour starts.
type PredictiveScaling struct {
	cfg    PredictiveScalingConfig
	buffer time.Duration

	hours     []hourLoad // the load metric's hourly means, by hour from time zero
	seen      des.Time   // minutes before this were ingested
	first     des.Time   // the first real datapoint's minute; -1 none yet
	lastData  des.Time   // the end of the newest real datapoint
	refreshed des.Time   // the last refresh time; -1 none
	made      des.Time   // when the forecast in use was made; -1 none

	fromHour int       // the forecast's first hour
	forecast []float64 // load per hour from fromHour
	floorCap int       // the capacity in force after the last Evaluate (-1: none)
	raiseTo  int       // the maximum IncreaseMaxCapacity asks for (0: none)
}

type hourLoad struct {
	sum float64
	n   int
}

var _ Policy = (*PredictiveScaling)(nil)

// NewPredictiveScaling fills defaults and validates c.
func NewPredictiveScaling(c PredictiveScalingConfig) (*PredictiveScaling, error) {
	c.Model = c.Model.withDefaults()
	buffer := c.SchedulingBufferTime
	switch {
	case buffer == 0:
		buffer = DefaultSchedulingBufferTime
	case buffer < 0:
		buffer = 0
	}
	switch {
	case !(c.TargetValue > 0) || math.IsInf(c.TargetValue, 0):
		return nil, fmt.Errorf("%w %q: TargetValue %g must be > 0", ErrPolicyConfig, c.Name, c.TargetValue)
	case buffer >= ForecastInterval:
		return nil, fmt.Errorf("%w %q: SchedulingBufferTime %s must be less than %s", ErrPolicyConfig, c.Name, buffer, ForecastInterval)
	case c.Mode > ForecastAndScale || c.MaxCapacityBreachBehavior > IncreaseMaxCapacity:
		return nil, fmt.Errorf("%w %q: unknown mode or max capacity breach behavior", ErrPolicyConfig, c.Name)
	case c.MaxCapacityBuffer < 0 || c.MaxCapacityBuffer > 100:
		return nil, fmt.Errorf("%w %q: MaxCapacityBuffer %d must be 0 to 100", ErrPolicyConfig, c.Name, c.MaxCapacityBuffer)
	case c.MaxCapacityBuffer != 0 && c.MaxCapacityBreachBehavior != IncreaseMaxCapacity:
		return nil, fmt.Errorf("%w %q: MaxCapacityBuffer is used only with IncreaseMaxCapacity", ErrPolicyConfig, c.Name)
	case c.Model.Season < ForecastInterval || c.Model.Season%ForecastInterval != 0 || c.Model.Seasons < 1 ||
		!(c.Model.Decay > 0 && c.Model.Decay <= 1):
		return nil, fmt.Errorf("%w %q: forecast model: season %s must be whole hours, seasons %d >= 1, decay %g in (0, 1]",
			ErrPolicyConfig, c.Name, c.Model.Season, c.Model.Seasons, c.Model.Decay)
	}
	return &PredictiveScaling{cfg: c, buffer: buffer, first: -1, refreshed: -1, made: -1, floorCap: -1}, nil
}

// Name returns the policy name.
func (p *PredictiveScaling) Name() string { return p.cfg.Name }

// Metric returns the load metric the policy forecasts.
func (p *PredictiveScaling) Metric() MetricName { return p.cfg.LoadMetric }

// Config returns the configuration with defaults filled in.
func (p *PredictiveScaling) Config() PredictiveScalingConfig { return p.cfg }

// SchedulingBuffer returns the SchedulingBufferTime in force.
func (p *PredictiveScaling) SchedulingBuffer() time.Duration { return p.buffer }

// Observe does nothing: predictive scaling has no cooldowns.
func (p *PredictiveScaling) Observe(des.Time, int, int) {}

// Evaluate ingests the datapoints it has not seen, refreshes the forecast
// when one is due, and in ForecastAndScale mode asks for the capacity of the
// hour starting within SchedulingBufferTime when it is above the current one.
func (p *PredictiveScaling) Evaluate(now des.Time, in Input) (Decision, bool) {
	p.ingest(in.Datapoints)
	p.refresh(now)
	p.floorCap, p.raiseTo = -1, 0
	if p.cfg.Mode != ForecastAndScale {
		return Decision{}, false
	}
	hour := hourOf(now + des.At(p.buffer))
	load, ok := p.loadAt(hour)
	if !ok {
		return Decision{}, false
	}
	want, maxCap := p.capacity(load, in.Min, in.Max)
	p.floorCap = want
	if maxCap > in.Max {
		p.raiseTo = maxCap
	}
	if want <= in.Current {
		return Decision{}, false
	}
	return Decision{Desired: want, Reason: fmt.Sprintf(
		"predictive scaling %q: forecast %s %.4g for hour %d (from %s, %s ahead): ceil(%.4g / %.4g) = %d",
		p.cfg.Name, p.cfg.LoadMetric, load, hour, at(des.At(time.Duration(hour)*ForecastInterval)), p.buffer,
		load, p.cfg.TargetValue, want)}, true
}

// capacity returns the capacity for a forecast load and the maximum it may
// reach. AWS (MaxCapacityBuffer): "if the buffer is 10 ... the forecast
// capacity is 50, and the maximum capacity is 40, then the effective maximum
// capacity is 55"; with 0, capacity may reach but not exceed the forecast.
func (p *PredictiveScaling) capacity(load float64, minCap, maxCap int) (int, int) {
	want := ceilCapacity(load / p.cfg.TargetValue)
	if p.cfg.MaxCapacityBreachBehavior == IncreaseMaxCapacity {
		eff := ceilCapacity(float64(want) * (1 + float64(p.cfg.MaxCapacityBuffer)/100))
		if eff > maxCap {
			return max(want, minCap), eff
		}
	}
	return clamp(want, minCap, maxCap), maxCap
}

// floor reports the capacity the last Evaluate put in force (ForecastAndScale
// with a forecast for the hour) and the maximum capacity IncreaseMaxCapacity
// asks for (0: none). ScalableTarget reads it to combine the policies.
func (p *PredictiveScaling) floor() (capacity, raiseMax int, ok bool) {
	return p.floorCap, p.raiseTo, p.floorCap >= 0
}

// ingest adds the datapoints newer than those seen to the hourly means.
func (p *PredictiveScaling) ingest(dps []Datapoint) {
	for _, dp := range dps {
		if dp.Minute < p.seen {
			continue
		}
		p.seen = dp.Minute + des.At(Period)
		if dp.Missing || math.IsNaN(dp.Value) {
			continue
		}
		if p.first < 0 {
			p.first = dp.Minute
		}
		p.lastData = dp.Minute + des.At(Period)
		h := hourOf(dp.Minute)
		for len(p.hours) <= h {
			p.hours = append(p.hours, hourLoad{})
		}
		p.hours[h].sum += dp.Value
		p.hours[h].n++
	}
}

// HasHistory reports whether the metric has the 24 hours of data a forecast
// needs, at the newest datapoint ingested.
func (p *PredictiveScaling) HasHistory() bool {
	return p.first >= 0 && p.lastData-p.first >= des.At(ForecastMinimumHistory)
}

// refresh makes a new forecast at each ForecastRefresh boundary reached, once
// the metric has its 24 hours of data.
func (p *PredictiveScaling) refresh(now des.Time) {
	due := des.At(ForecastRefresh) * (now / des.At(ForecastRefresh))
	if due <= p.refreshed {
		return
	}
	p.refreshed = due
	if !p.HasHistory() {
		return
	}
	p.made = now
	p.fromHour = hourOf(now) // choice: from the hour under way, so that it is never left without one
	n := int(ForecastHorizon / ForecastInterval)
	p.forecast = p.forecast[:0]
	known := hourOf(p.lastData) // hours before this one are complete
	for h := p.fromHour; h < p.fromHour+n; h++ {
		p.forecast = append(p.forecast, p.seasonal(h, known))
	}
}

// seasonal is the model's forecast of hour h from the complete hours before
// known: the weighted mean of the same hour in past seasons. NaN when no
// season has data for it.
func (p *PredictiveScaling) seasonal(h, known int) float64 {
	m := p.cfg.Model
	step := int(m.Season / ForecastInterval)
	lookback := int(ForecastLookback / ForecastInterval)
	var sum, weights float64
	w := 1.0
	for k, used := 1, 0; used < m.Seasons; k++ {
		past := h - k*step
		if past < 0 || known-past > lookback {
			break
		}
		if past >= known {
			continue // that season's hour is not observed yet: look further back
		}
		used++
		if past < len(p.hours) && p.hours[past].n > 0 {
			sum += w * p.hours[past].sum / float64(p.hours[past].n)
			weights += w
		}
		w *= m.Decay
	}
	if weights == 0 {
		return math.NaN()
	}
	return sum / weights
}

// loadAt returns the forecast load of hour h, if the forecast covers it.
func (p *PredictiveScaling) loadAt(h int) (float64, bool) {
	i := h - p.fromHour
	if p.made < 0 || i < 0 || i >= len(p.forecast) || math.IsNaN(p.forecast[i]) {
		return 0, false
	}
	return p.forecast[i], true
}

// Forecast returns the forecast load and capacity of the hour containing at
// (what the report draws against the actual load), ok false before the first
// forecast or beyond its horizon. The capacity is clamped to minCap..maxCap
// as HonorMaxCapacity would, or allowed above maxCap by IncreaseMaxCapacity.
func (p *PredictiveScaling) Forecast(at des.Time, minCap, maxCap int) (load float64, capacity int, ok bool) {
	load, ok = p.loadAt(hourOf(at))
	if !ok {
		return 0, 0, false
	}
	capacity, _ = p.capacity(load, minCap, maxCap)
	return load, capacity, true
}

// ForecastMade returns when the forecast in use was made (false: none yet).
func (p *PredictiveScaling) ForecastMade() (des.Time, bool) { return p.made, p.made >= 0 }

func hourOf(t des.Time) int {
	if t < 0 {
		return 0
	}
	return int(t.Duration() / ForecastInterval)
}

// at words an offset from the start as the run's clock: "26h0m0s".
func at(t des.Time) string { return t.Duration().String() }

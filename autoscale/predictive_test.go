package autoscale

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// predictiveRun drives a scalable target minute by minute: at each minute's
// end the minute's metrics are recorded (a NaN is not recorded) and the
// target evaluates. It returns the desired count after each evaluation, by
// minute index (desired[m] is the count at the end of minute m-1, i.e. at m).
type predictiveRun struct {
	t       *ScalableTarget
	store   *Store
	metrics map[MetricName]func(m int, desired int) float64
	desired []int
}

func newPredictiveRun(t *testing.T, minCap, maxCap, desired int, ps ...Policy) *predictiveRun {
	t.Helper()
	st, err := NewScalableTarget(minCap, maxCap, desired)
	require.NoError(t, err)
	for _, p := range ps {
		st.Attach(p)
	}
	return &predictiveRun{t: st, store: NewStore(0), metrics: map[MetricName]func(int, int) float64{}, desired: []int{desired}}
}

func (r *predictiveRun) until(d time.Duration) {
	for m := len(r.desired); m <= int(d/time.Minute); m++ {
		for _, name := range []MetricName{ECSServiceTotalCPUUtilization, ECSServiceAverageCPUUtilization} {
			if f, ok := r.metrics[name]; ok {
				if v := f(m-1, r.t.Desired()); v == v {
					r.store.Record(name, minute(m-1), v)
				}
			}
		}
		r.t.Evaluate(minute(m), r.store)
		r.desired = append(r.desired, r.t.Desired())
	}
}

// at returns the desired count at offset d.
func (r *predictiveRun) at(d time.Duration) int { return r.desired[int(d/time.Minute)] }

func newPredictive(t *testing.T, c PredictiveScalingConfig) *PredictiveScaling {
	t.Helper()
	if c.Name == "" {
		c.Name = "predictive"
	}
	if c.LoadMetric == "" {
		c.LoadMetric = ECSServiceTotalCPUUtilization
	}
	p, err := NewPredictiveScaling(c)
	require.NoError(t, err)
	return p
}

// peakAt10 is a daily load: 1000 task-percent in the hour from 10:00, 100
// otherwise (20 and 2 tasks at a target of 50).
func peakAt10(peak float64) func(int, int) float64 {
	return func(m, _ int) float64 {
		if (m/60)%24 == 10 {
			return peak
		}
		return 100
	}
}

// TestPredictiveForecastNeedsTwentyFourHoursOfData pins AWS (User Guide,
// "How Application Auto Scaling predictive scaling works"): "this metric
// must have at least 24 hours of data" before a forecast; forecasts are made
// every 6 hours, for the next 48 hours.
func TestPredictiveForecastNeedsTwentyFourHoursOfData(t *testing.T) {
	for _, tc := range []struct {
		name      string
		dataFrom  time.Duration
		noneAt    time.Duration
		firstMade time.Duration
	}{
		{"data from the start: the 24 h refresh forecasts, the 18 h one does not", 0, 23*time.Hour + 59*time.Minute, 24 * time.Hour},
		{"data from 2 h: 22 h of it at the 24 h refresh, none; the 30 h refresh forecasts", 2 * time.Hour, 29*time.Hour + 59*time.Minute, 30 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPredictive(t, PredictiveScalingConfig{TargetValue: 50, Mode: ForecastOnly})
			r := newPredictiveRun(t, 1, 50, 2, p)
			from := int(tc.dataFrom / time.Minute)
			r.metrics[ECSServiceTotalCPUUtilization] = func(m, _ int) float64 {
				if m < from {
					return X
				}
				return 500
			}
			r.until(tc.noneAt)
			_, made := p.ForecastMade()
			assert.False(t, made, "no forecast with less than 24 h of data")
			_, _, ok := p.Forecast(timeOf(tc.noneAt), 1, 50)
			assert.False(t, ok)
			r.until(tc.firstMade)
			when, made := p.ForecastMade()
			require.True(t, made)
			assert.Equal(t, timeOf(tc.firstMade), when)
			load, capacity, ok := p.Forecast(timeOf(tc.firstMade+47*time.Hour), 1, 50)
			require.True(t, ok, "the forecast covers the next 48 hours")
			assert.InDelta(t, 500, load, 1e-9)
			assert.Equal(t, 10, capacity, "ceil(500 / 50)")
			_, _, ok = p.Forecast(timeOf(tc.firstMade+48*time.Hour), 1, 50)
			assert.False(t, ok, "and no further")
		})
	}
}

// TestPredictiveSchedulingBufferTime pins AWS (SchedulingBufferTime: 300 s
// when not given; "the forecast says to add capacity at 10:00 AM, and you
// choose to pre-launch instances by 5 minutes ... launched at 9:55 AM"), and
// that predictive scaling does not scale in when the forecast falls.
func TestPredictiveSchedulingBufferTime(t *testing.T) {
	peak := 24*time.Hour + 10*time.Hour // day 1, 10:00
	for _, tc := range []struct {
		name   string
		buffer time.Duration
		from   time.Duration
	}{
		{"the default 300 s: 20 tasks from 09:55", 0, peak - 300*time.Second},
		{"600 s: from 09:50", 600 * time.Second, peak - 600*time.Second},
		{"no buffer: at 10:00", NoSchedulingBuffer, peak},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPredictive(t, PredictiveScalingConfig{TargetValue: 50, Mode: ForecastAndScale, SchedulingBufferTime: tc.buffer})
			r := newPredictiveRun(t, 1, 50, 2, p)
			r.metrics[ECSServiceTotalCPUUtilization] = peakAt10(1000)
			r.until(peak + 2*time.Hour)
			assert.Equal(t, 2, r.at(tc.from-time.Minute), "a minute before")
			assert.Equal(t, 20, r.at(tc.from), "ceil(1000 / 50) from SchedulingBufferTime before the hour")
			assert.Equal(t, 20, r.at(peak+90*time.Minute), "the forecast falls to 2 at 11:00; predictive scaling does not scale in")
		})
	}
	p := newPredictive(t, PredictiveScalingConfig{TargetValue: 50})
	assert.Equal(t, 300*time.Second, p.SchedulingBuffer())
	_, err := NewPredictiveScaling(PredictiveScalingConfig{Name: "x", TargetValue: 50, SchedulingBufferTime: time.Hour})
	assert.ErrorIs(t, err, ErrPolicyConfig, "the buffer must be less than the 3600 s forecast interval")
}

// TestPredictiveForecastOnlyDoesNotScale pins AWS (Mode): ForecastOnly, the
// default, "generates capacity forecasts but does not actually scale";
// ForecastAndScale scales.
func TestPredictiveForecastOnlyDoesNotScale(t *testing.T) {
	peak := 34 * time.Hour
	for _, tc := range []struct {
		mode PredictiveMode
		want int
	}{{ForecastOnly, 2}, {ForecastAndScale, 20}} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			p := newPredictive(t, PredictiveScalingConfig{TargetValue: 50, Mode: tc.mode})
			r := newPredictiveRun(t, 1, 50, 2, p)
			r.metrics[ECSServiceTotalCPUUtilization] = peakAt10(1000)
			r.until(peak + 30*time.Minute)
			assert.Equal(t, tc.want, r.at(peak+30*time.Minute))
			load, capacity, ok := p.Forecast(timeOf(peak), 1, 50)
			require.True(t, ok, "both modes forecast")
			assert.InDelta(t, 1000, load, 1e-9)
			assert.Equal(t, 20, capacity)
		})
	}
	assert.Equal(t, ForecastOnly, PredictiveMode(0), "the zero value is AWS's default")
}

// TestPredictiveMaxCapacityBreachBehavior pins AWS (MaxCapacityBreachBehavior,
// MaxCapacityBuffer): HonorMaxCapacity stops at the maximum;
// IncreaseMaxCapacity with a buffer of 10 and a forecast capacity of 50
// over a maximum of 40 gives an effective maximum of 55; with 0, capacity
// may equal but not exceed the forecast.
func TestPredictiveMaxCapacityBreachBehavior(t *testing.T) {
	peak := 34 * time.Hour
	for _, tc := range []struct {
		name             string
		breach           MaxCapacityBreach
		buffer           int
		desired, maxCapN int
	}{
		{"HonorMaxCapacity: 40", HonorMaxCapacity, 0, 40, 40},
		{"IncreaseMaxCapacity, buffer 10: 50, maximum 55", IncreaseMaxCapacity, 10, 50, 55},
		{"IncreaseMaxCapacity, buffer 0: 50, maximum 50", IncreaseMaxCapacity, 0, 50, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPredictive(t, PredictiveScalingConfig{TargetValue: 50, Mode: ForecastAndScale,
				MaxCapacityBreachBehavior: tc.breach, MaxCapacityBuffer: tc.buffer})
			r := newPredictiveRun(t, 1, 40, 2, p)
			r.metrics[ECSServiceTotalCPUUtilization] = peakAt10(2500) // ceil(2500 / 50) = 50 tasks
			r.until(peak + 30*time.Minute)
			assert.Equal(t, tc.desired, r.at(peak+30*time.Minute))
			_, maxCap := r.t.Range()
			assert.Equal(t, tc.maxCapN, maxCap)
		})
	}
	_, err := NewPredictiveScaling(PredictiveScalingConfig{Name: "x", TargetValue: 50, MaxCapacityBuffer: 10})
	assert.ErrorIs(t, err, ErrPolicyConfig, "MaxCapacityBuffer only with IncreaseMaxCapacity")
}

// TestPredictiveWithTargetTrackingTheLargerCapacityWins pins AWS (EC2 Auto
// Scaling User Guide, "Predictive scaling"; PutScalingPolicy: the policy with
// the largest capacity wins): target tracking scales out above the forecast
// capacity, and its scale-in stops at the forecast capacity.
func TestPredictiveWithTargetTrackingTheLargerCapacityWins(t *testing.T) {
	peak := 34 * time.Hour
	for _, tc := range []struct {
		name string
		cpu  float64 // the average CPU target tracking sees in the peak hour
		at   time.Duration
		want int
	}{
		{"CPU 10% for 15 minutes wants ceil(20 x 10 / 50) = 4: held at the forecast's 20", 10, 30 * time.Minute, 20},
		{"CPU 100% for 3 minutes wants ceil(20 x 100 / 50) = 40: above the forecast, 40", 100, 4 * time.Minute, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPredictive(t, PredictiveScalingConfig{TargetValue: 50, Mode: ForecastAndScale})
			tt := newTT(t, TargetTrackingConfig{Name: "cpu", Metric: ECSServiceAverageCPUUtilization, TargetValue: 50})
			r := newPredictiveRun(t, 1, 50, 2, p, tt)
			r.metrics[ECSServiceTotalCPUUtilization] = peakAt10(1000)
			r.metrics[ECSServiceAverageCPUUtilization] = func(m, _ int) float64 {
				if time.Duration(m)*time.Minute >= peak {
					return tc.cpu
				}
				return 50 // on target: target tracking leaves the count alone
			}
			r.until(peak + tc.at)
			assert.Equal(t, 20, r.at(peak), "the forecast's capacity from 09:55")
			assert.Equal(t, tc.want, r.at(peak+tc.at))
		})
	}
}

// TestSeasonalModelWeighsRecentDays pins the stated model (choice): the same
// hour of past days, each older day weighing Decay times the next: with 100
// two days back and 200 one day back, (200 + 0.5 x 100) / 1.5.
func TestSeasonalModelWeighsRecentDays(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model SeasonalModel
		want  float64
	}{
		{"the default decay 0.5", SeasonalModel{}, (200 + 0.5*100) / 1.5},
		{"equal weights", SeasonalModel{Decay: 1}, 150},
		{"one season", SeasonalModel{Seasons: 1}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPredictive(t, PredictiveScalingConfig{TargetValue: 50, Model: tc.model})
			r := newPredictiveRun(t, 1, 50, 2, p)
			r.metrics[ECSServiceTotalCPUUtilization] = func(m, _ int) float64 { return float64(100 * (1 + m/(24*60))) }
			r.until(48 * time.Hour)
			load, _, ok := p.Forecast(timeOf(50*time.Hour), 1, 50)
			require.True(t, ok)
			assert.InDelta(t, tc.want, load, 1e-9)
		})
	}
	_, err := NewPredictiveScaling(PredictiveScalingConfig{Name: "x", TargetValue: 50, Model: SeasonalModel{Season: 90 * time.Minute}})
	assert.ErrorIs(t, err, ErrPolicyConfig, "a season of whole hours")
}

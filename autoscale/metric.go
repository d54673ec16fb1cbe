package autoscale

import (
	"math"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// MetricName names a CloudWatch metric a policy tracks: one of the predefined
// metrics below or any custom name.
type MetricName string

// Predefined metrics for ECS services.
// AWS (Application Auto Scaling, PredefinedMetricSpecification; ECS Developer
// Guide, "Amazon ECS service utilization metrics"): service CPU utilization =
// CPU units used by the service's tasks x 100 / (CPU units in the task
// definition x number of tasks); memory likewise.
const (
	ECSServiceAverageCPUUtilization    MetricName = "ECSServiceAverageCPUUtilization"
	ECSServiceAverageMemoryUtilization MetricName = "ECSServiceAverageMemoryUtilization"
	ALBRequestCountPerTarget           MetricName = "ALBRequestCountPerTarget"
)

// Period is the length of one datapoint. AWS (ECS Developer Guide, "Amazon ECS
// CloudWatch metrics"): ECS sends metrics to CloudWatch at one-minute intervals.
const Period = time.Minute

// DefaultPublicationDelay is how long after its minute ends a datapoint becomes
// visible to alarms. Choice: AWS documents no ingestion delay, so the default is
// none; scenarios may set an observed value (one to two minutes is common).
const DefaultPublicationDelay time.Duration = 0

// Datapoint is one metric value for the minute starting at Minute. Missing is
// true when no data was published for that minute (ECS publishes nothing for
// a service with no RUNNING tasks).
type Datapoint struct {
	Minute  des.Time
	Value   float64
	Missing bool
}

// Statistic is a CloudWatch statistic over the samples of one period.
type Statistic uint8

// Statistics CloudWatch offers for ECS metrics (Average, Minimum, Maximum, Sum,
// SampleCount). Average is the zero value, as MetricAggregationType defaults
// to Average.
const (
	Average Statistic = iota
	Minimum
	Maximum
	Sum
	SampleCount
)

var statisticNames = [...]string{"Average", "Minimum", "Maximum", "Sum", "SampleCount"}

// String returns the CloudWatch spelling.
func (s Statistic) String() string {
	if int(s) < len(statisticNames) {
		return statisticNames[s]
	}
	return "Statistic(?)"
}

// MinuteStats accumulates the samples of one minute and reports a Statistic.
// The zero value is an empty minute.
type MinuteStats struct {
	n             int
	sum, min, max float64
}

// Add records one sample.
func (m *MinuteStats) Add(v float64) {
	if m.n == 0 || v < m.min {
		m.min = v
	}
	if m.n == 0 || v > m.max {
		m.max = v
	}
	m.n++
	m.sum += v
}

// Value returns the statistic over the samples added, and false when there
// were none (the datapoint is missing).
func (m *MinuteStats) Value(s Statistic) (float64, bool) {
	if m.n == 0 {
		return 0, false
	}
	switch s {
	case Minimum:
		return m.min, true
	case Maximum:
		return m.max, true
	case Sum:
		return m.sum, true
	case SampleCount:
		return float64(m.n), true
	default:
		return m.sum / float64(m.n), true
	}
}

// Aggregate returns the statistic over the non-missing datapoints, and false
// when all are missing. Step scaling uses it for MetricAggregationType.
func Aggregate(dps []Datapoint, s Statistic) (float64, bool) {
	var m MinuteStats
	for _, dp := range dps {
		if !dp.Missing {
			m.Add(dp.Value)
		}
	}
	return m.Value(s)
}

// UtilizationPercent is the ECS service utilization formula: used x 100 /
// reserved. It returns false when nothing is reserved (no RUNNING tasks, so
// ECS publishes no datapoint).
func UtilizationPercent(used, reserved float64) (float64, bool) {
	if reserved <= 0 || math.IsNaN(used) {
		return 0, false
	}
	return used * 100 / reserved, true
}

// Series is one metric's datapoints, indexed by minute since the scenario
// start. Minutes never recorded read as missing.
type Series struct {
	delay  time.Duration
	points []Datapoint
}

// NewSeries returns an empty series whose datapoints become visible delay
// after their minute ends.
func NewSeries(delay time.Duration) *Series {
	if delay < 0 {
		delay = 0
	}
	return &Series{delay: delay}
}

// Record stores v as the datapoint of the minute containing at. Recording a
// minute again overwrites it. Times before the start are ignored.
func (s *Series) Record(at des.Time, v float64) {
	if at < 0 {
		return
	}
	i := int(at.Minutes())
	s.grow(i + 1)
	s.points[i] = Datapoint{Minute: minuteStart(i), Value: v}
}

// Window returns every datapoint visible at now, oldest first, one per minute
// from minute 0, ending with the newest minute whose end plus the publication
// delay is not after now. The slice aliases the series: read, never write.
func (s *Series) Window(now des.Time) []Datapoint {
	visibleEnd := now.Duration() - s.delay // minutes ending at or before this are visible
	if visibleEnd < Period {
		return nil
	}
	n := int(visibleEnd / Period)
	s.grow(n)
	return s.points[:n]
}

func (s *Series) grow(n int) {
	for len(s.points) < n {
		s.points = append(s.points, Datapoint{Minute: minuteStart(len(s.points)), Missing: true})
	}
}

func minuteStart(i int) des.Time { return des.At(time.Duration(i) * Period) }

// Metrics is the read-only view a ScalableTarget needs: a metric's visible
// datapoints at now, oldest first.
type Metrics interface {
	Datapoints(name MetricName, now des.Time) []Datapoint
}

// Store is a Metrics backed by one Series per metric name, all with the same
// publication delay. Sim records into it each minute.
type Store struct {
	delay  time.Duration
	series map[MetricName]*Series // looked up by name only, never ranged over
}

var _ Metrics = (*Store)(nil)

// NewStore returns an empty store with the given publication delay.
func NewStore(delay time.Duration) *Store {
	return &Store{delay: delay, series: make(map[MetricName]*Series)}
}

// Record stores v for metric name in the minute containing at.
func (st *Store) Record(name MetricName, at des.Time, v float64) {
	st.get(name).Record(at, v)
}

// Datapoints returns the metric's datapoints visible at now (see Series.Window).
func (st *Store) Datapoints(name MetricName, now des.Time) []Datapoint {
	return st.get(name).Window(now)
}

func (st *Store) get(name MetricName) *Series {
	s, ok := st.series[name]
	if !ok {
		s = NewSeries(st.delay)
		st.series[name] = s
	}
	return s
}

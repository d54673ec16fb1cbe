package ecs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
	"github.com/fleetsim/fleetsim/workload"
)

// LoadConfig is what drives a service's utilisation: a request rate over
// calendar time, and what a request costs.
type LoadConfig struct {
	Pattern       string // constant | diurnal | step | ramp | spike | trace | sum | product
	BaseRPS       float64
	PeakRPS       float64
	PeakHour      float64
	WeekendFactor float64
	Holidays      []time.Time // diurnal: days treated like weekend days
	Noise         float64     // multiplicative Gaussian sigma per minute
	Steps         []LoadStep
	Location      *time.Location
	Trace         *workload.Replay // for pattern "trace", loaded by scenarios

	// ramp: BaseRPS at RampStart to PeakRPS at RampEnd (offsets).
	RampStart, RampEnd time.Duration
	// spike: on BaseRPS, a flash crowd at SpikeAt rising over Rise and
	// decaying with time constant Decay, to Multiplier x base or + AddedRPS.
	SpikeAt, Rise, Decay time.Duration
	Multiplier, AddedRPS float64
	// sum | product of Components.
	Components []LoadConfig
	// Modifiers of any pattern: a mean-reverting random walk (WalkSigma,
	// WalkReversion), then Scale (0: 1), then clipping to [ClipMin, ClipMax]
	// (ClipMax 0: no upper bound).
	WalkSigma        float64
	WalkReversion    time.Duration
	Scale            float64
	ClipMin, ClipMax float64

	// CPUSecondsPerRequest is the CPU time one request takes at 1 vCPU.
	CPUSecondsPerRequest float64
	// Memory per task: a base plus a share per request per second handled.
	MemoryBaseMiB, MemoryMiBPerRPS float64
	// LatencySLO is the response time a request should beat; the service
	// model (M/M/c per minute) reports the share that does.
	LatencySLO time.Duration
	// Queue makes the rate a queue's message arrivals (an SQS queue the
	// service consumes): each RUNNING task processes 1/CPUSecondsPerRequest
	// messages a second per vCPU, the rest waits in the backlog, and the
	// custom metric BacklogPerTask (backlog / running tasks) is published
	// for target tracking, as AWS recommends for queue workers.
	Queue bool
}

// LoadStep sets the rate from an offset of the scenario's start.
type LoadStep struct {
	At  time.Duration
	RPS float64
}

// AutoScalingConfig is a service's Application Auto Scaling scalable target
// and its policies. Policies are rebuilt for every run (they hold state).
type AutoScalingConfig struct {
	MinCapacity, MaxCapacity int
	TargetTracking           []autoscale.TargetTrackingConfig
	StepScaling              []autoscale.StepScalingConfig
	Scheduled                []autoscale.ScheduledActionConfig
	PublicationDelay         time.Duration
	// Predictive holds the predictive scaling policies (autoscale/predictive.go).
	Predictive []autoscale.PredictiveScalingConfig
	// MetricPeriod is the period of the CloudWatch metrics the policies
	// evaluate, and how often they evaluate: 0 means 60 s (ECS's standard
	// resolution), or a high-resolution period (autoscale.HighResolutionPeriod,
	// 20 s, for ECS's HighResolution utilization metrics).
	MetricPeriod time.Duration
}

// metricPeriod is the period of a service's scaling metrics.
func (ac *AutoScalingConfig) metricPeriod() time.Duration {
	if ac.MetricPeriod <= 0 {
		return autoscale.Period
	}
	return ac.MetricPeriod
}

// pattern builds a request-rate pattern; random parts draw from streams
// named after its owner (and a component's position), so that adding a
// service does not change another's load.
func (w *World) pattern(name string, lc *LoadConfig) workload.Pattern {
	return lc.Rates(w.cfg.Start, w.cfg.Duration, name, w.stream)
}

// Rates builds the request-rate pattern lc describes, for a run that
// starts at start and lasts duration. Its random parts (noise, the
// mean-reverting walk) draw from stream("load/"+name+"/noise") and
// stream("load/"+name+"/walk"), a component's name being name + "/" + its
// position; with a nil stream lc must have no random part, and none is
// added (the EKS world, whose loads are deterministic for now).
func (lc *LoadConfig) Rates(start time.Time, duration time.Duration, name string, stream func(string) *rand.Rand) workload.Pattern {
	var p workload.Pattern
	switch lc.Pattern {
	case "diurnal":
		d := workload.NewDiurnal(lc.BaseRPS, lc.PeakRPS, lc.PeakHour)
		if lc.WeekendFactor > 0 {
			d.WeekendFactor = lc.WeekendFactor
		}
		if lc.Location != nil {
			d.Location = lc.Location
		}
		for _, h := range lc.Holidays {
			d.Holidays = append(d.Holidays, workload.DateOf(h))
		}
		p = d
	case "ramp":
		p = workload.Ramp{From: start.Add(lc.RampStart), To: start.Add(lc.RampEnd), FromRate: lc.BaseRPS, ToRate: lc.PeakRPS}
	case "spike":
		p = workload.Spike{Base: workload.Constant(lc.BaseRPS), Start: start.Add(lc.SpikeAt), Rise: lc.Rise, Decay: lc.Decay,
			Multiplier: lc.Multiplier, AddedRate: lc.AddedRPS}
	case "sum", "product":
		parts := make([]workload.Pattern, len(lc.Components))
		for i := range lc.Components {
			parts[i] = lc.Components[i].Rates(start, duration, fmt.Sprintf("%s/%d", name, i), stream)
		}
		if lc.Pattern == "sum" {
			p = workload.Sum(parts)
		} else {
			p = workload.Product(parts)
		}
	case "step":
		steps := make([]workload.StepAt, len(lc.Steps))
		for i, s := range lc.Steps {
			steps[i] = workload.StepAt{Offset: s.At, RatePerSec: s.RPS}
		}
		p = workload.NewStep(start, lc.BaseRPS, steps...)
	case "trace":
		if lc.Trace == nil {
			return workload.Constant(0) // a scenario without its trace is refused before a run
		}
		p = *lc.Trace
	default:
		p = workload.Constant(lc.BaseRPS)
	}
	if stream != nil && lc.Noise > 0 {
		p = workload.NewNoise(p, lc.Noise, stream("load/"+name+"/noise"))
	}
	if stream != nil && lc.WalkSigma > 0 {
		p = workload.NewMeanReverting(p, start, duration+time.Minute, lc.WalkReversion, lc.WalkSigma, stream("load/"+name+"/walk"))
	}
	if lc.Scale > 0 && lc.Scale != 1 {
		p = workload.Scale{P: p, Factor: lc.Scale}
	}
	if lc.ClipMin > 0 || lc.ClipMax > 0 {
		p = workload.Clip{P: p, Min: lc.ClipMin, Max: lc.ClipMax}
	}
	return p
}

// scaler is a service's scalable target and what it reads.
type scaler struct {
	target     *autoscale.ScalableTarget
	store      *metricLog
	actions    []*autoscale.ScheduledAction
	reads      []autoscale.MetricName // the metrics its policies read: the only ones worth keeping
	predictive []*autoscale.PredictiveScaling
	period     time.Duration // the metrics' period: 60 s, or shorter with high-resolution metrics
}

// fast reports whether the policies read high-resolution datapoints, which
// the service's own tick records (measureFast) instead of the minute's sample.
func (sc *scaler) fast() bool { return sc.period < autoscale.Period }

// record stores a metric's datapoint if a policy reads the metric; the
// others would be kept all run for nothing.
func (sc *scaler) record(name autoscale.MetricName, minute des.Time, v float64) {
	if slices.Contains(sc.reads, name) {
		sc.store.Record(name, minute, v)
	}
}

// metricLog is a service's CloudWatch metrics: autoscale.Store's rules
// (one datapoint per minute from minute 0, a minute never recorded reads
// as missing, datapoints visible delay after their minute ends), but only
// the last keep minutes of each metric are kept: every policy reads the
// newest datapoints of its alarms' evaluation ranges and no more (the
// alarms' windows, target tracking's newest value, step scaling's
// aggregate), so a week of minutes per service and metric would be kept
// for nothing. Datapoints returns the visible minutes from keep minutes
// back (all of them in the run's first keep minutes): the same newest
// datapoints as the whole series.
type metricLog struct {
	delay  time.Duration
	period time.Duration // one datapoint per period (60 s unless high-resolution)
	keep   int           // minutes Datapoints returns at most: the longest evaluation range
	slack  int           // minutes recorded ahead of the visible ones (the delay), and then some
	names  []autoscale.MetricName
	logs   []minuteLog
}

// minuteLog is one metric's minutes from first on.
type minuteLog struct {
	first  int
	points []autoscale.Datapoint
}

var _ autoscale.Metrics = (*metricLog)(nil)

func newMetricLog(delay time.Duration, keep int) *metricLog {
	return newMetricLogEvery(delay, keep, autoscale.Period)
}

// newMetricLogEvery is newMetricLog with one datapoint per period.
func newMetricLogEvery(delay time.Duration, keep int, period time.Duration) *metricLog {
	delay = max(delay, 0)
	if period <= 0 {
		period = autoscale.Period
	}
	return &metricLog{delay: delay, period: period, keep: max(keep, 1), slack: int(delay/period) + 2}
}

func (m *metricLog) log(name autoscale.MetricName) *minuteLog {
	i := slices.Index(m.names, name)
	if i < 0 {
		m.names = append(m.names, name)
		m.logs = append(m.logs, minuteLog{})
		i = len(m.names) - 1
	}
	return &m.logs[i]
}

// grow adds missing minutes up to minute n (exclusive), and lets the
// oldest go once twice the kept minutes are held.
func (m *metricLog) grow(l *minuteLog, n int) {
	for l.first+len(l.points) < n {
		i := l.first + len(l.points)
		l.points = append(l.points, autoscale.Datapoint{Minute: des.At(time.Duration(i) * m.period), Missing: true})
	}
	if hold := m.keep + m.slack; len(l.points) > 2*hold {
		drop := len(l.points) - hold
		l.points = append(l.points[:0], l.points[drop:]...)
		l.first += drop
	}
}

// Record stores v as the datapoint of the minute containing at (times
// before the start are ignored; a minute recorded again is overwritten).
func (m *metricLog) Record(name autoscale.MetricName, at des.Time, v float64) {
	if at < 0 {
		return
	}
	l := m.log(name)
	i := int(at.Duration() / m.period)
	m.grow(l, i+1)
	if i >= l.first {
		l.points[i-l.first] = autoscale.Datapoint{Minute: des.At(time.Duration(i) * m.period), Value: v}
	}
}

// Datapoints returns the metric's newest datapoints visible at now (at
// most keep of them), oldest first (autoscale.Metrics); the slice is the
// log's: read, never write.
func (m *metricLog) Datapoints(name autoscale.MetricName, now des.Time) []autoscale.Datapoint {
	visibleEnd := now.Duration() - m.delay
	if visibleEnd < m.period {
		return nil
	}
	n := int(visibleEnd / m.period)
	l := m.log(name)
	m.grow(l, n)
	from := max(n-m.keep, l.first)
	return l.points[from-l.first : n-l.first]
}

// lookback is the most recent datapoints a policy reads: its alarms'
// evaluation ranges (target tracking's newest value and step scaling's
// aggregate read within them).
func lookback(p autoscale.Policy) int {
	switch p := p.(type) {
	case *autoscale.TargetTracking:
		high, low := p.Alarms()
		return max(high.Config().EvaluationRange, low.Config().EvaluationRange)
	case *autoscale.StepScaling:
		return p.Alarm().Config().EvaluationRange
	case *autoscale.PredictiveScaling:
		return predictiveLookback
	}
	panic(fmt.Sprintf("ecs: policy %T reads an unknown span of its metric", p))
}

func (w *World) newScaler(s *service) *scaler {
	ac := s.cfg.AutoScaling
	t, err := autoscale.NewScalableTarget(ac.MinCapacity, ac.MaxCapacity, s.desired)
	if err != nil {
		panic("sim: " + err.Error() + " (scenario not validated?)")
	}
	sc := &scaler{target: t}
	keep := 0
	for _, c := range ac.TargetTracking {
		sc.reads = append(sc.reads, c.Metric)
		p, err := autoscale.NewTargetTracking(c)
		if err != nil {
			panic("sim: " + err.Error())
		}
		t.Attach(p)
		keep = max(keep, lookback(p))
	}
	for _, c := range ac.StepScaling {
		sc.reads = append(sc.reads, c.Metric)
		p, err := autoscale.NewStepScaling(c)
		if err != nil {
			panic("sim: " + err.Error())
		}
		t.Attach(p)
		keep = max(keep, lookback(p))
	}
	for _, c := range ac.Predictive {
		sc.reads = append(sc.reads, c.LoadMetric)
		p, err := autoscale.NewPredictiveScaling(c)
		if err != nil {
			panic("sim: " + err.Error())
		}
		t.Attach(p)
		sc.predictive = append(sc.predictive, p)
		keep = max(keep, lookback(p))
	}
	sc.period = ac.metricPeriod()
	sc.store = newMetricLogEvery(ac.PublicationDelay, keep, sc.period)
	for _, c := range ac.Scheduled {
		a, err := autoscale.NewScheduledAction(c, w.cfg.Start)
		if err != nil {
			panic("sim: " + err.Error())
		}
		sc.actions = append(sc.actions, a)
	}
	return sc
}

// scheduleActions schedules the first firing of each scheduled action.
func (w *World) scheduleActions(si int32) {
	s := &w.services[si]
	for ai, a := range s.scaler.actions {
		w.scheduleAction(si, ai, a, w.cfg.Start.Add(-time.Nanosecond))
	}
	if s.scaler.fast() && s.cfg.Load != nil {
		w.eng.At(des.At(s.scaler.period), w.k.metricTick, si)
	}
}

func (w *World) scheduleAction(si int32, ai int, a *autoscale.ScheduledAction, after time.Time) {
	next, ok := a.Next(after)
	if !ok {
		return
	}
	at := des.At(next.Sub(w.cfg.Start))
	if at > des.At(w.cfg.Duration) || at < w.eng.Now() {
		return
	}
	w.eng.At(at, w.k.scheduledAction, int32(len(w.actionRefs)))
	w.actionRefs = append(w.actionRefs, actionRef{service: si, action: ai})
}

// actionRef names one pending scheduled-action firing.
type actionRef struct {
	service int32
	action  int
}

func (w *World) onScheduledAction(now des.Time, ref int32) {
	r := w.actionRefs[ref]
	s := &w.services[r.service]
	a := s.scaler.actions[r.action]
	ch, changed, err := s.scaler.target.ApplyScheduled(now, a)
	switch {
	case err != nil:
		w.serviceEvent(s, schema.ScheduledActionFailed, "", err.Error())
	case changed:
		w.applyDesired(r.service, ch.New, ch.Cause)
	default:
		minC, maxC := s.scaler.target.Range()
		w.serviceEvent(s, schema.ScheduledAction, fmt.Sprint(s.desired), fmt.Sprintf("scheduled action %q: min %d max %d", a.Name(), minC, maxC))
	}
	w.scheduleAction(r.service, r.action, a, w.calendar(now))
}

// applyDesired sets a service's desired count and reconciles it.
func (w *World) applyDesired(si int32, desired int, cause string) {
	s := &w.services[si]
	old := s.desired
	s.desired = desired
	w.scaleRunningVersion(s, old, desired)
	w.serviceEvent(s, schema.ScalingActivity, fmt.Sprintf("%d->%d", old, desired), cause)
	w.reconcile(si)
}

// BacklogPerTask is the custom metric a queue-consuming service publishes:
// the queue's backlog divided by its RUNNING tasks (by one when none runs).
// AWS (Application Auto Scaling, "Scaling based on Amazon SQS": backlog per
// instance = ApproximateNumberOfMessages / running capacity).
const BacklogPerTask = "BacklogPerTask"

// consume runs a queue-consuming service's minute: messages arrive at rate,
// the running tasks process what their CPU allows, the rest is backlog.
func (w *World) consume(now des.Time, si int32, rate float64, running int, vcpu float64) {
	s := &w.services[si]
	lc := s.cfg.Load
	capacity := float64(running) * vcpu / lc.CPUSecondsPerRequest * 60
	arrived := rate * 60
	processed := min(s.backlog+arrived, capacity)
	s.backlog = max(s.backlog+arrived-processed, 0) // no float dust below zero
	s.received += arrived
	s.processed += processed
	s.backlogMax = max(s.backlogMax, s.backlog)
	s.lastRate, s.lastCPU, s.lastMem = rate, math.NaN(), math.NaN()
	if capacity > 0 {
		s.lastCPU = processed / capacity * 100
	}
	if s.scaler == nil || s.scaler.fast() {
		return // high-resolution metrics are refused for queue consumers (scenarios)
	}
	minute := now - des.At(time.Minute)
	sc := s.scaler
	sc.record(BacklogPerTask, minute, s.backlog/float64(max(running, 1)))
	if !math.IsNaN(s.lastCPU) {
		sc.record(autoscale.ECSServiceAverageCPUUtilization, minute, s.lastCPU)
	}
	w.decide(now, si)
}

// decide lets the service's policies act on the metrics recorded so far.
func (w *World) decide(now des.Time, si int32) {
	s := &w.services[si]
	step := s.scaler.target.Evaluate(now, s.scaler.store)
	for _, ac := range step.AlarmChanges {
		w.serviceEvent(s, schema.AlarmStateChange, ac.To.String(), w.joined(ac.Alarm, ac.Reason))
	}
	if step.Changed {
		w.applyDesired(si, step.Change.New, step.Change.Cause)
	}
}

// serving is how many tasks receive requests: behind a load balancer its
// healthy targets, or every registered one when none is healthy (AWS: the
// load balancer fails open); otherwise every RUNNING task.
func (w *World) serving(s *service, running int) int {
	if s.cfg.LoadBalancer != nil && s.healthy > 0 {
		return s.healthy
	}
	return running
}

// neededTasks is the capacity the minute's load needs: the tasks that would
// put CPU utilisation exactly at the service's CPU target-tracking target
// (NaN without one), so that the series shows desired against needed.
func (w *World) neededTasks(s *service, rate, vcpu float64) float64 {
	if s.cfg.AutoScaling == nil || vcpu <= 0 {
		return math.NaN()
	}
	for _, tt := range s.cfg.AutoScaling.TargetTracking {
		if tt.Metric == autoscale.ECSServiceAverageCPUUtilization && tt.TargetValue > 0 {
			return math.Ceil(rate * s.cfg.Load.CPUSecondsPerRequest / (vcpu * tt.TargetValue / 100))
		}
	}
	return math.NaN()
}

// respond runs the service model for the minute: an M/M/c queue with one
// server per RUNNING task (workload.ServiceModel), requests above what the
// tasks can serve dropped, and tallies requests, drops and SLO misses.
func (w *World) respond(s *service, rate float64, running int, vcpu float64) {
	lc := s.cfg.Load
	if vcpu <= 0 || lc.CPUSecondsPerRequest <= 0 {
		return
	}
	r := s.model.respond(workload.ServiceModel{CPUSecondsPerRequest: lc.CPUSecondsPerRequest, TaskVCPU: vcpu, SLO: lc.LatencySLO}, rate, running)
	s.lastResponse, s.lastDropped = math.NaN(), r.Dropped
	if r.Served > 0 {
		s.lastResponse = float64(r.MeanResponse) / float64(time.Millisecond)
	}
	perMin := 60.0
	s.offered += r.Offered * perMin
	s.dropped += r.Dropped * perMin
	if lc.LatencySLO > 0 {
		s.missed += r.MissShare * r.Offered * perMin
	}
}

// modelMemo is the last minute's M/M/c outcome of a service and its
// inputs: a minute with the same rate and tasks (a constant load, a service
// at its cap) reuses it instead of evaluating Erlang's formulas again.
type modelMemo struct {
	m       workload.ServiceModel
	rate    float64
	running int
	r       workload.Response
	ok      bool
}

func (mm *modelMemo) respond(m workload.ServiceModel, rate float64, running int) workload.Response {
	if !mm.ok || mm.m != m || mm.rate != rate || mm.running != running {
		*mm = modelMemo{m: m, rate: rate, running: running, r: m.Respond(rate, running), ok: true}
	}
	return mm.r
}

// measure computes a service's load and utilisation for the minute that ends
// now, records the metrics and lets its policies decide. With the rate spread
// evenly over the RUNNING tasks, each task's CPU utilisation is
// rate x cpu-seconds-per-request / (running x task vCPU) x 100; above 100 is
// overload, recorded as it is. No RUNNING task: the datapoint is missing.
func (w *World) measure(now des.Time, si int32) {
	s := &w.services[si]
	lc := s.cfg.Load // non-nil: onSample measures w.loaded's services
	minute := now - des.At(time.Minute)
	if minute < 0 {
		return
	}
	rate := max(s.load.Rate(w.calendar(minute+des.At(30*time.Second))), 0)
	running := w.rec.counts[si][TaskRunning]
	sp := &w.specs[s.spec]
	if lc.Queue {
		w.consume(now, si, rate, running, float64(sp.cpu)/1024)
		return
	}
	w.respond(s, rate, w.serving(s, running), float64(sp.cpu)/1024)
	s.lastRate, s.lastCPU, s.lastMem = rate, math.NaN(), math.NaN()
	s.lastNeeded = w.neededTasks(s, rate, float64(sp.cpu)/1024)
	if running > 0 {
		perTask := rate / float64(running)
		if sp.cpu > 0 {
			s.lastCPU = perTask * lc.CPUSecondsPerRequest / (float64(sp.cpu) / 1024) * 100
		}
		if sp.memMiB > 0 {
			s.lastMem = (lc.MemoryBaseMiB + lc.MemoryMiBPerRPS*perTask) / float64(sp.memMiB) * 100
		}
	}
	if s.scaler == nil || s.scaler.fast() {
		return // no policy, or they read the service's high-resolution tick (measureFast)
	}
	w.recordMetrics(s, minute, rate, running, s.lastCPU, s.lastMem)
	w.decide(now, si)
}

// recordMetrics stores one period's datapoints of the metrics the service's
// policies read: the utilizations, the requests per target, and predictive
// scaling's load metrics (the utilizations summed over the tasks, the
// target group's requests per minute). No RUNNING task: nothing is
// published.
func (w *World) recordMetrics(s *service, at des.Time, rate float64, running int, cpu, mem float64) {
	if running <= 0 {
		return
	}
	sc := s.scaler
	if !math.IsNaN(cpu) {
		sc.record(autoscale.ECSServiceAverageCPUUtilization, at, cpu)
		sc.record(autoscale.ECSServiceTotalCPUUtilization, at, cpu*float64(running))
	}
	if !math.IsNaN(mem) {
		sc.record(autoscale.ECSServiceAverageMemoryUtilization, at, mem)
		sc.record(autoscale.ECSServiceTotalMemoryUtilization, at, mem*float64(running))
	}
	sc.record(autoscale.ALBRequestCountPerTarget, at, rate*60/float64(w.serving(s, running)))
	sc.record(autoscale.ALBTargetGroupRequestCount, at, rate*60)
}

// predictiveLookback is how many of the newest datapoints a predictive
// policy reads each evaluation: it keeps its own hourly history and reads
// only the datapoints it has not seen, one or two a period.
const predictiveLookback = 5

// onMetricTick is a service's high-resolution metric period ending: its
// utilization over the period is recorded and its policies evaluate, as
// the minute's sample does at 60 s (measure). The load is the rate at the
// period's middle spread evenly over the RUNNING tasks.
func (w *World) onMetricTick(now des.Time, si int32) {
	s := &w.services[si]
	sc := s.scaler
	from := now - des.At(sc.period)
	rate := max(s.load.Rate(w.calendar(from+des.At(sc.period/2))), 0)
	running := w.rec.counts[si][TaskRunning]
	sp := &w.specs[s.spec]
	cpu, mem := math.NaN(), math.NaN()
	if running > 0 {
		perTask := rate / float64(running)
		if sp.cpu > 0 {
			cpu = perTask * s.cfg.Load.CPUSecondsPerRequest / (float64(sp.cpu) / 1024) * 100
		}
		if sp.memMiB > 0 {
			mem = (s.cfg.Load.MemoryBaseMiB + s.cfg.Load.MemoryMiBPerRPS*perTask) / float64(sp.memMiB) * 100
		}
	}
	w.recordMetrics(s, from, rate, running, cpu, mem)
	w.decide(now, si)
	if next := now + des.At(sc.period); next <= des.At(w.cfg.Duration) {
		w.eng.At(next, w.k.metricTick, si)
	}
}

// forecastMeasures are the columns of a service with a predictive scaling
// policy, in the order appendForecasts writes them.
var forecastMeasures = []schema.Measure{schema.ServiceForecastLoad, schema.ServiceLoadMetric, schema.ServiceForecastCapacity}

// forecastColumns adds the forecast columns of each service with a
// predictive scaling policy (the first one's, when it has several), after
// every other column, so that a run without predictive scaling keeps its
// columns; all may be missing.
func (w *World) forecastColumns(cols []string) []string {
	if !w.cfg.Settings.ServiceSeries {
		return cols
	}
	for _, s := range w.cfg.Services {
		if s.AutoScaling == nil || len(s.AutoScaling.Predictive) == 0 {
			continue
		}
		for _, m := range forecastMeasures {
			cols = append(cols, schema.ServiceColumn(s.Name, m))
			w.rec.mayBeMissing = append(w.rec.mayBeMissing, true)
		}
	}
	return cols
}

// appendForecasts writes the forecast columns of the sample at now: the
// forecast load and capacity of now's hour (NaN before the first forecast)
// and the load metric measured in the minute that ends at now.
func (w *World) appendForecasts(now des.Time, row []float64) []float64 {
	if !w.cfg.Settings.ServiceSeries {
		return row
	}
	for si := range w.services {
		s := &w.services[si]
		if s.scaler == nil || len(s.scaler.predictive) == 0 {
			continue
		}
		p := s.scaler.predictive[0]
		minC, maxC := s.scaler.target.Range()
		load, capacity := math.NaN(), math.NaN()
		if l, c, ok := p.Forecast(now, minC, maxC); ok {
			load, capacity = l, float64(c)
		}
		row = append(row, load, w.loadMetric(s, p.Metric()), capacity)
	}
	return row
}

// loadMetric is the last minute's value of a predictive load metric (NaN
// when nothing was published: no RUNNING task).
func (w *World) loadMetric(s *service, name autoscale.MetricName) float64 {
	running := float64(w.rec.counts[s.idx][TaskRunning])
	if running == 0 {
		return math.NaN()
	}
	switch name {
	case autoscale.ECSServiceTotalCPUUtilization:
		return s.lastCPU * running
	case autoscale.ECSServiceTotalMemoryUtilization:
		return s.lastMem * running
	case autoscale.ALBTargetGroupRequestCount:
		return s.lastRate * 60
	}
	return math.NaN()
}

package scenarios

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// RunEstimate is what a run of a scenario will hold, worked out from the
// scenario alone before anything runs: the tasks it starts, the instances
// it launches, the rows and bytes of its outputs, the memory live at the
// run's busiest moment, and the resident memory the run is allowed. It is an
// estimate, meant to be within a factor of two of a run and rarely below one
// (an autoscaled service counts at the size its load asks for, or its
// max_capacity when fleetsim cannot tell).
type RunEstimate struct {
	ServiceTasks int64 // service tasks started over the run
	BatchTasks   int64 // batch (RunTask) tasks submitted
	LiveTasks    int64 // tasks running at once at the busiest moment
	Instances    int64 // EC2 instances launched
	Events       int64 // rows of events.csv
	TaskEvents   bool  // whether task state changes are among them

	SeriesRows, SeriesColumns int64 // timeseries.csv

	TimeseriesBytes, EventsBytes, StateBytes int64 // the output files
	// LiveBytes is the heap live at the run's peak: the records a run keeps
	// until it ends (a usage record per task, the event rows, the series)
	// and what is alive at its busiest moment (tasks, instances).
	LiveBytes int64
	// MemoryBytes is the run's peak resident memory: the soft memory limit
	// `fleetsim run` gives Go's collector (SoftMemoryLimit), and what is
	// compared with settings.max_run_memory.
	MemoryBytes int64
}

// Calibration: the heap live at the peak (runtime/metrics
// /gc/heap/live:bytes, sampled every 5 ms through the simulation) of runs on
// a 2-CPU machine with Go 1.26, 2026-12-02, and peak resident memory (GNU
// time's maximum RSS) of `fleetsim run` with and without the soft limit:
//
//	run                                      live peak  RSS no limit  tasks       instances  events rows
//	library large-week (task events off)     211 MiB    437-484 MiB   1.77M       20,000     320,622
//	library social-bursts                     76 MiB                  56k batch   0          282,606
//	library week-100-instances                20 MiB                  6,896       100        33,742
//	400k batch tasks, task events on         430 MiB    948 MiB       407,515     20         2,035,529
//	400k batch tasks, task events off         17 MiB     33 MiB       407,515     20         99
//	10,000 service tasks, 2,500-3,000 inst.   82 MiB    138 MiB       58,143      3,000      276,355
//	10,000 instances for an hour              24 MiB     56 MiB       14          10,000     40,064
//
// The live coefficients below fit these within about 25%, biased high: a
// base, a service task started (its usage record, placement wait, health
// history), a batch task (its usage record), a task alive at the busiest
// moment, an event row held until the run ends, a series cell, an instance
// launched (its usage, attributes, image cache, placement entry). Without a
// limit Go's collector lets the heap grow to about twice what is live before
// it collects (GOGC=100); the soft limit makes it collect earlier, at
// estLimitFactor times the live estimate plus estLimitSlack, so a run's
// resident memory follows what it holds. Output bytes are per row as written:
// events.csv about 160 bytes a row, timeseries.csv about 4 bytes a cell,
// state.json about 1150 bytes per instance launched and 560 per task at the
// end.
const (
	estBaseBytes        = 2 << 20
	estServiceTaskBytes = 100
	estBatchTaskBytes   = 40
	estLiveTaskBytes    = 300
	estEventBytes       = 220
	estCellBytes        = 16
	estInstanceBytes    = 2560

	estLimitFactor = 1.25
	estLimitSlack  = 48 << 20

	estEventRowBytes    = 160
	estCellCSVBytes     = 4
	estStateInstance    = 1150
	estStateTask        = 560
	eventsPerTask       = 5 // PROVISIONING, PENDING, RUNNING, STOPPING/DEPROVISIONING, STOPPED
	eventsPerInstance   = 4 // launch, registered, draining, terminated
	eventsPerScaledHour = 7 // alarm state changes and scaling activities of a target-tracked service (large-week: 6.5)
	maxCronIterations   = 1000
	defaultMaxRunMemory = 8 << 30
)

// SoftMemoryLimit is the soft memory limit for a run of this estimate (Go's
// runtime/debug.SetMemoryLimit): the collector works harder as the heap
// nears it instead of letting it grow to twice what is live. It is a soft
// limit: a run that holds more than estimated is slower, never stopped.
func (e RunEstimate) SoftMemoryLimit() int64 {
	return clampInt(float64(e.LiveBytes)*estLimitFactor + estLimitSlack)
}

// Estimate works out what a run of cfg will hold (RunEstimate).
func Estimate(cfg *sim.Config) RunEstimate {
	var e RunEstimate
	hours := cfg.Duration.Hours()
	days := math.Ceil(cfg.Duration.Hours() / 24)
	var svcTasks, liveTasks, scaledHours float64
	for _, s := range cfg.Services {
		peak, low := servicePeak(s, cfg), float64(s.DesiredCount)
		if a := s.AutoScaling; a != nil {
			low = float64(a.MinCapacity)
			scaledHours += hours
		}
		started := peak + max(peak-low, 0)*max(days-1, 0) + peak*s.TaskFailuresPerTaskHour*hours
		svcTasks += started
		liveTasks += peak
	}
	for _, t := range cfg.Timeline {
		if t.Action == "update_service" && t.Service >= 0 && t.Service < len(cfg.Services) {
			svcTasks += servicePeak(cfg.Services[t.Service], cfg) // a deployment replaces every task
		}
	}
	var batch float64
	for _, j := range cfg.BatchJobs {
		n := batchTasks(j, cfg)
		batch += n
		if j.Duration.Value > 0 && hours > 0 {
			liveTasks += min(n, n*j.Duration.Value.Hours()/hours)
		}
	}
	var instances float64
	for _, g := range cfg.Groups {
		instances += float64(max(g.MaxSize, g.DesiredCapacity)) * (1 + g.SpotInterruptionsPerInstHour*hours)
	}
	for _, t := range cfg.Timeline {
		if t.Action == "fail_instances" || t.Action == "drain_instances" {
			instances += float64(t.Count)
		}
	}
	e.TaskEvents = cfg.Settings.TaskEvents
	events := instances*eventsPerInstance + scaledHours*eventsPerScaledHour
	if e.TaskEvents {
		events += (svcTasks + batch) * eventsPerTask
	}
	rows := math.Floor(float64(cfg.Duration)/float64(max(cfg.Settings.SampleEvery, time.Second))) + 1
	cols := float64(10 + 3*len(cfg.BatchJobs) + 4*len(cfg.Groups) + len(cfg.CapacityProviders))
	if cfg.Settings.ServiceSeries {
		cols += 12 * float64(len(cfg.Services))
	}
	e.ServiceTasks, e.BatchTasks, e.Instances, e.Events = clampInt(svcTasks), clampInt(batch), clampInt(instances), clampInt(events)
	e.SeriesRows, e.SeriesColumns = clampInt(rows), clampInt(cols)
	e.TimeseriesBytes = clampInt(rows * cols * estCellCSVBytes)
	e.EventsBytes = clampInt(events * estEventRowBytes)
	e.StateBytes = clampInt(instances*estStateInstance + liveTasks*estStateTask)
	e.LiveTasks = clampInt(liveTasks)
	e.LiveBytes = clampInt(estBaseBytes + svcTasks*estServiceTaskBytes + batch*estBatchTaskBytes + liveTasks*estLiveTaskBytes +
		events*estEventBytes + rows*cols*estCellBytes + instances*estInstanceBytes)
	e.MemoryBytes = e.SoftMemoryLimit()
	return e
}

// servicePeak is the most tasks a service runs: its desired count, or with
// auto scaling what its load asks for at the CPU target (when its policy
// tracks CPU and its load pattern says its peak), within min and max
// capacity; else max capacity.
func servicePeak(s ecs.ServiceConfig, cfg *sim.Config) float64 {
	a := s.AutoScaling
	if a == nil {
		return float64(s.DesiredCount)
	}
	peak := float64(a.MaxCapacity)
	if target, ok := cpuTarget(a); ok && s.Load != nil && s.Load.CPUSecondsPerRequest > 0 && !s.Load.Queue &&
		s.TaskDefinition >= 0 && s.TaskDefinition < len(cfg.TaskDefinitions) {
		rps, known := peakRate(*s.Load)
		vcpu := float64(cfg.TaskDefinitions[s.TaskDefinition].CPUUnits()) / 1024
		if known && vcpu > 0 {
			peak = math.Ceil(rps * s.Load.CPUSecondsPerRequest / (vcpu * target / 100))
		}
	}
	return min(max(peak, float64(a.MinCapacity), float64(s.DesiredCount)), float64(max(a.MaxCapacity, s.DesiredCount)))
}

// cpuTarget is the lowest CPU target of a service's target tracking
// policies (the one that asks for the most tasks).
func cpuTarget(a *ecs.AutoScalingConfig) (float64, bool) {
	best, ok := 0.0, false
	for _, t := range a.TargetTracking {
		if t.Metric == autoscale.ECSServiceAverageCPUUtilization && t.TargetValue > 0 && (!ok || t.TargetValue < best) {
			best, ok = t.TargetValue, true
		}
	}
	return best, ok && len(a.StepScaling) == 0
}

// peakRate bounds a load pattern's rate from above; false when the pattern
// does not say (an unreadable trace).
func peakRate(l ecs.LoadConfig) (float64, bool) {
	var r float64
	switch l.Pattern {
	case "constant":
		r = l.BaseRPS
	case "diurnal", "ramp":
		r = max(l.BaseRPS, l.PeakRPS)
	case "step":
		r = l.BaseRPS
		for _, s := range l.Steps {
			r = max(r, s.RPS)
		}
	case "spike":
		r = l.BaseRPS*max(l.Multiplier, 1) + l.AddedRPS
	case "trace":
		if l.Trace == nil || l.Trace.Trace == nil {
			return 0, false
		}
		for i := range l.Trace.Trace.Len() {
			r = max(r, l.Trace.Trace.Point(i).RatePerSec)
		}
		if l.Trace.Scale > 0 {
			r *= l.Trace.Scale
		}
	case "sum", "product":
		r = 0
		if l.Pattern == "product" {
			r = 1
		}
		for _, c := range l.Components {
			cr, ok := peakRate(c)
			if !ok {
				return 0, false
			}
			if l.Pattern == "sum" {
				r += cr
			} else {
				r *= cr
			}
		}
	default:
		return 0, false
	}
	r *= 1 + 3*l.Noise + 3*l.WalkSigma // three sigmas of noise
	if l.Scale > 0 && l.Pattern != "trace" {
		r *= l.Scale
	}
	if l.ClipMax > 0 {
		r = min(r, l.ClipMax)
	}
	return r, true
}

// batchTasks is how many tasks a job submits over the run.
func batchTasks(j ecs.BatchJobConfig, cfg *sim.Config) float64 {
	a := j.Arrivals
	span := max(cfg.Duration-a.Start, 0)
	var n float64
	switch a.Pattern {
	case "poisson":
		active := span
		switch {
		case a.Window > 0 && a.Every > 0:
			active = time.Duration(float64(span) * min(float64(a.Window)/float64(a.Every), 1))
		case a.Window > 0:
			active = min(a.Window, span)
		}
		n = a.RatePerHour * active.Hours()
	case "cron":
		n = float64(firings(a.Schedule, cfg)) * float64(max(a.PerFiring, 1))
	case "trace":
		for _, t := range a.Tasks {
			if t.Arrival < cfg.Duration {
				n++
			}
		}
	case "pattern":
		if a.Rate != nil {
			if r, ok := peakRate(*a.Rate); ok {
				n = r * span.Hours()
			}
		}
	}
	if a.Max > 0 {
		n = min(n, float64(a.Max))
	}
	return n
}

// firings counts a schedule's instants within the run, walking at most
// maxCronIterations of them and extrapolating past that.
func firings(s autoscale.Schedule, cfg *sim.Config) int64 {
	if s == nil {
		return 0
	}
	end := cfg.Start.Add(cfg.Duration)
	at, n := cfg.Start.Add(-time.Nanosecond), int64(0)
	for n < maxCronIterations {
		next, ok := s.Next(at)
		if !ok || !next.Before(end) {
			return n
		}
		at, n = next, n+1
	}
	if done := at.Sub(cfg.Start); done > 0 {
		return int64(float64(n) * float64(cfg.Duration) / float64(done))
	}
	return n
}

func clampInt(f float64) int64 {
	switch {
	case math.IsNaN(f) || f < 0:
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	}
	return int64(f)
}

// checkEstimate refuses a run whose estimate does not fit in
// settings.max_run_memory (8 GiB unless set), saying what to change.
func (v *validator) checkEstimate(cfg *sim.Config) {
	limit := int64(defaultMaxRunMemory)
	if m := v.f.Settings.MaxRunMemory; m != nil && m.Set && m.Bytes > 0 {
		limit = m.Bytes
	}
	e := Estimate(cfg)
	if e.MemoryBytes <= limit {
		return
	}
	got := fmt.Sprintf("an estimated %s (%s service and %s batch tasks, %s instances, %s event rows%s, %s x %s series cells)",
		byteCount(e.MemoryBytes), count(e.ServiceTasks), count(e.BatchTasks), count(e.Instances), count(e.Events),
		map[bool]string{true: " with task events", false: ""}[e.TaskEvents], count(e.SeriesRows), count(e.SeriesColumns))
	v.badHint(p("duration"), fmt.Sprintf("a run that fits in %s of memory (settings.max_run_memory)", byteCount(limit)), got, e.advice())
}

// advice says what to change, largest share first.
func (e RunEstimate) advice() string {
	var out []string
	if e.TaskEvents && float64(e.Events)*estEventBytes > float64(e.MemoryBytes)/4 {
		out = append(out, "[report] task_events = false")
	}
	out = append(out, "a shorter duration", "fewer copies or a lower desired_count/max_capacity", "lower arrival rates")
	return "try " + strings.Join(out, ", ") + "; or raise settings.max_run_memory if the machine has the memory"
}

func byteCount(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", b>>10)
}

func count(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1fG", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

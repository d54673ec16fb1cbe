package ecs

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/workload"
)

// batchJob submits RunTask-style tasks: each arrives, runs for its duration
// (drawn, or from the trace) and exits with code 0. Tasks stopped by Spot or
// instance termination are resubmitted up to Retries times.
type batchJob struct {
	idx      int32
	cfg      *BatchJobConfig
	spec     int32
	group    string
	strategy []strategyItem
	perItem  []int // active tasks per strategy entry
	arrivals workload.Arrivals
	length   workload.Durations
	sized    map[[2]int]int32 // trace tasks: (cpu, memory) -> spec

	submitted, completed, failedToPlace, retried int
	failed                                       int // stopped without completing and not retried
}

func newBatchJob(w *World, i int) batchJob {
	cfg := &w.cfg.BatchJobs[i]
	td := &w.cfg.TaskDefinitions[cfg.TaskDefinition]
	items := w.resolveStrategy(cfg.ProviderStrategy, cfg.LaunchType)
	j := batchJob{
		idx:      int32(i),
		cfg:      cfg,
		group:    "family:" + td.Family,
		strategy: items,
		perItem:  make([]int, len(items)),
		sized:    map[[2]int]int32{},
	}
	j.spec = w.specFor(cfg.TaskDefinition, j.group)
	j.arrivals = w.arrivalsFor(cfg)
	if cfg.Arrivals.Pattern != "trace" {
		j.length = durations(cfg.Duration, w.stream("job/"+cfg.Name+"/durations"))
	}
	return j
}

// arrivalsFor builds a job's arrival process over the run. Every process
// streams: arrivals are drawn or read as the run reaches them.
func (w *World) arrivalsFor(cfg *BatchJobConfig) workload.Arrivals {
	a := &cfg.Arrivals
	end := des.At(w.cfg.Duration)
	switch a.Pattern {
	case "trace":
		return workload.FromTasks(a.Tasks, 0)
	case "cron":
		// One firing at a time: a year of cron(* * * * ? *) is half a
		// million firings, none of them computed before they are due.
		return workload.NewScheduleStream(a.Schedule, w.cfg.Start, end, a.PerFiring, a.Max)
	case "pattern":
		perSec := workload.Scale{P: w.pattern("job/"+cfg.Name, a.Rate), Factor: 1.0 / 3600}
		return workload.NewThinned(perSec, w.cfg.Start, w.peakRate(perSec), 0, end, w.stream("job/"+cfg.Name+"/arrivals"))
	}
	if a.Window <= 0 {
		return workload.NewPoisson(a.RatePerHour, 0, end, w.stream("job/"+cfg.Name+"/arrivals"))
	}
	start, win, every := des.At(a.Start), des.At(a.Window), des.At(a.Every)
	if every <= 0 {
		end = min(end, start+win) // one window: no candidates drawn after it (the same arrivals in it)
	}
	p := workload.NewPoisson(a.RatePerHour, 0, end, w.stream("job/"+cfg.Name+"/arrivals"))
	return workload.Windowed{A: p, Active: func(t des.Time) bool {
		if t < start {
			return false
		}
		if every <= 0 {
			return t < start+win
		}
		return (t-start)%every < win
	}}
}

// peakRate bounds a pattern's rate over the run for thinning: the highest
// per-minute value, with 20% headroom for what happens between samples
// (candidates above the bound are kept and counted by workload.Thinned).
func (w *World) peakRate(p workload.Pattern) float64 {
	peak := 0.0
	for t := time.Duration(0); t <= w.cfg.Duration; t += time.Minute {
		peak = max(peak, p.Rate(w.cfg.Start.Add(t)))
	}
	return max(peak*1.2, 1e-9)
}

// durations builds a duration distribution from its configuration.
func durations(d Distribution, r *rand.Rand) workload.Durations {
	switch d.Kind {
	case "exponential":
		return workload.Exponential(d.Value, r)
	case "lognormal":
		return workload.LogNormal(d.Median, d.Sigma, r)
	case "weibull":
		return workload.Weibull(d.Value, d.Shape, r)
	case "pareto":
		return workload.Pareto(d.Min, d.Shape, r)
	case "uniform":
		return uniform{d.Min, d.Max, r}
	}
	return workload.Fixed(d.Value)
}

// uniform draws durations uniformly from [lo, hi].
type uniform struct {
	lo, hi time.Duration
	r      *rand.Rand
}

func (u uniform) Sample() time.Duration {
	return u.lo + time.Duration(math.Round(u.r.Float64()*float64(u.hi-u.lo)))
}

func (w *World) scheduleNext(j *batchJob) {
	if j.cfg.Arrivals.Max > 0 && j.submitted >= j.cfg.Arrivals.Max {
		return
	}
	if t, ok := j.arrivals.Next(); ok && t <= des.At(w.cfg.Duration) {
		w.eng.At(max(t, w.eng.Now()), w.k.batchArrival, j.idx)
	}
}

func (w *World) onBatchArrival(now des.Time, ji int32) {
	j := &w.jobs[ji]
	k := j.submitted
	j.submitted++
	spec, runFor := j.spec, des.Time(0)
	if tasks := j.cfg.Arrivals.Tasks; j.cfg.Arrivals.Pattern == "trace" && k < len(tasks) {
		spec = w.sizedSpec(j, tasks[k].CPUUnits, tasks[k].MemoryMiB)
		runFor = max(des.At(tasks[k].Duration), 1)
	}
	w.submit(j, spec, runFor, 0)
	w.scheduleNext(j)
}

// submit runs one task of the job (RunTask) on the provider its capacity
// provider strategy picks, base and weight counted over its active tasks.
func (w *World) submit(j *batchJob, spec int32, runFor des.Time, attempt uint8) {
	item := pickProvider(j.strategy, j.perItem)
	t := w.newTask(spec, -1, j.idx, j.strategy[item].provider)
	if t < 0 {
		return
	}
	w.tasks[t].runFor, w.tasks[t].attempt, w.tasks[t].item = runFor, attempt, int8(item)
	j.perItem[item]++
}

// sizedSpec is the placement spec of a trace task with its own size (RunTask
// with cpu and memory overrides).
func (w *World) sizedSpec(j *batchJob, cpu, mem int) int32 {
	key := [2]int{cpu, mem}
	if s, ok := j.sized[key]; ok {
		return s
	}
	s := w.specSized(j.cfg.TaskDefinition, j.group, int64(cpu), int64(mem))
	j.sized[key] = s
	return s
}

// batchTaskRunning schedules a batch task's exit: after its trace duration,
// or one drawn from the job's distribution.
func (w *World) batchTaskRunning(j *batchJob, t int32) {
	d := w.tasks[t].runFor
	if d == 0 {
		d = des.At(j.length.Sample())
	}
	w.tasks[t].timer = w.eng.At(w.eng.Now()+d, w.k.taskExit, t)
}

// batchTaskStopped counts a completion, or resubmits a task the infrastructure
// took away, within the job's retries.
func (w *World) batchTaskStopped(j *batchJob, t int32) {
	tk := &w.tasks[t]
	j.perItem[tk.item]--
	switch w.strs.str(tk.stopCode) {
	case StopEssentialContainerExited:
		j.completed++
	case StopSpotInterruption, StopTerminationNotice:
		if int(tk.attempt) < j.cfg.Retries {
			j.retried++
			w.submit(j, tk.spec, tk.runFor, tk.attempt+1)
			return
		}
		j.failed++
	default:
		j.failed++
	}
}

package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// batchJob submits RunTask-style tasks: each arrives, runs for a drawn
// duration and exits with code 0.
type batchJob struct {
	w        *World
	idx      int32
	cfg      *BatchJobConfig
	spec     int32
	provider int
	arrive   *rand.Rand
	length   *rand.Rand

	submitted, completed, failedToPlace int
}

func newBatchJob(w *World, i int) batchJob {
	cfg := &w.cfg.BatchJobs[i]
	td := &w.cfg.TaskDefinitions[cfg.TaskDefinition]
	items := w.resolveStrategy(cfg.ProviderStrategy, cfg.LaunchType)
	return batchJob{
		w:        w,
		idx:      int32(i),
		cfg:      cfg,
		spec:     w.specFor(cfg.TaskDefinition, "family:"+td.Family),
		provider: items[pickProvider(items, make([]int, len(items)))].provider,
		arrive:   w.stream("job/" + cfg.Name + "/arrivals"),
		length:   w.stream("job/" + cfg.Name + "/durations"),
	}
}

func (j *batchJob) start() { j.scheduleNext(0) }

// scheduleNext draws the next Poisson arrival after from, skipping to the next
// active window when the draw falls outside one.
func (j *batchJob) scheduleNext(from des.Time) {
	a := &j.cfg.Arrivals
	if a.RatePerHour <= 0 || (a.Max > 0 && j.submitted >= a.Max) {
		return
	}
	t := from + des.Time(j.arrive.ExpFloat64()/a.RatePerHour*float64(time.Hour))
	if a.Window > 0 {
		t = j.intoWindow(from, t)
	}
	if t <= des.At(j.w.cfg.Duration) {
		j.w.eng.At(t, kindBatchArrival, j.idx)
	}
}

// intoWindow maps an arrival drawn at t (after from) into the active windows
// [Start + k*Every, Start + k*Every + Window): time outside a window does not
// count, so the process is Poisson within the windows.
func (j *batchJob) intoWindow(from, t des.Time) des.Time {
	a := &j.cfg.Arrivals
	start, win, every := des.At(a.Start), des.At(a.Window), des.At(a.Every)
	if every <= 0 {
		every = des.Never / 4
	}
	need := t - from // active time to consume
	cur := from
	for need > 0 {
		k := max((cur-start)/every, 0)
		ws := start + k*every
		if cur >= ws+win { // past this window: go to the next one
			ws += every
		}
		cur = max(cur, ws)
		left := ws + win - cur
		if need <= left {
			return cur + need
		}
		need -= left
		cur = ws + every
		if cur > des.At(j.w.cfg.Duration) {
			return des.Never
		}
	}
	return cur
}

func (w *World) onBatchArrival(now des.Time, ji int32) {
	j := &w.jobs[ji]
	j.submitted++
	w.newTask(j.spec, -1, ji, j.provider)
	j.scheduleNext(now)
}

func (j *batchJob) onRunning(t int32) {
	d := j.cfg.Duration.sample(j.length)
	j.w.tasks[t].timer = j.w.eng.At(j.w.eng.Now()+des.At(d), kindTaskExit, t)
}

func (j *batchJob) onStopped(t int32) {
	if j.w.tasks[t].stopCode == StopEssentialContainerExited {
		j.completed++
	}
}

// sample draws one duration, rounded to the nanosecond once.
func (d Distribution) sample(r *rand.Rand) time.Duration {
	var v float64
	switch d.Kind {
	case "exponential":
		v = r.ExpFloat64() * float64(d.Value)
	case "lognormal":
		v = float64(d.Median) * math.Exp(d.Sigma*r.NormFloat64())
	case "uniform":
		v = float64(d.Min) + r.Float64()*float64(d.Max-d.Min)
	default: // fixed
		v = float64(d.Value)
	}
	return time.Duration(math.Round(max(v, 0)))
}

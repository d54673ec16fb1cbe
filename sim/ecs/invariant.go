package ecs

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// ErrInvariant marks a breach of the simulated cluster's own rules: a bug in
// fleetsim, never a property of the scenario. The run ends with it.
var ErrInvariant = errors.New("sim: invariant broken")

// Invariants checked on every run:
//   - at every reservation, no instance holds more CPU, memory, ENIs or host
//     ports than it registered (checkInstance);
//   - every minute, every service's tasks are accounted for (started =
//     active + stopping + stopped), healthy <= running <= the rolling
//     update's maximum (maximumPercent of the largest desired count of the
//     last five minutes, and at least that desired count), desired counts
//     stay within their scalable target's bounds; every batch job's
//     arrivals are accounted for (submitted = completed + failed + live);
//     instances launched - terminated = instances present; and no recorded
//     figure is negative, infinite, or NaN where a number is due
//     (checkService, checkMinute);
//   - every minute, each service's books (books.go: its active tasks, those
//     to be replaced, healthy, by deployment and by zone) agree with the
//     recorder's tallies if either changed since they last agreed, and at
//     the end of each day and of the run every service's books
//     agree with a recount from its tasks (checkBooks);
//   - an instance is terminated at most once (finishTermination);
//   - at the end, the task tallies summed over owners equal the totals
//     kept beside them (checkTotals);
//   - at the end, every instance's free resources equal its registered ones
//     less what its tasks reserve (checkEnd).
//
// Simulated time never going back is the kernel's own guarantee (des panics
// on an event in the past).

func (w *World) breach(format string, args ...any) {
	at := w.calendar(w.eng.Now()).Format(time.RFC3339)
	w.eng.Fail(fmt.Errorf("%w at %s: %s", ErrInvariant, at, fmt.Sprintf(format, args...)))
}

// checkInstance verifies an instance's free resources after a change.
func (w *World) checkInstance(i int32) {
	in := &w.instances[i]
	switch {
	case in.cpuFree < 0:
		w.breach("instance %s: CPU reserved %d units > registered %d", in.id, in.cpuRegistered-in.cpuFree, in.cpuRegistered)
	case in.memFree < 0:
		w.breach("instance %s: memory reserved %d MiB > registered %d", in.id, in.memRegistered-in.memFree, in.memRegistered)
	case in.eniFree < 0:
		w.breach("instance %s: ENIs in use exceed the limit of %d", in.id, w.eniLimit(in.typ))
	case in.cpuFree > in.cpuRegistered || in.memFree > in.memRegistered:
		w.breach("instance %s: free resources above registered (CPU %d/%d, memory %d/%d)", in.id, in.cpuFree, in.cpuRegistered, in.memFree, in.memRegistered)
	}
	if hasDuplicate(in.ports) {
		w.breach("instance %s: a static host port is taken twice: %v", in.id, in.ports)
	}
}

func hasDuplicate(ports []int) bool {
	if len(ports) < 2 {
		return false
	}
	s := slices.Clone(ports)
	slices.Sort(s)
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return true
		}
	}
	return false
}

// checkService verifies service si's accounting for the minute. onSample
// calls it in its pass over the services, beside the service's
// availability, while the service's records are in cache: with 1,000
// services a pass of its own missed the L1 cache on every service, every
// minute (cachegrind).
// fullBooks: the books are recounted from the tasks (checkBooks).
func (w *World) checkService(si int, fullBooks bool) {
	s := &w.services[si]
	c := w.rec.counts[si]
	live := c[TaskProvisioning] + c[TaskPending] + c[TaskRunning] + c[TaskStopping]
	if s.started != live+s.stopped {
		w.breach("service %s: %d tasks started but %d live + %d stopped", s.cfg.Name, s.started, live, s.stopped)
	}
	running := c[TaskRunning]
	if s.healthy > running {
		w.breach("service %s: %d tasks healthy but %d running", s.cfg.Name, s.healthy, running)
	}
	peak := s.recentPeak // the most of s.recentDesired, as availability just found it
	_, maxTotal := RollingBounds(peak, s.minHealthyPct, s.maxPct)
	// A staged blue and kept-above tasks only raise the bound: they are read
	// (records of their own, out of cache) only when the count is above it.
	if bound := max(maxTotal, peak, 1); running > bound && running > bound+w.stagedBlue(s)+w.keptAbove(s) {
		w.breach("service %s: %d tasks running, above the maximum %d (maximumPercent %d of desired %d)", s.cfg.Name, running, bound, s.maxPct, peak)
	}
	if s.scaler != nil {
		lo, hi := s.scaler.target.Range()
		if s.desired < lo || s.desired > hi {
			w.breach("service %s: desired count %d outside [%d, %d]", s.cfg.Name, s.desired, lo, hi)
		}
	}
	w.checkBooks(si, fullBooks) // the books reconcile reads
}

// checkMinute verifies the batch jobs' and the fleet's accounting and the
// row just recorded (the services': checkService).
func (w *World) checkMinute(row []float64) {
	for ji := range w.jobs {
		j := &w.jobs[ji]
		c := w.rec.counts[len(w.services)+ji]
		live := c[TaskProvisioning] + c[TaskPending] + c[TaskRunning] + c[TaskStopping]
		if j.submitted != j.completed+j.failed+j.failedToPlace+live {
			w.breach("batch job %s: %d tasks submitted but %d completed + %d failed + %d not placed + %d live",
				j.cfg.Name, j.submitted, j.completed, j.failed, j.failedToPlace, live)
		}
	}
	if f := w.fleet; f.Present() != f.Pending()+int(w.agg.active) {
		w.breach("instances: %d launched - %d terminated = %d present, but %d launching + %d registered", f.Launched(), f.Terminated(),
			f.Present(), f.Pending(), w.agg.active)
	}
	for i, v := range row {
		name := w.rec.series.Columns[i].Name
		if v < 0 || math.IsInf(v, 0) || (math.IsNaN(v) && !w.rec.mayBeMissing[i]) {
			w.breach("series %s: %v", name, v)
		}
	}
}

// checkGroupCounts recomputes capacity's books and each group's count of
// DRAINING container instances.
func (w *World) checkGroupCounts() {
	w.fleet.Check()
	draining := make([]int, len(w.cfg.Groups))
	busy := make([]int, len(w.cfg.Groups))
	for i := range w.instances {
		in := &w.instances[i]
		if in.status == InstanceDraining {
			draining[in.group]++
		}
		if in.isBusy() {
			busy[in.group]++
		}
	}
	for gi, n := range draining {
		if n != w.draining[gi] {
			w.breach("group %s: %d container instances counted DRAINING, its instances say %d", w.cfg.Groups[gi].Name, w.draining[gi], n)
		}
		if busy[gi] != w.busy[gi] {
			w.breach("group %s: %d container instances counted ACTIVE with a task, its instances say %d", w.cfg.Groups[gi].Name, w.busy[gi], busy[gi])
		}
	}
}

// CheckEnd recomputes every instance's reservations from its tasks, and the
// cluster aggregate the series reads from every instance.
func (w *World) CheckEnd() {
	defer func() {
		if fresh := w.recountAggregate(); fresh != w.agg {
			w.breach("cluster aggregate %+v disagrees with its instances %+v", w.agg, fresh)
		}
		w.checkGroupCounts()
		w.checkTotals()
	}()
	for si := range w.services {
		w.checkBooks(si, true)
	}
	w.syncInstances()
	for i := range w.instances {
		in := &w.instances[i]
		if in.status == InstanceLaunching || in.status == InstanceDeregistered {
			if len(in.tasks) > 0 {
				w.breach("instance %s (%s) still holds %d tasks", in.id, in.status, len(in.tasks))
			}
			continue
		}
		var cpu, mem int64
		for _, t := range in.tasks {
			sp := &w.specs[w.tasks[t].spec]
			cpu += sp.cpu
			mem += sp.memMiB
		}
		if in.cpuRegistered-in.cpuFree != cpu || in.memRegistered-in.memFree != mem {
			w.breach("instance %s: books say CPU %d, memory %d reserved; its tasks reserve %d, %d",
				in.id, in.cpuRegistered-in.cpuFree, in.memRegistered-in.memFree, cpu, mem)
		}
	}
}

// checkTotals verifies the recorder's sums over owners against the
// per-owner tallies they are kept beside.
func (w *World) checkTotals() {
	var total [numTaskStates]int
	for _, c := range w.rec.counts {
		for s, n := range c {
			total[s] += n
		}
	}
	if total != w.rec.total {
		w.breach("task tallies summed over owners %v disagree with the totals kept %v", total, w.rec.total)
	}
}

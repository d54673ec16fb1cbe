package ecs

import (
	"github.com/fleetsim/fleetsim/sim/schema"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// recorder collects events, series and per-owner tallies during a run.
type recorder struct {
	series       schema.Series
	mayBeMissing []bool // per column: NaN allowed (schema.MayBeMissing)

	// counts[o][s]: tasks of owner o in state s; owners are services first,
	// then batch jobs.
	counts [][numTaskStates]int
	// total[s] is counts' column s summed over every owner, kept with
	// counts so that a minute's sample does not visit every owner
	// (CheckEnd recounts).
	total             [numTaskStates]int
	waits             []waitLog      // per owner: creation to placement
	reasons           map[string]int // placement failures by reason (first failure per task)
	peakInstances     int
	fargate           int // Fargate tasks not yet STOPPED
	spotInterruptions int // Fargate Spot tasks (EC2's are capacity's)
	peakServiceTasks  int
	usage             usageLog
	warm              warmUp    // the tallies at the end of the warm-up (slo.go)
	row               []float64 // onSample's row, reused: a row is copied into the series
}

func (w *World) initRecorder() {
	n := len(w.cfg.Services) + len(w.cfg.BatchJobs)
	w.rec.counts = make([][numTaskStates]int, n)
	w.rec.waits = make([]waitLog, n)
	w.rec.reasons = map[string]int{}
	cols := slices.Clone(schema.ClusterColumns)
	w.rec.mayBeMissing = make([]bool, len(cols))
	for _, s := range w.cfg.Services {
		if !w.cfg.Settings.ServiceSeries {
			break
		}
		for _, m := range schema.ServiceMeasures {
			cols = append(cols, schema.ServiceColumn(s.Name, m))
			w.rec.mayBeMissing = append(w.rec.mayBeMissing, schema.MayBeMissing(m))
		}
	}
	for _, j := range w.cfg.BatchJobs {
		for _, m := range schema.JobMeasures {
			cols = append(cols, schema.JobColumn(j.Name, m))
		}
	}
	for _, g := range w.cfg.Groups {
		for _, m := range schema.GroupMeasures {
			cols = append(cols, schema.GroupColumn(g.Name, m))
		}
	}
	for _, cp := range w.cfg.CapacityProviders {
		if cp.ManagedScaling != nil {
			cols = append(cols, schema.ProviderColumn(cp.Name, schema.ProviderReservation))
		}
	}
	w.rec.mayBeMissing = append(w.rec.mayBeMissing, make([]bool, len(cols)-len(w.rec.mayBeMissing))...)
	cols = w.forecastColumns(cols) // predictive scaling's forecasts (scaling.go)
	// A sample every SampleEvery from 0 to Duration: the columns get their
	// room up front, in one array, rather than growing by append (which
	// left up to twice their size allocated, and was half of a small run's
	// allocation).
	samples := 1
	if every := w.cfg.Settings.SampleEvery; every > 0 && w.cfg.Duration > 0 {
		samples += int(w.cfg.Duration / every)
	}
	if w.cfg.Settings.NoSeries {
		samples = 0 // the names only: the invariants name a column
	}
	room := make([]float64, samples*len(cols))
	w.rec.series.Times = make([]des.Time, 0, samples)
	for i, c := range cols {
		w.rec.series.Columns = append(w.rec.series.Columns, schema.Column{Name: c, Values: room[i*samples : i*samples : (i+1)*samples]})
	}
}

func (w *World) owner(t *task) int {
	if t.service >= 0 {
		return int(t.service)
	}
	return len(w.cfg.Services) + int(t.job)
}

func (w *World) taskEvent(t *task, typ schema.EventType, reason string) {
	if !w.cfg.Settings.TaskEvents && (typ == schema.TaskStateChange || typ == schema.PlacementFailed) {
		return // counted in the summary all the same
	}
	ev := schema.Event{
		At:       w.eng.Now(),
		Type:     typ,
		Subject:  t.idString(),
		Group:    w.specs[t.spec].group,
		Status:   t.state.String(),
		Reason:   reason,
		Provider: w.providers[t.provider].name,
	}
	if t.instance >= 0 {
		ev.Instance = w.instances[t.instance].id
	}
	w.log.Add(ev)
}

// recount moves a task's tally from the state it was counted in to state
// (-1: counted nowhere).
func (w *World) recountTask(t *task, state int8) {
	o := w.owner(t)
	fargate := w.providers[t.provider].fargate
	if o < len(w.services) {
		w.services[o].booksDirty = true // checkBooks compares the books with these tallies
	}
	if t.counted >= 0 {
		w.rec.counts[o][t.counted]--
		w.rec.total[t.counted]--
		if fargate {
			w.rec.fargate--
		}
	}
	if state >= 0 {
		w.rec.counts[o][state]++
		w.rec.total[state]++
		if fargate {
			w.rec.fargate++
		}
	}
	t.counted = state
}

// taskState logs a task's new state and keeps the per-owner tallies.
func (w *World) recordState(ti int32, reason string) {
	t := &w.tasks[ti]
	w.recountTask(t, int8(t.state))
	w.taskEvent(t, schema.TaskStateChange, reason)
}

// placementFailure logs the first time a task cannot be placed, with ECS's
// reason.
func (w *World) recordPlacementFailure(ti int32, reason string) {
	t := &w.tasks[ti]
	w.rec.reasons[reason]++
	t.placeFailed, t.lastReason = true, w.strs.id(reason)
	if t.num != 0 { // a RunTask failure is no task: RunTaskFailed says it
		w.taskEvent(t, schema.PlacementFailed, reason)
	}
}

// recordRunTaskFailed logs RunTask's failure for a task it never created:
// no task ID, the job's group, the reason, the provider.
func (w *World) recordRunTaskFailed(ti int32) {
	t := &w.tasks[ti]
	w.jobs[t.job].failedToPlace++
	w.log.Add(schema.Event{At: w.eng.Now(), Type: schema.RunTaskFailed, Group: w.specs[t.spec].group,
		Reason: w.strs.str(t.lastReason), Provider: w.providers[t.provider].name})
}

func (w *World) recordPlaced(ti int32) {
	t := &w.tasks[ti]
	o := w.owner(t)
	if w.inWarmUp(t.created) {
		return // the steady figures leave out the warm-up's waits (slo.go)
	}
	w.rec.waits[o].add((t.placed - t.created).Duration())
}

// waitLog is an owner's placement waits, kept in chunks that double in
// size (up to 64Ki waits), so that the list grows without copying what it
// holds; the summary at the end reads it once. The chunk being filled is
// held in the record itself (cur), so that a wait costs no read of the
// list of chunks.
type waitLog struct {
	cur  []time.Duration
	full [][]time.Duration // the chunks before cur, in order
	n    int
}

func (l *waitLog) add(d time.Duration) {
	if len(l.cur) == cap(l.cur) {
		size := 64
		if l.cur != nil {
			size = min(2*cap(l.cur), 1<<16)
			l.full = append(l.full, l.cur)
		}
		l.cur = make([]time.Duration, 0, size)
	}
	l.cur = append(l.cur, d)
	l.n++
}

// chunks is every wait, chunk by chunk in the order they came.
func (l *waitLog) chunks() [][]time.Duration {
	return append(l.full[:len(l.full):len(l.full)], l.cur)
}

// sorted returns every wait in one slice, sorted.
func (l *waitLog) sorted() []time.Duration {
	out := make([]time.Duration, 0, l.n)
	for _, c := range l.chunks() {
		out = append(out, c...)
	}
	slices.Sort(out)
	return out
}

// taskDone takes a STOPPED task out of the tallies (STOPPED is not a gauge).
func (w *World) recordDone(ti int32) {
	w.recountTask(&w.tasks[ti], -1)
}

// serviceEvent logs a service-level event: a scaling activity, an alarm
// state change, a scheduled action.
func (w *World) serviceEvent(s *service, typ schema.EventType, status, reason string) {
	w.log.Add(schema.Event{At: w.eng.Now(), Type: typ, Subject: s.cfg.Name, Group: w.serviceGroup(s), Status: status, Reason: reason})
}

// instanceEvent logs a container instance's event (registration,
// draining), with its ECS status.
func (w *World) instanceEvent(in *instance, typ schema.EventType, reason string) {
	w.log.Add(schema.Event{
		At:       w.eng.Now(),
		Type:     typ,
		Subject:  in.id,
		Group:    w.cfg.Groups[in.group].Name,
		Status:   in.status.String(),
		Reason:   reason,
		Instance: in.typ.Name,
	})
}

// availability counts the minute as up when the service has at least the
// minimum healthy count of the lowest desired count of the last five minutes.
// slot is now's place in the five minutes' ring (onSample's, for every
// service).
func (w *World) availability(s *service, now des.Time, slot int) {
	r := &s.recentDesired
	r[slot] = s.desired
	lo := min(r[0], r[1], r[2], r[3], r[4])
	s.recentPeak = max(r[0], r[1], r[2], r[3], r[4]) // checkService's bound, read next
	if minHealthy, _ := RollingBounds(lo, s.minHealthyPct, s.maxPct); now > 0 {
		s.minutes++
		if s.healthy >= minHealthy {
			s.minutesUp++
		}
	}
}

// aggregate is the cluster's container instance counts and resources, kept
// as instances change so that a minute's sample does not visit every
// instance.
type aggregate struct {
	active                         int64 // ACTIVE or DRAINING
	cpuReg, cpuRes, memReg, memRes int64
}

// tally adds (sign 1) or removes (sign -1) an instance's share of the
// aggregate; callers remove it before changing the instance and add it back
// after.
func (w *World) tally(in *instance, sign int64) {
	a := &w.agg
	switch in.status {
	case InstanceActive, InstanceDraining:
		a.active += sign
		a.cpuReg += sign * in.cpuRegistered
		a.memReg += sign * in.memRegistered
		a.cpuRes += sign * (in.cpuRegistered - in.cpuFree)
		a.memRes += sign * (in.memRegistered - in.memFree)
	}
}

// recount recomputes the aggregate from every instance (the invariant check).
func (w *World) recountAggregate() aggregate {
	saved := w.agg
	w.agg = aggregate{}
	w.syncInstances()
	for i := range w.instances {
		w.tally(&w.instances[i], 1)
	}
	fresh := w.agg
	w.agg = saved
	return fresh
}

// onSample records one row of the series and schedules the next.
func (w *World) onSample(now des.Time, _ int32) {
	for _, si := range w.loaded {
		w.measure(now, si)
	}
	w.protectByRule() // the minute's busy queue workers protect their tasks (protection.go)
	if now > 0 {
		w.manageCapacity(now)
		for _, si := range w.rebalancing {
			w.rebalanceZones(si)
		}
	}
	a := w.agg
	launching, active := w.fleet.Pending(), int(a.active)
	cpuReg, cpuRes, memReg, memRes := a.cpuReg, a.cpuRes, a.memReg, a.memRes
	w.rec.peakInstances = max(w.rec.peakInstances, launching+active)
	total := &w.rec.total
	serviceRunning := total[TaskRunning]
	for _, c := range w.rec.counts[len(w.services):] { // the batch jobs'
		serviceRunning -= c[TaskRunning]
	}
	w.rec.peakServiceTasks = max(w.rec.peakServiceTasks, serviceRunning)
	row := append(w.rec.row[:0], float64(launching), float64(active), float64(cpuReg), float64(cpuRes),
		float64(memReg), float64(memRes), float64(w.rec.fargate),
		float64(total[TaskProvisioning]), float64(total[TaskPending]), float64(total[TaskRunning]))
	// The books are recounted in full at each day's end but the last,
	// whose recount is CheckEnd's (at the same instant, a second recount
	// would find what the first found).
	day := des.At(24 * time.Hour)
	fullBooks := now > 0 && now%day == 0 && now < des.At(w.cfg.Duration)
	slot := int(now.Minutes()) % len(service{}.recentDesired)
	for si := range w.services {
		c := w.rec.counts[si]
		s := &w.services[si]
		w.availability(s, now, slot)
		w.checkService(si, fullBooks)
		if !w.cfg.Settings.ServiceSeries {
			continue
		}
		row = append(row, float64(s.desired), float64(c[TaskProvisioning]), float64(c[TaskPending]), float64(c[TaskRunning]),
			s.lastRate, s.lastCPU, s.lastMem, s.lastResponse, s.lastDropped, float64(s.healthy), s.backlogOrNaN(), s.lastNeeded)
	}
	for ji := range w.jobs {
		c := w.rec.counts[len(w.services)+ji]
		row = append(row, float64(c[TaskProvisioning]), float64(c[TaskPending]), float64(c[TaskRunning]))
	}
	for gi := range w.cfg.Groups {
		g := w.fleet.Group(gi)
		row = append(row, float64(g.Desired), float64(g.OnDemand), float64(g.InService-g.OnDemand), float64(w.draining[gi]))
	}
	for _, m := range w.managed {
		if m != nil {
			row = append(row, m.lastMetric)
		}
	}
	row = w.appendForecasts(now, row) // predictive scaling's forecasts (scaling.go)
	w.sampleWarmUp(now, launching+active)
	w.checkMinute(row)
	if !w.cfg.Settings.NoSeries {
		w.rec.series.Times = append(w.rec.series.Times, now)
		for i, v := range row {
			w.rec.series.Columns[i].Values = append(w.rec.series.Columns[i].Values, v)
		}
	}
	w.rec.row = row
	next := now + des.At(w.cfg.Settings.SampleEvery)
	if next <= des.At(w.cfg.Duration) {
		w.eng.At(next, w.k.sample, 0)
	}
}

package sim

import (
	"github.com/fleetsim/fleetsim/sim/schema"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// recorder collects events, series and per-owner tallies during a run.
type recorder struct {
	w            *World
	series       schema.Series
	mayBeMissing []bool // per column: NaN allowed (schema.MayBeMissing)

	// counts[o][s]: tasks of owner o in state s; owners are services first,
	// then batch jobs.
	counts            [][numTaskStates]int
	waits             [][]time.Duration // per owner: creation to placement
	reasons           map[string]int    // placement failures by reason (first failure per task)
	peakInstances     int
	fargate           int // Fargate tasks not yet STOPPED
	spotInterruptions int // Fargate Spot tasks (EC2's are capacity's)
	peakServiceTasks  int
	usage             []TaskUsage
}

func (r *recorder) init(w *World) {
	r.w = w
	n := len(w.cfg.Services) + len(w.cfg.BatchJobs)
	r.counts = make([][numTaskStates]int, n)
	r.waits = make([][]time.Duration, n)
	r.reasons = map[string]int{}
	cols := slices.Clone(schema.ClusterColumns)
	r.mayBeMissing = make([]bool, len(cols))
	for _, s := range w.cfg.Services {
		if !w.cfg.Settings.ServiceSeries {
			break
		}
		for _, m := range schema.ServiceMeasures {
			cols = append(cols, schema.ServiceColumn(s.Name, m))
			r.mayBeMissing = append(r.mayBeMissing, schema.MayBeMissing(m))
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
	r.mayBeMissing = append(r.mayBeMissing, make([]bool, len(cols)-len(r.mayBeMissing))...)
	for _, c := range cols {
		r.series.Columns = append(r.series.Columns, schema.Column{Name: c})
	}
}

func (r *recorder) owner(t *task) int {
	if t.service >= 0 {
		return int(t.service)
	}
	return len(r.w.cfg.Services) + int(t.job)
}

func (r *recorder) taskEvent(t *task, typ schema.EventType, reason string) {
	w := r.w
	if !w.cfg.Settings.TaskEvents && (typ == schema.TaskStateChange || typ == schema.PlacementFailed) {
		return // counted in the summary all the same
	}
	ev := schema.Event{
		At:       w.eng.Now(),
		Type:     typ,
		Subject:  t.id,
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
func (r *recorder) recount(t *task, state int8) {
	o := r.owner(t)
	fargate := r.w.providers[t.provider].fargate
	if t.counted >= 0 {
		r.counts[o][t.counted]--
		if fargate {
			r.fargate--
		}
	}
	if state >= 0 {
		r.counts[o][state]++
		if fargate {
			r.fargate++
		}
	}
	t.counted = state
}

// taskState logs a task's new state and keeps the per-owner tallies.
func (r *recorder) taskState(ti int32, reason string) {
	t := &r.w.tasks[ti]
	r.recount(t, int8(t.state))
	r.taskEvent(t, schema.TaskStateChange, reason)
}

// placementFailure logs the first time a task cannot be placed, with ECS's
// reason.
func (r *recorder) placementFailure(ti int32, reason string) {
	t := &r.w.tasks[ti]
	r.reasons[reason]++
	t.placeFailed, t.lastReason = true, reason
	r.taskEvent(t, schema.PlacementFailed, reason)
}

func (r *recorder) runTaskFailed(ti int32) {
	t := &r.w.tasks[ti]
	r.w.jobs[t.job].failedToPlace++
	r.recount(t, -1)
	r.taskEvent(t, schema.RunTaskFailed, t.lastReason)
}

func (r *recorder) placed(ti int32) {
	t := &r.w.tasks[ti]
	o := r.owner(t)
	r.waits[o] = append(r.waits[o], (t.placed - t.created).Duration())
}

// taskDone takes a STOPPED task out of the tallies (STOPPED is not a gauge).
func (r *recorder) taskDone(ti int32) {
	r.recount(&r.w.tasks[ti], -1)
}

// serviceEvent logs a service-level event: a scaling activity, an alarm
// state change, a scheduled action.
func (r *recorder) serviceEvent(s *service, typ schema.EventType, status, reason string) {
	r.w.log.Add(schema.Event{At: r.w.eng.Now(), Type: typ, Subject: s.cfg.Name, Group: "service:" + s.cfg.Name, Status: status, Reason: reason})
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
func (w *World) availability(s *service, now des.Time) {
	s.recentDesired[int(now.Minutes())%len(s.recentDesired)] = s.desired
	if minHealthy, _ := RollingBounds(slices.Min(s.recentDesired[:]), s.minHealthyPct, s.maxPct); now > 0 {
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
func (w *World) recount() aggregate {
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
	for si := range w.services {
		w.measure(now, int32(si))
	}
	if now > 0 {
		w.manageCapacity(now)
	}
	r := &w.rec
	a := w.agg
	launching, active := w.fleet.Pending(), int(a.active)
	cpuReg, cpuRes, memReg, memRes := a.cpuReg, a.cpuRes, a.memReg, a.memRes
	r.peakInstances = max(r.peakInstances, launching+active)
	serviceRunning := 0
	for si := range w.services {
		serviceRunning += r.counts[si][TaskRunning]
	}
	r.peakServiceTasks = max(r.peakServiceTasks, serviceRunning)
	var total [numTaskStates]int
	for _, c := range r.counts {
		for s, n := range c {
			total[s] += n
		}
	}
	row := []float64{float64(launching), float64(active), float64(cpuReg), float64(cpuRes),
		float64(memReg), float64(memRes), float64(r.fargate),
		float64(total[TaskProvisioning]), float64(total[TaskPending]), float64(total[TaskRunning])}
	for si := range w.services {
		c := r.counts[si]
		s := &w.services[si]
		w.availability(s, now)
		if !w.cfg.Settings.ServiceSeries {
			continue
		}
		row = append(row, float64(s.desired), float64(c[TaskProvisioning]), float64(c[TaskPending]), float64(c[TaskRunning]),
			s.lastRate, s.lastCPU, s.lastMem, s.lastResponse, s.lastDropped, float64(s.healthy), s.backlogOrNaN(), s.lastNeeded)
	}
	for ji := range w.jobs {
		c := r.counts[len(w.services)+ji]
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
	w.checkMinute(row)
	r.series.Times = append(r.series.Times, now)
	for i, v := range row {
		r.series.Columns[i].Values = append(r.series.Columns[i].Values, v)
	}
	next := now + des.At(w.cfg.Settings.SampleEvery)
	if next <= des.At(w.cfg.Duration) {
		w.eng.At(next, w.k.sample, 0)
	}
}

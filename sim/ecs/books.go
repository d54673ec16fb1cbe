package ecs

// A service's books: what reconcile, the rolling update, the deployment
// check and AZ rebalancing read about its tasks, kept as the tasks change
// so that none of them scans the service. Each count moves when the fact
// it counts does:
//
//   - a task joins the active list at launch (launchSpec) and leaves it when
//     it begins stopping (stopTask);
//   - a task becomes "old" (to be replaced: isOld) when a newer deployment
//     starts (deploy), when its instance begins draining (setStatus), or at
//     launch, for the running version's replacements (keepRunningVersion);
//     it stays old until it leaves;
//   - a task becomes healthy once (onTaskHealthy) and RUNNING once
//     (onTaskRunning), and is placed in a zone once (tryPlace).
//
// checkBooks recounts every figure from the tasks themselves: cheaply in
// each minute that changed a service's books or tallies (the setters here,
// recountTask and the health flags mark it: booksDirty), in full for every
// service each day and at the end of the run, so that a count that drifts
// ends the run with an invariant error.

// activeList is a service's tasks not yet STOPPING, in creation order. A
// task that leaves leaves a hole (-1), so that removal is O(1) and the
// order is kept; the list is compacted once holes outnumber tasks. A task
// knows its position (task.activeAt).
//
// Beside each task the list keeps what scale-in reads of it (its zone,
// instance and whether it is RUNNING), so that choosing victims reads the
// list, not every task.
type activeList struct {
	n       int // first: the minute's checks read it (service)
	ts      []int32
	zi      []int8  // the task's zone index; -1 until placed
	inst    []int32 // its container instance; -1 until placed (and on Fargate)
	running []bool  // it is RUNNING
}

func (w *World) activeAdd(s *service, t int32) {
	s.booksDirty = true
	tk := &w.tasks[t]
	a := &s.active
	tk.activeAt = int32(len(a.ts))
	a.ts = appendDoubling(a.ts, t)
	a.zi = appendDoubling(a.zi, tk.zi)
	a.inst = appendDoubling(a.inst, tk.instance)
	a.running = appendDoubling(a.running, tk.state == TaskRunning)
	a.n++
}

func (w *World) activeRemove(s *service, t int32) {
	s.booksDirty = true
	tk := &w.tasks[t]
	a := &s.active
	a.ts[tk.activeAt] = -1
	tk.activeAt = -1
	a.n--
	if holes := len(a.ts) - a.n; holes > 32 && holes > a.n {
		k := 0
		for i, o := range a.ts {
			if o >= 0 {
				w.tasks[o].activeAt = int32(k)
				a.ts[k], a.zi[k], a.inst[k], a.running[k] = o, a.zi[i], a.inst[i], a.running[i]
				k++
			}
		}
		clear(a.ts[k:])
		a.ts, a.zi, a.inst, a.running = a.ts[:k], a.zi[:k], a.inst[:k], a.running[:k]
	}
}

// bump adds d to counts[i], growing counts to hold it.
func bump(counts *[]int, i int, d int) {
	for i >= len(*counts) {
		*counts = append(*counts, 0)
	}
	(*counts)[i] += d
}

// joinActive enters a just launched task of deployment dep in its
// service's books.
func (w *World) joinActive(s *service, t int32, dep int32) {
	s.booksDirty = true
	tk := &w.tasks[t]
	tk.deployment = dep
	w.activeAdd(s, t)
	s.deps[dep].active++
	if tk.zi >= 0 {
		bump(&s.activeIn, int(tk.zi), 1)
	}
	if dep != s.primary() {
		w.markOld(s, t)
	}
}

// leaveActive takes a task that began stopping out of its service's books;
// wasRunning and wasHealthy are what it was until now.
func (w *World) leaveActive(s *service, t int32, wasRunning, wasHealthy bool) {
	s.booksDirty = true
	tk := &w.tasks[t]
	if tk.activeAt < 0 {
		return
	}
	w.activeRemove(s, t)
	s.deps[tk.deployment].active--
	if tk.zi >= 0 {
		s.activeIn[tk.zi]--
		if wasRunning {
			s.runningIn[tk.zi]--
		}
	}
	if tk.old {
		tk.old = false
		s.old--
		if wasHealthy {
			s.healthyOld-- // its entry in ho is stale now: popHealthyOld skips it
		} else {
			w.uoRemove(s, t)
		}
	}
	if s.old == 0 {
		s.ho = s.ho[:0]
	}
}

// markOld records that an active task is to be replaced.
func (w *World) markOld(s *service, t int32) {
	s.booksDirty = true
	tk := &w.tasks[t]
	if tk.old || tk.activeAt < 0 {
		return
	}
	tk.old = true
	s.old++
	if tk.healthy {
		s.healthyOld++
		s.ho.push(tk.num, t)
	} else {
		w.uoAdd(s, t)
	}
}

// markHealthy moves a task that turned healthy in its service's books (the
// service's healthy count is the caller's).
func (w *World) markHealthy(s *service, t int32) {
	s.booksDirty = true
	tk := &w.tasks[t]
	if tk.old {
		w.uoRemove(s, t)
		s.healthyOld++
		s.ho.push(tk.num, t)
	}
}

// markRunning counts a task that reached RUNNING in its zone.
func (w *World) markRunning(s *service, t int32) {
	s.booksDirty = true
	tk := &w.tasks[t]
	if tk.zi >= 0 {
		bump(&s.runningIn, int(tk.zi), 1)
	}
	if tk.activeAt >= 0 {
		s.active.running[tk.activeAt] = true
	}
}

// markPlaced counts an active task placed in its zone (a task placed on
// launch is counted when it joins).
func (w *World) markPlaced(t int32) {
	tk := &w.tasks[t]
	if tk.service < 0 || tk.activeAt < 0 {
		return
	}
	s := &w.services[tk.service]
	s.booksDirty = true
	s.active.zi[tk.activeAt], s.active.inst[tk.activeAt] = tk.zi, tk.instance
	if tk.zi >= 0 {
		bump(&s.activeIn, int(tk.zi), 1)
	}
}

func (w *World) uoAdd(s *service, t int32) {
	s.booksDirty = true
	w.tasks[t].uoAt = int32(len(s.uo))
	s.uo = append(s.uo, t)
}

func (w *World) uoRemove(s *service, t int32) {
	s.booksDirty = true
	i := w.tasks[t].uoAt
	last := s.uo[len(s.uo)-1]
	s.uo[i] = last
	w.tasks[last].uoAt = i
	s.uo = s.uo[:len(s.uo)-1]
	w.tasks[t].uoAt = -1
}

// popHealthyOld takes the oldest healthy task to be replaced, skipping
// entries of tasks that have stopped since they were pushed.
func (w *World) popHealthyOld(s *service) (int32, bool) {
	for len(s.ho) > 0 {
		e := s.ho.pop()
		if tk := &w.tasks[e.t]; tk.num == e.num && tk.activeAt >= 0 && tk.old && tk.healthy {
			return e.t, true
		}
	}
	return -1, false
}

// seqHeap is a binary min-heap of tasks by creation order (task ID).
type seqHeap []seqEntry

type seqEntry struct {
	num uint32 // the task's number (task.num)
	t   int32
}

func (h *seqHeap) push(num uint32, t int32) {
	*h = appendDoubling(*h, seqEntry{num, t})
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if q[p].num <= q[i].num {
			break
		}
		q[p], q[i] = q[i], q[p]
		i = p
	}
}

func (h *seqHeap) pop() seqEntry {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		m, l, r := i, 2*i+1, 2*i+2
		if l < n && q[l].num < q[m].num {
			m = l
		}
		if r < n && q[r].num < q[m].num {
			m = r
		}
		if m == i {
			break
		}
		q[m], q[i] = q[i], q[m]
		i = m
	}
	*h = q
	return top
}

// checkBooks verifies service si's books: the counts the recorder keeps
// must agree with them (cheap: skipped when neither changed since they last
// agreed, which at a thousand quiet services was a tenth of a day's run),
// and in full they must agree with a recount from its tasks.
func (w *World) checkBooks(si int, full bool) {
	s := &w.services[si]
	if !s.booksDirty && !full {
		return // nothing they read changed since they last agreed
	}
	s.booksDirty = false
	c := w.rec.counts[si]
	sum := func(xs []int) (n int) {
		for _, x := range xs {
			n += x
		}
		return n
	}
	depActive := 0
	for d := range s.deps {
		depActive += s.deps[d].active
	}
	switch {
	case s.active.n != c[TaskProvisioning]+c[TaskPending]+c[TaskRunning]:
		w.breach("service %s: %d tasks active in its books, %d provisioning, pending or running", s.cfg.Name, s.active.n, c[TaskProvisioning]+c[TaskPending]+c[TaskRunning])
	case depActive != s.active.n:
		w.breach("service %s: %d active tasks by deployment, %d active", s.cfg.Name, depActive, s.active.n)
	case sum(s.runningIn) != c[TaskRunning]:
		w.breach("service %s: %d running tasks by zone, %d running", s.cfg.Name, sum(s.runningIn), c[TaskRunning])
	case s.old > s.active.n || s.healthyOld > s.healthy || s.healthyOld > s.old || len(s.uo) != s.old-s.healthyOld:
		w.breach("service %s: books of tasks to replace: %d old, %d of them healthy, %d unhealthy listed, %d active, %d healthy",
			s.cfg.Name, s.old, s.healthyOld, len(s.uo), s.active.n, s.healthy)
	}
	if full {
		w.recountBooks(si)
	}
}

// recountBooks recounts service si's books from its tasks.
func (w *World) recountBooks(si int) {
	s := &w.services[si]
	var n, old, healthy, healthyOld int
	dep := make([]int, len(s.deps))
	var activeIn, runningIn []int
	for i, t := range s.active.ts {
		if t < 0 {
			continue
		}
		tk := &w.tasks[t]
		if tk.activeAt != int32(i) || tk.service != int32(si) || tk.state >= TaskStopping {
			w.breach("service %s: task %s in its active list at %d is %s, of service %d, listed at %d", s.cfg.Name, tk.idString(), i, tk.state, tk.service, tk.activeAt)
			return
		}
		if a := &s.active; a.zi[i] != tk.zi || a.inst[i] != tk.instance || a.running[i] != (tk.state == TaskRunning) {
			w.breach("service %s: task %s listed in zone %d, on instance %d, running %v; it is in %d, on %d, %s",
				s.cfg.Name, tk.idString(), a.zi[i], a.inst[i], a.running[i], tk.zi, tk.instance, tk.state)
			return
		}
		n++
		dep[tk.deployment]++
		if tk.healthy {
			healthy++
		}
		if tk.zi >= 0 {
			bump(&activeIn, int(tk.zi), 1)
			if tk.state == TaskRunning {
				bump(&runningIn, int(tk.zi), 1)
			}
		}
		isOld := w.isOld(s, t)
		if isOld != tk.old {
			w.breach("service %s: task %s is to be replaced: %v, its books say %v", s.cfg.Name, tk.idString(), isOld, tk.old)
			return
		}
		if isOld {
			old++
			if tk.healthy {
				healthyOld++
			} else if tk.uoAt < 0 || int(tk.uoAt) >= len(s.uo) || s.uo[tk.uoAt] != t {
				w.breach("service %s: task %s to be replaced is missing from its unhealthy list", s.cfg.Name, tk.idString())
				return
			}
		}
	}
	same := func(a, b []int) bool {
		for i := range max(len(a), len(b)) {
			var x, y int
			if i < len(a) {
				x = a[i]
			}
			if i < len(b) {
				y = b[i]
			}
			if x != y {
				return false
			}
		}
		return true
	}
	for d := range s.deps {
		if dep[d] != s.deps[d].active {
			w.breach("service %s: deployment %d has %d active tasks, its books say %d", s.cfg.Name, d, dep[d], s.deps[d].active)
			return
		}
	}
	switch {
	case n != s.active.n || old != s.old || healthy != s.healthy || healthyOld != s.healthyOld:
		w.breach("service %s: tasks active %d, to replace %d, healthy %d, healthy to replace %d; its books say %d, %d, %d, %d",
			s.cfg.Name, n, old, healthy, healthyOld, s.active.n, s.old, s.healthy, s.healthyOld)
	case !same(activeIn, s.activeIn) || !same(runningIn, s.runningIn):
		w.breach("service %s: tasks by zone active %v, running %v; its books say %v, %v", s.cfg.Name, activeIn, runningIn, s.activeIn, s.runningIn)
	}
}

package ecs

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/placement"

	"github.com/fleetsim/fleetsim/sim/des"
)

// TaskState is a task's lastStatus. ECS's finer ACTIVATING, DEACTIVATING and
// DEPROVISIONING are folded into PENDING and STOPPING.
type TaskState uint8

// Task states, in lifecycle order.
const (
	TaskProvisioning TaskState = iota
	TaskPending
	TaskRunning
	TaskStopping
	TaskStopped
	numTaskStates
)

func (s TaskState) String() string {
	return [...]string{"PROVISIONING", "PENDING", "RUNNING", "STOPPING", "STOPPED"}[s]
}

// Stop codes, as ECS's TaskStopCode names them.
const (
	StopTaskFailedToStart          = "TaskFailedToStart"
	StopEssentialContainerExited   = "EssentialContainerExited"
	StopUserInitiated              = "UserInitiated"
	StopServiceSchedulerInitiated  = "ServiceSchedulerInitiated"
	StopSpotInterruption           = "SpotInterruption"
	StopTerminationNotice          = "TerminationNotice"
	StopInfrastructureHealth       = "InfrastructureHealth"
	reasonScaleIn                  = "Service scaled in"
	reasonEssentialExitedFailure   = "Essential container in task exited"
	reasonEssentialExitedCompleted = "Essential container in task exited (exit code 0)"
)

// task is one ECS task. Slots are recycled once a task is STOPPED and counted.
//
// Its texts are ids in World.strs and its zone is an index in World.zones,
// so that a task holds no pointer: a large run's tasks are one array the
// garbage collector need not scan. It is 128 bytes, two cache lines of the
// array (a large allocation starts on a page): the event that touches a
// task whose record has gone cold reads two lines, not the three a 144-byte
// record spanned. Hence the 32-bit number and provider, and the scale-in's
// marks kept beside the array (World.victimMarks);
// TestATasksRecordIsTwoCacheLines holds the size.
type task struct {
	num                              uint32 // the task ID as a number (idString); 0 until announced
	provider                         int32  // index into World.providers
	created, placed, started, stopAt des.Time
	runFor                           des.Time  // batch tasks from a trace: their run time
	timer                            des.Timer // the next lifecycle step: RUNNING, the essential container's exit, STOPPED
	spotTimer                        des.Timer // Fargate Spot interruption notice
	healthTimer                      des.Timer // the health check's verdict (service tasks)
	spec                             int32     // placementSpec index: task definition + group
	service                          int32     // -1 for batch tasks
	job                              int32     // -1 for service tasks
	instance                         int32     // -1 until placed, and for Fargate tasks
	usage                            int32     // index of its TaskUsage record; -1 before placement
	deployment                       int32     // service tasks: index into the service's deployments

	// A service task's place in its service's books (books.go).
	activeAt int32 // position in the service's active list; -1 when not active
	uoAt     int32 // position in the service's unhealthy old tasks; -1 when not there

	stopCode, stopReason textID // World.strs
	lastReason           textID // the last placement failure's reason
	pullErr              textID // the registry's error at its image pull (ecr.go); 0 (""): none

	state       TaskState
	placeFailed bool  // a placement failure was already recorded
	counted     int8  // state counted in the recorder's tallies; -1 none
	healthy     bool  // passed its health check (service tasks)
	zi          int8  // the Availability Zone it was placed in: its index in World.zones; -1 until placed
	attempt     uint8 // batch retries: 0 for the first submission
	item        int8  // its capacity provider strategy entry (a job's or service's); -1: none (a daemon's outside it)
	old         bool  // counted as to be replaced (books.go)
}

// taskZone is the Availability Zone task tk was placed in, "" until placed.
func (w *World) taskZone(tk *task) string {
	if tk.zi < 0 {
		return ""
	}
	return w.zones[tk.zi]
}

// idString is the task's ID as ECS shows it: 32 hex digits. Tasks keep the
// number and format it only when it is written.
func (t *task) idString() string { return taskID(uint64(t.num)) }

// taskID formats a task number as fmt's %032x would, without fmt.
func taskID(n uint64) string {
	var b [32]byte
	for i := range b {
		b[i] = '0'
	}
	const hex = "0123456789abcdef"
	for i := len(b) - 1; n > 0; i-- {
		b[i] = hex[n&15]
		n >>= 4
	}
	return string(b[:])
}

// placementSpec is what placement needs of a task: its reservation and its
// rules. One per (task definition, group), shared by every task of it.
type placementSpec struct {
	// What a placement reads (poolSpec, reserve, the pull), first: with a
	// thousand services a task's spec is rarely still in cache.
	def      int
	cpu      int64
	memMiB   int64
	bound    []*placement.Spec // by pool number (World.poolSpec)
	images   []int32
	awsvpc   bool
	fails    bool // the task definition's FailsToStart (onTaskRunning reads it here, not the definition)
	imageSum int64
	ports    []int

	group  string         // "service:web" or "family:etl"
	zone   string         // pinned to this Availability Zone (AZ rebalancing); "" anywhere
	task   placement.Task // placement's view, bound to a pool on first use
	pinned []int32        // by zone index: this spec pinned to the zone (zoneSpec); -1 not yet made
}

func (w *World) specFor(def int, group string) int32 {
	td := &w.cfg.TaskDefinitions[def]
	return w.specSized(def, group, int64(td.CPUUnits()), int64(td.ReservedMemoryMiB()))
}

// specSized is specFor with the task's CPU and memory overridden.
func (w *World) specSized(def int, group string, cpu, mem int64) int32 {
	key := specKey{def, group, cpu, mem}
	if i, ok := w.texts.specs[key]; ok {
		return i
	}
	td := &w.cfg.TaskDefinitions[def]
	s := placementSpec{
		def:      def,
		group:    group,
		cpu:      cpu,
		memMiB:   mem,
		ports:    td.StaticHostPorts(),
		awsvpc:   td.NetworkMode == NetworkAWSVPC,
		fails:    td.FailsToStart,
		imageSum: td.ImageBytes(),
	}
	for _, c := range td.Containers {
		s.images = append(s.images, w.fleet.ImageID(c.Image))
	}
	if name, ok := strings.CutPrefix(group, "service:"); ok {
		si := w.serviceNamed(name)
		s.task = w.placementTask(&s, true, w.cfg.Services[si].PlacementStrategy, w.cfg.Services[si].PlacementConstraints)
	} else {
		s.task = w.placementTask(&s, false, nil, nil)
	}
	w.specs = append(w.specs, s)
	if w.texts.specs == nil {
		w.texts.specs = map[specKey]int32{}
	}
	w.texts.specs[key] = int32(len(w.specs) - 1)
	return int32(len(w.specs) - 1)
}

// newTask creates a task in PROVISIONING on the given provider and tries to
// place it at once. RunTask with the EC2 launch type does not queue: ECS
// places the task or returns a failure with its reason and creates no task
// (AWS, RunTask API: "failures"), so such a task exists, with an ID and
// events, only once placed.
func (w *World) newTask(spec int32, svc, job int32, prov int) int32 {
	var idx int32
	if n := len(w.freeTasks); n > 0 {
		idx = w.freeTasks[n-1]
		w.freeTasks = w.freeTasks[:n-1]
	} else {
		if len(w.tasks) == cap(w.tasks) {
			// By half again: append's smaller steps for large slices
			// copy the tasks again and again as a run's peak grows, and
			// doubling leaves up to half of a large array unused.
			w.tasks = slices.Grow(w.tasks, max(len(w.tasks)/2, 64))
		}
		w.tasks = append(w.tasks, task{})
		idx = int32(len(w.tasks) - 1)
	}
	w.tasks[idx] = task{
		spec:     spec,
		service:  svc,
		job:      job,
		provider: int32(prov),
		instance: -1,
		state:    TaskProvisioning,
		created:  w.eng.Now(),
		counted:  -1,
		usage:    -1,
		zi:       -1,
		activeAt: -1,
		uoAt:     -1,
	}
	runTask := job >= 0 && prov == provEC2Launch
	if !runTask {
		w.announce(idx)
	}
	if w.tryPlace(idx) {
		return idx
	}
	if runTask {
		w.recordRunTaskFailed(idx)
		w.tasks[idx].state = TaskStopped
		w.freeTask(idx)
		return -1
	}
	w.enqueue(idx)
	return idx
}

// announce gives a task its ID and records it in PROVISIONING: at once for
// a task that may wait, on placement for RunTask's EC2 launch type.
func (w *World) announce(t int32) {
	tk := &w.tasks[t]
	if tk.num != 0 {
		return
	}
	if w.nextTaskID == math.MaxUint32 { // a task's number is 32 bits (task)
		w.eng.Fail(fmt.Errorf("ecs: more than %d tasks in one run: task IDs would repeat", uint64(math.MaxUint32)))
		return
	}
	w.nextTaskID++
	tk.num = w.nextTaskID
	w.recordState(t, "")
}

// tryPlace places a PROVISIONING task if its provider has room, moving it to
// PENDING, and reports whether it did. Fargate always has room.
func (w *World) tryPlace(t int32) bool {
	tk := &w.tasks[t]
	sp := &w.specs[tk.spec]
	now := w.eng.Now()
	if w.providers[tk.provider].fargate {
		if w.fargateWaits(t) { // Fargate's launch rate: PROVISIONING until its token (launchrate.go)
			return true
		}
		s := &w.cfg.Settings
		zone := w.fargateZone(t)
		if sp.zone != "" && !w.fleet.ZoneDown(sp.zone) {
			zone = sp.zone
		}
		tk.zi = int8(w.zoneIndex(zone))
		w.markPlaced(t)
		pullStart := now + des.At(s.FargateStartTime)
		tk.pullErr = w.strs.id(w.pullFailure(-1, sp)) // ecr.go
		w.toPending(t, pullStart+w.fargatePullTime(t, sp)+des.At(s.ContainerStartTime))
		w.startUsage(t, pullStart) // Fargate bills from the start of the image pull
		return true
	}
	in, reason := w.choose(int(tk.provider), tk.spec, !tk.placeFailed)
	if in < 0 {
		if reason != "" {
			w.recordPlacementFailure(t, reason)
		}
		return false
	}
	w.announce(t)
	w.reserve(in, t)
	tk.instance = in
	tk.zi = w.instances[in].zi
	w.markPlaced(t)
	ready := w.pullOrFail(t, in, sp) // ecr.go
	w.toPending(t, ready+des.At(w.cfg.Settings.ContainerStartTime))
	w.startUsage(t, now)
	return true
}

func (w *World) toPending(t int32, runningAt des.Time) {
	tk := &w.tasks[t]
	tk.state = TaskPending
	tk.placed = w.eng.Now()
	w.recordPlaced(t)
	w.recordState(t, "")
	tk.timer = w.eng.At(runningAt, w.k.taskRunning, t)
}

// pullImages returns when the task's images are on the instance: the
// instance's image cache (capacity.Fleet.Pull) with the agent's pull
// behaviour: for cached images, at once under "once" and "prefer-cached",
// after a registry check (only the manifest moves: Settings.CachedPullTime)
// under "default" and "always". AWS (ECS container agent configuration,
// ECS_IMAGE_PULL_BEHAVIOR).
func (w *World) pullImages(in int32, sp *placementSpec) des.Time {
	ready := w.eng.Now()
	td := &w.cfg.TaskDefinitions[sp.def]
	recheck := w.cfg.Settings.recheckCached()
	for i, img := range sp.images {
		ready = max(ready, w.fleet.Pull(in, img, td.Containers[i].ImageSizeBytes, recheck))
	}
	return ready
}

// reserve takes the task's resources from the instance.
func (w *World) reserve(in int32, t int32) {
	inst := &w.instances[in]
	sp := &w.specs[w.tasks[t].spec]
	w.tally(inst, -1)
	defer w.tally(inst, 1)
	defer w.rebusy(inst, inst.isBusy())
	inst.cpuFree -= sp.cpu
	inst.memFree -= sp.memMiB
	if sp.awsvpc {
		inst.eniFree--
	}
	inst.ports = append(inst.ports, sp.ports...)
	inst.tasks = append(inst.tasks, t)
	w.checkInstance(in)
	w.poolReserve(in, t)
	w.miTaskPlaced(in) // managedinstances.go
}

// release gives the task's resources back to its instance.
func (w *World) release(t int32) {
	tk := &w.tasks[t]
	if tk.instance < 0 {
		return
	}
	inst := &w.instances[tk.instance]
	sp := &w.specs[tk.spec]
	w.tally(inst, -1)
	inst.cpuFree += sp.cpu
	inst.memFree += sp.memMiB
	if sp.awsvpc {
		inst.eniFree++
	}
	for _, p := range sp.ports {
		if i := slices.Index(inst.ports, p); i >= 0 {
			inst.ports = slices.Delete(inst.ports, i, i+1)
		}
	}
	busy := inst.isBusy()
	inst.removeTask(t)
	w.daemonLeft(inst, t) // daemon.go
	w.rebusy(inst, busy)
	w.tally(inst, 1)
	w.poolRelease(tk.instance, t)
	w.miTaskLeft(tk.instance) // managedinstances.go
	w.releaseIfEmpty(tk.instance)
	if inst.nonDaemonTasks() == 0 && inst.status == InstanceActive && w.managedProtection(inst.group) {
		w.fleet.ProtectionLifted(tk.instance) // ECS turns protection off on an empty instance
	}
}

func (w *World) onTaskRunning(now des.Time, t int32) {
	tk := &w.tasks[t]
	if tk.pullErr != 0 || w.specs[tk.spec].fails {
		// Stop, count the failure (which sets the throttle's wait), then let
		// the service replace it: the replacement waits out the throttle.
		w.stopTask(t, StopTaskFailedToStart, w.cannotPullReason(t), 0, false)
		if tk.service >= 0 {
			w.taskFailed(t, true)
			w.reconcile(tk.service)
		}
		return
	}
	tk.state = TaskRunning
	tk.started = now
	if tk.service >= 0 {
		w.markRunning(&w.services[tk.service], t)
	}
	w.recordState(t, "")
	w.scheduleFargateSpot(t)
	switch {
	case tk.job >= 0:
		w.batchTaskRunning(&w.jobs[tk.job], t)
	case tk.service >= 0:
		w.serviceTaskRunning(&w.services[tk.service], t)
	}
}

// onTaskExit is an essential container exiting on its own: the task stops at
// once (no stop timeout: nothing is left to signal).
func (w *World) onTaskExit(now des.Time, t int32) {
	tk := &w.tasks[t]
	reason := reasonEssentialExitedFailure
	if tk.job >= 0 {
		reason = reasonEssentialExitedCompleted
	}
	w.stopTask(t, StopEssentialContainerExited, reason, 0, true)
}

// stopTask moves a task to STOPPING and schedules STOPPED after grace. A task
// still waiting for placement stops at once. A service starts a replacement
// when replace is set (not on its own scale-in).
func (w *World) stopTask(t int32, code, reason string, grace des.Time, replace bool) {
	tk := &w.tasks[t]
	if tk.state >= TaskStopping {
		return
	}
	w.eng.Cancel(tk.timer)
	w.eng.Cancel(tk.spotTimer)
	w.eng.Cancel(tk.healthTimer)
	if tk.state == TaskProvisioning {
		w.dequeue(t)
		grace = 0
	}
	tk.stopCode, tk.stopReason = w.strs.id(code), w.strs.id(reason)
	wasRunning, wasHealthy := tk.state == TaskRunning, tk.healthy
	if tk.healthy {
		tk.healthy = false
		w.services[tk.service].healthy--
		w.services[tk.service].booksDirty = true
	}
	tk.state = TaskStopping
	w.recordState(t, reason)
	if tk.service >= 0 {
		w.dropActive(&w.services[tk.service], t, wasRunning, wasHealthy)
		if replace {
			w.reconcile(tk.service)
		}
	}
	tk.timer = w.eng.At(w.eng.Now()+grace, w.k.taskStopped, t)
}

func (w *World) onTaskStopped(now des.Time, t int32) {
	tk := &w.tasks[t]
	tk.state = TaskStopped
	tk.stopAt = now
	w.recordState(t, w.strs.str(tk.stopReason))
	w.stopUsage(t)
	w.release(t)
	w.recordDone(t)
	if tk.job >= 0 {
		w.batchTaskStopped(&w.jobs[tk.job], t)
	}
	if tk.service >= 0 {
		w.services[tk.service].stopped++
	}
	w.freeTask(t)
	w.schedulePass()
}

// freeTask recycles a STOPPED task's slot. Every event a task can receive is
// scheduled through one of its timers, and each is cancelled here, so a late
// event can never reach the slot's next task.
func (w *World) freeTask(t int32) {
	tk := &w.tasks[t]
	w.eng.Cancel(tk.timer)
	w.eng.Cancel(tk.spotTimer)
	w.eng.Cancel(tk.healthTimer)
	w.freeTasks = appendDoubling(w.freeTasks, t)
}

// appendDoubling is append that doubles a full slice's room: append grows
// a large slice by a quarter at a time, and a list that grows to a
// rollout's 100,000 tasks (the active list, the healthy-old heap, the free
// slots) was copied four times over, its copies a fifth of a
// 100,000-task service's cache misses.
func appendDoubling[S ~[]E, E any](s S, v E) S {
	if len(s) == cap(s) {
		s = slices.Grow(s, max(len(s), 8))
	}
	return append(s, v)
}

// queueKey identifies tasks with identical placement needs: if one of them
// cannot be placed, none of the others can.
type queueKey struct {
	spec int32
	prov int
}

// waitQueue is a FIFO of PROVISIONING tasks with one queueKey.
type waitQueue struct {
	key    queueKey
	tasks  []int32
	head   int
	listed bool // in World.busyQueues
}

func (w *World) enqueue(t int32) {
	k := queueKey{w.tasks[t].spec, int(w.tasks[t].provider)}
	qi, ok := w.queueOf[k]
	if !ok {
		qi = len(w.queues)
		w.queues = append(w.queues, waitQueue{key: k})
		w.queueOf[k] = qi
	}
	q := &w.queues[qi]
	q.tasks = append(q.tasks, t)
	w.nWaiting++
	w.miTasksWaiting(k.prov) // managedinstances.go
	if !q.listed {
		q.listed = true
		i, _ := slices.BinarySearch(w.busyQueues, qi)
		w.busyQueues = slices.Insert(w.busyQueues, i, qi)
	}
}

// dequeue removes a PROVISIONING task that is stopped before placement.
func (w *World) dequeue(t int32) {
	qi, ok := w.queueOf[queueKey{w.tasks[t].spec, int(w.tasks[t].provider)}]
	if !ok {
		return // never queued: a Fargate task waiting for its launch token (launchrate.go)
	}
	q := &w.queues[qi]
	// From the newest: the tasks stopped while waiting are mostly a
	// scale-in's, which takes the newest first.
	for i := len(q.tasks) - 1; i >= q.head; i-- {
		if q.tasks[i] == t {
			q.tasks = slices.Delete(q.tasks, i, i+1)
			w.nWaiting--
			return
		}
	}
}

// placementPass retries waiting tasks after capacity changed: each queue in
// the order it was first used, each from its oldest task, until one fails
// (the rest of that queue would fail the same way). Cost: one failed attempt
// per queue with a task waiting plus one attempt per placed task (the
// queues with tasks are listed, in that order, in busyQueues).
func (w *World) placementPass() {
	w.passPending = false
	busy := w.busyQueues[:0]
	defer func() { w.busyQueues = busy }()
	for _, qi := range w.busyQueues {
		q := &w.queues[qi]
		for q.head < len(q.tasks) && w.tryPlace(q.tasks[q.head]) {
			q.head++
			w.nWaiting--
		}
		if q.head == len(q.tasks) {
			q.tasks, q.head, q.listed = q.tasks[:0], 0, false
			continue
		} else if q.head > 1024 && q.head*2 > len(q.tasks) {
			q.tasks = append(q.tasks[:0], q.tasks[q.head:]...)
			q.head = 0
		}
		busy = append(busy, qi)
		w.miTasksWaiting(q.key.prov) // managedinstances.go: what is left may need instances
	}
}

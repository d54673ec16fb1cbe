package ecs

import (
	"github.com/fleetsim/fleetsim/placement"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/workload"
)

// service is an ECS service with the REPLICA strategy: it keeps DesiredCount
// tasks PROVISIONING, PENDING or RUNNING, replacing those that stop.
type service struct {
	// What the minute's sample and checks read of every service, whatever
	// it does (onSample, checkService, checkBooks), first and together: at
	// a thousand services the rest of the record would not stay in cache
	// from one minute to the next.
	idx                   int32
	rebal                 int32 // the task an AZ rebalancing move started, until healthy; -1 none
	daemon                bool  // cfg.Daemon (keptAbove)
	booksDirty            bool  // the books or the tallies changed since checkBooks last compared them
	desired               int
	healthy               int     // RUNNING tasks that passed their health check
	recentDesired         [5]int  // desired count over the last five minutes
	recentPeak            int     // the most of recentDesired, at the last sample
	minHealthyPct, maxPct int     // the deployment configuration now (UpdateService changes it; the Config never)
	minutesUp, minutes    int     // minutes with at least the minimum healthy count
	started, stopped      int     // tasks launched; tasks that reached STOPPED
	scaler                *scaler // nil without auto scaling

	// The books (books.go): counts reconcile reads instead of scanning.
	old        int          // active tasks to be replaced (isOld)
	healthyOld int          // of which healthy
	uo         []int32      // the unhealthy ones among them, any order
	runningIn  []int        // RUNNING tasks in each zone
	active     activeList   // tasks not yet STOPPING, in creation order
	deps       []deployment // every deployment; the last is PRIMARY
	// A staged (blue/green, linear, canary) rollout and the alarm watch (deploy_strategy.go).
	dstate deployState

	// What a service with a load adds to the minute (measure, respond),
	// in the order it reads it.
	cfg                        *ServiceConfig
	spec                       int32
	load                       workload.Pattern // nil without a load
	lastRate, lastCPU, lastMem float64          // the last minute's load and utilisation (NaN: no data)
	lastResponse, lastDropped  float64          // mean response (ms) and dropped requests/s
	lastNeeded                 float64          // tasks the load needs at the CPU target (NaN: no CPU target)
	model                      modelMemo
	offered, dropped, missed   float64 // requests over the run: offered, dropped, not within the SLO (dropped included)

	strategy []strategyItem
	perItem  []int // active tasks per capacity provider strategy entry
	fail     *rand.Rand

	lastCompleted                 int // task definition of the last completed deployment; -1 none
	completed, failed, rolledBack int
	throttle                      int      // consecutive start failures
	throttledUntil                des.Time // no launch before
	backlog, backlogMax           float64  // a queue consumer\'s messages waiting, now and at most
	received, processed           float64  // a queue consumer\'s messages over the run
	rebalFrom                     string   // the zone that move relieves
	rebalancing                   bool     // a rebalancing is under way (STARTED sent, COMPLETED not yet)
	rebalStuck                    bool     // its last move found no room in the emptiest zone (said once)

	ho       seqHeap // the healthy ones to be replaced by creation order, with stale entries
	activeIn []int   // active tasks placed in each zone (World.zones)
}

// strategyItem is a resolved capacity provider strategy entry.
type strategyItem struct {
	provider     int
	base, weight int
}

func newService(w *World, i int) service {
	cfg := &w.cfg.Services[i]
	s := service{
		idx:      int32(i),
		cfg:      cfg,
		desired:  cfg.DesiredCount,
		spec:     w.specFor(cfg.TaskDefinition, "service:"+cfg.Name),
		strategy: w.resolveStrategy(cfg.ProviderStrategy, cfg.LaunchType),
		fail:     w.stream("service/" + cfg.Name + "/failures"),
		lastRate: math.NaN(), lastCPU: math.NaN(), lastMem: math.NaN(), lastResponse: math.NaN(), lastDropped: math.NaN(), lastNeeded: math.NaN(),
		lastCompleted: -1,
		rebal:         -1,
		minHealthyPct: cfg.MinimumHealthyPercent,
		maxPct:        cfg.MaximumPercent,
	}
	if s.maxPct == 0 {
		s.maxPct = 200 // DeploymentConfiguration's default
	}
	s.daemon = cfg.Daemon
	s.deps = []deployment{{def: cfg.TaskDefinition, spec: s.spec}}
	// The counts a task's launch and stop update, by strategy entry and by
	// zone, in one allocation: each its own would be a line of its own to
	// miss. (A zone found later grows its slices apart: bump.)
	k, z := len(s.strategy), len(w.zones)
	counts := make([]int, k+2*z)
	s.perItem, s.activeIn, s.runningIn = counts[:k:k], counts[k:k+z:k+z], counts[k+z:]
	if cfg.Load != nil {
		s.load = w.pattern(cfg.Name, cfg.Load)
	}
	if cfg.AutoScaling != nil {
		// AWS: the scalable target keeps desired count within min and max.
		s.desired = min(max(s.desired, cfg.AutoScaling.MinCapacity), cfg.AutoScaling.MaxCapacity)
		s.scaler = w.newScaler(&s)
	}
	return s
}

// resolveStrategy turns a capacity provider strategy (or a launch type, or the
// cluster's default strategy) into provider indexes. AWS: with neither a
// strategy nor a launch type, the cluster's default strategy applies; without
// one, the EC2 launch type.
func (w *World) resolveStrategy(items []StrategyItem, launchType string) []strategyItem {
	if len(items) == 0 {
		switch {
		case launchType == "FARGATE":
			return []strategyItem{{provider: provFargate, weight: 1}}
		case launchType == "" && len(w.cfg.Cluster.DefaultProviderStrategy) > 0:
			items = w.cfg.Cluster.DefaultProviderStrategy
		default:
			return []strategyItem{{provider: provEC2Launch, weight: 1}}
		}
	}
	out := make([]strategyItem, len(items))
	for i, it := range items {
		out[i] = strategyItem{provider: w.providerIndex(it.Provider), base: it.Base, weight: it.Weight}
	}
	return out
}

// pickProvider chooses the provider of the next task given how many active
// tasks each strategy entry already has. AWS (ECS Developer Guide, "Capacity
// provider strategies"): the base is satisfied first, then the remaining tasks
// are split in proportion to the weights.
func pickProvider(items []strategyItem, counts []int) int {
	for i, it := range items {
		if counts[i] < it.base {
			return i
		}
	}
	if len(items) == 1 {
		return 0 // a lone provider takes every task, whatever its weight
	}
	best := -1
	var bestNum, bestDen int
	for i, it := range items {
		if it.weight <= 0 {
			continue
		}
		// Compare (above base + 1) / weight without floats: the entry whose
		// next task keeps it closest to its share.
		num, den := max(counts[i]-it.base, 0)+1, it.weight
		if best < 0 || num*bestDen < bestNum*den {
			best, bestNum, bestDen = i, num, den
		}
	}
	return best
}

// reconcile starts or stops tasks so that the service has desired active
// tasks of its PRIMARY deployment; while tasks are to be replaced (of an
// older deployment, or on a draining instance), the rolling update's bounds
// apply.
func (w *World) reconcile(si int32) {
	s := &w.services[si]
	if s.daemon {
		w.reconcileDaemon(si) // one task per instance (daemon.go)
		return
	}
	if w.stagedUpdate(si) { // a blue/green, linear or canary rollout under way (deploy_strategy.go)
		w.checkRollout(si)
		return
	}
	if s.old > 0 {
		w.rollingUpdate(si)
	} else {
		want := s.desired + b2i(s.rebal >= 0) // a rebalancing move runs one above desired until it lands
		for s.active.n < want && w.launchAllowed(si) {
			w.launch(si)
		}
		if n := s.active.n - want; n > 0 {
			for _, t := range w.scaleInVictims(s, n) {
				w.stopTask(t, StopServiceSchedulerInitiated, reasonScaleIn, w.stopGrace(t), false)
			}
		}
	}
	w.checkRollout(si)
}

// launch starts one task of the PRIMARY deployment on the provider the
// capacity provider strategy picks.
func (w *World) launch(si int32) {
	s := &w.services[si]
	if s.daemon {
		return // a daemon's tasks go one per instance (reconcileDaemon)
	}
	w.launchSpec(si, s.spec, s.primary())
}

// launchSpec starts one task of deployment dep with the given placement
// spec and returns it.
func (w *World) launchSpec(si, spec, dep int32) int32 {
	s := &w.services[si]
	item := pickProvider(s.strategy, s.perItem)
	w.noteLaunch(si) // the service's launch rate (launchrate.go)
	t := w.newTask(spec, si, -1, s.strategy[item].provider)
	w.tasks[t].item = int8(w.itemOf(s, t)) // item, or the first entry of its provider (dropActive)
	w.joinActive(s, t, dep)
	s.perItem[item]++
	s.started++
	return t
}

// backlogOrNaN is a queue consumer's backlog, or NaN (no data) for others.
func (s *service) backlogOrNaN() float64 {
	if s.cfg.Load == nil || !s.cfg.Load.Queue {
		return math.NaN()
	}
	return s.backlog
}

// itemOf is the strategy entry a task's provider belongs to.
func (w *World) itemOf(s *service, t int32) int {
	for i, it := range s.strategy {
		if it.provider == int(w.tasks[t].provider) {
			return i
		}
	}
	return -1
}

// scaleInVictims picks the k tasks to stop on scale-in, as a batch: tasks
// not yet RUNNING first (the least advanced, newest first), then as the
// first placement strategy says. AWS (task-placement-strategies.html and
// update-service-parameters.html): with spread, tasks are removed so that
// the values stay balanced, from the instance running the most of the
// service's tasks; with binpack, from the instance with the most of that
// resource left. Otherwise the newest. Counts are updated as victims are
// taken, so a batch costs O(k x active), not a rebuild per victim.
func (w *World) scaleInVictims(s *service, k int) []int32 {
	w.victimStamp++ // a task is taken when its mark is this stamp
	if n := len(w.tasks); len(w.victimMarks) < n {
		w.victimMarks = append(w.victimMarks, make([]uint32, n-len(w.victimMarks))...)
	}
	taken := func(t int32) bool { return w.victimMarks[t] == w.victimStamp }
	take := func(t int32) { w.victimMarks[t] = w.victimStamp }
	if k = w.spareProtected(s, k); k == 0 { // protected tasks are taken out (protection.go)
		return nil
	}
	var out []int32
	for state := TaskProvisioning; state < TaskRunning && len(out) < k; state++ {
		// The tally says how many there are: the look stops at the last.
		left := w.rec.counts[s.idx][state]
		for i := len(s.active.ts) - 1; i >= 0 && len(out) < k && left > 0; i-- {
			if t := s.active.ts[i]; t >= 0 && w.tasks[t].state == state {
				out = append(out, t)
				take(t)
				left--
			}
		}
	}
	if len(out) == k {
		return out
	}
	strategy := placement.Strategy{Kind: placement.SpreadStrategy, Field: "attribute:ecs.availability-zone"}
	if len(s.cfg.PlacementStrategy) > 0 {
		strategy = s.cfg.PlacementStrategy[0]
	}
	var pick func(taken func(int32) bool) int32
	switch {
	case strategy.Kind == placement.BinpackStrategy:
		pick = func(taken func(int32) bool) int32 { return w.victimByFree(s, strategy.Field, taken) }
	case strategy.Kind == placement.SpreadStrategy && strings.HasPrefix(strategy.Field, "attribute:"):
		sp := newSpreadCounts(w, s, strings.TrimPrefix(strategy.Field, "attribute:"), taken)
		pick = sp.next
	default:
		pick = func(taken func(int32) bool) int32 { return s.newest(taken) }
	}
	for len(out) < k {
		t := pick(taken)
		out = append(out, t)
		take(t)
	}
	return out
}

// newest is the newest active task not yet taken.
func (s *service) newest(taken func(int32) bool) int32 {
	for i := len(s.active.ts) - 1; i >= 0; i-- {
		if t := s.active.ts[i]; t >= 0 && !taken(t) {
			return t
		}
	}
	panic("sim: no task left to scale in")
}

// spreadCounts tracks, for scale-in under spread, the service's tasks per
// attribute value and per instance, over a flat candidate list (newest
// first) so that taking a victim touches slices only. The victim is the
// newest task on the busiest instance of the busiest value: each value
// keeps its instances (slots: one per value and instance) in a heap by
// (tasks on the instance, most first; its newest task not taken, newest
// first), so that a victim costs O(log instances). An instance's keys only
// get worse as victims are taken, so a slot whose key is out of date is
// put right when it comes to the top.
type spreadCounts struct {
	cands     []spreadCand
	valCount  []int // tasks per attribute value
	instCnt   []int // tasks per instance (local index)
	unplaced  int   // the local index of "no instance" (Fargate); -1 until needed
	vals      []string
	zoneVal   []int
	slots     []spreadSlot
	firstSlot []int   // per local instance: its first slot; -1 none
	heaps     [][]int // per value: its slots
}

// spreadSlot is one instance's candidates of one value.
type spreadSlot struct {
	inst     int   // local instance
	val      int   // value
	cands    []int // indexes into cands, newest first
	next     int   // the first not taken
	cnt      int   // instCnt[inst] when last ordered in its heap
	sameInst int   // the instance's next slot (other values); -1 none
}

// before orders slots in a value's heap: more tasks on the instance first,
// then the newer next candidate (a lower index into cands). An exhausted
// slot goes last.
func (c *spreadCounts) before(a, b int) bool {
	sa, sb := &c.slots[a], &c.slots[b]
	if sa.next >= len(sa.cands) || sb.next >= len(sb.cands) {
		return sb.next >= len(sb.cands) && sa.next < len(sa.cands)
	}
	if sa.cnt != sb.cnt {
		return sa.cnt > sb.cnt
	}
	return sa.cands[sa.next] < sb.cands[sb.next]
}

func (c *spreadCounts) down(h []int, i int) {
	for {
		m, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && c.before(h[l], h[m]) {
			m = l
		}
		if r < len(h) && c.before(h[r], h[m]) {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// slotFor returns the slot of local instance ii in value vi.
func (c *spreadCounts) slotFor(ii, vi int) int {
	for len(c.firstSlot) <= ii {
		c.firstSlot = append(c.firstSlot, -1)
	}
	for si := c.firstSlot[ii]; si >= 0; si = c.slots[si].sameInst {
		if c.slots[si].val == vi {
			return si
		}
	}
	si := len(c.slots)
	if si < cap(c.slots) {
		c.slots = c.slots[:si+1]
		c.slots[si] = spreadSlot{inst: ii, val: vi, cands: c.slots[si].cands[:0], sameInst: c.firstSlot[ii]}
	} else {
		c.slots = append(c.slots, spreadSlot{inst: ii, val: vi, sameInst: c.firstSlot[ii]})
	}
	c.firstSlot[ii] = si
	return si
}

type spreadCand struct {
	t     int32
	val   int // index into valCount
	inst  int // index into instCnt
	taken bool
}

func newSpreadCounts(w *World, s *service, attr string, taken func(int32) bool) *spreadCounts {
	// One scale-in at a time: the world's scratch counts are reused.
	c := &w.spreadScratch
	c.cands, c.valCount, c.instCnt, c.unplaced = c.cands[:0], c.valCount[:0], c.instCnt[:0], -1
	c.slots, c.firstSlot = c.slots[:0], c.firstSlot[:0]
	for i := range c.heaps {
		c.heaps[i] = c.heaps[i][:0]
	}
	vals := c.vals[:0]
	zoneVal := c.zoneVal[:0] // the zone attribute: by zone index, value+1 (0: not seen)
	for range w.zones {
		zoneVal = append(zoneVal, 0)
	}
	defer func() { c.vals, c.zoneVal = vals, zoneVal }()
	// Instances by local index: a stamp per instance, so that nothing is
	// cleared between calls.
	w.spreadStamp++
	for len(w.instSlot) < len(w.instances) {
		w.instSlot = append(w.instSlot, instSlot{})
	}
	a := &s.active
	for i := len(a.ts) - 1; i >= 0; i-- {
		t := a.ts[i]
		// A RUNNING task is never taken before this (only tasks not yet
		// RUNNING are): the list says so without reading the task.
		if t < 0 || ((!a.running[i] || w.prot.used[s.idx]) && taken(t)) { // protected RUNNING tasks are taken too
			continue
		}
		var vi int
		if zi := a.zi[i]; attr == "ecs.availability-zone" && zi >= 0 {
			if vi = zoneVal[zi] - 1; vi < 0 {
				z := w.zones[zi]
				if vi = slices.Index(vals, z); vi < 0 {
					vals, c.valCount, vi = append(vals, z), append(c.valCount, 0), len(vals)
				}
				zoneVal[zi] = vi + 1
			}
		} else {
			v := spreadValue(w, t, attr)
			if vi = slices.Index(vals, v); vi < 0 {
				vals, c.valCount, vi = append(vals, v), append(c.valCount, 0), len(vals)
			}
		}
		c.add(t, vi, c.localInstance(w, a.inst[i]))
	}
	c.order()
	return c
}

// add counts candidate t, of value vi on local instance ii (both already
// in valCount and instCnt).
func (c *spreadCounts) add(t int32, vi, ii int) {
	c.valCount[vi]++
	c.instCnt[ii]++
	sl := &c.slots[c.slotFor(ii, vi)]
	sl.cands = append(sl.cands, len(c.cands))
	c.cands = append(c.cands, spreadCand{t: t, val: vi, inst: ii})
}

// order builds the values' heaps once every candidate is in.
func (c *spreadCounts) order() {
	for len(c.heaps) < len(c.valCount) {
		c.heaps = append(c.heaps, nil)
	}
	for si := range c.slots {
		sl := &c.slots[si]
		sl.cnt = c.instCnt[sl.inst]
		c.heaps[sl.val] = append(c.heaps[sl.val], si)
	}
	for _, h := range c.heaps[:len(c.valCount)] {
		for i := len(h)/2 - 1; i >= 0; i-- {
			c.down(h, i)
		}
	}
}

// instSlot maps a container instance to its local index in one
// spreadCounts (valid when stamp is the current one).
type instSlot struct {
	stamp uint32
	local int32
}

func (c *spreadCounts) localInstance(w *World, in int32) int {
	if in < 0 { // not placed: all such tasks share one local instance
		if c.unplaced < 0 {
			c.unplaced = len(c.instCnt)
			c.instCnt = append(c.instCnt, 0)
		}
		return c.unplaced
	}
	sl := &w.instSlot[in]
	if sl.stamp != w.spreadStamp {
		*sl = instSlot{stamp: w.spreadStamp, local: int32(len(c.instCnt))}
		c.instCnt = append(c.instCnt, 0)
	}
	return int(sl.local)
}

// spreadValue is a task's attribute value: its zone, or its instance's
// attribute.
func spreadValue(w *World, t int32, attr string) string {
	tk := &w.tasks[t]
	if attr == "ecs.availability-zone" {
		return w.taskZone(tk)
	}
	if tk.instance >= 0 {
		for _, a := range w.instances[tk.instance].attrs {
			if a.Name == attr {
				return a.Value
			}
		}
	}
	return ""
}

// next takes the newest task on the busiest instance of the busiest value.
func (c *spreadCounts) next(func(int32) bool) int32 {
	top := 0
	for k := range c.valCount {
		if c.valCount[k] > c.valCount[top] {
			top = k
		}
	}
	h := c.heaps[top]
	for { // put right the slots whose instance lost a task since
		sl := &c.slots[h[0]]
		if cnt := c.instCnt[sl.inst]; sl.next < len(sl.cands) && cnt != sl.cnt {
			sl.cnt = cnt
			c.down(h, 0)
			continue
		}
		break
	}
	sl := &c.slots[h[0]]
	cd := &c.cands[sl.cands[sl.next]]
	sl.next++
	cd.taken = true
	c.valCount[cd.val]--
	c.instCnt[cd.inst]--
	sl.cnt = c.instCnt[sl.inst]
	c.down(h, 0)
	return cd.t
}

// victimByFree takes the newest task on the instance with the most CPU or
// memory left.
func (w *World) victimByFree(s *service, field string, taken func(int32) bool) int32 {
	free := func(t int32) int64 {
		in := w.tasks[t].instance
		if in < 0 {
			return -1
		}
		if field == "cpu" {
			return w.instances[in].cpuFree
		}
		return w.instances[in].memFree
	}
	best := int32(-1)
	for i := len(s.active.ts) - 1; i >= 0; i-- {
		if t := s.active.ts[i]; t >= 0 && !taken(t) && (best < 0 || free(t) > free(best)) {
			best = t
		}
	}
	return best
}

// stopGrace is how long a stopping task takes: its stopTimeout.
//
// Behind a load balancer a RUNNING task is first deregistered: it drains for
// the target group's deregistration delay before ECS stops it. AWS (ECS
// Developer Guide, "Use load balancing to distribute Amazon ECS service
// traffic").
func (w *World) stopGrace(t int32) des.Time {
	tk := &w.tasks[t]
	grace := des.At(w.cfg.TaskDefinitions[w.specs[tk.spec].def].StopTimeout)
	if tk.service >= 0 && tk.state == TaskRunning {
		if lb := w.services[tk.service].cfg.LoadBalancer; lb != nil {
			grace += des.At(lb.DeregistrationDelay)
		}
	}
	return grace
}

// serviceTaskRunning schedules a service task's health and its failure, if
// the service fails at all.
func (w *World) serviceTaskRunning(s *service, t int32) {
	s.throttle = 0
	def := w.specs[w.tasks[t].spec].def
	lb := s.cfg.LoadBalancer
	if td := &w.cfg.TaskDefinitions[def]; td.FailsHealthCheck {
		// Unhealthy after the container check's retries, or behind a load
		// balancer after its unhealthy threshold of failed checks, but not
		// within the service's health check grace period. AWS
		// (CreateService, healthCheckGracePeriodSeconds): "the period of
		// time ... that the Amazon ECS service scheduler ignores unhealthy
		// Elastic Load Balancing, VPC Lattice, and container health checks
		// after a task has first started".
		var d time.Duration
		switch {
		case td.HealthCheck != nil:
			d = td.HealthCheck.StartPeriod + time.Duration(td.HealthCheck.Retries)*td.HealthCheck.Interval
		case lb != nil:
			d = time.Duration(lb.UnhealthyThreshold) * lb.Interval
		default:
			d = 3 * 30 * time.Second // the container defaults: three checks 30 s apart
		}
		d = max(d, s.cfg.HealthCheckGracePeriod)
		w.tasks[t].healthTimer = w.eng.At(w.eng.Now()+des.At(d), w.k.taskUnhealthy, t)
	} else {
		w.tasks[t].healthTimer = w.eng.At(w.eng.Now()+des.At(w.healthyDelay(def, lb)), w.k.taskHealthy, t)
	}
	if rate := s.cfg.TaskFailuresPerTaskHour; rate > 0 {
		hours := s.fail.ExpFloat64() / rate
		w.tasks[t].timer = w.eng.At(w.eng.Now()+des.Time(hours*3600e9), w.k.taskExit, t)
	}
}

// dropActive removes a task that began stopping from its service's active
// list and books.
func (w *World) dropActive(s *service, t int32, wasRunning, wasHealthy bool) {
	if s.rebal == t {
		s.rebal = -1 // the move's task stopped before it was healthy: the move is off
	}
	if w.tasks[t].activeAt >= 0 {
		w.leaveActive(s, t, wasRunning, wasHealthy)
		if k := w.tasks[t].item; k >= 0 { // itemOf, made at launch
			s.perItem[k]--
		}
	}
}

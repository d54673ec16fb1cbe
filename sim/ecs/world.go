package ecs

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/schema"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim/des"
)

// kinds are the world's event kinds, registered with the engine in New;
// the subject id is an index into the world's tasks, services or jobs.
type kinds struct {
	taskRunning     des.Kind // a PENDING task's containers are up
	taskExit        des.Kind // a RUNNING task's essential container exits
	taskStopped     des.Kind // a STOPPING task reaches STOPPED
	placementPass   des.Kind // retry PROVISIONING tasks after capacity changed
	batchArrival    des.Kind // a batch job's next task arrives
	sample          des.Kind // the per-minute recording tick
	scheduledAction des.Kind // an Application Auto Scaling scheduled action fires
	fargateSpot     des.Kind // Fargate Spot reclaims a task
	taskHealthy     des.Kind // a RUNNING service task passes its health check
	taskUnhealthy   des.Kind // a RUNNING service task fails its health checks
	serviceRetry    des.Kind // a throttled service may launch again
	deployStage     des.Kind // a staged deployment's hook, traffic step or bake ends (deploy_strategy.go)
	deployAlarm     des.Kind // a deployment's CloudWatch alarm goes into ALARM
	metricTick      des.Kind // a service's high-resolution metric period ends (scaling.go)
	fargateToken    des.Kind // a Fargate task's launch token comes due (launchrate.go)
}

// World is the ECS side of one run: one cluster on the capacity fleet, its
// tasks, services and jobs. sim builds it with New, attaches it to the fleet
// (it is the fleet's capacity.Orchestrator) and starts it; it is single-use.
type World struct {
	cfg   *Config
	eng   *des.Engine
	fleet *capacity.Fleet
	log   *schema.Log
	k     kinds

	providers       []provider
	providerOfGroup []int      // the capacity provider using each group, or -1
	instances       []instance // container instances, by fleet index
	draining        []int      // per group: container instances DRAINING
	busy            []int      // per group: container instances ACTIVE with a task
	tasks           []task
	texts           texts    // the event log's repeated strings, one copy each
	strs            strTable // the texts tasks hold, by id
	freeTasks       []int32  // recycled task slots (STOPPED tasks are summarised, then reused)
	services        []service
	jobs            []batchJob
	specs           []placementSpec // one per (task definition, task group)

	// The services each minute's sample visits for one purpose, in index
	// order, fixed at New: a pass over all of them to read a flag missed the
	// L1 cache on every service, every minute, at a thousand services.
	loaded      []int32 // with a load (measure)
	protRuled   []int32 // protecting their tasks while processing a queue (protectByRule)
	rebalancing []int32 // taking part in AZ rebalancing (rebalancesZones, rebalanceZones)

	queues      []waitQueue // PROVISIONING tasks, one FIFO per (spec, provider)
	busyQueues  []int       // the queues with tasks waiting (or just emptied), ascending
	queueOf     map[queueKey]int
	nWaiting    int
	passPending bool

	pool      pools
	agg       aggregate
	placeRand *rand.Rand

	actionRefs  []actionRef // scheduled-action firings, by event subject
	managed     []*managed  // per Config.CapacityProviders entry; nil without managed scaling
	fargateSpot *rand.Rand

	nextFargateAZ int
	nextTaskID    uint32

	zones       []string // every zone seen, the cluster's first and in its order; tasks keep the index
	zoneScratch struct {
		zones  []string
		counts []int
	}
	instSlot      []instSlot // scale-in under spread: instances' local indexes (spreadCounts)
	spreadScratch spreadCounts
	needs         []autoscale.TaskNeed // scratch: managed scaling's estimate
	spreadStamp   uint32
	victimStamp   uint32   // scale-in victims being chosen (victimMarks)
	victimMarks   []uint32 // by task: victimStamp when taken by the scale-in being chosen
	lastStamp     struct {
		t des.Time
		s string
	}

	rec     recorder
	daemons daemonState // daemon services (daemon.go)
	prot    protections // task scale-in protection (protection.go)
	outcome *Outcome    // once the run is over (Outcome)

	mi miState // Amazon ECS Managed Instances (managedinstances.go)

	rates launchRates // ECS's and Fargate's launch rates (launchrate.go)
}

// provider is a capacity provider: an Auto Scaling group's, FARGATE,
// FARGATE_SPOT, or the EC2 launch type (every registered instance).
type provider struct {
	name    string
	group   int // -1 for Fargate and the EC2 launch type
	fargate bool
}

const (
	provFargate     = 0
	provFargateSpot = 1
	provEC2Launch   = 2 // launchType EC2 without a capacity provider

	firstASGProvider = 3 // Config.CapacityProviders[i] is providers[firstASGProvider+i]
)

var _ capacity.Orchestrator = (*World)(nil)

// New builds the ECS world for cfg on the run's engine, fleet and event log.
// cfg must have been validated (scenarios.Load does); New panics on
// references out of range, which is a programming error.
func New(cfg *Config, eng *des.Engine, fleet *capacity.Fleet, log *schema.Log) *World {
	w := &World{cfg: cfg, eng: eng, fleet: fleet, log: log, queueOf: map[queueKey]int{}}
	for _, z := range cfg.Cluster.AvailabilityZones {
		w.zoneIndex(z)
	}
	w.initPools()
	w.placeRand = w.stream("placement")
	w.providers = []provider{
		{name: ProviderFargate, group: -1, fargate: true},
		{name: ProviderFargateSpot, group: -1, fargate: true},
		{name: "EC2", group: -1},
	}
	w.providerOfGroup = make([]int, len(cfg.Groups))
	for i := range w.providerOfGroup {
		w.providerOfGroup[i] = -1
	}
	for _, cp := range cfg.CapacityProviders {
		w.providers = append(w.providers, provider{name: cp.Name, group: cp.Group})
		if w.providerOfGroup[cp.Group] < 0 {
			w.providerOfGroup[cp.Group] = len(w.providers) - 1
		}
	}
	w.draining = make([]int, len(cfg.Groups))
	w.busy = make([]int, len(cfg.Groups))
	e := w.eng
	w.k = kinds{
		taskRunning:     e.Register(w.onTaskRunning),
		taskExit:        e.Register(w.onTaskExit),
		taskStopped:     e.Register(w.onTaskStopped),
		placementPass:   e.Register(func(des.Time, int32) { w.placementPass() }),
		batchArrival:    e.Register(w.onBatchArrival),
		sample:          e.Register(w.onSample),
		scheduledAction: e.Register(w.onScheduledAction),
		fargateSpot:     e.Register(w.onFargateSpotNotice),
		taskHealthy:     e.Register(w.onTaskHealthy),
		taskUnhealthy:   e.Register(w.onTaskUnhealthy),
		serviceRetry:    e.Register(func(_ des.Time, si int32) { w.reconcile(si) }),
		deployStage:     e.Register(w.onDeployStage),
		deployAlarm:     e.Register(w.onDeployAlarm),
		metricTick:      e.Register(w.onMetricTick),
		fargateToken:    e.Register(w.onFargateToken),
	}
	w.fargateSpot = w.stream("fargate-spot")
	w.initManagedInstances()
	for _, cp := range cfg.CapacityProviders {
		var m *managed
		if cp.ManagedScaling != nil {
			m = &managed{cfg: cp.ManagedScaling, lastMetric: 100}
		}
		w.managed = append(w.managed, m)
	}
	w.initRecorder()
	w.initLaunchRates()
	w.initDaemons()
	w.initProtection()
	for i := range cfg.Services {
		w.services = append(w.services, newService(w, i))
		sc := &cfg.Services[i]
		if sc.Load != nil {
			w.loaded = append(w.loaded, int32(i))
			if p := sc.Protection; p != nil && p.WhileProcessing && sc.Load.Queue {
				w.protRuled = append(w.protRuled, int32(i))
			}
		}
		if w.rebalancesZones(&w.services[i]) {
			w.rebalancing = append(w.rebalancing, int32(i))
		}
	}
	w.tasks = make([]task, 0, initialTasks(cfg))
	for i := range cfg.BatchJobs {
		w.jobs = append(w.jobs, newBatchJob(w, i))
	}
	return w
}

// initialTasks is room for the tasks the services start with and their
// first deployment (up to maximumPercent of desired), so that a large
// service's tasks are not copied again each time the slice outgrows its
// array.
func initialTasks(cfg *Config) int {
	n := 0
	for _, sc := range cfg.Services {
		n += sc.DesiredCount * max(sc.MaximumPercent, 100) / 100
	}
	return min(n+n/16, 1<<21)
}

// Start starts every service and batch job. The fleet has started: its
// initial instances have registered.
func (w *World) Start() {
	w.startDaemons() // daemon tasks first on the existing instances (daemon.go)
	for si := range w.services {
		w.reconcile(int32(si))
		if w.services[si].scaler != nil {
			w.scheduleActions(int32(si))
		}
	}
	for ji := range w.jobs {
		w.scheduleNext(&w.jobs[ji])
	}
}

// StartSampling schedules the first per-minute sample, at time zero.
func (w *World) StartSampling() { w.eng.At(0, w.k.sample, 0) }

// calendar converts simulated time to the scenario's calendar.
func (w *World) calendar(t des.Time) time.Time { return w.cfg.Start.Add(t.Duration()) }

// stream returns the named random stream of this run.
func (w *World) stream(name string) *rand.Rand { return w.eng.Stream(name) }

// zoneIndex is the index of an Availability Zone in w.zones, added on
// first sight. The cluster's zones have their position in the cluster.
func (w *World) zoneIndex(z string) int {
	if i := slices.Index(w.zones, z); i >= 0 {
		return i
	}
	w.zones = append(w.zones, z)
	return len(w.zones) - 1
}

// providerIndex resolves a provider name.
func (w *World) providerIndex(name string) int {
	for i, p := range w.providers {
		if p.name == name {
			return i
		}
	}
	panic(fmt.Sprintf("sim: unknown capacity provider %q (scenario not validated?)", name))
}

// schedulePass asks for a placement pass at the current time, once however
// many capacity changes happen in this instant.
func (w *World) schedulePass() {
	if w.passPending || w.nWaiting == 0 {
		return
	}
	w.passPending = true
	w.eng.At(w.eng.Now(), w.k.placementPass, 0)
}

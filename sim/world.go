package sim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Event kinds of the ECS world. One handler each, registered in New; the
// subject id is an index into the world's tasks, instances, services or jobs.
const (
	kindInstanceRegistered des.Kind = iota // an instance's agent registers (launch done)
	kindTaskRunning                        // a PENDING task's containers are up
	kindTaskExit                           // a RUNNING task's essential container exits
	kindTaskStopped                        // a STOPPING task reaches STOPPED
	kindPlacementPass                      // retry PROVISIONING tasks after capacity changed
	kindBatchArrival                       // a batch job's next task arrives
	kindSample                             // the per-minute recording tick
	kindScheduledAction                    // an Application Auto Scaling scheduled action fires
	kindSpotNotice                         // EC2 Spot interruption warning for an instance
	kindSpotReclaim                        // EC2 takes a Spot instance back
	kindFargateSpotNotice                  // Fargate Spot reclaims a task
	kindTaskHealthy                        // a RUNNING service task passes its health check
	kindTaskUnhealthy                      // a RUNNING service task fails its health checks
	kindServiceRetry                       // a throttled service may launch again
	kindTimeline                           // a timeline entry happens
	kindZoneRecovered                      // an Availability Zone outage ends
	kindGroupReplenish                     // a group replaces failed instances
)

// World is one simulated ECS cluster and its capacity. Build it with New and
// run it with Run; it is single-use.
type World struct {
	cfg *Config
	eng *des.Engine

	providers []provider
	groups    []group
	instances []instance
	tasks     []task
	freeTasks []int32 // recycled task slots (STOPPED tasks are summarised, then reused)
	services  []service
	jobs      []batchJob
	specs     []placementSpec // one per (task definition, task group)

	queues      []waitQueue // PROVISIONING tasks, one FIFO per (spec, provider)
	queueOf     map[queueKey]int
	nWaiting    int
	passPending bool

	images    map[string]int32 // image name -> id, for the per-instance cache
	byID      map[string]int32 // EC2 instance ID -> index
	pool      pools
	agg       aggregate
	placeRand *rand.Rand

	actionRefs  []actionRef // scheduled-action firings, by event subject
	managed     []*managed  // per Config.CapacityProviders entry; nil without managed scaling
	fargateSpot *rand.Rand

	downZones     []string // Availability Zones in an outage
	nextFargateAZ int

	nextTaskID     uint64
	nextInstanceID uint64

	rec recorder
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

// New builds the world for cfg. cfg must have been validated (scenarios.Load
// does); New panics on references out of range, which is a programming error.
func New(cfg *Config) *World {
	w := &World{cfg: cfg, eng: des.New(cfg.Seed), images: map[string]int32{}, queueOf: map[queueKey]int{}, byID: map[string]int32{}}
	w.initPools()
	w.placeRand = w.stream("placement")
	w.providers = []provider{
		{name: ProviderFargate, group: -1, fargate: true},
		{name: ProviderFargateSpot, group: -1, fargate: true},
		{name: "EC2", group: -1},
	}
	for _, cp := range cfg.CapacityProviders {
		w.providers = append(w.providers, provider{name: cp.Name, group: cp.Group})
	}
	w.eng.Handle(kindInstanceRegistered, w.onInstanceRegistered)
	w.eng.Handle(kindTaskRunning, w.onTaskRunning)
	w.eng.Handle(kindTaskExit, w.onTaskExit)
	w.eng.Handle(kindTaskStopped, w.onTaskStopped)
	w.eng.Handle(kindPlacementPass, func(des.Time, int32) { w.placementPass() })
	w.eng.Handle(kindBatchArrival, w.onBatchArrival)
	w.eng.Handle(kindSample, w.onSample)
	w.eng.Handle(kindScheduledAction, w.onScheduledAction)
	w.eng.Handle(kindSpotNotice, w.onSpotNotice)
	w.eng.Handle(kindSpotReclaim, w.onSpotReclaim)
	w.eng.Handle(kindFargateSpotNotice, w.onFargateSpotNotice)
	w.eng.Handle(kindTaskHealthy, w.onTaskHealthy)
	w.eng.Handle(kindTaskUnhealthy, w.onTaskUnhealthy)
	w.eng.Handle(kindServiceRetry, func(_ des.Time, si int32) { w.reconcile(si) })
	w.eng.Handle(kindTimeline, w.onTimeline)
	w.eng.Handle(kindZoneRecovered, w.onZoneRecovered)
	w.eng.Handle(kindGroupReplenish, func(_ des.Time, gi int32) { w.groups[gi].replenish() })
	w.fargateSpot = w.stream("fargate-spot")
	for _, cp := range cfg.CapacityProviders {
		var m *managed
		if cp.ManagedScaling != nil {
			m = &managed{cfg: cp.ManagedScaling, lastMetric: 100}
		}
		w.managed = append(w.managed, m)
	}
	w.rec.init(w)
	for i := range cfg.Groups {
		w.groups = append(w.groups, newGroup(w, i))
	}
	for i := range cfg.Services {
		w.services = append(w.services, newService(w, i))
	}
	for i := range cfg.BatchJobs {
		w.jobs = append(w.jobs, newBatchJob(w, i))
	}
	return w
}

// Engine exposes the kernel, for progress reporting.
func (w *World) Engine() *des.Engine { return w.eng }

// Run simulates the configured duration and returns what was recorded.
func (w *World) Run() (*Result, error) {
	end := des.At(w.cfg.Duration)
	for gi := range w.groups {
		w.groups[gi].start()
	}
	for si := range w.services {
		w.reconcile(int32(si))
		if w.services[si].scaler != nil {
			w.scheduleActions(int32(si))
		}
	}
	for ji := range w.jobs {
		w.jobs[ji].start()
	}
	for i, e := range w.cfg.Timeline {
		w.eng.At(des.At(e.At), kindTimeline, int32(i))
	}
	w.eng.At(0, kindSample, 0)
	_, err := w.eng.Run(end)
	if err == nil {
		w.checkEnd()
		err = w.eng.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("at %s: %w", w.calendar(w.eng.Now()).Format(time.RFC3339), err)
	}
	return w.result(), nil
}

// calendar converts simulated time to the scenario's calendar.
func (w *World) calendar(t des.Time) time.Time { return w.cfg.Start.Add(t.Duration()) }

// stream returns the named random stream of this run.
func (w *World) stream(name string) *rand.Rand { return w.eng.Stream(name) }

// imageID interns an image name.
func (w *World) imageID(name string) int32 {
	if id, ok := w.images[name]; ok {
		return id
	}
	id := int32(len(w.images))
	w.images[name] = id
	return id
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
	w.eng.At(w.eng.Now(), kindPlacementPass, 0)
}

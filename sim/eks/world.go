package eks

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Env is what the EKS world needs of the run around it: the calendar of
// simulated time zero, the region, the run's length and the recording
// period.
type Env struct {
	Start       time.Time
	Region      string
	Duration    time.Duration
	SampleEvery time.Duration // zero: one minute
	NoState     bool          // Outcome.State stays empty (sim.Config.NoState)
}

// Defaults of Settings, for the fields a Config leaves at zero.
const (
	// DefaultBackoffInitial and DefaultBackoffMax are kube-scheduler's
	// podInitialBackoffSeconds (1) and podMaxBackoffSeconds (10).
	DefaultBackoffInitial = time.Second
	DefaultBackoffMax     = 10 * time.Second
	// MaxInUnschedulable is podMaxInUnschedulablePodsDuration: a pod left
	// unschedulable this long is retried even without a cluster event.
	MaxInUnschedulable = 5 * time.Minute
	// DrainRetry is kubectl drain's wait before retrying an eviction a
	// PodDisruptionBudget refused ("will retry after 5s").
	DrainRetry = 5 * time.Second
	// JobBackoffInitial and JobBackoffMax are the Job controller's delay
	// before recreating a failed pod: 10 s, doubled per failure, at most 6 min.
	JobBackoffInitial = 10 * time.Second
	JobBackoffMax     = 6 * time.Minute
)

// kinds are the world's event kinds; the subject is a node (fleet index), a
// pod, a workload or a budget index as each says.
type kinds struct {
	nodeReady    des.Kind // node: the kubelet registered, the node is Ready
	schedule     des.Kind // run the scheduling queue now
	requeue      des.Kind // a cluster event: move unschedulable pods back
	podBackoff   des.Kind // pod: its backoff ended or it waited too long
	podStarted   des.Kind // pod: images pulled and started: Running and Ready
	podExit      des.Kind // pod: its containers exited (Job pods)
	podGone      des.Kind // pod: the termination grace period is over
	syncDeploy   des.Kind // deployment: the controller syncs
	syncJob      des.Kind // job run: the controller syncs
	jobStart     des.Kind // job config: a new run starts (At, then each Every)
	drainRetry   des.Kind // node: kubectl drain retries its evictions
	barePod      des.Kind // bare pod config: created at its At
	sample       des.Kind // the recording tick
	drainExpiry  des.Kind // node: the drain's timeout
	podAvailable des.Kind // pod: Ready for its Deployment's minReadySeconds
	pullRetry    des.Kind // pod: the image pull back-off ended (ecr.go)
}

// World is the EKS side of one run: one cluster on the capacity fleet, its
// nodes, pods and workloads. sim builds it with New, attaches it to the
// fleet (it is the fleet's capacity.Orchestrator) and starts it; it is
// single-use.
type World struct {
	cfg   *Config
	env   Env
	eng   *des.Engine
	fleet *capacity.Fleet
	log   *schema.Log
	k     kinds

	cluster *kube.Cluster
	fw      *kube.Framework
	tie     *rand.Rand // selectHost's ties
	preRand *rand.Rand // preemption's dry-run offset

	nodeGroupOf  []int  // capacity group -> node group, -1 when none
	nodes        []node // by fleet index; present when registered
	nodeOf       map[kube.NodeID]int32
	pods         []pod // never reused: a pod's index is its identity
	queue        podQueue
	unsched      []int32   // pods waiting in the unschedulable set, by index
	scheduling   bool      // a schedule event is pending
	requeuing    bool      // a requeue event is pending
	nominees     []int32   // pods preemption nominated to a node
	budgetPods   [][]int32 // per budget: the pods it selects, not yet gone
	timelineRand map[string]*rand.Rand

	deploys []deployment
	jobs    []jobRun
	jobCfgs []jobConfig
	dsets   []daemonSet

	priorities []int32 // by Config.PriorityClasses index
	defaultPri int32
	defaultNo  bool // the global default class has PreemptionPolicy Never

	nextPod uint64
	rec     recorder
	outcome *Outcome
	explain *podExplainer  // the explained pods (explain.go); nil until one comes up
	hpa     hpaControllers // the HorizontalPodAutoscalers (hpa.go)
	ca      *caState       // the Cluster Autoscaler (clusterautoscaler.go); nil without one
	kp      *kpState       // Karpenter (karpenter_world.go); nil without NodePools
	fg      fgState        // EKS on Fargate (fargate_world.go)
}

var _ capacity.Orchestrator = (*World)(nil)

// New builds the EKS world for cfg on the run's engine, fleet and event
// log. cfg must have been validated; references out of range are
// programming errors. Nothing here panics on a value a scenario can hold:
// what kube-scheduler would refuse in a pod is a problem New returns.
func New(cfg *Config, env Env, eng *des.Engine, fleet *capacity.Fleet, log *schema.Log, groups int) (*World, error) {
	if env.SampleEvery <= 0 {
		env.SampleEvery = time.Minute
	}
	w := &World{cfg: cfg, env: env, eng: eng, fleet: fleet, log: log, cluster: kube.NewCluster(),
		nodeOf: map[kube.NodeID]int32{}, timelineRand: map[string]*rand.Rand{}}
	w.tie = eng.Stream("eks/scheduler")
	w.preRand = eng.Stream("eks/preemption")
	prof := kube.DefaultProfile()
	if s := cfg.Scheduler.ScoringStrategy; s != "" && s != "LeastAllocated" {
		if err := useStrategy(&prof, s); err != nil {
			return nil, err
		}
	}
	prof.PercentageOfNodesToScore = cfg.Scheduler.PercentageOfNodesToScore
	fw, err := kube.NewFramework(w.cluster, prof)
	if err != nil {
		return nil, err
	}
	w.fw = fw
	w.nodeGroupOf = make([]int, groups)
	for i := range w.nodeGroupOf {
		w.nodeGroupOf[i] = -1
	}
	for i, ng := range cfg.NodeGroups {
		if ng.Group < 0 || ng.Group >= groups {
			return nil, fmt.Errorf("eks: node group %q: capacity group %d out of range", ng.Name, ng.Group)
		}
		w.nodeGroupOf[ng.Group] = i
	}
	for _, pc := range cfg.PriorityClasses {
		w.priorities = append(w.priorities, pc.Value)
		if pc.GlobalDefault {
			w.defaultPri, w.defaultNo = pc.Value, pc.PreemptionPolicy == "Never"
		}
	}
	w.register()
	if err := w.initFargate(); err != nil { // fargate_world.go
		return nil, err
	}
	w.budgetPods = make([][]int32, len(cfg.Budgets))
	if err := w.checkTemplates(); err != nil {
		return nil, err
	}
	for i := range cfg.Deployments {
		w.deploys = append(w.deploys, newDeployment(w, i))
	}
	for i := range cfg.Jobs {
		w.jobCfgs = append(w.jobCfgs, jobConfig{rand: eng.Stream("eks/job/" + cfg.Jobs[i].Name)})
	}
	for i := range cfg.DaemonSets {
		ds, err := newDaemonSet(w, i)
		if err != nil {
			return nil, err
		}
		w.dsets = append(w.dsets, ds)
	}
	w.initRecorder()
	return w, nil
}

// checkTemplates compiles every workload's template once, so that a pod
// kube-scheduler would refuse is a problem before the run, not a pod that
// fails at every creation.
func (w *World) checkTemplates() error {
	var errs []error
	check := func(kind, name, ns string, t *PodTemplate) {
		kp := t.Pod
		kp.Name, kp.Namespace = name+"-check", ns
		if _, err := w.cluster.NewPodInfo(kp); err != nil {
			errs = append(errs, fmt.Errorf("eks: %s %q: %w", kind, name, err))
		}
	}
	for _, d := range w.cfg.Deployments {
		check("deployment", d.Name, d.Namespace, &d.Template)
	}
	for _, j := range w.cfg.Jobs {
		check("job", j.Name, j.Namespace, &j.Template)
	}
	for _, p := range w.cfg.Pods {
		check("pod", p.Name, p.Namespace, &p.Template)
	}
	return errors.Join(errs...)
}

// useStrategy swaps NodeResourcesFit's scoring strategy in a default
// profile (the filter and the score are one plugin).
func useStrategy(p *kube.Profile, name string) error {
	st := kube.LeastAllocatedStrategy()
	switch name {
	case "MostAllocated":
		st.Type = kube.MostAllocated
	case "RequestedToCapacityRatio":
		// choice: the bin-packing shape of the resource-bin-packing page's
		// example (utilization 0 -> 0, 100 -> 10); kube-scheduler has no
		// default shape.
		st.Type = kube.RequestedToCapacityRatio
		st.Shape = []kube.UtilizationShapePoint{{Utilization: 0, Score: 0}, {Utilization: 100, Score: 10}}
	default:
		return fmt.Errorf("eks: scoring strategy %q: want LeastAllocated, MostAllocated or RequestedToCapacityRatio", name)
	}
	fit, err := kube.NewNodeResourcesFit(st)
	if err != nil {
		return err
	}
	for i, f := range p.Filters {
		if f.Name() == fit.Name() {
			p.Filters[i] = fit
		}
	}
	for i, s := range p.Scores {
		if s.Plugin.Name() == fit.Name() {
			p.Scores[i].Plugin = fit
		}
	}
	return nil
}

func (w *World) register() {
	e := w.eng
	w.k = kinds{
		nodeReady:    e.Register(w.onNodeReady),
		schedule:     e.Register(func(des.Time, int32) { w.runQueue() }),
		requeue:      e.Register(func(des.Time, int32) { w.requeueAll() }),
		podBackoff:   e.Register(w.onPodBackoff),
		podStarted:   e.Register(w.onPodStarted),
		podExit:      e.Register(w.onPodExit),
		podGone:      e.Register(w.onPodGone),
		syncDeploy:   e.Register(func(_ des.Time, d int32) { w.syncDeployment(int(d)) }),
		syncJob:      e.Register(func(_ des.Time, j int32) { w.syncJob(int(j)) }),
		jobStart:     e.Register(w.onJobStart),
		drainRetry:   e.Register(func(_ des.Time, i int32) { w.drainStep(i) }),
		barePod:      e.Register(w.onBarePod),
		sample:       e.Register(w.onSample),
		drainExpiry:  e.Register(w.onDrainExpiry),
		podAvailable: e.Register(w.onPodAvailable),
		pullRetry:    e.Register(w.onPullRetry), // ecr.go
	}
}

// Start starts the workloads. The fleet has started: its initial
// instances have registered (their nodes follow NodeRegistration later).
func (w *World) Start() {
	for d := range w.deploys {
		w.markDeployment(d)
	}
	for j, jc := range w.cfg.Jobs {
		w.eng.At(des.At(max(jc.At, 0)), w.k.jobStart, int32(j))
	}
	for p, bp := range w.cfg.Pods {
		w.eng.At(des.At(max(bp.At, 0)), w.k.barePod, int32(p))
	}
	w.startHPAs()
	w.startClusterAutoscaler()
	w.startKarpenter()
}

// StartSampling schedules the first sample, at time zero.
func (w *World) StartSampling() { w.eng.At(0, w.k.sample, 0) }

func (w *World) now() des.Time { return w.eng.Now() }

// calendar converts simulated time to the scenario's calendar.
func (w *World) calendar(t des.Time) time.Time { return w.env.Start.Add(t.Duration()) }

// priorityOf resolves a template's priority class: its value and whether it
// may preempt (PreemptionPolicy PreemptLowerPriority, the default).
func (w *World) priorityOf(t *PodTemplate) (int32, bool) {
	if t.PriorityClass >= 0 && t.PriorityClass < len(w.cfg.PriorityClasses) {
		pc := &w.cfg.PriorityClasses[t.PriorityClass]
		return pc.Value, pc.PreemptionPolicy != "Never"
	}
	return w.defaultPri, !w.defaultNo
}

func (w *World) settingOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// sortedNodes lists the present nodes' fleet indexes in ascending order.
func (w *World) sortedNodes() []int32 {
	var out []int32
	for i := range w.nodes {
		if w.nodes[i].present {
			out = append(out, int32(i))
		}
	}
	return out
}

// clusterChanged is a cluster event (a node added or changed, a pod
// deleted): the unschedulable pods are moved back, once per instant.
func (w *World) clusterChanged() {
	if w.requeuing || len(w.unsched) == 0 {
		return
	}
	w.requeuing = true
	w.eng.At(w.now(), w.k.requeue, 0)
}

// kick asks for a scheduling pass now, once per instant.
func (w *World) kick() {
	if w.scheduling || w.queue.Len() == 0 {
		return
	}
	w.scheduling = true
	w.eng.At(w.now(), w.k.schedule, 0)
}

func removeIndex(s []int32, v int32) []int32 {
	if k := slices.Index(s, v); k >= 0 {
		return slices.Delete(s, k, k+1)
	}
	return s
}

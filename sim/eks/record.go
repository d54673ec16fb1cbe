package eks

import (
	"math"
	"math/rand/v2"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Event types the EKS world records (events.csv), beside capacity's. Pods
// take the place of ECS tasks: Subject is the pod (or node, or workload),
// Group its workload ("deployment:web"), Status its phase, Reason the
// message Kubernetes would give, Instance its node and Provider its node
// group.
const (
	EventNodeReady              schema.EventType = "NodeReady"              // the kubelet registered the node
	EventNodeRemoved            schema.EventType = "NodeRemoved"            // the node is gone with its instance
	EventNodeDraining           schema.EventType = "NodeDraining"           // cordoned; evictions begin
	EventNodeDrained            schema.EventType = "NodeDrained"            // only DaemonSet pods left
	EventNodeDrainTimeout       schema.EventType = "NodeDrainTimeout"       // Settings.DrainTimeout forced the drain
	EventNodeSpotNotice         schema.EventType = "NodeSpotInterruption"   // the node's instance got the Spot notice
	EventPodCreated             schema.EventType = "PodCreated"             // a controller (or the scenario) created a pod
	EventPodScheduled           schema.EventType = "Scheduled"              // bound to a node
	EventFailedScheduling       schema.EventType = "FailedScheduling"       // no node fits (the FitError, once per message)
	EventFailedCreatePodSandBox schema.EventType = "FailedCreatePodSandBox" // no VPC CNI address left on the node
	EventPodPhase               schema.EventType = "PodPhase"               // status.phase changed (Running, Succeeded, Failed)
	EventPodKilling             schema.EventType = "Killing"                // deletion began: the grace period runs
	EventPodDeleted             schema.EventType = "PodDeleted"             // the pod is gone
	EventEvictionBlocked        schema.EventType = "EvictionBlocked"        // a PodDisruptionBudget refused an eviction (once per pod)
	EventPreempting             schema.EventType = "Preempting"             // the pod preempts lower-priority pods
	EventDeploymentComplete     schema.EventType = "DeploymentComplete"     // a rollout finished
	EventNewRevision            schema.EventType = "DeploymentRevision"     // a new (or earlier) template rolls out
	EventScaled                 schema.EventType = "ScalingReplicaSet"      // replicas changed
	EventJobCreated             schema.EventType = "JobCreated"             // a Job object was created
	EventJobComplete            schema.EventType = "JobComplete"            // it completed
	EventJobFailed              schema.EventType = "JobFailed"              // it failed (BackoffLimitExceeded)
	EventJobDeleted             schema.EventType = "JobDeleted"             // a CronJob's history limit removed it
)

// Events of the HorizontalPodAutoscalers (hpa.go): Subject is the HPA,
// Group its Deployment ("deployment:web"), Status the proposal or the new
// size, Reason the controller's words.
const (
	EventHPARecommendation schema.EventType = "HPARecommendation"            // the metrics proposed a new replica count
	EventHPARescale        schema.EventType = "SuccessfulRescale"            // the HPA set its Deployment's replicas (New size; reason)
	EventHPAFailed         schema.EventType = "FailedComputeMetricsReplicas" // no usable metric (once per message)
)

// EventTypes lists the EKS event types in the order above.
var EventTypes = []schema.EventType{EventNodeReady, EventNodeRemoved, EventNodeDraining, EventNodeDrained,
	EventNodeDrainTimeout, EventNodeSpotNotice, EventPodCreated, EventPodScheduled, EventFailedScheduling,
	EventFailedCreatePodSandBox, EventPodPhase, EventPodKilling, EventPodDeleted, EventEvictionBlocked,
	EventPreempting, EventDeploymentComplete, EventNewRevision, EventScaled, EventJobCreated, EventJobComplete,
	EventJobFailed, EventJobDeleted, EventHPARecommendation, EventHPARescale, EventHPAFailed,
	EventCAScaleUp, EventCAScaleDown, EventCAScaleUpTimedOut, EventCAScaleDownFailed}

// Series columns of an EKS run (timeseries.csv), cluster-wide first.
const (
	ColNodesLaunching  = "nodes_launching"   // instances launched whose node is not yet Ready
	ColNodesReady      = "nodes_ready"       // nodes registered and present
	ColPodsPending     = "pods_pending"      // pods not yet Running: unscheduled or starting
	ColPodsUnscheduled = "pods_unscheduled"  // of which no node is bound
	ColPodsRunning     = "pods_running"      // pods Running and Ready
	ColPodsTerminating = "pods_terminating"  // pods in their grace period
	ColCPUAllocatable  = "cpu_allocatable_m" // the nodes' allocatable CPU, millicores
	ColCPURequested    = "cpu_requested_m"   // of which the bound pods request
	ColMemAllocatable  = "memory_allocatable_mib"
	ColMemRequested    = "memory_requested_mib"
)

// ClusterColumns lists the cluster-wide columns in order.
var ClusterColumns = []string{ColNodesLaunching, ColNodesReady, ColPodsPending, ColPodsUnscheduled, ColPodsRunning,
	ColPodsTerminating, ColCPUAllocatable, ColCPURequested, ColMemAllocatable, ColMemRequested}

// Per-entity measures: a column is PREFIX.NAME.MEASURE.
var (
	NodeGroupMeasures  = []string{"desired", "nodes", "on_demand", "spot", "cordoned"}
	DeploymentMeasures = []string{"desired", "pods", "available", "pending", "load_rps", "cpu_utilization", "dropped_rps"}
	JobMeasures        = []string{"active", "succeeded", "failed"}
	DaemonSetMeasures  = []string{"desired", "running"}
)

// NodeGroupColumn, DeploymentColumn, JobColumn and DaemonSetColumn name a
// per-entity column: "nodegroup.spot.nodes", "deployment.web.available".
func NodeGroupColumn(name, m string) string  { return "nodegroup." + name + "." + m }
func DeploymentColumn(name, m string) string { return "deployment." + name + "." + m }
func JobColumn(name, m string) string        { return "job." + name + "." + m }
func DaemonSetColumn(name, m string) string  { return "daemonset." + name + "." + m }

// workloadRec is what the recorder keeps per workload.
type workloadRec struct {
	kind, name, ns string
	counts         [numPodStates]int
	created        int
	succeeded      int
	failed         int
	deleted        int
	waits          []des.Time // creation to Running
	unsched        map[string]int
	utilSum        float64 // load: per-sample utilisation, summed
	utilN          int
	droppedReqs    float64
}

// recorder collects the run's series and tallies.
type recorder struct {
	series       schema.Series
	mayBeMissing []bool
	workloads    []workloadRec
	counts       [numPodStates]int
	unschedAll   map[string]int
	qSeq         uint64
	bareRand     *rand.Rand

	nodesRegistered, nodesRemoved, peakNodes int
	peakInstances                            int
	podsCreated, succeeded, failed           int
	podsDeleted                              int
	podsUnschedulable                        int // pods that failed scheduling at least once
	preemptors, preempted                    int
	evictions, evictionsBlocked              int
}

func (w *World) jobWorkload(cfg int) int  { return len(w.cfg.Deployments) + cfg }
func (w *World) daemonWorkload(d int) int { return len(w.cfg.Deployments) + len(w.cfg.Jobs) + d }
func (w *World) bareWorkload(i int) int   { return w.daemonWorkload(len(w.cfg.DaemonSets)) + i }
func (w *World) workloadGroup(p *pod) string {
	r := &w.rec.workloads[p.workload]
	return r.kind + ":" + r.name
}

func (w *World) initRecorder() {
	r := &w.rec
	r.unschedAll = map[string]int{}
	add := func(kind, name, ns string) {
		r.workloads = append(r.workloads, workloadRec{kind: kind, name: name, ns: ns, unsched: map[string]int{}})
	}
	for _, d := range w.cfg.Deployments {
		add("deployment", d.Name, d.Namespace)
	}
	for _, j := range w.cfg.Jobs {
		add("job", j.Name, j.Namespace)
	}
	for _, d := range w.cfg.DaemonSets {
		add("daemonset", d.Name, d.Namespace)
	}
	for _, p := range w.cfg.Pods {
		add("pod", p.Name, p.Namespace)
	}
	cols := append([]string(nil), ClusterColumns...)
	missing := make([]bool, len(cols))
	for _, ng := range w.cfg.NodeGroups {
		for _, m := range NodeGroupMeasures {
			cols, missing = append(cols, NodeGroupColumn(ng.Name, m)), append(missing, false)
		}
	}
	for _, d := range w.cfg.Deployments {
		for _, m := range DeploymentMeasures {
			cols = append(cols, DeploymentColumn(d.Name, m))
			missing = append(missing, m == "load_rps" || m == "cpu_utilization" || m == "dropped_rps")
		}
	}
	for _, j := range w.cfg.Jobs {
		for _, m := range JobMeasures {
			cols, missing = append(cols, JobColumn(j.Name, m)), append(missing, false)
		}
	}
	for _, d := range w.cfg.DaemonSets {
		for _, m := range DaemonSetMeasures {
			cols, missing = append(cols, DaemonSetColumn(d.Name, m)), append(missing, false)
		}
	}
	cols, missing = w.fargateColumns(cols, missing) // fargate_world.go
	for _, c := range cols {
		r.series.Columns = append(r.series.Columns, schema.Column{Name: c})
	}
	r.mayBeMissing = missing
}

// recount moves a pod's tally to the state it is in now.
func (w *World) recount(pi int32) {
	p := &w.pods[pi]
	w.tallyReplicaSet(p)
	s := p.state()
	if s == p.counted {
		return
	}
	wr := &w.rec.workloads[p.workload]
	wr.counts[p.counted]--
	w.rec.counts[p.counted]--
	wr.counts[s]++
	w.rec.counts[s]++
	p.counted = s
}

func (r *recorder) created(p *pod) {
	r.podsCreated++
	r.workloads[p.workload].created++
	r.workloads[p.workload].counts[stNone]++
	r.counts[stNone]++
}

func (r *recorder) started(p *pod, wait des.Time) {
	wr := &r.workloads[p.workload]
	wr.waits = append(wr.waits, wait)
}

// deleted counts a pod deleted before it ended (scaled down, evicted,
// preempted, a finished Job's): its phase is Failed for a Job's books.
func (r *recorder) deleted(p *pod) {
	r.podsDeleted++
	r.workloads[p.workload].deleted++
}

// ended counts a pod that ended on its own or with its node.
func (r *recorder) ended(p *pod) {
	wr := &r.workloads[p.workload]
	if p.phase == PhaseSucceeded {
		r.succeeded++
		wr.succeeded++
		return
	}
	r.failed++
	wr.failed++
}

// unschedulable counts a pod's FitError message, once per pod and
// message, for its workload and the cluster.
func (r *recorder) unschedulable(p *pod, msg string) {
	r.workloads[p.workload].unsched[msg]++
	r.unschedAll[msg]++
}

// failedScheduling counts a pod the first time it fails scheduling (a
// FitError, or a pod the Fargate scheduler cannot run): the EKS side of
// ECS's tasks with a placement failure (Outcome.PodsUnschedulable).
func (r *recorder) failedScheduling(p *pod) {
	if !p.failedOnce {
		p.failedOnce = true
		r.podsUnschedulable++
	}
}

// podEvent logs a pod event (unless Settings.PodEvents is off; the summary
// counts them all the same).
func (w *World) podEvent(pi int32, typ schema.EventType, reason string) {
	if !w.cfg.Settings.PodEvents {
		return
	}
	p := &w.pods[pi]
	status := p.phase.String()
	if p.deleting && !p.gone {
		status = "Terminating"
	}
	ev := schema.Event{At: w.now(), Type: typ, Subject: p.ns + "/" + p.name, Group: w.workloadGroup(p), Status: status, Reason: reason}
	if p.node >= 0 {
		ev.Instance = w.nodes[p.node].name
		ev.Provider = w.cfg.NodeGroups[w.nodes[p.node].group].Name
	} else if p.fg != nil && p.fg.up { // fargate_world.go: its Fargate node and profile
		ev.Instance = p.fg.name
		ev.Provider = "fargate:" + w.cfg.FargateProfiles[p.fg.profile].Name
	}
	w.log.Add(ev)
}

// workloadEvent logs a controller event.
func (w *World) workloadEvent(typ schema.EventType, kind, name, reason string) {
	w.log.Add(schema.Event{At: w.now(), Type: typ, Subject: name, Group: kind + ":" + name, Reason: reason})
}

// nodeTally is what a sample counts of the nodes: Ready and launching,
// allocatable and requested CPU and memory, and per node group nodes,
// On-Demand, Spot and cordoned (indexes 1 to 4).
type nodeTally struct {
	ready, launching       int
	cpuA, cpuR, memA, memR int64
	groups                 [][5]int
}

func (w *World) nodeTally() nodeTally {
	t := nodeTally{groups: make([][5]int, len(w.cfg.NodeGroups))}
	for i := range w.nodes {
		n := &w.nodes[i]
		if n.pendingUp {
			t.launching++
		}
		if !n.present {
			continue
		}
		t.ready++
		ni := w.cluster.NodeInfo(n.id)
		t.cpuA += ni.Allocatable().MilliCPU
		t.memA += ni.Allocatable().MemoryBytes
		t.cpuR += ni.Requested().MilliCPU
		t.memR += ni.Requested().MemoryBytes
		g := &t.groups[n.group]
		g[1]++
		if w.fleet.Instance(int32(i)).Purchase == capacity.Spot {
			g[3]++
		} else {
			g[2]++
		}
		if n.cordoned {
			g[4]++
		}
	}
	return t
}

// onSample records one row of the series and schedules the next.
func (w *World) onSample(now des.Time, _ int32) {
	r := &w.rec
	r.series.Times = append(r.series.Times, now)
	col := 0
	put := func(v float64) {
		c := &r.series.Columns[col]
		c.Values = append(c.Values, v)
		col++
	}
	t := w.nodeTally()
	ready, launching := t.ready, t.launching
	cpuA, cpuR, memA, memR := t.cpuA, t.cpuR, t.memA, t.memR
	ngNodes := t.groups
	launching += w.fleet.Pending()
	for _, v := range []float64{float64(launching), float64(ready),
		float64(r.counts[stUnscheduled] + r.counts[stStarting]), float64(r.counts[stUnscheduled]),
		float64(r.counts[stRunning]), float64(r.counts[stTerminating]),
		float64(cpuA), float64(cpuR), float64(memA) / MiB, float64(memR) / MiB} {
		put(v)
	}
	r.peakNodes = max(r.peakNodes, ready)
	r.peakInstances = max(r.peakInstances, w.fleet.Present())
	for g, ng := range w.cfg.NodeGroups {
		put(float64(w.fleet.Group(ng.Group).Desired))
		for k := 1; k < 5; k++ {
			put(float64(ngNodes[g][k]))
		}
	}
	for d := range w.cfg.Deployments {
		w.sampleDeployment(d, put)
	}
	for j := range w.cfg.Jobs {
		wr := &r.workloads[w.jobWorkload(j)]
		put(float64(wr.counts[stUnscheduled] + wr.counts[stStarting] + wr.counts[stRunning]))
		put(float64(wr.succeeded))
		put(float64(wr.failed))
	}
	for d := range w.cfg.DaemonSets {
		put(float64(w.daemonDesired(d)))
		put(float64(r.workloads[w.daemonWorkload(d)].counts[stRunning]))
	}
	w.sampleFargate(put) // fargate_world.go
	if next := now + des.At(w.env.SampleEvery); next < des.At(w.env.Duration) || w.env.Duration == 0 {
		w.eng.At(next, w.k.sample, 0)
	}
}

// sampleDeployment records a Deployment's columns: desired, pods,
// available, pending and, with Load, the requests per second its Ready
// pods share, their utilisation (load over what they serve at 100% of
// their CPU request, at most 100) and what they cannot serve.
func (w *World) sampleDeployment(d int, put func(float64)) {
	dc := &w.cfg.Deployments[d]
	wr := &w.rec.workloads[d]
	pods, avail := w.deploymentCounts(d)
	put(float64(w.deploys[d].replicas))
	put(float64(pods))
	put(float64(avail))
	put(float64(wr.counts[stUnscheduled] + wr.counts[stStarting]))
	if dc.Load == nil {
		put(math.NaN())
		put(math.NaN())
		put(math.NaN())
		return
	}
	if w.deploys[d].svc != nil {
		w.sampleService(d, put) // served as an ECS service is (service.go)
		return
	}
	rps := w.deploymentLoad(d).Rate(w.calendar(w.now()))
	put(rps)
	serve := float64(wr.counts[stRunning]) * dc.PodRequestsPerSecond
	if serve <= 0 {
		put(math.NaN())
		put(rps)
		wr.droppedReqs += rps * w.env.SampleEvery.Seconds()
		return
	}
	util := min(100, 100*rps/serve)
	put(util)
	dropped := max(0, rps-serve)
	put(dropped)
	wr.utilSum += util
	wr.utilN++
	wr.droppedReqs += dropped * w.env.SampleEvery.Seconds()
}

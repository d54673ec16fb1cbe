package eks

import (
	"slices"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Outcome is what the EKS world recorded, for sim's Result.
type Outcome struct {
	Series  schema.Series
	Summary Summary
	State   List
	// NodeGroupOf maps each capacity group to its node group (-1: none).
	NodeGroupOf []int
	PeakNodes   int
	// PeakInstances is the most EC2 instances present at a sample (the
	// fleet's, booting ones included).
	PeakInstances int
	// PodsStarted counts the pods that reached Running, every workload's
	// (a sweep's tasks_started).
	PodsStarted int
	// PodsUnschedulable counts the pods that failed scheduling at least
	// once (a FailedScheduling event: no node fit, or Fargate cannot run
	// the pod), every workload's (a sweep's placement_failures).
	PodsUnschedulable int
	// Fargate is each Fargate pod's usage, for its bill (fargate_world.go).
	Fargate []FargatePodUsage
}

// Summary is the EKS part of summary.json.
type Summary struct {
	Cluster   string            `json:"cluster"`
	Version   string            `json:"version,omitempty"`
	Nodes     NodeSummary       `json:"nodes"`
	Pods      PodSummary        `json:"pods"`
	Workloads []WorkloadSummary `json:"workloads"`
	// Unschedulable counts the scheduler's FitError messages, once per pod
	// and message, as kube-scheduler words them.
	Unschedulable map[string]int `json:"unschedulable"`
	// HPAs are the HorizontalPodAutoscalers' outcomes (hpa.go).
	HPAs []HPASummary `json:"horizontal_pod_autoscalers,omitempty"`
	// ClusterAutoscaler is the Cluster Autoscaler's outcome
	// (clusterautoscaler.go).
	ClusterAutoscaler *CASummary `json:"cluster_autoscaler,omitempty"`
	// Fargate is the pods on Fargate (fargate_world.go).
	Fargate *FargateSummary `json:"fargate,omitempty"`
}

// NodeSummary counts nodes.
type NodeSummary struct {
	Registered int `json:"registered"`
	Removed    int `json:"removed"`
	Peak       int `json:"peak"`
	AtEnd      int `json:"at_end"`
}

// PodSummary counts pods over the run and at its end.
type PodSummary struct {
	Created          int `json:"created"`
	RunningAtEnd     int `json:"running_at_end"`
	PendingAtEnd     int `json:"pending_at_end"`
	Succeeded        int `json:"succeeded"`
	Failed           int `json:"failed"`  // failed: a container error, or lost with its node
	Deleted          int `json:"deleted"` // deleted before they ended: scaled down, evicted, preempted
	Preemptors       int `json:"preemptors"`
	Preempted        int `json:"preempted"`
	Evictions        int `json:"evictions"`
	EvictionsBlocked int `json:"evictions_blocked"` // pods a budget held, once each
}

// WorkloadSummary is one workload's outcome.
type WorkloadSummary struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Desired is replicas (Deployment), completions per run (Job), nodes
	// that should run it (DaemonSet) or 1 (Pod), at the end.
	Desired      int `json:"desired"`
	RunningAtEnd int `json:"running_at_end"`
	PendingAtEnd int `json:"pending_at_end"`
	PodsCreated  int `json:"pods_created"`
	Succeeded    int `json:"pods_succeeded"`
	Failed       int `json:"pods_failed"`
	Deleted      int `json:"pods_deleted"`
	// Pending time: from creation to Running, over the pods that ran.
	PendingP50S float64 `json:"pending_p50_s"`
	PendingP95S float64 `json:"pending_p95_s"`
	PendingMaxS float64 `json:"pending_max_s"`
	// Unschedulable counts the FitError messages its pods got, once per pod
	// and message.
	Unschedulable map[string]int `json:"unschedulable"`
	// Jobs: runs started, complete and failed.
	Runs         int `json:"runs,omitempty"`
	RunsComplete int `json:"runs_complete,omitempty"`
	RunsFailed   int `json:"runs_failed,omitempty"`
	// Load (Deployments with Load): the Ready pods' mean utilisation over
	// the samples with any, and the requests they could not serve.
	MeanUtilization *float64 `json:"mean_cpu_utilization,omitempty"`
	DroppedRequests *float64 `json:"dropped_requests,omitempty"`
	// A Deployment served as an ECS service (its load gives
	// cpu_seconds_per_request, service.go), under the ECS side's names:
	// requests offered and dropped over the run, the share served within
	// the latency SLO (drops count as misses; -1 without an SLO), and the
	// share of samples with the Deployment's minimum availability.
	RequestsOffered  *float64 `json:"requests_offered,omitempty"`
	RequestsDropped  *float64 `json:"requests_dropped,omitempty"`
	SLOAttainmentPct *float64 `json:"slo_attainment_pct,omitempty"`
	AvailabilityPct  *float64 `json:"availability_pct,omitempty"`
	// FargatePods counts its pods that ran on Fargate (fargate_world.go).
	FargatePods int `json:"fargate_pods,omitempty"`
}

// Nearest-rank percentile of sorted durations, in seconds.
func percentileS(sorted []des.Time, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	k := int(q*float64(len(sorted))+0.999999999) - 1
	k = min(max(k, 0), len(sorted)-1)
	return sorted[k].Duration().Seconds()
}

// CheckEnd verifies the world's books at the end: every pod's tally, every
// node's pod list against the scheduler's, and no node holding more than
// its allocatable CPU, memory, pods or VPC CNI addresses, and every
// ReplicaSet's tallies against its pods.
func (w *World) CheckEnd() {
	var counts [numPodStates]int
	for pi := range w.pods {
		counts[w.pods[pi].state()]++
	}
	if counts != w.rec.counts {
		w.eng.Fail(errInvariant("pod tallies %v disagree with the pods %v", w.rec.counts, counts))
	}
	for d := range w.deploys {
		for r := range w.deploys[d].sets {
			rs := &w.deploys[d].sets[r]
			var live, active, avail int
			for pi := range w.pods {
				if p := &w.pods[pi]; p.kind == ownDeployment && int(p.owner) == d && int(p.rs) == r {
					live += boolRank(!p.gone)
					active += boolRank(p.active())
					avail += boolRank(p.active() && p.ready && p.available)
				}
			}
			if live != rs.liveN || active != rs.activeN || avail != rs.availN {
				w.eng.Fail(errInvariant("ReplicaSet %s: tallies live %d, active %d, available %d; its pods say %d, %d, %d",
					rs.hash, rs.liveN, rs.activeN, rs.availN, live, active, avail))
			}
		}
	}
	for i := range w.nodes {
		n := &w.nodes[i]
		if !n.present {
			continue
		}
		ni := w.cluster.NodeInfo(n.id)
		if got := ni.NumPods(); got != len(n.pods) {
			w.eng.Fail(errInvariant("node %s: scheduler holds %d pods, the node %d", n.name, got, len(n.pods)))
		}
		if req, alloc := ni.Requested(), ni.Allocatable(); req.MilliCPU > alloc.MilliCPU || req.MemoryBytes > alloc.MemoryBytes ||
			len(n.pods) > n.res.Allocatable.Pods || n.ipsUsed > n.ipLimit {
			w.eng.Fail(errInvariant("node %s overcommitted: %+v requested of %+v, %d pods of %d, %d addresses of %d",
				n.name, req, alloc, len(n.pods), n.res.Allocatable.Pods, n.ipsUsed, n.ipLimit))
		}
	}
}

// Outcome puts the recording together, once.
func (w *World) Outcome() *Outcome {
	if w.outcome != nil {
		return w.outcome
	}
	r := &w.rec
	o := &Outcome{Series: r.series, NodeGroupOf: w.nodeGroupOf, PeakNodes: r.peakNodes, PeakInstances: r.peakInstances,
		PodsUnschedulable: r.podsUnschedulable}
	atEnd := len(w.sortedNodes())
	o.PeakNodes = max(o.PeakNodes, atEnd)
	s := Summary{Cluster: w.cfg.Name, Version: w.cfg.Version, Unschedulable: r.unschedAll,
		Nodes: NodeSummary{Registered: r.nodesRegistered, Removed: r.nodesRemoved, Peak: o.PeakNodes, AtEnd: atEnd},
		Pods: PodSummary{Created: r.podsCreated, RunningAtEnd: r.counts[stRunning],
			PendingAtEnd: r.counts[stUnscheduled] + r.counts[stStarting], Succeeded: r.succeeded, Failed: r.failed, Deleted: r.podsDeleted,
			Preemptors: r.preemptors, Preempted: r.preempted, Evictions: r.evictions, EvictionsBlocked: r.evictionsBlocked},
		Workloads: []WorkloadSummary{}}
	for k := range r.workloads {
		s.Workloads = append(s.Workloads, w.workloadSummary(k))
		o.PodsStarted += len(r.workloads[k].waits)
	}
	s.HPAs = w.hpaSummaries()
	s.ClusterAutoscaler = w.caSummary()
	o.Summary = s
	w.fargateOutcome(o) // fargate_world.go
	if !w.env.NoState {
		o.State = w.state()
	}
	w.outcome = o
	return o
}

func (w *World) workloadSummary(k int) WorkloadSummary {
	wr := &w.rec.workloads[k]
	waits := slices.Clone(wr.waits)
	slices.Sort(waits)
	ws := WorkloadSummary{Kind: wr.kind, Name: wr.name, Namespace: wr.ns, RunningAtEnd: wr.counts[stRunning],
		PendingAtEnd: wr.counts[stUnscheduled] + wr.counts[stStarting], PodsCreated: wr.created,
		Succeeded: wr.succeeded, Failed: wr.failed, Deleted: wr.deleted, Unschedulable: wr.unsched,
		PendingP50S: percentileS(waits, 0.5), PendingP95S: percentileS(waits, 0.95), PendingMaxS: percentileS(waits, 1)}
	D, J, S := len(w.cfg.Deployments), len(w.cfg.Jobs), len(w.cfg.DaemonSets)
	switch {
	case k < D:
		ws.Desired = w.deploys[k].replicas
		if w.cfg.Deployments[k].Load != nil {
			dropped := wr.droppedReqs
			ws.DroppedRequests = &dropped
			if wr.utilN > 0 {
				u := wr.utilSum / float64(wr.utilN)
				ws.MeanUtilization = &u
			}
		}
		if sv := w.deploys[k].svc; sv != nil {
			sv.summarize(&ws)
		}
	case k < D+J:
		jc := &w.cfg.Jobs[k-D]
		ws.Desired = max(jc.Completions, 1)
		for _, ji := range w.jobCfgs[k-D].runs {
			ws.Runs++
			if jr := &w.jobs[ji]; jr.done && jr.failedJob {
				ws.RunsFailed++
			} else if jr.done {
				ws.RunsComplete++
			}
		}
	case k < D+J+S:
		ws.Desired = w.daemonDesired(k - D - J)
	default:
		ws.Desired = 1
	}
	return ws
}

// List is a Kubernetes v1 List, as `kubectl get nodes,pods -o json` prints
// it: nodes, then pods.
type List struct {
	APIVersion string   `json:"apiVersion"`
	Items      []any    `json:"items"`
	Kind       string   `json:"kind"`
	Metadata   ListMeta `json:"metadata"`
}

// ListMeta is a List's metadata.
type ListMeta struct {
	ResourceVersion string `json:"resourceVersion"`
}

// ObjectMeta is the metadata fleetsim fills in.
type ObjectMeta struct {
	Name              string            `json:"name"`
	Namespace         string            `json:"namespace,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	CreationTimestamp string            `json:"creationTimestamp"`
	DeletionTimestamp string            `json:"deletionTimestamp,omitempty"`
	OwnerReferences   []OwnerReference  `json:"ownerReferences,omitempty"`
}

// OwnerReference names a pod's controller.
type OwnerReference struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Controller bool   `json:"controller"`
}

// NodeObject is a v1 Node.
type NodeObject struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   ObjectMeta `json:"metadata"`
	Spec       NodeSpec   `json:"spec"`
	Status     NodeStatus `json:"status"`
}

// NodeSpec is the node's spec.
type NodeSpec struct {
	ProviderID    string      `json:"providerID"`
	Taints        []TaintJSON `json:"taints,omitempty"`
	Unschedulable bool        `json:"unschedulable,omitempty"`
}

// TaintJSON is a taint as the API writes it.
type TaintJSON struct {
	Effect string `json:"effect"`
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
}

// NodeStatus is the node's status.
type NodeStatus struct {
	Allocatable map[string]string `json:"allocatable"`
	Capacity    map[string]string `json:"capacity"`
	Conditions  []Condition       `json:"conditions"`
}

// Condition is a node or pod condition.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// PodObject is a v1 Pod.
type PodObject struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   ObjectMeta `json:"metadata"`
	Spec       PodSpec    `json:"spec"`
	Status     PodStatus  `json:"status"`
}

// PodSpec is the pod's spec, as far as fleetsim models it.
type PodSpec struct {
	Containers  []ContainerJSON `json:"containers"`
	HostNetwork bool            `json:"hostNetwork,omitempty"`
	NodeName    string          `json:"nodeName,omitempty"`
	Priority    int32           `json:"priority"`
	// SchedulerName is written for Fargate pods only (fargate-scheduler).
	SchedulerName string `json:"schedulerName,omitempty"`
}

// ContainerJSON is a container with its requests.
type ContainerJSON struct {
	Image     string         `json:"image"`
	Name      string         `json:"name"`
	Resources map[string]any `json:"resources"`
}

// PodStatus is the pod's status.
type PodStatus struct {
	Conditions        []Condition `json:"conditions,omitempty"`
	Message           string      `json:"message,omitempty"`
	NominatedNodeName string      `json:"nominatedNodeName,omitempty"`
	Phase             string      `json:"phase"`
	Reason            string      `json:"reason,omitempty"`
	StartTime         string      `json:"startTime,omitempty"`
}

func (w *World) stamp(t des.Time) string { return w.calendar(t).UTC().Format(time.RFC3339) }

// cpuQuantity and memQuantity write resources as the API does: "1930m",
// "7698432Ki".
func cpuQuantity(m int64) string {
	if m%1000 == 0 {
		return strconv.FormatInt(m/1000, 10)
	}
	return strconv.FormatInt(m, 10) + "m"
}

func memQuantity(b int64) string {
	if b%1024 == 0 {
		return strconv.FormatInt(b/1024, 10) + "Ki"
	}
	return strconv.FormatInt(b, 10)
}

// state is the cluster at the end as kubectl shows it: the nodes present,
// then the pods not gone, each in creation order.
func (w *World) state() List {
	l := List{APIVersion: "v1", Kind: "List", Items: []any{}}
	for _, i := range w.sortedNodes() {
		l.Items = append(l.Items, w.nodeObject(i))
	}
	for pi := range w.pods {
		if !w.pods[pi].gone {
			l.Items = append(l.Items, w.podObject(int32(pi)))
		}
	}
	return l
}

func (w *World) nodeObject(i int32) NodeObject {
	n := &w.nodes[i]
	in := w.fleet.Instance(i)
	res := func(r Resources) map[string]string {
		return map[string]string{"cpu": cpuQuantity(r.MilliCPU), "memory": memQuantity(r.MemoryBytes), "pods": strconv.Itoa(r.Pods)}
	}
	o := NodeObject{APIVersion: "v1", Kind: "Node",
		Metadata: ObjectMeta{Name: n.name, Labels: n.labels, CreationTimestamp: w.stamp(n.ready)},
		Spec:     NodeSpec{ProviderID: "aws:///" + in.Zone + "/" + in.ID, Unschedulable: n.cordoned},
		Status: NodeStatus{Allocatable: res(n.res.Allocatable), Capacity: res(n.res.Capacity),
			Conditions: []Condition{{Type: "Ready", Status: "True", Reason: "KubeletReady", Message: "kubelet is posting ready status"}}}}
	for _, t := range n.taints {
		o.Spec.Taints = append(o.Spec.Taints, TaintJSON{Effect: t.Effect.String(), Key: t.Key, Value: t.Value})
	}
	if n.cordoned {
		o.Spec.Taints = append(o.Spec.Taints, TaintJSON{Effect: kube.NoSchedule.String(), Key: kube.TaintNodeUnschedulable})
	}
	return o
}

func (w *World) podObject(pi int32) PodObject {
	p := &w.pods[pi]
	o := PodObject{APIVersion: "v1", Kind: "Pod",
		Metadata: ObjectMeta{Name: p.name, Namespace: p.ns, Labels: p.labels, CreationTimestamp: w.stamp(p.created)},
		Spec:     PodSpec{HostNetwork: p.tmpl.HostNetwork, Priority: p.priority},
		Status:   PodStatus{Phase: p.phase.String(), Reason: p.reason, Message: p.message}}
	if p.deleting {
		o.Metadata.DeletionTimestamp = w.stamp(w.now())
	}
	switch p.kind {
	case ownDeployment:
		rs := &w.deploys[p.owner].sets[p.rs]
		o.Metadata.OwnerReferences = []OwnerReference{{"apps/v1", "ReplicaSet", w.cfg.Deployments[p.owner].Name + "-" + rs.hash, true}}
	case ownJob:
		o.Metadata.OwnerReferences = []OwnerReference{{"batch/v1", "Job", w.jobs[p.owner].name, true}}
	case ownDaemonSet:
		o.Metadata.OwnerReferences = []OwnerReference{{"apps/v1", "DaemonSet", w.cfg.DaemonSets[p.owner].Name, true}}
	}
	for _, c := range p.tmpl.Pod.Containers {
		req := map[string]string{}
		if c.Requests.MilliCPU > 0 || c.ZeroCPU {
			req["cpu"] = cpuQuantity(c.Requests.MilliCPU)
		}
		if c.Requests.MemoryBytes > 0 || c.ZeroMemory {
			req["memory"] = memQuantity(c.Requests.MemoryBytes)
		}
		cj := ContainerJSON{Image: c.Image, Name: c.Name, Resources: map[string]any{}}
		if len(req) > 0 {
			cj.Resources["requests"] = req
		}
		o.Spec.Containers = append(o.Spec.Containers, cj)
	}
	if o.Spec.Containers == nil {
		o.Spec.Containers = []ContainerJSON{}
	}
	scheduled := Condition{Type: "PodScheduled", Status: "False", Reason: "Unschedulable", Message: p.message}
	if p.node >= 0 {
		o.Spec.NodeName = w.nodes[p.node].name
		o.Status.StartTime = w.stamp(p.scheduled)
		scheduled = Condition{Type: "PodScheduled", Status: "True"}
		o.Status.Reason, o.Status.Message = "", ""
		if p.waitingIP {
			o.Status.Reason, o.Status.Message = p.reason, p.message
		}
	} else if p.fg != nil && p.fg.up { // fargate_world.go
		o.Spec.NodeName = p.fg.name
		o.Status.StartTime = w.stamp(p.scheduled)
		scheduled = Condition{Type: "PodScheduled", Status: "True"}
		o.Status.Reason, o.Status.Message = "", ""
	} else if p.fg != nil || p.unsched || p.inQueue {
		o.Status.Reason, o.Status.Message = "", ""
	}
	if p.fg != nil {
		o.Spec.SchedulerName = SchedulerFargate
	}
	if p.nominated >= 0 && p.node < 0 {
		o.Status.NominatedNodeName = w.nodes[p.nominated].name
	}
	ready := Condition{Type: "Ready", Status: "False"}
	if p.ready {
		ready.Status = "True"
	}
	o.Status.Conditions = []Condition{scheduled, ready}
	if p.terminal {
		o.Status.Reason, o.Status.Message = p.reason, p.message
	}
	return o
}

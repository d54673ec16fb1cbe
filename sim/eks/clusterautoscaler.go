package eks

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/autoscale/clusterautoscaler"
	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// ClusterAutoscaler is the Cluster Autoscaler (kubernetes/autoscaler)
// running in the cluster on managed node groups: its flags and the node
// groups it manages. The decisions are autoscale/clusterautoscaler's; the
// world scans every Config.ScanInterval, hands it a snapshot and applies
// what it decides through the node groups' Auto Scaling groups.
type ClusterAutoscaler struct {
	Config clusterautoscaler.Config
	// NodeGroups are the node groups it manages, with the min and max it
	// keeps them within (--nodes=MIN:MAX:NAME, or the group's own with
	// auto-discovery). Only managed node groups: EKS drains their nodes
	// on termination, honouring PodDisruptionBudgets.
	NodeGroups []CANodeGroup
	// Pods are facts about workloads' pods the drain rules read and the
	// scheduling view lacks (annotations, volumes), by workload.
	Pods []CAPodFacts
}

// CANodeGroup is one node group the Cluster Autoscaler manages.
type CANodeGroup struct {
	NodeGroup int // index into Config.NodeGroups
	Min, Max  int
}

// CAPodFacts are a workload's pods' cluster-autoscaler facts.
type CAPodFacts struct {
	Kind, Namespace, Name string // "deployment", "job", "daemonset" or "pod"
	// SafeToEvict is the cluster-autoscaler.kubernetes.io/safe-to-evict
	// annotation of the pod template: "true", "false" or "".
	SafeToEvict string
	// LocalStorage: the pods mount an emptyDir (not Memory) or hostPath.
	LocalStorage bool
}

// Event types of the Cluster Autoscaler (events.csv): Subject is the node
// group (scale-up, give-up) or the node (scale-down), Group the node group,
// Status "FROM->TO" desired capacity, Reason why.
const (
	EventCAScaleUp         schema.EventType = "ClusterAutoscalerScaleUp"         // a node group's target raised: count, expander, why
	EventCAScaleDown       schema.EventType = "ClusterAutoscalerScaleDown"       // a node chosen for removal: utilization, how long unneeded
	EventCAScaleUpTimedOut schema.EventType = "ClusterAutoscalerScaleUpTimedOut" // nodes not registered in max-node-provision-time: given up, group backed off
	EventCAScaleDownFailed schema.EventType = "ClusterAutoscalerScaleDownFailed" // a removal refused (min size) or its evictions ran past max-pod-eviction-time
)

// CASummary is the Cluster Autoscaler's part of summary.json.
type CASummary struct {
	Expander       string `json:"expander"`
	ScaleUps       int    `json:"scale_ups"`
	NodesAdded     int    `json:"nodes_added"`
	NodesRemoved   int    `json:"nodes_removed"`
	EmptyRemoved   int    `json:"empty_nodes_removed"`
	ScaleUpsGiven  int    `json:"scale_ups_timed_out"`
	ScaleDownFails int    `json:"scale_down_failures"`
	// UnhelpedScans counts the scans that left pending pods no node group
	// could take (NotTriggerScaleUp).
	UnhelpedScans int `json:"unhelped_scans"`
}

// caState is the Cluster Autoscaler's side of the world.
type caState struct {
	cfg    *ClusterAutoscaler
	a      *clusterautoscaler.Autoscaler
	groups []caGroup
	ofNG   []int // node group -> CA group, -1
	// shadow holds one template node per CA group, for the scheduler
	// filters on a node that does not exist yet.
	shadow *kube.Cluster
	memo   map[*PodTemplate][]int8 // per CA group: 0 unknown, 1 fits, 2 does not
	// deleting are the nodes it is removing, by fleet index: when the
	// removal began and whether pods had to move.
	deleting map[int32]caDeletion
	facts    []*CAPodFacts // by recorder workload
	kScan    des.Kind
	sum      CASummary

	// per scan
	pend     []int32
	nodeIdx  []int32   // snapshot node -> fleet index
	nodePods [][]int32 // snapshot node -> its pods, as in the snapshot
	aff      map[int32]*kube.NodeAffinity
}

type caGroup struct {
	ng       int
	min, max int
	tmpl     kube.NodeID
	template clusterautoscaler.Resources
	capacity clusterautoscaler.Resources
	price    float64
	similar  string
}

type caDeletion struct {
	since des.Time
	drain bool
	late  bool // reported past max-pod-eviction-time
}

// startClusterAutoscaler starts the scan loop, if the cluster runs one.
func (w *World) startClusterAutoscaler() {
	c := w.cfg.ClusterAutoscaler
	if c == nil {
		return
	}
	a, err := clusterautoscaler.New(&c.Config, len(c.NodeGroups), w.eng.Stream("eks/cluster-autoscaler"))
	if err != nil {
		w.eng.Fail(fmt.Errorf("eks: cluster autoscaler: %w", err))
		return
	}
	s := &caState{cfg: c, a: a, shadow: kube.NewCluster(), memo: map[*PodTemplate][]int8{},
		deleting: map[int32]caDeletion{}, ofNG: make([]int, len(w.cfg.NodeGroups)), aff: map[int32]*kube.NodeAffinity{},
		sum: CASummary{Expander: strings.Join(c.Config.Expanders, ",")}}
	for i := range s.ofNG {
		s.ofNG[i] = -1
	}
	for _, cg := range c.NodeGroups {
		g, err := w.caTemplate(s, cg)
		if err != nil {
			w.eng.Fail(err)
			return
		}
		s.ofNG[cg.NodeGroup] = len(s.groups)
		s.groups = append(s.groups, g)
	}
	s.facts = make([]*CAPodFacts, len(w.rec.workloads))
	for i := range c.Pods {
		f := &c.Pods[i]
		for k, wr := range w.rec.workloads {
			if wr.kind == f.Kind && wr.name == f.Name && wr.ns == f.Namespace {
				s.facts[k] = f
			}
		}
	}
	w.ca = s
	s.kScan = w.eng.Register(func(des.Time, int32) { w.caScan() })
	w.eng.At(w.now(), s.kScan, 0)
}

// caTemplate builds a CA group's node template from its node group's
// first instance type and first zone, as the AWS cloud provider builds one
// from the Auto Scaling group's launch template: the labels a node gets,
// allocatable as the kubelet computes it, less the DaemonSet pods that
// would run on it.
func (w *World) caTemplate(s *caState, cg CANodeGroup) (caGroup, error) {
	ng := &w.cfg.NodeGroups[cg.NodeGroup]
	gc := w.fleet.GroupConfig(ng.Group)
	it := gc.InstanceTypes[0]
	zone := ""
	if len(gc.AvailabilityZones) > 0 {
		zone = gc.AvailabilityZones[0]
	}
	purchase := capacity.OnDemand
	if gc.OnDemandPercentageAboveBase == 0 && gc.OnDemandBaseCapacity == 0 {
		purchase = capacity.Spot
	}
	res, _ := nodeResources(capacity.Instance{Type: it, Zone: zone, Purchase: purchase}, ng)
	labels := map[string]string{LabelHostname: "template-" + ng.Name, LabelZone: zone, LabelRegion: w.env.Region,
		LabelInstanceType: it.Name, LabelArch: archOf(it.Arch), LabelOS: "linux", LabelNodeGroup: ng.Name,
		LabelCapacityType: map[capacity.PurchaseOption]string{capacity.OnDemand: "ON_DEMAND", capacity.Spot: "SPOT"}[purchase]}
	maps.Copy(labels, ng.Labels)
	id, err := s.shadow.AddNode(kube.Node{Name: "template-" + ng.Name, Labels: labels, Taints: ng.Taints,
		Allocatable: kube.Resources{MilliCPU: res.Allocatable.MilliCPU, MemoryBytes: res.Allocatable.MemoryBytes},
		AllowedPods: int64(res.Allocatable.Pods)})
	if err != nil {
		return caGroup{}, fmt.Errorf("eks: cluster autoscaler: node group %q: %w", ng.Name, err)
	}
	g := caGroup{ng: cg.NodeGroup, min: max(cg.Min, gc.MinSize), max: min(cg.Max, gc.MaxSize), tmpl: id, price: it.PriceUSDPerHour,
		template: clusterautoscaler.Resources{MilliCPU: res.Allocatable.MilliCPU, MemoryBytes: res.Allocatable.MemoryBytes,
			Pods: int64(res.Allocatable.Pods)},
		capacity: clusterautoscaler.Resources{MilliCPU: res.Capacity.MilliCPU, MemoryBytes: res.Capacity.MemoryBytes,
			Pods: int64(res.Capacity.Pods)}}
	ni := s.shadow.NodeInfo(id)
	for d := range w.cfg.DaemonSets {
		dc := &w.cfg.DaemonSets[d]
		kp := dc.Template.Pod
		kp.Name, kp.Namespace = dc.Name+"-ca-probe", dc.Namespace
		kp.Tolerations = append(slices.Clone(kp.Tolerations), daemonTolerations(dc.Template.HostNetwork)...)
		probe, err := s.shadow.NewPodInfo(kp)
		if err != nil {
			continue // refused already by checkTemplates
		}
		if (&kube.NodeAffinity{}).Filter(probe, ni).IsSuccess() && (kube.TaintToleration{}).Filter(probe, ni).IsSuccess() {
			r := probe.Requests()
			g.template.MilliCPU -= r.MilliCPU
			g.template.MemoryBytes -= r.MemoryBytes
			g.template.Pods--
		}
	}
	// balance-similar-node-groups: the same instance types, capacity and
	// labels but the ones the AWS provider ignores (zone, hostname, the
	// node group's name label).
	var key []string
	for _, t := range gc.InstanceTypes {
		key = append(key, t.Name)
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if k == LabelZone || k == LabelHostname || k == LabelNodeGroup {
			continue
		}
		key = append(key, k+"="+labels[k])
	}
	for _, t := range ng.Taints {
		key = append(key, "taint:"+t.Key+"="+t.Value+":"+t.Effect.String())
	}
	g.similar = strings.Join(key, ",")
	return g, nil
}

// caScan is one Cluster Autoscaler iteration.
func (w *World) caScan() {
	s := w.ca
	w.caCheckDeletions()
	snap := w.caSnapshot()
	d := s.a.Scan(snap)
	for _, gu := range d.GiveUps {
		w.caGiveUp(gu)
	}
	for _, u := range d.ScaleUps {
		g := &s.groups[u.Group]
		ng := &w.cfg.NodeGroups[g.ng]
		s.sum.ScaleUps++
		s.sum.NodesAdded += u.To - u.From
		w.log.Add(schema.Event{At: w.now(), Type: EventCAScaleUp, Subject: ng.Name, Group: ng.Name,
			Status: strconv.Itoa(u.From) + "->" + strconv.Itoa(u.To), Reason: "expander " + u.Expander + ": " + u.Reason})
		w.fleet.SetDesired(ng.Group, u.To, "cluster-autoscaler scale-up")
	}
	if d.Unhelped > 0 {
		s.sum.UnhelpedScans++
	}
	for _, r := range d.Removals {
		w.caRemove(r)
	}
	if next := w.now() + des.At(s.cfg.Config.ScanInterval); w.env.Duration == 0 || next < des.At(w.env.Duration) {
		w.eng.At(next, s.kScan, 0)
	}
}

// caRemove deletes a node as the AWS cloud provider does:
// TerminateInstanceInAutoScalingGroup with ShouldDecrementDesiredCapacity;
// the managed node group's lifecycle hook then drains it (cordon, evictions
// honouring PodDisruptionBudgets) before the instance terminates.
func (w *World) caRemove(r clusterautoscaler.Removal) {
	s := w.ca
	i := r.Node
	n := &w.nodes[i]
	ng := &w.cfg.NodeGroups[n.group]
	st := w.fleet.Group(ng.Group)
	if !w.fleet.TerminateInstanceInGroup(i, "cluster-autoscaler scale-down") {
		s.a.ScaleDownFailed(w.now())
		s.sum.ScaleDownFails++
		w.nodeEvent(i, EventCAScaleDownFailed, "TerminateInstanceInAutoScalingGroup refused: desired capacity would fall below the group's minimum")
		return
	}
	s.deleting[i] = caDeletion{since: w.now(), drain: !r.Empty}
	s.sum.NodesRemoved++
	if r.Empty {
		s.sum.EmptyRemoved++
	}
	w.log.Add(schema.Event{At: w.now(), Type: EventCAScaleDown, Subject: n.name, Group: ng.Name,
		Status: strconv.Itoa(st.Desired) + "->" + strconv.Itoa(st.Desired-1), Reason: r.Reason,
		Instance: w.fleet.Instance(i).ID})
}

// caCheckDeletions forgets the nodes gone and reports the drains still
// running past max-pod-eviction-time (plus the grace period CA allows,
// max-graceful-termination-sec) as a failed scale-down: scale-down then
// waits scale-down-delay-after-failure. The instance is already leaving
// its group, so the drain goes on (choice: upstream untaints the node and
// keeps it; here the Auto Scaling group has already been decremented).
func (w *World) caCheckDeletions() {
	s := w.ca
	for _, i := range slices.Sorted(maps.Keys(s.deleting)) {
		del := s.deleting[i]
		if int(i) >= len(w.nodes) || !w.nodes[i].present {
			delete(s.deleting, i)
			continue
		}
		limit := des.At(s.cfg.Config.MaxPodEvictionTime)
		if !del.late && del.drain && w.now()-del.since > limit {
			del.late = true
			s.deleting[i] = del
			s.a.ScaleDownFailed(w.now())
			s.sum.ScaleDownFails++
			w.nodeEvent(i, EventCAScaleDownFailed, "evictions still refused after max-pod-eviction-time "+s.cfg.Config.MaxPodEvictionTime.String())
		}
	}
}

// caGiveUp removes the instances of a scale-up whose nodes never
// registered (the upcoming nodes past max-node-provision-time), the newest
// first, decrementing the group's desired capacity each.
func (w *World) caGiveUp(gu clusterautoscaler.GiveUp) {
	s := w.ca
	g := &s.groups[gu.Group]
	ng := &w.cfg.NodeGroups[g.ng]
	s.sum.ScaleUpsGiven++
	w.log.Add(schema.Event{At: w.now(), Type: EventCAScaleUpTimedOut, Subject: ng.Name, Group: ng.Name,
		Status: strconv.Itoa(gu.From) + "->" + strconv.Itoa(gu.To),
		Reason: fmt.Sprintf("%d nodes not registered within max-node-provision-time %s; node group backed off %s",
			gu.From-gu.To, s.cfg.Config.MaxNodeProvisionTime, gu.Backoff)})
	left := gu.From - gu.To
	insts := slices.Clone(w.fleet.GroupInstances(ng.Group))
	for k := len(insts) - 1; k >= 0 && left > 0; k-- {
		i := insts[k]
		if lc := w.fleet.Lifecycle(i); lc != capacity.Pending && lc != capacity.InService {
			continue
		}
		if int(i) < len(w.nodes) && w.nodes[i].present {
			continue
		}
		if w.fleet.TerminateInstanceInGroup(i, "cluster-autoscaler: node not registered in max-node-provision-time") {
			left--
		}
	}
	if left > 0 { // launches that never started (a zone down): lower the target
		st := w.fleet.Group(ng.Group)
		w.fleet.SetDesired(ng.Group, st.Desired-left, "cluster-autoscaler: scale-up timed out")
	}
}

// caSnapshot is the cluster as the autoscaler sees it now.
func (w *World) caSnapshot() *clusterautoscaler.Snapshot {
	s := w.ca
	snap := &clusterautoscaler.Snapshot{Now: w.now()}
	registered := make([]int, len(s.groups))
	s.nodeIdx, s.nodePods = s.nodeIdx[:0], s.nodePods[:0]
	clear(s.aff)
	for _, i := range w.sortedNodes() {
		n := &w.nodes[i]
		g := s.ofNG[n.group]
		_, del := s.deleting[i]
		lc := w.fleet.Lifecycle(i)
		if g >= 0 && lc == capacity.InService && !del {
			registered[g]++
		}
		node := clusterautoscaler.Node{ID: i, Group: g, Deleting: del || lc == capacity.Terminating,
			Drain: del && s.deleting[i].drain, ScaleDownDisabled: n.draining || n.cordoned || n.pendingUp}
		alloc := w.cluster.NodeInfo(n.id).Allocatable()
		node.Allocatable = clusterautoscaler.Resources{MilliCPU: alloc.MilliCPU, MemoryBytes: alloc.MemoryBytes,
			Pods: int64(n.res.Allocatable.Pods)}
		var podIdx []int32
		for _, pi := range n.pods {
			p := &w.pods[pi]
			if p.gone || p.terminal || p.deleting {
				continue
			}
			node.Pods = append(node.Pods, w.caPod(pi))
			podIdx = append(podIdx, pi)
		}
		snap.Nodes = append(snap.Nodes, node)
		s.nodeIdx = append(s.nodeIdx, i)
		s.nodePods = append(s.nodePods, podIdx)
	}
	for g := range s.groups {
		cg := &s.groups[g]
		ng := &w.cfg.NodeGroups[cg.ng]
		snap.Groups = append(snap.Groups, clusterautoscaler.Group{Name: ng.Name, Min: cg.min, Max: cg.max,
			Target: w.fleet.Group(ng.Group).Desired, Registered: registered[g], Template: cg.template, Capacity: cg.capacity,
			PriceUSDPerHour: cg.price, Similar: cg.similar})
	}
	s.pend = s.pend[:0]
	for _, pi := range w.unsched {
		p := &w.pods[pi]
		if !p.active() || p.node >= 0 || p.kind == ownDaemonSet || p.info == nil {
			continue
		}
		s.pend = append(s.pend, pi)
		snap.Pending = append(snap.Pending, w.caPod(pi))
	}
	for b := range w.cfg.Budgets {
		snap.Budgets = append(snap.Budgets, w.budget(b).allowed)
	}
	snap.FitsGroup = func(p, g int) bool { return w.caFitsGroup(s.pend[p], g) }
	snap.FitsNode = func(from, p, to int) bool {
		pi := int32(0)
		if from < 0 {
			pi = s.pend[p]
		} else {
			pi = s.nodePods[from][p]
		}
		return w.caFitsNode(pi, s.nodeIdx[to])
	}
	return snap
}

// caPod is a pod as the autoscaler sees it.
func (w *World) caPod(pi int32) clusterautoscaler.Pod {
	p := &w.pods[pi]
	req := p.info.Requests()
	cp := clusterautoscaler.Pod{Requests: clusterautoscaler.Resources{MilliCPU: req.MilliCPU, MemoryBytes: req.MemoryBytes, Pods: 1},
		Priority: p.priority, Created: p.created, DaemonSet: p.kind == ownDaemonSet, Controller: p.kind != ownBare,
		KubeSystem: p.ns == "kube-system"}
	if f := w.ca.facts[p.workload]; f != nil {
		cp.SafeToEvict, cp.LocalStorage = f.SafeToEvict, f.LocalStorage
	}
	for b := range w.cfg.Budgets {
		if bc := &w.cfg.Budgets[b]; bc.Namespace == p.ns && selects(&bc.Selector, p.labels) {
			cp.Budgets = append(cp.Budgets, b)
		}
	}
	return cp
}

// caFitsGroup runs NodeAffinity (node selector, required node affinity)
// and TaintToleration for pod pi on group g's template node, once per pod
// template.
func (w *World) caFitsGroup(pi int32, g int) bool {
	s := w.ca
	p := &w.pods[pi]
	m := s.memo[p.tmpl]
	if m == nil {
		m = make([]int8, len(s.groups))
		s.memo[p.tmpl] = m
	}
	if m[g] == 0 {
		kp := p.tmpl.Pod
		kp.Name, kp.Namespace, kp.Labels = p.name, p.ns, p.labels
		m[g] = 2
		if info, err := s.shadow.NewPodInfo(kp); err == nil {
			ni := s.shadow.NodeInfo(s.groups[g].tmpl)
			if (&kube.NodeAffinity{}).Filter(info, ni).IsSuccess() && (kube.TaintToleration{}).Filter(info, ni).IsSuccess() {
				m[g] = 1
			}
		}
	}
	return m[g] == 1
}

// caFitsNode runs the same filters for pod pi on node i, which must be
// schedulable (not cordoned, not being removed).
func (w *World) caFitsNode(pi, i int32) bool {
	n := &w.nodes[i]
	if n.cordoned || n.draining || !n.present {
		return false
	}
	p := &w.pods[pi]
	aff := w.ca.aff[pi]
	if aff == nil {
		aff = &kube.NodeAffinity{}
		w.ca.aff[pi] = aff
	}
	ni := w.cluster.NodeInfo(n.id)
	return aff.Filter(p.info, ni).IsSuccess() && (kube.TaintToleration{}).Filter(p.info, ni).IsSuccess()
}

// caSummary is the autoscaler's summary, nil without one.
func (w *World) caSummary() *CASummary {
	if w.ca == nil {
		return nil
	}
	s := w.ca.sum
	return &s
}

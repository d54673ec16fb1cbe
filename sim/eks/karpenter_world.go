package eks

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/autoscale/karpenter"
	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Event types of Karpenter (events.csv): Subject is the NodePool (launch,
// unschedulable) or the node (disruption), Group the NodePool's node group,
// Instance the EC2 instance, Reason what and why.
const (
	EventKarpenterLaunch        schema.EventType = "KarpenterLaunch"        // a NodeClaim launched: type, capacity type, zone, price, pods, flexible list
	EventKarpenterUnschedulable schema.EventType = "KarpenterUnschedulable" // a batch's pods no NodePool can take
	EventKarpenterDisrupt       schema.EventType = "KarpenterDisrupt"       // a node disrupted: Empty, Underutilized (delete or replace) or Expired
	EventKarpenterReplace       schema.EventType = "KarpenterReplace"       // the replacement of a consolidation launched
)

// Karpenter node labels beside the well-known ones (karpenter.sh/docs/
// reference/instance-types/ lists the karpenter.k8s.aws labels).
const (
	LabelKarpenterNodePool     = karpenter.LabelNodePool
	LabelKarpenterCapacityType = karpenter.LabelCapacityType
	LabelKarpenterFamily       = karpenter.LabelFamily
	LabelKarpenterSize         = karpenter.LabelSize
)

// kpState is Karpenter's side of the world.
type kpState struct {
	types  []karpenter.InstanceType
	cat    []catalog.InstanceType // by the same index
	byName map[string]int
	pools  []karpenter.NodePool
	poolOf []int // node group -> NodePool, -1
	batch  *karpenter.Batcher
	kBatch des.Kind
	kPoll  des.Kind
	tmr    des.Timer
	// nominated: pod -> the in-flight instance it waits for; claims the
	// reverse. A nominated pod is not batched again.
	nominated map[int32]int32
	claims    map[int32][]int32
	// replacing: replacement instance -> the nodes it replaces, drained
	// once it is Ready.
	replacing map[int32][]int32
	shadow    *kube.Cluster
	tmpl      []kube.NodeID // per NodePool: its template node
	// noDisrupt, by recorder workload: its pods carry karpenter.sh/do-not-
	// disrupt.
	noDisrupt []bool
}

// startKarpenter starts Karpenter when the cluster has NodePools.
func (w *World) startKarpenter() {
	if len(w.cfg.NodePools) == 0 {
		return
	}
	s := &kpState{byName: map[string]int{}, nominated: map[int32]int32{}, claims: map[int32][]int32{},
		replacing: map[int32][]int32{}, shadow: kube.NewCluster(), poolOf: make([]int, len(w.cfg.NodeGroups))}
	for i := range s.poolOf {
		s.poolOf[i] = -1
	}
	st := w.cfg.Karpenter
	s.batch = karpenter.NewBatcher(st.BatchIdleDuration, st.BatchMaxDuration)
	for pi := range w.cfg.NodePools {
		np := &w.cfg.NodePools[pi]
		s.poolOf[np.NodeGroup] = pi
		for _, t := range w.fleet.GroupConfig(w.cfg.NodeGroups[np.NodeGroup].Group).InstanceTypes {
			if _, ok := s.byName[t.Name]; !ok {
				s.byName[t.Name] = -1
				s.cat = append(s.cat, t)
			}
		}
		pool := np.Pool
		pool.Overhead = w.kpOverhead(np)
		s.pools = append(s.pools, pool)
		labels := map[string]string{LabelKarpenterNodePool: pool.Name, LabelOS: "linux"}
		maps.Copy(labels, np.Labels)
		id, err := s.shadow.AddNode(kube.Node{Name: "template-" + pool.Name, Labels: labels, Taints: np.Taints})
		if err != nil {
			w.eng.Fail(fmt.Errorf("eks: karpenter: NodePool %q: %w", pool.Name, err))
			return
		}
		s.tmpl = append(s.tmpl, id)
	}
	slices.SortFunc(s.cat, func(a, b catalog.InstanceType) int { return cmp.Compare(a.Name, b.Name) })
	for i, t := range s.cat {
		s.byName[t.Name] = i
	}
	s.types = KarpenterTypes(s.cat, w.cfg.Zones, st.SpotDiscount, st.SpotPoolDepth)
	s.noDisrupt = make([]bool, len(w.rec.workloads))
	for _, f := range st.DoNotDisrupt {
		for k, wr := range w.rec.workloads {
			if wr.kind == f.Kind && wr.name == f.Name && wr.ns == f.Namespace {
				s.noDisrupt[k] = true
			}
		}
	}
	s.kBatch = w.eng.Register(func(des.Time, int32) { w.kpBatchEnd() })
	s.kPoll = w.eng.Register(func(des.Time, int32) { w.kpPoll() })
	w.kp = s
	w.eng.At(w.now()+des.At(karpenter.PollingPeriod), s.kPoll, 0)
}

// kpOverhead is the DaemonSet pods' requests on a node of the pool
// (choice: every DaemonSet counts, its selectors and tolerations not
// matched against the pool's template).
func (w *World) kpOverhead(_ *NodePool) karpenter.Resources {
	var r karpenter.Resources
	for d := range w.cfg.DaemonSets {
		dc := &w.cfg.DaemonSets[d]
		for _, c := range dc.Template.Pod.Containers {
			r.MilliCPU += c.Requests.MilliCPU
			r.MemoryBytes += c.Requests.MemoryBytes
		}
		r.Pods++
	}
	return r
}

// kpPending is a pod found unschedulable: it opens or extends the batch.
func (w *World) kpPending(pi int32) {
	s := w.kp
	if s == nil || w.pods[pi].kind == ownDaemonSet {
		return
	}
	if _, ok := s.nominated[pi]; ok {
		return
	}
	end := s.batch.Pod(w.now().Duration())
	w.eng.Cancel(s.tmr)
	s.tmr = w.eng.At(des.At(end), s.kBatch, 0)
}

// kpEachPending calls fn with each pod Karpenter provisions for, in the
// unschedulable set's order: active, unbound, not a DaemonSet's, compiled,
// and not already nominated to a NodeClaim.
func (w *World) kpEachPending(fn func(pi int32, p *pod)) {
	for _, pi := range w.unsched {
		p := &w.pods[pi]
		if !p.active() || p.node >= 0 || p.kind == ownDaemonSet || p.info == nil {
			continue
		}
		if _, ok := w.kp.nominated[pi]; ok {
			continue
		}
		fn(pi, p)
	}
}

// kpBatchEnd solves the batch: the pending pods not waiting for a
// NodeClaim, by template, onto new NodeClaims.
func (w *World) kpBatchEnd() {
	s := w.kp
	if !s.batch.Due(w.now().Duration()) {
		return
	}
	var tmpls []*PodTemplate
	byT := map[*PodTemplate]int{}
	var podsOf [][]int32
	w.kpEachPending(func(pi int32, p *pod) {
		k, ok := byT[p.tmpl]
		if !ok {
			k = len(tmpls)
			byT[p.tmpl] = k
			tmpls = append(tmpls, p.tmpl)
			podsOf = append(podsOf, nil)
		}
		podsOf[k] = append(podsOf[k], pi)
	})
	if len(tmpls) == 0 {
		return
	}
	prob := &karpenter.Problem{Pools: s.pools, Types: s.types, InUse: w.kpInUse()}
	for k, t := range tmpls {
		sh := w.kpShape(podsOf[k][0], t)
		sh.Count = len(podsOf[k])
		prob.Shapes = append(prob.Shapes, sh)
	}
	plan := karpenter.Provision(prob)
	next := make([]int, len(tmpls))
	for _, l := range plan.Launches {
		i := w.kpLaunch(&l, "provisioning")
		if i < 0 {
			continue
		}
		for _, sc := range l.Pods {
			for _, pi := range podsOf[sc.Shape][next[sc.Shape] : next[sc.Shape]+sc.Count] {
				s.nominated[pi] = i
				s.claims[i] = append(s.claims[i], pi)
			}
			next[sc.Shape] += sc.Count
		}
	}
	for _, u := range plan.Unschedulable {
		w.log.Add(schema.Event{At: w.now(), Type: EventKarpenterUnschedulable, Subject: w.pods[podsOf[u.Shape][0]].name,
			Reason: strconv.Itoa(u.Count) + " pods: no NodePool's requirements, taints, limits and instance types take them"})
	}
}

// kpShape is pod pi's shape: its requests and priority, the NodePools
// whose template's taints it tolerates and whose labels match its node
// selector, and its node selector on well-known labels as requirements
// (choice: required node affinity is not translated).
func (w *World) kpShape(pi int32, t *PodTemplate) karpenter.Shape {
	s := w.kp
	p := &w.pods[pi]
	req := p.info.Requests()
	sh := karpenter.Shape{Requests: karpenter.Resources{MilliCPU: req.MilliCPU, MemoryBytes: req.MemoryBytes, Pods: 1},
		Priority: p.priority, Pools: make([]bool, len(s.pools))}
	for _, k := range slices.Sorted(maps.Keys(t.Pod.NodeSelector)) {
		if kpWellKnown(k) {
			sh.Requirements = append(sh.Requirements, karpenter.Requirement{Key: k, Operator: karpenter.In, Values: []string{t.Pod.NodeSelector[k]}})
		}
	}
	for pl := range s.pools {
		ni := s.shadow.NodeInfo(s.tmpl[pl])
		ok := (kube.TaintToleration{}).Filter(p.info, ni).IsSuccess()
		for k, v := range t.Pod.NodeSelector {
			if !kpWellKnown(k) && w.cfg.NodePools[pl].Labels[k] != v && !(k == LabelKarpenterNodePool && v == s.pools[pl].Name) {
				ok = false
			}
		}
		sh.Pools[pl] = ok
	}
	return sh
}

func kpWellKnown(k string) bool {
	switch k {
	case karpenter.LabelCapacityType, karpenter.LabelInstanceType, karpenter.LabelFamily, karpenter.LabelSize,
		karpenter.LabelCPU, karpenter.LabelMemory, karpenter.LabelArch, karpenter.LabelZone:
		return true
	}
	return false
}

// kpInUse is each NodePool's instances' capacity, pending or in service.
func (w *World) kpInUse() []karpenter.Resources {
	s := w.kp
	out := make([]karpenter.Resources, len(s.pools))
	for pl, np := range w.cfg.NodePools {
		for _, i := range w.fleet.GroupInstances(w.cfg.NodeGroups[np.NodeGroup].Group) {
			if lc := w.fleet.Lifecycle(i); lc == capacity.Pending || lc == capacity.InService {
				t := w.fleet.Instance(i).Type
				out[pl].MilliCPU += int64(t.VCPU) * 1000
				out[pl].MemoryBytes += t.MemoryMiB * MiB
			}
		}
	}
	return out
}

// kpReplacement is why a consolidation's replacement is launched: it is
// logged as KarpenterReplace rather than KarpenterLaunch.
const kpReplacement = "consolidation replacement"

// kpLaunch launches a NodeClaim's instance directly (CreateFleet, type
// instant) and logs it; -1 when the zone is down.
func (w *World) kpLaunch(l *karpenter.Launch, why string) int32 {
	s := w.kp
	np := &w.cfg.NodePools[l.Pool]
	ng := &w.cfg.NodeGroups[np.NodeGroup]
	gc := w.fleet.GroupConfig(ng.Group)
	az := slices.Index(gc.AvailabilityZones, l.Zone)
	purchase := capacity.OnDemand
	if l.Capacity == karpenter.Spot {
		purchase = capacity.Spot
	}
	i := int32(-1)
	if az >= 0 {
		i = w.fleet.LaunchDirect(ng.Group, s.cat[l.Type], az, purchase)
	}
	if i < 0 {
		return -1
	}
	pods := 0
	for _, sc := range l.Pods {
		pods += sc.Count
	}
	typ := EventKarpenterLaunch
	if why == kpReplacement {
		typ = EventKarpenterReplace
	}
	w.log.Add(schema.Event{At: w.now(), Type: typ, Subject: np.Pool.Name, Group: ng.Name,
		Status: l.Capacity.String(), Instance: w.fleet.Instance(i).ID,
		Reason: fmt.Sprintf("%s: %s %s in %s at $%.4f/h for %d pods, %d instance types offered (cheapest %s)",
			why, s.cat[l.Type].Name, l.Capacity, l.Zone, l.PriceUSDPerHour, pods, len(l.Options), s.cat[l.Options[0]].Name)})
	return i
}

// kpLabels adds Karpenter's labels to a node of a NodePool.
func (w *World) kpLabels(n *node, in capacity.Instance) {
	s := w.kp
	if s == nil {
		return
	}
	pl := s.poolOf[n.group]
	ct := "on-demand"
	if in.Purchase == capacity.Spot {
		ct = "spot"
	}
	n.labels[LabelKarpenterNodePool] = s.pools[pl].Name
	n.labels[LabelKarpenterCapacityType] = ct
	n.labels[LabelKarpenterFamily] = in.Type.Family
	n.labels[LabelKarpenterSize] = in.Type.Size
	maps.Copy(n.labels, w.cfg.NodePools[pl].Labels)
	n.taints = append(n.taints, w.cfg.NodePools[pl].Taints...)
}

// kpNodeReady: a NodeClaim's node registered: its nominated pods are
// ordinary pending pods again (the scheduler places them), and the nodes a
// replacement stood in for are drained.
func (w *World) kpNodeReady(i int32) {
	s := w.kp
	if s == nil {
		return
	}
	w.kpForget(i)
	for _, old := range s.replacing[i] {
		w.kpTerminate(old)
	}
	delete(s.replacing, i)
}

// kpForget drops instance i's nominations.
func (w *World) kpForget(i int32) {
	s := w.kp
	if s == nil {
		return
	}
	for _, pi := range s.claims[i] {
		delete(s.nominated, pi)
	}
	delete(s.claims, i)
}

// kpLost: an instance is gone; its nominated pods may be batched again, and
// a replacement that never came leaves the old nodes as they were.
func (w *World) kpLost(i int32) {
	s := w.kp
	if s == nil {
		return
	}
	w.kpForget(i)
	delete(s.replacing, i)
}

// kpPoll is one poll of the disruption controller.
func (w *World) kpPoll() {
	s := w.kp
	w.eng.At(w.now()+des.At(karpenter.PollingPeriod), s.kPoll, 0)
	if len(s.replacing) > 0 {
		return // a replacement in flight: the command is still running
	}
	d := &karpenter.DisruptProblem{Problem: karpenter.Problem{Pools: s.pools, Types: s.types, InUse: w.kpInUse()},
		Now: w.now().Duration()}
	var nodes []int32
	byT := map[*PodTemplate]int{}
	for _, i := range w.sortedNodes() {
		n := &w.nodes[i]
		pl := s.poolOf[n.group]
		if pl < 0 {
			continue
		}
		in := w.fleet.Instance(i)
		kn := karpenter.Node{Pool: pl, Type: s.byName[in.Type.Name], Zone: in.Zone, Created: in.Launched.Duration(),
			LastPodEvent: n.ready.Duration(), Disrupting: n.draining || n.cordoned || in.Lifecycle != capacity.InService,
			Nominated: w.now()-n.ready < des.At(max(2*s.batch.Max, 10*time.Second))}
		kn.Capacity, kn.PriceUSDPerHour = karpenter.OnDemand, in.Type.PriceUSDPerHour
		if in.Purchase == capacity.Spot {
			kn.Capacity, kn.PriceUSDPerHour = karpenter.Spot, in.Type.PriceUSDPerHour*(1-w.cfg.Karpenter.SpotDiscount)
		}
		for _, pi := range n.pods {
			p := &w.pods[pi]
			if p.kind == ownDaemonSet || p.gone || p.terminal {
				continue
			}
			if p.deleting && kn.Disrupting && p.kind != ownBare {
				// Evicted from a node being disrupted: its controller's new
				// pod needs room elsewhere (counted with the node's pods, as
				// Karpenter counts the pods of nodes marked for deletion;
				// choice: until it is gone, with its replacement once that
				// is created, for at most the grace period).
			} else if p.deleting {
				// Terminating: not moved, but its requests are held until it
				// is gone (kube-scheduler counts them too).
				if p.info != nil {
					r := p.info.Requests()
					kn.Held.MilliCPU += r.MilliCPU
					kn.Held.MemoryBytes += r.MemoryBytes
					kn.Held.Pods++
				}
				continue
			}
			kn.LastPodEvent = max(kn.LastPodEvent, p.scheduled.Duration())
			if w.evictionBlockedBy(pi) != -1 {
				kn.Blocked = true
			}
			if int(p.workload) < len(s.noDisrupt) && p.workload >= 0 && s.noDisrupt[p.workload] {
				kn.DoNotDisrupt = true
			}
			k, ok := byT[p.tmpl]
			if !ok {
				k = len(d.Shapes)
				byT[p.tmpl] = k
				d.Shapes = append(d.Shapes, w.kpShape(pi, p.tmpl))
			}
			if m := len(kn.Pods); m > 0 && kn.Pods[m-1].Shape == k {
				kn.Pods[m-1].Count++
			} else {
				kn.Pods = append(kn.Pods, karpenter.ShapeCount{Shape: k, Count: 1})
			}
		}
		d.Nodes = append(d.Nodes, kn)
		nodes = append(nodes, i)
	}
	pend := map[int]int{}
	w.kpEachPending(func(pi int32, p *pod) {
		k, ok := byT[p.tmpl]
		if !ok {
			k = len(d.Shapes)
			byT[p.tmpl] = k
			d.Shapes = append(d.Shapes, w.kpShape(pi, p.tmpl))
		}
		if pend[k] == 0 {
			d.Pending = append(d.Pending, karpenter.ShapeCount{Shape: k})
		}
		pend[k]++
	})
	for i := range d.Pending {
		d.Pending[i].Count = pend[d.Pending[i].Shape]
	}
	dec := karpenter.Disrupt(d)
	for _, k := range dec.Expired {
		w.kpDisrupt(nodes[k], karpenter.ReasonExpired, "expireAfter "+s.pools[d.Nodes[k].Pool].ExpireAfter.String())
		w.kpTerminate(nodes[k])
	}
	c := dec.Command
	if c == nil {
		return
	}
	how := "delete"
	if c.Replacement != nil {
		how = "replace"
	}
	for _, k := range c.Nodes {
		w.kpDisrupt(nodes[k], c.Reason, fmt.Sprintf("%s %d node(s), saving $%.4f/h", how, len(c.Nodes), c.SavingsUSDPerHour))
	}
	if c.Replacement == nil {
		for _, k := range c.Nodes {
			w.kpTerminate(nodes[k])
		}
		return
	}
	r := w.kpLaunch(c.Replacement, kpReplacement)
	if r < 0 {
		return
	}
	for _, k := range c.Nodes {
		s.replacing[r] = append(s.replacing[r], nodes[k])
	}
}

func (w *World) kpDisrupt(i int32, reason karpenter.Reason, why string) {
	w.nodeEvent(i, EventKarpenterDisrupt, string(reason)+": "+why)
}

// kpTerminate taints (cordons) and drains the node, honouring
// PodDisruptionBudgets, then terminates its instance (Karpenter's
// termination controller; the instance goes once drained).
func (w *World) kpTerminate(i int32) {
	if int(i) < len(w.nodes) && w.nodes[i].present {
		w.fleet.TerminateDirect(i, "karpenter disruption")
	}
}

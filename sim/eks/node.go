package eks

import (
	"maps"
	"strconv"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Well-known node labels the world sets (kubernetes.io/docs/reference/
// labels-annotations-taints/; EKS managed node groups add the two
// eks.amazonaws.com labels: docs.aws.amazon.com/eks/latest/userguide/
// managed-node-groups.html).
const (
	LabelHostname     = "kubernetes.io/hostname"
	LabelZone         = "topology.kubernetes.io/zone"
	LabelRegion       = "topology.kubernetes.io/region"
	LabelInstanceType = "node.kubernetes.io/instance-type"
	LabelArch         = "kubernetes.io/arch"
	LabelOS           = "kubernetes.io/os"
	LabelCapacityType = "eks.amazonaws.com/capacityType"
	LabelNodeGroup    = "eks.amazonaws.com/nodegroup"
)

// node is a Kubernetes node over one EC2 instance.
type node struct {
	present   bool // registered and not yet gone
	pendingUp bool // the instance is in service, the kubelet not yet registered
	name      string
	id        kube.NodeID
	group     int // node group
	res       NodeResources
	labels    map[string]string
	taints    []kube.Taint
	ipLimit   int // addresses the VPC CNI can give pods of their own
	ipsUsed   int
	ipWait    []int32 // pods bound, waiting for an address, in bind order
	pods      []int32 // pods bound here, not yet gone
	cordoned  bool
	draining  bool
	removing  bool // InstanceLost is taking it away
	drained   bool // only DaemonSet pods are left
	release   bool // drain for a termination: Fleet.Release when empty
	ready     des.Time
	regTimer  des.Timer
	drainTmr  des.Timer
	expiryTmr des.Timer
}

func (w *World) nodeAt(i int32) *node {
	for int(i) >= len(w.nodes) {
		w.nodes = append(w.nodes, node{id: kube.NoNode})
	}
	return &w.nodes[i]
}

// NodeName is the node name EKS gives instance i: its private DNS name
// (ip-a-b-c-d.REGION.compute.internal), here from a private address made
// of the fleet index, so names are unique and stable.
func NodeName(region string, i int32) string {
	n := int(i) + 10 // skip the subnet's reserved addresses
	dns := "ip-10-" + strconv.Itoa(n>>16&255) + "-" + strconv.Itoa(n>>8&255) + "-" + strconv.Itoa(n&255)
	if region == "us-east-1" {
		return dns + ".ec2.internal" // us-east-1 keeps the old domain
	}
	return dns + "." + region + ".compute.internal"
}

// InstanceRegistered: the instance booted; the kubelet registers the node
// Settings.NodeRegistration later.
func (w *World) InstanceRegistered(i int32) {
	ng := w.nodeGroupOf[w.fleet.GroupOf(i)]
	if ng < 0 {
		return // not a node group of this cluster
	}
	n := w.nodeAt(i)
	n.pendingUp, n.group = true, ng
	n.regTimer = w.eng.At(w.now()+des.At(max(w.cfg.Settings.NodeRegistration, 0)), w.k.nodeReady, i)
}

// onNodeReady registers the node: the well-known labels, the node group's
// labels and taints, and allocatable as the EKS AMI's kubelet computes it.
func (w *World) onNodeReady(_ des.Time, i int32) {
	n := &w.nodes[i]
	if !n.pendingUp || w.fleet.Lifecycle(i) == capacity.Terminated {
		return
	}
	n.pendingUp = false
	in := w.fleet.Instance(i)
	ng := &w.cfg.NodeGroups[n.group]
	n.name = NodeName(w.env.Region, i)
	n.labels = map[string]string{
		LabelHostname:     n.name,
		LabelZone:         in.Zone,
		LabelRegion:       w.env.Region,
		LabelInstanceType: in.Type.Name,
		LabelArch:         archOf(in.Type.Arch),
		LabelOS:           "linux",
	}
	if ng.Kind == Managed {
		ct := "ON_DEMAND"
		if in.Purchase == capacity.Spot {
			ct = "SPOT"
		}
		n.labels[LabelCapacityType] = ct
		n.labels[LabelNodeGroup] = ng.Name
	}
	maps.Copy(n.labels, ng.Labels) // the group's own labels, as given
	n.taints = append([]kube.Taint(nil), ng.Taints...)
	if ng.Kind == Karpenter {
		w.kpLabels(n, in) // karpenter.sh labels and the NodePool's template (karpenter_world.go)
	}
	n.res, n.ipLimit = nodeResources(in, ng)
	id, err := w.cluster.AddNode(kube.Node{Name: n.name, Labels: n.labels, Taints: n.taints,
		Allocatable: kube.Resources{MilliCPU: n.res.Allocatable.MilliCPU, MemoryBytes: n.res.Allocatable.MemoryBytes},
		AllowedPods: int64(n.res.Allocatable.Pods)})
	if err != nil {
		w.eng.Fail(err) // a name clash is fleetsim's bug
		return
	}
	n.id, n.present, n.ready = id, true, w.now()
	w.nodeOf[id] = i
	w.rec.nodesRegistered++
	w.nodeEvent(i, EventNodeReady, "kubelet registered; allocatable "+
		strconv.FormatInt(n.res.Allocatable.MilliCPU, 10)+"m cpu, "+
		strconv.FormatInt(n.res.Allocatable.MemoryBytes/MiB, 10)+"Mi memory, "+
		strconv.Itoa(n.res.Allocatable.Pods)+" pods")
	w.daemonSetsOnNode(i)
	w.kpNodeReady(i)
	w.clusterChanged()
	w.kick()
}

func archOf(a string) string {
	switch a {
	case "arm64":
		return "arm64"
	case "", "x86_64", "amd64":
		return "amd64"
	}
	return a
}

// nodeResources is the node's capacity and allocatable, and how many pods
// with an address of their own the VPC CNI can serve on it.
//
// Max pods: MaxPods (the ENI formula) by default; with prefix delegation
// CalculatorMaxPods with PrefixDelegation (what EKS tells users to set);
// NodeGroup.MaxPods overrides both (the reserve staying that of the AMI's
// figure, WithMaxPods). The CNI's addresses: ENIs × (IPv4 per ENI − 1), ×16
// with prefix delegation on Nitro types; hostNetwork pods take none. The
// kubelet's maxPods counts every pod, the addresses only the others: the +2
// of the formula is room for two hostNetwork pods (aws-node, kube-proxy).
func nodeResources(in capacity.Instance, ng *NodeGroup) (NodeResources, int) {
	t := in.Type
	k := DefaultKubelet(t)
	if ng.PrefixDelegation {
		k = k.WithMaxPods(CalculatorMaxPods(t, CNI{PrefixDelegation: true}))
	}
	if ng.MaxPods > 0 {
		k = k.WithMaxPods(ng.MaxPods)
	}
	k.SystemReserved = ng.SystemReserved
	ips := DefaultCardENIs(t) * (t.IPv4PerENI - 1)
	if ng.PrefixDelegation && Nitro(t) {
		ips *= IPsPerPrefix
	}
	return Allocatable(t, k), ips
}

// InstanceTerminating: a node of a managed node group is cordoned and
// drained (EKS's lifecycle hook evicts its pods, honouring budgets), then
// released; a self-managed node's instance goes at once (no drain without a
// termination handler the scenario does not run).
func (w *World) InstanceTerminating(i int32, cause string) bool {
	if int(i) >= len(w.nodes) || !w.nodes[i].present {
		return false
	}
	n := &w.nodes[i]
	if k := w.cfg.NodeGroups[n.group].Kind; k != Managed && k != Karpenter {
		return false
	}
	w.startDrain(i, true, "Auto Scaling: "+cause)
	return true
}

// InstanceInterrupted: the Spot notice. A managed node group drains the node
// (EKS managed node groups enable Capacity Rebalancing and drain Spot nodes
// on the rebalance signal; fleetsim has one signal, the notice); a
// self-managed one keeps running until the reclaim.
func (w *World) InstanceInterrupted(i int32) {
	if int(i) >= len(w.nodes) || !w.nodes[i].present {
		return
	}
	n := &w.nodes[i]
	w.nodeEvent(i, EventNodeSpotNotice, "EC2 Spot interruption notice")
	if k := w.cfg.NodeGroups[n.group].Kind; (k == Managed || k == Karpenter) && !n.draining {
		w.startDrain(i, false, "Spot interruption notice")
	}
}

// InstanceLost: the instance is gone; its pods fail with the node (the pod
// garbage collector deletes pods bound to a node that no longer exists) and
// their controllers replace them.
func (w *World) InstanceLost(i int32, why capacity.EndReason, message string) {
	w.kpLost(i) // its NodeClaim's nominations (karpenter_world.go)
	if int(i) >= len(w.nodes) {
		return
	}
	n := &w.nodes[i]
	w.eng.Cancel(n.regTimer)
	w.eng.Cancel(n.drainTmr)
	w.eng.Cancel(n.expiryTmr)
	n.pendingUp = false
	if !n.present {
		return
	}
	reason := "NodeLost"
	if why == capacity.EndReclaimed {
		reason = "SpotReclaimed"
	}
	if message == "" {
		message = "node " + n.name + " was removed"
	}
	n.removing = true
	for _, pi := range append([]int32(nil), n.pods...) {
		w.podLost(pi, reason, message)
	}
	w.cluster.RemoveNode(n.id)
	delete(w.nodeOf, n.id)
	n.present = false
	w.rec.nodesRemoved++
	w.nodeEvent(i, EventNodeRemoved, why.String())
	w.clusterChanged()
}

// ScaleInProtected reads the instance's own flag.
func (w *World) ScaleInProtected(i int32) bool { return w.fleet.ProtectedFromScaleIn(i) }

// nodeEvent logs a node event: subject the node name, group its node group,
// instance its EC2 instance ID.
func (w *World) nodeEvent(i int32, typ schema.EventType, reason string) {
	n := &w.nodes[i]
	status := "Ready"
	switch {
	case !n.present:
		status = "Removed"
	case n.cordoned:
		status = "Ready,SchedulingDisabled"
	}
	w.log.Add(schema.Event{At: w.now(), Type: typ, Subject: n.name, Group: w.cfg.NodeGroups[n.group].Name,
		Status: status, Reason: reason, Instance: w.fleet.Instance(i).ID})
}

// cordon sets spec.unschedulable.
func (w *World) cordon(i int32) {
	n := &w.nodes[i]
	if n.cordoned {
		return
	}
	n.cordoned = true
	w.cluster.SetUnschedulable(n.id, true)
}

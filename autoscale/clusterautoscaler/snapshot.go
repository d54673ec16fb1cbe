package clusterautoscaler

import "github.com/fleetsim/fleetsim/sim/des"

// Resources are the three resources the Cluster Autoscaler packs: CPU in
// millicores, memory in bytes and pod slots.
type Resources struct {
	MilliCPU, MemoryBytes, Pods int64
}

func (r Resources) add(o Resources) Resources {
	return Resources{r.MilliCPU + o.MilliCPU, r.MemoryBytes + o.MemoryBytes, r.Pods + o.Pods}
}

func (r Resources) sub(o Resources) Resources {
	return Resources{r.MilliCPU - o.MilliCPU, r.MemoryBytes - o.MemoryBytes, r.Pods - o.Pods}
}

// fits reports whether req fits in the free resources r.
func (r Resources) fits(req Resources) bool {
	return req.MilliCPU <= r.MilliCPU && req.MemoryBytes <= r.MemoryBytes && req.Pods <= r.Pods
}

// Snapshot is the cluster as the Cluster Autoscaler sees it at one scan.
// Indexes into Groups, Nodes, Pending and Budgets are the identities the
// Decision refers to.
type Snapshot struct {
	Now    des.Time
	Groups []Group
	// Nodes are the registered nodes of the managed groups and of the
	// others (Group -1): all are destinations for moved pods, only the
	// managed groups' are removed.
	Nodes []Node
	// Pending are the pods the scheduler marked unschedulable.
	Pending []Pod
	// Budgets are the PodDisruptionBudgets' disruptionsAllowed now.
	Budgets []int
	// FitsGroup answers whether pending pod p passes the scheduler's
	// non-resource filters on a new node of group g (its template).
	FitsGroup func(p, g int) bool
	// FitsNode answers whether pod p of node from passes them on node to
	// (from is -1 for a pending pod).
	FitsNode func(from, p, to int) bool
}

// Group is a node group the Cluster Autoscaler manages.
type Group struct {
	Name     string
	Min, Max int
	// Target is the Auto Scaling group's desired capacity; Registered the
	// nodes of it registered with the cluster (not being deleted). The
	// difference is upcoming.
	Target, Registered int
	// Template is a new node's allocatable less what the DaemonSets that
	// would run there request; Capacity its capacity (least-waste).
	Template, Capacity Resources
	// PriceUSDPerHour is a new node's price (the price expander).
	PriceUSDPerHour float64
	// Similar is what balance-similar-node-groups compares: groups with
	// equal keys are similar (the same instance type, capacity and labels
	// but the zone's).
	Similar string
}

// Node is a registered node.
type Node struct {
	ID          int32 // the caller's name for it, carried into the Decision
	Group       int   // index into Snapshot.Groups, -1 for a group CA does not manage
	Allocatable Resources
	// Pods are the pods bound to it.
	Pods []Pod
	// Deleting: the Cluster Autoscaler is removing it (Drain: with pods to
	// evict); ScaleDownDisabled: the
	// cluster-autoscaler.kubernetes.io/scale-down-disabled annotation.
	Deleting, Drain, ScaleDownDisabled bool
}

// Pod is a pod as the drain rules and the packing see it.
type Pod struct {
	Requests Resources // Pods is 1
	Priority int32
	Created  des.Time
	// DaemonSet and Mirror pods run on every node and are not moved.
	DaemonSet, Mirror bool
	// Controller: owned by a Deployment, ReplicaSet, Job, StatefulSet...
	Controller bool
	// KubeSystem: in the kube-system namespace.
	KubeSystem bool
	// LocalStorage: an emptyDir (not Memory) or hostPath volume.
	LocalStorage bool
	// SafeToEvict is the cluster-autoscaler.kubernetes.io/safe-to-evict
	// annotation: "true", "false" or "".
	SafeToEvict string
	// Budgets are the indexes of the PodDisruptionBudgets selecting it.
	Budgets []int
}

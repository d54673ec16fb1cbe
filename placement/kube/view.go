package kube

// Well-known node labels (k8s.io/api core/v1 well_known_labels.go).
const (
	LabelHostname       = "kubernetes.io/hostname"
	LabelTopologyZone   = "topology.kubernetes.io/zone"
	LabelTopologyRegion = "topology.kubernetes.io/region"
	// The deprecated beta zone labels, still read first by the node order
	// (component-helpers node/topology GetZoneKey).
	LabelFailureDomainBetaZone   = "failure-domain.beta.kubernetes.io/zone"
	LabelFailureDomainBetaRegion = "failure-domain.beta.kubernetes.io/region"
	// TaintNodeUnschedulable is the taint a cordoned node is treated as having.
	TaintNodeUnschedulable = "node.kubernetes.io/unschedulable"
)

// Resources is an amount of the resources the default profile checks: CPU in
// millicores, memory and ephemeral storage in bytes.
type Resources struct {
	MilliCPU       int64
	MemoryBytes    int64
	EphemeralBytes int64
}

func (r Resources) add(o Resources) Resources {
	return Resources{r.MilliCPU + o.MilliCPU, r.MemoryBytes + o.MemoryBytes, r.EphemeralBytes + o.EphemeralBytes}
}

func (r Resources) sub(o Resources) Resources {
	return Resources{r.MilliCPU - o.MilliCPU, r.MemoryBytes - o.MemoryBytes, r.EphemeralBytes - o.EphemeralBytes}
}

func (r Resources) max(o Resources) Resources {
	return Resources{max(r.MilliCPU, o.MilliCPU), max(r.MemoryBytes, o.MemoryBytes), max(r.EphemeralBytes, o.EphemeralBytes)}
}

// TaintEffect is a taint's effect; on a Toleration, AnyEffect (the empty
// effect) tolerates every effect.
type TaintEffect uint8

// The taint effects of core/v1.
const (
	AnyEffect TaintEffect = iota
	NoSchedule
	PreferNoSchedule
	NoExecute
)

// String gives the API spelling.
func (e TaintEffect) String() string {
	switch e {
	case NoSchedule:
		return "NoSchedule"
	case PreferNoSchedule:
		return "PreferNoSchedule"
	case NoExecute:
		return "NoExecute"
	}
	return ""
}

// Taint is a node taint.
type Taint struct {
	Key, Value string
	Effect     TaintEffect // NoSchedule, PreferNoSchedule or NoExecute
}

// TolerationOperator is Equal (the zero value, as the API's empty operator)
// or Exists.
type TolerationOperator uint8

// The toleration operators the default profile honours. Lt and Gt are behind
// the alpha TaintTolerationComparisonOperators gate, off in v1.37, where they
// tolerate nothing; they are not modelled.
const (
	TolerationEqual TolerationOperator = iota
	TolerationExists
)

// Toleration is a pod toleration. An empty Key with Exists tolerates every
// taint (of Effect, or of every effect with AnyEffect).
type Toleration struct {
	Key      string
	Operator TolerationOperator
	Value    string
	Effect   TaintEffect
}

// Image is one image a node's status lists: its names and size.
type Image struct {
	Names     []string // "registry/repo:tag"; compared as given
	SizeBytes int64
}

// Node is what the orchestrator tells the Cluster about one node: the parts of
// v1.Node the default profile reads. What changes as pods come and go
// (requested resources, pod count, used host ports, the pods and their labels)
// is kept by Cluster.Bind and Unbind, not passed in.
type Node struct {
	Name          string
	Labels        map[string]string
	Taints        []Taint
	Unschedulable bool      // spec.unschedulable (cordoned)
	Allocatable   Resources // status.allocatable
	AllowedPods   int64     // status.allocatable.pods
	Images        []Image   // status.images
}

// Protocol is a port protocol; the empty string means TCP.
type Protocol string

// The protocols of core/v1.
const (
	TCP  Protocol = "TCP"
	UDP  Protocol = "UDP"
	SCTP Protocol = "SCTP"
)

// HostPort is a container port with a hostPort: Port is the hostPort (0 or
// less: none), HostIP "" means 0.0.0.0 (every address).
type HostPort struct {
	Port     int32
	Protocol Protocol
	HostIP   string
}

// Container is one container's requests, image and host ports. A request of
// 0 is a missing request unless ZeroCPU/ZeroMemory says the manifest gave an
// explicit 0: both count 0 towards the Fit filter, but scoring takes a missing
// CPU or memory request as 100m / 200 MiB (kube-scheduler's non-zero
// defaults, pkg/scheduler/util/pod_resources.go).
type Container struct {
	Name       string
	Image      string
	Requests   Resources
	ZeroCPU    bool // requests.cpu given as 0
	ZeroMemory bool // requests.memory given as 0
	HostPorts  []HostPort
	// Sidecar marks an init container with restartPolicy: Always: it runs for
	// the pod's life, its requests add to the app containers' and its host
	// ports count.
	Sidecar bool
}

// SelectorOperator is a label or node selector requirement's operator. Gt and
// Lt are for node selectors only.
type SelectorOperator uint8

// The operators of core/v1 NodeSelectorOperator and metav1
// LabelSelectorOperator.
const (
	OpIn SelectorOperator = iota + 1
	OpNotIn
	OpExists
	OpDoesNotExist
	OpGt
	OpLt
)

// String gives the API spelling.
func (o SelectorOperator) String() string {
	switch o {
	case OpIn:
		return "In"
	case OpNotIn:
		return "NotIn"
	case OpExists:
		return "Exists"
	case OpDoesNotExist:
		return "DoesNotExist"
	case OpGt:
		return "Gt"
	case OpLt:
		return "Lt"
	}
	return "unknown"
}

// Requirement is one matchExpressions item.
type Requirement struct {
	Key      string
	Operator SelectorOperator
	Values   []string
}

// LabelSelector is metav1.LabelSelector: MatchLabels and MatchExpressions
// ANDed. A nil *LabelSelector selects nothing; an empty one selects
// everything.
type LabelSelector struct {
	MatchLabels      map[string]string
	MatchExpressions []Requirement
}

// NodeSelectorTerm is a node selector term: its expressions ANDed. A term
// without expressions matches no node.
type NodeSelectorTerm struct {
	MatchExpressions []Requirement
}

// PreferredSchedulingTerm is a weighted node affinity preference (weight
// 1-100).
type PreferredSchedulingTerm struct {
	Weight     int32
	Preference NodeSelectorTerm
}

// NodeAffinityRules is a pod's node affinity. Required terms are ORed; no
// terms means no requirement.
type NodeAffinityRules struct {
	Required  []NodeSelectorTerm
	Preferred []PreferredSchedulingTerm
}

// PodAffinityTerm selects pods (in Namespaces, or the pod's own namespace
// when empty) whose node shares the value of TopologyKey.
type PodAffinityTerm struct {
	LabelSelector *LabelSelector
	Namespaces    []string
	TopologyKey   string
}

// WeightedPodAffinityTerm is a preferred pod (anti-)affinity term (weight
// 1-100).
type WeightedPodAffinityTerm struct {
	Weight int32
	Term   PodAffinityTerm
}

// PodAffinityRules holds required and preferred terms; the same type serves
// podAffinity and podAntiAffinity.
type PodAffinityRules struct {
	Required  []PodAffinityTerm
	Preferred []WeightedPodAffinityTerm
}

// UnsatisfiableAction is a spread constraint's whenUnsatisfiable.
type UnsatisfiableAction uint8

// The actions of core/v1.
const (
	DoNotSchedule UnsatisfiableAction = iota + 1
	ScheduleAnyway
)

// InclusionPolicy is nodeAffinityPolicy / nodeTaintsPolicy; the zero value is
// the API default (Honor for node affinity, Ignore for taints).
type InclusionPolicy uint8

// The policies of core/v1 NodeInclusionPolicy.
const (
	PolicyDefault InclusionPolicy = iota
	PolicyHonor
	PolicyIgnore
)

// TopologySpreadConstraint is a pod's topology spread constraint. MinDomains
// 0 means 1 (the API's nil).
type TopologySpreadConstraint struct {
	MaxSkew            int32
	TopologyKey        string
	WhenUnsatisfiable  UnsatisfiableAction
	LabelSelector      *LabelSelector
	MinDomains         int32
	NodeAffinityPolicy InclusionPolicy
	NodeTaintsPolicy   InclusionPolicy
}

// Pod is what the orchestrator tells the scheduler about one pod: the parts
// of v1.Pod the default profile reads.
type Pod struct {
	Name, Namespace string
	Labels          map[string]string
	InitContainers  []Container
	Containers      []Container
	Overhead        Resources // spec.overhead (RuntimeClass), added to the requests
	NodeName        string    // spec.nodeName: only that node is considered
	NodeSelector    map[string]string
	NodeAffinity    *NodeAffinityRules
	Tolerations     []Toleration
	// TopologySpreadConstraints are the pod's own; when there are none the
	// cluster-default constraints apply (PodTopologySpread).
	TopologySpreadConstraints []TopologySpreadConstraint
	// DefaultSpreadSelector is the selector kube-scheduler deduces for the
	// cluster-default constraints from the Services, ReplicationControllers,
	// ReplicaSets and StatefulSets selecting the pod (plugins/helper
	// DefaultSelector): the orchestrator knows its controllers and passes it.
	// Nil or empty: no default spreading.
	DefaultSpreadSelector *LabelSelector
	PodAffinity           *PodAffinityRules
	PodAntiAffinity       *PodAffinityRules
	// Priority orders the queue (PrioritySort) and will drive preemption; no
	// Filter or Score plugin reads it.
	Priority int32
}

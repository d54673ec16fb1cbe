// Package karpenter models Karpenter (kubernetes-sigs/karpenter v1 APIs with
// aws/karpenter-provider-aws) as pure decision functions: Provision plans
// new NodeClaims for a batch of pending pods, Disrupt chooses the nodes to
// expire, delete or replace. The EKS world (sim/eks) batches the pods,
// precomputes what only it knows (the kube-scheduler filters, tolerations of
// each NodePool's taints, the allocatable after the AMI family's reserved
// resources) and applies the decisions through the capacity layer.
//
// Nothing here reads a clock, draws from a global random source or ranges
// over a map to decide: the same input gives the same decision.
//
// docs/semantics/eks-karpenter.md lists every rule, its source and the test
// that pins it.
package karpenter

import (
	"time"
)

// Well-known labels Karpenter's requirements read (karpenter.sh/docs/
// concepts/scheduling/#well-known-labels).
const (
	LabelCapacityType   = "karpenter.sh/capacity-type"
	LabelNodePool       = "karpenter.sh/nodepool"
	LabelInstanceType   = "node.kubernetes.io/instance-type"
	LabelFamily         = "karpenter.k8s.aws/instance-family"
	LabelSize           = "karpenter.k8s.aws/instance-size"
	LabelCPU            = "karpenter.k8s.aws/instance-cpu"
	LabelMemory         = "karpenter.k8s.aws/instance-memory" // MiB
	LabelArch           = "kubernetes.io/arch"
	LabelZone           = "topology.kubernetes.io/zone"
	AnnotationNoDisrupt = "karpenter.sh/do-not-disrupt"
)

// Defaults (karpenter.sh/docs/reference/settings/ and the v1 NodePool CRD's
// +kubebuilder:default markers, kubernetes-sigs/karpenter pkg/apis/v1).
const (
	DefaultBatchIdleDuration = time.Second      // BATCH_IDLE_DURATION
	DefaultBatchMaxDuration  = 10 * time.Second // BATCH_MAX_DURATION
	DefaultExpireAfter       = 720 * time.Hour  // spec.template.spec.expireAfter
	DefaultBudgetPercent     = 10               // spec.disruption.budgets [{nodes: "10%"}]
	// MaxInstanceTypes is how many instance types the AWS provider sends to
	// CreateFleet (pkg/providers/instance/instance.go maxInstanceTypes).
	MaxInstanceTypes = 60
	// MinInstanceTypesForSpotToSpot: a Spot node is replaced by a cheaper
	// Spot node only with this many cheaper types (consolidation.go).
	MinInstanceTypesForSpotToSpot = 15
	// MaxMultiNodeCandidates bounds multi-node consolidation's search
	// (multinodeconsolidation.go: lo.Clamp(len(candidates), 0, 100)).
	MaxMultiNodeCandidates = 100
	// PollingPeriod is the disruption controller's period (controller.go).
	PollingPeriod = 10 * time.Second
	// CommandValidationDelay is how long a consolidation waits before it is
	// re-validated and executed (consolidation.go commandValidationDelay).
	CommandValidationDelay = 15 * time.Second
	// NominationPeriod is how long a new node holds the pods nominated to
	// it, out of disruption's reach (state/statenode.go: max(2 x
	// batchMaxDuration, 10 s) = 20 s by default).
	NominationPeriod = 2 * DefaultBatchMaxDuration
	// UnavailableOfferingsTTL is how long an offering that failed with
	// InsufficientInstanceCapacity is skipped (provider pkg/cache).
	UnavailableOfferingsTTL = 3 * time.Minute
)

// CapacityType is karpenter.sh/capacity-type.
type CapacityType uint8

// Capacity types.
const (
	OnDemand CapacityType = iota
	Spot
)

func (c CapacityType) String() string { return [...]string{"on-demand", "spot"}[c] }

// Resources are CPU, memory and pod slots.
type Resources struct {
	MilliCPU, MemoryBytes, Pods int64
}

func (r Resources) add(o Resources, k int64) Resources {
	return Resources{r.MilliCPU + k*o.MilliCPU, r.MemoryBytes + k*o.MemoryBytes, r.Pods + k*o.Pods}
}

func (r Resources) fits(in Resources) bool {
	return r.MilliCPU <= in.MilliCPU && r.MemoryBytes <= in.MemoryBytes && r.Pods <= in.Pods
}

// howMany is how many more of req fit in free (free - used), capped at cap.
func howMany(free, used, req Resources, limit int64) int64 {
	n := limit
	div := func(f, u, r int64) {
		if r > 0 {
			n = min(n, max((f-u)/r, 0))
		} else if u > f {
			n = 0
		}
	}
	div(free.MilliCPU, used.MilliCPU, req.MilliCPU)
	div(free.MemoryBytes, used.MemoryBytes, req.MemoryBytes)
	div(free.Pods, used.Pods, req.Pods)
	return n
}

// Offering is one zone and capacity type an instance type can be bought in.
type Offering struct {
	Zone     string
	Capacity CapacityType
	// PriceUSDPerHour: On-Demand's list price, Spot's current price.
	PriceUSDPerHour float64
	// Available is false while the offering is in the unavailable-offerings
	// cache (an InsufficientInstanceCapacity within UnavailableOfferingsTTL).
	Available bool
	// Depth is the spare Spot capacity of the pool, as EC2's
	// price-capacity-optimized strategy weighs it (choice: fleetsim has no
	// capacity data; the world sets it from a setting, 0 for unknown: every
	// pool equally deep, so the strategy is the lowest price).
	Depth int
}

// InstanceType is an EC2 instance type as Karpenter's AWS provider
// describes it.
type InstanceType struct {
	Name, Family, Size, Arch string // Arch: amd64 or arm64
	VCPU                     int
	MemoryMiB                int64
	// Capacity is what limits count (the type's vCPU and memory);
	// Allocatable is after the AMI family's kube-reserved, system-reserved
	// and eviction threshold, with max pods.
	Capacity, Allocatable Resources
	Offerings             []Offering
}

// Operator is a node selector requirement's operator.
type Operator uint8

// Operators of a NodeSelectorRequirement.
const (
	In Operator = iota
	NotIn
	Exists
	DoesNotExist
	Gt
	Lt
)

// Requirement is a requirement on a well-known label.
type Requirement struct {
	Key      string
	Operator Operator
	Values   []string
	// MinValues is the requirement's minValues (0: none): the flexible list
	// must hold this many distinct values of the key.
	MinValues int
}

// ConsolidationPolicy is spec.disruption.consolidationPolicy.
type ConsolidationPolicy uint8

// Consolidation policies (default WhenEmptyOrUnderutilized).
const (
	WhenEmptyOrUnderutilized ConsolidationPolicy = iota
	WhenEmpty
)

// Reason is a disruption reason.
type Reason string

// Disruption reasons (v1 DisruptionReason) and expiration.
const (
	ReasonEmpty         Reason = "Empty"
	ReasonUnderutilized Reason = "Underutilized"
	ReasonDrifted       Reason = "Drifted"
	ReasonExpired       Reason = "Expired"
)

// Budget is one entry of spec.disruption.budgets: at most Nodes (a count,
// or a percentage of the NodePool's nodes rounded up) disrupted at once,
// for the reasons listed (all when none), while active. Schedule windows
// are given as Active (the world evaluates the cron schedule; nil: always).
type Budget struct {
	Nodes   int
	Percent bool
	Reasons []Reason
	Active  func(now time.Duration) bool
}

// NodePool is a v1 NodePool reduced to what decides capacity.
type NodePool struct {
	Name         string
	Weight       int32
	Requirements []Requirement
	// Limits on the sum of the pool's nodes' capacity; a negative value is
	// no limit.
	LimitMilliCPU, LimitMemoryBytes int64
	// Overhead is the DaemonSet pods every node of the pool runs.
	Overhead Resources
	Policy   ConsolidationPolicy
	// ConsolidateAfter is how long after the last pod event a node may be
	// consolidated; Never disables consolidation.
	ConsolidateAfter time.Duration
	Never            bool
	// ExpireAfter: zero is Never.
	ExpireAfter time.Duration
	Budgets     []Budget
	// SpotToSpot is the SpotToSpotConsolidation feature gate (default off).
	SpotToSpot bool
}

// Shape is a group of identical pending (or running) pods: what they request
// and which NodePools admit them. The world answers what needs
// kube-scheduler (tolerations of the pool's taints, node affinity on the
// pool's own labels); the package applies Requirements (the pods' node
// selector and required node affinity on well-known labels) to each
// instance type and offering.
type Shape struct {
	Requests     Resources // Pods is 1
	Priority     int32
	Pools        []bool // by NodePool index: the pool's template admits the pods
	Requirements []Requirement
	// Count is how many pods pending (Provision's input).
	Count int
}

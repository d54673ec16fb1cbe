package eks

import (
	"math/rand/v2"
	"time"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/workload"
)

// Config is an EKS cluster in a scenario, validated, with every default
// filled in and every reference resolved to an index. The scenarios package
// builds it from the [eks] tables and the manifests they name; tests build it
// directly. The node groups' EC2 side (instance types, sizes, zones, Spot)
// is a capacity.GroupConfig in the run's capacity configuration: NodeGroup.Group
// is its index. A run never writes to it.
type Config struct {
	// Name is the cluster's name.
	Name string
	// Version is the Kubernetes minor version ("1.33"): it selects the
	// control plane's support tier at the run's start date (Support).
	Version string
	// Support is the control plane's billing tier: "standard" or "extended".
	Support string
	// ControlPlaneUSDPerHour is the cluster-hour price of that tier
	// (AWS: $0.10 standard, $0.60 extended support).
	ControlPlaneUSDPerHour float64
	// Zones are the cluster's subnets' Availability Zones.
	Zones []string

	NodeGroups      []NodeGroup
	PriorityClasses []PriorityClass
	Deployments     []Deployment
	Jobs            []Job
	DaemonSets      []DaemonSet
	Pods            []Pod // bare pods, created at their At
	Budgets         []PodDisruptionBudget
	Timeline        []TimelineEntry

	// Scheduler is the kube-scheduler configuration.
	Scheduler SchedulerConfig
	// Settings are the world's tunables.
	Settings Settings
	// Explain names the pods whose scheduling decisions are written out node
	// by node, plugin by plugin (explain.json): by pod name prefix or label.
	Explain []ExplainSelector
	// HPAs are the HorizontalPodAutoscalers (autoscaling/v2) scaling the
	// Deployments (hpa.go).
	HPAs []HorizontalPodAutoscaler
	// ClusterAutoscaler, when set, runs the Cluster Autoscaler on managed
	// node groups (clusterautoscaler.go).
	ClusterAutoscaler *ClusterAutoscaler
	// NodePools are Karpenter's NodePools (karpenter.go); Karpenter runs
	// when there is one, with Karpenter's settings.
	NodePools []NodePool
	Karpenter KarpenterSettings
	// FargateProfiles are the cluster's Fargate profiles (fargate_world.go):
	// a pod matching one at creation runs on Fargate capacity of its own.
	FargateProfiles []FargateProfile
}

// NodeKind is how a node group is managed.
type NodeKind uint8

// Node group kinds.
const (
	// Managed is an EKS managed node group: EKS labels its nodes with
	// eks.amazonaws.com/nodegroup and eks.amazonaws.com/capacityType, and
	// drains them (honouring PodDisruptionBudgets) before termination.
	Managed NodeKind = iota
	// SelfManaged is an Auto Scaling group the user runs: no EKS labels.
	SelfManaged
	// Karpenter is a NodePool's nodes (karpenter.go): a direct capacity
	// group, labelled karpenter.sh/nodepool, drained by Karpenter.
	Karpenter
)

func (k NodeKind) String() string { return [...]string{"managed", "self-managed", "karpenter"}[k] }

// NodeGroup is a managed or self-managed node group.
type NodeGroup struct {
	Name string
	Kind NodeKind
	// Group is the index of the capacity.GroupConfig behind the node group.
	Group int
	// AMIFamily is AL2023 (the default), AL2 or Bottlerocket.
	AMIFamily string
	// Labels and Taints are the node group's own, on every node it launches,
	// beside the well-known labels the world sets.
	Labels map[string]string
	Taints []kube.Taint
	// PrefixDelegation is the VPC CNI's ENABLE_PREFIX_DELEGATION: max pods
	// from the EKS max-pods calculator (CalculatorMaxPods) rather than the
	// ENI formula.
	PrefixDelegation bool
	// MaxPods, when positive, overrides the kubelet's maxPods
	// (Kubelet.WithMaxPods).
	MaxPods int
	// SystemReserved is the kubelet's systemReserved (none on the EKS AMIs).
	SystemReserved Resources
}

// PriorityClass is a scheduling.k8s.io/v1 PriorityClass.
type PriorityClass struct {
	Name          string
	Value         int32
	GlobalDefault bool
	// PreemptionPolicy is PreemptLowerPriority (the default) or Never.
	PreemptionPolicy string
}

// PodTemplate is what the world makes each pod of a workload from.
type PodTemplate struct {
	// Pod is the scheduling view: requests, labels, selectors, affinities,
	// tolerations, spread constraints, host ports, images. Its Name and
	// Namespace are filled in per pod.
	Pod kube.Pod
	// PriorityClass is an index into Config.PriorityClasses; -1 for none
	// (the global default class, if one is marked, else priority 0).
	PriorityClass int
	// HostNetwork pods use the node's IP: they take no VPC CNI address.
	// (The kubelet's maxPods still counts them.)
	HostNetwork bool
	// Privileged: a container sets securityContext.privileged (Fargate
	// refuses the pod).
	Privileged bool
	// Images are the containers' images with their sizes, pulled through the
	// node's image cache before the pod runs.
	Images []Image
	// TerminationGracePeriod is how long a stopping pod takes to go.
	TerminationGracePeriod time.Duration
	// StartTime is the time from the end of the image pulls to Ready.
	StartTime time.Duration
	// Run is how long a Job's pod runs to completion (zero for workloads
	// that run until stopped); RunStdDev spreads it (normal, floored at 1 s).
	Run, RunStdDev time.Duration
	// FailureProbability is the chance a Job's pod fails instead of
	// succeeding.
	FailureProbability float64
}

// Image is a container image and its compressed size.
type Image struct {
	Name      string
	SizeBytes int64
}

// Deployment is an apps/v1 Deployment with the RollingUpdate strategy (or
// Recreate).
type Deployment struct {
	Name, Namespace string
	Replicas        int
	Template        PodTemplate
	// Recreate is the Recreate strategy; otherwise RollingUpdate with
	// MaxSurge and MaxUnavailable already resolved against Replicas as the
	// deployment controller resolves them (ResolveFenceposts: surge rounded
	// up, unavailable down; both 0 is refused before a run).
	Recreate       bool
	MaxSurge       IntOrPercent
	MaxUnavailable IntOrPercent
	MinReady       time.Duration
	// Load, when set, is the requests per second the Deployment's pods share
	// over the run (a diurnal web tier); each Ready pod serves up to
	// PodRequestsPerSecond at 100% of its CPU request. The world reports the
	// pods' utilisation and the requests they could not serve; the
	// HorizontalPodAutoscaler (the next part) scales on it.
	Load                 workload.Pattern
	PodRequestsPerSecond float64
	// CPUSecondsPerRequest, when positive (instead of PodRequestsPerSecond),
	// serves the Load as an ECS service's is (service.go): an M/M/c queue of
	// the Ready pods, a pod of R vCPU requested serving R /
	// CPUSecondsPerRequest requests a second; LatencySLO is its latency
	// objective (0: none).
	CPUSecondsPerRequest float64
	LatencySLO           time.Duration
	// LoadRates, when set, builds the Load again with its random parts
	// (noise, walk) drawing from the run's streams named after name
	// (stream("load/"+name+"/noise")...); Load is then the same pattern
	// without them.
	LoadRates func(stream func(string) *rand.Rand, name string) workload.Pattern `json:"-"`
}

// IntOrPercent is a count or a percentage of one (maxSurge, maxUnavailable).
type IntOrPercent struct {
	Value   int
	Percent bool
}

// Job is a batch/v1 Job, created at At and, with Every set, again each Every
// (a CronJob's schedule reduced to its period).
type Job struct {
	Name, Namespace string
	Template        PodTemplate
	Completions     int // spec.completions (1 when unset)
	Parallelism     int // spec.parallelism (1 when unset)
	BackoffLimit    int // spec.backoffLimit (6 when unset)
	At, Every       time.Duration
}

// DaemonSet is an apps/v1 DaemonSet: one pod on each node its template's
// node selector, affinity and tolerations admit.
type DaemonSet struct {
	Name, Namespace string
	Template        PodTemplate
}

// Pod is a bare pod created at At.
type Pod struct {
	Name, Namespace string
	Template        PodTemplate
	At              time.Duration
}

// PodDisruptionBudget is a policy/v1 PodDisruptionBudget: evictions (node
// drains) that would take the selected pods' healthy count below MinAvailable,
// or their unavailable count above MaxUnavailable, wait. Exactly one of the
// two is set.
type PodDisruptionBudget struct {
	Name, Namespace string
	Selector        kube.LabelSelector
	MinAvailable    *IntOrPercent
	MaxUnavailable  *IntOrPercent
}

// TimelineEntry is one scheduled operation on the running cluster.
type TimelineEntry struct {
	At time.Duration
	// Action is scale_deployment, set_image (a new revision of a
	// Deployment's template: its pods roll), drain_nodes (kubectl drain of
	// Count nodes of NodeGroup), set_node_group_size, fail_nodes,
	// az_outage or spot_interruptions.
	Action     string
	Deployment int // index into Deployments; -1 when not used
	Replicas   int
	Image      string
	NodeGroup  int // index into NodeGroups; -1 when not used
	Count      int
	Fraction   float64
	Zone       string
	Duration   time.Duration
}

// SchedulerConfig is the kube-scheduler configuration fleetsim reads.
type SchedulerConfig struct {
	// PercentageOfNodesToScore: 0 is the adaptive default
	// (kube.NumFeasibleNodesToFind).
	PercentageOfNodesToScore int32
	// ScoringStrategy is NodeResourcesFit's: LeastAllocated (the default),
	// MostAllocated or RequestedToCapacityRatio.
	ScoringStrategy string
}

// Settings are the EKS world's tunables.
type Settings struct {
	// NodeRegistration is the time from the instance's InService to the
	// node's Ready (kubelet start and registration), on top of the group's
	// launch time.
	NodeRegistration time.Duration
	// SchedulerBackoff is the first retry of an unschedulable pod
	// (podInitialBackoffSeconds 1 s, doubled to podMaxBackoffSeconds 10 s).
	SchedulerBackoffInitial, SchedulerBackoffMax time.Duration
	// PodEvents records every pod phase change in the event log.
	PodEvents bool
	// DrainTimeout, when positive, ends a drain that PodDisruptionBudgets
	// hold up: the remaining pods are deleted without eviction, as a
	// forced drain does (choice; zero waits for the budgets however long).
	DrainTimeout time.Duration
	// SampleEvery is the recording period; zero takes the run's.
	SampleEvery time.Duration
	// FargateStartTime is a Fargate pod's wait for its Fargate node before
	// the image pulls (zero: DefaultFargatePodStartLatency);
	// FargatePullBytesPerSecond its pull bandwidth (zero:
	// DefaultFargatePullBytesPerSecond). fargate_world.go.
	FargateStartTime          time.Duration
	FargatePullBytesPerSecond int64
}

// ExplainSelector picks pods whose scheduling is explained.
type ExplainSelector struct {
	NamePrefix string
	Labels     map[string]string
	// Limit is how many such pods are explained (the first ones scheduled).
	Limit int
}

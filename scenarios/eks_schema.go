package scenarios

import (
	"strconv"
	"strings"
)

// The [eks] part of the schema: an Amazon EKS cluster, in Kubernetes' and
// EKS's own vocabulary (CreateCluster, CreateNodegroup, the manifests'
// fields) in snake_case. The workloads themselves come from Kubernetes
// manifests (manifests = [...], read by scenarios/kube); the tables here say
// what a manifest cannot: the node groups, the priority classes and budgets
// a cluster holds, and the simulation's own keys (a Deployment's load, how
// long a Job's pods run). docs/semantics/eks.md ("Scenario") lists the rules
// and defaults with their sources and tests.

type eksSchema struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
	// Support is the control plane's support tier: standard or extended.
	Support   string   `toml:"support"`
	Zones     []string `toml:"zones" maxitems:"6" why:"a region's Availability Zones (us-east-1 has the most, six)"`
	Manifests []string `toml:"manifests" maxitems:"100"`
	// Manifest is manifests written in the scenario itself, as a multi-line
	// string: YAML documents (or JSON), read as a file's.
	Manifest   string              `toml:"manifest" maxlen:"4194304"`
	ImageSizes map[string]ByteSize `toml:"image_sizes" maxitems:"1000" max:"100GiB"`
	// PodStartTime is the default time from a pod's image pulls to Ready.
	PodStartTime *Duration `toml:"pod_start_time" min:"0s" max:"1h"`
	// NodeRegistration is the time from an instance's InService to its
	// node's Ready.
	NodeRegistration *Duration `toml:"node_registration_time" min:"0s" max:"1h"`
	// PodEvents records every pod phase change in events.csv.
	PodEvents *bool `toml:"pod_events"`
	// DrainTimeout ends a drain PodDisruptionBudgets hold up (kubectl drain
	// --timeout, then a forced delete); unset: the drain waits.
	DrainTimeout *Duration `toml:"drain_timeout" min:"0s" max:"8784h"`

	NodeGroups      []nodeGroupSchema     `toml:"node_group" maxitems:"1000"`
	PriorityClasses []priorityClassSchema `toml:"priority_class" maxitems:"1000"`
	Deployments     []eksDeploymentSchema `toml:"deployment" maxitems:"10000"`
	Jobs            []eksJobSchema        `toml:"job" maxitems:"10000"`
	Budgets         []pdbSchema           `toml:"pod_disruption_budget" maxitems:"10000"`
	Timeline        []eksTimelineSchema   `toml:"timeline" maxitems:"10000"`
	Scheduler       eksSchedulerSchema    `toml:"scheduler"`
	Explain         []explainSchema       `toml:"explain" maxitems:"100"`
	Quotas          eksQuotasSchema       `toml:"quotas"`
	// ClusterAutoscaler is the Cluster Autoscaler on the managed node
	// groups (eks_ca.go).
	ClusterAutoscaler *caSchema `toml:"cluster_autoscaler"`
	// HPAs and HPAController: HorizontalPodAutoscalers (eks_hpa.go).
	HPAs          []hpaSchema         `toml:"horizontal_pod_autoscaler" maxitems:"10000"`
	HPAController hpaControllerSchema `toml:"hpa_controller"`
	// NodePools and NodeClasses: Karpenter's NodePools and EC2NodeClasses
	// (eks_karpenter.go). caWithKarpenter finds NodePools by name.
	NodePools   []nodePoolSchema  `toml:"node_pools" maxitems:"100"`
	NodeClasses []nodeClassSchema `toml:"node_classes" maxitems:"100"`
	// FargateProfiles: the EKS Fargate profiles; a pod that matches one when
	// it is created runs on Fargate (eks_fargate.go).
	FargateProfiles []fargateProfileSchema `toml:"fargate_profile" maxitems:"100"`
	// FargateStartTime is a Fargate pod's wait for its Fargate node before
	// its image pulls (default 60s).
	FargateStartTime *Duration `toml:"fargate_start_time" min:"1s" max:"1h"`
	// FargatePullBandwidth is a Fargate pod's image pull bandwidth (default
	// 50MiB/s; no cache: every pod pulls).
	FargatePullBandwidth *Bandwidth `toml:"fargate_image_pull_bandwidth" max:"100GB/s"`
}

// nodeGroupSchema is [[eks.node_group]]: a managed node group
// (CreateNodegroup's fields) or a self-managed one (an Auto Scaling group
// the user runs).
type nodeGroupSchema struct {
	Name              string            `toml:"name"`
	Kind              string            `toml:"kind"`
	InstanceTypes     []string          `toml:"instance_types" maxitems:"40" why:"AWS: instance types per Auto Scaling group"`
	CapacityType      string            `toml:"capacity_type"`
	MinSize           *int              `toml:"min_size" max:"100000"`
	MaxSize           *int              `toml:"max_size" max:"100000"`
	DesiredSize       *int              `toml:"desired_size" max:"100000"`
	AvailabilityZones []string          `toml:"availability_zones" maxitems:"6"`
	Labels            map[string]string `toml:"labels" maxitems:"100"`
	Taints            []string          `toml:"taints" maxitems:"50" why:"EKS: taints per node group"`
	AMIType           string            `toml:"ami_type"`
	PrefixDelegation  bool              `toml:"prefix_delegation"`
	MaxPods           int               `toml:"max_pods" max:"1000"`
	// InstanceLaunchTime is the EC2 boot (the node's registration follows).
	InstanceLaunchTime               *Duration `toml:"instance_launch_time" min:"0s" max:"1h"`
	SpotInterruptionsPerInstanceHour float64   `toml:"spot_interruptions_per_instance_hour" max:"10"`
	// The kubelet's systemReserved (the EKS AMIs set none).
	SystemReservedCPU    string `toml:"system_reserved_cpu" maxlen:"64"`
	SystemReservedMemory string `toml:"system_reserved_memory" maxlen:"64"`
}

// priorityClassSchema is a scheduling.k8s.io/v1 PriorityClass.
type priorityClassSchema struct {
	Name             string `toml:"name"`
	Value            int64  `toml:"value" min:"-2147483648" max:"1000000000" why:"Kubernetes: a user PriorityClass's value"`
	GlobalDefault    bool   `toml:"global_default"`
	PreemptionPolicy string `toml:"preemption_policy"`
}

// eksDeploymentSchema is [[eks.deployment]]: a manifest's Deployment (by
// name) and what the simulation needs that the manifest does not say.
type eksDeploymentSchema struct {
	Name                 string      `toml:"name"`
	Namespace            string      `toml:"namespace"`
	PodStartTime         *Duration   `toml:"pod_start_time" min:"0s" max:"1h"`
	PodRequestsPerSecond float64     `toml:"pod_requests_per_second" min:"0" max:"1e7" tiny:"1e-6"`
	Load                 *loadSchema `toml:"load"`
}

// eksJobSchema is [[eks.job]]: a manifest's Job (by name), when it is
// created and how long its pods run.
type eksJobSchema struct {
	Name               string    `toml:"name"`
	Namespace          string    `toml:"namespace"`
	Start              Duration  `toml:"start" min:"0s" max:"8784h"`
	Every              Duration  `toml:"every" min:"0s" max:"8784h"`
	RunTime            Duration  `toml:"run_time" min:"0s" max:"8784h"`
	RunTimeStdDev      Duration  `toml:"run_time_stddev" min:"0s" max:"8784h"`
	FailureProbability float64   `toml:"failure_probability" min:"0" max:"1" why:"a probability"`
	PodStartTime       *Duration `toml:"pod_start_time" min:"0s" max:"1h"`
}

// pdbSchema is a policy/v1 PodDisruptionBudget.
type pdbSchema struct {
	Name           string             `toml:"name"`
	Namespace      string             `toml:"namespace"`
	Selector       labelSelectorTOML  `toml:"selector"`
	MinAvailable   *intOrPercentValue `toml:"min_available"`
	MaxUnavailable *intOrPercentValue `toml:"max_unavailable"`
}

// labelSelectorTOML is a metav1.LabelSelector in TOML.
type labelSelectorTOML struct {
	MatchLabels      map[string]string `toml:"match_labels" maxitems:"100"`
	MatchExpressions []requirementTOML `toml:"match_expressions" maxitems:"100"`
}

type requirementTOML struct {
	Key      string   `toml:"key"`
	Operator string   `toml:"operator"`
	Values   []string `toml:"values" maxitems:"100"`
}

// eksTimelineSchema is one [[eks.timeline]] entry.
type eksTimelineSchema struct {
	At               Duration  `toml:"at" max:"8784h"`
	Time             *DateTime `toml:"time"`
	Action           string    `toml:"action"`
	Deployment       string    `toml:"deployment"`
	Namespace        string    `toml:"namespace"`
	Replicas         *int      `toml:"replicas" max:"1000000"`
	Image            string    `toml:"image"`
	NodeGroup        string    `toml:"node_group"`
	Count            int       `toml:"count" max:"100000"`
	Fraction         float64   `toml:"fraction" max:"1" why:"a share"`
	AvailabilityZone string    `toml:"availability_zone"`
	Duration         Duration  `toml:"duration" min:"0s" max:"8784h"`
}

// eksSchedulerSchema is the kube-scheduler configuration fleetsim reads.
type eksSchedulerSchema struct {
	PercentageOfNodesToScore *int   `toml:"percentage_of_nodes_to_score" max:"100" why:"kube-scheduler: a percentage"`
	ScoringStrategy          string `toml:"scoring_strategy"`
}

// explainSchema picks pods whose scheduling is written out plugin by plugin.
type explainSchema struct {
	NamePrefix string            `toml:"name_prefix"`
	Labels     map[string]string `toml:"labels" maxitems:"100"`
	Limit      *int              `toml:"limit" max:"1000"`
}

// eksQuotasSchema is [eks.quotas]: the adjustable EKS quotas the account has.
type eksQuotasSchema struct {
	ManagedNodeGroupsPerCluster *int `toml:"managed_node_groups_per_cluster" max:"100000"`
	NodesPerManagedNodeGroup    *int `toml:"nodes_per_managed_node_group" max:"100000"`
}

// intOrPercentValue is an int-or-string value: 1 or "25%".
type intOrPercentValue struct {
	Value   int
	Percent bool
}

const intOrPercentWant = `a non-negative integer or a percentage such as "25%"`

func (v *intOrPercentValue) fromTree(data any) (want, got string, ok bool) {
	switch x := data.(type) {
	case int64:
		if x < 0 || x > 1<<31-1 {
			return intOrPercentWant, tomlValue(data), false
		}
		*v = intOrPercentValue{Value: int(x)}
		return "", "", true
	case string:
		digits, isPercent := strings.CutSuffix(x, "%")
		n, err := strconv.Atoi(digits)
		if !isPercent || err != nil || n < 0 || n > 100 || digits != strconv.Itoa(n) {
			return `a non-negative integer or a percentage from "0%" to "100%"`, tomlValue(data), false
		}
		*v = intOrPercentValue{Value: n, Percent: true}
		return "", "", true
	}
	return intOrPercentWant, tomlValue(data), false
}

func (v intOrPercentValue) String() string {
	if v.Percent {
		return strconv.Itoa(v.Value) + "%"
	}
	return strconv.Itoa(v.Value)
}

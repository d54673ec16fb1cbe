package scenarios

import "slices"

// The [workload] part of the schema: services and batch described once,
// orchestrator-neutral, and run on the orchestrator the top-level key
// orchestrator = "ecs" | "eks" names (orchestrator.go). Capacity stays in
// each orchestrator's own sections ([cluster], [[auto_scaling_groups]],
// [[capacity_providers]] for ECS; [eks] for EKS); what only one
// orchestrator has goes in the entry's ecs = {...} or eks = {...} table.
// docs/semantics/workload-pair.md gives the mapping and what differs.

// workloadSchema is [workload].
type workloadSchema struct {
	Services []wlServiceSchema `toml:"services" maxitems:"1000"`
	Batch    []wlBatchSchema   `toml:"batch" maxitems:"1000"`
	// ECS and EKS are the defaults of each orchestrator for the whole workload.
	ECS *wlDefaultsECS `toml:"ecs"`
	EKS *wlDefaultsEKS `toml:"eks"`
}

// wlDefaultsECS is [workload.ecs].
type wlDefaultsECS struct {
	// DefaultCapacityProviderStrategy is the cluster's default strategy
	// (PutClusterCapacityProviders), used by entries that give none.
	DefaultCapacityProviderStrategy []strategySchema `toml:"default_capacity_provider_strategy"`
}

// wlDefaultsEKS is [workload.eks].
type wlDefaultsEKS struct {
	// Namespace of the workload's Deployments and Jobs (default "default").
	Namespace string `toml:"namespace" maxlen:"63"`
}

// wlServiceSchema is one [[workload.services]]: an ECS service with its task
// definition, or an EKS Deployment with its HorizontalPodAutoscaler.
type wlServiceSchema struct {
	Name      string   `toml:"name"`
	Image     string   `toml:"image"`
	ImageSize ByteSize `toml:"image_size" max:"100GiB"`
	// CPU is vCPU per task or pod (0.5): ECS task cpu 512, a pod's request 500m.
	CPU float64 `toml:"cpu" min:"0" max:"192" tiny:"0.001" why:"AWS: task cpu on EC2, 192 vCPU"`
	// Memory per task or pod ("1GiB"): ECS task memory, a pod's request and limit.
	Memory      ByteSize         `toml:"memory" max:"16TiB"`
	Replicas    *int             `toml:"replicas" max:"1000000"`
	Load        *loadSchema      `toml:"load"`
	AutoScaling *wlScalingSchema `toml:"auto_scaling"`
	ECS         *wlServiceECS    `toml:"ecs"`
	EKS         *wlEKS           `toml:"eks"`
}

// wlScalingSchema is a service's CPU scaling: ECS target tracking on
// ECSServiceAverageCPUUtilization, or an autoscaling/v2 HPA on cpu
// Utilization.
type wlScalingSchema struct {
	MinReplicas          *int `toml:"min_replicas" max:"1000000"`
	MaxReplicas          *int `toml:"max_replicas" max:"1000000"`
	TargetCPUUtilization *int `toml:"target_cpu_utilization" min:"1" max:"100" why:"a percentage of the CPU reserved"`
}

// wlServiceECS is a service's ECS-only keys.
type wlServiceECS struct {
	LaunchType               string                    `toml:"launch_type"`
	CapacityProviderStrategy []strategySchema          `toml:"capacity_provider_strategy"`
	PlacementStrategy        []placementStrategySchema `toml:"placement_strategy"`
	PlacementConstraints     []constraintSchema        `toml:"placement_constraints"`
	// NetworkMode of the task definition: bridge (the default on EC2) or
	// awsvpc (the default, and the only one, on Fargate).
	NetworkMode string `toml:"network_mode"`
	// The target tracking policy's cooldowns (Application Auto Scaling's
	// defaults when unset).
	ScaleOutCooldown *Duration `toml:"scale_out_cooldown" min:"0s" max:"8784h"`
	ScaleInCooldown  *Duration `toml:"scale_in_cooldown" min:"0s" max:"8784h"`
}

// wlEKS is a service's or a batch's EKS-only keys: the pod template's
// scheduling fields.
type wlEKS struct {
	Namespace                 string            `toml:"namespace" maxlen:"63"`
	NodeSelector              map[string]string `toml:"node_selector" maxitems:"100"`
	Tolerations               []wlToleration    `toml:"tolerations" maxitems:"100"`
	TopologySpreadConstraints []wlSpreadSchema  `toml:"topology_spread_constraints" maxitems:"100"`
	PriorityClassName         string            `toml:"priority_class_name" maxlen:"253"`
	Labels                    map[string]string `toml:"labels" maxitems:"100"`
	// Annotations of the pod template (karpenter.sh/do-not-disrupt...).
	Annotations map[string]string `toml:"annotations" maxitems:"100"`
}

// wlToleration is a core/v1 Toleration.
type wlToleration struct {
	Key      string `toml:"key"`
	Operator string `toml:"operator"`
	Value    string `toml:"value"`
	Effect   string `toml:"effect"`
}

// wlSpreadSchema is a core/v1 TopologySpreadConstraint over the entry's own
// pods (its labelSelector is the entry's app label).
type wlSpreadSchema struct {
	MaxSkew           int    `toml:"max_skew" max:"1000000"`
	TopologyKey       string `toml:"topology_key"`
	WhenUnsatisfiable string `toml:"when_unsatisfiable"`
}

// wlBatchSchema is one [[workload.batch]]: count tasks (ECS RunTask from a
// schedule) or a Job of count completions (EKS), created at start and each
// every after.
type wlBatchSchema struct {
	Name        string         `toml:"name"`
	Image       string         `toml:"image"`
	ImageSize   ByteSize       `toml:"image_size" max:"100GiB"`
	CPU         float64        `toml:"cpu" min:"0" max:"192" tiny:"0.001" why:"AWS: task cpu on EC2, 192 vCPU"`
	Memory      ByteSize       `toml:"memory" max:"16TiB"`
	Start       Duration       `toml:"start" min:"0s" max:"8784h"`
	Every       Duration       `toml:"every" min:"0s" max:"8784h"`
	Count       int            `toml:"count" max:"10000" why:"tasks_per_firing of an ECS schedule"`
	Parallelism *int           `toml:"parallelism" max:"10000"`
	Duration    durationSchema `toml:"duration"`
	Retries     int            `toml:"retries" max:"100"`
	ECS         *wlBatchECS    `toml:"ecs"`
	EKS         *wlEKS         `toml:"eks"`
}

// wlBatchECS is a batch's ECS-only keys.
type wlBatchECS struct {
	LaunchType               string           `toml:"launch_type"`
	CapacityProviderStrategy []strategySchema `toml:"capacity_provider_strategy"`
	NetworkMode              string           `toml:"network_mode"`
}

// The keys of one orchestrator that a [workload] entry takes only in its
// ecs or eks table: given elsewhere, the unknown key's hint says where
// (decode.go asks keyHint).
var (
	wlECSOnly = []string{"launch_type", "capacity_provider_strategy", "placement_strategy", "placement_constraints",
		"network_mode", "scale_out_cooldown", "scale_in_cooldown", "default_capacity_provider_strategy"}
	wlEKSOnly = []string{"namespace", "node_selector", "tolerations", "topology_spread_constraints", "priority_class_name",
		"labels", "annotations"}
)

// wlKeyHint is the hint for an unknown key k of a [workload] table: an ECS
// or EKS key given at the neutral level, or under the other orchestrator.
func wlKeyHint(k, table string) string {
	switch {
	case slices.Contains(wlECSOnly, k) && table != "ecs":
		if table == "eks" {
			return k + " is an ECS key: give it under ecs = { ... }, not eks"
		}
		return k + " is an ECS key: give it under the entry's ecs = { ... }"
	case slices.Contains(wlEKSOnly, k) && table != "eks":
		if table == "ecs" {
			return k + " is an EKS key: give it under eks = { ... }, not ecs"
		}
		return k + " is an EKS key: give it under the entry's eks = { ... }"
	}
	switch k {
	case "desired_count":
		return "the workload's count is replicas"
	case "min_capacity", "max_capacity":
		return "the workload's bounds are min_replicas and max_replicas"
	case "pod_requests_per_second":
		return "a pod's capacity follows from load.cpu_seconds_per_request and cpu"
	case "completions":
		return "a batch's completions are count"
	case "task_definition", "container_definitions":
		return "a workload entry is its own task definition: image, cpu and memory"
	}
	return ""
}

func (wlServiceSchema) keyHint(k string) string { return wlKeyHint(k, "") }
func (wlBatchSchema) keyHint(k string) string   { return wlKeyHint(k, "") }
func (workloadSchema) keyHint(k string) string  { return wlKeyHint(k, "") }
func (wlServiceECS) keyHint(k string) string    { return wlKeyHint(k, "ecs") }
func (wlBatchECS) keyHint(k string) string      { return wlKeyHint(k, "ecs") }
func (wlDefaultsECS) keyHint(k string) string   { return wlKeyHint(k, "ecs") }
func (wlEKS) keyHint(k string) string           { return wlKeyHint(k, "eks") }
func (wlDefaultsEKS) keyHint(k string) string   { return wlKeyHint(k, "eks") }
func (wlScalingSchema) keyHint(k string) string { return wlKeyHint(k, "") }

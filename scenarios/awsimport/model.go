package awsimport

import "time"

// The scenario Import builds, in the shape of the TOML it writes (emit.go).
// Tests compare it with what the input files say; the TOML is what
// scenarios.Load reads.

// Scenario is the imported cluster.
type Scenario struct {
	Name      string
	Region    string
	Start     *time.Time    // the trace's first datapoint; nil: the loader's default
	Duration  time.Duration // the trace's span, else a day
	Cluster   Cluster
	Groups    []Group
	Providers []Provider
	TaskDefs  []TaskDef
	Services  []Service
	Trace     *Trace
}

// Cluster is describe-clusters' cluster.
type Cluster struct {
	Name            string
	Zones           []string
	DefaultStrategy []StrategyItem
}

// StrategyItem is a CapacityProviderStrategyItem.
type StrategyItem struct {
	Provider string
	Base     int
	Weight   *int
}

// Group is an Auto Scaling group.
type Group struct {
	Name                 string
	InstanceTypes        []string
	Min, Max, Desired    int
	Zones                []string
	OnDemandBase         int
	OnDemandPercent      *int
	SpotStrategy         string
	ProtectedFromScaleIn bool
	Placeholder          bool   // not in the input: named by a capacity provider
	File                 string // the input it came from, for messages
}

// Provider is an Auto Scaling group capacity provider.
type Provider struct {
	Name                         string
	Group                        string
	Managed                      *ManagedScaling
	ManagedTerminationProtection string
	ManagedDraining              string
}

// ManagedScaling is a capacity provider's managedScaling; warm-up in seconds.
type ManagedScaling struct {
	Status                   string
	TargetCapacity           *int
	MinStep, MaxStep, Warmup *int
}

// TaskDef is a task definition: written as JSON beside the TOML (File)
// unless it is a Placeholder for one a service names that is not in the
// input.
type TaskDef struct {
	Family      string
	Revision    int
	File        string
	JSON        []byte
	CPU, Memory int // task-level, from the JSON (0: unset); Placeholder: its own
	Placeholder bool
	NetworkMode string // a Placeholder's: awsvpc for Fargate, else bridge
	// ContainerCPU and ContainerMemory are the containers' sums (cpu,
	// memory or else memoryReservation), for a definition without task-level sizes.
	ContainerCPU, ContainerMemory int
}

// Service is an ECS service.
type Service struct {
	Name                   string
	TaskDefinition         string // family
	DesiredCount           int
	LaunchType             string
	Strategy               []StrategyItem
	PlacementStrategy      []Placement
	PlacementConstraints   []Placement // Type and Expression (in Field)
	MinimumHealthyPercent  *int
	MaximumPercent         *int
	CircuitBreaker         *CircuitBreaker
	HealthCheckGracePeriod *int // seconds
	AZRebalancing          string
	TargetGroup            string
	Scaling                *Scaling
	Load                   *Load
	File                   string // the input it came from, for messages
}

// Placement is a placement strategy (Type, Field) or constraint (Type,
// Field holding the expression).
type Placement struct{ Type, Field string }

// CircuitBreaker is deploymentConfiguration.deploymentCircuitBreaker.
type CircuitBreaker struct{ Enable, Rollback bool }

// Scaling is a service's scalable target and its policies.
type Scaling struct {
	Min, Max       *int
	TargetTracking []TargetTracking
	StepScaling    []StepScaling
	Scheduled      []Scheduled
}

// TargetTracking is a TargetTrackingScaling policy; cooldowns in seconds.
type TargetTracking struct {
	Name             string
	Predefined       string
	TargetValue      float64
	ScaleOutCooldown *int
	ScaleInCooldown  *int
	DisableScaleIn   bool
}

// StepScaling is a StepScaling policy with its alarm.
type StepScaling struct {
	Name                   string
	AdjustmentType         string
	Cooldown               *int
	MinAdjustmentMagnitude int
	Aggregation            string
	Steps                  []StepAdjustment
	// The alarm: from describe-alarms when given, else assumed (a warning).
	Metric            string
	Comparison        string
	Threshold         float64
	EvaluationPeriods int
	DatapointsToAlarm int
	TreatMissingData  string
	AlarmAssumed      bool
}

// StepAdjustment is one step.
type StepAdjustment struct {
	Lower, Upper *float64
	Adjustment   int
}

// Scheduled is a scheduled action.
type Scheduled struct {
	Name, Schedule, Timezone string
	Start, End               *time.Time
	Min, Max                 *int
}

// Load is a service's load: the imported trace, or (Pattern "constant") an
// assumed steady load for a service that scales without one.
type Load struct {
	Pattern              string // "trace" or "constant"
	BaseRPS              float64
	File                 string
	ValueUnit            string
	CPUSecondsPerRequest float64
	Loop                 bool
}

// Trace is the CloudWatch series as a rate trace CSV.
type Trace struct {
	File      string
	CSV       []byte
	Points    int
	First     time.Time
	Last      time.Time
	Period    time.Duration
	Label     string
	Statistic string // Sum, Average, ...; "" for get-metric-data
}

// Package sim is the ECS world: container instances, Auto Scaling groups,
// capacity providers, Fargate, task definitions, tasks, services and batch
// jobs, driven by the des kernel. It owns the clock and records what happened;
// the policy packages (placement, autoscale, workload) decide, sim applies.
package sim

import (
	"github.com/fleetsim/fleetsim/sim/capacity"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/workload"
)

// Config is a validated scenario: everything a run needs, with references
// resolved to indexes and every default filled in. The scenarios package builds
// it from TOML; tests build it directly.
type Config struct {
	Name        string
	Description string
	Start       time.Time // calendar instant of simulated time zero
	Duration    time.Duration
	Seed        uint64
	Region      string

	Cluster           ClusterConfig
	Groups            []GroupConfig
	CapacityProviders []CapacityProviderConfig
	TaskDefinitions   []TaskDefinition
	Services          []ServiceConfig
	BatchJobs         []BatchJobConfig
	Settings          Settings
	Timeline          []TimelineEntry
}

// ClusterConfig is the ECS cluster.
type ClusterConfig struct {
	Name                     string
	AvailabilityZones        []string
	DefaultProviderStrategy  []StrategyItem
	ENITrunking              bool // the awsvpcTrunking account setting
	ContainerInstanceAMIID   string
	ContainerInstanceOSType  string // "linux"
	ContainerInstanceVPCID   string
	ContainerInstanceSubnets []string // one per AZ, same order; generated when empty
}

// GroupConfig is an EC2 Auto Scaling group whose instances register with the
// cluster (capacity's).
type GroupConfig = capacity.GroupConfig

// CapacityProviderConfig binds an Auto Scaling group to the cluster.
type CapacityProviderConfig struct {
	Name  string
	Group int // index into Config.Groups

	ManagedScaling               *ManagedScalingConfig // nil: DISABLED
	ManagedTerminationProtection bool
	ManagedDraining              bool
}

// ManagedScalingConfig is a capacity provider's managed scaling. AWS
// (ManagedScaling API): targetCapacity (0, 100] default 100,
// minimumScalingStepSize default 1, maximumScalingStepSize default 10000,
// instanceWarmupPeriod default 300 s.
type ManagedScalingConfig struct {
	TargetCapacity int
	MinStep        int
	MaxStep        int
	Warmup         time.Duration
	// Alarm shapes of the target tracking policy ECS creates (observed):
	// scale out after ScaleOutDatapoints minutes above target, scale in after
	// ScaleInDatapoints minutes below.
	ScaleOutDatapoints, ScaleInDatapoints int
}

// Built-in capacity providers.
const (
	ProviderFargate     = "FARGATE"
	ProviderFargateSpot = "FARGATE_SPOT"
)

// StrategyItem is one entry of a capacity provider strategy.
type StrategyItem struct {
	Provider string
	Base     int
	Weight   int
}

// Attribute is a container instance attribute (capacity's: a group's
// custom attributes, which ECS registers).
type Attribute = capacity.Attribute

// NetworkMode is a task definition's network mode.
type NetworkMode string

// Network modes.
const (
	NetworkBridge NetworkMode = "bridge"
	NetworkHost   NetworkMode = "host"
	NetworkAWSVPC NetworkMode = "awsvpc"
	NetworkNone   NetworkMode = "none"
)

// TaskDefinition is a registered task definition revision.
type TaskDefinition struct {
	Family                  string
	Revision                int
	NetworkMode             NetworkMode
	RequiresCompatibilities []string // "EC2", "FARGATE"
	CPU                     int      // task-level CPU units; 0 when unset
	MemoryMiB               int      // task-level memory; 0 when unset
	Containers              []ContainerDefinition
	PlacementConstraints    []PlacementConstraint
	StopTimeout             time.Duration // per task: the longest of its containers'
	HealthCheck             *HealthCheck  // the essential container's; nil: none
	// Failure modes, to rehearse a bad deploy: the image cannot be pulled
	// (every task stops TaskFailedToStart), or the container never passes
	// its health check.
	FailsToStart, FailsHealthCheck bool
}

// HealthCheck is a container health check. AWS (HealthCheck API): interval
// default 30 s, retries default 3, startPeriod default 0.
type HealthCheck struct {
	Interval    time.Duration
	Retries     int
	StartPeriod time.Duration
}

// LoadBalancerConfig puts a service's tasks behind an Application Load
// Balancer target group. AWS (ELB, "Health checks for Application Load
// Balancer target groups" and target group attributes): interval 30 s,
// healthy threshold 5, unhealthy threshold 2, deregistration delay 300 s; a
// newly registered target is healthy after one passing check.
type LoadBalancerConfig struct {
	TargetGroup         string
	Interval            time.Duration
	HealthyThreshold    int
	UnhealthyThreshold  int
	DeregistrationDelay time.Duration
}

// CircuitBreakerConfig is a service's deployment circuit breaker.
type CircuitBreakerConfig struct {
	Enable, Rollback bool
}

// TimelineEntry is one scheduled operation on the running cluster.
type TimelineEntry struct {
	At             time.Duration
	Action         string // update_service | set_desired_capacity | drain_instances | fail_instances | az_outage | spot_interruptions
	Service        int    // index into Services; -1 when not used
	TaskDefinition int    // index into TaskDefinitions; -1 when unchanged
	DesiredCount   *int
	MinimumHealthy *int
	MaximumPercent *int
	Group          int // index into Groups; -1 when not used
	Count          int
	Fraction       float64
	Zone           string
	Duration       time.Duration
}

// ContainerDefinition is one container of a task definition.
type ContainerDefinition struct {
	Name                 string
	Image                string
	ImageSizeBytes       int64
	Essential            bool
	CPU                  int
	MemoryMiB            int // hard limit; 0 when unset
	MemoryReservationMiB int // soft limit; 0 when unset
	PortMappings         []PortMapping
}

// PortMapping maps a container port to a host port; HostPort 0 in bridge mode
// asks for a dynamic port.
type PortMapping struct {
	ContainerPort int
	HostPort      int
	Protocol      string
}

// PlacementStrategy is one placement strategy entry.
type PlacementStrategy struct {
	Type  string // binpack | spread | random
	Field string
}

// PlacementConstraint is one placement constraint entry.
type PlacementConstraint struct {
	Type       string // distinctInstance | memberOf
	Expression string
}

// ServiceConfig is an ECS service using the REPLICA scheduling strategy.
type ServiceConfig struct {
	Name                    string
	TaskDefinition          int // index into Config.TaskDefinitions
	DesiredCount            int
	LaunchType              string // "EC2" or "FARGATE" when no provider strategy is given
	ProviderStrategy        []StrategyItem
	PlacementStrategy       []PlacementStrategy
	PlacementConstraints    []PlacementConstraint
	MinimumHealthyPercent   int
	MaximumPercent          int
	HealthCheckGracePeriod  time.Duration
	TaskFailuresPerTaskHour float64 // essential-container exits per running task-hour
	Load                    *LoadConfig
	AutoScaling             *AutoScalingConfig
	CircuitBreaker          *CircuitBreakerConfig
	LoadBalancer            *LoadBalancerConfig
}

// BatchJobConfig is RunTask-style work: tasks that arrive, run for a while and
// exit.
type BatchJobConfig struct {
	Name             string
	TaskDefinition   int
	LaunchType       string
	ProviderStrategy []StrategyItem
	Arrivals         Arrivals
	Duration         Distribution
	Retries          int // resubmissions of a task stopped by Spot or instance termination
}

// Arrivals describes when batch tasks arrive, by Pattern:
//   - "poisson": a Poisson process at RatePerHour, active during
//     [Start+k*Every, Start+k*Every+Window) (Window zero: always);
//   - "cron": PerFiring tasks at each instant of Schedule (an Application
//     Auto Scaling schedule expression) in Location;
//   - "trace": one task per Tasks entry, at its arrival offset, with its own
//     duration and size;
//   - "pattern": a non-homogeneous Poisson process whose rate (tasks per
//     hour) follows Rate, by thinning.
//
// At most Max tasks in all (0: no limit).
type Arrivals struct {
	Pattern     string
	RatePerHour float64
	Start       time.Duration
	Window      time.Duration
	Every       time.Duration
	Max         int
	Schedule    string
	Location    *time.Location
	PerFiring   int
	Tasks       []workload.Task
	Rate        *LoadConfig // tasks per hour, for "pattern"
}

// Distribution is a distribution of durations.
type Distribution struct {
	Kind   string        // fixed | exponential | lognormal | uniform | weibull | pareto
	Value  time.Duration // fixed value, exponential mean, Weibull scale
	Median time.Duration
	Sigma  float64
	Min    time.Duration // uniform lower bound, Pareto minimum
	Max    time.Duration
	Shape  float64 // Weibull shape, Pareto alpha
}

// Settings holds the model's tunables: AWS's documented defaults, or observed
// behaviour where AWS documents none (docs/semantics.md says which).
type Settings struct {
	// ReservedMemoryMiB is the ECS agent's ECS_RESERVED_MEMORY (default 0).
	ReservedMemoryMiB int64
	// KernelMemoryNumerator/Denominator scale installed memory to what the OS
	// reports (AWS's example: an m4.large's 8192 MiB registers 7985 MiB).
	KernelMemoryNumerator, KernelMemoryDenominator int64
	// ContainerStartTime is the time from the end of the image pull to RUNNING.
	ContainerStartTime time.Duration
	// ImagePullBytesPerSecond is an EC2 instance's pull bandwidth.
	ImagePullBytesPerSecond int64
	// FargateStartTime is Fargate's provisioning time before the image pull.
	FargateStartTime time.Duration
	// FargatePullBytesPerSecond is a Fargate task's pull bandwidth.
	FargatePullBytesPerSecond int64
	// DefaultStopTimeout is a container's stopTimeout when unset (ECS: 30 s).
	DefaultStopTimeout time.Duration
	// SampleEvery is the recording period (CloudWatch's one minute).
	SampleEvery time.Duration
	// AMIID is the ecs.ami-id attribute of launched instances.
	AMIID string
	// ImagePullBehavior is the agent's ECS_IMAGE_PULL_BEHAVIOR: default,
	// always, once or prefer-cached.
	ImagePullBehavior string
	// CachedPullTime is a pull of an image the instance already holds under
	// the default and always behaviours (choice: 1 s, a manifest check).
	CachedPullTime time.Duration
	// SpotInstanceDraining is the agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING:
	// on an EC2 Spot notice the instance drains. AWS: off by default.
	SpotInstanceDraining bool
	// SpotNotice is the EC2 and Fargate Spot interruption warning (2 min).
	SpotNotice time.Duration
	// FargateSpotInterruptionsPerTaskHour is how often Fargate Spot reclaims a task.
	FargateSpotInterruptionsPerTaskHour float64
	// ThrottleBase and ThrottleMax shape the service throttle's wait after
	// repeated start failures: doubling from the base, capped at the max
	// (AWS documents only the 27-minute cap).
	ThrottleBase, ThrottleMax time.Duration
	// InstanceFailureDetection is how long the group takes to notice a failed
	// instance and replace it (choice: 3 min of failed EC2 status checks).
	InstanceFailureDetection time.Duration
	// TaskEvents records every task state change and placement failure in
	// the event log; large runs turn it off (the summary still counts them;
	// scaling, instance and deployment events stay).
	TaskEvents bool
	// ServiceSeries records per-service columns in the per-minute series.
	ServiceSeries bool
	// SpotDiscount is the Spot price as a fraction off On-Demand (choice 0.7).
	SpotDiscount float64
}

// capacityConfig is the part of the scenario capacity runs on: built anew
// for each run (a run never writes to its Config).
func (cfg *Config) capacityConfig() *capacity.Config {
	return &capacity.Config{
		Zones:  cfg.Cluster.AvailabilityZones,
		Groups: cfg.Groups,
		Settings: capacity.Settings{
			SpotNotice:               cfg.Settings.SpotNotice,
			InstanceFailureDetection: cfg.Settings.InstanceFailureDetection,
			ImagePullBytesPerSecond:  cfg.Settings.ImagePullBytesPerSecond,
			CachedPullTime:           cfg.Settings.CachedPullTime,
		},
	}
}

// DefaultSettings returns the documented (or observed, where undocumented)
// defaults.
func DefaultSettings() Settings {
	return Settings{
		ReservedMemoryMiB:         0,
		KernelMemoryNumerator:     7985,
		KernelMemoryDenominator:   8192,
		ContainerStartTime:        2 * time.Second,
		ImagePullBytesPerSecond:   100 << 20,
		FargateStartTime:          30 * time.Second,
		FargatePullBytesPerSecond: 50 << 20,
		DefaultStopTimeout:        30 * time.Second,
		SampleEvery:               time.Minute,
		AMIID:                     "ami-0fleetsim0ecs0opt",
		SpotNotice:                2 * time.Minute,
		ImagePullBehavior:         "default",
		CachedPullTime:            time.Second,
		ThrottleBase:              15 * time.Second,
		ThrottleMax:               27 * time.Minute,
		InstanceFailureDetection:  3 * time.Minute,
		TaskEvents:                true,
		ServiceSeries:             true,
		SpotDiscount:              0.7,
	}
}

// CPUUnits is the task's CPU reservation: the task-level value, or the sum of
// its containers' cpu.
func (td *TaskDefinition) CPUUnits() int {
	if td.CPU > 0 {
		return td.CPU
	}
	sum := 0
	for _, c := range td.Containers {
		sum += c.CPU
	}
	return sum
}

// ReservedMemoryMiB is the task's memory reservation: the task-level value, or
// the sum over containers of memoryReservation where set, else memory.
// AWS (ECS Developer Guide, "Reserving Amazon ECS Linux container instance
// memory" and the task definition parameters page).
func (td *TaskDefinition) ReservedMemoryMiB() int {
	if td.MemoryMiB > 0 {
		return td.MemoryMiB
	}
	sum := 0
	for _, c := range td.Containers {
		if c.MemoryReservationMiB > 0 {
			sum += c.MemoryReservationMiB
		} else {
			sum += c.MemoryMiB
		}
	}
	return sum
}

// ImageBytes is the total size of the task's images.
func (td *TaskDefinition) ImageBytes() int64 {
	var n int64
	for _, c := range td.Containers {
		n += c.ImageSizeBytes
	}
	return n
}

// StaticHostPorts is the host ports the task claims on its instance: host mode
// uses each container port; bridge mode the non-zero host ports. Dynamic
// bridge ports and awsvpc tasks claim none.
func (td *TaskDefinition) StaticHostPorts() []int {
	var ports []int
	for _, c := range td.Containers {
		for _, pm := range c.PortMappings {
			switch td.NetworkMode {
			case NetworkHost:
				ports = append(ports, pm.ContainerPort)
			case NetworkBridge:
				if pm.HostPort != 0 {
					ports = append(ports, pm.HostPort)
				}
			}
		}
	}
	return ports
}

// recheckCached reports whether the pull behaviour goes to the registry even
// for a cached image.
func (s Settings) recheckCached() bool {
	return s.ImagePullBehavior == "default" || s.ImagePullBehavior == "always" || s.ImagePullBehavior == ""
}

// RegisteredMemoryMiB is what the ECS agent registers for an instance type.
func (s Settings) RegisteredMemoryMiB(it catalog.InstanceType) int64 {
	m := it.MemoryMiB
	if s.KernelMemoryDenominator > 0 {
		m = m * s.KernelMemoryNumerator / s.KernelMemoryDenominator
	}
	return m - s.ReservedMemoryMiB
}

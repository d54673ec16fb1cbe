// Package ecs is Amazon ECS on fleetsim's EC2 capacity: container
// instances over capacity's instances, task definitions, tasks and their
// lifecycle, services with deployments, health and Application Auto
// Scaling, capacity providers with managed scaling, Fargate, and RunTask
// jobs. It implements capacity.Orchestrator; the policy packages
// (placement, autoscale, workload) decide, ecs applies. sim wires it to the
// kernel and capacity for a run.
package ecs

import (
	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/placement"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/workload"
)

// Config is what the ECS side of a run needs: the cluster, the groups its
// capacity providers use (read only: capacity owns them), and the ECS
// resources. sim builds it from the scenario; a run never writes to it.
type Config struct {
	Region   string
	Start    time.Time // calendar instant of simulated time zero
	Duration time.Duration

	Cluster           ClusterConfig
	Groups            []capacity.GroupConfig
	CapacityProviders []CapacityProviderConfig
	TaskDefinitions   []TaskDefinition
	Services          []ServiceConfig
	BatchJobs         []BatchJobConfig
	Settings          Settings
}

// Settings are ECS's tunables: AWS's documented defaults, or observed
// behaviour where AWS documents none (docs/semantics.md says which).
type Settings struct {
	RegisteredMemory
	// ContainerStartTime is the time from the end of the image pull to RUNNING.
	ContainerStartTime time.Duration
	// FargateStartTime is Fargate's provisioning time before the image pull.
	FargateStartTime time.Duration
	// FargatePullBytesPerSecond is a Fargate task's pull bandwidth.
	FargatePullBytesPerSecond int64
	// SampleEvery is the metric period (CloudWatch's one minute).
	SampleEvery time.Duration
	// AMIID is the ecs.ami-id attribute of launched instances.
	AMIID string
	// ImagePullBehavior is the agent's ECS_IMAGE_PULL_BEHAVIOR: default,
	// always, once or prefer-cached.
	ImagePullBehavior string
	// SpotInstanceDraining is the agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING.
	SpotInstanceDraining bool
	// SpotNotice is the Fargate Spot interruption warning (2 min).
	SpotNotice time.Duration
	// FargateSpotInterruptionsPerTaskHour is how often Fargate Spot reclaims a task.
	FargateSpotInterruptionsPerTaskHour float64
	// ThrottleBase and ThrottleMax shape the service throttle's wait.
	ThrottleBase, ThrottleMax time.Duration
	// TaskEvents records every task state change and placement failure.
	TaskEvents bool
	// ServiceSeries records per-service columns in the per-minute series.
	ServiceSeries bool
	// NoSeries keeps the series' column names and no rows (sim.Config.NoSeries).
	NoSeries bool
	// NoState leaves Outcome.State the zero StateSource, which describes
	// State{}, and lets the tasks go at the end (sim.Config.NoState).
	NoState bool
	// MixedGroupsScaleByMinimumStep takes the ManagedScaling API
	// reference's reading for groups with several instance types or zones:
	// scale out by exactly the minimum step. Off: the behaviour page's
	// binpacked estimate, bounded by the step sizes (the default).
	MixedGroupsScaleByMinimumStep bool
	// WarmUp is the start of the run the steady figures leave out (slo.go):
	// availability, SLO attainment, objectives, placement waits of tasks
	// created during it, and the instance peak. 0: none.
	WarmUp time.Duration
	// LaunchRates are ECS's and Fargate's task launch rates and the
	// PROVISIONING cap (launchrate.go); nil: unlimited.
	LaunchRates *LaunchRates
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

// CapacityProviderConfig binds an Auto Scaling group to the cluster.
type CapacityProviderConfig struct {
	Name  string
	Group int // index into Config.Groups

	ManagedScaling               *ManagedScalingConfig // nil: DISABLED
	ManagedTerminationProtection bool
	ManagedDraining              bool
	// ManagedInstances makes it an Amazon ECS Managed Instances provider
	// (managedinstances_types.go): ECS launches and retires its group's
	// instances. Nil: an Auto Scaling group's provider.
	ManagedInstances *ManagedInstancesConfig
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

// Attribute is a container instance attribute (capacity's type: a group's
// custom attributes, which ECS registers beside its own).
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
	PlacementConstraints    []placement.Constraint // memberOf only, parsed by scenarios
	StopTimeout             time.Duration          // per task: the longest of its containers'
	HealthCheck             *HealthCheck           // the essential container's; nil: none
	// Failure modes, to rehearse a bad deploy: the image cannot be pulled
	// (every task stops TaskFailedToStart), or the container never passes
	// its health check.
	FailsToStart, FailsHealthCheck bool
	// SimulateAlarmAfter rehearses a revision only its CloudWatch alarm
	// catches: the service's deployment alarms go into ALARM this long
	// after the revision first serves production traffic (0: never;
	// deploy_strategy.go).
	SimulateAlarmAfter time.Duration
	// Platform is the runtimePlatform: CPU architecture and OS family
	// (platform.go). It prices Fargate tasks; on EC2, scenarios turns it
	// into the implied ecs.cpu-architecture / ecs.os-type constraint.
	Platform Platform
	// EphemeralStorageGiB is a Fargate task's ephemeralStorage.sizeInGiB
	// (0: the 20 GiB every Fargate task includes); it is billed, not
	// placed.
	EphemeralStorageGiB int
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
	GPUs                 int // resourceRequirements GPU: physical GPUs the agent reserves (platform.go)
}

// PortMapping maps a container port to a host port; HostPort 0 in bridge mode
// asks for a dynamic port.
type PortMapping struct {
	ContainerPort int
	HostPort      int
	Protocol      string
}

// ServiceConfig is an ECS service using the REPLICA scheduling strategy.
type ServiceConfig struct {
	Name                    string
	TaskDefinition          int // index into Config.TaskDefinitions
	DesiredCount            int
	LaunchType              string // "EC2" or "FARGATE" when no provider strategy is given
	ProviderStrategy        []StrategyItem
	PlacementStrategy       []placement.Strategy   // parsed and checked by scenarios (placement.ParseStrategy)
	PlacementConstraints    []placement.Constraint // with parsed Cluster Query Language expressions
	MinimumHealthyPercent   int
	MaximumPercent          int
	HealthCheckGracePeriod  time.Duration
	TaskFailuresPerTaskHour float64 // essential-container exits per running task-hour
	Load                    *LoadConfig
	AutoScaling             *AutoScalingConfig
	CircuitBreaker          *CircuitBreakerConfig
	LoadBalancer            *LoadBalancerConfig
	// AZRebalancing is availabilityZoneRebalancing (ENABLED: true). AWS:
	// CreateService defaults it to ENABLED.
	AZRebalancing bool
	// SLO is the service's objectives (slo.go); nil: none.
	SLO *SLOConfig
	// Deployment is the deployment strategy beyond the rolling bounds
	// (deploy_strategy.go); nil: ROLLING without alarms.
	Deployment *DeploymentStrategyConfig
	// Daemon is schedulingStrategy DAEMON (daemon.go): one task on each
	// ACTIVE container instance that meets the placement constraints; no
	// desired count, no auto scaling.
	Daemon bool
	// Protection is the workload rule that sets its tasks' scale-in
	// protection (protection.go); nil: none.
	Protection *TaskProtectionRule
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
//     Auto Scaling schedule expression, parsed in its time zone by
//     scenarios);
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
	Schedule    autoscale.Schedule
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

// RegisteredMemory is the ECS agent's share of an instance's memory: the
// kernel's share (AWS's example: an m4.large's 8192 MiB registers 7985
// MiB) and ECS_RESERVED_MEMORY.
type RegisteredMemory struct {
	ReservedMiB                                    int64
	KernelMemoryNumerator, KernelMemoryDenominator int64
}

// RegisteredMemoryMiB is what the ECS agent registers for an instance type.
func (r RegisteredMemory) RegisteredMemoryMiB(it catalog.InstanceType) int64 {
	m := it.MemoryMiB
	if r.KernelMemoryDenominator > 0 {
		m = m * r.KernelMemoryNumerator / r.KernelMemoryDenominator
	}
	return m - r.ReservedMiB
}

// recheckCached reports whether the pull behaviour goes to the registry even
// for a cached image.
func (s Settings) recheckCached() bool {
	return s.ImagePullBehavior == "default" || s.ImagePullBehavior == "always" || s.ImagePullBehavior == ""
}

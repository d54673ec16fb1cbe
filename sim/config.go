// Package sim wires one run: the kernel (sim/des), EC2 capacity
// (sim/capacity) and the orchestrator the scenario names (sim/ecs), sharing
// one event log (sim/schema). It owns the run's configuration and its
// timeline of operations, and puts together what the run recorded.
package sim

import (
	"cmp"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// Config is a validated scenario: everything a run needs, with references
// resolved to indexes and every default filled in. The scenarios package
// builds it from TOML; tests build it directly. A run never writes to it.
type Config struct {
	Name        string
	Description string
	Start       time.Time // calendar instant of simulated time zero
	Duration    time.Duration
	Seed        uint64
	Region      string

	Cluster           ecs.ClusterConfig
	Groups            []capacity.GroupConfig
	CapacityProviders []ecs.CapacityProviderConfig
	TaskDefinitions   []ecs.TaskDefinition
	Services          []ecs.ServiceConfig
	BatchJobs         []ecs.BatchJobConfig
	Settings          Settings
	Timeline          []TimelineEntry
	Billing           *catalog.Billing // [billing]: operating system, commitments; nil: none
	EKS               *eks.Config      // an EKS cluster (scenario [eks]); nil: the ECS cluster above
	// ECR is the registry both orchestrators pull from ([ecr],
	// docs/semantics/ecr.md); nil: pulls at the instance's bandwidth.
	ECR *capacity.ECRConfig
	// Explain chooses the services whose placements explain.json lays out
	// (an EKS run: EKS.Explain).
	Explain []ecs.ExplainSelector
	// NoSeries keeps an ECS run's per-minute series to its column names,
	// with no rows: for what reads only the summary, the usage and the
	// cost (a sweep's runs), the run is otherwise the same, and allocates
	// half as much at the default scenario's size. An EKS run keeps its
	// series (its idle cost reads it). Not a scenario key.
	NoSeries bool
	// NoState keeps no final state (state.json: ECS's describe calls, or
	// an EKS run's nodes and pods): for what never writes state.json (a
	// sweep's runs). Result.State describes State{} and EKS.State stays
	// empty; the run is otherwise the same. An ECS run describes its final
	// state only when asked (ecs.StateSource), so NoState lets its tasks
	// go at the end; an EKS run's would be built (at 10,000 instances
	// describing them and their tasks was a sixth of a day's instructions:
	// docs/sweeps.md). Not a scenario key.
	NoState bool
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
	// protect_tasks: protectionEnabled and expiresInMinutes (ecs.ProtectionUpdate).
	ProtectionEnabled bool
	ExpiresIn         time.Duration
	// Refresh is an instance_refresh's preferences (capacity.StartInstanceRefresh).
	Refresh capacity.RefreshPreferences
}

// Settings holds the scenario's tunables, for capacity and ECS alike: AWS's documented defaults, or observed
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
	// MixedGroupsScaleByMinimumStep: ecs.Settings says.
	MixedGroupsScaleByMinimumStep bool
	// SpotDiscount is the Spot price as a fraction off On-Demand (choice 0.7).
	SpotDiscount float64
	// WarmUp is the start of the run the steady figures leave out
	// (ecs.Settings.WarmUp; docs/semantics/report.md, "Warm-up"). 0: none.
	WarmUp time.Duration
	// LaunchRates are ECS's and Fargate's task launch rates (ecs.LaunchRates); nil: unlimited.
	LaunchRates *ecs.LaunchRates
}

// zones are the run's Availability Zones: the ECS cluster's, or the EKS
// cluster's.
func (cfg *Config) zones() []string {
	if cfg.EKS != nil && len(cfg.Cluster.AvailabilityZones) == 0 {
		return cfg.EKS.Zones
	}
	return cfg.Cluster.AvailabilityZones
}

// capacityConfig is the part of the scenario capacity runs on: built anew
// for each run (a run never writes to its Config).
func (cfg *Config) capacityConfig() *capacity.Config {
	return &capacity.Config{
		Zones:  cfg.zones(),
		Groups: cfg.Groups,
		Settings: capacity.Settings{
			SpotNotice:               cfg.Settings.SpotNotice,
			InstanceFailureDetection: cfg.Settings.InstanceFailureDetection,
			ImagePullBytesPerSecond:  cfg.Settings.ImagePullBytesPerSecond,
			CachedPullTime:           cfg.Settings.CachedPullTime,
		},
		ECR: cfg.ECR,
	}
}

// eksEnv is what the EKS world needs of the run around it.
func (cfg *Config) eksEnv() eks.Env {
	return eks.Env{Start: cfg.Start, Region: cfg.Region, Duration: cfg.Duration,
		SampleEvery: cmp.Or(cfg.EKS.Settings.SampleEvery, cfg.Settings.SampleEvery), NoState: cfg.NoState}
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

// RegisteredMemoryMiB is what the ECS agent registers for an instance type.
func (s Settings) RegisteredMemoryMiB(it catalog.InstanceType) int64 {
	return s.registeredMemory().RegisteredMemoryMiB(it)
}

func (s Settings) registeredMemory() ecs.RegisteredMemory {
	return ecs.RegisteredMemory{ReservedMiB: s.ReservedMemoryMiB, KernelMemoryNumerator: s.KernelMemoryNumerator,
		KernelMemoryDenominator: s.KernelMemoryDenominator}
}

// ecsConfig is the part of the scenario ECS runs on, built anew for each
// run (its slices are the Config's, read only).
func (cfg *Config) ecsConfig() *ecs.Config {
	s := cfg.Settings
	return &ecs.Config{
		Region:            cfg.Region,
		Start:             cfg.Start,
		Duration:          cfg.Duration,
		Cluster:           cfg.Cluster,
		Groups:            cfg.Groups,
		CapacityProviders: cfg.CapacityProviders,
		TaskDefinitions:   cfg.TaskDefinitions,
		Services:          cfg.Services,
		BatchJobs:         cfg.BatchJobs,
		Settings: ecs.Settings{
			RegisteredMemory:                    s.registeredMemory(),
			ContainerStartTime:                  s.ContainerStartTime,
			FargateStartTime:                    s.FargateStartTime,
			FargatePullBytesPerSecond:           s.FargatePullBytesPerSecond,
			SampleEvery:                         s.SampleEvery,
			AMIID:                               s.AMIID,
			ImagePullBehavior:                   s.ImagePullBehavior,
			SpotInstanceDraining:                s.SpotInstanceDraining,
			SpotNotice:                          s.SpotNotice,
			FargateSpotInterruptionsPerTaskHour: s.FargateSpotInterruptionsPerTaskHour,
			ThrottleBase:                        s.ThrottleBase,
			ThrottleMax:                         s.ThrottleMax,
			TaskEvents:                          s.TaskEvents,
			ServiceSeries:                       s.ServiceSeries,
			NoSeries:                            cfg.NoSeries,
			NoState:                             cfg.NoState,
			MixedGroupsScaleByMinimumStep:       s.MixedGroupsScaleByMinimumStep,
			WarmUp:                              s.WarmUp,
			LaunchRates:                         s.LaunchRates,
		},
	}
}

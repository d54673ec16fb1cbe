package scenarios

import "time"

// The TOML schema. Keys are snake_case versions of AWS's field names so that a
// reader who knows the ECS console or CLI recognises them. Pointers mark
// values whose absence matters (a default applies, or "unset" differs from 0).
// Every key here is implemented; a key the simulator does not model is an
// unknown key, never silently ignored.

type fileSchema struct {
	Name              string           `toml:"name"`
	Description       string           `toml:"description"`
	Start             *time.Time       `toml:"start"`
	Duration          Duration         `toml:"duration"`
	Seed              *int64           `toml:"seed"`
	Region            string           `toml:"region"`
	Cluster           clusterSchema    `toml:"cluster"`
	AutoScalingGroups []asgSchema      `toml:"auto_scaling_groups"`
	CapacityProviders []providerSchema `toml:"capacity_providers"`
	TaskDefinitions   []taskDefSchema  `toml:"task_definitions"`
	Services          []serviceSchema  `toml:"services"`
	BatchJobs         []batchJobSchema `toml:"batch_jobs"`
	Settings          settingsSchema   `toml:"settings"`
	Report            reportSchema     `toml:"report"`
}

type clusterSchema struct {
	Name                            string           `toml:"name"`
	AvailabilityZones               []string         `toml:"availability_zones"`
	DefaultCapacityProviderStrategy []strategySchema `toml:"default_capacity_provider_strategy"`
	ENITrunking                     bool             `toml:"eni_trunking"`
	VPCID                           string           `toml:"vpc_id"`
}

type strategySchema struct {
	CapacityProvider string `toml:"capacity_provider"`
	Base             int    `toml:"base"`
	Weight           *int   `toml:"weight"`
}

type asgSchema struct {
	Name               string            `toml:"name"`
	InstanceTypes      []string          `toml:"instance_types"`
	MinSize            *int              `toml:"min_size"`
	MaxSize            *int              `toml:"max_size"`
	DesiredCapacity    *int              `toml:"desired_capacity"`
	AvailabilityZones  []string          `toml:"availability_zones"`
	InstanceLaunchTime *Duration         `toml:"instance_launch_time"`
	Attributes         map[string]string `toml:"attributes"`
}

type providerSchema struct {
	Name             string `toml:"name"`
	AutoScalingGroup string `toml:"auto_scaling_group"`
}

type taskDefSchema struct {
	Family                  string              `toml:"family"`
	Revision                int                 `toml:"revision"`
	File                    string              `toml:"file"`
	NetworkMode             string              `toml:"network_mode"`
	RequiresCompatibilities []string            `toml:"requires_compatibilities"`
	CPU                     int                 `toml:"cpu"`
	Memory                  int                 `toml:"memory"`
	ContainerDefinitions    []containerSchema   `toml:"container_definitions"`
	PlacementConstraints    []constraintSchema  `toml:"placement_constraints"`
	ImageSizes              map[string]ByteSize `toml:"image_sizes"` // for file= definitions: image -> size
}

type containerSchema struct {
	Name              string              `toml:"name"`
	Image             string              `toml:"image"`
	ImageSize         ByteSize            `toml:"image_size"`
	Essential         *bool               `toml:"essential"`
	CPU               int                 `toml:"cpu"`
	Memory            int                 `toml:"memory"`
	MemoryReservation int                 `toml:"memory_reservation"`
	PortMappings      []portMappingSchema `toml:"port_mappings"`
	StopTimeout       *Duration           `toml:"stop_timeout"`
}

type portMappingSchema struct {
	ContainerPort int    `toml:"container_port"`
	HostPort      int    `toml:"host_port"`
	Protocol      string `toml:"protocol"`
}

type placementStrategySchema struct {
	Type  string `toml:"type"`
	Field string `toml:"field"`
}

type constraintSchema struct {
	Type       string `toml:"type"`
	Expression string `toml:"expression"`
}

type deploymentSchema struct {
	MinimumHealthyPercent *int `toml:"minimum_healthy_percent"`
	MaximumPercent        *int `toml:"maximum_percent"`
}

type serviceSchema struct {
	Name                     string                    `toml:"name"`
	TaskDefinition           string                    `toml:"task_definition"`
	DesiredCount             int                       `toml:"desired_count"`
	LaunchType               string                    `toml:"launch_type"`
	CapacityProviderStrategy []strategySchema          `toml:"capacity_provider_strategy"`
	PlacementStrategy        []placementStrategySchema `toml:"placement_strategy"`
	PlacementConstraints     []constraintSchema        `toml:"placement_constraints"`
	DeploymentConfiguration  deploymentSchema          `toml:"deployment_configuration"`
	HealthCheckGracePeriod   Duration                  `toml:"health_check_grace_period"`
	TaskFailuresPerTaskHour  float64                   `toml:"task_failures_per_task_hour"`
}

type arrivalsSchema struct {
	Pattern     string   `toml:"pattern"`
	RatePerHour float64  `toml:"rate_per_hour"`
	Start       Duration `toml:"start"`
	ActiveFor   Duration `toml:"active_for"`
	Every       Duration `toml:"every"`
	MaxTasks    int      `toml:"max_tasks"`
}

type durationSchema struct {
	Distribution string   `toml:"distribution"`
	Value        Duration `toml:"value"`
	Mean         Duration `toml:"mean"`
	Median       Duration `toml:"median"`
	Sigma        float64  `toml:"sigma"`
	Min          Duration `toml:"min"`
	Max          Duration `toml:"max"`
}

type batchJobSchema struct {
	Name                     string           `toml:"name"`
	TaskDefinition           string           `toml:"task_definition"`
	LaunchType               string           `toml:"launch_type"`
	CapacityProviderStrategy []strategySchema `toml:"capacity_provider_strategy"`
	Arrivals                 arrivalsSchema   `toml:"arrivals"`
	Duration                 durationSchema   `toml:"duration"`
}

type settingsSchema struct {
	ReservedMemoryMiB    *int64     `toml:"ecs_reserved_memory_mib"`
	ContainerStartTime   *Duration  `toml:"container_start_time"`
	ImagePullBandwidth   *Bandwidth `toml:"image_pull_bandwidth"`
	FargateStartTime     *Duration  `toml:"fargate_start_time"`
	FargatePullBandwidth *Bandwidth `toml:"fargate_image_pull_bandwidth"`
	AMIID                string     `toml:"ami_id"`
}

type reportSchema struct {
	Outputs []string `toml:"outputs"`
}

package scenarios

// The TOML schema. Keys are snake_case versions of AWS's field names so that a
// reader who knows the ECS console or CLI recognises them. Pointers mark
// values whose absence matters (a default applies, or "unset" differs from 0).
// Every key here is implemented; a key the simulator does not model is an
// unknown key, never silently ignored.
//
// Before any of it is read, checkValues (values.go) walks every value here:
// a float must be finite, and a DateTime must carry an offset (it is an
// instant) unless its field is tagged calendar:"day" (a date, read in a time
// zone the scenario names).

type fileSchema struct {
	Name              string           `toml:"name"`
	Description       string           `toml:"description"`
	Start             *DateTime        `toml:"start"`
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
	Timeline          []timelineSchema `toml:"timeline"`
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

	OnDemandBaseCapacity                int     `toml:"on_demand_base_capacity"`
	OnDemandPercentageAboveBaseCapacity *int    `toml:"on_demand_percentage_above_base_capacity"`
	SpotAllocationStrategy              string  `toml:"spot_allocation_strategy"`
	SpotInterruptionsPerInstanceHour    float64 `toml:"spot_interruptions_per_instance_hour"`
	NewInstancesProtectedFromScaleIn    bool    `toml:"new_instances_protected_from_scale_in"`
}

type providerSchema struct {
	Name                         string                `toml:"name"`
	AutoScalingGroup             string                `toml:"auto_scaling_group"`
	ManagedScaling               *managedScalingSchema `toml:"managed_scaling"`
	ManagedTerminationProtection string                `toml:"managed_termination_protection"`
	ManagedDraining              string                `toml:"managed_draining"`
}

type managedScalingSchema struct {
	Status                 string    `toml:"status"`
	TargetCapacity         *int      `toml:"target_capacity"`
	MinimumScalingStepSize *int      `toml:"minimum_scaling_step_size"`
	MaximumScalingStepSize *int      `toml:"maximum_scaling_step_size"`
	InstanceWarmupPeriod   *Duration `toml:"instance_warmup_period"`
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
	HealthCheck             *healthCheckSchema  `toml:"health_check"`
	FailsToStart            bool                `toml:"simulate_image_pull_failure"`
	FailsHealthCheck        bool                `toml:"simulate_failing_health_check"`
}

type healthCheckSchema struct {
	Interval    *Duration `toml:"interval"`
	Retries     *int      `toml:"retries"`
	StartPeriod Duration  `toml:"start_period"`
}

type circuitBreakerSchema struct {
	Enable   bool `toml:"enable"`
	Rollback bool `toml:"rollback"`
}

type timelineSchema struct {
	At                    Duration  `toml:"at"`
	Time                  *DateTime `toml:"time"`
	Action                string    `toml:"action"`
	Service               string    `toml:"service"`
	TaskDefinition        string    `toml:"task_definition"`
	DesiredCount          *int      `toml:"desired_count"`
	MinimumHealthyPercent *int      `toml:"minimum_healthy_percent"`
	MaximumPercent        *int      `toml:"maximum_percent"`
	AutoScalingGroup      string    `toml:"auto_scaling_group"`
	Count                 int       `toml:"count"`
	Fraction              float64   `toml:"fraction"`
	AvailabilityZone      string    `toml:"availability_zone"`
	Duration              Duration  `toml:"duration"`
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
	AZRebalancing            string                    `toml:"availability_zone_rebalancing"`
	DeploymentConfiguration  deploymentSchema          `toml:"deployment_configuration"`
	HealthCheckGracePeriod   Duration                  `toml:"health_check_grace_period"`
	TaskFailuresPerTaskHour  float64                   `toml:"task_failures_per_task_hour"`
	Load                     *loadSchema               `toml:"load"`
	AutoScaling              *autoScalingSchema        `toml:"auto_scaling"`
	CircuitBreaker           *circuitBreakerSchema     `toml:"deployment_circuit_breaker"`
	Copies                   int                       `toml:"copies"`
	LoadBalancer             *loadBalancerSchema       `toml:"load_balancer"`
}

type loadBalancerSchema struct {
	TargetGroup         string    `toml:"target_group"`
	HealthCheckInterval *Duration `toml:"health_check_interval"`
	HealthyThreshold    *int      `toml:"healthy_threshold"`
	UnhealthyThreshold  *int      `toml:"unhealthy_threshold"`
	DeregistrationDelay *Duration `toml:"deregistration_delay"`
}

type loadSchema struct {
	Pattern              string           `toml:"pattern"`
	BaseRPS              *float64         `toml:"base_rps"`
	PeakRPS              float64          `toml:"peak_rps"`
	PeakHour             float64          `toml:"peak_hour"`
	WeekendFactor        *float64         `toml:"weekend_factor"`
	Noise                float64          `toml:"noise"`
	Timezone             string           `toml:"timezone"`
	Steps                []loadStepSchema `toml:"steps"`
	CPUSecondsPerRequest float64          `toml:"cpu_seconds_per_request"`
	MemoryBaseMiB        float64          `toml:"memory_base_mib"`
	MemoryMiBPerRPS      float64          `toml:"memory_mib_per_rps"`
	LatencySLO           Duration         `toml:"latency_slo"`
	Queue                bool             `toml:"queue"`
	File                 string           `toml:"file"`
	TimeColumn           string           `toml:"time_column"`
	ValueColumn          string           `toml:"value_column"`
	TimeFormat           string           `toml:"time_format"`
	ValueUnit            string           `toml:"value_unit"`
	Scale                float64          `toml:"scale"`
	Speed                float64          `toml:"speed"`
	Loop                 bool             `toml:"loop"`
	Interpolation        string           `toml:"interpolation"`
	Shift                Duration         `toml:"shift"`
	Holidays             []DateTime       `toml:"holidays" calendar:"day"` // dates, in timezone
	RampStart            Duration         `toml:"ramp_start"`
	RampEnd              Duration         `toml:"ramp_end"`
	SpikeAt              Duration         `toml:"spike_at"`
	Rise                 Duration         `toml:"rise"`
	Decay                Duration         `toml:"decay"`
	Multiplier           float64          `toml:"multiplier"`
	AddedRPS             float64          `toml:"added_rps"`
	Components           []loadSchema     `toml:"components"`
	WalkSigma            float64          `toml:"walk_sigma"`
	WalkReversion        Duration         `toml:"walk_reversion"`
	ClipMin              float64          `toml:"clip_min"`
	ClipMax              float64          `toml:"clip_max"`
}

type loadStepSchema struct {
	At  Duration `toml:"at"`
	RPS float64  `toml:"rps"`
}

type autoScalingSchema struct {
	MinCapacity      *int                   `toml:"min_capacity"`
	MaxCapacity      *int                   `toml:"max_capacity"`
	PublicationDelay Duration               `toml:"metric_publication_delay"`
	TargetTracking   []targetTrackingSchema `toml:"target_tracking"`
	StepScaling      []stepScalingSchema    `toml:"step_scaling"`
	ScheduledActions []scheduledSchema      `toml:"scheduled_actions"`
}

type targetTrackingSchema struct {
	Name                 string    `toml:"name"`
	PredefinedMetric     string    `toml:"predefined_metric"`
	CustomMetric         string    `toml:"custom_metric"`
	TargetValue          float64   `toml:"target_value"`
	ScaleOutCooldown     *Duration `toml:"scale_out_cooldown"`
	ScaleInCooldown      *Duration `toml:"scale_in_cooldown"`
	DisableScaleIn       bool      `toml:"disable_scale_in"`
	ScaleOutDatapoints   int       `toml:"scale_out_datapoints"`
	ScaleInDatapoints    int       `toml:"scale_in_datapoints"`
	ScaleInTargetPercent float64   `toml:"scale_in_threshold_percent_of_target"`
}

type stepScalingSchema struct {
	Name                   string                 `toml:"name"`
	Metric                 string                 `toml:"metric"`
	Comparison             string                 `toml:"comparison"`
	Threshold              float64                `toml:"threshold"`
	EvaluationPeriods      int                    `toml:"evaluation_periods"`
	DatapointsToAlarm      int                    `toml:"datapoints_to_alarm"`
	TreatMissingData       string                 `toml:"treat_missing_data"`
	AdjustmentType         string                 `toml:"adjustment_type"`
	MinAdjustmentMagnitude int                    `toml:"min_adjustment_magnitude"`
	Cooldown               *Duration              `toml:"cooldown"`
	MetricAggregationType  string                 `toml:"metric_aggregation_type"`
	StepAdjustments        []stepAdjustmentSchema `toml:"step_adjustments"`
}

type stepAdjustmentSchema struct {
	Lower      *float64 `toml:"metric_interval_lower_bound"`
	Upper      *float64 `toml:"metric_interval_upper_bound"`
	Adjustment int      `toml:"scaling_adjustment"`
}

type scheduledSchema struct {
	Name        string    `toml:"name"`
	Schedule    string    `toml:"schedule"`
	Timezone    string    `toml:"timezone"`
	StartTime   *DateTime `toml:"start_time"`
	EndTime     *DateTime `toml:"end_time"`
	MinCapacity *int      `toml:"min_capacity"`
	MaxCapacity *int      `toml:"max_capacity"`
}

type arrivalsSchema struct {
	Pattern     string   `toml:"pattern"`
	RatePerHour float64  `toml:"rate_per_hour"`
	Start       Duration `toml:"start"`
	ActiveFor   Duration `toml:"active_for"`
	Every       Duration `toml:"every"`
	MaxTasks    int      `toml:"max_tasks"`
	// cron
	Schedule       string `toml:"schedule"`
	Timezone       string `toml:"timezone"`
	TasksPerFiring int    `toml:"tasks_per_firing"`
	// trace
	File                 string `toml:"file"`
	Format               string `toml:"format"` // swf | csv
	CPUUnitsPerProcessor int    `toml:"cpu_units_per_processor"`
	DefaultMemoryMiB     int    `toml:"default_memory_mib"`
	ArrivalColumn        string `toml:"arrival_column"`
	DurationColumn       string `toml:"duration_column"`
	CPUColumn            string `toml:"cpu_column"`
	MemoryColumn         string `toml:"memory_column"`
	// pattern: the rate in tasks per hour, as a load pattern
	Rate *loadSchema `toml:"rate"`
}

type durationSchema struct {
	Distribution string   `toml:"distribution"`
	Value        Duration `toml:"value"`
	Mean         Duration `toml:"mean"`
	Median       Duration `toml:"median"`
	Sigma        float64  `toml:"sigma"`
	Min          Duration `toml:"min"`
	Max          Duration `toml:"max"`
	Scale        Duration `toml:"scale"`
	Shape        float64  `toml:"shape"`
	Alpha        float64  `toml:"alpha"`
}

type batchJobSchema struct {
	Name                     string           `toml:"name"`
	TaskDefinition           string           `toml:"task_definition"`
	LaunchType               string           `toml:"launch_type"`
	CapacityProviderStrategy []strategySchema `toml:"capacity_provider_strategy"`
	Arrivals                 arrivalsSchema   `toml:"arrivals"`
	Duration                 durationSchema   `toml:"duration"`
	Retries                  int              `toml:"retries"`
}

type settingsSchema struct {
	ReservedMemoryMiB                   *int64     `toml:"ecs_reserved_memory_mib"`
	ContainerStartTime                  *Duration  `toml:"container_start_time"`
	ImagePullBandwidth                  *Bandwidth `toml:"image_pull_bandwidth"`
	FargateStartTime                    *Duration  `toml:"fargate_start_time"`
	FargatePullBandwidth                *Bandwidth `toml:"fargate_image_pull_bandwidth"`
	AMIID                               string     `toml:"ami_id"`
	FargateSpotInterruptionsPerTaskHour float64    `toml:"fargate_spot_interruptions_per_task_hour"`
	ImagePullBehavior                   string     `toml:"image_pull_behavior"`
	ManagedScalingMixedGroups           string     `toml:"managed_scaling_mixed_groups"`
	SpotInstanceDraining                *bool      `toml:"spot_instance_draining"`
	ThrottleBase                        *Duration  `toml:"service_throttle_base"`
	ThrottleMax                         *Duration  `toml:"service_throttle_max"`
	InstanceFailureDetection            *Duration  `toml:"instance_failure_detection"`
	SpotDiscount                        *float64   `toml:"spot_discount"`
}

type reportSchema struct {
	Outputs       []string `toml:"outputs"`
	TaskEvents    *bool    `toml:"task_events"`
	ServiceSeries *bool    `toml:"service_series"`
}

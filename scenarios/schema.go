package scenarios

// The TOML schema. Keys are snake_case versions of AWS's field names so that a
// reader who knows the ECS console or CLI recognises them. Pointers mark
// values whose absence matters (a default applies, or "unset" differs from 0).
// Every key here is implemented; a key the simulator does not model is an
// unknown key, never silently ignored.
//
// The document is read into it by treeDecoder (decode.go), key by key, so
// that a value of the wrong type is one problem among the others. Before any
// of it is read, checkValues (values.go) walks every value here: a float
// must be finite, a DateTime must carry an offset (it is an instant) unless
// its field is tagged calendar:"day" (a date, read in a time zone the
// scenario names), and every count, rate, size and duration is within its
// bound: the max (min, tiny, maxitems, maxlen) tags, why:"..." naming AWS's
// limit where the bound is AWS's (docs/semantics.md, "Limits"). A numeric
// key without a max tag fails TestEveryNumericKeyHasABound.

type fileSchema struct {
	Name              string           `toml:"name"`
	Description       string           `toml:"description"`
	Start             *DateTime        `toml:"start"`
	Duration          Duration         `toml:"duration" max:"8784h"`
	Seed              *int64           `toml:"seed" min:"0" max:"9223372036854775807"`
	Region            string           `toml:"region"`
	Cluster           clusterSchema    `toml:"cluster"`
	AutoScalingGroups []asgSchema      `toml:"auto_scaling_groups"`
	CapacityProviders []providerSchema `toml:"capacity_providers" maxitems:"20" why:"AWS: capacity providers per cluster"`
	TaskDefinitions   []taskDefSchema  `toml:"task_definitions"`
	Services          []serviceSchema  `toml:"services"`
	BatchJobs         []batchJobSchema `toml:"batch_jobs"`
	Settings          settingsSchema   `toml:"settings"`
	Report            reportSchema     `toml:"report"`
	Quotas            quotasSchema     `toml:"quotas"`
	Timeline          []timelineSchema `toml:"timeline" maxitems:"10000"`
	Billing           *billingSchema   `toml:"billing"` // billing.go
	EKS               *eksSchema       `toml:"eks"`     // an EKS cluster instead of the ECS one (eks_schema.go)
	ECR               *ecrSchema       `toml:"ecr"`     // the ECR registry both orchestrators pull from (ecr.go)
	// Orchestrator runs [workload] on ECS or EKS (orchestrator.go).
	Orchestrator string          `toml:"orchestrator"`
	Workload     *workloadSchema `toml:"workload"`
	// Explain chooses the services and batch jobs whose task placements explain.json lays out (explain.go).
	Explain []explainTasksSchema `toml:"explain" maxitems:"100"`
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
	Base             int    `toml:"base" max:"100000" why:"AWS: CapacityProviderStrategyItem base"`
	Weight           *int   `toml:"weight" max:"1000" why:"AWS: CapacityProviderStrategyItem weight"`
}

type asgSchema struct {
	Name               string            `toml:"name"`
	InstanceTypes      []string          `toml:"instance_types" maxitems:"40" why:"AWS: instance types per Auto Scaling group"`
	MinSize            *int              `toml:"min_size" max:"100000"`
	MaxSize            *int              `toml:"max_size" max:"100000"`
	DesiredCapacity    *int              `toml:"desired_capacity" max:"100000"`
	AvailabilityZones  []string          `toml:"availability_zones"`
	InstanceLaunchTime *Duration         `toml:"instance_launch_time" max:"1h"`
	Attributes         map[string]string `toml:"attributes" maxitems:"10" why:"AWS: custom attributes per resource"`

	OnDemandBaseCapacity                int     `toml:"on_demand_base_capacity" max:"100000"`
	OnDemandPercentageAboveBaseCapacity *int    `toml:"on_demand_percentage_above_base_capacity" max:"100" why:"AWS: InstancesDistribution"`
	SpotAllocationStrategy              string  `toml:"spot_allocation_strategy"`
	SpotInterruptionsPerInstanceHour    float64 `toml:"spot_interruptions_per_instance_hour" max:"10"`
	NewInstancesProtectedFromScaleIn    bool    `toml:"new_instances_protected_from_scale_in"`

	// EC2 Auto Scaling extras (asgextras.go).
	WarmPool                    *warmPoolSchema          `toml:"warm_pool"`
	CapacityRebalance           bool                     `toml:"capacity_rebalance"`
	RebalanceRecommendationLead *Duration                `toml:"rebalance_recommendation_lead" min:"0s" max:"6h"`
	InstanceMaintenancePolicy   *maintenancePolicySchema `toml:"instance_maintenance_policy"`
}

type providerSchema struct {
	Name                         string                `toml:"name"`
	AutoScalingGroup             string                `toml:"auto_scaling_group"`
	ManagedScaling               *managedScalingSchema `toml:"managed_scaling"`
	ManagedTerminationProtection string                `toml:"managed_termination_protection"`
	ManagedDraining              string                `toml:"managed_draining"`
	// ManagedInstancesProvider makes it an Amazon ECS Managed Instances
	// provider, with no auto_scaling_group (managedinstances.go).
	ManagedInstancesProvider *miProviderSchema `toml:"managed_instances_provider"`
}

type managedScalingSchema struct {
	Status                 string    `toml:"status"`
	TargetCapacity         *int      `toml:"target_capacity" max:"100" why:"AWS: ManagedScaling"`
	MinimumScalingStepSize *int      `toml:"minimum_scaling_step_size" max:"10000" why:"AWS: ManagedScaling"`
	MaximumScalingStepSize *int      `toml:"maximum_scaling_step_size" max:"10000" why:"AWS: ManagedScaling"`
	InstanceWarmupPeriod   *Duration `toml:"instance_warmup_period" max:"10000s" why:"AWS: ManagedScaling"`
}

type taskDefSchema struct {
	Family                  string              `toml:"family"`
	Revision                *int                `toml:"revision" max:"1000000" why:"AWS: revisions per task definition family"`
	File                    string              `toml:"file"`
	NetworkMode             string              `toml:"network_mode"`
	RequiresCompatibilities []string            `toml:"requires_compatibilities" maxitems:"2" why:"EC2 and FARGATE"`
	CPU                     int                 `toml:"cpu" max:"196608" why:"AWS: task cpu on EC2, 192 vCPU"`
	Memory                  int                 `toml:"memory" max:"16777216"`
	ContainerDefinitions    []containerSchema   `toml:"container_definitions" maxitems:"10" why:"AWS: containers per task definition"`
	PlacementConstraints    []constraintSchema  `toml:"placement_constraints" maxitems:"10" why:"AWS: placement constraints per task"`
	ImageSizes              map[string]ByteSize `toml:"image_sizes" maxitems:"10" max:"100GiB"` // for file= definitions: image -> size
	HealthCheck             *healthCheckSchema  `toml:"health_check"`
	FailsToStart            bool                `toml:"simulate_image_pull_failure"`
	FailsHealthCheck        bool                `toml:"simulate_failing_health_check"`
	SimulateAlarmAfter      Duration            `toml:"simulate_alarm_after" min:"0s" max:"8784h"` // deploy_strategy.go
}

type healthCheckSchema struct {
	Interval    *Duration `toml:"interval" max:"300s" why:"AWS: HealthCheck interval"`
	Retries     *int      `toml:"retries" max:"10" why:"AWS: HealthCheck retries"`
	StartPeriod Duration  `toml:"start_period" max:"300s" why:"AWS: HealthCheck startPeriod"`
}

type circuitBreakerSchema struct {
	Enable   bool `toml:"enable"`
	Rollback bool `toml:"rollback"`
}

type timelineSchema struct {
	At                    Duration  `toml:"at" max:"8784h"`
	Time                  *DateTime `toml:"time"`
	Action                string    `toml:"action"`
	Service               string    `toml:"service"`
	TaskDefinition        string    `toml:"task_definition"`
	DesiredCount          *int      `toml:"desired_count" max:"1000000"`
	MinimumHealthyPercent *int      `toml:"minimum_healthy_percent" max:"100" why:"AWS: DeploymentConfiguration"`
	MaximumPercent        *int      `toml:"maximum_percent" max:"2000"`
	AutoScalingGroup      string    `toml:"auto_scaling_group"`
	Count                 int       `toml:"count" max:"100000"`
	Fraction              float64   `toml:"fraction" max:"1" why:"a share"`
	AvailabilityZone      string    `toml:"availability_zone"`
	Duration              Duration  `toml:"duration" min:"0s" max:"8784h"`
	// protect_tasks: protectionEnabled (default true; false removes protection).
	ProtectionEnabled *bool `toml:"protection_enabled"`
	// protect_tasks: expiresInMinutes, 1m to 2880m (48h), default 2h.
	ExpiresIn *Duration `toml:"expires_in" min:"0s" max:"8784h"`
	// instance_refresh: its RefreshPreferences (asgextras.go).
	Preferences *refreshSchema `toml:"preferences"`
}

type containerSchema struct {
	Name              string              `toml:"name"`
	Image             string              `toml:"image"`
	ImageSize         ByteSize            `toml:"image_size" max:"100GiB"`
	Essential         *bool               `toml:"essential"`
	CPU               int                 `toml:"cpu" max:"196608"`
	Memory            int                 `toml:"memory" max:"16777216"`
	MemoryReservation int                 `toml:"memory_reservation" max:"16777216"`
	PortMappings      []portMappingSchema `toml:"port_mappings" maxitems:"100"`
	StopTimeout       *Duration           `toml:"stop_timeout" max:"120s" why:"AWS: stopTimeout"`
}

type portMappingSchema struct {
	ContainerPort int    `toml:"container_port" max:"65535" why:"a port number"`
	HostPort      int    `toml:"host_port" max:"65535" why:"a port number"`
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
	MinimumHealthyPercent *int `toml:"minimum_healthy_percent" max:"100" why:"AWS: DeploymentConfiguration"`
	MaximumPercent        *int `toml:"maximum_percent" max:"2000"`
	// The strategy beyond rolling (deploy_strategy.go).
	Strategy            string                  `toml:"strategy"`
	BakeTimeInMinutes   *int                    `toml:"bake_time_in_minutes" min:"0" max:"1440" why:"AWS: DeploymentConfiguration bakeTimeInMinutes"`
	LinearConfiguration *linearSchema           `toml:"linear_configuration"`
	CanaryConfiguration *canarySchema           `toml:"canary_configuration"`
	LifecycleHooks      []lifecycleHookSchema   `toml:"lifecycle_hooks" maxitems:"100"`
	Alarms              *deploymentAlarmsSchema `toml:"alarms"`
}

type linearSchema struct {
	StepPercent           *float64 `toml:"step_percent" min:"3" max:"100" why:"AWS: LinearConfiguration stepPercent"`
	StepBakeTimeInMinutes *int     `toml:"step_bake_time_in_minutes" min:"0" max:"1440" why:"AWS: LinearConfiguration stepBakeTimeInMinutes"`
}

type canarySchema struct {
	CanaryPercent           *float64 `toml:"canary_percent" min:"0.1" max:"100" why:"AWS: CanaryConfiguration canaryPercent"`
	CanaryBakeTimeInMinutes *int     `toml:"canary_bake_time_in_minutes" min:"0" max:"1440" why:"AWS: CanaryConfiguration canaryBakeTimeInMinutes"`
}

type lifecycleHookSchema struct {
	Name             string    `toml:"name"`
	TargetType       string    `toml:"target_type"`
	LifecycleStages  []string  `toml:"lifecycle_stages" maxitems:"10"`
	TimeoutInMinutes *int      `toml:"timeout_in_minutes" min:"1" max:"20160" why:"AWS: DeploymentLifecycleHookTimeoutConfiguration"`
	TimeoutAction    string    `toml:"timeout_action"`
	CallbackDelay    *Duration `toml:"callback_delay" min:"1s" max:"900s"`
	SimulateDuration Duration  `toml:"simulate_duration" min:"0s" max:"8784h"`
	SimulateResult   string    `toml:"simulate_result"`
}

type deploymentAlarmsSchema struct {
	AlarmNames []string `toml:"alarm_names" maxitems:"100"`
	Enable     bool     `toml:"enable"`
	Rollback   bool     `toml:"rollback"`
}

type serviceSchema struct {
	Name                     string                    `toml:"name"`
	TaskDefinition           string                    `toml:"task_definition"`
	DesiredCount             int                       `toml:"desired_count" max:"1000000"`
	LaunchType               string                    `toml:"launch_type"`
	CapacityProviderStrategy []strategySchema          `toml:"capacity_provider_strategy"`
	PlacementStrategy        []placementStrategySchema `toml:"placement_strategy"`
	PlacementConstraints     []constraintSchema        `toml:"placement_constraints"`
	AZRebalancing            string                    `toml:"availability_zone_rebalancing"`
	DeploymentConfiguration  deploymentSchema          `toml:"deployment_configuration"`
	HealthCheckGracePeriod   Duration                  `toml:"health_check_grace_period" min:"0s" max:"8784h"`
	TaskFailuresPerTaskHour  float64                   `toml:"task_failures_per_task_hour" max:"60"`
	Load                     *loadSchema               `toml:"load"`
	AutoScaling              *autoScalingSchema        `toml:"auto_scaling"`
	CircuitBreaker           *circuitBreakerSchema     `toml:"deployment_circuit_breaker"`
	Copies                   int                       `toml:"copies" max:"1000"`
	LoadBalancer             *loadBalancerSchema       `toml:"load_balancer"`
	SLO                      *sloSchema                `toml:"slo"`
	// REPLICA (default) or DAEMON: one task on each container instance that meets the placement constraints (docs/semantics/ecs-daemon-protection.md).
	SchedulingStrategy string `toml:"scheduling_strategy"`
	// Task scale-in protection set by a workload rule (docs/semantics/ecs-daemon-protection.md).
	TaskProtection *taskProtectionSchema `toml:"task_protection"`
}

// taskProtectionSchema is a service's task scale-in protection rule.
type taskProtectionSchema struct {
	// while_processing: a queue worker protects a task while it holds a message.
	Rule string `toml:"rule"`
	// expiresInMinutes of each protection: 1m to 2880m (48h), default 2h.
	ExpiresIn *Duration `toml:"expires_in" min:"0s" max:"8784h"`
}

// sloSchema is a service's objectives (slo.go): targets in percent.
type sloSchema struct {
	Latency            Duration `toml:"latency" max:"1h"`
	LatencyTarget      *float64 `toml:"latency_target" min:"0" max:"100" why:"a percentage"`
	AvailabilityTarget *float64 `toml:"availability_target" min:"0" max:"100" why:"a percentage"`
	P95Wait            Duration `toml:"p95_wait" max:"8784h"`
}

type loadBalancerSchema struct {
	TargetGroup         string    `toml:"target_group"`
	HealthCheckInterval *Duration `toml:"health_check_interval" max:"300s" why:"AWS: target group health checks"`
	HealthyThreshold    *int      `toml:"healthy_threshold" max:"10" why:"AWS: target group health checks"`
	UnhealthyThreshold  *int      `toml:"unhealthy_threshold" max:"10" why:"AWS: target group health checks"`
	DeregistrationDelay *Duration `toml:"deregistration_delay" max:"3600s" why:"AWS: target group attributes"`
}

type loadSchema struct {
	Pattern              string           `toml:"pattern"`
	BaseRPS              *float64         `toml:"base_rps" max:"1e8"`
	PeakRPS              float64          `toml:"peak_rps" min:"0" max:"1e8"`
	PeakHour             float64          `toml:"peak_hour" max:"24" why:"an hour of the day"`
	WeekendFactor        *float64         `toml:"weekend_factor" max:"100"`
	Noise                float64          `toml:"noise" max:"1" why:"a relative noise"`
	Timezone             string           `toml:"timezone"`
	Steps                []loadStepSchema `toml:"steps" maxitems:"10000"`
	CPUSecondsPerRequest float64          `toml:"cpu_seconds_per_request" max:"3600" tiny:"1e-6"`
	MemoryBaseMiB        float64          `toml:"memory_base_mib" max:"16777216"`
	MemoryMiBPerRPS      float64          `toml:"memory_mib_per_rps" max:"1048576"`
	LatencySLO           Duration         `toml:"latency_slo" max:"1h"`
	Queue                bool             `toml:"queue"`
	File                 string           `toml:"file"`
	TimeColumn           string           `toml:"time_column"`
	ValueColumn          string           `toml:"value_column"`
	TimeFormat           string           `toml:"time_format"`
	ValueUnit            string           `toml:"value_unit"`
	Scale                float64          `toml:"scale" max:"1e6"`
	Speed                float64          `toml:"speed" min:"0" max:"1e6" tiny:"1e-6"`
	Loop                 bool             `toml:"loop"`
	Interpolation        string           `toml:"interpolation"`
	Shift                Duration         `toml:"shift" min:"-8784h" max:"8784h"`
	Holidays             []DateTime       `toml:"holidays" calendar:"day" maxitems:"1000"` // dates, in timezone
	RampStart            Duration         `toml:"ramp_start" min:"0s" max:"8784h"`
	RampEnd              Duration         `toml:"ramp_end" min:"0s" max:"8784h"`
	SpikeAt              Duration         `toml:"spike_at" min:"0s" max:"8784h"`
	Rise                 Duration         `toml:"rise" max:"8784h"`
	Decay                Duration         `toml:"decay" max:"8784h"`
	Multiplier           float64          `toml:"multiplier" min:"0" max:"1e6"`
	AddedRPS             float64          `toml:"added_rps" min:"0" max:"1e8"`
	Components           []loadSchema     `toml:"components" maxitems:"16"`
	WalkSigma            float64          `toml:"walk_sigma" max:"1" why:"a relative step"`
	WalkReversion        Duration         `toml:"walk_reversion" max:"8784h"`
	ClipMin              float64          `toml:"clip_min" max:"1e8"`
	ClipMax              float64          `toml:"clip_max" max:"1e8"`
}

type loadStepSchema struct {
	At  Duration `toml:"at" min:"0s" max:"8784h"`
	RPS float64  `toml:"rps" max:"1e8"`
}

type autoScalingSchema struct {
	MinCapacity      *int                   `toml:"min_capacity" max:"1000000"`
	MaxCapacity      *int                   `toml:"max_capacity" max:"1000000"`
	PublicationDelay Duration               `toml:"metric_publication_delay" max:"15m"`
	TargetTracking   []targetTrackingSchema `toml:"target_tracking" maxitems:"50" why:"AWS: scaling policies per scalable target"`
	StepScaling      []stepScalingSchema    `toml:"step_scaling" maxitems:"50" why:"AWS: scaling policies per scalable target"`
	ScheduledActions []scheduledSchema      `toml:"scheduled_actions" maxitems:"200" why:"AWS: scheduled actions per scalable target"`
	// PredictiveScaling: scenarios/predictive.go.
	PredictiveScaling []predictSchema `toml:"predictive_scaling" maxitems:"50" why:"AWS: scaling policies per scalable target"`
}

type targetTrackingSchema struct {
	Name                 string    `toml:"name"`
	PredefinedMetric     string    `toml:"predefined_metric"`
	CustomMetric         string    `toml:"custom_metric"`
	TargetValue          float64   `toml:"target_value" max:"1e10" why:"AWS: TargetTrackingScalingPolicyConfiguration"`
	ScaleOutCooldown     *Duration `toml:"scale_out_cooldown" min:"0s" max:"8784h"`
	ScaleInCooldown      *Duration `toml:"scale_in_cooldown" min:"0s" max:"8784h"`
	DisableScaleIn       bool      `toml:"disable_scale_in"`
	ScaleOutDatapoints   int       `toml:"scale_out_datapoints" min:"0" max:"1440"`
	ScaleInDatapoints    int       `toml:"scale_in_datapoints" min:"0" max:"1440"`
	ScaleInTargetPercent float64   `toml:"scale_in_threshold_percent_of_target" min:"0" max:"100" why:"a percentage"`
}

type stepScalingSchema struct {
	Name                   string                 `toml:"name"`
	Metric                 string                 `toml:"metric"`
	Comparison             string                 `toml:"comparison"`
	Threshold              float64                `toml:"threshold" min:"-1e10" max:"1e10"`
	EvaluationPeriods      int                    `toml:"evaluation_periods" min:"0" max:"1440" why:"AWS: CloudWatch, evaluation periods x 1 min up to a day"`
	DatapointsToAlarm      int                    `toml:"datapoints_to_alarm" min:"0" max:"1440" why:"AWS: CloudWatch, evaluation periods x 1 min up to a day"`
	TreatMissingData       string                 `toml:"treat_missing_data"`
	AdjustmentType         string                 `toml:"adjustment_type"`
	MinAdjustmentMagnitude int                    `toml:"min_adjustment_magnitude" min:"0" max:"1000000"`
	Cooldown               *Duration              `toml:"cooldown" min:"0s" max:"8784h"`
	MetricAggregationType  string                 `toml:"metric_aggregation_type"`
	StepAdjustments        []stepAdjustmentSchema `toml:"step_adjustments" maxitems:"1000"`
}

type stepAdjustmentSchema struct {
	Lower      *float64 `toml:"metric_interval_lower_bound" min:"-1e10" max:"1e10"`
	Upper      *float64 `toml:"metric_interval_upper_bound" min:"-1e10" max:"1e10"`
	Adjustment int      `toml:"scaling_adjustment" min:"-1000000" max:"1000000"`
}

type scheduledSchema struct {
	Name        string    `toml:"name"`
	Schedule    string    `toml:"schedule"`
	Timezone    string    `toml:"timezone"`
	StartTime   *DateTime `toml:"start_time"`
	EndTime     *DateTime `toml:"end_time"`
	MinCapacity *int      `toml:"min_capacity" min:"0" max:"1000000"`
	MaxCapacity *int      `toml:"max_capacity" min:"0" max:"1000000"`
}

type arrivalsSchema struct {
	Pattern     string   `toml:"pattern"`
	RatePerHour float64  `toml:"rate_per_hour" max:"1000000"`
	Start       Duration `toml:"start" min:"0s" max:"8784h"`
	ActiveFor   Duration `toml:"active_for" max:"8784h"`
	Every       Duration `toml:"every" min:"0s" max:"8784h"`
	MaxTasks    int      `toml:"max_tasks" max:"10000000"`
	// cron
	Schedule       string `toml:"schedule"`
	Timezone       string `toml:"timezone"`
	TasksPerFiring int    `toml:"tasks_per_firing" max:"10000"`
	// trace
	File                 string `toml:"file"`
	Format               string `toml:"format"` // swf | csv
	CPUUnitsPerProcessor int    `toml:"cpu_units_per_processor" min:"0" max:"196608"`
	DefaultMemoryMiB     int    `toml:"default_memory_mib" min:"0" max:"16777216"`
	ArrivalColumn        string `toml:"arrival_column"`
	DurationColumn       string `toml:"duration_column"`
	CPUColumn            string `toml:"cpu_column"`
	MemoryColumn         string `toml:"memory_column"`
	// pattern: the rate in tasks per hour, as a load pattern
	Rate *loadSchema `toml:"rate"`
}

type durationSchema struct {
	Distribution string   `toml:"distribution"`
	Value        Duration `toml:"value" max:"8760h"`
	Mean         Duration `toml:"mean" max:"8760h"`
	Median       Duration `toml:"median" max:"8760h"`
	Sigma        float64  `toml:"sigma" max:"5" tiny:"1e-3"`
	Min          Duration `toml:"min" max:"8760h"`
	Max          Duration `toml:"max" max:"8760h"`
	Scale        Duration `toml:"scale" max:"8760h"`
	Shape        float64  `toml:"shape" max:"100" tiny:"1e-3"`
	Alpha        float64  `toml:"alpha" max:"100" tiny:"1e-3"`
}

type batchJobSchema struct {
	Name                     string           `toml:"name"`
	TaskDefinition           string           `toml:"task_definition"`
	LaunchType               string           `toml:"launch_type"`
	CapacityProviderStrategy []strategySchema `toml:"capacity_provider_strategy"`
	Arrivals                 arrivalsSchema   `toml:"arrivals"`
	Duration                 durationSchema   `toml:"duration"`
	Retries                  int              `toml:"retries" max:"100"`
}

type settingsSchema struct {
	ReservedMemoryMiB                   *int64     `toml:"ecs_reserved_memory_mib" max:"1048576"`
	ContainerStartTime                  *Duration  `toml:"container_start_time" max:"1h"`
	ImagePullBandwidth                  *Bandwidth `toml:"image_pull_bandwidth" max:"100GB/s"`
	FargateStartTime                    *Duration  `toml:"fargate_start_time" max:"1h"`
	FargatePullBandwidth                *Bandwidth `toml:"fargate_image_pull_bandwidth" max:"100GB/s"`
	AMIID                               string     `toml:"ami_id"`
	FargateSpotInterruptionsPerTaskHour float64    `toml:"fargate_spot_interruptions_per_task_hour" max:"10"`
	ImagePullBehavior                   string     `toml:"image_pull_behavior"`
	ManagedScalingMixedGroups           string     `toml:"managed_scaling_mixed_groups"`
	SpotInstanceDraining                *bool      `toml:"spot_instance_draining"`
	ThrottleBase                        *Duration  `toml:"service_throttle_base" max:"1h"`
	ThrottleMax                         *Duration  `toml:"service_throttle_max" max:"1h"`
	InstanceFailureDetection            *Duration  `toml:"instance_failure_detection" min:"0s" max:"1h"`
	SpotDiscount                        *float64   `toml:"spot_discount" max:"0.99" why:"a fraction off On-Demand"`
	MaxRunMemory                        *ByteSize  `toml:"max_run_memory" max:"1TiB"`
	WarmUp                              *Duration  `toml:"warm_up" min:"0s" max:"8784h"`

	LaunchRates *launchRatesSchema `toml:"launch_rates"` // launchrates.go
}

type reportSchema struct {
	Outputs       []string `toml:"outputs" maxitems:"3" why:"html, csv and json"`
	TaskEvents    *bool    `toml:"task_events"`
	ServiceSeries *bool    `toml:"service_series"`
}

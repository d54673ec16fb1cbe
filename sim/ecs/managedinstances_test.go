package ecs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
	"github.com/fleetsim/fleetsim/workload"
)

func catalogTypes() []catalog.InstanceType {
	c := catalog.Default()
	var out []catalog.InstanceType
	for _, n := range c.Names() {
		it, _ := c.Lookup(n)
		out = append(out, it)
	}
	return out
}

// miDefaults is a provider as scenarios builds one with every default.
func miDefaults() *ManagedInstancesConfig {
	return &ManagedInstancesConfig{Purchase: capacity.OnDemand, ScaleInAfter: 300 * time.Second,
		DrainAfter: 14 * 24 * time.Hour, TerminateAfter: 21 * 24 * time.Hour, ManagementFeePercent: 12}
}

// newMIWorld is newWorld with one Managed Instances provider "mi" (no
// instance at the start) whose candidates req allows, a "web" task of
// cpu/mem, and the services given.
func newMIWorld(t testing.TB, m *ManagedInstancesConfig, req *InstanceRequirements, d time.Duration, cpu, mem int, services ...ServiceConfig) (*World, *capacity.Fleet, *des.Engine, *schema.Log) {
	t.Helper()
	return newMIWorldWith(t, m, req, d, cpu, mem, nil, services)
}

// newMIWorldJob is newMIWorld with a batch job and no service.
func newMIWorldJob(t testing.TB, m *ManagedInstancesConfig, d time.Duration, job BatchJobConfig) (*World, *capacity.Fleet, *des.Engine, *schema.Log) {
	t.Helper()
	return newMIWorldWith(t, m, nil, d, 512, 1024, []BatchJobConfig{job}, nil)
}

func newMIWorldWith(t testing.TB, m *ManagedInstancesConfig, req *InstanceRequirements, d time.Duration, cpu, mem int,
	jobs []BatchJobConfig, services []ServiceConfig) (*World, *capacity.Fleet, *des.Engine, *schema.Log) {
	t.Helper()
	return startMIWorld(miConfig(t, m, req, d, cpu, mem, jobs, services))
}

// miConfig is the Managed Instances test cluster's configuration: one
// provider over a direct group of the types req allows, task definition 0
// of cpu/mem.
func miConfig(t testing.TB, m *ManagedInstancesConfig, req *InstanceRequirements, d time.Duration, cpu, mem int,
	jobs []BatchJobConfig, services []ServiceConfig) *Config {
	t.Helper()
	zones := []string{"us-east-1a", "us-east-1b"}
	types := ManagedInstanceTypes(catalogTypes(), req)
	require.NotEmpty(t, types)
	groups := []capacity.GroupConfig{{Name: "mi", InstanceTypes: types, AvailabilityZones: zones, LaunchTime: 40 * time.Second, Direct: true}}
	cfg := &Config{
		Region: "us-east-1", Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Duration: d,
		Cluster:           ClusterConfig{Name: "c", AvailabilityZones: zones},
		Groups:            groups,
		CapacityProviders: []CapacityProviderConfig{{Name: "mi", Group: 0, ManagedDraining: true, ManagedInstances: m}},
		TaskDefinitions: []TaskDefinition{{Family: "web", Revision: 1, NetworkMode: NetworkBridge, CPU: cpu, MemoryMiB: mem,
			StopTimeout: 30 * time.Second, Containers: []ContainerDefinition{{Name: "app", Image: "web:1", ImageSizeBytes: 100 << 20, Essential: true}}}},
		Services:  services,
		BatchJobs: jobs,
		Settings: Settings{RegisteredMemory: RegisteredMemory{KernelMemoryNumerator: 7985, KernelMemoryDenominator: 8192},
			ContainerStartTime: 2 * time.Second, FargateStartTime: 30 * time.Second, FargatePullBytesPerSecond: 50 << 20,
			SampleEvery: time.Minute, ImagePullBehavior: "default", SpotNotice: 2 * time.Minute,
			ThrottleBase: 15 * time.Second, ThrottleMax: 27 * time.Minute, TaskEvents: true, ServiceSeries: true},
	}
	return cfg
}

// startMIWorld builds and starts the world of cfg on its fleet.
func startMIWorld(cfg *Config) (*World, *capacity.Fleet, *des.Engine, *schema.Log) {
	eng := des.New(1)
	log := &schema.Log{}
	fleet := capacity.New(&capacity.Config{Zones: cfg.Cluster.AvailabilityZones, Groups: cfg.Groups,
		Settings: capacity.Settings{SpotNotice: 2 * time.Minute, InstanceFailureDetection: 3 * time.Minute, ImagePullBytesPerSecond: 100 << 20}}, eng, log)
	w := New(cfg, eng, fleet, log)
	fleet.Attach(w)
	fleet.Start()
	w.Start()
	w.StartSampling()
	return w, fleet, eng, log
}

func miService(n int) ServiceConfig {
	return ServiceConfig{Name: "web", DesiredCount: n, ProviderStrategy: []StrategyItem{{Provider: "mi", Weight: 1}},
		MinimumHealthyPercent: 100, MaximumPercent: 200}
}

// live lists the fleet's instances not terminated, by type name.
func live(f *capacity.Fleet) []string {
	var out []string
	for i := range int32(f.Len()) {
		if in := f.Instance(i); in.Lifecycle != capacity.Terminated {
			out = append(out, in.Type.Name)
		}
	}
	return out
}

func TestManagedInstancesCandidatesAreTheTypesTheRequirementsAllowCheapestFirst(t *testing.T) {
	// AWS (InstanceRequirementsRequest): every attribute must match, any of
	// an attribute's values will do. 2 vCPU, 8 GiB, Intel, current
	// generation: the large sizes of m7i-flex ($0.09576 an hour), m5 and
	// m6i ($0.096), m8i-flex ($0.10055)...
	req := &InstanceRequirements{VCPUMin: 2, VCPUMax: 2, MemoryMiBMin: 8192, MemoryMiBMax: 8192,
		CPUManufacturers: []string{"intel"}, InstanceGenerations: []string{"current"}}
	got := ManagedInstanceTypes(catalogTypes(), req)
	require.GreaterOrEqual(t, len(got), 4)
	assert.Equal(t, []string{"m7i-flex.large", "m5.large", "m6i.large", "m8i-flex.large"}, []string{got[0].Name, got[1].Name, got[2].Name, got[3].Name})
	assert.InDelta(t, 0.09576, got[0].PriceUSDPerHour, 1e-9)
	for k, it := range got {
		assert.Equal(t, 2, it.VCPU, it.Name)
		assert.EqualValues(t, 8192, it.MemoryMiB, it.Name)
		assert.Equal(t, "intel", CPUManufacturer(it), it.Name)
		if k > 0 {
			assert.GreaterOrEqual(t, it.PriceUSDPerHour, got[k-1].PriceUSDPerHour)
		}
	}
	// Allowed types with a wildcard, and the burstable rule.
	req = &InstanceRequirements{VCPUMin: 2, MemoryMiBMin: 1, AllowedInstanceTypes: []string{"t3.*", "c6i.*"}, VCPUMax: 2}
	names := func(ts []catalog.InstanceType) (out []string) {
		for _, it := range ts {
			out = append(out, it.Name)
		}
		return out
	}
	assert.Equal(t, []string{"c6i.large"}, names(ManagedInstanceTypes(catalogTypes(), req)), "burstable excluded by default")
	req.BurstablePerformance = "required"
	assert.Equal(t, []string{"t3.small", "t3.medium", "t3.large"}, names(ManagedInstanceTypes(catalogTypes(), req)),
		"t3.micro and t3.nano are never launched (AWS: more than 1 vCPU... not nano or micro); t3.small has 2 vCPU")
	// The default selection: general purpose, no burstable, no metal.
	def := ManagedInstanceTypes(catalogTypes(), nil)
	require.NotEmpty(t, def)
	for _, it := range def {
		_, general := ManagedFamily(it.Family)
		assert.True(t, general, it.Name)
		assert.False(t, Burstable(it), it.Name)
	}
	assert.Equal(t, "m6g.large", def[0].Name, "the cheapest general purpose type with 2 vCPU is Graviton")
}

func TestManagedInstancesLaunchTheCheapestTypePerTaskAndPackMany(t *testing.T) {
	// One 512 CPU / 1 GiB x86 task: m5a.large ($0.086) has room for four
	// (2,048 CPU units, 7,794 MiB registered): $0.0215 a task, the lowest of
	// the default candidates (c6a.large, cheaper, has memory for three).
	w, fleet, eng, _ := newMIWorld(t, miDefaults(), nil, time.Hour, 512, 1024, miService(1))
	_, err := eng.Run(des.At(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"m5a.large"}, live(fleet))
	assert.Equal(t, 1, w.Outcome().Services[0].RunningAtEnd)

	// Ten 1 vCPU / 2 GiB tasks: two fit an m5a.large (2048 CPU units), as
	// many per dollar as any larger m5a: five m5a.large, launched at once.
	w, fleet, eng, _ = newMIWorld(t, miDefaults(), nil, time.Hour, 1024, 2048, miService(10))
	_, err = eng.Run(des.At(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"m5a.large", "m5a.large", "m5a.large", "m5a.large", "m5a.large"}, live(fleet))
	for i := range int32(fleet.Len()) {
		assert.Equal(t, des.Time(0), fleet.LaunchTime(i), "launched when the tasks asked")
	}
	assert.Equal(t, 10, w.Outcome().Services[0].RunningAtEnd)
}

func TestManagedInstancesTerminateAnIdleInstanceAfterScaleInAfter(t *testing.T) {
	m := miDefaults()
	m.ScaleInAfter = 600 * time.Second
	w, fleet, eng, log := newMIWorld(t, m, nil, 2*time.Hour, 512, 1024, miService(1))
	_, err := eng.Run(des.At(30 * time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, fleet.Present())
	zero := 0
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &zero})
	_, err = eng.Run(des.At(2 * time.Hour))
	require.NoError(t, err)
	require.Equal(t, 0, fleet.Present(), "the idle instance is gone")
	in := fleet.Instance(0)
	// The task stops after its 30 s stop timeout, at 30m30s at the
	// latest; the instance goes scaleInAfter (600 s) after.
	var stopped des.Time
	for _, e := range log.All() {
		if e.Type == schema.TaskStateChange && e.Status == "STOPPED" {
			stopped = e.At
		}
	}
	require.NotZero(t, stopped)
	assert.Equal(t, stopped+des.At(600*time.Second), in.Terminated)
	assert.Equal(t, capacity.EndTerminated, in.End)

	// A task placed during the wait cancels it.
	w, fleet, eng, _ = newMIWorld(t, m, nil, 2*time.Hour, 512, 1024, miService(1))
	_, err = eng.Run(des.At(30 * time.Minute))
	require.NoError(t, err)
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &zero})
	_, err = eng.Run(des.At(35 * time.Minute))
	require.NoError(t, err)
	one := 1
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &one})
	_, err = eng.Run(des.At(2 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, fleet.Present())
	assert.Equal(t, 1, fleet.Launched(), "the same instance ran the new task")
}

func TestManagedInstancesDisabledOptimizationKeepsIdleInstances(t *testing.T) {
	m := miDefaults()
	m.OptimizationOff = true // scaleInAfter = -1
	w, fleet, eng, _ := newMIWorld(t, m, nil, 2*time.Hour, 512, 1024, miService(1))
	_, err := eng.Run(des.At(30 * time.Minute))
	require.NoError(t, err)
	zero := 0
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &zero})
	_, err = eng.Run(des.At(2 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, fleet.Present())
}

func TestManagedInstancesConsolidateAnUnderutilizedInstanceDrainingFirst(t *testing.T) {
	// Four 1 vCPU tasks on two m5a.large (two each). Scaled to 2, the
	// default rolling scale-in leaves one task on each: either one's task
	// fits the other, so scaleInAfter after the stop one drains (its task
	// is started on the other before it stops: start before stop) and
	// terminates; the service never drops below 2 running.
	m := miDefaults()
	w, fleet, eng, log := newMIWorld(t, m, nil, 3*time.Hour, 1024, 2048, miService(4))
	_, err := eng.Run(des.At(30 * time.Minute))
	require.NoError(t, err)
	require.Equal(t, 2, fleet.Present())
	two := 2
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &two})
	_, err = eng.Run(des.At(3 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, fleet.Present(), "consolidated onto one instance")
	assert.Equal(t, 2, fleet.Launched(), "no new instance was needed")
	assert.Equal(t, 2, w.Outcome().Services[0].RunningAtEnd)
	var drained, gone des.Time
	for _, e := range log.All() {
		switch {
		case e.Type == schema.InstanceDraining && e.Reason == "underutilized":
			drained = e.At
		case e.Type == schema.InstanceTerminated && drained > 0:
			gone = e.At
		}
	}
	require.NotZero(t, drained, "the instance drained first")
	assert.Greater(t, gone, drained, "and terminated once empty")
	assert.GreaterOrEqual(t, drained, des.At(30*time.Minute+300*time.Second), "after scaleInAfter")
	assert.InDelta(t, 100, w.Outcome().Services[0].AvailabilityPct, 1e-9, "minimumHealthyPercent 100 held throughout")
}

func TestManagedInstancesDrainForPatchingAtDay14AndGoByDay21(t *testing.T) {
	// AWS ("Patching in Amazon ECS Managed Instances"): draining at day 14
	// from the launch, termination no later than day 21. A service task is
	// replaced on a new instance (start before stop) and the old one goes.
	w, fleet, eng, log := newMIWorld(t, miDefaults(), nil, 30*24*time.Hour, 512, 1024, miService(1))
	_, err := eng.Run(des.At(30 * 24 * time.Hour))
	require.NoError(t, err)
	first := fleet.Instance(0)
	var drained des.Time
	for _, e := range log.All() {
		if e.Type == schema.InstanceDraining && e.Subject == first.ID {
			assert.Equal(t, "maintenance", e.Reason)
			drained = e.At
		}
	}
	assert.Equal(t, des.At(14*24*time.Hour), drained)
	assert.Equal(t, capacity.Terminated, first.Lifecycle)
	assert.Less(t, first.Terminated, des.At(21*24*time.Hour))
	second := fleet.Instance(1)
	assert.Equal(t, des.At(14*24*time.Hour), second.Launched, "the replacement task asked for a new instance at once")
	assert.Equal(t, 3, fleet.Launched(), "the second instance drains at day 28 in its turn")
	assert.Equal(t, des.At(28*24*time.Hour), fleet.Instance(2).Launched)
	assert.Equal(t, 1, w.Outcome().Services[0].RunningAtEnd)
}

func TestManagedInstancesDeadlineStopsWhatDrainingLeft(t *testing.T) {
	// A RunTask task is not replaced, so draining waits for it: at day 21
	// ECS deregisters the instance and the task stops with it.
	m := miDefaults()
	w, fleet, eng, _ := newMIWorldJob(t, m, 22*24*time.Hour, BatchJobConfig{Name: "etl", TaskDefinition: 0,
		ProviderStrategy: []StrategyItem{{Provider: "mi", Weight: 1}},
		Arrivals:         Arrivals{Pattern: "trace", Tasks: []workload.Task{{Arrival: 0, Duration: 30 * 24 * time.Hour, CPUUnits: 512, MemoryMiB: 1024}}}})
	_, err := eng.Run(des.At(22 * 24 * time.Hour))
	require.NoError(t, err)
	require.GreaterOrEqual(t, fleet.Len(), 1)
	in := fleet.Instance(0)
	assert.Equal(t, capacity.Terminated, in.Lifecycle)
	assert.Equal(t, des.At(21*24*time.Hour), in.Terminated, "drained from day 14, the RunTask task held it to day 21")
	_ = w
}

func TestManagedInstancesEventWindowDrainsAtItsLastStartBeforeDay14(t *testing.T) {
	// Launched Monday 2026-01-05 00:00 UTC; day 14 is Monday 2026-01-19.
	// A Saturday 02:00 window: its last start before then is Saturday
	// 2026-01-17 02:00, 12 days 2 hours after the launch.
	m := miDefaults()
	m.EventWindow = &EventWindow{Weekday: time.Saturday, Start: 2 * time.Hour}
	launched := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, 12*24*time.Hour+2*time.Hour, m.maintenanceDrain(launched))
	m.EventWindow = nil
	assert.Equal(t, 14*24*time.Hour, m.maintenanceDrain(launched))
}

func TestManagementFeeIsAPercentageOfTheOnDemandPrice(t *testing.T) {
	// AWS (Amazon ECS pricing, Managed Instances example): a c6a.2xlarge's
	// management fee is $0.037 an hour; its On-Demand price is $0.306.
	it, ok := catalog.Default().Lookup("c6a.2xlarge")
	require.True(t, ok)
	fee := miDefaults().ManagementFeeUSDPerHour(it.PriceUSDPerHour)
	assert.InDelta(t, 0.037, fee, 0.0005)
}

func TestManagedInstancesPackingKnowsNoMemberOfConstraint(t *testing.T) {
	// The packing knows CPU, memory, ENIs, ports, architecture and GPUs,
	// not memberOf: a task whose constraint no candidate meets waits, and
	// the instance launched for it goes idle scaleInAfter after it registers.
	c, err := placement.ParseConstraint("memberOf", "attribute:ecs.instance-type == c5.large")
	require.NoError(t, err)
	svc := miService(1)
	svc.PlacementConstraints = []placement.Constraint{c}
	_, fleet, eng, _ := newMIWorld(t, miDefaults(), nil, time.Hour, 512, 1024, svc)
	_, err = eng.Run(des.At(time.Hour))
	require.NoError(t, err)
	require.GreaterOrEqual(t, fleet.Launched(), 1)
	first := fleet.Instance(0)
	assert.Equal(t, "m5a.large", first.Type.Name)
	assert.Equal(t, capacity.Terminated, first.Lifecycle)
	assert.Equal(t, des.At(40*time.Second+300*time.Second), first.Terminated, "registered at 40 s, idle for scaleInAfter")
}

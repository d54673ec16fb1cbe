package ecs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// A Managed Instances instance running only daemon tasks is idle: the
// managed-scaling rule (an instance running only daemon tasks counts as
// empty) holds for ECS's own consolidation too. The log agent lands on the
// instance first and stays; when the web task goes, the instance goes
// scaleInAfter later, its agent with it.
func TestAManagedInstanceRunningOnlyDaemonTasksIsIdle(t *testing.T) {
	m := miDefaults()
	m.ScaleInAfter = 600 * time.Second
	zones := []string{"us-east-1a", "us-east-1b"}
	types := ManagedInstanceTypes(catalogTypes(), nil)
	require.NotEmpty(t, types)
	groups := []capacity.GroupConfig{{Name: "mi", InstanceTypes: types, AvailabilityZones: zones, LaunchTime: 40 * time.Second, Direct: true}}
	td := func(family string, cpu, mem int) TaskDefinition {
		return TaskDefinition{Family: family, Revision: 1, NetworkMode: NetworkBridge, CPU: cpu, MemoryMiB: mem, StopTimeout: 30 * time.Second,
			Containers: []ContainerDefinition{{Name: "app", Image: family + ":1", ImageSizeBytes: 100 << 20, Essential: true}}}
	}
	cfg := &Config{
		Region: "us-east-1", Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Duration: 2 * time.Hour,
		Cluster:           ClusterConfig{Name: "c", AvailabilityZones: zones},
		Groups:            groups,
		CapacityProviders: []CapacityProviderConfig{{Name: "mi", Group: 0, ManagedDraining: true, ManagedInstances: m}},
		TaskDefinitions:   []TaskDefinition{td("web", 512, 1024), td("agent", 128, 256)},
		Services:          []ServiceConfig{miService(1), {Name: "agent", TaskDefinition: 1, Daemon: true, LaunchType: "EC2", MaximumPercent: 100}},
		Settings: Settings{RegisteredMemory: RegisteredMemory{KernelMemoryNumerator: 7985, KernelMemoryDenominator: 8192},
			ContainerStartTime: 2 * time.Second, FargateStartTime: 30 * time.Second, FargatePullBytesPerSecond: 50 << 20,
			SampleEvery: time.Minute, ImagePullBehavior: "default", SpotNotice: 2 * time.Minute,
			ThrottleBase: 15 * time.Second, ThrottleMax: 27 * time.Minute, TaskEvents: true, ServiceSeries: true},
	}
	eng := des.New(1)
	log := &schema.Log{}
	fleet := capacity.New(&capacity.Config{Zones: zones, Groups: groups,
		Settings: capacity.Settings{SpotNotice: 2 * time.Minute, InstanceFailureDetection: 3 * time.Minute, ImagePullBytesPerSecond: 100 << 20}}, eng, log)
	w := New(cfg, eng, fleet, log)
	fleet.Attach(w)
	fleet.Start()
	w.Start()
	w.StartSampling()

	_, err := eng.Run(des.At(30 * time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, fleet.Present())
	require.Len(t, w.instances[0].tasks, 2, "the web task and the agent")
	require.Equal(t, 1, w.instances[0].nonDaemonTasks())

	zero := 0
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: -1, DesiredCount: &zero})
	_, err = eng.Run(des.At(2 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 0, fleet.Present(), "the agent alone does not keep the instance")
	var stopped des.Time
	for _, e := range log.Events {
		if e.Type == schema.TaskStateChange && e.Status == "STOPPED" && stopped == 0 {
			stopped = e.At
		}
	}
	require.NotZero(t, stopped)
	// scaleInAfter after the web task stopped the instance drains, and goes
	// when its agent has stopped (its 30 s stop timeout).
	end := fleet.Instance(0).Terminated
	assert.GreaterOrEqual(t, end, stopped+des.At(600*time.Second))
	assert.LessOrEqual(t, end, stopped+des.At(630*time.Second))
}

package ecs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// dWorld builds a world on m5.large instances (2,048 CPU units) of group
// "asg" behind provider "cp", with task definitions "web" (1,024 CPU /
// 1,024 MiB) and "agent" (the log agent: 512 CPU / 256 MiB); edit changes
// the configuration before the world is made.
func dWorld(t testing.TB, n int, edit func(*Config)) (*World, *capacity.Fleet, *des.Engine, *schema.Log) {
	t.Helper()
	it, ok := catalog.Default().Lookup("m5.large")
	require.True(t, ok)
	zones := []string{"us-east-1a", "us-east-1b"}
	td := func(family string, cpu, mem int) TaskDefinition {
		return TaskDefinition{Family: family, Revision: 1, NetworkMode: NetworkBridge, CPU: cpu, MemoryMiB: mem, StopTimeout: 30 * time.Second,
			Containers: []ContainerDefinition{{Name: "app", Image: family + ":1", ImageSizeBytes: 50 << 20, Essential: true}}}
	}
	cfg := &Config{
		Region:   "us-east-1",
		Start:    time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		Duration: 6 * time.Hour,
		Cluster:  ClusterConfig{Name: "c", AvailabilityZones: zones},
		Groups: []capacity.GroupConfig{{Name: "asg", InstanceTypes: []catalog.InstanceType{it}, MinSize: 0, MaxSize: 20, DesiredCapacity: n,
			AvailabilityZones: zones, LaunchTime: 90 * time.Second, OnDemandPercentageAboveBase: 100}},
		CapacityProviders: []CapacityProviderConfig{{Name: "cp", Group: 0}},
		TaskDefinitions:   []TaskDefinition{td("web", 1024, 1024), td("agent", 512, 256)},
		Settings: Settings{RegisteredMemory: RegisteredMemory{KernelMemoryNumerator: 7985, KernelMemoryDenominator: 8192},
			ContainerStartTime: 2 * time.Second, FargateStartTime: 30 * time.Second, FargatePullBytesPerSecond: 50 << 20,
			SampleEvery: time.Minute, ImagePullBehavior: "default", SpotNotice: 2 * time.Minute,
			ThrottleBase: 15 * time.Second, ThrottleMax: 27 * time.Minute, TaskEvents: true, ServiceSeries: true},
	}
	if edit != nil {
		edit(cfg)
	}
	eng := des.New(1)
	log := &schema.Log{}
	fleet := capacity.New(&capacity.Config{Zones: zones, Groups: cfg.Groups,
		Settings: capacity.Settings{SpotNotice: 2 * time.Minute, InstanceFailureDetection: 3 * time.Minute, ImagePullBytesPerSecond: 100 << 20}}, eng, log)
	w := New(cfg, eng, fleet, log)
	fleet.Attach(w)
	return w, fleet, eng, log
}

func agent() ServiceConfig {
	return ServiceConfig{Name: "agent", TaskDefinition: 1, Daemon: true, LaunchType: "EC2", MaximumPercent: 100}
}

func web(desired int) ServiceConfig {
	return ServiceConfig{Name: "web", TaskDefinition: 0, DesiredCount: desired, MinimumHealthyPercent: 100, MaximumPercent: 200,
		ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}}
}

// daemonTasksOn counts the daemon tasks on each container instance.
func daemonTasksOn(w *World) []int {
	out := make([]int, len(w.instances))
	for i := range w.instances {
		out[i] = int(w.instances[i].daemons)
	}
	return out
}

func TestADaemonOnlyInstanceCountsAsEmptyForCapacityProviderScaleIn(t *testing.T) {
	// AWS (cluster-auto-scaling.html): CapacityProviderReservation is 100%
	// when "all container instances are running at least one non-daemon
	// task", below when "at least one container instance ... is not running
	// a non-daemon task"; managed termination protection ignores DAEMON
	// tasks. Three instances, a log agent on each, two web tasks (1,024 CPU
	// units each: one per m5.large beside the 512-unit agent): M = 2, N = 3,
	// 2/3 x 100 = 67% < 100, so after the 15 low datapoints the group
	// scales in to 2, and the instance that goes is the agent-only one.
	w, fleet, eng, _ := dWorld(t, 3, func(c *Config) {
		c.Duration = 40 * time.Minute
		c.CapacityProviders[0].ManagedScaling = &ManagedScalingConfig{TargetCapacity: 100, MinStep: 1, MaxStep: 10000, Warmup: 300 * time.Second,
			ScaleOutDatapoints: 1, ScaleInDatapoints: 15}
		c.CapacityProviders[0].ManagedTerminationProtection = true
		c.CapacityProviders[0].ManagedDraining = true
		c.Groups[0].NewInstancesProtected = true
		c.Services = []ServiceConfig{agent(), web(2)}
	})
	fleet.Start()
	w.Start()
	w.StartSampling()
	_, err := eng.Run(des.At(5 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1, 1}, daemonTasksOn(w), "one agent per instance")
	assert.Equal(t, 2, w.busyInstances(0), "M counts instances with a non-daemon task")
	assert.InDelta(t, 66.67, w.managed[0].lastMetric, 0.01)
	agentOnly := -1
	for i := range w.instances {
		busy := w.instances[i].nonDaemonTasks() > 0
		assert.Equal(t, busy, w.ScaleInProtected(int32(i)), "managed termination protection ignores daemon tasks")
		if !busy {
			agentOnly = i
		}
	}
	require.GreaterOrEqual(t, agentOnly, 0)
	_, err = eng.Run(des.At(40 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 2, fleet.Group(0).Desired)
	assert.Equal(t, capacity.Terminated, fleet.Lifecycle(int32(agentOnly)), "the agent-only instance is the one scaled in")
	assert.Equal(t, 2, w.services[1].desired, "the agent's desired count follows the instances")
	assert.Equal(t, 2, w.rec.counts[0][TaskRunning])
	assert.Equal(t, 2, w.rec.counts[1][TaskRunning], "the web tasks stayed")
}

func TestTheDaemonIsPlacedFirstOnANewInstance(t *testing.T) {
	// AWS (Daemon scheduling strategy): ECS "prioritizes the daemon task to
	// be the first task to launch on the instances". One m5.large holds the
	// agent (512) and one web task (1,024); four more web tasks wait. A
	// second instance registers: had the waiting web tasks gone first, two
	// of them (2 x 1,024) would fill it and leave the agent out; the agent
	// goes first, then one web task.
	w, fleet, eng, _ := dWorld(t, 1, func(c *Config) {
		c.Services = []ServiceConfig{web(5), agent()} // the replica service comes first in the file
	})
	fleet.Start()
	w.Start()
	_, err := eng.Run(des.At(time.Minute))
	require.NoError(t, err)
	require.Equal(t, []int{1}, daemonTasksOn(w))
	require.Equal(t, 4, w.rec.counts[0][TaskProvisioning])
	fleet.SetDesired(0, 2, "test")
	_, err = eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1}, daemonTasksOn(w))
	assert.Equal(t, 2, w.rec.counts[1][TaskRunning], "an agent on each instance")
	assert.Equal(t, 2, len(w.instances[1].tasks), "the agent and one web task")
	assert.Equal(t, 3, w.rec.counts[0][TaskProvisioning])
}

func TestTheDaemonStopsLastOnADrainingInstance(t *testing.T) {
	// AWS: the daemon task is "the last task to stop"; the daemon scheduler
	// places nothing on a DRAINING instance.
	// Three instances: the web task on the drained one has room elsewhere.
	w, fleet, eng, log := dWorld(t, 3, func(c *Config) { c.Services = []ServiceConfig{agent(), web(2)} })
	fleet.Start()
	w.Start()
	_, err := eng.Run(des.At(5 * time.Minute))
	require.NoError(t, err)
	w.Drain(0)
	_, err = eng.Run(des.At(20 * time.Minute))
	require.NoError(t, err)
	var webStopped, agentStopping des.Time = -1, -1
	for _, e := range log.All() {
		if e.Type != schema.TaskStateChange || e.Instance != w.instances[0].id {
			continue
		}
		switch {
		case e.Group == "service:web" && e.Status == "STOPPED":
			webStopped = e.At
		case e.Group == "service:agent" && e.Status == "STOPPING" && agentStopping < 0:
			agentStopping = e.At
		}
	}
	require.GreaterOrEqual(t, webStopped, des.Time(0), "the web task left the draining instance")
	require.GreaterOrEqual(t, agentStopping, des.Time(0), "the agent stopped there too")
	assert.GreaterOrEqual(t, agentStopping, webStopped, "the agent stops once the web task has stopped")
	assert.Equal(t, []int{0, 1, 1}, daemonTasksOn(w))
	assert.Equal(t, 2, w.services[0].desired, "a draining instance no longer counts")
}

func TestDaemonReservationShiftsTheManagedScalingEstimate(t *testing.T) {
	// AWS (managed scaling behavior): the estimate binpacks the PROVISIONING
	// tasks onto the largest instance type. Four web tasks of 1,024 CPU
	// units: two per m5.large (2,048), so 2 instances; with the 512-unit
	// agent on every instance only one fits beside it, so 4.
	for _, tc := range []struct {
		name     string
		services []ServiceConfig
		want     int
	}{
		{"without a daemon", []ServiceConfig{web(4)}, 2},
		{"with the log agent", []ServiceConfig{agent(), web(4)}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, fleet, eng, _ := dWorld(t, 0, func(c *Config) { c.Services = tc.services })
			fleet.Start()
			w.Start()
			_, err := eng.Run(0)
			require.NoError(t, err)
			est, waiting := w.provisioningEstimate(firstASGProvider, 0)
			assert.True(t, waiting)
			assert.Equal(t, tc.want, est)
		})
	}
}

func TestADaemonDeploymentReplacesEachInstancesTaskWithinMaximumPercent100(t *testing.T) {
	// AWS: a daemon service's maximumPercent is 100 and minimumHealthyPercent
	// defaults to 0: the old task stops, then the new one starts there.
	w, fleet, eng, _ := dWorld(t, 2, func(c *Config) {
		c.TaskDefinitions = append(c.TaskDefinitions, c.TaskDefinitions[1])
		c.TaskDefinitions[2].Revision = 2
		c.Services = []ServiceConfig{agent()}
	})
	require.NoError(t, func() error {
		fleet.Start()
		w.Start()
		_, err := eng.Run(des.At(5 * time.Minute))
		return err
	}())
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: 2})
	for range 200 {
		_, err := eng.Run(eng.Now() + des.At(time.Second))
		require.NoError(t, err)
		for i := range w.instances {
			assert.LessOrEqual(t, len(w.instances[i].tasks), 1, "never two agents on an instance")
		}
	}
	_, err := eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	s := &w.services[0]
	assert.Equal(t, RolloutCompleted, s.deps[s.primary()].rollout)
	assert.Equal(t, []int{1, 1}, daemonTasksOn(w))
}

func TestADaemonTaskWithoutRoomWaitsForResourcesOnItsInstance(t *testing.T) {
	// AWS: with insufficient resources "Amazon ECS continues to try and
	// schedule the task on the instance by waiting for resources to become
	// available". One m5.large: agent (512) + web (1,024). A new agent
	// revision of 1,536 units does not fit beside the web task once the old
	// agent stops; when the web task goes, it is placed.
	w, fleet, eng, log := dWorld(t, 1, func(c *Config) {
		c.TaskDefinitions = append(c.TaskDefinitions, c.TaskDefinitions[1])
		c.TaskDefinitions[2].Revision, c.TaskDefinitions[2].CPU = 2, 1536
		c.Services = []ServiceConfig{agent(), web(1)}
	})
	fleet.Start()
	w.Start()
	_, err := eng.Run(des.At(5 * time.Minute))
	require.NoError(t, err)
	w.UpdateService(ServiceUpdate{Service: 0, TaskDefinition: 2})
	_, err = eng.Run(des.At(10 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []int{0}, daemonTasksOn(w), "the new agent waits")
	waited := false
	for _, e := range log.All() {
		waited = waited || (e.Type == schema.PlacementFailed && e.Subject == "agent" && e.Status == "RESOURCE:CPU")
	}
	assert.True(t, waited, "one service event says why")
	zero := 0
	w.UpdateService(ServiceUpdate{Service: 1, TaskDefinition: -1, DesiredCount: &zero})
	_, err = eng.Run(des.At(15 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []int{1}, daemonTasksOn(w), "placed once the web task left")
}

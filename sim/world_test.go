package sim

import (
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/schema"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var cat = catalog.Default()

func mustType(t testing.TB, name string) catalog.InstanceType {
	it, ok := cat.Lookup(name)
	require.True(t, ok, name)
	return it
}

// baseConfig is a cluster of n m5.large instances over two AZs and one
// "web" task definition of 512 CPU / 1024 MiB.
func baseConfig(t testing.TB, n int) *Config {
	return &Config{
		Name:     "test",
		Start:    time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		Duration: time.Hour,
		Seed:     1,
		Region:   "us-east-1",
		Cluster:  ecs.ClusterConfig{Name: "c", AvailabilityZones: []string{"us-east-1a", "us-east-1b"}},
		Groups: []capacity.GroupConfig{{
			Name: "asg", InstanceTypes: []catalog.InstanceType{mustType(t, "m5.large")},
			MinSize: n, MaxSize: n, DesiredCapacity: n,
			AvailabilityZones: []string{"us-east-1a", "us-east-1b"}, LaunchTime: 90 * time.Second, OnDemandPercentageAboveBase: 100,
		}},
		CapacityProviders: []ecs.CapacityProviderConfig{{Name: "cp", Group: 0}},
		TaskDefinitions: []ecs.TaskDefinition{{
			Family: "web", Revision: 1, NetworkMode: ecs.NetworkBridge, CPU: 512, MemoryMiB: 1024,
			StopTimeout: 30 * time.Second,
			Containers: []ecs.ContainerDefinition{{Name: "app", Image: "web:1", ImageSizeBytes: 100 << 20, Essential: true,
				PortMappings: []ecs.PortMapping{{ContainerPort: 8080}}}},
		}},
		Settings: DefaultSettings(),
	}
}

func run(t testing.TB, cfg *Config) *Result {
	res, err := New(cfg).Run()
	require.NoError(t, err)
	return res
}

func TestServiceReachesDesiredCountOnFixedCluster(t *testing.T) {
	cfg := baseConfig(t, 2)
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 6, ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}}}}
	res := run(t, cfg)
	s := res.Summary.Services[0]
	assert.Equal(t, 6, s.RunningAtEnd)
	assert.Equal(t, 6, s.TasksStarted)
	assert.Equal(t, 0, s.TasksStopped)
	// 6 tasks x 512 CPU on 2 x 2048: all fit; memory 6 x 1024 on 2 x 7985.
	require.Len(t, res.State.Describe().ContainerInstances, 2)
	total := 0
	for _, ci := range res.State.Describe().ContainerInstances {
		total += ci.RunningTasksCount
		assert.Equal(t, int64(2048), ci.RegisteredResources[0].IntegerValue)
		assert.Equal(t, int64(7985), ci.RegisteredResources[1].IntegerValue, "m5.large registers 8192*7985/8192 MiB")
	}
	assert.Equal(t, 6, total)
}

func TestTasksWaitInProvisioningWhenTheClusterIsFull(t *testing.T) {
	cfg := baseConfig(t, 1) // 2048 CPU: four 512-unit tasks
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 6, ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}}}}
	res := run(t, cfg)
	s := res.Summary.Services[0]
	assert.Equal(t, 4, s.RunningAtEnd)
	assert.Equal(t, 2, s.WaitingAtEnd)
	assert.Equal(t, 2, res.Summary.PlacementFailures["RESOURCE:CPU"])
}

func TestStartLatencyIsImagePullPlusContainerStart(t *testing.T) {
	cfg := baseConfig(t, 1)
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 2, ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}}}}
	res := run(t, cfg)
	var running []schema.Event
	for _, e := range res.Events {
		if e.Type == "TaskStateChange" && e.Status == "RUNNING" {
			running = append(running, e)
		}
	}
	require.Len(t, running, 2)
	// 100 MiB at 100 MiB/s = 1 s pull, shared by both tasks on the one instance, + 2 s start.
	assert.Equal(t, 3*time.Second, running[0].At.Duration())
	assert.Equal(t, 3*time.Second, running[1].At.Duration())
}

func TestFailedTasksAreReplaced(t *testing.T) {
	cfg := baseConfig(t, 4)
	cfg.Duration = 24 * time.Hour
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 4, TaskFailuresPerTaskHour: 0.5,
		ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}}}}
	res := run(t, cfg)
	s := res.Summary.Services[0]
	// 4 tasks x 24 h x 0.5/h = 48 failures expected; each replaced.
	assert.InDelta(t, 48, s.TasksStopped, 20)
	assert.Equal(t, s.TasksStarted, s.TasksStopped+4)
	assert.Equal(t, 4, s.RunningAtEnd)
}

func TestSameSeedSameResult(t *testing.T) {
	mk := func() *Config {
		cfg := baseConfig(t, 3)
		cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 5, TaskFailuresPerTaskHour: 1,
			ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}}}}
		return cfg
	}
	a, b := run(t, mk()), run(t, mk())
	assert.Equal(t, a.Events, b.Events)
	assert.Equal(t, a.Summary, b.Summary)
}

// AWS (ECS Developer Guide, "Fargate task CPU and memory").
func TestUsageRecordsBillFargateFromThePullAndInstancesToTheEnd(t *testing.T) {
	cfg := baseConfig(t, 2)
	cfg.TaskDefinitions = append(cfg.TaskDefinitions, ecs.TaskDefinition{
		Family: "api", Revision: 1, NetworkMode: ecs.NetworkAWSVPC, RequiresCompatibilities: []string{"FARGATE"},
		CPU: 512, MemoryMiB: 1024, StopTimeout: 30 * time.Second,
		Containers: []ecs.ContainerDefinition{{Name: "api", Image: "api:1", ImageSizeBytes: 50 << 20, Essential: true}},
	})
	cfg.Services = []ecs.ServiceConfig{{Name: "api", TaskDefinition: 1, DesiredCount: 3, LaunchType: "FARGATE"}}
	res := run(t, cfg)
	require.Equal(t, 3, res.Tasks.Len())
	for _, u := range res.Tasks.All() {
		assert.Equal(t, cfg.Settings.FargateStartTime, u.Start.Duration(), "billing starts at the image pull")
		assert.Equal(t, res.End, u.Stop)
		assert.Equal(t, int32(-1), u.Instance)
		assert.True(t, res.Providers[u.Provider].Fargate)
		assert.Equal(t, "api", res.Owners[u.Owner].Name)
	}
	require.Len(t, res.Instances, 2)
	for _, in := range res.Instances {
		assert.Zero(t, in.Launched)
		assert.Equal(t, res.End, in.Terminated)
		assert.Equal(t, capacity.OnDemand, in.Purchase)
		assert.Equal(t, "cp", res.Providers[in.Provider].Name)
	}
}

// AWS (ECS_IMAGE_PULL_BEHAVIOR): "default" checks the registry even for a
// cached image; "prefer-cached" uses the cache without a pull.
func TestImagePullBehaviourOnACachedImage(t *testing.T) {
	for _, tc := range []struct {
		behaviour string
		want      time.Duration
	}{{"default", time.Second + 2*time.Second}, {"prefer-cached", 2 * time.Second}, {"once", 2 * time.Second}, {"always", 3 * time.Second}} {
		t.Run(tc.behaviour, func(t *testing.T) {
			cfg := baseConfig(t, 1)
			cfg.Settings.ImagePullBehavior = tc.behaviour
			cfg.Duration = 2 * time.Hour
			cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 1, TaskFailuresPerTaskHour: 1,
				ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}}}}
			res := run(t, cfg)
			created := map[string]time.Duration{}
			var second time.Duration
			for _, e := range res.Events {
				if e.Type != "TaskStateChange" {
					continue
				}
				switch e.Status {
				case "PROVISIONING":
					created[e.Subject] = e.At.Duration()
				case "RUNNING":
					if e.At.Duration() > 10*time.Second && second == 0 {
						second = e.At.Duration() - created[e.Subject]
					}
				}
			}
			require.NotZero(t, second, "a replacement task started")
			assert.Equal(t, tc.want, second, "start of a replacement on the instance that has the image")
		})
	}
}

// AWS (task placement strategies): with spread over zones, scale-in keeps the
// zones balanced.
func TestScaleInUnderSpreadKeepsZonesBalanced(t *testing.T) {
	cfg := baseConfig(t, 4) // zones a, b, a, b
	cfg.Duration = 2 * time.Hour
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 8, ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}},
		MinimumHealthyPercent: 100, MaximumPercent: 200}}
	four := 4
	cfg.Timeline = []TimelineEntry{{At: time.Hour, Action: "update_service", Service: 0, TaskDefinition: -1, Group: -1, DesiredCount: &four}}
	res := run(t, cfg)
	zones := map[string]int{}
	for _, task := range res.State.Describe().Tasks {
		zones[task.AvailabilityZone]++
	}
	assert.Equal(t, map[string]int{"us-east-1a": 2, "us-east-1b": 2}, zones)
}

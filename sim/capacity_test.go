package sim

import (
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/schema"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// managedConfig: an empty group of m5.large behind a managed-scaling provider
// and a batch job of 1-vCPU tasks.
func managedConfig(t testing.TB, mtp bool) *Config {
	cfg := baseConfig(t, 0)
	cfg.Duration = 4 * time.Hour
	g := &cfg.Groups[0]
	g.MinSize, g.MaxSize, g.DesiredCapacity = 0, 20, 0
	g.NewInstancesProtected = mtp
	cfg.CapacityProviders[0] = ecs.CapacityProviderConfig{Name: "cp", Group: 0, ManagedTerminationProtection: mtp, ManagedDraining: true,
		ManagedScaling: &ecs.ManagedScalingConfig{TargetCapacity: 100, MinStep: 1, MaxStep: 10, Warmup: 300 * time.Second, ScaleOutDatapoints: 1, ScaleInDatapoints: 15}}
	cfg.TaskDefinitions[0].CPU, cfg.TaskDefinitions[0].MemoryMiB = 1024, 2048
	cfg.BatchJobs = []ecs.BatchJobConfig{{Name: "job", TaskDefinition: 0, ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}},
		Arrivals: ecs.Arrivals{RatePerHour: 120, Max: 12}, Duration: ecs.Distribution{Kind: "fixed", Value: 30 * time.Minute}}}
	return cfg
}

func eventsOf(res *Result, typ string) []schema.Event {
	var out []schema.Event
	for _, e := range res.Events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func TestManagedScalingGrowsFromZeroForProvisioningTasksAndShrinksBack(t *testing.T) {
	res := run(t, managedConfig(t, true))
	desired := eventsOf(res, "AutoScalingGroupDesiredCapacity")
	require.NotEmpty(t, desired)
	assert.Equal(t, "0->2", desired[0].Status, "AWS: from zero, always two instances first")
	assert.Contains(t, desired[0].Reason, "CapacityProviderReservation 200")
	job := res.Summary.BatchJobs[0]
	assert.Equal(t, 12, job.Submitted)
	assert.Equal(t, 12, job.Completed, "every task waited in PROVISIONING, then ran")
	assert.Positive(t, job.PlacementWait.Max, "tasks waited for instances to launch")
	assert.Equal(t, 0, res.Summary.Instances.AtEnd, "the group scales back in after the load leaves")
	assert.Positive(t, res.Summary.Instances.Terminated)
}

// AWS ("Control the instances Amazon ECS terminates"): with managed
// termination protection, only instances without tasks are terminated.
func TestManagedTerminationProtectionKeepsBusyInstances(t *testing.T) {
	cfg := managedConfig(t, true)
	cfg.Groups[0].DesiredCapacity = 4
	cfg.BatchJobs[0].Arrivals = ecs.Arrivals{RatePerHour: 1e6, Max: 1} // one task, at once
	cfg.BatchJobs[0].Duration = ecs.Distribution{Kind: "fixed", Value: 3 * time.Hour}
	res := run(t, cfg)
	terminated := eventsOf(res, "InstanceTerminated")
	var busy string
	for _, u := range res.Tasks.All() {
		busy = res.Instances[u.Instance].ID
	}
	require.Len(t, terminated, 4)
	for _, e := range terminated[:3] {
		assert.NotEqual(t, busy, e.Subject, "the instance running the task is protected")
		assert.Less(t, e.At.Duration(), time.Hour, "the empty instances go after 15 minutes below target")
	}
	assert.Equal(t, busy, terminated[3].Subject)
	assert.GreaterOrEqual(t, terminated[3].At.Duration(), 3*time.Hour, "the busy instance goes only once its task has stopped")
}

func TestMixedInstancesPolicySplitsOnDemandAndSpot(t *testing.T) {
	// base 2, 50% above: of 6 instances, 2 + ceil(4 x 0.5) = 4 On-Demand, 2 Spot.
	cfg := baseConfig(t, 6)
	cfg.Groups[0].OnDemandBaseCapacity, cfg.Groups[0].OnDemandPercentageAboveBase = 2, 50
	res := run(t, cfg)
	counts := map[capacity.PurchaseOption]int{}
	for _, in := range res.Instances {
		counts[in.Purchase]++
	}
	assert.Equal(t, 4, counts[capacity.OnDemand])
	assert.Equal(t, 2, counts[capacity.Spot])
}

func TestSpotInterruptionDrainsReplacesTasksAndTheInstance(t *testing.T) {
	cfg := baseConfig(t, 4)
	cfg.Duration = 12 * time.Hour
	cfg.Groups[0].OnDemandPercentageAboveBase = 0 // all Spot
	cfg.Groups[0].SpotInterruptionsPerInstHour = 0.2
	cfg.CapacityProviders[0].ManagedDraining = true
	cfg.Settings.SpotInstanceDraining = true
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 8, ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}}}}
	res := run(t, cfg)
	assert.NotEmpty(t, eventsOf(res, "InstanceDraining"), "with Spot instance draining the notice drains")
	notices := eventsOf(res, "SpotInterruptionNotice")
	require.NotEmpty(t, notices)
	assert.Equal(t, len(notices), res.Summary.Instances.SpotInterruptions)
	assert.Equal(t, 4, res.Summary.Instances.AtEnd, "the group replaced every reclaimed instance")
	assert.Equal(t, 8, res.Summary.Services[0].RunningAtEnd, "the service replaced every drained task")
	for _, e := range eventsOf(res, "InstanceTerminated") {
		var notice *schema.Event
		for i := range notices {
			if notices[i].Subject == e.Subject {
				notice = &notices[i]
			}
		}
		require.NotNil(t, notice, "only interrupted instances terminate")
		assert.Equal(t, 2*time.Minute, (e.At - notice.At).Duration(), "reclaimed when the two-minute notice ends, drained or not")
	}
}

// terminations counts InstanceTerminated events per instance.
func terminations(res *Result) map[string]int {
	n := map[string]int{}
	for _, e := range eventsOf(res, "InstanceTerminated") {
		n[e.Subject]++
	}
	return n
}

// A Spot instance whose drain empties it before the notice ends was
// terminated when it emptied and again at the reclaim (and the second time
// brought it back to DRAINING). It is terminated once, at the reclaim.
func TestADrainedSpotInstanceIsTerminatedOnceAtTheReclaim(t *testing.T) {
	cfg := baseConfig(t, 4)
	cfg.Duration = 12 * time.Hour
	cfg.Groups[0].OnDemandPercentageAboveBase = 0
	cfg.Groups[0].SpotInterruptionsPerInstHour = 0.5
	cfg.Settings.SpotInstanceDraining = true
	cfg.TaskDefinitions[0].StopTimeout = 5 * time.Second // drained well inside the two minutes
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 4, ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}}}}
	res := run(t, cfg)
	require.GreaterOrEqual(t, res.Summary.Instances.SpotInterruptions, 5)
	for id, n := range terminations(res) {
		assert.Equal(t, 1, n, "instance %s", id)
	}
	in := res.Summary.Instances
	assert.Equal(t, in.Launched-in.Terminated, in.AtEnd, "launched - terminated = present")
	assert.Equal(t, len(terminations(res)), in.Terminated)
}

// A Spot instance interrupted while it is still launching never registers,
// and is terminated once, at the reclaim.
func TestASpotInstanceInterruptedWhileLaunchingIsTerminatedOnce(t *testing.T) {
	cfg := baseConfig(t, 2)
	cfg.Duration = 6 * time.Hour
	cfg.Groups[0].OnDemandPercentageAboveBase = 0
	cfg.Groups[0].LaunchTime = 20 * time.Minute // a long boot: notices land inside it
	cfg.Groups[0].SpotInterruptionsPerInstHour = 3
	res := run(t, cfg)
	launching := 0
	registered := map[string]bool{}
	for _, e := range eventsOf(res, "InstanceRegistered") {
		registered[e.Subject] = true
	}
	for _, e := range eventsOf(res, "SpotInterruptionNotice") {
		if !registered[e.Subject] {
			launching++
		}
	}
	require.Positive(t, launching, "some notices reach instances still launching")
	for id, n := range terminations(res) {
		assert.Equal(t, 1, n, "instance %s", id)
	}
	in := res.Summary.Instances
	assert.Equal(t, in.Launched-in.Terminated, in.AtEnd, "launched - terminated = present")
}

func TestFargateSpotInterruptionStopsWithSpotInterruptionAndIsReplaced(t *testing.T) {
	cfg := fargateConfig(t, 5, 10)
	cfg.Duration = 24 * time.Hour
	cfg.Services[0].LaunchType = ""
	cfg.Services[0].ProviderStrategy = []ecs.StrategyItem{{Provider: ecs.ProviderFargateSpot, Weight: 1}}
	cfg.Settings.FargateSpotInterruptionsPerTaskHour = 0.1
	res := run(t, cfg)
	var stops int
	for _, e := range res.Events {
		if e.Status == "STOPPING" && e.Reason == "Your Spot Task was interrupted." {
			stops++
		}
	}
	assert.Positive(t, stops)
	assert.Equal(t, stops, res.Summary.Instances.SpotInterruptions)
	assert.Equal(t, 5, res.Summary.Services[0].RunningAtEnd+res.Summary.Services[0].PendingAtEnd)
	assert.Equal(t, 5+stops, res.Summary.Services[0].TasksStarted)
}

func TestScaleInStopsAtProtectedInstancesAndSaysSo(t *testing.T) {
	cfg := managedConfig(t, true)
	cfg.CapacityProviders[0].ManagedScaling.ScaleInDatapoints = 1000 // keep managed scaling out of the way
	cfg.Groups[0].DesiredCapacity = 4
	cfg.BatchJobs[0].Arrivals = ecs.Arrivals{RatePerHour: 1e6, Max: 1}
	cfg.BatchJobs[0].Duration = ecs.Distribution{Kind: "fixed", Value: 3 * time.Hour}
	zero := 0
	cfg.Timeline = []TimelineEntry{{At: time.Hour, Action: "set_desired_capacity", Group: 0, DesiredCount: &zero, Service: -1, TaskDefinition: -1}}
	res := run(t, cfg)
	blocked := eventsOf(res, "ScaleInProtected")
	require.Len(t, blocked, 1)
	assert.Equal(t, "1 kept", blocked[0].Status)
	assert.Equal(t, time.Hour, blocked[0].At.Duration())
	// AWS: desired is decremented all the same, and the kept instance goes
	// once its protection lifts: here when its 3-hour task ends and managed
	// termination protection turns protection off.
	desired := column(res, "group.asg.desired")
	assert.Equal(t, 0.0, desired[61], "desired reads 0 from the scale-in on")
	terminated := eventsOf(res, "InstanceTerminated")
	require.Len(t, terminated, 4)
	last := terminated[3].At.Duration()
	assert.GreaterOrEqual(t, last, 3*time.Hour, "the busy instance outlives its task")
	assert.Less(t, last, 3*time.Hour+5*time.Minute)
	assert.Equal(t, 0, res.Summary.Instances.AtEnd)
}

// AWS's two pages disagree for groups with more than one instance type or
// Availability Zone: the managed scaling behaviour page binpacks the
// PROVISIONING tasks into an estimate (the default); the ManagedScaling API
// reference scales up "by the exact minimum scaling step size value". Twelve
// 1-vCPU tasks on m5.large (2 vCPU) over two zones: after the initial two
// instances, the estimate asks for the rest at once; the API reading adds
// one instance at a time (minimum step 1).
func TestMixedGroupsScaleByTheReadingTheSettingChooses(t *testing.T) {
	secondStep := func(minimumStep bool) string {
		cfg := managedConfig(t, false)
		cfg.Settings.MixedGroupsScaleByMinimumStep = minimumStep
		cfg.BatchJobs[0].Arrivals = ecs.Arrivals{RatePerHour: 1e6, Max: 12}
		res := run(t, cfg)
		desired := eventsOf(res, "AutoScalingGroupDesiredCapacity")
		require.GreaterOrEqual(t, len(desired), 2)
		require.Equal(t, "0->2", desired[0].Status, "from zero, two first either way")
		return desired[1].Status
	}
	assert.Equal(t, "2->6", secondStep(false), "estimate: 12 tasks x 1 vCPU on 2-vCPU instances = 6")
	assert.Equal(t, "2->3", secondStep(true), "the exact minimum step")
}

package sim

import (
	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/schema"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// AWS (DeploymentConfiguration): minimumHealthyPercent rounds up,
// maximumPercent rounds down.
func TestRollingBoundsRounding(t *testing.T) {
	tests := []struct{ desired, minPct, maxPct, minHealthy, maxTotal int }{
		{5, 50, 150, 3, 7}, // 2.5 -> 3, 7.5 -> 7
		{4, 100, 200, 4, 8},
		{3, 0, 100, 0, 3},
		{1, 50, 200, 1, 2}, // 0.5 -> 1
		{10, 75, 125, 8, 12},
	}
	for _, tc := range tests {
		minH, maxT := ecs.RollingBounds(tc.desired, tc.minPct, tc.maxPct)
		assert.Equal(t, tc.minHealthy, minH, "min healthy of %d at %d%%", tc.desired, tc.minPct)
		assert.Equal(t, tc.maxTotal, maxT, "max total of %d at %d%%", tc.desired, tc.maxPct)
	}
}

// AWS (deployment circuit breaker): 0.5 x desired, at least 3, at most 200.
func TestCircuitBreakerThresholdForDocumentedDesiredCounts(t *testing.T) {
	for desired, want := range map[int]int{1: 3, 4: 3, 25: 13, 400: 200, 800: 200} {
		assert.Equal(t, want, ecs.CircuitBreakerThreshold(desired), "desired %d", desired)
	}
}

// deployConfig: a Fargate service of 10 tasks, two revisions of its task
// definition, and an update to revision 2 at 1 h.
func deployConfig(t testing.TB) *Config {
	cfg := fargateConfig(t, 10, 0)
	cfg.Duration = 3 * time.Hour
	cfg.Services[0].Load = nil
	cfg.Services[0].MinimumHealthyPercent, cfg.Services[0].MaximumPercent = 100, 200
	rev2 := cfg.TaskDefinitions[0]
	rev2.Revision = 2
	cfg.TaskDefinitions = append(cfg.TaskDefinitions, rev2)
	cfg.Timeline = []TimelineEntry{{At: time.Hour, Action: "update_service", Service: 0, TaskDefinition: 1, Group: -1}}
	return cfg
}

func column(res *Result, name string) []float64 {
	for _, c := range res.Series.Columns {
		if c.Name == name {
			return c.Values
		}
	}
	return nil
}

func TestTaskIsHealthyFortySecondsAfterRunningWithoutAHealthCheck(t *testing.T) {
	cfg := fargateConfig(t, 1, 0)
	cfg.Services[0].Load = nil
	cfg.Duration = 5 * time.Minute
	res := run(t, cfg)
	var running time.Duration
	for _, e := range res.Events {
		if e.Type == "TaskStateChange" && e.Status == "RUNNING" {
			running = e.At.Duration()
		}
	}
	var completed []schema.Event
	for _, e := range res.Events {
		if e.Type == "DeploymentCompleted" {
			completed = append(completed, e)
		}
	}
	require.Len(t, completed, 1)
	assert.Equal(t, running+40*time.Second, completed[0].At.Duration())
}

func TestRollingDeploymentNeverDropsBelowMinimumHealthy(t *testing.T) {
	res := run(t, deployConfig(t))
	s := res.Summary.Services[0]
	assert.Equal(t, 2, s.DeploymentsCompleted, "the initial deployment and the update")
	assert.Equal(t, 0, s.DeploymentsFailed)
	healthy := column(res, "service.web.healthy")
	for m := 5; m < len(healthy); m++ { // after the first tasks became healthy
		assert.GreaterOrEqual(t, healthy[m], 10.0, "minute %d", m)
	}
	assert.GreaterOrEqual(t, s.AvailabilityPct, 99.0, "only the first minute, before the first tasks were healthy, is short")
	// Every task at the end runs revision 2.
	for _, td := range res.State.Describe().Tasks {
		assert.Contains(t, td.TaskDefinitionArn, "task-definition/web:2")
	}
	assert.Equal(t, 20, s.TasksStarted)
}

func TestBrokenImageTripsTheCircuitBreakerAndRollsBack(t *testing.T) {
	cfg := deployConfig(t)
	cfg.TaskDefinitions[1].FailsToStart = true
	cfg.Services[0].CircuitBreaker = &ecs.CircuitBreakerConfig{Enable: true, Rollback: true}
	res := run(t, cfg)
	s := res.Summary.Services[0]
	assert.Equal(t, 1, s.DeploymentsFailed)
	assert.Equal(t, 1, s.RolledBack)
	var failed *schema.Event
	for i, e := range res.Events {
		if e.Type == "DeploymentFailed" {
			failed = &res.Events[i]
		}
	}
	require.NotNil(t, failed)
	assert.Contains(t, failed.Reason, "5 failed tasks, threshold 5", "0.5 x 10")
	for _, td := range res.State.Describe().Tasks {
		assert.Contains(t, td.TaskDefinitionArn, "task-definition/web:1", "rolled back to revision 1")
	}
	healthy := column(res, "service.web.healthy")
	for m := 5; m < len(healthy); m++ {
		assert.GreaterOrEqual(t, healthy[m], 10.0, "old tasks keep serving, minute %d", m)
	}
}

func TestFailedInstancesAreReplacedAndTheirTasksRescheduled(t *testing.T) {
	cfg := baseConfig(t, 4)
	cfg.Duration = 2 * time.Hour
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 8, ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}},
		MinimumHealthyPercent: 100, MaximumPercent: 200}}
	cfg.Timeline = []TimelineEntry{{At: 30 * time.Minute, Action: "fail_instances", Group: 0, Count: 2, Service: -1, TaskDefinition: -1}}
	res := run(t, cfg)
	failed := eventsOf(res, "InstanceFailed")
	require.Len(t, failed, 2)
	lost := 0
	for _, e := range res.Events {
		if e.Status == "STOPPING" && e.Reason == "Host EC2 instance failed its status checks" {
			lost++
		}
	}
	assert.Positive(t, lost)
	assert.Equal(t, 4, res.Summary.Instances.AtEnd, "the group replaced both")
	assert.Equal(t, 8, res.Summary.Services[0].RunningAtEnd)
	assert.Less(t, res.Summary.Services[0].AvailabilityPct, 100.0, "the loss shows as minutes below minimum healthy")
}

func TestZoneOutageLosesItsCapacityAndTheGroupRebalancesAfter(t *testing.T) {
	cfg := baseConfig(t, 4) // two in us-east-1a, two in us-east-1b
	cfg.Duration = 3 * time.Hour
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 6, ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}},
		MinimumHealthyPercent: 100, MaximumPercent: 200}}
	cfg.Timeline = []TimelineEntry{{At: 30 * time.Minute, Action: "az_outage", Zone: "us-east-1a", Duration: time.Hour, Service: -1, Group: -1, TaskDefinition: -1}}
	res := run(t, cfg)
	assert.Len(t, eventsOf(res, "InstanceFailed"), 2)
	assert.Len(t, eventsOf(res, "ZoneRecovered"), 1)
	zones := map[string]int{}
	for _, ci := range res.State.Describe().ContainerInstances {
		if ci.Status == "ACTIVE" {
			zones[ci.AvailabilityZone]++
		}
	}
	assert.Equal(t, map[string]int{"us-east-1a": 2, "us-east-1b": 2}, zones, "rebalanced after the zone returned")
	assert.Equal(t, 6, res.Summary.Services[0].RunningAtEnd)
}

// AWS (ALB target groups): a new target is healthy after one passing check;
// a stopped task drains for the deregistration delay, then gets its stop
// timeout.
func TestLoadBalancedTasksTurnHealthyAfterACheckAndDrainBeforeStopping(t *testing.T) {
	cfg := deployConfig(t)
	cfg.Timeline = nil
	cfg.Duration = 2 * time.Hour
	cfg.Services[0].LoadBalancer = &ecs.LoadBalancerConfig{Interval: 15 * time.Second, HealthyThreshold: 5, UnhealthyThreshold: 2, DeregistrationDelay: 120 * time.Second}
	four := 4
	cfg.Timeline = []TimelineEntry{{At: time.Hour, Action: "update_service", Service: 0, TaskDefinition: -1, Group: -1, DesiredCount: &four}}
	res := run(t, cfg)
	var running, completed time.Duration
	stopping := map[string]time.Duration{}
	var drained []time.Duration
	for _, e := range res.Events {
		switch {
		case e.Type == "TaskStateChange" && e.Status == "RUNNING" && running == 0:
			running = e.At.Duration()
		case e.Type == "DeploymentCompleted" && completed == 0:
			completed = e.At.Duration()
		case e.Type == "TaskStateChange" && e.Status == "STOPPING":
			stopping[e.Subject] = e.At.Duration()
		case e.Type == "TaskStateChange" && e.Status == "STOPPED":
			drained = append(drained, e.At.Duration()-stopping[e.Subject])
		}
	}
	assert.Equal(t, running+15*time.Second, completed, "healthy one interval after registration")
	require.Len(t, drained, 6, "scale-in from 10 to 4")
	for _, d := range drained {
		assert.Equal(t, 120*time.Second+30*time.Second, d, "deregistration delay, then the stop timeout")
	}
}

// AWS (service throttle logic): the wait between restart attempts grows, up
// to 27 minutes; fleetsim doubles it from ThrottleBase.
func TestThrottleSpacesOutRepeatedStartFailures(t *testing.T) {
	cfg := fargateConfig(t, 1, 0)
	cfg.Services[0].Load = nil
	cfg.TaskDefinitions[0].FailsToStart = true
	cfg.Duration = 3 * time.Hour
	res := run(t, cfg)
	var created []time.Duration
	for _, e := range res.Events {
		if e.Type == "TaskStateChange" && e.Status == "PROVISIONING" {
			created = append(created, e.At.Duration())
		}
	}
	require.Greater(t, len(created), 5)
	for i := 2; i < len(created); i++ {
		gap, prev := created[i]-created[i-1], created[i-1]-created[i-2]
		assert.GreaterOrEqual(t, gap, prev, "attempt %d: the wait never shrinks", i)
		assert.LessOrEqual(t, gap, 27*time.Minute+time.Minute, "capped at 27 minutes (plus the start time)")
	}
}

// AWS (circuit breaker): a FAILED deployment with nothing to roll back to
// stalls: no new tasks.
func TestFailedDeploymentWithoutRollbackStopsLaunching(t *testing.T) {
	cfg := deployConfig(t)
	cfg.TaskDefinitions[1].FailsToStart = true
	cfg.Services[0].CircuitBreaker = &ecs.CircuitBreakerConfig{Enable: true}
	res := run(t, cfg)
	require.Equal(t, 1, res.Summary.Services[0].DeploymentsFailed)
	var failedAt time.Duration
	for _, e := range res.Events {
		if e.Type == "DeploymentFailed" {
			failedAt = e.At.Duration()
		}
	}
	for _, e := range res.Events {
		if e.Type == "TaskStateChange" && e.Status == "PROVISIONING" {
			assert.LessOrEqual(t, e.At.Duration(), failedAt, "no task created after the deployment failed")
		}
	}
	assert.Equal(t, 10, res.Summary.Services[0].RunningAtEnd, "the old tasks keep running")
}

// AWS (draining): with minimumHealthyPercent 100 the scheduler stops a
// draining instance's tasks only once their replacements are healthy.
func TestDrainingKeepsTheMinimumHealthy(t *testing.T) {
	cfg := baseConfig(t, 4)
	cfg.Duration = 2 * time.Hour
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: 4, ProviderStrategy: []ecs.StrategyItem{{Provider: "cp", Weight: 1}},
		MinimumHealthyPercent: 100, MaximumPercent: 200}}
	cfg.Timeline = []TimelineEntry{{At: 30 * time.Minute, Action: "drain_instances", Group: 0, Count: 2, Service: -1, TaskDefinition: -1}}
	res := run(t, cfg)
	healthy := column(res, "service.web.healthy")
	for m := 5; m < len(healthy); m++ {
		assert.GreaterOrEqual(t, healthy[m], 4.0, "minute %d", m)
	}
	st := res.State.Describe()
	for _, task := range st.Tasks {
		for _, ci := range st.ContainerInstances {
			if ci.ContainerInstanceArn == task.ContainerInstance {
				assert.NotEqual(t, "DRAINING", ci.Status, "no task left on a draining instance")
			}
		}
	}
	assert.Equal(t, 4, res.Summary.Instances.AtEnd, "drained instances stay in their group")
	assert.Equal(t, 4, res.Summary.Instances.Launched, "and the group launches none for them")
}

// A run never writes to its Config. It once filled MaximumPercent 0 -> 200
// (the API default) into it, and copied a timeline update's deployment
// configuration into the service's: a second run of the same Config was
// another scenario.
func TestRunLeavesItsConfigAsItFoundIt(t *testing.T) {
	build := func() *Config {
		cfg := deployConfig(t)
		cfg.Services[0].MaximumPercent = 0 // unset: the default 200
		zero := 0
		cfg.Timeline = append(cfg.Timeline, TimelineEntry{At: 30 * time.Minute, Action: "update_service", Service: 0,
			TaskDefinition: -1, Group: -1, MinimumHealthy: &zero})
		return cfg
	}
	cfg := build()
	first := run(t, cfg)
	assert.Equal(t, build(), cfg)
	second := run(t, cfg)
	assert.Equal(t, first.Summary, second.Summary, "the same Config runs the same scenario again")
}

// A task slot is reused once its task is STOPPED. Health-check events used
// to outlive their task: one reaching the slot's next task counted it
// healthy twice (a service read 301 healthy of 300 running). Tasks here fail
// every ~18 s on average, most before their 40 s health verdict, so slots
// turn over while verdicts are pending; healthy never exceeds running.
func TestHealthVerdictsNeverReachAReusedTaskSlot(t *testing.T) {
	cfg := fargateConfig(t, 6, 0)
	cfg.Duration = 2 * time.Hour
	cfg.Services[0].Load = nil
	cfg.Services[0].TaskFailuresPerTaskHour = 200
	steady := cfg.Services[0]
	steady.Name, steady.TaskFailuresPerTaskHour = "steady", 0.5
	cfg.Services = append(cfg.Services, steady)
	res := run(t, cfg)
	require.Greater(t, res.Summary.Services[0].TasksStopped, 300, "slots turned over")
	for _, svc := range []string{"web", "steady"} {
		healthy, running := column(res, "service."+svc+".healthy"), column(res, "service."+svc+".running")
		for m := range healthy {
			require.LessOrEqual(t, healthy[m], running[m], "%s minute %d", svc, m)
		}
	}
}

// AWS (CreateService, healthCheckGracePeriodSeconds): the service scheduler
// ignores unhealthy load balancer, VPC Lattice and container health checks
// for the grace period after a task first starts. A container check every
// 10 s with 3 retries fails a task 30 s after RUNNING; with a 120 s grace
// period, 120 s after.
func TestTheGracePeriodHoldsOffAFailingContainerHealthCheck(t *testing.T) {
	unhealthyAfter := func(grace time.Duration) time.Duration {
		cfg := fargateConfig(t, 1, 0)
		cfg.Duration = 10 * time.Minute
		cfg.Services[0].Load = nil
		cfg.Services[0].HealthCheckGracePeriod = grace
		cfg.TaskDefinitions[0].HealthCheck = &ecs.HealthCheck{Interval: 10 * time.Second, Retries: 3}
		cfg.TaskDefinitions[0].FailsHealthCheck = true
		res := run(t, cfg)
		var running, stopping time.Duration = -1, -1
		for _, e := range res.Events {
			if e.Type != "TaskStateChange" || e.Subject != "00000000000000000000000000000001" {
				continue
			}
			switch {
			case e.Status == "RUNNING" && running < 0:
				running = e.At.Duration()
			case e.Status == "STOPPING" && stopping < 0:
				stopping = e.At.Duration()
				assert.Equal(t, "Task failed container health checks", e.Reason)
			}
		}
		require.GreaterOrEqual(t, running, time.Duration(0))
		require.Greater(t, stopping, running)
		return stopping - running
	}
	assert.Equal(t, 30*time.Second, unhealthyAfter(0), "3 retries x 10 s")
	assert.Equal(t, 120*time.Second, unhealthyAfter(2*time.Minute), "held off by the grace period")
}

// AWS (What's New, November 2025, "Amazon ECS improves Service Availability
// during Rolling deployments"): ECS replaces unhealthy or terminated tasks
// of the running version with that same version, independent of the new
// version's status. Here revision 2 cannot start at all and the running
// revision-1 tasks fail now and then: the failed ones come back as revision
// 1, so the service keeps its ten tasks serving (before, each replacement
// was a revision-2 task that failed to start).
func TestARunningVersionsFailedTaskIsReplacedWithItsOwnRevision(t *testing.T) {
	cfg := deployConfig(t)
	cfg.Duration = 4 * time.Hour
	cfg.TaskDefinitions[1].FailsToStart = true
	cfg.Services[0].TaskFailuresPerTaskHour = 0.5
	res := run(t, cfg)
	rev1After, rev2 := 0, 0
	for _, e := range res.Events {
		if e.Type != "TaskStateChange" || e.Status != "PROVISIONING" {
			continue
		}
		// Fargate tasks: the task definition is in state.json only; count
		// by creation time and check the end state below.
		if e.At.Duration() > time.Hour {
			rev2++
		}
	}
	require.Positive(t, rev2, "tasks were created after the deployment started")
	for _, td := range res.State.Describe().Tasks {
		if strings.Contains(td.TaskDefinitionArn, "task-definition/web:1") && td.LastStatus == "RUNNING" {
			rev1After++
		}
	}
	assert.Equal(t, 10, rev1After, "the running version keeps its ten tasks")
	healthy := column(res, "service.web.healthy")
	for m := 70; m < len(healthy); m++ {
		// a failed task's replacement serves about a minute later (Fargate
		// start, then 40 s to healthy): two failures close together dip to 8
		assert.GreaterOrEqual(t, healthy[m], 8.0, "minute %d", m)
	}
}

// AWS (November 2025): "when Application Auto Scaling triggers during a
// rolling deployment, ECS applies scale-out to both service revisions".
// Revision 2 cannot start; load doubles during the deployment and target
// tracking scales 10 -> 16 (80% against a 50% target): the running revision
// 1 grows to 16 tasks too, and so can carry the load.
func TestAScaleOutDuringARollingDeploymentGrowsTheRunningVersion(t *testing.T) {
	cfg := deployConfig(t)
	cfg.Duration = 2 * time.Hour
	cfg.TaskDefinitions[1].FailsToStart = true
	cfg.Services[0].Load = &ecs.LoadConfig{Pattern: "step", BaseRPS: 400, CPUSecondsPerRequest: 0.01,
		Steps: []ecs.LoadStep{{At: 70 * time.Minute, RPS: 800}}}
	cfg.Services[0].AutoScaling = &ecs.AutoScalingConfig{MinCapacity: 10, MaxCapacity: 100,
		TargetTracking: []autoscale.TargetTrackingConfig{{Name: "cpu50", Metric: autoscale.ECSServiceAverageCPUUtilization, TargetValue: 50, DisableScaleIn: true}}}
	res := run(t, cfg)
	require.Equal(t, 16, res.Summary.Services[0].DesiredAtEnd, "ceil(10 x 80 / 50)")
	rev1 := 0
	for _, td := range res.State.Describe().Tasks {
		if strings.Contains(td.TaskDefinitionArn, "task-definition/web:1") && td.LastStatus == "RUNNING" {
			rev1++
		}
	}
	assert.Equal(t, 16, rev1, "the running version scaled out with the service")
}

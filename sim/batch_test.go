package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/schema"
	"github.com/fleetsim/fleetsim/workload"
)

func batchConfig(t testing.TB, a ecs.Arrivals) *Config {
	cfg := fargateConfig(t, 0, 0)
	cfg.Services = nil
	cfg.Duration = 5 * time.Hour
	cfg.BatchJobs = []ecs.BatchJobConfig{{Name: "job", TaskDefinition: 0, LaunchType: "FARGATE", Arrivals: a,
		Duration: ecs.Distribution{Kind: "fixed", Value: 10 * time.Minute}}}
	return cfg
}

func TestCronArrivalsSubmitTasksAtEachFiring(t *testing.T) {
	res := run(t, batchConfig(t, ecs.Arrivals{Pattern: "cron", Schedule: schedule(t, "cron(0 * * * ? *)"), PerFiring: 3}))
	// Hourly at :00 from 00:00 to 05:00 inclusive: 6 firings x 3 tasks.
	assert.Equal(t, 18, res.Summary.BatchJobs[0].Submitted)
	created := map[time.Duration]int{}
	for _, e := range res.Events {
		if e.Type == "TaskStateChange" && e.Status == "PROVISIONING" {
			created[e.At.Duration()]++
		}
	}
	assert.Equal(t, map[time.Duration]int{0: 3, time.Hour: 3, 2 * time.Hour: 3, 3 * time.Hour: 3, 4 * time.Hour: 3, 5 * time.Hour: 3}, created)
}

func TestTraceArrivalsKeepEachTasksTimeSizeAndDuration(t *testing.T) {
	tasks := []workload.Task{
		{Arrival: 10 * time.Minute, Duration: 5 * time.Minute, CPUUnits: 2048, MemoryMiB: 4096},
		{Arrival: 20 * time.Minute, Duration: 90 * time.Second, CPUUnits: 512, MemoryMiB: 1024},
	}
	cfg := batchConfig(t, ecs.Arrivals{Pattern: "trace", Tasks: tasks})
	res := run(t, cfg)
	require.Equal(t, 2, res.Tasks.Len())
	for i, u := range res.Tasks.All() {
		assert.Equal(t, int32(tasks[i].CPUUnits), u.CPUUnits)
		assert.Equal(t, int32(tasks[i].MemoryMiB), u.MemoryMiB)
	}
	var ran []time.Duration
	started := map[string]time.Duration{}
	for _, e := range res.Events {
		switch {
		case e.Type != "TaskStateChange":
		case e.Status == "RUNNING":
			started[e.Subject] = e.At.Duration()
		case e.Status == "STOPPED":
			ran = append(ran, e.At.Duration()-started[e.Subject])
		}
	}
	assert.Equal(t, []time.Duration{5 * time.Minute, 90 * time.Second}, ran)
	assert.Equal(t, 2, res.Summary.BatchJobs[0].Completed)
}

func TestInterruptedBatchTasksAreRetried(t *testing.T) {
	cfg := batchConfig(t, ecs.Arrivals{Pattern: "poisson", RatePerHour: 60, Max: 40})
	cfg.BatchJobs[0].LaunchType = ""
	cfg.BatchJobs[0].ProviderStrategy = []ecs.StrategyItem{{Provider: ecs.ProviderFargateSpot, Weight: 1}}
	cfg.BatchJobs[0].Duration = ecs.Distribution{Kind: "fixed", Value: time.Hour}
	cfg.BatchJobs[0].Retries = 3
	cfg.Duration = 12 * time.Hour
	cfg.Settings.FargateSpotInterruptionsPerTaskHour = 0.5
	res := run(t, cfg)
	job := res.Summary.BatchJobs[0]
	assert.Equal(t, 40, job.Submitted)
	assert.Positive(t, res.Summary.Instances.SpotInterruptions)
	assert.Greater(t, job.Completed, 35, "most tasks finish within three retries")
	assert.LessOrEqual(t, job.Completed, 40)
}

func TestWindowedPoissonArrivesOnlyInsideTheWindow(t *testing.T) {
	cfg := batchConfig(t, ecs.Arrivals{Pattern: "poisson", RatePerHour: 120, Start: time.Hour, Window: 30 * time.Minute, Every: 2 * time.Hour})
	res := run(t, cfg)
	n := 0
	for _, e := range res.Events {
		if e.Type == "TaskStateChange" && e.Status == "PROVISIONING" {
			n++
			off := (e.At.Duration() - time.Hour) % (2 * time.Hour)
			assert.True(t, e.At.Duration() >= time.Hour && off < 30*time.Minute, "arrival at %v outside the windows", e.At)
		}
	}
	// Windows at 1h and 3h in 5 h: 2 x 30 min at 2 a minute, about 120.
	assert.InDelta(t, 120, n, 40)
}

// schedule parses an Application Auto Scaling schedule expression in UTC.
func schedule(t testing.TB, expr string) autoscale.Schedule {
	t.Helper()
	s, err := autoscale.ParseSchedule(expr, time.UTC)
	require.NoError(t, err)
	return s
}

// AWS (RunTask API): the response lists the tasks placed and, under
// "failures", the reasons for the rest; ECS creates no task for a failure.
// A RunTask with the EC2 launch type on a cluster with room for two 1-vCPU
// tasks (one m5.large) and four arrivals at once: two tasks, two failures,
// and no PROVISIONING state change for the tasks that were never created.
func TestAFailedRunTaskCreatesNoTask(t *testing.T) {
	cfg := baseConfig(t, 1)
	cfg.Duration = 30 * time.Minute
	cfg.TaskDefinitions[0].CPU = 1024
	cfg.BatchJobs = []ecs.BatchJobConfig{{Name: "etl", TaskDefinition: 0, LaunchType: "EC2",
		Arrivals: ecs.Arrivals{Pattern: "cron", Schedule: schedule(t, "cron(0 0 * * ? *)"), PerFiring: 4},
		Duration: ecs.Distribution{Kind: "fixed", Value: time.Hour}}}
	res := run(t, cfg)
	job := res.Summary.BatchJobs[0]
	assert.Equal(t, 4, job.Submitted)
	assert.Equal(t, 2, job.RunTaskFailures)
	assert.Equal(t, 2, job.RunningAtEnd)
	tasks := map[string]bool{}
	var failures []schema.Event
	for _, e := range res.Events {
		switch e.Type {
		case schema.TaskStateChange, schema.PlacementFailed:
			tasks[e.Subject] = true
		case schema.RunTaskFailed:
			failures = append(failures, e)
		}
	}
	assert.Len(t, tasks, 2, "only the placed tasks have events")
	require.Len(t, failures, 2)
	for _, f := range failures {
		assert.Empty(t, f.Subject, "a failure is no task")
		assert.Equal(t, "RESOURCE:CPU", f.Reason)
		assert.Equal(t, "family:web", f.Group)
	}
	assert.Len(t, res.State.Describe().Tasks, 2)
}

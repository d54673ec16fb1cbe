package sim

import (
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/schema"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale"
)

// fargateConfig is one Fargate service of 1-vCPU tasks under a constant load.
func fargateConfig(t testing.TB, desired int, rps float64) *Config {
	cfg := baseConfig(t, 0)
	cfg.Groups, cfg.CapacityProviders = nil, nil
	cfg.TaskDefinitions = []ecs.TaskDefinition{{
		Family: "web", Revision: 1, NetworkMode: ecs.NetworkAWSVPC, RequiresCompatibilities: []string{"FARGATE"},
		CPU: 1024, MemoryMiB: 2048, StopTimeout: 30 * time.Second,
		Containers: []ecs.ContainerDefinition{{Name: "app", Image: "web:1", ImageSizeBytes: 10 << 20, Essential: true}},
	}}
	cfg.Services = []ecs.ServiceConfig{{Name: "web", DesiredCount: desired, LaunchType: "FARGATE",
		Load: &ecs.LoadConfig{Pattern: "constant", BaseRPS: rps, CPUSecondsPerRequest: 0.01}}}
	return cfg
}

func scalingEvents(res *Result) []schema.Event {
	var out []schema.Event
	for _, e := range res.Events {
		if e.Type == "ScalingActivity" {
			out = append(out, e)
		}
	}
	return out
}

// The documented case: target tracking at 50% CPU, 10 tasks at 80%
// for three minutes -> 16 tasks (ceil(10 x 80 / 50)).
func TestTargetTrackingTenTasksAtEightyPercentAsksForSixteen(t *testing.T) {
	cfg := fargateConfig(t, 10, 800) // 800 rps x 0.01 s = 8 vCPU over 10 x 1 vCPU = 80%
	cfg.Duration = 5 * time.Minute
	cfg.Services[0].AutoScaling = &ecs.AutoScalingConfig{MinCapacity: 1, MaxCapacity: 100,
		TargetTracking: []autoscale.TargetTrackingConfig{{Name: "cpu50", Metric: autoscale.ECSServiceAverageCPUUtilization, TargetValue: 50}}}
	res := run(t, cfg)
	ev := scalingEvents(res)
	require.NotEmpty(t, ev)
	assert.Equal(t, "10->16", ev[0].Status)
	assert.Equal(t, 3*time.Minute, ev[0].At.Duration(), "after three one-minute datapoints above target")
	assert.Contains(t, ev[0].Reason, "ceil(10 x 80 / 50) = 16")
	assert.Len(t, ev, 1, "the 300 s scale-out cooldown holds a second scale-out within 5 minutes")
	needed := column(res, "service.web.needed")
	require.NotEmpty(t, needed)
	assert.Equal(t, 16.0, needed[2], "the series shows the capacity the load needs at the target: 8 vCPU / (1 vCPU x 50%)")
}

func TestUtilisationIsRecordedPerMinuteIncludingOverload(t *testing.T) {
	cfg := fargateConfig(t, 2, 300) // 3 vCPU of work on 2 vCPU: 150%
	cfg.Duration = 3 * time.Minute
	res := run(t, cfg)
	var cpu []float64
	for _, c := range res.Series.Columns {
		if c.Name == "service.web.cpu_utilization" {
			cpu = c.Values
		}
	}
	require.Len(t, cpu, 4)
	assert.InDelta(t, 150, cpu[2], 1e-9, "overload is recorded, never hidden")
}

func TestScheduledActionRaisesTheFloorAndDesiredFollows(t *testing.T) {
	cfg := fargateConfig(t, 2, 10)
	cfg.Duration = 3 * time.Hour
	eight := 8
	cfg.Services[0].AutoScaling = &ecs.AutoScalingConfig{MinCapacity: 1, MaxCapacity: 20,
		Scheduled: []autoscale.ScheduledActionConfig{{Name: "floor", Schedule: schedule(t, "cron(0 1 * * ? *)"), MinCapacity: &eight}}}
	res := run(t, cfg)
	ev := scalingEvents(res)
	require.Len(t, ev, 1)
	assert.Equal(t, "2->8", ev[0].Status)
	assert.Equal(t, time.Hour, ev[0].At.Duration())
	assert.True(t, strings.HasPrefix(ev[0].Reason, `scheduled action "floor"`))
	assert.Equal(t, 8, res.Summary.Services[0].RunningAtEnd)
}

// The service model: 2 tasks of 1 vCPU at 10 ms a request serve at most
// 2 x 100 = 200 rps, less the 1% headroom (workload.ServiceModel's default
// 0.99); of 300 rps offered, 300 - 198 = 102 rps are dropped.
func TestOverloadDropsRequestsAndMissesTheSLO(t *testing.T) {
	cfg := fargateConfig(t, 2, 300)
	cfg.Duration = 10 * time.Minute
	cfg.Services[0].Load.LatencySLO = 100 * time.Millisecond
	res := run(t, cfg)
	s := res.Summary.Services[0]
	assert.InDelta(t, 300*60*10, s.RequestsOffered, 1)
	assert.InDelta(t, 102*60*10, s.RequestsDropped, 1)
	assert.Less(t, s.SLOAttainmentPct, 66.0, "at most the served share can meet the SLO")
	assert.GreaterOrEqual(t, s.SLOAttainmentPct, 0.0)

	light := fargateConfig(t, 2, 20) // 10% utilisation: nearly every request within 100 ms
	light.Duration = 10 * time.Minute
	light.Services[0].Load.LatencySLO = 100 * time.Millisecond
	ls := run(t, light).Summary.Services[0]
	assert.Zero(t, ls.RequestsDropped)
	assert.Greater(t, ls.SLOAttainmentPct, 99.0)
}

func TestPatternArrivalsFollowTheirRate(t *testing.T) {
	// A constant 600 tasks an hour, by thinning: about 2,400 in 4 hours.
	cfg := batchConfig(t, ecs.Arrivals{Pattern: "pattern", Rate: &ecs.LoadConfig{Pattern: "constant", BaseRPS: 600}})
	cfg.Duration = 4 * time.Hour
	cfg.BatchJobs[0].Duration = ecs.Distribution{Kind: "fixed", Value: time.Minute}
	res := run(t, cfg)
	assert.InDelta(t, 2400, res.Summary.BatchJobs[0].Submitted, 150, "within 3 standard deviations of a Poisson count")
}

func TestQueueBacklogGrowsBeyondCapacityAndBacklogPerTaskScalesItAway(t *testing.T) {
	mk := func() *Config {
		cfg := fargateConfig(t, 1, 100) // 100 messages/s
		cfg.Duration = 2 * time.Hour
		cfg.Services[0].Load.Queue = true
		cfg.Services[0].Load.CPUSecondsPerRequest = 0.05 // a 1-vCPU task handles 20/s
		return cfg
	}
	fixed := run(t, mk()).Summary.Services[0].Queue
	require.NotNil(t, fixed)
	assert.InDelta(t, 100*60*120, fixed.Received, 1)
	assert.InDelta(t, fixed.Received, fixed.Processed+fixed.BacklogEnd, 1, "every message is processed or waiting")
	assert.Greater(t, fixed.BacklogEnd, 80*60*100.0, "one task falls 80 messages a second behind")

	scaled := mk()
	scaled.Services[0].AutoScaling = &ecs.AutoScalingConfig{MinCapacity: 1, MaxCapacity: 20,
		TargetTracking: []autoscale.TargetTrackingConfig{{Name: "backlog", Metric: ecs.BacklogPerTask, TargetValue: 600, ScaleOutCooldown: 60 * time.Second}}}
	q := run(t, scaled).Summary.Services[0].Queue
	assert.Less(t, q.BacklogEnd, 600.0*6, "target tracking on backlog per task keeps the backlog near target x tasks")
}

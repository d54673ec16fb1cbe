package scenarios

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// startUpSource is a cluster that starts at ten instances for two tasks:
// managed scaling (target 100%) scales it in after its 15-minute alarm, so
// the run's peak is a start-up transient, as large-week's 12,000 is.
const startUpSource = `
name = "start-up"
duration = "3h"
seed = 7

[settings]
warm_up = "45m"

[cluster]
name = "c"
availability_zones = ["us-east-1a", "us-east-1b"]

[[auto_scaling_groups]]
name = "asg"
instance_types = ["m5.large"]
min_size = 0
max_size = 10
desired_capacity = 10
instance_launch_time = "90s"

[[capacity_providers]]
name = "cp"
auto_scaling_group = "asg"
managed_scaling = { status = "ENABLED", target_capacity = 100 }

[[task_definitions]]
family = "web"
requires_compatibilities = ["EC2"]
  [[task_definitions.container_definitions]]
  name = "app"
  image = "web:1"
  cpu = 512
  memory = 1024

[[services]]
name = "web"
task_definition = "web"
desired_count = 2
capacity_provider_strategy = [{ capacity_provider = "cp", weight = 1 }]
  [services.load]
  pattern = "constant"
  base_rps = 10
  cpu_seconds_per_request = 0.005
  [services.slo]
  latency = "100ms"
  latency_target = 99.9
  availability_target = 99.5
  p95_wait = "60s"
`

func runSource(t *testing.T, src string) *sim.Result {
	t.Helper()
	s, err := Parse(src, "test.toml", nil)
	require.NoError(t, err)
	res, err := sim.New(s.Config).Run()
	require.NoError(t, err)
	return res
}

func TestTheWarmUpKeepsTheStartUpPeakOutOfThePeak(t *testing.T) {
	res := runSource(t, startUpSource)
	in := res.Summary.Instances
	assert.Equal(t, "45m0s", res.Summary.WarmUp)
	assert.Equal(t, 10, in.PeakDuringWarmUp, "the ten instances it started with")
	assert.Less(t, in.Peak, 10, "after the warm-up, managed scaling has scaled in")
	assert.GreaterOrEqual(t, in.Peak, 1, "the two tasks still need an instance")

	sv := res.Summary.Services[0]
	require.NotNil(t, sv.SLO)
	assert.Equal(t, ecs.Pass, sv.SLO.Verdict, "%+v", sv.SLO.Objectives)
	assert.Equal(t, 3, sv.SLO.Met)

	b, err := json.Marshal(res.Summary)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"peak_during_warm_up":10`)
	assert.Contains(t, string(b), `"slo":{"verdict":"pass","objectives_met":3,"objectives":[{"name":"latency","threshold":"100ms","target":99.9,`)
}

func TestWithoutAWarmUpThePeakIsTheStartUpPeak(t *testing.T) {
	res := runSource(t, replaceOnce(t, startUpSource, "[settings]\nwarm_up = \"45m\"\n", ""))
	assert.Equal(t, 10, res.Summary.Instances.Peak)
	assert.Zero(t, res.Summary.Instances.PeakDuringWarmUp)
	assert.Empty(t, res.Summary.WarmUp)
	b, err := json.Marshal(res.Summary)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "warm_up", "no warm-up, no warm-up fields: summaries without one are unchanged")
}

func TestAScenarioThatFailsItsLatencyObjective(t *testing.T) {
	// 400 requests/s of 5 ms on two 0.5-vCPU tasks: each task can serve 100/s,
	// so half the load is dropped (a miss) whatever the latency.
	src := startUpSource
	src = replaceOnce(t, src, "base_rps = 10\n", "base_rps = 400\n")
	res := runSource(t, src)
	sv := res.Summary.Services[0]
	require.NotNil(t, sv.SLO)
	assert.Equal(t, ecs.Fail, sv.SLO.Verdict)
	lat := sv.SLO.Objectives[0]
	require.Equal(t, ecs.ObjectiveLatency, lat.Name)
	assert.Equal(t, ecs.Fail, lat.Verdict)
	assert.InDelta(t, sv.SLOAttainmentPct, lat.AttainedPct, 0.005, "the objective reads the summary's attainment")
	require.NotNil(t, lat.BudgetUsedPct)
	assert.InDelta(t, (100-lat.AttainedPct)/0.1*100, *lat.BudgetUsedPct, 0.5, "used = (100 - attained) / (100 - 99.9)")
	assert.Greater(t, *lat.BudgetUsedPct, 100.0)
}

func TestTheWarmUpChangesWhatIsMeasuredNotTheRunNorItsBill(t *testing.T) {
	with := runSource(t, startUpSource)
	without := runSource(t, replaceOnce(t, startUpSource, "[settings]\nwarm_up = \"45m\"\n", ""))
	assert.Equal(t, without.Summary.EventsProcessed, with.Summary.EventsProcessed, "the same run")
	assert.Equal(t, fmt.Sprint(without.Series), fmt.Sprint(with.Series), "the same series (printed: NaN is not equal to itself)")
	costWith, err := report.ComputeCost(with, report.PricesFor(with.Config))
	require.NoError(t, err)
	costWithout, err := report.ComputeCost(without, report.PricesFor(without.Config))
	require.NoError(t, err)
	assert.Equal(t, costWithout.TotalUSD, costWith.TotalUSD, "AWS bills the warm-up too")
	assert.Equal(t, costWithout.PerDayUSD, costWith.PerDayUSD)
	a, b := without.Summary.Services[0], with.Summary.Services[0]
	assert.Equal(t, a.TasksStarted, b.TasksStarted)
	assert.Equal(t, a.RequestsOffered, b.RequestsOffered)
	assert.Equal(t, without.Summary.Instances.Launched, with.Summary.Instances.Launched)
	assert.Equal(t, 3, a.PlacementWait.Count, "two tasks at the start, one moved off a drained instance at 15 min")
	assert.Equal(t, 0, b.PlacementWait.Count, "all three were created during the 45-minute warm-up")
}

package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// withGroupKeys adds keys to the small base's group.
func withGroupKeys(t *testing.T, keys string) string {
	return replaceOnce(t, smallBase, "max_size = 2\n", "max_size = 2\n"+keys+"\n")
}

func TestGroupExtrasReachTheGroup(t *testing.T) {
	src := withGroupKeys(t, `warm_pool = { min_size = 1, max_group_prepared_capacity = 4, pool_state = "Hibernated", reuse_on_scale_in = true, start_time = "45s" }
instance_maintenance_policy = { min_healthy_percentage = 90, max_healthy_percentage = 120 }`)
	s, ps := parseSmall(src, nil)
	require.Empty(t, ps)
	g := s.Config.Groups[0]
	assert.Equal(t, &capacity.WarmPoolConfig{MinSize: 1, MaxGroupPreparedCapacity: 4, PoolState: capacity.WarmHibernated, ReuseOnScaleIn: true,
		StartTime: 45 * time.Second, RunningStartTime: 5 * time.Second}, g.WarmPool)
	assert.Equal(t, &capacity.MaintenancePolicy{MinHealthyPercentage: 90, MaxHealthyPercentage: 120}, g.Maintenance)
	assert.False(t, g.CapacityRebalance)

	// Without the keys: no warm pool, no policy.
	s, ps = parseSmall(smallBase, nil)
	require.Empty(t, ps)
	assert.Nil(t, s.Config.Groups[0].WarmPool)
	assert.Nil(t, s.Config.Groups[0].Maintenance)
	assert.Nil(t, s.Config.Settings.LaunchRates)
}

func TestCapacityRebalanceKeys(t *testing.T) {
	src := withGroupKeys(t, `on_demand_percentage_above_base_capacity = 0
capacity_rebalance = true
rebalance_recommendation_lead = "5m"`)
	s, ps := parseSmall(src, nil)
	require.Empty(t, ps)
	g := s.Config.Groups[0]
	assert.True(t, g.CapacityRebalance)
	assert.Equal(t, 5*time.Minute, g.RebalanceLead)
	s, ps = parseSmall(withGroupKeys(t, "on_demand_percentage_above_base_capacity = 0\ncapacity_rebalance = true"), nil)
	require.Empty(t, ps)
	assert.Equal(t, 10*time.Minute, s.Config.Groups[0].RebalanceLead, "choice: 10 min")
}

func TestGroupExtrasProblems(t *testing.T) {
	cases := []struct {
		name, keys, key, want string
	}{
		{"a pool state AWS has not", `warm_pool = { pool_state = "Frozen" }`, "pool_state", "one of Stopped, Running, Hibernated"},
		{"prepared below min", `warm_pool = { min_size = 3, max_group_prepared_capacity = 2 }`, "max_group_prepared_capacity", "a count >= min_size (3)"},
		{"a warm pool on Spot", "on_demand_percentage_above_base_capacity = 50\nwarm_pool = {}", "warm_pool", "an On-Demand group of one instance type"},
		{"max healthy below 100", `instance_maintenance_policy = { min_healthy_percentage = 50, max_healthy_percentage = 90 }`, "max_healthy_percentage", "a percentage from 100 to 200"},
		{"more than 100 apart", `instance_maintenance_policy = { min_healthy_percentage = 0, max_healthy_percentage = 150 }`, "max_healthy_percentage", "at most 100 above min_healthy_percentage (0)"},
		{"only one percentage", `instance_maintenance_policy = { min_healthy_percentage = 50 }`, "instance_maintenance_policy", "both min_healthy_percentage and max_healthy_percentage"},
		{"a lead without rebalancing", `rebalance_recommendation_lead = "5m"`, "rebalance_recommendation_lead", "capacity_rebalance = true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, ps := parseSmall(withGroupKeys(t, c.keys), nil)
			require.NotEmpty(t, ps)
			found := false
			for _, p := range ps {
				if strings.HasSuffix(p.Key, c.key) && strings.Contains(p.Want, c.want) {
					found = true
					assert.Equal(t, "limits.toml", p.File)
					assert.Positive(t, p.Line, "the problem names its line")
				}
			}
			assert.True(t, found, "a problem at %s wanting %q in %v", c.key, c.want, ps)
		})
	}
}

func TestLaunchRatesKeys(t *testing.T) {
	s, ps := parseSmall(smallBase+"\n[settings.launch_rates]\nfargate_tasks_per_second = 10\n", nil)
	require.Empty(t, ps)
	lr := s.Config.Settings.LaunchRates
	require.NotNil(t, lr, "the table switches the rates on")
	assert.Equal(t, 10, lr.FargatePerSecond)
	assert.Equal(t, 100, lr.FargateBurst, "AWS's default bucket")
	assert.Equal(t, 500, lr.ServicePerMinute)
	assert.Equal(t, 500, lr.ProvisioningPerCluster)
	_, ps = parseSmall(smallBase+"\n[settings.launch_rates]\nservice_tasks_per_minute = 0\n", nil)
	require.NotEmpty(t, ps)
	assert.Contains(t, ps.Error(), "service_tasks_per_minute")
}

// refreshSource is ten instances refreshed at 10 min with AWS's default
// preferences but a 60 s warm-up: one at a time (90% of 10 stays healthy),
// each taking the 90 s launch and the warm-up: 10 x 150 s = 25 min.
const refreshSource = `name = "refresh"
duration = "2h"
[cluster]
availability_zones = ["us-east-1a", "us-east-1b"]

[[auto_scaling_groups]]
name = "asg"
instance_types = ["m5.large"]
min_size = 10
max_size = 20
desired_capacity = 10
instance_launch_time = "90s"

[[capacity_providers]]
name = "cp"
auto_scaling_group = "asg"

[[task_definitions]]
family = "web"
  [[task_definitions.container_definitions]]
  name = "web"
  image = "nginx:1.27"
  cpu = 256
  memory = 512

[[services]]
name = "web"
task_definition = "web"
desired_count = 10
capacity_provider_strategy = [{ capacity_provider = "cp", weight = 1 }]

[[timeline]]
at = "10m"
action = "instance_refresh"
auto_scaling_group = "asg"
preferences = { instance_warmup = "60s" }
`

func TestInstanceRefreshFromTheTimeline(t *testing.T) {
	s, err := Parse(refreshSource, "refresh.toml", nil)
	require.NoError(t, err)
	res, err := sim.New(s.Config).Run()
	require.NoError(t, err)
	var ev []schema.Event
	for _, e := range res.Events {
		if e.Type == schema.InstanceRefresh {
			ev = append(ev, e)
		}
	}
	require.Len(t, ev, 2)
	assert.Equal(t, "InProgress", ev[0].Status)
	assert.Equal(t, "Successful", ev[1].Status)
	assert.Equal(t, 10*time.Minute+10*150*time.Second, time.Duration(ev[1].At))
	assert.Equal(t, 20, res.Summary.Instances.Launched, "ten, then ten replacements")

	_, err = Parse(strings.Replace(refreshSource, `preferences = { instance_warmup = "60s" }`, `preferences = { checkpoint_delay = "5m" }`, 1), "refresh.toml", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "checkpoint_percentages")
}

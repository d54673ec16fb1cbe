package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity"
)

// EC2 Auto Scaling extras on a group ([[auto_scaling_groups]]): a warm
// pool, Capacity Rebalancing and the instance maintenance policy; and the
// timeline's instance_refresh. docs/semantics/ec2-autoscaling-extras.md
// has the rules and their sources.

// warmPoolSchema is a group's warm_pool (PutWarmPool).
type warmPoolSchema struct {
	MinSize                  *int      `toml:"min_size" max:"100000"`
	MaxGroupPreparedCapacity *int      `toml:"max_group_prepared_capacity" max:"100000"`
	PoolState                string    `toml:"pool_state"`
	ReuseOnScaleIn           bool      `toml:"reuse_on_scale_in"`
	StartTime                *Duration `toml:"start_time" min:"0s" max:"1h"`
	RunningStartTime         *Duration `toml:"running_start_time" min:"0s" max:"1h"`
}

// maintenancePolicySchema is a group's instance_maintenance_policy.
type maintenancePolicySchema struct {
	MinHealthyPercentage *int `toml:"min_healthy_percentage" max:"100" why:"AWS: InstanceMaintenancePolicy"`
	MaxHealthyPercentage *int `toml:"max_healthy_percentage" max:"200" why:"AWS: InstanceMaintenancePolicy"`
}

// refreshSchema is a timeline instance_refresh's preferences
// (StartInstanceRefresh, RefreshPreferences).
type refreshSchema struct {
	MinHealthyPercentage  *int      `toml:"min_healthy_percentage" max:"100" why:"AWS: RefreshPreferences"`
	MaxHealthyPercentage  *int      `toml:"max_healthy_percentage" max:"200" why:"AWS: RefreshPreferences"`
	InstanceWarmup        *Duration `toml:"instance_warmup" min:"0s" max:"48h"`
	CheckpointPercentages []int     `toml:"checkpoint_percentages" maxitems:"100" max:"100"`
	CheckpointDelay       *Duration `toml:"checkpoint_delay" min:"0s" max:"48h" why:"AWS: CheckpointDelay (at most 172800 s)"`
}

// groupExtras reads a group's warm pool, Capacity Rebalancing and
// instance maintenance policy into gc.
func (v *validator) groupExtras(path []string, g asgSchema, gc *capacity.GroupConfig) {
	k := func(key ...string) []string { return append(slices.Clone(path), key...) }
	if wp := g.WarmPool; wp != nil {
		gc.WarmPool = v.warmPool(k("warm_pool"), wp, gc)
	}
	gc.CapacityRebalance = g.CapacityRebalance
	gc.RebalanceLead = capacity.DefaultRebalanceLead()
	if d := g.RebalanceRecommendationLead; d != nil {
		if !g.CapacityRebalance {
			v.bad(k("rebalance_recommendation_lead"), "capacity_rebalance = true for a rebalance recommendation lead", "capacity_rebalance off")
		}
		gc.RebalanceLead = d.Duration
	}
	if g.CapacityRebalance && gc.OnDemandPercentageAboveBase == 100 && gc.OnDemandBaseCapacity == 0 {
		v.warn(k("capacity_rebalance"), "a group with Spot instances (on_demand_percentage_above_base_capacity < 100)",
			"an On-Demand group", "Capacity Rebalancing acts on Spot instances only")
	}
	if mp := g.InstanceMaintenancePolicy; mp != nil {
		gc.Maintenance = v.maintenancePolicy(k("instance_maintenance_policy"), mp.MinHealthyPercentage, mp.MaxHealthyPercentage, true)
	}
}

// warmPool checks a warm pool. AWS (PutWarmPool): MinSize >= 0 (default 0),
// MaxGroupPreparedCapacity >= MinSize when set, PoolState Stopped (default),
// Running or Hibernated; warm pools take no mixed instances policy and no
// Spot ("Warm pools ... limitations").
func (v *validator) warmPool(path []string, wp *warmPoolSchema, gc *capacity.GroupConfig) *capacity.WarmPoolConfig {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	out := &capacity.WarmPoolConfig{MaxGroupPreparedCapacity: -1, StartTime: 30 * time.Second, RunningStartTime: 5 * time.Second}
	if wp.MinSize != nil {
		if *wp.MinSize < 0 {
			v.bad(k("min_size"), "a count >= 0", strconv.Itoa(*wp.MinSize))
		}
		out.MinSize = *wp.MinSize
	}
	if wp.MaxGroupPreparedCapacity != nil {
		if n := *wp.MaxGroupPreparedCapacity; n < out.MinSize || n < 0 {
			v.bad(k("max_group_prepared_capacity"), fmt.Sprintf("a count >= min_size (%d)", out.MinSize), strconv.Itoa(n))
		}
		out.MaxGroupPreparedCapacity = *wp.MaxGroupPreparedCapacity
	}
	states := []string{"Stopped", "Running", "Hibernated"}
	out.PoolState = capacity.WarmPoolState(v.enum(k("pool_state"), states, wp.PoolState, 0))
	out.ReuseOnScaleIn = wp.ReuseOnScaleIn
	if wp.StartTime != nil {
		out.StartTime = wp.StartTime.Duration
	}
	if wp.RunningStartTime != nil {
		out.RunningStartTime = wp.RunningStartTime.Duration
	}
	if len(gc.InstanceTypes) > 1 || gc.OnDemandPercentageAboveBase < 100 {
		v.bad(path, "an On-Demand group of one instance type (AWS: warm pools support no mixed instances policy and no Spot)",
			fmt.Sprintf("%d instance types, %d%% On-Demand above base", len(gc.InstanceTypes), gc.OnDemandPercentageAboveBase))
	}
	return out
}

// maintenancePolicy checks a pair of healthy percentages. AWS
// (InstanceMaintenancePolicy): minimum 0-100, maximum 100-200, "the
// difference between them cannot be greater than 100"; both or neither
// (both required for a policy).
func (v *validator) maintenancePolicy(path []string, minP, maxP *int, both bool) *capacity.MaintenancePolicy {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	if both && (minP == nil || maxP == nil) {
		v.bad(path, "both min_healthy_percentage and max_healthy_percentage", "one of them")
		return nil
	}
	out := &capacity.MaintenancePolicy{MinHealthyPercentage: -1, MaxHealthyPercentage: -1}
	if minP != nil {
		if *minP < 0 || *minP > 100 {
			v.bad(k("min_healthy_percentage"), "a percentage from 0 to 100", strconv.Itoa(*minP))
		}
		out.MinHealthyPercentage = *minP
	}
	if maxP != nil {
		if *maxP < 100 || *maxP > 200 {
			v.bad(k("max_healthy_percentage"), "a percentage from 100 to 200", strconv.Itoa(*maxP))
		}
		out.MaxHealthyPercentage = *maxP
	}
	if minP != nil && maxP != nil && *maxP-*minP > 100 {
		v.bad(k("max_healthy_percentage"), fmt.Sprintf("at most 100 above min_healthy_percentage (%d)", *minP), strconv.Itoa(*maxP))
	}
	return out
}

// refreshPreferences reads an instance_refresh entry's preferences.
// AWS (RefreshPreferences): CheckpointPercentages ascending, each 1-100;
// CheckpointDelay needs them.
func (v *validator) refreshPreferences(path []string, r *refreshSchema) capacity.RefreshPreferences {
	out := capacity.RefreshPreferences{MinHealthyPercentage: -1, MaxHealthyPercentage: -1, InstanceWarmup: -1, CheckpointDelay: -1}
	if r == nil {
		return out
	}
	k := func(key string) []string { return append(slices.Clone(path), key) }
	mp := v.maintenancePolicy(path, r.MinHealthyPercentage, r.MaxHealthyPercentage, false)
	out.MinHealthyPercentage, out.MaxHealthyPercentage = mp.MinHealthyPercentage, mp.MaxHealthyPercentage
	if r.InstanceWarmup != nil {
		out.InstanceWarmup = r.InstanceWarmup.Duration
	}
	for i, c := range r.CheckpointPercentages {
		if c < 1 || c > 100 || (i > 0 && c <= r.CheckpointPercentages[i-1]) {
			v.bad(append(k("checkpoint_percentages"), strconv.Itoa(i)), "ascending percentages from 1 to 100", strconv.Itoa(c))
		}
	}
	out.CheckpointPercentages = r.CheckpointPercentages
	if r.CheckpointDelay != nil {
		if len(r.CheckpointPercentages) == 0 {
			v.bad(k("checkpoint_delay"), "checkpoint_percentages for a checkpoint delay", "none")
		}
		out.CheckpointDelay = r.CheckpointDelay.Duration
	}
	return out
}

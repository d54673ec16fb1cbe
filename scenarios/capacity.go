package scenarios

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"slices"
	"strconv"
	"time"
)

// instancesDistribution reads a group's mixed instances policy. AWS
// (InstancesDistribution): OnDemandBaseCapacity default 0,
// OnDemandPercentageAboveBaseCapacity 0-100 default 100,
// SpotAllocationStrategy default price-capacity-optimized.
func (v *validator) instancesDistribution(path []string, g asgSchema, gc *capacity.GroupConfig) {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	gc.OnDemandBaseCapacity = g.OnDemandBaseCapacity
	gc.OnDemandPercentageAboveBase = 100
	if g.OnDemandPercentageAboveBaseCapacity != nil {
		gc.OnDemandPercentageAboveBase = *g.OnDemandPercentageAboveBaseCapacity
	}
	if gc.OnDemandBaseCapacity < 0 {
		v.bad(k("on_demand_base_capacity"), "a count >= 0", fmt.Sprint(gc.OnDemandBaseCapacity))
	}
	if gc.OnDemandPercentageAboveBase < 0 || gc.OnDemandPercentageAboveBase > 100 {
		v.bad(k("on_demand_percentage_above_base_capacity"), "a percentage from 0 to 100", fmt.Sprint(gc.OnDemandPercentageAboveBase))
	}
	gc.SpotAllocationStrategy = "price-capacity-optimized"
	if g.SpotAllocationStrategy != "" {
		names := []string{"price-capacity-optimized", "lowest-price", "capacity-optimized", "capacity-optimized-prioritized"}
		gc.SpotAllocationStrategy = names[v.enum(k("spot_allocation_strategy"), names, g.SpotAllocationStrategy, 0)]
	}
	if g.SpotInterruptionsPerInstanceHour < 0 || g.SpotInterruptionsPerInstanceHour > 10 {
		v.bad(k("spot_interruptions_per_instance_hour"), "a rate from 0 to 10", fmt.Sprint(g.SpotInterruptionsPerInstanceHour))
	}
	gc.SpotInterruptionsPerInstHour = g.SpotInterruptionsPerInstanceHour
	gc.NewInstancesProtected = g.NewInstancesProtectedFromScaleIn
}

// provider reads a capacity provider's managed scaling, termination
// protection and draining.
func (v *validator) provider(path []string, cp providerSchema, gi int, groups []capacity.GroupConfig) ecs.CapacityProviderConfig {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	out := ecs.CapacityProviderConfig{Name: cp.Name, Group: gi}
	onOff := []string{"ENABLED", "DISABLED"}
	// AWS: managed termination protection defaults to DISABLED, managed
	// draining to ENABLED.
	out.ManagedTerminationProtection = v.enum(k("managed_termination_protection"), onOff, cp.ManagedTerminationProtection, 1) == 0
	out.ManagedDraining = v.enum(k("managed_draining"), onOff, cp.ManagedDraining, 0) == 0
	if ms := cp.ManagedScaling; ms != nil && v.enum(append(k("managed_scaling"), "status"), onOff, ms.Status, 0) == 0 {
		out.ManagedScaling = v.managedScaling(k("managed_scaling"), ms)
	}
	if out.ManagedTerminationProtection && out.ManagedScaling == nil {
		v.bad(k("managed_termination_protection"), "managed scaling ENABLED for managed termination protection", "managed scaling off")
	}
	// AWS ("Control the instances Amazon ECS terminates"): managed termination
	// protection needs scale-in protection on the group.
	if out.ManagedTerminationProtection && gi >= 0 && !v.f.AutoScalingGroups[gi].NewInstancesProtectedFromScaleIn {
		v.bad(k("managed_termination_protection"), "new_instances_protected_from_scale_in = true on its group", "false")
	}
	return out
}

// managedScaling checks the ManagedScaling API's ranges: targetCapacity
// 1-100 (default 100), step sizes 1-10000 (defaults 1 and 10000), warm-up
// 0-10000 s (default 300 s).
func (v *validator) managedScaling(path []string, ms *managedScalingSchema) *ecs.ManagedScalingConfig {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	out := &ecs.ManagedScalingConfig{TargetCapacity: 100, MinStep: 1, MaxStep: 10000, Warmup: 300 * time.Second,
		ScaleOutDatapoints: 1, ScaleInDatapoints: 15}
	intIn := func(dst *int, src *int, key string, lo, hi int) {
		if src == nil {
			return
		}
		if *src < lo || *src > hi {
			v.bad(k(key), fmt.Sprintf("%s from %d to %d", key, lo, hi), strconv.Itoa(*src))
		}
		*dst = *src
	}
	intIn(&out.TargetCapacity, ms.TargetCapacity, "target_capacity", 1, 100)
	intIn(&out.MinStep, ms.MinimumScalingStepSize, "minimum_scaling_step_size", 1, 10000)
	intIn(&out.MaxStep, ms.MaximumScalingStepSize, "maximum_scaling_step_size", 1, 10000)
	if out.MaxStep < out.MinStep {
		v.bad(k("maximum_scaling_step_size"), fmt.Sprintf("at least minimum_scaling_step_size (%d)", out.MinStep), strconv.Itoa(out.MaxStep))
	}
	if w := ms.InstanceWarmupPeriod; w != nil {
		if w.Duration < 0 || w.Duration > 10000*time.Second {
			v.bad(k("instance_warmup_period"), "a warm-up from 0s to 10000s", w.String())
		}
		out.Warmup = w.Duration
	}
	return out
}

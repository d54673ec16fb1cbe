package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// An Amazon ECS Managed Instances capacity provider: [[capacity_providers]]
// with a managed_instances_provider table instead of auto_scaling_group,
// as CreateCapacityProvider takes managedInstancesProvider instead of
// autoScalingGroupProvider (docs/semantics/ecs-managed-instances.md).

// miProviderSchema is CreateCapacityProvider's managedInstancesProvider,
// with fleetsim's settings for what AWS leaves open (marked choice there).
type miProviderSchema struct {
	InstanceLaunchTemplate     *miLaunchTemplateSchema `toml:"instance_launch_template"`
	InfrastructureOptimization *miOptimizationSchema   `toml:"infrastructure_optimization"`
	// fleetsim: the instance's boot and agent registration; the patching
	// lifecycle; the event window; the fee; Spot interruptions.
	InstanceLaunchTime               *Duration            `toml:"instance_launch_time" max:"1h"`
	MaintenanceDrainAfter            *Duration            `toml:"maintenance_drain_after" min:"1h" max:"504h" why:"AWS: drained from day 14, gone by day 21"`
	MaintenanceTerminateAfter        *Duration            `toml:"maintenance_terminate_after" min:"1h" max:"504h" why:"AWS: gone by day 21"`
	EventWindow                      *miEventWindowSchema `toml:"event_window"`
	ManagementFeePercent             *float64             `toml:"management_fee_percent" max:"100"`
	SpotInterruptionsPerInstanceHour float64              `toml:"spot_interruptions_per_instance_hour" max:"10"`
}

type miLaunchTemplateSchema struct {
	CapacityOptionType   string                `toml:"capacity_option_type"`
	InstanceRequirements *miRequirementsSchema `toml:"instance_requirements"`
}

type miRangeSchema struct {
	Min *int `toml:"min" max:"16777216"`
	Max *int `toml:"max" max:"16777216"`
}

type miFloatRangeSchema struct {
	Min *float64 `toml:"min" max:"1024"`
	Max *float64 `toml:"max" max:"1024"`
}

// miRequirementsSchema is InstanceRequirementsRequest, the attributes
// fleetsim's catalog knows.
type miRequirementsSchema struct {
	VCPUCount             *miRangeSchema      `toml:"vcpu_count"`
	MemoryMiB             *miRangeSchema      `toml:"memory_mib"`
	MemoryGiBPerVCPU      *miFloatRangeSchema `toml:"memory_gib_per_vcpu"`
	CPUManufacturers      []string            `toml:"cpu_manufacturers" maxitems:"3"`
	InstanceGenerations   []string            `toml:"instance_generations" maxitems:"2"`
	AllowedInstanceTypes  []string            `toml:"allowed_instance_types" maxitems:"400" why:"AWS: InstanceRequirementsRequest"`
	ExcludedInstanceTypes []string            `toml:"excluded_instance_types" maxitems:"400" why:"AWS: InstanceRequirementsRequest"`
	BurstablePerformance  string              `toml:"burstable_performance"`
	BareMetal             string              `toml:"bare_metal"`
	AcceleratorTypes      []string            `toml:"accelerator_types" maxitems:"3"`
	AcceleratorCount      *miRangeSchema      `toml:"accelerator_count"`
}

type miOptimizationSchema struct {
	ScaleInAfter *int `toml:"scale_in_after" min:"-1" max:"3600" why:"AWS: InfrastructureOptimization"`
}

// miEventWindowSchema is one weekly time range of an EC2 event window
// (InstanceEventWindowTimeRange's start).
type miEventWindowSchema struct {
	StartWeekDay string `toml:"start_week_day"`
	StartHour    int    `toml:"start_hour" max:"23" why:"AWS: InstanceEventWindowTimeRange"`
}

// The fixed sets the Managed Instances keys take (AWS's values; the JSON
// Schema lists them: jsonschema.go).
var (
	miCapacityOptions = []string{"ON_DEMAND", "SPOT"}
	miManufacturers   = []string{"intel", "amd", "amazon-web-services"}
	miGenerations     = []string{"current", "previous"}
	miAccelerators    = []string{"gpu", "fpga", "inference"}
	miIncludeRules    = []string{"included", "required", "excluded"}
	miWeekDays        = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
)

// Managed Instances defaults: documented by AWS, or fleetsim's choice.
const (
	miScaleInAfter   = 300 * time.Second    // choice: AWS's default is undocumented
	miLaunchTime     = 40 * time.Second     // observed: about 40 s from a task request to its container
	miDrainAfter     = 14 * 24 * time.Hour  // AWS: draining at day 14
	miTerminateAfter = 21 * 24 * time.Hour  // AWS: terminated no later than day 21
	miFeePercent     = 12.0                 // choice: AWS's example, $0.037 on a $0.306 c6a.2xlarge
	miGroupSuffix    = "-managed-instances" // the direct group's name
)

// managedInstancesProvider reads one Managed Instances provider; its group
// (capacity's direct group) is added by managedInstancesGroups.
func (v *validator) managedInstancesProvider(path []string, cp providerSchema) ecs.CapacityProviderConfig {
	k := func(key ...string) []string { return append(slices.Clone(path), key...) }
	mk := func(key ...string) []string { return k(append([]string{"managed_instances_provider"}, key...)...) }
	mp := cp.ManagedInstancesProvider
	out := ecs.CapacityProviderConfig{Name: cp.Name, Group: -1, ManagedDraining: true}
	if cp.AutoScalingGroup != "" {
		v.bad(k("auto_scaling_group"), "no auto_scaling_group on a Managed Instances provider (ECS launches its instances)", quoteShort(cp.AutoScalingGroup))
	}
	for _, f := range []struct {
		key string
		set bool
	}{{"managed_scaling", cp.ManagedScaling != nil}, {"managed_termination_protection", cp.ManagedTerminationProtection != ""}, {"managed_draining", cp.ManagedDraining != ""}} {
		if f.set {
			v.bad(k(f.key), "no "+f.key+" on a Managed Instances provider (it is autoScalingGroupProvider's; ECS drains Managed Instances itself)", "one")
		}
	}
	m := &ecs.ManagedInstancesConfig{Purchase: capacity.OnDemand, ScaleInAfter: miScaleInAfter,
		DrainAfter: miDrainAfter, TerminateAfter: miTerminateAfter, ManagementFeePercent: miFeePercent}
	out.ManagedInstances = m
	if lt := mp.InstanceLaunchTemplate; lt != nil {
		// AWS (InstanceLaunchTemplate.capacityOptionType): ON_DEMAND, the
		// default, or SPOT.
		if v.enum(mk("instance_launch_template", "capacity_option_type"), miCapacityOptions, lt.CapacityOptionType, 0) == 1 {
			m.Purchase = capacity.Spot
		}
	}
	if o := mp.InfrastructureOptimization; o != nil && o.ScaleInAfter != nil {
		switch s := *o.ScaleInAfter; {
		case s == -1:
			m.OptimizationOff = true
		case s < 0 || s > 3600:
			v.bad(mk("infrastructure_optimization", "scale_in_after"), "-1 (no optimization) or 0 to 3600 seconds", fmt.Sprint(s))
		default:
			m.ScaleInAfter = time.Duration(s) * time.Second
		}
	}
	if d := mp.MaintenanceDrainAfter; d != nil {
		m.DrainAfter = d.Duration
	}
	if d := mp.MaintenanceTerminateAfter; d != nil {
		m.TerminateAfter = d.Duration
	}
	if m.TerminateAfter < m.DrainAfter {
		v.bad(mk("maintenance_terminate_after"), fmt.Sprintf("at least maintenance_drain_after (%s)", m.DrainAfter), m.TerminateAfter.String())
	}
	if f := mp.ManagementFeePercent; f != nil {
		if *f < 0 {
			v.bad(mk("management_fee_percent"), "a percentage from 0 to 100", tomlFloat(*f))
		}
		m.ManagementFeePercent = *f
	}
	if ew := mp.EventWindow; ew != nil {
		day := v.enum(mk("event_window", "start_week_day"), miWeekDays, ew.StartWeekDay, 0)
		if ew.StartWeekDay == "" {
			v.bad(mk("event_window", "start_week_day"), "a day of the week, sunday to saturday", "none")
		}
		if ew.StartHour < 0 || ew.StartHour > 23 {
			v.bad(mk("event_window", "start_hour"), "an hour from 0 to 23", fmt.Sprint(ew.StartHour))
		}
		m.EventWindow = &ecs.EventWindow{Weekday: time.Weekday(day), Start: time.Duration(ew.StartHour) * time.Hour}
	}
	return out
}

// instanceRequirements reads InstanceRequirementsRequest. AWS: vCpuCount
// and memoryMiB are required; allowed and excluded instance types do not go
// together (EC2's rule, which ECS's API takes).
func (v *validator) instanceRequirements(path []string, r *miRequirementsSchema) *ecs.InstanceRequirements {
	if r == nil {
		return nil
	}
	k := func(key ...string) []string { return append(slices.Clone(path), key...) }
	out := &ecs.InstanceRequirements{}
	rangeOf := func(key string, rs *miRangeSchema, required bool) (lo, hi int) {
		if rs == nil || rs.Min == nil {
			if required {
				v.bad(k(key, "min"), key+" with a min (AWS: required)", "none")
			}
			if rs == nil {
				return 0, 0
			}
		} else {
			lo = *rs.Min
		}
		if rs.Max != nil {
			hi = *rs.Max
			if hi < lo {
				v.bad(k(key, "max"), fmt.Sprintf("at least min (%d)", lo), fmt.Sprint(hi))
			}
		}
		return lo, hi
	}
	out.VCPUMin, out.VCPUMax = rangeOf("vcpu_count", r.VCPUCount, true)
	lo, hi := rangeOf("memory_mib", r.MemoryMiB, true)
	out.MemoryMiBMin, out.MemoryMiBMax = int64(lo), int64(hi)
	if g := r.MemoryGiBPerVCPU; g != nil {
		if g.Min != nil {
			out.MemoryGiBPerVCPUMin = *g.Min
		}
		if g.Max != nil {
			out.MemoryGiBPerVCPUMax = *g.Max
		}
	}
	if r.AcceleratorCount != nil {
		out.AcceleratorCountSet = true
		out.AcceleratorCountMin, out.AcceleratorCountMax = rangeOf("accelerator_count", r.AcceleratorCount, false)
	}
	list := func(key string, got []string, names []string) []string {
		for i, s := range got {
			v.enum(k(key, fmt.Sprint(i)), names, s, 0)
		}
		return got
	}
	out.CPUManufacturers = list("cpu_manufacturers", r.CPUManufacturers, miManufacturers)
	out.InstanceGenerations = list("instance_generations", r.InstanceGenerations, miGenerations)
	out.AcceleratorTypes = list("accelerator_types", r.AcceleratorTypes, miAccelerators)
	rules := miIncludeRules
	if r.BurstablePerformance != "" {
		out.BurstablePerformance = rules[v.enum(k("burstable_performance"), rules, r.BurstablePerformance, 2)]
	}
	if r.BareMetal != "" {
		out.BareMetal = rules[v.enum(k("bare_metal"), rules, r.BareMetal, 2)]
	}
	if len(r.AllowedInstanceTypes) > 0 && len(r.ExcludedInstanceTypes) > 0 {
		v.bad(k("excluded_instance_types"), "allowed_instance_types or excluded_instance_types, not both (AWS)", "both")
	}
	for _, l := range []struct {
		key  string
		pats []string
	}{{"allowed_instance_types", r.AllowedInstanceTypes}, {"excluded_instance_types", r.ExcludedInstanceTypes}} {
		key := l.key
		for i, s := range l.pats {
			if len(s) < 1 || len(s) > 30 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.*-") != "" {
				v.bad(k(key, fmt.Sprint(i)), "an instance type or pattern of 1 to 30 letters, digits, '.', '*' and '-' (AWS)", quoteShort(s))
			}
		}
	}
	out.AllowedInstanceTypes, out.ExcludedInstanceTypes = r.AllowedInstanceTypes, r.ExcludedInstanceTypes
	return out
}

// managedInstancesGroups adds, for each Managed Instances provider, the
// direct group of its instances: the cluster's zones, the catalog's types
// its requirements allow (AWS's default selection without any), cheapest
// first.
func (v *validator) managedInstancesGroups(groups []capacity.GroupConfig, providers []ecs.CapacityProviderConfig, zones []string) []capacity.GroupConfig {
	var all []catalog.InstanceType
	for i := range providers {
		cp := &providers[i]
		if cp.ManagedInstances == nil {
			continue
		}
		path := p("capacity_providers", i, "managed_instances_provider")
		src := v.f.CapacityProviders[i].ManagedInstancesProvider
		var req *ecs.InstanceRequirements
		if src.InstanceLaunchTemplate != nil {
			req = v.instanceRequirements(append(slices.Clone(path), "instance_launch_template", "instance_requirements"), src.InstanceLaunchTemplate.InstanceRequirements)
		}
		if all == nil {
			for _, n := range v.cat.Names() {
				if it, ok := v.cat.Lookup(n); ok && !v.cat.NotOffered(n) {
					all = append(all, it)
				}
			}
		}
		types := ecs.ManagedInstanceTypes(all, req)
		if len(types) == 0 {
			v.bad(append(slices.Clone(path), "instance_launch_template", "instance_requirements"),
				"requirements that at least one instance type Managed Instances supports meets (in the "+v.cat.Region+" catalog)", "none matches")
			types = ecs.ManagedInstanceTypes(all, nil)
		}
		name := cp.Name + miGroupSuffix
		if slices.ContainsFunc(groups, func(g capacity.GroupConfig) bool { return g.Name == name }) {
			v.bad(append(slices.Clone(path[:2]), "name"), "a name whose group name "+quoteShort(name)+" no Auto Scaling group has", quoteShort(cp.Name))
		}
		gc := capacity.GroupConfig{Name: name, InstanceTypes: types, AvailabilityZones: zones, LaunchTime: miLaunchTime,
			Direct: true, OnDemandPercentageAboveBase: 100, SpotInterruptionsPerInstHour: src.SpotInterruptionsPerInstanceHour}
		if d := src.InstanceLaunchTime; d != nil {
			gc.LaunchTime = d.Duration
		}
		cp.Group = len(groups)
		groups = append(groups, gc)
	}
	return groups
}

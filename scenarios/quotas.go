package scenarios

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/fleetsim/fleetsim/sim"
)

// quotasSchema is [quotas]: the AWS service quotas an account can have
// raised, each at AWS's default unless the scenario says what its account
// has. Going past one is a warning (AWS would refuse the call; the run goes
// ahead, as with a raised quota). Hard limits, which no account can raise,
// are problems where the key is checked (containers per task definition,
// capacity providers per cluster, ...). docs/semantics.md ("Limits") lists
// both with their sources.
type quotasSchema struct {
	TasksPerService              *int `toml:"tasks_per_service" max:"1000000"`
	ServicesPerCluster           *int `toml:"services_per_cluster" max:"100000"`
	ContainerInstancesPerCluster *int `toml:"container_instances_per_cluster" max:"1000000"`
	AutoScalingGroupsPerRegion   *int `toml:"auto_scaling_groups_per_region" max:"100000"`
	ECSScalableTargets           *int `toml:"ecs_scalable_targets" max:"100000"`
	StepAdjustmentsPerPolicy     *int `toml:"step_adjustments_per_step_scaling_policy" max:"1000"`
}

// quota is one adjustable AWS quota: its key in [quotas], AWS's name for
// it and its default.
type quota struct {
	key, name string
	def       int
	value     func(q quotasSchema) *int
}

// Quotas are AWS's adjustable quotas fleetsim checks, with their defaults:
//
//   - Amazon ECS service quotas (ECS Developer Guide): "Tasks per service"
//     5,000, "Services per cluster" 5,000, "Container instances per
//     cluster" 5,000 (the quota table marks it not adjustable; "Handle
//     Amazon ECS service quotas" says to request an increase: a setting);
//   - Quotas for Amazon EC2 Auto Scaling: "Auto Scaling groups per region"
//     500;
//   - Quotas for Application Auto Scaling: "Scalable targets per resource
//     type" 3,000 for Amazon ECS, "Step adjustments per step scaling
//     policy" 20.
var quotas = []quota{
	{"tasks_per_service", "Tasks per service", 5000, func(q quotasSchema) *int { return q.TasksPerService }},
	{"services_per_cluster", "Services per cluster", 5000, func(q quotasSchema) *int { return q.ServicesPerCluster }},
	{"container_instances_per_cluster", "Container instances per cluster", 5000, func(q quotasSchema) *int { return q.ContainerInstancesPerCluster }},
	{"auto_scaling_groups_per_region", "Auto Scaling groups per region", 500, func(q quotasSchema) *int { return q.AutoScalingGroupsPerRegion }},
	{"ecs_scalable_targets", "Scalable targets per resource type (Amazon ECS)", 3000, func(q quotasSchema) *int { return q.ECSScalableTargets }},
	{"step_adjustments_per_step_scaling_policy", "Step adjustments per step scaling policy", 20, func(q quotasSchema) *int { return q.StepAdjustmentsPerPolicy }},
}

// quotaOf is the scenario's value of the quota key (AWS's default when
// unset).
func (v *validator) quotaOf(key string) quota {
	i := slices.IndexFunc(quotas, func(q quota) bool { return q.key == key })
	q := quotas[i]
	if n := q.value(v.f.Quotas); n != nil && *n >= 1 {
		q.def = *n
	}
	return q
}

// overQuota warns when n is past the quota key.
func (v *validator) overQuota(path []string, key string, n int, what string) {
	q := v.quotaOf(key)
	if n <= q.def {
		return
	}
	v.warn(path, fmt.Sprintf("%s within AWS's quota %q (%d)", what, q.name, q.def), strconv.Itoa(n),
		fmt.Sprintf("AWS would refuse this unless the account's quota was raised; the run goes ahead: set [quotas] %s to the account's value to say so", key))
}

// checkQuotas reads [quotas] and warns at each quota a scenario goes past.
func (v *validator) checkQuotas(cfg *sim.Config) {
	for _, q := range quotas {
		if n := q.value(v.f.Quotas); n != nil && *n < 1 {
			v.bad(p("quotas", q.key), "a quota of at least 1", strconv.Itoa(*n))
		}
	}
	for i, s := range v.f.Services {
		path := p("services", i)
		v.overQuota(append(path, "desired_count"), "tasks_per_service", s.DesiredCount, "a desired count")
		if a := s.AutoScaling; a != nil {
			if a.MaxCapacity != nil {
				v.overQuota(append(path, "auto_scaling", "max_capacity"), "tasks_per_service", *a.MaxCapacity, "a maximum capacity")
			}
			for j, st := range a.StepScaling {
				v.overQuota(append(path, "auto_scaling", "step_scaling", strconv.Itoa(j), "step_adjustments"), "step_adjustments_per_step_scaling_policy",
					len(st.StepAdjustments), "step adjustments")
			}
		}
	}
	for i, t := range v.f.Timeline {
		if t.DesiredCount != nil && t.Action == "update_service" {
			v.overQuota(p("timeline", i, "desired_count"), "tasks_per_service", *t.DesiredCount, "a desired count")
		}
	}
	if len(v.f.Services) > 0 {
		v.overQuota(p("services"), "services_per_cluster", len(cfg.Services), "services (copies included)")
	}
	scalable := 0
	for _, s := range cfg.Services {
		if s.AutoScaling != nil {
			scalable++
		}
	}
	if scalable > 0 {
		v.overQuota(p("services"), "ecs_scalable_targets", scalable, "services with auto_scaling (copies included)")
	}
	instances := 0
	for _, g := range cfg.Groups {
		instances += g.MaxSize
	}
	if len(v.f.AutoScalingGroups) > 0 {
		v.overQuota(p("auto_scaling_groups"), "container_instances_per_cluster", instances, "the groups' max_size in all")
		v.overQuota(p("auto_scaling_groups"), "auto_scaling_groups_per_region", len(cfg.Groups), "Auto Scaling groups")
	}
}

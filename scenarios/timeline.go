package scenarios

import (
	"fmt"
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

var timelineActions = []string{"update_service", "set_desired_capacity", "drain_instances", "fail_instances", "az_outage", "spot_interruptions", "protect_tasks", "instance_refresh"}

// timeline reads the [[timeline]] entries: when (an offset "at" or a
// calendar "time" inside the run), what, and on which service, group or
// zone. Each problem names its entry.
func (v *validator) timeline(cfg *sim.Config) []sim.TimelineEntry {
	var out []sim.TimelineEntry
	for i, t := range v.f.Timeline {
		path := p("timeline", i)
		k := func(key string) []string { return append(slices.Clone(path), key) }
		e := sim.TimelineEntry{At: t.At.Duration, Action: t.Action, Service: -1, TaskDefinition: -1, Group: -1,
			DesiredCount: t.DesiredCount, MinimumHealthy: t.MinimumHealthyPercent, MaximumPercent: t.MaximumPercent,
			Count: t.Count, Fraction: t.Fraction, Zone: t.AvailabilityZone, Duration: t.Duration.Duration}
		e.At = v.timelineAt(path, t.At, t.Time, cfg)
		v.enum(k("action"), timelineActions, t.Action, 0)
		if t.Action == "" {
			v.bad(k("action"), "one of update_service, set_desired_capacity, drain_instances, fail_instances, az_outage, spot_interruptions, protect_tasks, instance_refresh", "none")
		}
		v.timelineTargets(path, t, &e, cfg)
		out = append(out, e)
	}
	return out
}

func serviceNames(cfg *sim.Config) []string {
	var out []string
	for _, s := range cfg.Services {
		out = append(out, s.Name)
	}
	return out
}

func groupNames(gs []capacity.GroupConfig) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Name)
	}
	return out
}

// timelineTargets resolves and checks what an entry acts on.
func (v *validator) timelineTargets(path []string, t timelineSchema, e *sim.TimelineEntry, cfg *sim.Config) {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	switch t.Action {
	case "update_service":
		e.Service = slices.IndexFunc(cfg.Services, func(s ecs.ServiceConfig) bool { return s.Name == t.Service })
		if e.Service < 0 {
			v.badName(k("service"), "services", t.Service, serviceNames(cfg))
			return
		}
		if t.TaskDefinition != "" {
			e.TaskDefinition = v.taskDefRef(k("task_definition"), t.TaskDefinition)
		}
		svc := cfg.Services[e.Service]
		if t.MinimumHealthyPercent != nil || t.MaximumPercent != nil {
			minH, maxP := svc.MinimumHealthyPercent, svc.MaximumPercent
			if t.MinimumHealthyPercent != nil {
				minH = *t.MinimumHealthyPercent
			}
			if t.MaximumPercent != nil {
				maxP = *t.MaximumPercent
			}
			v.deployment(path, deploymentSchema{MinimumHealthyPercent: &minH, MaximumPercent: &maxP})
		}
		if t.DesiredCount != nil && *t.DesiredCount < 0 {
			v.bad(k("desired_count"), "desired_count >= 0", fmt.Sprint(*t.DesiredCount))
		}
	case "set_desired_capacity", "drain_instances", "fail_instances", "spot_interruptions", "instance_refresh":
		e.Group = slices.IndexFunc(cfg.Groups, func(g capacity.GroupConfig) bool { return g.Name == t.AutoScalingGroup })
		if e.Group < 0 {
			v.badName(k("auto_scaling_group"), "auto_scaling_groups", t.AutoScalingGroup, groupNames(cfg.Groups))
		}
		switch {
		case t.Action == "set_desired_capacity" && t.DesiredCount == nil:
			v.bad(k("desired_count"), "a desired capacity", "none")
		case t.Action == "spot_interruptions" && (t.Fraction <= 0 || t.Fraction > 1):
			v.bad(k("fraction"), "a share of the Spot instances in (0, 1]", fmt.Sprint(t.Fraction))
		case (t.Action == "drain_instances" || t.Action == "fail_instances") && t.Count < 1:
			v.bad(k("count"), "a count >= 1", fmt.Sprint(t.Count))
		}
		if t.Action == "instance_refresh" {
			e.Refresh = v.refreshPreferences(k("preferences"), t.Preferences) // asgextras.go
		} else if t.Preferences != nil {
			v.bad(k("preferences"), "preferences only on an instance_refresh entry", t.Action)
		}
	case "protect_tasks":
		v.protectTasks(path, t, e, cfg) // scenarios/daemon.go
	case "az_outage":
		if !slices.Contains(cfg.Cluster.AvailabilityZones, t.AvailabilityZone) {
			v.bad(k("availability_zone"), "one of the cluster's availability_zones", quoteShort(t.AvailabilityZone))
		}
		if t.Duration.Duration <= 0 {
			v.bad(k("duration"), "a positive duration", quoteOrNone(t.Duration))
		}
	}
}

// timelineAt is when the timeline entry at path happens: its offset "at" or
// its calendar "time" (one of the two), which must fall within the run.
func (v *validator) timelineAt(path []string, at Duration, tm *DateTime, cfg *sim.Config) time.Duration {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	out := at.Duration
	switch {
	case tm != nil && at.Set:
		v.bad(path, "either at or time", "both")
	case tm != nil:
		out = tm.Sub(cfg.Start)
	case !at.Set:
		v.bad(k("at"), "an offset such as \"2h\" or a time", "none")
	}
	// A local time (or start) is reported as such; its offset from the
	// start means nothing.
	calendarRejected := tm != nil && (v.rejected(k("time")) || v.rejected(p("start")))
	if (out < 0 || out > cfg.Duration) && !calendarRejected {
		v.bad(k("at"), fmt.Sprintf("a time within the run (0 to %s)", cfg.Duration), out.String())
	}
	return out
}

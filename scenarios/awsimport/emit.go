package awsimport

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// emit writes the scenario as TOML, the assumptions and every field not
// imported as comments.
func emit(sc *Scenario, unmapped []Unmapped, warns Problems, inputs []string) []byte {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Imported by fleetsim import from %s.\n", strings.Join(inputs, ", "))
	w("# Check the assumptions below, then: fleetsim run scenario.toml\n")
	if len(warns) > 0 {
		w("#\n# Assumed (fleetsim import printed these as warnings):\n")
		for _, p := range warns {
			w("#   %s\n", oneLineComment(p.Error()))
		}
	}
	w("\nname = %s\n", tq(sc.Name))
	w("description = %s\n", tq("Imported from AWS CLI output: cluster "+sc.Cluster.Name))
	w("region = %s\n", tq(sc.Region))
	if sc.Start != nil {
		w("start = %s\n", sc.Start.UTC().Format(time.RFC3339Nano))
	}
	w("duration = %s\n", tq(fmtDuration(sc.Duration)))

	w("\n[cluster]\nname = %s\n", tq(sc.Cluster.Name))
	if len(sc.Cluster.Zones) > 0 {
		w("availability_zones = %s\n", tqList(sc.Cluster.Zones))
	}
	if len(sc.Cluster.DefaultStrategy) > 0 {
		w("default_capacity_provider_strategy = %s\n", strategy(sc.Cluster.DefaultStrategy))
	}

	for _, g := range sc.Groups {
		w("\n[[auto_scaling_groups]]\n")
		if g.Placeholder {
			w("# not in the input: assumed (see the warnings)\n")
		}
		w("name = %s\ninstance_types = %s\n", tq(g.Name), tqList(g.InstanceTypes))
		w("min_size = %d\nmax_size = %d\ndesired_capacity = %d\n", g.Min, g.Max, g.Desired)
		if len(g.Zones) > 0 {
			w("availability_zones = %s\n", tqList(g.Zones))
		}
		if g.OnDemandBase > 0 {
			w("on_demand_base_capacity = %d\n", g.OnDemandBase)
		}
		if g.OnDemandPercent != nil {
			w("on_demand_percentage_above_base_capacity = %d\n", *g.OnDemandPercent)
		}
		if g.SpotStrategy != "" {
			w("spot_allocation_strategy = %s\n", tq(g.SpotStrategy))
		}
		if g.ProtectedFromScaleIn {
			w("new_instances_protected_from_scale_in = true\n")
		}
	}

	for _, p := range sc.Providers {
		w("\n[[capacity_providers]]\nname = %s\nauto_scaling_group = %s\n", tq(p.Name), tq(p.Group))
		if m := p.Managed; m != nil {
			parts := []string{"status = " + tq(m.Status)}
			if m.TargetCapacity != nil {
				parts = append(parts, fmt.Sprintf("target_capacity = %d", *m.TargetCapacity))
			}
			if m.MinStep != nil {
				parts = append(parts, fmt.Sprintf("minimum_scaling_step_size = %d", *m.MinStep))
			}
			if m.MaxStep != nil {
				parts = append(parts, fmt.Sprintf("maximum_scaling_step_size = %d", *m.MaxStep))
			}
			if m.Warmup != nil {
				parts = append(parts, fmt.Sprintf("instance_warmup_period = %q", seconds(*m.Warmup)))
			}
			w("managed_scaling = { %s }\n", strings.Join(parts, ", "))
		}
		if p.ManagedTerminationProtection != "" {
			w("managed_termination_protection = %s\n", tq(p.ManagedTerminationProtection))
		}
		if p.ManagedDraining != "" {
			w("managed_draining = %s\n", tq(p.ManagedDraining))
		}
	}

	for _, t := range sc.TaskDefs {
		w("\n[[task_definitions]]\nfamily = %s\n", tq(t.Family))
		if !t.Placeholder {
			w("file = %s\n", tq(t.File))
			continue
		}
		w("# not in the input: assumed (see the warnings)\n")
		compat := `["EC2"]`
		if t.NetworkMode == "awsvpc" {
			compat = `["EC2", "FARGATE"]`
		}
		w("network_mode = %s\nrequires_compatibilities = %s\ncpu = %d\nmemory = %d\n", tq(t.NetworkMode), compat, t.CPU, t.Memory)
		w("  [[task_definitions.container_definitions]]\n  name = \"app\"\n  image = \"placeholder\"\n  essential = true\n")
	}

	for _, s := range sc.Services {
		w("\n[[services]]\nname = %s\ntask_definition = %s\ndesired_count = %d\n", tq(s.Name), tq(s.TaskDefinition), s.DesiredCount)
		if s.LaunchType != "" {
			w("launch_type = %s\n", tq(s.LaunchType))
		}
		if len(s.Strategy) > 0 {
			w("capacity_provider_strategy = %s\n", strategy(s.Strategy))
		}
		if len(s.PlacementStrategy) > 0 {
			var items []string
			for _, p := range s.PlacementStrategy {
				it := "type = " + tq(p.Type)
				if p.Field != "" {
					it += ", field = " + tq(p.Field)
				}
				items = append(items, "{ "+it+" }")
			}
			w("placement_strategy = [%s]\n", strings.Join(items, ", "))
		}
		if len(s.PlacementConstraints) > 0 {
			var items []string
			for _, p := range s.PlacementConstraints {
				it := "type = " + tq(p.Type)
				if p.Field != "" {
					it += ", expression = " + tq(p.Field)
				}
				items = append(items, "{ "+it+" }")
			}
			w("placement_constraints = [%s]\n", strings.Join(items, ", "))
		}
		if s.HealthCheckGracePeriod != nil {
			w("health_check_grace_period = %q\n", seconds(*s.HealthCheckGracePeriod))
		}
		if s.AZRebalancing != "" {
			w("availability_zone_rebalancing = %s\n", tq(s.AZRebalancing))
		}
		if s.MinimumHealthyPercent != nil || s.MaximumPercent != nil {
			var parts []string
			if s.MinimumHealthyPercent != nil {
				parts = append(parts, fmt.Sprintf("minimum_healthy_percent = %d", *s.MinimumHealthyPercent))
			}
			if s.MaximumPercent != nil {
				parts = append(parts, fmt.Sprintf("maximum_percent = %d", *s.MaximumPercent))
			}
			w("deployment_configuration = { %s }\n", strings.Join(parts, ", "))
		}
		if cb := s.CircuitBreaker; cb != nil {
			w("deployment_circuit_breaker = { enable = %t, rollback = %t }\n", cb.Enable, cb.Rollback)
		}
		if s.TargetGroup != "" {
			w("load_balancer = { target_group = %s }\n", tq(s.TargetGroup))
		}
		if l := s.Load; l != nil && l.Pattern == "constant" {
			w("\n  [services.load]\n  pattern = \"constant\" # assumed: see the warnings\n  base_rps = %s\n  cpu_seconds_per_request = %s\n", fmtFloat(l.BaseRPS), fmtFloat(l.CPUSecondsPerRequest))
		} else if l != nil {
			w("\n  [services.load]\n  pattern = \"trace\"\n  file = %s\n  time_column = \"timestamp\"\n  value_column = \"value\"\n", tq(l.File))
			w("  time_format = \"rfc3339\"\n  value_unit = %s\n  cpu_seconds_per_request = %s # assumed: see the warnings\n", tq(l.ValueUnit), fmtFloat(l.CPUSecondsPerRequest))
			if l.Loop {
				w("  loop = true\n")
			}
		}
		if a := s.Scaling; a != nil {
			emitScaling(w, a)
		}
	}

	if len(unmapped) > 0 {
		w("\n# Not imported (%d fields): read-only state, and configuration fleetsim does not model (also a warning).\n", len(unmapped))
		file := ""
		for _, u := range unmapped {
			if u.File != file {
				file = u.File
				w("# from %s:\n", oneLineComment(file))
			}
			w("# not imported: %s (%s)\n", oneLineComment(u.Path), oneLineComment(u.Reason))
		}
	}
	return []byte(b.String())
}

func emitScaling(w func(string, ...any), a *Scaling) {
	w("\n  [services.auto_scaling]\n")
	if a.Min != nil {
		w("  min_capacity = %d\n", *a.Min)
	}
	if a.Max != nil {
		w("  max_capacity = %d\n", *a.Max)
	}
	for _, t := range a.TargetTracking {
		w("  [[services.auto_scaling.target_tracking]]\n  name = %s\n  predefined_metric = %s\n  target_value = %s\n", tq(t.Name), tq(t.Predefined), fmtFloat(t.TargetValue))
		if t.ScaleOutCooldown != nil {
			w("  scale_out_cooldown = %q\n", seconds(*t.ScaleOutCooldown))
		}
		if t.ScaleInCooldown != nil {
			w("  scale_in_cooldown = %q\n", seconds(*t.ScaleInCooldown))
		}
		if t.DisableScaleIn {
			w("  disable_scale_in = true\n")
		}
	}
	for _, s := range a.StepScaling {
		w("  [[services.auto_scaling.step_scaling]]\n  name = %s\n", tq(s.Name))
		if s.AlarmAssumed {
			w("  # the alarm was not in the input: metric, comparison and threshold are assumed\n")
		}
		w("  metric = %s\n  comparison = %s\n  threshold = %s\n", tq(s.Metric), tq(s.Comparison), fmtFloat(s.Threshold))
		if s.EvaluationPeriods > 0 {
			w("  evaluation_periods = %d\n", s.EvaluationPeriods)
		}
		if s.DatapointsToAlarm > 0 {
			w("  datapoints_to_alarm = %d\n", s.DatapointsToAlarm)
		}
		if s.TreatMissingData != "" {
			w("  treat_missing_data = %s\n", tq(s.TreatMissingData))
		}
		if s.AdjustmentType != "" {
			w("  adjustment_type = %s\n", tq(s.AdjustmentType))
		}
		if s.MinAdjustmentMagnitude != 0 {
			w("  min_adjustment_magnitude = %d\n", s.MinAdjustmentMagnitude)
		}
		if s.Cooldown != nil {
			w("  cooldown = %q\n", seconds(*s.Cooldown))
		}
		if s.Aggregation != "" {
			w("  metric_aggregation_type = %s\n", tq(s.Aggregation))
		}
		var items []string
		for _, st := range s.Steps {
			var parts []string
			if st.Lower != nil {
				parts = append(parts, "metric_interval_lower_bound = "+fmtFloat(*st.Lower))
			}
			if st.Upper != nil {
				parts = append(parts, "metric_interval_upper_bound = "+fmtFloat(*st.Upper))
			}
			parts = append(parts, fmt.Sprintf("scaling_adjustment = %d", st.Adjustment))
			items = append(items, "{ "+strings.Join(parts, ", ")+" }")
		}
		w("  step_adjustments = [%s]\n", strings.Join(items, ", "))
	}
	for _, s := range a.Scheduled {
		w("  [[services.auto_scaling.scheduled_actions]]\n  name = %s\n  schedule = %s\n", tq(s.Name), tq(s.Schedule))
		if s.Timezone != "" {
			w("  timezone = %s\n", tq(s.Timezone))
		}
		if s.Start != nil {
			w("  start_time = %s\n", s.Start.UTC().Format(time.RFC3339Nano))
		}
		if s.End != nil {
			w("  end_time = %s\n", s.End.UTC().Format(time.RFC3339Nano))
		}
		if s.Min != nil {
			w("  min_capacity = %d\n", *s.Min)
		}
		if s.Max != nil {
			w("  max_capacity = %d\n", *s.Max)
		}
	}
}

func strategy(items []StrategyItem) string {
	var out []string
	for _, it := range items {
		s := "capacity_provider = " + tq(it.Provider)
		if it.Base > 0 {
			s += fmt.Sprintf(", base = %d", it.Base)
		}
		if it.Weight != nil {
			s += fmt.Sprintf(", weight = %d", *it.Weight)
		}
		out = append(out, "{ "+s+" }")
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// tq is s as a TOML basic string.
func tq(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func tqList(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = tq(s)
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// oneLineComment keeps a comment on its line.
func oneLineComment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func seconds(s int) string { return strconv.Itoa(s) + "s" }

func fmtFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

func fmtDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

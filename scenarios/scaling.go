package scenarios

import (
	"bytes"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/workload"
)

// names of enumerations as a scenario spells them, in the enum's order.
var (
	comparisonNames  = []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
	missingDataNames = []string{"missing", "notBreaching", "breaching", "ignore"}
	adjustmentNames  = []string{"ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"}
	aggregationNames = []string{"Average", "Minimum", "Maximum"}
	predefinedNames  = []string{string(autoscale.ECSServiceAverageCPUUtilization), string(autoscale.ECSServiceAverageMemoryUtilization), string(autoscale.ALBRequestCountPerTarget)}
)

// enum returns the index of got in names, or reports the key and returns
// def. An empty value is def.
func (v *validator) enum(path []string, names []string, got string, def int) int {
	if got == "" {
		return def
	}
	if i := slices.Index(names, got); i >= 0 {
		return i
	}
	pr := v.problem(path, "one of "+strings.Join(names, ", "), quoteShort(got), "")
	if c := closest(got, names); c != "" {
		pr.Hint = fmt.Sprintf("did you mean %q?", c)
	}
	v.problems = append(v.problems, pr)
	return def
}

func (v *validator) location(path []string, name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		v.bad(path, "an IANA time zone such as \"America/New_York\"", quoteShort(name))
		return time.UTC
	}
	return loc
}

func (v *validator) load(path []string, l *loadSchema) *ecs.LoadConfig {
	if l == nil {
		return nil
	}
	k := func(key string) []string { return append(slices.Clone(path), key) }
	lc := v.loadPattern(path, l, 0)
	lc.CPUSecondsPerRequest, lc.MemoryBaseMiB, lc.MemoryMiBPerRPS = l.CPUSecondsPerRequest, l.MemoryBaseMiB, l.MemoryMiBPerRPS
	lc.LatencySLO = l.LatencySLO.Duration
	lc.Queue = l.Queue
	if l.Queue && l.LatencySLO.Set {
		v.bad(k("latency_slo"), "no latency_slo for a queue (its backlog is the measure)", l.LatencySLO.String())
	}
	if l.CPUSecondsPerRequest <= 0 {
		v.bad(k("cpu_seconds_per_request"), "CPU seconds per request above 0", fmt.Sprint(l.CPUSecondsPerRequest))
	}
	if l.LatencySLO.Set && l.LatencySLO.Duration <= 0 {
		v.bad(k("latency_slo"), "a positive duration such as \"200ms\"", l.LatencySLO.String())
	}
	if l.MemoryBaseMiB < 0 || l.MemoryMiBPerRPS < 0 {
		v.bad(k("memory_base_mib"), "memory_base_mib and memory_mib_per_rps >= 0", fmt.Sprintf("%g, %g", l.MemoryBaseMiB, l.MemoryMiBPerRPS))
	}
	return lc
}

var loadPatterns = []string{"constant", "diurnal", "step", "ramp", "spike", "trace", "sum", "product"}

// loadPattern reads a request-rate pattern and its modifiers; sum and
// product nest their components (at most 4 deep).
func (v *validator) loadPattern(path []string, l *loadSchema, depth int) *ecs.LoadConfig {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	lc := &ecs.LoadConfig{Pattern: l.Pattern, PeakRPS: l.PeakRPS, PeakHour: l.PeakHour, Noise: l.Noise,
		Location: v.location(k("timezone"), l.Timezone), RampStart: l.RampStart.Duration, RampEnd: l.RampEnd.Duration,
		SpikeAt: l.SpikeAt.Duration, Rise: l.Rise.Duration, Decay: l.Decay.Duration, Multiplier: l.Multiplier, AddedRPS: l.AddedRPS,
		WalkSigma: l.WalkSigma, WalkReversion: l.WalkReversion.Duration, ClipMin: l.ClipMin, ClipMax: l.ClipMax}
	if l.BaseRPS != nil {
		lc.BaseRPS = *l.BaseRPS
	}
	if l.WeekendFactor != nil {
		lc.WeekendFactor = *l.WeekendFactor
		if *l.WeekendFactor <= 0 {
			v.bad(k("weekend_factor"), "a factor above 0", fmt.Sprint(*l.WeekendFactor))
		}
	}
	for _, h := range l.Holidays {
		lc.Holidays = append(lc.Holidays, time.Date(h.Year(), h.Month(), h.Day(), 0, 0, 0, 0, time.UTC))
	}
	if l.Pattern != "trace" {
		lc.Scale = l.Scale // a trace scales inside its replay
	}
	v.patternShape(path, l, lc, depth)
	v.loadModifiers(path, l, lc)
	return lc
}

// patternShape checks the keys of each pattern kind.
func (v *validator) patternShape(path []string, l *loadSchema, lc *ecs.LoadConfig, depth int) {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	switch l.Pattern {
	case "constant":
	case "diurnal", "ramp":
		if l.Pattern == "diurnal" && l.PeakRPS < lc.BaseRPS {
			v.bad(k("peak_rps"), fmt.Sprintf("peak_rps >= base_rps (%g)", lc.BaseRPS), fmt.Sprint(l.PeakRPS))
		}
		if l.PeakHour < 0 || l.PeakHour >= 24 {
			v.bad(k("peak_hour"), "an hour in [0, 24)", fmt.Sprint(l.PeakHour))
		}
		if l.Pattern == "ramp" && l.RampEnd.Duration <= l.RampStart.Duration {
			v.bad(k("ramp_end"), fmt.Sprintf("an offset after ramp_start (%s)", l.RampStart.Duration), l.RampEnd.Duration.String())
		}
	case "spike":
		if l.Rise.Duration < 0 || l.Decay.Duration <= 0 {
			v.bad(k("decay"), "rise >= 0 and a positive decay", fmt.Sprintf("rise %s, decay %s", l.Rise.Duration, l.Decay.Duration))
		}
		if l.Multiplier <= 0 && l.AddedRPS <= 0 {
			v.bad(k("multiplier"), "multiplier above 0 or added_rps above 0", "neither")
		}
	case "step":
		for i, s := range l.Steps {
			if s.RPS < 0 {
				v.bad(append(k("steps"), strconv.Itoa(i), "rps"), "a rate >= 0", fmt.Sprint(s.RPS))
			}
			if i > 0 && s.At.Duration <= l.Steps[i-1].At.Duration {
				v.bad(append(k("steps"), strconv.Itoa(i), "at"), "times in increasing order", s.At.Duration.String())
			}
			lc.Steps = append(lc.Steps, ecs.LoadStep{At: s.At.Duration, RPS: s.RPS})
		}
	case "trace":
		lc.Trace = v.trace(path, l)
	case "sum", "product":
		if len(l.Components) < 2 || depth >= 4 {
			v.bad(k("components"), "2 or more component patterns, nested at most 4 deep", fmt.Sprintf("%d at depth %d", len(l.Components), depth))
		}
		if depth >= 4 {
			return // deeper components are the same mistake
		}
		for i := range l.Components {
			lc.Components = append(lc.Components, *v.loadPattern(append(k("components"), strconv.Itoa(i)), &l.Components[i], depth+1))
		}
	default:
		pr := Problem{File: v.file, Line: v.loc.line(k("pattern")), Key: v.display(k("pattern")), Want: "one of " + strings.Join(loadPatterns, ", "), Got: quoteShort(l.Pattern)}
		if c := closest(l.Pattern, loadPatterns); c != "" {
			pr.Hint = fmt.Sprintf("did you mean %q?", c)
		}
		v.problems = append(v.problems, pr)
	}
}

// loadModifiers checks noise, the random walk, scale and clipping.
func (v *validator) loadModifiers(path []string, l *loadSchema, lc *ecs.LoadConfig) {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	if lc.BaseRPS < 0 {
		v.bad(k("base_rps"), "a rate >= 0", fmt.Sprint(lc.BaseRPS))
	}
	if l.Noise < 0 || l.Noise > 1 {
		v.bad(k("noise"), "a relative noise in [0, 1]", fmt.Sprint(l.Noise))
	}
	if l.WalkSigma < 0 || l.WalkSigma > 1 || (l.WalkSigma > 0 && l.WalkReversion.Duration <= 0) {
		v.bad(k("walk_sigma"), "walk_sigma in [0, 1] with a positive walk_reversion", fmt.Sprintf("%g, %s", l.WalkSigma, l.WalkReversion.Duration))
	}
	if l.Scale < 0 {
		v.bad(k("scale"), "a factor >= 0", fmt.Sprint(l.Scale))
	}
	if l.ClipMin < 0 || (l.ClipMax > 0 && l.ClipMax < l.ClipMin) {
		v.bad(k("clip_max"), "0 <= clip_min <= clip_max (0: no upper bound)", fmt.Sprintf("%g, %g", l.ClipMin, l.ClipMax))
	}
}

// trace loads a request-rate trace file named by a load section.
func (v *validator) trace(path []string, l *loadSchema) *workload.Replay {
	fp := append(slices.Clone(path), "file")
	spec := workload.TraceSpec{TimeColumn: l.TimeColumn, ValueColumn: l.ValueColumn}
	spec.Time = workload.TimeFormat(v.enum(append(slices.Clone(path), "time_format"), []string{"rfc3339", "offset_seconds", "offset_minutes"}, l.TimeFormat, 0))
	spec.Value = workload.ValueUnit(v.enum(append(slices.Clone(path), "value_unit"), []string{"per_second", "per_minute", "per_interval"}, l.ValueUnit, 0))
	interp := v.enum(append(slices.Clone(path), "interpolation"), []string{"step", "linear"}, l.Interpolation, 0)
	if l.File == "" || l.TimeColumn == "" || l.ValueColumn == "" {
		v.bad(fp, "file, time_column and value_column for a trace", "missing")
		return nil
	}
	data, ok := v.readFile(fp, l.File, "trace file")
	if !ok {
		return nil
	}
	tr, err := workload.ReadTrace(l.File, bytes.NewReader(data), spec)
	if err != nil {
		v.bad(fp, "a valid trace", strings.ReplaceAll(err.Error(), "\n", "; "))
		return nil
	}
	r := workload.NewReplay(tr, time.Time{})
	r.Start, r.Scale, r.Speed, r.Loop, r.Interp = v.traceStart(), l.Scale, l.Speed, l.Loop, workload.Interpolation(interp)
	r.Shift = l.Shift.Duration
	return &r
}

// traceStart is the calendar instant the trace's first row is replayed at:
// the scenario's start.
func (v *validator) traceStart() time.Time {
	if v.f.Start != nil {
		return v.f.Start.UTC()
	}
	return defaultStart
}

func (v *validator) autoScaling(path []string, a *autoScalingSchema, desired int) *ecs.AutoScalingConfig {
	if a == nil {
		return nil
	}
	k := func(key string) []string { return append(slices.Clone(path), key) }
	ac := &ecs.AutoScalingConfig{PublicationDelay: a.PublicationDelay.Duration}
	if a.MinCapacity == nil || a.MaxCapacity == nil {
		v.bad(path, "min_capacity and max_capacity", "missing")
	} else {
		ac.MinCapacity, ac.MaxCapacity = *a.MinCapacity, *a.MaxCapacity
		if ac.MinCapacity < 0 {
			v.bad(k("min_capacity"), "min_capacity >= 0", fmt.Sprint(ac.MinCapacity))
		}
		if ac.MaxCapacity < ac.MinCapacity {
			v.bad(k("max_capacity"), fmt.Sprintf("max_capacity >= min_capacity (%d)", ac.MinCapacity), fmt.Sprint(ac.MaxCapacity))
		}
	}
	if a.PublicationDelay.Duration < 0 || a.PublicationDelay.Duration > 15*time.Minute {
		v.bad(k("metric_publication_delay"), "a delay from 0s to 15m", a.PublicationDelay.String())
	}
	for i, t := range a.TargetTracking {
		ac.TargetTracking = append(ac.TargetTracking, v.targetTracking(append(k("target_tracking"), strconv.Itoa(i)), t, i))
	}
	for i, s := range a.StepScaling {
		ac.StepScaling = append(ac.StepScaling, v.stepScaling(append(k("step_scaling"), strconv.Itoa(i)), s, i))
	}
	ac.Predictive = v.predictiveScaling(k("predictive_scaling"), a.PredictiveScaling) // predictive.go
	ac.MetricPeriod = v.metricPeriod(path, a)
	if n := len(a.TargetTracking) + len(a.StepScaling) + len(a.PredictiveScaling); n > maxScalingPolicies {
		// AWS (Quotas for Application Auto Scaling): "Scaling policies per
		// scalable target (both step scaling and target tracking policies)"
		// 50, not adjustable.
		v.bad(path, fmt.Sprintf("at most %d scaling policies in all (target_tracking, step_scaling and predictive_scaling; Application Auto Scaling's limit)", maxScalingPolicies), strconv.Itoa(n))
	}
	policies := map[string]int{}
	for i, t := range ac.TargetTracking {
		v.uniquePolicy(append(k("target_tracking"), strconv.Itoa(i), "name"), t.Name, policies)
	}
	for i, st := range ac.StepScaling {
		v.uniquePolicy(append(k("step_scaling"), strconv.Itoa(i), "name"), st.Name, policies)
	}
	for i, p := range ac.Predictive {
		v.uniquePolicy(append(k("predictive_scaling"), strconv.Itoa(i), "name"), p.Name, policies)
	}
	actions := map[string]int{}
	for i, s := range a.ScheduledActions {
		sp := append(k("scheduled_actions"), strconv.Itoa(i))
		c := v.scheduled(sp, s, i)
		if j, ok := actions[c.Name]; ok {
			// AWS (PutScheduledAction): a name identifies the action of its
			// scalable target; a second put replaces the first.
			v.bad(append(slices.Clone(sp), "name"), fmt.Sprintf("a scheduled action name not used by another of the service (scheduled_actions.%d)", j), quoteShort(c.Name))
		}
		actions[c.Name] = i
		ac.Scheduled = append(ac.Scheduled, c)
	}
	return ac
}

// maxScalingPolicies is Application Auto Scaling's hard limit on a
// scalable target's policies.
const maxScalingPolicies = 50

// uniquePolicy checks a policy's name (AWS: PutScalingPolicy PolicyName, 1
// to 256 printable characters, unique for its scalable target: a second
// put replaces the first).
func (v *validator) uniquePolicy(path []string, name string, seen map[string]int) {
	if !v.checkName(path, policyName, name) {
		return
	}
	if _, ok := seen[name]; ok {
		v.bad(path, "a policy name not used by another policy of the service", quoteShort(name))
	}
	seen[name]++
}

func cooldown(d *Duration) time.Duration {
	switch {
	case d == nil:
		return 0 // the 300 s default
	case d.Duration == 0:
		return autoscale.NoCooldown
	}
	return d.Duration
}

func (v *validator) metric(path []string, predefined, custom string) autoscale.MetricName {
	switch {
	case predefined != "" && custom != "":
		v.bad(path, "either predefined_metric or custom_metric", "both")
	case custom != "":
		return autoscale.MetricName(custom)
	case predefined == "":
		v.bad(append(slices.Clone(path), "predefined_metric"), "one of "+strings.Join(predefinedNames, ", "), "none")
	default:
		return autoscale.MetricName(predefinedNames[v.enum(append(slices.Clone(path), "predefined_metric"), predefinedNames, predefined, 0)])
	}
	return autoscale.ECSServiceAverageCPUUtilization
}

func (v *validator) targetTracking(path []string, t targetTrackingSchema, i int) autoscale.TargetTrackingConfig {
	predefined := v.targetTrackingPredefined(path, t.PredefinedMetric) // the 20 s versions track the same metric (predictive.go)
	c := autoscale.TargetTrackingConfig{
		Name: t.Name, Metric: v.metric(path, predefined, t.CustomMetric), TargetValue: t.TargetValue,
		ScaleOutCooldown: cooldown(t.ScaleOutCooldown), ScaleInCooldown: cooldown(t.ScaleInCooldown),
		DisableScaleIn: t.DisableScaleIn, HighDatapoints: t.ScaleOutDatapoints, LowDatapoints: t.ScaleInDatapoints,
		LowFraction: t.ScaleInTargetPercent / 100,
	}
	if c.Name == "" {
		c.Name = fmt.Sprintf("target-tracking-%d", i)
	}
	// AWS (TargetTrackingScalingPolicyConfiguration): TargetValue must be
	// above 8.515920e-109 and at most 1e+10; utilisation metrics are percents.
	if t.TargetValue < 8.515920e-109 || t.TargetValue > 1e10 || (c.Metric != autoscale.ALBRequestCountPerTarget && t.CustomMetric == "" && t.TargetValue > 100) {
		v.bad(append(slices.Clone(path), "target_value"), "a target above 0 (at most 100 for a utilisation)", fmt.Sprint(t.TargetValue))
	}
	if _, err := autoscale.NewTargetTracking(c); err != nil {
		v.bad(path, "a valid target tracking policy", err.Error())
	}
	return c
}

func (v *validator) stepScaling(path []string, s stepScalingSchema, i int) autoscale.StepScalingConfig {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	c := autoscale.StepScalingConfig{
		Name: s.Name, Metric: v.metric(path, s.Metric, ""),
		AdjustmentType:         autoscale.AdjustmentType(v.enum(k("adjustment_type"), adjustmentNames, s.AdjustmentType, 0)),
		MinAdjustmentMagnitude: s.MinAdjustmentMagnitude, Cooldown: cooldown(s.Cooldown),
		Aggregation: autoscale.Statistic(v.enum(k("metric_aggregation_type"), aggregationNames, s.MetricAggregationType, 0)),
	}
	if s.Metric == "" {
		c.Metric = autoscale.ECSServiceAverageCPUUtilization
	}
	if c.Name == "" {
		c.Name = fmt.Sprintf("step-scaling-%d", i)
	}
	c.Alarm = autoscale.AlarmConfig{Name: c.Name + "-alarm", Threshold: s.Threshold, EvaluationPeriods: max(s.EvaluationPeriods, 1),
		DatapointsToAlarm: s.DatapointsToAlarm,
		Comparison:        autoscale.Comparison(v.enum(k("comparison"), comparisonNames, s.Comparison, 0)),
		TreatMissing:      autoscale.MissingData(v.enum(k("treat_missing_data"), missingDataNames, s.TreatMissingData, 0))}
	if s.Comparison == "" {
		v.bad(k("comparison"), "one of "+strings.Join(comparisonNames, ", "), "none")
	}
	for _, a := range s.StepAdjustments {
		c.Steps = append(c.Steps, autoscale.StepAdjustment{Lower: a.Lower, Upper: a.Upper, Adjustment: a.Adjustment})
	}
	if s.MinAdjustmentMagnitude != 0 && c.AdjustmentType != autoscale.PercentChangeInCapacity {
		v.bad(k("min_adjustment_magnitude"), "min_adjustment_magnitude only with PercentChangeInCapacity", fmt.Sprint(s.MinAdjustmentMagnitude))
	}
	if err := autoscale.ValidateSteps(c.Steps); err != nil {
		v.bad(k("step_adjustments"), "step adjustments without gaps or overlaps", oneLine(err))
	} else if _, err := autoscale.NewStepScaling(c); err != nil {
		v.bad(path, "a valid step scaling policy", oneLine(err))
	}
	return c
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

func (v *validator) scheduled(path []string, s scheduledSchema, i int) autoscale.ScheduledActionConfig {
	c := autoscale.ScheduledActionConfig{Name: s.Name, MinCapacity: s.MinCapacity, MaxCapacity: s.MaxCapacity}
	zone := v.location(append(slices.Clone(path), "timezone"), s.Timezone)
	if c.Name == "" {
		c.Name = fmt.Sprintf("scheduled-%d", i)
	}
	v.checkName(append(slices.Clone(path), "name"), scheduledName, s.Name)
	if s.StartTime != nil {
		c.Start = s.StartTime.UTC()
	}
	if s.EndTime != nil {
		c.End = s.EndTime.UTC()
	}
	if s.StartTime != nil && s.EndTime != nil && !c.End.After(c.Start) && !v.rejected(append(slices.Clone(path), "end_time")) && !v.rejected(append(slices.Clone(path), "start_time")) {
		v.bad(append(slices.Clone(path), "end_time"), fmt.Sprintf("an end after start_time (%s)", c.Start.Format(time.RFC3339)), c.End.Format(time.RFC3339))
	}
	if s.MinCapacity == nil && s.MaxCapacity == nil {
		v.bad(path, "min_capacity and/or max_capacity", "neither")
	}
	if s.MinCapacity != nil && s.MaxCapacity != nil && *s.MinCapacity > *s.MaxCapacity {
		v.bad(append(slices.Clone(path), "max_capacity"), fmt.Sprintf("max_capacity >= min_capacity (%d)", *s.MinCapacity), fmt.Sprint(*s.MaxCapacity))
	}
	sched, err := autoscale.ParseSchedule(s.Schedule, zone)
	if err != nil {
		v.bad(append(slices.Clone(path), "schedule"), "at(...), rate(...) or cron(...)", scheduleError(s.Schedule, err))
	} else {
		v.checkRateUnit(append(slices.Clone(path), "schedule"), s.Schedule)
	}
	c.Schedule = sched
	return c
}

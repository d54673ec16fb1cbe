package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/workload"
)

func (v *validator) services(cfg *sim.Config) []ecs.ServiceConfig {
	var out []ecs.ServiceConfig
	names := map[string]bool{}
	// The warm-up is read with the objectives it qualifies (slo.go).
	cfg.Settings.WarmUp = v.warmUp(v.f.Settings.WarmUp, cfg.Duration)
	for i, s := range v.f.Services {
		path := p("services", i)
		sc := ecs.ServiceConfig{
			Name: s.Name, DesiredCount: s.DesiredCount, LaunchType: s.LaunchType,
			HealthCheckGracePeriod:  s.HealthCheckGracePeriod.Duration,
			TaskFailuresPerTaskHour: s.TaskFailuresPerTaskHour,
			MinimumHealthyPercent:   100, MaximumPercent: 200,
		}
		switch {
		case s.Name == "":
			v.bad(append(path, "name"), "a service name", "none")
		case !resourceName.ok(s.Name):
			v.bad(append(path, "name"), resourceName.want, quoteShort(s.Name))
		case names[s.Name]:
			v.bad(append(path, "name"), "a unique service name", quoteShort(s.Name)+" again")
		}
		names[s.Name] = true
		if s.DesiredCount < 0 {
			v.bad(append(path, "desired_count"), "desired_count >= 0", fmt.Sprint(s.DesiredCount))
		}
		if s.TaskFailuresPerTaskHour < 0 {
			v.bad(append(path, "task_failures_per_task_hour"), "a rate >= 0", fmt.Sprint(s.TaskFailuresPerTaskHour))
		}
		if d := s.DeploymentConfiguration; d.MinimumHealthyPercent != nil || d.MaximumPercent != nil {
			sc.MinimumHealthyPercent, sc.MaximumPercent = v.deployment(append(path, "deployment_configuration"), d)
		}
		sc.Deployment = v.deployStrategy(append(slices.Clone(path), "deployment_configuration"), s.DeploymentConfiguration) // deploy_strategy.go
		sc.TaskDefinition = v.taskDefRef(append(path, "task_definition"), s.TaskDefinition)
		sc.ProviderStrategy = v.strategy(append(slices.Clone(path), "capacity_provider_strategy"), s.CapacityProviderStrategy, cfg)
		v.launch(path, s.LaunchType, sc.ProviderStrategy, sc.TaskDefinition, cfg)
		sc.PlacementStrategy = v.placementStrategy(append(slices.Clone(path), "placement_strategy"), s.PlacementStrategy)
		sc.PlacementConstraints = v.placementConstraints(append(slices.Clone(path), "placement_constraints"), s.PlacementConstraints)
		if lb := s.LoadBalancer; lb != nil {
			sc.LoadBalancer = v.loadBalancer(append(slices.Clone(path), "load_balancer"), lb)
			v.checkName(append(slices.Clone(path), "load_balancer", "target_group"), targetGroupName, lb.TargetGroup)
		}
		if cb := s.CircuitBreaker; cb != nil {
			sc.CircuitBreaker = &ecs.CircuitBreakerConfig{Enable: cb.Enable, Rollback: cb.Rollback}
		}
		// AWS (CreateService): availabilityZoneRebalancing defaults to ENABLED.
		sc.AZRebalancing = v.enum(append(slices.Clone(path), "availability_zone_rebalancing"), []string{"ENABLED", "DISABLED"}, s.AZRebalancing, 0) == 0
		sc.Load = v.load(append(slices.Clone(path), "load"), s.Load)
		sc.SLO = v.slo(append(slices.Clone(path), "slo"), s.SLO, s.Load, sc.Load)
		sc.AutoScaling = v.autoScaling(append(slices.Clone(path), "auto_scaling"), s.AutoScaling, s.DesiredCount)
		if sc.AutoScaling != nil && sc.LoadBalancer == nil {
			for i, tt := range sc.AutoScaling.TargetTracking {
				if tt.Metric == autoscale.ALBRequestCountPerTarget {
					v.bad(append(slices.Clone(path), "auto_scaling", "target_tracking", strconv.Itoa(i), "predefined_metric"),
						"a load_balancer on the service for ALBRequestCountPerTarget", "none")
				}
			}
		}
		if sc.AutoScaling != nil {
			v.customMetrics(path, s)
			v.predictiveService(path, s, &sc) // predictive.go
		}
		if sc.AutoScaling != nil && sc.Load == nil && (len(sc.AutoScaling.TargetTracking) > 0 || len(sc.AutoScaling.StepScaling) > 0) {
			v.bad(append(slices.Clone(path), "auto_scaling"), "a [services.load] section to drive the scaling policies' metrics", "none")
		}
		v.daemonService(path, s, &sc)                                                      // scheduling_strategy (scenarios/daemon.go)
		sc.Protection = v.taskProtection(append(slices.Clone(path), "task_protection"), s) // scenarios/daemon.go
		out = append(out, v.copies(path, s, sc, names)...)
	}
	return out
}

// customMetrics refuses a target tracking policy on a custom metric the
// service does not publish: its alarms would never see a datapoint and the
// policy would never act. The one custom metric a service publishes is
// BacklogPerTask, when its load is a queue.
func (v *validator) customMetrics(path []string, s serviceSchema) {
	for i, t := range s.AutoScaling.TargetTracking {
		if t.CustomMetric == "" || (t.CustomMetric == ecs.BacklogPerTask && s.Load != nil && s.Load.Queue) {
			continue
		}
		want := fmt.Sprintf("a metric the service publishes: %q, with [services.load] queue = true", ecs.BacklogPerTask)
		hint := "nothing publishes this metric, so the policy would never act"
		v.badHint(append(slices.Clone(path), "auto_scaling", "target_tracking", strconv.Itoa(i), "custom_metric"), want, quoteShort(t.CustomMetric), hint)
	}
}

// copies expands a service with copies = N into N services named
// NAME-01..NAME-N with the same settings (each draws its own load noise and
// failures, from streams named by the copy's name).
func (v *validator) copies(path []string, s serviceSchema, sc ecs.ServiceConfig, names map[string]bool) []ecs.ServiceConfig {
	if s.Copies == 0 {
		return []ecs.ServiceConfig{sc}
	}
	if s.Copies < 1 || s.Copies > 1000 {
		v.bad(append(slices.Clone(path), "copies"), "copies from 1 to 1000", fmt.Sprint(s.Copies))
		return nil
	}
	out := make([]ecs.ServiceConfig, s.Copies)
	width := len(strconv.Itoa(s.Copies))
	for i := range out {
		c := sc
		c.Name = fmt.Sprintf("%s-%0*d", sc.Name, max(width, 2), i+1)
		if len(c.Name) > 255 && i == 0 {
			v.bad(append(slices.Clone(path), "name"), "a name short enough for its copies' names (NAME-01) to be at most 255 characters", fmt.Sprintf("%d characters", len(sc.Name)))
		}
		if names[c.Name] {
			v.bad(append(slices.Clone(path), "copies"), "copy names not used by another service", quoteShort(c.Name))
		}
		names[c.Name] = true
		out[i] = c
	}
	return out
}

// deployment checks the rolling-update bounds. AWS (DeploymentConfiguration
// API): defaults minimumHealthyPercent 100, maximumPercent 200.
func (v *validator) deployment(path []string, d deploymentSchema) (int, int) {
	minH, maxP := 100, 200
	if d.MinimumHealthyPercent != nil {
		minH = *d.MinimumHealthyPercent
	}
	if d.MaximumPercent != nil {
		maxP = *d.MaximumPercent
	}
	if minH < 0 || minH > 100 {
		v.bad(append(slices.Clone(path), "minimum_healthy_percent"), "0 to 100", fmt.Sprint(minH))
	}
	if maxP < 100 || maxP < minH {
		v.bad(append(slices.Clone(path), "maximum_percent"), "at least 100 and at least minimum_healthy_percent", fmt.Sprint(maxP))
	} else if maxP == minH {
		v.bad(append(slices.Clone(path), "maximum_percent"), "above minimum_healthy_percent (else a rolling update can neither start nor stop a task)", fmt.Sprint(maxP))
	}
	return minH, maxP
}

// taskDefRef resolves a task_definition reference ("family" or
// "family:revision") to an index, or -1.
func (v *validator) taskDefRef(path []string, ref string) int {
	family, rev, hasRev := strings.Cut(ref, ":")
	best, bestRev := -1, 0
	for i, td := range v.f.TaskDefinitions {
		r := td.revision()
		if td.Family != family || (hasRev && rev != strconv.Itoa(r)) {
			continue
		}
		if best < 0 || r > bestRev { // a bare family means its latest revision, as in ECS
			best, bestRev = i, r
		}
	}
	if best >= 0 {
		return best
	}
	var families []string
	for _, td := range v.f.TaskDefinitions {
		if td.Family != "" {
			families = append(families, td.Family)
		}
	}
	pr := v.problem(path, "the family of one of task_definitions", quoteShort(ref), "")
	if len(families) > 0 {
		pr.Hint = "defined: " + strings.Join(families, ", ")
		if c := closest(family, families); c != "" {
			pr.Hint = fmt.Sprintf("did you mean %q?", c)
		}
	}
	v.problems = append(v.problems, pr)
	return -1
}

// launch checks where a service's or job's tasks can run: launch type or
// strategy (not both), compatibility with the task definition, and that the
// task fits at least one instance type it may use.
func (v *validator) launch(path []string, launchType string, strategy []ecs.StrategyItem, td int, cfg *sim.Config) {
	if launchType != "" && launchType != "EC2" && launchType != "FARGATE" {
		v.bad(append(slices.Clone(path), "launch_type"), `"EC2" or "FARGATE"`, quoteShort(launchType))
		return
	}
	if launchType != "" && len(strategy) > 0 {
		v.bad(append(slices.Clone(path), "launch_type"), "either launch_type or capacity_provider_strategy", "both")
		return
	}
	if len(strategy) == 0 && launchType == "" {
		strategy = cfg.Cluster.DefaultProviderStrategy
	}
	if td < 0 || td >= len(cfg.TaskDefinitions) || v.unreadTD[td] {
		return
	}
	def := &cfg.TaskDefinitions[td]
	var groups []int
	fargate := launchType == "FARGATE"
	switch {
	case len(strategy) > 0:
		for _, it := range strategy {
			if it.Provider == ecs.ProviderFargate || it.Provider == ecs.ProviderFargateSpot {
				fargate = true
				continue
			}
			for _, cp := range cfg.CapacityProviders {
				if cp.Name == it.Provider && cp.Group >= 0 {
					groups = append(groups, cp.Group)
				}
			}
		}
	case !fargate:
		for gi := range cfg.Groups {
			groups = append(groups, gi)
		}
	}
	if fargate && !slices.Contains(def.RequiresCompatibilities, "FARGATE") {
		v.bad(append(slices.Clone(path), "task_definition"), "a task definition with requires_compatibilities including \"FARGATE\" to run on Fargate", quoteShort(def.Family))
	}
	if len(groups) > 0 && !slices.Contains(def.RequiresCompatibilities, "EC2") {
		v.bad(append(slices.Clone(path), "task_definition"), "a task definition with requires_compatibilities including \"EC2\" to run on EC2", quoteShort(def.Family))
	}
	if !fargate && len(groups) == 0 && len(cfg.Groups) == 0 {
		v.bad(path, "EC2 capacity (an auto_scaling_groups entry) or Fargate for the tasks", "none")
	}
	if len(groups) > 0 {
		v.checkFits(path, def, groups, cfg)
		v.checkPlatformFits(path, def, groups, cfg) // taskdef_aws.go
	}
}

// checkFits rejects a task larger than every instance type it may use.
func (v *validator) checkFits(path []string, def *ecs.TaskDefinition, groups []int, cfg *sim.Config) {
	cpu, mem := int64(def.CPUUnits()), int64(def.ReservedMemoryMiB())
	var largest string
	var bestCPU, bestMem int64
	for _, gi := range groups {
		for _, it := range cfg.Groups[gi].InstanceTypes {
			c, m := int64(it.VCPU)*1024, cfg.Settings.RegisteredMemoryMiB(it)
			if c >= cpu && m >= mem {
				return
			}
			if m > bestMem || (m == bestMem && c > bestCPU) {
				largest, bestCPU, bestMem = it.Name, c, m
			}
		}
	}
	if largest == "" {
		return // no known instance type: reported where the type is named
	}
	v.bad(append(slices.Clone(path), "task_definition"),
		fmt.Sprintf("a task that fits an instance type it may use (largest: %s with %d CPU units, %d MiB registered)", largest, bestCPU, bestMem),
		fmt.Sprintf("task %q needing %d CPU units, %d MiB", def.Family, cpu, mem))
}

// placementStrategy reads the strategy list into placement's values with
// placement.ParseStrategy, the code that placement itself trusts, so that
// what validate accepts is what a run can use. AWS (ECS Developer Guide,
// "Task placement strategies"): binpack on cpu or memory, spread on
// instanceId, host or attribute:NAME, random (no field); at most 5.
func (v *validator) placementStrategy(path []string, items []placementStrategySchema) []placement.Strategy {
	if len(items) > placement.MaxStrategies {
		v.bad(path, fmt.Sprintf("at most %d placement strategies", placement.MaxStrategies), fmt.Sprint(len(items)))
	}
	var out []placement.Strategy
	for i, it := range items {
		ip := append(slices.Clone(path), strconv.Itoa(i))
		if it.Type == "random" && it.Field != "" {
			v.bad(append(ip, "field"), "no field for random", quoteShort(it.Field))
			continue
		}
		st, err := placement.ParseStrategy(it.Type, it.Field)
		if err != nil {
			switch it.Type {
			case "binpack":
				v.bad(append(ip, "field"), `"cpu" or "memory" for binpack`, quoteShort(it.Field))
			case "spread":
				v.bad(append(ip, "field"), `"instanceId", "host" or "attribute:NAME" (a non-empty NAME) for spread`, quoteShort(it.Field))
			default:
				v.bad(append(ip, "type"), `"binpack", "spread" or "random"`, quoteShort(it.Type))
			}
			continue
		}
		out = append(out, st)
	}
	return out
}

// placementConstraints reads constraint entries into placement's values,
// the Cluster Query Language parsed once here: distinctInstance without an
// expression, memberOf with one of at most 2000 characters, at most 10.
func (v *validator) placementConstraints(path []string, items []constraintSchema) []placement.Constraint {
	if len(items) > placement.MaxConstraints {
		v.bad(path, fmt.Sprintf("at most %d placement constraints", placement.MaxConstraints), fmt.Sprint(len(items)))
	}
	var out []placement.Constraint
	for i, it := range items {
		ip := append(slices.Clone(path), strconv.Itoa(i))
		switch it.Type {
		case "distinctInstance":
			if it.Expression != "" {
				v.bad(append(ip, "expression"), "no expression for distinctInstance", quoteShort(it.Expression))
				continue
			}
		case "memberOf":
			if !v.expression(append(ip, "expression"), it.Expression) {
				continue
			}
		default:
			v.bad(append(ip, "type"), `"distinctInstance" or "memberOf"`, quoteShort(it.Type))
			continue
		}
		if c, ok := v.constraint(append(ip, "expression"), it.Type, it.Expression); ok {
			out = append(out, c)
		}
	}
	return out
}

// constraint is placement.ParseConstraint for an entry whose shape was
// checked; a refusal there is a problem too, never a panic in a run.
func (v *validator) constraint(path []string, typ, expr string) (placement.Constraint, bool) {
	c, err := placement.ParseConstraint(typ, expr)
	if err != nil {
		v.bad(path, "a placement constraint placement accepts", err.Error())
		return placement.Constraint{}, false
	}
	return c, true
}

// loadBalancer reads a service's ALB target group. AWS (CreateTargetGroup,
// target group attributes): interval 5-300 s (default 30), thresholds 2-10
// (healthy default 5, unhealthy 2), deregistration delay 0-3600 s (default
// 300).
func (v *validator) loadBalancer(path []string, lb *loadBalancerSchema) *ecs.LoadBalancerConfig {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	out := &ecs.LoadBalancerConfig{TargetGroup: lb.TargetGroup, Interval: 30 * time.Second, HealthyThreshold: 5,
		UnhealthyThreshold: 2, DeregistrationDelay: 300 * time.Second}
	if lb.HealthCheckInterval != nil {
		out.Interval = lb.HealthCheckInterval.Duration
	}
	if lb.DeregistrationDelay != nil {
		out.DeregistrationDelay = lb.DeregistrationDelay.Duration
	}
	if lb.HealthyThreshold != nil {
		out.HealthyThreshold = *lb.HealthyThreshold
	}
	if lb.UnhealthyThreshold != nil {
		out.UnhealthyThreshold = *lb.UnhealthyThreshold
	}
	if out.Interval < 5*time.Second || out.Interval > 300*time.Second {
		v.bad(k("health_check_interval"), "an interval from 5s to 300s", out.Interval.String())
	}
	if out.HealthyThreshold < 2 || out.HealthyThreshold > 10 {
		v.bad(k("healthy_threshold"), "a threshold from 2 to 10", fmt.Sprint(out.HealthyThreshold))
	}
	if out.UnhealthyThreshold < 2 || out.UnhealthyThreshold > 10 {
		v.bad(k("unhealthy_threshold"), "a threshold from 2 to 10", fmt.Sprint(out.UnhealthyThreshold))
	}
	if out.DeregistrationDelay < 0 || out.DeregistrationDelay > time.Hour {
		v.bad(k("deregistration_delay"), "a delay from 0s to 3600s", out.DeregistrationDelay.String())
	}
	return out
}

// expression parses a memberOf expression with the placement package's
// Cluster Query Language parser, reporting the column of a fault.
func (v *validator) expression(path []string, expr string) bool {
	if n := utf8.RuneCountInString(expr); n == 0 || n > placement.MaxExpressionLen {
		v.bad(path, "a cluster query expression of 1 to 2000 characters", fmt.Sprintf("%d characters", n))
		return false
	}
	if _, err := placement.ParseExpression(expr); err != nil {
		var se *placement.SyntaxError
		if errors.As(err, &se) {
			v.bad(path, "a cluster query expression", fmt.Sprintf("%s: column %d: %s", quoteShort(expr), se.Col, se.Msg))
			return false
		}
		v.bad(path, "a cluster query expression", err.Error())
		return false
	}
	return true
}

func (v *validator) batchJobs(cfg *sim.Config) []ecs.BatchJobConfig {
	var out []ecs.BatchJobConfig
	names := map[string]bool{}
	for i, j := range v.f.BatchJobs {
		path := p("batch_jobs", i)
		bc := ecs.BatchJobConfig{Name: j.Name, LaunchType: j.LaunchType}
		switch {
		case j.Name == "":
			v.bad(append(path, "name"), "a job name", "none")
		case !resourceName.ok(j.Name):
			v.bad(append(path, "name"), resourceName.want, quoteShort(j.Name))
		case names[j.Name]:
			v.bad(append(path, "name"), "a unique job name", quoteShort(j.Name)+" again")
		}
		names[j.Name] = true
		bc.TaskDefinition = v.taskDefRef(append(path, "task_definition"), j.TaskDefinition)
		bc.ProviderStrategy = v.strategy(append(slices.Clone(path), "capacity_provider_strategy"), j.CapacityProviderStrategy, cfg)
		v.launch(path, j.LaunchType, bc.ProviderStrategy, bc.TaskDefinition, cfg)
		bc.Arrivals = v.arrivals(append(slices.Clone(path), "arrivals"), j.Arrivals)
		if j.Arrivals.Pattern != "trace" {
			bc.Duration = v.distribution(append(slices.Clone(path), "duration"), j.Duration)
		}
		bc.Retries = j.Retries
		if j.Retries < 0 || j.Retries > 100 {
			v.bad(append(slices.Clone(path), "retries"), "retries from 0 to 100", fmt.Sprint(j.Retries))
		}
		out = append(out, bc)
	}
	return out
}

func (v *validator) arrivals(path []string, a arrivalsSchema) ecs.Arrivals {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	out := ecs.Arrivals{Pattern: a.Pattern, RatePerHour: a.RatePerHour, Start: a.Start.Duration, Window: a.ActiveFor.Duration,
		Every: a.Every.Duration, Max: a.MaxTasks, PerFiring: max(a.TasksPerFiring, 1)}
	if a.MaxTasks < 0 {
		v.bad(k("max_tasks"), "max_tasks >= 0", fmt.Sprint(a.MaxTasks))
	}
	switch a.Pattern {
	case "poisson":
		v.poissonArrivals(path, a)
	case "cron":
		sched, err := autoscale.ParseSchedule(a.Schedule, v.location(k("timezone"), a.Timezone))
		if err != nil {
			v.bad(k("schedule"), "a schedule expression such as \"cron(0 1 * * ? *)\"", scheduleError(a.Schedule, err))
		} else {
			v.checkRateUnit(k("schedule"), a.Schedule)
		}
		out.Schedule = sched
		if a.TasksPerFiring < 0 {
			v.bad(k("tasks_per_firing"), "a count >= 1", fmt.Sprint(a.TasksPerFiring))
		}
	case "trace":
		out.Tasks = v.taskTrace(path, a)
	case "pattern":
		if a.Rate == nil {
			v.bad(k("rate"), "a rate pattern in tasks per hour (the keys of [services.load])", "none")
		} else {
			out.Rate = v.loadPattern(k("rate"), a.Rate, 0)
		}
	default:
		v.bad(k("pattern"), `"poisson", "cron", "trace" or "pattern"`, quoteShort(a.Pattern))
	}
	return out
}

func (v *validator) poissonArrivals(path []string, a arrivalsSchema) {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	if a.RatePerHour <= 0 {
		v.bad(k("rate_per_hour"), "a rate above 0", fmt.Sprint(a.RatePerHour))
	}
	if a.Every.Set && !a.ActiveFor.Set {
		v.bad(k("active_for"), "active_for with every", "none")
	}
	if a.ActiveFor.Set && a.Every.Set && a.ActiveFor.Duration > a.Every.Duration {
		v.bad(k("active_for"), fmt.Sprintf("at most every (%s)", a.Every.Duration), a.ActiveFor.Duration.String())
	}
	if a.ActiveFor.Set && a.ActiveFor.Duration <= 0 {
		v.bad(k("active_for"), "a positive duration", a.ActiveFor.Duration.String())
	}
	if a.Every.Set && a.Every.Duration <= 0 {
		v.bad(k("every"), "a positive period such as \"24h\"", a.Every.Duration.String())
	}
}

// taskTrace loads a RunTask trace: SWF (the Parallel Workloads Archive's
// format) or CSV with named columns.
func (v *validator) taskTrace(path []string, a arrivalsSchema) []workload.Task {
	fp := append(slices.Clone(path), "file")
	if a.File == "" {
		v.bad(fp, "a task trace file (SWF or CSV)", "none")
		return nil
	}
	data, ok := v.readFile(fp, a.File, "task trace")
	if !ok {
		return nil
	}
	var tr *workload.TaskTrace
	var err error
	switch a.Format {
	case "swf":
		tr, err = workload.ReadSWF(a.File, bytes.NewReader(data), workload.SWFOptions{CPUUnitsPerProcessor: a.CPUUnitsPerProcessor, DefaultMemoryMiB: a.DefaultMemoryMiB})
	case "csv":
		tr, err = workload.ReadTaskCSV(a.File, bytes.NewReader(data), workload.TaskColumns{Arrival: a.ArrivalColumn, Duration: a.DurationColumn, CPU: a.CPUColumn, Memory: a.MemoryColumn})
	default:
		v.bad(append(slices.Clone(path), "format"), `"swf" or "csv"`, quoteShort(a.Format))
		return nil
	}
	if err != nil {
		v.bad(fp, "a valid task trace", oneLine(err))
		return nil
	}
	switch {
	case len(tr.Tasks) == 0:
		v.bad(fp, "a task trace with at least one task", fmt.Sprintf("%s: none", quoteShort(a.File)))
	case len(tr.Tasks) > maxTraceTasks:
		v.bad(fp, fmt.Sprintf("a task trace of at most %d tasks", maxTraceTasks), fmt.Sprintf("%s: %d", quoteShort(a.File), len(tr.Tasks)))
		return nil
	}
	return tr.Tasks
}

// maxTraceTasks bounds a task trace (fleetsim's bound: each task is kept
// for the run, about a kilobyte each; see Estimate).
const maxTraceTasks = 10_000_000

// checkRateUnit applies AWS's rule for rate expressions, which the
// schedule parser lets through: "If the value is equal to 1, then the unit
// must be singular. If the value is greater than 1, the unit must be
// plural" (rate(1 hour), rate(5 minutes); not rate(5 minute)).
func (v *validator) checkRateUnit(path []string, expr string) {
	body, ok := strings.CutPrefix(expr, "rate(")
	if !ok {
		return
	}
	num, unit, _ := strings.Cut(strings.TrimSuffix(body, ")"), " ")
	n, err := strconv.Atoi(num)
	if err != nil {
		return
	}
	plural := strings.HasSuffix(unit, "s")
	switch {
	case n == 1 && plural:
		v.bad(path, fmt.Sprintf("the singular unit for a rate of 1 (rate(1 %s))", strings.TrimSuffix(unit, "s")), quoteShort(expr))
	case n > 1 && !plural:
		v.bad(path, fmt.Sprintf("the plural unit for a rate above 1 (rate(%d %ss))", n, unit), quoteShort(expr))
	}
}

func scheduleError(expr string, err error) string {
	var pe *autoscale.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s at column %d: want %s, found %s", quoteShort(expr), pe.Col, pe.Want, pe.Got)
	}
	return err.Error()
}

func (v *validator) distribution(path []string, d durationSchema) ecs.Distribution {
	out := ecs.Distribution{Kind: d.Distribution, Value: d.Value.Duration, Median: d.Median.Duration, Sigma: d.Sigma, Min: d.Min.Duration, Max: d.Max.Duration}
	need := func(key string, dur Duration) {
		if !dur.Set || dur.Duration <= 0 {
			v.bad(append(slices.Clone(path), key), "a positive duration for "+d.Distribution, quoteOrNone(dur))
		}
	}
	switch d.Distribution {
	case "fixed":
		need("value", d.Value)
	case "exponential":
		need("mean", d.Mean)
		out.Value = d.Mean.Duration
	case "lognormal":
		need("median", d.Median)
		if d.Sigma <= 0 || d.Sigma > 5 {
			v.bad(append(slices.Clone(path), "sigma"), "sigma above 0 and at most 5", fmt.Sprint(d.Sigma))
		}
	case "uniform":
		need("min", d.Min)
		need("max", d.Max)
		if d.Max.Duration < d.Min.Duration {
			v.bad(append(slices.Clone(path), "max"), "max >= min", d.Max.Duration.String())
		}
	case "weibull":
		need("scale", d.Scale)
		out.Value, out.Shape = d.Scale.Duration, d.Shape
		if d.Shape <= 0 {
			v.bad(append(slices.Clone(path), "shape"), "a shape above 0", fmt.Sprint(d.Shape))
		}
	case "pareto":
		need("min", d.Min)
		out.Shape = d.Alpha
		if d.Alpha <= 0 {
			v.bad(append(slices.Clone(path), "alpha"), "a tail index above 0", fmt.Sprint(d.Alpha))
		}
	default:
		v.bad(append(slices.Clone(path), "distribution"), `"fixed", "exponential", "lognormal", "uniform", "weibull" or "pareto"`, quoteShort(d.Distribution))
	}
	if out.Value > 365*24*time.Hour || out.Median > 365*24*time.Hour {
		v.bad(path, "a duration under a year", "longer")
	}
	return out
}

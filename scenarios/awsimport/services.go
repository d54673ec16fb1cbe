package awsimport

import (
	"fmt"
	"slices"
	"strings"
)

// services reads describe-services.
func (im *importer) services() {
	for _, d := range im.docs[Services] {
		r := root(d)
		r.state("failures")
		for _, s := range r.objects("services") {
			im.service(d, s)
		}
	}
}

func (im *importer) service(d *doc, s node) {
	sv := Service{Name: s.str("serviceName"), File: d.file}
	im.noteRegion(d, s.str("serviceArn"))
	sv.DesiredCount, _ = s.integer("desiredCount")
	s.state("serviceArn", "clusterArn", "status", "runningCount", "pendingCount", "createdAt", "createdBy", "events",
		"deployments", "taskSets", "roleArn", "tags")
	if c := s.str("clusterArn"); c != "" && im.sc.Cluster.Name == "" {
		_, im.sc.Cluster.Name, _ = strings.Cut(c, ":cluster/")
	}
	ref := s.str("taskDefinition")
	family, _ := taskDefRef(ref)
	sv.TaskDefinition = family
	switch lt := s.str("launchType"); lt {
	case "", "EC2", "FARGATE":
		sv.LaunchType = lt
	default:
		c, _ := s.get("launchType")
		im.warn(d, c, fmt.Sprintf("launch type %s is not modelled: run as EC2", lt))
		sv.LaunchType = "EC2"
	}
	for _, it := range s.objects("capacityProviderStrategy") {
		sv.Strategy = append(sv.Strategy, strategyItem(it))
	}
	if len(sv.Strategy) > 0 {
		sv.LaunchType = "" // AWS: a strategy and a launch type are exclusive; the strategy is what ran
	}
	if family != "" && !slices.ContainsFunc(im.sc.TaskDefs, func(t TaskDef) bool { return t.Family == family }) {
		fargate := sv.LaunchType == "FARGATE" || slices.ContainsFunc(sv.Strategy, func(it StrategyItem) bool { return strings.HasPrefix(it.Provider, "FARGATE") })
		td := TaskDef{Family: family, CPU: 256, Memory: 512, Placeholder: true, NetworkMode: "bridge"}
		runs := "bridge, EC2"
		if fargate {
			td.NetworkMode, runs = "awsvpc", "awsvpc, EC2 or Fargate"
		}
		im.sc.TaskDefs = append(im.sc.TaskDefs, td)
		c, _ := s.get("taskDefinition")
		im.warn(d, c, fmt.Sprintf("task definition %s is not in the input (add aws ecs describe-task-definition --task-definition %s): assumed one container of 256 CPU units and 512 MiB, %s", ref, family, runs))
	}
	for _, p := range s.objects("placementStrategy") {
		sv.PlacementStrategy = append(sv.PlacementStrategy, Placement{Type: p.str("type"), Field: p.str("field")})
	}
	for _, p := range s.objects("placementConstraints") {
		sv.PlacementConstraints = append(sv.PlacementConstraints, Placement{Type: p.str("type"), Field: p.str("expression")})
	}
	if dc, ok := s.object("deploymentConfiguration"); ok {
		sv.MinimumHealthyPercent = optInt(dc, "minimumHealthyPercent")
		sv.MaximumPercent = optInt(dc, "maximumPercent")
		if cb, ok := dc.object("deploymentCircuitBreaker"); ok {
			e, _ := cb.boolean("enable")
			rb, _ := cb.boolean("rollback")
			sv.CircuitBreaker = &CircuitBreaker{Enable: e, Rollback: rb}
		}
		dc.notModelled("alarms", "CloudWatch alarms do not stop deployments in fleetsim; the circuit breaker does")
		dc.notModelled("strategy", "deployments are rolling (ECS); blue/green and linear/canary are not modelled")
		dc.notModelled("bakeTimeInMinutes", "deployments are rolling (ECS); blue/green bake time is not modelled")
	}
	sv.HealthCheckGracePeriod = optInt(s, "healthCheckGracePeriodSeconds")
	sv.AZRebalancing = s.str("availabilityZoneRebalancing")
	for i, lb := range s.objects("loadBalancers") {
		tg := lb.str("targetGroupArn")
		lb.state("containerName", "containerPort")
		if i > 0 || tg == "" {
			lb.whole("fleetsim models one target group per service", false)
			continue
		}
		sv.TargetGroup = targetGroupName(tg)
	}
	if sc := s.str("schedulingStrategy"); sc != "" && sc != "REPLICA" { // REPLICA is what fleetsim runs
		c, _ := s.get("schedulingStrategy")
		im.warn(d, c, "scheduling strategy "+sc+" is not modelled: run as REPLICA with the desired count")
	}
	s.notModelled("networkConfiguration", "subnets and security groups are not modelled: awsvpc tasks take an ENI on any instance of the group's zones")
	s.notModelled("platformVersion", "Fargate tasks start in the scenario's fargate_start_time, whatever the platform version")
	s.notModelled("platformFamily", "Fargate tasks start in the scenario's fargate_start_time, whatever the platform")
	s.notModelled("serviceRegistries", "service discovery is not modelled")
	s.notModelled("serviceConnectConfiguration", "Service Connect is not modelled")
	if dc, ok := s.object("deploymentController"); ok {
		if t := dc.str("type"); t != "ECS" {
			c, _ := dc.get("type")
			im.warn(d, c, "deployment controller "+t+" is not modelled: deployments are rolling, as the ECS controller's")
		}
	}
	s.noEffect("enableExecuteCommand", "enableECSManagedTags", "propagateTags")
	im.sc.Services = append(im.sc.Services, sv)
}

// targetGroupName is the name in a target group ARN
// (...:targetgroup/NAME/ID), else the ARN's last part.
func targetGroupName(arn string) string {
	if _, rest, ok := strings.Cut(arn, ":targetgroup/"); ok {
		name, _, _ := strings.Cut(rest, "/")
		return name
	}
	return arn[strings.LastIndexAny(arn, "/:")+1:]
}

// serviceOf finds the service an Application Auto Scaling ResourceId
// (service/CLUSTER/SERVICE) names; a problem-free miss returns nil.
func (im *importer) serviceOf(resourceID string) *Service {
	parts := strings.Split(resourceID, "/")
	if len(parts) != 3 || parts[0] != "service" {
		return nil
	}
	for i := range im.sc.Services {
		if im.sc.Services[i].Name == parts[2] {
			return &im.sc.Services[i]
		}
	}
	return nil
}

// target checks an Application Auto Scaling entry's namespace, dimension
// and resource and returns its service, or marks it not imported.
func (im *importer) target(n node, what string) *Service {
	ns, dim, id := n.str("ServiceNamespace"), n.str("ScalableDimension"), n.str("ResourceId")
	switch {
	case ns != "ecs" || dim != "ecs:service:DesiredCount":
		n.whole(fmt.Sprintf("%s for %s (%s): fleetsim scales ECS services' ecs:service:DesiredCount", what, id, dim), false)
		return nil
	}
	sv := im.serviceOf(id)
	if sv == nil {
		n.whole(fmt.Sprintf("%s for %s: that service is not in the input (add aws ecs describe-services)", what, id), false)
		return nil
	}
	if sv.Scaling == nil {
		sv.Scaling = &Scaling{}
	}
	return sv
}

// scalableTargets reads describe-scalable-targets.
func (im *importer) scalableTargets() {
	for _, d := range im.docs[ScalableTargets] {
		r := root(d)
		r.state("NextToken")
		for _, t := range r.objects("ScalableTargets") {
			sv := im.target(t, "a scalable target")
			if sv == nil {
				continue
			}
			sv.Scaling.Min = optInt(t, "MinCapacity")
			sv.Scaling.Max = optInt(t, "MaxCapacity")
			t.state("RoleARN", "CreationTime", "ScalableTargetARN", "PredictedCapacity")
			if ss, ok := t.object("SuspendedState"); ok {
				for _, k := range []string{"DynamicScalingOutSuspended", "DynamicScalingInSuspended", "ScheduledScalingSuspended"} {
					if b, _ := ss.boolean(k); b {
						c, _ := ss.get(k)
						im.warn(d, c, "suspended scaling is not modelled: the policies act")
					}
				}
			}
		}
	}
}

// alarm is the part of a describe-alarms MetricAlarm a step policy needs.
type alarm struct {
	metric, comparison, treatMissing string
	threshold                        float64
	periods, datapoints              int
}

// alarms reads describe-alarms, by alarm name.
func (im *importer) alarms() map[string]alarm {
	out := map[string]alarm{}
	for _, d := range im.docs[MetricAlarms] {
		r := root(d)
		r.state("NextToken", "CompositeAlarms")
		for _, a := range r.objects("MetricAlarms") {
			name := a.str("AlarmName")
			al := alarm{comparison: a.str("ComparisonOperator"), treatMissing: a.str("TreatMissingData")}
			al.threshold, _ = a.float("Threshold")
			al.periods, _ = a.integer("EvaluationPeriods")
			al.datapoints, _ = a.integer("DatapointsToAlarm")
			switch m, ns := a.str("MetricName"), a.str("Namespace"); {
			case ns == "AWS/ECS" && m == "CPUUtilization":
				al.metric = "ECSServiceAverageCPUUtilization"
			case ns == "AWS/ECS" && m == "MemoryUtilization":
				al.metric = "ECSServiceAverageMemoryUtilization"
			default:
				c, _ := a.get("MetricName")
				im.warn(d, c, fmt.Sprintf("alarm %s watches %s %s, which fleetsim does not publish: a policy it drives watches ECSServiceAverageCPUUtilization", name, ns, m))
				al.metric = "ECSServiceAverageCPUUtilization"
			}
			if p, ok := a.integer("Period"); ok && p != 60 {
				c, _ := a.get("Period")
				im.warn(d, c, fmt.Sprintf("alarm %s has a period of %d s: fleetsim evaluates one-minute datapoints", name, p))
			}
			a.state("AlarmArn", "AlarmConfigurationUpdatedTimestamp", "StateValue", "StateReason", "StateReasonData",
				"StateUpdatedTimestamp", "StateTransitionedTimestamp", "ActionsEnabled", "AlarmActions", "OKActions",
				"InsufficientDataActions", "AlarmDescription", "Dimensions", "Statistic", "Unit")
			out[name] = al
		}
	}
	return out
}

// scalingPolicies reads Application Auto Scaling describe-scaling-policies.
func (im *importer) scalingPolicies(alarms map[string]alarm) {
	for _, d := range im.docs[ScalingPolicies] {
		r := root(d)
		r.state("NextToken")
		for _, p := range r.objects("ScalingPolicies") {
			sv := im.target(p, "a scaling policy")
			if sv == nil {
				continue
			}
			name := p.str("PolicyName")
			p.state("PolicyARN", "CreationTime")
			switch typ := p.str("PolicyType"); typ {
			case "TargetTrackingScaling":
				im.targetTracking(d, p, sv, name)
			case "StepScaling":
				im.stepScaling(d, p, sv, name, alarms)
			default:
				p.whole("policy type "+typ+" is not modelled (fleetsim has target tracking and step scaling)", false)
			}
		}
	}
}

func (im *importer) targetTracking(d *doc, p node, sv *Service, name string) {
	p.state("Alarms") // made by Application Auto Scaling for the policy
	c, ok := p.object("TargetTrackingScalingPolicyConfiguration")
	if !ok {
		p.whole("a target tracking policy without its configuration", false)
		return
	}
	t := TargetTracking{Name: name}
	t.TargetValue, _ = c.float("TargetValue")
	t.ScaleOutCooldown = optInt(c, "ScaleOutCooldown")
	t.ScaleInCooldown = optInt(c, "ScaleInCooldown")
	t.DisableScaleIn, _ = c.boolean("DisableScaleIn")
	if pm, ok := c.object("PredefinedMetricSpecification"); ok {
		t.Predefined = pm.str("PredefinedMetricType")
		pm.notModelled("ResourceLabel", "the service's one target group is the one counted")
		switch t.Predefined {
		case "ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization", "ALBRequestCountPerTarget":
		default:
			p.whole("predefined metric "+t.Predefined+" is not one fleetsim publishes", false)
			return
		}
	} else if cm, ok := c.object("CustomizedMetricSpecification"); ok {
		m, ns, stat := cm.str("MetricName"), cm.str("Namespace"), cm.str("Statistic")
		cm.state("Dimensions", "Unit")
		switch {
		case ns == "AWS/ECS" && m == "CPUUtilization" && (stat == "Average" || stat == ""):
			t.Predefined = "ECSServiceAverageCPUUtilization"
		case ns == "AWS/ECS" && m == "MemoryUtilization" && (stat == "Average" || stat == ""):
			t.Predefined = "ECSServiceAverageMemoryUtilization"
		default:
			p.whole(fmt.Sprintf("customized metric %s %s (%s) is not one fleetsim publishes", ns, m, stat), false)
			return
		}
		cm.notModelled("Metrics", "metric math is not modelled")
	} else {
		p.whole("a target tracking policy without a metric", false)
		return
	}
	sv.Scaling.TargetTracking = append(sv.Scaling.TargetTracking, t)
}

func (im *importer) stepScaling(d *doc, p node, sv *Service, name string, alarms map[string]alarm) {
	c, ok := p.object("StepScalingPolicyConfiguration")
	if !ok {
		p.whole("a step scaling policy without its configuration", false)
		return
	}
	st := StepScaling{Name: name, AdjustmentType: c.str("AdjustmentType"), Aggregation: c.str("MetricAggregationType")}
	st.Cooldown = optInt(c, "Cooldown")
	st.MinAdjustmentMagnitude, _ = c.integer("MinAdjustmentMagnitude")
	out := false
	for _, a := range c.objects("StepAdjustments") {
		var sa StepAdjustment
		if v, ok := a.float("MetricIntervalLowerBound"); ok {
			sa.Lower = &v
		}
		if v, ok := a.float("MetricIntervalUpperBound"); ok {
			sa.Upper = &v
		}
		sa.Adjustment, _ = a.integer("ScalingAdjustment")
		out = out || sa.Adjustment > 0
		st.Steps = append(st.Steps, sa)
	}
	var names []string
	for _, a := range p.objects("Alarms") {
		names = append(names, a.str("AlarmName"))
		a.state("AlarmARN")
	}
	found := false
	for _, n := range names {
		if al, ok := alarms[n]; ok {
			st.Metric, st.Comparison, st.Threshold = al.metric, al.comparison, al.threshold
			st.EvaluationPeriods, st.DatapointsToAlarm, st.TreatMissingData = al.periods, al.datapoints, al.treatMissing
			found = true
			break
		}
	}
	if !found {
		st.AlarmAssumed = true
		st.Metric, st.EvaluationPeriods = "ECSServiceAverageCPUUtilization", 1
		st.Comparison, st.Threshold = "GreaterThanOrEqualToThreshold", 70
		if !out {
			st.Comparison, st.Threshold = "LessThanOrEqualToThreshold", 30
		}
		alarm := "its alarm"
		if len(names) > 0 {
			alarm = "alarm " + strings.Join(names, ", ")
		}
		im.warn(d, p, fmt.Sprintf("%s is not in the input (add aws cloudwatch describe-alarms --alarm-names ...): assumed %s %s %g over 1 minute",
			alarm, st.Metric, st.Comparison, st.Threshold))
	}
	sv.Scaling.StepScaling = append(sv.Scaling.StepScaling, st)
}

// scheduledActions reads describe-scheduled-actions.
func (im *importer) scheduledActions() {
	for _, d := range im.docs[ScheduledActions] {
		r := root(d)
		r.state("NextToken")
		for _, a := range r.objects("ScheduledActions") {
			sv := im.target(a, "a scheduled action")
			if sv == nil {
				continue
			}
			s := Scheduled{Name: a.str("ScheduledActionName"), Schedule: a.str("Schedule"), Timezone: a.str("Timezone")}
			a.state("ScheduledActionARN", "CreationTime")
			for _, k := range []string{"StartTime", "EndTime"} {
				c, ok := a.get(k)
				if !ok {
					continue
				}
				t, err := parseTime(c.v)
				if err != nil {
					a.bad(c, "a time as AWS prints it (2026-11-30T10:00:00Z, 2026-11-30 10:00:00, or seconds since 1970)")
					continue
				}
				if k == "StartTime" {
					s.Start = &t
				} else {
					s.End = &t
				}
			}
			if ta, ok := a.object("ScalableTargetAction"); ok {
				s.Min = optInt(ta, "MinCapacity")
				s.Max = optInt(ta, "MaxCapacity")
			}
			sv.Scaling.Scheduled = append(sv.Scaling.Scheduled, s)
		}
	}
}

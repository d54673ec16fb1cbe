package awsimport_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/scenarios/awsimport"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// inputs reads every JSON file of a testdata folder, sorted by name.
func inputs(t *testing.T, dir string) []awsimport.Input {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, names)
	var out []awsimport.Input
	for _, n := range names {
		b, err := os.ReadFile(n)
		require.NoError(t, err)
		out = append(out, awsimport.Input{Name: filepath.Base(n), Data: b})
	}
	return out
}

// load reads the imported scenario as fleetsim run would.
func load(t *testing.T, res *awsimport.Result) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse(string(res.TOML), "scenario.toml", func(rel string) ([]byte, error) {
		if b, ok := res.Files[rel]; ok {
			return b, nil
		}
		return nil, fs.ErrNotExist
	})
	require.NoError(t, err, "the imported scenario loads:\n%s", res.TOML)
	return sc
}

// runShort simulates the first two hours of the scenario.
func runShort(t *testing.T, sc *scenarios.Scenario) *sim.Result {
	t.Helper()
	cfg := *sc.Config
	cfg.Duration = min(cfg.Duration, 2*time.Hour)
	res, err := sim.New(&cfg).Run()
	require.NoError(t, err)
	return res
}

// jsonFile decodes a testdata file with encoding/json, independently of the
// importer's reader.
func jsonFile(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func service(t *testing.T, sc *scenarios.Scenario, name string) ecs.ServiceConfig {
	t.Helper()
	for _, s := range sc.Config.Services {
		if s.Name == name {
			return s
		}
	}
	require.Failf(t, "no service", "%s", name)
	return ecs.ServiceConfig{}
}

func TestTheClusterFixturesRoundTripToWhatTheFilesSay(t *testing.T) {
	res, err := awsimport.Import(inputs(t, "cluster"))
	require.NoError(t, err)
	sc := load(t, res)
	cfg := sc.Config

	// Services: as many as describe-services lists, each with its desired count.
	described := jsonFile(t, "cluster/ecs-describe-services.json")["services"].([]any)
	require.Len(t, cfg.Services, len(described))
	for _, d := range described {
		d := d.(map[string]any)
		s := service(t, sc, d["serviceName"].(string))
		assert.Equal(t, int(d["desiredCount"].(float64)), s.DesiredCount, s.Name)
	}
	web, api := service(t, sc, "web"), service(t, sc, "api")
	assert.Equal(t, "FARGATE", api.LaunchType)
	require.Len(t, web.ProviderStrategy, 1)
	assert.Equal(t, 1, web.ProviderStrategy[0].Base)
	assert.Equal(t, 50, web.MinimumHealthyPercent)
	assert.Equal(t, 200, web.MaximumPercent)
	assert.Equal(t, 60*time.Second, web.HealthCheckGracePeriod)
	assert.Len(t, web.PlacementStrategy, 2)
	assert.Len(t, web.PlacementConstraints, 1)
	require.NotNil(t, web.CircuitBreaker)
	require.NotNil(t, web.LoadBalancer)

	// Task definitions: the Fargate one's task-level sizes, from its JSON strings.
	fargate := jsonFile(t, "cluster/fargate-task-definition.json")
	for _, td := range cfg.TaskDefinitions {
		if td.Family == fargate["family"] {
			assert.Equal(t, fargate["cpu"], strconv.Itoa(td.CPU))
			assert.Equal(t, fargate["memory"], strconv.Itoa(td.MemoryMiB))
		}
	}
	hello := jsonFile(t, "cluster/ecs-describe-task-definition-hello_world.json")["taskDefinition"].(map[string]any)
	i := slices.IndexFunc(cfg.TaskDefinitions, func(td ecs.TaskDefinition) bool { return td.Family == hello["family"] })
	require.GreaterOrEqual(t, i, 0)
	assert.Len(t, cfg.TaskDefinitions[i].Containers, len(hello["containerDefinitions"].([]any)))
	assert.Equal(t, "hello_world", cfg.TaskDefinitions[web.TaskDefinition].Family)

	// Scaling: bounds, target values and cooldowns in seconds as AWS wrote them.
	targets := jsonFile(t, "cluster/application-autoscaling-describe-scalable-targets.json")["ScalableTargets"].([]any)
	for _, tg := range targets {
		tg := tg.(map[string]any)
		s := service(t, sc, strings.TrimPrefix(tg["ResourceId"].(string), "service/shop/"))
		require.NotNil(t, s.AutoScaling, s.Name)
		assert.Equal(t, int(tg["MinCapacity"].(float64)), s.AutoScaling.MinCapacity)
		assert.Equal(t, int(tg["MaxCapacity"].(float64)), s.AutoScaling.MaxCapacity)
	}
	policies := jsonFile(t, "cluster/application-autoscaling-describe-scaling-policies.json")["ScalingPolicies"].([]any)
	ttc := policies[0].(map[string]any)["TargetTrackingScalingPolicyConfiguration"].(map[string]any)
	require.Len(t, web.AutoScaling.TargetTracking, 1)
	tt := web.AutoScaling.TargetTracking[0]
	assert.Equal(t, ttc["TargetValue"], tt.TargetValue)
	assert.Equal(t, time.Duration(ttc["ScaleOutCooldown"].(float64))*time.Second, tt.ScaleOutCooldown)
	assert.Equal(t, time.Duration(ttc["ScaleInCooldown"].(float64))*time.Second, tt.ScaleInCooldown)
	require.Len(t, api.AutoScaling.StepScaling, 2)
	up := api.AutoScaling.StepScaling[0]
	assert.Equal(t, 60*time.Second, up.Cooldown)
	assert.Equal(t, 75.0, up.Alarm.Threshold, "from describe-alarms")
	assert.Equal(t, 3, up.Alarm.EvaluationPeriods, "from describe-alarms")
	assert.Equal(t, 200, up.Steps[0].Adjustment)
	assert.Equal(t, time.Second, api.AutoScaling.StepScaling[1].Cooldown)
	assert.Len(t, web.AutoScaling.Scheduled, 2)

	// Capacity: the group from its mixed instances policy, the provider's managed scaling.
	require.Len(t, cfg.Groups, 1)
	g := cfg.Groups[0]
	assert.Equal(t, []int{1, 10, 2}, []int{g.MinSize, g.MaxSize, g.DesiredCapacity})
	require.Len(t, g.InstanceTypes, 2)
	assert.Equal(t, "m5a.large", g.InstanceTypes[1].Name)
	assert.Equal(t, 1, g.OnDemandBaseCapacity)
	assert.Equal(t, 50, g.OnDemandPercentageAboveBase)
	require.Len(t, cfg.CapacityProviders, 1)
	ms := cfg.CapacityProviders[0].ManagedScaling
	require.NotNil(t, ms)
	assert.Equal(t, 90, ms.TargetCapacity)
	assert.Equal(t, 300*time.Second, ms.Warmup)
	assert.True(t, cfg.CapacityProviders[0].ManagedTerminationProtection)

	// The load: the day of five-minute sums, sorted, from its first datapoint.
	require.NotNil(t, web.Load)
	assert.Equal(t, "trace", web.Load.Pattern)
	assert.Equal(t, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), cfg.Start)
	assert.Equal(t, 24*time.Hour, cfg.Duration)
	csv := strings.Split(strings.TrimSpace(string(res.Files["traces/load.csv"])), "\n")
	assert.Len(t, csv, 1+288)
	assert.True(t, slices.IsSorted(csv[1:]), "rows sorted by time")
	assert.Equal(t, "constant", api.Load.Pattern, "a scaled service without a series gets a steady load")

	// Nothing dropped in silence: configuration not modelled is a comment and a warning.
	assert.Contains(t, string(res.TOML), "# not imported: services[1].networkConfiguration (")
	assert.Contains(t, warnings(res), "ecs-describe-services.json:104: services[1].networkConfiguration: not imported")
	assert.Contains(t, warnings(res), "alarm api-cpu-lt-25 is not in the input")

	out := runShort(t, sc)
	assert.NotZero(t, out.Summary.EventsProcessed)
	require.Len(t, out.Summary.Services, 2)
}

func warnings(res *awsimport.Result) string {
	var b strings.Builder
	for _, w := range res.Warnings {
		b.WriteString(w.Error() + "\n")
	}
	return b.String()
}

func TestAWSDocumentationExamplesImportValidateAndRun(t *testing.T) {
	res, err := awsimport.Import(inputs(t, "aws-cli-examples"))
	require.NoError(t, err)
	sc := load(t, res)
	cfg := sc.Config

	require.Len(t, cfg.Services, 1)
	assert.Equal(t, "my-http-service", cfg.Services[0].Name)
	assert.Equal(t, 10, cfg.Services[0].DesiredCount)
	assert.Equal(t, "sampleCluster", cfg.Cluster.Name, "the first describe-clusters output given")
	w := warnings(res)
	// The examples do not agree with each other: each mismatch is a warning, never a silent drop.
	assert.Contains(t, w, "task definition arn:aws:ecs:us-west-2:123456789012:task-definition/amazon-ecs-sample:1 is not in the input")
	assert.Contains(t, w, "Auto Scaling group MyAutoScalingGroup is not in the input")
	assert.Contains(t, w, "a scalable target for service/default/web-app: that service is not in the input")
	assert.Contains(t, w, "a scheduled action for table/my-table (dynamodb:table:WriteCapacityUnits)")
	assert.Contains(t, w, "assumed t2.micro, the type its running instances have")
	assert.Contains(t, w, "an EC2 Auto Scaling policy on group my-asg")
	assert.Contains(t, w, "priced and zoned as us-east-1")
	assert.Contains(t, w, "capacity provider sampleCapacityProvider is attached to the cluster but not described")
	assert.Contains(t, w, "cloudwatch-get-metric-statistics.json:1: (the whole document): not imported: a second series: the first (by file name, then order) is the load trace")
	for _, u := range res.Unmapped {
		assert.Contains(t, string(res.TOML), "# not imported: "+u.Path+" (", "every unmapped field is a comment")
	}
	runShort(t, sc)
}

func TestTheOrderOfTheFilesDoesNotMatter(t *testing.T) {
	in := inputs(t, "cluster")
	a, err := awsimport.Import(in)
	require.NoError(t, err)
	slices.Reverse(in)
	b, err := awsimport.Import(in)
	require.NoError(t, err)
	body := func(r *awsimport.Result) string { _, s, _ := strings.Cut(string(r.TOML), "\n"); return s } // the first line names the files
	assert.Equal(t, body(a), body(b))
	assert.Equal(t, a.Files, b.Files)
}

func TestEachDocumentIsDetectedByItsTopLevelKey(t *testing.T) {
	for file, want := range map[string]awsimport.Kind{
		"aws-cli-examples/ecs-describe-clusters.json":                              awsimport.Clusters,
		"aws-cli-examples/ecs-describe-services.json":                              awsimport.Services,
		"aws-cli-examples/ecs-describe-task-definition.json":                       awsimport.TaskDefinition,
		"cluster/fargate-task-definition.json":                                     awsimport.TaskDefinition,
		"aws-cli-examples/ecs-describe-capacity-providers.json":                    awsimport.CapacityProviders,
		"aws-cli-examples/ecs-describe-container-instances.json":                   awsimport.ContainerInstances,
		"aws-cli-examples/autoscaling-describe-auto-scaling-groups.json":           awsimport.AutoScalingGroups,
		"aws-cli-examples/autoscaling-describe-policies.json":                      awsimport.GroupPolicies,
		"aws-cli-examples/application-autoscaling-describe-scalable-targets.json":  awsimport.ScalableTargets,
		"aws-cli-examples/application-autoscaling-describe-scaling-policies.json":  awsimport.ScalingPolicies,
		"aws-cli-examples/application-autoscaling-describe-scheduled-actions.json": awsimport.ScheduledActions,
		"cluster/cloudwatch-describe-alarms.json":                                  awsimport.MetricAlarms,
		"aws-cli-examples/cloudwatch-get-metric-data.json":                         awsimport.MetricData,
		"aws-cli-examples/cloudwatch-get-metric-statistics.json":                   awsimport.MetricStatistics,
	} {
		t.Run(file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", file))
			require.NoError(t, err)
			got, err := awsimport.Detect(file, b)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestBadInputNamesTheFileLineKeyExpectedAndFound(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"a syntax error on its line", "{\n  \"services\": [\n    {\"serviceName\": \"web\",,}\n  ]\n}\n",
			"in.json:3: want valid JSON, found invalid character ',' looking for beginning of object key string"},
		{"a document cut short", "{\n  \"services\": [\n", "in.json:3: want valid JSON, found the document ends early"},
		{"a count of the wrong type", "{\n  \"services\": [\n    {\"serviceName\": \"web\",\n     \"desiredCount\": \"ten\"}\n  ]\n}\n",
			"in.json:4: services[0].desiredCount: want a whole number (AWS writes counts and seconds as integers), found \"ten\""},
		{"a fractional cooldown", `{"ScalingPolicies": [{"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount",
 "ResourceId": "service/c/web", "PolicyType": "TargetTrackingScaling", "PolicyName": "p",
 "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 50, "ScaleOutCooldown": 1.5,
 "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}]}
{"services": []}`, "in.json:5: want one JSON document, found more after its end"},
		{"not an AWS output", `{"Reservations": [], "NextToken": "x"}`,
			"in.json:1: want an AWS CLI output with one of the top-level keys clusters, services, taskDefinition, capacityProviders, containerInstances, AutoScalingGroups, ScalableTargets, ScalingPolicies, ScheduledActions, MetricAlarms, MetricDataResults, Datapoints, found an object with keys Reservations, NextToken"},
		{"an array at the top", `[1, 2]`, "in.json:1: want an AWS CLI output with one of the top-level keys"},
		{"a key twice", "{\"services\": [{\"serviceName\": \"a\",\n \"serviceName\": \"b\"}]}", "in.json:2: serviceName: want each key once in an object, found it twice"},
		{"a timestamp AWS does not print", `{"Label": "x", "Datapoints": [{"Timestamp": "yesterday", "Sum": 1}]}`,
			"in.json:1: Datapoints[0].Timestamp: want a time as AWS prints it (2026-11-30T10:00:00Z, 2026-11-30 10:00:00), found \"yesterday\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := awsimport.Import([]awsimport.Input{{Name: "in.json", Data: []byte(tc.doc)}})
			var ps scenarios.Problems
			require.ErrorAs(t, err, &ps)
			assert.Contains(t, ps.Error(), tc.want)
		})
	}
}

func TestAFractionalCooldownIsRefused(t *testing.T) {
	doc := `{"ScalingPolicies": [{"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount",
 "ResourceId": "service/c/web", "PolicyType": "TargetTrackingScaling", "PolicyName": "p",
 "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 50, "ScaleOutCooldown": 1.5,
 "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}}]}`
	svc := `{"services": [{"serviceName": "web", "desiredCount": 1, "taskDefinition": "t:1"}]}`
	_, err := awsimport.Import([]awsimport.Input{{Name: "p.json", Data: []byte(doc)}, {Name: "s.json", Data: []byte(svc)}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "p.json:3: ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown: want a whole number (AWS writes counts and seconds as integers), found 1.5")
}

func TestGetMetricDataNewestFirstBecomesASortedTrace(t *testing.T) {
	doc := `{"MetricDataResults": [{"Id": "m1", "Label": "RequestCount",
  "Timestamps": ["2026-11-30T10:10:00+00:00", "2026-11-30 10:05:00", "2026-11-30T10:00:00.000Z"],
  "Values": [30, 20, 10], "StatusCode": "Complete"}], "Messages": []}`
	svc := `{"services": [{"serviceName": "web", "desiredCount": 2, "taskDefinition": "t:1", "launchType": "FARGATE"}]}`
	res, err := awsimport.Import([]awsimport.Input{{Name: "m.json", Data: []byte(doc)}, {Name: "s.json", Data: []byte(svc)}})
	require.NoError(t, err)
	assert.Equal(t, "timestamp,value\n2026-11-30T10:00:00Z,10\n2026-11-30T10:05:00Z,20\n2026-11-30T10:10:00Z,30\n", string(res.Files["traces/load.csv"]))
	sc := load(t, res)
	assert.Equal(t, time.Hour, sc.Config.Duration, "a trace shorter than an hour loops over one")
	assert.Contains(t, warnings(res), "task definition t:1 is not in the input")
	runShort(t, sc)
}

func TestAGroupWithoutTypesOrInstancesAssumesOneAndSaysSo(t *testing.T) {
	doc := `{"AutoScalingGroups": [{"AutoScalingGroupName": "g", "MinSize": 0, "MaxSize": 3, "DesiredCapacity": 0,
  "LaunchTemplate": {"LaunchTemplateName": "lt", "Version": "$Latest", "LaunchTemplateId": "lt-1"},
  "AvailabilityZones": ["us-east-1a"]}]}`
	res, err := awsimport.Import([]awsimport.Input{{Name: "g.json", Data: []byte(doc)}})
	require.NoError(t, err)
	assert.Contains(t, warnings(res), "g.json:1: AutoScalingGroups[0]: the instance type is in launch template lt (version $Latest), which this output does not show, and no instance runs: assumed m5.large")
	sc := load(t, res)
	assert.Equal(t, "m5.large", sc.Config.Groups[0].InstanceTypes[0].Name)
}

func TestServicesAloneStillRun(t *testing.T) {
	svc := `{"services": [{"serviceName": "web", "desiredCount": 12, "taskDefinition": "web:1"},
 {"serviceName": "spot", "desiredCount": 2, "taskDefinition": "spot:4", "schedulingStrategy": "DAEMON",
  "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}]}`
	pol := `{"ScalingPolicies": [{"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount",
 "ResourceId": "service/c/web", "PolicyType": "TargetTrackingScaling", "PolicyName": "p",
 "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 50, "CustomizedMetricSpecification":
  {"MetricName": "CPUUtilization", "Namespace": "AWS/ECS", "Statistic": "Average"}}}]}`
	res, err := awsimport.Import([]awsimport.Input{{Name: "s.json", Data: []byte(svc)}, {Name: "p.json", Data: []byte(pol)}})
	require.NoError(t, err)
	w := warnings(res)
	assert.Contains(t, w, "assumed a fixed group imported-ec2 of 2 m5.large, for their 3072 CPU units")
	assert.Contains(t, w, "service web has scaling policies but no scalable target in the input")
	assert.Contains(t, w, "s.json:2: services[1].schedulingStrategy: scheduling strategy DAEMON is not modelled")
	sc := load(t, res)
	web := service(t, sc, "web")
	assert.Equal(t, []int{12, 24}, []int{web.AutoScaling.MinCapacity, web.AutoScaling.MaxCapacity})
	assert.Equal(t, "ECSServiceAverageCPUUtilization", string(web.AutoScaling.TargetTracking[0].Metric), "a customized ECS CPU average is the predefined metric")
	assert.Equal(t, "bridge", string(sc.Config.TaskDefinitions[web.TaskDefinition].NetworkMode), "an EC2 placeholder does not use up ENIs")
	out := runShort(t, sc)
	for _, s := range out.Summary.Services {
		assert.Equal(t, s.DesiredAtEnd, s.RunningAtEnd, s.Name)
	}
}

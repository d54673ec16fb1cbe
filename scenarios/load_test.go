package scenarios

import (
	"errors"
	"github.com/fleetsim/fleetsim/sim"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func defaultSource(t testing.TB) string {
	src, err := fs.ReadFile(LibraryFS(), DefaultName+".toml")
	require.NoError(t, err)
	return string(src)
}

func parseLibrary(src string) (*Scenario, error) {
	return Parse(src, "test.toml", func(rel string) ([]byte, error) { return fs.ReadFile(LibraryFS(), rel) })
}

func problemsOf(t *testing.T, err error) Problems {
	t.Helper()
	var ps Problems
	require.True(t, errors.As(err, &ps), "want Problems, got %v", err)
	return ps
}

func TestEveryLibraryScenarioLoads(t *testing.T) {
	entries := Library()
	require.NotEmpty(t, entries)
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name)
		t.Run(e.Name, func(t *testing.T) {
			s, err := Resolve(e.Name)
			require.NoError(t, err)
			assert.Equal(t, e.Name, s.Config.Name, "file name and scenario name agree")
			assert.NotEmpty(t, e.Description)
		})
	}
	assert.Contains(t, names, DefaultName)
}

func TestDefaultScenarioResolvesFields(t *testing.T) {
	s, err := Resolve("")
	require.NoError(t, err)
	c := s.Config
	assert.Equal(t, 24*time.Hour, c.Duration)
	assert.Equal(t, uint64(42), c.Seed)
	assert.Equal(t, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), c.Start)
	require.Len(t, c.Groups, 1)
	assert.Equal(t, "m5.large", c.Groups[0].InstanceTypes[0].Name)
	assert.Equal(t, 90*time.Second, c.Groups[0].LaunchTime)
	// The etl task definition comes from AWS's JSON: string cpu/memory, stopTimeout in seconds.
	etl := c.TaskDefinitions[2]
	assert.Equal(t, "etl", etl.Family)
	assert.Equal(t, 1024, etl.CPU)
	assert.Equal(t, 2048, etl.MemoryMiB)
	assert.Equal(t, 60*time.Second, etl.StopTimeout)
	assert.Equal(t, int64(800e6), etl.Containers[0].ImageSizeBytes)
}

// The acceptance case: three independent mistakes are all reported, each with
// the file, its line and its key.
func TestThreeMistakesAreAllReportedWithLines(t *testing.T) {
	src := defaultSource(t)
	src = strings.Replace(src, "desired_count = 8", "desired_count = -3", 1)
	src = strings.Replace(src, `instance_types = ["m5.large"]`, `instance_types = ["m5.larg"]`, 1)
	src = strings.Replace(src, "min_size = 2", "min_sise = 2", 1)
	_, err := parseLibrary(src)
	ps := problemsOf(t, err)
	msg := ps.Error()
	assert.Contains(t, msg, `auto_scaling_groups.asg-main.min_sise: unknown key (did you mean "min_size"?)`)
	assert.Contains(t, msg, `auto_scaling_groups.asg-main.instance_types.0: want an EC2 instance type in the us-east-1 catalog, found "m5.larg" (did you mean m5.large`)
	assert.Contains(t, msg, "services.web.desired_count: want desired_count >= 0, found -3")
	lineOf := func(needle string) int {
		for i, l := range strings.Split(src, "\n") {
			if strings.Contains(l, needle) {
				return i + 1
			}
		}
		return -1
	}
	for _, p := range ps {
		assert.Equal(t, "test.toml", p.File)
		assert.Positive(t, p.Line, p.Error())
	}
	assert.Contains(t, msg, "test.toml:"+itoa(lineOf("min_sise"))+":")
	assert.Contains(t, msg, "test.toml:"+itoa(lineOf("desired_count = -3"))+":")
	assert.Contains(t, msg, "test.toml:"+itoa(lineOf(`"m5.larg"`))+":")
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestBadScenariosAreRejectedWithClearMessages(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(string) string
		problem string
	}{
		{"malformed TOML names the line",
			func(s string) string { return strings.Replace(s, `name = "web-and-batch"`, `name = "web-and-batch`, 1) },
			"test.toml:5:"},
		{"a value of the wrong type names its key",
			func(s string) string { return strings.Replace(s, "desired_count = 8", `desired_count = "eight"`, 1) },
			`test.toml:63: services.web.desired_count: want an integer, found "eight", a string`},
		{"an undefined task definition suggests the nearest",
			func(s string) string {
				return strings.Replace(s, `task_definition = "web"`, `task_definition = "wbe"`, 1)
			},
			`services.web.task_definition: want the family of one of task_definitions, found "wbe" (did you mean "web"?)`},
		{"a task larger than every instance type it may use",
			func(s string) string {
				return strings.Replace(s, "memory = 1024\n  port_mappings", "memory = 9000\n  port_mappings", 1)
			},
			`services.web.task_definition: want a task that fits an instance type it may use (largest: m5.large with 2048 CPU units, 7985 MiB registered), found task "web" needing 512 CPU units, 9000 MiB`},
		{"an invalid Fargate size names the valid ones",
			func(s string) string {
				return strings.Replace(s, "cpu = 512\nmemory = 1024\n  [[task_definitions.container_definitions]]\n  name = \"api\"", "cpu = 512\nmemory = 512\n  [[task_definitions.container_definitions]]\n  name = \"api\"", 1)
			},
			"Fargate task with cpu 512 accepts memory 1024 to 4096 in steps of 1024 MiB, not 512"},
		{"an unknown capacity provider",
			func(s string) string {
				return strings.Replace(s, `capacity_provider = "ec2-main"`, `capacity_provider = "ec2-mian"`, 1)
			},
			`want FARGATE, FARGATE_SPOT or one of capacity_providers, found "ec2-mian"`},
		{"a strategy with two bases",
			func(s string) string {
				return strings.Replace(s, `capacity_provider = "FARGATE_SPOT", weight = 1`, `capacity_provider = "FARGATE_SPOT", base = 1, weight = 1`, 1)
			},
			"want a base on at most one capacity provider, found 2 bases"},
		{"min_size above max_size",
			func(s string) string { return strings.Replace(s, "max_size = 20", "max_size = 1", 1) },
			"auto_scaling_groups.asg-main.max_size: want max_size >= min_size (2), found 1"},
		{"a capacity provider naming a missing group",
			func(s string) string {
				return strings.Replace(s, `auto_scaling_group = "asg-main"`, `auto_scaling_group = "asg-other"`, 1)
			},
			`capacity_providers.ec2-main.auto_scaling_group: want the name of one of auto_scaling_groups, found "asg-other"`},
		{"a bad duration",
			func(s string) string { return strings.Replace(s, `duration = "24h"`, `duration = "one day"`, 1) },
			`want a duration such as "90s", "5m", "168h" or "7d", found "one day"`},
		{"an unknown key inside an inline table",
			func(s string) string { return strings.Replace(s, "rate_per_hour = 20", "rate_per_our = 20", 1) },
			`batch_jobs.etl.arrivals.rate_per_our: unknown key (did you mean "rate_per_hour"?)`},
		{"a missing task definition file",
			func(s string) string { return strings.Replace(s, "taskdefs/etl.json", "taskdefs/nope.json", 1) },
			`task_definitions.etl.file: want a readable task definition JSON file, found "taskdefs/nope.json"`},
		{"an Availability Zone the region does not have",
			func(s string) string { return strings.Replace(s, `"us-east-1c"]`, `"us-east-1q"]`, 1) },
			`cluster.availability_zones.2: want an Availability Zone of us-east-1, us-east-1a to us-east-1f, found "us-east-1q"`},
		{"a bad placement strategy field",
			func(s string) string { return strings.Replace(s, `field = "memory"`, `field = "disk"`, 1) },
			`services.web.placement_strategy.1.field: want "cpu" or "memory" for binpack, found "disk"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.edit(defaultSource(t))
			require.NotEqual(t, defaultSource(t), src, "the edit applied")
			s, err := parseLibrary(src)
			assert.Nil(t, s)
			require.Error(t, err)
			assert.Contains(t, problemsOf(t, err).Error(), tc.problem)
		})
	}
}

func TestJSONTaskDefinitionErrorsNameTheFileAndLine(t *testing.T) {
	src := `name = "x"
duration = "1h"
[cluster]
availability_zones = ["us-east-1a"]
[[task_definitions]]
family = "etl"
file = "bad.json"
`
	_, err := Parse(src, "x.toml", func(string) ([]byte, error) { return []byte("{\n  \"family\": \"etl\",\n  \"cpu\": true\n}"), nil })
	assert.Contains(t, problemsOf(t, err).Error(), `bad.json:3: cpu: want a number, "1 vCPU" or "2 GB", found true, a boolean (the file of task_definitions.etl.file, x.toml:7)`)
}

func TestUnknownLibraryNameSuggestsTheNearest(t *testing.T) {
	_, err := Resolve("web-and-btach")
	assert.Contains(t, problemsOf(t, err).Error(), "did you mean web-and-batch?")
}

func TestMissingFileIsAProblem(t *testing.T) {
	_, err := Resolve("does/not/exist.toml")
	assert.Contains(t, problemsOf(t, err).Error(), "does/not/exist.toml: cannot read")
}

func FuzzLoad(f *testing.F) {
	for _, e := range Library() {
		src, err := fs.ReadFile(LibraryFS(), e.Name+".toml")
		require.NoError(f, err)
		f.Add(string(src))
	}
	f.Add("name = \"x\"\nduration = \"1h\"\n[[services]]\nname = \"a\"\ntask_definition = \"a:2\"\n")
	// An [eks] cluster over the library's manifests: node groups, a taint,
	// a budget, a Job's keys and a timeline entry.
	f.Add(`name = "e"
duration = "2h"
[eks]
zones = ["us-east-1a", "us-east-1b"]
manifests = ["manifests/eks-web.yaml", "manifests/eks-nightly.yaml"]
[[eks.node_group]]
name = "a"
instance_types = ["m5.large"]
min_size = 1
max_size = 3
labels = { workload = "web" }
[[eks.node_group]]
name = "b"
instance_types = ["c5.2xlarge"]
capacity_type = "SPOT"
max_size = 2
labels = { workload = "batch" }
taints = ["lifecycle=spot:NoSchedule"]
[[eks.priority_class]]
name = "web-critical"
value = 10
[[eks.priority_class]]
name = "batch-low"
value = 1
[[eks.job]]
name = "nightly-report"
run_time = "5m"
[[eks.pod_disruption_budget]]
name = "web"
selector = { match_labels = { app = "web" } }
max_unavailable = 1
[[eks.timeline]]
at = "30m"
action = "scale_deployment"
deployment = "web"
replicas = 2
`)
	f.Fuzz(func(t *testing.T, src string) {
		s, err := parseLibrary(src)
		if err == nil {
			require.NotNil(t, s.Config)
			simulateBriefly(t, s.Config)
			return
		}
		var ps Problems
		require.True(t, errors.As(err, &ps))
		for _, p := range ps {
			require.NotEmpty(t, p.Error())
		}
	})
}

func TestABadClusterQueryExpressionNamesItsColumn(t *testing.T) {
	src := strings.Replace(defaultSource(t), `placement_strategy = [`, `placement_constraints = [{ type = "memberOf", expression = "attribute:ecs.instance-type =~ m5.* and" }]
placement_strategy = [`, 1)
	_, err := parseLibrary(src)
	require.Error(t, err)
	assert.Contains(t, problemsOf(t, err).Error(), `services.web.placement_constraints.0.expression: want a cluster query expression, found "attribute:ecs.instance-type =~ m5.* and": column`)
}

// fuzzRunFor is how much of an accepted fuzzed scenario is simulated: enough
// for launches, registrations, placements, the first scaling decisions and
// early timeline entries.
const fuzzRunFor = 20 * time.Minute

// simulateBriefly runs an accepted scenario for fuzzRunFor: validate's
// acceptance is a promise that the run works, so a panic or an invariant
// breach here is a bug. (validate once accepted field = "attribute:" and the
// run panicked: FuzzLoad only validated then.) Scenarios beyond a
// fuzzing-sized budget are skipped, not run: bounds on what a run may ask
// for are the validator's business.
func simulateBriefly(t *testing.T, cfg *sim.Config) {
	t.Helper()
	if !fuzzSized(cfg) {
		return
	}
	short := *cfg
	short.Duration = min(cfg.Duration, fuzzRunFor)
	res, err := sim.New(&short).Run()
	require.NoError(t, err)
	require.NotNil(t, res)
}

// fuzzSized reports whether a scenario is small enough to simulate inside a
// fuzzing run: a few thousand tasks and instances at most.
func fuzzSized(cfg *sim.Config) bool {
	tasks := 0
	for _, s := range cfg.Services {
		tasks += s.DesiredCount
		if s.AutoScaling != nil {
			tasks += s.AutoScaling.MaxCapacity
		}
	}
	instances := 0
	for _, g := range cfg.Groups {
		instances += g.MaxSize
	}
	for _, j := range cfg.BatchJobs {
		a := j.Arrivals
		if a.RatePerHour > 5000 || a.PerFiring > 1000 || len(a.Tasks) > 5000 || (a.Pattern == "pattern" && a.Max == 0) {
			return false
		}
	}
	if e := cfg.EKS; e != nil {
		for _, d := range e.Deployments {
			tasks += d.Replicas
		}
		for _, j := range e.Jobs {
			tasks += j.Parallelism
		}
		for _, t := range e.Timeline {
			tasks += t.Replicas
		}
		tasks += len(e.Pods) + len(e.DaemonSets)*instances
	}
	return tasks <= 5000 && instances <= 2000 && len(cfg.Services) <= 50
}

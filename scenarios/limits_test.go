package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallBase is a valid scenario of one service on one group, for the
// limit tests to vary.
const smallBase = `name = "limits"
duration = "1h"
[cluster]
availability_zones = ["us-east-1a", "us-east-1b"]

[[auto_scaling_groups]]
name = "asg"
instance_types = ["m5.large"]
min_size = 1
max_size = 2

[[capacity_providers]]
name = "cp"
auto_scaling_group = "asg"

[[task_definitions]]
family = "web"
  [[task_definitions.container_definitions]]
  name = "web"
  image = "nginx:1.27"
  cpu = 256
  memory = 512

[[services]]
name = "web"
task_definition = "web"
desired_count = 2
capacity_provider_strategy = [{ capacity_provider = "cp", weight = 1 }]
`

// batchJob is a batch job on the small base's group, with arrivals and a
// duration.
func batchJob(arrivals, duration string) string {
	return `
[[batch_jobs]]
name = "etl"
task_definition = "web"
capacity_provider_strategy = [{ capacity_provider = "cp", weight = 1 }]
arrivals = ` + arrivals + `
duration = ` + duration + "\n"
}

// parseSmall parses src (the small base, edited) with files for the paths
// it refers to.
func parseSmall(src string, files map[string]string) (*Scenario, Problems) {
	s, err := Parse(src, "limits.toml", func(rel string) ([]byte, error) {
		if f, ok := files[rel]; ok {
			return []byte(f), nil
		}
		return nil, fmt.Errorf("no such file")
	})
	if err != nil {
		return nil, err.(Problems)
	}
	return s, nil
}

// keyed returns the problems (or warnings) that name key.
func keyed(ps Problems, key string) Problems {
	var out Problems
	for _, p := range ps {
		if p.Key == key {
			out = append(out, p)
		}
	}
	return out
}

func replaceOnce(t *testing.T, src, old, new string) string {
	t.Helper()
	require.Contains(t, src, old)
	return strings.Replace(src, old, new, 1)
}

func TestTheSmallBaseIsValid(t *testing.T) {
	s, ps := parseSmall(smallBase, nil)
	require.Empty(t, ps)
	assert.Empty(t, s.Warnings)
}

// limitCase is one limit at its edge and one past it: the edge draws no
// problem or warning naming key, one past draws a problem (or, for an
// adjustable quota, a warning) that names it and says want.
type limitCase struct {
	name                 string
	edge, past           string // the scenario at the edge and one past
	key, want            string
	warn                 bool              // an adjustable quota: a warning, the run goes ahead
	edgeFiles, pastFiles map[string]string // files the scenario refers to
	othersAtTheEdge      bool              // the edge may have problems of other keys (a run the estimate refuses)
}

// The limits docs/semantics.md lists ("Limits"), each pinned at its edge
// and one past it.
func TestLimitsHoldAtTheEdgeAndRefuseOnePast(t *testing.T) {
	svc := func(n string) string { return replaceOnce(t, smallBase, "desired_count = 2", n) }
	container := func(i int) string {
		return fmt.Sprintf("  [[task_definitions.container_definitions]]\n  name = \"c%d\"\n  image = \"app:1\"\n  cpu = 16\n  memory = 32\n", i)
	}
	containers := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(container(i))
		}
		return replaceOnce(t, smallBase, "  [[task_definitions.container_definitions]]\n  name = \"web\"\n  image = \"nginx:1.27\"\n  cpu = 256\n  memory = 512\n", b.String())
	}
	providers := func(n int) string {
		var b strings.Builder
		b.WriteString(smallBase)
		for i := range n - 1 {
			fmt.Fprintf(&b, "\n[[auto_scaling_groups]]\nname = \"g%d\"\ninstance_types = [\"m5.large\"]\nmax_size = 1\n\n[[capacity_providers]]\nname = \"p%d\"\nauto_scaling_group = \"g%d\"\n", i, i, i)
		}
		return b.String()
	}
	groups := func(n int) string {
		var b strings.Builder
		b.WriteString(smallBase)
		for i := range n - 1 {
			fmt.Fprintf(&b, "\n[[auto_scaling_groups]]\nname = \"g%d\"\ninstance_types = [\"m5.large\"]\nmax_size = 0\n", i)
		}
		return b.String()
	}
	scaled := "\n  [services.load]\n  pattern = \"constant\"\n  base_rps = 10\n  cpu_seconds_per_request = 0.01\n  [services.auto_scaling]\n  min_capacity = 1\n  max_capacity = 4\n"
	policies := func(n int) string {
		var b strings.Builder
		b.WriteString(smallBase + scaled)
		for i := range n {
			fmt.Fprintf(&b, "  [[services.auto_scaling.target_tracking]]\n  name = \"p%d\"\n  predefined_metric = \"ECSServiceAverageCPUUtilization\"\n  target_value = 60\n", i)
		}
		return b.String()
	}
	actions := func(n int) string {
		var b strings.Builder
		b.WriteString(smallBase + scaled)
		for i := range n {
			fmt.Fprintf(&b, "  [[services.auto_scaling.scheduled_actions]]\n  name = \"a%d\"\n  schedule = \"cron(0 8 * * ? *)\"\n  min_capacity = 2\n", i)
		}
		return b.String()
	}
	steps := func(n int) string {
		var items []string
		for i := range n {
			items = append(items, fmt.Sprintf("{ metric_interval_lower_bound = %d.0, metric_interval_upper_bound = %d.0, scaling_adjustment = 1 }", i, i+1))
		}
		items[n-1] = fmt.Sprintf("{ metric_interval_lower_bound = %d.0, scaling_adjustment = 1 }", n-1)
		return smallBase + scaled + "  [[services.auto_scaling.step_scaling]]\n  metric = \"ECSServiceAverageCPUUtilization\"\n  comparison = \"GreaterThanThreshold\"\n  threshold = 70.0\n  step_adjustments = [" + strings.Join(items, ", ") + "]\n"
	}
	copies := func(n int) string { return svc(fmt.Sprintf("desired_count = 1\ncopies = %d", n)) }
	scaledCopies := func(n int) string { return svc(fmt.Sprintf("desired_count = 1\ncopies = %d", n)) + scaled }
	types := func(n int) string {
		return replaceOnce(t, smallBase, `instance_types = ["m5.large"]`, "instance_types = ["+strings.Repeat(`"m5.large", `, n-1)+`"m5.large"]`)
	}
	attributes := func(n int) string {
		var kv []string
		for i := range n {
			kv = append(kv, fmt.Sprintf("a%d = \"v\"", i))
		}
		return replaceOnce(t, smallBase, "max_size = 2\n", "max_size = 2\nattributes = { "+strings.Join(kv, ", ")+" }\n")
	}
	taskDefFile := func() string {
		return replaceOnce(t, smallBase, "family = \"web\"\n  [[task_definitions.container_definitions]]\n  name = \"web\"\n  image = \"nginx:1.27\"\n  cpu = 256\n  memory = 512\n",
			"family = \"web\"\nfile = \"web.json\"\n")
	}
	jsonOfSize := func(n int) map[string]string {
		head := `{"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "cpu": 256, "memory": 512}], "pad": "`
		return map[string]string{"web.json": head + strings.Repeat("x", n-len(head)-2) + `"}`}
	}
	tests := []limitCase{
		{name: "tasks per service: 5000 is AWS's default quota, 5001 warns",
			edge: svc("desired_count = 5000"), past: svc("desired_count = 5001"), key: "services.web.desired_count", want: `"Tasks per service" (5000)`, warn: true},
		{name: "tasks per service: a raised quota is the account's",
			edge: svc("desired_count = 6000") + "\n[quotas]\ntasks_per_service = 6000\n", past: svc("desired_count = 6001") + "\n[quotas]\ntasks_per_service = 6000\n",
			key: "services.web.desired_count", want: `"Tasks per service" (6000)`, warn: true},
		{name: "services per cluster: the quota (copies count), one more warns",
			edge: copies(1000) + "\n[quotas]\nservices_per_cluster = 1000\n", past: copies(1000) + "\n[quotas]\nservices_per_cluster = 999\n",
			key: "services", want: `"Services per cluster" (999)`, warn: true},
		{name: "container instances per cluster: 5000 is the default, 5001 warns",
			edge: replaceOnce(t, smallBase, "max_size = 2", "max_size = 5000"), past: replaceOnce(t, smallBase, "max_size = 2", "max_size = 5001"),
			key: "auto_scaling_groups", want: `"Container instances per cluster" (5000)`, warn: true},
		{name: "Auto Scaling groups per region: 500, 501 warns",
			edge: groups(500), past: groups(501), key: "auto_scaling_groups", want: `"Auto Scaling groups per region" (500)`, warn: true},
		{name: "ECS scalable targets: 3000 services with auto scaling, 3001 warns",
			edge: scaledCopies(1000) + "\n[quotas]\necs_scalable_targets = 1000\nservices_per_cluster = 1001\n",
			past: scaledCopies(1000) + "\n[quotas]\necs_scalable_targets = 999\nservices_per_cluster = 1001\n",
			key:  "services", want: `"Scalable targets per resource type (Amazon ECS)"`, warn: true},
		{name: "step adjustments per policy: 20, 21 warns",
			edge: steps(20), past: steps(21), key: "services.web.auto_scaling.step_scaling.0.step_adjustments", want: `"Step adjustments per step scaling policy" (20)`, warn: true},
		{name: "containers per task definition: 10, 11 is refused",
			edge: containers(10), past: containers(11), key: "task_definitions.web.container_definitions", want: "at most 10 entries (AWS: containers per task definition)"},
		{name: "capacity providers per cluster: 20, 21 is refused",
			edge: providers(20), past: providers(21), key: "capacity_providers", want: "at most 20 entries (AWS: capacity providers per cluster)"},
		{name: "revisions per family: 1000000, 1000001 is refused",
			edge: replaceOnce(t, smallBase, "family = \"web\"\n", "family = \"web\"\nrevision = 1000000\n"),
			past: replaceOnce(t, smallBase, "family = \"web\"\n", "family = \"web\"\nrevision = 1000001\n"),
			key:  "task_definitions.web.revision",
			want: "at most 1000000 (AWS: revisions per task definition family)"},
		{name: "task definition size: 64 KiB, one byte more is refused",
			edge: taskDefFile(), past: taskDefFile(), edgeFiles: jsonOfSize(64 << 10), pastFiles: jsonOfSize(64<<10 + 1),
			key: "task_definitions.web.file", want: "at most 64 KiB"},
		{name: "scaling policies per scalable target: 50, 51 is refused",
			edge: policies(50), past: policies(51), key: "services.web.auto_scaling.target_tracking", want: "at most 50 entries (AWS: scaling policies per scalable target)"},
		{name: "scheduled actions per scalable target: 200, 201 is refused",
			edge: actions(200), past: actions(201), key: "services.web.auto_scaling.scheduled_actions", want: "at most 200 entries (AWS: scheduled actions per scalable target)"},
		{name: "instance types per group: 40, 41 is refused",
			edge: types(40), past: types(41), key: "auto_scaling_groups.asg.instance_types", want: "at most 40 entries"},
		{name: "custom attributes per instance: 10, 11 is refused",
			edge: attributes(10), past: attributes(11), key: "auto_scaling_groups.asg.attributes", want: "at most 10 entries"},
		{name: "container memory: 6 MiB, 5 is refused",
			edge: replaceOnce(t, smallBase, "memory = 512", "memory = 6"), past: replaceOnce(t, smallBase, "memory = 512", "memory = 5"),
			key: "task_definitions.web.container_definitions.0.memory", want: "at least 6 MiB"},
		{name: "task cpu on EC2: 128 units, 127 is refused",
			edge: replaceOnce(t, smallBase, "family = \"web\"\n", "family = \"web\"\ncpu = 128\n"), past: replaceOnce(t, smallBase, "family = \"web\"\n", "family = \"web\"\ncpu = 127\n"),
			key: "task_definitions.web.cpu", want: "at least 128 units"},
		{name: "desired count: 1000000 (fleetsim's bound), 1000001 is refused",
			edge: svc("desired_count = 1000000") + "\n[quotas]\ntasks_per_service = 1000000\n", past: svc("desired_count = 1000001"),
			key: "services.web.desired_count", want: "at most 1000000 (fleetsim's bound)", othersAtTheEdge: true},
		{name: "copies: 1000, 1001 is refused",
			edge: copies(1000), past: copies(1001), key: "services.web.copies", want: "copies from 1 to 1000"},
		{name: "Poisson arrivals: 1000000 an hour, more is refused",
			edge: smallBase + batchJob(`{ pattern = "poisson", rate_per_hour = 1e6 }`, `{ distribution = "fixed", value = "1m" }`) + "\n[report]\ntask_events = false\n",
			past: smallBase + batchJob(`{ pattern = "poisson", rate_per_hour = 1.000001e6 }`, `{ distribution = "fixed", value = "1m" }`),
			key:  "batch_jobs.etl.arrivals.rate_per_hour", want: "at most 1000000 (fleetsim's bound)"},
		{name: "tasks per cron firing: 10000, 10001 is refused",
			edge: smallBase + batchJob(`{ pattern = "cron", schedule = "cron(0 0 * * ? *)", tasks_per_firing = 10000 }`, `{ distribution = "fixed", value = "1m" }`),
			past: smallBase + batchJob(`{ pattern = "cron", schedule = "cron(0 0 * * ? *)", tasks_per_firing = 10001 }`, `{ distribution = "fixed", value = "1m" }`),
			key:  "batch_jobs.etl.arrivals.tasks_per_firing", want: "at most 10000"},
		{name: "task failures: 60 a task-hour, more is refused",
			edge: svc("desired_count = 2\ntask_failures_per_task_hour = 60.0"), past: svc("desired_count = 2\ntask_failures_per_task_hour = 60.5"),
			key: "services.web.task_failures_per_task_hour", want: "at most 60"},
		{name: "lognormal sigma: at least 0.001, smaller is refused",
			edge: smallBase + batchJob(`{ pattern = "poisson", rate_per_hour = 10 }`, `{ distribution = "lognormal", median = "5m", sigma = 1e-3 }`),
			past: smallBase + batchJob(`{ pattern = "poisson", rate_per_hour = 10 }`, `{ distribution = "lognormal", median = "5m", sigma = 9e-4 }`),
			key:  "batch_jobs.etl.duration.sigma", want: "0 or at least 1e-3"},
		{name: "duration: 8784h, a second more is refused",
			edge: replaceOnce(t, smallBase, `duration = "1h"`, `duration = "8784h"`), past: replaceOnce(t, smallBase, `duration = "1h"`, `duration = "8784h0m1s"`),
			key: "duration", want: `at most a year ("8784h")`},
		{name: "start: from 1970-01-01T00:00:00Z, a second earlier is refused",
			edge: replaceOnce(t, smallBase, "duration = \"1h\"\n", "duration = \"1h\"\nstart = 1970-01-01T00:00:00Z\n"),
			past: replaceOnce(t, smallBase, "duration = \"1h\"\n", "duration = \"1h\"\nstart = 1969-12-31T23:59:59Z\n"),
			key:  "start", want: "a date-time from 1970-01-01T00:00:00Z"},
		{name: "start: to 2199-12-31T23:59:59Z, a second later is refused",
			edge: replaceOnce(t, smallBase, "duration = \"1h\"\n", "duration = \"1h\"\nstart = 2199-12-31T23:59:59Z\n"),
			past: replaceOnce(t, smallBase, "duration = \"1h\"\n", "duration = \"1h\"\nstart = 2200-01-01T00:00:00Z\n"),
			key:  "start", want: "to 2199-12-31T23:59:59Z"},
		{name: "a string: 4096 bytes, 4097 is refused",
			edge: replaceOnce(t, smallBase, "duration = \"1h\"\n", "duration = \"1h\"\ndescription = \""+strings.Repeat("d", 4096)+"\"\n"),
			past: replaceOnce(t, smallBase, "duration = \"1h\"\n", "duration = \"1h\"\ndescription = \""+strings.Repeat("d", 4097)+"\"\n"),
			key:  "description", want: "a string of at most 4096 bytes"},
		{name: "run memory: 8 GiB estimated by default, more is refused",
			edge: svc("desired_count = 2"), past: svc("desired_count = 5000\ncopies = 1000"),
			key: "duration", want: "a run that fits in 8.0 GiB of memory (settings.max_run_memory)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ps := parseSmall(tc.edge, tc.edgeFiles)
			if !tc.othersAtTheEdge {
				require.Empty(t, ps, "the edge is accepted")
				assert.Empty(t, keyed(s.Warnings, tc.key), "no warning at the edge")
			} else {
				assert.Empty(t, keyed(ps, tc.key), "no problem of the key at the edge")
			}
			s, ps = parseSmall(tc.past, tc.pastFiles)
			got := ps
			if tc.warn {
				require.Empty(t, ps, "a quota passed is a warning: the run goes ahead")
				got = s.Warnings
			}
			named := keyed(got, tc.key)
			require.NotEmpty(t, named, "one past the limit names %s: %v", tc.key, got)
			assert.Contains(t, named[0].Error(), tc.want)
		})
	}
}

// Every count, rate, size and duration of the schema carries its bound:
// a max tag, read by checkValues (values.go). A key added without one fails
// here.
func TestEveryNumericKeyHasABound(t *testing.T) {
	numeric := func(t reflect.Type) bool {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Int, reflect.Int64, reflect.Float64:
			return true
		}
		return t == durationType || t == byteSizeType || t == bandwidthType
	}
	var missing []string
	var walk func(t reflect.Type, path string, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, path string, seen map[reflect.Type]bool) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] || t == durationType || t == byteSizeType || t == bandwidthType || t == dateTimeType {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			name := tagName(f, "toml")
			if name == "" {
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
				ft = ft.Elem()
			}
			if numeric(ft) && f.Tag.Get("max") == "" {
				missing = append(missing, path+name)
			}
			walk(f.Type, path+name+".", seen)
		}
	}
	walk(reflect.TypeFor[fileSchema](), "", map[reflect.Type]bool{})
	assert.Empty(t, missing, "numeric keys without a max tag")
}

// A value of the wrong type is one problem with its indexed key, in the
// problem form, and decoding goes on: every other problem of the file is
// there too.
func TestTypeErrorsAreEachReportedWithTheirKeyAndTheRestStillChecked(t *testing.T) {
	src := replaceOnce(t, smallBase, "desired_count = 2", `desired_count = "two"`)
	src = replaceOnce(t, src, "max_size = 2", "max_size = true")
	src = replaceOnce(t, src, `instance_types = ["m5.large"]`, `instance_types = ["m5.large", 7]`)
	src = replaceOnce(t, src, "memory = 512", "memory = 512\n  memroy = 1")
	src = replaceOnce(t, src, `duration = "1h"`, `duration = 60`)
	_, ps := parseSmall(src, nil)
	msg := ps.Error()
	assert.Contains(t, msg, `limits.toml:28: services.web.desired_count: want an integer, found "two", a string`)
	assert.Contains(t, msg, "limits.toml:10: auto_scaling_groups.asg.max_size: want an integer, found true, a boolean")
	assert.Contains(t, msg, "limits.toml:8: auto_scaling_groups.asg.instance_types.1: want a string, found 7, an integer")
	assert.Contains(t, msg, `task_definitions.web.container_definitions.0.memroy: unknown key (did you mean "memory"?)`)
	assert.Contains(t, msg, `limits.toml:2: duration: want a duration such as "90s", "5m", "168h" or "7d", found 60, an integer`)
	assert.Len(t, ps, 5, "one problem each, no consequences: %v", ps)
}

func TestTypeErrorsOfAListEntryWithoutANameUseItsIndex(t *testing.T) {
	src := replaceOnce(t, smallBase, `name = "web"`+"\ntask_definition", `name = 5`+"\ntask_definition")
	_, ps := parseSmall(src, nil)
	assert.Contains(t, ps.Error(), "services.0.name: want a string, found 5, an integer")
}

// A task definition from JSON: its problems name the JSON file, its line
// and AWS's camelCase field, with the scenario key that read it.
func TestJSONTaskDefinitionProblemsNameTheFileLineAndField(t *testing.T) {
	src := replaceOnce(t, smallBase, "family = \"web\"\n  [[task_definitions.container_definitions]]\n  name = \"web\"\n  image = \"nginx:1.27\"\n  cpu = 256\n  memory = 512\n",
		"family = \"web\"\nfile = \"defs/web.json\"\n")
	tests := []struct {
		name, json, problem string
	}{
		{"a type error", "{\n  \"family\": \"web\",\n  \"containerDefinitions\": [\n    {\"name\": \"web\", \"image\": \"a:1\",\n     \"memory\": \"lots\"}\n  ]\n}",
			`defs/web.json:5: containerDefinitions.0.memory: want a number, "1 vCPU" or "2 GB", found "lots" (the file of task_definitions.web.file, limits.toml:18)`},
		{"a rule broken", "{\n  \"family\": \"web\",\n  \"containerDefinitions\": [\n    {\"name\": \"web\", \"image\": \"a:1\", \"memory\": 4}\n  ]\n}",
			"defs/web.json:4: containerDefinitions.0.memory: want at least 6 MiB (Docker reserves 6 MiB for a container), found 4"},
		{"a second container of the same name", "{\n  \"family\": \"web\",\n  \"containerDefinitions\": [\n    {\"name\": \"web\", \"image\": \"a:1\", \"memory\": 64},\n    {\"name\": \"web\", \"image\": \"b:1\", \"memory\": 64}\n  ]\n}",
			"defs/web.json:5: containerDefinitions.1.name: want a container name not used by another container of the task (container 0)"},
		{"a network mode", "{\n  \"family\": \"web\",\n  \"networkMode\": \"nat\",\n  \"containerDefinitions\": [{\"name\": \"web\", \"image\": \"a:1\", \"memory\": 64}]\n}",
			`defs/web.json:3: networkMode: want "awsvpc", "bridge", "host" or "none", found "nat"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := parseSmall(src, map[string]string{"defs/web.json": tc.json})
			require.Len(t, ps, 1, "%v", ps)
			assert.Equal(t, tc.problem, ps[0].Error()[:min(len(ps[0].Error()), len(tc.problem))])
		})
	}
}

// A task definition file that cannot be read is the one problem of its
// entry: no "no containers" or "does not fit" follows from an empty
// definition, and the cause reads first.
func TestAnUnreadableTaskDefinitionIsItsEntrysOnlyProblem(t *testing.T) {
	src := replaceOnce(t, smallBase, "family = \"web\"\n  [[task_definitions.container_definitions]]\n  name = \"web\"\n  image = \"nginx:1.27\"\n  cpu = 256\n  memory = 512\n",
		"family = \"web\"\nfile = \"web.json\"\n")
	tests := []struct {
		name, rel, json, problem string
	}{
		// ".." and absolute paths are read (taskdef_aws_test.go); only a
		// library scenario must stay inside the library.
		{"a path out of the folder, missing", "../web.json", "", `task_definitions.web.file: want a readable task definition JSON file, found "../web.json": no such file`},
		{"a missing file", "missing.json", "", `task_definitions.web.file: want a readable task definition JSON file, found "missing.json": no such file`},
		{"malformed JSON", "web.json", "{\n  \"family\": \"web\",\n", "task_definitions.web.file: want task definition JSON"},
		{"an array, not an object", "web.json", "[1]", "task_definitions.web.file: want a task definition JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := replaceOnce(t, src, `file = "web.json"`, `file = "`+tc.rel+`"`)
			_, ps := parseSmall(s, map[string]string{"web.json": tc.json})
			require.Len(t, ps, 1, "the cause alone: %v", ps)
			assert.Contains(t, ps[0].Error(), tc.problem)
		})
	}
}

func TestJSONLinesMapsEachKeyPathToItsLine(t *testing.T) {
	doc := "{\n  \"family\": \"web\",\n  \"containerDefinitions\": [\n    {\n      \"name\": \"a\",\n      \"portMappings\": [{\"containerPort\": 80}]\n    },\n    {\"name\": \"b\"}\n  ],\n  \"cpu\": \"256\"\n}"
	want := map[string]int{"family": 2, "containerDefinitions": 3, "containerDefinitions.0": 4, "containerDefinitions.0.name": 5,
		"containerDefinitions.0.portMappings": 6, "containerDefinitions.0.portMappings.0": 6, "containerDefinitions.0.portMappings.0.containerPort": 6,
		"containerDefinitions.1": 8, "containerDefinitions.1.name": 8, "cpu": 10}
	assert.Equal(t, want, jsonLines([]byte(doc)))
}

// AWS's name rules, each kind's, at its edges.
func TestNamesFollowAWSsRules(t *testing.T) {
	tests := []struct {
		name string
		rule nameRule
		in   string
		ok   bool
	}{
		{"a service name of 255 letters", resourceName, strings.Repeat("a", 255), true},
		{"a service name of 256 letters", resourceName, strings.Repeat("a", 256), false},
		{"a service name with a dot", resourceName, "web.v2", false},
		{"a service name with an accent", resourceName, "wéb", false},
		{"a service name with a zero-width space", resourceName, "web\u200b", false},
		{"a group name with punctuation", groupName, "asg/main-1!", true},
		{"a group name with a colon", groupName, "asg:main", false},
		{"a group name with a space", groupName, "asg main", false},
		{"a scheduled action name with a space inside", scheduledName, "scale up", true},
		{"a scheduled action name with a slash", scheduledName, "scale/up", false},
		{"a scheduled action name ending in a space", scheduledName, "up ", false},
		{"a policy name with a newline", policyName, "cpu\npolicy", false},
		{"a target group name of 32", targetGroupName, strings.Repeat("t", 32), true},
		{"a target group name of 33", targetGroupName, strings.Repeat("t", 33), false},
		{"a target group name ending in a hyphen", targetGroupName, "web-", false},
		{"an image with a registry, tag and digest", imageName, "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:abc", true},
		{"an image with a space", imageName, "web latest", false},
		{"an attribute value with a space inside", attributeValue, "team a", true},
		{"an attribute value starting with a space", attributeValue, " a", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.ok, tc.rule.ok(tc.in))
		})
	}
}

// Checks that have no bound of their own: each a problem naming its key.
func TestAWSRulesBeyondBoundsAreProblemsNamingTheirKey(t *testing.T) {
	scaled := "\n  [services.load]\n  pattern = \"constant\"\n  base_rps = 10\n  cpu_seconds_per_request = 0.01\n  [services.auto_scaling]\n  min_capacity = 1\n  max_capacity = 4\n"
	scheduled := scaled + "  [[services.auto_scaling.scheduled_actions]]\n"
	tests := []struct {
		name, src, key, want string
		files                map[string]string
	}{
		{"rate(5 minute) needs the plural", smallBase + scheduled + "  schedule = \"rate(5 minute)\"\n  min_capacity = 2\n",
			"services.web.auto_scaling.scheduled_actions.0.schedule", "the plural unit for a rate above 1 (rate(5 minutes))", nil},
		{"rate(1 hours) needs the singular", smallBase + scheduled + "  schedule = \"rate(1 hours)\"\n  min_capacity = 2\n",
			"services.web.auto_scaling.scheduled_actions.0.schedule", "the singular unit for a rate of 1 (rate(1 hour))", nil},
		{"an end before the start", smallBase + scheduled + "  schedule = \"rate(1 hour)\"\n  min_capacity = 2\n  start_time = 2026-01-06T00:00:00Z\n  end_time = 2026-01-05T00:00:00Z\n",
			"services.web.auto_scaling.scheduled_actions.0.end_time", "an end after start_time (2026-01-06T00:00:00Z)", nil},
		{"two scheduled actions of one name", smallBase + scheduled + "  name = \"up\"\n  schedule = \"cron(0 8 * * ? *)\"\n  min_capacity = 2\n" +
			"  [[services.auto_scaling.scheduled_actions]]\n  name = \"up\"\n  schedule = \"cron(0 9 * * ? *)\"\n  min_capacity = 3\n",
			"services.web.auto_scaling.scheduled_actions.1.name", "a scheduled action name not used by another of the service (scheduled_actions.0)", nil},
		{"a capacity provider twice in a strategy", replaceOnce(t, smallBase, `[{ capacity_provider = "cp", weight = 1 }]`, `[{ capacity_provider = "cp", weight = 1 }, { capacity_provider = "cp", weight = 2 }]`),
			"services.web.capacity_provider_strategy.1.capacity_provider", `each capacity provider once in a strategy ("cp" is entry 0 too)`, nil},
		{"a custom metric nothing publishes", smallBase + scaled + "  [[services.auto_scaling.target_tracking]]\n  custom_metric = \"QueueDepth\"\n  target_value = 10\n",
			"services.web.auto_scaling.target_tracking.0.custom_metric", `a metric the service publishes: "BacklogPerTask", with [services.load] queue = true`, nil},
		{"an empty SWF trace", smallBase + batchJob(`{ pattern = "trace", file = "t.swf", format = "swf" }`, `{ distribution = "fixed", value = "1m" }`),
			"batch_jobs.etl.arrivals.file", `a task trace with at least one task, found "t.swf": none`, map[string]string{"t.swf": "; Version: 2.2\n"}},
		{"a revision below 1", replaceOnce(t, smallBase, "family = \"web\"\n", "family = \"web\"\nrevision = 0\n"),
			"task_definitions.web.revision", "a revision of at least 1, found 0", nil},
		{"two containers of one name", replaceOnce(t, smallBase, "  memory = 512\n", "  memory = 512\n  [[task_definitions.container_definitions]]\n  name = \"web\"\n  image = \"side:1\"\n  memory = 64\n  essential = false\n"),
			"task_definitions.web.container_definitions.1.name", "a container name not used by another container of the task (container 0)", nil},
		{"a container with more memory than its task", replaceOnce(t, smallBase, "family = \"web\"\n", "family = \"web\"\nmemory = 256\n"),
			"task_definitions.web.container_definitions.0.memory", "at most the task's memory (256 MiB)", nil},
		{"a negative seed", replaceOnce(t, smallBase, "duration = \"1h\"\n", "duration = \"1h\"\nseed = -1\n"), "seed", "a value from 0 to", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := parseSmall(tc.src, tc.files)
			named := keyed(ps, tc.key)
			require.NotEmpty(t, named, "%v", ps)
			assert.Contains(t, named[0].Error(), tc.want)
		})
	}
}

// The estimate against the measured runs its coefficients were fitted to
// (estimate.go states the measurements): within a factor of 1.5 on memory.
func TestTheEstimateIsNearTheMeasuredRuns(t *testing.T) {
	// Peak RSS of `fleetsim run` with the soft limit (cmd/fleetsim
	// memlimit.go), and the heap live at the peak, measured 2026-12-02
	// (estimate.go's calibration table).
	tests := []struct {
		scenario             string
		measuredMiB, liveMiB float64
	}{
		{"large-week", 368, 211},
		{"social-bursts", 171, 76},
		{"web-and-batch", 46, 2},
		{"week-100-instances", 75, 20},
		{"swf-batch", 54, 5},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			s, err := Resolve(tc.scenario)
			require.NoError(t, err)
			e := Estimate(s.Config)
			got := float64(e.MemoryBytes) / (1 << 20)
			assert.InDelta(t, 1, got/tc.measuredMiB, 0.25, "estimated %.0f MiB, measured %.0f MiB", got, tc.measuredMiB)
			assert.Equal(t, e.SoftMemoryLimit(), e.MemoryBytes, "the run is allowed what the estimate says")
			if live := float64(e.LiveBytes) / (1 << 20); tc.liveMiB >= 10 {
				assert.GreaterOrEqual(t, live, 0.9*tc.liveMiB, "the live estimate is rarely below the run")
				assert.LessOrEqual(t, live, 1.6*tc.liveMiB, "nor far above it")
			}
		})
	}
}

// A run that would not fit is refused before it runs, with the estimate and
// what to change; settings.max_run_memory moves the line.
func TestARunThatWouldNotFitIsRefusedWithWhatToChange(t *testing.T) {
	big := replaceOnce(t, smallBase, "desired_count = 2", "desired_count = 5000\ncopies = 1000")
	big = replaceOnce(t, big, `duration = "1h"`, `duration = "24h"`)
	_, ps := parseSmall(big, nil)
	named := keyed(ps, "duration")
	require.Len(t, named, 1, "%v", ps)
	msg := named[0].Error()
	assert.Contains(t, msg, "want a run that fits in 8.0 GiB of memory (settings.max_run_memory), found an estimated")
	assert.Contains(t, msg, "5.0M service and 0 batch tasks")
	assert.Contains(t, msg, "[report] task_events = false")
	assert.Contains(t, msg, "a shorter duration")

	_, ps = parseSmall(big+"\n[report]\ntask_events = false\n\n[settings]\nmax_run_memory = \"64GiB\"\n", nil)
	assert.Empty(t, keyed(ps, "duration"), "a higher setting lets it through: %v", ps)
}

// quotas lists each adjustable quota once, with AWS's default.
func TestEachQuotaIsListedOnceWithItsDefault(t *testing.T) {
	var keys []string
	for _, q := range quotas {
		assert.Positive(t, q.def, q.key)
		keys = append(keys, q.key)
	}
	assert.Equal(t, tagsOf(reflect.TypeFor[quotasSchema](), "toml"), keys, "one quota per [quotas] key, in order")
	assert.Equal(t, len(keys), len(slices.Compact(slices.Clone(keys))))
}

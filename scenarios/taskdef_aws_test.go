package scenarios

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// awsBase runs the task definition in web.json as a 2-task service on a
// group of the given instance types (EC2), or on Fargate when types is
// empty.
func awsBase(types string, desired int) string {
	src := `name = "aws"
duration = "30m"
[cluster]
availability_zones = ["us-east-1a", "us-east-1b"]
`
	if types != "" {
		src += `
[[auto_scaling_groups]]
name = "asg"
instance_types = [` + types + `]
min_size = 2
max_size = 2
desired_capacity = 2

[[capacity_providers]]
name = "cp"
auto_scaling_group = "asg"
`
	}
	src += `
[[task_definitions]]
family = "web"
file = "web.json"

[[services]]
name = "web"
task_definition = "web"
desired_count = ` + string(rune('0'+desired)) + "\n"
	if types != "" {
		src += `capacity_provider_strategy = [{ capacity_provider = "cp", weight = 1 }]` + "\n"
	} else {
		src += `launch_type = "FARGATE"` + "\n"
	}
	return src
}

// parseAWS parses src with web.json holding js.
func parseAWS(t *testing.T, src, js string) (*Scenario, Problems) {
	t.Helper()
	s, err := Parse(src, "aws.toml", func(rel string) ([]byte, error) {
		if rel == "web.json" {
			return []byte(js), nil
		}
		return nil, errors.New("no such file")
	})
	if err != nil {
		return nil, problemsOf(t, err)
	}
	return s, nil
}

func mustParseAWS(t *testing.T, src, js string) *Scenario {
	t.Helper()
	s, ps := parseAWS(t, src, js)
	require.Empty(t, ps)
	return s
}

const ec2Def = `{
  "family": "web",
  "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "cpu": 256, "memory": 512, "essential": true}]
}`

// describe-task-definition output wraps the definition; a console export
// adds read-only fields and explicit nulls; Terraform gives the containers
// alone. All three load as the bare definition does, and a problem inside
// the wrapper names the key as the file has it.
func TestTaskDefinitionsLoadInTheShapesAWSWritesThem(t *testing.T) {
	plain := mustParseAWS(t, awsBase(`"m5.large"`, 2), ec2Def).Config.TaskDefinitions[0]
	tests := []struct{ name, json string }{
		{"describe-task-definition output", `{"taskDefinition": ` + ec2Def + `, "tags": []}`},
		{"a console export with read-only fields and nulls", `{
  "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
  "family": "web", "revision": 3, "status": "ACTIVE", "networkMode": null, "cpu": null, "memory": null,
  "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
  "compatibilities": ["EC2"], "registeredAt": "2023-02-01T10:00:00.000Z", "registeredBy": "arn:aws:iam::123456789012:root",
  "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "cpu": 256, "memory": 512, "memoryReservation": null,
    "essential": true, "healthCheck": null, "dependsOn": null, "resourceRequirements": null}]
}`},
		{"a bare container definitions array (Terraform)", `[{"name": "web", "image": "nginx:1.27", "cpu": 256, "memory": 512, "essential": true}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustParseAWS(t, awsBase(`"m5.large"`, 2), tc.json)
			assert.Equal(t, plain, s.Config.TaskDefinitions[0])
			assert.Empty(t, s.Warnings)
		})
	}

	t.Run("a problem inside taskDefinition names its key there", func(t *testing.T) {
		_, ps := parseAWS(t, awsBase(`"m5.large"`, 2), "{\n  \"taskDefinition\": {\n    \"family\": \"web\",\n    \"containerDefinitions\": [{\"name\": \"web\", \"image\": \"a:1\", \"memory\": 4}]\n  }\n}")
		require.Len(t, ps, 1, "%v", ps)
		assert.Equal(t, "web.json:4: taskDefinition.containerDefinitions.0.memory: want at least 6 MiB (Docker reserves 6 MiB for a container), found 4", ps[0].Error())
	})
	t.Run("a problem in a bare array names the entry", func(t *testing.T) {
		_, ps := parseAWS(t, awsBase(`"m5.large"`, 2), "[\n  {\"name\": \"web\", \"image\": \"a:1\",\n   \"memory\": \"lots\"}\n]")
		require.Len(t, ps, 1, "%v", ps)
		assert.Contains(t, ps[0].Error(), `web.json:3: 0.memory: want a number, "1 vCPU" or "2 GB", found "lots"`)
	})
	t.Run("a bare array needs the family beside file", func(t *testing.T) {
		src := strings.Replace(awsBase(`"m5.large"`, 2), "family = \"web\"\nfile", "file", 1)
		src = strings.Replace(src, `task_definition = "web"`, `task_definition = "x"`, 1)
		_, ps := parseAWS(t, src, `[{"name": "web", "image": "a:1", "memory": 64}]`)
		require.NotEmpty(t, ps)
		assert.Contains(t, ps[0].Error(), "aws.toml:17: task_definitions.0.family: want a family beside file (the file is a bare array of container definitions, which names none), found none")
	})
	t.Run("an empty file object is still no definition", func(t *testing.T) {
		_, ps := parseAWS(t, awsBase(`"m5.large"`, 2), `{"taskDefinition": {}}`)
		require.NotEmpty(t, ps)
		assert.Contains(t, ps.Error(), "taskDefinition.containerDefinitions: want at least one container definition, found none")
	})
}

// ECS Anywhere is not modelled: its definitions load, with a warning, and
// run on the scenario's EC2 capacity.
func TestExternalCompatibilityIsAWarningNotAProblem(t *testing.T) {
	js := `{"family": "web", "requiresCompatibilities": ["EXTERNAL"], "networkMode": "bridge",
  "containerDefinitions": [{"name": "web", "image": "nginx", "memory": 256, "portMappings": [{"containerPort": 80, "hostPort": 8080}]}]}`
	s := mustParseAWS(t, awsBase(`"m5.large"`, 2), js)
	require.Len(t, s.Warnings, 1)
	assert.Equal(t, `web.json:1: requiresCompatibilities.0: not modelled: ECS Anywhere (EXTERNAL: the tasks run on the customer's own registered servers) (assumed: the tasks run as EC2 tasks on the scenario's EC2 capacity)`, s.Warnings[0].Error())
	assert.Contains(t, s.Config.TaskDefinitions[0].RequiresCompatibilities, "EC2")

	_, ps := parseAWS(t, awsBase(`"m5.large"`, 2), strings.Replace(js, "EXTERNAL", "ONPREM", 1))
	assert.Contains(t, ps.Error(), `requiresCompatibilities.0: want "EC2", "FARGATE", "EXTERNAL" or "MANAGED_INSTANCES", found "ONPREM"`)
}

func platformDef(arch, os string) string {
	return `{"family": "web", "requiresCompatibilities": ["EC2", "FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
  "runtimePlatform": {"cpuArchitecture": "` + arch + `", "operatingSystemFamily": "` + os + `"},
  "containerDefinitions": [{"name": "web", "image": "nginx", "essential": true}]}`
}

// runtimePlatform reaches the task definition, and on EC2 becomes the
// implied constraint on ecs.cpu-architecture: an ARM64 task goes only on
// the arm64 instances of a mixed group.
func TestRuntimePlatformDecidesTheInstancesAndIsKept(t *testing.T) {
	// Two groups, x86 and Graviton; the EC2 launch type sees both.
	src := `name = "aws"
duration = "30m"
[cluster]
availability_zones = ["us-east-1a"]

[[auto_scaling_groups]]
name = "x86"
instance_types = ["m5.large"]
min_size = 1
max_size = 1

[[auto_scaling_groups]]
name = "arm"
instance_types = ["m6g.large"]
min_size = 1
max_size = 1

[[task_definitions]]
family = "web"
file = "web.json"

[[services]]
name = "web"
task_definition = "web"
desired_count = 4
launch_type = "EC2"
`
	s := mustParseAWS(t, src, platformDef("ARM64", "LINUX"))
	def := s.Config.TaskDefinitions[0]
	assert.Equal(t, ecs.Platform{CPUArchitecture: "ARM64", OSFamily: "LINUX"}, def.Platform)
	require.Len(t, def.PlacementConstraints, 1)
	want, err := placement.ParseConstraint("memberOf", "attribute:ecs.cpu-architecture == arm64")
	require.NoError(t, err)
	assert.Equal(t, want, def.PlacementConstraints[0])
	assert.Empty(t, s.Warnings)

	res := runBriefly(t, s.Config)
	placed := 0
	for _, u := range res.Tasks.All() {
		if u.Instance >= 0 {
			placed++
			assert.Equal(t, "m6g.large", res.Instances[u.Instance].Type, "an ARM64 task only on Graviton")
		}
	}
	assert.Equal(t, 2, placed, "the m6g.large's two free ENIs take two awsvpc tasks; the m5.large none")
	assert.NotEmpty(t, res.Summary.PlacementFailures, "the other two wait: the m5.large is not arm64, the m6g.large out of ENIs")

	t.Run("no instance type of the architecture: a warning", func(t *testing.T) {
		s := mustParseAWS(t, awsBase(`"m5.large"`, 2), platformDef("ARM64", ""))
		require.Len(t, s.Warnings, 1)
		assert.Equal(t, `aws.toml:23: services.web.task_definition: want an instance type with arm64 among those it may use, found m5.large (task "web" is never placed: the catalog gives each type's GPUs and architecture)`, s.Warnings[0].Error())
	})
	t.Run("Fargate only: no constraint", func(t *testing.T) {
		s := mustParseAWS(t, awsBase("", 2), strings.Replace(platformDef("ARM64", "LINUX"), `"EC2", `, "", 1))
		assert.Empty(t, s.Config.TaskDefinitions[0].PlacementConstraints)
		assert.True(t, s.Config.TaskDefinitions[0].Platform.ARM64())
	})
}

func TestRuntimePlatformValuesAreAWSs(t *testing.T) {
	tests := []struct{ name, arch, os, problem string }{
		{"an unknown architecture", "AMD64", "", `web.json:2: runtimePlatform.cpuArchitecture: want "X86_64" or "ARM64", found "AMD64"`},
		{"a misspelt OS family", "", "WINDOWS_SERVER_2019_COR", `web.json:2: runtimePlatform.operatingSystemFamily: want "LINUX" or a WINDOWS_SERVER_* family`},
		{"Windows on ARM", "ARM64", "WINDOWS_SERVER_2022_CORE", `web.json:2: runtimePlatform.cpuArchitecture: want "X86_64" for Windows containers (ARM64 runs Linux tasks only), found "ARM64"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := parseAWS(t, awsBase(`"m5.large"`, 2), platformDef(tc.arch, tc.os))
			require.Len(t, ps, 1, "%v", ps)
			assert.Contains(t, ps[0].Error(), tc.problem)
		})
	}
	_, ps := parseAWS(t, awsBase(`"m5.large"`, 2), platformDef("", "WINDOWS_SERVER_2019_COR"))
	assert.Contains(t, ps[0].Error(), `did you mean "WINDOWS_SERVER_2019_CORE"?`)
}

// Windows container instances are not modelled: a Windows task on EC2 is a
// warning naming the assumption, by runtimePlatform or by its image. On
// Fargate, Windows is modelled (priced: report's fargateprice.go).
func TestWindowsOnEC2IsAWarning(t *testing.T) {
	s := mustParseAWS(t, awsBase(`"m5.large"`, 2), strings.Replace(platformDef("X86_64", "WINDOWS_SERVER_2019_CORE"), `"cpu": "256", "memory": "512"`, `"cpu": "1024", "memory": "2048"`, 1))
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings[0].Error(), `web.json:2: runtimePlatform.operatingSystemFamily: not modelled: Windows container instances ("WINDOWS_SERVER_2019_CORE" on EC2) (assumed: the scenario's instances run the ECS-optimized Windows AMI`)

	byImage := `{"family": "web", "cpu": "1024", "memory": "1024",
  "containerDefinitions": [{"name": "iis", "image": "mcr.microsoft.com/windows/servercore/iis", "essential": true}]}`
	s = mustParseAWS(t, awsBase(`"m5.large"`, 2), byImage)
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings[0].Error(), `web.json:2: containerDefinitions.0.image: not modelled: Windows container instances (the image "mcr.microsoft.com/windows/servercore/iis" is a Windows image`)

	windowsFargate := strings.Replace(strings.Replace(platformDef("X86_64", "WINDOWS_SERVER_2019_CORE"), `"EC2", `, "", 1), `"cpu": "256", "memory": "512"`, `"cpu": "1024", "memory": "2048"`, 1)
	fargate := mustParseAWS(t, awsBase("", 2), windowsFargate)
	assert.Empty(t, fargate.Warnings)
	assert.True(t, fargate.Config.TaskDefinitions[0].Platform.Windows())

	// Fargate runs Windows at 1, 2 or 4 vCPU only.
	for _, size := range []string{`"cpu": "512", "memory": "2048"`, `"cpu": "8192", "memory": "16384"`} {
		_, ps := parseAWS(t, awsBase("", 2), strings.Replace(windowsFargate, `"cpu": "1024", "memory": "2048"`, size, 1))
		require.Len(t, ps, 1, "%v", ps)
		assert.Contains(t, ps[0].Error(), "web.json:1: cpu: want a Windows Fargate task cpu of 1024, 2048 or 4096 (1, 2 or 4 vCPU)")
	}
}

const gpuDef = `{"family": "web", "containerDefinitions": [
  {"name": "train", "image": "nvidia/cuda:11.0.3-base", "cpu": 100, "memory": 80, "essential": true,
   "resourceRequirements": [{"type": "GPU", "value": "2"}]},
  {"name": "sidecar", "image": "busybox", "cpu": 10, "memory": 16, "essential": false}]}`

// A task needing 2 GPUs goes only on instances with 2 GPUs unreserved: on a
// group of g4dn.12xlarge (4 GPUs) and m5.xlarge (none), two tasks per
// g4dn.12xlarge and none on the m5.
func TestGPUTasksGoOnlyWhereTheirGPUsAreFree(t *testing.T) {
	s := mustParseAWS(t, awsBase(`"g4dn.12xlarge", "m5.xlarge"`, 6), gpuDef)
	def := s.Config.TaskDefinitions[0]
	assert.Equal(t, 2, def.GPUs())
	assert.Empty(t, s.Warnings)

	res := runBriefly(t, s.Config)
	perInstance := map[int32]int{}
	for _, u := range res.Tasks.All() {
		if u.Instance >= 0 && u.Stop == res.End {
			perInstance[u.Instance]++
		}
	}
	running := 0
	for in, n := range perInstance {
		assert.Equal(t, "g4dn.12xlarge", res.Instances[in].Type)
		assert.LessOrEqual(t, n, 2, "4 GPUs hold two tasks of 2")
		running += n
	}
	assert.Positive(t, running)
	assert.Contains(t, strings.Join(keysOf(res.Summary.PlacementFailures), " "), "RESOURCE:GPU", "the tasks past the GPUs wait for them")

	t.Run("no instance type with the GPUs: a warning", func(t *testing.T) {
		s := mustParseAWS(t, awsBase(`"m5.4xlarge"`, 2), gpuDef)
		require.Len(t, s.Warnings, 1)
		assert.Contains(t, s.Warnings[0].Error(), `services.web.task_definition: want an instance type with 2 GPU(s) among those it may use, found m5.4xlarge`)
	})
	t.Run("a GPU count AWS would refuse", func(t *testing.T) {
		_, ps := parseAWS(t, awsBase(`"g4dn.12xlarge"`, 2), strings.Replace(gpuDef, `"value": "2"`, `"value": "two"`, 1))
		require.Len(t, ps, 1, "%v", ps)
		assert.Equal(t, `web.json:3: containerDefinitions.0.resourceRequirements.0.value: want a whole number of GPUs from 1 to 64, found "two"`, ps[0].Error())
	})
	t.Run("an accelerator: not modelled, a warning", func(t *testing.T) {
		s := mustParseAWS(t, awsBase(`"inf1.xlarge"`, 2), strings.Replace(gpuDef, `{"type": "GPU", "value": "2"}`, `{"type": "InferenceAccelerator", "value": "device_1"}`, 1))
		require.Len(t, s.Warnings, 1)
		assert.Contains(t, s.Warnings[0].Error(), "containerDefinitions.0.resourceRequirements: not modelled: InferenceAccelerator and NeuronDevice requirements")
	})
	t.Run("no GPUs on Fargate", func(t *testing.T) {
		js := strings.Replace(platformDef("", ""), `"image": "nginx",`, `"image": "nginx", "resourceRequirements": [{"type": "GPU", "value": "1"}],`, 1)
		_, ps := parseAWS(t, awsBase(`"g4dn.12xlarge"`, 2), js)
		require.Len(t, ps, 1, "%v", ps)
		assert.Contains(t, ps[0].Error(), "containerDefinitions.0.resourceRequirements: want no GPU in a FARGATE-compatible task definition (Fargate tasks take no GPUs), found 1 GPU(s)")
	})
	t.Run("an unknown resource type", func(t *testing.T) {
		_, ps := parseAWS(t, awsBase(`"g4dn.12xlarge"`, 2), strings.Replace(gpuDef, `"type": "GPU"`, `"type": "TPU"`, 1))
		require.Len(t, ps, 1, "%v", ps)
		assert.Contains(t, ps[0].Error(), `resourceRequirements.0.type: want "GPU", "InferenceAccelerator" or "NeuronDevice", found "TPU"`)
	})
}

func keysOf(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// runBriefly runs a scenario's configuration for its (short) duration.
func runBriefly(t *testing.T, cfg *sim.Config) *sim.Result {
	t.Helper()
	c := *cfg
	c.Duration = min(c.Duration, 30*time.Minute)
	res, err := sim.New(&c).Run()
	require.NoError(t, err)
	return res
}

// A container's healthCheck in JSON is the TOML health_check: the essential
// container's, in the API's whole seconds, through the same rules.
func TestAJSONHealthCheckIsTheTOMLOne(t *testing.T) {
	toml := replaceOnce(t, smallBase, "  memory = 512\n", "  memory = 512\n  [task_definitions.health_check]\n  interval = \"10s\"\n  retries = 2\n  start_period = \"30s\"\n")
	fromTOML, ps := parseSmall(toml, nil)
	require.Empty(t, ps)
	js := `{"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx", "cpu": 256, "memory": 512,
  "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval": 10, "timeout": 5, "retries": 2, "startPeriod": 30}}]}`
	fromJSON := mustParseAWS(t, awsBase(`"m5.large"`, 2), js)
	require.NotNil(t, fromJSON.Config.TaskDefinitions[0].HealthCheck)
	assert.Equal(t, fromTOML.Config.TaskDefinitions[0].HealthCheck, fromJSON.Config.TaskDefinitions[0].HealthCheck)

	t.Run("defaults", func(t *testing.T) {
		s := mustParseAWS(t, awsBase(`"m5.large"`, 2), strings.Replace(js, `, "interval": 10, "timeout": 5, "retries": 2, "startPeriod": 30`, "", 1))
		assert.Equal(t, &ecs.HealthCheck{Interval: 30 * time.Second, Retries: 3}, s.Config.TaskDefinitions[0].HealthCheck)
	})
	t.Run("a non-essential container's check is not the task's", func(t *testing.T) {
		s := mustParseAWS(t, awsBase(`"m5.large"`, 2), strings.Replace(strings.Replace(js, `"memory": 512,`, `"memory": 512, "essential": false,`, 1),
			`}}]}`, `}}, {"name": "app", "image": "app:1", "memory": 64, "essential": true}]}`, 1))
		assert.Nil(t, s.Config.TaskDefinitions[0].HealthCheck)
	})
	t.Run("out of AWS's bounds", func(t *testing.T) {
		_, ps := parseAWS(t, awsBase(`"m5.large"`, 2), strings.Replace(strings.Replace(js, `"interval": 10`, `"interval": 400`, 1), `"timeout": 5`, `"timeout": 1`, 1))
		assert.ElementsMatch(t, []string{"web.json:2: containerDefinitions.0.healthCheck.interval: want an interval from 5s to 300s, found 6m40s",
			"web.json:2: containerDefinitions.0.healthCheck.timeout: want a timeout from 2s to 60s, found 1s"}, strings.Split(ps.Error(), "\n"))
	})
	t.Run("essential and stopTimeout as TOML reads them", func(t *testing.T) {
		s := mustParseAWS(t, awsBase(`"m5.large"`, 2), strings.Replace(js, `"memory": 512,`, `"memory": 512, "stopTimeout": 90,`, 1))
		def := s.Config.TaskDefinitions[0]
		assert.True(t, def.Containers[0].Essential, "essential omitted is true")
		assert.Equal(t, 90*time.Second, def.StopTimeout)
	})
}

// dependsOn orders the containers' start, which fleetsim does not model:
// one warning for the task, at the first container that has it.
func TestDependsOnIsOneWarningPerTaskDefinition(t *testing.T) {
	js := `{"family": "web", "containerDefinitions": [
  {"name": "envoy", "image": "envoy", "memory": 64, "essential": true},
  {"name": "app", "image": "app", "memory": 64, "essential": true, "dependsOn": [{"containerName": "envoy", "condition": "HEALTHY"}]},
  {"name": "log", "image": "log", "memory": 64, "essential": false, "dependsOn": [{"containerName": "envoy", "condition": "START"}], "startTimeout": 30}]}`
	s := mustParseAWS(t, awsBase(`"m5.large"`, 2), js)
	require.Len(t, s.Warnings, 1)
	assert.Equal(t, "web.json:3: containerDefinitions.1.dependsOn: not modelled: container start order (dependsOn, startTimeout) (and 1 more container) (assumed: every container starts at once, so the task may reach RUNNING sooner than on AWS)", s.Warnings[0].Error())
}

// Paths: a scenario file may refer to "../x.json" and to absolute paths;
// a library scenario only to files inside the library.
func TestReferencedFilesMayBeOutsideTheScenariosFolder(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "scenarios"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "web.json"), []byte(ec2Def), 0o644))
	abs := filepath.Join(root, "web.json")
	for _, ref := range []string{"../web.json", abs} {
		t.Run(ref, func(t *testing.T) {
			file := filepath.Join(root, "scenarios", "s.toml")
			src := strings.Replace(awsBase(`"m5.large"`, 2), `file = "web.json"`, `file = "`+filepath.ToSlash(ref)+`"`, 1)
			require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
			s, err := LoadFile(file)
			require.NoError(t, err)
			assert.Equal(t, "nginx:1.27", s.Config.TaskDefinitions[0].Containers[0].Image)
		})
	}
	t.Run("a problem names the file where it is", func(t *testing.T) {
		bad := filepath.Join(root, "bad.json")
		require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(ec2Def, `"memory": 512`, `"memory": 4`, 1)), 0o644))
		file := filepath.Join(root, "scenarios", "s.toml")
		require.NoError(t, os.WriteFile(file, []byte(strings.Replace(awsBase(`"m5.large"`, 2), `file = "web.json"`, `file = "`+filepath.ToSlash(bad)+`"`, 1)), 0o644))
		_, err := LoadFile(file)
		ps := problemsOf(t, err)
		require.Len(t, ps, 1, "the cause alone: %v", ps)
		assert.True(t, strings.HasPrefix(ps[0].Error(), bad+":3: containerDefinitions.0.memory: want at least 6 MiB"), ps[0].Error())
	})
	t.Run("a missing file is the one problem", func(t *testing.T) {
		file := filepath.Join(root, "scenarios", "s.toml")
		require.NoError(t, os.WriteFile(file, []byte(strings.Replace(awsBase(`"m5.large"`, 2), `file = "web.json"`, `file = "../nope.json"`, 1)), 0o644))
		_, err := LoadFile(file)
		ps := problemsOf(t, err)
		require.Len(t, ps, 1, "no follow-on problems: %v", ps)
		assert.Contains(t, ps[0].Error(), `task_definitions.web.file: want a readable task definition JSON file, found "../nope.json": no such file or directory`)
	})
	t.Run("a library scenario stays in the library", func(t *testing.T) {
		read := FSReader(LibraryFS(), "x.toml")
		for _, ref := range []string{"../go.mod", "/etc/hostname"} {
			_, err := read(ref)
			assert.ErrorIs(t, err, errOutsideLibrary, ref)
		}
		src := strings.Replace(awsBase(`"m5.large"`, 2), `file = "web.json"`, `file = "../web.json"`, 1)
		_, err := Parse(src, "library/x.toml", read)
		assert.Contains(t, problemsOf(t, err).Error(), `task_definitions.web.file: want a file inside the library (a library scenario refers to files beside it: a relative path without ..), found "../web.json"`)
	})
}

// realTaskDefs is the corpus of real task definitions (README.md there
// names each one's source), as copied into testdata and where the project
// keeps it (which may have grown since).
var realTaskDefs = []string{"testdata/real-taskdefs", "../../shared/data/real-taskdefs"}

// Every real task definition in the corpus gets AWS's verdict: accepted
// when AWS accepts it (and its scenario then runs), rejected when AWS
// rejects it.
func TestRealTaskDefinitionsGetAWSsVerdict(t *testing.T) {
	for _, dir := range realTaskDefs {
		t.Run(dir, func(t *testing.T) { checkRealTaskDefs(t, dir) })
	}
}

func checkRealTaskDefs(t *testing.T, dir string) {
	f, err := os.Open(filepath.Join(dir, "expected.tsv"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no corpus at " + dir)
	}
	require.NoError(t, err)
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(cols), 2, line)
		name, aws := cols[0], cols[1]
		n++
		t.Run(name, func(t *testing.T) {
			s, err := LoadFile(filepath.Join(dir, "cases", name+".toml"))
			switch aws {
			case "accept":
				require.NoError(t, err, "AWS accepts %s", name)
				runBriefly(t, s.Config)
			case "reject":
				require.Error(t, err, "AWS rejects %s", name)
				problemsOf(t, err)
			case "either":
			default:
				t.Fatalf("verdict %q", aws)
			}
		})
	}
	require.NoError(t, sc.Err())
	assert.GreaterOrEqual(t, n, 27, "the corpus's cases")
}

// FuzzTaskDefinitionJSON feeds any bytes as a task definition file: a
// scenario is accepted (and then runs) or every problem has its text;
// nothing panics.
func FuzzTaskDefinitionJSON(f *testing.F) {
	f.Add(ec2Def)
	f.Add(gpuDef)
	f.Add(platformDef("ARM64", "LINUX"))
	f.Add(`{"taskDefinition": ` + ec2Def + `}`)
	f.Add(`[{"name": "web", "image": "a:1", "memory": 64}]`)
	f.Add(`{"taskDefinition": []}`)
	f.Add(`[[], {}]`)
	if cases, err := filepath.Glob(filepath.Join(realTaskDefs[0], "cases", "*.json")); err == nil {
		for _, c := range cases {
			if b, err := os.ReadFile(c); err == nil {
				f.Add(string(b))
			}
		}
	}
	src := awsBase(`"g4dn.12xlarge", "m6g.large"`, 2)
	f.Fuzz(func(t *testing.T, js string) {
		s, err := Parse(src, "aws.toml", func(string) ([]byte, error) { return []byte(js), nil })
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

// Fargate includes 20 GiB of ephemeral storage; more is billed by AWS, and
// by fleetsim's bill ([billing]): the size reaches the task definition, a
// warning says so when there is no [billing] table, and AWS's bounds (20 to
// 200 GiB) hold.
func TestEphemeralStorageAboveTheIncludedIsBilled(t *testing.T) {
	def := func(gib string) string {
		return strings.Replace(platformDef("", ""), `"runtimePlatform"`, `"ephemeralStorage": {"sizeInGiB": `+gib+`}, "runtimePlatform"`, 1)
	}
	s := mustParseAWS(t, awsBase("", 2), def("20"))
	assert.Empty(t, s.Warnings)
	assert.Zero(t, s.Config.TaskDefinitions[0].EphemeralStorageGiB, "20 GiB is what every task has")
	s = mustParseAWS(t, awsBase("", 2), def("21"))
	require.Len(t, s.Warnings, 1)
	assert.Equal(t, 21, s.Config.TaskDefinitions[0].EphemeralStorageGiB)
	assert.Equal(t, "web.json:2: ephemeralStorage.sizeInGiB: not billed without a [billing] table: ephemeral storage above the 20 GiB Fargate includes (21 GiB) "+
		"(assumed: cost.json's list-price cost leaves it out; a [billing] table bills it)", s.Warnings[0].Error())
	s = mustParseAWS(t, awsBase("", 2)+"\n[billing]\n", def("200"))
	assert.Empty(t, s.Warnings, "the bill has it")
	assert.Equal(t, 200, s.Config.TaskDefinitions[0].EphemeralStorageGiB)
	for _, gib := range []string{"201", "19"} {
		_, err := Parse(awsBase("", 2), "aws.toml", func(string) ([]byte, error) { return []byte(def(gib)), nil })
		require.Error(t, err, gib)
		assert.Contains(t, err.Error(), "ephemeralStorage.sizeInGiB: want AWS's ephemeral storage size, 20 to 200 GiB, found "+gib)
	}
}

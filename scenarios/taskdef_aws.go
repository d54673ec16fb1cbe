package scenarios

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// Task definitions as AWS gives them. A task definition file may hold the
// definition in any of the shapes AWS's tools write:
//
//   - register-task-definition input (`--cli-input-json`), the definition
//     itself;
//   - describe-task-definition output, the definition under "taskDefinition",
//     with its read-only fields (taskDefinitionArn, revision, status,
//     requiresAttributes, compatibilities, registeredAt, registeredBy) and,
//     in console exports, explicit nulls: read-only fields are ignored and a
//     null is as if absent;
//   - a bare array of container definitions (what --container-definitions and
//     Terraform's container_definitions take), whose family the scenario
//     entry gives.
//
// Fields AWS accepts that change placement, timing or cost but that fleetsim
// does not model each give one warning naming the file, the field and what is
// assumed (docs/semantics/taskdefs.md lists them).

// awsShape is how a file holds its task definition.
type awsShape uint8

const (
	shapeRegister   awsShape = iota // the definition itself
	shapeDescribe                   // {"taskDefinition": {...}}
	shapeContainers                 // [{container}, ...]
)

// awsRoot finds the definition in a decoded file: the object itself, the
// object under "taskDefinition" (describe-task-definition output; a file
// whose top level has a "taskDefinition" object and no containerDefinitions
// of its own), or a non-empty array of objects, read as containerDefinitions.
func awsRoot(tree any) (any, awsShape) {
	switch x := tree.(type) {
	case map[string]any:
		if inner, ok := x["taskDefinition"].(map[string]any); ok {
			if _, own := x["containerDefinitions"]; !own {
				return inner, shapeDescribe
			}
		}
	case []any:
		if len(x) == 0 {
			return tree, shapeRegister
		}
		for _, e := range x {
			if _, ok := e.(map[string]any); !ok {
				return tree, shapeRegister
			}
		}
		return map[string]any{"containerDefinitions": x}, shapeContainers
	}
	return tree, shapeRegister
}

// inFile spells a path in the definition (containerDefinitions.0.memory) as
// a path in the file: under taskDefinition for describe output, without the
// containerDefinitions head for a bare array.
func (js *jsonSource) inFile(path []string) []string {
	switch js.shape {
	case shapeDescribe:
		return append([]string{"taskDefinition"}, path...)
	case shapeContainers:
		if len(path) > 0 && path[0] == "containerDefinitions" {
			return path[1:]
		}
	}
	return path
}

// referencedName is how messages name a file the scenario refers to: as
// given when absolute, else beside the scenario as the user named it.
func (v *validator) referencedName(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(filepath.Dir(v.file), filepath.FromSlash(rel))
}

type jsonPlatform struct {
	CPUArchitecture       string `json:"cpuArchitecture"`
	OperatingSystemFamily string `json:"operatingSystemFamily"`
}

// jsonHealthCheck is a container health check as the API gives it, in
// whole seconds.
type jsonHealthCheck struct {
	Command     []string `json:"command"`
	Interval    *int     `json:"interval"`
	Timeout     *int     `json:"timeout"`
	Retries     *int     `json:"retries"`
	StartPeriod *int     `json:"startPeriod"`
}

type jsonDependency struct {
	ContainerName string `json:"containerName"`
	Condition     string `json:"condition"`
}

type jsonResource struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// osFamilies are the operatingSystemFamily values. AWS (ECS API Reference,
// "RuntimePlatform",
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RuntimePlatform.html).
var osFamilies = []string{"LINUX", "WINDOWS_SERVER_2016_FULL", "WINDOWS_SERVER_2019_CORE", "WINDOWS_SERVER_2019_FULL",
	"WINDOWS_SERVER_2022_CORE", "WINDOWS_SERVER_2022_FULL", "WINDOWS_SERVER_2025_CORE", "WINDOWS_SERVER_2025_FULL",
	"WINDOWS_SERVER_2004_CORE", "WINDOWS_SERVER_20H2_CORE"}

// compatibilities checks requiresCompatibilities. AWS (RegisterTaskDefinition
// requiresCompatibilities): EC2 | FARGATE | EXTERNAL | MANAGED_INSTANCES.
// fleetsim models EC2 and Fargate; EXTERNAL (ECS Anywhere: the customer's
// own servers) and MANAGED_INSTANCES are accepted with a warning and run as
// EC2, on the scenario's instances.
func (v *validator) compatibilities(path []string, cs []string) []string {
	out := slices.Clone(cs)
	for j, c := range cs {
		at := append(slices.Clone(path), "requires_compatibilities", strconv.Itoa(j))
		switch c {
		case "EC2", "FARGATE":
		case "EXTERNAL", "MANAGED_INSTANCES":
			what := "ECS Anywhere (EXTERNAL: the tasks run on the customer's own registered servers)"
			if c == "MANAGED_INSTANCES" {
				what = "Amazon ECS Managed Instances"
			}
			v.warn(at, "", "not modelled: "+what, "assumed: the tasks run as EC2 tasks on the scenario's EC2 capacity")
			if !slices.Contains(out, "EC2") {
				out = append(out, "EC2")
			}
		default:
			v.bad(at, `"EC2", "FARGATE", "EXTERNAL" or "MANAGED_INSTANCES"`, quoteShort(c))
		}
	}
	return out
}

// awsOnlyFields reads what only a JSON task definition gives: the runtime
// platform, GPU and accelerator requirements, the containers' health checks
// and dependencies, ephemeral storage. Each container's path is
// task_definitions.N.container_definitions.M, which messages spell as the
// file's camelCase field.
func (v *validator) awsOnlyFields(path []string, js *jsonSource, def *ecs.TaskDefinition) {
	j := js.def
	v.platform(path, j.RuntimePlatform, def)
	var deps, hcs, accel []string
	tomlHC := def.HealthCheck != nil // health_check beside file = overrides the file's
	for ci, c := range j.ContainerDefinitions {
		if ci >= len(def.Containers) {
			break
		}
		cp := append(slices.Clone(path), "container_definitions", strconv.Itoa(ci))
		def.Containers[ci].GPUs = v.resources(cp, c.ResourceRequirements, &accel)
		if def.Containers[ci].GPUs > 0 && slices.Contains(def.RequiresCompatibilities, "FARGATE") {
			// AWS ("Amazon ECS task definition differences for Fargate"):
			// gpu is among "the task definition parameters [that] are not
			// valid in Fargate tasks".
			v.bad(append(slices.Clone(cp), "resource_requirements"), "no GPU in a FARGATE-compatible task definition (Fargate tasks take no GPUs)", fmt.Sprintf("%d GPU(s)", def.Containers[ci].GPUs))
		}
		if len(c.DependsOn) > 0 || c.StartTimeout != nil {
			deps = append(deps, strconv.Itoa(ci))
		}
		if c.HealthCheck != nil {
			hc := v.jsonHealthCheck(append(slices.Clone(cp), "health_check"), c.HealthCheck)
			if def.Containers[ci].Essential && !tomlHC {
				hcs = append(hcs, strconv.Itoa(ci))
				// The task is healthy when every essential container is
				// (AWS, "Amazon ECS task health checks"): the one that
				// passes last, the longest interval, stands for the task.
				if len(hcs) == 1 || hc.Interval > def.HealthCheck.Interval {
					def.HealthCheck = hc
				}
			}
		}
	}
	if len(deps) > 0 {
		key := "depends_on"
		if len(j.ContainerDefinitions[atoi(deps[0])].DependsOn) == 0 {
			key = "start_timeout"
		}
		v.warn(append(slices.Clone(path), "container_definitions", deps[0], key), "",
			"not modelled: container start order (dependsOn, startTimeout)"+others(deps),
			"assumed: every container starts at once, so the task may reach RUNNING sooner than on AWS")
	}
	if len(j.InferenceAccelerators) > 0 {
		v.warn(append(slices.Clone(path), "inference_accelerators"), "",
			"not modelled: Elastic Inference accelerators", "assumed: none are attached; the task is placed by CPU, memory, GPUs and its constraints")
	}
	if len(accel) > 0 {
		v.warn(append(slices.Clone(path), "container_definitions", accel[0], "resource_requirements"), "",
			"not modelled: InferenceAccelerator and NeuronDevice requirements"+others(accel),
			"assumed: the devices are not reserved; the task is placed by CPU, memory, GPUs and its constraints (memberOf an inf1/trn1 type keeps it on them)")
	}
	if es := j.EphemeralStorage; es != nil {
		// AWS (EphemeralStorage API): sizeInGiB from 20 to 200; Fargate
		// pricing: 20 GiB is included, more is billed per GB-hour, which
		// the bill ([billing]) does (report/fargateprice.go).
		ep := append(slices.Clone(path), "ephemeral_storage", "size_in_gib")
		switch {
		case es.SizeInGiB < 20 || es.SizeInGiB > 200:
			v.bad(ep, "AWS's ephemeral storage size, 20 to 200 GiB", fmt.Sprint(es.SizeInGiB))
		case es.SizeInGiB > 20:
			def.EphemeralStorageGiB = es.SizeInGiB
			if v.f.Billing == nil {
				v.warn(ep, "", fmt.Sprintf("not billed without a [billing] table: ephemeral storage above the 20 GiB Fargate includes (%d GiB)", es.SizeInGiB),
					"assumed: cost.json's list-price cost leaves it out; a [billing] table bills it")
			}
		}
	}
}

// others says how many more containers share a warning.
func others(idx []string) string {
	switch n := len(idx) - 1; n {
	case 0:
		return ""
	case 1:
		return " (and 1 more container)"
	default:
		return fmt.Sprintf(" (and %d more containers)", n)
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// platform reads runtimePlatform. AWS (ECS API Reference, "RuntimePlatform"):
// cpuArchitecture X86_64 | ARM64, ARM64 for "Linux tasks"; the OS family one
// of osFamilies. On EC2 the platform is an implied placement constraint: an
// ARM64 task goes only on arm64 instances (ecs.cpu-architecture, which the
// catalog gives each type), an X86_64 one only on x86_64 ones. fleetsim's
// container instances all run Linux: a Windows task on EC2 gets a warning
// and is placed on them as if they ran Windows.
func (v *validator) platform(path []string, rp *jsonPlatform, def *ecs.TaskDefinition) {
	if rp == nil {
		if !slices.Contains(def.RequiresCompatibilities, "EC2") {
			return
		}
		for ci, c := range def.Containers {
			if windowsImage(c.Image) {
				v.warn(append(slices.Clone(path), "container_definitions", strconv.Itoa(ci), "image"), "",
					"not modelled: Windows container instances (the image "+quoteShort(c.Image)+" is a Windows image and runtimePlatform names no OS)",
					"assumed: the scenario's instances run the ECS-optimized Windows AMI; Windows instance pricing and the Windows agent's memory reservation are not applied")
				return
			}
		}
		return
	}
	at := func(k string) []string { return append(slices.Clone(path), "runtime_platform", k) }
	pl := ecs.Platform{CPUArchitecture: rp.CPUArchitecture, OSFamily: rp.OperatingSystemFamily}
	ok := true
	if a := pl.CPUArchitecture; a != "" && a != ecs.ArchX86_64 && a != ecs.ArchARM64 {
		v.bad(at("cpu_architecture"), `"X86_64" or "ARM64"`, quoteShort(a))
		ok = false
	}
	if o := pl.OSFamily; o != "" && !slices.Contains(osFamilies, o) {
		pr := v.problem(at("operating_system_family"), `"LINUX" or a WINDOWS_SERVER_* family (`+strings.Join(osFamilies[1:], ", ")+")", quoteShort(o), "")
		if c := closest(o, osFamilies); c != "" {
			pr.Hint = fmt.Sprintf("did you mean %q?", c)
		}
		v.problems = append(v.problems, pr)
		ok = false
	}
	if !ok {
		return
	}
	if pl.ARM64() && pl.Windows() {
		v.bad(at("cpu_architecture"), `"X86_64" for Windows containers (ARM64 runs Linux tasks only)`, quoteShort(pl.CPUArchitecture))
		return
	}
	def.Platform = pl
	if pl.Windows() && slices.Contains(def.RequiresCompatibilities, "FARGATE") && !slices.Contains(windowsFargateCPUs, def.CPU) && def.CPU > 0 {
		// AWS ("Troubleshoot Amazon ECS task definition invalid CPU or
		// memory errors", the Fargate table): Windows runs at 1024, 2048
		// and 4096 CPU units; "The CPU units cannot be less than 1 vCPU
		// when you use Windows containers on Fargate."
		v.bad(append(slices.Clone(path), "cpu"), "a Windows Fargate task cpu of 1024, 2048 or 4096 (1, 2 or 4 vCPU)", strconv.Itoa(def.CPU))
	}
	if !slices.Contains(def.RequiresCompatibilities, "EC2") {
		return
	}
	if pl.Windows() {
		v.warn(at("operating_system_family"), "", "not modelled: Windows container instances ("+quoteShort(pl.OSFamily)+" on EC2)",
			"assumed: the scenario's instances run the ECS-optimized Windows AMI; Windows instance pricing and the Windows agent's memory reservation are not applied")
	}
	if arch := pl.InstanceArch(); arch != "" {
		v.impliedConstraint(path, def, "attribute:ecs.cpu-architecture == "+arch)
	}
}

// checkPlatformFits warns when no instance type a service or job may use
// has the GPUs or the CPU architecture its task definition needs: AWS takes
// the service, and its tasks are never placed (RESOURCE:GPU, or MemberOf on
// the implied architecture, on every instance).
func (v *validator) checkPlatformFits(path []string, def *ecs.TaskDefinition, groups []int, cfg *sim.Config) {
	gpus, arch := def.GPUs(), def.Platform.InstanceArch()
	if gpus == 0 && arch == "" {
		return
	}
	var types []string
	for _, gi := range groups {
		for _, it := range cfg.Groups[gi].InstanceTypes {
			if it.GPUs >= gpus && (arch == "" || it.Arch == arch) {
				return
			}
			if !slices.Contains(types, it.Name) {
				types = append(types, it.Name)
			}
		}
	}
	if len(types) == 0 {
		return // no known instance type: reported where the type is named
	}
	var need []string
	if gpus > 0 {
		need = append(need, fmt.Sprintf("%d GPU(s)", gpus))
	}
	if arch != "" {
		need = append(need, arch)
	}
	v.warn(append(slices.Clone(path), "task_definition"),
		fmt.Sprintf("an instance type with %s among those it may use", strings.Join(need, " and ")), strings.Join(types, ", "),
		fmt.Sprintf("task %q is never placed: the catalog gives each type's GPUs and architecture", def.Family))
}

// windowsImage reports whether an image is one of Microsoft's Windows
// base images (mcr.microsoft.com/windows/..., servercore, nanoserver): a
// task definition that names no operatingSystemFamily but runs one is a
// Windows task.
func windowsImage(image string) bool {
	low := strings.ToLower(image)
	return strings.HasPrefix(low, "mcr.microsoft.com/windows") || strings.Contains(low, "servercore") || strings.Contains(low, "nanoserver")
}

// windowsFargateCPUs are the task sizes Fargate runs Windows at.
var windowsFargateCPUs = []int{1024, 2048, 4096}

// impliedConstraint adds the memberOf a task definition's platform implies.
// It goes beside the definition's own, or, when they already number ECS's
// most, joins the last with "and".
func (v *validator) impliedConstraint(path []string, def *ecs.TaskDefinition, expr string) {
	if n := len(def.PlacementConstraints); n >= placement.MaxConstraints {
		own := v.f.TaskDefinitions[atoi(path[1])].PlacementConstraints
		if js := v.jsonDefs[atoi(path[1])]; js != nil && js.def != nil {
			own = nil
			for _, c := range js.def.PlacementConstraints {
				own = append(own, constraintSchema(c))
			}
		}
		if len(own) == 0 {
			return
		}
		expr = "(" + own[len(own)-1].Expression + ") and " + expr
		def.PlacementConstraints = def.PlacementConstraints[:n-1]
	}
	c, err := placement.ParseConstraint("memberOf", expr)
	if err != nil {
		v.bad(append(slices.Clone(path), "runtime_platform"), "a platform fleetsim can place", err.Error())
		return
	}
	def.PlacementConstraints = append(def.PlacementConstraints, c)
}

// resources reads a container's resourceRequirements: its GPUs, and the
// indexes of containers whose accelerators are not modelled. AWS (ECS API
// Reference, "ResourceRequirement"): type GPU | InferenceAccelerator |
// NeuronDevice; for GPU, value is "the number of physical GPUs the Amazon
// ECS container agent reserves for the container".
func (v *validator) resources(cp []string, rs []jsonResource, accel *[]string) int {
	gpus := 0
	for k, r := range rs {
		at := append(slices.Clone(cp), "resource_requirements", strconv.Itoa(k))
		switch r.Type {
		case "GPU":
			n, err := strconv.Atoi(strings.TrimSpace(r.Value))
			if err != nil || n < 1 || n > maxGPUsPerTask {
				v.bad(append(at, "value"), fmt.Sprintf("a whole number of GPUs from 1 to %d", maxGPUsPerTask), quoteShort(r.Value))
				continue
			}
			gpus += n
		case "InferenceAccelerator", "NeuronDevice":
			if i := cp[len(cp)-1]; !slices.Contains(*accel, i) {
				*accel = append(*accel, i)
			}
		default:
			v.bad(append(at, "type"), `"GPU", "InferenceAccelerator" or "NeuronDevice"`, quoteShort(r.Type))
		}
	}
	return gpus
}

// maxGPUsPerTask bounds a GPU count: more than the largest instance type
// has (p5.48xlarge: 8) can never be placed; 64 leaves room and keeps sums
// far from overflow.
const maxGPUsPerTask = 64

// jsonHealthCheck reads a container health check in the API's whole seconds
// through the same rules as the TOML form (healthCheck). AWS (HealthCheck
// API): timeout 2-60 s (default 5).
func (v *validator) jsonHealthCheck(path []string, hc *jsonHealthCheck) *ecs.HealthCheck {
	sec := func(n *int) *Duration {
		if n == nil {
			return nil
		}
		return &Duration{Duration: time.Duration(*n) * time.Second, Set: true}
	}
	s := &healthCheckSchema{Interval: sec(hc.Interval), Retries: hc.Retries}
	if hc.StartPeriod != nil {
		s.StartPeriod = *sec(hc.StartPeriod)
	}
	if hc.Timeout != nil && (*hc.Timeout < 2 || *hc.Timeout > 60) {
		v.bad(append(slices.Clone(path), "timeout"), "a timeout from 2s to 60s", (time.Duration(*hc.Timeout) * time.Second).String())
	}
	if len(hc.Command) == 0 {
		v.bad(append(slices.Clone(path), "command"), `a command such as ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]`, "none")
	}
	return v.healthCheck(path, s)
}

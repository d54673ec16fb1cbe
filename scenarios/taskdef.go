package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
)

// defaultImageSize is used when a container gives no image_size.
const defaultImageSize = 200 << 20

func (v *validator) taskDefinitions(s sim.Settings) []ecs.TaskDefinition {
	var out []ecs.TaskDefinition
	families := map[string]bool{}
	v.unreadTD = map[int]bool{}
	for i, td := range v.f.TaskDefinitions {
		path := p("task_definitions", i)
		if td.File != "" {
			var ok bool
			if td, ok = v.readJSONTaskDef(path, i, td); !ok {
				// The file's problem is the one to read: an entry with
				// nothing in it would only add consequences of it.
				v.unreadTD[i] = true
				out = append(out, ecs.TaskDefinition{Family: td.Family, Revision: td.revision(), RequiresCompatibilities: []string{"EC2", "FARGATE"}})
				continue
			}
		}
		def := v.taskDefinition(path, td, s)
		if js := v.jsonDefs[i]; js != nil && js.def != nil {
			v.awsOnlyFields(path, js, &def)
		}
		switch key := def.Family + ":" + strconv.Itoa(def.Revision); {
		case def.Family == "":
			v.bad(append(path, "family"), "a family name", "none")
		case !resourceName.ok(def.Family):
			v.bad(append(path, "family"), resourceName.want, quoteShort(def.Family))
		case families[key]:
			v.bad(append(path, "revision"), "a unique family and revision", quoteShort(key)+" again")
		}
		families[def.Family+":"+strconv.Itoa(def.Revision)] = true
		out = append(out, def)
	}
	return out
}

// revision is the entry's revision: 1 unless given.
func (td taskDefSchema) revision() int {
	if td.Revision == nil {
		return 1
	}
	return *td.Revision
}

func (v *validator) taskDefinition(path []string, td taskDefSchema, s sim.Settings) ecs.TaskDefinition {
	if td.Revision != nil && *td.Revision < 1 {
		// AWS (RegisterTaskDefinition): revisions count from 1.
		v.bad(append(slices.Clone(path), "revision"), "a revision of at least 1", strconv.Itoa(*td.Revision))
	}
	def := ecs.TaskDefinition{
		Family:                  td.Family,
		Revision:                td.revision(),
		NetworkMode:             ecs.NetworkMode(td.NetworkMode),
		RequiresCompatibilities: td.RequiresCompatibilities,
		CPU:                     td.CPU,
		MemoryMiB:               td.Memory,
	}
	if def.NetworkMode == "" {
		def.NetworkMode = ecs.NetworkBridge // ECS's default on Linux EC2
		if slices.Contains(td.RequiresCompatibilities, "FARGATE") {
			def.NetworkMode = ecs.NetworkAWSVPC
		}
	}
	if !slices.Contains([]ecs.NetworkMode{ecs.NetworkBridge, ecs.NetworkHost, ecs.NetworkAWSVPC, ecs.NetworkNone}, def.NetworkMode) {
		v.bad(append(path, "network_mode"), `"awsvpc", "bridge", "host" or "none"`, quoteShort(td.NetworkMode))
	}
	if len(def.RequiresCompatibilities) == 0 {
		def.RequiresCompatibilities = []string{"EC2"}
	}
	def.RequiresCompatibilities = v.compatibilities(path, def.RequiresCompatibilities)
	if td.CPU < 0 || td.Memory < 0 {
		v.bad(path, "non-negative cpu and memory", fmt.Sprintf("cpu %d, memory %d", td.CPU, td.Memory))
	}
	if len(td.ContainerDefinitions) == 0 {
		v.bad(append(path, "container_definitions"), "at least one container definition", "none")
	}
	essential := false
	names := map[string]int{}
	for j, c := range td.ContainerDefinitions {
		cp := append(slices.Clone(path), "container_definitions", strconv.Itoa(j))
		if k, ok := names[c.Name]; ok && c.Name != "" {
			// AWS (ContainerDefinition name): unique within a task definition.
			v.bad(append(slices.Clone(cp), "name"), fmt.Sprintf("a container name not used by another container of the task (container %d)", k), quoteShort(c.Name))
		}
		names[c.Name] = j
		cd, stop := v.container(cp, c, td, def.NetworkMode, s)
		essential = essential || cd.Essential
		def.StopTimeout = max(def.StopTimeout, stop)
		def.Containers = append(def.Containers, cd)
	}
	if len(td.ContainerDefinitions) > 0 && !essential {
		v.bad(append(path, "container_definitions"), "at least one essential container", "none essential")
	}
	v.checkTaskSize(path, td, def)
	if slices.Contains(def.RequiresCompatibilities, "FARGATE") {
		v.checkFargate(path, def)
	}
	def.FailsToStart, def.FailsHealthCheck = td.FailsToStart, td.FailsHealthCheck
	def.SimulateAlarmAfter = td.SimulateAlarmAfter.Duration
	if hc := td.HealthCheck; hc != nil {
		def.HealthCheck = v.healthCheck(append(slices.Clone(path), "health_check"), hc)
	}
	for j, c := range td.PlacementConstraints {
		at := append(slices.Clone(path), "placement_constraints", strconv.Itoa(j))
		if c.Type != "memberOf" {
			v.bad(append(at, "type"), `"memberOf" (the only constraint a task definition takes)`, quoteShort(c.Type))
			continue
		}
		if !v.expression(append(slices.Clone(at), "expression"), c.Expression) {
			continue
		}
		if pc, ok := v.constraint(append(at, "expression"), c.Type, c.Expression); ok {
			def.PlacementConstraints = append(def.PlacementConstraints, pc)
		}
	}
	return def
}

func (v *validator) container(path []string, c containerSchema, td taskDefSchema, mode ecs.NetworkMode, s sim.Settings) (ecs.ContainerDefinition, time.Duration) {
	cd := ecs.ContainerDefinition{
		Name: c.Name, Image: c.Image, ImageSizeBytes: c.ImageSize.Bytes, Essential: c.Essential == nil || *c.Essential,
		CPU: c.CPU, MemoryMiB: c.Memory, MemoryReservationMiB: c.MemoryReservation,
	}
	if !c.ImageSize.Set {
		cd.ImageSizeBytes = defaultImageSize
		if sz, ok := td.ImageSizes[c.Image]; ok {
			cd.ImageSizeBytes = sz.Bytes
		}
	}
	if c.Name == "" {
		v.bad(append(path, "name"), "a container name", "none")
	}
	v.checkName(append(slices.Clone(path), "name"), resourceName, c.Name)
	if c.Image == "" {
		v.bad(append(path, "image"), "an image such as \"nginx:1.27\"", "none")
	}
	v.checkName(append(slices.Clone(path), "image"), imageName, c.Image)
	// AWS (ContainerDefinition memory, memoryReservation): "The Docker
	// 20.10.0 or later daemon reserves a minimum of 6 MiB of memory for a
	// container. So, don't specify less than 6 MiB of memory."
	for _, m := range []struct {
		key string
		mib int
	}{{"memory", c.Memory}, {"memory_reservation", c.MemoryReservation}} {
		if m.mib > 0 && m.mib < minContainerMemoryMiB {
			v.bad(append(slices.Clone(path), m.key), "at least 6 MiB (Docker reserves 6 MiB for a container)", strconv.Itoa(m.mib))
		}
	}
	// AWS (ContainerDefinition memory): "The total amount of memory
	// reserved for all containers within a task must be lower than the task
	// memory value, if one is specified."
	if td.Memory > 0 && c.Memory > td.Memory {
		v.bad(append(slices.Clone(path), "memory"), fmt.Sprintf("at most the task's memory (%d MiB)", td.Memory), strconv.Itoa(c.Memory))
	}
	if c.CPU < 0 || c.Memory < 0 || c.MemoryReservation < 0 {
		v.bad(path, "non-negative cpu, memory and memory_reservation", fmt.Sprintf("%d, %d, %d", c.CPU, c.Memory, c.MemoryReservation))
	}
	if td.Memory == 0 && c.Memory == 0 && c.MemoryReservation == 0 {
		v.bad(append(path, "memory"), "memory or memory_reservation on the container when the task sets no memory", "neither")
	}
	if c.Memory > 0 && c.MemoryReservation > c.Memory {
		v.bad(append(path, "memory_reservation"), fmt.Sprintf("at most memory (%d)", c.Memory), fmt.Sprint(c.MemoryReservation))
	}
	for k, pm := range c.PortMappings {
		pp := append(slices.Clone(path), "port_mappings", strconv.Itoa(k))
		if pm.ContainerPort < 1 || pm.ContainerPort > 65535 {
			v.bad(append(pp, "container_port"), "a port from 1 to 65535", fmt.Sprint(pm.ContainerPort))
		}
		if pm.HostPort < 0 || pm.HostPort > 65535 {
			v.bad(append(pp, "host_port"), "a port from 0 (dynamic) to 65535", fmt.Sprint(pm.HostPort))
		}
		if mode == ecs.NetworkAWSVPC || mode == ecs.NetworkHost {
			if pm.HostPort != 0 && pm.HostPort != pm.ContainerPort {
				v.bad(append(pp, "host_port"), fmt.Sprintf("host_port equal to container_port (%d) or omitted in %s mode", pm.ContainerPort, mode), fmt.Sprint(pm.HostPort))
			}
		}
		if pm.Protocol != "" && pm.Protocol != "tcp" && pm.Protocol != "udp" {
			v.bad(append(pp, "protocol"), `"tcp" or "udp"`, quoteShort(pm.Protocol))
		}
		cd.PortMappings = append(cd.PortMappings, ecs.PortMapping{ContainerPort: pm.ContainerPort, HostPort: pm.HostPort, Protocol: pm.Protocol})
	}
	stop := s.DefaultStopTimeout
	if c.StopTimeout != nil {
		stop = c.StopTimeout.Duration
		if stop < 0 || stop > 120*time.Second {
			v.bad(append(path, "stop_timeout"), "a stop timeout from 0s to 120s", stop.String())
		}
	}
	return cd, stop
}

// healthCheck reads a container health check. AWS (HealthCheck API):
// interval 5-300 s (default 30), retries 1-10 (default 3), startPeriod
// 0-300 s (default 0).
func (v *validator) healthCheck(path []string, hc *healthCheckSchema) *ecs.HealthCheck {
	out := &ecs.HealthCheck{Interval: 30 * time.Second, Retries: 3, StartPeriod: hc.StartPeriod.Duration}
	if hc.Interval != nil {
		out.Interval = hc.Interval.Duration
	}
	if hc.Retries != nil {
		out.Retries = *hc.Retries
	}
	if out.Interval < 5*time.Second || out.Interval > 300*time.Second {
		v.bad(append(slices.Clone(path), "interval"), "an interval from 5s to 300s", out.Interval.String())
	}
	if out.Retries < 1 || out.Retries > 10 {
		v.bad(append(slices.Clone(path), "retries"), "retries from 1 to 10", fmt.Sprint(out.Retries))
	}
	if out.StartPeriod < 0 || out.StartPeriod > 300*time.Second {
		v.bad(append(slices.Clone(path), "start_period"), "a start period from 0s to 300s", out.StartPeriod.String())
	}
	return out
}

// minContainerMemoryMiB is the least memory a container may be given.
const minContainerMemoryMiB = 6

// minEC2TaskCPU is the least task-level cpu a task on EC2 may ask for.
// AWS (RegisterTaskDefinition cpu): "If you're using the EC2 launch type or
// the external launch type, this field is optional. Supported values are
// between 128 CPU units (0.125 vCPUs) and 196608 CPU units (192 vCPUs)."
const minEC2TaskCPU = 128

// checkTaskSize applies the task-level rules: on EC2 a task-level cpu of
// 128 units or more, and containers that reserve no more memory in all than
// the task has.
func (v *validator) checkTaskSize(path []string, td taskDefSchema, def ecs.TaskDefinition) {
	if def.CPU > 0 && def.CPU < minEC2TaskCPU && slices.Contains(def.RequiresCompatibilities, "EC2") {
		v.bad(append(slices.Clone(path), "cpu"), "a task cpu of at least 128 units on EC2 (0.125 vCPU)", strconv.Itoa(def.CPU))
	}
	if td.Memory <= 0 {
		return
	}
	sum := 0
	for _, c := range def.Containers {
		if c.MemoryReservationMiB > 0 {
			sum += c.MemoryReservationMiB
		} else {
			sum += c.MemoryMiB
		}
	}
	if sum > td.Memory {
		v.bad(append(slices.Clone(path), "memory"), fmt.Sprintf("at least what the containers reserve (%d MiB)", sum), strconv.Itoa(td.Memory))
	}
}

// checkFargate applies Fargate's rules: awsvpc, and a task size from the
// documented table.
func (v *validator) checkFargate(path []string, def ecs.TaskDefinition) {
	if def.NetworkMode != ecs.NetworkAWSVPC {
		v.bad(append(path, "network_mode"), `"awsvpc" for a FARGATE-compatible task definition`, quoteShort(string(def.NetworkMode)))
	}
	if def.CPU == 0 || def.MemoryMiB == 0 {
		v.bad(path, "task-level cpu and memory for a FARGATE-compatible task definition", fmt.Sprintf("cpu %d, memory %d", def.CPU, def.MemoryMiB))
		return
	}
	if err := capacity.CheckFargateSize(def.CPU, def.MemoryMiB); err != nil {
		v.bad(append(path, "memory"), "a valid Fargate task size", err.Error())
	}
}

// jsonTaskDef is the subset of `aws ecs register-task-definition
// --cli-input-json` that fleetsim models; other fields are accepted and
// ignored (they do not change scheduling).
type jsonTaskDef struct {
	Family                  string          `json:"family"`
	NetworkMode             string          `json:"networkMode"`
	RequiresCompatibilities []string        `json:"requiresCompatibilities"`
	CPU                     flexInt         `json:"cpu"`
	Memory                  flexInt         `json:"memory"`
	ContainerDefinitions    []jsonContainer `json:"containerDefinitions"`
	PlacementConstraints    []struct {
		Type       string `json:"type"`
		Expression string `json:"expression"`
	} `json:"placementConstraints"`
	RuntimePlatform  *jsonPlatform `json:"runtimePlatform"`
	EphemeralStorage *struct {
		SizeInGiB int `json:"sizeInGiB"`
	} `json:"ephemeralStorage"`
	InferenceAccelerators []struct {
		DeviceName string `json:"deviceName"`
		DeviceType string `json:"deviceType"`
	} `json:"inferenceAccelerators"`
}

type jsonContainer struct {
	Name              string  `json:"name"`
	Image             string  `json:"image"`
	CPU               flexInt `json:"cpu"`
	Memory            flexInt `json:"memory"`
	MemoryReservation flexInt `json:"memoryReservation"`
	Essential         *bool   `json:"essential"`
	StopTimeout       *int    `json:"stopTimeout"`
	PortMappings      []struct {
		ContainerPort int    `json:"containerPort"`
		HostPort      int    `json:"hostPort"`
		Protocol      string `json:"protocol"`
	} `json:"portMappings"`
	HealthCheck          *jsonHealthCheck `json:"healthCheck"`
	DependsOn            []jsonDependency `json:"dependsOn"`
	StartTimeout         *int             `json:"startTimeout"`
	ResourceRequirements []jsonResource   `json:"resourceRequirements"`
}

// flexInt reads a number or a numeric string: the API takes task-level cpu and
// memory as strings ("512", and also "1 vCPU"/"2 GB").
type flexInt struct{ N int }

// fromTree reads a JSON number or numeric string.
func (n *flexInt) fromTree(data any) (want, got string, ok bool) {
	var text string
	switch x := data.(type) {
	case json.Number:
		text = string(x)
	case string:
		text = x
	default:
		return `a number, "1 vCPU" or "2 GB"`, tomlValue(data), false
	}
	v, err := parseFlexInt(text)
	switch {
	case errors.Is(err, errNotFinite):
		return "a finite number", jsonValue(data), false
	case err != nil:
		return `a number, "1 vCPU" or "2 GB"`, jsonValue(data), false
	}
	n.N = v
	return "", "", true
}

// jsonValue spells a JSON value as the file has it: "512" for a string,
// 512 for a number.
func jsonValue(data any) string {
	if s, ok := data.(string); ok {
		return quoteShort(s)
	}
	if n, ok := data.(json.Number); ok {
		return string(n)
	}
	return tomlValue(data)
}

func parseFlexInt(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	low := strings.ToLower(s)
	mult := 1.0
	switch {
	case strings.HasSuffix(low, "vcpu"):
		low, mult = strings.TrimSpace(strings.TrimSuffix(low, "vcpu")), 1024
	case strings.HasSuffix(low, "gb"):
		low, mult = strings.TrimSpace(strings.TrimSuffix(low, "gb")), 1024
	}
	f, err := parseFinite(low)
	if errors.Is(err, errNotFinite) {
		return 0, err
	}
	if err != nil || f < 0 || f*mult > 1<<30 {
		return 0, fmt.Errorf("not a size")
	}
	return int(f * mult), nil
}

// jsonSource is a task definition read from AWS's JSON: the file as
// messages name it and the line of each key path, so that a problem with
// a key it gave names the file, its line and the camelCase field.
type jsonSource struct {
	file       string
	lines      map[string]int // "containerDefinitions.0.memory" -> line
	tomlFamily bool           // the scenario's entry names the family itself
	shape      awsShape       // how the file holds the definition (taskdef_aws.go)
	def        *jsonTaskDef   // the definition as read, for the fields only JSON gives
}

// line is the line of path (a path in the definition, as register-task-
// definition spells it), or of its nearest located parent (1: the file's
// first).
func (js *jsonSource) line(path []string) int {
	fp := js.inFile(path)
	for n := len(fp); n > 0; n-- {
		if l, ok := js.lines[strings.Join(fp[:n], ".")]; ok {
			return l
		}
	}
	return 1
}

// key names path as the file has it: taskDefinition.cpu in
// describe-task-definition output, 0.memory in a bare container array.
func (js *jsonSource) key(path []string) string {
	if fp := js.inFile(path); len(fp) > 0 {
		return strings.Join(fp, ".")
	}
	return "(the container definitions array)"
}

// jsonKeys maps the schema's keys that a JSON task definition fills to
// AWS's field names.
var jsonKeys = map[string]string{
	"family": "family", "network_mode": "networkMode", "requires_compatibilities": "requiresCompatibilities",
	"cpu": "cpu", "memory": "memory", "container_definitions": "containerDefinitions",
	"placement_constraints": "placementConstraints", "type": "type", "expression": "expression",
	"name": "name", "image": "image", "memory_reservation": "memoryReservation", "essential": "essential",
	"stop_timeout": "stopTimeout", "port_mappings": "portMappings", "container_port": "containerPort",
	"host_port": "hostPort", "protocol": "protocol",
	// Only JSON gives these (taskdef_aws.go).
	"runtime_platform": "runtimePlatform", "cpu_architecture": "cpuArchitecture", "operating_system_family": "operatingSystemFamily",
	"resource_requirements": "resourceRequirements", "value": "value", "health_check": "healthCheck", "interval": "interval",
	"retries": "retries", "start_period": "startPeriod", "timeout": "timeout", "command": "command", "depends_on": "dependsOn",
	"start_timeout": "startTimeout", "ephemeral_storage": "ephemeralStorage", "size_in_gib": "sizeInGiB",
	"inference_accelerators": "inferenceAccelerators",
}

// at is where the key at path was written: in the scenario, or, for a key
// a task definition's JSON file gave, in that file under AWS's name.
func (v *validator) at(path []string) (file string, line int, key string) {
	if len(path) >= 3 && path[0] == "task_definitions" {
		if i, err := strconv.Atoi(path[1]); err == nil && v.jsonDefs[i] != nil {
			js := v.jsonDefs[i]
			if jp, ok := jsonPath(path[2:]); ok && !(path[2] == "family" && js.tomlFamily) && path[2] != "health_check" {
				return js.file, js.line(jp), js.key(jp)
			}
		}
	}
	return v.file, v.loc.line(path), v.display(path)
}

// jsonPath spells a schema path inside a task definition as the JSON's.
func jsonPath(path []string) ([]string, bool) {
	out := make([]string, len(path))
	for i, seg := range path {
		if _, err := strconv.Atoi(seg); err == nil {
			out[i] = seg
			continue
		}
		name, ok := jsonKeys[seg]
		if !ok {
			return nil, false
		}
		out[i] = name
	}
	return out, true
}

// maxTaskDefinitionBytes is ECS's hard limit on a task definition's size.
// AWS (Amazon ECS service quotas, "Task definition size"): 64 KiB, not
// adjustable.
const maxTaskDefinitionBytes = 64 << 10

// readJSONTaskDef loads a task definition from AWS's JSON into the TOML
// schema; TOML keys beside file override the family and add image_sizes.
// It returns false when the file could not be read as a task definition at
// all: nothing else is said about the entry, so that the cause is the one
// problem and no consequence of an empty definition follows it.
func (v *validator) readJSONTaskDef(path []string, i int, td taskDefSchema) (taskDefSchema, bool) {
	fp := append(slices.Clone(path), "file")
	if td.NetworkMode != "" || td.CPU != 0 || td.Memory != 0 || len(td.ContainerDefinitions) > 0 {
		v.bad(fp, "either file or the task definition's own keys", "both")
	}
	data, ok := v.readFile(fp, td.File, "task definition JSON file")
	if !ok {
		return td, false
	}
	if len(data) > maxTaskDefinitionBytes {
		v.bad(fp, "a task definition of at most 64 KiB (ECS's task definition size limit)", fmt.Sprintf("%q: %d KiB", td.File, (len(data)+1023)>>10))
		return td, false
	}
	tree, err := normalizeJSON(data)
	if err != nil {
		v.bad(fp, "task definition JSON as `aws ecs register-task-definition --cli-input-json` takes", fmt.Sprintf("%s: %s", td.File, jsonError(data, err)))
		return td, false
	}
	root, shape := awsRoot(tree)
	js := &jsonSource{file: v.referencedName(td.File), lines: jsonLines(data), tomlFamily: td.Family != "", shape: shape}
	if shape == shapeContainers && td.Family == "" {
		// Terraform's container_definitions, or what --container-definitions
		// takes: the containers alone, with no family.
		v.bad(append(slices.Clone(path), "family"), "a family beside file (the file is a bare array of container definitions, which names none)", "none")
		return td, false
	}
	if v.jsonDefs == nil {
		v.jsonDefs = map[int]*jsonSource{}
	}
	v.jsonDefs[i] = js
	var j jsonTaskDef
	dec := &treeDecoder{tag: "json", ignoreUnknown: true}
	if !dec.decode(nil, root, reflect.ValueOf(&j).Elem()) {
		v.bad(fp, "a task definition JSON object (register-task-definition input, describe-task-definition output) or an array of container definitions", fmt.Sprintf("%s: %s", td.File, tomlValue(tree)))
		return td, false
	}
	js.def = &j
	from := fmt.Sprintf("the file of %s, %s:%d", v.display(fp), v.file, v.loc.line(fp))
	for _, tp := range dec.problems {
		pr := Problem{File: js.file, Line: js.line(tp.path), Key: js.key(tp.path), Want: tp.want, Got: tp.got, Hint: from}
		v.problems = append(v.problems, pr)
		if v.owned == nil {
			v.owned = map[string]Problem{}
		}
		v.owned[ownerKey(pr)] = pr
	}
	out := taskDefSchema{Family: j.Family, Revision: td.Revision, NetworkMode: j.NetworkMode, RequiresCompatibilities: j.RequiresCompatibilities,
		CPU: j.CPU.N, Memory: j.Memory.N, ImageSizes: td.ImageSizes, HealthCheck: td.HealthCheck,
		FailsToStart: td.FailsToStart, FailsHealthCheck: td.FailsHealthCheck, SimulateAlarmAfter: td.SimulateAlarmAfter}
	if td.Family != "" {
		if j.Family != "" && j.Family != td.Family {
			v.bad(append(slices.Clone(path), "family"), fmt.Sprintf("the family in %s (%q)", td.File, j.Family), quoteShort(td.Family))
		}
		out.Family = td.Family
	}
	for _, c := range j.ContainerDefinitions {
		cs := containerSchema{Name: c.Name, Image: c.Image, Essential: c.Essential, CPU: c.CPU.N, Memory: c.Memory.N, MemoryReservation: c.MemoryReservation.N}
		if c.StopTimeout != nil {
			cs.StopTimeout = &Duration{Duration: time.Duration(*c.StopTimeout) * time.Second, Set: true}
		}
		for _, pm := range c.PortMappings {
			cs.PortMappings = append(cs.PortMappings, portMappingSchema(pm))
		}
		out.ContainerDefinitions = append(out.ContainerDefinitions, cs)
	}
	for _, c := range j.PlacementConstraints {
		out.PlacementConstraints = append(out.PlacementConstraints, constraintSchema(c))
	}
	return out, true
}

// jsonError adds the line of a JSON syntax or type error.
func jsonError(data []byte, err error) string {
	var off int64 = -1
	switch e := err.(type) {
	case *json.SyntaxError:
		off = e.Offset
	case *json.UnmarshalTypeError:
		off = e.Offset
	}
	if off < 0 {
		return err.Error()
	}
	line := 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n"))
	return fmt.Sprintf("line %d: %v", line, err)
}

// jsonLines maps each key path of a JSON document (array entries by index:
// containerDefinitions.0.memory) to the line its key or entry starts on.
func jsonLines(data []byte) map[string]int {
	lines := map[string]int{}
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:max(min(int(off), len(data)), 0)], []byte("\n")) }
	type frame struct {
		path      []string
		obj       bool
		expectKey bool
		key       string
		next      int
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return lines
		}
		end := dec.InputOffset() - 1 // on the token's last byte
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].obj {
				stack[len(stack)-1].expectKey = true
			}
			continue
		}
		if top != nil && top.obj && top.expectKey {
			key, _ := tok.(string)
			top.key, top.expectKey = key, false
			p := append(slices.Clone(top.path), key)
			lines[strings.Join(p, ".")] = lineAt(end)
			continue
		}
		var p []string
		switch {
		case top == nil:
		case top.obj:
			p = append(slices.Clone(top.path), top.key)
		default:
			p = append(slices.Clone(top.path), strconv.Itoa(top.next))
			top.next++
			lines[strings.Join(p, ".")] = lineAt(end)
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{path: p, obj: d == '{', expectKey: d == '{'})
			continue
		}
		if top != nil && top.obj {
			top.expectKey = true
		}
	}
}

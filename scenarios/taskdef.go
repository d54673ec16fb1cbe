package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/ecs"
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
	for i, td := range v.f.TaskDefinitions {
		path := p("task_definitions", i)
		if td.File != "" {
			td = v.readJSONTaskDef(path, td)
		}
		def := v.taskDefinition(path, td, s)
		if def.Family == "" {
			v.bad(append(path, "family"), "a family name", "none")
		} else if key := def.Family + ":" + strconv.Itoa(def.Revision); families[key] {
			v.bad(append(path, "revision"), "a unique family and revision", strconv.Quote(key)+" again")
		}
		families[def.Family+":"+strconv.Itoa(def.Revision)] = true
		out = append(out, def)
	}
	return out
}

func (v *validator) taskDefinition(path []string, td taskDefSchema, s sim.Settings) ecs.TaskDefinition {
	def := ecs.TaskDefinition{
		Family:                  td.Family,
		Revision:                max(td.Revision, 1),
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
		v.bad(append(path, "network_mode"), `"awsvpc", "bridge", "host" or "none"`, strconv.Quote(td.NetworkMode))
	}
	if len(def.RequiresCompatibilities) == 0 {
		def.RequiresCompatibilities = []string{"EC2"}
	}
	for j, c := range def.RequiresCompatibilities {
		if c != "EC2" && c != "FARGATE" {
			v.bad(append(path, "requires_compatibilities", strconv.Itoa(j)), `"EC2" or "FARGATE"`, strconv.Quote(c))
		}
	}
	if td.CPU < 0 || td.Memory < 0 {
		v.bad(path, "non-negative cpu and memory", fmt.Sprintf("cpu %d, memory %d", td.CPU, td.Memory))
	}
	if len(td.ContainerDefinitions) == 0 {
		v.bad(append(path, "container_definitions"), "at least one container definition", "none")
	}
	essential := false
	for j, c := range td.ContainerDefinitions {
		cd, stop := v.container(append(slices.Clone(path), "container_definitions", strconv.Itoa(j)), c, td, def.NetworkMode, s)
		essential = essential || cd.Essential
		def.StopTimeout = max(def.StopTimeout, stop)
		def.Containers = append(def.Containers, cd)
	}
	if len(td.ContainerDefinitions) > 0 && !essential {
		v.bad(append(path, "container_definitions"), "at least one essential container", "none essential")
	}
	if slices.Contains(def.RequiresCompatibilities, "FARGATE") {
		v.checkFargate(path, def)
	}
	def.FailsToStart, def.FailsHealthCheck = td.FailsToStart, td.FailsHealthCheck
	if hc := td.HealthCheck; hc != nil {
		def.HealthCheck = v.healthCheck(append(slices.Clone(path), "health_check"), hc)
	}
	for j, c := range td.PlacementConstraints {
		at := append(slices.Clone(path), "placement_constraints", strconv.Itoa(j))
		if c.Type != "memberOf" {
			v.bad(append(at, "type"), `"memberOf" (the only constraint a task definition takes)`, strconv.Quote(c.Type))
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
	if c.Image == "" {
		v.bad(append(path, "image"), "an image such as \"nginx:1.27\"", "none")
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

// checkFargate applies Fargate's rules: awsvpc, and a task size from the
// documented table.
func (v *validator) checkFargate(path []string, def ecs.TaskDefinition) {
	if def.NetworkMode != ecs.NetworkAWSVPC {
		v.bad(append(path, "network_mode"), `"awsvpc" for a FARGATE-compatible task definition`, strconv.Quote(string(def.NetworkMode)))
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
}

// flexInt reads a number or a numeric string: the API takes task-level cpu and
// memory as strings ("512", and also "1 vCPU"/"2 GB"). A value it cannot read
// is kept in Bad, to be reported with its key and line; NotFinite says it was
// "NaN" or "Inf" (a JSON number cannot be, a string can).
type flexInt struct {
	N         int
	Bad       string
	NotFinite bool
}

func (n *flexInt) UnmarshalJSON(b []byte) error {
	v, err := parseFlexInt(b)
	if err != nil {
		n.Bad, n.NotFinite = string(b), errors.Is(err, errNotFinite)
		return nil
	}
	n.N = v
	return nil
}

func parseFlexInt(b []byte) (int, error) {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
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
	if err != nil || f < 0 || f > 1<<30 {
		return 0, fmt.Errorf("not a size")
	}
	return int(f * mult), nil
}

// checkFlex reports an unreadable number with the line of its key in the
// JSON file.
func (v *validator) checkFlex(fp []string, file string, data []byte, key string, n flexInt) int {
	if n.Bad != "" {
		line := 1
		if i := bytes.Index(data, []byte(`"`+key+`"`)); i >= 0 {
			line += bytes.Count(data[:i], []byte("\n"))
		}
		want := fmt.Sprintf("in %s:%d, %s as a number, \"1 vCPU\" or \"2 GB\"", file, line, key)
		if n.NotFinite {
			want = fmt.Sprintf("in %s:%d, %s as a finite number", file, line, key)
		}
		v.bad(fp, want, n.Bad)
	}
	return n.N
}

// readJSONTaskDef loads a task definition from AWS's JSON into the TOML
// schema; TOML keys beside file override the family and add image_sizes.
func (v *validator) readJSONTaskDef(path []string, td taskDefSchema) taskDefSchema {
	fp := append(slices.Clone(path), "file")
	if td.NetworkMode != "" || td.CPU != 0 || td.Memory != 0 || len(td.ContainerDefinitions) > 0 {
		v.bad(fp, "either file or the task definition's own keys", "both")
	}
	data, err := v.readRel(td.File)
	if err != nil {
		v.bad(fp, "a readable task definition JSON file", fmt.Sprintf("%q: %v", td.File, unwrapPathError(err)))
		return td
	}
	var j jsonTaskDef
	if err := json.Unmarshal(data, &j); err != nil {
		v.bad(fp, "task definition JSON as `aws ecs register-task-definition --cli-input-json` takes", fmt.Sprintf("%s: %s", td.File, jsonError(data, err)))
		return td
	}
	out := taskDefSchema{Family: j.Family, Revision: td.Revision, NetworkMode: j.NetworkMode, RequiresCompatibilities: j.RequiresCompatibilities,
		CPU: v.checkFlex(fp, td.File, data, "cpu", j.CPU), Memory: v.checkFlex(fp, td.File, data, "memory", j.Memory), ImageSizes: td.ImageSizes}
	if td.Family != "" {
		if j.Family != "" && j.Family != td.Family {
			v.bad(append(slices.Clone(path), "family"), fmt.Sprintf("the family in %s (%q)", td.File, j.Family), strconv.Quote(td.Family))
		}
		out.Family = td.Family
	}
	for _, c := range j.ContainerDefinitions {
		cs := containerSchema{Name: c.Name, Image: c.Image, Essential: c.Essential,
			CPU: v.checkFlex(fp, td.File, data, "cpu", c.CPU), Memory: v.checkFlex(fp, td.File, data, "memory", c.Memory),
			MemoryReservation: v.checkFlex(fp, td.File, data, "memoryReservation", c.MemoryReservation)}
		if c.StopTimeout != nil {
			cs.StopTimeout = &Duration{Duration: time.Duration(*c.StopTimeout) * time.Second, Set: true}
		}
		for _, pm := range c.PortMappings {
			cs.PortMappings = append(cs.PortMappings, portMappingSchema{ContainerPort: pm.ContainerPort, HostPort: pm.HostPort, Protocol: pm.Protocol})
		}
		out.ContainerDefinitions = append(out.ContainerDefinitions, cs)
	}
	for _, c := range j.PlacementConstraints {
		out.PlacementConstraints = append(out.PlacementConstraints, constraintSchema{Type: c.Type, Expression: c.Expression})
	}
	return out
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

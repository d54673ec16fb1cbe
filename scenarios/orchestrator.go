package scenarios

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim"
)

// One workload, two orchestrators. A scenario with a [workload] section
// names its orchestrator (orchestrator = "ecs" | "eks"); the validator reads
// [workload], with problems at its own keys, and writes the chosen
// orchestrator's entries into the decoded schema: for ECS a task definition
// and a service (with target tracking on ECSServiceAverageCPUUtilization)
// per service, a task definition and a batch job per batch; for EKS a
// Deployment (an inline manifest), its [[eks.deployment]] load and a
// HorizontalPodAutoscaler per service, a Job per batch. The rest of the
// validator and the simulation then run as for a scenario written for that
// orchestrator. A problem the generated entries meet is reported at the
// [workload] key it came from (validator.aliases). The other orchestrator's
// capacity sections are set aside for the run and still checked (the
// scenario must run under both): docs/semantics/workload-pair.md.

// The orchestrators [workload] runs on.
var orchestrators = []string{"ecs", "eks"}

// ecsUnitsPerVCPU is ECS's CPU units per vCPU; a pod's request is in
// millicores, 1000 per vCPU.
const ecsUnitsPerVCPU = 1024

// wlState is what orchestrate records for the rest of the build.
type wlState struct {
	orchestrator string
	// batchEvery: the ECS batch jobs generated from [[workload.batch]]
	// entries with every set, by batch job index: their schedule.
	batchEvery map[int]autoscale.RateSchedule
	// objects: generated Deployment and Job names -> workload path.
	objects map[string][]string
	// crossCheck is false in the validator that checks the other
	// orchestrator's half.
	crossCheck bool
	// checked is the problems there were once [workload] was checked: a
	// generated entry's problem at a key one of them names says it again.
	checked int
}

// orchestrate reads [workload] (if any) and writes the chosen
// orchestrator's entries into v.f. It runs first in build.
func (v *validator) orchestrate() {
	f := v.f
	w := f.Workload
	if w == nil {
		if f.Orchestrator != "" {
			v.badHint(p("orchestrator"), "orchestrator only with a [workload] section", quoteShort(f.Orchestrator),
				"orchestrator chooses where [workload] runs; a scenario without one is an ECS or an EKS scenario by its sections")
		}
		return
	}
	switch f.Orchestrator {
	case "ecs", "eks":
	default:
		if f.Orchestrator == "" {
			pr := v.problem(p("orchestrator"), `orchestrator = "ecs" or "eks" beside [workload]`, "none",
				"[workload] runs on the orchestrator the scenario names; `fleetsim run --set orchestrator=eks` runs it on the other")
			for _, at := range [][]string{p("workload"), p("workload", "services", 0), p("workload", "batch", 0)} {
				if pr.Line == 0 {
					pr.Line = v.loc.line(at) // the key is missing: the line of [workload]
				}
			}
			v.problems = append(v.problems, pr)
		} else {
			v.enum(p("orchestrator"), orchestrators, f.Orchestrator, 0)
		}
		// Check [workload] on its own, and one orchestrator's sections, so
		// that the orchestrator's is the problem rather than "both clusters".
		v.wl = &wlState{}
		v.wlCheck()
		if !reflect.ValueOf(f.Cluster).IsZero() {
			f.EKS = nil
		}
		return
	}
	if v.wl == nil {
		v.wl = &wlState{crossCheck: true}
	}
	v.wl.orchestrator = f.Orchestrator
	v.wl.objects = map[string][]string{}
	v.wlBeside()
	v.wlCheck()
	v.wl.checked = len(v.problems)
	switch f.Orchestrator {
	case "ecs":
		if reflect.ValueOf(f.Cluster).IsZero() {
			v.badHint(p("orchestrator"), `an ECS cluster for orchestrator = "ecs": [cluster] with availability_zones, and capacity ([[capacity_providers]], or FARGATE in the strategies)`,
				`"ecs" with no [cluster]`, "capacity stays in each orchestrator's own sections")
			return
		}
		v.workloadToECS()
	case "eks":
		if f.EKS == nil {
			v.badHint(p("orchestrator"), `an EKS cluster for orchestrator = "eks": an [eks] section (zones, node groups or NodePools)`,
				`"eks" with no [eks]`, "capacity stays in each orchestrator's own sections")
			return
		}
		v.workloadToEKS()
	}
}

// wlBeside refuses workloads given the orchestrator's own way beside
// [workload]: they would run on one orchestrator only, and the two runs of
// the scenario would no longer carry the same workload.
func (v *validator) wlBeside() {
	f := v.f
	hint := "a scenario with [workload] runs it on either orchestrator: describe every service in [[workload.services]] and every batch in [[workload.batch]]"
	for _, l := range []struct {
		key []string
		n   int
	}{{p("services"), len(f.Services)}, {p("task_definitions"), len(f.TaskDefinitions)}, {p("batch_jobs"), len(f.BatchJobs)}} {
		if l.n > 0 {
			v.badHint(append(l.key, "0"), "the workload in [workload] only", fmt.Sprintf("[[%s]] beside [workload] (%d)", l.key[0], l.n), hint)
		}
	}
	if e := f.EKS; e != nil {
		for _, l := range []struct {
			key string
			n   int
		}{{"manifests", len(e.Manifests)}, {"manifest", len(e.Manifest)}, {"deployment", len(e.Deployments)},
			{"job", len(e.Jobs)}, {"horizontal_pod_autoscaler", len(e.HPAs)}} {
			if l.n > 0 {
				at := p("eks", l.key)
				if l.key != "manifest" && l.key != "manifests" {
					at = append(at, "0") // a list of tables: its first entry's line
				}
				v.badHint(at, "the workload in [workload] only", "eks."+l.key+" beside [workload]", hint)
			}
		}
	}
}

// wlName checks a workload entry's name: a name both orchestrators take (an
// ECS service and task definition family, a Kubernetes object's DNS-1123
// label), unique in the workload.
func (v *validator) wlName(path []string, name string, seen map[string]bool) {
	switch {
	case name == "":
		v.bad(append(path, "name"), "a name", "none")
	case len(name) > 63 || !dnsLabel.MatchString(name):
		v.bad(append(path, "name"), "a name both orchestrators take: 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit", quoteShort(name))
	case seen[name]:
		v.bad(append(path, "name"), "a unique name among the workload's services and batch", quoteShort(name)+" again")
	}
	seen[name] = true
}

// wlSize checks a task's or pod's cpu and memory: vCPU that is a whole
// number of ECS CPU units and of millicores, and whole MiB.
func (v *validator) wlSize(path []string, cpu float64, mem ByteSize) {
	switch units := cpu * ecsUnitsPerVCPU; {
	case cpu <= 0:
		v.bad(append(slices.Clone(path), "cpu"), "vCPU per task or pod above 0, such as 0.5", fmt.Sprint(cpu))
	case units != math.Round(units) || cpu*1000 != math.Round(cpu*1000):
		v.bad(append(slices.Clone(path), "cpu"), "vCPU that is a whole number of ECS CPU units (1024 a vCPU) and of millicores, such as 0.25, 0.5 or 2", fmt.Sprint(cpu))
	}
	switch {
	case !mem.Set || mem.Bytes <= 0:
		v.bad(append(slices.Clone(path), "memory"), `memory per task or pod, such as "1GiB"`, "none")
	case mem.Bytes%(1<<20) != 0:
		v.bad(append(slices.Clone(path), "memory"), `a whole number of MiB (ECS task memory is in MiB), such as "512MiB"`, fmt.Sprintf("%d bytes", mem.Bytes))
	}
}

// wlCheck checks [workload] on its own keys, whatever the orchestrator.
func (v *validator) wlCheck() {
	w := v.f.Workload
	seen := map[string]bool{}
	if len(w.Services)+len(w.Batch) == 0 {
		v.bad(p("workload"), "at least one [[workload.services]] or [[workload.batch]]", "none")
	}
	for i, s := range w.Services {
		path := p("workload", "services", i)
		k := func(key ...string) []string { return append(slices.Clone(path), key...) }
		v.wlName(path, s.Name, seen)
		if s.Image == "" {
			v.bad(k("image"), "the container image", "none")
		}
		v.wlSize(path, s.CPU, s.Memory)
		if s.Replicas != nil && *s.Replicas < 0 {
			v.bad(k("replicas"), "replicas >= 0", strconv.Itoa(*s.Replicas))
		}
		if a := s.AutoScaling; a != nil {
			if a.MaxReplicas == nil {
				v.bad(k("auto_scaling", "max_replicas"), "the most replicas scaling may set (ECS max_capacity, the HPA's maxReplicas)", "none")
			}
			if a.TargetCPUUtilization == nil {
				v.bad(k("auto_scaling", "target_cpu_utilization"), "the average CPU utilisation to keep, a percentage such as 60", "none")
			}
			lo := 1
			if a.MinReplicas != nil {
				lo = *a.MinReplicas
				if lo < 1 {
					// The HPA's minReplicas is at least 1 (0 only behind the HPAScaleToZero gate).
					v.bad(k("auto_scaling", "min_replicas"), "min_replicas >= 1 (the HPA's minReplicas)", strconv.Itoa(lo))
				}
			}
			if a.MaxReplicas != nil && *a.MaxReplicas < lo {
				v.bad(k("auto_scaling", "max_replicas"), fmt.Sprintf("max_replicas >= min_replicas (%d)", lo), strconv.Itoa(*a.MaxReplicas))
			}
		}
		if l := s.Load; l != nil && l.CPUSecondsPerRequest <= 0 {
			v.bad(k("load", "cpu_seconds_per_request"), "the vCPU-seconds one request takes (what a task or pod serves follows from it and cpu)", "none")
		}
	}
	for i, b := range w.Batch {
		path := p("workload", "batch", i)
		k := func(key ...string) []string { return append(slices.Clone(path), key...) }
		v.wlName(path, b.Name, seen)
		if b.Image == "" {
			v.bad(k("image"), "the container image", "none")
		}
		v.wlSize(path, b.CPU, b.Memory)
		if b.Count < 1 {
			v.bad(k("count"), "the tasks or completions of each run of the batch, at least 1", strconv.Itoa(b.Count))
		}
		if b.Parallelism != nil && (*b.Parallelism < 1 || *b.Parallelism > max(b.Count, 1)) {
			v.bad(k("parallelism"), fmt.Sprintf("parallelism from 1 to count (%d)", b.Count), strconv.Itoa(*b.Parallelism))
		}
		if v.f.Duration.Set && b.Start.Duration >= v.f.Duration.Duration {
			v.bad(k("start"), fmt.Sprintf("a time within the run (before %s)", v.f.Duration.Duration), b.Start.Duration.String())
		}
		if b.Every.Set && b.Every.Duration < time.Minute {
			v.bad(k("every"), "a period of at least a minute", b.Every.Duration.String())
		}
		if d := b.Duration; d.Distribution != "fixed" {
			got := "none"
			if d.Distribution != "" {
				got = quoteShort(d.Distribution)
			}
			v.badHint(k("duration", "distribution"), `"fixed", the one distribution both orchestrators draw`, got,
				"an EKS Job's pods run run_time with a normal spread, an ECS batch task's duration follows a distribution: only fixed is the same on both")
		} else if !d.Value.Set || d.Value.Duration <= 0 {
			v.bad(k("duration", "value"), "how long each task or pod runs, such as \"20m\"", quoteOrNone(d.Value))
		}
		if b.Retries < 0 {
			v.bad(k("retries"), "retries >= 0", strconv.Itoa(b.Retries))
		}
	}
}

// alias records that problems at the generated path from are reported at
// the workload path to.
func (v *validator) alias(from, to []string) {
	if v.aliases == nil {
		v.aliases = map[string][]string{}
	}
	v.aliases[strings.Join(from, ".")] = to
}

// unalias maps a path of a generated entry to the [workload] key it came
// from (the longest aliased prefix); other paths are returned as they are.
func (v *validator) unalias(path []string) []string {
	for n := len(path); n > 0 && v.aliases != nil; n-- {
		if to, ok := v.aliases[strings.Join(path[:n], ".")]; ok {
			return append(slices.Clone(to), path[n:]...)
		}
	}
	return path
}

// usesFargate reports whether a launch type or strategy (or, when neither
// is given, the default strategy) runs on Fargate.
func usesFargate(launchType string, strategy, def []strategySchema) bool {
	if launchType != "" {
		return launchType == "FARGATE"
	}
	if len(strategy) == 0 {
		strategy = def
	}
	return slices.ContainsFunc(strategy, func(s strategySchema) bool {
		return s.CapacityProvider == "FARGATE" || s.CapacityProvider == "FARGATE_SPOT"
	})
}

// wlTaskDef is the task definition of a workload entry.
func wlTaskDef(name, image string, size ByteSize, cpu float64, mem ByteSize, mode string, fargate bool) taskDefSchema {
	compat := []string{"EC2"}
	if fargate {
		compat = []string{"FARGATE"}
	}
	if mode == "" {
		mode = "bridge" // the EC2 default here (docs/semantics/workload-pair.md); awsvpc is Fargate's only mode
		if fargate {
			mode = "awsvpc"
		}
	}
	return taskDefSchema{Family: name, NetworkMode: mode, RequiresCompatibilities: compat,
		CPU: int(math.Round(cpu * ecsUnitsPerVCPU)), Memory: int(mem.Bytes >> 20),
		ContainerDefinitions: []containerSchema{{Name: name, Image: image, ImageSize: size}}}
}

// workloadToECS writes the ECS entries of [workload].
func (v *validator) workloadToECS() {
	f := v.f
	w := f.Workload
	f.EKS = nil // set aside for this run; crossCheck checks it
	var def []strategySchema
	if w.ECS != nil && len(w.ECS.DefaultCapacityProviderStrategy) > 0 {
		if len(f.Cluster.DefaultCapacityProviderStrategy) > 0 {
			v.bad(p("workload", "ecs", "default_capacity_provider_strategy"), "the default strategy in one place", "here and in cluster.default_capacity_provider_strategy")
		}
		f.Cluster.DefaultCapacityProviderStrategy = w.ECS.DefaultCapacityProviderStrategy
		v.alias(p("cluster", "default_capacity_provider_strategy"), p("workload", "ecs", "default_capacity_provider_strategy"))
	}
	def = f.Cluster.DefaultCapacityProviderStrategy
	var tds []taskDefSchema
	var svcs []serviceSchema
	for i, s := range w.Services {
		wp := p("workload", "services", i)
		sub := func(key ...string) []string { return append(slices.Clone(wp), key...) }
		e := wlServiceECS{}
		if s.ECS != nil {
			e = *s.ECS
		}
		fargate := usesFargate(e.LaunchType, e.CapacityProviderStrategy, def)
		td := wlTaskDef(s.Name, s.Image, s.ImageSize, s.CPU, s.Memory, e.NetworkMode, fargate)
		ti, si := len(tds), len(svcs)
		tds = append(tds, td)
		v.alias(p("task_definitions", ti), wp)
		v.alias(p("task_definitions", ti, "network_mode"), sub("ecs", "network_mode"))
		v.alias(p("task_definitions", ti, "container_definitions", 0), wp)
		replicas := wlReplicas(s)
		svc := serviceSchema{Name: s.Name, TaskDefinition: s.Name, DesiredCount: replicas, LaunchType: e.LaunchType,
			CapacityProviderStrategy: e.CapacityProviderStrategy, PlacementStrategy: e.PlacementStrategy,
			PlacementConstraints: e.PlacementConstraints, Load: s.Load}
		v.alias(p("services", si), wp)
		v.alias(p("services", si, "desired_count"), sub("replicas"))
		v.alias(p("services", si, "task_definition"), wp)
		for _, key := range []string{"launch_type", "capacity_provider_strategy", "placement_strategy", "placement_constraints"} {
			v.alias(p("services", si, key), sub("ecs", key))
		}
		if a := s.AutoScaling; a != nil && a.TargetCPUUtilization != nil {
			lo := 1
			if a.MinReplicas != nil {
				lo = *a.MinReplicas
			}
			svc.AutoScaling = &autoScalingSchema{MinCapacity: &lo, MaxCapacity: a.MaxReplicas,
				TargetTracking: []targetTrackingSchema{{PredefinedMetric: "ECSServiceAverageCPUUtilization",
					TargetValue: float64(*a.TargetCPUUtilization), ScaleOutCooldown: e.ScaleOutCooldown, ScaleInCooldown: e.ScaleInCooldown}}}
			v.alias(p("services", si, "auto_scaling"), sub("auto_scaling"))
			v.alias(p("services", si, "auto_scaling", "min_capacity"), sub("auto_scaling", "min_replicas"))
			v.alias(p("services", si, "auto_scaling", "max_capacity"), sub("auto_scaling", "max_replicas"))
			v.alias(p("services", si, "auto_scaling", "target_tracking", 0, "target_value"), sub("auto_scaling", "target_cpu_utilization"))
			v.alias(p("services", si, "auto_scaling", "target_tracking", 0, "scale_out_cooldown"), sub("ecs", "scale_out_cooldown"))
			v.alias(p("services", si, "auto_scaling", "target_tracking", 0, "scale_in_cooldown"), sub("ecs", "scale_in_cooldown"))
		}
		svcs = append(svcs, svc)
	}
	start := defaultStart
	if f.Start != nil {
		start = f.Start.UTC()
	}
	var jobs []batchJobSchema
	v.wl.batchEvery = map[int]autoscale.RateSchedule{}
	for i, b := range w.Batch {
		wp := p("workload", "batch", i)
		sub := func(key ...string) []string { return append(slices.Clone(wp), key...) }
		e := wlBatchECS{}
		if b.ECS != nil {
			e = *b.ECS
		}
		fargate := usesFargate(e.LaunchType, e.CapacityProviderStrategy, def)
		ti, ji := len(tds), len(jobs)
		tds = append(tds, wlTaskDef(b.Name, b.Image, b.ImageSize, b.CPU, b.Memory, e.NetworkMode, fargate))
		v.alias(p("task_definitions", ti), wp)
		v.alias(p("task_definitions", ti, "network_mode"), sub("ecs", "network_mode"))
		v.alias(p("task_definitions", ti, "container_definitions", 0), wp)
		// An EventBridge schedule's RunTask: count tasks at start (and each
		// every after), as an at() schedule the periodic one replaces.
		first := start.Add(b.Start.Duration)
		j := batchJobSchema{Name: b.Name, TaskDefinition: b.Name, LaunchType: e.LaunchType, CapacityProviderStrategy: e.CapacityProviderStrategy,
			Arrivals: arrivalsSchema{Pattern: "cron", Schedule: "at(" + first.Format("2006-01-02T15:04:05") + ")", TasksPerFiring: max(b.Count, 1)},
			Duration: b.Duration, Retries: b.Retries}
		if b.Every.Set && b.Every.Duration > 0 {
			v.wl.batchEvery[ji] = autoscale.RateSchedule{Anchor: first, Every: b.Every.Duration} // rate(): first, then each every
		}
		v.alias(p("batch_jobs", ji), wp)
		v.alias(p("batch_jobs", ji, "task_definition"), wp)
		v.alias(p("batch_jobs", ji, "arrivals"), sub("start"))
		v.alias(p("batch_jobs", ji, "arrivals", "tasks_per_firing"), sub("count"))
		for _, key := range []string{"launch_type", "capacity_provider_strategy"} {
			v.alias(p("batch_jobs", ji, key), sub("ecs", key))
		}
		if b.Parallelism != nil && *b.Parallelism < b.Count {
			v.warn(sub("parallelism"), "a parallelism ECS can keep", fmt.Sprintf("%d of %d", *b.Parallelism, b.Count),
				"ECS RunTask has no parallelism: the batch's tasks all start at once and run as capacity allows (on EKS the Job keeps to it)")
		}
		jobs = append(jobs, j)
	}
	f.TaskDefinitions, f.Services, f.BatchJobs = tds, svcs, jobs
}

// wlReplicas is a service's replicas: as given, else min_replicas, else 1.
func wlReplicas(s wlServiceSchema) int {
	switch {
	case s.Replicas != nil:
		return *s.Replicas
	case s.AutoScaling != nil && s.AutoScaling.MinReplicas != nil:
		return *s.AutoScaling.MinReplicas
	}
	return 1
}

// wlBatchSchedules gives the generated ECS batch jobs with every set their
// periodic schedule: count tasks at start and each every after.
func (v *validator) wlBatchSchedules(cfg *sim.Config) {
	if v.wl == nil || v.wl.orchestrator != "ecs" {
		return
	}
	for i, s := range v.wl.batchEvery {
		if i < len(cfg.BatchJobs) {
			cfg.BatchJobs[i].Arrivals.Schedule = s
		}
	}
}

// The EKS side.

// wlNamespace is an entry's namespace: its own, the workload's, "default".
func wlNamespace(e *wlEKS, d *wlDefaultsEKS) string {
	switch {
	case e != nil && e.Namespace != "":
		return e.Namespace
	case d != nil && d.Namespace != "":
		return d.Namespace
	}
	return "default"
}

// quantityCPU is vCPU as a Kubernetes quantity in millicores ("500m").
func quantityCPU(cpu float64) string { return strconv.FormatInt(int64(math.Round(cpu*1000)), 10) + "m" }

// quantityMemory is bytes as a quantity ("1024Mi").
func quantityMemory(b int64) string { return strconv.FormatInt(b>>20, 10) + "Mi" }

// podSpecJSON is a workload entry's pod spec as a manifest's.
func podSpecJSON(name, image string, cpu float64, mem ByteSize, e *wlEKS, labels map[string]string, restart string) map[string]any {
	res := map[string]any{"requests": map[string]any{"cpu": quantityCPU(cpu), "memory": quantityMemory(mem.Bytes)},
		"limits": map[string]any{"memory": quantityMemory(mem.Bytes)}}
	spec := map[string]any{"containers": []any{map[string]any{"name": name, "image": image, "resources": res}}}
	if restart != "" {
		spec["restartPolicy"] = restart
	}
	if e == nil {
		return spec
	}
	if len(e.NodeSelector) > 0 {
		spec["nodeSelector"] = e.NodeSelector
	}
	var tols []any
	for _, t := range e.Tolerations {
		m := map[string]any{}
		for k, val := range map[string]string{"key": t.Key, "operator": t.Operator, "value": t.Value, "effect": t.Effect} {
			if val != "" {
				m[k] = val
			}
		}
		tols = append(tols, m)
	}
	if len(tols) > 0 {
		spec["tolerations"] = tols
	}
	var spread []any
	for _, c := range e.TopologySpreadConstraints {
		spread = append(spread, map[string]any{"maxSkew": c.MaxSkew, "topologyKey": c.TopologyKey,
			"whenUnsatisfiable": c.WhenUnsatisfiable, "labelSelector": map[string]any{"matchLabels": labels}})
	}
	if len(spread) > 0 {
		spec["topologySpreadConstraints"] = spread
	}
	if e.PriorityClassName != "" {
		spec["priorityClassName"] = e.PriorityClassName
	}
	return spec
}

// wlLabels is an entry's pod labels: app=NAME and its own.
func wlLabels(name string, e *wlEKS) map[string]string {
	out := map[string]string{"app": name}
	if e != nil {
		for k, val := range e.Labels {
			out[k] = val
		}
	}
	return out
}

// manifestDoc encodes one manifest object as JSON (a YAML document).
func manifestDoc(obj map[string]any) string {
	b, _ := json.MarshalIndent(obj, "", "  ") // maps of strings, numbers and lists: cannot fail
	return string(b)
}

// workloadToEKS writes the EKS entries of [workload].
func (v *validator) workloadToEKS() {
	f := v.f
	w := f.Workload
	// The ECS sections are set aside for this run; crossCheck checks them.
	f.Cluster, f.AutoScalingGroups, f.CapacityProviders, f.Timeline = clusterSchema{}, nil, nil, nil
	e := *f.EKS
	f.EKS = &e
	e.ImageSizes = maps.Clone(e.ImageSizes)
	if e.ImageSizes == nil {
		e.ImageSizes = map[string]ByteSize{}
	}
	var docs []string
	e.Deployments, e.HPAs, e.Jobs = nil, nil, nil
	for i, s := range w.Services {
		wp := p("workload", "services", i)
		sub := func(key ...string) []string { return append(slices.Clone(wp), key...) }
		ns := wlNamespace(s.EKS, w.EKS)
		labels := wlLabels(s.Name, s.EKS)
		if s.ImageSize.Set {
			if _, ok := e.ImageSizes[s.Image]; !ok {
				e.ImageSizes[s.Image] = s.ImageSize
			}
		}
		docs = append(docs, manifestDoc(map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": s.Name, "namespace": ns, "labels": labels},
			"spec": map[string]any{"replicas": wlReplicas(s), "selector": map[string]any{"matchLabels": map[string]string{"app": s.Name}},
				"template": map[string]any{"metadata": templateMeta(labels, s.EKS),
					"spec": podSpecJSON(s.Name, s.Image, s.CPU, s.Memory, s.EKS, map[string]string{"app": s.Name}, "")}}}))
		v.wl.objects["Deployment/"+s.Name] = wp
		di := len(e.Deployments)
		d := eksDeploymentSchema{Name: s.Name, Namespace: ns}
		// The same load as the ECS service's: cpu_seconds_per_request and
		// latency_slo serve it through the same queueing model (a pod of
		// cpu vCPU serves cpu / cpu_seconds_per_request at 100%).
		d.Load = s.Load
		e.Deployments = append(e.Deployments, d)
		v.alias(p("eks", "deployment", di), wp)
		v.alias(p("eks", "deployment", di, "pod_requests_per_second"), sub("load", "cpu_seconds_per_request"))
		if a := s.AutoScaling; a != nil && a.TargetCPUUtilization != nil {
			hi := len(e.HPAs)
			e.HPAs = append(e.HPAs, hpaSchema{Name: s.Name, Namespace: ns, Deployment: s.Name, MinReplicas: a.MinReplicas, MaxReplicas: a.MaxReplicas,
				Metrics: []hpaMetricSchema{{Type: "Resource", Resource: &hpaResourceMetricSchema{Name: "cpu",
					Target: hpaTargetSchema{Type: "Utilization", AverageUtilization: a.TargetCPUUtilization}}}}})
			v.alias(p("eks", "horizontal_pod_autoscaler", hi), sub("auto_scaling"))
			v.alias(p("eks", "horizontal_pod_autoscaler", hi, "metrics"), sub("auto_scaling", "target_cpu_utilization"))
		}
	}
	for i, b := range w.Batch {
		wp := p("workload", "batch", i)
		sub := func(key ...string) []string { return append(slices.Clone(wp), key...) }
		ns := wlNamespace(b.EKS, w.EKS)
		labels := wlLabels(b.Name, b.EKS)
		if b.ImageSize.Set {
			if _, ok := e.ImageSizes[b.Image]; !ok {
				e.ImageSizes[b.Image] = b.ImageSize
			}
		}
		par := b.Count
		if b.Parallelism != nil {
			par = *b.Parallelism
		}
		docs = append(docs, manifestDoc(map[string]any{"apiVersion": "batch/v1", "kind": "Job",
			"metadata": map[string]any{"name": b.Name, "namespace": ns, "labels": labels},
			"spec": map[string]any{"completions": b.Count, "parallelism": par, "backoffLimit": b.Retries,
				"template": map[string]any{"metadata": templateMeta(labels, b.EKS),
					"spec": podSpecJSON(b.Name, b.Image, b.CPU, b.Memory, b.EKS, map[string]string{"app": b.Name}, "Never")}}}))
		v.wl.objects["Job/"+b.Name] = wp
		ji := len(e.Jobs)
		e.Jobs = append(e.Jobs, eksJobSchema{Name: b.Name, Namespace: ns, Start: b.Start, Every: b.Every, RunTime: b.Duration.Value})
		v.alias(p("eks", "job", ji), wp)
		v.alias(p("eks", "job", ji, "run_time"), sub("duration", "value"))
	}
	e.Manifest = strings.Join(docs, "\n---\n")
}

// wlObjectProblems reports the problems found in the generated manifest
// (Deployment "web": spec.template.spec...) at the workload entry it came
// from.
func (v *validator) wlObjectProblems() {
	if v.wl == nil {
		return
	}
	defer v.wlDropRepeats()
	for i, pr := range v.problems {
		if pr.File != v.file {
			continue
		}
		for _, kind := range []string{"Deployment", "Job"} {
			for name, wp := range v.wl.objects {
				if !strings.HasPrefix(name, kind+"/") {
					continue
				}
				obj := fmt.Sprintf("%s %q", kind, strings.TrimPrefix(name, kind+"/"))
				if pr.Key != obj && !strings.HasPrefix(pr.Key, obj+": ") {
					continue
				}
				field := strings.TrimPrefix(strings.TrimPrefix(pr.Key, obj), ": ")
				q := v.problem(wp, pr.Want, pr.Got, pr.Hint)
				if field != "" {
					q.Hint = strings.TrimPrefix(q.Hint+"; in the "+kind+" made of it, at "+field, "; ")
				}
				v.problems[i] = q
			}
		}
	}
}

// crossCheck checks the other orchestrator's half of a [workload] scenario
// whose other capacity sections are there: the scenario must run under both
// (a sweep varies orchestrator), so a problem there is the file's now, not
// a surprise for the other run.
func (v *validator) crossCheck(orig fileSchema) {
	if v.wl == nil || !v.wl.crossCheck || orig.Workload == nil {
		return
	}
	other := "eks"
	switch {
	case v.wl.orchestrator == "ecs" && orig.EKS != nil:
	case v.wl.orchestrator == "eks" && !reflect.ValueOf(orig.Cluster).IsZero():
		other = "ecs"
	default:
		return
	}
	g := orig
	g.Orchestrator = other
	o := &validator{file: v.file, loc: v.loc, f: &g, readRel: v.readRel, wl: &wlState{}}
	o.build()
	have := map[string]bool{}
	for _, pr := range v.problems {
		have[pr.Error()] = true
	}
	for _, pr := range o.problems {
		if have[pr.Error()] {
			continue
		}
		have[pr.Error()] = true
		pr.Hint = strings.TrimPrefix(pr.Hint+"; found checking the scenario with orchestrator = "+strconv.Quote(other), "; ")
		v.problems = append(v.problems, pr)
	}
}

// workloadEntryName names a [workload] list entry for display.
func (v *validator) workloadEntryName(list string, i int) string {
	w := v.f.Workload
	switch {
	case w == nil:
	case list == "services" && i < len(w.Services):
		return w.Services[i].Name
	case list == "batch" && i < len(w.Batch):
		return w.Batch[i].Name
	}
	return ""
}

// templateMeta is a pod template's metadata: its labels and annotations.
func templateMeta(labels map[string]string, e *wlEKS) map[string]any {
	m := map[string]any{"labels": labels}
	if e != nil && len(e.Annotations) > 0 {
		m["annotations"] = e.Annotations
	}
	return m
}

// wlDropRepeats drops a generated entry's problem at a key that a problem
// of [workload] itself names (cpu 0.1 is not a whole number of CPU units:
// the task definition's "at least 128 units" would say it again).
func (v *validator) wlDropRepeats() {
	n := min(v.wl.checked, len(v.problems))
	named := map[string]bool{}
	parent := func(key string) string {
		if i := strings.LastIndexByte(key, '.'); i > 0 && strings.HasPrefix(key, "workload.") {
			return key[:i]
		}
		return key
	}
	for _, pr := range v.problems[:n] {
		named[pr.Key] = true
		named[parent(pr.Key)+".*"] = true
	}
	out := v.problems[:n]
	for _, pr := range v.problems[n:] {
		if !named[pr.Key] && !named[parent(pr.Key)+".*"] {
			out = append(out, pr)
		}
	}
	v.problems = out
}

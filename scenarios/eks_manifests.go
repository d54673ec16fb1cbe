package scenarios

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	pkube "github.com/fleetsim/fleetsim/placement/kube"
	mkube "github.com/fleetsim/fleetsim/scenarios/kube"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// eksObjects is what the manifests hold that fleetsim runs, each with the
// index of the manifest it came from.
type eksObjects struct {
	// unread is set when a manifest could not be read: what names its
	// objects is not checked against what was read.
	unread      bool
	deployments []mkube.Deployment
	jobs        []mkube.Job
	daemonSets  []mkube.DaemonSet
	pods        []mkube.Pod
	hpas        []*hpaDraft // HorizontalPodAutoscalers (eks_hpa.go)
}

// eksManifests reads the files eks.manifests names (relative to the
// scenario; a library scenario's from the library) with scenarios/kube. A
// manifest's problems are the scenario's, each at the manifest's own file
// and line, with the scenario line that named the file as a hint.
func (v *validator) eksManifests() eksObjects {
	var objs eksObjects
	seen := map[string]mkube.Source{}
	type source struct {
		from    []string
		display string
		data    []byte
		offset  int // lines before the text's first (an inline manifest's)
	}
	var sources []source
	for i, rel := range v.f.EKS.Manifests {
		from := p("eks", "manifests", i)
		data, ok := v.readFile(from, rel, "Kubernetes manifest (YAML or JSON)")
		if !ok {
			objs.unread = true
			continue
		}
		display := rel
		if !path.IsAbs(rel) {
			display = path.Join(path.Dir(v.file), rel)
		}
		sources = append(sources, source{from: from, display: display, data: data})
	}
	if text := v.f.EKS.Manifest; text != "" {
		from := p("eks", "manifest")
		start, ok := v.loc.texts["eks.manifest"]
		if !ok {
			start = v.loc.line(from) // a one-line string: its lines are the key's
		}
		sources = append(sources, source{from: from, display: v.file, data: []byte(text), offset: start - 1})
	}
	for _, src := range sources {
		from, display, data := src.from, src.display, src.data
		ref := fmt.Sprintf("the manifest of %s, %s:%d", v.display(from), v.file, v.loc.line(from))
		if from[len(from)-1] == "manifest" {
			ref = "in " + v.display(from)
		}
		m, err := mkube.Parse(display, data)
		shift(&m, err, src.offset)
		if ps, isProblems := err.(mkube.Problems); isProblems {
			for _, mp := range ps {
				v.problems = append(v.problems, manifestProblem(mp, ref))
			}
			objs.unread = true
			continue
		} else if err != nil {
			v.bad(from, "a Kubernetes manifest", fmt.Sprintf("%s: %v", quoteShort(display), err))
			objs.unread = true
			continue
		}
		for _, mp := range m.Warnings {
			v.warnings = append(v.warnings, manifestProblem(mp, ref))
		}
		objs.hpas = append(objs.hpas, v.manifestHPAs(display, data, src.offset, ref, m.Ignored)...)
		for _, o := range m.Ignored {
			switch o.Kind {
			case "PodDisruptionBudget", "PriorityClass":
				table := map[string]string{"PodDisruptionBudget": "[[eks.pod_disruption_budget]]", "PriorityClass": "[[eks.priority_class]]"}[o.Kind]
				v.warnings = append(v.warnings, Problem{File: o.Source.File, Line: o.Source.Line, Key: fmt.Sprintf("%s %q", o.Kind, o.Name),
					Want: "a kind fleetsim reads from a manifest (Deployment, Job, DaemonSet, Pod)", Got: o.Kind,
					Hint: "not read: give it in the scenario as " + table})
			case "NodePool", "EC2NodeClass": // Karpenter's (eks_karpenter.go)
				table := map[string]string{"NodePool": "[[eks.node_pools]]", "EC2NodeClass": "[[eks.node_classes]]"}[o.Kind]
				v.warnings = append(v.warnings, Problem{File: o.Source.File, Line: o.Source.Line, Key: fmt.Sprintf("%s %q", o.Kind, o.Name),
					Want: "a kind fleetsim reads from a manifest (Deployment, Job, DaemonSet, Pod)", Got: o.Kind,
					Hint: "not read yet: give it in the scenario as " + table + " (its fields in snake_case)"})
			}
		}
		unique := func(kind string, meta mkube.ObjectMeta, src mkube.Source) bool {
			if !v.objectNames(kind, meta, src) {
				return false
			}
			id := kind + "/" + meta.Namespace + "/" + meta.Name
			if first, dup := seen[id]; dup {
				v.problems = append(v.problems, Problem{File: src.File, Line: src.Line, Key: fmt.Sprintf("%s %q", kind, meta.Name),
					Want: "each object once in the scenario's manifests", Got: fmt.Sprintf("again (first at %s:%d)", first.File, first.Line)})
				return false
			}
			seen[id] = src
			return true
		}
		for _, d := range m.Deployments {
			if unique("Deployment", d.Meta, d.Source) {
				objs.deployments = append(objs.deployments, d)
			}
		}
		for _, j := range m.Jobs {
			if unique("Job", j.Meta, j.Source) {
				objs.jobs = append(objs.jobs, j)
			}
		}
		for _, d := range m.DaemonSets {
			if unique("DaemonSet", d.Meta, d.Source) {
				objs.daemonSets = append(objs.daemonSets, d)
			}
		}
		for _, pd := range m.Pods {
			if unique("Pod", pd.Meta, pd.Source) {
				objs.pods = append(objs.pods, pd)
			}
		}
	}
	return objs
}

// manifestProblem is a manifest's problem in the scenario's form: the
// manifest's file and line, the object and its field path as the key.
func manifestProblem(mp mkube.Problem, ref string) Problem {
	key := mp.Path
	switch {
	case mp.Object != "" && key != "":
		key = mp.Object + ": " + key
	case mp.Object != "":
		key = mp.Object
	}
	hint := ref
	if mp.Hint != "" {
		hint = mp.Hint + "; " + ref
	}
	return Problem{File: mp.File, Line: mp.Line, Key: key, Want: mp.Want, Got: mp.Got, Hint: hint}
}

// site is where a manifest object is, for the problems found in it after
// it was read.
type site struct {
	file   string
	line   int
	object string // `Deployment "web"`
}

func siteOf(kind string, meta mkube.ObjectMeta, src mkube.Source) site {
	return site{file: src.File, line: src.Line, object: fmt.Sprintf("%s %q", kind, meta.Name)}
}

func (s site) problem(field, want, got, hint string) Problem {
	key := s.object
	if field != "" {
		key += ": " + field
	}
	return Problem{File: s.file, Line: s.line, Key: key, Want: want, Got: got, Hint: hint}
}

// eksWorkloads turns the manifests' objects into the cluster's workloads,
// with the simulation keys of [[eks.deployment]] and [[eks.job]].
func (v *validator) eksWorkloads(cfg *sim.Config, cl *eks.Config, objs eksObjects) {
	e := v.f.EKS
	start := cfg.Settings.ContainerStartTime
	if e.PodStartTime != nil {
		start = e.PodStartTime.Duration
	}
	fit := v.newFitCheck(cl, cfg)
	used := make([]bool, len(e.Deployments))
	for _, d := range objs.deployments {
		s := siteOf("Deployment", d.Meta, d.Source)
		i := v.simKeys(d.Meta, len(e.Deployments), func(i int) (string, string) { return e.Deployments[i].Name, e.Deployments[i].Namespace })
		st := start
		if i >= 0 {
			used[i] = true
			if ps := e.Deployments[i].PodStartTime; ps != nil {
				st = ps.Duration
			}
		}
		out := eks.Deployment{Name: d.Meta.Name, Namespace: d.Meta.Namespace, Replicas: d.Replicas, MinReady: d.MinReady,
			Recreate:       d.Strategy.Type == mkube.Recreate,
			MaxSurge:       eks.IntOrPercent{Value: d.Strategy.MaxSurge.Value, Percent: d.Strategy.MaxSurge.Percent},
			MaxUnavailable: eks.IntOrPercent{Value: d.Strategy.MaxUnavailable.Value, Percent: d.Strategy.MaxUnavailable.Percent}}
		out.Template = v.podTemplate(s, "spec.template", d.Template.Meta, d.Template.Spec, d.Meta.Namespace, cl, st)
		// kube-scheduler's default spreading selects by the ReplicaSet's
		// selector: the Deployment's (plugins/helper DefaultSelector).
		sel := convertSelector(&d.Selector)
		out.Template.Pod.DefaultSpreadSelector = sel
		if i >= 0 {
			v.deploymentLoad(p("eks", "deployment", i), e.Deployments[i], &out, cfg)
		}
		fit.check(v, s, "spec.template.spec", out.Template, d.Replicas > 0)
		cl.Deployments = append(cl.Deployments, out)
	}
	if !objs.unread {
		v.unusedSimKeys("deployment", "the Deployments", used, func(i int) string { return e.Deployments[i].Name }, deploymentNames(objs))
	}

	used = make([]bool, len(e.Jobs))
	for _, j := range objs.jobs {
		s := siteOf("Job", j.Meta, j.Source)
		i := v.simKeys(j.Meta, len(e.Jobs), func(i int) (string, string) { return e.Jobs[i].Name, e.Jobs[i].Namespace })
		if i < 0 {
			v.problems = append(v.problems, s.problem("", "a [[eks.job]] in the scenario naming it, with its pods' run_time (a manifest does not say how long they run)", "none", ""))
			continue
		}
		used[i] = true
		js := e.Jobs[i]
		st := start
		if js.PodStartTime != nil {
			st = js.PodStartTime.Duration
		}
		completions := j.Parallelism // a work queue (no completions): its parallel pods run once
		if j.Completions != nil {
			completions = *j.Completions
		}
		out := eks.Job{Name: j.Meta.Name, Namespace: j.Meta.Namespace, Completions: completions, Parallelism: j.Parallelism,
			BackoffLimit: j.BackoffLimit, At: js.Start.Duration, Every: js.Every.Duration}
		out.Template = v.podTemplate(s, "spec.template", j.Template.Meta, j.Template.Spec, j.Meta.Namespace, cl, st)
		v.jobKeys(p("eks", "job", i), js, &out, cfg)
		fit.check(v, s, "spec.template.spec", out.Template, completions > 0)
		cl.Jobs = append(cl.Jobs, out)
	}
	if !objs.unread {
		v.unusedSimKeys("job", "the Jobs", used, func(i int) string { return e.Jobs[i].Name }, jobNames(objs))
	}

	for _, d := range objs.daemonSets {
		s := siteOf("DaemonSet", d.Meta, d.Source)
		out := eks.DaemonSet{Name: d.Meta.Name, Namespace: d.Meta.Namespace}
		out.Template = v.podTemplate(s, "spec.template", d.Template.Meta, d.Template.Spec, d.Meta.Namespace, cl, start)
		fit.check(v, s, "spec.template.spec", out.Template, true)
		cl.DaemonSets = append(cl.DaemonSets, out)
	}
	for _, pd := range objs.pods {
		s := siteOf("Pod", pd.Meta, pd.Source)
		out := eks.Pod{Name: pd.Meta.Name, Namespace: pd.Meta.Namespace}
		out.Template = v.podTemplate(s, "", pd.Meta, pd.Spec, pd.Meta.Namespace, cl, start)
		out.Template.Pod.Name = pd.Meta.Name
		fit.check(v, s, "spec", out.Template, true)
		cl.Pods = append(cl.Pods, out)
	}
}

// simKeys finds the [[eks.deployment]] or [[eks.job]] entry naming the
// object (namespace "default" when the entry gives none); -1: none.
func (v *validator) simKeys(meta mkube.ObjectMeta, n int, at func(int) (name, ns string)) int {
	for i := range n {
		name, ns := at(i)
		if ns == "" {
			ns = "default"
		}
		if name == meta.Name && ns == meta.Namespace {
			return i
		}
	}
	return -1
}

// unusedSimKeys reports the entries that name no object of the manifests.
func (v *validator) unusedSimKeys(table, what string, used []bool, name func(int) string, names []string) {
	for i, u := range used {
		if !u {
			v.badName(p("eks", table, i, "name"), what+" of eks.manifests (namespace default unless the entry names one)", name(i), names)
		}
	}
}

func deploymentNames(o eksObjects) []string {
	var out []string
	for _, d := range o.deployments {
		out = append(out, d.Meta.Name)
	}
	return out
}

func jobNames(o eksObjects) []string {
	var out []string
	for _, j := range o.jobs {
		out = append(out, j.Meta.Name)
	}
	return out
}

// jobKeys reads a Job's simulation keys: when it is created (start, and
// every for a CronJob-like repeat), how long its pods run (run_time, spread
// by run_time_stddev) and how often one fails.
func (v *validator) jobKeys(path []string, js eksJobSchema, out *eks.Job, cfg *sim.Config) {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	if !js.RunTime.Set || js.RunTime.Duration <= 0 {
		v.bad(k("run_time"), "how long the Job's pods run, a positive duration such as \"20m\"", quoteOrNone(js.RunTime))
	}
	if js.Start.Duration < 0 || js.Start.Duration > cfg.Duration {
		v.bad(k("start"), fmt.Sprintf("a time within the run (0 to %s)", cfg.Duration), js.Start.Duration.String())
	}
	if js.Every.Set && js.Every.Duration < time.Minute {
		v.bad(k("every"), "a period of at least a minute (a CronJob's schedule is per minute)", js.Every.Duration.String())
	}
	if js.RunTimeStdDev.Duration < 0 {
		v.bad(k("run_time_stddev"), "a non-negative duration", js.RunTimeStdDev.Duration.String())
	}
	if js.FailureProbability < 0 || js.FailureProbability > 1 {
		v.bad(k("failure_probability"), "a probability from 0 to 1", fmt.Sprint(js.FailureProbability))
	}
	out.Template.Run, out.Template.RunStdDev = js.RunTime.Duration, js.RunTimeStdDev.Duration
	out.Template.FailureProbability = js.FailureProbability
}

// podTemplate converts a manifest's pod spec into the world's template: the
// scheduling view placement/kube reads, the priority class resolved, the
// images with their sizes, the start and stop times. field is the spec's
// path in the object ("spec.template", or "" for a Pod).
func (v *validator) podTemplate(s site, field string, meta mkube.ObjectMeta, spec mkube.PodSpec, ns string, cl *eks.Config, start time.Duration) eks.PodTemplate {
	specPath := strings.TrimPrefix(field+".spec", ".")
	out := eks.PodTemplate{PriorityClass: -1, HostNetwork: spec.HostNetwork, TerminationGracePeriod: spec.TerminationGracePeriod, StartTime: start}
	for _, cs := range [][]mkube.Container{spec.InitContainers, spec.Containers} {
		for _, c := range cs {
			out.Privileged = out.Privileged || c.Privileged
		}
	}
	pod := pkube.Pod{Namespace: ns, Labels: meta.Labels, NodeName: spec.NodeName, NodeSelector: spec.NodeSelector}
	for _, c := range spec.InitContainers {
		pod.InitContainers = append(pod.InitContainers, v.kubeContainer(s, specPath+".initContainers", c))
	}
	for _, c := range spec.Containers {
		pod.Containers = append(pod.Containers, v.kubeContainer(s, specPath+".containers", c))
	}
	seen := map[string]bool{}
	for _, cs := range [][]mkube.Container{spec.InitContainers, spec.Containers} {
		for _, c := range cs {
			if seen[c.Image] {
				continue
			}
			seen[c.Image] = true
			size := int64(defaultImageSize)
			if sz, ok := v.f.EKS.ImageSizes[c.Image]; ok {
				size = sz.Bytes
			}
			out.Images = append(out.Images, eks.Image{Name: c.Image, SizeBytes: size})
		}
	}
	if spec.NodeName != "" {
		v.warnings = append(v.warnings, s.problem(specPath+".nodeName", "a pod the scheduler places (node names are the simulation's: ip-...ec2.internal)",
			quoteShort(spec.NodeName), "the pod waits for a node of that name, which no node group launches"))
	}
	for _, t := range spec.Tolerations {
		pod.Tolerations = append(pod.Tolerations, convertToleration(t))
	}
	if a := spec.Affinity.NodeAffinity; a != nil {
		pod.NodeAffinity = &pkube.NodeAffinityRules{}
		for i, term := range a.Required {
			if len(term.MatchFields) > 0 {
				v.problems = append(v.problems, s.problem(fmt.Sprintf("%s.affinity.nodeAffinity.%s.nodeSelectorTerms[%d].matchFields", specPath, "requiredDuringSchedulingIgnoredDuringExecution", i),
					"node selector terms by matchExpressions (matchFields on metadata.name is not modelled: node names are the simulation's)", "matchFields", ""))
			}
			pod.NodeAffinity.Required = append(pod.NodeAffinity.Required, pkube.NodeSelectorTerm{MatchExpressions: convertRequirements(term.MatchExpressions)})
		}
		for _, pt := range a.Preferred {
			pod.NodeAffinity.Preferred = append(pod.NodeAffinity.Preferred, pkube.PreferredSchedulingTerm{Weight: int32(pt.Weight),
				Preference: pkube.NodeSelectorTerm{MatchExpressions: convertRequirements(pt.Preference.MatchExpressions)}})
		}
	}
	pod.PodAffinity = v.podAffinity(s, specPath+".affinity.podAffinity", spec.Affinity.PodAffinity)
	pod.PodAntiAffinity = v.podAffinity(s, specPath+".affinity.podAntiAffinity", spec.Affinity.PodAntiAffinity)
	for i, c := range spec.TopologySpreadConstraints {
		tc := pkube.TopologySpreadConstraint{MaxSkew: int32(c.MaxSkew), TopologyKey: c.TopologyKey, MinDomains: int32(c.MinDomains),
			LabelSelector: convertSelector(c.LabelSelector), WhenUnsatisfiable: pkube.DoNotSchedule,
			NodeAffinityPolicy: convertPolicy(c.NodeAffinityPolicy), NodeTaintsPolicy: convertPolicy(c.NodeTaintsPolicy)}
		if c.WhenUnsatisfiable == "ScheduleAnyway" {
			tc.WhenUnsatisfiable = pkube.ScheduleAnyway
		}
		// matchLabelKeys: the API server merges the pod's values of these
		// keys into the selector (MatchLabelKeysInPodTopologySpreadSelectorMerge).
		// A key the template lacks (pod-template-hash, set per ReplicaSet) is
		// left out: pods of all revisions count together.
		for _, key := range c.MatchLabelKeys {
			if val, ok := meta.Labels[key]; ok && tc.LabelSelector != nil {
				tc.LabelSelector.MatchExpressions = append(tc.LabelSelector.MatchExpressions, pkube.Requirement{Key: key, Operator: pkube.OpIn, Values: []string{val}})
			}
		}
		_ = i
		pod.TopologySpreadConstraints = append(pod.TopologySpreadConstraints, tc)
	}
	if name := spec.PriorityClassName; name != "" {
		i := slices.IndexFunc(cl.PriorityClasses, func(pc eks.PriorityClass) bool { return pc.Name == name })
		if i < 0 {
			var names []string
			for _, pc := range cl.PriorityClasses {
				names = append(names, pc.Name)
			}
			pr := s.problem(specPath+".priorityClassName", "a priority class of [[eks.priority_class]] or a built-in one ("+strings.Join(names, ", ")+")", quoteShort(name), "")
			if c := closest(name, names); c != "" {
				pr.Hint = fmt.Sprintf("did you mean %q?", c)
			}
			v.problems = append(v.problems, pr)
		} else {
			out.PriorityClass = i
			pod.Priority = cl.PriorityClasses[i].Value
		}
	} else if i := slices.IndexFunc(cl.PriorityClasses, func(pc eks.PriorityClass) bool { return pc.GlobalDefault }); i >= 0 {
		pod.Priority = cl.PriorityClasses[i].Value // the admission controller gives it the global default's value
	}
	out.Pod = pod
	return out
}

// kubeContainer converts a container for the scheduler: its requests (CPU,
// memory, ephemeral storage), image and host ports. Other resources
// (nvidia.com/gpu, hugepages) no modelled node offers: a problem.
func (v *validator) kubeContainer(s site, field string, c mkube.Container) pkube.Container {
	out := pkube.Container{Name: c.Name, Image: c.Image, Sidecar: c.Sidecar,
		Requests:   pkube.Resources{MilliCPU: c.Requests.MilliCPU, MemoryBytes: c.Requests.MemoryBytes, EphemeralBytes: c.Requests.EphemeralBytes},
		ZeroCPU:    c.Requests.Has(mkube.CPU) && c.Requests.MilliCPU == 0,
		ZeroMemory: c.Requests.Has(mkube.Memory) && c.Requests.MemoryBytes == 0}
	for _, name := range sortedKeys(c.Requests.Extended) {
		if c.Requests.Extended[name] > 0 {
			v.problems = append(v.problems, s.problem(fmt.Sprintf("%s[%s].resources.requests.%s", field, c.Name, name),
				"requests of cpu, memory and ephemeral-storage (fleetsim's nodes offer no other resource)", name, ""))
		}
	}
	for _, pt := range c.Ports {
		if pt.HostPort > 0 {
			out.HostPorts = append(out.HostPorts, pkube.HostPort{Port: int32(pt.HostPort), Protocol: pkube.Protocol(pt.Protocol), HostIP: pt.HostIP})
		}
	}
	return out
}

func (v *validator) podAffinity(s site, field string, a *mkube.PodAffinity) *pkube.PodAffinityRules {
	if a == nil {
		return nil
	}
	out := &pkube.PodAffinityRules{}
	term := func(f string, t mkube.PodAffinityTerm) pkube.PodAffinityTerm {
		if t.NamespaceSelector != nil || len(t.MatchLabelKeys) > 0 || len(t.MismatchLabelKeys) > 0 {
			v.problems = append(v.problems, s.problem(f, "a term by labelSelector, namespaces and topologyKey (namespaceSelector, matchLabelKeys and mismatchLabelKeys are not modelled)", "one of them", ""))
		}
		return pkube.PodAffinityTerm{LabelSelector: convertSelector(t.LabelSelector), Namespaces: t.Namespaces, TopologyKey: t.TopologyKey}
	}
	for i, t := range a.Required {
		out.Required = append(out.Required, term(fmt.Sprintf("%s.requiredDuringSchedulingIgnoredDuringExecution[%d]", field, i), t))
	}
	for i, w := range a.Preferred {
		out.Preferred = append(out.Preferred, pkube.WeightedPodAffinityTerm{Weight: int32(w.Weight),
			Term: term(fmt.Sprintf("%s.preferredDuringSchedulingIgnoredDuringExecution[%d].podAffinityTerm", field, i), w.Term)})
	}
	return out
}

func convertToleration(t mkube.Toleration) pkube.Toleration {
	out := pkube.Toleration{Key: t.Key, Value: t.Value}
	if t.Operator == "Exists" {
		out.Operator = pkube.TolerationExists
	}
	out.Effect = map[string]pkube.TaintEffect{"NoSchedule": pkube.NoSchedule, "PreferNoSchedule": pkube.PreferNoSchedule, "NoExecute": pkube.NoExecute}[t.Effect]
	return out
}

var operators = map[string]pkube.SelectorOperator{"In": pkube.OpIn, "NotIn": pkube.OpNotIn, "Exists": pkube.OpExists,
	"DoesNotExist": pkube.OpDoesNotExist, "Gt": pkube.OpGt, "Lt": pkube.OpLt}

func convertRequirements(rs []mkube.Requirement) []pkube.Requirement {
	var out []pkube.Requirement
	for _, r := range rs {
		out = append(out, pkube.Requirement{Key: r.Key, Operator: operators[r.Operator], Values: r.Values})
	}
	return out
}

// convertSelector keeps nil as nil (selects nothing) and copies the rest.
func convertSelector(s *mkube.LabelSelector) *pkube.LabelSelector {
	if s == nil {
		return nil
	}
	return &pkube.LabelSelector{MatchLabels: s.MatchLabels, MatchExpressions: convertRequirements(s.MatchExpressions)}
}

func convertPolicy(s string) pkube.InclusionPolicy {
	switch s {
	case "Honor":
		return pkube.PolicyHonor
	case "Ignore":
		return pkube.PolicyIgnore
	}
	return pkube.PolicyDefault
}

// shift moves an inline manifest's lines to the scenario's: its objects'
// sources and its problems' and warnings' lines.
func shift(m *mkube.Manifest, err error, by int) {
	if by == 0 {
		return
	}
	if ps, ok := err.(mkube.Problems); ok {
		for i := range ps {
			if ps[i].Line > 0 {
				ps[i].Line += by
			}
		}
	}
	for i := range m.Warnings {
		if m.Warnings[i].Line > 0 {
			m.Warnings[i].Line += by
		}
	}
	for i := range m.Deployments {
		m.Deployments[i].Source.Line += by
	}
	for i := range m.Jobs {
		m.Jobs[i].Source.Line += by
	}
	for i := range m.DaemonSets {
		m.DaemonSets[i].Source.Line += by
	}
	for i := range m.Pods {
		m.Pods[i].Source.Line += by
	}
	for i := range m.Ignored {
		m.Ignored[i].Source.Line += by
	}
}

// dnsLabel is Kubernetes' DNS-1123 label: a namespace's name.
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// objectNames checks an object's name and namespace as the API server does
// (apimachinery validation): a namespace is a DNS-1123 label of at most 63
// characters; a name a DNS-1123 subdomain of at most 253, and a Job's at
// most 63 (it becomes its pods' batch.kubernetes.io/job-name label). They
// name the world's workloads in its outputs, so nothing else gets through.
func (v *validator) objectNames(kind string, meta mkube.ObjectMeta, src mkube.Source) bool {
	s := siteOf(kind, meta, src)
	ok := true
	limit := 253
	if kind == "Job" {
		limit = 63
	}
	if len(meta.Name) > limit || !dnsSubdomain.MatchString(meta.Name) {
		v.problems = append(v.problems, s.problem("metadata.name", fmt.Sprintf("a DNS-1123 name of at most %d lower-case letters, digits, - and .", limit), quoteShort(meta.Name), ""))
		ok = false
	}
	if len(meta.Namespace) > 63 || !dnsLabel.MatchString(meta.Namespace) {
		v.problems = append(v.problems, s.problem("metadata.namespace", "a DNS-1123 label of at most 63 lower-case letters, digits and -", quoteShort(meta.Namespace), ""))
		ok = false
	}
	return ok
}

package kube

import (
	"math"
	"regexp"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// Sources for the workload rules (kubernetes/kubernetes, read, not copied):
// defaults from pkg/apis/apps/v1/defaults.go (04791b49) and
// pkg/apis/batch/v1/defaults.go (045bbb19); validation from
// pkg/apis/apps/validation/validation.go (2dd1588c); rounding from
// apimachinery pkg/util/intstr/intstr.go GetScaledValueFromIntOrPercent
// (eed236ce), pkg/controller/deployment/util/deployment_util.go
// ResolveFenceposts and pkg/controller/daemon/util/daemonset_util.go
// SurgeCount and UnavailableCount.

// IntOrPercent is an int-or-string field used as a count or a percentage of
// one (maxSurge, maxUnavailable): 1 or "25%".
type IntOrPercent struct {
	Value   int
	Percent bool
}

// String gives the manifest spelling: "1" or "25%".
func (v IntOrPercent) String() string {
	if v.Percent {
		return strconv.Itoa(v.Value) + "%"
	}
	return strconv.Itoa(v.Value)
}

// Scaled is v as a count out of total: the integer itself, or the percentage
// of total rounded up or down (intstr.GetScaledValueFromIntOrPercent).
func (v IntOrPercent) Scaled(total int, roundUp bool) int {
	if !v.Percent {
		return v.Value
	}
	if roundUp {
		return int(math.Ceil(float64(v.Value) * float64(total) / 100))
	}
	return int(math.Floor(float64(v.Value) * float64(total) / 100))
}

// Deployment is an apps/v1 Deployment.
type Deployment struct {
	Source   Source
	Meta     ObjectMeta
	Replicas int // spec.replicas; 1 when unset
	Selector LabelSelector
	Strategy DeploymentStrategy
	// MinReady is minReadySeconds: how long a new pod must be ready before it
	// counts as available.
	MinReady time.Duration
	// ProgressDeadline is progressDeadlineSeconds (600 s when unset): past it
	// the rollout is reported as not progressing; it is not rolled back.
	ProgressDeadline time.Duration
	Template         PodTemplate
}

// Deployment strategy types.
const (
	RollingUpdate = "RollingUpdate"
	Recreate      = "Recreate"
	OnDelete      = "OnDelete"
)

// DeploymentStrategy is spec.strategy: Recreate, or RollingUpdate with its
// maxSurge and maxUnavailable (25% each when unset).
type DeploymentStrategy struct {
	Type           string // RollingUpdate or Recreate
	MaxSurge       IntOrPercent
	MaxUnavailable IntOrPercent
}

// Fenceposts resolves maxSurge and maxUnavailable for replicas desired pods
// as the Deployment controller does (ResolveFenceposts): the surge rounds up,
// the unavailability down, and when both come to 0 (a small Deployment with
// percentages) one pod may be unavailable. Recreate has neither.
func (s DeploymentStrategy) Fenceposts(replicas int) (surge, unavailable int) {
	if s.Type != RollingUpdate {
		return 0, 0
	}
	surge = s.MaxSurge.Scaled(replicas, true)
	unavailable = s.MaxUnavailable.Scaled(replicas, false)
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return surge, unavailable
}

// DaemonSet is an apps/v1 DaemonSet.
type DaemonSet struct {
	Source   Source
	Meta     ObjectMeta
	Selector LabelSelector
	Strategy DaemonSetStrategy
	MinReady time.Duration // minReadySeconds
	Template PodTemplate
}

// DaemonSetStrategy is spec.updateStrategy: OnDelete, or RollingUpdate with
// maxUnavailable (1 when unset) or maxSurge (0 when unset), exactly one of
// them non-zero.
type DaemonSetStrategy struct {
	Type           string // RollingUpdate or OnDelete
	MaxSurge       IntOrPercent
	MaxUnavailable IntOrPercent
}

// Fenceposts resolves the strategy for nodes scheduled nodes: both round up
// (SurgeCount, UnavailableCount), and 0 for both means one unavailable, as
// the controller falls back to when nodes > 0. OnDelete has neither.
func (s DaemonSetStrategy) Fenceposts(nodes int) (surge, unavailable int) {
	if s.Type != RollingUpdate {
		return 0, 0
	}
	surge = s.MaxSurge.Scaled(nodes, true)
	unavailable = s.MaxUnavailable.Scaled(nodes, true)
	if nodes > 0 && surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return surge, unavailable
}

// Job is a batch/v1 Job.
type Job struct {
	Source Source
	Meta   ObjectMeta // labels default to the template's
	// Completions is how many pods must succeed; nil when unset with a
	// parallelism given: a work queue, done when any pod succeeds and the
	// rest have stopped. Unset with parallelism unset too, both are 1.
	Completions *int
	Parallelism int // 1 when unset
	// BackoffLimit is how many pod failures the Job retries before failing
	// (6 when unset).
	BackoffLimit   int
	CompletionMode string        // NonIndexed (the default) or Indexed
	ActiveDeadline time.Duration // activeDeadlineSeconds; 0: none
	Template       PodTemplate
}

// Pod is a v1 Pod given on its own, not through a workload.
type Pod struct {
	Source Source
	Meta   ObjectMeta
	Spec   PodSpec
}

// Known fields of the workload specs.
var (
	deploymentSpecFields = []string{"replicas", "selector", "template", "strategy", "minReadySeconds",
		"revisionHistoryLimit", "paused", "progressDeadlineSeconds"}
	deploymentStrategyFields = []string{"type", "rollingUpdate"}
	rollingUpdateFields      = []string{"maxUnavailable", "maxSurge"}
	daemonSetSpecFields      = []string{"selector", "template", "updateStrategy", "minReadySeconds", "revisionHistoryLimit"}
	jobSpecFields            = []string{"parallelism", "completions", "activeDeadlineSeconds", "podFailurePolicy",
		"successPolicy", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "selector", "manualSelector",
		"template", "ttlSecondsAfterFinished", "completionMode", "suspend", "podReplacementPolicy", "managedBy"}
	templateFields = []string{"metadata", "spec"}
)

const maxInt32 = 1<<31 - 1

// spec reads f's spec, which a workload must have.
func (r *reader) spec(f fields, known []string) fields {
	s, ok := r.sub(f, "spec", known)
	if !ok && !f.has("spec") {
		r.bad(f.path.field("spec"), f.lineOf("spec"), "a spec", "none")
	}
	return s
}

func (r *reader) deployment(f fields, src Source, meta ObjectMeta) Deployment {
	s := r.spec(f, deploymentSpecFields)
	d := Deployment{
		Source:           src,
		Meta:             meta,
		Replicas:         int(r.integer(s, "replicas", 1, 0, maxInt32)),
		MinReady:         r.seconds(s, "minReadySeconds", 0, 0),
		ProgressDeadline: r.seconds(s, "progressDeadlineSeconds", 600*time.Second, 0),
	}
	// Validated after defaulting, so minReadySeconds of 600 or more needs a
	// longer progressDeadlineSeconds.
	if d.ProgressDeadline <= d.MinReady {
		r.bad(s.path.field("progressDeadlineSeconds"), s.lineOf("progressDeadlineSeconds"),
			"more than minReadySeconds ("+strconv.Itoa(int(d.MinReady/time.Second))+")", strconv.Itoa(int(d.ProgressDeadline/time.Second)))
	}
	sel, selOK := r.workloadSelector(s, "deployment")
	tmpl, labelsLine := r.template(s, Always)
	d.Selector, d.Template = sel, tmpl
	if selOK {
		r.selectorMatchesTemplate(s, sel, tmpl, labelsLine)
	}
	d.Strategy = r.deploymentStrategy(s)
	return d
}

func (r *reader) deploymentStrategy(s fields) DeploymentStrategy {
	sf, _ := r.sub(s, "strategy", deploymentStrategyFields)
	st := DeploymentStrategy{Type: r.enum(sf, "type", RollingUpdate, RollingUpdate, Recreate)}
	if st.Type == Recreate {
		if sf.has("rollingUpdate") {
			r.bad(sf.path.field("rollingUpdate"), sf.lineOf("rollingUpdate"), "no rollingUpdate when type is Recreate", "one")
		}
		return st
	}
	ru, _ := r.sub(sf, "rollingUpdate", rollingUpdateFields)
	quarter := IntOrPercent{Value: 25, Percent: true}
	st.MaxSurge, _ = r.intOrPercent(ru, "maxSurge", quarter)
	var ok bool
	st.MaxUnavailable, ok = r.intOrPercent(ru, "maxUnavailable", quarter)
	if ok && st.MaxUnavailable.Percent && st.MaxUnavailable.Value > 100 {
		r.bad(ru.path.field("maxUnavailable"), ru.lineOf("maxUnavailable"), "at most 100%", st.MaxUnavailable.String())
	}
	if st.MaxSurge.Value == 0 && st.MaxUnavailable.Value == 0 {
		p := sf.path.field("rollingUpdate")
		r.bad(p.field("maxUnavailable"), ru.lineOf("maxUnavailable"), "maxUnavailable above 0 when maxSurge is 0 (a rollout could not move)",
			"maxSurge "+st.MaxSurge.String()+", maxUnavailable "+st.MaxUnavailable.String())
	}
	return st
}

// percent is Kubernetes' IsValidPercent.
var percent = regexp.MustCompile(`^[0-9]+%$`)

// intOrPercent reads a non-negative int-or-percent field: an integer, or a
// string of digits and "%". ok is false after a problem (v is then def).
func (r *reader) intOrPercent(f fields, name string, def IntOrPercent) (IntOrPercent, bool) {
	n := f.nodes[name]
	if n == nil {
		return def, true
	}
	if !r.visit(n) {
		return def, false
	}
	p := f.path.field(name)
	const want = `a non-negative integer or a percentage such as "25%"`
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		if !percent.MatchString(n.Value) {
			r.bad(p, n.Line, want, describe(n))
			return def, false
		}
		v, err := strconv.Atoi(n.Value[:len(n.Value)-1])
		if err != nil || v > maxInt32 {
			r.bad(p, n.Line, want, describe(n))
			return def, false
		}
		return IntOrPercent{Value: v, Percent: true}, true
	}
	var v int64
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil || v < 0 || v > maxInt32 {
		r.bad(p, n.Line, want, describe(n))
		return def, false
	}
	return IntOrPercent{Value: int(v)}, true
}

func (r *reader) daemonSet(f fields, src Source, meta ObjectMeta) DaemonSet {
	s := r.spec(f, daemonSetSpecFields)
	d := DaemonSet{Source: src, Meta: meta, MinReady: r.seconds(s, "minReadySeconds", 0, 0)}
	sel, selOK := r.workloadSelector(s, "daemonset")
	tmpl, labelsLine := r.template(s, Always)
	d.Selector, d.Template = sel, tmpl
	if selOK {
		r.selectorMatchesTemplate(s, sel, tmpl, labelsLine)
	}
	d.Strategy = r.daemonSetStrategy(s)
	return d
}

func (r *reader) daemonSetStrategy(s fields) DaemonSetStrategy {
	sf, _ := r.sub(s, "updateStrategy", deploymentStrategyFields)
	st := DaemonSetStrategy{Type: r.enum(sf, "type", RollingUpdate, RollingUpdate, OnDelete)}
	if st.Type == OnDelete {
		return st
	}
	ru, _ := r.sub(sf, "rollingUpdate", rollingUpdateFields)
	surge, okSurge := r.intOrPercent(ru, "maxSurge", IntOrPercent{})
	unavailable, okUnavailable := r.intOrPercent(ru, "maxUnavailable", IntOrPercent{Value: 1})
	st.MaxSurge, st.MaxUnavailable = surge, unavailable
	p := sf.path.field("rollingUpdate")
	for _, c := range []struct {
		name string
		v    IntOrPercent
		ok   bool
	}{{"maxUnavailable", unavailable, okUnavailable}, {"maxSurge", surge, okSurge}} {
		if c.ok && c.v.Percent && c.v.Value > 100 {
			r.bad(p.field(c.name), ru.lineOf(c.name), "at most 100%", c.v.String())
		}
	}
	switch {
	case surge.Value != 0 && unavailable.Value != 0:
		r.bad(p.field("maxSurge"), ru.lineOf("maxSurge"), "maxSurge 0 when maxUnavailable is not (a DaemonSet rolls one way)",
			"maxSurge "+surge.String()+", maxUnavailable "+unavailable.String())
	case surge.Value == 0 && unavailable.Value == 0:
		r.bad(p.field("maxUnavailable"), ru.lineOf("maxUnavailable"), "maxUnavailable above 0 when maxSurge is 0", unavailable.String())
	}
	return st
}

func (r *reader) job(f fields, src Source, meta ObjectMeta) Job {
	s := r.spec(f, jobSpecFields)
	j := Job{
		Source:         src,
		Meta:           meta,
		BackoffLimit:   int(r.integer(s, "backoffLimit", 6, 0, maxInt32)),
		CompletionMode: r.enum(s, "completionMode", "NonIndexed", "NonIndexed", "Indexed"),
		ActiveDeadline: r.seconds(s, "activeDeadlineSeconds", 0, 1),
	}
	completions, _ := r.optInteger(s, "completions", 0, maxInt32)
	parallelism, _ := r.optInteger(s, "parallelism", 0, maxInt32)
	switch {
	case completions == nil && parallelism == nil && !s.has("completions") && !s.has("parallelism"):
		one := 1
		j.Completions, j.Parallelism = &one, 1
	default:
		j.Parallelism = 1
		if parallelism != nil {
			j.Parallelism = int(*parallelism)
		}
		if completions != nil {
			c := int(*completions)
			j.Completions = &c
		}
	}
	if j.CompletionMode == "Indexed" && j.Completions == nil && !s.has("completions") {
		r.bad(s.path.field("completions"), s.lineOf("completions"), "completions with completionMode Indexed", "none")
	}
	j.Template, _ = r.template(s, OnFailure, Never)
	if len(j.Meta.Labels) == 0 && len(j.Template.Meta.Labels) > 0 {
		j.Meta.Labels = j.Template.Meta.Labels
	}
	return j
}

func (r *reader) pod(f fields, src Source, meta ObjectMeta) Pod {
	s, ok := r.sub(f, "spec", podSpecFields)
	if !ok && !f.has("spec") {
		r.bad(f.path.field("spec"), f.lineOf("spec"), "a spec", "none")
	}
	return Pod{Source: src, Meta: meta, Spec: r.podSpec(s, Always, OnFailure, Never)}
}

// template reads spec.template, which must be there, and checks that its
// restartPolicy is one the workload allows (the first is the default). The
// line is where its labels are (or the template, or the spec), for problems.
func (r *reader) template(s fields, restart ...string) (PodTemplate, int) {
	tf, ok := r.sub(s, "template", templateFields)
	if !ok && !s.has("template") {
		r.bad(s.path.field("template"), s.lineOf("template"), "a pod template", "none")
	}
	t := PodTemplate{Meta: r.meta(tf, false)}
	sf, ok := r.sub(tf, "spec", podSpecFields)
	if !ok && tf.nodes != nil && !tf.has("spec") {
		r.bad(tf.path.field("spec"), tf.lineOf("spec"), "a pod spec", "none")
	}
	t.Spec = r.podSpec(sf, restart...)
	line := s.lineOf("template")
	if mf := resolve(tf.nodes["metadata"]); mf != nil {
		line = mf.Line
		for i := 0; mf.Kind == yaml.MappingNode && i+1 < len(mf.Content); i += 2 {
			if mf.Content[i].Value == "labels" {
				line = mf.Content[i].Line
			}
		}
	}
	return t, line
}

// workloadSelector reads spec.selector, which a Deployment or DaemonSet must
// have and which must select something; ok is false after a problem.
func (r *reader) workloadSelector(s fields, what string) (LabelSelector, bool) {
	sel, ok := r.labelSelector(s, "selector")
	switch {
	case !ok:
		return LabelSelector{}, false
	case sel == nil:
		r.bad(s.path.field("selector"), s.lineOf("selector"), "a selector (apps/v1 requires one)", "none")
		return LabelSelector{}, false
	case len(sel.MatchLabels)+len(sel.MatchExpressions) == 0:
		r.bad(s.path.field("selector"), s.lineOf("selector"), "a selector with matchLabels or matchExpressions (an empty one is invalid for a "+what+")", "an empty one")
		return *sel, false
	}
	return *sel, true
}

// selectorMatchesTemplate checks that the workload's selector selects its
// own template's labels ("`selector` does not match template `labels`").
func (r *reader) selectorMatchesTemplate(s fields, sel LabelSelector, t PodTemplate, line int) {
	if !sel.Matches(t.Meta.Labels) {
		r.bad(s.path.field("template").field("metadata").field("labels"), line,
			"labels the selector "+sel.String()+" selects", labelsString(t.Meta.Labels))
	}
}

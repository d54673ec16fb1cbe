package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/autoscale/hpa"
	mkube "github.com/fleetsim/fleetsim/scenarios/kube"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// HorizontalPodAutoscalers (autoscaling/v2): from the manifests
// (kind: HorizontalPodAutoscaler) or as [[eks.horizontal_pod_autoscaler]],
// the manifest's fields in snake_case; [eks.hpa_controller] holds
// kube-controller-manager's flags and metrics-server's resolution. Both
// forms go through one check (hpaFromDraft), which reports a problem at
// the manifest's line or at the scenario's key. docs/semantics/eks-hpa.md
// lists the rules.

// hpaSchema is [[eks.horizontal_pod_autoscaler]]: an HPA's metadata and
// spec in snake_case (scale_target_ref, min_replicas, max_replicas,
// metrics, behavior), with deployment = "NAME" as a shorthand for a
// Deployment scale target.
type hpaSchema struct {
	Name           string                `toml:"name"`
	Namespace      string                `toml:"namespace"`
	Deployment     string                `toml:"deployment"`
	ScaleTargetRef *scaleTargetRefSchema `toml:"scale_target_ref"`
	MinReplicas    *int                  `toml:"min_replicas" max:"1000000"`
	MaxReplicas    *int                  `toml:"max_replicas" max:"1000000"`
	Metrics        []hpaMetricSchema     `toml:"metrics" maxitems:"30"`
	Behavior       *hpaBehaviorSchema    `toml:"behavior"`
	// BehaviorFile is a YAML file holding a behavior: mapping, as the
	// Kubernetes documentation gives the default behavior.
	BehaviorFile string `toml:"behavior_file"`
}

// scaleTargetRefSchema is spec.scaleTargetRef.
type scaleTargetRefSchema struct {
	APIVersion string `toml:"api_version"`
	Kind       string `toml:"kind"`
	Name       string `toml:"name"`
}

// hpaMetricSchema is one MetricSpec: type and the source's table.
type hpaMetricSchema struct {
	Type     string                   `toml:"type"`
	Resource *hpaResourceMetricSchema `toml:"resource"`
	Pods     *hpaNamedMetricSchema    `toml:"pods"`
	External *hpaNamedMetricSchema    `toml:"external"`
}

// hpaResourceMetricSchema is a ResourceMetricSource.
type hpaResourceMetricSchema struct {
	Name   string          `toml:"name"`
	Target hpaTargetSchema `toml:"target"`
}

// hpaNamedMetricSchema is a PodsMetricSource or ExternalMetricSource.
type hpaNamedMetricSchema struct {
	Metric hpaMetricIDSchema `toml:"metric"`
	Target hpaTargetSchema   `toml:"target"`
}

// hpaMetricIDSchema is a MetricIdentifier (its selector is not modelled).
type hpaMetricIDSchema struct {
	Name string `toml:"name"`
}

// hpaTargetSchema is a MetricTarget.
type hpaTargetSchema struct {
	Type               string         `toml:"type"`
	AverageUtilization *int           `toml:"average_utilization" max:"1000000"`
	AverageValue       *quantityValue `toml:"average_value"`
	Value              *quantityValue `toml:"value"`
}

// hpaBehaviorSchema is spec.behavior.
type hpaBehaviorSchema struct {
	ScaleUp   *hpaRulesSchema `toml:"scale_up"`
	ScaleDown *hpaRulesSchema `toml:"scale_down"`
}

// hpaRulesSchema is an HPAScalingRules.
type hpaRulesSchema struct {
	StabilizationWindowSeconds *int              `toml:"stabilization_window_seconds" max:"3600" why:"Kubernetes: at most one hour"`
	SelectPolicy               string            `toml:"select_policy"`
	Policies                   []hpaPolicySchema `toml:"policies" maxitems:"20"`
	Tolerance                  *quantityValue    `toml:"tolerance"`
}

// hpaPolicySchema is an HPAScalingPolicy.
type hpaPolicySchema struct {
	Type          string `toml:"type"`
	Value         int    `toml:"value" max:"1000000"`
	PeriodSeconds int    `toml:"period_seconds" max:"1800" why:"Kubernetes: at most 30 minutes"`
}

// hpaControllerSchema is [eks.hpa_controller]: kube-controller-manager's
// --horizontal-pod-autoscaler-* flags, metrics-server's
// --metric-resolution, and the memory model's shares (choice).
type hpaControllerSchema struct {
	SyncPeriod              *Duration `toml:"sync_period" min:"1s" max:"1h"`
	Tolerance               *float64  `toml:"tolerance" min:"0" max:"1" why:"a share of the target"`
	DownscaleStabilization  *Duration `toml:"downscale_stabilization" min:"1s" max:"1h"`
	CPUInitializationPeriod *Duration `toml:"cpu_initialization_period" min:"1s" max:"1h"`
	InitialReadinessDelay   *Duration `toml:"initial_readiness_delay" min:"1s" max:"1h"`
	MetricResolution        *Duration `toml:"metric_resolution" min:"1s" max:"1h"`
	// MemoryIdle and MemoryAtFullLoad: a pod's memory as a share of its
	// request, idle and at 100% CPU (choice: 0.5 and 0.8).
	MemoryIdle       *float64 `toml:"memory_idle" min:"0" max:"10" tiny:"1e-6"`
	MemoryAtFullLoad *float64 `toml:"memory_at_full_load" min:"0" max:"10" tiny:"1e-6"`
}

// quantityValue is a Kubernetes quantity: a string ("100m", "1.5", "2Gi")
// or a number.
type quantityValue struct {
	Text  string
	Milli int64
}

const quantityWant = `a Kubernetes quantity: a number or a string such as "100m" or "1.5"`

func (q *quantityValue) fromTree(data any) (want, got string, ok bool) {
	switch x := data.(type) {
	case int64:
		if x < 0 || x > math.MaxInt64/1000 {
			return quantityWant + " of at least 0", tomlValue(data), false
		}
		*q = quantityValue{Text: strconv.FormatInt(x, 10), Milli: x * 1000}
		return "", "", true
	case float64:
		if !(x >= 0) || x > math.MaxInt64/1000 {
			return quantityWant + " of at least 0", tomlValue(data), false
		}
		*q = quantityValue{Text: strconv.FormatFloat(x, 'g', -1, 64), Milli: int64(math.Ceil(x * 1000))}
		return "", "", true
	case string:
		m, err := parseMilli(x)
		if err != nil {
			return quantityWant, tomlValue(data), false
		}
		*q = quantityValue{Text: x, Milli: m}
		return "", "", true
	}
	return quantityWant, tomlValue(data), false
}

// parseMilli is a quantity's MilliValue (rounded up, as resource.Quantity
// rounds).
func parseMilli(s string) (int64, error) {
	q, err := mkube.ParseQuantity(s)
	if err != nil {
		return 0, err
	}
	m, ok := q.MilliValue()
	if !ok {
		return 0, errors.New("out of range")
	}
	if q.Sign() < 0 {
		return 0, errors.New("negative")
	}
	return m, nil
}

// The draft: an HPA as either form gives it, before the checks. Field
// paths are the manifest's (spec.metrics[0].resource.target.type).
type hpaDraft struct {
	name, namespace    string
	kind, apiVersion   string // the manifest's (an autoscaling/v1 HPA reads targetCPUUtilizationPercentage)
	target             targetDraft
	minRepl, maxRepl   *int64
	metrics            []metricDraft
	behavior           *behaviorDraft
	rep                hpaReporter
	deploymentShortcut bool // the TOML form's deployment = "NAME"
}

type targetDraft struct{ apiVersion, kind, name string }

type metricDraft struct {
	typ                     string
	hasRes, hasPods, hasExt bool
	name                    string // resource name, or the metric's
	target                  metricTargetDraft
}

type metricTargetDraft struct {
	typ             string
	avgUtil         *int64
	avgValue, value *quantityValue
}

type behaviorDraft struct {
	up, down *rulesDraft
	// rep and field, when set, are where the behavior came from (a
	// behavior_file): its problems are reported there.
	rep   hpaReporter
	field string
}

type rulesDraft struct {
	window      *int64
	sel         string
	policies    []policyDraft
	policiesSet bool
	tolerance   *quantityValue
}

type policyDraft struct {
	typ           string
	value, period int64
}

// hpaReporter reports a problem or a warning at a field of the draft.
type hpaReporter interface {
	bad(field, want, got, hint string)
	warn(field, want, got, hint string)
}

// tomlHPA reports at the scenario's keys: spec.metrics[0].resource.name is
// eks.horizontal_pod_autoscaler[i].metrics[0].resource.name.
type tomlHPA struct {
	v        *validator
	base     []string
	shortcut bool
}

var camelHump = regexp.MustCompile(`([a-z0-9])([A-Z])`)

func (r tomlHPA) path(field string) []string {
	out := slices.Clone(r.base)
	field = strings.TrimPrefix(strings.TrimPrefix(field, "spec."), "metadata.")
	if r.shortcut && strings.HasPrefix(field, "scaleTargetRef") {
		return append(out, "deployment")
	}
	for _, part := range strings.Split(strings.ReplaceAll(strings.ReplaceAll(field, "[", "."), "]", ""), ".") {
		if part != "" {
			out = append(out, strings.ToLower(camelHump.ReplaceAllString(part, "${1}_${2}")))
		}
	}
	return out
}

func (r tomlHPA) bad(field, want, got, hint string) { r.v.badHint(r.path(field), want, got, hint) }
func (r tomlHPA) warn(field, want, got, hint string) {
	r.v.warn(r.path(field), want, got, hint)
}

// yamlHPA reports at a manifest's lines.
type yamlHPA struct {
	v      *validator
	file   string
	object string
	ref    string
	lines  map[string]int
	line   int // the object's
}

func (r yamlHPA) at(field string) int {
	for f := field; f != ""; {
		if l, ok := r.lines[f]; ok {
			return l
		}
		k := strings.LastIndexAny(f, ".[")
		if k < 0 {
			break
		}
		f = f[:k]
	}
	return r.line
}

func (r yamlHPA) problem(field, want, got, hint string) Problem {
	key := r.object
	if field != "" {
		key += ": " + field
	}
	h := r.ref
	if hint != "" {
		h = hint + "; " + r.ref
	}
	return Problem{File: r.file, Line: r.at(field), Key: key, Want: want, Got: got, Hint: h}
}

func (r yamlHPA) bad(field, want, got, hint string) {
	r.v.problems = append(r.v.problems, r.problem(field, want, got, hint))
}

func (r yamlHPA) warn(field, want, got, hint string) {
	r.v.warnings = append(r.v.warnings, r.problem(field, want, got, hint))
}

// draftFromTOML turns one [[eks.horizontal_pod_autoscaler]] into a draft.
func (v *validator) draftFromTOML(i int, s hpaSchema) *hpaDraft {
	base := p("eks", "horizontal_pod_autoscaler", i)
	d := &hpaDraft{name: s.Name, namespace: s.Namespace, kind: "HorizontalPodAutoscaler", apiVersion: "autoscaling/v2"}
	switch {
	case s.Deployment != "" && s.ScaleTargetRef != nil:
		v.badHint(append(slices.Clone(base), "deployment"), "deployment or scale_target_ref", "both", "deployment = NAME is scale_target_ref = { kind = \"Deployment\", name = NAME }")
	case s.Deployment != "":
		d.target = targetDraft{apiVersion: "apps/v1", kind: "Deployment", name: s.Deployment}
		d.deploymentShortcut = true
	case s.ScaleTargetRef != nil:
		d.target = targetDraft{apiVersion: s.ScaleTargetRef.APIVersion, kind: s.ScaleTargetRef.Kind, name: s.ScaleTargetRef.Name}
	}
	d.rep = tomlHPA{v: v, base: base, shortcut: d.deploymentShortcut}
	d.minRepl, d.maxRepl = intPtr64(s.MinReplicas), intPtr64(s.MaxReplicas)
	for _, m := range s.Metrics {
		md := metricDraft{typ: m.Type, hasRes: m.Resource != nil, hasPods: m.Pods != nil, hasExt: m.External != nil}
		var t hpaTargetSchema
		switch {
		case m.Resource != nil:
			md.name, t = m.Resource.Name, m.Resource.Target
		case m.Pods != nil:
			md.name, t = m.Pods.Metric.Name, m.Pods.Target
		case m.External != nil:
			md.name, t = m.External.Metric.Name, m.External.Target
		}
		md.target = metricTargetDraft{typ: t.Type, avgUtil: intPtr64(t.AverageUtilization), avgValue: t.AverageValue, value: t.Value}
		d.metrics = append(d.metrics, md)
	}
	if s.Behavior != nil && s.BehaviorFile != "" {
		v.bad(append(slices.Clone(base), "behavior_file"), "behavior or behavior_file", "both")
	}
	if b := s.Behavior; b != nil {
		d.behavior = &behaviorDraft{up: rulesFromTOML(b.ScaleUp), down: rulesFromTOML(b.ScaleDown)}
	}
	if s.BehaviorFile != "" {
		d.behavior = v.behaviorFile(append(slices.Clone(base), "behavior_file"), s.BehaviorFile)
	}
	return d
}

func intPtr64(x *int) *int64 {
	if x == nil {
		return nil
	}
	v := int64(*x)
	return &v
}

func rulesFromTOML(r *hpaRulesSchema) *rulesDraft {
	if r == nil {
		return nil
	}
	out := &rulesDraft{window: intPtr64(r.StabilizationWindowSeconds), sel: r.SelectPolicy, tolerance: r.Tolerance, policiesSet: r.Policies != nil}
	for _, pol := range r.Policies {
		out.policies = append(out.policies, policyDraft{typ: pol.Type, value: int64(pol.Value), period: int64(pol.PeriodSeconds)})
	}
	return out
}

// behaviorFile reads a YAML file whose top level is behavior: (the
// Kubernetes docs' default behavior), or a whole HPA manifest's
// spec.behavior.
func (v *validator) behaviorFile(from []string, rel string) *behaviorDraft {
	data, ok := v.readFile(from, rel, "HPA behavior (YAML)")
	if !ok {
		return nil
	}
	display := rel
	if !path.IsAbs(rel) {
		display = path.Join(path.Dir(v.file), rel)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		v.bad(from, "a YAML file holding behavior:", fmt.Sprintf("%s: %v", quoteShort(display), err))
		return nil
	}
	yr := &yamlReader{lines: map[string]int{}}
	top := yr.mapping("", &doc, nil)
	node, field := top["behavior"], "behavior"
	if node == nil {
		if spec := yr.mapping("spec", top["spec"], nil); spec["behavior"] != nil {
			node, field = spec["behavior"], "spec.behavior"
		}
	}
	rep := yamlHPA{v: v, file: display, object: "behavior", ref: fmt.Sprintf("the behavior_file of %s, %s:%d", v.display(from), v.file, v.loc.line(from)),
		lines: yr.lines, line: 1}
	if node == nil {
		rep.bad("", "a mapping with behavior: (scaleUp, scaleDown)", "none", "")
		return nil
	}
	b := yr.behavior(field, node)
	yr.report(rep)
	if b != nil {
		b.rep, b.field = rep, field // its problems at the file's own lines
	}
	return b
}

// yamlReader walks a manifest's nodes, keeping each field's line, the
// fields not modelled and the values of the wrong shape.
type yamlReader struct {
	lines   map[string]int
	unknown []yamlNote
	wrong   []yamlNote
}

type yamlNote struct{ field, want, got string }

func resolveNode(n *yaml.Node) *yaml.Node {
	for n != nil && (n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return nil
		}
	}
	return n
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

// mapping reads a mapping's keys; with known set, a key outside it is noted
// (a warning: not modelled).
func (r *yamlReader) mapping(field string, n *yaml.Node, known []string) map[string]*yaml.Node {
	n = resolveNode(n)
	if n == nil {
		return nil
	}
	r.lines[field] = n.Line
	if n.Kind != yaml.MappingNode {
		r.wrong = append(r.wrong, yamlNote{field, "a mapping", describeNode(n)})
		return nil
	}
	out := map[string]*yaml.Node{}
	for k := 0; k+1 < len(n.Content); k += 2 {
		key := n.Content[k].Value
		out[key] = n.Content[k+1]
		r.lines[join(field, key)] = n.Content[k].Line
		if known != nil && !slices.Contains(known, key) {
			r.unknown = append(r.unknown, yamlNote{field: join(field, key), want: strings.Join(known, ", ")})
		}
	}
	return out
}

func (r *yamlReader) seq(field string, n *yaml.Node) []*yaml.Node {
	n = resolveNode(n)
	if n == nil {
		return nil
	}
	r.lines[field] = n.Line
	if n.Kind != yaml.SequenceNode {
		r.wrong = append(r.wrong, yamlNote{field, "a list", describeNode(n)})
		return nil
	}
	return n.Content
}

func (r *yamlReader) str(field string, n *yaml.Node) string {
	n = resolveNode(n)
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		r.wrong = append(r.wrong, yamlNote{field, "a string", describeNode(n)})
		return ""
	}
	return n.Value
}

func (r *yamlReader) integer(field string, n *yaml.Node) *int64 {
	n = resolveNode(n)
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	x, err := strconv.ParseInt(n.Value, 10, 64)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
		r.wrong = append(r.wrong, yamlNote{field, "an integer", describeNode(n)})
		return nil
	}
	return &x
}

func (r *yamlReader) quantity(field string, n *yaml.Node) *quantityValue {
	n = resolveNode(n)
	if n == nil || n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		r.wrong = append(r.wrong, yamlNote{field, quantityWant, describeNode(n)})
		return nil
	}
	m, err := parseMilli(n.Value)
	if err != nil {
		r.wrong = append(r.wrong, yamlNote{field, quantityWant, strconv.Quote(n.Value)})
		return nil
	}
	return &quantityValue{Text: n.Value, Milli: m}
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!null" {
		return "null"
	}
	return quoteShort(n.Value)
}

func (r *yamlReader) report(rep hpaReporter) {
	for _, u := range r.unknown {
		rep.warn(u.field, "a field fleetsim models ("+u.want+")", "a field not modelled", "ignored")
	}
	for _, w := range r.wrong {
		rep.bad(w.field, w.want, w.got, "")
	}
}

func (r *yamlReader) behavior(field string, n *yaml.Node) *behaviorDraft {
	m := r.mapping(field, n, []string{"scaleUp", "scaleDown"})
	if m == nil {
		return nil
	}
	return &behaviorDraft{up: r.rules(join(field, "scaleUp"), m["scaleUp"]), down: r.rules(join(field, "scaleDown"), m["scaleDown"])}
}

func (r *yamlReader) rules(field string, n *yaml.Node) *rulesDraft {
	m := r.mapping(field, n, []string{"stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance"})
	if m == nil {
		return nil
	}
	out := &rulesDraft{window: r.integer(join(field, "stabilizationWindowSeconds"), m["stabilizationWindowSeconds"]),
		sel: r.str(join(field, "selectPolicy"), m["selectPolicy"]), tolerance: r.quantity(join(field, "tolerance"), m["tolerance"]),
		policiesSet: m["policies"] != nil}
	for k, pn := range r.seq(join(field, "policies"), m["policies"]) {
		pf := fmt.Sprintf("%s.policies[%d]", field, k)
		pm := r.mapping(pf, pn, []string{"type", "value", "periodSeconds"})
		pd := policyDraft{typ: r.str(pf+".type", pm["type"])}
		if x := r.integer(pf+".value", pm["value"]); x != nil {
			pd.value = *x
		}
		if x := r.integer(pf+".periodSeconds", pm["periodSeconds"]); x != nil {
			pd.period = *x
		}
		out.policies = append(out.policies, pd)
	}
	return out
}

// draftFromYAML reads a HorizontalPodAutoscaler document.
func (r *yamlReader) draft(head map[string]*yaml.Node) *hpaDraft {
	d := &hpaDraft{apiVersion: r.str("apiVersion", head["apiVersion"]), kind: r.str("kind", head["kind"])}
	for k := range head {
		if !slices.Contains([]string{"apiVersion", "kind", "metadata", "spec", "status"}, k) {
			r.unknown = append(r.unknown, yamlNote{field: k, want: "apiVersion, kind, metadata, spec"})
		}
	}
	meta := r.mapping("metadata", head["metadata"], nil)
	d.name, d.namespace = r.str("metadata.name", meta["name"]), r.str("metadata.namespace", meta["namespace"])
	v1 := d.apiVersion == "autoscaling/v1"
	known := []string{"scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"}
	if v1 {
		known = []string{"scaleTargetRef", "minReplicas", "maxReplicas", "targetCPUUtilizationPercentage"}
	}
	spec := r.mapping("spec", head["spec"], known)
	ref := r.mapping("spec.scaleTargetRef", spec["scaleTargetRef"], []string{"apiVersion", "kind", "name"})
	d.target = targetDraft{apiVersion: r.str("spec.scaleTargetRef.apiVersion", ref["apiVersion"]),
		kind: r.str("spec.scaleTargetRef.kind", ref["kind"]), name: r.str("spec.scaleTargetRef.name", ref["name"])}
	d.minRepl = r.integer("spec.minReplicas", spec["minReplicas"])
	d.maxRepl = r.integer("spec.maxReplicas", spec["maxReplicas"])
	if v1 {
		if pct := r.integer("spec.targetCPUUtilizationPercentage", spec["targetCPUUtilizationPercentage"]); pct != nil {
			d.metrics = []metricDraft{{typ: "Resource", hasRes: true, name: "cpu", target: metricTargetDraft{typ: "Utilization", avgUtil: pct}}}
		}
		return d
	}
	for k, mn := range r.seq("spec.metrics", spec["metrics"]) {
		f := fmt.Sprintf("spec.metrics[%d]", k)
		m := r.mapping(f, mn, []string{"type", "resource", "pods", "external", "object", "containerResource"})
		md := metricDraft{typ: r.str(f+".type", m["type"]), hasRes: m["resource"] != nil, hasPods: m["pods"] != nil, hasExt: m["external"] != nil}
		var tn *yaml.Node
		var tf string
		switch {
		case md.hasRes:
			src := r.mapping(f+".resource", m["resource"], []string{"name", "target"})
			md.name, tn, tf = r.str(f+".resource.name", src["name"]), src["target"], f+".resource.target"
		case md.hasPods || md.hasExt:
			which := "pods"
			if md.hasExt {
				which = "external"
			}
			src := r.mapping(f+"."+which, m[which], []string{"metric", "target"})
			id := r.mapping(f+"."+which+".metric", src["metric"], []string{"name", "selector"})
			if id["selector"] != nil { // the world has one series per metric: a selector picks nothing
				r.unknown = append(r.unknown, yamlNote{field: f + "." + which + ".metric.selector", want: "name (a metric's selector is not modelled)"})
			}
			md.name, tn, tf = r.str(f+"."+which+".metric.name", id["name"]), src["target"], f+"."+which+".target"
		}
		if tn != nil {
			t := r.mapping(tf, tn, []string{"type", "averageUtilization", "averageValue", "value"})
			md.target = metricTargetDraft{typ: r.str(tf+".type", t["type"]), avgUtil: r.integer(tf+".averageUtilization", t["averageUtilization"]),
				avgValue: r.quantity(tf+".averageValue", t["averageValue"]), value: r.quantity(tf+".value", t["value"])}
		}
		d.metrics = append(d.metrics, md)
	}
	if spec["behavior"] != nil {
		d.behavior = r.behavior("spec.behavior", spec["behavior"])
	}
	return d
}

// manifestHPAs reads the HorizontalPodAutoscalers of one manifest (the
// objects scenarios/kube leaves to the scenario: ignored has them).
func (v *validator) manifestHPAs(display string, data []byte, offset int, ref string, ignored []mkube.Object) []*hpaDraft {
	if !slices.ContainsFunc(ignored, func(o mkube.Object) bool { return o.Kind == "HorizontalPodAutoscaler" }) {
		return nil
	}
	var out []*hpaDraft
	var visit func(n *yaml.Node, yr *yamlReader)
	read := func(n *yaml.Node) {
		yr := &yamlReader{lines: map[string]int{}}
		visit(n, yr)
	}
	visit = func(n *yaml.Node, yr *yamlReader) {
		head := yr.mapping("", n, nil)
		if head == nil {
			return
		}
		kind := yr.str("kind", head["kind"])
		if kind == "List" {
			for _, item := range yr.seq("items", head["items"]) {
				read(item)
			}
			return
		}
		if kind != "HorizontalPodAutoscaler" {
			return
		}
		d := yr.draft(head)
		name := d.name
		rep := yamlHPA{v: v, file: display, object: fmt.Sprintf("HorizontalPodAutoscaler %q", name), ref: ref, lines: yr.lines, line: resolveNode(n).Line}
		for f, l := range yr.lines {
			rep.lines[f] = l + offset
		}
		rep.line += offset
		if d.apiVersion != "autoscaling/v2" && d.apiVersion != "autoscaling/v1" {
			rep.bad("apiVersion", `"autoscaling/v2" (or "autoscaling/v1") for a HorizontalPodAutoscaler`, strconv.Quote(d.apiVersion), "")
			return
		}
		yr.report(rep)
		d.rep = rep
		out = append(out, d)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			break // io.EOF, or a syntax error scenarios/kube reported
		}
		read(&doc)
	}
	return out
}

// hpas builds the cluster's HorizontalPodAutoscalers from the manifests'
// and the scenario's, checked against the Deployments they scale.
func (v *validator) hpas(cl *eks.Config, objs eksObjects) []eks.HorizontalPodAutoscaler {
	ctl, res, idle, full := v.hpaController()
	var drafts []*hpaDraft
	drafts = append(drafts, objs.hpas...)
	for i, s := range v.f.EKS.HPAs {
		drafts = append(drafts, v.draftFromTOML(i, s))
	}
	var out []eks.HorizontalPodAutoscaler
	seen := map[string]bool{}
	targeted := map[int]string{}
	for _, d := range drafts {
		h, ok := v.hpaFromDraft(d, cl, objs.unread)
		if !ok {
			continue
		}
		id := h.Namespace + "/" + h.Name
		if seen[id] {
			d.rep.bad("metadata.name", "each HorizontalPodAutoscaler once (by namespace and name)", quoteShort(h.Name)+" again", "")
			continue
		}
		seen[id] = true
		if other, dup := targeted[h.Deployment]; dup {
			d.rep.bad("spec.scaleTargetRef.name", "one HorizontalPodAutoscaler per Deployment",
				fmt.Sprintf("Deployment %q scaled by %q too", cl.Deployments[h.Deployment].Name, other),
				"the HPA controller refuses pods controlled by more than one HPA (AmbiguousSelector)")
			continue
		}
		targeted[h.Deployment] = h.Name
		h.Controller, h.MetricResolution, h.MemoryIdle, h.MemoryAtFullLoad = ctl, res, idle, full
		out = append(out, h)
	}

	return out
}

// hpaController reads [eks.hpa_controller].
func (v *validator) hpaController() (hpa.Controller, time.Duration, float64, float64) {
	c := v.f.EKS.HPAController
	var ctl hpa.Controller
	set := func(dst *time.Duration, d *Duration) {
		if d != nil {
			*dst = d.Duration
		}
	}
	set(&ctl.SyncPeriod, c.SyncPeriod)
	set(&ctl.DownscaleStabilizationWindow, c.DownscaleStabilization)
	set(&ctl.CPUInitializationPeriod, c.CPUInitializationPeriod)
	set(&ctl.InitialReadinessDelay, c.InitialReadinessDelay)
	if c.Tolerance != nil {
		ctl.Tolerance = *c.Tolerance
	}
	var res time.Duration
	set(&res, c.MetricResolution)
	var idle, full float64
	if c.MemoryIdle != nil {
		idle = *c.MemoryIdle
	}
	if c.MemoryAtFullLoad != nil {
		full = *c.MemoryAtFullLoad
	}
	return ctl.WithDefaults(), res, idle, full
}

var hpaSelectPolicies = []string{"Max", "Min", "Disabled"}

// hpaFromDraft checks a draft as the API server and the HPA controller
// would, and against the scenario: the target is one of its Deployments,
// which produces the metrics the HPA reads.
func (v *validator) hpaFromDraft(d *hpaDraft, cl *eks.Config, unread bool) (eks.HorizontalPodAutoscaler, bool) {
	rep := d.rep
	n0 := len(v.problems)
	out := eks.HorizontalPodAutoscaler{Name: d.name, Namespace: d.namespace, Deployment: -1}
	if out.Namespace == "" {
		out.Namespace = "default"
	}
	switch {
	case d.name == "":
		rep.bad("metadata.name", "a HorizontalPodAutoscaler name", "none", "")
	case len(d.name) > 253 || !dnsSubdomain.MatchString(d.name):
		rep.bad("metadata.name", "a DNS-1123 name of at most 253 lower-case letters, digits, - and .", quoteShort(d.name), "")
	}
	if len(out.Namespace) > 63 || !dnsLabel.MatchString(out.Namespace) {
		rep.bad("metadata.namespace", "a DNS-1123 label of at most 63 lower-case letters, digits and -", quoteShort(out.Namespace), "")
	}
	t := d.target
	switch {
	case t.name == "" && t.kind == "":
		rep.bad("spec.scaleTargetRef", "a scale target: a Deployment of the scenario", "none", "")
	case t.kind != "Deployment":
		rep.bad("spec.scaleTargetRef.kind", "Deployment (the workload fleetsim scales)", quoteShort(t.kind), "")
	case t.apiVersion != "" && t.apiVersion != "apps/v1":
		rep.bad("spec.scaleTargetRef.apiVersion", `"apps/v1"`, quoteShort(t.apiVersion), "")
	default:
		var names []string
		for k, dep := range cl.Deployments {
			if dep.Name == t.name && dep.Namespace == out.Namespace {
				out.Deployment = k
			}
			names = append(names, dep.Name)
		}
		if out.Deployment < 0 && !unread {
			hint := "the scale target must be a Deployment in the HPA's namespace " + strconv.Quote(out.Namespace)
			if c := closest(t.name, names); c != "" {
				hint = fmt.Sprintf("did you mean %q?", c)
			}
			rep.bad("spec.scaleTargetRef.name", "the name of one of the scenario's Deployments", quoteShort(t.name), hint)
		}
	}
	spec := hpa.Spec{}
	if d.maxRepl == nil {
		rep.bad("spec.maxReplicas", "the most replicas the HPA may set (at least 1)", "none", "")
	} else if *d.maxRepl < 1 || *d.maxRepl > math.MaxInt32 {
		rep.bad("spec.maxReplicas", "an integer of at least 1", strconv.FormatInt(*d.maxRepl, 10), "")
	} else {
		spec.MaxReplicas = int32(*d.maxRepl)
	}
	minR := int64(hpa.DefaultMinReplicas)
	if d.minRepl != nil {
		minR = *d.minRepl
		if minR < 0 || minR > math.MaxInt32 {
			rep.bad("spec.minReplicas", "an integer of at least 0", strconv.FormatInt(minR, 10), "")
		} else {
			m := int32(minR)
			spec.MinReplicas = &m
		}
	}
	if d.maxRepl != nil && *d.maxRepl >= 1 && minR > *d.maxRepl {
		rep.bad("spec.minReplicas", fmt.Sprintf("at most maxReplicas (%d)", *d.maxRepl), strconv.FormatInt(minR, 10), "")
	}
	var dep *eks.Deployment
	if out.Deployment >= 0 {
		dep = &cl.Deployments[out.Deployment]
	}
	hasExternal := false
	if len(d.metrics) == 0 {
		// SetDefaults_HorizontalPodAutoscaler: cpu at 80%.
		d.metrics = []metricDraft{{typ: "Resource", hasRes: true, name: hpa.CPU, target: metricTargetDraft{typ: "Utilization", avgUtil: ptrTo(int64(hpa.DefaultCPUUtilization))}}}
	}
	for k, m := range d.metrics {
		f := fmt.Sprintf("spec.metrics[%d]", k)
		hm, src, ok := v.hpaMetric(rep, f, m, dep, d.name)
		if ok {
			spec.Metrics = append(spec.Metrics, hm)
			out.Sources = append(out.Sources, src)
			hasExternal = hasExternal || hm.Type == hpa.External
		}
	}
	if minR == 0 && !hasExternal {
		rep.bad("spec.minReplicas", "at least 1 (0 only with an External metric: HPAScaleToZero)", "0", "")
	}
	if d.behavior != nil {
		brep, bfield := rep, "spec.behavior"
		if d.behavior.rep != nil {
			brep, bfield = d.behavior.rep, d.behavior.field
		}
		if b := v.hpaRulesDraftCheck(brep, bfield, d.behavior); b != nil {
			spec.Behavior = b
		}
	}
	if len(v.problems) > n0 {
		return out, false
	}
	if err := spec.Validate(); err != nil { // a safety net: the checks above should have said it
		rep.bad("spec", "a HorizontalPodAutoscaler the API server accepts", err.Error(), "")
		return out, false
	}
	out.Spec = spec
	return out, out.Deployment >= 0
}

func ptrTo[T any](v T) *T { return &v }

// hpaMetric checks one metric and what in the world it reads.
func (v *validator) hpaMetric(rep hpaReporter, f string, m metricDraft, dep *eks.Deployment, hpaName string) (hpa.Metric, eks.MetricSource, bool) {
	var out hpa.Metric
	n := 0
	for _, has := range []bool{m.hasRes, m.hasPods, m.hasExt} {
		if has {
			n++
		}
	}
	want := map[string]bool{"Resource": m.hasRes, "Pods": m.hasPods, "External": m.hasExt}
	switch m.typ {
	case "Resource", "Pods", "External":
		if !want[m.typ] || n != 1 {
			rep.bad(f, "type "+m.typ+" with its "+strings.ToLower(m.typ[:1])+m.typ[1:]+" source alone", fmt.Sprintf("%d sources", n), "")
			return out, 0, false
		}
	case "Object", "ContainerResource":
		rep.bad(f+".type", "Resource, Pods or External (the sources fleetsim models)", quoteShort(m.typ), "Object and ContainerResource metrics are not modelled")
		return out, 0, false
	default:
		rep.bad(f+".type", "Resource, Pods or External", quoteShort(m.typ), "")
		return out, 0, false
	}
	tf := f + "." + strings.ToLower(m.typ[:1]) + m.typ[1:] + ".target"
	tgt := m.target
	var src eks.MetricSource
	switch m.typ {
	case "Resource":
		out.Type = hpa.Resource
		switch m.name {
		case hpa.CPU:
			src = eks.SourceCPU
		case hpa.Memory:
			src = eks.SourceMemory
		default:
			rep.bad(f+".resource.name", "cpu or memory", quoteShort(m.name), "")
			return out, 0, false
		}
		out.Name = m.name
	default:
		out.Type = hpa.Pods
		if m.typ == "External" {
			out.Type = hpa.External
		}
		nf := f + "." + strings.ToLower(m.typ) + ".metric.name"
		if m.name != eks.MetricRequestsPerSecond {
			rep.bad(nf, "a metric the world produces: "+eks.MetricRequestsPerSecond+" (the Deployment's load)", quoteShort(m.name), "")
			return out, 0, false
		}
		out.Name, src = m.name, eks.SourceRequestsPerSecond
	}
	switch tgt.typ {
	case "Utilization":
		if out.Type != hpa.Resource {
			rep.bad(tf+".type", "AverageValue or Value for a "+m.typ+" metric", "Utilization", "")
			return out, 0, false
		}
		if tgt.avgUtil == nil || *tgt.avgUtil <= 0 || *tgt.avgUtil > math.MaxInt32 {
			got := "none"
			if tgt.avgUtil != nil {
				got = strconv.FormatInt(*tgt.avgUtil, 10)
			}
			rep.bad(tf+".averageUtilization", "a percentage of the requests above 0", got, "")
			return out, 0, false
		}
		out.Target, out.AverageUtilization = hpa.Utilization, int32(*tgt.avgUtil)
	case "AverageValue":
		if out.Type == hpa.Pods || out.Type == hpa.Resource || out.Type == hpa.External {
			if tgt.avgValue == nil || tgt.avgValue.Milli <= 0 {
				rep.bad(tf+".averageValue", "a quantity above 0", "none", "")
				return out, 0, false
			}
			out.Target, out.TargetMilli = hpa.AverageValue, tgt.avgValue.Milli
		}
	case "Value":
		if out.Type != hpa.External {
			rep.bad(tf+".type", "Utilization or AverageValue for a Resource metric, AverageValue for a Pods metric", "Value", "")
			return out, 0, false
		}
		if tgt.value == nil || tgt.value.Milli <= 0 {
			rep.bad(tf+".value", "a quantity above 0", "none", "")
			return out, 0, false
		}
		out.Target, out.TargetMilli = hpa.Value, tgt.value.Milli
	default:
		rep.bad(tf+".type", "Utilization, AverageValue or Value", quoteShort(tgt.typ), "")
		return out, 0, false
	}
	if out.Type == hpa.Pods && out.Target != hpa.AverageValue {
		rep.bad(tf+".type", "AverageValue for a Pods metric", tgt.typ, "")
		return out, 0, false
	}
	if dep == nil {
		return out, src, true
	}
	// Does the workload produce it?
	cpu, mem := eksTemplateRequests(&dep.Template)
	switch {
	case src == eks.SourceRequestsPerSecond && dep.Load == nil:
		rep.bad(f, fmt.Sprintf("a metric Deployment %q produces", dep.Name), m.name+" of a Deployment without load",
			"give the Deployment a load ([[eks.deployment]] load and pod_requests_per_second)")
		return out, 0, false
	case src == eks.SourceCPU && cpu < 0:
		rep.bad(f, fmt.Sprintf("cpu requests on every container of Deployment %q", dep.Name), "a container without one",
			"the HPA reads CPU as a share of the requests: missing request for cpu")
		return out, 0, false
	case src == eks.SourceMemory && mem < 0:
		rep.bad(f, fmt.Sprintf("memory requests on every container of Deployment %q", dep.Name), "a container without one",
			"the HPA reads memory as a share of the requests: missing request for memory")
		return out, 0, false
	case src == eks.SourceCPU && dep.Load == nil:
		rep.warn(f, fmt.Sprintf("a Deployment with load for HPA %q's cpu metric", hpaName), fmt.Sprintf("Deployment %q without load", dep.Name),
			"its pods use no CPU: it stays at minReplicas")
	}
	return out, src, true
}

// eksTemplateRequests is a template's CPU and memory requests (millicores,
// bytes), -1 when a container has none.
func eksTemplateRequests(t *eks.PodTemplate) (cpu, mem int64) {
	add := func(sum, v int64, zero bool) int64 {
		if sum < 0 || (v == 0 && !zero) {
			return -1
		}
		return sum + v
	}
	for _, c := range t.Pod.Containers {
		cpu, mem = add(cpu, c.Requests.MilliCPU, c.ZeroCPU), add(mem, c.Requests.MemoryBytes, c.ZeroMemory)
	}
	for _, c := range t.Pod.InitContainers {
		if c.Sidecar {
			cpu, mem = add(cpu, c.Requests.MilliCPU, c.ZeroCPU), add(mem, c.Requests.MemoryBytes, c.ZeroMemory)
		}
	}
	return cpu, mem
}

// hpaRulesDraftCheck checks a behavior as the API server does: windows
// within [0, 3600] s, select policies Max, Min or Disabled, at least one
// policy when policies is given, each Pods or Percent with a value above 0
// and a period within (0, 1800] s, tolerances of at least 0.
func (v *validator) hpaRulesDraftCheck(rep hpaReporter, field string, b *behaviorDraft) *hpa.Behavior {
	ok := true
	conv := func(f string, r *rulesDraft) *hpa.Rules {
		if r == nil {
			return nil
		}
		out := &hpa.Rules{}
		if r.window != nil {
			if *r.window < 0 || *r.window > 3600 {
				rep.bad(f+".stabilizationWindowSeconds", "seconds from 0 to 3600", strconv.FormatInt(*r.window, 10), "")
				ok = false
			}
			w := time.Duration(*r.window) * time.Second
			out.StabilizationWindow = &w
		}
		if r.sel != "" {
			k := slices.Index(hpaSelectPolicies, r.sel)
			if k < 0 {
				hint := ""
				if c := closest(r.sel, hpaSelectPolicies); c != "" {
					hint = fmt.Sprintf("did you mean %q?", c)
				}
				rep.bad(f+".selectPolicy", "Max, Min or Disabled", quoteShort(r.sel), hint)
				ok = false
			}
			sel := hpa.Select(max(k, 0))
			out.SelectPolicy = &sel
		}
		if r.policiesSet && len(r.policies) == 0 {
			rep.bad(f+".policies", "at least one policy", "none", "")
			ok = false
		}
		for k, pol := range r.policies {
			pf := fmt.Sprintf("%s.policies[%d]", f, k)
			var pt hpa.PolicyType
			switch pol.typ {
			case "Pods":
				pt = hpa.PodsPolicy
			case "Percent":
				pt = hpa.PercentPolicy
			default:
				rep.bad(pf+".type", "Pods or Percent", quoteShort(pol.typ), "")
				ok = false
			}
			if pol.value <= 0 || pol.value > math.MaxInt32 {
				rep.bad(pf+".value", "an integer above 0", strconv.FormatInt(pol.value, 10), "")
				ok = false
			}
			if pol.period <= 0 || pol.period > 1800 {
				rep.bad(pf+".periodSeconds", "seconds from 1 to 1800", strconv.FormatInt(pol.period, 10), "")
				ok = false
			}
			out.Policies = append(out.Policies, hpa.Policy{Type: pt, Value: int32(min(max(pol.value, 0), math.MaxInt32)), Period: time.Duration(pol.period) * time.Second})
		}
		if r.tolerance != nil {
			t := float64(r.tolerance.Milli) / 1000
			out.Tolerance = &t
		}
		return out
	}
	out := &hpa.Behavior{ScaleUp: conv(field+".scaleUp", b.up), ScaleDown: conv(field+".scaleDown", b.down)}
	if !ok {
		return nil
	}
	return out
}

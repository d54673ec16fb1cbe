package kube

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LabelSelector is metav1.LabelSelector: MatchLabels and MatchExpressions,
// all of which must hold.
type LabelSelector struct {
	MatchLabels      map[string]string
	MatchExpressions []Requirement
}

// Requirement is one matchExpressions entry: Key, Operator (In, NotIn,
// Exists, DoesNotExist; node selectors also take Gt and Lt) and Values.
type Requirement struct {
	Key      string
	Operator string
	Values   []string
}

// Matches reports whether labels satisfy s. An empty selector matches
// everything (the workloads reject one before it gets here).
func (s LabelSelector) Matches(labels map[string]string) bool {
	for k, v := range s.MatchLabels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	for _, req := range s.MatchExpressions {
		if !req.Matches(labels) {
			return false
		}
	}
	return true
}

// Matches reports whether labels satisfy the requirement. Gt and Lt compare
// the label as an integer, as node selectors do.
func (q Requirement) Matches(labels map[string]string) bool {
	v, ok := labels[q.Key]
	switch q.Operator {
	case "In":
		return ok && slices.Contains(q.Values, v)
	case "NotIn":
		return !ok || !slices.Contains(q.Values, v)
	case "Exists":
		return ok
	case "DoesNotExist":
		return !ok
	case "Gt", "Lt":
		if !ok || len(q.Values) != 1 {
			return false
		}
		have, err1 := strconv.ParseInt(v, 10, 64)
		want, err2 := strconv.ParseInt(q.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if q.Operator == "Gt" {
			return have > want
		}
		return have < want
	}
	return false
}

// String writes the selector the way kubectl does: "app=web,tier in (a,b)".
func (s LabelSelector) String() string {
	var parts []string
	for _, k := range sortedKeys(s.MatchLabels) {
		parts = append(parts, k+"="+s.MatchLabels[k])
	}
	for _, q := range s.MatchExpressions {
		switch q.Operator {
		case "Exists":
			parts = append(parts, q.Key)
		case "DoesNotExist":
			parts = append(parts, "!"+q.Key)
		default:
			parts = append(parts, q.Key+" "+strings.ToLower(q.Operator)+" ("+strings.Join(q.Values, ",")+")")
		}
	}
	return strings.Join(parts, ",")
}

// Toleration is one entry of a pod's tolerations. Operator is Equal (the
// API's default) or Exists; Effect "" tolerates every effect.
type Toleration struct {
	Key, Operator, Value, Effect string
	// TolerationSeconds is how long a NoExecute taint is tolerated once it
	// appears; nil: for ever.
	TolerationSeconds *int64
}

// Affinity is a pod's affinity; nil parts are not given.
type Affinity struct {
	NodeAffinity    *NodeAffinity
	PodAffinity     *PodAffinity
	PodAntiAffinity *PodAffinity
}

// NodeAffinity holds the required terms (any one must match: ORed; none
// given: no requirement) and the weighted preferences.
type NodeAffinity struct {
	Required  []NodeSelectorTerm
	Preferred []PreferredSchedulingTerm
}

// NodeSelectorTerm is one node selector term: all of its requirements hold.
// MatchFields may only name metadata.name.
type NodeSelectorTerm struct {
	MatchExpressions []Requirement
	MatchFields      []Requirement
}

// PreferredSchedulingTerm is a node preference with its weight (1-100).
type PreferredSchedulingTerm struct {
	Weight     int
	Preference NodeSelectorTerm
}

// PodAffinity is podAffinity or podAntiAffinity: required and weighted terms.
type PodAffinity struct {
	Required  []PodAffinityTerm
	Preferred []WeightedPodAffinityTerm
}

// PodAffinityTerm selects pods (in Namespaces, or those NamespaceSelector
// selects, or the pod's own namespace when both are empty) by LabelSelector,
// within the nodes sharing the value of TopologyKey.
type PodAffinityTerm struct {
	LabelSelector     *LabelSelector
	Namespaces        []string
	NamespaceSelector *LabelSelector
	TopologyKey       string
	MatchLabelKeys    []string
	MismatchLabelKeys []string
}

// WeightedPodAffinityTerm is a preferred term with its weight (1-100).
type WeightedPodAffinityTerm struct {
	Weight int
	Term   PodAffinityTerm
}

// TopologySpreadConstraint is one of a pod's topologySpreadConstraints.
type TopologySpreadConstraint struct {
	MaxSkew           int
	TopologyKey       string
	WhenUnsatisfiable string // DoNotSchedule or ScheduleAnyway
	LabelSelector     *LabelSelector
	MinDomains        int // 0: not given (1)
	// NodeAffinityPolicy and NodeTaintsPolicy are Honor or Ignore; "" is not
	// given (the API's defaults: Honor for node affinity, Ignore for taints).
	NodeAffinityPolicy string
	NodeTaintsPolicy   string
	MatchLabelKeys     []string
}

// Known fields of the scheduling parts (k8s.io/api core/v1, meta/v1).
var (
	selectorFields       = []string{"matchLabels", "matchExpressions"}
	requirementFields    = []string{"key", "operator", "values"}
	tolerationFields     = []string{"key", "operator", "value", "effect", "tolerationSeconds"}
	affinityFields       = []string{"nodeAffinity", "podAffinity", "podAntiAffinity"}
	nodeAffinityFields   = []string{"requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"}
	nodeSelectorFields   = []string{"nodeSelectorTerms"}
	nodeTermFields       = []string{"matchExpressions", "matchFields"}
	preferredNodeFields  = []string{"weight", "preference"}
	podAffinityFields    = nodeAffinityFields
	podTermFields        = []string{"labelSelector", "namespaces", "topologyKey", "namespaceSelector", "matchLabelKeys", "mismatchLabelKeys"}
	weightedPodFields    = []string{"weight", "podAffinityTerm"}
	spreadFields         = []string{"maxSkew", "topologyKey", "whenUnsatisfiable", "labelSelector", "minDomains", "nodeAffinityPolicy", "nodeTaintsPolicy", "matchLabelKeys"}
	labelOperators       = []string{"In", "NotIn", "Exists", "DoesNotExist"}
	nodeOperators        = []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}
	requiredDuringSched  = "requiredDuringSchedulingIgnoredDuringExecution"
	preferredDuringSched = "preferredDuringSchedulingIgnoredDuringExecution"
)

// labelSelector reads a label selector field; absent is nil. ok is false
// after a problem in it.
func (r *reader) labelSelector(f fields, name string) (*LabelSelector, bool) {
	mark := len(r.problems)
	sf, present := r.sub(f, name, selectorFields)
	if !present {
		return nil, len(r.problems) == mark
	}
	sel := &LabelSelector{MatchLabels: r.stringMap(sf, "matchLabels")}
	for i, n := range r.list(sf, "matchExpressions") {
		if q, ok := r.requirement(sf.path.field("matchExpressions").index(i), n, labelOperators); ok {
			sel.MatchExpressions = append(sel.MatchExpressions, q)
		}
	}
	return sel, len(r.problems) == mark
}

// requirement reads a matchExpressions entry whose operator is one of ops.
func (r *reader) requirement(p path, n *yaml.Node, ops []string) (Requirement, bool) {
	mark := len(r.problems)
	f, ok := r.object(p, n, requirementFields)
	if !ok {
		return Requirement{}, false
	}
	q := Requirement{
		Key:      r.required(f, "key", "a label key"),
		Operator: r.enum(f, "operator", "", ops...),
		Values:   r.strings(f, "values"),
	}
	if !f.has("operator") {
		r.bad(p.field("operator"), f.line, oneOf(ops), "none")
	}
	switch q.Operator {
	case "In", "NotIn":
		if len(q.Values) == 0 {
			r.bad(p.field("values"), f.lineOf("values"), "at least one value when operator is "+q.Operator, "none")
		}
	case "Exists", "DoesNotExist":
		if len(q.Values) > 0 {
			r.bad(p.field("values"), f.lineOf("values"), "no values when operator is "+q.Operator, strconv.Itoa(len(q.Values)))
		}
	case "Gt", "Lt":
		if len(q.Values) != 1 {
			r.bad(p.field("values"), f.lineOf("values"), "a single value when operator is "+q.Operator, strconv.Itoa(len(q.Values)))
		} else if _, err := strconv.ParseInt(q.Values[0], 10, 64); err != nil {
			r.bad(p.field("values").index(0), f.lineOf("values"), "an integer when operator is "+q.Operator, strconv.Quote(q.Values[0]))
		}
	}
	return q, len(r.problems) == mark
}

// tolerations reads spec.tolerations with the API's checks.
func (r *reader) tolerations(f fields) []Toleration {
	var out []Toleration
	for i, n := range r.list(f, "tolerations") {
		p := f.path.field("tolerations").index(i)
		tf, ok := r.object(p, n, tolerationFields)
		if !ok {
			continue
		}
		t := Toleration{
			Key:      r.str(tf, "key"),
			Operator: r.enum(tf, "operator", "Equal", "Equal", "Exists"),
			Value:    r.str(tf, "value"),
			Effect:   r.enum(tf, "effect", "", "NoSchedule", "PreferNoSchedule", "NoExecute"),
		}
		if secs, ok := r.optInteger(tf, "tolerationSeconds", -1<<63, 1<<63-1); ok && secs != nil {
			t.TolerationSeconds = secs
			if t.Effect != "NoExecute" {
				r.bad(p.field("effect"), tf.lineOf("effect"), `"NoExecute" when tolerationSeconds is set`, strconv.Quote(t.Effect))
			}
		}
		if t.Key == "" && t.Operator != "Exists" {
			r.bad(p.field("operator"), tf.lineOf("operator"), `"Exists" when key is empty (which tolerates every taint)`, strconv.Quote(t.Operator))
		}
		if t.Operator == "Exists" && t.Value != "" {
			r.bad(p.field("value"), tf.lineOf("value"), `no value when operator is "Exists"`, strconv.Quote(t.Value))
		}
		out = append(out, t)
	}
	return out
}

// affinity reads spec.affinity.
func (r *reader) affinity(f fields) Affinity {
	af, ok := r.sub(f, "affinity", affinityFields)
	if !ok {
		return Affinity{}
	}
	return Affinity{
		NodeAffinity:    r.nodeAffinity(af),
		PodAffinity:     r.podAffinity(af, "podAffinity"),
		PodAntiAffinity: r.podAffinity(af, "podAntiAffinity"),
	}
}

func (r *reader) nodeAffinity(af fields) *NodeAffinity {
	nf, ok := r.sub(af, "nodeAffinity", nodeAffinityFields)
	if !ok {
		return nil
	}
	na := &NodeAffinity{}
	if req, ok := r.sub(nf, requiredDuringSched, nodeSelectorFields); ok {
		terms := r.list(req, "nodeSelectorTerms")
		if len(terms) == 0 && !r.reportedUnder(req.path.field("nodeSelectorTerms")) {
			r.bad(req.path.field("nodeSelectorTerms"), req.lineOf("nodeSelectorTerms"), "at least one node selector term", "none")
		}
		for i, n := range terms {
			na.Required = append(na.Required, r.nodeSelectorTerm(req.path.field("nodeSelectorTerms").index(i), n))
		}
	}
	for i, n := range r.list(nf, preferredDuringSched) {
		p := nf.path.field(preferredDuringSched).index(i)
		pf, ok := r.object(p, n, preferredNodeFields)
		if !ok {
			continue
		}
		na.Preferred = append(na.Preferred, PreferredSchedulingTerm{
			Weight:     r.weight(pf),
			Preference: r.nodeSelectorTerm(p.field("preference"), pf.nodes["preference"]),
		})
	}
	return na
}

func (r *reader) nodeSelectorTerm(p path, n *yaml.Node) NodeSelectorTerm {
	tf, ok := r.object(p, n, nodeTermFields)
	if !ok {
		return NodeSelectorTerm{}
	}
	var t NodeSelectorTerm
	for i, e := range r.list(tf, "matchExpressions") {
		if q, ok := r.requirement(p.field("matchExpressions").index(i), e, nodeOperators); ok {
			t.MatchExpressions = append(t.MatchExpressions, q)
		}
	}
	for i, e := range r.list(tf, "matchFields") {
		fp := p.field("matchFields").index(i)
		q, ok := r.requirement(fp, e, []string{"In", "NotIn"})
		if !ok {
			continue
		}
		if q.Key != "metadata.name" {
			r.bad(fp.field("key"), e.Line, `"metadata.name" (the only field a node selector can match)`, strconv.Quote(q.Key))
			continue
		}
		if len(q.Values) != 1 {
			r.bad(fp.field("values"), e.Line, "exactly one node name", strconv.Itoa(len(q.Values)))
			continue
		}
		t.MatchFields = append(t.MatchFields, q)
	}
	return t
}

// weight reads a preferred term's weight, 1 to 100.
func (r *reader) weight(f fields) int {
	if !f.has("weight") {
		r.bad(f.path.field("weight"), f.lineOf("weight"), "a weight from 1 to 100", "none")
		return 0
	}
	return int(r.integer(f, "weight", 0, 1, 100))
}

func (r *reader) podAffinity(af fields, name string) *PodAffinity {
	pf, ok := r.sub(af, name, podAffinityFields)
	if !ok {
		return nil
	}
	pa := &PodAffinity{}
	for i, n := range r.list(pf, requiredDuringSched) {
		pa.Required = append(pa.Required, r.podAffinityTerm(pf.path.field(requiredDuringSched).index(i), n))
	}
	for i, n := range r.list(pf, preferredDuringSched) {
		p := pf.path.field(preferredDuringSched).index(i)
		wf, ok := r.object(p, n, weightedPodFields)
		if !ok {
			continue
		}
		if !wf.has("podAffinityTerm") {
			r.bad(p.field("podAffinityTerm"), wf.line, "a podAffinityTerm", "none")
		}
		pa.Preferred = append(pa.Preferred, WeightedPodAffinityTerm{
			Weight: r.weight(wf),
			Term:   r.podAffinityTerm(p.field("podAffinityTerm"), wf.nodes["podAffinityTerm"]),
		})
	}
	return pa
}

func (r *reader) podAffinityTerm(p path, n *yaml.Node) PodAffinityTerm {
	tf, ok := r.object(p, n, podTermFields)
	if !ok {
		return PodAffinityTerm{}
	}
	t := PodAffinityTerm{
		Namespaces:        r.strings(tf, "namespaces"),
		TopologyKey:       r.required(tf, "topologyKey", "a topologyKey (a node label such as topology.kubernetes.io/zone)"),
		MatchLabelKeys:    r.strings(tf, "matchLabelKeys"),
		MismatchLabelKeys: r.strings(tf, "mismatchLabelKeys"),
	}
	t.LabelSelector, _ = r.labelSelector(tf, "labelSelector")
	t.NamespaceSelector, _ = r.labelSelector(tf, "namespaceSelector")
	if t.LabelSelector == nil && len(t.MatchLabelKeys)+len(t.MismatchLabelKeys) > 0 {
		r.bad(p.field("matchLabelKeys"), tf.lineOf("matchLabelKeys"), "a labelSelector beside matchLabelKeys or mismatchLabelKeys", "none")
	}
	return t
}

// spreadConstraints reads spec.topologySpreadConstraints.
func (r *reader) spreadConstraints(f fields) []TopologySpreadConstraint {
	var out []TopologySpreadConstraint
	seen := map[string]bool{}
	for i, n := range r.list(f, "topologySpreadConstraints") {
		p := f.path.field("topologySpreadConstraints").index(i)
		cf, ok := r.object(p, n, spreadFields)
		if !ok {
			continue
		}
		c := TopologySpreadConstraint{
			TopologyKey:        r.required(cf, "topologyKey", "a topologyKey (a node label such as topology.kubernetes.io/zone)"),
			WhenUnsatisfiable:  r.enum(cf, "whenUnsatisfiable", "", "DoNotSchedule", "ScheduleAnyway"),
			NodeAffinityPolicy: r.enum(cf, "nodeAffinityPolicy", "", "Honor", "Ignore"),
			NodeTaintsPolicy:   r.enum(cf, "nodeTaintsPolicy", "", "Honor", "Ignore"),
			MatchLabelKeys:     r.strings(cf, "matchLabelKeys"),
		}
		if !cf.has("maxSkew") {
			r.bad(p.field("maxSkew"), cf.line, "a maxSkew above 0", "none")
		}
		c.MaxSkew = int(r.integer(cf, "maxSkew", 0, 1, maxInt32))
		if !cf.has("whenUnsatisfiable") {
			r.bad(p.field("whenUnsatisfiable"), cf.line, `"DoNotSchedule" or "ScheduleAnyway"`, "none")
		}
		if cf.has("minDomains") {
			c.MinDomains = int(r.integer(cf, "minDomains", 0, 1, maxInt32))
			if c.WhenUnsatisfiable != "DoNotSchedule" {
				r.bad(p.field("minDomains"), cf.lineOf("minDomains"), `no minDomains unless whenUnsatisfiable is "DoNotSchedule"`, strconv.Itoa(c.MinDomains))
			}
		}
		c.LabelSelector, _ = r.labelSelector(cf, "labelSelector")
		key := c.TopologyKey + "/" + c.WhenUnsatisfiable
		if c.TopologyKey != "" && seen[key] {
			r.bad(p, cf.line, "one constraint per topologyKey and whenUnsatisfiable", c.TopologyKey+" "+c.WhenUnsatisfiable+" again")
		}
		seen[key] = true
		out = append(out, c)
	}
	return out
}

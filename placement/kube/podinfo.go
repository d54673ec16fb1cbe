package kube

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Non-zero defaults the resource scorers use for a container without a CPU
// or memory request (pkg/scheduler/util/pod_resources.go).
const (
	DefaultMilliCPURequest int64 = 100               // 0.1 core
	DefaultMemoryRequest   int64 = 200 * 1024 * 1024 // 200 MiB
)

// PodInfo is a Pod compiled against one Cluster: effective requests, interned
// labels, compiled selectors and the Cluster counters its spread constraints
// and affinity terms read. Build it once per pod with NewPodInfo; Schedule and
// Bind take it.
type PodInfo struct {
	c   *Cluster
	key string // namespace/name
	*podSpec
}

// podSpec is what a PodInfo compiles from the pod's spec, read-only once
// compiled and shared by the replicas stamped from one pod (Replica).
type podSpec struct {
	ns         int32
	labels     labelSet
	req        Resources // effective requests, overhead included
	nonZero    Resources // the same with the non-zero defaults, for scoring
	bestEffort bool      // no CPU and no memory request at all
	ports      []cport
	nodeName   string

	nodeSel     selector   // spec.nodeSelector: equality requirements
	required    []selector // required node affinity terms, ORed; nil: none
	hasRequired bool
	affSig      string // nodeSelector + required terms; "" when there are neither
	preferred   []weightedSelector
	prefSig     string // preferred terms, for Cluster.preferredMemo; "" when none

	tolerations []ctol
	pnsTols     []ctol // tolerations with effect PreferNoSchedule or none

	explicitSpread bool // the pod has its own spread constraints
	hardSpread     []spreadConstraint
	softSpread     []spreadConstraint

	reqAffinity  []affinityTerm // counts of the matcher of all terms together
	selfAffinity bool           // the pod matches all its own required affinity terms
	reqAnti      []affinityTerm
	prefAffinity []weightedTerm
	prefAnti     []weightedTerm
	own          []termUse // the terms the pod carries once bound

	images    []int32 // normalised image names of init and app containers
	imageSig  string  // images, for Cluster.imageMemo
	numImages int
	priority  int32
}

// Key returns namespace/name.
func (p *PodInfo) Key() string { return p.key }

// Requests returns the pod's effective requests: per resource the larger of
// the app containers' sum (with sidecars) and the largest init container
// (with the sidecars started before it), plus the overhead.
func (p *PodInfo) Requests() Resources { return p.req }

// NonZeroRequests returns Requests with the non-zero defaults for containers
// missing a CPU or memory request, as the resource scorers count it.
func (p *PodInfo) NonZeroRequests() Resources { return p.nonZero }

// Priority returns the pod's priority.
func (p *PodInfo) Priority() int32 { return p.priority }

func (p *PodInfo) mustBelong(c *Cluster) {
	if p.c != c {
		panic("kube: PodInfo of another Cluster")
	}
}

type weightedSelector struct {
	w   int64
	sel selector
}

type ctol struct {
	key, val int32
	anyKey   bool
	exists   bool
	effect   TaintEffect
}

// tolerates is core/v1 Toleration.ToleratesTaint: an empty effect matches
// every effect, an empty key every key, Exists every value.
func (t *ctol) tolerates(ta *ctaint) bool {
	if t.effect != AnyEffect && t.effect != ta.effect {
		return false
	}
	if !t.anyKey && t.key != ta.key {
		return false
	}
	return t.exists || t.val == ta.val
}

func toleratedBy(ts []ctol, ta *ctaint) bool {
	for i := range ts {
		if ts[i].tolerates(ta) {
			return true
		}
	}
	return false
}

type spreadConstraint struct {
	maxSkew       int32
	minDomains    int32
	topo          int32
	hostname      bool
	sel           selector
	empty         bool     // empty selector: counts no existing pod
	ref           countRef // by domain; for soft hostname constraints only m is set
	honorAffinity bool
	honorTaints   bool
}

type affinityTerm struct {
	cl   clause
	topo int32
	ref  countRef
}

type weightedTerm struct {
	affinityTerm
	w int64
}

// NewPodInfo compiles p against the cluster. It returns every problem it
// finds in p, joined; selectors kube-scheduler would reject (a bad label key
// or value, a wrong number of values for the operator) are problems, except
// in required node affinity terms, where kube-scheduler lets such a term
// match no node.
func (c *Cluster) NewPodInfo(p Pod) (*PodInfo, error) {
	pi := &PodInfo{c: c, key: p.Namespace + "/" + p.Name, podSpec: &podSpec{ns: c.in.id(p.Namespace), labels: c.in.labels(p.Labels),
		nodeName: p.NodeName, priority: p.Priority}}
	var errs []error
	bad := func(field string, err error) {
		errs = append(errs, fmt.Errorf("kube: pod %s: %s: %w", pi.key, field, err))
	}
	if p.Name == "" {
		bad("name", errors.New("empty"))
	}
	pi.compileResources(p, bad)
	pi.compileNodeAffinity(p, bad)
	pi.compileTolerations(p, bad)
	pi.compileSpread(p, bad)
	pi.compileAffinity(p, bad)
	for _, cs := range [][]Container{p.InitContainers, p.Containers} {
		for _, ct := range cs {
			pi.images = append(pi.images, c.in.id(normalizedImageName(ct.Image)))
		}
	}
	pi.numImages = len(pi.images)
	sig := c.isig[:0]
	for _, im := range pi.images {
		sig = appendSigInt(sig, int64(im))
	}
	c.isig = sig
	pi.imageSig = c.in.intern(sig)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return pi, nil
}

// Replica returns the PodInfo that NewPodInfo would compile for p's Pod
// named name in the same namespace: a replica stamped from the same
// template, as a ReplicaSet or Job controller creates its pods. The
// compiled spec is shared, read-only, with p; only the name differs.
// TestReplicaEqualsNewPodInfo holds it to NewPodInfo.
func (p *PodInfo) Replica(name string) (*PodInfo, error) {
	if name == "" {
		return nil, fmt.Errorf("kube: replica of pod %s: name: empty", p.key)
	}
	return &PodInfo{c: p.c, key: p.c.in.str(p.ns) + "/" + name, podSpec: p.podSpec}, nil
}

// compileResources computes the effective requests (component-helpers
// resource PodRequests, noderesources computePodResourceRequest) and the host
// ports (scheduler util GetHostPorts: app containers and sidecars).
func (pi *PodInfo) compileResources(p Pod, bad func(string, error)) {
	for _, cs := range [][]Container{p.InitContainers, p.Containers} {
		for _, ct := range cs {
			if r := ct.Requests; r.MilliCPU < 0 || r.MemoryBytes < 0 || r.EphemeralBytes < 0 {
				bad("container "+ct.Name, errors.New("negative request"))
			}
		}
	}
	if o := p.Overhead; o.MilliCPU < 0 || o.MemoryBytes < 0 || o.EphemeralBytes < 0 {
		bad("overhead", errors.New("negative"))
	}
	pi.req = effectiveRequests(p, false)
	pi.nonZero = effectiveRequests(p, true)
	pi.bestEffort = pi.req.MilliCPU == 0 && pi.req.MemoryBytes == 0
	for _, ct := range p.InitContainers {
		if ct.Sidecar {
			pi.addPorts(ct.HostPorts)
		}
	}
	for _, ct := range p.Containers {
		pi.addPorts(ct.HostPorts)
	}
}

func (pi *PodInfo) addPorts(hps []HostPort) {
	for _, hp := range hps {
		if hp.Port > 0 {
			pi.ports = append(pi.ports, pi.c.compilePort(hp))
		}
	}
}

func (c *Cluster) compilePort(hp HostPort) cport {
	ip := hp.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	proto := hp.Protocol
	if proto == "" {
		proto = TCP
	}
	return cport{c.in.id(ip), c.in.id(string(proto)), hp.Port}
}

// effectiveRequests is component-helpers resource PodRequests: the app
// containers and sidecars summed, each init container adding to the sidecars
// started before it, the larger of the two per resource, plus the overhead.
// nonZero applies the scorers' defaults to containers missing a CPU or memory
// request.
func effectiveRequests(p Pod, nonZero bool) Resources {
	var sum, sidecars, initMax Resources
	for _, ct := range p.Containers {
		sum = sum.add(containerRequests(ct, nonZero))
	}
	for _, ct := range p.InitContainers {
		r := containerRequests(ct, nonZero)
		if ct.Sidecar {
			sum = sum.add(r)
			sidecars = sidecars.add(r)
			r = sidecars
		} else {
			r = r.add(sidecars)
		}
		initMax = initMax.max(r)
	}
	return sum.max(initMax).add(p.Overhead)
}

func containerRequests(ct Container, nonZero bool) Resources {
	r := ct.Requests
	if nonZero {
		if r.MilliCPU == 0 && !ct.ZeroCPU {
			r.MilliCPU = DefaultMilliCPURequest
		}
		if r.MemoryBytes == 0 && !ct.ZeroMemory {
			r.MemoryBytes = DefaultMemoryRequest
		}
	}
	return r
}

// compileNodeAffinity compiles nodeSelector (labels.SelectorFromSet: not
// validated) and the node affinity terms.
func (pi *PodInfo) compileNodeAffinity(p Pod, bad func(string, error)) {
	in := &pi.c.in
	for _, k := range sortedKeys(p.NodeSelector) {
		pi.nodeSel.reqs = append(pi.nodeSel.reqs, requirement{key: in.id(k), op: OpIn, vals: []int32{in.id(p.NodeSelector[k])}})
	}
	if a := p.NodeAffinity; a != nil {
		for _, t := range a.Required {
			s, _ := in.nodeTerm(t) // a term that does not parse matches no node
			pi.required = append(pi.required, s)
		}
		pi.hasRequired = len(pi.required) > 0
		for i, t := range a.Preferred {
			field := fmt.Sprintf("nodeAffinity.preferred[%d]", i)
			if t.Weight < 0 || t.Weight > 100 {
				bad(field+".weight", fmt.Errorf("must be in the range 1-100, got %d", t.Weight))
				continue
			}
			if t.Weight == 0 || len(t.Preference.MatchExpressions) == 0 {
				continue // skipped, as NewPreferredSchedulingTerms does
			}
			s, err := in.nodeTerm(t.Preference)
			if err != nil {
				bad(field, err)
				continue
			}
			pi.preferred = append(pi.preferred, weightedSelector{int64(t.Weight), s})
		}
	}
	if len(pi.nodeSel.reqs) > 0 || pi.hasRequired {
		b := pi.nodeSel.sig(append([]byte(nil), 'S'))
		for i := range pi.required {
			b = pi.required[i].sig(append(b, '|'))
		}
		pi.affSig = string(b)
	}
	if len(pi.preferred) > 0 {
		var b []byte
		for i := range pi.preferred {
			b = appendSigInt(append(b, '|'), pi.preferred[i].w)
			b = pi.preferred[i].sel.sig(b)
		}
		pi.prefSig = string(b)
	}
}

// nodeMatches is component-helpers RequiredNodeAffinity.Match: nodeSelector
// and at least one required term.
func (pi *PodInfo) nodeMatches(in *interner, n *NodeInfo) bool {
	if !pi.nodeSel.matches(in, n.labels) {
		return false
	}
	if !pi.hasRequired {
		return true
	}
	for i := range pi.required {
		if pi.required[i].matches(in, n.labels) {
			return true
		}
	}
	return false
}

func (pi *PodInfo) compileTolerations(p Pod, bad func(string, error)) {
	in := &pi.c.in
	for i, t := range p.Tolerations {
		field := fmt.Sprintf("tolerations[%d]", i)
		switch {
		case t.Operator == TolerationExists && t.Value != "":
			bad(field, errors.New("value must be empty when operator is Exists"))
			continue
		case t.Key == "" && t.Operator != TolerationExists:
			bad(field, errors.New("operator must be Exists when key is empty"))
			continue
		case t.Operator > TolerationExists || t.Effect > NoExecute:
			bad(field, errors.New("unknown operator or effect"))
			continue
		}
		ct := ctol{key: in.id(t.Key), val: in.id(t.Value), anyKey: t.Key == "", exists: t.Operator == TolerationExists, effect: t.Effect}
		pi.tolerations = append(pi.tolerations, ct)
		if t.Effect == AnyEffect || t.Effect == PreferNoSchedule {
			pi.pnsTols = append(pi.pnsTols, ct)
		}
	}
}

// compileSpread compiles the pod's spread constraints or, when it has none
// and DefaultSpreadSelector selects something, the cluster-default ones
// (podtopologyspread plugin.go systemDefaultConstraints: hostname maxSkew 3
// and zone maxSkew 5, both ScheduleAnyway).
func (pi *PodInfo) compileSpread(p Pod, bad func(string, error)) {
	c := pi.c
	pi.explicitSpread = len(p.TopologySpreadConstraints) > 0
	for i, tc := range p.TopologySpreadConstraints {
		field := fmt.Sprintf("topologySpreadConstraints[%d]", i)
		switch {
		case tc.MaxSkew < 1:
			bad(field+".maxSkew", fmt.Errorf("must be greater than zero, got %d", tc.MaxSkew))
			continue
		case tc.TopologyKey == "":
			bad(field+".topologyKey", errors.New("can not be empty"))
			continue
		case tc.WhenUnsatisfiable != DoNotSchedule && tc.WhenUnsatisfiable != ScheduleAnyway:
			bad(field+".whenUnsatisfiable", errors.New("must be DoNotSchedule or ScheduleAnyway"))
			continue
		case tc.MinDomains < 0 || tc.MinDomains > 0 && tc.WhenUnsatisfiable != DoNotSchedule:
			bad(field+".minDomains", errors.New("must be greater than zero and only with DoNotSchedule"))
			continue
		}
		sel, err := c.in.labelSelector(tc.LabelSelector)
		if err != nil {
			bad(field+".labelSelector", err)
			continue
		}
		sc := pi.spreadConstraint(tc.TopologyKey, tc.MaxSkew, max(tc.MinDomains, 1), sel, tc.WhenUnsatisfiable == DoNotSchedule)
		sc.honorAffinity = tc.NodeAffinityPolicy != PolicyIgnore
		sc.honorTaints = tc.NodeTaintsPolicy == PolicyHonor
		if tc.WhenUnsatisfiable == DoNotSchedule {
			pi.hardSpread = append(pi.hardSpread, sc)
		} else {
			pi.softSpread = append(pi.softSpread, sc)
		}
	}
	if pi.explicitSpread || p.DefaultSpreadSelector == nil {
		return
	}
	sel, err := c.in.labelSelector(p.DefaultSpreadSelector)
	if err != nil {
		bad("defaultSpreadSelector", err)
		return
	}
	if sel.empty() {
		return
	}
	pi.softSpread = slices.Grow(pi.softSpread, 2)
	for _, d := range []struct {
		key  string
		skew int32
	}{{LabelHostname, 3}, {LabelTopologyZone, 5}} {
		sc := pi.spreadConstraint(d.key, d.skew, 1, sel, false)
		sc.honorAffinity = true
		pi.softSpread = append(pi.softSpread, sc)
	}
}

func (pi *PodInfo) spreadConstraint(key string, skew, minDomains int32, sel selector, hard bool) spreadConstraint {
	c := pi.c
	sc := spreadConstraint{maxSkew: skew, minDomains: minDomains, topo: c.topoKey(key), hostname: key == LabelHostname,
		sel: sel, empty: sel.empty()}
	c.ns1[0] = pi.ns // matcher copies what it keeps
	m := c.matcher([]clause{{ns: c.ns1[:], sel: sel}})
	if hard || !sc.hostname {
		sc.ref = c.countsBy(m, sc.topo)
	} else {
		sc.ref = countRef{m: m, slot: -1}
	}
	return sc
}

// compileAffinity compiles the pod (anti-)affinity terms: for each, the
// matcher that counts the existing pods it selects, and the existing-pod
// entry the pod adds to once bound.
func (pi *PodInfo) compileAffinity(p Pod, bad func(string, error)) {
	c := pi.c
	type list struct {
		name     string
		required []PodAffinityTerm
		pref     []WeightedPodAffinityTerm
		reqKind  termKind
		prefKind termKind
	}
	var lists []list
	if a := p.PodAffinity; a != nil {
		lists = append(lists, list{"podAffinity", a.Required, a.Preferred, requiredAffinity, preferredAffinity})
	}
	if a := p.PodAntiAffinity; a != nil {
		lists = append(lists, list{"podAntiAffinity", a.Required, a.Preferred, requiredAntiAffinity, preferredAntiAffinity})
	}
	for _, l := range lists {
		for i, t := range l.required {
			at, ok := pi.affinityTerm(t, fmt.Sprintf("%s.required[%d]", l.name, i), bad)
			if !ok {
				continue
			}
			pi.own = append(pi.own, termUse{c.existingTermFor(l.reqKind, at.cl, at.topo), 1})
			if l.reqKind == requiredAffinity {
				pi.reqAffinity = append(pi.reqAffinity, at)
			} else {
				at.ref = c.countsBy(c.matcher([]clause{at.cl}), at.topo)
				pi.reqAnti = append(pi.reqAnti, at)
			}
		}
		for i, t := range l.pref {
			field := fmt.Sprintf("%s.preferred[%d]", l.name, i)
			if t.Weight < 1 || t.Weight > 100 {
				bad(field+".weight", fmt.Errorf("must be in the range 1-100, got %d", t.Weight))
				continue
			}
			at, ok := pi.affinityTerm(t.Term, field, bad)
			if !ok {
				continue
			}
			at.ref = c.countsBy(c.matcher([]clause{at.cl}), at.topo)
			wt := weightedTerm{at, int64(t.Weight)}
			pi.own = append(pi.own, termUse{c.existingTermFor(l.prefKind, at.cl, at.topo), wt.w})
			if l.prefKind == preferredAffinity {
				pi.prefAffinity = append(pi.prefAffinity, wt)
			} else {
				pi.prefAnti = append(pi.prefAnti, wt)
			}
		}
	}
	pi.bindRequiredAffinity()
}

// bindRequiredAffinity counts the required affinity terms with one matcher
// for all of them: a pod counts only if it matches every term
// (interpodaffinity podMatchesAllAffinityTerms).
func (pi *PodInfo) bindRequiredAffinity() {
	if len(pi.reqAffinity) == 0 {
		return
	}
	c := pi.c
	cls := make([]clause, len(pi.reqAffinity))
	for i := range pi.reqAffinity {
		cls[i] = pi.reqAffinity[i].cl
	}
	m := c.matcher(cls)
	pi.selfAffinity = m.matchesPod(&c.in, pi.ns, pi.labels)
	for i := range pi.reqAffinity {
		pi.reqAffinity[i].ref = c.countsBy(m, pi.reqAffinity[i].topo)
	}
}

func (pi *PodInfo) affinityTerm(t PodAffinityTerm, field string, bad func(string, error)) (affinityTerm, bool) {
	c := pi.c
	if t.TopologyKey == "" {
		bad(field+".topologyKey", errors.New("can not be empty"))
		return affinityTerm{}, false
	}
	sel, err := c.in.labelSelector(t.LabelSelector)
	if err != nil {
		bad(field+".labelSelector", err)
		return affinityTerm{}, false
	}
	ns := []int32{pi.ns}
	if len(t.Namespaces) > 0 {
		ns = ns[:0]
		for _, n := range t.Namespaces {
			ns = append(ns, c.in.id(n))
		}
		slices.Sort(ns)
		ns = slices.Compact(ns)
	}
	return affinityTerm{cl: clause{ns: ns, sel: sel}, topo: c.topoKey(t.TopologyKey)}, true
}

// normalizedImageName is imagelocality normalizedImageName: a name without a
// tag gets ":latest".
func normalizedImageName(name string) string {
	if strings.LastIndex(name, ":") <= strings.LastIndex(name, "/") {
		name += ":latest"
	}
	return name
}

package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/autoscale/karpenter"
	"github.com/fleetsim/fleetsim/scenarios/kube"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// [[eks.node_pools]] and [[eks.node_classes]]: Karpenter's v1 NodePool
// (karpenter.sh/v1) and EC2NodeClass (karpenter.k8s.aws/v1) in snake_case.
// Each NodePool becomes a node group of kind Karpenter over a direct
// capacity group (an EC2 Fleet of type instant) holding every catalog type
// the pool's requirements allow; autoscale/karpenter decides, sim/eks runs
// it. docs/semantics/eks-karpenter.md ("Scenario keys") lists the keys,
// defaults and sources.

// nodePoolSchema is one [[eks.node_pools]].
type nodePoolSchema struct {
	Name string `toml:"name"`
	// NodeClassRef is spec.template.spec.nodeClassRef.name: an
	// [[eks.node_classes]] name ("default" when there is one named so).
	NodeClassRef string `toml:"node_class_ref"`
	// Weight is spec.weight: 1 to 100, higher first.
	Weight       *int                  `toml:"weight" max:"100" why:"Karpenter: spec.weight is 1 to 100"`
	Requirements []nodePoolRequirement `toml:"requirements" maxitems:"100"`
	Labels       map[string]string     `toml:"labels" maxitems:"100"`
	Taints       []string              `toml:"taints" maxitems:"50"`
	// ExpireAfter is spec.template.spec.expireAfter: a duration or "Never" (720h).
	ExpireAfter string             `toml:"expire_after" maxlen:"64"`
	Limits      nodePoolLimits     `toml:"limits"`
	Disruption  nodePoolDisruption `toml:"disruption"`
}

// nodePoolRequirement is a NodeSelectorRequirement of
// spec.template.spec.requirements (its operators include Gt and Lt).
type nodePoolRequirement struct {
	Key      string   `toml:"key"`
	Operator string   `toml:"operator"`
	Values   []string `toml:"values" maxitems:"100"`
}

// nodePoolLimits is spec.limits: Kubernetes quantities.
type nodePoolLimits struct {
	CPU    string `toml:"cpu" maxlen:"64"`
	Memory string `toml:"memory" maxlen:"64"`
}

// nodePoolDisruption is spec.disruption.
type nodePoolDisruption struct {
	ConsolidationPolicy string `toml:"consolidation_policy"`
	// ConsolidateAfter is a duration or "Never" (0s).
	ConsolidateAfter string           `toml:"consolidate_after" maxlen:"64"`
	Budgets          []nodePoolBudget `toml:"budgets" maxitems:"50"`
}

// nodePoolBudget is one spec.disruption.budgets entry (no schedule: always active).
type nodePoolBudget struct {
	Nodes   string   `toml:"nodes" maxlen:"16"`
	Reasons []string `toml:"reasons" maxitems:"3"`
}

// nodeClassSchema is one [[eks.node_classes]]: an EC2NodeClass.
type nodeClassSchema struct {
	Name string `toml:"name"`
	// AMIFamily is AL2023 (the default), AL2 or Bottlerocket.
	AMIFamily string `toml:"ami_family"`
	// BlockDeviceSize is the root volume's size (20GiB, Karpenter's default).
	BlockDeviceSize ByteSize `toml:"block_device_size" max:"64TiB"`
}

// kpDefaultBlockDeviceGiB is Karpenter's root volume when an EC2NodeClass
// gives no blockDeviceMappings (20Gi gp3 for AL2 and AL2023).
const kpDefaultBlockDeviceGiB = 20

// kpGroupMaxSize is the direct capacity group's ceiling (choice: the
// NodePool's limits are what bound it; this only keeps the group finite).
const kpGroupMaxSize = 1000

// kpKeys are the requirement keys fleetsim models (the well-known labels
// autoscale/karpenter reads).
var kpKeys = []string{karpenter.LabelArch, karpenter.LabelCapacityType, karpenter.LabelFamily, karpenter.LabelCPU,
	karpenter.LabelMemory, karpenter.LabelSize, karpenter.LabelInstanceType, karpenter.LabelZone}

var kpOperators = []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}

// karpenterPools reads [[eks.node_classes]] and [[eks.node_pools]] into
// cl.NodePools and cl.Karpenter, appending a node group and a direct
// capacity group per pool.
func (v *validator) karpenterPools(cl *eks.Config, cfg *simGroups, spotDiscount float64) {
	e := v.f.EKS
	if len(e.NodePools) == 0 {
		if len(e.NodeClasses) > 0 {
			v.bad(p("eks", "node_classes"), "[[eks.node_classes]] referenced by a [[eks.node_pools]]", "node classes and no NodePool")
		}
		return
	}
	classes := map[string]int{}
	for i, c := range e.NodeClasses {
		k := p("eks", "node_classes", i, "name")
		switch {
		case c.Name == "":
			v.bad(k, "a node class name", "none")
		case classes[c.Name] > 0:
			v.bad(k, "a unique node class name", quoteShort(c.Name)+" again")
		}
		classes[c.Name] = i + 1
		v.enum(p("eks", "node_classes", i, "ami_family"), []string{"AL2023", "AL2", "Bottlerocket"}, c.AMIFamily, 0)
	}
	var all []catalog.InstanceType
	for _, n := range v.cat.Names() {
		if t, ok := v.cat.Lookup(n); ok {
			all = append(all, t)
		}
	}
	kts := eks.KarpenterTypes(all, cl.Zones, 0.7, 0)
	names := map[string]bool{}
	for _, g := range cl.NodeGroups {
		names[g.Name] = true
	}
	for i, s := range e.NodePools {
		path := p("eks", "node_pools", i)
		k := func(key string, more ...any) []string { return append(append(slices.Clone(path), key), p(more...)...) }
		switch {
		case s.Name == "":
			v.bad(k("name"), "a NodePool name", "none")
		case !nodeGroupName.ok(s.Name):
			v.bad(k("name"), nodeGroupName.want, quoteShort(s.Name))
		case names[s.Name]:
			v.bad(k("name"), "a NodePool name no node group or NodePool has", quoteShort(s.Name)+" again")
		}
		names[s.Name] = true
		np := eks.NodePool{Labels: s.Labels, AMIFamily: "AL2023", BlockDeviceGiB: kpDefaultBlockDeviceGiB}
		ref := s.NodeClassRef
		if ref == "" {
			ref = "default"
		}
		if ci := classes[ref]; ci > 0 {
			c := e.NodeClasses[ci-1]
			np.NodeClass = c.Name
			if c.AMIFamily != "" {
				np.AMIFamily = c.AMIFamily
			}
			if c.BlockDeviceSize.Set {
				np.BlockDeviceGiB = int((c.BlockDeviceSize.Bytes + 1<<30 - 1) >> 30)
			}
		} else {
			known := make([]string, 0, len(e.NodeClasses))
			for _, c := range e.NodeClasses {
				known = append(known, quoteShort(c.Name))
			}
			want := "the name of an [[eks.node_classes]]"
			if len(known) > 0 {
				want += " (" + strings.Join(known, ", ") + ")"
			}
			v.bad(k("node_class_ref"), want, quoteShort(ref))
		}
		pool := karpenter.NodePool{Name: s.Name, LimitMilliCPU: -1, LimitMemoryBytes: -1,
			ExpireAfter: karpenter.DefaultExpireAfter, Budgets: []karpenter.Budget{{Nodes: karpenter.DefaultBudgetPercent, Percent: true}}}
		if s.Weight != nil {
			if *s.Weight < 1 {
				v.bad(k("weight"), "a weight from 1 to 100", fmt.Sprint(*s.Weight))
			}
			pool.Weight = int32(*s.Weight)
		}
		pool.Requirements = v.kpRequirements(path, s.Requirements)
		if !karpenter.Satisfiable(pool.Requirements, kts) {
			v.badHint(k("requirements"), "requirements some instance type of the "+v.cat.Region+" catalog satisfies",
				"none of its instance types in eks.zones satisfies them", "loosen the requirements (instance types, families, sizes, zones, capacity types)")
		}
		if s.Limits.CPU != "" {
			pool.LimitMilliCPU = v.kpLimit(k("limits", "cpu"), s.Limits.CPU, true)
		}
		if s.Limits.Memory != "" {
			pool.LimitMemoryBytes = v.kpLimit(k("limits", "memory"), s.Limits.Memory, false)
		}
		if s.ExpireAfter != "" {
			d, never := v.kpDuration(k("expire_after"), s.ExpireAfter)
			pool.ExpireAfter = d
			if never {
				pool.ExpireAfter = 0
			}
		}
		d := s.Disruption
		pool.Policy = karpenter.ConsolidationPolicy(v.enum(k("disruption", "consolidation_policy"),
			[]string{"WhenEmptyOrUnderutilized", "WhenEmpty"}, d.ConsolidationPolicy, 0))
		if d.ConsolidateAfter != "" {
			pool.ConsolidateAfter, pool.Never = v.kpDuration(k("disruption", "consolidate_after"), d.ConsolidateAfter)
		}
		if len(d.Budgets) > 0 {
			pool.Budgets = nil
		}
		for j, b := range d.Budgets {
			var nodes intOrPercentValue
			if want, got, ok := nodes.fromTree(kpBudgetNodes(b.Nodes)); !ok {
				v.bad(k("disruption", "budgets", j, "nodes"), want, got)
			}
			kb := karpenter.Budget{Nodes: nodes.Value, Percent: nodes.Percent}
			for r, reason := range b.Reasons {
				names := []string{"Empty", "Underutilized", "Drifted"}
				kb.Reasons = append(kb.Reasons, karpenter.Reason(names[v.enum(k("disruption", "budgets", j, "reasons", r), names, reason, 0)]))
			}
			pool.Budgets = append(pool.Budgets, kb)
		}
		for _, key := range sortedKeys(s.Labels) {
			if slices.Contains(kpKeys, key) || strings.HasPrefix(key, "karpenter.sh/") || strings.HasPrefix(key, "karpenter.k8s.aws/") {
				v.bad(k("labels", key), "a label Karpenter does not set itself", quoteShort(key))
				continue
			}
			v.checkLabel(k("labels", key), key, s.Labels[key])
		}
		for j, t := range s.Taints {
			if taint, ok := v.taint(k("taints", j), t); ok {
				np.Taints = append(np.Taints, taint)
			}
		}
		np.Pool = pool
		var types []catalog.InstanceType
		for ti := range kts {
			if karpenter.Satisfiable(pool.Requirements, kts[ti:ti+1]) {
				types = append(types, all[ti])
			}
		}
		np.NodeGroup = len(cl.NodeGroups)
		cl.NodeGroups = append(cl.NodeGroups, eks.NodeGroup{Name: s.Name, Kind: eks.Karpenter, Group: len(*cfg),
			Labels: s.Labels, Taints: np.Taints, AMIFamily: np.AMIFamily})
		*cfg = append(*cfg, capacity.GroupConfig{Name: "karpenter-" + s.Name, InstanceTypes: types, MaxSize: kpGroupMaxSize,
			Direct: true, AvailabilityZones: cl.Zones, LaunchTime: eksLaunchTime, OnDemandPercentageAboveBase: 100,
			SpotAllocationStrategy: "price-capacity-optimized"})
		cl.NodePools = append(cl.NodePools, np)
	}
	cl.Karpenter = eks.KarpenterSettings{BatchIdleDuration: karpenter.DefaultBatchIdleDuration,
		BatchMaxDuration: karpenter.DefaultBatchMaxDuration, SpotDiscount: spotDiscount, AutoModeFeeShare: 0.12}
	if cl.Karpenter.SpotDiscount <= 0 {
		cl.Karpenter.SpotDiscount = 0.70
	}
}

// simGroups is the run's capacity groups (sim.Config.Groups).
type simGroups = []capacity.GroupConfig

// kpBudgetNodes turns a budget's nodes string ("10%", "5") into the TOML
// value intOrPercentValue reads.
func kpBudgetNodes(s string) any {
	if strings.HasSuffix(s, "%") {
		return s
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil || fmt.Sprint(n) != s {
		return s
	}
	return n
}

// kpRequirements reads a NodePool's requirements: only the well-known keys
// fleetsim models, the six operators, values as the operator needs them.
func (v *validator) kpRequirements(path []string, rs []nodePoolRequirement) []karpenter.Requirement {
	var out []karpenter.Requirement
	for i, r := range rs {
		k := func(key string) []string { return append(slices.Clone(path), p("requirements", i, key)...) }
		if !slices.Contains(kpKeys, r.Key) {
			pr := v.problem(k("key"), "a well-known label fleetsim models: "+strings.Join(kpKeys, ", "), quoteShort(r.Key), "")
			if c := closest(r.Key, kpKeys); c != "" {
				pr.Hint = fmt.Sprintf("did you mean %q?", c)
			}
			v.problems = append(v.problems, pr)
			continue
		}
		op := v.enum(k("operator"), kpOperators, r.Operator, -1)
		if r.Operator == "" {
			v.bad(k("operator"), "one of "+strings.Join(kpOperators, ", "), "none")
		}
		if op < 0 {
			continue
		}
		kop := karpenter.Operator(op)
		switch kop {
		case karpenter.In, karpenter.NotIn:
			if len(r.Values) == 0 {
				v.bad(k("values"), "at least one value for "+r.Operator, "none")
			}
		case karpenter.Exists, karpenter.DoesNotExist:
			if len(r.Values) > 0 {
				v.bad(k("values"), "no values for "+r.Operator, fmt.Sprint(len(r.Values)))
			}
		case karpenter.Gt, karpenter.Lt:
			var n int64
			if len(r.Values) != 1 {
				v.bad(k("values"), "exactly one integer value for "+r.Operator, fmt.Sprint(len(r.Values)))
			} else if _, err := fmt.Sscan(r.Values[0], &n); err != nil || fmt.Sprint(n) != r.Values[0] {
				v.bad(k("values"), "an integer for "+r.Operator, quoteShort(r.Values[0]))
			}
		}
		if r.Key == karpenter.LabelCapacityType {
			for j, val := range r.Values {
				if val != "on-demand" && val != "spot" {
					v.bad(append(k("values"), fmt.Sprint(j)), "on-demand or spot", quoteShort(val))
				}
			}
		}
		out = append(out, karpenter.Requirement{Key: r.Key, Operator: kop, Values: r.Values})
	}
	return out
}

// kpLimit reads a limit quantity: CPU in millicores, memory in bytes; a
// negative limit is refused.
func (v *validator) kpLimit(path []string, s string, cpu bool) int64 {
	q, err := kube.ParseQuantity(s)
	want := `a non-negative quantity such as "1000" or "1000Gi"`
	if err != nil || q.Sign() < 0 {
		v.bad(path, want, quoteShort(s))
		return -1
	}
	var n int64
	var ok bool
	if cpu {
		n, ok = q.MilliValue()
	} else {
		n, ok = q.Value()
	}
	if !ok {
		v.bad(path, want, quoteShort(s))
		return -1
	}
	return n
}

// kpDuration reads a NodePool duration: a Go duration or "Never".
func (v *validator) kpDuration(path []string, s string) (time.Duration, bool) {
	if s == "Never" {
		return 0, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		v.bad(path, `a duration such as "720h" or "30s", or "Never"`, quoteShort(s))
		return 0, false
	}
	return d, false
}

// kpDoNotDisrupt lists the workloads whose pod template (a bare pod: its
// own metadata) has karpenter.sh/do-not-disrupt: "true": Karpenter does not
// voluntarily disrupt a node running one of their pods ([disruption]
// "Pod-Level Controls").
func kpDoNotDisrupt(objs eksObjects) []eks.KarpenterWorkload {
	var out []eks.KarpenterWorkload
	objs.eachPodAnnotations(func(kind, ns, name string, ann map[string]string) { // eks_ca.go
		if ann[karpenter.AnnotationNoDisrupt] == "true" {
			out = append(out, eks.KarpenterWorkload{Kind: kind, Namespace: ns, Name: name})
		}
	})
	return out
}

package scenarios

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	pkube "github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/eks"
	"github.com/fleetsim/fleetsim/workload"
)

// deploymentLoad reads a Deployment's load: the request rate its pods share
// (any pattern of the ECS side's load, noise and walk drawing from the run's
// streams) and what one pod serves: either pod_requests_per_second at 100%
// of its CPU request, or, as an ECS service's load says it,
// cpu_seconds_per_request (with latency_slo), which serves the load through
// the ECS side's queueing model (sim/eks service.go). Giving both is
// refused: a pod of R vCPU requested serves R / cpu_seconds_per_request
// requests a second, and a second figure could only contradict it.
func (v *validator) deploymentLoad(path []string, ds eksDeploymentSchema, out *eks.Deployment, cfg *sim.Config) {
	k := func(key ...string) []string { return append(slices.Clone(path), key...) }
	if ds.PodRequestsPerSecond < 0 {
		v.bad(k("pod_requests_per_second"), "a rate above 0", fmt.Sprint(ds.PodRequestsPerSecond))
	}
	l := ds.Load
	if l == nil {
		if ds.PodRequestsPerSecond > 0 {
			v.bad(k("load"), "a load for pod_requests_per_second to serve", "none")
		}
		return
	}
	served := l.CPUSecondsPerRequest != 0
	switch {
	case served && ds.PodRequestsPerSecond > 0:
		v.badHint(k("load", "cpu_seconds_per_request"), "one of pod_requests_per_second and load.cpu_seconds_per_request",
			"both", "a pod of R vCPU requested serves R / cpu_seconds_per_request requests a second: give only one")
	case served && l.CPUSecondsPerRequest < 0:
		v.bad(k("load", "cpu_seconds_per_request"), "CPU seconds per request above 0", fmt.Sprint(l.CPUSecondsPerRequest))
	case !served && ds.PodRequestsPerSecond <= 0:
		v.bad(k("pod_requests_per_second"), "the requests per second one pod serves at 100% of its CPU request (or load.cpu_seconds_per_request)", "none")
	}
	if l.LatencySLO.Set && !served {
		v.badHint(k("load", "latency_slo"), "load.cpu_seconds_per_request beside latency_slo", "none",
			"the latency SLO is judged by the queueing model cpu_seconds_per_request drives; pod_requests_per_second has none")
	} else if l.LatencySLO.Set && l.LatencySLO.Duration <= 0 {
		v.bad(k("load", "latency_slo"), "a positive duration such as \"200ms\"", l.LatencySLO.String())
	}
	if cpu := templateCPU(&out.Template); served && cpu <= 0 {
		v.badHint(k("load", "cpu_seconds_per_request"), "a CPU request on every container of the Deployment's pods", "a container without one",
			"a pod serves its CPU request's vCPU / cpu_seconds_per_request requests a second")
	}
	v.eksLoadKeys(k("load"), l, true)
	lc := v.loadPattern(k("load"), l, 0)
	start, duration := cfg.Start, cfg.Duration
	out.Load = lc.Rates(start, duration, "", nil) // the same pattern without its random parts
	if hasRandomParts(l) {
		out.LoadRates = func(stream func(string) *rand.Rand, name string) workload.Pattern {
			return lc.Rates(start, duration, name, stream)
		}
	}
	out.PodRequestsPerSecond = ds.PodRequestsPerSecond
	if served {
		out.CPUSecondsPerRequest, out.LatencySLO = l.CPUSecondsPerRequest, l.LatencySLO.Duration
	}
}

// templateCPU is a template's containers' CPU requests summed, in
// millicores (sidecars included); 0 when a container has none.
func templateCPU(t *eks.PodTemplate) int64 {
	var sum int64
	for _, c := range t.Pod.Containers {
		if c.Requests.MilliCPU <= 0 {
			return 0
		}
		sum += c.Requests.MilliCPU
	}
	for _, c := range t.Pod.InitContainers {
		if c.Sidecar {
			if c.Requests.MilliCPU <= 0 {
				return 0
			}
			sum += c.Requests.MilliCPU
		}
	}
	return sum
}

// hasRandomParts reports whether a load or one of its components has noise
// or a random walk.
func hasRandomParts(l *loadSchema) bool {
	if l.Noise != 0 || l.WalkSigma != 0 {
		return true
	}
	return slices.ContainsFunc(l.Components, func(c loadSchema) bool { return hasRandomParts(&c) })
}

// eksLoadKeys refuses the load keys that mean something on the ECS side
// only (memory and queue keys everywhere; cpu_seconds_per_request and
// latency_slo in a component: they belong to the whole load).
func (v *validator) eksLoadKeys(path []string, l *loadSchema, top bool) {
	k := func(key string) []string { return append(slices.Clone(path), key) }
	for _, c := range []struct {
		key string
		set bool
	}{{"cpu_seconds_per_request", !top && l.CPUSecondsPerRequest != 0}, {"memory_base_mib", l.MemoryBaseMiB != 0},
		{"memory_mib_per_rps", l.MemoryMiBPerRPS != 0}, {"latency_slo", !top && l.LatencySLO.Set}, {"queue", l.Queue}} {
		if c.set {
			v.badHint(k(c.key), "a load key of an EKS Deployment", c.key, "an ECS service's key: a pod's memory is its request; a Deployment serves requests, not a queue")
		}
	}
	for i := range l.Components {
		v.eksLoadKeys(append(k("components"), strconv.Itoa(i)), &l.Components[i], false)
	}
}

// budgets reads [[eks.pod_disruption_budget]]: a selector (which must select
// something) and exactly one of min_available and max_unavailable (policy/v1
// validation).
func (v *validator) budgets() []eks.PodDisruptionBudget {
	var out []eks.PodDisruptionBudget
	seen := map[string]bool{}
	for i, b := range v.f.EKS.Budgets {
		path := p("eks", "pod_disruption_budget", i)
		k := func(key ...string) []string { return append(slices.Clone(path), key...) }
		ns := b.Namespace
		if ns == "" {
			ns = "default"
		}
		switch {
		case b.Name == "":
			v.bad(k("name"), "a PodDisruptionBudget name", "none")
		case !dnsSubdomain.MatchString(b.Name) || len(b.Name) > 253:
			v.bad(k("name"), "a DNS subdomain name: lower-case letters, digits, - and . (at most 253)", quoteShort(b.Name))
		case seen[ns+"/"+b.Name]:
			v.bad(k("name"), "a unique PodDisruptionBudget name in its namespace", quoteShort(b.Name)+" again")
		}
		seen[ns+"/"+b.Name] = true
		sel := pkube.LabelSelector{MatchLabels: b.Selector.MatchLabels}
		for _, key := range sortedKeys(b.Selector.MatchLabels) {
			v.checkLabel(k("selector", "match_labels", key), key, b.Selector.MatchLabels[key])
		}
		for j, r := range b.Selector.MatchExpressions {
			op, ok := operators[r.Operator]
			if !ok || op == pkube.OpGt || op == pkube.OpLt {
				v.enum(k("selector", "match_expressions", strconv.Itoa(j), "operator"), []string{"In", "NotIn", "Exists", "DoesNotExist"}, r.Operator, 0)
				if r.Operator == "" {
					v.bad(k("selector", "match_expressions", strconv.Itoa(j), "operator"), "one of In, NotIn, Exists, DoesNotExist", "none")
				}
				continue
			}
			if !validLabelKey(r.Key) {
				v.bad(k("selector", "match_expressions", strconv.Itoa(j), "key"), labelKeyWant, quoteShort(r.Key))
			}
			hasValues := len(r.Values) > 0
			if (op == pkube.OpIn || op == pkube.OpNotIn) != hasValues {
				v.bad(k("selector", "match_expressions", strconv.Itoa(j), "values"), "values for In and NotIn, none for Exists and DoesNotExist", fmt.Sprintf("%d values with %s", len(r.Values), r.Operator))
			}
			sel.MatchExpressions = append(sel.MatchExpressions, pkube.Requirement{Key: r.Key, Operator: op, Values: r.Values})
		}
		if len(b.Selector.MatchLabels)+len(b.Selector.MatchExpressions) == 0 {
			v.bad(k("selector"), "a selector with match_labels or match_expressions", "none (it would select every pod of the namespace)")
		}
		pdb := eks.PodDisruptionBudget{Name: b.Name, Namespace: ns, Selector: sel}
		switch {
		case (b.MinAvailable == nil) == (b.MaxUnavailable == nil):
			v.bad(path, "exactly one of min_available and max_unavailable", map[bool]string{true: "neither", false: "both"}[b.MinAvailable == nil])
		case b.MinAvailable != nil:
			pdb.MinAvailable = &eks.IntOrPercent{Value: b.MinAvailable.Value, Percent: b.MinAvailable.Percent}
		default:
			pdb.MaxUnavailable = &eks.IntOrPercent{Value: b.MaxUnavailable.Value, Percent: b.MaxUnavailable.Percent}
		}
		out = append(out, pdb)
	}
	return out
}

var eksTimelineActions = []string{"scale_deployment", "set_image", "drain_nodes", "set_node_group_size", "fail_nodes", "az_outage", "spot_interruptions"}

// eksTimeline reads [[eks.timeline]]: when (at, or a calendar time), what,
// and on which Deployment, node group or zone.
func (v *validator) eksTimeline(cfg *sim.Config, cl *eks.Config) []eks.TimelineEntry {
	var out []eks.TimelineEntry
	for i, t := range v.f.EKS.Timeline {
		path := p("eks", "timeline", i)
		k := func(key string) []string { return append(slices.Clone(path), key) }
		e := eks.TimelineEntry{At: t.At.Duration, Action: t.Action, Deployment: -1, NodeGroup: -1, Image: t.Image,
			Count: t.Count, Fraction: t.Fraction, Zone: t.AvailabilityZone, Duration: t.Duration.Duration}
		e.At = v.timelineAt(path, t.At, t.Time, cfg)
		if t.Action == "" {
			v.bad(k("action"), "one of "+strings.Join(eksTimelineActions, ", "), "none")
		}
		v.enum(k("action"), eksTimelineActions, t.Action, 0)
		deployment := func() {
			ns := t.Namespace
			if ns == "" {
				ns = "default"
			}
			e.Deployment = slices.IndexFunc(cl.Deployments, func(d eks.Deployment) bool { return d.Name == t.Deployment && d.Namespace == ns })
			if e.Deployment < 0 {
				var names []string
				for _, d := range cl.Deployments {
					names = append(names, d.Name)
				}
				v.badName(k("deployment"), "the Deployments of eks.manifests", t.Deployment, names)
			}
		}
		nodeGroup := func() {
			e.NodeGroup = slices.IndexFunc(cl.NodeGroups, func(g eks.NodeGroup) bool { return g.Name == t.NodeGroup })
			if e.NodeGroup < 0 {
				var names []string
				for _, g := range cl.NodeGroups {
					names = append(names, g.Name)
				}
				v.badName(k("node_group"), "eks.node_group", t.NodeGroup, names)
			}
		}
		switch t.Action {
		case "scale_deployment":
			deployment()
			if t.Replicas == nil || *t.Replicas < 0 {
				v.bad(k("replicas"), "the Deployment's new replicas (0 or more)", map[bool]string{true: "none", false: "negative"}[t.Replicas == nil])
			} else {
				e.Replicas = *t.Replicas
			}
		case "set_image":
			deployment()
			if t.Image == "" {
				v.bad(k("image"), "the new image of the Deployment's containers", "none")
			}
		case "drain_nodes", "fail_nodes", "set_node_group_size", "spot_interruptions":
			nodeGroup()
			switch {
			case t.Action == "set_node_group_size":
				if e.NodeGroup >= 0 {
					gc := cfg.Groups[cl.NodeGroups[e.NodeGroup].Group]
					// UpdateNodegroupConfig: desiredSize within minSize and maxSize.
					if t.Count < gc.MinSize || t.Count > gc.MaxSize {
						v.bad(k("count"), fmt.Sprintf("a desired size within the node group's min_size %d and max_size %d", gc.MinSize, gc.MaxSize), strconv.Itoa(t.Count))
					}
				}
			case t.Action == "spot_interruptions":
				if t.Fraction <= 0 || t.Fraction > 1 {
					v.bad(k("fraction"), "a share of the group's Spot nodes in (0, 1]", fmt.Sprint(t.Fraction))
				}
				if e.NodeGroup >= 0 && cfg.Groups[cl.NodeGroups[e.NodeGroup].Group].OnDemandPercentageAboveBase != 0 {
					v.bad(k("node_group"), "a node group of capacity_type SPOT", quoteShort(t.NodeGroup)+", On-Demand")
				}
			case t.Count < 1:
				v.bad(k("count"), "a count >= 1", strconv.Itoa(t.Count))
			}
		case "az_outage":
			if !slices.Contains(cl.Zones, t.AvailabilityZone) {
				v.bad(k("availability_zone"), "one of eks.zones", quoteShort(t.AvailabilityZone))
			}
			if t.Duration.Duration <= 0 {
				v.bad(k("duration"), "a positive duration", quoteOrNone(t.Duration))
			}
		}
		out = append(out, e)
	}
	return out
}

// The adjustable EKS quotas fleetsim checks, with their defaults (Amazon
// EKS User Guide, "Amazon EKS service quotas"): "Managed node groups per
// cluster" 30, "Nodes per managed node group" 450. Going past one is a
// warning, as with the ECS quotas ([eks.quotas] says the account's value).
const (
	eksManagedNodeGroupsQuota = 30
	eksNodesPerGroupQuota     = 450
)

func (v *validator) eksQuotas(cl *eks.Config, cfg *sim.Config) {
	q := v.f.EKS.Quotas
	quota := func(key string, n *int, def int) int {
		if n == nil {
			return def
		}
		if *n < 1 {
			v.bad(p("eks", "quotas", key), "a quota of at least 1", strconv.Itoa(*n))
			return def
		}
		return *n
	}
	groups := quota("managed_node_groups_per_cluster", q.ManagedNodeGroupsPerCluster, eksManagedNodeGroupsQuota)
	nodes := quota("nodes_per_managed_node_group", q.NodesPerManagedNodeGroup, eksNodesPerGroupQuota)
	hint := func(key string) string {
		return "AWS would refuse this unless the account's quota was raised; the run goes ahead: set [eks.quotas] " + key + " to the account's value to say so"
	}
	managed := 0
	for i, ng := range cl.NodeGroups {
		if ng.Kind != eks.Managed || ng.Group >= len(cfg.Groups) {
			continue
		}
		managed++
		if m := cfg.Groups[ng.Group].MaxSize; m > nodes {
			v.warn(p("eks", "node_group", i, "max_size"), fmt.Sprintf("a max_size within EKS's quota \"Nodes per managed node group\" (%d)", nodes), strconv.Itoa(m),
				hint("nodes_per_managed_node_group"))
		}
	}
	if managed > groups {
		v.warn(p("eks", "node_group"), fmt.Sprintf("managed node groups within EKS's quota \"Managed node groups per cluster\" (%d)", groups), strconv.Itoa(managed),
			hint("managed_node_groups_per_cluster"))
	}
}

// Kubernetes' documented scale ("Considerations for large clusters"): no
// more than 5,000 nodes and 150,000 pods in a cluster. More pods at once is
// refused (the run's memory grows with them); more nodes is a warning up to
// the 100,000 of an EKS ultra scale cluster, refused beyond. A run's Job
// pods are bounded as the ECS side bounds its batch tasks (10,000,000).
const (
	kubeMaxPods   = 150_000
	kubeMaxNodes  = 5_000
	eksMaxNodes   = 100_000
	eksMaxJobPods = 10_000_000
)

// eksBounds checks the cluster's size before a run: the pods it asks for at
// once and over the run, and the nodes its groups may hold.
func (v *validator) eksBounds(cl *eks.Config, cfg *sim.Config) {
	nodes := 0
	for _, ng := range cl.NodeGroups {
		if ng.Group < len(cfg.Groups) {
			nodes += cfg.Groups[ng.Group].MaxSize
		}
	}
	switch {
	case nodes > eksMaxNodes:
		v.bad(p("eks", "node_group"), fmt.Sprintf("node groups whose max_size add up to at most %d (an EKS ultra scale cluster)", eksMaxNodes), strconv.Itoa(nodes))
	case nodes > kubeMaxNodes:
		v.warn(p("eks", "node_group"), fmt.Sprintf("node groups whose max_size add up to at most %d (Kubernetes' documented scale)", kubeMaxNodes), strconv.Itoa(nodes),
			"EKS runs larger clusters as ultra scale clusters; the run goes ahead")
	}
	atOnce := int64(len(cl.Pods)) + int64(len(cl.DaemonSets))*int64(nodes)
	for i, d := range cl.Deployments {
		most := d.Replicas
		for _, e := range cl.Timeline {
			if e.Action == "scale_deployment" && e.Deployment == i {
				most = max(most, e.Replicas)
			}
		}
		// A rollout adds its surge on top (a percentage rounds up).
		surge := int64(d.MaxSurge.Value)
		if d.MaxSurge.Percent {
			surge = (surge*int64(most) + 99) / 100
		}
		atOnce += int64(most) + surge
	}
	var jobPods int64
	for _, j := range cl.Jobs {
		atOnce += int64(j.Parallelism)
		runs := int64(1)
		if j.Every > 0 {
			runs += int64((cfg.Duration - j.At) / j.Every)
		}
		jobPods += runs * int64(j.Completions+j.BackoffLimit)
	}
	if atOnce > kubeMaxPods {
		v.bad(p("eks", "manifests"), fmt.Sprintf("workloads asking for at most %d pods at once (Kubernetes' documented scale)", kubeMaxPods),
			fmt.Sprintf("up to %d (replicas, surge, Job parallelism, DaemonSet pods and bare pods)", atOnce))
	}
	if jobPods > int64(eksMaxJobPods) {
		v.bad(p("eks", "job"), fmt.Sprintf("Jobs running at most %d pods over the run", int64(eksMaxJobPods)), strconv.FormatInt(jobPods, 10))
	}
}

package kubecompare

import (
	"fmt"
	"math/rand/v2"

	"github.com/fleetsim/fleetsim/placement/kube"
)

const (
	mib = int64(1) << 20
	gib = int64(1) << 30
)

// scenario is one randomized case: nodes in the order they join, pods
// already bound (by node name) and the pod to schedule.
type scenario struct {
	nodes    []kube.Node
	existing []bound
	incoming kube.Pod
	services [][2]string // namespace, app value
}

type bound struct {
	node string
	pod  kube.Pod
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

var (
	apps       = []string{"web", "api", "db", "batch"}
	namespaces = []string{"default", "team-a"}
	images     = []kube.Image{
		{Names: []string{"registry.example/web:v1"}, SizeBytes: 300 * mib},
		{Names: []string{"registry.example/api:v2", "registry.example/api@sha256:aa"}, SizeBytes: 800 * mib},
		{Names: []string{"registry.example/db:latest"}, SizeBytes: 1500 * mib},
		{Names: []string{"registry.example/tiny:v1"}, SizeBytes: 10 * mib},
		{Names: []string{"registry.example/batch:v3"}, SizeBytes: 120 * mib},
	}
	imageNames = []string{"registry.example/web:v1", "registry.example/api:v2", "registry.example/db", "registry.example/tiny:v1", "registry.example/batch:v3", "registry.example/none:v1"}
	taints     = []kube.Taint{
		{Key: "spot", Value: "true", Effect: kube.PreferNoSchedule},
		{Key: "gpu", Value: "present", Effect: kube.NoSchedule},
		{Key: "maintenance", Effect: kube.NoExecute},
		{Key: "noisy", Value: "yes", Effect: kube.PreferNoSchedule},
		{Key: "dedicated", Value: "db", Effect: kube.NoSchedule},
	}
)

func genNode(r *rand.Rand, i int) kube.Node {
	name := fmt.Sprintf("node-%02d", i)
	n := kube.Node{Name: name, Labels: map[string]string{}, AllowedPods: pick[int64](r, 3, 8, 110),
		Allocatable: kube.Resources{MilliCPU: pick[int64](r, 1000, 2000, 3500, 8000), MemoryBytes: pick(r, 2*gib, 4*gib, 7518*mib, 16*gib),
			EphemeralBytes: pick(r, 0, 10*gib, 50*gib)}}
	if r.IntN(50) != 0 {
		n.Labels[kube.LabelHostname] = name
	}
	if r.IntN(10) != 0 {
		n.Labels[kube.LabelTopologyZone] = pick(r, "z1", "z2", "z3")
		n.Labels[kube.LabelTopologyRegion] = "r1"
	}
	n.Labels["pool"] = pick(r, "general", "general", "compute", "gpu")
	if r.IntN(3) != 0 {
		n.Labels["generation"] = pick(r, "3", "5", "7", "x")
	}
	for range r.IntN(3) {
		t := pick(r, taints...)
		if !containsTaint(n.Taints, t) {
			n.Taints = append(n.Taints, t)
		}
	}
	n.Unschedulable = r.IntN(20) == 0
	for _, k := range r.Perm(len(images))[:r.IntN(4)] {
		n.Images = append(n.Images, images[k])
	}
	return n
}

func containsTaint(ts []kube.Taint, t kube.Taint) bool {
	for _, x := range ts {
		if x.Key == t.Key && x.Effect == t.Effect {
			return true
		}
	}
	return false
}

// genRequests gives a container a request: missing, explicit zero, or an
// amount, for CPU and memory independently.
func genContainer(r *rand.Rand, name string) kube.Container {
	c := kube.Container{Name: name, Image: pick(r, imageNames...)}
	switch r.IntN(5) {
	case 0: // missing
	case 1:
		c.ZeroCPU = true
	default:
		c.Requests.MilliCPU = pick[int64](r, 50, 100, 250, 500, 1000, 3000)
	}
	switch r.IntN(5) {
	case 0:
	case 1:
		c.ZeroMemory = true
	default:
		c.Requests.MemoryBytes = pick(r, 64*mib, 256*mib, gib, 3*gib)
	}
	if r.IntN(8) == 0 {
		c.Requests.EphemeralBytes = pick(r, gib, 20*gib)
	}
	if r.IntN(10) == 0 {
		c.HostPorts = []kube.HostPort{{Port: pick[int32](r, 80, 443, 8080), Protocol: pick(r, kube.TCP, kube.UDP), HostIP: pick(r, "", "", "10.0.0.1", "10.0.0.2")}}
	}
	return c
}

func selfSelector(r *rand.Rand, app string) *kube.LabelSelector {
	switch r.IntN(6) {
	case 0:
		return &kube.LabelSelector{MatchExpressions: []kube.Requirement{{Key: "app", Operator: kube.OpIn, Values: []string{app, pick(r, apps...)}}}}
	case 1:
		return &kube.LabelSelector{MatchExpressions: []kube.Requirement{{Key: "app", Operator: kube.OpExists}}}
	case 2:
		return &kube.LabelSelector{MatchExpressions: []kube.Requirement{{Key: "app", Operator: kube.OpNotIn, Values: []string{pick(r, apps...)}}}}
	}
	return &kube.LabelSelector{MatchLabels: map[string]string{"app": app}}
}

func genAffinityTerm(r *rand.Rand, app string) kube.PodAffinityTerm {
	t := kube.PodAffinityTerm{LabelSelector: selfSelector(r, pick(r, app, app, pick(r, apps...))),
		TopologyKey: pick(r, kube.LabelHostname, kube.LabelHostname, kube.LabelTopologyZone, "pool")}
	if r.IntN(5) == 0 {
		t.Namespaces = []string{pick(r, namespaces...)}
	}
	return t
}

func genPodAffinity(r *rand.Rand, app string, required bool) *kube.PodAffinityRules {
	var a kube.PodAffinityRules
	if required && r.IntN(2) == 0 {
		for range 1 + r.IntN(2) {
			a.Required = append(a.Required, genAffinityTerm(r, app))
		}
	}
	if r.IntN(2) == 0 {
		for range 1 + r.IntN(2) {
			a.Preferred = append(a.Preferred, kube.WeightedPodAffinityTerm{Weight: pick[int32](r, 1, 10, 100), Term: genAffinityTerm(r, app)})
		}
	}
	if len(a.Required) == 0 && len(a.Preferred) == 0 {
		return nil
	}
	return &a
}

// genPod builds a pod; incoming pods get the scheduling constraints more
// often than existing ones.
func genPod(r *rand.Rand, name string, incoming bool) kube.Pod {
	app := pick(r, apps...)
	p := kube.Pod{Name: name, Namespace: pick(r, namespaces...), Labels: map[string]string{}}
	if r.IntN(8) != 0 {
		p.Labels["app"] = app
	}
	if r.IntN(3) == 0 {
		p.Labels["tier"] = pick(r, "front", "back")
	}
	for i := range 1 + r.IntN(2) {
		p.Containers = append(p.Containers, genContainer(r, fmt.Sprint("c", i)))
	}
	if r.IntN(4) == 0 {
		ic := genContainer(r, "init")
		ic.HostPorts = nil
		ic.Sidecar = r.IntN(2) == 0
		p.InitContainers = append(p.InitContainers, ic)
	}
	odds := 6
	if incoming {
		odds = 3
	}
	if r.IntN(odds) == 0 {
		p.PodAntiAffinity = genPodAffinity(r, app, true)
	}
	if r.IntN(odds) == 0 {
		p.PodAffinity = genPodAffinity(r, app, incoming || r.IntN(2) == 0)
	}
	if !incoming {
		return p
	}
	if r.IntN(20) == 0 {
		p.Overhead = kube.Resources{MilliCPU: 100, MemoryBytes: 64 * mib}
	}
	genTolerations(r, &p)
	genNodeAffinity(r, &p)
	genSpread(r, &p, app)
	if r.IntN(25) == 0 {
		p.NodeName = fmt.Sprintf("node-%02d", r.IntN(12))
	}
	return p
}

func genTolerations(r *rand.Rand, p *kube.Pod) {
	for range r.IntN(3) {
		t := pick(r, taints...)
		tol := kube.Toleration{Key: t.Key, Operator: kube.TolerationEqual, Value: t.Value, Effect: t.Effect}
		switch r.IntN(5) {
		case 0:
			tol.Operator, tol.Value = kube.TolerationExists, ""
		case 1:
			tol.Effect = kube.AnyEffect
		case 2:
			tol.Value = "other"
		}
		p.Tolerations = append(p.Tolerations, tol)
	}
	if r.IntN(30) == 0 {
		p.Tolerations = append(p.Tolerations, kube.Toleration{Operator: kube.TolerationExists})
	}
}

func genRequirement(r *rand.Rand) kube.Requirement {
	switch r.IntN(6) {
	case 0:
		return kube.Requirement{Key: "pool", Operator: kube.OpIn, Values: []string{pick(r, "general", "compute", "gpu")}}
	case 1:
		return kube.Requirement{Key: "pool", Operator: kube.OpNotIn, Values: []string{pick(r, "general", "gpu")}}
	case 2:
		return kube.Requirement{Key: "generation", Operator: kube.OpExists}
	case 3:
		return kube.Requirement{Key: "generation", Operator: kube.OpDoesNotExist}
	case 4:
		return kube.Requirement{Key: "generation", Operator: kube.OpGt, Values: []string{pick(r, "2", "4")}}
	}
	return kube.Requirement{Key: kube.LabelTopologyZone, Operator: kube.OpIn, Values: []string{"z1", pick(r, "z2", "z3")}}
}

func genNodeAffinity(r *rand.Rand, p *kube.Pod) {
	if r.IntN(6) == 0 {
		p.NodeSelector = map[string]string{"pool": pick(r, "general", "compute")}
	}
	if r.IntN(3) != 0 {
		return
	}
	a := &kube.NodeAffinityRules{}
	if r.IntN(2) == 0 {
		for range 1 + r.IntN(2) {
			var t kube.NodeSelectorTerm
			for range 1 + r.IntN(2) {
				t.MatchExpressions = append(t.MatchExpressions, genRequirement(r))
			}
			a.Required = append(a.Required, t)
		}
	}
	for range r.IntN(3) {
		a.Preferred = append(a.Preferred, kube.PreferredSchedulingTerm{Weight: pick[int32](r, 1, 20, 100),
			Preference: kube.NodeSelectorTerm{MatchExpressions: []kube.Requirement{genRequirement(r)}}})
	}
	p.NodeAffinity = a
}

func genSpread(r *rand.Rand, p *kube.Pod, app string) {
	if r.IntN(3) != 0 {
		return // the cluster defaults, through a Service, when the pod has an app label
	}
	for range 1 + r.IntN(2) {
		c := kube.TopologySpreadConstraint{MaxSkew: pick[int32](r, 1, 1, 2, 3),
			TopologyKey:       pick(r, kube.LabelTopologyZone, kube.LabelHostname, "pool"),
			WhenUnsatisfiable: pick(r, kube.DoNotSchedule, kube.ScheduleAnyway),
			LabelSelector:     selfSelector(r, app)}
		if c.WhenUnsatisfiable == kube.DoNotSchedule && r.IntN(4) == 0 {
			c.MinDomains = pick[int32](r, 2, 4)
		}
		if r.IntN(5) == 0 {
			c.NodeAffinityPolicy = pick(r, kube.PolicyHonor, kube.PolicyIgnore)
		}
		if r.IntN(5) == 0 {
			c.NodeTaintsPolicy = pick(r, kube.PolicyHonor, kube.PolicyIgnore)
		}
		if r.IntN(10) == 0 {
			c.LabelSelector = &kube.LabelSelector{}
		}
		p.TopologySpreadConstraints = append(p.TopologySpreadConstraints, c)
	}
}

func genScenario(r *rand.Rand) scenario {
	var s scenario
	numNodes, numPods := 2+r.IntN(14), r.IntN(40)
	if r.IntN(4) == 0 { // a bigger, fuller cluster
		numNodes, numPods = 20+r.IntN(30), r.IntN(200)
	}
	for i := range numNodes {
		s.nodes = append(s.nodes, genNode(r, i))
	}
	for i := range numPods {
		n := s.nodes[r.IntN(len(s.nodes))]
		s.existing = append(s.existing, bound{n.Name, genPod(r, fmt.Sprint("existing-", i), false)})
	}
	s.incoming = genPod(r, "incoming", true)
	for _, ns := range namespaces {
		for _, a := range apps {
			s.services = append(s.services, [2]string{ns, a})
		}
	}
	if app, ok := s.incoming.Labels["app"]; ok && len(s.incoming.TopologySpreadConstraints) == 0 {
		s.incoming.DefaultSpreadSelector = &kube.LabelSelector{MatchLabels: map[string]string{"app": app}}
	}
	return s
}

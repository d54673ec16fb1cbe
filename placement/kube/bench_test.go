package kube

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchNodes builds n nodes over three zones: 80% general purpose (8 CPU,
// 32 GiB, 58 pods), 20% compute (16 CPU, 32 GiB, 110 pods); one node in ten
// is spot with a PreferNoSchedule taint, one in fifty a tainted GPU node. Each
// node holds 8 of the 40 images, drawn from r.
func benchNodes(n int, r *rand.Rand) []Node {
	zones := []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	out := make([]Node, n)
	for i := range out {
		name := fmt.Sprintf("ip-10-0-%d-%d.ec2.internal", i/256, i%256)
		nd := Node{Name: name, Labels: map[string]string{
			LabelHostname: name, LabelTopologyZone: zones[i%3], LabelTopologyRegion: "us-east-1",
			"node.kubernetes.io/instance-type": "m5.2xlarge", "pool": "general",
		}, Allocatable: Resources{MilliCPU: 7910, MemoryBytes: 30 * gib, EphemeralBytes: 80 * gib}, AllowedPods: 58}
		if i%5 == 4 {
			nd.Labels["node.kubernetes.io/instance-type"] = "c5.4xlarge"
			nd.Labels["pool"] = "compute"
			nd.Allocatable.MilliCPU, nd.AllowedPods = 15890, 110
		}
		if i%10 == 7 {
			nd.Labels["karpenter.sh/capacity-type"] = "spot"
			nd.Taints = []Taint{{"spot", "true", PreferNoSchedule}}
		}
		if i%50 == 13 {
			nd.Labels["pool"] = "gpu"
			nd.Taints = append(nd.Taints, Taint{"nvidia.com/gpu", "present", NoSchedule})
		}
		for _, k := range r.Perm(40)[:8] {
			nd.Images = append(nd.Images, Image{Names: []string{fmt.Sprintf("registry.example/app-%02d:v1", k)}, SizeBytes: int64(50+20*k) * mb})
		}
		out[i] = nd
	}
	return out
}

// benchDeployment is the pod template of one of the benchmark's deployments.
// Every pod has requests (100m/256 MiB, 200m/512 MiB or 300m/1 GiB: about
// 63% of the cluster's CPU and 60% of its memory once all are placed), an
// image and a controller selector (so the
// cluster-default spreading applies); some deployments add a node selector,
// preferred node affinity, a toleration, required or preferred pod
// anti-affinity on the hostname, or their own zone spread constraint.
func benchDeployment(d int) Pod {
	app := fmt.Sprintf("app-%03d", d)
	shapes := []Resources{{MilliCPU: 100, MemoryBytes: 256 << 20}, {MilliCPU: 200, MemoryBytes: 512 << 20}, {MilliCPU: 300, MemoryBytes: gib}}
	p := Pod{Namespace: fmt.Sprintf("team-%d", d%8), Labels: map[string]string{"app": app, "team": fmt.Sprint(d % 8)},
		Containers:            []Container{{Name: "main", Image: fmt.Sprintf("registry.example/app-%02d:v1", d%40), Requests: shapes[d%3]}},
		DefaultSpreadSelector: &LabelSelector{MatchLabels: map[string]string{"app": app}}}
	self := &LabelSelector{MatchLabels: map[string]string{"app": app}}
	switch d % 20 {
	case 1:
		p.NodeSelector = map[string]string{"pool": "compute"}
	case 2:
		p.NodeAffinity = &NodeAffinityRules{Preferred: []PreferredSchedulingTerm{{Weight: 50,
			Preference: NodeSelectorTerm{MatchExpressions: []Requirement{{"node.kubernetes.io/instance-type", OpIn, []string{"c5.4xlarge"}}}}}}}
	case 3:
		p.Tolerations = []Toleration{{Key: "spot", Operator: TolerationExists}}
	case 4:
		p.PodAntiAffinity = &PodAffinityRules{Required: []PodAffinityTerm{{LabelSelector: self, TopologyKey: LabelHostname}}}
	case 5:
		p.PodAntiAffinity = &PodAffinityRules{Preferred: []WeightedPodAffinityTerm{{100, PodAffinityTerm{LabelSelector: self, TopologyKey: LabelHostname}}}}
	case 6:
		p.TopologySpreadConstraints = []TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: LabelTopologyZone, WhenUnsatisfiable: DoNotSchedule, LabelSelector: self}}
	}
	return p
}

// BenchmarkKubeSchedule schedules and binds 150,000 pods one by one onto
// 5,000 nodes with the default profile (each iteration builds the cluster and
// compiles every pod, both included in the time) and reports pods/s (wall
// clock), pods/cpu-s (per second of the process's CPU time, GC included),
// the pods left unschedulable and the nodes scored per pod (kube's adaptive
// percentageOfNodesToScore: 10% of 5,000 = 500). 200 deployments of 750
// replicas arrive interleaved, one pod of each in turn.
//
//	go test -run '^$' -bench BenchmarkKube -benchtime 1x ./placement/kube
func BenchmarkKubeSchedule(b *testing.B) {
	const numNodes, numPods, deployments = 5000, 150_000, 200
	templates := make([]Pod, deployments)
	for d := range templates {
		templates[d] = benchDeployment(d)
	}
	var unschedulable, scored int
	cpu0, cpuOK := processCPU()
	b.ReportAllocs()
	for b.Loop() {
		unschedulable, scored = scheduleAll(b, templates, numNodes, numPods)
	}
	if unschedulable > numPods/100 {
		b.Fatalf("%d of %d pods unschedulable", unschedulable, numPods)
	}
	b.ReportMetric(float64(b.N*numPods)/b.Elapsed().Seconds(), "pods/s")
	if cpu1, ok := processCPU(); ok && cpuOK {
		// Wall-clock pods/s depends on what else the machine runs; this does not.
		b.ReportMetric(float64(b.N*numPods)/(cpu1-cpu0).Seconds(), "pods/cpu-s")
	}
	b.ReportMetric(float64(unschedulable), "unschedulable")
	b.ReportMetric(float64(scored)/float64(numPods-unschedulable), "nodes-scored/pod")
}

// scheduleAll builds the cluster, schedules and binds numPods pods made from
// the templates in turn, and returns how many fit nowhere and the feasible
// nodes scored in all.
func scheduleAll(b *testing.B, templates []Pod, numNodes, numPods int) (unschedulable, scored int) {
	r := rand.New(rand.NewPCG(1, 2))
	c := NewCluster()
	for _, n := range benchNodes(numNodes, r) {
		if _, err := c.AddNode(n); err != nil {
			b.Fatal(err)
		}
	}
	f, err := NewFramework(c, DefaultProfile())
	if err != nil {
		b.Fatal(err)
	}
	for i := range numPods {
		p := templates[i%len(templates)]
		p.Name = fmt.Sprintf("%s-%d", p.Labels["app"], i/len(templates))
		pi, err := c.NewPodInfo(p)
		if err != nil {
			b.Fatal(err)
		}
		res, err := f.Schedule(pi, r)
		var fe *FitError
		switch {
		case errors.As(err, &fe):
			unschedulable++
			continue
		case err != nil:
			b.Fatal(err)
		}
		scored += res.FeasibleNodes
		if err := c.Bind(pi, res.Node); err != nil {
			b.Fatal(err)
		}
	}
	return unschedulable, scored
}

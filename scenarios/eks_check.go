package scenarios

import (
	"fmt"
	"slices"
	"strings"

	pkube "github.com/fleetsim/fleetsim/placement/kube"
	mkube "github.com/fleetsim/fleetsim/scenarios/kube"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// fitCheck asks, before a run, whether a pod template can run on any node
// the node groups launch: one node of each group, instance type and zone
// stands for all of its kind, with the labels and taints the world gives it
// and the allocatable EKS computes for it.
//
//   - a pod whose requests exceed the allocatable of every instance type of
//     every group can never run: a problem;
//   - a pod whose node selector, required node affinity or tolerations no
//     group's nodes satisfy stays Pending (the run says so as the
//     scheduler's reasons): a warning up front.
type fitCheck struct {
	cluster *pkube.Cluster
	nodes   []fitNode
	fargate []eks.FargateProfile // a template these take is checked for Fargate instead (eks_fargate.go)
}

type fitNode struct {
	info  *pkube.NodeInfo
	group string
	typ   catalog.InstanceType
	alloc eks.Resources
}

// nodeKubelet is a group's kubelet configuration on type t: the EKS AMI's,
// max pods from the max-pods calculator with prefix delegation, or the
// group's max_pods.
func nodeKubelet(ng eks.NodeGroup, t catalog.InstanceType) eks.Kubelet {
	k := eks.DefaultKubelet(t)
	if ng.PrefixDelegation {
		k = k.WithMaxPods(eks.CalculatorMaxPods(t, eks.CNI{PrefixDelegation: true}))
	}
	if ng.MaxPods > 0 {
		k = k.WithMaxPods(ng.MaxPods)
	}
	k.SystemReserved = ng.SystemReserved
	return k
}

func (v *validator) newFitCheck(cl *eks.Config, cfg *sim.Config) *fitCheck {
	fc := &fitCheck{cluster: pkube.NewCluster(), fargate: cl.FargateProfiles}
	for _, ng := range cl.NodeGroups {
		if ng.Group >= len(cfg.Groups) {
			continue
		}
		gc := cfg.Groups[ng.Group]
		capacityType := "ON_DEMAND"
		if gc.OnDemandPercentageAboveBase == 0 {
			capacityType = "SPOT"
		}
		for _, t := range gc.InstanceTypes {
			alloc := eks.Allocatable(t, nodeKubelet(ng, t)).Allocatable
			for _, z := range gc.AvailabilityZones {
				name := fmt.Sprintf("%s/%s/%s", ng.Name, t.Name, z)
				labels := map[string]string{pkube.LabelHostname: name, pkube.LabelTopologyZone: z, pkube.LabelTopologyRegion: v.cat.Region,
					"node.kubernetes.io/instance-type": t.Name, "kubernetes.io/arch": kubeArch(t.Arch), "kubernetes.io/os": "linux"}
				if ng.Kind == eks.Managed {
					labels["eks.amazonaws.com/capacityType"] = capacityType
					labels["eks.amazonaws.com/nodegroup"] = ng.Name
				}
				for k, val := range ng.Labels {
					labels[k] = val
				}
				id, err := fc.cluster.AddNode(pkube.Node{Name: name, Labels: labels, Taints: ng.Taints,
					Allocatable: pkube.Resources{MilliCPU: alloc.MilliCPU, MemoryBytes: alloc.MemoryBytes, EphemeralBytes: 1 << 50},
					AllowedPods: int64(alloc.Pods)})
				if err != nil {
					continue
				}
				fc.nodes = append(fc.nodes, fitNode{info: fc.cluster.NodeInfo(id), group: ng.Name, typ: t, alloc: alloc})
			}
		}
	}
	return fc
}

// kubeArch is kubernetes.io/arch's spelling of the catalog's architecture.
func kubeArch(a string) string {
	if a == "x86_64" {
		return "amd64"
	}
	return a
}

// check looks at one template; runs says whether the workload asks for any
// pod at all (a Deployment of 0 replicas is not checked for fit).
func (fc *fitCheck) check(v *validator, s site, field string, t eks.PodTemplate, runs bool) {
	pod := t.Pod
	pod.Name = "fit-check"
	pi, err := fc.cluster.NewPodInfo(pod)
	if err != nil {
		v.problems = append(v.problems, s.problem(field, "a pod spec kube-scheduler accepts", strings.ReplaceAll(err.Error(), "\n", "; "), ""))
		return
	}
	if fc.fargateCheck(v, s, field, t) { // eks_fargate.go
		return
	}
	if !runs || len(fc.nodes) == 0 {
		return
	}
	req := pi.Requests()
	fits, admitted := false, false
	var biggest fitNode
	for _, n := range fc.nodes {
		fitsHere := n.fits(req)
		fits = fits || fitsHere
		if n.alloc.MilliCPU+n.alloc.MemoryBytes/(1<<20) > biggest.alloc.MilliCPU+biggest.alloc.MemoryBytes/(1<<20) {
			biggest = n
		}
		if fitsHere && n.admits(pi) {
			admitted = true
		}
	}
	if !fits {
		v.problems = append(v.problems, s.problem(field+".containers",
			fmt.Sprintf("requests within the allocatable of an instance type of a node group (the largest, %s in %s, has %dm CPU and %s)",
				biggest.typ.Name, biggest.group, biggest.alloc.MilliCPU, mib(biggest.alloc.MemoryBytes)),
			fmt.Sprintf("%dm CPU and %s requested", req.MilliCPU, mib(req.MemoryBytes)), "no node can run the pod: a larger instance type, or smaller requests"))
		return
	}
	if !admitted {
		v.warnings = append(v.warnings, s.problem(field, "a node selector, node affinity and tolerations some node group's nodes large enough satisfy",
			"none does: "+fc.why(pi, req), "its pods will stay Pending"))
	}
}

func (n fitNode) fits(req pkube.Resources) bool {
	return n.alloc.MilliCPU >= req.MilliCPU && n.alloc.MemoryBytes >= req.MemoryBytes
}

func (n fitNode) admits(pi *pkube.PodInfo) bool {
	return (pkube.TaintToleration{}).Filter(pi, n.info).IsSuccess() && (&pkube.NodeAffinity{}).Filter(pi, n.info).IsSuccess()
}

// why says what keeps the pod off each group's nodes, group by group in
// their order: too small, an untolerated taint, or not matching.
func (fc *fitCheck) why(pi *pkube.PodInfo, req pkube.Resources) string {
	var groups []string
	fits, tolerated := map[string]bool{}, map[string]bool{}
	for _, n := range fc.nodes {
		if !slices.Contains(groups, n.group) {
			groups = append(groups, n.group)
		}
		if n.fits(req) {
			fits[n.group] = true
			if (pkube.TaintToleration{}).Filter(pi, n.info).IsSuccess() {
				tolerated[n.group] = true
			}
		}
	}
	var out []string
	for _, g := range groups {
		switch {
		case !fits[g]:
			out = append(out, "node group "+g+"'s instance types are too small")
		case !tolerated[g]:
			out = append(out, "node group "+g+" has an untolerated taint")
		default:
			out = append(out, "node group "+g+" does not match the node selector or affinity")
		}
	}
	return strings.Join(out, "; ")
}

func mib(b int64) string { return fmt.Sprintf("%d MiB memory", b>>20) }

// quantityMilli reads a Kubernetes CPU quantity in millicores.
func quantityMilli(s string) (int64, bool) {
	q, err := mkube.ParseQuantity(s)
	if err != nil || q.Sign() < 0 {
		return 0, false
	}
	return q.MilliValue()
}

// quantityBytes reads a Kubernetes memory quantity in bytes.
func quantityBytes(s string) (int64, bool) {
	q, err := mkube.ParseQuantity(s)
	if err != nil || q.Sign() < 0 {
		return 0, false
	}
	return q.Value()
}

package eks

import (
	"time"

	"github.com/fleetsim/fleetsim/autoscale/karpenter"
	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// NodePool is a Karpenter v1 NodePool with the EC2NodeClass it references,
// reduced to what changes capacity. Its nodes are launched directly (an EC2
// Fleet of type instant) into the direct capacity group of NodeGroup, the
// node group of kind Karpenter that carries its name in events.csv and in
// the usage records' costing (report/eks_cost.go costs by node group: one
// per NodePool).
type NodePool struct {
	// Pool is the decision view: requirements, weight, limits,
	// disruption.
	Pool karpenter.NodePool
	// NodeGroup is the index into Config.NodeGroups of the pool's node group
	// (Kind Karpenter; its Group is the direct capacity group).
	NodeGroup int
	// Labels and Taints are the template's (spec.template.metadata.labels,
	// spec.template.spec.taints), on every node beside the well-known
	// karpenter.sh labels.
	Labels map[string]string
	Taints []kube.Taint
	// NodeClass is the EC2NodeClass's name; AMIFamily its AMI family (the
	// kube-reserved formula, as the EKS AMIs'), BlockDeviceGiB its root
	// volume (for its cost: gp3, report's price).
	NodeClass      string
	AMIFamily      string
	BlockDeviceGiB int
	// AutoMode marks an EKS Auto Mode NodePool: the management fee is added
	// to each of its instances (KarpenterSettings.AutoModeFeeShare).
	AutoMode bool
}

// KarpenterSettings are the Karpenter controller's settings.
type KarpenterSettings struct {
	// BatchIdleDuration and BatchMaxDuration: 1 s and 10 s.
	BatchIdleDuration, BatchMaxDuration time.Duration
	// SpotDiscount prices Spot offerings off On-Demand (the run's
	// [settings] spot_discount, 0.70 by default).
	SpotDiscount float64
	// SpotPoolDepth, when positive, is the spare capacity of every Spot
	// pool (type x zone) for price-capacity-optimized (choice: fleetsim has
	// no capacity data; 0: pools equally deep, the cheapest wins).
	SpotPoolDepth int
	// AutoModeFeeShare is EKS Auto Mode's management fee as a share of the
	// instance's On-Demand price (choice: AWS prices it per instance type;
	// 0.12 is the share its price list shows for common types).
	AutoModeFeeShare float64
	// DoNotDisrupt are the workloads whose pod template carries the
	// karpenter.sh/do-not-disrupt: "true" annotation: a node running one of
	// their pods is not voluntarily disrupted (karpenter.sh/docs/concepts/
	// disruption/, "Pod-Level Controls").
	DoNotDisrupt []KarpenterWorkload
}

// KarpenterWorkload names a workload: Kind is "deployment", "job",
// "daemonset" or "pod" (a bare pod).
type KarpenterWorkload struct {
	Kind, Namespace, Name string
}

// KarpenterTypes is the catalog as Karpenter's AWS provider offers it:
// every type in every zone On-Demand and Spot (Spot at the discount),
// allocatable after the AMI family's reserved resources (the EKS AMIs'
// kube-reserved and eviction threshold, max pods by the ENI formula, which
// the provider computes the same way).
func KarpenterTypes(types []catalog.InstanceType, zones []string, spotDiscount float64, depth int) []karpenter.InstanceType {
	out := make([]karpenter.InstanceType, 0, len(types))
	for _, t := range types {
		r := Allocatable(t, DefaultKubelet(t))
		kt := karpenter.InstanceType{Name: t.Name, Family: t.Family, Size: t.Size, Arch: archOf(t.Arch), VCPU: t.VCPU,
			MemoryMiB: t.MemoryMiB,
			Capacity: karpenter.Resources{MilliCPU: r.Capacity.MilliCPU, MemoryBytes: r.Capacity.MemoryBytes,
				Pods: int64(r.Capacity.Pods)},
			Allocatable: karpenter.Resources{MilliCPU: r.Allocatable.MilliCPU, MemoryBytes: r.Allocatable.MemoryBytes,
				Pods: int64(r.Allocatable.Pods)}}
		for _, z := range zones {
			kt.Offerings = append(kt.Offerings,
				karpenter.Offering{Zone: z, Capacity: karpenter.OnDemand, PriceUSDPerHour: t.PriceUSDPerHour, Available: true},
				karpenter.Offering{Zone: z, Capacity: karpenter.Spot, PriceUSDPerHour: t.PriceUSDPerHour * (1 - spotDiscount),
					Available: true, Depth: depth})
		}
		out = append(out, kt)
	}
	return out
}

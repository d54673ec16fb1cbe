package eks

import "github.com/fleetsim/fleetsim/sim/capacity/catalog"

// Sources (awslabs/amazon-eks-ami, read, not copied):
//
//   - [calculator] templates/al2/runtime/max-pods-calculator.sh at 0ab84280
//     (2026-03-04; 8e751826 removed it with the rest of AL2 support).
//   - [bootstrap] templates/al2/runtime/bootstrap.sh at the same commit:
//     get_resource_to_reserve_in_range, get_memory_mebibytes_to_reserve,
//     get_cpu_millicores_to_reserve, and the block that writes evictionHard,
//     kubeReserved and maxPods (MAX_PODS from eni-max-pods.txt).
//   - [eni-max-pods] templates/shared/runtime/eni-max-pods.txt at 9b692b6e
//     (last changed in 2377b69a, 2026-02-27; 0ede8e61 deleted it).
//   - [nodeadm] nodeadm/internal/kubelet/eni_max_pods.go
//     (calculateStandardMaxPods), config.go (evictionHard,
//     withDefaultReservedResources, getCPUMillicoresToReserve,
//     getMemoryMebibytesToReserve) and instance-info.jsonl at 81fec2e8
//     (2026-07-23), the AL2023 node agent.

// MiB is a mebibyte in bytes.
const MiB = 1 << 20

// IPsPerPrefix is how many IPv4 addresses a /28 prefix gives the VPC CNI in
// prefix delegation mode ([calculator] IPS_PER_PREFIX).
const IPsPerPrefix = 16

// EvictionHardMemoryBytes is the hard eviction threshold memory.available the
// EKS AMIs set ([bootstrap], [nodeadm]: "100Mi"; nodefs.available 10% and
// nodefs.inodesFree 5% beside it concern disk, which fleetsim does not model).
const EvictionHardMemoryBytes = 100 * MiB

// The calculator's ceilings ([calculator] MAX_POD_CEILING_FOR_LOW_CPU and
// _HIGH_CPU): more than 30 vCPUs lifts the ceiling from 110 to 250.
const (
	maxPodsLowCPU    = 110
	maxPodsHighCPU   = 250
	lowCPUMaxVCPUs   = 30
	kubeReservedMiB  = 255 // fixed part of kube-reserved memory
	kubeReservedPods = 11  // MiB of kube-reserved memory per pod
)

// MaxPods is the maximum number of pods the EKS AMIs configure on a node of
// type t by default: the VPC CNI's secondary-IP formula
//
//	ENIs of the default network card × (IPv4 addresses per ENI − 1) + 2
//
// (one address of each ENI is its own; the 2 are host-network pods such as
// aws-node and kube-proxy), uncapped. This is every line of [eni-max-pods]
// and nodeadm's calculateStandardMaxPods ([nodeadm]): m5.large 3 × 9 + 2 = 29,
// c5.18xlarge 15 × 49 + 2 = 737. It is what kube-reserved memory is computed
// from (DefaultKubelet).
func MaxPods(t catalog.InstanceType) int {
	return DefaultCardENIs(t)*(t.IPv4PerENI-1) + 2
}

// CNI is how the Amazon VPC CNI runs on a node, as far as max pods depends on
// it: the options of [calculator].
type CNI struct {
	// PrefixDelegation is ENABLE_PREFIX_DELEGATION: each secondary slot of an
	// ENI holds a /28 prefix of IPsPerPrefix addresses instead of one address.
	// The calculator honours it only on Nitro types (Nitro); elsewhere it
	// falls back to secondary IPs.
	PrefixDelegation bool
	// CustomNetworking is AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: pods get
	// addresses from other subnets, so the primary ENI carries none.
	CustomNetworking bool
	// MaxENIs caps the ENIs used for pods (the calculator's --cni-max-eni);
	// 0 means all of the default network card's.
	MaxENIs int
}

// CalculatorMaxPods is the max pods the EKS max-pods calculator recommends for
// a node of type t whose CNI runs as c ([calculator], without
// --show-max-allowed), the value AWS tells users to set with prefix
// delegation or custom networking:
//
//	enis = default card's ENIs, at most c.MaxENIs, minus 1 with custom networking
//	pods = enis × ((IPv4 per ENI − 1) × 16) + 2   prefix delegation on a Nitro type
//	pods = enis × (IPv4 per ENI − 1) + 2          otherwise
//	min(pods, 110), or min(pods, 250) above 30 vCPUs
//
// The ceiling applies with or without prefix delegation: c5.18xlarge gets
// 250 from the calculator whatever c is, against 737 from MaxPods.
func CalculatorMaxPods(t catalog.InstanceType, c CNI) int {
	enis := DefaultCardENIs(t)
	if c.MaxENIs > 0 {
		enis = min(enis, c.MaxENIs)
	}
	if c.CustomNetworking {
		enis--
	}
	pods := enis*(t.IPv4PerENI-1) + 2
	if c.PrefixDelegation && Nitro(t) {
		pods = enis*((t.IPv4PerENI-1)*IPsPerPrefix) + 2
	}
	return min(pods, MaxPodsCeiling(t.VCPU))
}

// MaxPodsCeiling is the calculator's ceiling for a type of vcpu vCPUs: 110,
// or 250 with more than 30 ([calculator]: `"$CPU_COUNT" -gt 30`).
func MaxPodsCeiling(vcpu int) int {
	if vcpu > lowCPUMaxVCPUs {
		return maxPodsHighCPU
	}
	return maxPodsLowCPU
}

// KubeReservedCPUMilli is the CPU the EKS AMIs reserve for Kubernetes daemons
// (kubeReserved.cpu) on a node of vcpu vCPUs, in millicores: 6% of the first
// core, 1% of the second, 0.5% of the third and fourth, 0.25% of every core
// above four, each range rounded down on its own ([bootstrap]
// get_cpu_millicores_to_reserve, [nodeadm] getCPUMillicoresToReserve: shares
// 600, 100, 50, 25 in hundredths of a percent over 0-1000-2000-4000-total
// millicores, `(reserved - start) * percentage / 10000`). 2 vCPUs: 60 + 10 =
// 70m; 72 vCPUs: 60 + 10 + 10 + 170 = 250m.
func KubeReservedCPUMilli(vcpu int) int64 {
	total := int64(vcpu) * 1000
	ranges := [...]struct{ start, end, share int64 }{
		{0, 1000, 600},
		{1000, 2000, 100},
		{2000, 4000, 50},
		{4000, total, 25},
	}
	var reserved int64
	for _, r := range ranges {
		if total <= r.start {
			break
		}
		reserved += (min(total, r.end) - r.start) * r.share / 10000
	}
	return reserved
}

// KubeReservedMemoryMiB is the memory the EKS AMIs reserve for Kubernetes
// daemons (kubeReserved.memory) on a node configured for maxPods pods:
// 11 MiB × maxPods + 255 MiB ([bootstrap] get_memory_mebibytes_to_reserve,
// [nodeadm] getMemoryMebibytesToReserve). m5.large at 29 pods: 574 MiB.
func KubeReservedMemoryMiB(maxPods int) int64 {
	return kubeReservedPods*int64(maxPods) + kubeReservedMiB
}

// Resources is an amount of what a node offers pods: CPU in millicores (the
// unit of placement/kube's Resources), memory in bytes, and pods.
type Resources struct {
	MilliCPU    int64
	MemoryBytes int64
	Pods        int
}

// Kubelet is a node's kubelet configuration as far as capacity and
// allocatable depend on it. DefaultKubelet gives the EKS AMIs' own.
type Kubelet struct {
	// MaxPods is the kubelet's maxPods: the node's pods capacity and
	// allocatable.
	MaxPods int
	// ReservedPods is the max-pods figure kube-reserved memory was computed
	// from. The AMIs compute it from their own value (AL2: eni-max-pods.txt;
	// AL2023: nodeadm's, or its maxPodsExpression's), and a maxPods set in the
	// kubelet configuration on top does not change it: nodeadm's e2e case
	// custom-max-pods-expression/kubelet-config-max-pods expects maxPods 1 with
	// kubeReserved memory 915Mi, the reserve of the expression's 60 pods.
	ReservedPods int
	// SystemReserved is the kubelet's systemReserved (cpu and memory; Pods is
	// ignored). The EKS AMIs set none.
	SystemReserved Resources
	// EvictionHardMemoryBytes is the evictionHard memory.available threshold.
	EvictionHardMemoryBytes int64
}

// DefaultKubelet is the kubelet configuration the EKS AMIs write for a node
// of type t: maxPods from the ENI formula (MaxPods), kube-reserved from the
// same figure, no system-reserved, memory.available 100Mi.
func DefaultKubelet(t catalog.InstanceType) Kubelet {
	pods := MaxPods(t)
	return Kubelet{MaxPods: pods, ReservedPods: pods, EvictionHardMemoryBytes: EvictionHardMemoryBytes}
}

// WithMaxPods returns k with maxPods overridden in the kubelet configuration
// (AL2's --use-max-pods false with --max-pods, nodeadm's kubelet.config
// maxPods): the pods change, the kube-reserve computed from the AMI's figure
// does not. For nodeadm's maxPodsExpression, which moves both, set MaxPods and
// ReservedPods together.
func (k Kubelet) WithMaxPods(pods int) Kubelet {
	k.MaxPods = pods
	return k
}

// NodeResources is what a node reports (status.capacity and
// status.allocatable) and what lies between them.
type NodeResources struct {
	Capacity       Resources
	KubeReserved   Resources
	SystemReserved Resources
	EvictionHard   Resources
	Allocatable    Resources
}

// Allocatable computes a node's capacity and allocatable for type t under the
// kubelet configuration k, as the kubelet does:
//
//	allocatable = capacity − kube-reserved − system-reserved − hard eviction
//
// for CPU (capacity vCPU × 1000 millicores; eviction thresholds concern
// memory only) and memory (capacity the type's memory), each floored at 0
// (kubernetes pkg/kubelet/nodestatus/setters.go MachineInfo subtracts the
// allocatable reservation and sets a negative result to 0); pods are MaxPods
// for both ([bootstrap]: "Allocatable = Capacity - Reserved - Eviction
// Threshold"). m5.large by default: 2000 − 70 = 1930m and 8192 − 574 − 100 =
// 7518 MiB for 29 pods.
//
// Capacity memory is the catalog's, the figure EC2 advertises; a real node's
// kernel reports a few percent less (MemTotal), which this does not subtract.
func Allocatable(t catalog.InstanceType, k Kubelet) NodeResources {
	capacity := Resources{MilliCPU: int64(t.VCPU) * 1000, MemoryBytes: t.MemoryMiB * MiB, Pods: k.MaxPods}
	kube := Resources{MilliCPU: KubeReservedCPUMilli(t.VCPU), MemoryBytes: KubeReservedMemoryMiB(k.ReservedPods) * MiB}
	system := Resources{MilliCPU: k.SystemReserved.MilliCPU, MemoryBytes: k.SystemReserved.MemoryBytes}
	eviction := Resources{MemoryBytes: k.EvictionHardMemoryBytes}
	return NodeResources{
		Capacity:       capacity,
		KubeReserved:   kube,
		SystemReserved: system,
		EvictionHard:   eviction,
		Allocatable: Resources{
			MilliCPU:    max(0, capacity.MilliCPU-kube.MilliCPU-system.MilliCPU-eviction.MilliCPU),
			MemoryBytes: max(0, capacity.MemoryBytes-kube.MemoryBytes-system.MemoryBytes-eviction.MemoryBytes),
			Pods:        k.MaxPods,
		},
	}
}

package eks

import (
	"fmt"
	"time"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
)

// FargateKubeMemoryMiB is the memory Fargate adds to every pod for the
// Kubernetes components (kubelet, kube-proxy, containerd). AWS: "Fargate adds
// 256 MB to each Pod's memory reservation for the required Kubernetes
// components" (https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html).
// Read as 256 MiB, since the size table is in MiB (choice).
const FargateKubeMemoryMiB = 256

// FargatePodSize is the CPU/memory combination Fargate provisions for a pod
// (what AWS writes in the pod's CapacityProvisioned annotation).
type FargatePodSize struct {
	// CPU is in CPU units (1024 = 1 vCPU); MemoryMiB in MiB.
	CPU, MemoryMiB int
	// RequestCPU and RequestMemoryMiB are the pod's request before rounding,
	// the 256 MiB included.
	RequestCPU, RequestMemoryMiB int
}

// SizeFargatePod computes a pod's Fargate size as EKS documents it
// (fargate-pod-configuration.html): the larger of the largest init
// container request and the sum of the long-running containers' requests,
// per resource; plus 256 MB memory; rounded up to the nearest valid Fargate
// combination (capacity.FargateSizes); no requests at all gives the smallest
// (0.25 vCPU, 0.5 GB). Native sidecars (init containers with restartPolicy
// Always) run for the pod's life and count with the app containers (choice:
// the page predates them). It errors when the pod exceeds the largest size.
func SizeFargatePod(p *kube.Pod) (FargatePodSize, error) {
	var initCPU, initMem, appCPU, appMem int64
	for _, c := range p.InitContainers {
		if c.Sidecar {
			appCPU += c.Requests.MilliCPU
			appMem += c.Requests.MemoryBytes
			continue
		}
		initCPU = max(initCPU, c.Requests.MilliCPU)
		initMem = max(initMem, c.Requests.MemoryBytes)
	}
	for _, c := range p.Containers {
		appCPU += c.Requests.MilliCPU
		appMem += c.Requests.MemoryBytes
	}
	milli := max(initCPU, appCPU)
	memBytes := max(initMem, appMem)
	// CPU units: 1 vCPU = 1000 millicores = 1024 units, rounded up.
	units := int((milli*1024 + 999) / 1000)
	mib := int((memBytes+(1<<20)-1)>>20) + FargateKubeMemoryMiB
	return RoundFargateSize(units, mib)
}

// RoundFargateSize rounds a CPU (units) and memory (MiB) request up to the
// smallest valid Fargate combination that holds both: the first CPU row, in
// ascending order, whose CPU covers the request and that has a memory value
// covering it, and that row's smallest such memory value. AWS's example: 1
// vCPU and 8 GB plus 256 MB has no 1 vCPU row entry, so it gets 2 vCPU / 9 GB.
func RoundFargateSize(cpu, memoryMiB int) (FargatePodSize, error) {
	sizes := capacity.FargateSizes()
	for _, s := range sizes {
		if s.CPU < cpu {
			continue
		}
		for _, m := range s.MemoryMiB {
			if m >= memoryMiB {
				return FargatePodSize{CPU: s.CPU, MemoryMiB: m, RequestCPU: cpu, RequestMemoryMiB: memoryMiB}, nil
			}
		}
	}
	last := sizes[len(sizes)-1]
	return FargatePodSize{}, fmt.Errorf("pod needs %.2f vCPU and %d MiB (256 MiB for the Kubernetes components included); the largest Fargate size is %d vCPU / %d GB",
		float64(cpu)/1024, memoryMiB, last.CPU/1024, last.MemoryMiB[len(last.MemoryMiB)-1]/1024)
}

// FargateProfileLabel is the pod label that picks one Fargate profile when a
// pod matches several (fargate-profile.html).
const FargateProfileLabel = "eks.amazonaws.com/fargate-profile"

// FargateProfile is one [[eks.fargate_profile]]: pods matching any of its
// selectors run on Fargate, one pod per Fargate node.
type FargateProfile struct {
	Name      string
	Selectors []FargateSelector
	// Zones are the zones of the profile's (private) subnets.
	Zones []string
}

// FargateSelector matches a pod in Namespace carrying every one of Labels
// (API_FargateProfileSelector: "A pod must contain all of the labels that are
// specified in the selector").
type FargateSelector struct {
	Namespace string
	Labels    map[string]string
}

// Matches reports whether the selector takes a pod with this namespace and
// these labels.
func (s FargateSelector) Matches(namespace string, labels map[string]string) bool {
	if s.Namespace != namespace {
		return false
	}
	for k, v := range s.Labels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// Matches reports whether any of the profile's selectors takes the pod.
func (p *FargateProfile) Matches(namespace string, labels map[string]string) bool {
	for _, s := range p.Selectors {
		if s.Matches(namespace, labels) {
			return true
		}
	}
	return false
}

// MatchFargateProfile returns the index of the profile a pod runs under, or
// -1 when none matches (the pod goes to nodes). A pod carrying
// eks.amazonaws.com/fargate-profile uses that profile only, and only if it
// still matches one of its selectors. Otherwise, among several matches AWS
// "picks one of the matches at random": pick(n) returns an index in [0, n)
// drawn from a kernel stream; nil pick takes the first declared (choice).
func MatchFargateProfile(profiles []FargateProfile, namespace string, labels map[string]string, pick func(n int) int) int {
	if want, ok := labels[FargateProfileLabel]; ok {
		for i := range profiles {
			if profiles[i].Name == want && profiles[i].Matches(namespace, labels) {
				return i
			}
		}
		return -1
	}
	var matches []int
	for i := range profiles {
		if profiles[i].Matches(namespace, labels) {
			matches = append(matches, i)
		}
	}
	switch {
	case len(matches) == 0:
		return -1
	case len(matches) == 1 || pick == nil:
		return matches[0]
	}
	return matches[pick(len(matches))]
}

// FargatePodUsage is one pod's run on Fargate, for billing: its provisioned
// size and the time its Fargate capacity was held. Start is when the pod
// was sized and its capacity requested; Stop when it finished or was deleted
// (the run's end for a pod still running).
type FargatePodUsage struct {
	Pod       string
	Profile   string
	CPU       int // CPU units, 1024 = 1 vCPU
	MemoryMiB int
	Start     des.Time
	Stop      des.Time
}

// DefaultFargatePodStartLatency is the time from a pod matching a Fargate
// profile to its Fargate node being ready to pull images: AWS documents no
// figure; fleetsim takes 60 s (observed: Fargate pods commonly start in
// about a minute before image pulls). The image is then pulled every time
// (no node cache on Fargate, fargate.html: one pod per node).
const DefaultFargatePodStartLatency = 60 * time.Second

// CheckFargatePod returns why a pod cannot run on Fargate, or nil. AWS
// (https://docs.aws.amazon.com/eks/latest/userguide/fargate.html,
// considerations): DaemonSets aren't supported; privileged containers aren't
// supported; pods can't specify HostPort or HostNetwork. It also sizes the
// pod, so that one above 16 vCPU / 120 GB is refused here.
func CheckFargatePod(t *PodTemplate, daemonSet, privileged bool) error {
	switch {
	case daemonSet:
		return fmt.Errorf("DaemonSet pods cannot run on Fargate")
	case privileged:
		return fmt.Errorf("privileged containers cannot run on Fargate")
	case t.HostNetwork:
		return fmt.Errorf("hostNetwork pods cannot run on Fargate")
	}
	for _, cs := range [][]kube.Container{t.Pod.InitContainers, t.Pod.Containers} {
		for _, c := range cs {
			if len(c.HostPorts) > 0 {
				return fmt.Errorf("container %q sets hostPort %d, which Fargate does not allow", c.Name, c.HostPorts[0].Port)
			}
		}
	}
	_, err := SizeFargatePod(&t.Pod)
	return err
}

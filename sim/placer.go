package sim

// Placement failure reasons, in ECS's wording.
const (
	ReasonCPU         = "RESOURCE:CPU"
	ReasonMemory      = "RESOURCE:MEMORY"
	ReasonPorts       = "RESOURCE:PORTS"
	ReasonENI         = "RESOURCE:ENI"
	ReasonNoInstances = "No Container Instances were found in your capacity provider"
)

// choose picks the instance for a task on an EC2-backed provider, or returns
// -1 and the most frequent reason the candidates were rejected. This is the
// placement seam: the simplest fit (first instance in ID order with room).
func (w *World) choose(prov int, sp *placementSpec) (int32, string) {
	p := &w.providers[prov]
	var counts [4]int
	check := func(i int32) bool {
		in := &w.instances[i]
		if in.status != InstanceActive {
			return false
		}
		switch {
		case in.cpuFree < sp.cpu:
			counts[0]++
		case in.memFree < sp.memMiB:
			counts[1]++
		case !portsFree(in, sp.ports):
			counts[2]++
		case sp.awsvpc && in.eniFree <= 0:
			counts[3]++
		default:
			return true
		}
		return false
	}
	if p.group >= 0 {
		for _, i := range w.groups[p.group].instances {
			if check(i) {
				return i, ""
			}
		}
	} else {
		for i := range w.instances {
			if check(int32(i)) {
				return int32(i), ""
			}
		}
	}
	reasons := [4]string{ReasonCPU, ReasonMemory, ReasonPorts, ReasonENI}
	best, bestN := ReasonNoInstances, 0
	for i, n := range counts {
		if n > bestN {
			best, bestN = reasons[i], n
		}
	}
	return -1, best
}

func portsFree(in *instance, ports []int) bool {
	for _, p := range ports {
		if in.hasPort(p) {
			return false
		}
	}
	return true
}

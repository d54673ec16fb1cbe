package placement

import "slices"

// EphemeralPortCount is how many dynamic host ports one instance has: Linux
// ip_local_port_range 32768-60999. AWS (ECS API Reference, "PortMapping":
// hostPort 0 takes a port from the ephemeral range).
const EphemeralPortCount = 60999 - 32768 + 1

// fitResources is the first placement step: does the instance have the CPU
// units, memory, host ports, ENI and GPUs the task reserves? It returns the
// first shortfall in the order CPU, memory, ports, ENI, GPU. AWS
// (task-placement-strategies.html, step 1; "Ports and ENIs" in
// aws-semantics.md): a static host port already in use on the instance makes
// it unfit; hostPort 0 takes an ephemeral port and never conflicts; an awsvpc
// task takes one of the instance's free ENIs. GPUs are reserved whole, per
// task: AWS (ECS API Reference, "ResourceRequirement"): "The number of GPUs
// that's reserved for all containers in a task can't exceed the number of
// available GPUs on the container instance that the task is launched on."
func fitResources(c *candidate, s *Spec) Reason {
	switch {
	case c.cpu < s.cpu:
		return ReasonCPU
	case c.mem < s.mem:
		return ReasonMemory
	case s.dyn > 0 && c.dynPorts+s.dyn > EphemeralPortCount:
		return ReasonPorts
	case s.eni && c.enis < 1:
		return ReasonENI
	case c.gpus < s.gpus:
		return ReasonGPU
	}
	for _, port := range s.ports {
		if _, used := slices.BinarySearch(c.ports, port); used {
			return ReasonPorts
		}
	}
	return Fits
}

func reservePorts(c *candidate, s *Spec) {
	for _, port := range s.ports {
		i, _ := slices.BinarySearch(c.ports, port)
		c.ports = slices.Insert(c.ports, i, port)
	}
	c.dynPorts += s.dyn
	c.gpus -= s.gpus
	if s.eni {
		c.enis--
	}
}

func holdsPorts(c *candidate, s *Spec) bool {
	for _, port := range s.ports {
		if _, ok := slices.BinarySearch(c.ports, port); !ok {
			return false
		}
	}
	return c.dynPorts >= s.dyn
}

func releasePorts(c *candidate, s *Spec) {
	for _, port := range s.ports {
		i, _ := slices.BinarySearch(c.ports, port)
		c.ports = slices.Delete(c.ports, i, i+1)
	}
	c.dynPorts -= s.dyn
	c.gpus += s.gpus
	if s.eni {
		c.enis++
	}
}

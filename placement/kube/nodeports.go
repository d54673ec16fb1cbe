package kube

// NodePorts is a FilterPlugin (plugins/nodeports/node_ports.go, kube-scheduler
// framework HostPortInfo.CheckConflict): the pod's host ports (app containers
// and sidecars, hostPort > 0) must be free on the node. A wanted port
// conflicts with a used one of the same protocol and port when either host
// IP is 0.0.0.0 (or empty) or both are the same. PreFilter skips a pod
// without host ports.
type NodePorts struct{}

var (
	_ FilterPlugin    = NodePorts{}
	_ PreFilterPlugin = NodePorts{}
)

// Name returns "NodePorts".
func (NodePorts) Name() string { return "NodePorts" }

// PreFilter skips a pod without host ports.
func (NodePorts) PreFilter(_ *Cluster, p *PodInfo) Status {
	if len(p.ports) == 0 {
		return Status{Code: Skip}
	}
	return Status{}
}

// Filter rejects a node where a wanted host port is in use.
func (NodePorts) Filter(p *PodInfo, n *NodeInfo) Status {
	all := p.c.anyIP // 0.0.0.0
	for _, w := range p.ports {
		for _, u := range n.ports {
			if w.proto == u.proto && w.port == u.port && (w.ip == all || u.ip == all || w.ip == u.ip) {
				return unschedulable(ReasonNodePorts)
			}
		}
	}
	return Status{}
}

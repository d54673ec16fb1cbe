package kube

// NodeName is a FilterPlugin (plugins/nodename/node_name.go): a pod with
// spec.nodeName fits only the node of that name. Its PreFilter narrows the
// cycle to that node, so the other nodes count in a FitError as "node(s)
// didn't satisfy plugin(s) [NodeName]"; a missing node leaves none.
type NodeName struct{}

var (
	_ FilterPlugin    = NodeName{}
	_ PreFilterPlugin = NodeName{}
)

// Name returns "NodeName".
func (NodeName) Name() string { return "NodeName" }

// PreFilter skips the Filter for a pod without spec.nodeName: kube-scheduler
// runs it, and it passes every node.
func (NodeName) PreFilter(_ *Cluster, p *PodInfo) Status {
	if p.nodeName == "" {
		return Status{Code: Skip}
	}
	return Status{}
}

// Filter rejects, unresolvably, a node other than spec.nodeName.
func (NodeName) Filter(p *PodInfo, n *NodeInfo) Status {
	if p.nodeName != "" && p.nodeName != n.name {
		return unresolvable(ReasonNodeName)
	}
	return Status{}
}

func (NodeName) narrow(c *Cluster, p *PodInfo) (NodeID, bool) {
	if p.nodeName == "" {
		return NoNode, false
	}
	id, ok := c.byName[p.nodeName]
	if !ok {
		return NoNode, true
	}
	return id, true
}

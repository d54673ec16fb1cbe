package kube

// NodeUnschedulable is a FilterPlugin
// (plugins/nodeunschedulable/node_unschedulable.go): a cordoned node
// (spec.unschedulable) takes only pods that tolerate the taint
// {node.kubernetes.io/unschedulable, NoSchedule}.
type NodeUnschedulable struct{}

var _ FilterPlugin = NodeUnschedulable{}

// Name returns "NodeUnschedulable".
func (NodeUnschedulable) Name() string { return "NodeUnschedulable" }

// Filter rejects, unresolvably, an unschedulable node the pod does not
// tolerate being on.
func (NodeUnschedulable) Filter(p *PodInfo, n *NodeInfo) Status {
	if n.unschedulable && !toleratedBy(p.tolerations, &p.c.unschedTaint) {
		return unresolvable(ReasonNodeUnschedulable)
	}
	return Status{}
}

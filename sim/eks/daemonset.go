package eks

import (
	"slices"

	"github.com/fleetsim/fleetsim/placement/kube"
)

// daemonSet is a DaemonSet's controller state.
type daemonSet struct {
	probe  *kube.PodInfo // the template compiled once, for nodeShouldRunDaemonPod
	podOn  []int32       // by fleet index: its pod there, -1 for none
	labels map[string]string
}

// daemonTolerations are the tolerations the DaemonSet controller adds to
// every daemon pod (daemon/util AddOrUpdateDaemonPodTolerations): NoExecute
// node.kubernetes.io/not-ready and unreachable; NoSchedule disk-pressure,
// memory-pressure, pid-pressure and unschedulable; network-unavailable for
// hostNetwork pods. So a cordoned node keeps (and gets) its daemon pods.
func daemonTolerations(hostNetwork bool) []kube.Toleration {
	ts := []kube.Toleration{
		{Key: "node.kubernetes.io/not-ready", Operator: kube.TolerationExists, Effect: kube.NoExecute},
		{Key: "node.kubernetes.io/unreachable", Operator: kube.TolerationExists, Effect: kube.NoExecute},
		{Key: "node.kubernetes.io/disk-pressure", Operator: kube.TolerationExists, Effect: kube.NoSchedule},
		{Key: "node.kubernetes.io/memory-pressure", Operator: kube.TolerationExists, Effect: kube.NoSchedule},
		{Key: "node.kubernetes.io/pid-pressure", Operator: kube.TolerationExists, Effect: kube.NoSchedule},
		{Key: kube.TaintNodeUnschedulable, Operator: kube.TolerationExists, Effect: kube.NoSchedule},
	}
	if hostNetwork {
		ts = append(ts, kube.Toleration{Key: "node.kubernetes.io/network-unavailable", Operator: kube.TolerationExists, Effect: kube.NoSchedule})
	}
	return ts
}

func newDaemonSet(w *World, i int) (daemonSet, error) {
	dc := &w.cfg.DaemonSets[i]
	kp := dc.Template.Pod
	kp.Name, kp.Namespace = dc.Name+"-probe", dc.Namespace
	kp.Tolerations = append(slices.Clone(kp.Tolerations), daemonTolerations(dc.Template.HostNetwork)...)
	probe, err := w.cluster.NewPodInfo(kp)
	if err != nil {
		return daemonSet{}, err
	}
	return daemonSet{probe: probe, labels: dc.Template.Pod.Labels}, nil
}

// shouldRun is nodeShouldRunDaemonPod: the node matches the template's node
// selector and required node affinity, and the template (with the daemon
// tolerations) tolerates its NoSchedule and NoExecute taints.
func (w *World) shouldRun(ds *daemonSet, i int32) bool {
	n := &w.nodes[i]
	if !n.present || n.removing {
		return false
	}
	ni := w.cluster.NodeInfo(n.id)
	return (&kube.NodeAffinity{}).Filter(ds.probe, ni).IsSuccess() && (kube.TaintToleration{}).Filter(ds.probe, ni).IsSuccess()
}

// daemonSetsOnNode creates the daemon pods node i should run and lacks.
// Each is scheduled by the default scheduler with a required node affinity
// on the node (kubernetes.io DaemonSet, "How Daemon Pods are scheduled":
// matchFields metadata.name; fleetsim matches the kubernetes.io/hostname
// label, which EKS sets to the node name).
func (w *World) daemonSetsOnNode(i int32) {
	for d := range w.dsets {
		w.daemonPodOn(d, i)
	}
}

func (w *World) daemonPodOn(d int, i int32) {
	ds := &w.dsets[d]
	for int(i) >= len(ds.podOn) {
		ds.podOn = append(ds.podOn, -1)
	}
	if ds.podOn[i] >= 0 || !w.shouldRun(ds, i) {
		return
	}
	dc := &w.cfg.DaemonSets[d]
	nodeName := w.nodes[i].name
	hostNetwork := dc.Template.HostNetwork
	pi := w.newPod(&dc.Template, w.podName(dc.Name), dc.Namespace, ds.labels, ownDaemonSet, int32(d), i, w.daemonWorkload(d), nil,
		func(kp *kube.Pod) {
			aff := kube.NodeAffinityRules{Required: []kube.NodeSelectorTerm{{MatchExpressions: []kube.Requirement{
				{Key: LabelHostname, Operator: kube.OpIn, Values: []string{nodeName}}}}}}
			if kp.NodeAffinity != nil {
				aff.Preferred = kp.NodeAffinity.Preferred
			}
			kp.NodeAffinity = &aff
			kp.Tolerations = append(slices.Clone(kp.Tolerations), daemonTolerations(hostNetwork)...)
		})
	w.dsets[d].podOn[i] = pi
}

// daemonSetPodGone: a daemon pod went; the controller makes another while
// the node should run one.
func (w *World) daemonSetPodGone(pi int32) {
	p := &w.pods[pi]
	d, i := int(p.owner), p.rs
	ds := &w.dsets[d]
	if int(i) < len(ds.podOn) && ds.podOn[i] == pi {
		ds.podOn[i] = -1
		w.daemonPodOn(d, i)
	}
}

// daemonDesired counts the nodes that should run d's pod.
func (w *World) daemonDesired(d int) int {
	n := 0
	for i := range w.nodes {
		if w.shouldRun(&w.dsets[d], int32(i)) {
			n++
		}
	}
	return n
}

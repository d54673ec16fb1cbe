package eks

import (
	"strconv"

	"github.com/fleetsim/fleetsim/placement/kube"
)

// preempt is kube-scheduler's PostFilter, DefaultPreemption, for a pod no
// node fits; it returns the PostFilter's message ("" when it nominated a
// node) (kubernetes.io "Pod Priority and Preemption"):
//
//   - a pod whose priority class says PreemptionPolicy Never does not
//     preempt; nor does one already nominated to a node where a
//     lower-priority pod is still terminating (PodEligibleToPreemptOthers);
//   - kube.Framework.Preempt finds the node and the victims: only pods of
//     lower priority, not already terminating, fewest budget violations
//     first;
//   - when it cannot, the PostFilter's message follows the FitError's, as
//     kube-scheduler words it (default_preemption.go prefixes
//     "preemption: "): "not eligible due to preemptionPolicy=Never.", "not
//     eligible due to a terminating pod on the nominated node.", or
//     kube.Preemption.Message's count of nodes without victims and nodes
//     where preemption is not helpful;
//   - the victims are deleted gracefully (their TerminationGracePeriod),
//     the pod's status.nominatedNodeName is set, and the pod waits in the
//     unschedulable set for the deletions (a cluster event) to retry.
//
// While it waits, other pods of no higher priority are scheduled as if it
// were already on its nominated node (holdNominated), so the room it freed
// stays its own.
func (w *World) preempt(pi int32) string {
	p := &w.pods[pi]
	if !p.preempts {
		return "preemption: not eligible due to preemptionPolicy=Never."
	}
	if p.nominated >= 0 && w.nodes[p.nominated].present {
		for _, q := range w.nodes[p.nominated].pods {
			if o := &w.pods[q]; o.deleting && o.reason == "Preempted" && o.priority < p.priority {
				return "preemption: not eligible due to a terminating pod on the nominated node."
			}
		}
	}
	byKey := map[string]int32{}
	in := kube.PreemptionInput{
		Lower: func(id kube.NodeID) []kube.Victim {
			var out []kube.Victim
			for _, q := range w.nodes[w.nodeOf[id]].pods {
				o := &w.pods[q]
				if o.active() && o.info != nil && o.priority < p.priority {
					byKey[o.info.Key()] = q
					out = append(out, kube.Victim{Pod: o.info, Start: int64(o.scheduled)})
				}
			}
			return out
		},
		Violates: func(v *kube.PodInfo) bool { return w.budgetViolated(byKey[v.Key()]) },
		Offset:   w.preRand.IntN(w.cluster.NumNodes()),
	}
	res, ok := w.fw.Preempt(p.info, in)
	if !ok {
		return res.Message(w.cluster.NumNodes())
	}
	target := w.nodeOf[res.Node]
	if p.nominated < 0 {
		w.nominees = append(w.nominees, pi)
	}
	p.nominated = target
	w.rec.preemptors++
	w.podEvent(pi, EventPreempting, "nominated to "+w.nodes[target].name+", preempting "+strconv.Itoa(len(res.Victims))+" pod(s)")
	for _, v := range res.Victims {
		q := byKey[v.Key()]
		w.rec.preempted++
		w.deletePod(q, "Preempted", "by "+p.ns+"/"+p.name+" on node "+w.nodes[target].name)
	}
	return ""
}

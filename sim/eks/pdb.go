package eks

import (
	"slices"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/des"
)

// selects is metav1.LabelSelector matching for a budget: a nil selector
// selects nothing, an empty one everything; matchLabels and
// matchExpressions (In, NotIn, Exists, DoesNotExist) ANDed.
func selects(s *kube.LabelSelector, labels map[string]string) bool {
	if s == nil {
		return false
	}
	for k, v := range s.MatchLabels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	for _, r := range s.MatchExpressions {
		v, ok := labels[r.Key]
		switch r.Operator {
		case kube.OpIn:
			if !ok || !slices.Contains(r.Values, v) {
				return false
			}
		case kube.OpNotIn:
			if ok && slices.Contains(r.Values, v) {
				return false
			}
		case kube.OpExists:
			if !ok {
				return false
			}
		case kube.OpDoesNotExist:
			if ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// indexBudgets files a new pod under every budget selecting it (a pod's
// labels and namespace never change).
func (w *World) indexBudgets(pi int32) {
	p := &w.pods[pi]
	for b := range w.cfg.Budgets {
		if bc := &w.cfg.Budgets[b]; bc.Namespace == p.ns && selects(&bc.Selector, p.labels) {
			w.budgetPods[b] = append(w.budgetPods[b], pi)
		}
	}
}

// budgetStatus is a PodDisruptionBudget's status as the disruption
// controller computes it.
type budgetStatus struct {
	expected, currentHealthy, desiredHealthy, allowed int
}

// budget computes budget b's status (disruption.go getExpectedPodCount,
// countHealthyPods, updatePdbStatus):
//
//   - the selected pods are the namespace's pods the selector matches that
//     are not terminal and not gone;
//   - currentHealthy counts those Ready and not terminating;
//   - with an integer minAvailable, expected is the number of selected pods
//     and desiredHealthy is minAvailable;
//   - with maxUnavailable or a percentage minAvailable, expected is the sum
//     of the selected pods' controllers' scale (a Deployment's replicas,
//     once per Deployment; fleetsim counts other pods one each), the
//     percentage rounding up; desiredHealthy = minAvailable, or expected −
//     maxUnavailable (at least 0);
//   - disruptionsAllowed = max(0, currentHealthy − desiredHealthy).
func (w *World) budget(b int) budgetStatus {
	bc := &w.cfg.Budgets[b]
	var st budgetStatus
	pods := 0
	var deploys []int32
	w.budgetPods[b] = slices.DeleteFunc(w.budgetPods[b], func(pi int32) bool { return w.pods[pi].gone })
	for _, pi := range w.budgetPods[b] {
		p := &w.pods[pi]
		if p.terminal {
			continue
		}
		pods++
		if p.ready && !p.deleting {
			st.currentHealthy++
		}
		if p.kind == ownDeployment {
			if !slices.Contains(deploys, p.owner) {
				deploys = append(deploys, p.owner)
			}
			continue
		}
		st.expected++ // not a scale controller's: one each
	}
	for _, d := range deploys {
		st.expected += w.deploys[d].replicas
	}
	switch {
	case bc.MinAvailable != nil && !bc.MinAvailable.Percent:
		st.expected = pods
		st.desiredHealthy = bc.MinAvailable.Value
	case bc.MinAvailable != nil:
		st.desiredHealthy = scaled(*bc.MinAvailable, st.expected, true)
	case bc.MaxUnavailable != nil:
		st.desiredHealthy = max(0, st.expected-scaled(*bc.MaxUnavailable, st.expected, true))
	}
	st.allowed = max(0, st.currentHealthy-st.desiredHealthy)
	return st
}

// evictionBlockedBy returns the budget that refuses evicting pod pi, or -1
// (eviction.go): a pod not Running may always be evicted; a Running pod
// not Ready only while every budget has its desired healthy pods
// (unhealthyPodEvictionPolicy IfHealthyBudget, the default); a Ready pod
// only while every budget selecting it allows a disruption.
func (w *World) evictionBlockedBy(pi int32) int {
	p := &w.pods[pi]
	if p.phase != PhaseRunning {
		return -1
	}
	if w.budgetsOf(pi) > 1 {
		return multipleBudgets
	}
	for b := range w.cfg.Budgets {
		bc := &w.cfg.Budgets[b]
		if bc.Namespace != p.ns || !selects(&bc.Selector, p.labels) {
			continue
		}
		st := w.budget(b)
		if p.ready && st.allowed <= 0 || !p.ready && st.currentHealthy < st.desiredHealthy {
			return b
		}
	}
	return -1
}

// multipleBudgets is evictionBlockedBy's answer for a pod more than one
// budget selects: the eviction API refuses it outright (eviction.go: "This
// pod has more than one PodDisruptionBudget, which the eviction subresource
// does not support."; [eviction] lists it as a 500 response). kubectl
// drain gives up on such an error; fleetsim's drain keeps retrying it, so
// only Settings.DrainTimeout ends it.
const multipleBudgets = -2

func (w *World) budgetsOf(pi int32) int {
	p := &w.pods[pi]
	n := 0
	for b := range w.cfg.Budgets {
		if bc := &w.cfg.Budgets[b]; bc.Namespace == p.ns && selects(&bc.Selector, p.labels) {
			n++
		}
	}
	return n
}

// budgetViolated reports whether evicting a bound pod would break a budget
// now (preemption's filterPodsWithPDBViolation).
func (w *World) budgetViolated(pi int32) bool { return w.evictionBlockedBy(pi) != -1 }

// DrainNode drains node i as kubectl drain does (timeline drain_nodes):
// cordon, then evict every pod but the DaemonSet's, each eviction that a
// budget refuses retried every DrainRetry; the node stays cordoned.
func (w *World) DrainNode(i int32) {
	if int(i) < len(w.nodes) && w.nodes[i].present && !w.nodes[i].draining {
		w.startDrain(i, false, "kubectl drain")
	}
}

// startDrain cordons node i and starts evicting; release asks for
// Fleet.Release once it is empty (a termination's lifecycle hook).
func (w *World) startDrain(i int32, release bool, why string) {
	n := &w.nodes[i]
	n.release = n.release || release
	if n.draining {
		if n.drained && release {
			w.fleet.Release(i)
		}
		return
	}
	n.draining = true
	w.cordon(i)
	w.nodeEvent(i, EventNodeDraining, why)
	if t := w.cfg.Settings.DrainTimeout; t > 0 {
		n.expiryTmr = w.eng.At(w.now()+des.At(t), w.k.drainExpiry, i)
	}
	w.drainStep(i)
}

// drainStep evicts what it may of node i's pods and retries the rest.
func (w *World) drainStep(i int32) {
	n := &w.nodes[i]
	if !n.present || !n.draining {
		return
	}
	blocked := false
	for _, pi := range slices.Clone(n.pods) {
		p := &w.pods[pi]
		if p.kind == ownDaemonSet || p.deleting || p.gone {
			continue
		}
		if b := w.evictionBlockedBy(pi); b != -1 {
			blocked = true
			if !p.evictBlocked {
				p.evictBlocked = true
				w.rec.evictionsBlocked++
				msg := "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
				if b >= 0 {
					msg = "Cannot evict pod as it would violate the pod's disruption budget " + w.cfg.Budgets[b].Name
				}
				w.podEvent(pi, EventEvictionBlocked, msg)
			}
			continue
		}
		w.rec.evictions++
		w.deletePod(pi, "Evicted", "drained from "+n.name)
	}
	n = &w.nodes[i]
	if blocked && n.present {
		w.eng.Cancel(n.drainTmr)
		n.drainTmr = w.eng.At(w.now()+des.At(DrainRetry), w.k.drainRetry, i)
	}
	w.checkDrained(i)
}

// onDrainExpiry: the drain took longer than Settings.DrainTimeout: the
// remaining pods are deleted without the eviction API (budgets not
// consulted), as a forced drain does.
func (w *World) onDrainExpiry(_ des.Time, i int32) {
	n := &w.nodes[i]
	if !n.present || !n.draining {
		return
	}
	w.nodeEvent(i, EventNodeDrainTimeout, "drain timed out: pods deleted without eviction")
	for _, pi := range slices.Clone(n.pods) {
		if p := &w.pods[pi]; p.kind != ownDaemonSet {
			w.deletePod(pi, "Deleted", "forced drain of "+n.name)
		}
	}
}

// checkDrained ends a drain when only DaemonSet pods are left on the node:
// a termination's drain releases the instance.
func (w *World) checkDrained(i int32) {
	n := &w.nodes[i]
	if !n.present || !n.draining || n.drained || n.removing {
		return // removing: the instance is already going (InstanceLost)
	}
	for _, pi := range n.pods {
		if w.pods[pi].kind != ownDaemonSet {
			return
		}
	}
	n.drained = true
	w.eng.Cancel(n.drainTmr)
	w.eng.Cancel(n.expiryTmr)
	w.nodeEvent(i, EventNodeDrained, "")
	if n.release {
		w.fleet.Release(i)
	}
}

package clusterautoscaler

import (
	"fmt"
	"strconv"

	"github.com/fleetsim/fleetsim/sim/des"
)

// Blocking reasons (simulator/drainability and the removal simulator's
// UnremovableReason, in fleetsim's words).
const (
	BlockedNotReplicated = "pod without a controller"
	BlockedKubeSystem    = "kube-system pod without a PodDisruptionBudget"
	BlockedLocalStorage  = "pod with local storage"
	BlockedNotSafe       = "pod annotated cluster-autoscaler.kubernetes.io/safe-to-evict=false"
	BlockedBudget        = "not enough PodDisruptionBudget disruptions allowed"
	BlockedNoPlace       = "a pod fits on no other node"
)

// blockedBy applies the drain rules to one pod that would have to move
// (not a DaemonSet's, a mirror pod or an expendable one), in the FAQ's
// list: safe-to-evict=true lets any pod go; safe-to-evict=false, no
// controller, kube-system without a budget (--skip-nodes-with-system-pods,
// until --blocking-system-pod-distruption-timeout after its creation)
// and local storage (--skip-nodes-with-local-storage) keep it. Budgets are
// checked apart (a tally over the whole scan).
func (a *Autoscaler) blockedBy(now des.Time, p *Pod) string {
	switch {
	case p.SafeToEvict == "true":
		return ""
	case p.SafeToEvict == "false":
		return BlockedNotSafe
	case !p.Controller:
		return BlockedNotReplicated
	case p.KubeSystem && len(p.Budgets) == 0 && a.cfg.SkipNodesWithSystemPods &&
		now-p.Created < des.At(a.cfg.BlockingSystemPodDisruptionTimeout):
		return BlockedKubeSystem
	case p.LocalStorage && a.cfg.SkipNodesWithLocalStorage:
		return BlockedLocalStorage
	}
	return ""
}

// Utilization is the scale-down utilization of a node
// (utilization.Calculate): the larger of its pods' CPU requests over its
// allocatable CPU and their memory requests over its allocatable memory;
// DaemonSet pods count unless IgnoreDaemonSetsUtilization.
func (a *Autoscaler) Utilization(n *Node) float64 {
	var cpu, mem int64
	for i := range n.Pods {
		p := &n.Pods[i]
		if p.DaemonSet && a.cfg.IgnoreDaemonSetsUtilization {
			continue
		}
		cpu += p.Requests.MilliCPU
		mem += p.Requests.MemoryBytes
	}
	return max(share(cpu, n.Allocatable.MilliCPU), share(mem, n.Allocatable.MemoryBytes))
}

// candidate is a node found unneeded in this scan.
type candidate struct {
	node  int
	empty bool
	util  float64
}

// scaleDown finds the unneeded nodes (below the threshold, every pod that
// must move movable: drain rules, budgets, a place on another node, the
// places taken cumulatively over the scan as the removal simulator does),
// keeps since when each has been unneeded, and, out of the delays, removes
// those unneeded for ScaleDownUnneededTime: empty ones up to
// MaxScaleDownParallelism deletions at once, non-empty ones up to
// MaxDrainParallelism drains at once, never a group below its min.
func (a *Autoscaler) scaleDown(s *Snapshot, groups []Group, d *Decision) {
	frees := make([]Resources, len(s.Nodes))
	gone := make([]bool, len(s.Nodes)) // removed in the simulation
	dest := make([]bool, len(s.Nodes)) // took a moved pod
	for n := range s.Nodes {
		frees[n] = free(&s.Nodes[n])
		gone[n] = s.Nodes[n].Deleting
	}
	allowed := append([]int(nil), s.Budgets...)
	var cands []candidate
	for n := range s.Nodes {
		nd := &s.Nodes[n]
		if nd.Group < 0 || nd.Deleting || nd.ScaleDownDisabled || dest[n] {
			continue
		}
		util := a.Utilization(nd)
		if util >= a.cfg.ScaleDownUtilizationThreshold {
			continue
		}
		ok, empty := a.movable(s, n, frees, gone, dest, allowed)
		if !ok {
			continue
		}
		gone[n] = true
		cands = append(cands, candidate{node: n, empty: empty, util: util})
	}
	next := make(map[int32]des.Time, len(cands))
	for _, c := range cands {
		id := s.Nodes[c.node].ID
		since, ok := a.unneeded[id]
		if !ok {
			since = s.Now
		}
		next[id] = since
	}
	a.unneeded = next
	if a.inCooldown(s.Now) {
		return
	}
	deleting, draining := 0, 0
	for n := range s.Nodes {
		if s.Nodes[n].Deleting {
			deleting++
			if s.Nodes[n].Drain {
				draining++
			}
		}
	}
	targets := make([]int, len(groups))
	for g := range groups {
		targets[g] = groups[g].Target
	}
	for _, wantEmpty := range []bool{true, false} {
		for _, c := range cands {
			nd := &s.Nodes[c.node]
			since := a.unneeded[nd.ID]
			if c.empty != wantEmpty || s.Now-since < des.At(a.cfg.ScaleDownUnneededTime) {
				continue
			}
			if deleting >= a.cfg.MaxScaleDownParallelism || !c.empty && draining >= a.cfg.MaxDrainParallelism {
				continue
			}
			if targets[nd.Group]-1 < groups[nd.Group].Min {
				continue // node group min size reached
			}
			targets[nd.Group]--
			deleting++
			kind := "empty"
			if !c.empty {
				draining++
				kind = "pods movable to other nodes"
			}
			d.Removals = append(d.Removals, Removal{Node: nd.ID, Group: nd.Group, Empty: c.empty, Utilization: c.util,
				Reason: fmt.Sprintf("utilization %s < %s for %s; %s", strconv.FormatFloat(c.util, 'f', 3, 64),
					strconv.FormatFloat(a.cfg.ScaleDownUtilizationThreshold, 'g', -1, 64),
					(s.Now - since).Duration(), kind)})
		}
	}
	if len(d.Removals) > 0 {
		a.lastDelete = s.Now
	}
}

// inCooldown: scale-down waits ScaleDownDelayAfterAdd after a scale-up,
// -AfterDelete after a deletion began and -AfterFailure after one failed
// (static_autoscaler isScaleDownInCooldown); the unneeded nodes are still
// tracked meanwhile.
func (a *Autoscaler) inCooldown(now des.Time) bool {
	return now < a.lastScaleUp+des.At(a.cfg.ScaleDownDelayAfterAdd) ||
		now < a.lastDelete+des.At(a.cfg.ScaleDownDelayAfterDelete) ||
		now < a.lastFailure+des.At(a.cfg.ScaleDownDelayAfterFailure)
}

// movable simulates removing node n: every pod that must move passes the
// drain rules and its budgets, and finds a place on a node not removed in
// the simulation. On success the places and the budgets' disruptions are
// taken; on failure nothing is.
func (a *Autoscaler) movable(s *Snapshot, n int, frees []Resources, gone, dest []bool, allowed []int) (ok, empty bool) {
	nd := &s.Nodes[n]
	var move []int
	for i := range nd.Pods {
		p := &nd.Pods[i]
		if p.DaemonSet || p.Mirror || p.Priority < a.cfg.ExpendablePodsPriorityCutoff {
			continue
		}
		if a.blockedBy(s.Now, p) != "" {
			return false, false
		}
		move = append(move, i)
	}
	if len(move) == 0 {
		return true, true
	}
	used := make([]int, len(allowed))
	for _, i := range move {
		for _, b := range nd.Pods[i].Budgets {
			used[b]++
			if used[b] > allowed[b] {
				return false, false
			}
		}
	}
	type place struct{ to int }
	var placed []place
	undo := func() {
		for k, pl := range placed {
			frees[pl.to] = frees[pl.to].add(nd.Pods[move[k]].Requests)
		}
	}
	for _, i := range move {
		req := nd.Pods[i].Requests
		to := -1
		for m := range s.Nodes {
			if m != n && !gone[m] && frees[m].fits(req) && s.FitsNode(n, i, m) {
				to = m
				break
			}
		}
		if to < 0 {
			undo()
			return false, false
		}
		frees[to] = frees[to].sub(req)
		placed = append(placed, place{to})
	}
	for _, pl := range placed {
		dest[pl.to] = true
	}
	for b := range used {
		allowed[b] -= used[b]
	}
	return true, false
}

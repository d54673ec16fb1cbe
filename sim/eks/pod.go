package eks

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/des"
)

// Phase is a pod's status.phase.
type Phase uint8

// The pod phases of core/v1.
const (
	PhasePending Phase = iota
	PhaseRunning
	PhaseSucceeded
	PhaseFailed
)

func (p Phase) String() string { return [...]string{"Pending", "Running", "Succeeded", "Failed"}[p] }

// ownerKind is what controls a pod.
type ownerKind uint8

const (
	ownBare ownerKind = iota
	ownDeployment
	ownJob
	ownDaemonSet
)

// pod is one pod. Pods are never reused: a pod's index names it for the run.
type pod struct {
	name, ns                     string
	kind                         ownerKind
	owner                        int32 // deployment, job run, daemon set or bare-pod config
	rs                           int32 // the deployment's replica set
	workload                     int   // index into the recorder's workloads
	tmpl                         *PodTemplate
	labels                       map[string]string
	info                         *kube.PodInfo
	priority                     int32
	preempts                     bool
	phase                        Phase
	ready                        bool
	terminal                     bool // Succeeded or Failed: its resources are free
	deleting                     bool // terminating: its grace period runs
	gone                         bool // deleted, or lost with its node
	node                         int32
	nominated                    int32 // status.nominatedNodeName's node, -1 for none
	hasIP                        bool
	waitingIP                    bool
	tallied                      bool // counted by its Job
	evictBlocked                 bool // a budget refused its eviction (logged once)
	available                    bool // a Deployment pod Ready for minReadySeconds
	talLive, talActive, talAvail bool // what tallyReplicaSet last counted

	created, scheduled, started, ended des.Time

	inQueue    bool
	qTime      des.Time
	qSeq       uint64
	unsched    bool
	attempts   int
	backoffEnd des.Time
	lastMsg    string
	failedOnce bool   // got a FailedScheduling at least once (recorder.failedScheduling)
	reason     string // status.reason / the condition's reason
	message    string

	timer      des.Timer // start, exit or the end of the grace period
	backoffTmr des.Timer
	pullFails  uint8 // failed image pulls in a row (ecr.go)
	counted    podState
	fg         *fargateCap // its Fargate capacity (fargate_world.go); nil for a pod of the nodes
}

// podState is what the recorder counts a pod as.
type podState uint8

const (
	stNone podState = iota
	stUnscheduled
	stStarting // bound, pulling images or starting
	stRunning  // Running and Ready
	stTerminating
	numPodStates
)

func (p *pod) state() podState {
	switch {
	case p.gone || p.terminal:
		return stNone
	case p.deleting:
		return stTerminating
	case p.node < 0 && p.fg == nil:
		return stUnscheduled
	case p.ready:
		return stRunning
	}
	return stStarting
}

// active reports whether the pod counts for its controller: not deleted,
// not terminating, not terminal (controller.FilterActivePods).
func (p *pod) active() bool { return !p.gone && !p.deleting && !p.terminal }

// podName makes a pod's name: the owner's prefix and a five-character
// suffix from the alphabet Kubernetes' generateName uses
// (apimachinery util/rand: consonants and digits without look-alikes),
// taken from a counter so that names never repeat.
func (w *World) podName(prefix string) string {
	w.nextPod++
	return prefix + "-" + suffix(w.nextPod, 5)
}

const nameAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// suffix writes n in the name alphabet, scrambled so that consecutive
// numbers do not read alike, in k characters.
func suffix(n uint64, k int) string {
	n = n*0x9E3779B1 + 0x7F4A7C15 // a bijection mod 2^64: distinct n stay distinct
	b := make([]byte, k)
	for i := range b {
		b[i] = nameAlphabet[n%uint64(len(nameAlphabet))]
		n /= uint64(len(nameAlphabet))
	}
	return string(b)
}

// newPod creates a pod from a template: compiled for the scheduler and put
// in the scheduling queue.
func (w *World) newPod(t *PodTemplate, name, ns string, labels map[string]string, kind ownerKind, owner, rs int32, workload int, spread *kube.LabelSelector, mutate func(*kube.Pod)) int32 {
	kp := t.Pod
	kp.Name, kp.Namespace, kp.Labels = name, ns, labels
	kp.Priority, _ = w.priorityOf(t)
	if kp.DefaultSpreadSelector == nil {
		kp.DefaultSpreadSelector = spread
	}
	if mutate != nil {
		mutate(&kp)
	}
	pi := int32(len(w.pods))
	w.pods = append(w.pods, pod{name: name, ns: ns, kind: kind, owner: owner, rs: rs, workload: workload, tmpl: t,
		labels: labels, node: -1, nominated: -1, created: w.now()})
	p := &w.pods[pi]
	p.priority, p.preempts = w.priorityOf(t)
	w.rec.created(p)
	w.indexBudgets(pi)
	info, err := w.compilePod(kp, kind, owner, rs, mutate == nil)
	if err != nil {
		p.terminal, p.phase, p.reason, p.message = true, PhaseFailed, "Invalid", err.Error()
		w.podEvent(pi, EventPodPhase, p.message)
		w.recount(pi)
		return pi
	}
	p.info = info
	w.podEvent(pi, EventPodCreated, "")
	if w.toFargate(pi) { // fargate_world.go: the fargate-scheduler's, not the queue's
		w.recount(pi)
		return pi
	}
	w.enqueue(pi)
	w.recount(pi)
	return pi
}

// compilePod compiles kp for the scheduler. A ReplicaSet's pods (plain:
// not changed by a mutate function) are stamped from the set's first
// compiled pod (kube.PodInfo.Replica), which is what compiling each would
// give; the others are compiled one by one.
func (w *World) compilePod(kp kube.Pod, kind ownerKind, owner, rs int32, plain bool) (*kube.PodInfo, error) {
	if kind != ownDeployment || !plain || rs < 0 {
		return w.cluster.NewPodInfo(kp)
	}
	set := &w.deploys[owner].sets[rs]
	if set.compiled != nil {
		return set.compiled.Replica(kp.Name)
	}
	info, err := w.cluster.NewPodInfo(kp)
	if err == nil {
		set.compiled = info
	}
	return info, err
}

// enqueue puts a pod in the active queue (PrioritySort: higher priority
// first, then the earlier time it was queued).
func (w *World) enqueue(pi int32) {
	p := &w.pods[pi]
	if p.inQueue || p.gone || p.node >= 0 {
		return
	}
	p.inQueue, p.qTime = true, w.now()
	w.rec.qSeq++
	p.qSeq = w.rec.qSeq
	w.queue.push(w, pi)
	w.kick()
}

// runQueue is the scheduler's loop: one pod at a time from the active queue
// until it is empty (scheduling takes no simulated time).
func (w *World) runQueue() {
	w.scheduling = false
	for w.queue.Len() > 0 {
		pi := w.queue.pop(w)
		p := &w.pods[pi]
		p.inQueue = false
		if !p.active() || p.node >= 0 {
			continue
		}
		w.scheduleOne(pi)
	}
}

// scheduleOne runs one scheduling cycle for a pod: Schedule, and on a
// FitError the PostFilter (preemption), then the unschedulable set.
func (w *World) scheduleOne(pi int32) {
	p := &w.pods[pi]
	held := w.holdNominated(pi)
	res, err := w.schedule(pi, p) // Framework.Schedule, explained for the pods Config.Explain chooses (explain.go)
	for _, q := range held {
		_ = w.cluster.Unbind(w.pods[q].ns, w.pods[q].name)
	}
	if err == nil {
		w.bind(pi, w.nodeOf[res.Node])
		return
	}
	msg := err.Error()
	var fe *kube.FitError
	if errors.As(err, &fe) {
		if post := w.preempt(pi); post != "" {
			msg += " " + post // FitError.Error with Diagnosis.PostFilterMsg
		}
	}
	w.unschedulable(pi, msg)
}

// holdNominated assumes, for pi's cycle, every other pod nominated to a
// node (preemption's status.nominatedNodeName) whose priority is at least
// pi's, on its nominated node: the room preemption freed is theirs
// (schedule_one.go findNodesThatPassFilters via addNominatedPods). It
// returns the pods it bound, to be unbound after the cycle.
func (w *World) holdNominated(pi int32) []int32 {
	if len(w.nominees) == 0 {
		return nil
	}
	w.nominees = slices.DeleteFunc(w.nominees, func(q int32) bool {
		o := &w.pods[q]
		return o.nominated < 0 || !o.active() || o.node >= 0
	})
	p := &w.pods[pi]
	var held []int32
	for _, q := range w.nominees {
		o := &w.pods[q]
		if q == pi || o.nominated < 0 || o.priority < p.priority || !o.active() {
			continue
		}
		if n := &w.nodes[o.nominated]; n.present && !n.cordoned {
			if w.cluster.Bind(o.info, n.id) == nil {
				held = append(held, q)
			}
		}
	}
	return held
}

// unschedulable moves a pod to the unschedulable set with its backoff:
// initial × 2^(attempts−1), at most the maximum (scheduling_queue.go
// calculateBackoffDuration), and a retry after MaxInUnschedulable at the
// latest (flushUnschedulablePodsLeftover).
func (w *World) unschedulable(pi int32, msg string) {
	p := &w.pods[pi]
	p.attempts++
	b := w.settingOr(w.cfg.Settings.SchedulerBackoffInitial, DefaultBackoffInitial)
	limit := w.settingOr(w.cfg.Settings.SchedulerBackoffMax, DefaultBackoffMax)
	for i := 1; i < p.attempts && b < limit; i++ {
		b *= 2
	}
	b = min(b, limit)
	p.backoffEnd = w.now() + des.At(b)
	p.unsched = true
	p.reason, p.message = "Unschedulable", msg
	w.unsched = append(w.unsched, pi)
	w.eng.Cancel(p.backoffTmr)
	p.backoffTmr = w.eng.At(w.now()+des.At(MaxInUnschedulable), w.k.podBackoff, pi)
	w.kpPending(pi) // Karpenter's batch (karpenter_world.go)
	w.rec.failedScheduling(p)
	if msg != p.lastMsg {
		p.lastMsg = msg
		w.rec.unschedulable(p, msg)
		w.podEvent(pi, EventFailedScheduling, msg)
	}
}

// requeueAll is MoveAllToActiveOrBackoffQueue after a cluster event: pods
// whose backoff is over go to the active queue, the others when it ends.
func (w *World) requeueAll() {
	w.requeuing = false
	for _, pi := range append([]int32(nil), w.unsched...) {
		p := &w.pods[pi]
		if p.backoffEnd <= w.now() {
			w.activate(pi)
			continue
		}
		w.eng.Cancel(p.backoffTmr)
		p.backoffTmr = w.eng.At(p.backoffEnd, w.k.podBackoff, pi)
	}
}

func (w *World) onPodBackoff(_ des.Time, pi int32) { w.activate(pi) }

// activate moves a pod from the unschedulable set to the active queue.
func (w *World) activate(pi int32) {
	p := &w.pods[pi]
	if !p.unsched {
		return
	}
	p.unsched = false
	w.eng.Cancel(p.backoffTmr)
	w.unsched = removeIndex(w.unsched, pi)
	if p.active() {
		w.enqueue(pi)
	}
}

// bind binds a pod to a node (kube-scheduler's assume and bind) and the
// kubelet starts it: a VPC CNI address unless hostNetwork, then the image
// pulls, then StartTime to Ready.
func (w *World) bind(pi int32, i int32) {
	p := &w.pods[pi]
	n := &w.nodes[i]
	if err := w.cluster.Bind(p.info, n.id); err != nil {
		w.eng.Fail(err)
		return
	}
	p.node, p.scheduled, p.nominated = i, w.now(), -1
	p.reason, p.message = "", ""
	n.pods = append(n.pods, pi)
	w.podEvent(pi, EventPodScheduled, "Successfully assigned "+p.ns+"/"+p.name+" to "+n.name)
	w.recount(pi)
	if p.tmpl.HostNetwork || n.ipsUsed < n.ipLimit {
		w.takeIP(pi)
		w.startContainers(pi)
		return
	}
	p.waitingIP = true
	n.ipWait = append(n.ipWait, pi)
	p.reason = "ContainerCreating"
	p.message = "failed to assign an IP address to container"
	w.podEvent(pi, EventFailedCreatePodSandBox, p.message)
}

func (w *World) takeIP(pi int32) {
	p := &w.pods[pi]
	if !p.tmpl.HostNetwork {
		p.hasIP = true
		w.nodes[p.node].ipsUsed++
	}
}

// releaseIP frees the pod's address and gives it to the next pod waiting on
// the node.
func (w *World) releaseIP(pi int32) {
	p := &w.pods[pi]
	if p.waitingIP {
		p.waitingIP = false
		n := &w.nodes[p.node]
		n.ipWait = removeIndex(n.ipWait, pi)
	}
	if !p.hasIP {
		return
	}
	p.hasIP = false
	n := &w.nodes[p.node]
	n.ipsUsed--
	for len(n.ipWait) > 0 && n.ipsUsed < n.ipLimit {
		next := n.ipWait[0]
		n.ipWait = n.ipWait[1:]
		w.pods[next].waitingIP = false
		w.takeIP(next)
		w.startContainers(next)
	}
}

// startContainers pulls the pod's images through the node's cache
// (imagePullPolicy IfNotPresent for a tagged image, Always for :latest or
// no tag: the API's default) and starts it StartTime after the last pull.
func (w *World) startContainers(pi int32) {
	p := &w.pods[pi]
	if w.pullBlocked(pi) { // ecr.go
		return
	}
	if p.fg != nil {
		w.fargatePull(pi) // fargate_world.go: no cache
		return
	}
	ready := w.now()
	for _, im := range p.tmpl.Images {
		at := w.fleet.Pull(p.node, w.fleet.ImageID(im.Name), im.SizeBytes, pullAlways(im.Name))
		ready = max(ready, at)
	}
	p.timer = w.eng.At(ready+des.At(max(p.tmpl.StartTime, 0)), w.k.podStarted, pi)
}

// pullAlways is core/v1 SetDefaults_Container: imagePullPolicy Always when
// the image has the tag latest or none, IfNotPresent otherwise.
func pullAlways(image string) bool {
	if strings.Contains(image, "@") {
		return false // a digest
	}
	slash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	return colon <= slash || image[colon+1:] == "latest"
}

func (w *World) onPodStarted(_ des.Time, pi int32) {
	p := &w.pods[pi]
	if !p.active() {
		return
	}
	p.phase, p.ready, p.started = PhaseRunning, true, w.now()
	p.reason, p.message = "", ""
	w.rec.started(p, w.now()-p.created)
	w.podEvent(pi, EventPodPhase, "Started")
	if p.kind == ownDeployment {
		if mr := w.cfg.Deployments[p.owner].MinReady; mr > 0 {
			w.eng.At(w.now()+des.At(mr), w.k.podAvailable, pi) // available then (minReadySeconds)
		} else {
			p.available = true
		}
	}
	w.recount(pi)
	if p.tmpl.Run > 0 && p.kind != ownDeployment && p.kind != ownDaemonSet {
		w.eng.At(w.now()+w.runDuration(p), w.k.podExit, pi)
	}
	w.podChanged(pi)
}

// runDuration draws how long a run-to-completion pod runs: normal around
// Run with RunStdDev, at least 1 s.
func (w *World) runDuration(p *pod) des.Time {
	d := p.tmpl.Run
	if p.tmpl.RunStdDev > 0 {
		d += time.Duration(w.podRand(p).NormFloat64() * float64(p.tmpl.RunStdDev))
	}
	return des.At(max(d, time.Second))
}

// onPodExit: a run-to-completion pod's containers exited: Succeeded, or
// Failed with FailureProbability.
func (w *World) onPodExit(_ des.Time, pi int32) {
	p := &w.pods[pi]
	if !p.active() {
		return
	}
	failed := p.tmpl.FailureProbability > 0 && w.podRand(p).Float64() < p.tmpl.FailureProbability
	if failed {
		w.finish(pi, PhaseFailed, "Error", "container exited with a non-zero code")
	} else {
		w.finish(pi, PhaseSucceeded, "Completed", "")
	}
}

// finish ends a pod in a terminal phase: its resources and address are
// free at once (the scheduler's cache drops terminal pods).
func (w *World) finish(pi int32, ph Phase, reason, msg string) {
	p := &w.pods[pi]
	p.phase, p.ready, p.terminal, p.ended = ph, false, true, w.now()
	p.reason, p.message = reason, msg
	w.eng.Cancel(p.timer)
	w.rec.ended(p)
	w.podEvent(pi, EventPodPhase, strings.TrimSpace(reason+" "+msg))
	w.unbindFromNode(pi)
	w.recount(pi)
	w.podChanged(pi)
}

// unbindFromNode takes a pod off its node: the scheduler's counts, the
// node's list and its address.
func (w *World) unbindFromNode(pi int32) {
	p := &w.pods[pi]
	w.releaseFargate(pi) // fargate_world.go
	if p.node < 0 {
		return
	}
	w.releaseIP(pi)
	n := &w.nodes[p.node]
	n.pods = removeIndex(n.pods, pi)
	if n.present {
		if _, ok := w.cluster.NodeOf(p.ns, p.name); ok {
			_ = w.cluster.Unbind(p.ns, p.name)
		}
	}
	w.clusterChanged()
	if n.draining {
		w.checkDrained(p.node)
	}
}

// deletePod deletes a pod gracefully: unscheduled it goes at once; bound it
// stops being Ready and goes TerminationGracePeriod later, holding its
// resources until then.
func (w *World) deletePod(pi int32, reason, msg string) {
	p := &w.pods[pi]
	if p.gone || p.deleting {
		return
	}
	if (p.node < 0 && !p.onKubelet()) || p.terminal {
		w.gone(pi, reason, msg)
		return
	}
	p.deleting, p.ready = true, false
	p.reason, p.message = reason, msg
	w.eng.Cancel(p.timer)
	w.podEvent(pi, EventPodKilling, strings.TrimSpace(reason+" "+msg))
	p.timer = w.eng.At(w.now()+des.At(max(p.tmpl.TerminationGracePeriod, 0)), w.k.podGone, pi)
	w.recount(pi)
	w.podChanged(pi)
}

func (w *World) onPodGone(_ des.Time, pi int32) {
	p := &w.pods[pi]
	if p.gone {
		return
	}
	w.gone(pi, p.reason, p.message)
}

// gone removes a pod from the cluster for good.
func (w *World) gone(pi int32, reason, msg string) {
	p := &w.pods[pi]
	w.eng.Cancel(p.timer)
	if p.unsched {
		p.unsched = false
		w.eng.Cancel(p.backoffTmr)
		w.unsched = removeIndex(w.unsched, pi)
	}
	w.unbindFromNode(pi)
	wasTerminal := p.terminal
	if !p.terminal {
		p.phase, p.terminal, p.ended = PhaseFailed, true, w.now()
		w.rec.deleted(p)
	}
	p.gone, p.ready, p.reason, p.message = true, false, reason, msg
	if !wasTerminal {
		w.podEvent(pi, EventPodDeleted, strings.TrimSpace(reason+" "+msg))
	}
	w.recount(pi)
	w.podChanged(pi)
}

// podLost ends a pod whose node is gone: Failed at once.
func (w *World) podLost(pi int32, reason, msg string) {
	p := &w.pods[pi]
	if p.gone {
		return
	}
	w.eng.Cancel(p.timer)
	w.unbindFromNode(pi)
	if !p.terminal {
		p.phase, p.terminal, p.ended = PhaseFailed, true, w.now()
		w.rec.ended(p)
		w.podEvent(pi, EventPodPhase, reason+": "+msg)
	}
	p.gone, p.ready, p.reason, p.message = true, false, reason, msg
	w.recount(pi)
	w.podChanged(pi)
}

// podChanged tells the pod's controller.
func (w *World) podChanged(pi int32) {
	p := &w.pods[pi]
	switch p.kind {
	case ownDeployment:
		w.markDeployment(int(p.owner))
	case ownJob:
		w.markJob(int(p.owner))
	case ownDaemonSet:
		if p.gone {
			w.daemonSetPodGone(pi)
		}
	}
}

// withLabel returns labels plus one more, as a new map.
func withLabel(labels map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(labels)+1)
	maps.Copy(out, labels)
	out[k] = v
	return out
}

// podQueue is the active queue: a binary heap of pod indexes ordered as
// PrioritySort orders it (priority descending, then queue time, then the
// order of queueing).
type podQueue struct{ h []int32 }

func (q *podQueue) Len() int { return len(q.h) }

func (q *podQueue) less(w *World, a, b int32) bool {
	pa, pb := &w.pods[a], &w.pods[b]
	if pa.priority != pb.priority {
		return pa.priority > pb.priority
	}
	if pa.qTime != pb.qTime {
		return pa.qTime < pb.qTime
	}
	return pa.qSeq < pb.qSeq
}

func (q *podQueue) push(w *World, pi int32) {
	q.h = append(q.h, pi)
	for i := len(q.h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !q.less(w, q.h[i], q.h[parent]) {
			break
		}
		q.h[i], q.h[parent] = q.h[parent], q.h[i]
		i = parent
	}
}

func (q *podQueue) pop(w *World) int32 {
	top := q.h[0]
	last := len(q.h) - 1
	q.h[0] = q.h[last]
	q.h = q.h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(q.h) && q.less(w, q.h[l], q.h[m]) {
			m = l
		}
		if r < len(q.h) && q.less(w, q.h[r], q.h[m]) {
			m = r
		}
		if m == i {
			break
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
	return top
}

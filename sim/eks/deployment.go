package eks

import (
	"cmp"
	"hash/fnv"
	"slices"
	"strconv"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/workload"
)

// LabelPodTemplateHash is the label the deployment controller adds to a
// ReplicaSet's selector and its pods.
const LabelPodTemplateHash = "pod-template-hash"

// replicaSet is one revision of a Deployment.
type replicaSet struct {
	hash     string
	tmpl     PodTemplate
	labels   map[string]string
	spread   *kube.LabelSelector // the ReplicaSet's selector, for default spreading
	compiled *kube.PodInfo       // its first pod compiled, the others stamped from it (World.compilePod)
	replicas int                 // spec.replicas
	pods     []int32             // its pods, gone ones pruned now and then
	created  des.Time
	// Tallies kept by tallyReplicaSet as its pods change: not gone, active
	// (FilterActivePods) and available (AvailableReplicas).
	liveN, activeN, availN int
}

// deployment is a Deployment's controller state.
type deployment struct {
	replicas    int
	sets        []replicaSet
	current     int // the set of the current revision
	marked      bool
	completeRev int // the revision last reported complete, -1 for none
	// svc is the service model of a Deployment whose load gives
	// CPUSecondsPerRequest (service.go), load its Load drawn from the run's
	// streams when it has random parts; nil otherwise.
	svc  *serviceState
	load workload.Pattern
}

func newDeployment(w *World, i int) deployment {
	d := deployment{replicas: w.cfg.Deployments[i].Replicas, completeRev: -1}
	d.sets = append(d.sets, w.newReplicaSet(i, w.cfg.Deployments[i].Template, 1))
	svc, err := newServiceState(&w.cfg.Deployments[i], w.env.SampleEvery)
	if err != nil {
		w.eng.Fail(err) // refused before a run (scenarios)
	}
	d.svc, d.load = svc, seededLoad(w.eng, &w.cfg.Deployments[i])
	return d
}

// newReplicaSet makes revision rev's set from template t.
func (w *World) newReplicaSet(di int, t PodTemplate, rev int) replicaSet {
	dc := &w.cfg.Deployments[di]
	h := fnv.New64a()
	h.Write([]byte(dc.Namespace + "/" + dc.Name + "#" + strconv.Itoa(rev)))
	hash := suffix(h.Sum64(), 10)
	labels := withLabel(t.Pod.Labels, LabelPodTemplateHash, hash)
	return replicaSet{hash: hash, tmpl: t, labels: labels, spread: &kube.LabelSelector{MatchLabels: labels}, created: w.now()}
}

// markDeployment asks the deployment controller to sync d, once per
// instant.
func (w *World) markDeployment(d int) {
	dp := &w.deploys[d]
	if dp.marked {
		return
	}
	dp.marked = true
	w.eng.At(w.now(), w.k.syncDeploy, int32(d))
}

// ResolveFenceposts is deployment_util.go ResolveFenceposts: maxSurge as a
// percentage of desired rounds up, maxUnavailable rounds down, and when
// both come to 0 one pod may be unavailable. 25% of 10: 3 and 2; of 1: 1
// and 0.
func ResolveFenceposts(maxSurge, maxUnavailable IntOrPercent, desired int) (surge, unavailable int) {
	surge = scaled(maxSurge, desired, true)
	unavailable = scaled(maxUnavailable, desired, false)
	if surge == 0 && unavailable == 0 {
		unavailable = 1
	}
	return surge, unavailable
}

// scaled is intstr.GetScaledValueFromIntOrPercent.
func scaled(v IntOrPercent, total int, roundUp bool) int {
	if !v.Percent {
		return v.Value
	}
	if roundUp {
		return (v.Value*total + 99) / 100
	}
	return v.Value * total / 100
}

// available is the set's AvailableReplicas: its active pods Ready for
// MinReady (kept by tallyReplicaSet; onPodAvailable marks a pod available
// MinReady after it became Ready).
func (w *World) available(rs *replicaSet, _ des.Time) int { return rs.availN }

func (w *World) activeCount(rs *replicaSet) int { return rs.activeN }

// tallyReplicaSet moves a Deployment pod's contribution to its set's
// tallies to what the pod is now.
func (w *World) tallyReplicaSet(p *pod) {
	if p.kind != ownDeployment {
		return
	}
	rs := &w.deploys[p.owner].sets[p.rs]
	live, active := !p.gone, p.active()
	avail := active && p.ready && p.available
	rs.liveN += boolRank(live) - boolRank(p.talLive)
	rs.activeN += boolRank(active) - boolRank(p.talActive)
	rs.availN += boolRank(avail) - boolRank(p.talAvail)
	p.talLive, p.talActive, p.talAvail = live, active, avail
}

// onPodAvailable: a Deployment pod has been Ready for minReadySeconds.
func (w *World) onPodAvailable(_ des.Time, pi int32) {
	p := &w.pods[pi]
	if !p.active() || !p.ready || p.available {
		return
	}
	p.available = true
	w.recount(pi)
	w.markDeployment(int(p.owner))
}

// syncDeployment is the deployment controller's sync: the rollout step of
// the strategy, then every ReplicaSet brought to its replicas; another sync
// follows in the same instant if the step changed anything.
func (w *World) syncDeployment(d int) {
	dp := &w.deploys[d]
	dp.marked = false
	for r := range dp.sets {
		if rs := &dp.sets[r]; len(rs.pods) > 2*rs.liveN+16 { // prune gone pods now and then: O(1) a sync on average
			rs.pods = slices.DeleteFunc(rs.pods, func(pi int32) bool { return w.pods[pi].gone })
		}
	}
	var changed bool
	if w.cfg.Deployments[d].Recreate {
		changed = w.recreateStep(d)
	} else {
		changed = w.rollingStep(d)
	}
	for r := range dp.sets {
		w.reconcileReplicaSet(d, r)
	}
	if changed {
		w.markDeployment(d)
	}
	w.checkRollout(d)
}

// rollingStep is rolloutRolling: scale the new set up within maxSurge
// (reconcileNewReplicaSet); if it did not, scale old sets down within
// maxUnavailable (reconcileOldReplicaSets): first their unhealthy replicas,
// then as many as keep desired − maxUnavailable available, oldest set
// first.
func (w *World) rollingStep(d int) bool {
	dc := &w.cfg.Deployments[d]
	dp := &w.deploys[d]
	cur := &dp.sets[dp.current]
	surge, unavail := ResolveFenceposts(dc.MaxSurge, dc.MaxUnavailable, dp.replicas)
	total := 0
	for r := range dp.sets {
		total += dp.sets[r].replicas
	}
	switch {
	case cur.replicas > dp.replicas:
		cur.replicas = dp.replicas
		return true
	case cur.replicas < dp.replicas:
		if maxTotal := dp.replicas + surge; total < maxTotal {
			cur.replicas += min(maxTotal-total, dp.replicas-cur.replicas)
			return true
		}
	}
	minReady := des.At(dc.MinReady)
	minAvailable := dp.replicas - unavail
	newUnavailable := cur.replicas - w.available(cur, minReady)
	maxScaledDown := total - minAvailable - newUnavailable
	if maxScaledDown <= 0 {
		return false
	}
	old := w.oldSets(d)
	cleaned := 0
	for _, r := range old {
		rs := &dp.sets[r]
		unhealthy := rs.replicas - w.available(rs, minReady)
		if cleaned >= maxScaledDown || unhealthy <= 0 {
			continue
		}
		n := min(unhealthy, maxScaledDown-cleaned)
		rs.replicas -= n
		cleaned += n
	}
	avail := 0
	for r := range dp.sets {
		avail += w.available(&dp.sets[r], minReady)
	}
	down := avail - minAvailable
	scaledDown := cleaned
	for _, r := range old {
		rs := &dp.sets[r]
		if down <= 0 {
			break
		}
		n := min(rs.replicas, down)
		rs.replicas -= n
		down -= n
		scaledDown += n
	}
	return scaledDown > 0
}

// oldSets lists the sets other than the current one with replicas, oldest
// first.
func (w *World) oldSets(d int) []int {
	dp := &w.deploys[d]
	var out []int
	for r := range dp.sets {
		if r != dp.current && dp.sets[r].replicas > 0 {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int { return cmp.Compare(dp.sets[a].created, dp.sets[b].created) })
	return out
}

// recreateStep is rolloutRecreate: every old set to 0, and the new set to
// desired once no old pod is left (terminating ones included).
func (w *World) recreateStep(d int) bool {
	dp := &w.deploys[d]
	changed, oldPods := false, false
	for r := range dp.sets {
		if r == dp.current {
			continue
		}
		if dp.sets[r].replicas > 0 {
			dp.sets[r].replicas, changed = 0, true
		}
		if dp.sets[r].liveN > 0 {
			oldPods = true
		}
	}
	if cur := &dp.sets[dp.current]; !oldPods && cur.replicas != dp.replicas {
		cur.replicas, changed = dp.replicas, true
	}
	return changed
}

// reconcileReplicaSet is the ReplicaSet controller: create pods up to
// replicas, or delete the surplus, least valuable first (controller
// getPodsToDelete, ActivePodsWithRanks: unscheduled before scheduled, not
// Ready before Ready, on a node with more of the set's pods before fewer,
// Ready for less time before longer, then the newer pod; fleetsim has no
// pod-deletion-cost and no restarts).
func (w *World) reconcileReplicaSet(d, r int) {
	dc := &w.cfg.Deployments[d]
	rs := &w.deploys[d].sets[r]
	have := w.activeCount(rs)
	for ; have < rs.replicas; have++ {
		name := w.podName(dc.Name + "-" + rs.hash)
		pi := w.newPod(&rs.tmpl, name, dc.Namespace, rs.labels, ownDeployment, int32(d), int32(r), d, rs.spread, nil)
		rs = &w.deploys[d].sets[r]
		rs.pods = append(rs.pods, pi)
	}
	if have <= rs.replicas {
		return
	}
	var act []int32
	for _, pi := range rs.pods {
		if w.pods[pi].active() {
			act = append(act, pi)
		}
	}
	// Rank: how many of the set's active pods share the pod's node; the
	// doubled-up go first (getPodsToDelete's ActivePodsWithRanks).
	onNode := map[int32]int{}
	for _, pi := range act {
		if n := w.pods[pi].node; n >= 0 {
			onNode[n]++
		}
	}
	rank := func(p *pod) int {
		if p.node < 0 {
			return 0
		}
		return onNode[p.node]
	}
	slices.SortStableFunc(act, func(a, b int32) int {
		pa, pb := &w.pods[a], &w.pods[b]
		if c := cmp.Compare(boolRank(pa.node >= 0), boolRank(pb.node >= 0)); c != 0 {
			return c
		}
		if c := cmp.Compare(boolRank(pa.ready), boolRank(pb.ready)); c != 0 {
			return c
		}
		if c := cmp.Compare(rank(pb), rank(pa)); c != 0 {
			return c
		}
		if pa.ready && pa.started != pb.started {
			return cmp.Compare(pb.started, pa.started)
		}
		return cmp.Compare(b, a)
	})
	for _, pi := range act[:have-rs.replicas] {
		w.deletePod(pi, "ScalingReplicaSet", "scaled down "+dc.Name+"-"+rs.hash)
	}
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkRollout reports a rollout complete once: the current set at
// desired, all of them available, no old pod left.
func (w *World) checkRollout(d int) {
	dc := &w.cfg.Deployments[d]
	dp := &w.deploys[d]
	if dp.completeRev == dp.current {
		return
	}
	cur := &dp.sets[dp.current]
	if cur.replicas != dp.replicas || w.available(cur, des.At(dc.MinReady)) < dp.replicas {
		return
	}
	for r := range dp.sets {
		if r != dp.current && dp.sets[r].liveN > 0 {
			return
		}
	}
	dp.completeRev = dp.current
	w.workloadEvent(EventDeploymentComplete, "deployment", dc.Name, "ReplicaSet "+dc.Name+"-"+cur.hash+" has successfully progressed")
}

// ScaleDeployment sets a Deployment's replicas (kubectl scale).
func (w *World) ScaleDeployment(d, replicas int) {
	dp := &w.deploys[d]
	dp.replicas = max(replicas, 0)
	w.workloadEvent(EventScaled, "deployment", w.cfg.Deployments[d].Name, "replicas "+strconv.Itoa(dp.replicas))
	w.markDeployment(d)
}

// SetImage gives a Deployment's first container a new image (kubectl set
// image): a new revision, whose ReplicaSet rolls out by the strategy; an
// image an older revision ran brings that ReplicaSet back, as a rollback
// does.
func (w *World) SetImage(d int, image string) {
	dc := &w.cfg.Deployments[d]
	dp := &w.deploys[d]
	for r := range dp.sets {
		if firstImage(&dp.sets[r].tmpl) == image {
			if r != dp.current {
				dp.current = r
				dp.sets[r].created = w.now() // the newest again
				w.workloadEvent(EventNewRevision, "deployment", dc.Name, "rolled back to "+image)
				w.markDeployment(d)
			}
			return
		}
	}
	t := dp.sets[dp.current].tmpl
	t.Pod.Containers = slices.Clone(t.Pod.Containers)
	t.Images = slices.Clone(t.Images)
	if len(t.Pod.Containers) > 0 {
		t.Pod.Containers[0].Image = image
	}
	if len(t.Images) > 0 {
		t.Images[0].Name = image
	} else {
		t.Images = []Image{{Name: image}}
	}
	dp.sets = append(dp.sets, w.newReplicaSet(d, t, len(dp.sets)+1))
	dp.current = len(dp.sets) - 1
	w.workloadEvent(EventNewRevision, "deployment", dc.Name, "revision "+strconv.Itoa(len(dp.sets))+": "+image)
	w.markDeployment(d)
}

func firstImage(t *PodTemplate) string {
	if len(t.Pod.Containers) > 0 {
		return t.Pod.Containers[0].Image
	}
	if len(t.Images) > 0 {
		return t.Images[0].Name
	}
	return ""
}

// deploymentCounts reports a Deployment's pods not terminating, and of them
// the available ones, over every revision.
func (w *World) deploymentCounts(d int) (pods, available int) {
	dp := &w.deploys[d]
	minReady := des.At(w.cfg.Deployments[d].MinReady)
	for r := range dp.sets {
		pods += w.activeCount(&dp.sets[r])
		available += w.available(&dp.sets[r], minReady)
	}
	return pods, available
}

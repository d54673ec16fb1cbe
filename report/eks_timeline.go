package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/eks"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// eksHappenings are an EKS run's rows of the "what happened" timeline:
// its rollouts (the first ones in one row), Job runs (a failed one ranks
// as a fault), and bursts of FailedScheduling, sandbox failures, drains,
// evictions a budget held, preemptions, nodes joining and leaving and
// replica changes. It deletes the event types it tells from skipped, which
// then counts only what is left to events.csv.
func eksHappenings(res *sim.Result, gap des.Time, skipped map[string]int) []happening {
	var out []happening
	first, last := 0, des.Time(0)
	for _, r := range Rollouts(res) {
		if r.Initial {
			first, last = first+1, max(last, r.End)
			continue
		}
		h := happening{key: "rollout\x00" + r.Deployment, first: r.Start, last: r.End, count: 1, rank: rankTrouble, weight: 1,
			what: "Rollout", where: "deployment/" + r.Deployment, detail: r.Change + ": " + r.Outcome}
		if r.Outcome != OutcomeInProgress {
			h.detail += " after " + span(r.Took())
		}
		if r.MaxSurge >= 0 && r.SurgeLimit >= 0 {
			h.detail += fmt.Sprintf("; surge reached %d of %d", r.MaxSurge, r.SurgeLimit)
		}
		out = append(out, h)
	}
	if first > 0 {
		out = append(out, happening{key: "eks-initial", first: 0, last: last, count: first, rank: rankTrouble, weight: 0.5,
			what: "Deployments started", where: plural(first, "Deployment"), detail: "first ReplicaSets available by " + clock(res, last)})
	}
	for _, j := range JobRuns(res) {
		h := happening{key: "jobrun\x00" + j.Job, first: j.Start, last: j.End, count: 1, rank: rankTrouble, weight: 1,
			what: "Job run", where: "job/" + j.Name, detail: j.Outcome}
		if j.Outcome != OutcomeInProgress {
			h.detail += " after " + span(j.End-j.Start)
		}
		if j.Reason != "" {
			h.detail += " (" + j.Reason + ")"
		}
		if j.Outcome == "failed" {
			h.rank, h.what = rankFault, "Job failed"
		}
		out = append(out, h)
	}
	out = append(out, eksBursts(res, gap)...)
	for _, t := range []schema.EventType{eks.EventNewRevision, eks.EventDeploymentComplete, eks.EventJobCreated, eks.EventJobComplete,
		eks.EventJobFailed, eks.EventFailedScheduling, eks.EventFailedCreatePodSandBox, eks.EventNodeDraining, eks.EventNodeDrained,
		eks.EventNodeDrainTimeout, eks.EventEvictionBlocked, eks.EventPreempting, eks.EventNodeReady, eks.EventNodeRemoved, eks.EventScaled} {
		delete(skipped, t)
	}
	return out
}

// eksBurst is one key's events less than the gap apart.
type eksBurst struct {
	happening
	reasons map[string]int
	noun    string // what the detail counts
}

// eksBursts groups the EKS events that come in numbers: per workload
// (FailedScheduling, sandbox failures, evictions held, preemptions) or node
// group (drains, nodes joining or leaving) or Deployment (replicas set).
func eksBursts(res *sim.Result, gap des.Time) []happening {
	var bs []*eksBurst
	open := map[string]*eksBurst{}
	add := func(key string, e *schema.Event, rank int, what, where, noun string) *eksBurst {
		if b, ok := open[key]; ok && e.At-b.last < gap {
			b.last = e.At
			b.count++
			return b
		}
		b := &eksBurst{happening: happening{key: key, first: e.At, last: e.At, count: 1, rank: rank, what: what, where: where},
			reasons: map[string]int{}, noun: noun}
		open[key] = b
		bs = append(bs, b)
		return b
	}
	for i := range res.Events {
		e := &res.Events[i]
		workload := strings.Replace(e.Group, ":", "/", 1)
		switch e.Type {
		case eks.EventFailedScheduling:
			b := add("failedsched\x00"+e.Group, e, rankTrouble, "FailedScheduling", workload, "pods the scheduler could not place, by message")
			b.reasons[e.Reason]++
		case eks.EventFailedCreatePodSandBox:
			b := add("sandbox\x00"+e.Group, e, rankTrouble, "FailedCreatePodSandBox", workload, "pods with no VPC CNI address on their node")
			b.reasons[e.Instance]++
		case eks.EventEvictionBlocked:
			b := add("evictblocked\x00"+e.Group, e, rankTrouble, "Evictions held by a budget", workload, "pods a PodDisruptionBudget held")
			b.reasons[e.Reason]++
		case eks.EventPreempting:
			b := add("preempt\x00"+e.Group, e, rankTrouble, "Preemption", workload, "pods that preempted lower-priority pods")
			b.reasons[e.Reason]++
		case eks.EventNodeDraining:
			b := add("drain\x00"+e.Group, e, rankTrouble, "Nodes draining", e.Group, "nodes cordoned and drained")
			b.reasons[e.Reason]++
		case eks.EventNodeDrainTimeout:
			b := add("draintimeout\x00"+e.Group, e, rankFault, "Drain timed out", e.Group, "nodes whose remaining pods were deleted without eviction")
			b.reasons[e.Subject]++
		case eks.EventNodeReady:
			b := add("nodeready\x00"+e.Group, e, rankScaling, "Nodes joined", e.Group, "nodes registered")
			b.reasons[strings.TrimPrefix(e.Reason, "kubelet registered; ")]++
		case eks.EventNodeRemoved:
			b := add("noderemoved\x00"+e.Group, e, rankScaling, "Nodes removed", e.Group, "nodes gone with their instances")
			b.reasons[e.Reason]++
		case eks.EventScaled:
			b := add("scaled\x00"+e.Subject, e, rankScaling, "Replicas set", "deployment/"+e.Subject, "")
			b.reasons[e.Reason]++
		}
	}
	out := make([]happening, len(bs))
	for i, b := range bs {
		h := b.happening
		h.weight = float64(h.count)
		switch {
		case b.noun == "":
			h.detail = topCounts(b.reasons, 2)
		case len(b.reasons) == 1 && b.reasons[""] > 0:
			h.detail = b.noun
		default:
			h.detail = b.noun + ": " + topCounts(b.reasons, 3)
		}
		out[i] = h
	}
	return out
}

// eksTimelineNote says how an EKS run's timeline rows were chosen and
// what it leaves to events.csv.
func eksTimelineNote(rows, left int, skipped map[string]int, gap des.Time) string {
	var b strings.Builder
	if left > 0 {
		fmt.Fprintf(&b, "%s of %d: faults and failed Jobs first; then rollouts, Job runs, FailedScheduling, drains, evictions held and preemptions; then nodes joining and leaving and replica changes; spread over the run.",
			plural(rows, "row"), rows+left)
	} else {
		fmt.Fprintf(&b, "The run's faults, rollouts, Job runs, FailedScheduling, drains, nodes joining and leaving and replica changes: %s.", plural(rows, "row"))
	}
	fmt.Fprintf(&b, " Events of one kind and workload (or node group) less than %s apart share a row, with their count and time range.", span(gap))
	if len(skipped) > 0 {
		types := slices.SortedFunc(maps.Keys(skipped), func(a, c string) int { return cmp.Or(cmp.Compare(skipped[c], skipped[a]), cmp.Compare(a, c)) })
		var parts []string
		for _, t := range types {
			parts = append(parts, count(skipped[t])+" "+t)
		}
		fmt.Fprintf(&b, " Left to events.csv: %s events; pods and nodes show in the figures.", strings.Join(parts, ", "))
	}
	return b.String()
}

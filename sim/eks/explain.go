package eks

import (
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/placement/kube"
)

// PodExplanation is one explained pod (Config.Explain): its last
// scheduling cycle laid out node by node (kube.Explanation), when it ran
// and which of the pod's cycles it was. A pod that waited keeps the first
// cycle's error beside the one that bound it.
type PodExplanation struct {
	Pod      string `json:"pod"`      // namespace/name
	Workload string `json:"workload"` // "deployment:web", as events.csv's group
	// Selector is the index into Config.Explain that chose the pod.
	Selector int `json:"selector"`
	// Time is the cycle's simulated instant (RFC 3339, UTC), OffsetS the
	// same in seconds since the start.
	Time    string  `json:"time"`
	OffsetS float64 `json:"offset_s"`
	// Attempt is the cycle's number for the pod, from 1; FirstError the
	// FitError of its first cycle when that is not the one shown.
	Attempt    int    `json:"attempt"`
	FirstError string `json:"first_error,omitempty"`
	// Node is where the cycle bound the pod, "" when it did not.
	Node  string           `json:"node,omitempty"`
	Cycle kube.Explanation `json:"cycle"`
}

// podExplainer keeps the explained pods: how many each selector has chosen
// and, by pod, its entry in out (in the order the pods first came up).
type podExplainer struct {
	chosen []int
	entry  map[int32]int
	out    []PodExplanation
}

// schedule is Framework.Schedule for pi's cycle, explained when an explain
// selector chooses the pod: Framework.Explain makes the same decision with
// the same draws, so explaining changes nothing else the run writes.
func (w *World) schedule(pi int32, p *pod) (kube.Result, error) {
	if len(w.cfg.Explain) == 0 {
		return w.fw.Schedule(p.info, w.tie)
	}
	e := w.explainEntry(pi)
	if e < 0 {
		return w.fw.Schedule(p.info, w.tie)
	}
	res, ex, err := w.fw.Explain(p.info, w.tie)
	pe := &w.explain.out[e]
	if pe.Attempt == 1 && pe.Cycle.Error != "" && pe.FirstError == "" {
		pe.FirstError = pe.Cycle.Error
	}
	now := w.now()
	pe.Time, pe.OffsetS = w.calendar(now).UTC().Format(time.RFC3339Nano), now.Duration().Seconds()
	pe.Attempt, pe.Node, pe.Cycle = p.attempts+1, ex.Chosen, ex
	return res, err
}

// explainEntry is pi's entry among the explained pods, made when a
// selector with room left chooses it on its first cycle; -1 when the pod
// is not explained.
func (w *World) explainEntry(pi int32) int {
	x := w.explain
	if x == nil {
		x = &podExplainer{chosen: make([]int, len(w.cfg.Explain)), entry: map[int32]int{}}
		w.explain = x
	}
	if e, ok := x.entry[pi]; ok {
		return e
	}
	p := &w.pods[pi]
	if p.attempts > 0 {
		return -1 // came up before a selector had room: its first cycle was not explained
	}
	for i, sel := range w.cfg.Explain {
		if x.chosen[i] >= max(sel.Limit, 1) || !explainSelects(sel, p) {
			continue
		}
		x.chosen[i]++
		x.entry[pi] = len(x.out)
		x.out = append(x.out, PodExplanation{Pod: p.ns + "/" + p.name, Workload: w.workloadGroup(p), Selector: i})
		return x.entry[pi]
	}
	return -1
}

// explainSelects reports whether sel chooses p: its name starts with the prefix
// and it carries every label given.
func explainSelects(sel ExplainSelector, p *pod) bool {
	if !strings.HasPrefix(p.name, sel.NamePrefix) {
		return false
	}
	for k, want := range sel.Labels { // a conjunction: the order is immaterial
		if v, ok := p.labels[k]; !ok || v != want {
			return false
		}
	}
	return true
}

// Explanations are the explained pods' cycles, in the order the pods first
// came up; nil when Config.Explain chose none.
func (w *World) Explanations() []PodExplanation {
	if w.explain == nil {
		return nil
	}
	return w.explain.out
}

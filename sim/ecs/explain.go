package ecs

import (
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/placement"
)

// ExplainSelector chooses the services or batch jobs whose task
// placements are written out instance by instance (explain.json): by name,
// or by name prefix; the first Limit placements, and the first Limit that
// found no instance.
type ExplainSelector struct {
	Service    string // a service's name
	Job        string // a batch job's name
	NamePrefix string // every service and batch job whose name starts with it (when Service and Job are "")
	Limit      int
}

// TaskExplanation is one explained placement: the task, when, on which
// capacity provider, the instance it went to and how the pool saw every
// instance (placement.TaskExplanation). A placement that found nothing has
// no task ID yet: ECS names the task once placed.
type TaskExplanation struct {
	Task     string `json:"task,omitempty"` // 32 hex digits, as events.csv
	Group    string `json:"group"`          // "service:web"
	Selector int    `json:"selector"`       // index into the selectors that chose it
	// Time is the simulated instant (RFC 3339, UTC), OffsetS the same in
	// seconds since the start.
	Time             string                    `json:"time"`
	OffsetS          float64                   `json:"offset_s"`
	CapacityProvider string                    `json:"capacity_provider"`
	Instance         string                    `json:"instance,omitempty"` // "" when nothing fitted
	Placement        placement.TaskExplanation `json:"placement"`
}

// taskExplainer holds the selectors, how many placements and failures each
// has explained, and the explanations in the order they happened.
type taskExplainer struct {
	sel            []ExplainSelector
	placed, failed []int
	out            []TaskExplanation
}

// Explain asks the world to explain the placements of the services sel
// chooses. Call it before Start; with no selector it does nothing, and
// placing costs what it did.
func (w *World) Explain(sel []ExplainSelector) {
	if len(sel) == 0 {
		return
	}
	w.pool.explain = &taskExplainer{sel: sel, placed: make([]int, len(sel)), failed: make([]int, len(sel))}
}

// Explanations are the explained placements, in the order they happened;
// nil without a selector.
func (w *World) Explanations() []TaskExplanation {
	if w.pool.explain == nil {
		return nil
	}
	return w.pool.explain.out
}

// selectorFor is the index of the first selector with room left (counted
// in counts) that chooses the task group's service or batch job, or -1.
func (w *World) selectorFor(group string, counts []int) int {
	for i, s := range w.pool.explain.sel {
		if counts[i] < max(s.Limit, 1) && w.chooses(s, group) {
			return i
		}
	}
	return -1
}

// chooses reports whether s chooses the tasks of group: "service:NAME", or
// "family:FAMILY" for the batch jobs of that task definition family.
func (w *World) chooses(s ExplainSelector, group string) bool {
	if name, ok := strings.CutPrefix(group, "service:"); ok {
		return s.Service == name || s.Service == "" && s.Job == "" && strings.HasPrefix(name, s.NamePrefix)
	}
	family, _ := strings.CutPrefix(group, "family:")
	for _, j := range w.cfg.BatchJobs {
		if w.cfg.TaskDefinitions[j.TaskDefinition].Family != family {
			continue
		}
		if s.Job == j.Name || s.Service == "" && s.Job == "" && strings.HasPrefix(j.Name, s.NamePrefix) {
			return true
		}
	}
	return false
}

// explainPlaced explains task t's placement on container instance i, from
// the pool its provider placed it through, before the pool records it.
func (w *World) explainPlaced(i, t int32) {
	x := w.pool.explain
	tk := &w.tasks[t]
	sp := &w.specs[tk.spec]
	sel := w.selectorFor(sp.group, x.placed)
	if sel < 0 {
		return
	}
	x.placed[sel]++
	id := w.poolNumber(int(tk.provider))
	in := &w.instances[i]
	h := placement.NoHandle
	ids, n := w.poolsOf(in)
	for k := range ids[:n] {
		if ids[k] == id {
			h = in.handles[k]
		}
	}
	w.explainRecord(sel, int(tk.provider), tk.spec, id, h, tk.idString())
}

// explainUnplaced explains a placement through pool id that found no
// instance for a task of spec.
func (w *World) explainUnplaced(prov, id int, spec int32) {
	x := w.pool.explain
	sel := w.selectorFor(w.specs[spec].group, x.failed)
	if sel < 0 {
		return
	}
	x.failed[sel]++
	w.explainRecord(sel, prov, spec, id, placement.NoHandle, "")
}

// explainRecord adds one explanation.
func (w *World) explainRecord(sel, prov int, spec int32, id int, h placement.Handle, task string) {
	sp := &w.specs[spec]
	ps := w.poolSpec(spec, id)
	ex := w.poolAt(id).ExplainTask(ps, sp.task, h)
	now := w.eng.Now()
	w.pool.explain.out = append(w.pool.explain.out, TaskExplanation{Task: task, Group: sp.group, Selector: sel,
		Time: w.calendar(now).UTC().Format(time.RFC3339Nano), OffsetS: now.Duration().Seconds(),
		CapacityProvider: w.providers[prov].name, Instance: ex.Chosen, Placement: ex})
}

// poolNumber is the pool a provider places through (pools, placer.go).
func (w *World) poolNumber(prov int) int {
	if g := w.providers[prov].group; g >= 0 {
		return g
	}
	return len(w.pool.byGroup)
}

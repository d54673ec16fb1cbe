package eks

import (
	"errors"
	"fmt"
)

// ErrInvariant marks a breach of the EKS world's own books: a bug in
// fleetsim, never a property of the scenario.
var ErrInvariant = errors.New("eks: invariant broken")

func errInvariant(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvariant, fmt.Sprintf(format, args...))
}

// PickNodes draws up to count of node group ng's nodes present and not
// draining (every group's with ng < 0), from the stream "eks/timeline/why",
// for a timeline operation (one stream per why for the run, so repeated
// operations draw anew); it returns their fleet indexes.
func (w *World) PickNodes(ng, count int, why string) []int32 {
	var cands []int32
	for _, i := range w.sortedNodes() {
		if n := &w.nodes[i]; !n.draining && (ng < 0 || n.group == ng) {
			cands = append(cands, i)
		}
	}
	r := w.timelineRand[why]
	if r == nil {
		r = w.eng.Stream("eks/timeline/" + why)
		w.timelineRand[why] = r
	}
	r.Shuffle(len(cands), func(a, b int) { cands[a], cands[b] = cands[b], cands[a] })
	return cands[:min(max(count, 0), len(cands))]
}

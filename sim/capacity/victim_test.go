package capacity

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

// reactingOrchestrator protects another instance each time one is
// terminated (a drained instance's tasks landing elsewhere, as ECS's
// managed termination protection would): the victim list of a scale-in
// goes stale as it runs.
type reactingOrchestrator struct {
	fakeOrchestrator
	n int32
}

func (o *reactingOrchestrator) InstanceTerminating(i int32, cause string) bool {
	o.protected[(i*7+3)%o.n] = true
	return o.fakeOrchestrator.InstanceTerminating(i, cause)
}

// A scale-in checks the instances it would choose among rather than its
// whole list before each victim; it must terminate what a scale-in that
// drops every no longer valid instance before each victim terminates, in
// the same order, drawing the same ties. Groups of up to 60 instances,
// launched over two hours (billing hours apart and equal), a third to a
// half Spot, some protected from the start and more as victims go.
func TestAScaleInChoosesWhatAFullRecheckWould(t *testing.T) {
	for trial := range 40 {
		run := func(reference bool) []string {
			f, _, eng, _ := fleet(t, 0, func(g *GroupConfig) {
				g.MaxSize = 100
				g.OnDemandPercentageAboveBase = []int{100, 50, 70}[trial%3]
			})
			o := &reactingOrchestrator{fakeOrchestrator: fakeOrchestrator{protected: map[int32]bool{}}, n: 1}
			f.Attach(o)
			f.Start()
			size := 10 + trial
			for step := 0; step < 4; step++ { // launches at four times, minutes apart
				f.SetDesired(0, size*(step+1)/4, "up")
				_, err := eng.Run(eng.Now() + des.At(time.Duration(13+trial%5*11)*time.Minute))
				require.NoError(t, err)
			}
			o.n = int32(len(f.instances))
			for i := range o.n {
				if (int(i)*5+trial)%4 == 0 {
					o.protected[i] = true
				}
			}
			o.calls = nil
			g := &f.groups[0]
			down := size / 3
			if !reference {
				f.SetDesired(0, down, "down")
				return o.calls
			}
			g.desired = down
			var list []int32
			for _, i := range g.instances {
				if f.victimOK(i) {
					list = append(list, i)
				}
			}
			for g.live > g.desired {
				list = slices.DeleteFunc(list, func(i int32) bool { return !f.victimOK(i) })
				if len(list) == 0 {
					break
				}
				best := g.victimTies(f, list)
				f.terminate(best[g.pick.IntN(len(best))], "scale-in")
			}
			return o.calls
		}
		want, got := run(true), run(false)
		require.NotEmpty(t, want, "trial %d: something is scaled in", trial)
		require.Equal(t, want, got, "trial %d", trial)
	}
}

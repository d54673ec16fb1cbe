package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
)

// heavy names the scale scenarios: a run takes tens of seconds.
var heavy = map[string]bool{"large-week": true}

// Every library scenario runs clean of invariant breaches over seeds 1..50
// (1..5 with -short), and the same seed gives the same run.
func TestLibraryScenariosKeepTheirInvariantsAcrossSeeds(t *testing.T) {
	seeds := 50
	if testing.Short() {
		seeds = 5
	}
	for _, e := range Library() {
		if heavy[e.Name] {
			continue // measured by benchmarks/, not swept here
		}
		t.Run(e.Name, func(t *testing.T) {
			for seed := 1; seed <= seeds; seed++ {
				sc, err := Resolve(e.Name)
				require.NoError(t, err)
				sc.Config.Seed = uint64(seed)
				res, err := sim.New(sc.Config).Run()
				require.NoError(t, err, "seed %d", seed)
				if seed == 1 {
					again, err := Resolve(e.Name)
					require.NoError(t, err)
					again.Config.Seed = 1
					res2, err := sim.New(again.Config).Run()
					require.NoError(t, err)
					assert.Equal(t, res.Summary, res2.Summary, "same seed, same summary")
					assert.Equal(t, res.Events, res2.Events, "same seed, same events")
				}
			}
		})
	}
}

package golden_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/internal/golden"
	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// heavy names the scale scenarios, measured by benchmarks/ instead.
var heavy = map[string]bool{"large-week": true}

// TestLibraryScenariosMatchTheirGoldenFiles is the regression net: each light
// library scenario's summary.json and cost.json, byte for byte, as `fleetsim
// run` writes them. A change that moves a figure shows here as a diff;
// `go test ./internal/golden -update` accepts it, and the commit says which
// fix moved it and why.
func TestLibraryScenariosMatchTheirGoldenFiles(t *testing.T) {
	for _, e := range scenarios.Library() {
		if heavy[e.Name] {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			sc, err := scenarios.Resolve(e.Name)
			require.NoError(t, err)
			res, err := sim.New(sc.Config).Run()
			require.NoError(t, err)
			dir := t.TempDir()
			_, err = report.WriteRunOutputs(dir, res, sc.Source, []string{"json"})
			require.NoError(t, err)
			for _, f := range []string{"summary.json", "cost.json"} {
				got, err := os.ReadFile(filepath.Join(dir, f))
				require.NoError(t, err)
				golden.Check(t, filepath.Join("testdata", "library", e.Name+"."+f), got)
			}
		})
	}
}

// A run never writes to its Config: a sweep, a test or a library user that
// reuses one gets the same scenario the second time. (A run once set
// MaximumPercent 0 -> 200 and copied timeline updates into the service's
// configuration.)
func TestRunLeavesItsConfigAsItFoundIt(t *testing.T) {
	for _, e := range scenarios.Library() {
		if heavy[e.Name] {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			used, err := scenarios.Resolve(e.Name)
			require.NoError(t, err)
			fresh, err := scenarios.Resolve(e.Name)
			require.NoError(t, err)
			require.Equal(t, fresh.Config, used.Config, "two loads of one file agree")
			_, err = sim.New(used.Config).Run()
			require.NoError(t, err)
			assert.Equal(t, fresh.Config, used.Config)
		})
	}
}

// The shipped scenarios where the seams' bugs were measured: mixed-spot
// terminated 5 of its instances twice (32 terminated, 37 launched, 10 left),
// and week-100-instances at seed 39 ended with 301 healthy tasks of 300
// running.
func TestShippedScenariosWhereTheSeamBugsWereMeasured(t *testing.T) {
	t.Run("mixed-spot terminates each instance once", func(t *testing.T) {
		sc, err := scenarios.Resolve("mixed-spot")
		require.NoError(t, err)
		res, err := sim.New(sc.Config).Run()
		require.NoError(t, err)
		n := map[string]int{}
		for _, e := range res.Events {
			if e.Type == "InstanceTerminated" {
				n[e.Subject]++
			}
		}
		for id, k := range n {
			assert.Equal(t, 1, k, "instance %s", id)
		}
		in := res.Summary.Instances
		assert.Equal(t, in.Launched-in.Terminated, in.AtEnd)
		assert.Equal(t, len(n), in.Terminated)
	})
	t.Run("week-100-instances at seed 39 never counts more healthy than running", func(t *testing.T) {
		sc, err := scenarios.Resolve("week-100-instances")
		require.NoError(t, err)
		sc.Config.Seed = 39
		res, err := sim.New(sc.Config).Run()
		require.NoError(t, err)
		cols := map[string][]float64{}
		for _, c := range res.Series.Columns {
			cols[c.Name] = c.Values
		}
		for _, s := range sc.Config.Services {
			healthy, running := cols["service."+s.Name+".healthy"], cols["service."+s.Name+".running"]
			require.NotEmpty(t, healthy, s.Name)
			for m := range healthy {
				require.LessOrEqual(t, healthy[m], running[m], "%s minute %d", s.Name, m)
			}
		}
	})
}

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

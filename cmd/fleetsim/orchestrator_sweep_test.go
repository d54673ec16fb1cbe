package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A sweep varies the orchestrator of a [workload] scenario as any key: one
// command, each orchestrator over the same seeds, in results.csv.
func TestSweepVariesTheOrchestratorOfTheWorkloadPair(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sw")
	code, _, stderr := runCLI("sweep", "ecs-vs-eks", "--vary", "orchestrator=ecs,eks", "--seeds", "2", "-o", out, "-q")
	require.Equal(t, exitOK, code, stderr)
	f, err := os.Open(filepath.Join(out, "results.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 5, "a header and 2 orchestrators x 2 seeds")
	col := func(name string) int {
		i := slices.Index(rows[0], name)
		require.GreaterOrEqual(t, i, 0, "results.csv has %s", name)
		return i
	}
	o, seed := col("orchestrator"), col("seed")
	seeds := map[string][]string{}
	for _, r := range rows[1:] {
		seeds[r[o]] = append(seeds[r[o]], r[seed])
	}
	assert.Len(t, seeds["ecs"], 2)
	assert.Equal(t, seeds["ecs"], seeds["eks"], "the same seeds on both: paired differences")
	if cp := slices.Index(rows[0], "control_plane_usd_per_day"); cp >= 0 {
		for _, r := range rows[1:] {
			want := map[string]string{"ecs": "0", "eks": "2.4"}[r[o]]
			assert.Equal(t, want, r[cp], "the EKS control plane, $0.10 x 24 h")
		}
	}
}

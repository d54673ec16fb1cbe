package golden_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/internal/golden"
	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// TestWorkloadPairOnItsOtherOrchestratorMatchesItsGoldenFiles pins the
// ECS-vs-EKS library pair on EKS too: the library test pins it as the file
// says (orchestrator = "ecs"); this one runs it with orchestrator = "eks",
// as `fleetsim run ecs-vs-eks --set orchestrator=eks` does.
func TestWorkloadPairOnItsOtherOrchestratorMatchesItsGoldenFiles(t *testing.T) {
	const name = "ecs-vs-eks"
	sc, err := scenarios.Resolve(name)
	require.NoError(t, err)
	require.Contains(t, sc.Source, "\norchestrator = \"ecs\"\n", "the library file runs on ECS; this test pins EKS")
	src := strings.Replace(sc.Source, "\norchestrator = \"ecs\"\n", "\norchestrator = \"eks\"\n", 1)
	eks, err := scenarios.Parse(src, sc.File, scenarios.FSReader(scenarios.LibraryFS(), name+".toml"))
	require.NoError(t, err)
	require.NotNil(t, eks.Config.EKS)
	res, err := sim.New(eks.Config).Run()
	require.NoError(t, err)
	dir := t.TempDir()
	_, err = report.WriteRunOutputs(dir, res, eks.Source, []string{"json"})
	require.NoError(t, err)
	for _, f := range []string{"summary.json", "cost.json"} {
		got, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		golden.Check(t, filepath.Join("testdata", "library", name+".eks."+f), got)
	}
}

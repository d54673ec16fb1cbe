package report_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// runPair runs the library's ECS-vs-EKS pair on orchestrator o.
func runPair(t *testing.T, o string) string {
	t.Helper()
	src, err := fs.ReadFile(scenarios.LibraryFS(), "ecs-vs-eks.toml")
	require.NoError(t, err)
	text := strings.Replace(string(src), "\norchestrator = \"ecs\"\n", "\norchestrator = \""+o+"\"\n", 1)
	sc, err := scenarios.Parse(text, "library/ecs-vs-eks.toml", scenarios.FSReader(scenarios.LibraryFS(), "ecs-vs-eks.toml"))
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	return writeRun(t, res, sc.Source)
}

// compareCell is the first run's and the second run's values of the
// comparison table's row named name.
func compareCells(t *testing.T, html, name string) (string, string) {
	t.Helper()
	re := regexp.MustCompile(`<tr><td>` + regexp.QuoteMeta(name) + `</td><td class="noise">[^<]*</td><td[^>]*>([^<]*)(?:<span[^>]*>[^<]*</span>)?</td><td[^>]*>([^<]*)`)
	m := re.FindStringSubmatch(html)
	require.NotNil(t, m, "the table has a row %q", name)
	return m[1], m[2]
}

// An ECS run against an EKS run of the same workload: the shared figures
// side by side (the cost split, the wait for capacity, SLO and
// availability, instances and nodes), the runs named by orchestrator, the
// service's running tasks and pods overlaid, and the ECS-only placement
// CDF saying what it leaves out.
func TestCompareAnECSRunWithAnEKSRunOnTheSharedFigures(t *testing.T) {
	html := compareHTML(t, runPair(t, "ecs"), runPair(t, "eks"))
	assert.Contains(t, html, `id="orchestrators"`)
	assert.Contains(t, html, ">ecs-vs-eks on ECS (seed 11)<")
	assert.Contains(t, html, ">ecs-vs-eks on EKS (seed 11)<")
	ecsCP, eksCP := compareCells(t, html, "cost per day: control plane (EKS)")
	assert.Equal(t, "$0.00", ecsCP)
	assert.Equal(t, "$2.40", eksCP, "24 cluster-hours at $0.10")
	for _, row := range []string{"cost per day", "cost per day: compute (EC2 instances)", "cost per day: of compute, idle capacity",
		"worst p95 wait for capacity (s)", "peak EC2 instances (container instances / nodes)", "service web: SLO met",
		"service web: availability", "batch nightly-report: tasks completed / pods succeeded"} {
		a, b := compareCells(t, html, row)
		assert.NotEqual(t, "–", a, "%s: the ECS run has it", row)
		assert.NotEqual(t, "–", b, "%s: the EKS run has it", row)
	}
	a, b := compareCells(t, html, "batch nightly-report: tasks completed / pods succeeded")
	assert.Equal(t, "24", a)
	assert.Equal(t, "24", b)
	assert.Contains(t, html, "Service web: running tasks / pods")
	assert.Contains(t, html, "an EKS run places pods, not tasks")
}

package scenarios

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/ecs"
)

// withExplain puts a top-level explain list at the head of the default
// scenario (services web and api, batch job etl).
func withExplain(t *testing.T, list string) string {
	return "explain = " + list + "\n" + defaultSource(t)
}

func TestExplainChoosesServicesAndBatchJobsByNameOrPrefix(t *testing.T) {
	s, err := parseLibrary(withExplain(t, `[{ service = "web", limit = 3 }, { job = "etl" }, { name_prefix = "ap" }]`))
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)
	assert.Equal(t, []ecs.ExplainSelector{{Service: "web", Limit: 3}, {Job: "etl", Limit: 10}, {NamePrefix: "ap", Limit: 10}},
		s.Config.Explain, "10 placements unless limit says, as [[eks.explain]]")
}

func TestExplainBadEntriesAreProblemsWithTheirKey(t *testing.T) {
	for _, tc := range []struct{ name, list, want string }{
		{"an unknown service, with a suggestion", `[{ service = "wbe" }]`, `explain.0.service: want the name of one of the scenario's services, found "wbe" (did you mean "web"?)`},
		{"an unknown batch job", `[{ job = "nightly" }]`, `explain.0.job: want the name of one of the scenario's batch jobs, found "nightly"`},
		{"neither a name nor a prefix", `[{ limit = 2 }]`, `explain.0: want one of service, job or name_prefix to choose the tasks by, found 0 of them`},
		{"a service and a prefix", `[{ service = "web", name_prefix = "w" }]`, `found 2 of them`},
		{"a limit below 1", `[{ service = "web", limit = 0 }]`, `explain.0.limit: want a limit of at least 1, found 0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseLibrary(withExplain(t, tc.list))
			require.Error(t, err)
			assert.Contains(t, problemsOf(t, err).Error(), tc.want)
		})
	}
}

func TestExplainPrefixThatStartsNoNameWarns(t *testing.T) {
	s, err := parseLibrary(withExplain(t, `[{ name_prefix = "billing" }]`))
	require.NoError(t, err)
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings.Error(), `explain.0.name_prefix: want a prefix some service's or batch job's name starts with, found "billing"`)
}

func TestExplainAtTheTopOfAnEKSScenarioPointsAtEKSExplain(t *testing.T) {
	_, err := parseEKS(`explain = [{ name_prefix = "web" }]`+"\n"+eksBase, nil)
	require.Error(t, err)
	msg := problemsOf(t, err).Error()
	assert.Contains(t, msg, "explain.0: want no top-level explain in an EKS scenario")
	assert.True(t, strings.Contains(msg, "[[eks.explain]]"), msg)
}

package sweep

import (
	"fmt"
	"testing"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBothWays runs library scenario name as it is (full) and with set
// applied to a copy of its config (bare, from cfg).
func runBothWays(t *testing.T, name string, set func(*sim.Config)) (sc *scenarios.Scenario, cfg *sim.Config, full, bare *sim.Result) {
	t.Helper()
	sc, _, err := Resolve(name)
	require.NoError(t, err)
	full, err = sim.New(sc.Config).Run()
	require.NoError(t, err)
	c := *sc.Config
	set(&c)
	bare, err = sim.New(&c).Run()
	require.NoError(t, err)
	return sc, &c, full, bare
}

// A sweep's runs keep no ECS series (sim.Config.NoSeries): the run is the
// same run, with the same summary, usage, events and outcome, and its series
// keeps the column names with no rows.
func TestARunWithoutItsSeriesIsTheSameRun(t *testing.T) {
	for _, name := range []string{scenarios.DefaultName, "mixed-spot", "predictive-nasa-trace"} {
		t.Run(name, func(t *testing.T) {
			sc, cfg, full, bare := runBothWays(t, name, func(c *sim.Config) { c.NoSeries = true })

			require.NotEmpty(t, full.Series.Times)
			assert.Empty(t, bare.Series.Times, "no rows")
			require.Len(t, bare.Series.Columns, len(full.Series.Columns))
			for i, c := range bare.Series.Columns {
				assert.Equal(t, full.Series.Columns[i].Name, c.Name)
				assert.Empty(t, c.Values)
			}
			// %+v: a summary's NaN is not equal to itself.
			assert.Equal(t, fmt.Sprintf("%+v", full.Summary), fmt.Sprintf("%+v", bare.Summary))
			assert.Equal(t, full.Events, bare.Events)
			assert.Equal(t, fmt.Sprintf("%+v", full.State.Describe()), fmt.Sprintf("%+v", bare.State.Describe()))
			require.Equal(t, full.Tasks.Len(), bare.Tasks.Len())
			for i := range full.Tasks.Len() {
				require.Equal(t, *full.Tasks.At(i), *bare.Tasks.At(i))
			}
			a, err := OutcomeOf(full, report.PricesFor(sc.Config))
			require.NoError(t, err)
			b, err := OutcomeOf(bare, report.PricesFor(cfg))
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("%+v", a), fmt.Sprintf("%+v", b))
		})
	}
}

// Nor do they describe the final state (sim.Config.NoState): state.json is
// not a sweep's output. The run is the same run, ECS's or EKS's, with the
// same summary, events and outcome; only the state is left empty.
func TestARunWithoutItsStateIsTheSameRun(t *testing.T) {
	for _, name := range []string{scenarios.DefaultName, "mixed-spot", "eks-hpa-cluster-autoscaler"} {
		t.Run(name, func(t *testing.T) {
			sc, cfg, full, bare := runBothWays(t, name, func(c *sim.Config) { c.NoState = true })

			if full.EKS != nil {
				require.NotNil(t, bare.EKS)
				require.NotEmpty(t, full.EKS.State.Items)
				assert.Empty(t, bare.EKS.State.Items, "no nodes or pods described")
				// The EKS summary is a pointer: compared by what it points to.
				assert.Equal(t, full.Summary.EKS, bare.Summary.EKS)
				full.Summary.EKS, bare.Summary.EKS = nil, nil
			} else {
				require.NotEmpty(t, full.State.Describe().ContainerInstances)
				require.NotEmpty(t, full.State.Describe().Tasks)
				assert.Empty(t, bare.State.Describe().ContainerInstances, "no instances described")
				assert.Empty(t, bare.State.Describe().Tasks, "no tasks described")
			}
			assert.Equal(t, fmt.Sprintf("%+v", full.Summary), fmt.Sprintf("%+v", bare.Summary))
			assert.Equal(t, full.Events, bare.Events)
			a, err := OutcomeOf(full, report.PricesFor(sc.Config))
			require.NoError(t, err)
			b, err := OutcomeOf(bare, report.PricesFor(cfg))
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("%+v", a), fmt.Sprintf("%+v", b))
		})
	}
}

package sweep

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// A sweep's worker runs a variant's seeds one after another from one parse
// of its scenario (Plan.simulate), which holds only if a run, and the
// outcome read from it, leave the Config exactly as the parse made it: for
// every library scenario (but the week-long ones), the Config after a run
// is deeply equal to a second parse of the same text.
func TestARunLeavesItsConfigAsItFoundIt(t *testing.T) {
	slow := map[string]bool{"large-week": true, "week-100-instances": true, "eks-karpenter-spot": testing.Short()}
	for _, e := range scenarios.Library() {
		if slow[e.Name] {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			ran, err := scenarios.Resolve(e.Name)
			require.NoError(t, err)
			fresh, err := scenarios.Resolve(e.Name)
			require.NoError(t, err)
			require.True(t, reflect.DeepEqual(ran.Config, fresh.Config), "two parses of one text are deeply equal")
			res, err := sim.New(ran.Config).Run()
			require.NoError(t, err)
			_, err = OutcomeOf(res, report.PricesFor(ran.Config))
			require.NoError(t, err)
			assert.True(t, reflect.DeepEqual(ran.Config, fresh.Config), "the run changed its Config")
		})
	}
}

// A worker's runs from its one parse of a variant are the runs a parse of
// their own makes, on ECS and on EKS.
func TestRunsFromOneParseAreRunsFromTheirOwn(t *testing.T) {
	sc, readRel, err := Resolve("ecs-vs-eks")
	require.NoError(t, err)
	ax, err := ParseAxis("orchestrator=ecs,eks")
	require.NoError(t, err)
	p, err := NewPlan(Spec{Base: sc, ReadRel: readRel, Seeds: 3, Axes: []Axis{ax}})
	require.NoError(t, err)
	runs := p.RunsOf(Shard{0, 1})
	rows, err := Execute(p, runs, Options{Workers: 1})
	require.NoError(t, err)
	require.Len(t, rows, 6)
	for i, r := range runs {
		own, err := p.simulate(r, &parsed{})
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("%+v", own), fmt.Sprintf("%+v", rows[i]), "run %d", r.Index)
	}
	assert.NotEqual(t, rows[0].Outcome, rows[1].Outcome, "the seeds differ")
}

// A plan's soft memory limit (what `fleetsim sweep` sizes its collector's
// limit from) is the largest of its variants' runs', from the parses
// NewPlan checked them with.
func TestAPlansSoftMemoryLimitIsItsLargestVariants(t *testing.T) {
	p, err := NewPlan(spec(t, "web-and-batch", 1, "services.web.desired_count=4,400"))
	require.NoError(t, err)
	var limits []int64
	for _, v := range p.Variants {
		sc, err := scenarios.Parse(v.Source, p.Spec.Base.File, p.Spec.ReadRel)
		require.NoError(t, err)
		limits = append(limits, scenarios.Estimate(sc.Config).SoftMemoryLimit())
	}
	require.Len(t, limits, 2)
	assert.Greater(t, limits[1], limits[0], "400 web tasks hold more than 4")
	assert.Equal(t, limits[1], p.SoftMemoryLimit())
}

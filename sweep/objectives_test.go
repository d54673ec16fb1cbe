package sweep

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withObjectives sets a variant's objective samples: met of total on each
// seed, as Summarize would from its runs.
func withObjectives(v VariantSummary, total int, met []float64) VariantSummary {
	v.Objectives = total
	all := make([]float64, len(met))
	for k, m := range met {
		all[k] = allObjectivesMet(Outcome{Objectives: total, ObjectivesMet: int(m)})
	}
	for _, c := range []struct {
		col string
		s   []float64
	}{{"objectives_met", met}, {"all_objectives_met_pct", all}} {
		i := metricIndex(c.col)
		v.Samples[i] = c.s
		v.Stats[i] = MeanCI(c.s, ConfidenceLevel)
	}
	return v
}

func TestAllObjectivesMetIsAShareOfSeeds(t *testing.T) {
	assert.True(t, math.IsNaN(allObjectivesMet(Outcome{})), "no objectives: no figure")
	assert.True(t, math.IsNaN(objectivesMet(Outcome{})))
	assert.Equal(t, 100.0, allObjectivesMet(Outcome{Objectives: 3, ObjectivesMet: 3}))
	assert.Equal(t, 0.0, allObjectivesMet(Outcome{Objectives: 3, ObjectivesMet: 2}))
	assert.Equal(t, 2.0, objectivesMet(Outcome{Objectives: 3, ObjectivesMet: 2}))
}

func TestOnlyVariantsMeetingEveryObjectiveAreStarred(t *testing.T) {
	wait := metricIndex("p95_wait_s")
	same := []float64{99.9, 99.9, 99.9}
	zero := []float64{0, 0, 0}
	// v1 is cheapest but misses an objective on one seed; v2 costs more and
	// meets all three on every seed; v3 costs more still and meets them too.
	v1 := withObjectives(summary(1, []float64{10, 10.1, 10}, same, zero), 3, []float64{3, 2, 3})
	v2 := withObjectives(summary(2, []float64{12, 12.1, 12}, same, zero), 3, []float64{3, 3, 3})
	v3 := withObjectives(summary(3, []float64{14, 14.1, 14}, same, zero), 3, []float64{3, 3, 3})
	assert.False(t, MeetsEveryObjective(v1))
	assert.True(t, MeetsEveryObjective(v2))
	assert.Equal(t, []bool{false, true, false}, ParetoFront([]VariantSummary{v1, v2, v3}, wait, false),
		"v1 is cheaper, but misses an objective: v2 is the cheapest choice that meets them all")

	none := withObjectives(summary(2, []float64{12, 12.1, 12}, same, zero), 3, []float64{2, 2, 2})
	assert.Equal(t, []bool{true, false}, ParetoFront([]VariantSummary{v1, none}, wait, false),
		"when no variant meets every objective, the front is cost and quality alone")

	s := Sentence(v2, v1)
	assert.True(t, strings.HasSuffix(s, "; it meets every SLO objective on 3 of 3 seeds, v1 on 2 of 3."), s)
	s = Sentence(v3, withObjectives(summary(1, []float64{10, 10.1, 10}, same, zero), 3, []float64{3, 3, 3}))
	assert.True(t, strings.HasSuffix(s, "; like v1, it meets every SLO objective on 3 of 3 seeds."), s)
}

func TestASweepOverAnObjectiveCountsItAndStarsOnlyTheVariantsMeetingIt(t *testing.T) {
	// web serves 99.97% of its requests within its 100 ms latency_slo over
	// these two hours: v1 (target 90%) meets its objective on every seed,
	// v2 (99.999%) on none.
	p, err := NewPlan(spec(t, "web-and-batch", 2, "services.web.slo.latency_target=90,99.999"))
	require.NoError(t, err)
	rows, err := Execute(p, p.RunsOf(Shard{0, 1}), Options{Workers: 2})
	require.NoError(t, err)
	for _, r := range rows {
		require.Equal(t, 1, r.Outcome.Objectives, "one objective, on web")
		want := map[int]int{1: 1, 2: 0}[r.Run.Variant]
		assert.Equal(t, want, r.Outcome.ObjectivesMet, "variant %d seed %d", r.Run.Variant, r.Run.SeedNum)
	}
	vs := Summarize(&p.Manifest, rows)
	assert.True(t, vs[0].Pareto)
	assert.False(t, vs[1].Pareto, "v2 misses its objective")

	var csv bytes.Buffer
	require.NoError(t, WriteResults(&csv, &p.Manifest, rows))
	back, err := ReadResults(&csv, &p.Manifest, ResultsFile)
	require.NoError(t, err)
	assert.Equal(t, rows[3].Outcome.Objectives, back[3].Outcome.Objectives, "results.csv keeps the counts")
	assert.Equal(t, rows[0].Outcome.ObjectivesMet, back[0].Outcome.ObjectivesMet)

	var html bytes.Buffer
	require.NoError(t, WriteReport(&html, &p.Manifest, rows))
	page := html.String()
	assert.Contains(t, page, "<th>objectives<small>met</small></th>")
	assert.Contains(t, page, `<td class="num worse">0/1<small>all on 0/2</small></td>`, "v2 meets none of one objective, on neither seed")
	assert.Contains(t, page, `<td class="num ">1/1<small>all on 2/2</small></td>`)
	assert.Contains(t, page, "Only variants that meet every SLO objective on every seed are starred")
	assert.Contains(t, page, "; it meets every SLO objective on 0 of 2 seeds, v1 on 2 of 2.")
}

package sweep

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShortKeysNameEachVariedKeyByTheFewestSegmentsThatTellItApart(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want []string
	}{
		{"one deep key is its last segment",
			[]string{"services.web.auto_scaling.target_tracking.0.target_value"}, []string{"target_value"}},
		{"two keys ending alike keep their entry names",
			[]string{"services.web.desired_count", "services.api.desired_count"}, []string{"web.desired_count", "api.desired_count"}},
		{"a list index is never a name on its own",
			[]string{"cluster.availability_zones.2"}, []string{"availability_zones.2"}},
		{"a top-level key is itself", []string{"duration", "services.web.desired_count"}, []string{"duration", "desired_count"}},
		{"a segment with a dot keeps its quotes",
			[]string{`services."web.v2".desired_count`, "services.api.desired_count"}, []string{`"web.v2".desired_count`, "api.desired_count"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ShortKeys(tc.keys))
		})
	}
}

func TestPairedDiffMatchesAHandComputedStudentT(t *testing.T) {
	// b − a = {-1, -2, -3, -4, -5}: mean -3, s = 1.58114, t(0.975, 4) = 2.776445,
	// half-width 1.963243 (as TestMeanCIMatchesAHandComputedStudentT). The
	// variants' own spreads (a: 10..50) are far wider: pairing takes them out.
	a := []float64{10, 20, 30, 40, 50}
	b := []float64{9, 18, 27, 36, 45}
	d := PairedDiff(a, b, 0.95)
	assert.Equal(t, 5, d.N)
	assert.InDelta(t, -3, d.Mean, 1e-12)
	assert.InDelta(t, 1.963243, d.HalfWide, 1e-6)
	assert.Greater(t, MeanCI(a, 0.95).HalfWide, 9*d.HalfWide, "19.63: ten times as wide")

	d = PairedDiff([]float64{1, math.NaN(), 3}, []float64{2, 5, math.NaN()}, 0.95)
	assert.Equal(t, 1, d.N, "a seed without a value on either side is no pair")
	assert.InDelta(t, 1, d.Mean, 1e-12)
}

func TestVerdictCallsADifferenceOnlyBeyondNoiseAndPrecision(t *testing.T) {
	iv := func(mean, lo, hi float64) Interval {
		return Interval{N: 5, Mean: mean, Lo: lo, Hi: hi, HalfWide: (hi - lo) / 2}
	}
	one := func(mean float64) Interval {
		return Interval{N: 1, Mean: mean, Lo: math.NaN(), Hi: math.NaN(), HalfWide: math.NaN()}
	}
	tests := []struct {
		name   string
		d      Interval
		dec    int
		higher bool
		want   int
	}{
		{"cheaper beyond noise is better", iv(-4.84, -4.97, -4.71), 2, false, 1},
		{"dearer beyond noise is worse", iv(2, 1, 3), 2, false, -1},
		{"an interval holding zero is a tie", iv(-0.004, -0.011, 0.003), 2, true, 0},
		{"a difference that reads 0.00 is a tie", iv(0.004, 0.003, 0.005), 2, true, 0},
		{"a higher SLO beyond noise is better", iv(0.05, 0.03, 0.08), 2, true, 1},
		{"one seed: the precision alone decides", one(0.02), 2, true, 1},
		{"one seed, too small to show", one(0.001), 2, true, 0},
		{"no data is a tie", one(math.NaN()), 2, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Verdict(tc.d, tc.dec, tc.higher))
		})
	}
}

// summary builds a variant from per-seed cost, SLO and wait values, as
// Summarize does.
func summary(id int, usd, slo, wait []float64) VariantSummary {
	v := VariantSummary{ID: id, Runs: len(usd), Samples: make([][]float64, len(Metrics))}
	for i, m := range Metrics {
		switch m.Column {
		case "usd_per_day":
			v.Samples[i] = usd
		case "slo_attainment_pct":
			v.Samples[i] = slo
		case "p95_wait_s":
			v.Samples[i] = wait
		default:
			v.Samples[i] = make([]float64, len(usd))
		}
		v.Stats = append(v.Stats, MeanCI(v.Samples[i], ConfidenceLevel))
	}
	return v
}

func TestTheFrontTreatsSeedNoiseAsATieAndStarsOneOfIdenticalVariants(t *testing.T) {
	slo, wait := metricIndex("slo_attainment_pct"), metricIndex("p95_wait_s")
	zero := []float64{0, 0, 0, 0, 0}
	// The README's first sweep: v1's SLO reads higher, but by 0.004 pp
	// within noise, at $4.84 a day more than v3.
	v1 := summary(1, []float64{14.98, 14.99, 14.97, 14.96, 14.97}, []float64{99.99, 99.99, 99.99, 99.99, 99.99}, zero)
	v2 := summary(2, []float64{12.54, 12.58, 12.55, 12.55, 12.53}, []float64{99.99, 99.99, 99.98, 99.99, 99.98}, zero)
	v3 := summary(3, []float64{10.16, 10.12, 10.13, 10.11, 10.12}, []float64{99.99, 99.99, 99.98, 99.99, 99.98}, zero)
	twin := v3
	twin.ID, twin.SameAs = 4, 3

	x, higher := FrontMetric([]VariantSummary{v1, v2, v3, twin})
	assert.Equal(t, wait, x, "SLOs that all read 99.99 tell nothing apart: the front uses the wait")
	assert.False(t, higher)
	assert.Equal(t, []bool{false, false, true, false}, ParetoFront([]VariantSummary{v1, v2, v3, twin}, x, higher),
		"v3 is cheaper beyond noise and no worse; its twin v4 is not starred beside it")
	assert.Equal(t, []bool{false, false, true, false}, ParetoFront([]VariantSummary{v1, v2, v3, twin}, slo, true),
		"on the SLO axis the 0.004 pp is a tie too")

	better := summary(5, []float64{16, 16, 16, 16, 16}, []float64{100, 100, 100, 100, 100}, zero)
	assert.Equal(t, []bool{false, false, true, true}, ParetoFront([]VariantSummary{v1, v2, v3, better}, slo, true),
		"a dearer variant with an SLO higher beyond noise stays on the front")
}

func TestSummarizeFlagsVariantsWithTheSameOutcomeOnEverySeed(t *testing.T) {
	p, err := NewPlan(spec(t, "mixed-spot", 3, `auto_scaling_groups.asg-mixed.instance_types=["m5.xlarge"],["m5.xlarge","m6i.xlarge"]`))
	require.NoError(t, err)
	rows, err := Execute(p, p.Runs, Options{Workers: 2})
	require.NoError(t, err)
	vs := Summarize(&p.Manifest, rows)
	require.Len(t, vs, 2)
	assert.Equal(t, 1, vs[1].SameAs, "the second instance type is never launched: the variants are identical")
	assert.True(t, vs[0].Pareto)
	assert.False(t, vs[1].Pareto, "never both starred")
	assert.Equal(t, []string{"v2 has exactly v1's outcomes on every seed: its settings make no difference here (only v1 can be starred)."},
		Sentences(vs))
}

func TestSentencesSayWhatEachVariantCostsAndServesAgainstTheBaseline(t *testing.T) {
	zero := []float64{0, 0, 0, 0, 0}
	full := []float64{100, 100, 100, 100, 100}
	none := []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	base := summary(1, []float64{15, 16, 14, 15, 15}, full, zero)
	tests := []struct {
		name string
		v    VariantSummary
		want string
	}{
		// Differences -4.8, -4.9, -4.8, -4.9, -4.8: mean -4.84, s = 0.05477,
		// half-width 2.776445 x 0.05477 / sqrt(5) = 0.068.
		{"cheaper beyond noise, SLO within noise",
			summary(2, []float64{10.2, 11.1, 9.2, 10.1, 10.2}, []float64{100, 99.99, 100, 99.99, 100}, zero),
			"v2 costs $4.84 less a day than v1 (95% CI 4.77-4.91) with SLO within 0.01 pp."},
		// SLO differences -0.10, -0.05, -0.08, -0.10, -0.07: mean -0.08, s =
		// 0.02121, half-width 0.0263; wait differences 30, 31, 29, 30, 30:
		// s = 0.7071, half-width 0.878.
		{"dearer, with a lower SLO and a longer wait beyond noise",
			summary(2, []float64{16, 17, 15, 16, 16}, []float64{99.9, 99.95, 99.92, 99.9, 99.93}, []float64{30, 31, 29, 30, 30}),
			"v2 costs $1.00 more a day than v1 (the same on every seed) with SLO 0.08 pp lower (95% CI 0.05-0.11), and with p95 wait for capacity 30.0 s longer (95% CI 29.1-30.9)."},
		{"the same cost within noise and the same SLO",
			summary(2, []float64{15.1, 15.9, 14.1, 14.9, 15}, full, zero),
			"v2 costs the same a day as v1 within seed noise (difference $0.00, 95% CI -0.12 to +0.12) with the same SLO."},
		{"without an SLO the wait speaks",
			summary(2, []float64{14, 15, 13, 14, 14}, none, []float64{2, 3, 1, 2, 2}),
			"v2 costs $1.00 less a day than v1 (the same on every seed) with p95 wait for capacity 2.0 s longer (95% CI 1.1-2.9)."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.v
			for i := range Metrics {
				v.Diffs = append(v.Diffs, PairedDiff(base.Samples[i], v.Samples[i], ConfidenceLevel))
			}
			assert.Equal(t, tc.want, Sentence(v, base))
		})
	}
}

func TestTheReportShowsShortHeadersPairedDifferencesAndSentences(t *testing.T) {
	p, err := NewPlan(spec(t, "diurnal-target-tracking", 3, "services.web.auto_scaling.target_tracking.0.target_value=50,75"))
	require.NoError(t, err)
	rows, err := Execute(p, p.Runs, Options{Workers: 2})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, WriteReport(&b, &p.Manifest, rows))
	html := b.String()
	assert.NotContains(t, html, "break-all", "headers never break one letter per line")
	assert.Contains(t, html, `<th class="key" title="services.web.auto_scaling.target_tracking.0.target_value">target_value</th>`)
	assert.Contains(t, html, "<b>target_value</b> is <code>services.web.auto_scaling.target_tracking.0.target_value</code>", "the legend")
	assert.Contains(t, html, "vs v1", "the paired differences' columns")
	assert.Regexp(t, `<li>v2 costs \$[0-9.]+ less a day than v1 \(95% CI [0-9.]+-[0-9.]+\) with (the same )?SLO`, html)
	require.Contains(t, html, "<h2>The bill, split</h2>", "the target changes the EC2 bill")
	assert.Equal(t, 3, strings.Count(html, `<th class="key"`), "one short header in each table: the decision, the split, every outcome")
}

func TestThePlotsAxesSpanTheMeansNotTheBars(t *testing.T) {
	ps := points{{id: 1, x: 99.99, xErr: 0}, {id: 2, x: 99.986, xErr: 0.012}, {id: 3, x: 99.984, xErr: 0.012}}
	lo, hi, flat := axisRange(ps, func(p point) float64 { return p.x })
	assert.False(t, flat)
	assert.InDelta(t, 99.984-0.0003, lo, 1e-9)
	assert.InDelta(t, 99.99+0.0003, hi, 1e-9)

	lo, hi, flat = axisRange(points{{x: 0}, {x: 0}}, func(p point) float64 { return p.x })
	assert.True(t, flat, "every variant reads the same: the axis is centred on it")
	assert.Less(t, lo, 0.0)
	assert.Greater(t, hi, 0.0)
	for _, tk := range (possibleTicks{percent: true}).Ticks(-5, 105) {
		assert.True(t, tk.Value >= 0 && tk.Value <= 100, "no tick at an impossible %v", tk.Value)
	}
}

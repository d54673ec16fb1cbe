package report

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestADeltaIsCalledBetterOrWorseOnlyBeyondItsNoiseThreshold(t *testing.T) {
	tests := []struct {
		name       string
		m          metric
		base, v    float64
		wantClass  string
		wantDeltaS string
	}{
		{"a cost 1% lower between two seeds is noise", asMoney(metric{Better: "lower", format: usdText}), 15.95, 15.80, "", "−$0.15 (−0.9%)"},
		{"a cost 20% higher is worse", asMoney(metric{Better: "lower", format: usdText}), 15.95, 19.14, "worse", "+$3.19 (+20.0%)"},
		{"a batch job's cost 17% lower is noise for one job", asOwnerMoney(metric{Better: "lower", format: usdText}), 0.51, 0.43, "", "−$0.08 (−15.7%)"},
		{"one instance more of 7 is noise", asCount(metric{Better: "lower", format: countText}), 7, 8, "", "+1 (+14.3%)"},
		{"two more placement failures than none are worse", asCount(metric{Better: "lower", format: countText}), 0, 2, "worse", "+2"},
		{"a p95 wait 3 s longer is noise", asWait(metric{Better: "lower", format: waitSecondsText}), 90, 93, "", "+3.0 (+3.3%)"},
		{"a p95 wait 90 s shorter is better", asWait(metric{Better: "lower", format: waitSecondsText}), 90, 0, "better", "−90.0 (−100.0%)"},
		{"availability 0.07 pp lower is noise", points(metric{Better: "higher", format: pct}), 99.86, 99.79, "", "−0.07 pp"},
		{"availability 0.7 pp lower is worse", points(metric{Better: "higher", format: pct}), 99.86, 99.16, "worse", "−0.70 pp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.m.Name, tc.m.Values = tc.name, []float64{tc.base, tc.v}
			rows := compareRows([]metric{tc.m})
			assert.Equal(t, tc.wantClass, rows[0].Cells[1].Class)
			assert.Equal(t, tc.wantDeltaS, rows[0].Cells[1].Delta)
			assert.Equal(t, tc.m.Noise.Text, rows[0].Noise, "the row states its threshold")
		})
	}
}

func TestAMeasureMissingFromARunHasNoDelta(t *testing.T) {
	m := asCount(metric{Name: "service x: running at end", Better: "higher", format: countText, Values: []float64{3, math.NaN()}})
	rows := compareRows([]metric{m})
	assert.Equal(t, compareCell{Value: "–"}, rows[0].Cells[1])
}

package report

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

func TestChartNumbersAreFormattedTheSameEveryTime(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    float64
		want string
	}{
		{"a count stays whole", 14, "14"},
		{"a negative count", -3, "-3"},
		{"a rate keeps 4 significant digits", 823.41666, "823.4"},
		{"a small share", 0.38466666, "0.3847"},
		{"large values round to whole", 12345.678, "12346"},
		{"NaN is null", math.NaN(), "null"},
		{"infinity is null", math.Inf(1), "null"},
		{"zero", 0, "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, formatNum(tc.v))
		})
	}
}

// chartResult is a run frame for figures: a start and a length.
func chartResult(d time.Duration) *sim.Result {
	return &sim.Result{Config: &sim.Config{Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}, End: des.At(d)}
}

// minutes are the sample times of d at one a minute, the end included.
func minutes(res *sim.Result, d time.Duration) []float64 {
	var times []des.Time
	for m := time.Duration(0); m <= d; m += time.Minute {
		times = append(times, des.At(m))
	}
	return xs(res, times)
}

// decodeChart parses a figure's chart JSON, with each panel's x as Unix
// seconds.
func decodeChart(t *testing.T, f *Figure) (chartJSON, [][]float64, [][][]*float64, string) {
	t.Helper()
	js, note, err := f.interactive()
	require.NoError(t, err)
	var c struct {
		chartJSON
		Panels []struct {
			X      []int64
			SameX  bool `json:"samex"`
			Series []struct {
				Label string
				Y     []*float64
			}
		} `json:"panels"` // shadows chartJSON's
	}
	require.NoError(t, json.Unmarshal([]byte(js), &c))
	var x [][]float64
	var y [][][]*float64
	var px []float64
	for _, p := range c.Panels {
		if !p.SameX {
			at := float64(c.Start)
			px = nil
			for _, d := range p.X {
				at += float64(d)
				px = append(px, at)
			}
		}
		x = append(x, px)
		var py [][]*float64
		for _, s := range p.Series {
			py = append(py, s.Y)
		}
		y = append(y, py)
	}
	return c.chartJSON, x, y, note
}

func TestAStepLineKeepsEveryChangeAndNothingElse(t *testing.T) {
	const d = 24 * time.Hour
	res := chartResult(d)
	x := minutes(res, d)
	y := make([]float64, len(x))
	for i := range y {
		y[i] = float64(4 + i/360) // 4, 5, 6, 7 tasks: three changes
	}
	y[100] = math.NaN() // a minute with no value is a gap
	f := newFigure(res, "t", "tasks", "tasks", "")
	require.NoError(t, f.addSeries(series{label: "running", x: x, y: y, color: colour(0)}))
	c, px, py, note := decodeChart(t, f)
	assert.Empty(t, note, "nothing reduced")
	assert.Zero(t, c.Bucket)
	want := []float64{x[0], x[100], x[101], x[360], x[720], x[1080], x[len(x)-1]}
	assert.Equal(t, want, px[0], "the first and last samples, each change, and the gap")
	assert.Nil(t, py[0][0][1], "NaN is null")
	assert.Equal(t, 5.0, *py[0][0][3], "from 06:00")
}

func TestAWeekOfMinutesIsReducedKeepingEachIntervalsExtremes(t *testing.T) {
	const d = 7 * 24 * time.Hour
	res := chartResult(d)
	x := minutes(res, d)
	r := rand.New(rand.NewPCG(1, 2))
	load, lower, upper := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
	for i := range x {
		load[i] = 500 + 400*math.Sin(float64(i)/200) + 50*r.NormFloat64()
		lower[i] = float64(r.IntN(10))
		upper[i] = lower[i] + float64(r.IntN(10))
	}
	load[5000] = 5000 // a one-minute spike survives
	f := newFigure(res, "t", "load", "req/s", "")
	require.NoError(t, f.addSeries(series{label: "offered", x: x, y: load, color: colour(0)},
		series{label: "top", x: x, y: upper, color: colour(1), fill: true, stacked: true},
		series{label: "bottom", x: x, y: lower, color: colour(2), fill: true, stacked: true}))
	c, px, py, note := decodeChart(t, f)
	assert.Equal(t, int64(360), c.Bucket, "a week in 2,000 intervals, rounded up to 6 minutes")
	assert.Contains(t, note, "every 6 min")
	assert.LessOrEqual(t, len(px[0]), chartPoints)
	assert.True(t, slices.IsSorted(px[0]))
	got := func(s int) []float64 {
		var v []float64
		for _, p := range py[0][s] {
			v = append(v, *p)
		}
		return v
	}
	shown := func(v float64) float64 { // as the page's JSON carries it
		f, err := strconv.ParseFloat(formatNum(v), 64)
		require.NoError(t, err)
		return f
	}
	assert.Equal(t, 5000.0, slices.Max(got(0)), "the spike is kept")
	assert.Equal(t, shown(slices.Min(load)), slices.Min(got(0)))
	// every interval's extremes are among the chart's values
	kept := map[float64]bool{}
	for _, v := range got(0) {
		kept[v] = true
	}
	for b := 0; b*6 < len(x); b++ {
		in := load[b*6 : min((b+1)*6, len(load))]
		for _, v := range []float64{slices.Min(in), slices.Max(in)} {
			assert.True(t, kept[shown(v)], "interval %d: %v kept", b, v)
		}
	}
	top, bottom := got(1), got(2)
	for i := range top {
		assert.GreaterOrEqual(t, top[i], bottom[i], "point %d: the bands still stack", i)
	}
}

func TestChartDataIsSafeInsideAScript(t *testing.T) {
	res := chartResult(time.Hour)
	x := minutes(res, time.Hour)
	f := newFigure(res, "t", "Service </script><b>x</b>", "tasks", "")
	require.NoError(t, f.addSeries(series{label: "</script>&", x: x, y: make([]float64, len(x)), color: colour(0)}))
	js, _, err := f.interactive()
	require.NoError(t, err)
	assert.NotContains(t, strings.ToLower(string(js)), "</script")
	assert.NotContains(t, string(js), "<b>")
	assert.Contains(t, string(js), `\u003c/script\u003e\u0026`)
}

func TestThePlacementWaitDistributionHasNoChart(t *testing.T) {
	f := &Figure{ID: "placement-wait", plot: newPlot("wait", "share")}
	require.NoError(t, f.addSeries(series{label: "web", x: []float64{0, 1, 2}, y: []float64{0, 0.5, 1}, color: colour(0)}))
	js, note, err := f.interactive()
	require.NoError(t, err)
	assert.Empty(t, js, "its x axis is a wait, not calendar time")
	assert.Empty(t, note)
}

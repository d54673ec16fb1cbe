package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/fleetsim/fleetsim/sim/des"
)

// The interactive layer: with JavaScript, each time-series figure's SVG is
// replaced by a uPlot chart of the same series (hover readout, drag to
// zoom, double-click to reset). uPlot is vendored in assets/ (see
// assets/README.md) and inlined, so that report.html stays one file that
// loads nothing. Without JavaScript the SVG stays.

//go:embed assets/uPlot.iife.min.js
var uPlotJS string

//go:embed assets/uPlot.min.css
var uPlotCSS string

//go:embed assets/charts.js
var chartsJS string

// chartPoints is the most points a series of the interactive chart has: a
// panel whose series change at more sample times is cut into chartPoints/2
// intervals, each keeping every series' minimum and maximum.
const chartPoints = 4000

// lineScale turns gonum's line widths (points of a 10-inch figure shown a
// column wide) into the chart's CSS pixels.
const lineScale = 1.25

// chartJSON is one figure's interactive chart, as the page carries it.
type chartJSON struct {
	ID     string      `json:"id"`
	Title  string      `json:"title"`
	Offset int         `json:"tz"` // the scenario zone's offset east of UTC, seconds
	XLabel string      `json:"xlabel"`
	Start  int64       `json:"x0"` // Unix seconds; panels' x are deltas from it
	End    int64       `json:"x1"`
	Panels []panelJSON `json:"panels"`
	Marks  [][3]int64  `json:"marks,omitempty"` // [from, to, kind], Unix seconds
	Kinds  []kindJSON  `json:"kinds,omitempty"`
	Bucket int64       `json:"bucket,omitempty"` // seconds per interval when reduced
}

type panelJSON struct {
	YLabel string       `json:"ylabel"`
	YMin   jnum         `json:"ymin"`
	YMax   jnum         `json:"ymax"`
	X      []int64      `json:"x,omitempty"`     // first from Start, then from the previous
	SameX  bool         `json:"samex,omitempty"` // X is the previous panel's
	Series []seriesJSON `json:"series"`
}

type seriesJSON struct {
	Label string    `json:"label"`
	Color string    `json:"color"`
	Width jnum      `json:"width"`
	Dash  []jnum    `json:"dash,omitempty"`
	Fill  bool      `json:"fill,omitempty"`
	Stack bool      `json:"stack,omitempty"`
	Y     []jnum    `json:"y"`
	raw   []float64 // Y before formatting
}

type kindJSON struct {
	Label string `json:"label"`
	Edge  string `json:"edge"`
	Fill  string `json:"fill,omitempty"`
	Dash  []jnum `json:"dash,omitempty"`
	// Chain: a deployment's span, which starts no earlier than the end of
	// the (widened) span before it, as marks.Plot draws them
	Chain bool `json:"chain,omitempty"`
}

// jnum is a number in the page's JSON: whole numbers as integers, others
// to 4 significant digits (what a readout shows), NaN as null.
type jnum float64

// MarshalJSON implements json.Marshaler.
func (v jnum) MarshalJSON() ([]byte, error) { return []byte(formatNum(float64(v))), nil }

// formatNum formats v for the page's JSON, the same bytes every time.
func formatNum(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "null"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatInt(int64(v), 10)
	case math.Abs(v) >= 1e4:
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// interactive is the figure's chart as JSON for the page, and the note for
// its caption when the chart is reduced; "" when the figure has none (a
// placement-wait distribution: no time axis).
func (f *Figure) interactive() (template.JS, string, error) {
	if !f.timeAxis || len(f.traces) == 0 {
		return "", "", nil
	}
	c := chartJSON{ID: f.ID, Title: f.Title, Offset: f.offset, XLabel: "time (" + f.zone + ")",
		Start: int64(math.Floor(f.plot.X.Min)), End: int64(math.Ceil(f.plot.X.Max))}
	width := float64(c.End - c.Start)
	var lastX []int64
	for _, p := range append([]*plot.Plot{f.plot}, f.below...) {
		pj, bucket := f.panel(p, c.Start, width)
		if len(pj.Series) == 0 {
			continue
		}
		if lastX != nil && slices.Equal(pj.X, lastX) {
			pj.X, pj.SameX = nil, true // the panels of a figure mostly share their times
		} else {
			lastX = pj.X
		}
		c.Panels = append(c.Panels, pj)
		c.Bucket = max(c.Bucket, bucket)
	}
	c.Marks, c.Kinds = chartMarks(f.marks)
	var b bytes.Buffer
	enc := json.NewEncoder(&b) // escapes <, > and & in strings: safe in a <script>
	if err := enc.Encode(c); err != nil {
		return "", "", fmt.Errorf("plot %s: chart: %w", f.ID, err)
	}
	note := ""
	if c.Bucket > 0 {
		note = fmt.Sprintf("The interactive chart keeps each series' minimum and maximum in every %s (at most %s points a series); the SVG and PNG keep every sample.",
			span(des.At(time.Duration(c.Bucket)*time.Second)), count(chartPoints))
	}
	return template.JS(bytes.TrimSpace(b.Bytes())), note, nil
}

// panel is one panel's series on a shared x: the union of their sample
// times, each series holding its value to its next sample (a step line, as
// drawn), reduced past chartPoints. bucket is the reduction's interval in
// seconds, 0 when every change is kept.
func (f *Figure) panel(p *plot.Plot, start int64, span float64) (panelJSON, int64) {
	pj := panelJSON{YLabel: p.Y.Label.Text, YMin: jnum(p.Y.Min), YMax: jnum(p.Y.Max)}
	var ts []trace
	for _, t := range f.traces {
		if t.panel == p {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return pj, 0
	}
	xs := unionX(ts)
	for _, t := range ts {
		s := t.s
		sj := seriesJSON{Label: s.label, Color: cssColor(s.color), Width: jnum(lineWidth(s)), Fill: s.fill, Stack: s.stacked, raw: held(xs, s)}
		for _, d := range s.dashes {
			sj.Dash = append(sj.Dash, jnum(float64(d)*lineScale))
		}
		pj.Series = append(pj.Series, sj)
	}
	keep := changes(xs, pj.Series)
	var bucket int64
	if len(keep) > chartPoints {
		bucket = bucketSeconds(span)
		xs = reduce(xs, keep, pj.Series, start, bucket)
	} else {
		xs = pickAt(xs, keep)
		for i := range pj.Series {
			pj.Series[i].raw = pickAt(pj.Series[i].raw, keep)
		}
	}
	prev := start
	pj.X = make([]int64, len(xs))
	for i, x := range xs {
		pj.X[i], prev = int64(x)-prev, int64(x)
	}
	for i := range pj.Series {
		s := &pj.Series[i]
		s.Y = make([]jnum, len(s.raw))
		for k, v := range s.raw {
			s.Y[k] = jnum(v)
		}
	}
	return pj, bucket
}

// lineWidth is a series' width in CSS pixels.
func lineWidth(s series) float64 {
	w := vg.Length(2)
	switch {
	case s.fill:
		w = 0.5
	case s.width > 0:
		w = s.width
	}
	return math.Round(float64(w)*lineScale*100) / 100
}

// unionX is every sample time of the traces, in whole seconds, sorted.
func unionX(ts []trace) []float64 {
	var xs []float64
	for _, t := range ts {
		for _, x := range t.s.x {
			xs = append(xs, math.Round(x))
		}
	}
	slices.Sort(xs)
	return slices.Compact(xs)
}

// held is s's value at each x: its last sample at or before x (rounded
// to the second, as unionX), null before its first sample and after its
// last; NaN and infinite samples are gaps.
func held(xs []float64, s series) []float64 {
	out := make([]float64, len(xs))
	j := -1
	for i, x := range xs {
		for j+1 < len(s.x) && math.Round(s.x[j+1]) <= x {
			j++
		}
		out[i] = math.NaN()
		if j >= 0 && x <= math.Round(s.x[len(s.x)-1]) {
			out[i] = s.y[j]
		}
	}
	return out
}

// same reports whether two held values draw the same (NaN equal to NaN).
func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// changes are the indexes of xs where some series changes value, and the
// first and last: a step line through them alone draws the same.
func changes(xs []float64, ss []seriesJSON) []int {
	var keep []int
	for i := range xs {
		if i == 0 || i == len(xs)-1 || slices.ContainsFunc(ss, func(s seriesJSON) bool { return !same(s.raw[i], s.raw[i-1]) }) {
			keep = append(keep, i)
		}
	}
	return keep
}

func pickAt[T any](v []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, k := range idx {
		out[i] = v[k]
	}
	return out
}

// bucketSeconds is the reduction's interval: span cut into chartPoints/2
// intervals, rounded up to whole minutes.
func bucketSeconds(span float64) int64 {
	b := int64(math.Ceil(span / (chartPoints / 2)))
	return (b + 59) / 60 * 60
}

// reduce cuts the kept points into intervals of bucket seconds from start
// and keeps two points in each interval with more than one: at its first
// sample and half an interval later. Each series shows there its minimum and
// maximum over the interval, in the order they came; a stack of bands
// takes its values from the samples where its top edge has its extremes,
// so that the bands still stack.
func reduce(xs []float64, keep []int, ss []seriesJSON, start, bucket int64) []float64 {
	var outX []float64
	out := make([][]float64, len(ss))
	topOf := stackTops(ss)
	for lo := 0; lo < len(keep); {
		b := (int64(xs[keep[lo]]) - start) / bucket
		hi := lo
		for hi < len(keep) && (int64(xs[keep[hi]])-start)/bucket == b {
			hi++
		}
		idx := keep[lo:hi]
		if len(idx) == 1 {
			outX = append(outX, xs[idx[0]])
			for i := range ss {
				out[i] = append(out[i], ss[i].raw[idx[0]])
			}
			lo = hi
			continue
		}
		outX = append(outX, xs[idx[0]], min(xs[idx[0]]+float64(bucket/2), xs[idx[len(idx)-1]]))
		for i := range ss {
			a, z := extremes(ss[topOf[i]].raw, idx)
			out[i] = append(out[i], ss[i].raw[a], ss[i].raw[z])
		}
		lo = hi
	}
	for i := range ss {
		ss[i].raw = out[i]
	}
	return outX
}

// stackTops maps each series to the series whose extremes it takes: the
// top of its stack of bands, or itself.
func stackTops(ss []seriesJSON) []int {
	top := make([]int, len(ss))
	for i := range ss {
		top[i] = i
		if ss[i].Stack && i > 0 && ss[i-1].Stack {
			top[i] = top[i-1]
		}
	}
	return top
}

// extremes are the indexes (into v, from idx) of v's minimum and maximum
// over idx, the earlier first; NaN samples count only when all are NaN.
func extremes(v []float64, idx []int) (first, second int) {
	lo, hi := -1, -1
	for _, k := range idx {
		if math.IsNaN(v[k]) {
			continue
		}
		if lo < 0 || v[k] < v[lo] {
			lo = k
		}
		if hi < 0 || v[k] > v[hi] {
			hi = k
		}
	}
	if lo < 0 {
		return idx[0], idx[len(idx)-1]
	}
	return min(lo, hi), max(lo, hi)
}

// chartMarks are the figure's deployments and faults for the chart, and
// the kinds present, in legend order.
func chartMarks(ms marks) ([][3]int64, []kindJSON) {
	var out [][3]int64
	var kinds []kindJSON
	at := map[*markKind]int{}
	for _, k := range markOrder {
		if !slices.ContainsFunc(ms, func(m mark) bool { return m.kind == k }) {
			continue
		}
		at[k] = len(kinds)
		kj := kindJSON{Label: k.label, Edge: cssColor(k.edge)}
		if k.fill != nil {
			kj.Fill, kj.Chain = cssColor(k.fill), k != &markOutage
		}
		for _, d := range k.dashes {
			kj.Dash = append(kj.Dash, jnum(float64(d)*lineScale))
		}
		kinds = append(kinds, kj)
	}
	for _, m := range ms {
		out = append(out, [3]int64{int64(math.Floor(m.x0)), int64(math.Ceil(m.x1)), int64(at[m.kind])})
	}
	return out, kinds
}

// cssColor writes c as CSS: "#0072b2", or rgba() when translucent.
func cssColor(c color.Color) string {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	if n.A == 0xFF {
		return fmt.Sprintf("#%02x%02x%02x", n.R, n.G, n.B)
	}
	return fmt.Sprintf("rgba(%d,%d,%d,%s)", n.R, n.G, n.B, strconv.FormatFloat(math.Round(float64(n.A)/255*100)/100, 'f', -1, 64))
}

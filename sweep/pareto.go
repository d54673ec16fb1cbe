package sweep

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Okabe-Ito colours (colour-blind safe); the two groups also differ by
// marker shape, so the plot reads in grey too.
var (
	frontColour     = color.RGBA{0x00, 0x72, 0xB2, 0xFF} // blue
	dominatedColour = color.RGBA{0xE6, 0x9F, 0x00, 0xFF} // orange
)

// point is one variant on the plot: means and CI half-widths.
type point struct {
	id         int
	x, y       float64
	xErr, yErr float64
}

// points implements plotter.XYer, XErrorer and YErrorer.
type points []point

func (ps points) Len() int                        { return len(ps) }
func (ps points) XY(i int) (float64, float64)     { return ps[i].x, ps[i].y }
func (ps points) XError(i int) (float64, float64) { return ps[i].xErr, ps[i].xErr }
func (ps points) YError(i int) (float64, float64) { return ps[i].yErr, ps[i].yErr }

// axisLabel is a metric's name with its unit, for an axis.
func axisLabel(m Metric) string {
	if m.Unit == "" {
		return m.Label
	}
	return m.Label + " (" + m.Unit + ")"
}

// ParetoSVG plots every variant's mean cost per day against the front
// metric, the Pareto front as a dashed line, and each point labelled with
// its variant id (variants at the same point share one label: "v1, v2").
// The error bars are each variant's paired difference from the baseline
// (its 95% interval, drawn around the variant's mean; the baseline has
// none): the uncertainty of the comparison, not of the variant alone. The
// axes span the means (a wider bar runs to the frame); an axis on which
// every variant reads the same is centred on that value, its only label.
func ParetoSVG(vs []VariantSummary) ([]byte, error) {
	x, higher := FrontMetric(vs)
	cost := metricIndex("usd_per_day")
	var front, rest points
	for _, v := range vs {
		sx, sy := v.Stats[x], v.Stats[cost]
		if math.IsNaN(sx.Mean) || math.IsNaN(sy.Mean) {
			continue
		}
		pt := point{id: v.ID, x: sx.Mean, y: sy.Mean}
		if len(v.Diffs) > max(x, cost) {
			pt.xErr, pt.yErr = zeroNaN(v.Diffs[x].HalfWide), zeroNaN(v.Diffs[cost].HalfWide)
		}
		if v.Pareto {
			front = append(front, pt)
		} else {
			rest = append(rest, pt)
		}
	}
	if len(front) == 0 {
		return nil, nil
	}
	better := "lower is better"
	if higher {
		better = "higher is better"
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Cost per day vs %s, per variant", Metrics[x].Label)
	p.X.Label.Text = axisLabel(Metrics[x]) + ": " + better
	p.Y.Label.Text = axisLabel(Metrics[cost]) + ": lower is better"
	for _, ts := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		ts.Font.Variant = "Sans"
	}
	p.Title.TextStyle.Font.Size = 12
	p.X.Label.TextStyle.Font.Size = 11
	p.Y.Label.TextStyle.Font.Size = 11
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = color.Gray{Y: 0xDD}, color.Gray{Y: 0xDD}
	p.Add(grid)

	slices.SortFunc(front, func(a, b point) int { return cmp.Or(cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y)) })
	line, err := plotter.NewLine(front)
	if err != nil {
		return nil, err
	}
	line.Color, line.Width, line.Dashes = frontColour, vg.Points(1.5), []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(line)
	// The dominated first, so that a front point covers a dominated one at
	// the same place (an identical variant).
	if err := addGroup(p, rest, dominatedColour, draw.TriangleGlyph{}); err != nil {
		return nil, err
	}
	if err := addGroup(p, front, frontColour, draw.CircleGlyph{}); err != nil {
		return nil, err
	}
	all := append(append(points{}, front...), rest...)
	setAxis(&p.X, all, func(pt point) float64 { return pt.x }, Metrics[x])
	setAxis(&p.Y, all, func(pt point) float64 { return pt.y }, Metrics[cost])
	if err := addLabels(p, all); err != nil {
		return nil, err
	}
	c := vgsvg.New(8*vg.Inch, 5*vg.Inch)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	svg := b.Bytes()
	if i := bytes.Index(svg, []byte("<svg")); i > 0 { // drop the XML prolog: the SVG goes inline
		svg = svg[i:]
	}
	return svg, nil
}

// setAxis scales an axis to the points' means. When every point has the
// same value, the axis is centred on it and labelled
// with it alone, and its label says so.
//
// The title leaves the bars to the caption: a title longer than the plot
// is cut at both ends.
func setAxis(a *plot.Axis, ps points, get func(point) float64, m Metric) {
	lo, hi, flat := axisRange(ps, get)
	a.Min, a.Max = lo, hi
	a.Tick.Marker = possibleTicks{percent: m.Unit == "%"}
	if flat {
		v := get(ps[0])
		a.Tick.Marker = plot.ConstantTicks{{Value: v, Label: strconv.FormatFloat(v, 'f', m.Decimals, 64)}}
		a.Label.Text += " (all variants equal)"
	}
}

// addLabels writes each point's variant id beside it. Points whose labels
// would overlap (closer than about a label's size, with the axes as set)
// share one label at the first of them, "v2, v4, v6": identical variants
// always do.
func addLabels(p *plot.Plot, ps points) error {
	sorted := slices.Clone(ps)
	slices.SortFunc(sorted, func(a, b point) int { return a.id - b.id })
	const nearX, nearY = 0.07, 0.04 // of the axes' spans: a label is ~40 x 12 points of ~560 x 300
	spanX, spanY := p.X.Max-p.X.Min, p.Y.Max-p.Y.Min
	var xy plotter.XYs
	var labels []string
	for _, pt := range sorted {
		i := slices.IndexFunc(xy, func(a plotter.XY) bool {
			return math.Abs(a.X-pt.x) <= nearX*spanX && math.Abs(a.Y-pt.y) <= nearY*spanY
		})
		if i >= 0 {
			labels[i] += ", v" + strconv.Itoa(pt.id)
			continue
		}
		xy = append(xy, plotter.XY{X: pt.x, Y: pt.y})
		labels = append(labels, "v"+strconv.Itoa(pt.id))
	}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: labels})
	if err != nil {
		return err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Variant = "Sans"
		lb.TextStyle[i].Font.Size = 10
		lb.TextStyle[i].Color = color.Black
	}
	lb.Offset = vg.Point{X: vg.Points(6), Y: vg.Points(3)}
	p.Add(lb)
	return nil
}

// addGroup draws a group of variants: error bars and markers. The
// report's caption is the legend (a legend inside the axes hides points).
func addGroup(p *plot.Plot, ps points, c color.Color, g draw.GlyphDrawer) error {
	if len(ps) == 0 {
		return nil
	}
	xe, err := plotter.NewXErrorBars(ps)
	if err != nil {
		return err
	}
	ye, err := plotter.NewYErrorBars(ps)
	if err != nil {
		return err
	}
	// Thin and light: a bar that runs to the frame must not read as a line
	// of the plot.
	light := color.RGBA{R: 0xFF - (0xFF-r8(c, 0))/2, G: 0xFF - (0xFF-r8(c, 1))/2, B: 0xFF - (0xFF-r8(c, 2))/2, A: 0xFF}
	xe.Color, ye.Color = light, light
	xe.Width, ye.Width = vg.Points(1), vg.Points(1)
	sc, err := plotter.NewScatter(ps)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: g}
	p.Add(xe, ye, sc)
	return nil
}

// r8 is channel i (0 red, 1 green, 2 blue) of c in 8 bits.
func r8(c color.Color, i int) uint8 {
	r, g, b, _ := c.RGBA()
	return uint8([]uint32{r, g, b}[i] >> 8)
}

func zeroNaN(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}

// precisionTicks is gonum's default ticker with labels given as many
// decimals as the spacing of the labelled ticks needs, so that a narrow
// range (99.98 to 100.02) does not read 100, 100, 100.
type precisionTicks struct{}

// Ticks implements plot.Ticker.
func (precisionTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	var major []float64
	for _, t := range ts {
		if t.Label != "" {
			major = append(major, t.Value)
		}
	}
	decimals := 0
	for ; decimals < 12; decimals++ { // the fewest decimals that write every labelled tick exactly
		exact := true
		for _, v := range major {
			scaled := v * math.Pow10(decimals)
			exact = exact && math.Abs(scaled-math.Round(scaled)) < 1e-6
		}
		if exact {
			break
		}
	}
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'f', decimals, 64)
		}
	}
	return ts
}

// axisRange spans the points' means with 5% of margin on each side, so
// that no point sits on the frame. The bars do not stretch it: an interval
// wider than the spread of the means runs to the frame, where gonum clips
// it, rather than squeezing the points together. flat: every point has the
// same value; the axis is centred on it.
func axisRange(ps points, get func(point) float64) (lo, hi float64, flat bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, pt := range ps {
		m := get(pt)
		lo, hi = min(lo, m), max(hi, m)
	}
	if hi-lo <= 1e-9*max(1, math.Abs(hi)) {
		pad := max(1, math.Abs(hi)*0.05)
		return lo - pad, hi + pad, true
	}
	pad := 0.05 * (hi - lo)
	return lo - pad, hi + pad, false
}

// possibleTicks is precisionTicks without the ticks of values the outcome
// cannot take (below 0; a percentage above 100): the margin beyond them
// stays unlabelled.
type possibleTicks struct{ percent bool }

// Ticks implements plot.Ticker.
func (t possibleTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, tk := range (precisionTicks{}).Ticks(lo, hi) {
		if tk.Value >= -1e-12 && (!t.percent || tk.Value <= 100+1e-12) {
			out = append(out, tk)
		}
	}
	return out
}

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
// metric with their 95% confidence intervals as error bars, the Pareto
// front as a dashed line, and each point labelled with its variant id.
func ParetoSVG(vs []VariantSummary) ([]byte, error) {
	x, higher := FrontMetric(vs)
	cost := metricIndex("usd_per_day")
	var front, rest points
	for _, v := range vs {
		sx, sy := v.Stats[x], v.Stats[cost]
		if math.IsNaN(sx.Mean) || math.IsNaN(sy.Mean) {
			continue
		}
		pt := point{id: v.ID, x: sx.Mean, y: sy.Mean, xErr: zeroNaN(sx.HalfWide), yErr: zeroNaN(sy.HalfWide)}
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
	p.Title.Text = fmt.Sprintf("Cost per day vs %s, per variant (mean, %d%% CI)", Metrics[x].Label, int(ConfidenceLevel*100))
	p.X.Label.Text = axisLabel(Metrics[x]) + ": " + better
	p.Y.Label.Text = axisLabel(Metrics[cost]) + ": lower is better"
	for _, ts := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		ts.Font.Variant = "Sans"
	}
	p.Title.TextStyle.Font.Size = 13
	p.X.Label.TextStyle.Font.Size = 11
	p.Y.Label.TextStyle.Font.Size = 11
	p.X.Tick.Marker, p.Y.Tick.Marker = precisionTicks{}, precisionTicks{}
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
	if err := addGroup(p, front, frontColour, draw.CircleGlyph{}); err != nil {
		return nil, err
	}
	if err := addGroup(p, rest, dominatedColour, draw.TriangleGlyph{}); err != nil {
		return nil, err
	}
	all := append(append(points{}, front...), rest...)
	p.X.Min, p.X.Max = axisRange(all, func(pt point) (float64, float64) { return pt.x, pt.xErr }, Metrics[x].Unit == "%")
	p.Y.Min, p.Y.Max = axisRange(all, func(pt point) (float64, float64) { return pt.y, pt.yErr }, false)
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

// addGroup draws a group of variants: error bars, markers and labels. The
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
	xe.Color, ye.Color = c, c
	sc, err := plotter.NewScatter(ps)
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: g}
	labels := make([]string, len(ps))
	for i, pt := range ps {
		labels[i] = "v" + strconv.Itoa(pt.id)
	}
	xy := make(plotter.XYs, len(ps))
	for i := range ps {
		xy[i].X, xy[i].Y = ps.XY(i)
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
	p.Add(xe, ye, sc, lb)
	return nil
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

// axisRange spans the points' intervals, cut to what the outcome can be
// (never below 0; a percentage never above 100), with 5% of margin. A
// symmetric interval of a skewed outcome can reach below zero; the bars are
// clipped there rather than the axis stretched to show impossible values.
func axisRange(ps points, get func(point) (mid, err float64), percent bool) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, pt := range ps {
		m, e := get(pt)
		lo, hi = min(lo, max(0, m-e)), max(hi, m+e)
		if percent {
			hi = min(hi, 100)
		}
	}
	pad := 0.05 * (hi - lo)
	if pad == 0 {
		pad = max(1, math.Abs(hi)*0.05)
	}
	return max(0, lo-pad), hi + pad
}

package report

import (
	"bytes"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/schema"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

// Plot sizes: the width of a report column, and a height that keeps a day
// of minutes readable.
const (
	plotWidth  = 10 * vg.Inch
	plotHeight = 3.4 * vg.Inch
	pngDPI     = 144
	// A figure of stacked panels is panelHeight per panel plus panelHeader
	// for its title and legend.
	panelHeight = 1.75 * vg.Inch
	panelHeader = 0.8 * vg.Inch
)

// okabeIto is the Okabe-Ito colour-blind-safe palette, ordered so that the
// first colours are the most distinct on white (yellow last).
var okabeIto = [...]color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0x00, 0x00, 0x00, 0xFF}, // black
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

// colour returns the palette's i-th colour, cycling.
func colour(i int) color.RGBA { return okabeIto[i%len(okabeIto)] }

// Figure is one plot of the report: an ID (the file stem under plots/ and
// the HTML anchor), a title, and how to read it. Panels under the first
// share its time axis.
type Figure struct {
	ID      string
	Title   string
	Caption string
	plot    *plot.Plot
	below   []*plot.Plot
	legend  []legendEntry
}

// legendEntry is one key of a figure's legend, drawn above the plot.
type legendEntry struct {
	Label  string
	Color  color.Color
	Dashes []vg.Length // nil: solid
	Width  vg.Length   // of the line swatch; 0: 2.5 points
	Filled bool
}

// height is the figure's height: plotHeight, or panelHeight per panel.
func (f *Figure) height() vg.Length {
	if len(f.below) == 0 {
		return plotHeight
	}
	return panelHeader + vg.Length(1+len(f.below))*panelHeight
}

// SVG renders the figure as SVG.
func (f *Figure) SVG() ([]byte, error) {
	c := vgsvg.New(plotWidth, f.height())
	f.draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("plot %s: %w", f.ID, err)
	}
	return b.Bytes(), nil
}

// PNG renders the figure as PNG at pngDPI.
func (f *Figure) PNG() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(plotWidth, f.height()), vgimg.UseDPI(pngDPI), vgimg.UseBackgroundColor(color.White))
	f.draw(draw.New(c))
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("plot %s: %w", f.ID, err)
	}
	return b.Bytes(), nil
}

// draw puts the title at the top, the legend in rows below it, outside the
// data, and the plot under both.
func (f *Figure) draw(dc draw.Canvas) {
	ts := f.plot.Title.TextStyle
	ts.XAlign, ts.YAlign = text.XCenter, text.YTop
	top := dc.Max.Y - 4
	dc.FillText(ts, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: top}, f.Title)
	top -= ts.Height(f.Title) + 4

	sty := f.plot.Legend.TextStyle
	sty.YAlign = text.YCenter
	const swatch, gap = vg.Length(22), vg.Length(16)
	lineH := sty.Height("Mg") * 1.5
	left := dc.Min.X + 60
	x, y := left, top-lineH/2
	for i, e := range f.legend {
		w := swatch + 5 + sty.Width(e.Label)
		if x+w > dc.Max.X-10 && i > 0 {
			x, y = left, y-lineH
		}
		if e.Filled {
			dc.FillPolygon(e.Color, []vg.Point{{X: x, Y: y - 5}, {X: x + swatch, Y: y - 5}, {X: x + swatch, Y: y + 5}, {X: x, Y: y + 5}})
		} else {
			dc.StrokeLine2(draw.LineStyle{Color: e.Color, Width: max(e.Width, 2.5), Dashes: e.Dashes}, x, y, x+swatch, y)
		}
		dc.FillText(sty, vg.Point{X: x + swatch + 5, Y: y}, e.Label)
		x += w + gap
	}
	if len(f.legend) > 0 {
		top = y - lineH/2
	}
	dc = draw.Crop(dc, 0, 0, 0, top-dc.Max.Y)
	if len(f.below) == 0 {
		f.plot.Draw(dc)
		return
	}
	// Panels stacked, their data areas aligned so that times line up.
	rows := [][]*plot.Plot{{f.plot}}
	for _, p := range f.below {
		rows = append(rows, []*plot.Plot{p})
	}
	cs := plot.Align(rows, draw.Tiles{Rows: len(rows), Cols: 1, PadY: 6}, dc)
	for i, row := range rows {
		row[0].Draw(cs[i][0])
	}
}

// newPlot returns a plot in the report's style: sans-serif text, labelled
// axes and a light grid. Figure.draw writes the title.
func newPlot(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, ts := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle,
		&p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		ts.Font.Variant = "Sans"
	}
	p.Title.TextStyle.Font.Size = 14
	p.Title.Padding = 6
	p.X.Label.TextStyle.Font.Size = 11
	p.Y.Label.TextStyle.Font.Size = 11
	p.Legend.TextStyle.Font.Size = 11
	p.X.Tick.Label.Font.Size = 10
	p.Y.Tick.Label.Font.Size = 10
	p.Y.Tick.Marker = wholeTicks{plot.DefaultTicks{}}
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 0xDD}
	g.Horizontal.Color = color.Gray{Y: 0xDD}
	p.Add(g)
	return p
}

// calendarTicks is a plot.Ticker for x values in Unix seconds: labelled
// ticks at round calendar steps in the scenario's time zone, a minor tick
// between each.
type calendarTicks struct{ loc *time.Location }

var _ plot.Ticker = calendarTicks{}

// Ticks implements plot.Ticker.
func (ct calendarTicks) Ticks(lo, hi float64) []plot.Tick {
	span := time.Duration((hi - lo) * float64(time.Second))
	steps := []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
		3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s <= 9 {
			step = s
			break
		}
	}
	format := "15:04"
	switch {
	case step >= 24*time.Hour:
		format = "Mon 2 Jan"
	case span > 24*time.Hour:
		format = "Mon 15:04"
	}
	start := time.Unix(int64(math.Floor(lo)), 0).In(ct.loc)
	t := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, ct.loc)
	var ticks []plot.Tick
	for i := 0; i < 1000; i++ {
		next := t.Add(step)
		if step >= 24*time.Hour {
			next = t.AddDate(0, 0, int(step/(24*time.Hour)))
		}
		if v := unixSeconds(t); v >= lo && v <= hi {
			ticks = append(ticks, plot.Tick{Value: v, Label: t.Format(format)})
		}
		if mid := (unixSeconds(t) + unixSeconds(next)) / 2; mid >= lo && mid <= hi {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
		if unixSeconds(next) > hi {
			break
		}
		t = next
	}
	return ticks
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// timeAxis gives p a calendar x axis from the scenario's start to end.
func timeAxis(p *plot.Plot, res *sim.Result) {
	start := res.Config.Start
	p.X.Min, p.X.Max = unixSeconds(start), unixSeconds(start.Add(res.End.Duration()))
	p.X.Tick.Marker = calendarTicks{loc: start.Location()}
	p.X.Label.Text = "time (" + start.Format("MST") + ")"
}

// xs is the calendar x value of each sample time.
func xs(res *sim.Result, times []des.Time) []float64 {
	out := make([]float64, len(times))
	for i, t := range times {
		out[i] = unixSeconds(res.Config.Start.Add(t.Duration()))
	}
	return out
}

// column returns the named series column, or nil.
func column(res *sim.Result, name string) []float64 {
	for _, c := range res.Series.Columns {
		if c.Name == name {
			return c.Values
		}
	}
	return nil
}

// dashed is the dash pattern of targets (desired count, SLO).
var dashed = []vg.Length{6, 3}

// series is one line of a figure.
type series struct {
	label  string
	x, y   []float64
	color  color.Color
	dashes []vg.Length // nil: solid
	width  vg.Length   // 0: 2 points
	fill   bool        // fill the area below (stacked areas: add the tallest first)
	// keepAll keeps repeated values (a CDF's vertical steps).
	keepAll bool
}

// addSeries draws each series as a step line (values hold until the next
// sample) and keys it in the figure's legend.
func (f *Figure) addSeries(ss ...series) error { return f.addTo(f.plot, ss...) }

// addTo is addSeries on one of the figure's panels.
func (f *Figure) addTo(p *plot.Plot, ss ...series) error {
	for _, s := range ss {
		// A step line needs only the points where the value changes, and the
		// last one: a week of minutes stays a small SVG, losslessly.
		pts := make(plotter.XYs, 0, len(s.x))
		for i := range s.x {
			y := s.y[i]
			if math.IsNaN(y) || math.IsInf(y, 0) {
				continue
			}
			if n := len(pts); n > 0 && pts[n-1].Y == y && i < len(s.x)-1 && !s.keepAll {
				continue
			}
			pts = append(pts, plotter.XY{X: s.x[i], Y: y})
		}
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %s: %w", f.ID, s.label, err)
		}
		l.StepStyle = plotter.PostStep
		l.LineStyle.Color = s.color
		l.LineStyle.Width = 2
		if s.width > 0 {
			l.LineStyle.Width = s.width
		}
		l.LineStyle.Dashes = s.dashes
		if s.fill {
			l.FillColor = s.color
			l.LineStyle.Width = 0.5
		}
		p.Add(l)
		f.legend = append(f.legend, legendEntry{Label: s.label, Color: s.color, Dashes: s.dashes, Width: s.width, Filled: s.fill})
	}
	return nil
}

// newFigure starts a figure with a calendar x axis.
func newFigure(res *sim.Result, id, title, yLabel, caption string) *Figure {
	p := newPlot("", yLabel)
	timeAxis(p, res)
	p.Y.Min = 0
	return &Figure{ID: id, Title: title, Caption: caption, plot: p}
}

// Figures builds the report's plots, in the order the report shows them:
// cost rate, instances, reservation, each service (tasks, then load and
// response), each batch job, then placement waits. Figures with nothing to
// show are left out.
func Figures(res *sim.Result, cost *Cost) ([]*Figure, error) {
	var figs []*Figure
	add := func(f *Figure, err error) error {
		if f != nil && err == nil {
			figs = append(figs, f)
		}
		return err
	}
	if err := add(costRateFigure(res, cost)); err != nil {
		return nil, err
	}
	if res.Summary.Instances.Launched > 0 {
		if err := add(instanceFigure(res)); err != nil {
			return nil, err
		}
		if err := add(reservationFigure(res)); err != nil {
			return nil, err
		}
	}
	inc := &incidents{deployments: Deployments(res), faults: Faults(res)}
	for i := range res.Config.Services {
		if err := add(serviceFigure(res, inc, i)); err != nil {
			return nil, err
		}
		if err := add(loadFigure(res, inc, i)); err != nil {
			return nil, err
		}
	}
	for i, j := range res.Config.BatchJobs {
		if err := add(ownerFigure(res, fmt.Sprintf("job-%d", i+1), "Batch job "+j.Name, j.Name)); err != nil {
			return nil, err
		}
	}
	if err := add(waitFigure(res)); err != nil {
		return nil, err
	}
	return figs, nil
}

// ownerFigure plots a batch job's running, pending and provisioning tasks.
func ownerFigure(res *sim.Result, id, title, job string) (*Figure, error) {
	f := newFigure(res, id, title+": tasks", "tasks",
		"Running should meet desired; tasks PROVISIONING wait for capacity, PENDING ones are placed and starting.")
	x := xs(res, res.Series.Times)
	var ss []series
	for i, m := range []schema.Measure{schema.JobRunning, schema.JobPending, schema.JobProvisioning} {
		if v := column(res, schema.JobColumn(job, m)); v != nil {
			ss = append(ss, series{label: string(m), x: x, y: v, color: colour([]int{0, 1, 3}[i])})
		}
	}
	return f, f.addSeries(ss...)
}

// instanceFigure stacks launching on active instances.
func instanceFigure(res *sim.Result) (*Figure, error) {
	f := newFigure(res, "instances", "EC2 instances", "instances",
		"Container instances registered with the cluster (ACTIVE or DRAINING) and those still booting (launching), stacked.")
	active, launching := column(res, schema.InstancesActive), column(res, schema.InstancesLaunching)
	if active == nil || launching == nil {
		return nil, nil
	}
	total := make([]float64, len(active))
	for i := range total {
		total[i] = active[i] + launching[i]
	}
	x := xs(res, res.Series.Times)
	return f, f.addSeries(series{label: "launching", x: x, y: total, color: colour(1), fill: true},
		series{label: "active", x: x, y: active, color: colour(0), fill: true})
}

// reservationFigure plots reserved CPU and memory as a percentage of what
// the active instances registered.
func reservationFigure(res *sim.Result) (*Figure, error) {
	f := newFigure(res, "reservation", "Cluster reservation", "% of registered",
		"What tasks reserve of the registered CPU and memory of active instances (ECS's CPUReservation and MemoryReservation).")
	f.plot.Y.Max = 100
	pct := func(num, den []float64) []float64 {
		out := make([]float64, len(num))
		for i := range out {
			out[i] = math.NaN()
			if den[i] > 0 {
				out[i] = 100 * num[i] / den[i]
			}
		}
		return out
	}
	cr, cg := column(res, schema.CPUReservedUnits), column(res, schema.CPURegisteredUnits)
	mr, mg := column(res, schema.MemoryReservedMiB), column(res, schema.MemoryRegisteredMiB)
	if cr == nil || cg == nil || mr == nil || mg == nil {
		return nil, nil
	}
	x := xs(res, res.Series.Times)
	return f, f.addSeries(series{label: "CPU", x: x, y: pct(cr, cg), color: colour(0)},
		series{label: "memory", x: x, y: pct(mr, mg), color: colour(1), dashes: dashed})
}

// costRateFigure stacks each hour's spend rate ($/hour) by capacity
// provider: the top of the stack is the whole cluster's rate.
func costRateFigure(res *sim.Result, cost *Cost) (*Figure, error) {
	f := newFigure(res, "cost-rate", "Cost rate by capacity provider", "USD per hour",
		"Each hour's bill divided by the hour's length, stacked by capacity provider; the top edge is the cluster's rate.")
	h := cost.Hourly
	n := len(h.USD)
	if n == 0 || len(h.Providers) == 0 {
		return nil, nil
	}
	times := make([]des.Time, n+1)
	for i := range n {
		times[i] = des.Time(time.Duration(i) * time.Hour)
	}
	times[n] = res.End
	x := xs(res, times)
	stack := make([]float64, n+1)
	var ss []series
	for p := range h.Providers {
		y := make([]float64, n+1)
		for i := range n {
			hours := min(res.End.Duration()-time.Duration(i)*time.Hour, time.Hour).Hours()
			stack[i] += float64(h.USD[i][p]) / hours
			y[i] = stack[i]
		}
		y[n] = y[n-1]
		ss = append(ss, series{label: h.Providers[p], x: x, y: y, color: colour(p), fill: true})
	}
	slices.Reverse(ss) // tallest first, so that each band shows
	return f, f.addSeries(ss...)
}

// GroupWaits is the placement waits of one task group ("service:web",
// "family:etl"), from its tasks' events: PROVISIONING at creation to the
// first PENDING (placed), in event order.
type GroupWaits struct {
	Group string
	Waits []time.Duration
}

// PlacementWaits matches each task's creation to its placement in the event
// log, by task ID. Groups come in the order their first task appears.
func PlacementWaits(events []schema.Event) []GroupWaits {
	created := map[string]des.Time{}
	index := map[string]int{}
	var out []GroupWaits
	for _, e := range events {
		if e.Type != "TaskStateChange" {
			continue
		}
		switch e.Status {
		case "PROVISIONING":
			created[e.Subject] = e.At
		case "PENDING":
			at, ok := created[e.Subject]
			if !ok {
				continue
			}
			delete(created, e.Subject)
			i, ok := index[e.Group]
			if !ok {
				i = len(out)
				index[e.Group] = i
				out = append(out, GroupWaits{Group: e.Group})
			}
			out[i].Waits = append(out[i].Waits, (e.At - at).Duration())
		}
	}
	return out
}

// waitFigure plots the cumulative distribution of placement waits, one line
// per task group.
func waitFigure(res *sim.Result) (*Figure, error) {
	groups := PlacementWaits(res.Events)
	if len(groups) == 0 {
		return nil, nil
	}
	p := newPlot("placement wait (seconds)", "fraction of tasks placed")
	f := &Figure{ID: "placement-wait", Title: "Placement wait (task created to placed), cumulative", plot: p,
		Caption: "For each task group, the share of tasks placed within a given wait; a line at the left edge means no task waited."}
	var longest time.Duration
	for _, g := range groups {
		longest = max(longest, slices.Max(g.Waits))
	}
	if longest == 0 {
		f.Caption = "Every task was placed the moment it was created: all lines sit at zero wait, on top of each other."
	}
	xMax := math.Max(1, longest.Seconds()*1.05)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, xMax, 0, 1.02
	for i, g := range groups {
		w := slices.Sorted(slices.Values(g.Waits))
		x := []float64{w[0].Seconds()}
		y := []float64{0}
		for j, d := range w {
			x = append(x, d.Seconds())
			y = append(y, float64(j+1)/float64(len(w)))
		}
		x, y = append(x, xMax), append(y, 1)
		if err := f.addSeries(series{label: groupLabel(g.Group), x: x, y: y, color: colour(i), dashes: dashesIf(i >= len(okabeIto)), keepAll: true}); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// groupLabel turns an ECS task group into what the report calls it.
func groupLabel(g string) string {
	if s, ok := strings.CutPrefix(g, "service:"); ok {
		return s
	}
	if s, ok := strings.CutPrefix(g, "family:"); ok {
		return s + " (task family)"
	}
	return g
}

// dashesIf is dashed when b, else solid.
func dashesIf(b bool) []vg.Length {
	if b {
		return dashed
	}
	return nil
}

// wholeTicks is a plot.Ticker that drops the decimals of labels when every
// labelled tick is a whole number ("2500", not "2500.00").
type wholeTicks struct{ plot.Ticker }

// Ticks implements plot.Ticker.
func (w wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := w.Ticker.Ticks(lo, hi)
	for _, t := range ts {
		if t.Label != "" && t.Value != math.Trunc(t.Value) {
			return ts
		}
	}
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'f', 0, 64)
		}
	}
	return ts
}

package report

import (
	"bytes"
	"cmp"
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
	lines   int // data lines drawn: a figure with none is left out
	// traces are the series as drawn, panel by panel, and marks the
	// deployments and faults: the interactive chart's data (interactive.go).
	traces []trace
	marks  marks
	// timeAxis: x is calendar time, so the figure gets an interactive
	// chart; offset is the scenario zone's offset from UTC at the start.
	timeAxis bool
	offset   int
	zone     string           // "UTC", as the time axis is labelled
	idle     *IdleExplanation // the idle-capacity figure's numbers, for the page
}

// trace is one series drawn on one of a figure's panels.
type trace struct {
	panel *plot.Plot
	s     series
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
	// stacked: a band drawn on the next stacked series, its value y minus
	// the next's (the interactive readout shows the band's own value).
	stacked bool
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
		f.lines++
		f.traces = append(f.traces, trace{panel: p, s: s})
		f.legend = append(f.legend, legendEntry{Label: s.label, Color: s.color, Dashes: s.dashes, Width: s.width, Filled: s.fill})
	}
	return nil
}

// newFigure starts a figure with a calendar x axis.
func newFigure(res *sim.Result, id, title, yLabel, caption string) *Figure {
	p := newPlot("", yLabel)
	timeAxis(p, res)
	p.Y.Min = 0
	zone, offset := res.Config.Start.Zone()
	if zone == "" {
		zone = res.Config.Start.Format("MST")
	}
	return &Figure{ID: id, Title: title, Caption: caption, plot: p, timeAxis: true, offset: offset, zone: zone}
}

// Figures builds the report's plots, in the order the report shows them:
// cost rate, idle capacity by cause, instances, reservation, each service (tasks, then load and
// response; at most figureServiceCap services, the worst), each batch job,
// then placement waits. Figures with nothing to show are left out;
// plotsNotes says which and why.
func Figures(res *sim.Result, cost *Cost) ([]*Figure, error) {
	if res.EKS != nil {
		return eksFigures(res, cost) // report/eks_plots.go
	}
	var figs []*Figure
	add := func(f *Figure, err error) error {
		if f != nil && err == nil && f.lines > 0 {
			figs = append(figs, f)
		}
		return err
	}
	if err := add(costRateFigure(res, cost)); err != nil {
		return nil, err
	}
	if res.Summary.Instances.Launched > 0 {
		ex, err := ExplainIdle(res, cost)
		if err != nil {
			return nil, err
		}
		if err := add(idleFigure(res, ex)); err != nil {
			return nil, err
		}
		if err := add(instanceFigure(res)); err != nil {
			return nil, err
		}
		if err := add(reservationFigure(res)); err != nil {
			return nil, err
		}
	}
	if err := add(fargateFigure(res)); err != nil {
		return nil, err
	}
	inc := &incidents{deployments: Deployments(res), faults: Faults(res)}
	for _, i := range figureServices(res) {
		if err := add(serviceFigure(res, inc, i)); err != nil {
			return nil, err
		}
		if err := add(loadFigure(res, inc, i)); err != nil {
			return nil, err
		}
		if err := add(forecastFigure(res, inc, i)); err != nil { // predictive scaling (forecast.go)
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
	if err := add(commitmentFigure(res, cost)); err != nil { // commitfigure.go: with a [billing] table only
		return nil, err
	}
	return figs, nil
}

// figureServiceCap is the most services that get figures of their own.
const figureServiceCap = 8

// figureServices are the services (indexes into the scenario's) that get
// figures, in scenario order: each source service's worst copy (copies of
// one service look alike), and past figureServiceCap source services the
// worst of them.
func figureServices(res *sim.Result) []int {
	n := len(res.Config.Services)
	if len(res.Summary.Services) != n {
		n = min(n, figureServiceCap)
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	worse := serviceWorse(res.Summary.Services)
	var pick []int
	for _, f := range families(serviceNames(res)) {
		pick = append(pick, slices.MinFunc(f.Members, worse))
	}
	if len(pick) > figureServiceCap {
		slices.SortStableFunc(pick, worse)
		pick = pick[:figureServiceCap]
	}
	slices.Sort(pick)
	return pick
}

// serviceNames are the summary's service names, in scenario order.
func serviceNames(res *sim.Result) []string {
	names := make([]string, len(res.Summary.Services))
	for i, s := range res.Summary.Services {
		names[i] = s.Name
	}
	return names
}

// plotsNotes say which figures are left out and why, one line each.
func plotsNotes(res *sim.Result) []string {
	var notes []string
	if s := plotsNote(res); s != "" {
		notes = append(notes, s)
	} else if shown, n := len(figureServices(res)), len(res.Config.Services); shown < n {
		which := "the worst copy of each source service (copies = N look alike)"
		if len(families(serviceNames(res))) > figureServiceCap {
			which = fmt.Sprintf("the worst copy of each of the worst %d source services", figureServiceCap)
		}
		notes = append(notes, fmt.Sprintf("Service figures for %d of the %d services: %s. The others' numbers are in the services table.", shown, n, which))
	}
	if s := waitNote(res); s != "" {
		notes = append(notes, s)
	}
	return notes
}

// ownerFigure plots a batch job's running, pending and provisioning tasks.
func ownerFigure(res *sim.Result, id, title, job string) (*Figure, error) {
	f := newFigure(res, id, title+": tasks", "tasks",
		"The job's tasks by state: RUNNING; PENDING, placed and starting; PROVISIONING, waiting for capacity.")
	x := xs(res, res.Series.Times)
	var ss []series
	for i, m := range []schema.Measure{schema.JobRunning, schema.JobPending, schema.JobProvisioning} {
		if v := column(res, schema.JobColumn(job, m)); v != nil {
			ss = append(ss, series{label: string(m), x: x, y: v, color: colour([]int{0, 1, 3}[i])})
		}
	}
	return f, f.addSeries(ss...)
}

// instanceFigure stacks the Auto Scaling groups' instances in service by
// purchase option (On-Demand under Spot), with the instances drained for
// scale-in on top: the top edge is every instance launched and not yet
// terminated. Without group columns, active under launching.
func instanceFigure(res *sim.Result) (*Figure, error) {
	active, launching := column(res, schema.InstancesActive), column(res, schema.InstancesLaunching)
	if active == nil || launching == nil {
		return nil, nil
	}
	total := make([]float64, len(active))
	for i := range total {
		total[i] = active[i] + launching[i]
	}
	x := xs(res, res.Series.Times)
	od, spot := make([]float64, len(total)), make([]float64, len(total))
	groups := 0
	for _, g := range res.Config.Groups {
		o, s := column(res, schema.GroupColumn(g.Name, schema.GroupOnDemand)), column(res, schema.GroupColumn(g.Name, schema.GroupSpot))
		if o == nil || s == nil {
			continue
		}
		groups++
		for i := range od {
			od[i], spot[i] = od[i]+o[i], spot[i]+s[i]
		}
	}
	if groups == 0 {
		f := newFigure(res, "instances", "EC2 instances", "instances",
			"Container instances registered with the cluster (ACTIVE or DRAINING) and those still booting (launching), stacked.")
		return f, f.addSeries(series{label: "launching", x: x, y: total, color: colour(1), fill: true, stacked: true},
			series{label: "active", x: x, y: active, color: colour(0), fill: true, stacked: true})
	}
	f := newFigure(res, "instances", "EC2 instances by purchase option", "instances",
		"Instances in service in the Auto Scaling groups (booting, ACTIVE or DRAINING), On-Demand under Spot, stacked.")
	stackOD, stackSpot, top := od, make([]float64, len(od)), make([]float64, len(od))
	hasSpot, hasOther := false, false
	for i := range od {
		stackSpot[i] = od[i] + spot[i]
		top[i] = max(total[i], stackSpot[i])
		hasSpot = hasSpot || spot[i] > 0
		hasOther = hasOther || top[i] > stackSpot[i]
	}
	var ss []series
	if hasOther {
		ss = append(ss, series{label: "draining for scale-in", x: x, y: top, color: tint(colour(6), 0x50), fill: true, stacked: true})
	}
	if hasSpot {
		ss = append(ss, series{label: "Spot", x: x, y: stackSpot, color: colour(1), fill: true, stacked: true})
	}
	ss = append(ss, series{label: "On-Demand", x: x, y: stackOD, color: colour(0), fill: true, stacked: true})
	if hasOther {
		f.Caption += " On top, instances drained for scale-in and not yet terminated: the top edge is every instance launched and not yet terminated."
	}
	if !hasSpot {
		f.Caption = strings.Replace(f.Caption, ", On-Demand under Spot, stacked.", ": all On-Demand, no Spot instance ran.", 1)
	}
	err := f.addSeries(ss...)
	headroom(f.plot)
	return f, err
}

// fargateFigure plots the Fargate tasks over time, for runs on Fargate
// alone (with EC2, the cost rate and the services' figures show them).
func fargateFigure(res *sim.Result) (*Figure, error) {
	v := column(res, schema.FargateTasks)
	if res.Summary.Instances.Launched > 0 || !hasPositive(v) {
		return nil, nil
	}
	f := newFigure(res, "fargate", "Fargate tasks", "tasks",
		"Fargate and Fargate Spot tasks not yet STOPPED (provisioning, pending, running or stopping); this run launched no EC2 instance.")
	err := f.addSeries(series{label: "Fargate tasks", x: xs(res, res.Series.Times), y: v, color: colour(0), fill: true})
	headroom(f.plot)
	return f, err
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
		ss = append(ss, series{label: h.Providers[p], x: x, y: y, color: colour(p), fill: true, stacked: true})
	}
	slices.Reverse(ss) // tallest first, so that each band shows
	err := f.addSeries(ss...)
	headroom(f.plot)
	return f, err
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
		if e.Type != schema.TaskStateChange {
			continue
		}
		switch e.Status {
		case statusProvisioning:
			created[e.Subject] = e.At
		case statusPending:
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

// waitLines is the most lines the placement-wait figure draws; further
// task groups share one line.
const waitLines = 8

// waitNote says why the placement-wait figure is missing, or "".
func waitNote(res *sim.Result) string {
	groups := PlacementWaits(res.Events)
	switch {
	case !res.Config.Settings.TaskEvents:
		return "No placement-wait distribution: it needs task events, which this run did not record ([report] task_events = false); each service's p50, p95 and max wait are in the services table."
	case len(groups) == 0:
		return ""
	case longestWait(groups) == 0:
		return "No placement-wait figure: no task waited, every task was placed the moment it was created."
	}
	return ""
}

func longestWait(groups []GroupWaits) time.Duration {
	var longest time.Duration
	for _, g := range groups {
		longest = max(longest, slices.Max(g.Waits))
	}
	return longest
}

// waitGroups merges the placement waits of a source service's copies into
// one line, and, past waitLines, the groups with the shortest p95 into one.
func waitGroups(groups []GroupWaits) []GroupWaits {
	var services []string
	for _, g := range groups {
		if s, ok := strings.CutPrefix(g.Group, serviceGroupPrefix); ok {
			services = append(services, s)
		}
	}
	copyOf := map[string]string{}
	for _, f := range families(services) {
		for _, i := range f.Members {
			if f.Copies() {
				copyOf[services[i]] = f.Base + " (copies)"
			}
		}
	}
	var out []GroupWaits
	at := map[string]int{}
	for _, g := range groups {
		label := groupLabel(g.Group)
		if s, isSvc := strings.CutPrefix(g.Group, serviceGroupPrefix); isSvc && copyOf[s] != "" {
			label = copyOf[s]
		}
		i, ok := at[label]
		if !ok {
			i = len(out)
			at[label] = i
			out = append(out, GroupWaits{Group: label})
		}
		out[i].Waits = append(out[i].Waits, g.Waits...)
	}
	if len(out) <= waitLines {
		return out
	}
	p95 := func(g GroupWaits) time.Duration { return nearestRank(slices.Sorted(slices.Values(g.Waits)), 0.95) }
	order := slices.Clone(out)
	slices.SortStableFunc(order, func(a, b GroupWaits) int { return cmp.Compare(p95(b), p95(a)) })
	keep := map[string]bool{}
	for _, g := range order[:waitLines-1] {
		keep[g.Group] = true
	}
	var kept []GroupWaits
	other := GroupWaits{Group: fmt.Sprintf("%d other groups", len(out)-waitLines+1)}
	for _, g := range out {
		if keep[g.Group] {
			kept = append(kept, g)
		} else {
			other.Waits = append(other.Waits, g.Waits...)
		}
	}
	return append(kept, other)
}

// waitFigure plots the cumulative distribution of placement waits, one line
// per task group (copies of a service together). Nil when no task waited.
// The x axis is logarithmic when the waits span more than logSpan, so that
// the tail shows; zero waits then sit at the left edge.
func waitFigure(res *sim.Result) (*Figure, error) {
	groups := PlacementWaits(res.Events)
	if len(groups) == 0 || longestWait(groups) == 0 {
		return nil, nil
	}
	groups = waitGroups(groups)
	const logSpan = 30
	longest, shortest := longestWait(groups), time.Duration(math.MaxInt64)
	for _, g := range groups {
		for _, w := range g.Waits {
			if w > 0 {
				shortest = min(shortest, w)
			}
		}
	}
	p := newPlot("placement wait (seconds)", "fraction of tasks placed")
	f := &Figure{ID: "placement-wait", Title: "Placement wait (task created to placed), cumulative", plot: p,
		Caption: "For each task group, the share of its tasks placed within a given wait; a line's height at the left edge is the share placed at once."}
	xMin, xMax := 0.0, longest.Seconds()*1.05
	logX := longest.Seconds()/shortest.Seconds() > logSpan
	if logX {
		xMin = math.Pow(10, math.Floor(math.Log10(shortest.Seconds()/1.5)))
		xMax = longest.Seconds() * 1.5
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		f.Caption = "For each task group, the share of its tasks placed within a given wait, on a logarithmic axis so that the long waits show; " +
			"a line's height at the left edge is the share placed within " + seconds(xMin) + ", those placed at once included."
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xMin, xMax, 0, 1.02
	for i, g := range groups {
		w := slices.Sorted(slices.Values(g.Waits))
		at := func(d time.Duration) float64 { return max(d.Seconds(), xMin) }
		x := []float64{at(w[0])}
		y := []float64{0}
		for j, d := range w {
			x = append(x, at(d))
			y = append(y, float64(j+1)/float64(len(w)))
		}
		x, y = append(x, xMax), append(y, 1)
		if err := f.addSeries(series{label: g.Group, x: x, y: y, color: colour(i), dashes: dashesIf(i >= len(okabeIto)), keepAll: true}); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// groupLabel turns an ECS task group into what the report calls it.
func groupLabel(g string) string {
	if s, ok := strings.CutPrefix(g, serviceGroupPrefix); ok {
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

package report

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sim/schema"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// markKind is how a deployment or a fault is drawn on a service's figures:
// a shaded span with a solid left edge, or a vertical line.
type markKind struct {
	label  string
	edge   color.Color
	fill   color.Color // nil: a line, not a span
	dashes []vg.Length
}

// The marks, in legend order. Deployments are in colour (blue, red when
// failed, purple for a rollback), faults in greys, so that neither reads as
// a data line.
var (
	markDeploy   = markKind{label: "deployment", edge: colour(4), fill: tint(colour(4), 0x60)}
	markFailed   = markKind{label: "deployment failed", edge: colour(3), fill: tint(colour(3), 0x70)}
	markRollback = markKind{label: "rollback", edge: colour(5), fill: tint(colour(5), 0x60)}
	markOutage   = markKind{label: "zone outage", edge: color.Gray{Y: 0x70}, fill: color.RGBA{0x70, 0x70, 0x70, 0x30}}
	markInstance = markKind{label: "instance failure", edge: color.Gray{Y: 0x40}}
	markSpot     = markKind{label: "Spot interruption", edge: color.Gray{Y: 0x40}, dashes: []vg.Length{4, 2, 1, 2}}
	markFargate  = markKind{label: "Fargate Spot interruption", edge: color.Gray{Y: 0x40}, dashes: []vg.Length{1.5, 2}}
	markOrder    = []*markKind{&markDeploy, &markFailed, &markRollback, &markOutage, &markInstance, &markSpot, &markFargate}
)

// tint is c at alpha a (premultiplied, as color.RGBA wants).
func tint(c color.RGBA, a uint8) color.RGBA {
	f := func(v uint8) uint8 { return uint8(uint16(v) * uint16(a) / 0xFF) }
	return color.RGBA{f(c.R), f(c.G), f(c.B), a}
}

// minSpan is the narrowest a span is drawn, so that a one-minute deployment
// still shows on a week's axis.
const minSpan = 3 * vg.Millimeter

// mark is one deployment or fault on the time axis (x in Unix seconds).
type mark struct {
	kind   *markKind
	x0, x1 float64
}

// marks is a plot.Plotter that draws deployments and faults across the
// whole height of the data area. Added before the data lines, it lies under
// them.
type marks []mark

var _ plot.Plotter = marks(nil)

// Plot implements plot.Plotter.
func (ms marks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	clamp := func(x vg.Length) vg.Length { return min(max(x, c.Min.X), c.Max.X) }
	var end vg.Length // right edge of the last deployment drawn
	for _, m := range ms {
		x0 := trX(m.x0)
		if m.kind.fill != nil {
			if m.kind != &markOutage {
				// a deployment right after another (a rollback) starts
				// where the other's widened span ends
				x0 = max(x0, end)
			}
			x1 := clamp(max(trX(m.x1), x0+minSpan))
			if m.kind != &markOutage {
				end = x1
			}
			x0 = clamp(x0)
			c.FillPolygon(m.kind.fill, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
		}
		c.StrokeLine2(draw.LineStyle{Color: m.kind.edge, Width: 1.2, Dashes: m.kind.dashes}, clamp(x0), c.Min.Y, clamp(x0), c.Max.Y)
	}
}

// incidents are a run's deployments and faults, read once for every
// service's figures.
type incidents struct {
	deployments []Deployment
	faults      []Fault
}

// serviceMarks are the marks of one service's figures: its deployments
// (but the first, which starts with the run) and the faults that touched
// it (none when the run recorded no task events: it cannot tell).
func serviceMarks(res *sim.Result, inc *incidents, service string) marks {
	x := func(t des.Time) float64 { return unixSeconds(res.Config.Start.Add(t.Duration())) }
	var ms marks
	for _, d := range inc.deployments {
		if d.Service != service || d.Initial {
			continue
		}
		k := &markDeploy
		switch {
		case d.Bad():
			k = &markFailed
		case d.Rollback:
			k = &markRollback
		}
		ms = append(ms, mark{kind: k, x0: x(d.Start), x1: x(d.End)})
	}
	for _, f := range inc.faults {
		if !f.Touched(service) {
			continue
		}
		ms = append(ms, mark{kind: faultMark(f.Kind), x0: x(f.Start), x1: x(f.End)})
	}
	return ms
}

// faultMark is how a kind of fault is drawn.
func faultMark(kind string) *markKind {
	switch kind {
	case FaultZoneOutage:
		return &markOutage
	case FaultInstanceFailure:
		return &markInstance
	case FaultSpotInterruption:
		return &markSpot
	}
	return &markFargate
}

// addMarks draws ms on each of the figure's panels; added before the data
// lines, they lie under them.
func (f *Figure) addMarks(ms marks) {
	if len(ms) == 0 {
		return
	}
	f.marks = ms
	for _, p := range append([]*plot.Plot{f.plot}, f.below...) {
		p.Add(ms)
	}
}

// keyMarks keys each kind of mark in ms in the legend, after the data lines.
func (f *Figure) keyMarks(ms marks) {
	for _, k := range markOrder {
		if !slices.ContainsFunc(ms, func(m mark) bool { return m.kind == k }) {
			continue
		}
		if k.fill != nil {
			f.legend = append(f.legend, legendEntry{Label: k.label, Color: k.fill, Filled: true})
		} else {
			f.legend = append(f.legend, legendEntry{Label: k.label, Color: k.edge, Dashes: k.dashes})
		}
	}
}

// markCap is the most deployments and faults a figure's caption lists.
const markCap = 4

// marksCaption names a service's marked deployments and faults with their
// times, for the caption: the figure's legend says only what kind they are.
func marksCaption(res *sim.Result, inc *incidents, service string) string {
	var items []string
	for _, d := range inc.deployments {
		if d.Service == service && !d.Initial {
			what := "deployment"
			if d.Rollback {
				what = "rollback"
			}
			items = append(items, fmt.Sprintf("%s of %s at %s, %s after %s", what, d.TaskDefinition, clock(res, d.Start), d.Outcome, span(d.End-d.Start)))
		}
	}
	for _, f := range inc.faults {
		if !f.Touched(service) {
			continue
		}
		s := f.Label() + " at " + clock(res, f.Start)
		if f.Kind == FaultZoneOutage {
			s += " for " + span(f.End-f.Start)
		}
		items = append(items, s)
	}
	unknown := ""
	if len(inc.faults) > 0 && !res.Config.Settings.TaskEvents {
		unknown = " Faults are not marked: " + noTaskEvents + "."
	}
	if len(items) == 0 {
		return unknown
	}
	more := ""
	if len(items) > markCap {
		more = fmt.Sprintf("; and %d more", len(items)-markCap)
		items = items[:markCap]
	}
	return " " + marksKey(serviceMarks(res, inc, service)) + " Marked: " + strings.Join(items, "; ") + more + " (all in Deployments and faults)." + unknown
}

// marksKey says how the kinds of marks present are drawn: "Shaded:
// deployments, from start to completed or failed. Lines: Spot
// interruptions that touched a task of this service."
func marksKey(ms marks) string {
	has := func(ks ...*markKind) bool {
		return slices.ContainsFunc(ms, func(m mark) bool { return slices.Contains(ks, m.kind) })
	}
	var shaded, lines []string
	if has(&markDeploy, &markFailed, &markRollback) {
		shaded = append(shaded, "deployments, from start to completed or failed")
	}
	if has(&markOutage) {
		shaded = append(shaded, "zone outages")
	}
	if has(&markInstance) {
		lines = append(lines, "instance failures")
	}
	if has(&markSpot) {
		lines = append(lines, "Spot interruptions")
	}
	if has(&markFargate) {
		lines = append(lines, "Fargate Spot interruptions")
	}
	var out []string
	if len(shaded) > 0 {
		out = append(out, "Shaded: "+strings.Join(shaded, ", and ")+".")
	}
	if len(lines) > 0 {
		out = append(out, "Lines: "+strings.Join(lines, ", ")+".")
	}
	if has(&markOutage, &markInstance, &markSpot, &markFargate) {
		out = append(out, "Faults are marked where they touched a task of this service.")
	}
	return strings.Join(out, " ")
}

// clock is a simulated time as the report shows it.
func clock(res *sim.Result, t des.Time) string {
	return res.Config.Start.Add(t.Duration()).Format("Mon 15:04:05")
}

// span formats a length of time for people: "36 s", "7 min", "1 h 5 min".
func span(t des.Time) string {
	d := t.Duration().Round(time.Second)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + " s"
	case d < time.Hour && d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", d/time.Minute, d%time.Minute/time.Second)
	}
	d = d.Round(time.Minute)
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
	return fmt.Sprintf("%d h %d min", d/time.Hour, d%time.Hour/time.Minute)
}

// serviceFigure plots a service's tasks by state, its healthy tasks and its
// desired count, with its deployments and the run's faults marked. Nil when
// the run recorded no per-service series.
func serviceFigure(res *sim.Result, inc *incidents, i int) (*Figure, error) {
	name := res.Config.Services[i].Name
	col := func(m schema.Measure) []float64 { return column(res, schema.ServiceColumn(name, m)) }
	if col(schema.ServiceRunning) == nil {
		return nil, nil
	}
	f := newFigure(res, fmt.Sprintf("service-%d", i+1), "Service "+name+": tasks", "tasks",
		"Running should meet desired; healthy tasks passed their health checks (the light band, around running when all are healthy); "+
			"tasks PROVISIONING wait for capacity, PENDING ones are placed and starting.")
	f.Caption += marksCaption(res, inc, name)
	ms := serviceMarks(res, inc, name)
	f.addMarks(ms)
	x := xs(res, res.Series.Times)
	// Running, healthy and desired are often equal: healthy is a wide
	// light band under running, desired thin and dashed on top, so that all
	// three show.
	var ss []series
	if h := col(schema.ServiceHealthy); h != nil {
		ss = append(ss, series{label: "healthy", x: x, y: h, color: tint(colour(2), 0x80), width: 6})
	}
	for i, m := range []schema.Measure{schema.ServiceRunning, schema.ServicePending, schema.ServiceProvisioning} {
		if v := col(m); v != nil {
			ss = append(ss, series{label: string(m), x: x, y: v, color: colour([]int{0, 1, 3}[i])})
		}
	}
	if d := col(schema.ServiceDesired); d != nil {
		ss = append(ss, series{label: "desired", x: x, y: d, color: colour(6), dashes: dashed, width: 1.2})
	}
	if err := f.addSeries(ss...); err != nil {
		return nil, err
	}
	headroom(f.plot)
	f.keyMarks(ms)
	return f, nil
}

// loadFigure plots a service with a load in stacked panels on one time
// axis: requests per second offered (and dropped), running tasks, CPU (and
// memory) utilisation, and mean response time against the latency SLO; a
// panel without data (a queue consumer's response) is left out. Panels
// rather than two y scales: each keeps its own unit. Nil when the service
// has no load or the run recorded no per-service series.
func loadFigure(res *sim.Result, inc *incidents, i int) (*Figure, error) {
	cfg := &res.Config.Services[i]
	col := func(m schema.Measure) []float64 { return column(res, schema.ServiceColumn(cfg.Name, m)) }
	rate := col(schema.ServiceLoadRPS)
	if !hasData(rate) {
		return nil, nil
	}
	queue := cfg.Load.Queue
	title, unit, offered := "Service "+cfg.Name+": load and response", "requests/s", "offered req/s"
	if queue {
		title, unit, offered = "Service "+cfg.Name+": queue load and backlog", "messages/s", "arriving msg/s"
	}
	f := newFigure(res, fmt.Sprintf("service-%d-load", i+1), title, unit, "")
	x := xs(res, res.Series.Times)
	ms := serviceMarks(res, inc, cfg.Name)
	f.addMarks(ms) // before the data, so that the marks lie under it
	panel := func(label string) *plot.Plot {
		p := newPlot("", label)
		timeAxis(p, res)
		p.Y.Min = 0
		if len(ms) > 0 {
			p.Add(ms)
		}
		f.below = append(f.below, p)
		return p
	}
	caption := []string{"Requests per second offered to the service, the tasks running to serve them, their CPU utilisation and the mean response time, minute by minute."}
	if queue {
		caption = []string{"Messages per second arriving in the queue, the tasks running to consume them, the share of their processing capacity in use, and the messages waiting, minute by minute."}
	}
	ss := []series{{label: offered, x: x, y: rate, color: colour(0)}}
	if d := col(schema.ServiceDroppedRPS); hasPositive(d) {
		ss = append(ss, series{label: "dropped req/s", x: x, y: d, color: colour(3), fill: true})
		caption = append(caption, droppedCaption(summaryOf(res, cfg.Name)))
	} else if hasData(d) {
		caption = append(caption, "No request was dropped.")
	}
	if err := f.addTo(f.plot, ss...); err != nil {
		return nil, err
	}
	// colours unlike the other panels', for the one legend
	if run := col(schema.ServiceRunning); hasData(run) {
		if err := f.addTo(panel("running tasks"), series{label: "running tasks", x: x, y: run, color: colour(6)}); err != nil {
			return nil, err
		}
	}
	if hasData(col(schema.ServiceCPU)) {
		clip, err := f.addUtilisation(panel("utilisation %"), x, col)
		if err != nil {
			return nil, err
		}
		caption = append(caption, clip)
	}
	if b := col(schema.ServiceBacklog); queue && hasData(b) {
		if err := f.addTo(panel("backlog messages"), series{label: "backlog", x: x, y: b, color: colour(2)}); err != nil {
			return nil, err
		}
	}
	if r := col(schema.ServiceResponseMs); hasData(r) {
		c, err := f.addResponse(panel("response ms"), x, r, cfg.Load.LatencySLO)
		if err != nil {
			return nil, err
		}
		caption = append(caption, c)
	}
	f.shareTimeAxis(res)
	f.Caption = strings.Join(slices.DeleteFunc(caption, func(s string) bool { return s == "" }), " ") + marksCaption(res, inc, cfg.Name)
	f.keyMarks(ms)
	return f, nil
}

// droppedCaption says what share of its requests a service dropped.
func droppedCaption(sv *ecs.ServiceSummary) string {
	if sv == nil || sv.RequestsOffered <= 0 {
		return ""
	}
	return fmt.Sprintf("Dropped (filled): %s of the requests offered over the run.",
		strconv.FormatFloat(100*sv.RequestsDropped/sv.RequestsOffered, 'f', 2, 64)+"%")
}

// addResponse puts the mean response time on p, and the latency SLO (0:
// none) as a dashed line; the caption says how to read the SLO.
func (f *Figure) addResponse(p *plot.Plot, x, resp []float64, latencySLO time.Duration) (string, error) {
	if err := f.addTo(p, series{label: "mean response", x: x, y: resp, color: colour(2)}); err != nil {
		return "", err
	}
	if latencySLO <= 0 {
		return "", nil
	}
	slo := float64(latencySLO) / float64(time.Millisecond)
	err := f.addTo(p, series{label: "latency SLO", x: []float64{x[0], x[len(x)-1]}, y: []float64{slo, slo}, color: colour(3), dashes: dashed})
	return "The dashed line is the latency SLO; the share of requests served within it is in the services table.", err
}

// shareTimeAxis leaves the time labels to the bottom panel of a stacked
// figure, and lifts every panel's y axis above its data.
func (f *Figure) shareTimeAxis(res *sim.Result) {
	all := append([]*plot.Plot{f.plot}, f.below...)
	for _, p := range all[:len(all)-1] {
		p.X.Tick.Marker = unlabelled{p.X.Tick.Marker}
		p.X.Label.Text = ""
	}
	if len(f.below) == 0 {
		f.plot.X.Label.Text = "time (" + res.Config.Start.Format("MST") + ")"
	}
	for _, p := range all {
		headroom(p)
	}
}

// utilisationCap is the least top of a utilisation axis: 100%, so that a
// quiet service looks quiet.
const utilisationCap = 100

// addUtilisation puts CPU (and memory, when modelled) utilisation on p.
// The axis reaches 100% at least, and past that the 99th percentile with
// a tenth of headroom (in steps of 25%): overload beyond it is clipped at
// the top and the returned caption says how far it went.
func (f *Figure) addUtilisation(p *plot.Plot, x []float64, col func(schema.Measure) []float64) (string, error) {
	ss := []series{{label: "CPU %", x: x, y: col(schema.ServiceCPU), color: colour(1)}}
	if m := col(schema.ServiceMemory); hasPositive(m) {
		ss = append(ss, series{label: "memory %", x: x, y: m, color: colour(5), dashes: dashed})
	}
	var vs []float64
	for _, s := range ss {
		for _, v := range s.y {
			if !math.IsNaN(v) {
				vs = append(vs, v)
			}
		}
	}
	if err := f.addTo(p, ss...); err != nil {
		return "", err
	}
	p.Y.Max = utilisationCap
	if len(vs) == 0 {
		return "", nil
	}
	slices.Sort(vs)
	top, p99 := vs[len(vs)-1], vs[int(math.Ceil(0.99*float64(len(vs))))-1]
	limit := max(utilisationCap, math.Ceil(p99*1.1/25)*25)
	p.Y.Max = min(limit, max(top, utilisationCap))
	if top <= limit {
		return "", nil
	}
	over := 0
	for _, v := range vs {
		if v > limit {
			over++
		}
	}
	return fmt.Sprintf("Utilisation is clipped at %s%%: overload reached %s%% (%s above the top of the axis).",
		num(limit), strconv.FormatFloat(top, 'f', 0, 64), plural(over, "sample")), nil
}

// headroom lifts p's y axis a little above its data, so that a line at the
// maximum (running at desired) does not lie on the plot's top edge.
func headroom(p *plot.Plot) {
	if p.Y.Max > p.Y.Min {
		p.Y.Max += 0.06 * (p.Y.Max - p.Y.Min)
	}
}

// hasData reports whether v has a number that is not NaN.
func hasData(v []float64) bool {
	return slices.ContainsFunc(v, func(x float64) bool { return !math.IsNaN(x) })
}

// hasPositive reports whether v has a number above zero.
func hasPositive(v []float64) bool {
	return slices.ContainsFunc(v, func(x float64) bool { return x > 0 })
}

// unlabelled is a plot.Ticker that keeps another's ticks without their
// labels: the upper panels of a stacked figure share the bottom's labels.
type unlabelled struct{ plot.Ticker }

// Ticks implements plot.Ticker.
func (u unlabelled) Ticks(lo, hi float64) []plot.Tick {
	ts := u.Ticker.Ticks(lo, hi)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// summaryOf is a service's summary, or nil.
func summaryOf(res *sim.Result, name string) *ecs.ServiceSummary {
	for i := range res.Summary.Services {
		if res.Summary.Services[i].Name == name {
			return &res.Summary.Services[i]
		}
	}
	return nil
}

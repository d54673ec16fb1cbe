package report

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/schema"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// runDashes are the runs' dash patterns, in run order, so that the lines
// of a comparison tell apart in grey too: solid, dashed, dotted, dash-dot,
// long dash, short dash.
//
// Each fits the legend's 22-point swatch whole, so the key shows the pattern.
var runDashes = [][]vg.Length{nil, {6, 2}, {1.5, 2.5}, {8, 3, 2, 3}, {9, 4}, {3, 3}}

// runStyle is run i's line: its palette colour and dash pattern.
func runStyle(i int, label string, x, y []float64) series {
	return series{label: label, x: x, y: y, color: colour(i), dashes: runDashes[i%len(runDashes)], width: 2}
}

// compareFigure is a figure of the comparison page; a figure Compare could
// not draw keeps its title and says why in Note.
type compareFigure struct {
	*Figure
	Note string
}

// sinceStartAxis is the comparison's x axis: hours since each run's own
// start, so that runs of different start times line up.
const sinceStartAxis = "hours since each run's start"

// newCompareFigure starts a figure whose x axis runs from each run's start
// to the end of the longest run, in hours.
func newCompareFigure(runs []run, id, title, yLabel, caption string) *Figure {
	p := newPlot(sinceStartAxis, yLabel)
	var longest time.Duration
	for _, r := range runs {
		longest = max(longest, r.Duration)
	}
	p.X.Min, p.X.Max = 0, longest.Hours()
	p.X.Tick.Marker = hourTicks{}
	p.Y.Min = 0
	return &Figure{ID: id, Title: title, Caption: caption, plot: p}
}

// pad gives a figure's y axis room above the tallest line and a little
// below zero, so that a line at its maximum or at zero does not hide in
// the frame or the axis. Call it once the lines are added.
func pad(f *Figure) {
	p := f.plot
	if p.Y.Max <= p.Y.Min {
		p.Y.Max = p.Y.Min + 1
	}
	p.Y.Max *= 1.08
	p.Y.Min = -0.03 * p.Y.Max
}

// compareFigures builds the comparison's overlays, in the order the page
// shows them: instances, cost rate, each service present in every run,
// placement waits.
func compareFigures(runs []run, labels []string) ([]compareFigure, error) {
	var figs []compareFigure
	for _, build := range []func([]run, []string) ([]compareFigure, error){
		compareInstances, compareCostRate, compareServices, compareWaits,
	} {
		fs, err := build(runs, labels)
		if err != nil {
			return nil, err
		}
		figs = append(figs, fs...)
	}
	return figs, nil
}

// hours is each sample offset in hours.
func hours(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Hours()
	}
	return out
}

// compareInstances overlays each run's EC2 instances, launching and active.
func compareInstances(runs []run, labels []string) ([]compareFigure, error) {
	caption := "Container instances registered with the cluster (ACTIVE or DRAINING) plus those still booting, per run."
	if anyEKS(runs) {
		caption = "EC2 instances per run, those still booting included: an ECS run's container instances (ACTIVE or DRAINING), an EKS run's nodes (Ready or launching; Fargate pods have none)."
	}
	f := newCompareFigure(runs, "compare-instances", "EC2 instances", "instances", caption)
	f.plot.Y.Tick.Marker = countTicks{}
	for i, r := range runs {
		active, launching := r.Series.Columns[schema.InstancesActive], r.Series.Columns[schema.InstancesLaunching]
		total := make([]float64, len(active))
		for j := range total {
			total[j] = active[j] + launching[j]
		}
		if err := f.addSeries(runStyle(i, labels[i], hours(r.Series.Offsets), total)); err != nil {
			return nil, err
		}
	}
	pad(f)
	return []compareFigure{{Figure: f}}, nil
}

// compareCostRate overlays each run's spend rate: each hour's bill, all
// capacity providers together, divided by the hour's length (the last hour
// may be short).
func compareCostRate(runs []run, labels []string) ([]compareFigure, error) {
	caption := "Each hour's bill (cost.json, all capacity providers) divided by the hour's length, per run."
	if anyEKS(runs) {
		caption = "Each hour's EC2 and Fargate bill (cost.json's hourly: an EKS run's nodes, without its control plane, which adds a flat rate the table counts) divided by the hour's length, per run."
	}
	f := newCompareFigure(runs, "compare-cost-rate", "Cost rate", "USD per hour", caption)
	for i, r := range runs {
		end := time.Duration(r.Cost.SimulatedSeconds) * time.Second
		var x, y []float64
		for h, row := range r.Cost.Hourly.USD {
			var usd float64
			for _, v := range row {
				usd += float64(v)
			}
			from := time.Duration(h) * time.Hour
			x, y = append(x, from.Hours()), append(y, usd/min(end-from, time.Hour).Hours())
		}
		if len(y) == 0 {
			continue
		}
		x, y = append(x, end.Hours()), append(y, y[len(y)-1])
		if err := f.addSeries(runStyle(i, labels[i], x, y)); err != nil {
			return nil, err
		}
	}
	pad(f)
	return []compareFigure{{Figure: f}}, nil
}

// commonServices is the services every run has, in the first run's order.
func commonServices(runs []run) []string {
	if anyEKS(runs) {
		return commonWorkloads(runs) // compare_orch.go: an EKS run's Deployments stand for services
	}
	var names []string
	for _, s := range runs[0].Summary.Services {
		every := true
		for _, r := range runs[1:] {
			every = every && slices.ContainsFunc(r.Summary.Services, func(o ecs.ServiceSummary) bool { return o.Name == s.Name })
		}
		if every {
			names = append(names, s.Name)
		}
	}
	return names
}

// compareServices overlays, for each service present in every run, its
// running tasks. A run without per-service columns skips the figure.
func compareServices(runs []run, labels []string) ([]compareFigure, error) {
	names := commonServices(runs)
	if len(names) == 0 {
		return []compareFigure{{Figure: &Figure{ID: "compare-services", Title: "Services: running tasks"},
			Note: "No service is present in every run: nothing to overlay."}}, nil
	}
	var figs []compareFigure
	for k, n := range names {
		id, title := "compare-service-"+strconv.Itoa(k+1), "Service "+n+": running tasks"
		col := schema.ServiceColumn(n, schema.ServiceRunning)
		var without []string
		for i, r := range runs {
			if r.Series.Columns[col] == nil {
				without = append(without, labels[i])
			}
		}
		if len(without) > 0 {
			figs = append(figs, compareFigure{Figure: &Figure{ID: id, Title: title},
				Note: "Not drawn: timeseries.csv has no per-service columns in " + strings.Join(without, ", ") +
					" (the scenario's [report] service_series is off)."})
			continue
		}
		caption, unit := "Tasks of service "+n+" in the RUNNING state, per run.", "tasks"
		if anyEKS(runs) {
			title, unit = "Service "+n+": running tasks / pods", "tasks / pods"
			caption = "Per run: an ECS run's tasks of service " + n + " in the RUNNING state, an EKS run's pods of Deployment " + n + " less those Pending."
		}
		f := newCompareFigure(runs, id, title, unit, caption)
		f.plot.Y.Tick.Marker = countTicks{}
		for i, r := range runs {
			if err := f.addSeries(runStyle(i, labels[i], hours(r.Series.Offsets), r.Series.Columns[col])); err != nil {
				return nil, err
			}
		}
		pad(f)
		figs = append(figs, compareFigure{Figure: f})
	}
	return figs, nil
}

// compareWaits overlays each run's placement-wait CDF, every task group of
// the run together (events.csv: PROVISIONING to first PENDING).
func compareWaits(runs []run, labels []string) ([]compareFigure, error) {
	const id, title = "compare-placement-wait", "Placement wait (task created to placed), cumulative"
	waits := make([][]time.Duration, len(runs))
	var longest time.Duration
	var without, eksRuns []string
	for i, r := range runs {
		if r.isEKS() { // pods, not tasks: their p95 Pending is in the table
			eksRuns = append(eksRuns, labels[i])
			continue
		}
		for _, g := range PlacementWaits(r.Events) {
			waits[i] = append(waits[i], g.Waits...)
		}
		if len(waits[i]) == 0 {
			without = append(without, labels[i])
			continue
		}
		slices.Sort(waits[i])
		longest = max(longest, waits[i][len(waits[i])-1])
	}
	if len(eksRuns) == len(runs) {
		return []compareFigure{{Figure: &Figure{ID: id, Title: title},
			Note: "Not drawn: EKS runs place pods, not tasks; the table gives each workload's p95 time Pending."}}, nil
	}
	if len(without)+len(eksRuns) == len(runs) {
		return []compareFigure{{Figure: &Figure{ID: id, Title: title},
			Note: "Not drawn: no run's events.csv records task state changes (the scenario's [report] task_events is off, or no task started)."}}, nil
	}
	if longest == 0 {
		return []compareFigure{{Figure: &Figure{ID: id, Title: title},
			Note: "Not drawn: every task of every run was placed the moment it was created (no placement wait)."}}, nil
	}
	p := newPlot("placement wait (seconds)", "fraction of tasks placed")
	xMax := longest.Seconds() * 1.05
	// A little room left of zero and above one: a line of tasks placed at
	// once stands apart from the y axis and the frame.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -0.01*xMax, xMax, -0.02, 1.06
	f := &Figure{ID: id, Title: title, plot: p,
		Caption: "For each run, all its tasks together: the share placed within a given wait; a line rising at zero is tasks placed at once."}
	if len(without) > 0 {
		f.Caption += " No task state changes in " + strings.Join(without, ", ") + "."
	}
	if len(eksRuns) > 0 {
		f.Caption += " Not drawn for " + strings.Join(eksRuns, ", ") + ": an EKS run places pods, not tasks (the table gives each workload's p95 time Pending)."
	}
	for i, w := range waits {
		if len(w) == 0 {
			continue
		}
		x, y := []float64{w[0].Seconds()}, []float64{0}
		for j, d := range w {
			x, y = append(x, d.Seconds()), append(y, float64(j+1)/float64(len(w)))
		}
		x, y = append(x, xMax), append(y, 1)
		s := runStyle(i, labels[i], x, y)
		s.keepAll = true
		if err := f.addSeries(s); err != nil {
			return nil, err
		}
	}
	return []compareFigure{{Figure: f}}, nil
}

// hourTicks is a plot.Ticker for x values in hours since a run's start:
// labelled ticks at a round number of hours, at most about ten, and a minor
// tick between each.
type hourTicks struct{}

var _ plot.Ticker = hourTicks{}

// Ticks implements plot.Ticker.
func (hourTicks) Ticks(lo, hi float64) []plot.Tick {
	steps := []float64{0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 168}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if (hi-lo)/s <= 10 {
			step = s
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		if mid := v + step/2; mid <= hi {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	return ticks
}

// countTicks is a plot.Ticker for counts (instances, tasks): labelled
// ticks at whole numbers, 1, 2 or 5 times a power of ten apart, at most
// about six, and a minor tick between each when the step allows.
type countTicks struct{}

var _ plot.Ticker = countTicks{}

// Ticks implements plot.Ticker.
func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for i := 0; (hi-lo)/step > 6; i++ {
		step *= []float64{2, 2.5, 2}[i%3] // 1, 2, 5, 10, 20, 50, ...
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		if v == 0 {
			v = 0 // not -0, from a slightly negative lo
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
		if mid := v + step/2; step >= 2 && mid <= hi {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	return ticks
}

// runLabels names each run for the table and the legends: its scenario and
// seed, and its position when two runs would read the same.
func runLabels(runs []run) []string {
	labels := make([]string, len(runs))
	count := map[string]int{}
	for i, r := range runs {
		labels[i] = fmt.Sprintf("%s (seed %d)", r.Summary.Scenario, r.Summary.Seed)
		if anyEKS(runs) { // name the orchestrator: one [workload] on ECS and EKS reads apart
			orch := "ECS"
			if r.isEKS() {
				orch = "EKS"
			}
			labels[i] = fmt.Sprintf("%s on %s (seed %d)", r.Summary.Scenario, orch, r.Summary.Seed)
		}
		count[labels[i]]++
	}
	for i := range labels {
		if count[labels[i]] > 1 {
			labels[i] = fmt.Sprintf("%s, run %d", labels[i], i+1)
		}
	}
	return labels
}

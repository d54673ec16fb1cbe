package report

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/schema"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
)

//go:embed compare.html.tmpl
var compareTemplate string

// run is one run folder as Compare reads it back.
type run struct {
	Dir      string
	Summary  sim.Summary
	Duration time.Duration // simulated, from summary.json
	Cost     Cost
	EKSCost  *EKSCost // an EKS run's cost.json "eks" (nil for ECS)
	Series   runSeries
	Events   []schema.Event
}

// metric is one compared number: its value in each run, and how to show it.
type metric struct {
	Name   string
	Values []float64 // NaN: not available in that run
	format func(float64) string
	Better string // "lower" or "higher": which way is good, for the delta's colour
	// Points: the value is a percentage, its delta in percentage points
	// (a relative change of a percentage would read as a second percentage).
	Points bool
	Noise  noise
}

// noise is a measure's noise threshold: a difference from the first run is
// called better or worse only when its size exceeds both Abs and Rel times
// the first run's value. Two runs give no estimate of their own noise, so
// the thresholds are fixed per kind of measure at about two standard
// deviations of the difference between two seeds of the noisiest library
// scenarios (10 seeds each of web-and-batch, mixed-spot, burst-scale-out
// and queue-worker: one run's cost per day varies by up to 5.6%, a
// service's or job's cost by up to 7.9%, instances launched by 6.3%, a p95
// wait by 4%, availability by 0.17 pp; a difference of two runs by √2 as
// much). A sweep's paired intervals are the way to tell smaller differences.
type noise struct {
	Abs, Rel float64
	Text     string // the rule, as the page states it
}

// The thresholds by kind of measure.
var (
	moneyNoise   = noise{Abs: 0.01, Rel: 0.15, Text: "15% (and a cent)"}
	ownerNoise   = noise{Abs: 0.01, Rel: 0.25, Text: "25% (and a cent)"} // one service's or job's cost: fewer tasks, more luck
	countNoise   = noise{Abs: 1, Rel: 0.15, Text: "1 and 15%"}
	waitNoise    = noise{Abs: 5, Rel: 0.15, Text: "5 s and 15%"}
	percentNoise = noise{Abs: 0.5, Text: "0.5 pp"}
)

// NoiseRule states the thresholds, as the comparison page does.
func NoiseRule() string {
	return "the cluster's money by more than " + moneyNoise.Text + ", a service's or batch job's cost by more than " + ownerNoise.Text +
		", counts by more than " + countNoise.Text +
		", waits by more than " + waitNoise.Text + ", shares (availability, SLO met) by more than " + percentNoise.Text
}

// exceeds reports whether a difference d from base is beyond the noise.
func (n noise) exceeds(d, base float64) bool {
	return math.Abs(d) > n.Abs && math.Abs(d) > n.Rel*math.Abs(base)
}

// compareRow is a metric as the comparison page shows it.
type compareRow struct {
	Name  string
	Noise string
	Cells []compareCell
}

// compareFigureView is a figure as the comparison page shows it: its SVG,
// or, for a figure Compare could not draw, the Note saying why.
type compareFigureView struct {
	ID, Title, Caption, Note string
	SVG                      template.HTML
}

type compareCell struct {
	Value, Delta string
	Class        string // better or worse beyond the noise threshold, else ""
}

// Compare is CompareRuns without its warnings (the page shows them).
func Compare(dirs []string, outDir string) error {
	_, err := CompareRuns(dirs, outDir)
	return err
}

// CompareRuns reads two or more run folders (summary.json, cost.json,
// timeseries.csv and events.csv, as WriteRun writes them) and writes
// outDir/report.html: the runs side by side, with each run's delta against
// the first (called better or worse only beyond the measure's noise
// threshold), and figures overlaying the runs against time since each
// run's start. It returns the warnings the page opens with: runs of
// different scenarios or simulated durations. A missing or malformed file
// is an error wrapping ErrRunFolder that names the folder and the file;
// then nothing is written.
func CompareRuns(dirs []string, outDir string) ([]string, error) {
	if len(dirs) < 2 {
		return nil, fmt.Errorf("report: compare needs at least two run folders, found %d", len(dirs))
	}
	var runs []run
	var errs []error
	for _, d := range dirs {
		r, err := readRun(d)
		errs = append(errs, err)
		runs = append(runs, r)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	labels := runLabels(runs)
	figs, err := compareFigures(runs, labels)
	if err != nil {
		return nil, err
	}
	var views []compareFigureView
	for _, f := range figs {
		v := compareFigureView{ID: f.ID, Title: f.Title, Caption: f.Caption, Note: f.Note}
		if f.Note == "" {
			svg, err := f.SVG()
			if err != nil {
				return nil, err
			}
			v.SVG = inlineSVG(svg, f.Title)
		}
		views = append(views, v)
	}
	t, err := template.New("compare").Parse(compareTemplate)
	if err != nil {
		return nil, fmt.Errorf("report: template: %w", err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	warnings := compareWarnings(runs, labels)
	data := struct {
		Runs      []run
		Head      []string
		Rows      []compareRow
		Figures   []compareFigureView
		Warnings  []string
		NoiseRule string
		OrchNote  string
	}{runs, labels, compareRows(compareMetrics(runs)), views, warnings, NoiseRule(), orchestratorNote(runs)}
	return warnings, WriteFile(filepath.Join(outDir, "report.html"), func(w *bufio.Writer) error { return t.Execute(w, data) })
}

// compareWarnings says what makes the runs' differences something other
// than the effect of a change: different scenarios, or different simulated
// durations (totals grow with the duration).
func compareWarnings(runs []run, labels []string) []string {
	var out []string
	var scenarios []string
	durations := make([]string, len(runs))
	sameDuration := true
	for i, r := range runs {
		if !slices.Contains(scenarios, r.Summary.Scenario) {
			scenarios = append(scenarios, r.Summary.Scenario)
		}
		durations[i] = labels[i] + " " + r.Duration.String()
		sameDuration = sameDuration && r.Duration == runs[0].Duration
	}
	if len(scenarios) > 1 {
		out = append(out, "The runs are of different scenarios ("+strings.Join(scenarios, ", ")+
			"): their differences are the scenarios', not only a setting's.")
	}
	if !sameDuration {
		out = append(out, "The runs simulate different durations ("+strings.Join(durations, ", ")+
			"): totals (cost, tasks, instances launched) grow with the duration; compare cost per day, waits and shares.")
	}
	return out
}

// compareMetrics picks the numbers that answer the report's questions:
// cost, fullness, whether services kept up; then each service's cost and
// p95 wait, by service name (a service missing from a run is NaN there).
func compareMetrics(runs []run) []metric {
	each := func(name, better string, format func(float64) string, f func(r *run) float64) metric {
		m := metric{Name: name, Better: better, format: format}
		for i := range runs {
			m.Values = append(m.Values, f(&runs[i]))
		}
		return m
	}
	if anyEKS(runs) {
		return orchestratorMetrics(runs, each) // an EKS run: the measures both orchestrators have (compare_orch.go)
	}
	ms := []metric{
		asMoney(each("total cost", "lower", usdText, func(r *run) float64 { return float64(r.Cost.TotalUSD) })),
		asMoney(each("cost per day", "lower", usdText, func(r *run) float64 { return float64(r.Cost.PerDayUSD) })),
		asMoney(each("idle EC2 capacity", "lower", usdText, func(r *run) float64 { return float64(idle(&r.Cost)) })),
		asCount(each("peak instances", "lower", countText, func(r *run) float64 { return float64(r.Summary.Instances.Peak) })),
		asCount(each("instances launched", "lower", countText, func(r *run) float64 { return float64(r.Summary.Instances.Launched) })),
		asCount(each("placement failures (tasks)", "lower", countText, func(r *run) float64 {
			n := 0
			for _, v := range r.Summary.PlacementFailures {
				n += v
			}
			return float64(n)
		})),
	}
	ms = append(ms, serviceMetrics(runs, each)...)
	return append(ms, jobMetrics(runs, each)...)
}

// eachFunc makes a metric from its value in each run.
type eachFunc = func(name, better string, format func(float64) string, f func(*run) float64) metric

func usdText(v float64) string         { return money(USD(v)) }
func countText(v float64) string       { return strconv.FormatFloat(v, 'f', 0, 64) }
func waitSecondsText(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// asMoney, asOwnerMoney, asCount, asWait and points set a metric's kind:
// its noise threshold, and for points its deltas in percentage points.
func asMoney(m metric) metric      { m.Noise = moneyNoise; return m }
func asOwnerMoney(m metric) metric { m.Noise = ownerNoise; return m }
func asCount(m metric) metric      { m.Noise = countNoise; return m }
func asWait(m metric) metric       { m.Noise = waitNoise; return m }

// names lists the names each run has, by first appearance.
func names(runs []run, of func(*run) []string) []string {
	var out []string
	seen := map[string]bool{}
	for i := range runs {
		for _, n := range of(&runs[i]) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// jobMetrics compares each batch job, by name, across runs (NaN in a run
// without it).
func jobMetrics(runs []run, each eachFunc) []metric {
	jobs := names(runs, func(r *run) []string {
		var ns []string
		for _, j := range r.Summary.BatchJobs {
			ns = append(ns, j.Name)
		}
		return ns
	})
	var ms []metric
	for _, n := range jobs {
		get := func(f func(i int, r *run) float64) func(*run) float64 {
			return func(r *run) float64 {
				for i := range r.Summary.BatchJobs {
					if r.Summary.BatchJobs[i].Name == n {
						return f(i, r)
					}
				}
				return math.NaN()
			}
		}
		ms = append(ms,
			asOwnerMoney(each("batch job "+n+": cost", "lower", usdText, get(func(_ int, r *run) float64 {
				return float64(ownerCost(&r.Cost, n, "job"))
			}))),
			asCount(each("batch job "+n+": submitted", "higher", countText, get(func(i int, r *run) float64 {
				return float64(r.Summary.BatchJobs[i].Submitted)
			}))),
			asCount(each("batch job "+n+": completed", "higher", countText, get(func(i int, r *run) float64 {
				return float64(r.Summary.BatchJobs[i].Completed)
			}))),
			asCount(each("batch job "+n+": could not be placed", "lower", countText, get(func(i int, r *run) float64 {
				return float64(r.Summary.BatchJobs[i].RunTaskFailures)
			}))),
			asWait(each("batch job "+n+": wait p95 (s)", "lower", waitSecondsText, get(func(i int, r *run) float64 {
				return r.Summary.BatchJobs[i].PlacementWait.P95
			}))))
	}
	return ms
}

// serviceMetrics compares each service, by name, across runs (NaN in a
// run without it).
func serviceMetrics(runs []run, each eachFunc) []metric {
	services := names(runs, func(r *run) []string {
		var ns []string
		for _, s := range r.Summary.Services {
			ns = append(ns, s.Name)
		}
		return ns
	})
	var ms []metric
	for _, n := range services {
		get := func(f func(i int, r *run) float64) func(*run) float64 {
			return func(r *run) float64 {
				for i := range r.Summary.Services {
					if r.Summary.Services[i].Name == n {
						return f(i, r)
					}
				}
				return math.NaN()
			}
		}
		ms = append(ms,
			asOwnerMoney(each("service "+n+": cost", "lower", usdText, get(func(_ int, r *run) float64 {
				return float64(ownerCost(&r.Cost, n, "service"))
			}))),
			asWait(each("service "+n+": wait p95 (s)", "lower", waitSecondsText, get(func(i int, r *run) float64 {
				return r.Summary.Services[i].PlacementWait.P95
			}))),
			asCount(each("service "+n+": running at end", "higher", countText, get(func(i int, r *run) float64 {
				return float64(r.Summary.Services[i].RunningAtEnd)
			}))),
			points(each("service "+n+": availability", "higher", pct, get(func(i int, r *run) float64 {
				return r.Summary.Services[i].AvailabilityPct
			}))),
			points(each("service "+n+": SLO met", "higher", pct, get(func(i int, r *run) float64 {
				if v := r.Summary.Services[i].SLOAttainmentPct; v >= 0 {
					return v
				}
				return math.NaN() // no SLO
			}))))
	}
	return ms
}

// pct formats a percentage with two decimals (99.95% and 100% differ).
func pct(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" }

// points marks m as a percentage whose deltas are in points.
func points(m metric) metric {
	m.Points, m.Noise = true, percentNoise
	return m
}

// compareRows formats each metric with its delta against the first run.
func compareRows(ms []metric) []compareRow {
	var rows []compareRow
	for _, m := range ms {
		row := compareRow{Name: m.Name, Noise: m.Noise.Text}
		base := m.Values[0]
		for i, v := range m.Values {
			c := compareCell{Value: "–"}
			if !math.IsNaN(v) {
				c.Value = m.format(v)
			}
			if i > 0 && !math.IsNaN(v) && !math.IsNaN(base) {
				d := v - base
				sign := "+"
				if d < 0 {
					sign = "−"
				}
				c.Delta = sign + m.format(math.Abs(d))
				if m.Points {
					c.Delta = sign + strconv.FormatFloat(math.Abs(d), 'f', 2, 64) + " pp"
				} else if base != 0 {
					c.Delta += fmt.Sprintf(" (%s%.1f%%)", sign, math.Abs(100*d/base))
				}
				if m.Noise.exceeds(d, base) {
					c.Class = "worse"
					if (d < 0) == (m.Better == "lower") {
						c.Class = "better"
					}
				}
			}
			row.Cells = append(row.Cells, c)
		}
		rows = append(rows, row)
	}
	return rows
}

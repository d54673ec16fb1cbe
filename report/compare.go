package report

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"github.com/fleetsim/fleetsim/sim/schema"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"strconv"
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
}

// compareRow is a metric as the comparison page shows it.
type compareRow struct {
	Name  string
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
	Class        string // better, worse or ""
}

// Compare reads two or more run folders (summary.json, cost.json,
// timeseries.csv and events.csv, as WriteRun writes them) and writes
// outDir/report.html: the runs side by side, with each run's delta against
// the first, and figures overlaying the runs against time since each run's
// start. A missing or malformed file is an error wrapping ErrRunFolder that
// names the folder and the file; then nothing is written.
func Compare(dirs []string, outDir string) error {
	if len(dirs) < 2 {
		return fmt.Errorf("report: compare needs at least two run folders, found %d", len(dirs))
	}
	var runs []run
	var errs []error
	for _, d := range dirs {
		r, err := readRun(d)
		errs = append(errs, err)
		runs = append(runs, r)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	labels := runLabels(runs)
	figs, err := compareFigures(runs, labels)
	if err != nil {
		return err
	}
	var views []compareFigureView
	for _, f := range figs {
		v := compareFigureView{ID: f.ID, Title: f.Title, Caption: f.Caption, Note: f.Note}
		if f.Note == "" {
			svg, err := f.SVG()
			if err != nil {
				return err
			}
			v.SVG = inlineSVG(svg, f.Title)
		}
		views = append(views, v)
	}
	t, err := template.New("compare").Parse(compareTemplate)
	if err != nil {
		return fmt.Errorf("report: template: %w", err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	data := struct {
		Runs    []run
		Head    []string
		Rows    []compareRow
		Figures []compareFigureView
	}{runs, labels, compareRows(compareMetrics(runs)), views}
	return WriteFile(filepath.Join(outDir, "report.html"), func(w *bufio.Writer) error { return t.Execute(w, data) })
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
	usd := func(v float64) string { return money(USD(v)) }
	count := func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
	ms := []metric{
		each("total cost", "lower", usd, func(r *run) float64 { return float64(r.Cost.TotalUSD) }),
		each("cost per day", "lower", usd, func(r *run) float64 { return float64(r.Cost.PerDayUSD) }),
		each("idle EC2 capacity", "lower", usd, func(r *run) float64 { return float64(idle(&r.Cost)) }),
		each("peak instances", "lower", count, func(r *run) float64 { return float64(r.Summary.Instances.Peak) }),
		each("instances launched", "lower", count, func(r *run) float64 { return float64(r.Summary.Instances.Launched) }),
		each("placement failures (tasks)", "lower", count, func(r *run) float64 {
			n := 0
			for _, v := range r.Summary.PlacementFailures {
				n += v
			}
			return float64(n)
		}),
	}
	return append(ms, serviceMetrics(runs, each)...)
}

// serviceMetrics compares each service, by name, across runs.
func serviceMetrics(runs []run, each func(string, string, func(float64) string, func(*run) float64) metric) []metric {
	usd := func(v float64) string { return money(USD(v)) }
	count := func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
	var ms []metric
	var names []string
	seen := map[string]bool{}
	for _, r := range runs {
		for _, s := range r.Summary.Services {
			if !seen[s.Name] {
				seen[s.Name] = true
				names = append(names, s.Name)
			}
		}
	}
	for _, n := range names {
		find := func(r *run) *ecs.ServiceSummary {
			for i := range r.Summary.Services {
				if r.Summary.Services[i].Name == n {
					return &r.Summary.Services[i]
				}
			}
			return nil
		}
		ms = append(ms,
			each("service "+n+": cost", "lower", usd, func(r *run) float64 {
				if find(r) == nil {
					return math.NaN()
				}
				return float64(ownerCost(&r.Cost, n, "service"))
			}),
			each("service "+n+": wait p95 (s)", "lower", func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
				func(r *run) float64 {
					if s := find(r); s != nil {
						return s.PlacementWait.P95
					}
					return math.NaN()
				}),
			each("service "+n+": running at end", "higher", count, func(r *run) float64 {
				if s := find(r); s != nil {
					return float64(s.RunningAtEnd)
				}
				return math.NaN()
			}),
			points(each("service "+n+": availability", "higher", pct, func(r *run) float64 {
				if s := find(r); s != nil {
					return s.AvailabilityPct
				}
				return math.NaN()
			})),
			points(each("service "+n+": SLO met", "higher", pct, func(r *run) float64 {
				if s := find(r); s != nil && s.SLOAttainmentPct >= 0 {
					return s.SLOAttainmentPct
				}
				return math.NaN() // no SLO
			})))
	}
	return ms
}

// pct formats a percentage with two decimals (99.95% and 100% differ).
func pct(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" }

// points marks m as a percentage whose deltas are in points.
func points(m metric) metric {
	m.Points = true
	return m
}

// compareRows formats each metric with its delta against the first run.
func compareRows(ms []metric) []compareRow {
	var rows []compareRow
	for _, m := range ms {
		row := compareRow{Name: m.Name}
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
				if d != 0 && (d < 0) == (m.Better == "lower") {
					c.Class = "better"
				} else if d != 0 {
					c.Class = "worse"
				}
			}
			row.Cells = append(row.Cells, c)
		}
		rows = append(rows, row)
	}
	return rows
}

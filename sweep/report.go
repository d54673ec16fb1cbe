package sweep

import (
	_ "embed"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{"wrap": wrapAfterCommas, "wrapKey": wrapAfterUnderscores}).Parse(reportTemplate))

// wrapAfterCommas escapes a displayed value and lets it break after its
// commas (["m5.xlarge",<wbr>"m6i.xlarge"]) rather than inside a name.
func wrapAfterCommas(s string) template.HTML {
	return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(s), ",", ",<wbr>"))
}

// wrapAfterUnderscores escapes a short key and lets it break after its
// underscores (minimum_<wbr>healthy_<wbr>percent), never inside a word, so
// that the decision table fits 1400 px with an objectives column.
func wrapAfterUnderscores(s string) template.HTML {
	return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(s), "_", "_<wbr>"))
}

// reportData is what the template shows; every string is escaped by
// html/template except the SVG, which this package drew.
type reportData struct {
	Manifest  *Manifest
	Keys      []keyView
	Metrics   []Metric
	Variants  []variantRow
	Sentences []string
	Baseline  int
	HasSLO    bool
	Identical bool   // some variant has another's outcomes on every seed
	Front     string // the front's quality axis, for the caption
	Better    string
	Plot      template.HTML
	Level     int
	SeedsText string

	// Split are the bill's split and availability where they vary
	// (whereTheyVary), in a table of their own beside cost per day.
	Split []Metric

	// HasObjectives: some run judged SLO objectives; the decision table
	// shows how many were met, and the front is drawn among the variants
	// meeting them all on every seed when there are some (GatedFront).
	HasObjectives, GatedFront bool
}

// keyView is a varied key: its column header, the key in full and its
// values, for the legend.
type keyView struct {
	Short, Full string
	Values      []string
}

type variantRow struct {
	VariantSummary
	Cells    []cell // every metric, for the full table
	Cost     cell   // the decision table's columns
	SLO      cell
	Wait     cell
	Peak     cell
	CostDiff cell // paired differences from the baseline
	SLODiff  cell
	WaitDiff cell
	Met      cell // SLO objectives met: mean of how many, and on how many seeds all
	// PerDay is cost per day and SplitCells the Split metrics', for the
	// split table.
	PerDay     cell
	SplitCells []cell
}

// cell is a number as a table shows it: the value, a second line in
// small type and a class (better or worse, for a difference) for its colour.
type cell struct {
	Mean, CI, Class string
}

// WriteReport writes report.html: the sweep's settings; what each variant
// costs and how it serves against the baseline, in sentences and in a
// table of paired differences; the Pareto plot; and every outcome's mean
// and 95% confidence interval per variant.
func WriteReport(w io.Writer, m *Manifest, rows []Row) error {
	vs := Summarize(m, rows)
	svg, err := ParetoSVG(vs)
	if err != nil {
		return err
	}
	x, higher := FrontMetric(vs)
	d := reportData{Manifest: m, Metrics: Metrics, Plot: template.HTML(svg), Front: Metrics[x].Label,
		Better: "lower", Level: int(ConfidenceLevel * 100), Baseline: Baseline, Sentences: Sentences(vs)}
	if higher {
		d.Better = "higher"
	}
	keys := make([]string, len(m.Axes))
	for i, a := range m.Axes {
		keys[i] = a.Key
	}
	for i, short := range ShortKeys(keys) {
		d.Keys = append(d.Keys, keyView{Short: short, Full: keys[i], Values: m.Axes[i].Display})
	}
	seeds := make([]string, len(m.RunSeeds))
	for i, s := range m.RunSeeds {
		seeds[i] = strconv.FormatUint(s, 10)
	}
	d.SeedsText = strings.Join(seeds, ", ")
	cost, slo, wait, peak := metricIndex("usd_per_day"), metricIndex("slo_attainment_pct"), metricIndex("p95_wait_s"), metricIndex("peak_instances")
	shown, split := shownMetrics(vs)
	d.Metrics = nil
	for _, i := range shown {
		d.Metrics = append(d.Metrics, Metrics[i])
	}
	for _, i := range split {
		d.Split = append(d.Split, Metrics[i])
	}
	for _, v := range vs {
		r := variantRow{VariantSummary: v}
		for _, i := range shown {
			r.Cells = append(r.Cells, formatCell(v.Stats[i], Metrics[i].Decimals))
		}
		for _, i := range split {
			r.SplitCells = append(r.SplitCells, formatCell(v.Stats[i], Metrics[i].Decimals))
		}
		r.PerDay = formatCell(v.Stats[cost], Metrics[cost].Decimals)
		r.Cost, r.SLO = formatCell(v.Stats[cost], Metrics[cost].Decimals), formatCell(v.Stats[slo], Metrics[slo].Decimals)
		r.Wait, r.Peak = formatCell(v.Stats[wait], Metrics[wait].Decimals), formatCell(v.Stats[peak], Metrics[peak].Decimals)
		r.CostDiff = diffCell(v, cost, false)
		r.SLODiff = diffCell(v, slo, true)
		r.WaitDiff = diffCell(v, wait, false)
		d.HasSLO = d.HasSLO || !math.IsNaN(v.Stats[slo].Mean)
		r.Met = objectivesCell(v)
		d.HasObjectives = d.HasObjectives || v.Objectives > 0
		d.GatedFront = d.GatedFront || MeetsEveryObjective(v)
		d.Identical = d.Identical || v.SameAs != 0
		d.Variants = append(d.Variants, r)
	}
	return reportTmpl.Execute(w, d)
}

// shownMetrics are the indexes into Metrics of the full table's columns
// (every metric but those of whereTheyVary, summary.go) and of the split
// table's (those of whereTheyVary that vary).
func shownMetrics(vs []VariantSummary) (full, split []int) {
	for i, m := range Metrics {
		switch {
		case !slices.Contains(whereTheyVary, m.Column):
			full = append(full, i)
		case varies(vs, i):
			split = append(split, i)
		}
	}
	return full, split
}

// varies reports whether metric i's mean differs between two variants, or,
// with one variant, is neither 0 nor missing.
func varies(vs []VariantSummary, i int) bool {
	switch len(vs) {
	case 0:
		return false
	case 1:
		m := vs[0].Stats[i].Mean
		return !math.IsNaN(m) && m != 0
	}
	for _, v := range vs[1:] {
		a, b := vs[0].Stats[i].Mean, v.Stats[i].Mean
		if a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
			return true
		}
	}
	return false
}

// objectivesCell is how many SLO objectives a variant met, on average over
// its seeds, of how many, and below it on how many seeds it met them all;
// a variant that misses one on some seed is marked worse.
func objectivesCell(v VariantSummary) cell {
	if v.Objectives == 0 {
		return cell{Mean: "–"}
	}
	all, runs := seedsMeetingEveryObjective(v)
	mean := v.Stats[metricIndex("objectives_met")].Mean
	dec := 1
	if mean == math.Trunc(mean) {
		dec = 0
	}
	c := cell{Mean: strconv.FormatFloat(mean, 'f', dec, 64) + "/" + strconv.Itoa(v.Objectives),
		CI: "all on " + strconv.Itoa(all) + "/" + strconv.Itoa(runs)}
	if all < runs {
		c.Class = "worse"
	}
	return c
}

// formatCell is a mean with its confidence half-width below it.
func formatCell(iv Interval, decimals int) cell {
	if math.IsNaN(iv.Mean) {
		return cell{Mean: "–"}
	}
	c := cell{Mean: strconv.FormatFloat(iv.Mean, 'f', decimals, 64)}
	if !math.IsNaN(iv.HalfWide) {
		c.CI = "± " + strconv.FormatFloat(iv.HalfWide, 'f', decimals, 64)
	}
	return c
}

// diffCell is variant v's paired difference from the baseline on metric i:
// the signed mean, its interval below, coloured when Verdict resolves it.
func diffCell(v VariantSummary, i int, higherIsBetter bool) cell {
	if v.ID == Baseline {
		return cell{Mean: "baseline"}
	}
	if len(v.Diffs) <= i || math.IsNaN(v.Diffs[i].Mean) {
		return cell{Mean: "–"}
	}
	d, dec := v.Diffs[i], Metrics[i].Decimals
	minus := func(s string) string { return strings.Replace(s, "-", "−", 1) } // the typographic minus
	c := cell{Mean: minus(signed(d.Mean, dec, ""))}
	if !math.IsNaN(d.HalfWide) {
		c.CI = "[" + minus(signed(d.Lo, dec, "")) + ", " + minus(signed(d.Hi, dec, "")) + "]"
	}
	switch Verdict(d, dec, higherIsBetter) {
	case 1:
		c.Class = "better"
	case -1:
		c.Class = "worse"
	}
	return c
}

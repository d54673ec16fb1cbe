package sweep

import (
	_ "embed"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Parse(reportTemplate))

// reportData is what the template shows; every string is escaped by
// html/template except the SVG, which this package drew.
type reportData struct {
	Manifest  *Manifest
	Keys      []string
	Metrics   []Metric
	Variants  []variantRow
	Front     string // the front's quality axis, for the caption
	Better    string
	Plot      template.HTML
	Level     int
	SeedsText string
}

type variantRow struct {
	VariantSummary
	Cells []cell
}

type cell struct {
	Mean, CI string
}

// WriteReport writes report.html: the sweep's settings, the per-variant
// means and 95% confidence intervals of every outcome, and the Pareto plot.
func WriteReport(w io.Writer, m *Manifest, rows []Row) error {
	vs := Summarize(m, rows)
	svg, err := ParetoSVG(vs)
	if err != nil {
		return err
	}
	x, higher := FrontMetric(vs)
	d := reportData{Manifest: m, Metrics: Metrics, Plot: template.HTML(svg), Front: Metrics[x].Label,
		Better: "lower", Level: int(ConfidenceLevel * 100)}
	if higher {
		d.Better = "higher"
	}
	for _, a := range m.Axes {
		d.Keys = append(d.Keys, a.Key)
	}
	seeds := make([]string, len(m.RunSeeds))
	for i, s := range m.RunSeeds {
		seeds[i] = strconv.FormatUint(s, 10)
	}
	d.SeedsText = strings.Join(seeds, ", ")
	for _, v := range vs {
		r := variantRow{VariantSummary: v}
		for i, met := range Metrics {
			r.Cells = append(r.Cells, formatCell(v.Stats[i], met.Decimals))
		}
		d.Variants = append(d.Variants, r)
	}
	return reportTmpl.Execute(w, d)
}

func formatCell(iv Interval, decimals int) cell {
	if math.IsNaN(iv.Mean) {
		return cell{Mean: "–"}
	}
	c := cell{Mean: strconv.FormatFloat(iv.Mean, 'f', decimals, 64)}
	if !math.IsNaN(iv.HalfWide) {
		c.CI = "± " + strconv.FormatFloat(iv.HalfWide, 'f', decimals, 64) + " [" +
			strconv.FormatFloat(iv.Lo, 'f', decimals, 64) + ", " + strconv.FormatFloat(iv.Hi, 'f', decimals, 64) + "]"
	}
	return c
}

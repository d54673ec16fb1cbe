package sweep

import (
	"math"
)

// Metric is one outcome the report compares.
type Metric struct {
	Column   string // results.csv column
	Label    string
	Unit     string // "" for counts
	Decimals int
	Get      func(Outcome) float64
}

// Metrics are the compared outcomes, in results.csv's order.
var Metrics = []Metric{
	{"cost_usd", "Cost", "USD", 2, func(o Outcome) float64 { return o.CostUSD }},
	{"usd_per_day", "Cost per day", "USD/day", 2, func(o Outcome) float64 { return o.USDPerDay }},
	{"p95_wait_s", "p95 placement wait (worst service or job)", "s", 1, func(o Outcome) float64 { return o.P95WaitS }},
	{"peak_instances", "Peak EC2 instances", "", 1, func(o Outcome) float64 { return float64(o.PeakInstances) }},
	{"spot_interruptions", "Spot interruptions", "", 1, func(o Outcome) float64 { return float64(o.SpotInterruptions) }},
	{"tasks_started", "Tasks started", "", 0, func(o Outcome) float64 { return float64(o.TasksStarted) }},
	{"placement_failures", "Tasks with a placement failure", "", 1, func(o Outcome) float64 { return float64(o.PlacementFailures) }},
	{"events", "Events processed", "", 0, func(o Outcome) float64 { return float64(o.Events) }},
	{"slo_attainment_pct", "Requests within latency SLO", "%", 2, func(o Outcome) float64 { return o.SLOAttainmentPct }},
}

// metricIndex returns the position of a column in Metrics.
func metricIndex(col string) int {
	for i, m := range Metrics {
		if m.Column == col {
			return i
		}
	}
	panic("sweep: no metric " + col)
}

// ConfidenceLevel is the level of the report's intervals.
const ConfidenceLevel = 0.95

// VariantSummary is one variant's outcomes over its seeds.
type VariantSummary struct {
	ID     int
	Values []string   // displayed, one per axis
	Runs   int        // rows found
	Stats  []Interval // one per Metrics entry
	Pareto bool       // on the cost-vs-wait (or cost-vs-SLO) front
}

// Summarize groups rows by variant, in variant order, and marks the
// Pareto front on the axis FrontMetric chooses.
func Summarize(m *Manifest, rows []Row) []VariantSummary {
	byVariant := make([][]Outcome, len(m.Variants))
	for _, r := range rows {
		byVariant[r.Run.Variant-1] = append(byVariant[r.Run.Variant-1], r.Outcome)
	}
	out := make([]VariantSummary, len(m.Variants))
	for i, outs := range byVariant {
		vs := VariantSummary{ID: i + 1, Values: m.display(i + 1), Runs: len(outs)}
		for _, met := range Metrics {
			xs := make([]float64, len(outs))
			for j, o := range outs {
				xs[j] = met.Get(o)
			}
			vs.Stats = append(vs.Stats, MeanCI(xs, ConfidenceLevel))
		}
		out[i] = vs
	}
	x, higher := FrontMetric(out)
	front := ParetoFront(out, x, higher)
	for i := range out {
		out[i].Pareto = front[i]
	}
	return out
}

// FrontMetric picks the service-quality axis of the Pareto front: the SLO
// attainment when every variant has one and they are not all equal (higher
// is better), else the p95 placement wait (lower is better).
func FrontMetric(vs []VariantSummary) (metric int, higherIsBetter bool) {
	slo := metricIndex("slo_attainment_pct")
	differ := false
	for _, v := range vs {
		if math.IsNaN(v.Stats[slo].Mean) {
			return metricIndex("p95_wait_s"), false
		}
		differ = differ || v.Stats[slo].Mean != vs[0].Stats[slo].Mean
	}
	if !differ && len(vs) > 1 {
		return metricIndex("p95_wait_s"), false
	}
	return slo, true
}

// ParetoFront marks the variants that no other variant dominates on mean
// cost per day (lower is better) and metric x: another variant dominates v
// when it is at least as good on both and better on one. Variants without a
// mean (no runs) are never on the front.
func ParetoFront(vs []VariantSummary, x int, higherIsBetter bool) []bool {
	cost := metricIndex("usd_per_day")
	sign := 1.0
	if higherIsBetter {
		sign = -1
	}
	front := make([]bool, len(vs))
	for i, a := range vs {
		ax, ac := sign*a.Stats[x].Mean, a.Stats[cost].Mean
		if math.IsNaN(ax) || math.IsNaN(ac) {
			continue
		}
		front[i] = true
		for j, b := range vs {
			bx, bc := sign*b.Stats[x].Mean, b.Stats[cost].Mean
			if j == i || math.IsNaN(bx) || math.IsNaN(bc) {
				continue
			}
			if bx <= ax && bc <= ac && (bx < ax || bc < ac) {
				front[i] = false
				break
			}
		}
	}
	return front
}

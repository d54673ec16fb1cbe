package sweep

import (
	"math"
	"slices"
	"strconv"
)

// Metric is one outcome the report compares.
type Metric struct {
	Column   string // results.csv column (or, for a figure computed from its columns, its name)
	Label    string
	Unit     string // "" for counts
	Decimals int
	Get      func(Outcome) float64
}

// Metrics are the compared outcomes, in results.csv's order.
var Metrics = []Metric{
	{"cost_usd", "Cost", "USD", 2, func(o Outcome) float64 { return o.CostUSD }},
	{"usd_per_day", "Cost per day", "USD/day", 2, func(o Outcome) float64 { return o.USDPerDay }},
	{"p95_wait_s", "p95 wait for capacity (worst)", "s", 1, func(o Outcome) float64 { return o.P95WaitS }},
	{"peak_instances", "Peak EC2 instances", "", 1, func(o Outcome) float64 { return float64(o.PeakInstances) }},
	{"spot_interruptions", "Spot interruptions", "", 1, func(o Outcome) float64 { return float64(o.SpotInterruptions) }},
	{"tasks_started", "Tasks (EKS: pods) started", "", 0, func(o Outcome) float64 { return float64(o.TasksStarted) }},
	{"placement_failures", "Tasks (EKS: pods) with a placement failure", "", 1, func(o Outcome) float64 { return float64(o.PlacementFailures) }},
	{"events", "Events processed", "", 0, func(o Outcome) float64 { return float64(o.Events) }},
	{"slo_attainment_pct", "Requests within latency SLO", "%", 2, func(o Outcome) float64 { return o.SLOAttainmentPct }},
	{"objectives_met", "SLO objectives met", "", 1, objectivesMet},
	{"all_objectives_met_pct", "Seeds meeting every SLO objective", "%", 0, allObjectivesMet},
	{"best_commitment_usd_per_hour", "Best Compute Savings Plan commitment", "USD/h", 2, func(o Outcome) float64 { return o.BestCommitmentUSDPerHour }},
	{"commitment_saving_usd_per_day", "Saving at the best commitment", "USD/day", 2, func(o Outcome) float64 { return o.CommitmentSavingUSDPerDay }},
	{"compute_usd_per_day", "EC2 compute per day", "USD/day", 2, func(o Outcome) float64 { return o.ComputeUSDPerDay }},
	{"control_plane_usd_per_day", "EKS control plane per day", "USD/day", 2, func(o Outcome) float64 { return o.ControlPlaneUSDPerDay }},
	{"fargate_usd_per_day", "Fargate per day", "USD/day", 2, func(o Outcome) float64 { return o.FargateUSDPerDay }},
	{"idle_usd_per_day", "Idle EC2 capacity per day", "USD/day", 2, func(o Outcome) float64 { return o.IdleUSDPerDay }},
	{"availability_pct", "Availability (request-weighted)", "%", 2, func(o Outcome) float64 { return o.AvailabilityPct }},
}

// whereTheyVary are the Metrics the report shows in a table of their own
// (the bill, split), and only those whose mean differs between variants
// (with one variant: is neither 0 nor missing): an ECS-only sweep would
// otherwise be padded with equal or empty columns.
var whereTheyVary = []string{"compute_usd_per_day", "control_plane_usd_per_day", "fargate_usd_per_day", "idle_usd_per_day", "availability_pct"}

// objectivesMet is the number of the services' SLO objectives a run met;
// NaN when no service has one.
func objectivesMet(o Outcome) float64 {
	if o.Objectives == 0 {
		return math.NaN()
	}
	return float64(o.ObjectivesMet)
}

// allObjectivesMet is 100 when a run met every SLO objective, 0 when it
// missed one, NaN without objectives: its mean over seeds is the share of
// seeds meeting them all.
func allObjectivesMet(o Outcome) float64 {
	switch {
	case o.Objectives == 0:
		return math.NaN()
	case o.ObjectivesMet == o.Objectives:
		return 100
	}
	return 0
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
	// Samples holds, per Metrics entry, the run with seed number k at k:
	// every variant runs on the same seeds, so sample k of two variants is
	// a pair. NaN where the run is missing or has no value.
	Samples [][]float64
	// Diffs are the paired differences from the baseline, this variant's
	// value minus the baseline's seed by seed, one per Metrics entry; nil
	// for the baseline itself.
	Diffs []Interval
	// SameAs is the first variant with exactly this one's outcomes on every
	// seed (its settings make no difference), 0 when there is none.
	SameAs int
	Pareto bool // on the cost-vs-wait (or cost-vs-SLO) front
	// Objectives is how many SLO objectives its runs judge (the most of
	// any run), 0 without any.
	Objectives int
}

// Baseline is the variant the others are compared with, seed by seed: v1,
// the first value of every varied key (give the current setting first).
const Baseline = 1

// Summarize groups rows by variant, in variant order, pairs each variant's
// runs with the baseline's, flags variants identical to an earlier one and
// marks the Pareto front on the axis FrontMetric chooses.
func Summarize(m *Manifest, rows []Row) []VariantSummary {
	out := make([]VariantSummary, len(m.Variants))
	for i := range out {
		out[i] = VariantSummary{ID: i + 1, Values: m.display(i + 1), Samples: make([][]float64, len(Metrics))}
		for j := range Metrics {
			out[i].Samples[j] = nanSlice(m.Seeds)
		}
	}
	for _, r := range rows {
		v := &out[r.Run.Variant-1]
		v.Runs++
		v.Objectives = max(v.Objectives, r.Outcome.Objectives)
		for j, met := range Metrics {
			v.Samples[j][r.Run.SeedNum] = met.Get(r.Outcome)
		}
	}
	for i := range out {
		v := &out[i]
		for j := range Metrics {
			v.Stats = append(v.Stats, MeanCI(v.Samples[j], ConfidenceLevel))
		}
		for k := range out[:i] {
			if sameOutcomes(&out[k], v) {
				v.SameAs = out[k].ID
				break
			}
		}
	}
	if len(out) >= Baseline {
		base := out[Baseline-1]
		for i := range out {
			if out[i].ID == Baseline {
				continue
			}
			for j := range Metrics {
				out[i].Diffs = append(out[i].Diffs, PairedDiff(base.Samples[j], out[i].Samples[j], ConfidenceLevel))
			}
		}
	}
	x, higher := FrontMetric(out)
	front := ParetoFront(out, x, higher)
	for i := range out {
		out[i].Pareto = front[i]
	}
	return out
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// sameOutcomes reports whether b ran every seed a ran, and no other, with
// exactly a's outcome on each (no value where a has none).
func sameOutcomes(a, b *VariantSummary) bool {
	if a.Runs == 0 || a.Runs != b.Runs {
		return false
	}
	for j := range a.Samples {
		for k, x := range a.Samples[j] {
			y := b.Samples[j][k]
			if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
				return false
			}
		}
	}
	return true
}

// FrontMetric picks the service-quality axis of the Pareto front: the SLO
// attainment when every variant has one and they do not all read the same
// at the report's precision (higher is better), else the p95 placement wait
// (lower is better).
func FrontMetric(vs []VariantSummary) (metric int, higherIsBetter bool) {
	slo := metricIndex("slo_attainment_pct")
	shown := func(x float64) string { return strconv.FormatFloat(x, 'f', Metrics[slo].Decimals, 64) }
	differ := false
	for _, v := range vs {
		if math.IsNaN(v.Stats[slo].Mean) {
			return metricIndex("p95_wait_s"), false
		}
		differ = differ || shown(v.Stats[slo].Mean) != shown(vs[0].Stats[slo].Mean)
	}
	if !differ && len(vs) > 1 {
		return metricIndex("p95_wait_s"), false
	}
	return slo, true
}

// MeetsEveryObjective reports whether v met every SLO objective on every
// seed it ran (false without objectives).
func MeetsEveryObjective(v VariantSummary) bool {
	i := metricIndex("all_objectives_met_pct")
	return len(v.Stats) > i && v.Runs > 0 && v.Stats[i].Mean == 100
}

// ParetoFront marks the variants that no other variant dominates on cost
// per day (lower is better) and metric x. When some variant meets every SLO
// objective on every seed, only those compete: a variant that misses an
// objective is never on the front beside one that meets them all (the
// objectives are a constraint, not a third axis). Another variant b dominates v
// when b is better on one of the two and worse on neither, where better and
// worse are Verdicts on their paired difference: a difference within seed
// noise, or too small to show, is a tie. Of variants with identical
// outcomes only the first can be on the front; variants without a mean (no
// runs) never are.
func ParetoFront(vs []VariantSummary, x int, higherIsBetter bool) []bool {
	cost := metricIndex("usd_per_day")
	gated := slices.ContainsFunc(vs, MeetsEveryObjective)
	valid := func(v VariantSummary) bool {
		return !math.IsNaN(v.Stats[x].Mean) && !math.IsNaN(v.Stats[cost].Mean) && (!gated || MeetsEveryObjective(v))
	}
	front := make([]bool, len(vs))
	for i, a := range vs {
		if !valid(a) || a.SameAs != 0 {
			continue
		}
		front[i] = true
		for j, b := range vs {
			if j == i || !valid(b) {
				continue
			}
			dc := Verdict(PairOf(a, b, cost), Metrics[cost].Decimals, false)
			dq := Verdict(PairOf(a, b, x), Metrics[x].Decimals, higherIsBetter)
			if dc >= 0 && dq >= 0 && (dc > 0 || dq > 0) {
				front[i] = false
				break
			}
		}
	}
	return front
}

package sweep

import (
	"fmt"
	"math"
	"strconv"
)

// Sentences compares each variant with the baseline in a sentence a
// planner can paste: the cost per day, then the SLO attainment (or, without
// one, the p95 wait for capacity), each from the paired differences over the
// shared seeds, and the p95 wait too when it moved beyond noise:
//
//	v3 costs $4.84 less a day than v1 (95% CI 4.71-4.97) with SLO within 0.01 pp.
//
// A difference is stated with its interval when it is resolved (Verdict is
// not a tie); otherwise the sentence says the two are within seed noise. A
// variant identical to an earlier one says so instead. There is no sentence
// for the baseline.
func Sentences(vs []VariantSummary) []string {
	if len(vs) < Baseline {
		return nil
	}
	var out []string
	for _, v := range vs {
		if v.ID != Baseline {
			out = append(out, Sentence(v, vs[Baseline-1]))
		}
	}
	return out
}

// Sentence compares v with base (see Sentences).
func Sentence(v, base VariantSummary) string {
	id, bid := "v"+strconv.Itoa(v.ID), "v"+strconv.Itoa(base.ID)
	if v.SameAs != 0 {
		twin := "v" + strconv.Itoa(v.SameAs)
		return fmt.Sprintf("%s has exactly %s's outcomes on every seed: its settings make no difference here (only %s can be starred).", id, twin, twin)
	}
	cost, slo, wait := metricIndex("usd_per_day"), metricIndex("slo_attainment_pct"), metricIndex("p95_wait_s")
	if v.Runs == 0 || base.Runs == 0 {
		return fmt.Sprintf("%s cannot be compared with %s: one of them has no runs.", id, bid)
	}
	diff := func(i int) Interval {
		if len(v.Diffs) > i {
			return v.Diffs[i]
		}
		return PairOf(base, v, i)
	}
	s := id + " " + costPhrase(diff(cost), bid)
	waitPhrase := qualityPhrase(diff(wait), "p95 wait for capacity", "s", Metrics[wait].Decimals, "longer", "shorter")
	if math.IsNaN(v.Stats[slo].Mean) || math.IsNaN(base.Stats[slo].Mean) {
		return s + " " + waitPhrase + objectivesPhrase(v, base) + "."
	}
	s += " " + qualityPhrase(diff(slo), "SLO", "pp", Metrics[slo].Decimals, "higher", "lower")
	if Verdict(diff(wait), Metrics[wait].Decimals, false) != 0 { // the SLO hides a wait that moved
		s += ", and " + waitPhrase
	}
	return s + objectivesPhrase(v, base) + "."
}

// objectivesPhrase says on how many seeds v and base met every SLO
// objective: "; it meets every SLO objective on 5 of 5 seeds, v1 on 2 of
// 5" ("" when neither has objectives).
func objectivesPhrase(v, base VariantSummary) string {
	if v.Objectives == 0 && base.Objectives == 0 {
		return ""
	}
	all, runs := seedsMeetingEveryObjective(v)
	ball, bruns := seedsMeetingEveryObjective(base)
	if all == ball && runs == bruns {
		return fmt.Sprintf("; like v%d, it meets every SLO objective on %d of %d seeds", base.ID, all, runs)
	}
	return fmt.Sprintf("; it meets every SLO objective on %d of %d seeds, v%d on %d of %d", all, runs, base.ID, ball, bruns)
}

// seedsMeetingEveryObjective counts the seeds on which v met every SLO
// objective, and the seeds it ran.
func seedsMeetingEveryObjective(v VariantSummary) (all, runs int) {
	for _, x := range v.Samples[metricIndex("all_objectives_met_pct")] {
		if !math.IsNaN(x) {
			runs++
			if x == 100 {
				all++
			}
		}
	}
	return all, runs
}

// costPhrase says how d, a paired difference in USD per day, reads.
func costPhrase(d Interval, base string) string {
	if math.IsNaN(d.Mean) {
		return "has no cost to compare with " + base + "'s"
	}
	const dec = 2
	money := func(x float64) string { return "$" + strconv.FormatFloat(math.Abs(x), 'f', dec, 64) }
	if Verdict(d, dec, false) == 0 {
		if math.IsNaN(d.HalfWide) {
			return "costs the same a day as " + base + " to the cent"
		}
		return fmt.Sprintf("costs the same a day as %s within seed noise (difference %s, 95%% CI %s to %s)",
			base, signed(d.Mean, dec, "$"), signed(d.Lo, dec, ""), signed(d.Hi, dec, ""))
	}
	way := "less"
	if d.Mean > 0 {
		way = "more"
	}
	return fmt.Sprintf("costs %s %s a day than %s %s", money(d.Mean), way, base, magnitudeCI(d, dec))
}

// qualityPhrase says how d, a paired difference of a quality measure,
// reads: "with SLO within 0.01 pp", "with SLO 0.05 pp lower (95% CI 0.03-0.08)".
func qualityPhrase(d Interval, name, unit string, dec int, up, down string) string {
	if math.IsNaN(d.Mean) {
		return "with no " + name + " to compare"
	}
	if Verdict(d, dec, true) == 0 {
		bound := math.Abs(d.Mean)
		if !math.IsNaN(d.HalfWide) {
			bound = max(math.Abs(d.Lo), math.Abs(d.Hi))
		}
		if bound == 0 {
			return "with the same " + name
		}
		step := math.Pow10(-dec)
		within := max(step, math.Round(bound/step)*step) // the bound as the table shows it, at least one step
		return fmt.Sprintf("with %s within %s %s", name, strconv.FormatFloat(within, 'f', dec, 64), unit)
	}
	way := up
	if d.Mean < 0 {
		way = down
	}
	return fmt.Sprintf("with %s %s %s %s %s", name, strconv.FormatFloat(math.Abs(d.Mean), 'f', dec, 64), unit, way, magnitudeCI(d, dec))
}

// magnitudeCI is a resolved difference's interval as magnitudes, smaller
// first: "(95% CI 4.71-4.97)"; with one seed there is none, and a
// difference the same on every seed has no width to give.
func magnitudeCI(d Interval, dec int) string {
	if math.IsNaN(d.HalfWide) {
		return "(one seed: no interval)"
	}
	if d.HalfWide <= 1e-9*max(1, math.Abs(d.Mean)) { // no spread but float rounding
		return "(the same on every seed)"
	}
	lo, hi := math.Abs(d.Lo), math.Abs(d.Hi)
	if lo > hi {
		lo, hi = hi, lo
	}
	return fmt.Sprintf("(%d%% CI %s-%s)", int(ConfidenceLevel*100), strconv.FormatFloat(lo, 'f', dec, 64), strconv.FormatFloat(hi, 'f', dec, 64))
}

// signed writes x with its sign and an optional unit prefix: +$0.01, -0.03.
func signed(x float64, dec int, prefix string) string {
	s := strconv.FormatFloat(math.Abs(x), 'f', dec, 64)
	if s == strconv.FormatFloat(0, 'f', dec, 64) {
		return prefix + s
	}
	if x < 0 {
		return "-" + prefix + s
	}
	return "+" + prefix + s
}

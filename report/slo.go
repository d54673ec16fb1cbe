package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// sloRowCap is how many services the objectives table lists, failing ones
// first; the rest are counted in one line (summary.json has every one).
const sloRowCap = 12

// sloView is the SLO objectives table under the summary cards.
type sloView struct {
	Lead string // "2 of 3 services meet every objective."
	// Families counts the passing copies of each source service (copies =
	// N): "front (50 copies): 16 pass"; empty without copies.
	Families []string
	Rows     []sloRow
	More     string // the services left out, counted; "" when none
	Note     string
}

// sloRow is one objective of one service; Service is "" after a service's
// first objective.
type sloRow struct {
	Service, Objective, Target, Attained, Budget, Verdict string
	Fail                                                  bool
}

// objectivesTable puts the services' objectives in a table, services that
// fail first (the most budget used first), then the passing ones in
// summary order; nil when no service has an objective.
func objectivesTable(res *sim.Result) *sloView {
	svcs := servicesWithObjectives(res.Summary.Services)
	if len(svcs) == 0 {
		return nil
	}
	pass := 0
	for _, sv := range svcs {
		if sv.SLO.Verdict == ecs.Pass {
			pass++
		}
	}
	v := &sloView{Lead: fmt.Sprintf("%s of %s meet every objective.", count(pass), plural(len(svcs), "service"))}
	v.Families = familyVerdicts(svcs)
	svcs = ObjectivesWorstFirst(svcs)
	if pass == len(svcs) {
		v.Lead = "Every service with objectives meets them all (" + plural(len(svcs), "service") + ")."
	}
	for i, sv := range svcs {
		if i == sloRowCap {
			rest := svcs[i:]
			failing := slices.IndexFunc(rest, func(s ecs.ServiceSummary) bool { return s.SLO.Verdict == ecs.Pass })
			if failing < 0 {
				failing = len(rest)
			}
			v.More = fmt.Sprintf("%s more (%s failing): see summary.json.", plural(len(rest), "service"), count(failing))
			break
		}
		for j, o := range sv.SLO.Objectives {
			r := sloRow{Objective: objectiveName(o), Target: trimPct(o.TargetPct), Attained: strconv.FormatFloat(o.AttainedPct, 'f', 3, 64) + "%",
				Budget: budgetUsed(o.BudgetUsedPct), Verdict: strings.ToUpper(o.Verdict), Fail: o.Verdict != ecs.Pass}
			if j == 0 {
				r.Service = sv.Name
			}
			v.Rows = append(v.Rows, r)
		}
	}
	v.Note = "Attained is the share of good events: requests served within the latency (drops are misses), minutes available, tasks placed within the wait (a p95 wait objective is met when 95% are; a task still waiting at the end past it counts as late). Error budget = 100% − target; budget used = (100% − attained) / (100% − target): a pass uses at most 100%. A target of 100% has no budget."
	if w := res.Summary.WarmUp; w != "" {
		v.Note += " Judged after the " + shortDuration(w) + " warm-up."
	}
	return v
}

// passes is 1 for a service that meets every objective, 0 for one that
// does not: failing services sort first.
func passes(sv ecs.ServiceSummary) int {
	if sv.SLO.Verdict == ecs.Pass {
		return 1
	}
	return 0
}

// familyVerdicts counts, per source service with copies, the copies that
// meet every objective, in the scenario's order; nil without copies.
func familyVerdicts(svcs []ecs.ServiceSummary) []string {
	names := make([]string, len(svcs))
	for i, sv := range svcs {
		names[i] = sv.Name
	}
	var out []string
	for _, f := range families(names) {
		if !f.Copies() {
			continue
		}
		pass := 0
		for _, i := range f.Members {
			pass += passes(svcs[i])
		}
		out = append(out, fmt.Sprintf("%s (%s copies): %s pass", f.Base, count(len(f.Members)), count(pass)))
	}
	return out
}

// ObjectivesWorstFirst returns the services that have objectives, those
// that fail one first, the most error budget used first, then those that
// pass, each in summary order otherwise: the order the report and the
// terminal list them in.
func ObjectivesWorstFirst(svcs []ecs.ServiceSummary) []ecs.ServiceSummary {
	out := servicesWithObjectives(svcs)
	slices.SortStableFunc(out, func(a, b ecs.ServiceSummary) int {
		return cmp.Or(cmp.Compare(passes(a), passes(b)), cmp.Compare(worstUsed(b), worstUsed(a)))
	})
	return out
}

// servicesWithObjectives returns the services that have an slo object.
func servicesWithObjectives(svcs []ecs.ServiceSummary) []ecs.ServiceSummary {
	var out []ecs.ServiceSummary
	for _, sv := range svcs {
		if sv.SLO != nil {
			out = append(out, sv)
		}
	}
	return out
}

// worstUsed is the most error budget a service's objectives used; a missed
// target of 100 (no budget) counts as the most.
func worstUsed(sv ecs.ServiceSummary) float64 {
	worst := 0.0
	for _, o := range sv.SLO.Objectives {
		if o.BudgetUsedPct == nil {
			return 1e300
		}
		worst = max(worst, *o.BudgetUsedPct)
	}
	return worst
}

// objectiveName names an objective with its threshold: "latency ≤ 250ms".
func objectiveName(o ecs.SLOObjective) string {
	name := strings.ReplaceAll(o.Name, "_", " ")
	if o.Threshold == "" {
		return name
	}
	return name + " ≤ " + shortDuration(o.Threshold)
}

func trimPct(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) + "%" }

// budgetUsed writes the share of the error budget used; "no budget" for a
// missed target of 100.
func budgetUsed(used *float64) string {
	if used == nil {
		return "no budget"
	}
	return strconv.FormatFloat(*used, 'f', 1, 64) + "%"
}

// objectivesCard is the summary card of the objectives, in place of the
// SLO attainment card when some service has objectives.
func objectivesCard(svcs []ecs.ServiceSummary) (card, bool) {
	with := servicesWithObjectives(svcs)
	if len(with) == 0 {
		return card{}, false
	}
	pass := 0
	var failing []string
	for _, sv := range with {
		if sv.SLO.Verdict == ecs.Pass {
			pass++
		} else {
			failing = append(failing, sv.Name)
		}
	}
	note := "services meeting every objective"
	if len(failing) > 0 {
		if len(failing) > 3 {
			failing = append(failing[:3], "…")
		}
		note += "; failing: " + strings.Join(failing, ", ")
	}
	return card{"SLO objectives met", fmt.Sprintf("%s of %s", count(pass), count(len(with))), note}, true
}

// warmUpPeakNote says what the instance peak leaves out: "after the 30m
// warm-up (12,000 during it); " ("" without a warm-up).
func warmUpPeakNote(s sim.Summary) string {
	if s.WarmUp == "" {
		return ""
	}
	return fmt.Sprintf("after the %s warm-up (%s during it); ", shortDuration(s.WarmUp), count(s.Instances.PeakDuringWarmUp))
}

// shortDuration drops a Go duration's empty trailing units: "30m0s" reads
// "30m", "2h0m0s" "2h".
func shortDuration(d string) string {
	if s, ok := strings.CutSuffix(d, "m0s"); ok {
		d = s + "m"
		if s, ok := strings.CutSuffix(d, "h0m"); ok {
			d = s + "h"
		}
	}
	return d
}

// qualityCard is the objectives card when some service has objectives,
// else the SLO attainment card.
func qualityCard(svcs []ecs.ServiceSummary) card {
	if c, ok := objectivesCard(svcs); ok {
		return c
	}
	return sloCard(svcs)
}

// warmUpWaitCard says that the wait card leaves out the warm-up's tasks.
func warmUpWaitCard(c card, s sim.Summary) card {
	if s.WarmUp != "" {
		c.Note += "; tasks created after the " + shortDuration(s.WarmUp) + " warm-up"
	}
	return c
}

// SteadyPerDayUSD is the bill per day over the whole hours after a warm-up:
// cost.json's hourly amounts from the first hour that starts at or after
// warmUp to the end, over those hours' length (the last hour may be
// short). False without a warm-up or without a whole hour after it. The
// total stays the whole bill: AWS bills the warm-up too.
func SteadyPerDayUSD(cost *Cost, warmUp, simulated time.Duration) (USD, bool) {
	if warmUp <= 0 {
		return 0, false
	}
	first := int((warmUp + time.Hour - 1) / time.Hour) // ceil: the first hour wholly after it
	from := time.Duration(first) * time.Hour
	if first >= len(cost.Hourly.USD) || simulated <= from {
		return 0, false
	}
	var sum USD
	for _, row := range cost.Hourly.USD[first:] {
		for _, usd := range row {
			sum += usd
		}
	}
	return USD(float64(sum) / (simulated - from).Hours() * 24), true
}

// steadyCostNote says what a day costs after the warm-up, for the cost
// cards: "; $17,812.40 a day after the 1h30m warm-up" ("" without one).
func steadyCostNote(res *sim.Result, cost *Cost) string {
	usd, ok := SteadyPerDayUSD(cost, res.Config.Settings.WarmUp, res.End.Duration())
	if !ok {
		return ""
	}
	return "; " + money(usd) + " a day after the " + shortDuration(res.Summary.WarmUp) + " warm-up"
}

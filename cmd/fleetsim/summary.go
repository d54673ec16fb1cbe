package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// maxSummaryRows caps each table of the terminal summary; summary.json has
// every row.
const maxSummaryRows = 20

// printSummary prints a run's outcome: the bill, a table of services (their
// tasks, placement waits, SLO attainment and availability and their share
// of the bill), the SLO objectives' verdicts, a table of batch jobs, the
// instances, and the placement failures by reason. Waits read as
// report.html writes them; with a warm-up, the shares, waits and the peak
// are the steady period's, and a line says so.
func printSummary(stdout io.Writer, res *sim.Result, cost *report.Cost, wall time.Duration) {
	s := res.Summary
	fmt.Fprintf(stdout, "%s (seed %d): %s simulated in %s wall, %d events (%.2f M events/s)\n",
		s.Scenario, s.Seed, s.SimulatedDuration, wall.Round(time.Millisecond), s.EventsProcessed,
		float64(s.EventsProcessed)/wall.Seconds()/1e6)
	if res.EKS != nil && s.EKS != nil {
		printEKSSummary(stdout, res)
		return
	}
	owner := map[string]float64{}
	for _, o := range cost.ByOwner {
		owner[o.Kind+"/"+o.Name] = float64(o.USD)
	}
	idle := ""
	if v := owner["idle/"+report.IdleCapacity]; v > 0 {
		idle = "; idle EC2 capacity " + usd(v) + " of it"
	}
	perDay := usd(float64(cost.PerDayUSD)) + " a day"
	if steady, ok := report.SteadyPerDayUSD(cost, res.Config.Settings.WarmUp, res.End.Duration()); ok {
		perDay += " (" + usd(float64(steady)) + " after the warm-up)"
	}
	fmt.Fprintf(stdout, "cost: %s, %s%s\n", usd(float64(cost.TotalUSD)), perDay, idle)
	if s.WarmUp != "" {
		fmt.Fprintf(stdout, "warm-up: the first %s; waits, SLO attainment, availability, objectives and the instance peak are over the rest of the run (the cost is the whole bill)\n", shortDuration(s.WarmUp))
	}
	if len(s.Services) > 0 {
		rows := [][]string{{"service", "desired", "running", "started", "stopped", "wait p50", "wait p95", "wait max", "SLO met", "availability", "cost"}}
		for _, sv := range s.Services {
			slo := "-"
			if sv.SLOAttainmentPct >= 0 {
				slo = percent(sv.SLOAttainmentPct)
			}
			rows = append(rows, []string{sv.Name, strconv.Itoa(sv.DesiredAtEnd), strconv.Itoa(sv.RunningAtEnd),
				strconv.Itoa(sv.TasksStarted), strconv.Itoa(sv.TasksStopped), waitText(sv.PlacementWait.P50),
				waitText(sv.PlacementWait.P95), waitText(sv.PlacementWait.Max), slo, percent(sv.AvailabilityPct),
				usd(owner["service/"+sv.Name])})
		}
		printTable(stdout, rows, "services")
		printObjectives(stdout, s.Services)
	}
	if len(s.BatchJobs) > 0 {
		rows := [][]string{{"batch job", "submitted", "completed", "running", "not placed", "wait p50", "wait p95", "wait max", "cost"}}
		for _, j := range s.BatchJobs {
			rows = append(rows, []string{j.Name, strconv.Itoa(j.Submitted), strconv.Itoa(j.Completed), strconv.Itoa(j.RunningAtEnd),
				strconv.Itoa(j.RunTaskFailures), waitText(j.PlacementWait.P50), waitText(j.PlacementWait.P95),
				waitText(j.PlacementWait.Max), usd(owner["job/"+j.Name])})
		}
		printTable(stdout, rows, "batch jobs")
	}
	peak := strconv.Itoa(s.Instances.Peak) + " at peak"
	if s.WarmUp != "" {
		peak += fmt.Sprintf(" after the warm-up (%d during the first %s)", s.Instances.PeakDuringWarmUp, shortDuration(s.WarmUp))
	}
	fmt.Fprintf(stdout, "instances: %d launched, %s, %d at end\n", s.Instances.Launched, peak, s.Instances.AtEnd)
	printFailures(stdout, s.PlacementFailures)
}

// printObjectives prints the services' SLO objectives, failing services
// first (the most error budget used first), under a line counting the
// services that pass; nothing when no service has an objective.
func printObjectives(stdout io.Writer, svcs []ecs.ServiceSummary) {
	with := report.ObjectivesWorstFirst(svcs)
	if len(with) == 0 {
		return
	}
	passing := 0
	rows := [][]string{{"  service", "objective", "target", "attained", "budget used", "verdict"}}
	for _, sv := range with {
		if sv.SLO.Verdict == ecs.Pass {
			passing++
		}
		for _, o := range sv.SLO.Objectives {
			rows = append(rows, []string{"  " + sv.Name, objectiveText(o), strconv.FormatFloat(o.TargetPct, 'f', -1, 64) + "%",
				strconv.FormatFloat(o.AttainedPct, 'f', 3, 64) + "%", budgetText(o.BudgetUsedPct), strings.ToUpper(o.Verdict)})
		}
	}
	fmt.Fprintf(stdout, "SLO objectives: %d of %d services pass\n", passing, len(with))
	printTable(stdout, rows, "objectives")
}

// objectiveText names an objective with its threshold: "latency <= 250ms".
func objectiveText(o ecs.SLOObjective) string {
	if o.Threshold == "" {
		return o.Name
	}
	return o.Name + " <= " + shortDuration(o.Threshold)
}

// budgetText writes the error budget used: "50.0%", or "no budget" for a
// target of 100 that was missed.
func budgetText(used *float64) string {
	if used == nil {
		return "no budget"
	}
	return strconv.FormatFloat(*used, 'f', 1, 64) + "%"
}

// shortDuration drops a Go duration's empty trailing units, as report.html
// writes it: "30m0s" reads "30m", "2h0m0s" "2h".
func shortDuration(d string) string {
	if s, ok := strings.CutSuffix(d, "m0s"); ok {
		d = s + "m"
		if s, ok := strings.CutSuffix(d, "h0m"); ok {
			d = s + "h"
		}
	}
	return d
}

// printTable prints rows (the first is the header) with the first column
// left-aligned and the others right-aligned, two spaces apart; past
// maxSummaryRows it says how many more of what summary.json holds.
func printTable(w io.Writer, rows [][]string, what string) {
	more := 0
	if len(rows)-1 > maxSummaryRows {
		more = len(rows) - 1 - maxSummaryRows
		rows = rows[:1+maxSummaryRows]
	}
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			switch {
			case i == 0:
				b.WriteString(c + pad)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		fmt.Fprintln(w, b.String())
	}
	if more > 0 {
		fmt.Fprintf(w, "(%d more %s: see summary.json)\n", more, what)
	}
}

// printFailures prints the tasks that failed placement by their first
// reason, most first (ties by reason), as a table under their total.
func printFailures(stdout io.Writer, byReason map[string]int) {
	if len(byReason) == 0 {
		fmt.Fprintln(stdout, "placement failures: none")
		return
	}
	reasons := slices.SortedFunc(maps.Keys(byReason), func(a, b string) int {
		return cmp.Or(cmp.Compare(byReason[b], byReason[a]), cmp.Compare(a, b))
	})
	total := 0
	rows := [][]string{{"  reason", "tasks"}}
	for _, r := range reasons {
		total += byReason[r]
		rows = append(rows, []string{"  " + r, strconv.Itoa(byReason[r])})
	}
	fmt.Fprintf(stdout, "placement failures: %d task(s), by first reason:\n", total)
	printTable(stdout, rows, "reasons")
}

// waitText writes a wait in seconds as report.html does: "12.5 s" under
// two minutes, "3m20s" from two minutes up.
func waitText(s float64) string {
	if s >= 120 {
		return time.Duration(s * float64(time.Second)).Round(time.Second).String()
	}
	return strconv.FormatFloat(s, 'f', 1, 64) + " s"
}

// percent writes a percentage with two decimals (99.95% and 100% differ).
func percent(p float64) string { return strconv.FormatFloat(p, 'f', 2, 64) + "%" }

// usd writes dollars with cents and thousands separated: $1,234.56; a
// positive amount below a cent is "<$0.01", as report.html writes it.
func usd(x float64) string {
	if x > 0 && x < 0.005 {
		return "<$0.01"
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', 2, 64)
	whole, frac := s[:len(s)-3], s[len(s)-3:]
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if x < 0 && s != "0.00" {
		return "-$" + whole + frac
	}
	return "$" + whole + frac
}

package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// Bounds of the Deployments and faults section.
const (
	// faultCap is the most faults the section lists.
	faultCap = 25
	// faultServiceCap is the most services a fault's rows list; the rest
	// share one row.
	faultServiceCap = 5
	// deploymentCap is the most deployments listed after the initial ones.
	deploymentCap = 30
	// initialListed is the most initial deployments listed one by one;
	// more share one row.
	initialListed = 5
)

// resilienceRow is one service's availability, deployments and recovery
// from faults (or a folded row of several services).
type resilienceRow struct {
	Name, Availability, MinHealthy, Completed, Failed, RolledBack, Touched, Dropped, Worst string
	Short                                                                                  bool // below the minimum healthy count some minute
	Folded                                                                                 bool
}

// deploymentRow is one deployment.
type deploymentRow struct {
	Service, TaskDef, Cause, Start, End, Duration, Outcome, Reason string
	Bad                                                            bool // failed or rolled back
}

// faultRow is one service's recovery from a fault; the fault's own cells
// are on its first row only.
type faultRow struct {
	Start, Fault, Where, Duration string
	Service, Healthy, Recovery    string
	First, NotRecovered           bool
}

// noSeries says why a run has no per-service figures or recovery times.
const noSeries = "this run recorded no per-service series ([report] service_series = false, which large runs set to keep their outputs small)"

// noTaskEvents says why a run cannot tell which services a fault touched.
const noTaskEvents = "this run recorded no task events ([report] task_events = false), so which services a fault touched is not known"

// plotsNote explains figures left out: the per-service ones when the run
// recorded no per-service series.
func plotsNote(res *sim.Result) string {
	if len(res.Config.Services) == 0 || hasServiceSeries(res) {
		return ""
	}
	return "The per-service figures (tasks, healthy tasks, load and response, with deployments and faults marked) are left out: " + noSeries + "."
}

// hasServiceSeries reports whether the run recorded per-service columns.
func hasServiceSeries(res *sim.Result) bool {
	return len(res.Config.Services) > 0 && column(res, schema.ServiceColumn(res.Config.Services[0].Name, schema.ServiceHealthy)) != nil
}

// faultTally is what the faults did to one service.
type faultTally struct {
	touched, dropped int
	longest          des.Time
	never            bool // a drop it did not recover from
}

func tallyFaults(faults []Fault, service string) faultTally {
	var t faultTally
	for i := range faults {
		if !faults[i].Touched(service) {
			continue
		}
		t.touched++
		for _, r := range faults[i].Recovery {
			if r.Service != service || r.Held {
				continue
			}
			t.dropped++
			t.never = t.never || !r.Recovered
			t.longest = max(t.longest, des.At(r.After))
		}
	}
	return t
}

// incidentTables are the Deployments and faults section: each service's
// availability, deployment counts and worst recovery; the deployments; the
// faults with each touched service's time to recover; and the notes that
// say what the tables leave out.
func incidentTables(res *sim.Result, faults []Fault) (svcs []resilienceRow, deps []deploymentRow, depNote string, rows []faultRow, note string) {
	svcs = resilienceRows(res, faults)
	deps, depNote = deploymentRows(res, Deployments(res))
	return svcs, deps, depNote, faultRows(res, faults[:min(len(faults), faultCap)]), faultsNote(res, faults)
}

// resilienceRows is one row per service, copies folded (worst first:
// least available, then most failed deployments).
func resilienceRows(res *sim.Result, faults []Fault) []resilienceRow {
	ss := res.Summary.Services
	names := make([]string, len(ss))
	tallies := make([]faultTally, len(ss))
	for i, sv := range ss {
		names[i] = sv.Name
		tallies[i] = tallyFaults(faults, sv.Name)
	}
	worse := byWorst(func(i int) float64 { return 100 - ss[i].AvailabilityPct },
		func(i int) float64 { return float64(ss[i].DeploymentsFailed) },
		func(i int) float64 { return float64(tallies[i].longest) })
	known := res.Config.Settings.TaskEvents
	series := hasServiceSeries(res)
	minHealthy := func(i int) string {
		if i < len(res.Config.Services) {
			return strconv.Itoa(res.Config.Services[i].MinimumHealthyPercent) + "%"
		}
		return "–"
	}
	one := func(i int) resilienceRow {
		sv := ss[i]
		row := resilienceRow{Name: sv.Name, Availability: pct2(sv.AvailabilityPct), MinHealthy: minHealthy(i),
			Completed: strconv.Itoa(sv.DeploymentsCompleted), Failed: strconv.Itoa(sv.DeploymentsFailed),
			RolledBack: strconv.Itoa(sv.RolledBack), Short: sv.AvailabilityPct < 100}
		row.Touched, row.Dropped, row.Worst = tallyText(tallies[i], len(faults), known, series)
		return row
	}
	rest := func(label string, idx []int) resilienceRow {
		row := resilienceRow{Name: label, Folded: true, MinHealthy: common(idx, minHealthy)}
		lowest, t := 100.0, faultTally{}
		var completed, failed, rolled int
		for _, i := range idx {
			lowest = min(lowest, ss[i].AvailabilityPct)
			completed, failed, rolled = completed+ss[i].DeploymentsCompleted, failed+ss[i].DeploymentsFailed, rolled+ss[i].RolledBack
			t.touched, t.dropped = t.touched+tallies[i].touched, t.dropped+tallies[i].dropped
			t.longest, t.never = max(t.longest, tallies[i].longest), t.never || tallies[i].never
			row.Short = row.Short || ss[i].AvailabilityPct < 100
		}
		row.Availability = "≥ " + pct2(lowest)
		row.Completed, row.Failed, row.RolledBack = strconv.Itoa(completed), strconv.Itoa(failed), strconv.Itoa(rolled)
		row.Touched, row.Dropped, row.Worst = tallyText(t, len(faults), known, series)
		if row.Touched != "no fault" && row.Touched != "not recorded" {
			row.Touched += " in all"
		}
		return row
	}
	return foldRows(families(names), worse, one, rest)
}

// foldRows lays out a bounded table (see fold): one(i) is member i's row,
// rest(label, members) a row for members folded together.
func foldRows[R any](fams []family, worse func(a, b int) int, one func(i int) R, rest func(label string, idx []int) R) []R {
	fd := fold(fams, worse)
	var rows []R
	for _, f := range fd.Families {
		for _, i := range f.Shown {
			rows = append(rows, one(i))
		}
		if len(f.More) > 0 {
			rows = append(rows, rest(moreLabel(f.Base, len(f.More), 0), f.More))
		}
	}
	if len(fd.Rest) > 0 {
		rows = append(rows, rest(moreLabel("", len(fd.Rest), fd.RestFams), fd.Rest))
	}
	return rows
}

// common is the value every member has, or "various".
func common(idx []int, v func(i int) string) string {
	if len(idx) == 0 {
		return "–"
	}
	first := v(idx[0])
	for _, i := range idx[1:] {
		if v(i) != first {
			return "various"
		}
	}
	return first
}

// pct2 formats a percentage with two decimals.
func pct2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" }

// tallyText is a service's (or folded services') fault columns: faults
// that touched it, that dropped its healthy count, and the longest
// recovery.
func tallyText(t faultTally, faults int, known, series bool) (touched, dropped, worst string) {
	switch {
	case faults == 0:
		return "no fault", "–", "–"
	case !known:
		return "not recorded", "–", "–"
	case !series:
		return strconv.Itoa(t.touched), "–", "–"
	case t.dropped == 0:
		return strconv.Itoa(t.touched), "0", "–"
	case t.never:
		return strconv.Itoa(t.touched), strconv.Itoa(t.dropped), "not recovered"
	}
	return strconv.Itoa(t.touched), strconv.Itoa(t.dropped), span(t.longest)
}

// deploymentRows lists the deployments: the initial ones one by one, or in
// one row when there are many; then the others in the order they started,
// at most deploymentCap (every failed one first).
func deploymentRows(res *sim.Result, all []Deployment) ([]deploymentRow, string) {
	var initial, later []Deployment
	for _, d := range all {
		if d.Initial {
			initial = append(initial, d)
		} else {
			later = append(later, d)
		}
	}
	// a service whose first deployment never completed has no event of it
	started := map[string]bool{}
	for _, d := range all {
		started[d.Service] = true
	}
	for _, s := range res.Config.Services {
		if !started[s.Name] {
			initial = append(initial, Deployment{Service: s.Name, TaskDefinition: "–", Cause: "service created", End: res.End, Outcome: OutcomeInProgress, Initial: true})
		}
	}
	var rows []deploymentRow
	if len(initial) > initialListed {
		rows = append(rows, initialRow(res, initial))
	} else {
		for _, d := range initial {
			rows = append(rows, deploymentRowOf(res, d))
		}
	}
	note := ""
	if len(later) > deploymentCap {
		keep := make([]int, 0, deploymentCap)
		for i, d := range later {
			if d.Bad() && len(keep) < deploymentCap {
				keep = append(keep, i)
			}
		}
		for i, d := range later {
			if !d.Bad() && len(keep) < deploymentCap {
				keep = append(keep, i)
			}
		}
		slices.Sort(keep)
		shown := make([]Deployment, len(keep))
		for j, i := range keep {
			shown[j] = later[i]
		}
		note = fmt.Sprintf(" Showing %d of the %d deployments after the initial ones: every failed one first, then the earliest; the full log is events.csv.", len(keep), len(later))
		later = shown
	}
	for _, d := range later {
		rows = append(rows, deploymentRowOf(res, d))
	}
	return rows, note
}

func deploymentRowOf(res *sim.Result, d Deployment) deploymentRow {
	row := deploymentRow{Service: d.Service, TaskDef: d.TaskDefinition, Cause: d.Cause, Start: clock(res, d.Start),
		End: clock(res, d.End), Duration: span(d.End - d.Start), Outcome: d.Outcome, Reason: d.Reason, Bad: d.Bad()}
	if d.Initial {
		row.Start = "run start"
	}
	if d.Rollback {
		row.Outcome = "rollback " + d.Outcome
	}
	if !d.Finished() {
		row.End, row.Duration = "–", "over "+span(d.End-d.Start)
	}
	return row
}

// initialRow is the services' initial deployments in one row.
func initialRow(res *sim.Result, ds []Deployment) deploymentRow {
	var last, longest des.Time
	done, bad := 0, 0
	for _, d := range ds {
		if d.Finished() {
			done++
			last, longest = max(last, d.End), max(longest, d.End-d.Start)
		}
		if d.Bad() {
			bad++
		}
	}
	outcome := "all completed"
	switch {
	case bad > 0:
		outcome = fmt.Sprintf("%d failed, %d completed", bad, done-bad)
	case done < len(ds):
		outcome = fmt.Sprintf("%d completed, %d in progress at the end", done, len(ds)-done)
	}
	row := deploymentRow{Service: fmt.Sprintf("%d services", len(ds)), TaskDef: "–", Cause: "service created",
		Start: "run start", End: "–", Duration: "–", Outcome: outcome, Bad: bad > 0}
	if done > 0 {
		row.End, row.Duration = "by "+clock(res, last), "up to "+span(longest)
	}
	return row
}

// faultRows is one row per fault and touched service: at most
// faultServiceCap services a fault (the slowest to recover first when there
// are more), the rest in one row.
func faultRows(res *sim.Result, faults []Fault) []faultRow {
	series := hasServiceSeries(res)
	var rows []faultRow
	for _, f := range faults {
		head := faultRow{Start: clock(res, f.Start), Fault: f.Label(), Where: where(&f), Duration: "–", First: true}
		if f.Kind == FaultZoneOutage {
			head.Duration = span(f.End - f.Start)
			if !f.Recovered {
				head.Duration = "to the end (" + span(f.End-f.Start) + ")"
			}
		}
		var svc []faultRow
		switch {
		case !f.Known:
			svc = []faultRow{{Service: "not recorded", Healthy: "–", Recovery: "task events off"}}
		case len(f.Services) == 0:
			svc = []faultRow{{Service: "none", Healthy: "–", Recovery: "no service task on the capacity lost"}}
		case !series:
			svc = []faultRow{{Service: listNames(f.Services, faultServiceCap), Healthy: "–", Recovery: "no per-service series"}}
		default:
			svc = recoveryRows(f.Recovery)
		}
		for i := range svc {
			if i == 0 {
				svc[0].Start, svc[0].Fault, svc[0].Where, svc[0].Duration, svc[0].First = head.Start, head.Fault, head.Where, head.Duration, true
			}
			rows = append(rows, svc[i])
		}
	}
	return rows
}

// recoveryRows is a fault's rows, one per touched service.
func recoveryRows(rs []Recovery) []faultRow {
	rs = slices.Clone(rs)
	if len(rs) > faultServiceCap {
		slices.SortStableFunc(rs, func(a, b Recovery) int {
			return cmp.Or(cmp.Compare(b2i(a.Held), b2i(b.Held)), cmp.Compare(b2i(a.Recovered), b2i(b.Recovered)), cmp.Compare(b.After, a.After))
		})
	}
	var rows []faultRow
	for i, r := range rs {
		if i == faultServiceCap {
			rows = append(rows, foldedRecovery(rs[i:]))
			break
		}
		row := faultRow{Service: r.Service, Healthy: fmt.Sprintf("%d → %d", r.Before, r.Lowest), Recovery: span(des.At(r.After))}
		switch {
		case r.Held:
			row.Healthy, row.Recovery = "held", "no drop"
		case !r.Recovered:
			row.Recovery, row.NotRecovered = "not recovered", true
		}
		rows = append(rows, row)
	}
	return rows
}

// foldedRecovery is the services of a fault beyond faultServiceCap in one row.
func foldedRecovery(rs []Recovery) faultRow {
	dropped, never := 0, false
	var longest des.Time
	for _, r := range rs {
		if !r.Held {
			dropped++
			never = never || !r.Recovered
			longest = max(longest, des.At(r.After))
		}
	}
	row := faultRow{Service: fmt.Sprintf("%d more services", len(rs)), Healthy: fmt.Sprintf("%d dropped", dropped), Recovery: "–"}
	switch {
	case never:
		row.Recovery, row.NotRecovered = "some not recovered", true
	case dropped > 0:
		row.Recovery = "within " + span(longest)
	}
	return row
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// listNames joins at most n names: "web, worker and 3 more".
func listNames(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}

// where names what a fault hit: the instances lost or interrupted and
// their Auto Scaling group, or the Fargate Spot tasks reclaimed.
func where(f *Fault) string {
	if f.Kind == FaultFargateSpot {
		return groupLabel(f.Subject) + ": " + plural(len(f.Tasks), "task")
	}
	ids := f.Instances
	more := ""
	if len(ids) > 3 {
		ids, more = ids[:3], fmt.Sprintf(" and %d more", len(f.Instances)-3)
	}
	list := strings.Join(ids, ", ") + more
	switch {
	case f.Kind == FaultZoneOutage && len(ids) == 0:
		return "no instance lost"
	case f.Kind == FaultZoneOutage && len(f.Instances) == 1:
		return "1 instance lost: " + list
	case f.Kind == FaultZoneOutage:
		return fmt.Sprintf("%d instances lost: %s", len(f.Instances), list)
	}
	return f.Subject + ": " + list
}

// plural is "1 task", "3 tasks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return count(n) + " " + noun + "s"
}

// faultsNote says how to read the faults table and what it leaves out;
// with no fault, only what the event log could not show.
func faultsNote(res *sim.Result, faults []Fault) string {
	var parts []string
	if len(faults) > 0 {
		parts = append(parts, "A fault touches a service when one of the service's tasks was on the capacity lost: on a failed or interrupted instance at the time, "+
			"or a Fargate task the outage or Fargate Spot stopped. Time to recover: from the fault to the first minute the service's healthy count is back at its count in the minute before the fault "+
			"(or at its desired count, if that fell lower); held: the count did not drop within "+span(des.At(dipWindow))+" (its tasks were replaced before they went). "+
			"Healthy: before → lowest.")
		if len(res.Config.Services) > 0 && !hasServiceSeries(res) {
			parts = append(parts, "No time to recover: "+noSeries+".")
		}
		if !res.Config.Settings.TaskEvents {
			parts = append(parts, "Not attributed: "+noTaskEvents+".")
		}
	}
	if !res.Config.Settings.TaskEvents {
		ec2 := 0
		for _, e := range res.Events {
			if e.Type == schema.SpotInterruptionNotice {
				ec2++
			}
		}
		if n := res.Summary.Instances.SpotInterruptions - ec2; n > 0 {
			parts = append(parts, fmt.Sprintf("Fargate Spot reclaimed %s (summary.json), not listed here: they are task events, which this run did not record.", plural(n, "task")))
		}
	}
	if len(faults) > faultCap {
		parts = append(parts, fmt.Sprintf("Showing the first %d of %d faults; the full log is events.csv.", faultCap, len(faults)))
	}
	return strings.Join(parts, " ")
}

package report

import (
	"fmt"
	"github.com/fleetsim/fleetsim/sim/schema"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

// faultCap is the most faults the Deployments and faults section lists.
const faultCap = 100

// resilienceRow is one service's availability, deployments and recovery
// from faults.
type resilienceRow struct {
	Name, Availability, MinHealthy, Completed, Failed, RolledBack, Hit, Worst string
	Short                                                                     bool // below the minimum healthy count some minute
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

// incidentTables are the Deployments and faults section: each service's
// availability, deployment counts and worst recovery; every deployment;
// every fault with each affected service's time to recover.
func incidentTables(res *sim.Result) ([]resilienceRow, []deploymentRow, []faultRow, string) {
	faults := Faults(res)
	var svcs []resilienceRow
	for i, sv := range res.Summary.Services {
		row := resilienceRow{Name: sv.Name, Availability: strconv.FormatFloat(sv.AvailabilityPct, 'f', 2, 64) + "%",
			Completed: strconv.Itoa(sv.DeploymentsCompleted), Failed: strconv.Itoa(sv.DeploymentsFailed),
			RolledBack: strconv.Itoa(sv.RolledBack), Short: sv.AvailabilityPct < 100, Hit: "–", Worst: "–"}
		if i < len(res.Config.Services) {
			row.MinHealthy = strconv.Itoa(res.Config.Services[i].MinimumHealthyPercent) + "%"
		}
		if hasServiceSeries(res) {
			row.Hit, row.Worst = worstRecovery(faults, sv.Name)
		}
		svcs = append(svcs, row)
	}
	var deps []deploymentRow
	for _, d := range Deployments(res) {
		row := deploymentRow{Service: d.Service, TaskDef: d.TaskDefinition, Cause: d.Cause, Start: clock(res, d.Start),
			End: clock(res, d.End), Duration: span(d.End - d.Start), Outcome: d.Outcome, Reason: d.Reason,
			Bad: d.Outcome == OutcomeFailed || d.Outcome == OutcomeRolledBack}
		if d.Initial {
			row.Start = "run start"
		}
		if d.Rollback {
			row.Outcome = "rollback " + d.Outcome
		}
		if !d.Finished() {
			row.End, row.Duration = "–", "over "+span(d.End-d.Start)
		}
		deps = append(deps, row)
	}
	note := faultsNote(res, len(faults))
	return svcs, deps, faultRows(res, faults[:min(len(faults), faultCap)]), note
}

// worstRecovery counts the faults that dropped a service's healthy count and
// finds its longest time to recover.
func worstRecovery(faults []Fault, service string) (hit, worst string) {
	n, longest, never := 0, des.Time(0), false
	for _, f := range faults {
		for _, r := range f.Recovery {
			if r.Service != service {
				continue
			}
			n++
			if !r.Recovered {
				never = true
			}
			longest = max(longest, des.At(r.After))
		}
	}
	switch {
	case len(faults) == 0:
		return "no fault", "–"
	case n == 0:
		return fmt.Sprintf("0 of %d", len(faults)), "–"
	case never:
		return fmt.Sprintf("%d of %d", n, len(faults)), "not recovered"
	}
	return fmt.Sprintf("%d of %d", n, len(faults)), span(longest)
}

// faultRows is one row per fault and affected service.
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
		switch {
		case !series:
			head.Service, head.Healthy, head.Recovery = "–", "–", "no per-service series"
			rows = append(rows, head)
			continue
		case len(f.Recovery) == 0:
			head.Service, head.Healthy, head.Recovery = "none", "–", "no service's healthy count dropped"
			rows = append(rows, head)
			continue
		}
		for i, r := range f.Recovery {
			row := faultRow{}
			if i == 0 {
				row = head
			}
			row.Service = r.Service
			row.Healthy = fmt.Sprintf("%d → %d", r.Before, r.Lowest)
			row.Recovery = span(des.At(r.After))
			if !r.Recovered {
				row.Recovery, row.NotRecovered = "not recovered", true
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// where names what a fault hit: the instances lost or interrupted, and
// their Auto Scaling group.
func where(f *Fault) string {
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

// faultsNote says how to read the faults table and what it leaves out.
func faultsNote(res *sim.Result, n int) string {
	note := "Time to recover: from the fault to the first minute the service's healthy count is back at its count in the minute before the fault " +
		"(or at its desired count, if that fell lower); a service counts as affected when its healthy count drops within " + span(des.At(dipWindow)) + " of the fault. " +
		"Healthy: before → lowest."
	if !hasServiceSeries(res) && len(res.Config.Services) > 0 {
		note += " No time to recover: " + noSeries + "."
	}
	if n > faultCap {
		note += fmt.Sprintf(" Showing the first %d of %d faults; the full log is events.csv.", faultCap, n)
	}
	return note
}

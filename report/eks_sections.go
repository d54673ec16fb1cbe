package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// eksView is what an EKS run's page shows in place of ECS's services,
// deployments, capacity providers and cost by owner (eksTemplate).
type eksView struct {
	Idle          *eksIdleView
	Workloads     []eksWorkloadRow
	Unschedulable []eksUnschedRow
	Rollouts      []eksRolloutRow
	RolloutsNote  string
	JobRuns       []eksJobRow
	Faults        []eksFaultRow
	NodeGroups    []eksNodeGroupRow
	Cost          []eksCostRow
	CostTotal     string
	Scaling       *eksScalingView // the autoscalers' decisions (eks_scaling.go); nil without any
	Fargate       *eksFargateView // the Fargate profiles' pods (eks_fargate_html.go); nil without any
	// Served are the Deployments served as ECS services (sim/eks
	// service.go): their requests, SLO attainment and availability.
	Served []eksServedRow
}

// eksServedRow is a served Deployment's figures, as the ECS report's
// service table has them.
type eksServedRow struct{ Name, Offered, Dropped, SLO, Available string }

type eksIdleView struct {
	Lead  string
	Lines []string
}

type eksWorkloadRow struct {
	Kind, Name, Desired, Running, Created, Succeeded, Failed, Deleted, P50, P95, Max, Unschedulable, CPU, Dropped string
	Short                                                                                                         bool // running below desired at the end (not a Job)
}

type eksUnschedRow struct{ Workload, Message, Pods string }

type eksRolloutRow struct{ Deployment, Change, Start, End, Took, Surge, Outcome string }

type eksJobRow struct{ Job, Name, Start, End, Took, Outcome, Reason string }

type eksFaultRow struct{ Start, Fault, Where, Lasted string }

type eksNodeGroupRow struct{ Name, Kind, CapacityType, InstanceTypes, Launched, Peak, Hours, USD, Share string }

type eksCostRow struct{ Name, CapacityType, Nodes, Hours, USD, Share string }

// eksSections builds the EKS sections of the page from summary.json's EKS
// block, cost.json's EKS breakdown and the event log.
func eksSections(res *sim.Result, cost *Cost, ek *EKSCost) *eksView {
	v := &eksView{}
	s := res.Summary.EKS
	for _, w := range s.Workloads {
		v.Workloads = append(v.Workloads, eksWorkloadRowOf(res, w))
		if r, ok := eksServedRowOf(w); ok {
			v.Served = append(v.Served, r)
		}
	}
	for _, w := range s.Workloads {
		for _, r := range byCount(w.Unschedulable) {
			v.Unschedulable = append(v.Unschedulable, eksUnschedRow{w.Kind + "/" + w.Name, r, count(w.Unschedulable[r])})
		}
	}
	v.Rollouts, v.RolloutsNote = eksRolloutRows(res)
	for _, j := range JobRuns(res) {
		row := eksJobRow{Job: j.Job, Name: j.Name, Start: clock(res, j.Start), End: "–", Took: "–", Outcome: j.Outcome, Reason: j.Reason}
		if j.Outcome != OutcomeInProgress {
			row.End, row.Took = clock(res, j.End), span(j.End-j.Start)
		}
		v.JobRuns = append(v.JobRuns, row)
	}
	for _, f := range Faults(res) {
		row := eksFaultRow{Start: clock(res, f.Start), Fault: f.Label(), Where: where(&f), Lasted: "–"}
		if f.Kind == FaultZoneOutage {
			row.Lasted = span(f.End - f.Start)
			if !f.Recovered {
				row.Lasted = "to the end (" + span(f.End-f.Start) + ")"
			}
		}
		v.Faults = append(v.Faults, row)
	}
	v.NodeGroups = eksNodeGroupRows(res, ek)
	for _, l := range ek.ByNodeGroup {
		v.Cost = append(v.Cost, eksCostRow{Name: l.NodeGroup, CapacityType: l.CapacityType, Nodes: count(l.Nodes),
			Hours: decimal(float64(l.InstanceSeconds)/3600, 1), USD: money(l.USD), Share: share(l.USD, ek.TotalUSD)})
		if l.NodePool != "" { // a Karpenter NodePool's nodes (eks_scaling.go)
			v.Cost[len(v.Cost)-1].Name = "NodePool " + l.NodePool
		}
	}
	v.Cost = append(v.Cost, eksCostRow{Name: "EKS control plane", CapacityType: res.Config.EKS.Support + " support", Nodes: "–",
		Hours: decimal(res.End.Duration().Hours(), 1) + " cluster-h", USD: money(ek.ControlPlaneUSD), Share: share(ek.ControlPlaneUSD, ek.TotalUSD)})
	eksFargate(v, res, ek) // eks_fargate_html.go: the Fargate rows and section
	v.CostTotal = money(ek.TotalUSD)
	if idle, ok := eksIdle(res, cost); ok && idle.USD > 0 {
		v.Idle = &eksIdleView{
			Lead: fmt.Sprintf("Why %s of the bill is node capacity no pod requested (%s of %s):",
				share(idle.USD, ek.TotalUSD), money(idle.USD), money(ek.TotalUSD)),
			Lines: []string{
				fmt.Sprintf("The pods' requests held %s of the Ready nodes' allocatable CPU and %s of their memory, on average over the samples.",
					pct1(idle.CPUPct), pct1(idle.MemPct)),
				"Each minute's node bill counts as idle in the share of allocatable CPU and memory (half weight each) that no bound pod requested; nodes still booting count as idle whole. " +
					"Requests, not use: a pod busy at its request or idle at it weighs the same. The control plane is not capacity and is never idle.",
			}}
	}
	return v
}

// byCount is a map's keys, the largest count first (ties by key).
func byCount(m map[string]int) []string {
	return slices.SortedFunc(maps.Keys(m), func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
}

func pct1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "%" }

// eksWorkloadRowOf is a workload's row: summary.json's figures.
func eksWorkloadRowOf(res *sim.Result, w eks.WorkloadSummary) eksWorkloadRow {
	row := eksWorkloadRow{Kind: w.Kind, Name: w.Name, Desired: count(w.Desired), Running: count(w.RunningAtEnd),
		Created: count(w.PodsCreated), Succeeded: count(w.Succeeded), Failed: count(w.Failed), Deleted: count(w.Deleted),
		P50: seconds(w.PendingP50S), P95: seconds(w.PendingP95S), Max: seconds(w.PendingMaxS), Unschedulable: "–", CPU: "–", Dropped: "–",
		Short: (w.Kind == "deployment" || w.Kind == "daemonset") && w.RunningAtEnd < w.Desired}
	if w.PendingAtEnd > 0 {
		row.Running += " (" + count(w.PendingAtEnd) + " pending)"
	}
	if len(w.Unschedulable) > 0 {
		n := 0
		for _, c := range w.Unschedulable {
			n += c
		}
		row.Unschedulable = count(n)
	}
	if w.MeanUtilization != nil {
		row.CPU = pct1(*w.MeanUtilization)
	}
	if w.DroppedRequests != nil {
		row.Dropped = count(int(*w.DroppedRequests + 0.5))
		if offered := offeredRequests(res, w.Name); offered > 0 {
			row.Dropped += " (" + strconv.FormatFloat(100**w.DroppedRequests/offered, 'f', 2, 64) + "%)"
		}
	}
	return row
}

// eksServedRowOf is a served Deployment's row; false for other workloads.
func eksServedRowOf(w eks.WorkloadSummary) (eksServedRow, bool) {
	if w.RequestsOffered == nil || w.RequestsDropped == nil || w.SLOAttainmentPct == nil || w.AvailabilityPct == nil {
		return eksServedRow{}, false
	}
	r := eksServedRow{Name: w.Name, Offered: count(int(*w.RequestsOffered)), Dropped: count(int(*w.RequestsDropped)), SLO: "–",
		Available: strconv.FormatFloat(*w.AvailabilityPct, 'f', 2, 64) + "%"}
	if *w.RequestsOffered > 0 {
		r.Dropped += " (" + strconv.FormatFloat(100**w.RequestsDropped / *w.RequestsOffered, 'f', 2, 64) + "%)"
	}
	if *w.SLOAttainmentPct >= 0 {
		r.SLO = strconv.FormatFloat(*w.SLOAttainmentPct, 'f', 2, 64) + "%"
	}
	return r, true
}

// offeredRequests is the requests offered to a Deployment over the run, as
// the world counts its dropped ones: each sample's rate over the sample's
// period.
func offeredRequests(res *sim.Result, name string) float64 {
	load, times := column(res, sim.EKSDeploymentColumn(name, "load_rps")), res.Series.Times
	if load == nil || len(times) < 2 {
		return 0
	}
	every := (times[1] - times[0]).Duration().Seconds()
	var sum float64
	for _, v := range load {
		if v == v { // not NaN
			sum += v
		}
	}
	return sum * every
}

// eksRolloutRows are the rollouts, and a note on how to read them.
func eksRolloutRows(res *sim.Result) ([]eksRolloutRow, string) {
	var rows []eksRolloutRow
	unknown := false
	all := Rollouts(res)
	for _, r := range all {
		row := eksRolloutRow{Deployment: r.Deployment, Change: r.Change, Start: clock(res, r.Start), End: "–", Took: "–", Outcome: r.Outcome, Surge: "–"}
		if r.Initial {
			row.Change = "created with the run"
		}
		if r.Outcome != OutcomeInProgress {
			row.End, row.Took = clock(res, r.End), span(r.Took())
		}
		switch {
		case r.Initial:
		case r.MaxSurge < 0:
			unknown = true
		case r.SurgeLimit < 0:
			row.Surge = count(r.MaxSurge) + " (Recreate)"
		default:
			row.Surge = count(r.MaxSurge) + " of " + count(r.SurgeLimit)
		}
		rows = append(rows, row)
		if len(rows) == deploymentCap {
			break
		}
	}
	note := "From DeploymentRevision (a set_image, or a rollback to an image an earlier ReplicaSet ran) to DeploymentComplete in the event log: the new ReplicaSet has all its replicas available and the old ones no pod. " +
		"Max surge: the most pods the Deployment had, not terminating, above its replicas during the rollout, of the strategy's maxSurge."
	if len(all) > len(rows) {
		note += fmt.Sprintf(" Showing the first %d of %d rollouts; the full log is events.csv.", len(rows), len(all))
	}
	if unknown {
		note += " Max surge is not known: this run recorded no pod events ([eks] pod_events = false, or [report] task_events = false)."
	}
	return rows, note
}

// eksNodeGroupRows are the node groups: how they are run, what they
// launched and what their nodes cost.
func eksNodeGroupRows(res *sim.Result, ek *EKSCost) []eksNodeGroupRow {
	ec := res.Config.EKS
	launched := make([]int, len(ec.NodeGroups))
	for i := range res.Instances {
		if g := res.Instances[i].Group; g < len(res.EKS.NodeGroupOf) && res.EKS.NodeGroupOf[g] >= 0 {
			launched[res.EKS.NodeGroupOf[g]]++
		}
	}
	var rows []eksNodeGroupRow
	for i, ng := range ec.NodeGroups {
		gc := res.Config.Groups[ng.Group]
		var secs int64
		var usd USD
		for _, l := range ek.ByNodeGroup {
			if l.NodeGroup == ng.Name {
				secs, usd = secs+l.InstanceSeconds, usd+l.USD
			}
		}
		types := make([]string, len(gc.InstanceTypes))
		for j, t := range gc.InstanceTypes {
			types[j] = t.Name
		}
		peak := "–"
		if nodes := column(res, sim.EKSNodeGroupColumn(ng.Name, "nodes")); nodes != nil {
			peak = count(int(slices.Max(append([]float64{0}, nodes...))))
		}
		rows = append(rows, eksNodeGroupRow{Name: ng.Name, Kind: ng.Kind.String(), CapacityType: capacityType(gc),
			InstanceTypes: strings.Join(types, ", "), Launched: count(launched[i]), Peak: peak,
			Hours: decimal(float64(secs)/3600, 1), USD: money(usd), Share: share(usd, ek.TotalUSD)})
	}
	return rows
}

// capacityType is a node group's capacity type as EKS names it: ON_DEMAND
// or SPOT, or "mixed" for a self-managed group with a mixed instances
// policy that buys both.
func capacityType(gc capacity.GroupConfig) string {
	switch {
	case gc.OnDemandBaseCapacity == 0 && gc.OnDemandPercentageAboveBase == 0:
		return "SPOT"
	case gc.OnDemandPercentageAboveBase == 100:
		return "ON_DEMAND"
	}
	return "mixed"
}

// eksPurchases are the node bill by purchase option, as shares of the
// whole bill (the control plane included).
func eksPurchases(c *Cost, ek *EKSCost) []ownerRow {
	var rows []ownerRow
	for _, p := range c.ByPurchase {
		rows = append(rows, ownerRow{Name: p.Name, USD: money(p.USD), Share: share(p.USD, ek.TotalUSD)})
	}
	return rows
}

// eksPriceNote replaces the ECS note on sharing instances among tasks.
func eksPriceNote(ek *EKSCost) string {
	return fmt.Sprintf("EC2 nodes: per second from launch to termination, 60-second minimum per launch. "+
		"The EKS control plane: $%s per cluster-hour for the whole run, prorated by the second.",
		strconv.FormatFloat(ek.ControlPlaneUSDPerHour, 'f', 2, 64))
}

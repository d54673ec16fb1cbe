package report

import (
	"fmt"
	"strconv"

	"github.com/fleetsim/fleetsim/sim"
)

// eksPage fits the page to an EKS run: its own cards, and none of the
// ECS-only tables (capacity providers, the task-reservation idle analysis
// and the cost by service), which would read pods as missing tasks.
func eksPage(pg *page, res *sim.Result, cost *Cost) {
	pg.Cards = eksCards(res, cost)
	pg.CardColumns = min(max((len(pg.Cards)+1)/2, 3), 5)
	pg.Idle, pg.Providers, pg.Owners, pg.SLO = nil, nil, nil, nil
}

// eksCards are the summary cards of an EKS run: cost (nodes and the control
// plane), nodes, pods, the worst pending time and the pods the scheduler
// could not place.
func eksCards(res *sim.Result, cost *Cost) []card {
	s := res.Summary.EKS
	ek, err := ComputeEKSCost(res, PricesFor(res.Config))
	if err != nil || ek == nil || s == nil {
		return cards(res, cost)
	}
	cs := []card{
		{"Total cost", money(ek.TotalUSD), fmt.Sprintf("over %s simulated: nodes %s, control plane %s (%s per cluster-hour)",
			res.End.Duration(), money(ek.NodesUSD), money(ek.ControlPlaneUSD), strconv.FormatFloat(ek.ControlPlaneUSDPerHour, 'f', 2, 64))},
		{"Cost per day", money(ek.PerDayUSD), "EC2 nodes and the EKS control plane"},
		{"Peak nodes", count(s.Nodes.Peak), fmt.Sprintf("%s registered, %s at the end", count(s.Nodes.Registered), count(s.Nodes.AtEnd))},
		{"Pods running", count(s.Pods.RunningAtEnd), fmt.Sprintf("at the end; %s created, %s pending", count(s.Pods.Created), count(s.Pods.PendingAtEnd))},
	}
	worst, name := 0.0, ""
	for _, w := range s.Workloads {
		if w.PendingP95S > worst || name == "" {
			worst, name = w.PendingP95S, w.Kind+" "+w.Name
		}
	}
	if name != "" {
		cs = append(cs, card{"Pending p95", strconv.FormatFloat(worst, 'f', 1, 64) + " s", "creation to Running, worst workload: " + name})
	}
	unsched := 0
	for _, n := range s.Unschedulable {
		unsched += n
	}
	cs = append(cs, card{"Unschedulable", count(unsched), "FailedScheduling messages, once per pod and message"},
		card{"Evictions", count(s.Pods.Evictions), fmt.Sprintf("%s held by a disruption budget, %s preempted", count(s.Pods.EvictionsBlocked), count(s.Pods.Preempted))})
	return cs
}

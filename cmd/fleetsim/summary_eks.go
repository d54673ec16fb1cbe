package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
)

// printEKSSummary prints an EKS run's outcome under its first line: the
// bill with the control plane (cost.json's total_usd) and the part of the
// node bill no pod requested, a table of workloads as kubectl names them
// ("deployment/web": desired and running at the end, pending times, the
// FailedScheduling messages its pods got), the nodes, the pods, and the scheduler's
// FailedScheduling messages by reason, most first.
func printEKSSummary(stdout io.Writer, res *sim.Result) {
	s := res.Summary.EKS
	if ek, err := report.ComputeEKSCost(res, report.PricesFor(res.Config)); err == nil && ek != nil {
		fargate := ""
		if ek.Fargate != nil {
			fargate = fmt.Sprintf(", Fargate %s (%d pods)", usd(float64(ek.Fargate.USD)), ek.Fargate.Pods)
		}
		fmt.Fprintf(stdout, "cost: %s, %s a day: nodes %s, control plane %s (%s a cluster-hour)%s%s\n",
			usd(float64(ek.TotalUSD)), usd(float64(ek.PerDayUSD)), usd(float64(ek.NodesUSD)), usd(float64(ek.ControlPlaneUSD)),
			usd(ek.ControlPlaneUSDPerHour), fargate, eksIdleText(res, ek))
	}
	if len(s.Workloads) > 0 {
		rows := [][]string{{"workload", "desired", "running", "pending p50", "pending p95", "pending max", "unschedulable"}}
		for _, w := range s.Workloads {
			unsched := 0
			for _, n := range w.Unschedulable {
				unsched += n
			}
			rows = append(rows, []string{w.Kind + "/" + w.Name, strconv.Itoa(w.Desired), strconv.Itoa(w.RunningAtEnd),
				waitText(w.PendingP50S), waitText(w.PendingP95S), waitText(w.PendingMaxS), strconv.Itoa(unsched)})
		}
		printTable(stdout, rows, "workloads")
		for _, w := range s.Workloads {
			if w.RequestsOffered == nil || w.RequestsDropped == nil || w.SLOAttainmentPct == nil || w.AvailabilityPct == nil {
				continue
			}
			slo := "no latency SLO"
			if *w.SLOAttainmentPct >= 0 {
				slo = strconv.FormatFloat(*w.SLOAttainmentPct, 'f', 2, 64) + "% within the latency SLO"
			}
			fmt.Fprintf(stdout, "%s/%s: %.0f requests offered, %.0f dropped, %s, available %.2f%% of the samples\n",
				w.Kind, w.Name, *w.RequestsOffered, *w.RequestsDropped, slo, *w.AvailabilityPct)
		}
	}
	n, p := s.Nodes, s.Pods
	fmt.Fprintf(stdout, "nodes: %d registered, %d at peak, %d at end (%d removed)\n", n.Registered, n.Peak, n.AtEnd, n.Removed)
	fmt.Fprintf(stdout, "pods: %d created; at the end %d running, %d pending; %d succeeded, %d failed, %d deleted\n",
		p.Created, p.RunningAtEnd, p.PendingAtEnd, p.Succeeded, p.Failed, p.Deleted)
	printEKSScaling(stdout, res)
	if len(s.Unschedulable) == 0 {
		fmt.Fprintln(stdout, "unschedulable: none")
		return
	}
	reasons := slices.SortedFunc(maps.Keys(s.Unschedulable), func(a, b string) int {
		return cmp.Or(cmp.Compare(s.Unschedulable[b], s.Unschedulable[a]), cmp.Compare(a, b))
	})
	total := 0
	rows := [][]string{{"  reason", "pods"}}
	for _, r := range reasons {
		total += s.Unschedulable[r]
		rows = append(rows, []string{"  " + r, strconv.Itoa(s.Unschedulable[r])})
	}
	fmt.Fprintf(stdout, "unschedulable: %d FailedScheduling message(s), once per pod and message, by reason:\n", total)
	printTable(stdout, rows, "reasons")
}

// eksIdleText is the part of the node bill no pod requested, as the
// report words it (report.EKSIdle); "" when there is none to tell.
func eksIdleText(res *sim.Result, ek *report.EKSCost) string {
	idle, ok := report.EKSIdle(res, ek)
	if !ok || idle.USD <= 0 {
		return ""
	}
	return "; node capacity no pod requested " + usd(float64(idle.USD)) + " of it"
}

// printEKSScaling prints the autoscalers' decisions counted by reason
// (report.ScalingCounts), when any acted: HPA rescales, Cluster Autoscaler
// scale-ups and scale-downs, Karpenter launches and disruptions.
func printEKSScaling(stdout io.Writer, res *sim.Result) {
	counts := report.ScalingCounts(report.ScalingActivity(res))
	if len(counts) == 0 {
		return
	}
	rows := [][]string{{"  action: reason", "count"}}
	for _, c := range counts {
		rows = append(rows, []string{"  " + scalingLabel(c), strconv.Itoa(c.N)})
	}
	fmt.Fprintln(stdout, "scaling activity, by reason (events.csv):")
	printTable(stdout, rows, "reasons")
}

// scalingLabel is a count's "action: reason", cut to 110 characters with
// an ellipsis so that a long controller message keeps the table narrow.
func scalingLabel(c report.ScalingCount) string {
	r := []rune(c.Action + ": " + c.Category)
	if len(r) > 110 {
		r = append(r[:109], '…')
	}
	return string(r)
}

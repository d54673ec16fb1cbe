package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/sim"
)

// eksPage fits the page to an EKS run: its own cards, and none of the
// ECS-only tables (capacity providers, the task-reservation idle analysis
// and the cost by service), which would read pods as missing tasks.
//
// The EKS sections (eksTemplate) take the place of ECS's services,
// deployments, capacity providers and cost by owner: workloads, rollouts
// and Job runs, node groups, and the cost by node group and the control
// plane; the purchase option shares are of the whole bill, the control
// plane included.
func eksPage(pg *page, res *sim.Result, cost *Cost) {
	pg.Cards = eksCards(res, cost)
	pg.CardColumns = min(max((len(pg.Cards)+1)/2, 3), 5)
	pg.Idle, pg.Providers, pg.Owners, pg.SLO = nil, nil, nil, nil
	ek, err := ComputeEKSCost(res, PricesFor(res.Config))
	if err != nil || ek == nil || res.Summary.EKS == nil {
		return
	}
	pg.EKS = eksSections(res, cost, ek)
	pg.EKS.Scaling = eksScaling(res) // report/eks_scaling.go
	pg.Purchases = eksPurchases(cost, ek)
	var prices []string
	for _, n := range pg.Prices {
		switch {
		case strings.HasPrefix(n, "Fargate "):
		case strings.HasPrefix(n, "EC2: "):
			prices = append(prices, eksPriceNote(ek))
		default:
			prices = append(prices, n)
		}
	}
	if ek.Fargate != nil {
		prices = append(prices, eksFargatePriceNote(res)) // eks_fargate_html.go
	}
	pg.Prices = prices
}

// eksTemplate holds the EKS sections report.html.tmpl calls in place of
// ECS's: parsed beside it, it defines templates and adds no text.
const eksTemplate = `{{define "eks-summary"}}{{with .Idle}}<div class="idle-why" id="idle-why">
<p><strong>{{.Lead}}</strong></p>
<ul>
{{range .Lines}}<li>{{.}}</li>
{{end}}</ul>
</div>
{{end}}{{end}}

{{define "eks-workloads"}}<section id="workloads">
<h2>Workloads</h2>
{{if .Workloads}}<div class="scroll"><table class="wide">
<thead><tr><th>kind</th><th class="text">name</th><th>desired</th><th>running at end</th><th>pods created</th><th>succeeded</th><th>failed</th><th>deleted</th><th>pending p50</th><th>pending p95</th><th>pending max</th><th>mean CPU use</th><th>dropped requests</th><th>Failed&shy;Scheduling</th></tr></thead>
<tbody>
{{range .Workloads}}<tr{{if .Short}} class="short"{{end}}><td>{{.Kind}}</td><td class="text">{{.Name}}</td><td>{{.Desired}}</td><td>{{.Running}}</td><td>{{.Created}}</td><td>{{.Succeeded}}</td><td>{{.Failed}}</td><td>{{.Deleted}}</td><td>{{.P50}}</td><td>{{.P95}}</td><td>{{.Max}}</td><td>{{.CPU}}</td><td>{{.Dropped}}</td><td>{{.Unschedulable}}</td></tr>
{{end}}</tbody></table></div>
<p class="note">Desired: a Deployment's replicas, a Job's completions per run, the nodes a DaemonSet should run on, 1 for a bare pod. Running at end: Running and Ready, with those still pending in brackets. Pending: from a pod's creation to Running, over the pods that ran. Deleted: pods deleted before they ended (scaled down, replaced in a rollout, evicted, preempted). FailedScheduling: the scheduler's messages its pods got, once per pod and message (by message under the table). Mean CPU use: the Ready pods' load over what they serve at their CPU request, over the samples; dropped: requests they could not serve (the share of those offered). A row in colour is a Deployment or DaemonSet that ended the run with fewer pods running than desired.</p>
{{else}}<p class="note">No workloads.</p>
{{end}}{{if .Served}}<h3 id="served">Deployments served as ECS services</h3>
<div class="scroll"><table>
<thead><tr><th class="text">Deployment</th><th>requests offered</th><th>dropped</th><th>within latency SLO</th><th>availability</th></tr></thead>
<tbody>
{{range .Served}}<tr><td class="text">{{.Name}}</td><td>{{.Offered}}</td><td>{{.Dropped}}</td><td>{{.SLO}}</td><td>{{.Available}}</td></tr>
{{end}}</tbody></table></div>
<p class="note">A Deployment whose load gives cpu_seconds_per_request is served as an ECS service is: each minute an M/M/c queue of its Ready pods, a pod serving its CPU request's vCPU over cpu_seconds_per_request a second, requests above 99% of their capacity dropped. Within latency SLO: the requests served within it, drops counting as misses (– without one). Availability: the share of minutes with replicas less maxUnavailable pods available, for the lowest replica count of the last five minutes. The same figures, under the same names, as the ECS summary's services.</p>
{{end}}{{if .Unschedulable}}<h3 id="unschedulable">Unschedulable, by the scheduler's message</h3>
<div class="scroll"><table><thead><tr><th>workload</th><th class="text">FailedScheduling message</th><th>pods</th></tr></thead><tbody>
{{range .Unschedulable}}<tr><td>{{.Workload}}</td><td class="text">{{.Message}}</td><td>{{.Pods}}</td></tr>
{{end}}</tbody></table></div>
<p class="note">As kube-scheduler words its FitError ("0/5 nodes are available: 2 node(s) had untolerated taint(s), 3 Insufficient cpu."), once per pod and message: a pod that waited through two different messages counts under each.</p>
{{end}}</section>
{{end}}

{{define "eks-rollouts"}}<section id="deployments">
<h2>Rollouts, Job runs and faults</h2>
<h3 id="deployment-list">Rollouts</h3>
{{if .Rollouts}}<div class="scroll"><table>
<thead><tr><th>Deployment</th><th class="text">change</th><th>started</th><th>ended</th><th>took</th><th>max surge</th><th class="text">outcome</th></tr></thead>
<tbody>
{{range .Rollouts}}<tr><td>{{.Deployment}}</td><td class="text">{{.Change}}</td><td>{{.Start}}</td><td>{{.End}}</td><td>{{.Took}}</td><td>{{.Surge}}</td><td class="text">{{.Outcome}}</td></tr>
{{end}}</tbody></table></div>
<p class="note">{{.RolloutsNote}}</p>
{{else}}<p class="note">No Deployment.</p>
{{end}}<h3 id="job-runs">Job runs</h3>
{{if .JobRuns}}<div class="scroll"><table>
<thead><tr><th>Job</th><th class="text">Job object</th><th>created</th><th>ended</th><th>took</th><th class="text">outcome</th><th class="text">reason</th></tr></thead>
<tbody>
{{range .JobRuns}}<tr{{if eq .Outcome "failed"}} class="short"{{end}}><td>{{.Job}}</td><td class="text">{{.Name}}</td><td>{{.Start}}</td><td>{{.End}}</td><td>{{.Took}}</td><td class="text">{{.Outcome}}</td><td class="text">{{.Reason}}</td></tr>
{{end}}</tbody></table></div>
<p class="note">From JobCreated to JobComplete or JobFailed in the event log; a Job with a period (a CronJob) makes one object a run.</p>
{{else}}<p class="note">No Job ran.</p>
{{end}}<h3 id="fault-list">Faults</h3>
{{if .Faults}}<div class="scroll"><table>
<thead><tr><th>time</th><th class="text">fault</th><th class="text where">where</th><th>lasted</th></tr></thead>
<tbody>
{{range .Faults}}<tr><td>{{.Start}}</td><td class="text">{{.Fault}}</td><td class="text">{{.Where}}</td><td>{{.Lasted}}</td></tr>
{{end}}</tbody></table></div>
<p class="note">Zone outages, failed instances and EC2 Spot interruptions from the event log; what they did to the pods is under What happened.</p>
{{else}}<p class="note">No fault in the event log: no zone outage, node failure or Spot interruption.</p>
{{end}}</section>
{{end}}

{{define "eks-node-groups"}}<section id="node-groups">
<h2>Node groups</h2>
<div class="scroll"><table>
<thead><tr><th>node group</th><th class="text">kind</th><th class="text">capacity type</th><th class="text">instance types</th><th>nodes launched</th><th>peak nodes</th><th>node-hours</th><th>cost</th><th>cost share</th></tr></thead>
<tbody>
{{range .NodeGroups}}<tr><td>{{.Name}}</td><td class="text">{{.Kind}}</td><td class="text">{{.CapacityType}}</td><td class="text">{{.InstanceTypes}}</td><td>{{.Launched}}</td><td>{{.Peak}}</td><td>{{.Hours}}</td><td>{{.USD}}</td><td>{{.Share}}</td></tr>
{{else}}<tr><td colspan="9">No node group.</td></tr>
{{end}}</tbody></table></div>
<p class="note">Kind: an EKS managed node group, or a self-managed Auto Scaling group. Peak nodes: the most Ready at a sample. Node-hours: billed instance-hours. Cost share: of the whole bill, the control plane included.</p>
</section>
{{template "eks-fargate" .}}{{template "eks-scaling" .}}{{end}}

{{define "eks-cost"}}<h3>By node group{{if .Fargate}}, Fargate profile{{end}} and the control plane</h3>
<table>
<thead><tr><th>what</th><th class="text">capacity type</th><th>nodes</th><th>billed</th><th>cost</th><th>share</th></tr></thead>
<tbody>
{{range .Cost}}<tr><td>{{.Name}}</td><td class="text">{{.CapacityType}}</td><td>{{.Nodes}}</td><td>{{.Hours}}</td><td>{{.USD}}</td><td>{{.Share}}</td></tr>
{{end}}<tr class="first"><td>total</td><td></td><td></td><td></td><td>{{.CostTotal}}</td><td>100.0%</td></tr>
</tbody></table>
<p class="note">Billed: node-hours, or cluster-hours for the control plane (cost.json: eks.by_node_group, eks.control_plane_usd).{{if .Fargate}} A Fargate profile's row: its pods and their billed vCPU-hours (cost.json: eks.fargate.by_profile).{{end}}</p>
{{end}}` + eksScalingTemplate + eksFargateTemplate

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
		eksCostPerDayCard(ek),
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
	if fc, ok := eksFargateCard(res, ek); ok { // eks_fargate_html.go
		cs[0].Note += ", Fargate " + money(ek.Fargate.USD)
		cs = append(cs, fc)
	}
	unsched := 0
	for _, n := range s.Unschedulable {
		unsched += n
	}
	cs = append(cs, card{"Unschedulable", count(unsched), "FailedScheduling messages, once per pod and message"},
		card{"Evictions", count(s.Pods.Evictions), fmt.Sprintf("%s held by a disruption budget, %s preempted", count(s.Pods.EvictionsBlocked), count(s.Pods.Preempted))})
	return cs
}

package report_test

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// eksSectionIDs are an EKS report's sections, in order.
var eksSectionIDs = []string{"summary", "plots", "workloads", "deployments", "node-groups", "cost", "timeline", "scenario"}

// section is the HTML of the section with the id, or "".
func section(html, id string) string {
	m := regexp.MustCompile(`(?s)<section id="` + regexp.QuoteMeta(id) + `">(.*?)</section>`).FindStringSubmatch(html)
	if m == nil {
		return ""
	}
	return m[1]
}

// rowCells is each body row of the tables in html, as its cells' text.
func rowCells(html string) [][]string {
	var out [][]string
	for _, body := range regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`).FindAllStringSubmatch(html, -1) {
		for _, tr := range regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`).FindAllStringSubmatch(body[1], -1) {
			var row []string
			for _, td := range regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(tr[1], -1) {
				row = append(row, strings.ReplaceAll(td[1], "&#43;", "+"))
			}
			out = append(out, row)
		}
	}
	return out
}

// rowOf is the first row whose first cells are first.
func rowOf(t *testing.T, rows [][]string, first ...string) []string {
	t.Helper()
	for _, r := range rows {
		if len(r) >= len(first) && slices.Equal(r[:len(first)], first) {
			return r
		}
	}
	require.Failf(t, "no row", "no row starts %q in %q", first, rows)
	return nil
}

// secondsText is a wait as the report writes it.
func secondsText(s float64) string {
	if s >= 120 {
		return time.Duration(s * float64(time.Second)).Round(time.Second).String()
	}
	return strconv.FormatFloat(s, 'f', 1, 64) + " s"
}

// TestAnEKSReportHasWorkloadsNodeGroupsAndNoECSSections runs the library's
// EKS scenario: the nav and sections are EKS's, the Workloads table has
// each workload's figures from summary.json, and nothing of ECS's
// (services, capacity providers, cost by owner) is on the page.
func TestAnEKSReportHasWorkloadsNodeGroupsAndNoECSSections(t *testing.T) {
	res, html := reportHTML(t, "eks-web-and-nightly", nil)
	for _, id := range eksSectionIDs {
		assert.Contains(t, html, `<section id="`+id+`">`)
		assert.Contains(t, html, `<a href="#`+id+`">`)
	}
	for _, gone := range []string{"Services and batch jobs", "No services", "Capacity providers", "No capacity was used", "By owner",
		"No deployment.", "(no capacity provider)", `id="services"`, `id="capacity-providers"`, "idle EC2 capacity"} {
		assert.NotContains(t, html, gone)
	}

	rows := rowCells(section(html, "workloads"))
	for _, w := range res.Summary.EKS.Workloads {
		r := rowOf(t, rows, w.Kind, w.Name)
		unsched := 0
		for _, n := range w.Unschedulable {
			unsched += n
		}
		want := []string{thousands(w.Desired), thousands(w.RunningAtEnd), thousands(w.PodsCreated), thousands(w.Succeeded),
			thousands(w.Failed), thousands(w.Deleted), secondsText(w.PendingP50S), secondsText(w.PendingP95S), secondsText(w.PendingMaxS)}
		assert.Equal(t, want, r[2:11], "%s %s", w.Kind, w.Name)
		if unsched > 0 {
			assert.Equal(t, thousands(unsched), r[13])
		}
		if w.MeanUtilization != nil {
			assert.Equal(t, strconv.FormatFloat(*w.MeanUtilization, 'f', 1, 64)+"%", r[11])
			assert.True(t, strings.HasPrefix(r[12], thousands(int(math.Round(*w.DroppedRequests)))+" ("), r[12])
		}
	}
	web := rowOf(t, rows, "deployment/web", "no nodes available to schedule pods")
	assert.Equal(t, thousands(res.Summary.EKS.Workloads[0].Unschedulable["no nodes available to schedule pods"]), web[2])
}

// TestAnEKSReportListsTheRolloutAndTheJobRun: the scenario's set_image at
// 10h (15:00 on the clock) is a rollout with its surge against the
// strategy's, the first rollout is the Deployment's creation, and the
// nightly Job is one run; both are in What happened.
func TestAnEKSReportListsTheRolloutAndTheJobRun(t *testing.T) {
	res, html := reportHTML(t, "eks-web-and-nightly", nil)
	rs := report.Rollouts(res)
	require.Len(t, rs, 2)
	assert.True(t, rs[0].Initial)
	r := rs[1]
	assert.Equal(t, "web", r.Deployment)
	assert.Equal(t, "revision 2: public.ecr.aws/nginx/nginx:1.27.1", r.Change)
	assert.Equal(t, report.OutcomeCompleted, r.Outcome)
	assert.Equal(t, 2, r.SurgeLimit, "25% of 6, rounded up")
	assert.Positive(t, r.MaxSurge)
	assert.LessOrEqual(t, r.MaxSurge, r.SurgeLimit, "the rollout never passes its maxSurge")

	dep := rowCells(section(html, "deployments"))
	row := rowOf(t, dep, "web", "revision 2: public.ecr.aws/nginx/nginx:1.27.1")
	assert.Equal(t, []string{"Tue 15:00:00", "Tue 15:01:17", "1 min 17 s", fmt.Sprintf("%d of 2", r.MaxSurge), "completed"}, row[2:])

	runs := report.JobRuns(res)
	require.Len(t, runs, 1)
	assert.Equal(t, "nightly-report", runs[0].Job)
	assert.Equal(t, "complete", runs[0].Outcome)
	job := rowOf(t, dep, "nightly-report", runs[0].Name)
	assert.Equal(t, "Tue 07:00:00", job[2])
	assert.Equal(t, "Completed: 24 succeeded", job[6])

	tl := section(html, "timeline")
	assert.Contains(t, tl, "deployment/web")
	assert.Contains(t, tl, "job/"+runs[0].Name)
	assert.Contains(t, tl, "surge reached")
	assert.NotContains(t, tl, "Nothing to tell")
}

func TestAnEKSRolloutsSurgeIsUnknownWithoutPodEvents(t *testing.T) {
	res, html := reportHTML(t, "eks-web-and-nightly", func(c *sim.Config) { c.EKS.Settings.PodEvents = false })
	rs := report.Rollouts(res)
	require.Len(t, rs, 2)
	assert.Equal(t, -1, rs[1].MaxSurge)
	assert.Contains(t, section(html, "deployments"), "Max surge is not known")
}

// TestAnEKSReportsCostIsByNodeGroupAndTheControlPlane: the node groups'
// rows and the control plane's add up to cost.json's total, and the cost
// rate figure stacks the node groups over the control plane.
func TestAnEKSReportsCostIsByNodeGroupAndTheControlPlane(t *testing.T) {
	res, html := reportHTML(t, "eks-web-and-nightly", nil)
	ek, err := report.ComputeEKSCost(res, report.PricesFor(res.Config))
	require.NoError(t, err)
	rows := rowCells(section(html, "cost"))
	for _, l := range ek.ByNodeGroup {
		r := rowOf(t, rows, l.NodeGroup, l.CapacityType)
		assert.Equal(t, thousands(l.Nodes), r[2])
		assert.Equal(t, "$"+strconv.FormatFloat(float64(l.USD), 'f', 2, 64), r[4])
	}
	cp := rowOf(t, rows, "EKS control plane")
	assert.Equal(t, "$2.40", cp[4], "24 h at $0.10 a cluster-hour")
	total := rowOf(t, rows, "total")
	assert.Equal(t, "$"+strconv.FormatFloat(float64(ek.TotalUSD), 'f', 2, 64), total[4])

	ng := rowCells(section(html, "node-groups"))
	od := rowOf(t, ng, "on-demand", "managed", "ON_DEMAND", "m6i.large, m5.large")
	assert.Equal(t, "6", od[4])
	rowOf(t, ng, "spot-batch", "managed", "SPOT")

	cost, err := report.ComputeCost(res, report.PricesFor(res.Config))
	require.NoError(t, err)
	figs, err := report.Figures(res, cost)
	require.NoError(t, err)
	require.NotEmpty(t, figs)
	assert.Equal(t, "Cost rate by node group", figs[0].Title)
	plots := section(html, "plots")
	for _, label := range []string{"EKS control plane", "on-demand", "spot-batch"} {
		assert.Contains(t, plots, label)
	}
}

// TestEKSIdleIsTheUnrequestedShareOfTheNodeBill: the idle part is within
// the node bill, the bill over the samples is the nodes' (cost.json), and
// the mean shares requested are the series' own.
func TestEKSIdleIsTheUnrequestedShareOfTheNodeBill(t *testing.T) {
	res, html := reportHTML(t, "eks-web-and-nightly", nil)
	ek, err := report.ComputeEKSCost(res, report.PricesFor(res.Config))
	require.NoError(t, err)
	idle, ok := report.EKSIdle(res, ek)
	require.True(t, ok)
	assert.InDelta(t, float64(ek.NodesUSD), float64(idle.NodesUSD), 1e-6)
	assert.Positive(t, float64(idle.USD))
	assert.Less(t, float64(idle.USD), float64(idle.NodesUSD))

	col := func(name string) []float64 {
		for _, c := range res.Series.Columns {
			if c.Name == name {
				return c.Values
			}
		}
		require.Failf(t, "no column", name)
		return nil
	}
	cpuA, cpuR := col(sim.EKSCPUAllocatable), col(sim.EKSCPURequested)
	sum, n := 0.0, 0
	for i := range cpuA {
		if cpuA[i] > 0 {
			sum, n = sum+100*cpuR[i]/cpuA[i], n+1
		}
	}
	assert.InDelta(t, sum/float64(n), idle.CPUPct, 1e-9)
	assert.Contains(t, html, "node capacity no pod requested ("+"$"+strconv.FormatFloat(float64(idle.USD), 'f', 2, 64))

	ecs, err := report.ComputeEKSCost(runECS(t), report.PricesFor(res.Config))
	require.NoError(t, err)
	assert.Nil(t, ecs)
}

func runECS(t *testing.T) *sim.Result {
	res, _ := runScenario(t, "web-and-batch", nil)
	return res
}

// TestAnECSReportHasNoEKSSections: the hooks add nothing to an ECS page.
func TestAnECSReportHasNoEKSSections(t *testing.T) {
	_, html := reportHTML(t, "web-and-batch", nil)
	for _, id := range []string{"workloads", "node-groups"} {
		assert.NotContains(t, html, `id="`+id+`"`)
	}
	assert.NotContains(t, html, "control plane")
}

// TestOutputsMdDocumentsEveryEKSColumnAndEventType: docs/outputs.md's EKS
// section names every column, measure and event type sim/eks records.
func TestOutputsMdDocumentsEveryEKSColumnAndEventType(t *testing.T) {
	b, err := os.ReadFile("../docs/outputs.md")
	require.NoError(t, err)
	doc := string(b)
	_, eksPart, ok := strings.Cut(doc, "## EKS runs")
	require.True(t, ok, "docs/outputs.md has an EKS section")
	for _, c := range eks.ClusterColumns {
		assert.Contains(t, eksPart, "`"+c+"`", "cluster column")
	}
	for _, ms := range [][]string{eks.NodeGroupMeasures, eks.DeploymentMeasures, eks.JobMeasures, eks.DaemonSetMeasures} {
		for _, m := range ms {
			assert.Contains(t, eksPart, "`"+m+"`", "measure")
		}
	}
	for _, e := range eks.EventTypes {
		assert.Contains(t, eksPart, "| `"+string(e)+"` |", "event type")
	}
}

// TestAnEKSTimelineTellsDrainsHeldEvictionsFaultsAndAFailedJob edits the
// scenario: more replicas than the nodes hold, a drain the budget holds
// up, a failed node, a Spot storm and a Job that fails. Each is a row of
// What happened, the failed Job and the faults ranked as faults.
func TestAnEKSTimelineTellsDrainsHeldEvictionsFaultsAndAFailedJob(t *testing.T) {
	res, html := reportHTML(t, "eks-web-and-nightly", func(c *sim.Config) {
		c.EKS.Timeline = append(c.EKS.Timeline,
			eks.TimelineEntry{At: 12 * time.Hour, Action: "scale_deployment", Deployment: 0, Replicas: 14, NodeGroup: -1},
			eks.TimelineEntry{At: 13 * time.Hour, Action: "drain_nodes", NodeGroup: 0, Count: 2, Deployment: -1},
			eks.TimelineEntry{At: 14 * time.Hour, Action: "fail_nodes", NodeGroup: 1, Count: 1, Deployment: -1},
			eks.TimelineEntry{At: 16 * time.Hour, Action: "spot_interruptions", NodeGroup: 1, Fraction: 1, Deployment: -1},
		)
		c.EKS.Jobs[0].Template.FailureProbability = 0.9
	})
	runs := report.JobRuns(res)
	require.Len(t, runs, 1)
	assert.Equal(t, "failed", runs[0].Outcome)

	rows := rowCells(section(html, "timeline"))
	where := map[string][]string{} // what -> where, by row
	for _, r := range rows {
		where[r[1]] = append(where[r[1]], r[2])
	}
	for _, w := range []string{"Job failed", "Replicas set", "Nodes draining", "Evictions held by a budget", "Instance failure",
		"Spot interruption storm", "FailedScheduling"} {
		assert.Contains(t, where, w)
	}
	assert.Equal(t, []string{"deployment/web"}, where["Replicas set"])
	rowOf(t, rows, "Tue 17:00:00", "Replicas set", "deployment/web", "replicas 14")
	assert.Equal(t, []string{"on-demand", "spot-batch"}, where["Nodes draining"], "the drain, then the Spot notices' drains")
	assert.Equal(t, []string{"deployment/web"}, where["Evictions held by a budget"])
	assert.Contains(t, html, `<tr class="fault"><td class="when">Tue 07:00:00 – `, "the failed Job ranks as a fault")

	faults := rowCells(section(html, "deployments"))
	rowOf(t, faults, "Tue 19:00:00", "instance failure", "spot-batch: i-00000000000000007")
	rowOf(t, faults, "Tue 21:00:00", "Spot interruption storm (3 instances)")
	assert.NotContains(t, section(html, "deployments"), "No fault in the event log")
}

package report_test

import (
	"encoding/json"
	stdhtml "html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale/karpenter"
	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/eks"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// hpaCAScenario is the library's eks-hpa-cluster-autoscaler with its
// timeline steps replaced by a HorizontalPodAutoscaler on the web
// Deployment (CPU at 60% of requests, 4 to 40 replicas); once the library
// scenario has an HPA of its own, the file as it stands.
func hpaCAScenario(t *testing.T) (*sim.Result, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "scenarios", "library", "eks-hpa-cluster-autoscaler.toml"))
	require.NoError(t, err)
	src, _, ok := strings.Cut(string(b), "# The day in steps")
	if !ok { // the library scenario has its HPA already
		require.Contains(t, src, "[[eks.horizontal_pod_autoscaler]]")
	} else {
		src += hpaCAHPA
	}
	sc, err := scenarios.Parse(src, "hpa-ca.toml", func(string) ([]byte, error) { return nil, fs.ErrNotExist })
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	return res, sc.Source
}

const hpaCAHPA = `
[[eks.horizontal_pod_autoscaler]]
name = "web"
deployment = "web"
min_replicas = 4
max_replicas = 40
  [[eks.horizontal_pod_autoscaler.metrics]]
  type = "Resource"
  resource = { name = "cpu", target = { type = "Utilization", average_utilization = 60 } }
`

// TestAnEKSReportListsTheAutoscalersDecisions: on a diurnal day with an
// HPA and the Cluster Autoscaler, the scaling section counts every HPA
// rescale and every CA scale-up and scale-down of events.csv by reason
// (the expander for a scale-up, empty or drained for a scale-down), and
// lists the first 10 of each as they were logged.
func TestAnEKSReportListsTheAutoscalersDecisions(t *testing.T) {
	res, src := hpaCAScenario(t)
	byType := map[string][]int{}
	for i, e := range res.Events {
		byType[e.Type] = append(byType[e.Type], i)
	}
	require.NotEmpty(t, byType[eks.EventHPARescale], "the HPA rescaled")
	require.NotEmpty(t, byType[eks.EventCAScaleUp], "the Cluster Autoscaler scaled up")
	require.NotEmpty(t, byType[eks.EventCAScaleDown], "the Cluster Autoscaler scaled down")

	acts := report.ScalingActivity(res)
	counts := report.ScalingCounts(acts)
	total := map[string]int{}
	for _, c := range counts {
		total[c.Action] += c.N
		switch c.Action {
		case eks.EventCAScaleUp:
			assert.Equal(t, "expander least-waste", c.Category)
			assert.Equal(t, report.ControllerCA, c.Controller)
		case eks.EventCAScaleDown:
			assert.Contains(t, []string{"empty", "pods movable to other nodes"}, c.Category)
		case eks.EventHPARescale:
			assert.Equal(t, report.ControllerHPA, c.Controller)
			assert.NotContains(t, c.Category, "New size")
		}
	}
	for _, typ := range []string{eks.EventHPARecommendation, eks.EventHPARescale, eks.EventCAScaleUp, eks.EventCAScaleDown,
		eks.EventCAScaleUpTimedOut, eks.EventCAScaleDownFailed, eks.EventKarpenterLaunch, eks.EventKarpenterDisrupt} {
		assert.Equal(t, len(byType[typ]), total[typ], typ)
	}
	assert.Len(t, acts, func() int {
		n := 0
		for _, c := range counts {
			n += c.N
		}
		return n
	}())

	html := string(readFile(t, filepath.Join(writeRun(t, res, src), "report.html")))
	assert.Contains(t, html, `<a href="#scaling">Scaling</a>`)
	sec := section(html, "scaling")
	require.NotEmpty(t, sec)
	tables := strings.Split(sec, "<h3>")
	require.Greater(t, len(tables), 1)
	countRows := rowCells(tables[0])
	require.Len(t, countRows, len(counts))
	for k, c := range counts {
		assert.Equal(t, []string{c.Controller, c.Action, c.Category, thousands(c.N)}, countRows[k])
	}
	seen := map[string]bool{}
	for _, tb := range tables[1:] {
		head, _, _ := strings.Cut(tb, "</h3>")
		ctl, typ, ok := strings.Cut(head, ": ")
		require.True(t, ok, head)
		seen[typ] = true
		idx := byType[typ]
		rows := rowCells(tb)
		require.Len(t, rows, min(len(idx), 10), typ)
		for k, r := range rows {
			e := res.Events[idx[k]]
			c, _ := map[string]string{eks.EventCAScaleUp: report.ControllerCA, eks.EventCAScaleDown: report.ControllerCA,
				eks.EventHPARescale: report.ControllerHPA, eks.EventHPARecommendation: report.ControllerHPA}[typ]
			if c != "" {
				assert.Equal(t, c, ctl)
			}
			for j := range r {
				r[j] = stdhtml.UnescapeString(r[j])
			}
			of := e.Group
			if of == e.Subject {
				of = "–"
			}
			assert.Equal(t, []string{e.Subject, of, e.Status, e.Reason}, r[1:5], typ)
		}
		if len(idx) > 10 {
			assert.Contains(t, tb, "and "+thousands(len(idx)-10)+" more in events.csv")
		} else {
			assert.NotContains(t, tb, "more in events.csv")
		}
	}
	for _, typ := range []string{eks.EventHPARescale, eks.EventCAScaleUp, eks.EventCAScaleDown} {
		assert.True(t, seen[typ], typ)
	}

	// The nodes by node group and capacity type: both On-Demand groups
	// are in its legend, no Spot band (neither group has Spot).
	fig := regexp.MustCompile(`(?s)<figure id="eks-nodes-by-group">(.*?)</figure>`).FindStringSubmatch(html)
	require.NotNil(t, fig, "the nodes-by-group figure")
	assert.Contains(t, fig[1], "general-large: On-Demand")
	assert.Contains(t, fig[1], "general-xlarge: On-Demand")
	assert.NotContains(t, fig[1], "Spot</")
}

// TestAnEKSReportWithoutAutoscalersHasNoScalingSection: a run with no HPA,
// Cluster Autoscaler or Karpenter writes the page it wrote before.
func TestAnEKSReportWithoutAutoscalersHasNoScalingSection(t *testing.T) {
	res, html := reportHTML(t, "eks-web-and-nightly", nil)
	assert.Empty(t, report.ScalingActivity(res))
	assert.NotContains(t, html, `id="scaling"`)
	assert.NotContains(t, html, `href="#scaling"`)
	assert.NotContains(t, html, `id="eks-nodes-by-group"`)
}

// TestEKSCostNamesTheNodePoolOfAKarpenterGroup: cost.json's by_node_group
// line of a Karpenter NodePool's node group carries node_pool; a managed
// group's line has none (the key is left out, as in earlier cost.json).
func TestEKSCostNamesTheNodePoolOfAKarpenterGroup(t *testing.T) {
	hour := des.At(time.Hour)
	cfg := &sim.Config{EKS: &eks.Config{ControlPlaneUSDPerHour: 0.10,
		NodeGroups: []eks.NodeGroup{{Name: "system", Kind: eks.Managed, Group: 0}, {Name: "default", Kind: eks.Karpenter, Group: 1}},
		NodePools:  []eks.NodePool{{Pool: karpenter.NodePool{Name: "default"}, NodeGroup: 1}}}}
	use := func(g int, p capacity.PurchaseOption) sim.InstanceUsage {
		return sim.InstanceUsage{InstanceUsage: capacity.InstanceUsage{Type: "m5.large", Group: g, AZ: "us-east-1a", Purchase: p, Terminated: hour}}
	}
	res := &sim.Result{Config: cfg, End: hour, EKS: &eks.Outcome{NodeGroupOf: []int{0, 1}},
		Instances: []sim.InstanceUsage{use(0, capacity.OnDemand), use(1, capacity.OnDemand), use(1, capacity.OnDemand)}}
	p := report.PricesFor(cfg)
	ek, err := report.ComputeEKSCost(res, p)
	require.NoError(t, err)
	rate, err := p.InstanceUSDPerHour("m5.large", capacity.OnDemand)
	require.NoError(t, err)
	require.Len(t, ek.ByNodeGroup, 2)
	assert.Equal(t, report.NodeGroupCost{NodeGroup: "system", CapacityType: "ON_DEMAND", Nodes: 1, InstanceSeconds: 3600, USD: report.USD(rate)}, ek.ByNodeGroup[0])
	assert.Equal(t, report.NodeGroupCost{NodeGroup: "default", CapacityType: "ON_DEMAND", Nodes: 2, InstanceSeconds: 7200, USD: report.USD(2 * rate), NodePool: "default"}, ek.ByNodeGroup[1])
	b, err := json.Marshal(ek.ByNodeGroup)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(b), `"node_pool"`), string(b))
}

// TestScalingCategoriesDropTheNumbers: each autoscaler event's reason, as
// docs/outputs.md gives it, counts under its reason without the numbers,
// and the actions count in the page's order (HPA, Cluster Autoscaler,
// Karpenter), most first within one.
func TestScalingCategoriesDropTheNumbers(t *testing.T) {
	ev := func(typ, reason string) schema.Event { return schema.Event{Type: typ, Reason: reason} }
	res := &sim.Result{Config: &sim.Config{EKS: &eks.Config{}}, EKS: &eks.Outcome{}, Events: []schema.Event{
		ev(eks.EventKarpenterDisrupt, "Underutilized: delete 1 node(s), saving $0.0960/h"),
		ev(eks.EventKarpenterDisrupt, "Empty: delete 2 node(s), saving $0.1920/h"),
		ev(eks.EventKarpenterDisrupt, "Empty: delete 1 node(s), saving $0.0960/h"),
		ev(eks.EventKarpenterLaunch, "provisioning: m5.large on-demand in us-east-1a at $0.0960/h for 3 pods, 60 instance types offered (cheapest m5.large)"),
		ev(eks.EventKarpenterUnschedulable, "12 pods: no NodePool's requirements, taints, limits and instance types take them"),
		ev(eks.EventCAScaleDown, "utilization 0.255 < 0.5 for 10m0s; pods movable to other nodes"),
		ev(eks.EventCAScaleUp, "expander least-waste: 7 unschedulable pods; 7 fit on 3 new general nodes"),
		ev(eks.EventCAScaleUpTimedOut, "2 nodes not registered within max-node-provision-time 15m0s; node group backed off 5m0s"),
		ev(eks.EventHPARescale, "New size: 3; reason: cpu resource utilization (percentage of request) above target"),
		ev(eks.EventHPARecommendation, "cpu resource utilization (percentage of request): cpu 75%/50% -> 3; ScaleDownStabilized"),
		ev(eks.EventPodCreated, "not a scaling event"),
	}}
	acts := report.ScalingActivity(res)
	require.Len(t, acts, 10)
	assert.Equal(t, []report.ScalingCount{
		{report.ControllerHPA, eks.EventHPARecommendation, "cpu resource utilization (percentage of request)", 1},
		{report.ControllerHPA, eks.EventHPARescale, "cpu resource utilization (percentage of request) above target", 1},
		{report.ControllerCA, eks.EventCAScaleUp, "expander least-waste", 1},
		{report.ControllerCA, eks.EventCAScaleDown, "pods movable to other nodes", 1},
		{report.ControllerCA, eks.EventCAScaleUpTimedOut, "not registered within max-node-provision-time", 1},
		{report.ControllerKarpenter, eks.EventKarpenterLaunch, "provisioning", 1},
		{report.ControllerKarpenter, eks.EventKarpenterDisrupt, "Empty", 2},
		{report.ControllerKarpenter, eks.EventKarpenterDisrupt, "Underutilized", 1},
		{report.ControllerKarpenter, eks.EventKarpenterUnschedulable, "no NodePool's requirements, taints, limits and instance types take them", 1},
	}, report.ScalingCounts(acts))
}

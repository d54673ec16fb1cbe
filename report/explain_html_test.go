package report

import (
	"fmt"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim"
)

// bigCycle is a 5,000-node cycle: 4,000 feasible nodes scored (totals
// from 0 to 299, the first 20 with 299 tied), 600 short of CPU and 400
// with an untolerated taint; chosen is the tied node kube-scheduler drew.
func bigCycle(chosen int) *sim.Result {
	c := kube.Explanation{Pod: "default/web-1", NumNodes: 5000, EvaluatedNodes: 5000, FeasibleNodes: 4000, NodesToFind: 5000,
		ScorePlugins: []kube.ScorePluginInfo{{Plugin: "NodeResourcesFit", Weight: 1}, {Plugin: "InterPodAffinity", Weight: 2, Skipped: true}}}
	for i := range 5000 {
		n := kube.NodeExplanation{Node: fmt.Sprintf("node-%04d", i), Evaluated: true, Feasible: true}
		switch {
		case i >= 4600:
			n.Feasible, n.RejectedBy = false, "TaintToleration"
			n.Filters = []kube.Verdict{{Plugin: "TaintToleration", Code: "UnschedulableAndUnresolvable", Reasons: []string{"node(s) had untolerated taint {spot: true}"}}}
		case i >= 4000:
			n.Feasible, n.RejectedBy = false, "NodeResourcesFit"
			n.Filters = []kube.Verdict{{Plugin: "NodeResourcesFit", Code: "Unschedulable", Reasons: []string{"Insufficient cpu"}}}
		default:
			total := int64(299 - i%300)
			if i < 20 {
				total = 299
			}
			n.Scores = []kube.NodeScore{{Plugin: "NodeResourcesFit", Raw: total, Normalized: total, Weight: 1, Weighted: total}, {Plugin: "InterPodAffinity", Weight: 2}}
			n.Total = total
		}
		c.Nodes = append(c.Nodes, n)
	}
	for i := range 20 {
		c.Best = append(c.Best, c.Nodes[i].Node)
	}
	c.Chosen = c.Nodes[chosen].Node
	return &sim.Result{Config: &sim.Config{Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
		Explain: &sim.Explanations{Pods: []sim.EKSPodExplanation{{Pod: c.Pod, Workload: "deployment:web", Time: "2026-01-05T01:00:00Z",
			OffsetS: 3600, Attempt: 1, Node: c.Chosen, Cycle: c}}}}
}

func TestTheExplainSectionStaysReadableAt5000Nodes(t *testing.T) {
	v := explainSection(bigCycle(3))
	require.NotNil(t, v)
	require.Len(t, v.Items, 1)
	it := v.Items[0]
	require.Len(t, it.Rows, explainTopRows, "the best ten, the chosen among them")
	assert.True(t, it.Rows[3].Chosen)
	assert.Equal(t, "node-0003", it.Rows[3].Cells[0].Text)
	assert.Equal(t, "The best 10 of 4,000 feasible nodes by total, the chosen one highlighted (shown even when not among them).", it.RowsNote)
	assert.Equal(t, []explainHead{{"Node", ""}, {"Filters", "every filter plugin's verdict: ✓ all passed (or sat the cycle out)"},
		{"Fit ×1", "NodeResourcesFit: normalised score × weight 1"}, {"Total", "the weighted sum kube-scheduler ranks by"}}, it.Head, "a skipped plugin has no column")
	assert.Equal(t, []rejectedGroup{
		{By: "NodeResourcesFit", Reason: "Insufficient cpu", Count: "600", Examples: "node-4000, node-4001, node-4002 and 597 more", n: 600},
		{By: "TaintToleration", Reason: "node(s) had untolerated taint {spot: true}", Count: "400", Examples: "node-4600, node-4601, node-4602 and 397 more", n: 400},
	}, it.Rejected, "the rejected nodes in one row per plugin and reason, largest first")
	assert.Contains(t, it.Outcome, "bound to node-0003; 4,000 of 5,000 nodes feasible, 20 tied for the best total")
	assert.Contains(t, it.Notes, "Left out of the score (their PreScore had nothing to weigh for this pod): InterPodAffinity.")

	tmpl := template.Must(template.New("x").Parse(explainTemplate))
	var b strings.Builder
	require.NoError(t, tmpl.ExecuteTemplate(&b, "explain", v))
	assert.Less(t, b.Len(), 8000, "a 5,000-node cycle takes a screen, not a megabyte")
	assert.Equal(t, 1, strings.Count(b.String(), `class="chosen"`))
}

func TestTheChosenNodeIsShownWhenATieLeavesItOutOfTheTopRows(t *testing.T) {
	it := explainSection(bigCycle(15)).Items[0]
	require.Len(t, it.Rows, explainTopRows+1)
	last := it.Rows[explainTopRows]
	assert.True(t, last.Chosen)
	assert.Equal(t, "node-0015", last.Cells[0].Text)
	assert.Equal(t, "299", last.Cells[len(last.Cells)-1].Text, "tied with the first")
}

func TestNoExplainSectionWithoutExplanations(t *testing.T) {
	assert.Nil(t, explainSection(&sim.Result{Config: &sim.Config{}}))
	assert.Nil(t, explainSection(&sim.Result{Config: &sim.Config{}, Explain: &sim.Explanations{}}))
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// TestAnEKSRunsTerminalSummaryHasTheControlPlaneWorkloadsAndNodes runs the
// library's EKS scenario: the cost line is cost.json's total (nodes and the
// control plane), each workload has a row with summary.json's figures, and
// nothing of ECS's (services, placement failures) is printed.
func TestAnEKSRunsTerminalSummaryHasTheControlPlaneWorkloadsAndNodes(t *testing.T) {
	sc, err := scenarios.Resolve("eks-web-and-nightly")
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	require.NotNil(t, res.Summary.EKS)
	cost, err := report.ComputeCost(res, report.PricesFor(res.Config))
	require.NoError(t, err)
	var buf bytes.Buffer
	printSummary(&buf, res, cost, time.Second)
	out := buf.String()

	dir := t.TempDir()
	_, err = report.WriteRunOutputs(dir, res, sc.Source, []string{"json"})
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dir, "cost.json"))
	require.NoError(t, err)
	var file struct {
		TotalUSD float64 `json:"total_usd"`
		EKS      struct {
			ControlPlaneUSD float64 `json:"control_plane_usd"`
			NodesUSD        float64 `json:"nodes_usd"`
		} `json:"eks"`
	}
	require.NoError(t, json.Unmarshal(b, &file))
	require.Positive(t, file.EKS.ControlPlaneUSD)

	m := regexp.MustCompile(`(?m)^cost: (\$[0-9.,]+), \$[0-9.,]+ a day: nodes (\$[0-9.,]+), control plane (\$[0-9.,]+) \(\$0\.10 a cluster-hour\); node capacity no pod requested \$[0-9.,]+ of it$`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	assert.Equal(t, usd(file.TotalUSD), m[1], "the terminal's cost is cost.json's total")
	assert.Equal(t, usd(file.EKS.NodesUSD), m[2])
	assert.Equal(t, usd(file.EKS.ControlPlaneUSD), m[3])
	assert.NotEqual(t, usd(float64(cost.TotalUSD)), m[1], "the control plane is in the total")

	assert.Regexp(t, regexp.MustCompile(`(?m)^workload +desired +running +pending p50 +pending p95 +pending max +unschedulable$`), out)
	for _, w := range res.Summary.EKS.Workloads {
		unsched := 0
		for _, n := range w.Unschedulable {
			unsched += n
		}
		row := `(?m)^` + regexp.QuoteMeta(w.Kind+"/"+w.Name) + ` +` + strconv.Itoa(w.Desired) + ` +` + strconv.Itoa(w.RunningAtEnd) +
			` +` + regexp.QuoteMeta(waitText(w.PendingP50S)) + ` +` + regexp.QuoteMeta(waitText(w.PendingP95S)) +
			` +` + regexp.QuoteMeta(waitText(w.PendingMaxS)) + ` +` + strconv.Itoa(unsched) + `$`
		assert.Regexp(t, regexp.MustCompile(row), out)
	}
	n := res.Summary.EKS.Nodes
	assert.Contains(t, out, "nodes: "+strconv.Itoa(n.Registered)+" registered, "+strconv.Itoa(n.Peak)+" at peak, "+strconv.Itoa(n.AtEnd)+" at end")
	assert.Regexp(t, regexp.MustCompile(`(?m)^  no nodes available to schedule pods +6$`), out, "the scheduler's words, with their count")
	assert.NotContains(t, out, "placement failures")
	assert.NotContains(t, out, "idle EC2 capacity")
	assert.NotContains(t, out, "instances:")
}

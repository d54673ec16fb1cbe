package report_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
)

// TestAnEKSRunWritesKubectlStateAndTheControlPlaneCost runs the library's
// EKS scenario: state.json is a v1 List of Nodes then Pods, cost.json adds
// the control plane (price × cluster-hours) to the nodes' EC2 bill and
// breaks the nodes down by node group and capacity type.
func TestAnEKSRunWritesKubectlStateAndTheControlPlaneCost(t *testing.T) {
	res, src := runScenario(t, "eks-web-and-nightly", nil)
	require.NotNil(t, res.EKS)
	dir := writeRun(t, res, src)

	var state struct {
		APIVersion, Kind string
		Items            []struct {
			Kind     string
			Metadata struct{ Name string }
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &state))
	assert.Equal(t, "v1", state.APIVersion)
	assert.Equal(t, "List", state.Kind)
	kinds := map[string]int{}
	seenPod := false
	for _, it := range state.Items {
		kinds[it.Kind]++
		if it.Kind == "Pod" {
			seenPod = true
		} else {
			assert.False(t, seenPod, "nodes come before pods")
		}
	}
	assert.Equal(t, res.Summary.EKS.Nodes.AtEnd, kinds["Node"])
	assert.Positive(t, kinds["Pod"])

	var cost struct {
		TotalUSD float64 `json:"total_usd"`
		EKS      struct {
			ControlPlaneUSD float64 `json:"control_plane_usd"`
			NodesUSD        float64 `json:"nodes_usd"`
			TotalUSD        float64 `json:"total_usd"`
			ByNodeGroup     []struct {
				NodeGroup    string  `json:"node_group"`
				CapacityType string  `json:"capacity_type"`
				Nodes        int     `json:"nodes"`
				USD          float64 `json:"usd"`
			} `json:"by_node_group"`
		} `json:"eks"`
	}
	b, err = os.ReadFile(filepath.Join(dir, "cost.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &cost))
	hours := res.End.Duration().Hours()
	assert.InDelta(t, hours*res.Config.EKS.ControlPlaneUSDPerHour, cost.EKS.ControlPlaneUSD, 1e-6)
	assert.InDelta(t, cost.EKS.NodesUSD+cost.EKS.ControlPlaneUSD, cost.EKS.TotalUSD, 1e-5)
	assert.InDelta(t, cost.EKS.TotalUSD, cost.TotalUSD, 1e-4, "the run's total includes the control plane")
	nodes, sum := 0, 0.0
	for _, l := range cost.EKS.ByNodeGroup {
		nodes += l.Nodes
		sum += l.USD
		assert.Contains(t, []string{"ON_DEMAND", "SPOT"}, l.CapacityType)
	}
	assert.Equal(t, res.Summary.Instances.Launched, nodes)
	assert.InDelta(t, cost.EKS.NodesUSD, sum, 1e-5)

	direct, err := report.ComputeEKSCost(res, report.PricesFor(res.Config))
	require.NoError(t, err)
	assert.InDelta(t, float64(direct.TotalUSD), cost.EKS.TotalUSD, 1e-6)
}

func TestAnEKSReportShowsItsCards(t *testing.T) {
	res, src := runScenario(t, "eks-web-and-nightly", nil)
	dir := writeRun(t, res, src)
	b, err := os.ReadFile(filepath.Join(dir, "report.html"))
	require.NoError(t, err)
	cards := cardsOf(t, string(b))
	for _, label := range []string{"Total cost", "Peak nodes", "Pods running", "Pending p95", "Unschedulable"} {
		assert.Contains(t, cards, label)
	}
	assert.Equal(t, thousands(res.Summary.EKS.Nodes.Peak), cards["Peak nodes"])
}

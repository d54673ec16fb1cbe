package report_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// The library's eks-fargate-small-api (no node group, two Fargate
// profiles): cost.json's eks.fargate is the pods' bill by profile and part
// of every total; the page has a "Fargate profile" row per profile in the
// cost table, the Fargate section, the card and figure; the cost-rate
// figure's hours add up to the Fargate bill and the control plane's.
func TestAnEKSFargateRunBillsAndShowsItsFargatePods(t *testing.T) {
	sc, err := scenarios.Resolve("eks-fargate-small-api")
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	dir := t.TempDir()
	_, err = report.WriteRunOutputs(dir, res, sc.Source, []string{"json", "html"})
	require.NoError(t, err)

	var cost struct {
		Total float64 `json:"total_usd"`
		EKS   struct {
			ControlPlane float64 `json:"control_plane_usd"`
			Nodes        float64 `json:"nodes_usd"`
			Total        float64 `json:"total_usd"`
			Fargate      *struct {
				Pods      int     `json:"pods"`
				USD       float64 `json:"usd"`
				ByProfile []struct {
					Profile string  `json:"profile"`
					Pods    int     `json:"pods"`
					USD     float64 `json:"usd"`
				} `json:"by_profile"`
			} `json:"fargate"`
		} `json:"eks"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "cost.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &cost))
	fg := cost.EKS.Fargate
	require.NotNil(t, fg)
	assert.Zero(t, cost.EKS.Nodes, "no EC2 node")
	assert.Equal(t, res.Summary.EKS.Fargate.Pods, fg.Pods)
	require.Len(t, fg.ByProfile, 2)
	assert.Equal(t, "api", fg.ByProfile[0].Profile)
	assert.Equal(t, "batch", fg.ByProfile[1].Profile)
	assert.InDelta(t, fg.USD, fg.ByProfile[0].USD+fg.ByProfile[1].USD, 1e-5)
	assert.InDelta(t, cost.EKS.ControlPlane+fg.USD, cost.EKS.Total, 1e-5)
	assert.InDelta(t, cost.EKS.Total, cost.Total, 1e-5)
	// The batch profile: 4 pods of 1 vCPU / 3 GB for about 12 minutes each.
	assert.Equal(t, 4, fg.ByProfile[1].Pods)
	perMin := (1*0.04048 + 3*0.004445) / 60
	assert.InDelta(t, 4*12*perMin, fg.ByProfile[1].USD, 4*4*perMin)

	h, err := os.ReadFile(filepath.Join(dir, "report.html"))
	require.NoError(t, err)
	html := string(h)
	for _, want := range []string{`<section id="fargate">`, "<td>Fargate profile api</td>", "<td>Fargate profile batch</td>",
		"Pods on Fargate", `<figure id="eks-fargate">`, "Cost rate by node group and Fargate profile",
		"By node group, Fargate profile and the control plane", "namespace default, app=api", "0.25 vCPU 1 GB ×",
		"Fargate pods: their provisioned vCPU and memory"} {
		assert.Contains(t, html, want)
	}
	assert.Equal(t, 1, strings.Count(html, `<section id="fargate">`))
	assert.Contains(t, html, "<td>deployment on Fargate</td>")
	assert.NotContains(t, html, `<figure id="eks-nodes">`, "no EC2 node to draw")
}

package report_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
)

// A Deployment served as an ECS service has its own table under the
// workloads: summary.json's requests offered and dropped, SLO attainment
// and availability; a report without one has no such table.
func TestAnEKSReportListsItsServedDeployments(t *testing.T) {
	serve := func(c *sim.Config) {
		d := &c.EKS.Deployments[0]
		d.PodRequestsPerSecond, d.CPUSecondsPerRequest, d.LatencySLO = 0, 0.5/60, 50*time.Millisecond
		c.Duration = 6 * time.Hour
	}
	res, html := reportHTML(t, "eks-hpa-cluster-autoscaler", serve)
	w := res.Summary.EKS.Workloads[0]
	require.NotNil(t, w.RequestsOffered)
	r := rowOf(t, rowCells(section(html, "workloads")), "web", thousands(int(*w.RequestsOffered)))
	assert.Equal(t, strconv.FormatFloat(*w.SLOAttainmentPct, 'f', 2, 64)+"%", r[3])
	assert.Equal(t, strconv.FormatFloat(*w.AvailabilityPct, 'f', 2, 64)+"%", r[4])
	assert.Contains(t, html, "Deployments served as ECS services")

	_, plain := reportHTML(t, "eks-hpa-cluster-autoscaler", func(c *sim.Config) { c.Duration = 6 * time.Hour })
	assert.NotContains(t, plain, "Deployments served as ECS services")
}

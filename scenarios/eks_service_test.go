package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
)

// servedSrc is eksBase with its web Deployment (3 pods of 250m) served as
// an ECS service: 0.0025 CPU-seconds a request (a pod serves 100 a
// second), a 100 ms latency SLO, and a noisy constant load.
const servedSrc = eksBase + `
[[eks.deployment]]
name = "web"
  [eks.deployment.load]
  pattern = "constant"
  base_rps = 150
  noise = 0.2
  cpu_seconds_per_request = 0.0025
  latency_slo = "100ms"
`

// cpu_seconds_per_request and latency_slo carry over to the Deployment as
// the ECS side's load reads them, and noise draws from the run's seed:
// the same seed gives the same requests, another seed others.
func TestAServedEKSDeploymentsLoadFollowsTheRunsSeed(t *testing.T) {
	s, err := parseEKS(servedSrc, nil)
	require.NoError(t, err)
	d := s.Config.EKS.Deployments[0]
	assert.Equal(t, 0.0025, d.CPUSecondsPerRequest)
	assert.Equal(t, 100*time.Millisecond, d.LatencySLO)
	assert.Zero(t, d.PodRequestsPerSecond)
	require.NotNil(t, d.LoadRates, "noise: the world draws it from its streams")
	assert.Equal(t, 150.0, d.Load.Rate(s.Config.Start), "Load is the pattern without its noise")

	offered := func(seed uint64) float64 {
		s, err := parseEKS(servedSrc, nil)
		require.NoError(t, err)
		s.Config.Seed, s.Config.Duration = seed, time.Hour
		res, err := sim.New(s.Config).Run()
		require.NoError(t, err)
		w := res.Summary.EKS.Workloads[0]
		require.NotNil(t, w.RequestsOffered)
		require.NotNil(t, w.SLOAttainmentPct)
		assert.Greater(t, *w.SLOAttainmentPct, 0.0)
		return *w.RequestsOffered
	}
	one := offered(1)
	assert.Equal(t, one, offered(1))
	assert.NotEqual(t, one, offered(2))
	assert.InDelta(t, 59*60*150, one, 0.05*59*60*150, "59 sampled minutes of about 150 requests/s")
}

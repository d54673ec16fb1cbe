package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
)

const ecrBase = smallBase + `
[ecr]
cross_region_pull_bandwidth = "10MiB/s"

[[ecr.images]]
name = "nginx:1.27"
region = "eu-west-1"
replicate_to = ["us-west-2"]
pull_through_cache = true

[[ecr.pull_failures]]
image = "nginx:1.27"
at = "0s"
duration = "10m"
`

func TestECRSectionBuildsTheRegistry(t *testing.T) {
	s, ps := parseSmall(ecrBase, nil)
	require.Empty(t, ps)
	e := s.Config.ECR
	require.NotNil(t, e)
	assert.Equal(t, s.Config.Region, e.Region)
	assert.Equal(t, int64(10<<20), e.CrossRegionBytesPerSecond)
	assert.Equal(t, int64(DefaultECRUpstreamBytesPerSecond), e.UpstreamBytesPerSecond)
	assert.Equal(t, []capacity.ECRImage{{Name: "nginx:1.27", SizeBytes: defaultImageSize, Region: "eu-west-1",
		Replicas: []string{"us-west-2"}, PullThrough: true}}, e.Images, "size from the container")
	assert.Equal(t, []capacity.PullFailure{{Image: "nginx:1.27", From: 0, To: 10 * time.Minute}}, e.Failures)
}

func TestNoECRSectionNoRegistry(t *testing.T) {
	s, ps := parseSmall(smallBase, nil)
	require.Empty(t, ps)
	assert.Nil(t, s.Config.ECR)
}

func TestECRBadInput(t *testing.T) {
	cases := map[string]struct{ edit, key, want string }{
		"unknown image": {`name = "nginx:1.27"`, `name = "ngnix:1.27"`, "ecr.images.0.name"},
		"bad region":    {`region = "eu-west-1"`, `region = "Europe"`, "ecr.images.0.region"},
		"no duration":   {`duration = "10m"`, `duration = "0s"`, "ecr.pull_failures.0.duration"},
		"after the run": {`at = "0s"`, `at = "2h"`, "ecr.pull_failures.0.at"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			src := strings.Replace(ecrBase, c.edit, c.key, 1)
			require.NotEqual(t, ecrBase, src)
			_, ps := parseSmall(src, nil)
			require.NotEmpty(t, ps)
			assert.NotEmpty(t, keyed(ps, c.want), "%v", ps)
			for _, p := range keyed(ps, c.want) {
				assert.Equal(t, "limits.toml", p.File)
				assert.Positive(t, p.Line)
			}
		})
	}
}

// A pull failure window over the start: the service's first tasks stop
// with CannotPullContainerError; after the window its tasks run.
func TestECRPullFailureStopsECSTasks(t *testing.T) {
	s, ps := parseSmall(ecrBase, nil)
	require.Empty(t, ps)
	res, err := sim.New(s.Config).Run()
	require.NoError(t, err)
	var failed int
	var failedAfter bool
	for _, e := range res.Events {
		if strings.HasPrefix(e.Reason, "CannotPullContainerError: ") && strings.Contains(e.Reason, "503 Service Unavailable") {
			failed++
			failedAfter = failedAfter || e.At.Duration() > 11*time.Minute
		}
	}
	assert.Positive(t, failed, "tasks placed in the window stop")
	assert.False(t, failedAfter, "no failure after the window (and the pull's length)")
	assert.Positive(t, res.ECR.Pulls)
	assert.Positive(t, res.ECR.CrossRegionBytes, "eu-west-1 without a us-east-1 replica pulls across regions")
}

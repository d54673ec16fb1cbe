package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/eks"
)

// eksFargateBase is eksBase's workloads with no node group: a profile takes
// the Deployment (app=web), another the whole default namespace (the Job).
const eksFargateBase = `name = "eks"
duration = "6h"

[eks]
zones = ["us-east-1a", "us-east-1b"]
manifests = ["web.yaml", "job.yaml"]
fargate_start_time = "45s"
fargate_image_pull_bandwidth = "20MB/s"

[[eks.fargate_profile]]
name = "web"
selectors = [{ namespace = "default", labels = { app = "web" } }]
availability_zones = ["us-east-1b"]

[[eks.fargate_profile]]
name = "rest"
selectors = [{ namespace = "default" }]

[[eks.job]]
name = "batch"
run_time = "10m"
`

func TestEKSFargateProfileKeysBuildTheConfig(t *testing.T) {
	s, err := parseEKS(eksFargateBase, nil)
	require.NoError(t, err)
	cl := s.Config.EKS
	assert.Empty(t, cl.NodeGroups, "a cluster may have Fargate profiles only")
	require.Len(t, cl.FargateProfiles, 2)
	assert.Equal(t, eks.FargateProfile{Name: "web", Zones: []string{"us-east-1b"},
		Selectors: []eks.FargateSelector{{Namespace: "default", Labels: map[string]string{"app": "web"}}}}, cl.FargateProfiles[0])
	assert.Equal(t, "rest", cl.FargateProfiles[1].Name)
	assert.Equal(t, 45*time.Second, cl.Settings.FargateStartTime)
	assert.Equal(t, int64(20_000_000), cl.Settings.FargatePullBytesPerSecond)
	// The Job's pods (1 vCPU, 1 GiB) need no node: the node fit check does
	// not apply to a template a profile takes.
	assert.Empty(t, s.Warnings)
}

func TestEKSFargateBadInput(t *testing.T) {
	cases := []struct {
		name, from, to, key, want string
	}{
		{"a selector without a namespace", `selectors = [{ namespace = "default" }]`, `selectors = [{ labels = { app = "x" } }]`,
			"eks.fargate_profile.rest.selectors.0.namespace", "each selector must contain a namespace"},
		{"no selector", `selectors = [{ namespace = "default" }]`, `selectors = []`,
			"eks.fargate_profile.rest.selectors", "at least one selector"},
		{"six selectors", `selectors = [{ namespace = "default" }]`,
			`selectors = [{ namespace = "default" }, { namespace = "a" }, { namespace = "b" }, { namespace = "c" }, { namespace = "d" }, { namespace = "e" }]`,
			"eks.fargate_profile.rest.selectors", "up to five selectors"},
		{"a duplicate name", `name = "rest"`, `name = "web"`, "eks.fargate_profile.web.name", "a unique Fargate profile name"},
		{"a zone not the cluster's", `availability_zones = ["us-east-1b"]`, `availability_zones = ["us-east-1c"]`,
			"eks.fargate_profile.web.availability_zones", "one of eks.zones"},
		{"a profile selecting nothing", `selectors = [{ namespace = "default" }]`, `selectors = [{ namespace = "batch" }]`,
			"eks.fargate_profile.rest.selectors", "none of the 2 workloads' pods match"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(eksFargateBase, c.from, c.to, 1)
			require.NotEqual(t, eksFargateBase, src)
			_, err := parseEKS(src, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.key)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// The Deployment's pods above 16 vCPU / 120 GB, matched by a profile: a
// problem at the Deployment, though no node group would be asked.
func TestEKSFargatePodAboveTheLargestSizeIsRefused(t *testing.T) {
	huge := strings.Replace(eksWeb, "cpu: 250m", "cpu: \"17\"", 1)
	_, err := parseEKS(eksFargateBase, map[string]string{"web.yaml": huge})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Deployment "web": spec.template.spec.containers`)
	assert.Contains(t, err.Error(), "the largest Fargate size is 16 vCPU / 120 GB")
}

// A DaemonSet whose pods only a Fargate profile matches, in a cluster with
// no node group: refused at the DaemonSet. With a node group, accepted (its
// pods run on the nodes).
func TestEKSFargateDaemonSetOnlyFargateCouldTake(t *testing.T) {
	ds := `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
        - name: agent
          image: fluent-bit:3.0
`
	src := strings.Replace(eksFargateBase, `manifests = ["web.yaml", "job.yaml"]`, `manifests = ["web.yaml", "job.yaml", "ds.yaml"]`, 1)
	_, err := parseEKS(src, map[string]string{"ds.yaml": ds})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `DaemonSet "agent": spec.template.metadata.labels`)
	assert.Contains(t, err.Error(), "Fargate runs no DaemonSets")

	withNodes := src + `
[[eks.node_group]]
name = "general"
instance_types = ["m5.large"]
min_size = 1
max_size = 2
`
	s, err := parseEKS(withNodes, map[string]string{"ds.yaml": ds})
	require.NoError(t, err)
	assert.Len(t, s.Config.EKS.DaemonSets, 1)
}

// With no node group, a workload no profile takes could never run.
func TestEKSFargateOnlyClusterRefusesAWorkloadNoProfileTakes(t *testing.T) {
	src := strings.Replace(eksFargateBase, `selectors = [{ namespace = "default" }]`, `selectors = [{ namespace = "default", labels = { app = "web" } }]`, 1)
	_, err := parseEKS(src, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Job "batch": spec.template.metadata.labels`)
	assert.Contains(t, err.Error(), "no Fargate profile matches namespace default with labels {}")
}

// Fargate prices are us-east-1's only (as for ECS's Fargate tasks): a
// Fargate profile in another region is refused rather than billed nothing.
func TestEKSFargateOutsideUSEast1IsRefused(t *testing.T) {
	src := strings.Replace(eksFargateBase, `duration = "6h"`, `duration = "6h"
region = "eu-west-1"`, 1)
	src = strings.ReplaceAll(src, "us-east-1", "eu-west-1")
	_, err := parseEKS(src, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "region: want us-east-1 for a scenario with Fargate profiles")
}

package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale/clusterautoscaler"
)

// caBase is eksBase with a Cluster Autoscaler on the general group.
func caScenario(block string) string {
	return eksBase + "\n[eks.cluster_autoscaler]\n" + block
}

func TestCAKeysAndTheirDefaults(t *testing.T) {
	s, err := parseEKS(caScenario(`nodes = ["2:8:general"]`), nil)
	require.NoError(t, err)
	ca := s.Config.EKS.ClusterAutoscaler
	require.NotNil(t, ca)
	assert.Equal(t, clusterautoscaler.Defaults(), ca.Config)
	require.Len(t, ca.NodeGroups, 1)
	assert.Equal(t, 0, ca.NodeGroups[0].NodeGroup)
	assert.Equal(t, 2, ca.NodeGroups[0].Min)
	assert.Equal(t, 8, ca.NodeGroups[0].Max)

	s, err = parseEKS(caScenario(`nodes = ["1:6:general"]
scan_interval = "30s"
expander = "priority,least-waste"
max_nodes_total = 12
balance_similar_node_groups = true
scale_down_enabled = true
scale_down_utilization_threshold = 0.6
scale_down_unneeded_time = "5m"
scale_down_delay_after_add = "2m"
scale_down_delay_after_delete = "30s"
scale_down_delay_after_failure = "1m"
max_node_provision_time = "20m"
max_scale_down_parallelism = 4
max_drain_parallelism = 2
skip_nodes_with_local_storage = false
skip_nodes_with_system_pods = false
ignore_daemonsets_utilization = true
expendable_pods_priority_cutoff = -5
new_pod_scale_up_delay = "5s"
initial_node_group_backoff_duration = "1m"
max_node_group_backoff_duration = "10m"
max_pod_eviction_time = "3m"
blocking_system_pod_disruption_timeout = "2h"
[[eks.cluster_autoscaler.priorities]]
priority = 10
patterns = ["gen.*"]
`), nil)
	require.NoError(t, err)
	c := s.Config.EKS.ClusterAutoscaler.Config
	assert.Equal(t, clusterautoscaler.Config{ScanInterval: 30 * time.Second, Expanders: []string{"priority", "least-waste"},
		Priorities: []clusterautoscaler.PriorityTier{{Priority: 10, Patterns: []string{"gen.*"}}}, MaxNodesTotal: 12,
		BalanceSimilarNodeGroups: true, ScaleDownUtilizationThreshold: 0.6, ScaleDownUnneededTime: 5 * time.Minute,
		ScaleDownDelayAfterAdd: 2 * time.Minute, ScaleDownDelayAfterDelete: 30 * time.Second, ScaleDownDelayAfterFailure: time.Minute,
		MaxNodeProvisionTime: 20 * time.Minute, MaxScaleDownParallelism: 4, MaxDrainParallelism: 2, IgnoreDaemonSetsUtilization: true,
		ExpendablePodsPriorityCutoff: -5, NewPodScaleUpDelay: 5 * time.Second, InitialNodeGroupBackoff: time.Minute,
		MaxNodeGroupBackoff: 10 * time.Minute, MaxPodEvictionTime: 3 * time.Minute, BlockingSystemPodDisruptionTimeout: 2 * time.Hour}, c)
}

func TestCAAutoDiscoveryTakesTheManagedNodeGroups(t *testing.T) {
	s, err := parseEKS(caScenario(`node_group_auto_discovery = ["asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/eks"]`), nil)
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)
	ngs := s.Config.EKS.ClusterAutoscaler.NodeGroups
	require.Len(t, ngs, 2, "both node groups are managed")
	assert.Equal(t, 1, ngs[1].NodeGroup)

	// Another cluster's tag discovers nothing.
	_, err = parseEKS(caScenario(`node_group_auto_discovery = ["asg:tag=k8s.io/cluster-autoscaler/other"]`), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "eks.cluster_autoscaler: want at least one managed node group for the Cluster Autoscaler, found none")
}

// TestCABadInput: each mistake is a problem at its file, line and key.
func TestCABadInput(t *testing.T) {
	for _, tc := range []struct{ block, want string }{
		{`nodes = ["1:5:genral"]`, `eks.toml:27: eks.cluster_autoscaler.nodes.0: want the name of one of [[eks.node_group]], found "genral" (did you mean "general"?)`},
		{`nodes = ["5:1:general"]`, `eks.cluster_autoscaler.nodes.0: want min <= max, found 5 > 1 in "5:1:general"`},
		{`nodes = ["general"]`, `want --nodes as MIN:MAX:NAME such as "1:10:general", found "general"`},
		{"nodes = [\"1:5:general\"]\nexpander = \"priority\"", `eks.cluster_autoscaler.expander: want the priority expander's priorities, found priority without them`},
		{"nodes = [\"1:5:general\"]\nexpander = \"least-wast\"", `want expanders from random, most-pods, least-waste, least-nodes, price, priority, found "least-wast" (did you mean "least-waste"?)`},
		{"nodes = [\"1:5:general\"]\nexpander = \"random,random\"", `want each expander once`},
		{`scan_interval = "10s"`, `eks.cluster_autoscaler: want the node groups the Cluster Autoscaler manages, found none`},
		{"nodes = [\"1:5:general\"]\nscale_down_utilization_threshold = 1.5", `scale_down_utilization_threshold`},
		{"nodes = [\"1:5:general\"]\nmax_drain_parallelism = 0", `eks.cluster_autoscaler.max_drain_parallelism: want at least 1, found 0`},
		{"nodes = [\"1:5:general\"]\n[[eks.cluster_autoscaler.priorities]]\npriority = 1\npatterns = [\"(\"]", `want a Go regular expression`},
	} {
		_, err := parseEKS(caScenario(tc.block), nil)
		require.Error(t, err, tc.block)
		assert.Contains(t, err.Error(), tc.want, tc.block)
	}
}

func TestCASelfManagedGroupsAreRefused(t *testing.T) {
	src := strings.Replace(caScenario(`nodes = ["0:4:spot"]`), "name = \"spot\"", "name = \"spot\"\nkind = \"self_managed\"", 1)
	_, err := parseEKS(src, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `want a managed node group (fleetsim's Cluster Autoscaler deletes nodes through the managed node group's drain), found self-managed node group "spot"`)
}

// The real Cluster Autoscaler manifests of shared/data/aws-cli-examples
// (kept in scenarios/kube/testdata; sources in its README) load as they
// stand: their flags are read, the cluster-name placeholder is a warning.
func TestCAReadsTheRealManifests(t *testing.T) {
	read := func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join("kube", "testdata", rel)) }
	src := eksBase + `
[eks.cluster_autoscaler]
manifest = "cluster-autoscaler-aws-autodiscover.yaml"
`
	s, err := Parse(src, "eks.toml", func(rel string) ([]byte, error) {
		if rel == "web.yaml" || rel == "job.yaml" {
			return []byte(map[string]string{"web.yaml": eksWeb, "job.yaml": eksJob}[rel]), nil
		}
		return read(rel)
	})
	require.NoError(t, err)
	ca := s.Config.EKS.ClusterAutoscaler
	require.NotNil(t, ca)
	assert.Equal(t, []string{"least-waste"}, ca.Config.Expanders)
	assert.False(t, ca.Config.SkipNodesWithLocalStorage, "--skip-nodes-with-local-storage=false")
	assert.Len(t, ca.NodeGroups, 2, "auto-discovery: every managed node group")
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings[0].Error(), `cluster-autoscaler-aws-autodiscover.yaml:`)
	assert.Contains(t, s.Warnings[0].Error(), `a placeholder: taken as this cluster's name "eks"`)

	// The multi-ASG manifest names k8s-worker-asg-1 (1:10) and -2 (1:3).
	multi := strings.NewReplacer(`name = "general"`, `name = "k8s-worker-asg-1"`, `name = "spot"`, `name = "k8s-worker-asg-2"`).Replace(eksBase)
	s, err = Parse(multi+"\n[eks.cluster_autoscaler]\nmanifest = \"cluster-autoscaler-aws-multi-asg.yaml\"\n", "eks.toml", func(rel string) ([]byte, error) {
		if rel == "web.yaml" || rel == "job.yaml" {
			return []byte(map[string]string{"web.yaml": eksWeb, "job.yaml": eksJob}[rel]), nil
		}
		return read(rel)
	})
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)
	ngs := s.Config.EKS.ClusterAutoscaler.NodeGroups
	require.Len(t, ngs, 2)
	assert.Equal(t, [2]int{1, 10}, [2]int{ngs[0].Min, ngs[0].Max})
	assert.Equal(t, [2]int{1, 3}, [2]int{ngs[1].Min, ngs[1].Max})

	// Without the groups it names, the multi-ASG manifest is refused at its line.
	_, err = Parse(eksBase+"\n[eks.cluster_autoscaler]\nmanifest = \"cluster-autoscaler-aws-multi-asg.yaml\"\n", "eks.toml", func(rel string) ([]byte, error) {
		if rel == "web.yaml" || rel == "job.yaml" {
			return []byte(map[string]string{"web.yaml": eksWeb, "job.yaml": eksJob}[rel]), nil
		}
		return read(rel)
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cluster-autoscaler-aws-multi-asg.yaml:165: Deployment "cluster-autoscaler" container "cluster-autoscaler" command[6]: want the name of one of [[eks.node_group]], found "k8s-worker-asg-1"`)
}

func TestCAManifestProblemsNameTheManifestLine(t *testing.T) {
	manifest := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cluster-autoscaler
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: cluster-autoscaler
          image: registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.1
          command:
            - ./cluster-autoscaler
            - --cloud-provider=aws
            - --scan-interval=ten
            - --nodes=1:3:nope
            - --estimator=binpacking
`
	src := caScenario(`manifest = "ca.yaml"`)
	s, err := parseEKS(src, map[string]string{"ca.yaml": manifest})
	require.Error(t, err, "%v", s)
	msg := err.Error()
	assert.Contains(t, msg, `ca.yaml:15: Deployment "cluster-autoscaler" container "cluster-autoscaler" command[2]: want a duration such as "10m" or "10s", found "--scan-interval=ten"`)
	assert.Contains(t, msg, `ca.yaml:16: Deployment "cluster-autoscaler" container "cluster-autoscaler" command[3]: want the name of one of [[eks.node_group]], found "nope"`)

	s, err = parseEKS(src, map[string]string{"ca.yaml": strings.Replace(strings.Replace(manifest, "ten", "10s", 1), "nope", "general", 1)})
	require.NoError(t, err)
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings[0].Error(), `ca.yaml:17: Deployment "cluster-autoscaler" container "cluster-autoscaler" command[4]: want a flag fleetsim models, found "--estimator" (not modelled: ignored)`)

	_, err = parseEKS(src, map[string]string{"ca.yaml": "kind: ConfigMap\n"})
	require.ErrorContains(t, err, "want a manifest with a Deployment whose container runs cluster-autoscaler")
}

func TestCALibraryScenarioSaysWhatItPromises(t *testing.T) {
	s, err := Resolve("eks-hpa-cluster-autoscaler")
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)
	cl := s.Config.EKS
	require.NotNil(t, cl.ClusterAutoscaler)
	assert.Equal(t, []string{"least-waste"}, cl.ClusterAutoscaler.Config.Expanders)
	assert.False(t, cl.ClusterAutoscaler.Config.SkipNodesWithLocalStorage, "the AWS example's flag")
	require.Len(t, cl.ClusterAutoscaler.NodeGroups, 2, "auto-discovery takes both managed node groups")
	require.Len(t, cl.Deployments, 1)
	assert.NotNil(t, cl.Deployments[0].Load, "a diurnal load for its HorizontalPodAutoscaler")
	require.Len(t, cl.HPAs, 1)
	assert.Equal(t, 0, cl.HPAs[0].Deployment)
}

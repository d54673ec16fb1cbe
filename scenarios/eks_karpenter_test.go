package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale/karpenter"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// eksKarpenterBase is eksBase's workloads on one NodePool only.
const eksKarpenterBase = `name = "eks"
duration = "6h"

[eks]
zones = ["us-east-1a", "us-east-1b"]
manifests = ["web.yaml", "job.yaml"]

[[eks.node_classes]]
name = "default"
ami_family = "AL2023"
block_device_size = "50GiB"

[[eks.node_pools]]
name = "default"
node_class_ref = "default"
weight = 10
requirements = [
  { key = "karpenter.sh/capacity-type", operator = "In", values = ["spot", "on-demand"] },
  { key = "kubernetes.io/arch", operator = "In", values = ["amd64"] },
  { key = "karpenter.k8s.aws/instance-family", operator = "In", values = ["m5", "c5"] },
  { key = "karpenter.k8s.aws/instance-cpu", operator = "Lt", values = ["17"] },
]
taints = ["lifecycle=spot:NoSchedule"]
limits = { cpu = "1000", memory = "1000Gi" }
expire_after = "Never"
disruption = { consolidation_policy = "WhenEmpty", consolidate_after = "1m", budgets = [{ nodes = "20%" }, { nodes = "0", reasons = ["Underutilized"] }] }

[[eks.job]]
name = "batch"
run_time = "10m"
`

func TestEKSNodePoolKeysBuildTheKarpenterConfig(t *testing.T) {
	s, err := parseEKS(eksKarpenterBase, nil)
	require.NoError(t, err)
	cl := s.Config.EKS
	require.Len(t, cl.NodePools, 1)
	np := cl.NodePools[0]
	assert.Equal(t, "default", np.NodeClass)
	assert.Equal(t, "AL2023", np.AMIFamily)
	assert.Equal(t, 50, np.BlockDeviceGiB)
	pool := np.Pool
	assert.Equal(t, int32(10), pool.Weight)
	assert.Equal(t, int64(1000_000), pool.LimitMilliCPU, "cpu 1000 is 1,000,000 millicores")
	assert.Equal(t, int64(1000<<30), pool.LimitMemoryBytes)
	assert.Equal(t, time.Duration(0), pool.ExpireAfter, "Never is no expiry")
	assert.Equal(t, karpenter.WhenEmpty, pool.Policy)
	assert.Equal(t, time.Minute, pool.ConsolidateAfter)
	assert.False(t, pool.Never)
	assert.Equal(t, []karpenter.Budget{{Nodes: 20, Percent: true}, {Nodes: 0, Reasons: []karpenter.Reason{karpenter.ReasonUnderutilized}}}, pool.Budgets)
	require.Len(t, pool.Requirements, 4)
	assert.Equal(t, karpenter.Lt, pool.Requirements[3].Operator)
	assert.Equal(t, "lifecycle", np.Taints[0].Key)
	// The pool's node group and its direct capacity group.
	require.Len(t, cl.NodeGroups, 1)
	ng := cl.NodeGroups[np.NodeGroup]
	assert.Equal(t, eks.Karpenter, ng.Kind)
	g := s.Config.Groups[ng.Group]
	assert.True(t, g.Direct)
	require.NotEmpty(t, g.InstanceTypes)
	for _, it := range g.InstanceTypes {
		assert.Contains(t, []string{"m5", "c5"}, it.Family, it.Name)
		assert.Less(t, it.VCPU, 17, it.Name)
	}
	assert.Equal(t, 0.70, cl.Karpenter.SpotDiscount)
	assert.Equal(t, time.Second, cl.Karpenter.BatchIdleDuration)
	assert.Equal(t, 10*time.Second, cl.Karpenter.BatchMaxDuration)
}

// Karpenter's defaults when the pool says nothing: expireAfter 720h,
// WhenEmptyOrUnderutilized, consolidateAfter 0s, budgets nodes 10%, no limits,
// a 20Gi root volume.
func TestEKSNodePoolDefaults(t *testing.T) {
	src := "name = \"eks\"\nduration = \"1h\"\n[eks]\nzones = [\"us-east-1a\", \"us-east-1b\"]\nmanifests = [\"web.yaml\"]\n" +
		"[[eks.node_classes]]\nname = \"default\"\n[[eks.node_pools]]\nname = \"general\"\n"
	s, err := parseEKS(src, nil)
	require.NoError(t, err)
	np := s.Config.EKS.NodePools[0]
	assert.Equal(t, 20, np.BlockDeviceGiB)
	assert.Equal(t, 720*time.Hour, np.Pool.ExpireAfter)
	assert.Equal(t, karpenter.WhenEmptyOrUnderutilized, np.Pool.Policy)
	assert.Equal(t, time.Duration(0), np.Pool.ConsolidateAfter)
	assert.Equal(t, []karpenter.Budget{{Nodes: 10, Percent: true}}, np.Pool.Budgets)
	assert.Equal(t, int64(-1), np.Pool.LimitMilliCPU)
	assert.Equal(t, int64(-1), np.Pool.LimitMemoryBytes)
}

func TestEKSNodePoolBadInputIsRefusedWithFileLineAndKey(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           []string
	}{
		{"no catalog type satisfies", `values = ["m5", "c5"]`, `values = ["zz9"]`,
			[]string{"eks.toml:17: eks.node_pools.default.requirements: want requirements some instance type of the us-east-1 catalog satisfies"}},
		{"a negative limit", `cpu = "1000"`, `cpu = "-4"`,
			[]string{"eks.node_pools.default.limits.cpu: want a non-negative quantity", `"-4"`}},
		{"an unknown node class", `node_class_ref = "default"`, `node_class_ref = "defualt"`,
			[]string{"eks.toml:15: eks.node_pools.default.node_class_ref: want the name of an [[eks.node_classes]] (\"default\")", `"defualt"`}},
		{"an unknown operator", `operator = "Lt"`, `operator = "LessThan"`,
			[]string{"eks.node_pools.default.requirements.3.operator: want one of In, NotIn, Exists, DoesNotExist, Gt, Lt", `"LessThan"`}},
		{"an unknown label key", `key = "kubernetes.io/arch"`, `key = "kubernetes.io/arhc"`,
			[]string{"eks.node_pools.default.requirements.1.key: want a well-known label fleetsim models", `did you mean "kubernetes.io/arch"?`}},
		{"a capacity type misspelt", `values = ["spot", "on-demand"]`, `values = ["spot", "ondemand"]`,
			[]string{"eks.node_pools.default.requirements.0.values.1: want on-demand or spot", `"ondemand"`}},
		{"a bad expiry", `expire_after = "Never"`, `expire_after = "forever"`,
			[]string{"eks.node_pools.default.expire_after: want a duration such as \"720h\""}},
		{"a weight of 0", "weight = 10", "weight = 0",
			[]string{"eks.node_pools.default.weight: want a weight from 1 to 100, found 0"}},
		{"an unknown consolidation policy", `"WhenEmpty"`, `"WhenIdle"`,
			[]string{"eks.node_pools.default.disruption.consolidation_policy: want one of WhenEmptyOrUnderutilized, WhenEmpty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(eksKarpenterBase, tc.old, tc.new, 1)
			require.NotEqual(t, eksKarpenterBase, src)
			_, err := parseEKS(src, nil)
			require.Error(t, err)
			text := problemsOf(t, err).Error()
			for _, w := range tc.want {
				assert.Contains(t, text, w)
			}
		})
	}
}

// The published Karpenter manifests load through eks.manifests as they
// stand: the Deployment runs on the scenario's NodePool; the NodePool and
// EC2NodeClass documents are warnings that say where to give them.
func TestEKSKarpenterManifestsLoad(t *testing.T) {
	files := []string{"karpenter-nodepool-ec2nodeclass-getting-started.yaml", "karpenter-nodepool-ec2nodeclass-when-empty.yaml",
		"karpenter-nodepool-disruption-budgets.yaml", "karpenter-deployment-spread-hostname-zone.yaml"}
	src := "name = \"eks\"\nduration = \"1h\"\n[eks]\nzones = [\"us-east-1a\", \"us-east-1b\"]\nmanifests = [\"" +
		strings.Join(files, "\", \"") + "\"]\n[[eks.node_classes]]\nname = \"default\"\n[[eks.node_pools]]\nname = \"general\"\n"
	s, err := Parse(src, "eks.toml", func(rel string) ([]byte, error) {
		return os.ReadFile(filepath.Join("testdata", "karpenter", rel))
	})
	require.NoError(t, err)
	require.Len(t, s.Config.EKS.Deployments, 1)
	assert.Equal(t, "host-zone-spread", s.Config.EKS.Deployments[0].Name)
	var kinds []string
	for _, w := range s.Warnings {
		if strings.Contains(w.Hint, "[[eks.node_pools]]") || strings.Contains(w.Hint, "[[eks.node_classes]]") {
			kinds = append(kinds, w.Got)
		}
	}
	assert.ElementsMatch(t, []string{"NodePool", "EC2NodeClass", "NodePool", "EC2NodeClass", "NodePool"}, kinds)
}

// The two Karpenter library scenarios load without warnings and say what
// their comments promise.
func TestEKSKarpenterLibraryScenariosSayWhatTheyPromise(t *testing.T) {
	s, err := Resolve("eks-karpenter-spot")
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)
	cl := s.Config.EKS
	assert.GreaterOrEqual(t, s.Config.Duration, 48*time.Hour)
	require.Len(t, cl.NodePools, 2)
	assert.Equal(t, int32(50), cl.NodePools[0].Pool.Weight, "Spot first")
	assert.Equal(t, []string{"spot"}, cl.NodePools[0].Pool.Requirements[0].Values)
	assert.Equal(t, int32(10), cl.NodePools[1].Pool.Weight)
	assert.Equal(t, []string{"on-demand"}, cl.NodePools[1].Pool.Requirements[0].Values)
	assert.Equal(t, int64(32_000), cl.NodePools[0].Pool.LimitMilliCPU)
	require.Len(t, cl.HPAs, 1)
	require.Len(t, cl.Deployments, 1)
	assert.NotNil(t, cl.Deployments[0].Load, "a diurnal load")

	s, err = Resolve("eks-batch-burst-karpenter")
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)
	require.Len(t, s.Config.EKS.Jobs, 1)
	assert.Equal(t, 5000, s.Config.EKS.Jobs[0].Completions)
	require.Len(t, s.Config.EKS.NodePools, 2)
}

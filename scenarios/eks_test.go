package scenarios

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pkube "github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/eks"
	"github.com/fleetsim/fleetsim/workload"
)

// eksBase is a valid EKS scenario the tests vary: two node groups, one
// Deployment and one Job from the manifests eksFiles holds.
const eksBase = `name = "eks"
duration = "6h"

[eks]
zones = ["us-east-1a", "us-east-1b"]
manifests = ["web.yaml", "job.yaml"]

[[eks.node_group]]
name = "general"
instance_types = ["m5.large"]
min_size = 2
max_size = 6

[[eks.node_group]]
name = "spot"
instance_types = ["c5.2xlarge"]
capacity_type = "SPOT"
max_size = 4
desired_size = 1
taints = ["lifecycle=spot:NoSchedule"]

[[eks.job]]
name = "batch"
run_time = "10m"
`

const eksWeb = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
`

const eksJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: batch
spec:
  completions: 4
  template:
    spec:
      restartPolicy: Never
      tolerations:
        - key: lifecycle
          operator: Exists
      containers:
        - name: work
          image: busybox:1.36
          resources:
            requests:
              cpu: "1"
              memory: 1Gi
`

// parseEKS reads src with the manifests of files (web.yaml and job.yaml by
// default, replaced or added by files).
func parseEKS(src string, files map[string]string) (*Scenario, error) {
	all := map[string]string{"web.yaml": eksWeb, "job.yaml": eksJob}
	for k, v := range files {
		all[k] = v
	}
	return Parse(src, "eks.toml", func(rel string) ([]byte, error) {
		if s, ok := all[rel]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	})
}

func TestTheEKSBaseScenarioLoads(t *testing.T) {
	s, err := parseEKS(eksBase, nil)
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)
	cl := s.Config.EKS
	require.NotNil(t, cl)
	assert.Equal(t, "eks", cl.Name, "the cluster is named after the scenario when [eks] names none")
	assert.Equal(t, "1.34", cl.Version)
	assert.Equal(t, "standard", cl.Support)
	require.Len(t, cl.NodeGroups, 2)
	require.Len(t, s.Config.Groups, 2)
	assert.Equal(t, []pkube.Taint{{Key: "lifecycle", Value: "spot", Effect: pkube.NoSchedule}}, cl.NodeGroups[1].Taints)
	assert.Equal(t, 1, cl.NodeGroups[1].Group)
	require.Len(t, cl.Deployments, 1)
	d := cl.Deployments[0]
	assert.Equal(t, eks.IntOrPercent{Value: 25, Percent: true}, d.MaxSurge, "the apps/v1 default")
	assert.Equal(t, pkube.Resources{MilliCPU: 250, MemoryBytes: 256 << 20}, d.Template.Pod.Containers[0].Requests)
	assert.Equal(t, &pkube.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, d.Template.Pod.DefaultSpreadSelector)
	assert.Equal(t, []eks.Image{{Name: "nginx:1.27", SizeBytes: defaultImageSize}}, d.Template.Images)
	assert.Equal(t, -1, d.Template.PriorityClass)
	require.Len(t, cl.Jobs, 1)
	assert.Equal(t, 4, cl.Jobs[0].Completions)
	assert.Equal(t, 10*time.Minute, cl.Jobs[0].Template.Run)
	assert.Empty(t, s.Config.Cluster.AvailabilityZones, "no ECS cluster")
	assert.Equal(t, []string{"us-east-1a", "us-east-1b"}, cl.Zones)
	assert.Equal(t, time.Duration(0), cl.Settings.DrainTimeout, "a drain waits for the budgets unless told")
}

// AWS, EKS pricing: $0.10 per cluster-hour in standard support, $0.60 in
// extended support.
func TestEKSControlPlaneIsPricedByItsSupportTier(t *testing.T) {
	for _, tc := range []struct {
		support string
		usd     float64
	}{{"", 0.10}, {"standard", 0.10}, {"extended", 0.60}} {
		src := strings.Replace(eksBase, "[eks]\n", fmt.Sprintf("[eks]\nsupport = %q\n", tc.support), 1)
		if tc.support == "" {
			src = eksBase
		}
		s, err := parseEKS(src, nil)
		require.NoError(t, err, tc.support)
		assert.Equal(t, tc.usd, s.Config.EKS.ControlPlaneUSDPerHour, tc.support)
	}
}

// The node group defaults: a managed group with no instance types gets
// t3.medium (CreateNodegroup), ON_DEMAND, AL2023 for the types'
// architecture; desired_size defaults to min_size; a managed Spot group
// allocates capacity-optimized.
func TestEKSNodeGroupDefaults(t *testing.T) {
	src := strings.Replace(eksBase, "instance_types = [\"m5.large\"]\n", "", 1)
	s, err := parseEKS(src, nil)
	require.NoError(t, err)
	g := s.Config.Groups[0]
	require.Len(t, g.InstanceTypes, 1)
	assert.Equal(t, "t3.medium", g.InstanceTypes[0].Name)
	assert.Equal(t, 100, g.OnDemandPercentageAboveBase)
	assert.Equal(t, 2, g.DesiredCapacity)
	assert.Equal(t, 90*time.Second, g.LaunchTime)
	assert.Equal(t, "AL2023", s.Config.EKS.NodeGroups[0].AMIFamily)
	assert.Equal(t, eks.Managed, s.Config.EKS.NodeGroups[0].Kind)
	spot := s.Config.Groups[1]
	assert.Equal(t, 0, spot.OnDemandPercentageAboveBase)
	assert.Equal(t, "capacity-optimized", spot.SpotAllocationStrategy)
	assert.Equal(t, 30*time.Second, s.Config.EKS.Settings.NodeRegistration)
	assert.Equal(t, time.Second, s.Config.EKS.Settings.SchedulerBackoffInitial)
	assert.Equal(t, 10*time.Second, s.Config.EKS.Settings.SchedulerBackoffMax)
}

// Every cluster has the two system priority classes; a manifest may name
// them (the Cluster Autoscaler's does).
func TestEKSPriorityClassesResolveToTheirIndex(t *testing.T) {
	src := eksBase + `
[[eks.priority_class]]
name = "high"
value = 1000
global_default = true
`
	web := strings.Replace(eksWeb, "      containers:", "      priorityClassName: system-cluster-critical\n      containers:", 1)
	s, err := parseEKS(src, map[string]string{"web.yaml": web})
	require.NoError(t, err)
	cl := s.Config.EKS
	require.Len(t, cl.PriorityClasses, 3)
	i := cl.Deployments[0].Template.PriorityClass
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, "system-cluster-critical", cl.PriorityClasses[i].Name)
	assert.Equal(t, int32(2000000000), cl.Deployments[0].Template.Pod.Priority)
	assert.Equal(t, -1, cl.Jobs[0].Template.PriorityClass, "a pod naming no class keeps -1")
	assert.Equal(t, int32(1000), cl.Jobs[0].Template.Pod.Priority, "and gets the global default's value")
}

// A Deployment's load reuses the ECS load patterns; pod_requests_per_second
// is what one pod serves.
func TestEKSDeploymentLoadIsAPattern(t *testing.T) {
	src := eksBase + `
[[eks.deployment]]
name = "web"
pod_requests_per_second = 50
pod_start_time = "12s"
  [eks.deployment.load]
  pattern = "diurnal"
  base_rps = 100
  peak_rps = 400
  peak_hour = 12
`
	s, err := parseEKS(src, nil)
	require.NoError(t, err)
	d := s.Config.EKS.Deployments[0]
	assert.Equal(t, 50.0, d.PodRequestsPerSecond)
	assert.Equal(t, 12*time.Second, d.Template.StartTime)
	require.NotNil(t, d.Load)
	noon := s.Config.Start.Add(12 * time.Hour)
	assert.InDelta(t, 400, d.Load.Rate(noon), 1e-6, "the peak at the peak hour")
	assert.InDelta(t, 100, d.Load.Rate(s.Config.Start), 1e-6, "the base at midnight")
	var _ workload.Pattern = d.Load
}

// eksProblem is one bad-input case: a change to the base scenario (or its
// manifests) and what the refusal must say.
type eksProblem struct {
	name  string
	src   string            // the scenario; eksBase when empty
	files map[string]string // manifests replaced or added
	want  []string          // in the problems' text
}

func TestEKSBadInputIsRefusedWithFileLineAndKey(t *testing.T) {
	for _, tc := range []eksProblem{
		{name: "unknown instance type", src: strings.Replace(eksBase, `"m5.large"`, `"m5.lrage"`, 1),
			want: []string{"eks.toml:10: eks.node_group.general.instance_types.0: want an EC2 instance type", `"m5.lrage"`, "did you mean m5.large"}},
		{name: "a request above every node type", files: map[string]string{"web.yaml": strings.Replace(eksWeb, "memory: 256Mi", "memory: 64Gi", 1)},
			want: []string{`web.yaml:1: Deployment "web": spec.template.spec.containers: want requests within the allocatable of an instance type`, "c5.2xlarge in spot", "65536 MiB memory requested"}},
		{name: "maxSurge and maxUnavailable both 0", files: map[string]string{"web.yaml": strings.Replace(eksWeb, "  template:", "  strategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 0\n  template:", 1)},
			want: []string{`web.yaml:13: Deployment "web": spec.strategy.rollingUpdate.maxUnavailable: want maxUnavailable above 0 when maxSurge is 0`, "the manifest of eks.manifests.0, eks.toml:6"}},
		{name: "unknown priority class", files: map[string]string{"web.yaml": strings.Replace(eksWeb, "      containers:", "      priorityClassName: system-cluster-critcal\n      containers:", 1)},
			want: []string{`web.yaml:1: Deployment "web": spec.template.spec.priorityClassName: want a priority class`, `did you mean "system-cluster-critical"?`}},
		{name: "malformed manifest", files: map[string]string{"web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: [\n"},
			want: []string{"web.yaml:4: want YAML or JSON, found did not find expected node content (the manifest of eks.manifests.0, eks.toml:6)"}},
		{name: "missing manifest", files: nil, src: strings.Replace(eksBase, `"web.yaml"`, `"nope.yaml"`, 1),
			want: []string{"eks.toml:6: eks.manifests.0: want a readable Kubernetes manifest"}},
		{name: "an ECS cluster beside the EKS one", src: "[cluster]\navailability_zones = [\"us-east-1a\"]\n" + eksBase,
			want: []string{"eks: want an ECS cluster or an EKS cluster, found both: [eks] beside [cluster]", "not supported yet"}},
		{name: "a Job without its run time", src: strings.Replace(eksBase, "[[eks.job]]\nname = \"batch\"\nrun_time = \"10m\"\n", "", 1),
			want: []string{`job.yaml:1: Job "batch": want a [[eks.job]] in the scenario naming it`}},
		{name: "simulation keys for no Deployment", src: eksBase + "\n[[eks.deployment]]\nname = \"wbe\"\n",
			want: []string{"eks.deployment.wbe.name: want the name of one of the Deployments of eks.manifests", `did you mean "web"?`}},
		{name: "one zone", src: strings.Replace(eksBase, `zones = ["us-east-1a", "us-east-1b"]`, `zones = ["us-east-1a"]`, 1),
			want: []string{"eks.toml:5: eks.zones: want at least two Availability Zones"}},
		{name: "a taint without an effect", src: strings.Replace(eksBase, "lifecycle=spot:NoSchedule", "lifecycle=spot", 1),
			want: []string{"eks.node_group.spot.taints.0: want a taint \"key=value:Effect\""}},
		{name: "a taint in EKS's API spelling", src: strings.Replace(eksBase, "lifecycle=spot:NoSchedule", "lifecycle=spot:NO_SCHEDULE", 1),
			want: []string{"eks.node_group.spot.taints.0", "Kubernetes' spelling"}},
		{name: "an Arm AMI on x86 instances", src: strings.Replace(eksBase, "min_size = 2\n", "min_size = 2\nami_type = \"AL2023_ARM_64_STANDARD\"\n", 1),
			want: []string{"eks.node_group.general.ami_type: want an AMI type for the instance types' architecture (m5.large is x86_64)"}},
		{name: "a Windows AMI", src: strings.Replace(eksBase, "min_size = 2\n", "min_size = 2\nami_type = \"WINDOWS_CORE_2022_x86_64\"\n", 1),
			want: []string{"eks.node_group.general.ami_type", "Windows and custom AMIs are not modelled"}},
		{name: "a well-known label set by hand", src: strings.Replace(eksBase, "min_size = 2\n", "min_size = 2\nlabels = { \"topology.kubernetes.io/zone\" = \"x\" }\n", 1),
			want: []string{`eks.node_group.general.labels.topology.kubernetes.io/zone: want a label the world does not set itself`}},
		{name: "desired above max", src: strings.Replace(eksBase, "desired_size = 1", "desired_size = 9", 1),
			want: []string{"eks.node_group.spot.desired_size: want desired_size between min_size 0 and max_size 4, found 9"}},
		{name: "a budget with both bounds", src: eksBase + "\n[[eks.pod_disruption_budget]]\nname = \"web\"\nselector = { match_labels = { app = \"web\" } }\nmin_available = 1\nmax_unavailable = \"10%\"\n",
			want: []string{"eks.pod_disruption_budget.web: want exactly one of min_available and max_unavailable, found both"}},
		{name: "a budget above 100%", src: eksBase + "\n[[eks.pod_disruption_budget]]\nname = \"web\"\nselector = { match_labels = { app = \"web\" } }\nmin_available = \"120%\"\n",
			want: []string{"eks.pod_disruption_budget.web.min_available: want a non-negative integer or a percentage from \"0%\" to \"100%\""}},
		{name: "a system- priority class", src: eksBase + "\n[[eks.priority_class]]\nname = \"system-mine\"\nvalue = 5\n",
			want: []string{"eks.priority_class.system-mine.name: want a name not starting with \"system-\""}},
		{name: "a priority class above a billion", src: eksBase + "\n[[eks.priority_class]]\nname = \"huge\"\nvalue = 1000000001\n",
			want: []string{"eks.priority_class.huge.value:"}},
		{name: "a timeline entry on an unknown Deployment", src: eksBase + "\n[[eks.timeline]]\nat = \"1h\"\naction = \"scale_deployment\"\ndeployment = \"wbe\"\nreplicas = 5\n",
			want: []string{"eks.timeline.0.deployment: want the name of one of the Deployments of eks.manifests", `did you mean "web"?`}},
		{name: "a node group size outside its bounds", src: eksBase + "\n[[eks.timeline]]\nat = \"1h\"\naction = \"set_node_group_size\"\nnode_group = \"general\"\ncount = 7\n",
			want: []string{"eks.timeline.0.count: want a desired size within the node group's min_size 2 and max_size 6, found 7"}},
		{name: "spot interruptions on an On-Demand group", src: eksBase + "\n[[eks.timeline]]\nat = \"1h\"\naction = \"spot_interruptions\"\nnode_group = \"general\"\nfraction = 0.5\n",
			want: []string{"eks.timeline.0.node_group: want a node group of capacity_type SPOT"}},
		{name: "an unknown timeline action", src: eksBase + "\n[[eks.timeline]]\nat = \"1h\"\naction = \"drain_node\"\nnode_group = \"general\"\ncount = 1\n",
			want: []string{"eks.timeline.0.action: want one of scale_deployment", `did you mean "drain_nodes"?`}},
		{name: "an unknown [eks] key", src: strings.Replace(eksBase, "[eks]\n", "[eks]\nnode_groups = []\n", 1),
			want: []string{"eks.node_groups: unknown key", `did you mean "node_group"?`}},
		{name: "a GPU request", files: map[string]string{"web.yaml": strings.Replace(eksWeb, "memory: 256Mi", "memory: 256Mi\n              nvidia.com/gpu: 1", 1)},
			want: []string{`Deployment "web": spec.template.spec.containers[web].resources.requests.nvidia.com/gpu: want requests of cpu, memory and ephemeral-storage`}},
		{name: "both pod_requests_per_second and cpu_seconds_per_request", src: eksBase + "\n[[eks.deployment]]\nname = \"web\"\npod_requests_per_second = 5\n  [eks.deployment.load]\n  base_rps = 10\n  cpu_seconds_per_request = 0.02\n",
			want: []string{"eks.deployment.web.load.cpu_seconds_per_request: want one of pod_requests_per_second and load.cpu_seconds_per_request, found both"}},
		{name: "a latency SLO without cpu_seconds_per_request", src: eksBase + "\n[[eks.deployment]]\nname = \"web\"\npod_requests_per_second = 5\n  [eks.deployment.load]\n  base_rps = 10\n  latency_slo = \"200ms\"\n",
			want: []string{"eks.deployment.web.load.latency_slo: want load.cpu_seconds_per_request beside latency_slo"}},
		{name: "cpu_seconds_per_request in a load's component", src: eksBase + "\n[[eks.deployment]]\nname = \"web\"\n  [eks.deployment.load]\n  pattern = \"sum\"\n  cpu_seconds_per_request = 0.02\n  [[eks.deployment.load.components]]\n  base_rps = 10\n  cpu_seconds_per_request = 0.01\n",
			want: []string{"eks.deployment.web.load.components.0.cpu_seconds_per_request: want a load key of an EKS Deployment"}},
		{name: "a served pod without a CPU request", files: map[string]string{"web.yaml": strings.Replace(eksWeb, "cpu: 250m", "", 1)},
			src:  eksBase + "\n[[eks.deployment]]\nname = \"web\"\n  [eks.deployment.load]\n  base_rps = 10\n  cpu_seconds_per_request = 0.02\n",
			want: []string{"eks.deployment.web.load.cpu_seconds_per_request: want a CPU request on every container of the Deployment's pods"}},
		{name: "a scoring strategy misspelt", src: eksBase + "\n[eks.scheduler]\nscoring_strategy = \"MostAlocated\"\n",
			want: []string{"eks.scheduler.scoring_strategy: want one of LeastAllocated, MostAllocated, RequestedToCapacityRatio", `did you mean "MostAllocated"?`}},
		{name: "an explain entry choosing nothing", src: strings.Replace(eksBase, "[eks]\n", "[eks]\nexplain = [{ limit = 2 }]\n", 1),
			want: []string{"eks.explain.0: want a name_prefix or labels to choose the pods by"}},
		{name: "more pods at once than Kubernetes' scale", files: map[string]string{"web.yaml": strings.Replace(eksWeb, "replicas: 3", "replicas: 150001", 1)},
			want: []string{"eks.manifests: want workloads asking for at most 150000 pods at once (Kubernetes' documented scale), found up to 187503"}},
		{name: "more nodes than an ultra scale cluster", src: strings.Replace(eksBase, "max_size = 6", "max_size = 100000", 1),
			want: []string{"eks.node_group: want node groups whose max_size add up to at most 100000 (an EKS ultra scale cluster), found 100004"}},
		{name: "a Job repeated into too many pods", src: strings.Replace(eksBase, "run_time = \"10m\"", "run_time = \"10m\"\nevery = \"1m\"", 1),
			files: map[string]string{"job.yaml": strings.Replace(eksJob, "completions: 4", "completions: 100000", 1)},
			want:  []string{"eks.job: want Jobs running at most 10000000 pods over the run"}},
		{name: "a Deployment name Kubernetes refuses", files: map[string]string{"web.yaml": strings.Replace(eksWeb, "  name: web\n", "  name: Web,1\n", 1)},
			want: []string{`web.yaml:1: Deployment "Web,1": metadata.name: want a DNS-1123 name of at most 253 lower-case letters, digits, - and .`}},
		{name: "a namespace Kubernetes refuses", files: map[string]string{"web.yaml": strings.Replace(eksWeb, "  name: web\n", "  name: web\n  namespace: a.b\n", 1)},
			want: []string{`Deployment "web": metadata.namespace: want a DNS-1123 label`}},
		{name: "no node group", src: strings.Split(eksBase, "[[eks.node_group]]")[0] + "[[eks.job]]\nname = \"batch\"\nrun_time = \"10m\"\n",
			want: []string{"eks.node_group: want at least one [[eks.node_group]]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src
			if src == "" {
				src = eksBase
			}
			_, err := parseEKS(src, tc.files)
			require.Error(t, err)
			text := problemsOf(t, err).Error()
			for _, w := range tc.want {
				assert.Contains(t, text, w)
			}
		})
	}
}

// What no node group admits is a warning up front: the run goes ahead and
// the pods stay Pending with the scheduler's reasons.
func TestEKSAPodNoNodeGroupAdmitsIsAWarning(t *testing.T) {
	for _, tc := range []struct {
		name, job, want string
	}{
		{"an untolerated taint", strings.Replace(strings.Replace(eksJob, "        - key: lifecycle\n          operator: Exists\n", "        - key: other\n          operator: Exists\n", 1), "cpu: \"1\"", "cpu: \"3\"", 1),
			"node group spot has an untolerated taint"},
		{"a node selector no group matches", strings.Replace(eksJob, "      tolerations:", "      nodeSelector:\n        disktype: ssd\n      tolerations:", 1),
			"node group general does not match the node selector or affinity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseEKS(eksBase, map[string]string{"job.yaml": tc.job})
			require.NoError(t, err)
			require.NotEmpty(t, s.Warnings)
			text := s.Warnings.Error()
			assert.Contains(t, text, `job.yaml:1: Job "batch": spec.template.spec: want a node selector, node affinity and tolerations some node group's nodes large enough satisfy`)
			assert.Contains(t, text, tc.want)
			assert.Contains(t, text, "its pods will stay Pending")
		})
	}
}

// EKS's adjustable quotas (service quotas page): 450 nodes per managed node
// group, 30 managed node groups per cluster. Past one is a warning; [eks.quotas]
// says the account's value.
func TestEKSQuotasWarnAndCanBeRaised(t *testing.T) {
	src := strings.Replace(eksBase, "max_size = 6", "max_size = 451", 1)
	s, err := parseEKS(src, nil)
	require.NoError(t, err)
	assert.Contains(t, s.Warnings.Error(), `eks.node_group.general.max_size: want a max_size within EKS's quota "Nodes per managed node group" (450), found 451`)

	s, err = parseEKS(src+"\n[eks.quotas]\nnodes_per_managed_node_group = 1000\n", nil)
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)

	var groups strings.Builder
	for i := range 31 {
		fmt.Fprintf(&groups, "\n[[eks.node_group]]\nname = \"g%d\"\ninstance_types = [\"m5.large\"]\nmax_size = 1\n", i)
	}
	s, err = parseEKS(strings.Replace(eksBase, "max_size = 6", "max_size = 5000", 1), nil)
	require.NoError(t, err)
	assert.Contains(t, s.Warnings.Error(), "eks.node_group: want node groups whose max_size add up to at most 5000 (Kubernetes' documented scale), found 5004")

	s, err = parseEKS(eksBase+groups.String(), nil)
	require.NoError(t, err)
	assert.Contains(t, s.Warnings.Error(), `eks.node_group: want managed node groups within EKS's quota "Managed node groups per cluster" (30), found 33`)
}

// The real Deployment manifests of shared/data/aws-cli-examples (kept in
// kube/testdata, sources in its README) load as they stand when an [eks]
// scenario names them, the Cluster Autoscaler's priority class included.
func TestEKSScenarioLoadsTheRealDeploymentManifests(t *testing.T) {
	files := []string{"k8s-deployment-php-apache.yaml", "eks-automode-hpa-deployment.yaml", "karpenter-deployment-spread-hostname-zone.yaml",
		"cluster-autoscaler-aws-autodiscover.yaml", "cluster-autoscaler-aws-multi-asg.yaml"}
	// The two Cluster Autoscaler manifests hold the same Deployment: one
	// scenario each.
	for _, set := range [][]string{files[:4], files[4:]} {
		quoted := make([]string, len(set))
		for i, f := range set {
			quoted[i] = fmt.Sprintf("%q", f)
		}
		src := fmt.Sprintf(`name = "real"
duration = "1h"
[eks]
zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
manifests = [%s]
[[eks.node_group]]
name = "general"
instance_types = ["m5.large", "m5.xlarge"]
min_size = 3
max_size = 30
`, strings.Join(quoted, ", "))
		s, err := Parse(src, "real.toml", func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join("kube", "testdata", rel)) })
		require.NoError(t, err)
		assert.Empty(t, s.Warnings)
		assert.Len(t, s.Config.EKS.Deployments, len(set))
		for _, d := range s.Config.EKS.Deployments {
			if d.Name == "cluster-autoscaler" {
				assert.Equal(t, "kube-system", d.Namespace)
				assert.Equal(t, "system-cluster-critical", s.Config.EKS.PriorityClasses[d.Template.PriorityClass].Name)
			}
		}
	}
}

func TestEKSLibraryScenarioSaysWhatItPromises(t *testing.T) {
	s, err := Resolve("eks-web-and-nightly")
	require.NoError(t, err)
	assert.Empty(t, s.Warnings)
	cl := s.Config.EKS
	require.NotNil(t, cl)
	assert.Equal(t, 24*time.Hour, s.Config.Duration)
	require.Len(t, cl.NodeGroups, 2)
	assert.Empty(t, cl.NodeGroups[0].Taints)
	assert.NotEmpty(t, cl.NodeGroups[1].Taints, "the Spot group is tainted")
	assert.Equal(t, 0, s.Config.Groups[cl.NodeGroups[1].Group].OnDemandPercentageAboveBase, "and Spot")
	require.Len(t, cl.Deployments, 1)
	web := cl.Deployments[0]
	assert.NotNil(t, web.Load, "a diurnal load")
	require.NotEmpty(t, web.Template.Pod.TopologySpreadConstraints)
	assert.Equal(t, pkube.LabelTopologyZone, web.Template.Pod.TopologySpreadConstraints[0].TopologyKey)
	require.Len(t, cl.Budgets, 1)
	require.Len(t, cl.Jobs, 1)
	job := cl.Jobs[0]
	assert.Equal(t, 2*time.Hour, job.At)
	assert.Equal(t, 24*time.Hour, job.Every)
	require.Len(t, job.Template.Pod.Tolerations, 1, "the Job tolerates the Spot taint")
	assert.Equal(t, pkube.Resources{MilliCPU: 1500, MemoryBytes: 3 << 30}, job.Template.Pod.Containers[0].Requests)
	require.Len(t, cl.Timeline, 1)
	assert.Equal(t, "set_image", cl.Timeline[0].Action)
}

// A manifest may be written in the scenario itself ([eks] manifest, a
// multi-line string): its problems are at the scenario's lines.
func TestEKSInlineManifestIsReadAtTheScenariosLines(t *testing.T) {
	inline := strings.Replace(eksBase, `manifests = ["web.yaml", "job.yaml"]`, "manifests = [\"job.yaml\"]\nmanifest = '''\n"+eksWeb+"'''", 1)
	s, err := parseEKS(inline, nil)
	require.NoError(t, err)
	require.Len(t, s.Config.EKS.Deployments, 1)
	assert.Equal(t, 3, s.Config.EKS.Deployments[0].Replicas)

	// The Deployment's replicas (line 6 of eksWeb) is at line 7 + 6 of the
	// scenario: the manifest's text starts on line 8.
	bad := strings.Replace(inline, "replicas: 3", "replicas: -1", 1)
	_, err = parseEKS(bad, nil)
	require.Error(t, err)
	assert.Contains(t, problemsOf(t, err).Error(), `eks.toml:13: Deployment "web": spec.replicas: want`)
	assert.Contains(t, problemsOf(t, err).Error(), "(in eks.manifest)")

	// The keys after the text keep their lines.
	after := strings.Replace(inline, `"m5.large"`, `"m5.lrage"`, 1)
	_, err = parseEKS(after, nil)
	require.Error(t, err)
	line := strings.Count(after[:strings.Index(after, "m5.lrage")], "\n") + 1
	assert.Contains(t, problemsOf(t, err).Error(), fmt.Sprintf("eks.toml:%d: eks.node_group.general.instance_types.0:", line))
}

// FuzzEKSManifest feeds arbitrary manifest text to an [eks] scenario: the
// loader never panics, every refusal is in the problem form, and what it
// accepts runs (a short stretch of it, when fuzzing-sized).
func FuzzEKSManifest(f *testing.F) {
	f.Add(eksWeb)
	f.Add(eksJob)
	for _, name := range []string{"manifests/eks-web.yaml", "manifests/eks-nightly.yaml"} {
		b, err := fs.ReadFile(LibraryFS(), name)
		require.NoError(f, err)
		f.Add(string(b))
	}
	files, _ := filepath.Glob(filepath.Join("kube", "testdata", "*.yaml"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(string(b))
	}
	f.Add("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: x\n    resources:\n      requests:\n        cpu: 100m\n")
	f.Add("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      tolerations: [{operator: Exists}]\n      containers: [{name: c, image: x}]\n")
	f.Fuzz(func(t *testing.T, manifest string) {
		s, err := parseEKS(eksBase, map[string]string{"web.yaml": manifest})
		if err != nil {
			for _, p := range problemsOf(t, err) {
				require.NotEmpty(t, p.Error())
			}
			return
		}
		require.NotNil(t, s.Config.EKS)
		simulateBriefly(t, s.Config)
	})
}

// An ECS-only [settings] key in an EKS scenario is said to be ignored.
func TestEKSWarnsAtECSOnlySettings(t *testing.T) {
	s, err := parseEKS(eksBase+"\n[settings]\necs_reserved_memory_mib = 256\ncontainer_start_time = \"3s\"\n", nil)
	require.NoError(t, err)
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings.Error(), "settings.ecs_reserved_memory_mib: want a setting an EKS run reads, found ecs_reserved_memory_mib, an ECS setting")
	assert.Equal(t, 3*time.Second, s.Config.EKS.Deployments[0].Template.StartTime, "container_start_time is the pods' default start time")
}

// An explain entry that chooses no pod is a warning.
func TestEKSExplainThatChoosesNoPodWarns(t *testing.T) {
	s, err := parseEKS(strings.Replace(eksBase, "[eks]\n", "[eks]\nexplain = [{ name_prefix = \"web-\" }, { labels = { app = \"web\" } }, { name_prefix = \"api\" }]\n", 1), nil)
	require.NoError(t, err)
	require.Len(t, s.Config.EKS.Explain, 3)
	assert.Equal(t, 10, s.Config.EKS.Explain[0].Limit)
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings.Error(), "eks.explain.2: want a name_prefix and labels some workload's pods have, found none has them")
}

// The version's support tier at the run's start comes from EKS's release
// calendar: 1.31 left standard support on 2025-11-26, so a 2026 run bills
// extended support ($0.60) unless told; past its extended support a version
// is refused.
func TestEKSSupportTierFollowsTheReleaseCalendar(t *testing.T) {
	withVersion := func(version, extra string) string {
		return strings.Replace(eksBase, "[eks]\n", fmt.Sprintf("[eks]\nversion = %q\n%s", version, extra), 1)
	}
	s, err := parseEKS(withVersion("1.31", ""), nil) // default start 2026-01-05
	require.NoError(t, err)
	assert.Equal(t, "extended", s.Config.EKS.Support)
	assert.Equal(t, 0.60, s.Config.EKS.ControlPlaneUSDPerHour)
	assert.Empty(t, s.Warnings)

	s, err = parseEKS(withVersion("1.31", "support = \"standard\"\n"), nil)
	require.NoError(t, err)
	assert.Equal(t, 0.10, s.Config.EKS.ControlPlaneUSDPerHour, "as asked")
	assert.Contains(t, s.Warnings.Error(), "eks.support: want Kubernetes 1.31's support tier at the start (2026-01-05): extended, found standard")

	s, err = parseEKS(withVersion("1.34", ""), nil)
	require.NoError(t, err)
	assert.Equal(t, "standard", s.Config.EKS.Support)

	s, err = parseEKS(withVersion("1.35", ""), nil)
	require.NoError(t, err)
	assert.Contains(t, s.Warnings.Error(), "eks.version: want a version EKS has released by the start (2026-01-05), found 1.35 (EKS released it 2026-01-28)")

	_, err = parseEKS(withVersion("1.28", ""), nil)
	require.Error(t, err)
	assert.Contains(t, problemsOf(t, err).Error(), "eks.version: want a version EKS still runs at the start (2026-01-05), found 1.28 (its extended support ended 2025-11-26")
}

// [report] task_events = false turns the pods' events off too; [eks]
// pod_events says it for EKS alone.
func TestEKSPodEventsFollowTheReportsTaskEvents(t *testing.T) {
	s, err := parseEKS(eksBase, nil)
	require.NoError(t, err)
	assert.True(t, s.Config.EKS.Settings.PodEvents)
	s, err = parseEKS(eksBase+"\n[report]\ntask_events = false\n", nil)
	require.NoError(t, err)
	assert.False(t, s.Config.EKS.Settings.PodEvents)
	s, err = parseEKS(strings.Replace(eksBase, "[eks]\n", "[eks]\npod_events = true\n", 1)+"\n[report]\ntask_events = false\n", nil)
	require.NoError(t, err)
	assert.True(t, s.Config.EKS.Settings.PodEvents)
}

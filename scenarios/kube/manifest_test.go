package kube

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parse reads text as the file "test.yaml" and fails the test on a problem.
func parse(t *testing.T, text string) Manifest {
	t.Helper()
	m, err := Parse("test.yaml", []byte(text))
	require.NoError(t, err)
	return m
}

// problems reads text, which must fail, and returns its problems.
func problems(t *testing.T, text string) Problems {
	t.Helper()
	_, err := Parse("test.yaml", []byte(text))
	require.Error(t, err)
	var ps Problems
	require.True(t, errors.As(err, &ps), "%v", err)
	return ps
}

const mi = 1 << 20

// TestEveryRealDeploymentManifestLoads loads, as they stand, the five
// published manifests with a Deployment in shared/data/aws-cli-examples
// (copied to testdata/ with their sources in testdata/README.md) and checks
// what each says: replicas, strategy (the 25%/25% default in all five),
// requests and limits, and what else the file holds.
func TestEveryRealDeploymentManifestLoads(t *testing.T) {
	quarter := IntOrPercent{Value: 25, Percent: true}
	defaultStrategy := DeploymentStrategy{Type: RollingUpdate, MaxSurge: quarter, MaxUnavailable: quarter}
	tests := []struct {
		file       string
		name, ns   string
		replicas   int
		line       int
		container  string
		image      string
		requests   Resources
		limits     Resources
		ports      []ContainerPort
		priority   string
		spread     int
		ignored    []string
		selectorOn map[string]string
	}{
		{
			file: "k8s-deployment-php-apache.yaml", name: "php-apache", ns: "default", line: 1,
			replicas:  1, // no spec.replicas: the default
			container: "php-apache", image: "registry.k8s.io/hpa-example",
			requests:   Resources{MilliCPU: 200, Given: CPU},
			limits:     Resources{MilliCPU: 500, Given: CPU},
			ports:      []ContainerPort{{ContainerPort: 80, Protocol: "TCP"}},
			ignored:    []string{"Service/php-apache"},
			selectorOn: map[string]string{"app.kubernetes.io/name": "php-apache"},
		},
		{
			file: "eks-automode-hpa-deployment.yaml", name: "retail-store-sample-ui", ns: "default", line: 1,
			replicas: 1, container: "retail-store-sample-ui", image: "public.ecr.aws/aws-containers/retail-store-sample-ui:0.8.2",
			requests:   Resources{MilliCPU: 500, MemoryBytes: 256 * mi, Given: CPU | Memory},
			limits:     Resources{MemoryBytes: 256 * mi, Given: Memory},
			ports:      []ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: "TCP"}},
			ignored:    []string{"Service/retail-store-sample-ui"},
			selectorOn: map[string]string{"app": "retail-store-sample-ui"},
		},
		{
			file: "karpenter-deployment-spread-hostname-zone.yaml", name: "host-zone-spread", ns: "default", line: 1,
			replicas: 50, container: "host-zone-spread", image: "public.ecr.aws/eks-distro/kubernetes/pause:3.2",
			// cpu: "1" and memory: 256M (decimal: 256 × 10^6 bytes, not MiB).
			requests:   Resources{MilliCPU: 1000, MemoryBytes: 256_000_000, Given: CPU | Memory},
			spread:     2,
			selectorOn: map[string]string{"app": "host-zone-spread"},
		},
		{
			file: "cluster-autoscaler-aws-autodiscover.yaml", name: "cluster-autoscaler", ns: "kube-system", line: 123,
			replicas: 1, container: "cluster-autoscaler", image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.1",
			requests: Resources{MilliCPU: 100, MemoryBytes: 600 * mi, Given: CPU | Memory},
			limits:   Resources{MilliCPU: 100, MemoryBytes: 600 * mi, Given: CPU | Memory},
			priority: "system-cluster-critical",
			ignored: []string{"ServiceAccount/cluster-autoscaler", "ClusterRole/cluster-autoscaler", "Role/cluster-autoscaler",
				"ClusterRoleBinding/cluster-autoscaler", "RoleBinding/cluster-autoscaler"},
			selectorOn: map[string]string{"app": "cluster-autoscaler"},
		},
		{
			file: "cluster-autoscaler-aws-multi-asg.yaml", name: "cluster-autoscaler", ns: "kube-system", line: 120,
			replicas: 1, container: "cluster-autoscaler", image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.1",
			requests: Resources{MilliCPU: 100, MemoryBytes: 600 * mi, Given: CPU | Memory},
			limits:   Resources{MilliCPU: 100, MemoryBytes: 600 * mi, Given: CPU | Memory},
			priority: "system-cluster-critical",
			ignored: []string{"ServiceAccount/cluster-autoscaler", "ClusterRole/cluster-autoscaler", "Role/cluster-autoscaler",
				"ClusterRoleBinding/cluster-autoscaler", "RoleBinding/cluster-autoscaler"},
			selectorOn: map[string]string{"app": "cluster-autoscaler"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			m, err := Load(filepath.Join("testdata", tc.file))
			require.NoError(t, err)
			assert.Empty(t, m.Warnings, "a published manifest uses only fields Kubernetes defines")
			require.Len(t, m.Deployments, 1)
			assert.Empty(t, m.Jobs)
			assert.Empty(t, m.DaemonSets)
			d := m.Deployments[0]
			assert.Equal(t, Source{File: filepath.Join("testdata", tc.file), Line: tc.line}, d.Source)
			assert.Equal(t, tc.name, d.Meta.Name)
			assert.Equal(t, tc.ns, d.Meta.Namespace)
			assert.Equal(t, tc.replicas, d.Replicas)
			assert.Equal(t, defaultStrategy, d.Strategy)
			assert.Equal(t, 600*time.Second, d.ProgressDeadline)
			assert.Equal(t, tc.selectorOn, d.Selector.MatchLabels)
			assert.True(t, d.Selector.Matches(d.Template.Meta.Labels))
			spec := d.Template.Spec
			assert.Equal(t, Always, spec.RestartPolicy)
			assert.Equal(t, 30*time.Second, spec.TerminationGracePeriod)
			require.Len(t, spec.Containers, 1)
			c := spec.Containers[0]
			assert.Equal(t, tc.container, c.Name)
			assert.Equal(t, tc.image, c.Image)
			assert.Equal(t, tc.requests, c.Requests)
			assert.Equal(t, tc.limits, c.Limits)
			assert.Equal(t, tc.ports, c.Ports)
			assert.Equal(t, tc.priority, spec.PriorityClassName)
			assert.Len(t, spec.TopologySpreadConstraints, tc.spread)
			var ignored []string
			for _, o := range m.Ignored {
				ignored = append(ignored, o.Kind+"/"+o.Name)
			}
			assert.Equal(t, tc.ignored, ignored)
		})
	}
}

func TestTheSpreadManifestKeepsBothConstraints(t *testing.T) {
	m, err := Load("testdata/karpenter-deployment-spread-hostname-zone.yaml")
	require.NoError(t, err)
	sel := &LabelSelector{MatchLabels: map[string]string{"app": "host-zone-spread"}}
	assert.Equal(t, []TopologySpreadConstraint{
		{MaxSkew: 2, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: "DoNotSchedule", LabelSelector: sel},
		{MaxSkew: 5, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: "DoNotSchedule", LabelSelector: sel},
	}, m.Deployments[0].Template.Spec.TopologySpreadConstraints)
	// The 25%/25% default at 50 replicas: surge ⌈12.5⌉ = 13, unavailable ⌊12.5⌋ = 12.
	surge, unavailable := m.Deployments[0].Strategy.Fenceposts(50)
	assert.Equal(t, [2]int{13, 12}, [2]int{surge, unavailable})
}

func TestAJSONManifestLoadsLikeItsYAML(t *testing.T) {
	// kubectl get -o json output: a v1 List, tab-indented.
	json := "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"List\",\n\t\"items\": [\n\t\t{\n" +
		"\t\t\t\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\",\n" +
		"\t\t\t\"metadata\": {\"name\": \"web\", \"namespace\": \"shop\"},\n" +
		"\t\t\t\"spec\": {\"replicas\": 3, \"selector\": {\"matchLabels\": {\"app\": \"web\"}},\n" +
		"\t\t\t\t\"strategy\": {\"rollingUpdate\": {\"maxSurge\": 1, \"maxUnavailable\": \"10%\"}},\n" +
		"\t\t\t\t\"template\": {\"metadata\": {\"labels\": {\"app\": \"web\"}},\n" +
		"\t\t\t\t\t\"spec\": {\"containers\": [{\"name\": \"web\", \"image\": \"nginx:1.27\",\n" +
		"\t\t\t\t\t\t\"resources\": {\"requests\": {\"cpu\": 0.25, \"memory\": \"128Mi\"}}}]}}}\n" +
		"\t\t},\n" +
		"\t\t{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"web\"}}\n" +
		"\t]\n}\n"
	m := parse(t, json)
	require.Len(t, m.Deployments, 1)
	d := m.Deployments[0]
	assert.Equal(t, "shop", d.Meta.Namespace)
	assert.Equal(t, 3, d.Replicas)
	assert.Equal(t, DeploymentStrategy{Type: RollingUpdate, MaxSurge: IntOrPercent{Value: 1}, MaxUnavailable: IntOrPercent{Value: 10, Percent: true}}, d.Strategy)
	assert.Equal(t, Resources{MilliCPU: 250, MemoryBytes: 128 * mi, Given: CPU | Memory}, d.Template.Spec.Containers[0].Requests, "a JSON number is a quantity too")
	assert.Equal(t, Source{File: "test.yaml", Line: 5}, d.Source)
	assert.Equal(t, []Object{{APIVersion: "v1", Kind: "Service", Name: "web", Source: Source{File: "test.yaml", Line: 14}}}, m.Ignored)
}

func TestAStreamKeepsFileOrderAndSkipsEmptyDocuments(t *testing.T) {
	m := parse(t, `# a header comment only
---
apiVersion: batch/v1
kind: Job
metadata: {name: first}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
---
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: agent:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: lone}
spec:
  containers: [{name: c, image: busybox}]
...
`)
	require.Len(t, m.Jobs, 1)
	require.Len(t, m.DaemonSets, 1)
	require.Len(t, m.Pods, 1)
	assert.Equal(t, 3, m.Jobs[0].Source.Line)
	assert.Equal(t, 13, m.DaemonSets[0].Source.Line)
	assert.Equal(t, "kube-system", m.DaemonSets[0].Meta.Namespace)
	assert.Equal(t, 23, m.Pods[0].Source.Line)
	assert.Equal(t, "lone", m.Pods[0].Meta.Name)
	assert.Equal(t, Always, m.Pods[0].Spec.RestartPolicy)
}

func TestLoadNamesAFileItCannotRead(t *testing.T) {
	_, err := Load("testdata/no-such-file.yaml")
	var ps Problems
	require.True(t, errors.As(err, &ps))
	assert.Equal(t, "testdata/no-such-file.yaml: cannot read: no such file or directory", err.Error())
}

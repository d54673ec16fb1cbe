package kube

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SetDefaults_Pod: a resource with a limit and no request is requested at
// its limit; one with a request stays as asked.
func TestRequestsDefaultToLimits(t *testing.T) {
	c := parse(t, podWith(`resources: {requests: {cpu: 100m}, limits: {cpu: 500m, memory: 1Gi, ephemeral-storage: 2Gi, nvidia.com/gpu: 1}}`)).Pods[0].Spec.Containers[0]
	assert.Equal(t, Resources{MilliCPU: 100, MemoryBytes: 1 << 30, EphemeralBytes: 2 << 30, Given: CPU | Memory | EphemeralStorage,
		Extended: map[string]int64{"nvidia.com/gpu": 1}}, c.Requests)
	assert.Equal(t, Resources{MilliCPU: 500, MemoryBytes: 1 << 30, EphemeralBytes: 2 << 30, Given: CPU | Memory | EphemeralStorage,
		Extended: map[string]int64{"nvidia.com/gpu": 1}}, c.Limits)
	// No resources at all: nothing given, all zero (the scheduler's own
	// defaults for scoring are placement/kube's business).
	c = parse(t, podWith(`imagePullPolicy: Always`)).Pods[0].Spec.Containers[0]
	assert.Equal(t, Resources{}, c.Requests)
	assert.False(t, c.Requests.Has(CPU))
	// An explicit 0 is given.
	c = parse(t, podWith(`resources: {requests: {cpu: 0, hugepages-2Mi: 4Mi}}`)).Pods[0].Spec.Containers[0]
	assert.True(t, c.Requests.Has(CPU))
	assert.Equal(t, map[string]int64{"hugepages-2Mi": 4 << 20}, c.Requests.Extended)
}

// defaultHostNetworkPorts: with hostNetwork every port binds its
// containerPort on the node.
func TestHostNetworkPortsDefaultToContainerPorts(t *testing.T) {
	m := parse(t, `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  initContainers:
  - {name: init, ports: [{containerPort: 9000}]}
  containers:
  - name: c
    ports:
    - {containerPort: 80}
    - {containerPort: 53, protocol: UDP, hostPort: 53}
`)
	s := m.Pods[0].Spec
	assert.True(t, s.HostNetwork)
	assert.Equal(t, []ContainerPort{{ContainerPort: 80, HostPort: 80, Protocol: "TCP"}, {ContainerPort: 53, HostPort: 53, Protocol: "UDP"}}, s.Containers[0].Ports)
	assert.Equal(t, []ContainerPort{{ContainerPort: 9000, HostPort: 9000, Protocol: "TCP"}}, s.InitContainers[0].Ports)
	// Without hostNetwork a port binds the node only with a hostPort.
	ports := parse(t, podWith(`ports: [{containerPort: 80}, {containerPort: 443, hostPort: 8443, hostIP: 10.0.0.1}]`)).Pods[0].Spec.Containers[0].Ports
	assert.Equal(t, []ContainerPort{{ContainerPort: 80, Protocol: "TCP"}, {ContainerPort: 443, HostPort: 8443, Protocol: "TCP", HostIP: "10.0.0.1"}}, ports)
}

func TestInitContainersAndSidecars(t *testing.T) {
	s := parse(t, `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - {name: migrate, image: app:1, resources: {requests: {cpu: "1"}}}
  - {name: proxy, image: envoy, restartPolicy: Always, resources: {requests: {cpu: 200m}}}
  containers: [{name: app, image: app:1}]
`).Pods[0].Spec
	require.Len(t, s.InitContainers, 2)
	assert.False(t, s.InitContainers[0].Sidecar)
	assert.Equal(t, int64(1000), s.InitContainers[0].Requests.MilliCPU)
	assert.True(t, s.InitContainers[1].Sidecar, "restartPolicy Always makes a native sidecar")
	ps := problems(t, `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: i, restartPolicy: OnFailure}]
  containers: [{name: app}]
`)
	assert.Equal(t, Problems{{File: "test.yaml", Line: 5, Object: `Pod "p"`, Path: "spec.initContainers[0].restartPolicy", Want: `"Always"`, Got: `"OnFailure"`}}, ps)
}

func TestSchedulingFieldsAreRead(t *testing.T) {
	secs := int64(300)
	s := parse(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {team: a}, annotations: {karpenter.sh/do-not-disrupt: "true"}}
spec:
  replicas: 6
  selector:
    matchLabels: {app: web}
    matchExpressions: [{key: tier, operator: In, values: [front, edge]}]
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      priorityClassName: high
      terminationGracePeriodSeconds: 120
      nodeSelector: {kubernetes.io/arch: arm64}
      tolerations:
      - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
      - {operator: Exists}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - {key: karpenter.k8s.aws/instance-generation, operator: Gt, values: ["5"]}
              matchFields:
              - {key: metadata.name, operator: NotIn, values: [bad-node]}
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 50
            preference:
              matchExpressions: [{key: karpenter.sh/capacity-type, operator: In, values: [spot]}]
        podAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 10
            podAffinityTerm:
              labelSelector: {matchLabels: {app: cache}}
              topologyKey: topology.kubernetes.io/zone
              namespaces: [cache]
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: web}}
            topologyKey: kubernetes.io/hostname
            matchLabelKeys: [pod-template-hash]
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway,
         labelSelector: {matchLabels: {app: web}}, nodeTaintsPolicy: Honor}
      - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, minDomains: 3}
      containers: [{name: web, image: nginx}]
`).Deployments[0]
	assert.Equal(t, ObjectMeta{Name: "web", Namespace: "shop", Labels: map[string]string{"team": "a"},
		Annotations: map[string]string{"karpenter.sh/do-not-disrupt": "true"}}, s.Meta)
	assert.Equal(t, "app=web,tier in (front,edge)", s.Selector.String())
	spec := s.Template.Spec
	assert.Equal(t, "high", spec.PriorityClassName)
	assert.Equal(t, 2*time.Minute, spec.TerminationGracePeriod)
	assert.Equal(t, map[string]string{"kubernetes.io/arch": "arm64"}, spec.NodeSelector)
	assert.Equal(t, []Toleration{
		{Key: "dedicated", Operator: "Equal", Value: "web", Effect: "NoSchedule"},
		{Operator: "Exists"},
		{Key: "node.kubernetes.io/not-ready", Operator: "Exists", Effect: "NoExecute", TolerationSeconds: &secs},
	}, spec.Tolerations)
	assert.Equal(t, &NodeAffinity{
		Required: []NodeSelectorTerm{{
			MatchExpressions: []Requirement{{Key: "karpenter.k8s.aws/instance-generation", Operator: "Gt", Values: []string{"5"}}},
			MatchFields:      []Requirement{{Key: "metadata.name", Operator: "NotIn", Values: []string{"bad-node"}}},
		}},
		Preferred: []PreferredSchedulingTerm{{Weight: 50, Preference: NodeSelectorTerm{
			MatchExpressions: []Requirement{{Key: "karpenter.sh/capacity-type", Operator: "In", Values: []string{"spot"}}},
		}}},
	}, spec.Affinity.NodeAffinity)
	assert.Equal(t, &PodAffinity{Preferred: []WeightedPodAffinityTerm{{Weight: 10, Term: PodAffinityTerm{
		LabelSelector: &LabelSelector{MatchLabels: map[string]string{"app": "cache"}},
		TopologyKey:   "topology.kubernetes.io/zone", Namespaces: []string{"cache"},
	}}}}, spec.Affinity.PodAffinity)
	assert.Equal(t, &PodAffinity{Required: []PodAffinityTerm{{
		LabelSelector: &LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		TopologyKey:   "kubernetes.io/hostname", MatchLabelKeys: []string{"pod-template-hash"},
	}}}, spec.Affinity.PodAntiAffinity)
	assert.Equal(t, []TopologySpreadConstraint{
		{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: "ScheduleAnyway",
			LabelSelector: &LabelSelector{MatchLabels: map[string]string{"app": "web"}}, NodeTaintsPolicy: "Honor"},
		{MaxSkew: 2, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: "DoNotSchedule", MinDomains: 3},
	}, spec.TopologySpreadConstraints)
}

func TestSchedulingProblems(t *testing.T) {
	tests := []struct {
		name, spec, path, want, got string
	}{
		{name: "Exists with a value", spec: "tolerations: [{key: k, operator: Exists, value: v}]",
			path: "spec.tolerations[0].value", want: `no value when operator is "Exists"`, got: `"v"`},
		{name: "tolerationSeconds without NoExecute", spec: "tolerations: [{key: k, operator: Exists, effect: NoSchedule, tolerationSeconds: 5}]",
			path: "spec.tolerations[0].effect", want: `"NoExecute" when tolerationSeconds is set`, got: `"NoSchedule"`},
		{name: "an unknown taint effect", spec: "tolerations: [{key: k, operator: Exists, effect: NoRun}]",
			path: "spec.tolerations[0].effect", want: `"NoSchedule", "PreferNoSchedule" or "NoExecute"`, got: `"NoRun"`},
		{name: "no node selector terms", spec: "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}}",
			path: "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms", want: "at least one node selector term", got: "none"},
		{name: "In without values", spec: "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: k, operator: In}]}]}}}",
			path: "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values", want: "at least one value when operator is In", got: "none"},
		{name: "Gt with a word", spec: "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: k, operator: Gt, values: [five]}]}]}}}",
			path: "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]", want: "an integer when operator is Gt", got: `"five"`},
		{name: "Gt in a label selector", spec: "affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: z, labelSelector: {matchExpressions: [{key: k, operator: Gt, values: [\"1\"]}]}}]}}",
			path: "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].operator", want: `"In", "NotIn", "Exists" or "DoesNotExist"`, got: `"Gt"`},
		{name: "a weight out of range", spec: "affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 0, preference: {}}]}}",
			path: "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight", want: "an integer from 1 to 100", got: "0"},
		{name: "a pod affinity term without topologyKey", spec: "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {a: b}}}]}}",
			path: "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", want: "a topologyKey (a node label such as topology.kubernetes.io/zone)", got: "none"},
		{name: "maxSkew 0", spec: "topologySpreadConstraints: [{maxSkew: 0, topologyKey: z, whenUnsatisfiable: DoNotSchedule}]",
			path: "spec.topologySpreadConstraints[0].maxSkew", want: "an integer from 1 to 2147483647", got: "0"},
		{name: "minDomains with ScheduleAnyway", spec: "topologySpreadConstraints: [{maxSkew: 1, topologyKey: z, whenUnsatisfiable: ScheduleAnyway, minDomains: 2}]",
			path: "spec.topologySpreadConstraints[0].minDomains", want: `no minDomains unless whenUnsatisfiable is "DoNotSchedule"`, got: "2"},
		{name: "two constraints on one key", spec: "topologySpreadConstraints: [{maxSkew: 1, topologyKey: z, whenUnsatisfiable: DoNotSchedule}, {maxSkew: 2, topologyKey: z, whenUnsatisfiable: DoNotSchedule}]",
			path: "spec.topologySpreadConstraints[1]", want: "one constraint per topologyKey and whenUnsatisfiable", got: "z DoNotSchedule again"},
		{name: "matchFields on a label", spec: "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchFields: [{key: zone, operator: In, values: [a]}]}]}}}",
			path: "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key", want: `"metadata.name" (the only field a node selector can match)`, got: `"zone"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := problems(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n  "+tc.spec+"\n")
			require.Len(t, ps, 1, "%v", ps)
			assert.Equal(t, Problem{File: "test.yaml", Line: 6, Object: `Pod "p"`, Path: tc.path, Want: tc.want, Got: tc.got}, ps[0])
		})
	}
}

func TestLabelSelectorMatches(t *testing.T) {
	labels := map[string]string{"app": "web", "tier": "front", "gen": "7"}
	tests := []struct {
		name string
		sel  LabelSelector
		want bool
	}{
		{name: "matchLabels equal", sel: LabelSelector{MatchLabels: map[string]string{"app": "web"}}, want: true},
		{name: "matchLabels differ", sel: LabelSelector{MatchLabels: map[string]string{"app": "api"}}, want: false},
		{name: "In", sel: LabelSelector{MatchExpressions: []Requirement{{Key: "tier", Operator: "In", Values: []string{"back", "front"}}}}, want: true},
		{name: "NotIn a missing key", sel: LabelSelector{MatchExpressions: []Requirement{{Key: "zone", Operator: "NotIn", Values: []string{"a"}}}}, want: true},
		{name: "Exists", sel: LabelSelector{MatchExpressions: []Requirement{{Key: "gen", Operator: "Exists"}}}, want: true},
		{name: "DoesNotExist", sel: LabelSelector{MatchExpressions: []Requirement{{Key: "gen", Operator: "DoesNotExist"}}}, want: false},
		{name: "Gt compares integers", sel: LabelSelector{MatchExpressions: []Requirement{{Key: "gen", Operator: "Gt", Values: []string{"5"}}}}, want: true},
		{name: "Lt compares integers", sel: LabelSelector{MatchExpressions: []Requirement{{Key: "gen", Operator: "Lt", Values: []string{"10"}}}}, want: true},
		{name: "all must hold", sel: LabelSelector{MatchLabels: map[string]string{"app": "web"}, MatchExpressions: []Requirement{{Key: "tier", Operator: "NotIn", Values: []string{"front"}}}}, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.sel.Matches(labels))
		})
	}
}

// securityContext.privileged is read (Fargate refuses such a pod); the
// context's other fields are known, and a misspelt one is warned about.
func TestAContainersPrivilegedFlagIsRead(t *testing.T) {
	c := parse(t, podWith(`securityContext: {privileged: true, runAsNonRoot: true, capabilities: {add: [NET_ADMIN]}}`)).Pods[0].Spec.Containers[0]
	assert.True(t, c.Privileged)
	m := parse(t, podWith(`securityContext: {runAsUser: 1000}`))
	assert.False(t, m.Pods[0].Spec.Containers[0].Privileged)
	assert.Empty(t, m.Warnings)
	m = parse(t, podWith(`securityContext: {privilegd: true}`))
	require.Len(t, m.Warnings, 1)
	assert.Contains(t, m.Warnings[0].Error(), "privileged")
}

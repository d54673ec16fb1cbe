package kube

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each bad manifest gives exactly the problems listed, with file, line,
// object, field path, what was expected and what was found.
func TestProblemsNameTheLineTheFieldPathAndWhatWasExpected(t *testing.T) {
	web := `Deployment "web"`
	tests := []struct {
		name string
		text string
		want Problems
	}{
		{
			name: "replicas as a string",
			text: deploymentWith(`  replicas: "3"`),
			want: Problems{{Line: 6, Object: web, Path: "spec.replicas", Want: "an integer from 0 to 2147483647", Got: `"3"`}},
		},
		{
			name: "negative replicas",
			text: deploymentWith(`  replicas: -1`),
			want: Problems{{Line: 6, Object: web, Path: "spec.replicas", Want: "an integer from 0 to 2147483647", Got: "-1"}},
		},
		{
			name: "a cpu request that is not a quantity",
			text: podWith(`resources: {requests: {cpu: 2 cores}}`),
			want: Problems{{Line: 6, Object: `Pod "p"`, Path: "spec.containers[0].resources.requests.cpu",
				Want: `a quantity such as "250m", "0.5", "512Mi" or 1`,
				Got:  `"2 cores": want a number and a suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)`}},
		},
		{
			name: "a request above its limit",
			text: podWith(`resources: {requests: {cpu: 600m}, limits: {cpu: 500m}}`),
			want: Problems{{Line: 6, Object: `Pod "p"`, Path: "spec.containers[0].resources.requests.cpu", Want: "at most the cpu limit 500m", Got: "600m"}},
		},
		{
			name: "a negative request",
			text: podWith(`resources: {requests: {memory: -1Gi}}`),
			want: Problems{{Line: 6, Object: `Pod "p"`, Path: "spec.containers[0].resources.requests.memory", Want: "a non-negative quantity", Got: "-1Gi"}},
		},
		{
			name: "a misspelt resource name",
			text: podWith(`resources: {requests: {cpus: 1}}`),
			want: Problems{{Line: 6, Object: `Pod "p"`, Path: "spec.containers[0].resources.requests.cpus",
				Want: "cpu, memory, ephemeral-storage, hugepages-<size> or a domain-prefixed resource (example.com/gpu)", Got: `"cpus"`, Hint: "did you mean cpu?"}},
		},
		{
			name: "a fractional extended resource",
			text: podWith(`resources: {limits: {nvidia.com/gpu: 0.5}}`),
			want: Problems{{Line: 6, Object: `Pod "p"`, Path: "spec.containers[0].resources.limits[nvidia.com/gpu]", Want: "a whole number (an extended resource)", Got: "0.5"}},
		},
		{
			name: "no selector",
			text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web}]}\n",
			want: Problems{{Line: 4, Object: web, Path: "spec.selector", Want: "a selector (apps/v1 requires one)", Got: "none"}},
		},
		{
			name: "a selector that does not select the template",
			text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata:\n      labels: {app: web}\n    spec: {containers: [{name: web}]}\n",
			want: Problems{{Line: 8, Object: web, Path: "spec.template.metadata.labels", Want: "labels the selector app=api selects", Got: "app=web"}},
		},
		{
			name: "an empty selector",
			text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {}\n  template:\n    spec: {containers: [{name: web}]}\n",
			want: Problems{{Line: 5, Object: web, Path: "spec.selector", Want: "a selector with matchLabels or matchExpressions (an empty one is invalid for a deployment)", Got: "an empty one"}},
		},
		{
			name: "no containers",
			text: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  nodeName: n1\n",
			want: Problems{{Line: 4, Object: `Pod "p"`, Path: "spec.containers", Want: "at least one container", Got: "none"}},
		},
		{
			name: "two containers of one name",
			text: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c}\n  - {name: c}\n",
			want: Problems{{Line: 6, Object: `Pod "p"`, Path: "spec.containers[1].name", Want: "a name no other container of the pod has", Got: `"c"`}},
		},
		{
			name: "a container without a name",
			text: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: \"\", image: busybox}\n",
			want: Problems{{Line: 6, Object: `Pod "p"`, Path: "spec.containers[0].name", Want: "a container name", Got: `""`}},
		},
		{
			name: "a Deployment of a version EKS no longer serves",
			text: "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\nspec: {}\n",
			want: Problems{{Line: 1, Path: "apiVersion", Want: `"apps/v1" for a Deployment (what EKS serves)`, Got: `"extensions/v1beta1"`}},
		},
		{
			name: "no kind",
			text: "apiVersion: v1\nmetadata: {name: x}\n",
			want: Problems{{Line: 1, Want: "an object with apiVersion and kind", Got: `apiVersion "v1", kind ""`}},
		},
		{
			name: "a document that is not a mapping",
			text: "- just\n- a list\n",
			want: Problems{{Line: 1, Want: "a mapping", Got: "a list"}},
		},
		{
			name: "no name",
			text: "apiVersion: v1\nkind: Pod\nmetadata: {namespace: x}\nspec: {containers: [{name: c}]}\n",
			want: Problems{{Line: 3, Object: "Pod", Path: "metadata.name", Want: "a name", Got: "none"}},
		},
		{
			name: "a YAML syntax error",
			text: "apiVersion: v1\nkind: Pod\nmetadata: {name: p\nspec: {}\n",
			want: Problems{{Line: 3, Want: "YAML or JSON", Got: "did not find expected ',' or '}'"}},
		},
		{
			name: "a key given twice",
			text: deploymentWith("  replicas: 2\n  replicas: 3"),
			want: Problems{{Line: 7, Object: web, Path: "spec.replicas", Want: "each key once", Got: `"replicas" again (first on line 6)`}},
		},
		{
			name: "a Job whose pods would restart for ever",
			text: jobWith("", "      restartPolicy: Always"),
			want: Problems{{Line: 9, Object: `Job "batch"`, Path: "spec.template.spec.restartPolicy", Want: `"OnFailure" or "Never" for this workload`, Got: `"Always"`}},
		},
		{
			name: "a Deployment whose pods would stop",
			text: strings.Replace(deploymentWith(""), "    spec:\n", "    spec:\n      restartPolicy: Never\n", 1),
			want: Problems{{Line: 10, Object: web, Path: "spec.template.spec.restartPolicy", Want: `"Always" for this workload`, Got: `"Never"`}},
		},
		{
			name: "hostNetwork with a different hostPort",
			text: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    ports:\n    - {containerPort: 80, hostPort: 8080}\n",
			want: Problems{{Line: 9, Object: `Pod "p"`, Path: "spec.containers[0].ports[0].hostPort", Want: "the containerPort 80 (hostNetwork)", Got: "8080"}},
		},
		{
			name: "a port without containerPort",
			text: podWith("ports: [{hostPort: 80}]"),
			want: Problems{{Line: 6, Object: `Pod "p"`, Path: "spec.containers[0].ports[0].containerPort", Want: "a containerPort from 1 to 65535", Got: "none"}},
		},
		{
			name: "two containers on one host port",
			text: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, ports: [{containerPort: 80, hostPort: 80}]}\n  - {name: b, ports: [{containerPort: 81, hostPort: 80}]}\n",
			want: Problems{{Line: 6, Object: `Pod "p"`, Path: "spec.containers[1].ports[0].hostPort", Want: "a host port no other container of the pod binds", Got: "80/TCP"}},
		},
		{
			name: "hostNetwork as a string",
			text: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: \"true\"\n  containers: [{name: c}]\n",
			want: Problems{{Line: 5, Object: `Pod "p"`, Path: "spec.hostNetwork", Want: "true or false", Got: `"true"`}},
		},
		{
			name: "a label value that is a number",
			text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {version: 2}\nspec: {containers: [{name: c}]}\n",
			want: Problems{{Line: 5, Object: `Pod "p"`, Path: "metadata.labels.version", Want: "a string", Got: "2"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.want {
				tc.want[i].File = "test.yaml"
			}
			assert.Equal(t, tc.want, problems(t, tc.text))
		})
	}
}

func TestEveryProblemIsReportedNotJustTheFirst(t *testing.T) {
	ps := problems(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: many
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: "a lot"}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        resources: {requests: {cpu: fast, memory: 1Gi}, limits: {memory: 512Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: second}
spec:
  tolerations: [{operator: Equal, value: x}]
  containers: [{name: c}]
`)
	assert.Equal(t, []string{
		"test.yaml:5: Deployment \"web\": spec.replicas: want an integer from 0 to 2147483647, found \"many\"",
		"test.yaml:7: Deployment \"web\": spec.strategy.rollingUpdate.maxSurge: want a non-negative integer or a percentage such as \"25%\", found \"a lot\"",
		"test.yaml:13: Deployment \"web\": spec.template.spec.containers[0].resources.requests.cpu: want a quantity such as \"250m\", \"0.5\", \"512Mi\" or 1, found \"fast\": want a number and a suffix (Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)",
		"test.yaml:13: Deployment \"web\": spec.template.spec.containers[0].resources.requests.memory: want at most the memory limit 512Mi, found 1Gi",
		"test.yaml:19: Pod \"second\": spec.tolerations[0].operator: want \"Exists\" when key is empty (which tolerates every taint), found \"Equal\"",
	}, strings.Split(Problems(ps).Error(), "\n"))
}

func TestUnknownFieldsAreWarningsWithAHint(t *testing.T) {
	m := parse(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, lables: {a: b}}
spec:
  replica: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelecter: {disk: ssd}
      containers:
      - name: web
        resource: {requests: {cpu: 1}}
        volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {}}]
`)
	var got []string
	for _, w := range m.Warnings {
		got = append(got, w.Error())
	}
	assert.Equal(t, []string{
		`test.yaml:3: Deployment "web": metadata.lables: want a field Kubernetes defines here, found "lables" (did you mean labels?)`,
		`test.yaml:5: Deployment "web": spec.replica: want a field Kubernetes defines here, found "replica" (did you mean replicas?)`,
		`test.yaml:10: Deployment "web": spec.template.spec.nodeSelecter: want a field Kubernetes defines here, found "nodeSelecter" (did you mean nodeSelector?)`,
		`test.yaml:13: Deployment "web": spec.template.spec.containers[0].resource: want a field Kubernetes defines here, found "resource" (did you mean resources?)`,
	}, got, "volumes and volumeMounts are known, only not modelled")
	assert.Equal(t, 1, m.Deployments[0].Replicas, "the misspelt field is not read")
}

func TestAnchorsAliasesAndMergeKeysAreFollowed(t *testing.T) {
	m := parse(t, `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - &base
    name: a
    image: app:1
    resources:
      requests: &small {cpu: 100m, memory: 64Mi}
  - <<: *base
    name: b
    resources: {requests: *small, limits: {memory: 128Mi}}
`)
	cs := m.Pods[0].Spec.Containers
	require.Len(t, cs, 2)
	assert.Equal(t, "a", cs[0].Name)
	assert.Equal(t, "b", cs[1].Name, "the mapping's own key wins over the merged one")
	assert.Equal(t, "app:1", cs[1].Image, "merged from the anchor")
	assert.Equal(t, Resources{MilliCPU: 100, MemoryBytes: 64 * mi, Given: CPU | Memory}, cs[1].Requests)
	assert.Equal(t, Resources{MemoryBytes: 128 * mi, Given: Memory}, cs[1].Limits)
}

func TestAnAliasBombIsReportedNotExpanded(t *testing.T) {
	// 120 terms × 120 expressions × 120 values: 1.7 million nodes from 2 KB, stopped at 100 000.
	aliases := func(name string) string {
		return "[" + strings.TrimSuffix(strings.Repeat("*"+name+", ", 120), ", ") + "]"
	}
	text := "v: &v x\n" +
		"e: &e {key: k, operator: In, values: " + aliases("v") + "}\n" +
		"t: &t {matchExpressions: " + aliases("e") + "}\n" +
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n" +
		"spec:\n  containers: [{name: c}]\n" +
		"  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: " + aliases("t") + "}}}\n"
	require.Less(t, len(text), 4000)
	ps := problems(t, text)
	require.Len(t, ps, 1, "%v", ps)
	assert.Equal(t, "a document of at most 100000 nodes", ps[0].Want)
}

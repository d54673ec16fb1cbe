package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// The pod template's karpenter.sh/do-not-disrupt annotation names the
// workload in the Karpenter settings; another value or none does not.
func TestEKSKarpenterDoNotDisruptAnnotationIsRead(t *testing.T) {
	manifest := func(name, val string) string {
		return `---
apiVersion: batch/v1
kind: Job
metadata:
  name: ` + name + `
  namespace: batch
spec:
  template:
    metadata:
      annotations:
        karpenter.sh/do-not-disrupt: "` + val + `"
    spec:
      restartPolicy: Never
      containers:
        - name: main
          image: public.ecr.aws/docker/library/python:3.12
          resources:
            requests:
              cpu: 250m
              memory: 512Mi
`
	}
	src := `name = "dnd"
duration = "1h"

[eks]
zones = ["us-east-1a", "us-east-1b"]
manifest = '''` + manifest("keep", "true") + manifest("free", "false") + `'''

[[eks.node_classes]]
name = "default"

[[eks.node_pools]]
name = "default"
requirements = [{ key = "karpenter.k8s.aws/instance-family", operator = "In", values = ["m5"] }]

[[eks.job]]
name = "keep"
namespace = "batch"
run_time = "10m"

[[eks.job]]
name = "free"
namespace = "batch"
run_time = "10m"
`
	s, err := Parse(src, "dnd.toml", nil)
	require.NoError(t, err)
	assert.Equal(t, []eks.KarpenterWorkload{{Kind: "job", Namespace: "batch", Name: "keep"}}, s.Config.EKS.Karpenter.DoNotDisrupt)
}

// eks-batch-burst-karpenter's Job completes: its 5,000 pods succeed, none
// evicted (they carry karpenter.sh/do-not-disrupt), and the Spot NodePool's
// launches stay within its limits.cpu 1000.
func TestEKSBatchBurstKarpenterJobCompletesWithinLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("a 3-hour run of 5,000 pods")
	}
	s, err := Resolve("eks-batch-burst-karpenter")
	require.NoError(t, err)
	require.Equal(t, []eks.KarpenterWorkload{{Kind: "job", Namespace: "default", Name: "render"}}, s.Config.EKS.Karpenter.DoNotDisrupt)
	res, err := sim.New(s.Config).Run()
	require.NoError(t, err)
	e := res.Summary.EKS
	var job *eks.WorkloadSummary
	for i := range e.Workloads {
		if e.Workloads[i].Kind == "job" {
			job = &e.Workloads[i]
		}
	}
	require.NotNil(t, job)
	assert.Equal(t, 5000, job.Succeeded)
	assert.Equal(t, 1, job.RunsComplete)
	assert.Zero(t, job.RunsFailed)
	assert.Zero(t, e.Pods.Evictions, "no running Job pod is moved")
	spot := -1
	for g, gc := range res.Config.Groups {
		if gc.Name == "karpenter-spot" {
			spot = g
		}
	}
	require.GreaterOrEqual(t, spot, 0)
	vcpu := 0
	for _, in := range res.Instances {
		if in.Group == spot {
			for _, t := range res.Config.Groups[spot].InstanceTypes {
				if t.Name == in.Type {
					vcpu += t.VCPU
				}
			}
		}
	}
	assert.LessOrEqual(t, vcpu, 1000, "the Spot pool's launches within limits.cpu 1000")
	assert.Greater(t, vcpu, 900, "and the pool used most of it")
}

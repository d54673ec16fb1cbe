package benchmarks

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// The Cluster Autoscaler against Karpenter (issue 22, "Benchmarks"): the
// same EKS workload, a day of a diurnal web Deployment scaled by an HPA
// (CPU 60%, 6 to 120 replicas, the load of eks-karpenter-spot) and a
// 600-pod Job at 10:00 local time, on nodes that only the provisioning
// tells apart:
//
//   - cluster-autoscaler: two managed node groups (m5.large, m5.xlarge,
//     On-Demand) and the Cluster Autoscaler with least-waste, the flags of
//     eks-hpa-cluster-autoscaler;
//   - karpenter: one On-Demand NodePool over c5, m5 and r5 up to 8 vCPUs,
//     consolidation WhenEmptyOrUnderutilized after 1 minute;
//   - karpenter-spot: the same NodePool Spot first (weight 50) with the
//     On-Demand one behind it (the pools of eks-karpenter-spot).
//
//	go test -run '^$' -bench EKSAutoscaler -count 6 ./benchmarks | tee a.txt; benchstat -col /autoscaler a.txt
//
// TestEKSAutoscalerBenchmarkWorkloadsMatch checks that the runs are given
// the same workload, so that the comparison is fair.

// eksWorkload is the scenario text every variant shares: the cluster, the
// Deployment, its HPA and PDB, and the Job.
const eksWorkload = `
name = "eks-autoscaler-bench"
start = 2026-01-06T05:00:00Z # midnight in New York, a Tuesday
duration = "24h"
seed = 23

[eks]
name = "shop"
version = "1.34"
zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
image_sizes = { "public.ecr.aws/nginx/nginx:1.27" = "70MB", "public.ecr.aws/docker/library/python:3.12" = "400MB" }
pod_start_time = "5s"
pod_events = false
manifest = '''
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 6
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: web
          image: public.ecr.aws/nginx/nginx:1.27
          resources:
            requests:
              cpu: 500m
              memory: 1Gi
            limits:
              memory: 1Gi
---
apiVersion: batch/v1
kind: Job
metadata:
  name: report
spec:
  completions: 600
  parallelism: 600
  template:
    metadata:
      annotations:
        karpenter.sh/do-not-disrupt: "true"
        cluster-autoscaler.kubernetes.io/safe-to-evict: "false"
    spec:
      restartPolicy: Never
      containers:
        - name: report
          image: public.ecr.aws/docker/library/python:3.12
          resources:
            requests:
              cpu: 250m
              memory: 512Mi
'''

[[eks.deployment]]
name = "web"
pod_requests_per_second = 60
  [eks.deployment.load]
  pattern = "diurnal"
  base_rps = 300
  peak_rps = 4000
  peak_hour = 14
  timezone = "America/New_York"

[[eks.horizontal_pod_autoscaler]]
name = "web"
deployment = "web"
min_replicas = 6
max_replicas = 120
metrics = [{ type = "Resource", resource = { name = "cpu", target = { type = "Utilization", average_utilization = 60 } } }]

[[eks.pod_disruption_budget]]
name = "web"
selector = { match_labels = { app = "web" } }
max_unavailable = "25%"

[[eks.job]]
name = "report"
start = "10h"
run_time = "20m"
`

// eksProvisioning is each variant's node provisioning, appended to
// eksWorkload.
var eksProvisioning = []struct{ name, toml string }{
	{"cluster-autoscaler", `
[[eks.node_group]]
name = "general-large"
instance_types = ["m5.large"]
min_size = 1
max_size = 60
desired_size = 2

[[eks.node_group]]
name = "general-xlarge"
instance_types = ["m5.xlarge"]
min_size = 1
max_size = 60
desired_size = 2

[eks.cluster_autoscaler]
expander = "least-waste"
skip_nodes_with_local_storage = false
node_group_auto_discovery = ["asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/shop"]
`},
	{"karpenter", karpenterNodeClass + karpenterNodePool("on-demand", "on-demand", 0)},
	{"karpenter-spot", karpenterNodeClass + karpenterNodePool("spot", "spot", 50) + karpenterNodePool("on-demand", "on-demand", 10)},
}

// karpenterNodeClass is the Karpenter variants' EC2NodeClass.
const karpenterNodeClass = `
[[eks.node_classes]]
name = "default"
ami_family = "AL2023"
`

// karpenterNodePool is a Karpenter variant's NodePool of one capacity type
// (weight 0: none given): c/m/r 5th generation up to 8 vCPU, 400 vCPU at
// most, consolidating after a minute.
func karpenterNodePool(name, capacityType string, weight int) string {
	w := ""
	if weight > 0 {
		w = fmt.Sprintf("weight = %d\n", weight)
	}
	return fmt.Sprintf(`
[[eks.node_pools]]
name = %q
node_class_ref = "default"
%srequirements = [
  { key = "karpenter.sh/capacity-type", operator = "In", values = [%q] },
  { key = "kubernetes.io/arch", operator = "In", values = ["amd64"] },
  { key = "karpenter.k8s.aws/instance-family", operator = "In", values = ["c5", "m5", "r5"] },
  { key = "karpenter.k8s.aws/instance-cpu", operator = "Lt", values = ["9"] },
]
limits = { cpu = "400" }
disruption = { consolidation_policy = "WhenEmptyOrUnderutilized", consolidate_after = "1m" }
`, name, w, capacityType)
}

// eksAutoscalerConfig is variant v's scenario.
func eksAutoscalerConfig(tb testing.TB, v int) *sim.Config {
	tb.Helper()
	sc, err := scenarios.Parse(eksWorkload+eksProvisioning[v].toml, eksProvisioning[v].name+".toml", nil)
	if err != nil {
		tb.Fatal(err)
	}
	return sc.Config
}

// BenchmarkEKSAutoscaler runs the shared workload under each provisioning
// and reports what it cost and how the pods fared: usd/day (cost.json's
// per_day_usd: EC2 and the control plane), p95-pending-s (the worst
// workload's 95th percentile from creation to Running), peak-nodes,
// node-hours, served-% (the share of the web tier's offered requests that
// Ready pods served: EKS's stand-in for the ECS benchmarks' slo-%) and
// jobs-done (the Job's runs that completed, 1 or 0).
func BenchmarkEKSAutoscaler(b *testing.B) {
	for v := range eksProvisioning {
		b.Run("autoscaler="+eksProvisioning[v].name, func(b *testing.B) {
			var res *sim.Result
			for b.Loop() {
				res = runOnce(b, eksAutoscalerConfig(b, v))
			}
			eksOutcome(b, res)
		})
	}
}

// eksFigures are an EKS run's outcome figures.
type eksFigures struct {
	usdPerDay, p95PendingS, nodeHours, servedPct float64
	peakNodes, jobsDone                          int
}

func eksOutcomeOf(tb testing.TB, res *sim.Result) eksFigures {
	tb.Helper()
	e := res.Summary.EKS
	f := eksFigures{usdPerDay: usdPerDay(tb, res), peakNodes: e.Nodes.Peak, servedPct: -1}
	for _, w := range e.Workloads {
		f.p95PendingS = math.Max(f.p95PendingS, w.PendingP95S)
		f.jobsDone += w.RunsComplete
	}
	for _, in := range res.Instances {
		f.nodeHours += time.Duration(in.Terminated - in.Launched).Hours()
	}
	var offered, dropped float64
	for _, c := range res.Series.Columns {
		switch {
		case len(c.Name) > len(".load_rps") && c.Name[len(c.Name)-len(".load_rps"):] == ".load_rps":
			for _, x := range c.Values {
				offered += x
			}
		case len(c.Name) > len(".dropped_rps") && c.Name[len(c.Name)-len(".dropped_rps"):] == ".dropped_rps":
			for _, x := range c.Values {
				dropped += x
			}
		}
	}
	if offered > 0 {
		f.servedPct = 100 * (1 - dropped/offered)
	}
	return f
}

// usdPerDay is cost.json's per_day_usd: ComputeCost's bill at the
// scenario's prices, for an EKS run raised by the control plane and the
// Fargate pods (report's costFile).
func usdPerDay(tb testing.TB, res *sim.Result) float64 {
	tb.Helper()
	p := report.PricesFor(res.Config)
	c, err := report.ComputeCost(res, p)
	if err != nil {
		tb.Fatal(err)
	}
	ek, err := report.ComputeEKSCost(res, p)
	if err != nil {
		tb.Fatal(err)
	}
	if ek == nil {
		return float64(c.PerDayUSD)
	}
	total := c.TotalUSD + ek.ControlPlaneUSD
	if ek.Fargate != nil {
		total += ek.Fargate.USD
	}
	if s := res.End.Duration().Seconds(); s > 0 {
		return float64(total) * 86400 / s
	}
	return float64(total)
}

func eksOutcome(b *testing.B, res *sim.Result) {
	b.Helper()
	f := eksOutcomeOf(b, res)
	b.ReportMetric(f.usdPerDay, "usd/day")
	b.ReportMetric(f.p95PendingS, "p95-pending-s")
	b.ReportMetric(float64(f.peakNodes), "peak-nodes")
	b.ReportMetric(f.nodeHours, "node-hours")
	if f.servedPct >= 0 {
		b.ReportMetric(f.servedPct, "served-%")
	}
	b.ReportMetric(float64(f.jobsDone), "jobs-done")
}

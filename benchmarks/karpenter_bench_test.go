package benchmarks

import (
	"fmt"
	"testing"

	"github.com/fleetsim/fleetsim/autoscale/karpenter"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// karpenterProblem is the shape of Karpenter's own scheduling benchmark
// (pkg/controllers/provisioning/scheduling/scheduling_benchmark_test.go):
// pods pending pods of 20 request shapes in equal numbers, one NodePool
// allowing both capacity types over the first 400 types of the us-east-1
// catalog (both architectures), in three zones.
func karpenterProblem(b *testing.B, pods int) *karpenter.Problem {
	cat := catalog.Default()
	var types []catalog.InstanceType
	for _, n := range cat.Names() {
		if len(types) == 400 {
			break
		}
		t, _ := cat.Lookup(n)
		if t.VCPU > 0 && t.MemoryMiB > 0 && t.GPUs == 0 {
			types = append(types, t)
		}
	}
	if len(types) != 400 {
		b.Fatalf("the catalog has %d types to offer, want 400", len(types))
	}
	p := &karpenter.Problem{
		Pools: []karpenter.NodePool{{Name: "default", LimitMilliCPU: -1, LimitMemoryBytes: -1,
			Requirements: []karpenter.Requirement{{Key: karpenter.LabelCapacityType, Operator: karpenter.In, Values: []string{"spot", "on-demand"}}}}},
		Types: eks.KarpenterTypes(types, []string{"us-east-1a", "us-east-1b", "us-east-1c"}, 0.70, 0),
	}
	cpus := []int64{100, 250, 500, 1000, 2000}
	mems := []int64{128, 512, 1024, 2048}
	for _, c := range cpus {
		for _, m := range mems {
			p.Shapes = append(p.Shapes, karpenter.Shape{Requests: karpenter.Resources{MilliCPU: c, MemoryBytes: m << 20, Pods: 1},
				Pools: []bool{true}, Count: pods / (len(cpus) * len(mems))})
		}
	}
	return p
}

// BenchmarkKarpenterProvision times one provisioning decision for a batch
// of pending pods against 400 instance types (issue 22's acceptance: 20,000
// pods in under 2 s; Karpenter's own scheduler took 260 s, 77 pods/s, on
// this machine). The sub-benchmarks at 5k, 10k and 20k pods show how the
// cost grows with the batch (ns/pod should stay flat); nodes and
// usd_per_hour are the plan's outcome.
//
//	go test -run '^$' -bench BenchmarkKarpenterProvision -count 6 ./benchmarks | tee k.txt; benchstat k.txt
func BenchmarkKarpenterProvision(b *testing.B) {
	for _, pods := range []int{5000, 10000, 20000} {
		b.Run(fmt.Sprintf("pods=%d", pods), func(b *testing.B) {
			p := karpenterProblem(b, pods)
			var plan karpenter.Plan
			for b.Loop() {
				plan = karpenter.Provision(p)
			}
			if len(plan.Unschedulable) > 0 || len(plan.Launches) == 0 {
				b.Fatalf("the plan left %v unschedulable, %d launches", plan.Unschedulable, len(plan.Launches))
			}
			usd, placed := 0.0, 0
			for _, l := range plan.Launches {
				usd += l.PriceUSDPerHour
				for _, sc := range l.Pods {
					placed += sc.Count
				}
			}
			if placed != pods {
				b.Fatalf("placed %d pods of %d", placed, pods)
			}
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(pods)/perOp, "pods/s")
			b.ReportMetric(perOp*1e9/float64(pods), "ns/pod")
			b.ReportMetric(float64(len(plan.Launches)), "nodes")
			b.ReportMetric(usd, "usd_per_hour")
		})
	}
}

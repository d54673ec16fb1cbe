package benchmarks

import (
	"bytes"
	"math"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sweep"
)

// ECS against EKS (issue 22's companion, the [workload] pair): the library
// scenario ecs-vs-eks describes one web service (a diurnal load with a
// latency SLO, CPU scaling at 60%) and a nightly batch once; its
// orchestrator key puts them on ECS (an Auto Scaling group behind a
// capacity provider with managed scaling) or on EKS (Karpenter). The
// benchmark sets the key as `fleetsim run --set orchestrator=...` and a
// sweep's --vary do (sweep.Override on the decoded TOML) and reports the
// outcomes side by side:
//
//	go test -run '^$' -bench Orchestrator -count 6 ./benchmarks | tee o.txt; benchstat -col /orchestrator o.txt

// orchestratorConfig is ecs-vs-eks with orchestrator set to name.
func orchestratorConfig(tb testing.TB, name string) *sim.Config {
	tb.Helper()
	base, err := scenarios.Resolve("ecs-vs-eks")
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]any
	if _, err := toml.Decode(base.Source, &doc); err != nil {
		tb.Fatal(err)
	}
	o, err := sweep.ParseOverride(`orchestrator="` + name + `"`)
	if err != nil {
		tb.Fatal(err)
	}
	if err := o.Apply(doc); err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(doc); err != nil {
		tb.Fatal(err)
	}
	sc, err := scenarios.Parse(b.String(), "ecs-vs-eks with "+o.String(), scenarios.FSReader(scenarios.LibraryFS(), "ecs-vs-eks.toml"))
	if err != nil {
		tb.Fatal(err)
	}
	return sc.Config
}

// orchestratorFigures are a run's outcomes in the ECS benchmarks' terms.
type orchestratorFigures struct {
	usdPerDay, p95WaitS, sloPct, availabilityPct, offered float64
	peakInstances                                         int
}

// orchestratorOutcomeOf reads either orchestrator's summary: p95-wait-s is
// the worst 95th percentile of a task's placement wait (ECS) or a pod's
// creation to Running (EKS), over services and batch; slo-% the share of
// the services' offered requests served within their latency SLO;
// availability-% the services' share of time at their minimum healthy
// count (the least of them); peak-instances the EC2 instances at the peak.
func orchestratorOutcomeOf(tb testing.TB, res *sim.Result) orchestratorFigures {
	tb.Helper()
	f := orchestratorFigures{usdPerDay: usdPerDay(tb, res), peakInstances: res.Summary.Instances.Peak, sloPct: -1, availabilityPct: -1}
	var within float64
	avail := func(a float64) {
		if f.availabilityPct < 0 || a < f.availabilityPct {
			f.availabilityPct = a
		}
	}
	for _, s := range res.Summary.Services {
		f.p95WaitS = math.Max(f.p95WaitS, s.PlacementWait.P95)
		if s.SLOAttainmentPct >= 0 {
			f.offered += s.RequestsOffered
			within += s.RequestsOffered * s.SLOAttainmentPct / 100
		}
		avail(s.AvailabilityPct)
	}
	for _, j := range res.Summary.BatchJobs {
		f.p95WaitS = math.Max(f.p95WaitS, j.PlacementWait.P95)
	}
	if e := res.Summary.EKS; e != nil {
		if n := e.Nodes.Peak; n > f.peakInstances {
			f.peakInstances = n
		}
		for _, w := range e.Workloads {
			f.p95WaitS = math.Max(f.p95WaitS, w.PendingP95S)
			if w.RequestsOffered != nil && w.SLOAttainmentPct != nil && *w.SLOAttainmentPct >= 0 {
				f.offered += *w.RequestsOffered
				within += *w.RequestsOffered * *w.SLOAttainmentPct / 100
			}
			if w.AvailabilityPct != nil {
				avail(*w.AvailabilityPct)
			}
		}
	}
	if f.offered > 0 {
		f.sloPct = within / f.offered * 100
	}
	return f
}

// BenchmarkOrchestrator runs ecs-vs-eks on each orchestrator.
func BenchmarkOrchestrator(b *testing.B) {
	for _, name := range []string{"ecs", "eks"} {
		b.Run("orchestrator="+name, func(b *testing.B) {
			var res *sim.Result
			for b.Loop() {
				res = runOnce(b, orchestratorConfig(b, name))
			}
			f := orchestratorOutcomeOf(b, res)
			b.ReportMetric(f.usdPerDay, "usd/day")
			b.ReportMetric(f.p95WaitS, "p95-wait-s")
			if f.sloPct >= 0 {
				b.ReportMetric(f.sloPct, "slo-%")
			}
			if f.availabilityPct >= 0 {
				b.ReportMetric(f.availabilityPct, "availability-%")
			}
			b.ReportMetric(float64(f.peakInstances), "peak-instances")
		})
	}
}

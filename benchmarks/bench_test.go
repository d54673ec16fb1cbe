// Package benchmarks compares fleetsim's speed and, more usefully, the
// outcomes of placement strategies and scaling policies, as go benchmarks:
// outcome figures are reported with b.ReportMetric so that benchstat puts
// them side by side (see README.md, "Benchmarks").
//
//	go test -run '^$' -bench . -count 10 ./benchmarks | tee new.txt
//	benchstat new.txt
package benchmarks

import (
	"fmt"
	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/ecs"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
)

// outcome reports a run's figures as benchmark metrics.
func outcome(b *testing.B, res *sim.Result) {
	b.Helper()
	cost, err := report.ComputeCost(res, report.DefaultPrices())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(cost.PerDayUSD), "usd/day")
	var p95, offered, within float64
	for _, s := range res.Summary.Services {
		p95 = math.Max(p95, s.PlacementWait.P95)
		if s.SLOAttainmentPct >= 0 {
			offered += s.RequestsOffered
			within += s.RequestsOffered * s.SLOAttainmentPct / 100
		}
	}
	for _, j := range res.Summary.BatchJobs {
		p95 = math.Max(p95, j.PlacementWait.P95)
	}
	b.ReportMetric(p95, "p95-wait-s")
	if offered > 0 {
		b.ReportMetric(within/offered*100, "slo-%")
	}
	b.ReportMetric(cpuReservedPct(res), "cpu-util-%")
}

// cpuReservedPct is the mean share of registered EC2 CPU that tasks
// reserve (0 for a Fargate-only run).
func cpuReservedPct(res *sim.Result) float64 {
	var reg, rsv []float64
	for _, c := range res.Series.Columns {
		switch c.Name {
		case "cpu_registered_units":
			reg = c.Values
		case "cpu_reserved_units":
			rsv = c.Values
		}
	}
	var sumReg, sumRsv float64
	for i := range reg {
		sumReg += reg[i]
		sumRsv += rsv[i]
	}
	if sumReg == 0 {
		return 0
	}
	return sumRsv / sumReg * 100
}

func load(b *testing.B, name string) *sim.Config {
	b.Helper()
	sc, err := scenarios.Resolve(name)
	if err != nil {
		b.Fatal(err)
	}
	return sc.Config
}

func runOnce(b *testing.B, cfg *sim.Config) *sim.Result {
	b.Helper()
	res, err := sim.New(cfg).Run()
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkPlacementStrategy runs the placement-rules and default scenarios
// with the web service's strategy replaced, to compare what each costs and
// how well it packs.
func BenchmarkPlacementStrategy(b *testing.B) {
	strategies := []struct {
		name string
		s    []placement.Strategy
	}{
		{"binpack-memory", []placement.Strategy{{Kind: placement.BinpackStrategy, Field: "memory"}}},
		{"spread-az+binpack-memory", []placement.Strategy{{Kind: placement.SpreadStrategy, Field: "attribute:ecs.availability-zone"}, {Kind: placement.BinpackStrategy, Field: "memory"}}},
		{"spread-instance", []placement.Strategy{{Kind: placement.SpreadStrategy, Field: "instanceId"}}},
		{"random", []placement.Strategy{{Kind: placement.RandomStrategy}}},
	}
	for _, st := range strategies {
		b.Run(st.name, func(b *testing.B) {
			var res *sim.Result
			for b.Loop() {
				cfg := load(b, scenarios.DefaultName)
				cfg.Services[0].PlacementStrategy = st.s
				res = runOnce(b, cfg)
			}
			outcome(b, res)
		})
	}
}

// BenchmarkTargetTracking compares target values of the default scenario's
// web service: cheaper at a higher target, at what cost to latency.
func BenchmarkTargetTracking(b *testing.B) {
	for _, target := range []float64{40, 50, 60, 75, 90} {
		b.Run(fmt.Sprintf("target=%g", target), func(b *testing.B) {
			var res *sim.Result
			for b.Loop() {
				cfg := load(b, "diurnal-target-tracking")
				cfg.Services[0].AutoScaling.TargetTracking[0].TargetValue = target
				res = runOnce(b, cfg)
			}
			outcome(b, res)
		})
	}
}

// BenchmarkManagedScalingTarget compares capacity providers' target
// capacity on the burst scenario: spare capacity against placement wait.
func BenchmarkManagedScalingTarget(b *testing.B) {
	for _, target := range []int{70, 85, 100} {
		b.Run(fmt.Sprintf("target_capacity=%d", target), func(b *testing.B) {
			var res *sim.Result
			for b.Loop() {
				cfg := load(b, "burst-scale-out")
				cfg.CapacityProviders[0].ManagedScaling.TargetCapacity = target
				res = runOnce(b, cfg)
			}
			outcome(b, res)
		})
	}
}

// sized is a one-day cluster of n m5.xlarge instances (a fixed group) with
// n/10 services of 20 tasks each that fail now and then, for the speed of
// whole runs by cluster size.
func sized(n int) *sim.Config {
	it, _ := catalog.Default().Lookup("m5.xlarge")
	azs := []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	cfg := &sim.Config{
		Name: fmt.Sprintf("sized-%d", n), Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Duration: 24 * time.Hour,
		Seed: 1, Region: "us-east-1", Settings: sim.DefaultSettings(),
		Cluster: ecs.ClusterConfig{Name: "c", AvailabilityZones: azs},
		Groups: []capacity.GroupConfig{{Name: "g", InstanceTypes: []catalog.InstanceType{it}, MinSize: n, MaxSize: n, DesiredCapacity: n,
			AvailabilityZones: azs, LaunchTime: 90 * time.Second, OnDemandPercentageAboveBase: 100}},
		CapacityProviders: []ecs.CapacityProviderConfig{{Name: "cp", Group: 0}},
		TaskDefinitions: []ecs.TaskDefinition{{Family: "app", Revision: 1, NetworkMode: ecs.NetworkBridge, StopTimeout: 30 * time.Second,
			RequiresCompatibilities: []string{"EC2"},
			Containers:              []ecs.ContainerDefinition{{Name: "app", Image: "app:1", ImageSizeBytes: 200 << 20, Essential: true, CPU: 256, MemoryMiB: 512}}}},
	}
	cfg.Settings.TaskEvents, cfg.Settings.ServiceSeries = false, false
	for i := range max(n/10, 1) {
		cfg.Services = append(cfg.Services, ecs.ServiceConfig{
			Name: fmt.Sprintf("svc-%04d", i), DesiredCount: 20, TaskFailuresPerTaskHour: 0.05,
			ProviderStrategy:      []ecs.StrategyItem{{Provider: "cp", Weight: 1}},
			PlacementStrategy:     []placement.Strategy{{Kind: placement.SpreadStrategy, Field: "attribute:ecs.availability-zone"}, {Kind: placement.BinpackStrategy, Field: "memory"}},
			MinimumHealthyPercent: 100, MaximumPercent: 200,
		})
	}
	return cfg
}

// BenchmarkLibrary is the speed of each light library scenario, with its
// outcomes. (large-week, the scale test, takes tens of seconds a run; time
// it with the CLI: see README.md, "Speed".)
func BenchmarkLibrary(b *testing.B) {
	for _, e := range scenarios.Library() {
		if e.Name == "large-week" {
			continue
		}
		b.Run(e.Name, func(b *testing.B) {
			var res *sim.Result
			for b.Loop() {
				res = runOnce(b, load(b, e.Name))
			}
			b.ReportMetric(float64(res.Stats.Events), "events/op")
			outcome(b, res)
		})
	}
}

// BenchmarkClusterSize is the speed of a whole one-day run by cluster size:
// 100, 1,000 and 10,000 instances, two tasks per instance. ns/op should grow
// no faster than the instance count; events/s is the kernel's throughput
// with the world around it.
func BenchmarkClusterSize(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			var events uint64
			for b.Loop() {
				res := runOnce(b, sized(n))
				if res.Summary.Services[0].RunningAtEnd != 20 {
					b.Fatalf("service not at desired: %+v", res.Summary.Services[0])
				}
				events = res.Stats.Events
			}
			b.ReportMetric(float64(events), "events/op")
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkClusterSizeRatio is the growth BenchmarkClusterSize measures,
// 10,000 instances against 1,000, taken in one stretch (interleaved):
// x-1000 is the large day's time over the small day's.
func BenchmarkClusterSizeRatio(b *testing.B) {
	interleaved(b, sized(1000), sized(10000), "1000", "10000")
}

// BenchmarkServiceSizeRatio is BenchmarkServiceSize's growth, a service
// of 100,000 tasks against one of 10,000, interleaved: x-10000.
func BenchmarkServiceSizeRatio(b *testing.B) {
	interleaved(b, serviceOf(10_000), serviceOf(100_000), "10000", "100000")
}

// interleaved times runs of small and large in one stretch, each iteration
// five of small, one of large and five of small again, so that the
// machine's drift (a fifth from one minute to the next on a shared machine,
// which separate benchmark commands minutes apart measure as much as the
// code) falls on both sides, and reports each run's time and the ratio.
func interleaved(b *testing.B, small, large *sim.Config, smallName, largeName string) {
	var tSmall, tLarge time.Duration
	timed := func(cfg *sim.Config) time.Duration {
		runtime.GC() // each run starts from a collected heap, as a fresh process's does, whatever ran before it
		start := time.Now()
		runOnce(b, cfg)
		return time.Since(start)
	}
	for b.Loop() {
		for range 5 {
			tSmall += timed(small)
		}
		tLarge += timed(large)
		for range 5 {
			tSmall += timed(small)
		}
	}
	b.ReportMetric(float64(tSmall)/1e6/float64(10*b.N), "ms-"+smallName)
	b.ReportMetric(float64(tLarge)/1e6/float64(b.N), "ms-"+largeName)
	b.ReportMetric(float64(tLarge)/(float64(tSmall)/10), "x-"+smallName)
}

// BenchmarkLargeWeek is the scale scenario's simulation alone (no outputs
// written): one week, 200 services, about 10,000 instances at the peak and a
// million batch tasks. ns/event is the cost of one event with the whole
// world around it, to compare with the kernel's BenchmarkHold/n=1000
// (sim/des). It takes seconds a run: use -benchtime 1x and -count for
// benchstat.
//
//	go test -run '^$' -bench LargeWeek -benchtime 1x -count 5 ./benchmarks/
//
// Alongside, after each run and off the clock, the kernel's hold model
// (as sim/des BenchmarkHold/n=1000) fires as many events: hold-ns/event
// and x-hold, the ratio of the two, taken minutes apart on a machine
// whose speed drifts by a fifth from one minute to the next, would
// measure the drift as much as the code.
func BenchmarkLargeWeek(b *testing.B) {
	cfg := load(b, "large-week")
	var res *sim.Result
	var hold float64
	b.ReportAllocs()
	for b.Loop() {
		res = runOnce(b, cfg)
		b.StopTimer()
		hold += holdNs(int(res.Stats.Events))
		b.StartTimer()
	}
	// The run did its work: a week of events, the daily peaks reached, the
	// batch tasks submitted.
	peak := max(res.Summary.Instances.Peak, res.Summary.Instances.PeakDuringWarmUp)
	if res.Stats.Events < 5_000_000 || res.Summary.PeakServiceTasks < 100_000 || peak < 9_000 {
		b.Fatalf("large-week did less than it should: %d events, %d service tasks and %d instances at the peak",
			res.Stats.Events, res.Summary.PeakServiceTasks, peak)
	}
	if sub := res.Summary.BatchJobs[0].Submitted; sub < 900_000 {
		b.Fatalf("large-week submitted %d batch tasks, want about 1,000,000", sub)
	}
	perEvent := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(res.Stats.Events)
	b.ReportMetric(perEvent, "ns/event")
	b.ReportMetric(float64(res.Stats.Events), "events/op")
	b.ReportMetric(hold/float64(b.N), "hold-ns/event")
	b.ReportMetric(perEvent/(hold/float64(b.N)), "x-hold")
}

// holdNs runs the kernel's hold model, sim/des BenchmarkHold/n=1000, for
// the given number of events and returns its ns an event: 1,000 events
// pending, each that fires schedules one at now + Exp(mean 1 s), through
// the Engine's public API.
func holdNs(events int) float64 {
	e := des.New(1)
	r := e.Stream("hold")
	var k des.Kind
	k = e.Register(func(now des.Time, id int32) {
		e.At(now+des.Time(r.ExpFloat64()*float64(time.Second)), k, id)
	})
	for i := range 1000 {
		e.At(des.Time(r.ExpFloat64()*float64(time.Second)), k, int32(i))
	}
	start := time.Now()
	for range events {
		e.Step(des.Never)
	}
	return float64(time.Since(start).Nanoseconds()) / float64(events)
}

// serviceOf is three hours of one service of n tasks on a fixed group of
// m5.xlarge instances with room for its rolling deployment (maximumPercent
// 200: 16 tasks of 256 CPU units an instance, 2n tasks, plus a tenth):
// tasks fail now and then and are replaced, and at the first hour a new
// task definition rolls out over the whole service.
func serviceOf(n int) *sim.Config {
	cfg := sized(0)
	cfg.Name = fmt.Sprintf("service-%d", n)
	cfg.Duration = 3 * time.Hour
	instances := n/8 + n/80
	g := &cfg.Groups[0]
	g.MinSize, g.MaxSize, g.DesiredCapacity = instances, instances, instances
	v2 := cfg.TaskDefinitions[0]
	v2.Revision = 2
	v2.Containers = []ecs.ContainerDefinition{v2.Containers[0]}
	v2.Containers[0].Image = "app:2"
	cfg.TaskDefinitions = append(cfg.TaskDefinitions, v2)
	s := cfg.Services[0]
	s.Name, s.DesiredCount, s.TaskFailuresPerTaskHour = "big", n, 0.05
	cfg.Services = []ecs.ServiceConfig{s}
	cfg.Timeline = []sim.TimelineEntry{{At: time.Hour, Action: "update_service", Service: 0, TaskDefinition: 1, Group: -1}}
	return cfg
}

// BenchmarkServiceSize is the speed of one service by its task count:
// 10,000 and 100,000 tasks through failures and a rolling deployment.
// ns/op should grow no faster than the task count: reconciling a service
// and checking its deployment cost what changed, not a scan of its tasks.
func BenchmarkServiceSize(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			var res *sim.Result
			for b.Loop() {
				res = runOnce(b, serviceOf(n))
			}
			// The rollout replaced every task (with failures going on, the
			// last old ones may still be there at the end).
			s := res.Summary.Services[0]
			if s.TasksStarted < 2*n || s.RunningAtEnd < n*99/100 || s.TaskDefinition != "app:2" {
				b.Fatalf("service did not roll out: %+v", s)
			}
			b.ReportMetric(float64(res.Stats.Events), "events/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(s.TasksStarted), "ns/task")
		})
	}
}

package benchmarks

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fleetsim/fleetsim/sim"
)

// The variants of BenchmarkEKSAutoscaler are given the same workload: the
// same Deployments, Jobs, HPAs and budgets in their configurations, the
// same load offered minute by minute, the same Job completions, and the
// HPA asks for the same replicas (in 99% of minutes; the rest where pods
// became Ready at other times); only the nodes differ (node groups with the
// Cluster Autoscaler, or NodePools).
func TestEKSAutoscalerBenchmarkWorkloadsMatch(t *testing.T) {
	if testing.Short() {
		t.Skip("three one-day runs")
	}
	var base *sim.Config
	var baseLoad, baseDesired []float64
	for v := range eksProvisioning {
		cfg := eksAutoscalerConfig(t, v)
		e := cfg.EKS
		if (e.ClusterAutoscaler != nil) == (len(e.NodePools) > 0) {
			t.Fatalf("%s: want exactly one of the Cluster Autoscaler and Karpenter", eksProvisioning[v].name)
		}
		res, err := sim.New(cfg).Run()
		if err != nil {
			t.Fatal(err)
		}
		var load, desired []float64
		for _, c := range res.Series.Columns {
			if strings.HasSuffix(c.Name, ".load_rps") {
				load = append(load, c.Values...)
			}
			if c.Name == "deployment.web.desired" {
				desired = c.Values
			}
		}
		fig := eksOutcomeOf(t, res)
		var created, succeeded int
		for _, w := range res.Summary.EKS.Workloads {
			if w.Kind == "job" {
				created, succeeded = w.PodsCreated, w.Succeeded
			}
		}
		t.Logf("%s: %+v; job pods created %d, succeeded %d", eksProvisioning[v].name, fig, created, succeeded)
		if succeeded != 600 || fig.jobsDone != 1 {
			t.Errorf("%s: the Job's 600 pods: %d succeeded, %d runs complete", eksProvisioning[v].name, succeeded, fig.jobsDone)
		}
		if base == nil {
			base, baseLoad, baseDesired = cfg, load, desired
			if len(load) == 0 || slices.Max(load) == 0 {
				t.Fatal("no load offered")
			}
			continue
		}
		b, e0 := cfg.EKS, base.EKS
		for _, part := range []struct {
			name string
			a, b any
		}{
			{"deployments", b.Deployments, e0.Deployments}, {"jobs", b.Jobs, e0.Jobs}, {"HPAs", b.HPAs, e0.HPAs},
			{"pod disruption budgets", b.Budgets, e0.Budgets}, {"daemon sets", b.DaemonSets, e0.DaemonSets},
			{"pods", b.Pods, e0.Pods}, {"zones", b.Zones, e0.Zones}, {"seed", cfg.Seed, base.Seed},
			{"start", cfg.Start, base.Start}, {"duration", cfg.Duration, base.Duration},
		} {
			if !reflect.DeepEqual(part.a, part.b) {
				t.Errorf("%s: the %s differ from %s's", eksProvisioning[v].name, part.name, eksProvisioning[0].name)
			}
		}
		if !slices.Equal(load, baseLoad) {
			t.Errorf("%s: the load offered differs from %s's", eksProvisioning[v].name, eksProvisioning[0].name)
		}
		// The pods asked for: the HPA's replicas minute by minute agree but
		// where pods became Ready at other times (the HPA reads their CPU),
		// and peak at the same count.
		if len(desired) != len(baseDesired) || len(desired) == 0 {
			t.Fatalf("%s: %d minutes of desired replicas, want %d", eksProvisioning[v].name, len(desired), len(baseDesired))
		}
		differ := 0
		for i := range desired {
			if desired[i] != baseDesired[i] {
				differ++
			}
		}
		if differ*100 > len(desired) {
			t.Errorf("%s: the Deployment's desired replicas differ from %s's in %d of %d minutes", eksProvisioning[v].name, eksProvisioning[0].name, differ, len(desired))
		}
		if slices.Max(desired) != slices.Max(baseDesired) {
			t.Errorf("%s: peak desired replicas %v, %s's %v", eksProvisioning[v].name, slices.Max(desired), eksProvisioning[0].name, slices.Max(baseDesired))
		}
	}
}

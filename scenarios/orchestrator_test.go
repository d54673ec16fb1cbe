package scenarios

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// pairSource is the library's ECS-vs-EKS pair with orchestrator set.
func pairSource(t *testing.T, orchestrator string) string {
	t.Helper()
	src, err := fs.ReadFile(LibraryFS(), "ecs-vs-eks.toml")
	require.NoError(t, err)
	s := string(src)
	require.Contains(t, s, "\norchestrator = \"ecs\"\n")
	return strings.Replace(s, "\norchestrator = \"ecs\"\n", "\norchestrator = \""+orchestrator+"\"\n", 1)
}

func parsePair(t *testing.T, orchestrator string, edit func(string) string) (*Scenario, error) {
	t.Helper()
	src := pairSource(t, orchestrator)
	if edit != nil {
		src = edit(src)
	}
	return Parse(src, "library/ecs-vs-eks.toml", FSReader(LibraryFS(), "ecs-vs-eks.toml"))
}

// The mapping on ECS: a task definition of cpu 0.5 vCPU = 512 units and
// 1 GiB = 1024 MiB, a service with target tracking on
// ECSServiceAverageCPUUtilization at 60 between min and max replicas, and a
// batch job of count tasks at start each every.
func TestWorkloadOnECSIsATaskDefinitionServiceAndBatchJob(t *testing.T) {
	sc, err := parsePair(t, "ecs", nil)
	require.NoError(t, err)
	cfg := sc.Config
	require.Nil(t, cfg.EKS, "the [eks] section is set aside on ECS")
	require.Len(t, cfg.TaskDefinitions, 2)
	web := cfg.TaskDefinitions[0]
	assert.Equal(t, "web", web.Family)
	assert.Equal(t, 512, web.CPU)
	assert.Equal(t, 1024, web.MemoryMiB)
	assert.EqualValues(t, "bridge", web.NetworkMode, "the EC2 default (awsvpc on Fargate)")
	assert.Equal(t, 1024, cfg.TaskDefinitions[1].CPU)
	assert.Equal(t, 2048, cfg.TaskDefinitions[1].MemoryMiB)
	require.Len(t, cfg.Services, 1)
	s := cfg.Services[0]
	assert.Equal(t, 4, s.DesiredCount)
	require.NotNil(t, s.AutoScaling)
	assert.Equal(t, 4, s.AutoScaling.MinCapacity)
	assert.Equal(t, 40, s.AutoScaling.MaxCapacity)
	require.Len(t, s.AutoScaling.TargetTracking, 1)
	assert.EqualValues(t, "ECSServiceAverageCPUUtilization", s.AutoScaling.TargetTracking[0].Metric)
	assert.Equal(t, 60.0, s.AutoScaling.TargetTracking[0].TargetValue)
	assert.Equal(t, 0.005, s.Load.CPUSecondsPerRequest)
	require.Len(t, cfg.BatchJobs, 1)
	j := cfg.BatchJobs[0]
	assert.Equal(t, 24, j.Arrivals.PerFiring)
	first := cfg.Start.Add(2 * time.Hour)
	at, ok := j.Arrivals.Schedule.Next(cfg.Start)
	require.True(t, ok)
	assert.Equal(t, first, at, "start = 2h")
	at, _ = j.Arrivals.Schedule.Next(first)
	assert.Equal(t, first.Add(24*time.Hour), at, "every = 24h")
	assert.Equal(t, 2, j.Retries)
}

// The mapping on EKS: a Deployment whose pods request 500m and 1024Mi
// (limit 1024Mi), its load served through cpu_seconds_per_request and the
// latency SLO, an autoscaling/v2 HPA on cpu Utilization 60 from 4 to 40,
// and a Job of completions count and parallelism count.
func TestWorkloadOnEKSIsADeploymentHPAAndJob(t *testing.T) {
	sc, err := parsePair(t, "eks", nil)
	require.NoError(t, err)
	cfg := sc.Config
	require.NotNil(t, cfg.EKS)
	assert.Empty(t, cfg.Services)
	assert.Empty(t, cfg.CapacityProviders, "the ECS sections are set aside on EKS")
	cl := cfg.EKS
	require.Len(t, cl.Deployments, 1)
	d := cl.Deployments[0]
	assert.Equal(t, 4, d.Replicas)
	require.Len(t, d.Template.Pod.Containers, 1)
	c := d.Template.Pod.Containers[0]
	assert.Equal(t, int64(500), c.Requests.MilliCPU)
	assert.Equal(t, int64(1<<30), c.Requests.MemoryBytes)
	assert.Equal(t, 0.005, d.CPUSecondsPerRequest)
	assert.Equal(t, 100*time.Millisecond, d.LatencySLO)
	require.Len(t, cl.HPAs, 1)
	h := cl.HPAs[0]
	require.NotNil(t, h.Spec.MinReplicas)
	assert.Equal(t, int32(4), *h.Spec.MinReplicas)
	assert.Equal(t, int32(40), h.Spec.MaxReplicas)
	require.Len(t, h.Spec.Metrics, 1)
	require.Len(t, cl.Jobs, 1)
	j := cl.Jobs[0]
	assert.Equal(t, 24, j.Completions)
	assert.Equal(t, 24, j.Parallelism)
	assert.Equal(t, 2, j.BackoffLimit)
	assert.Equal(t, 2*time.Hour, j.At)
	assert.Equal(t, 24*time.Hour, j.Every)
	assert.Equal(t, 25*time.Minute, j.Template.Run)
	assert.Contains(t, cl.Karpenter.DoNotDisrupt, eks.KarpenterWorkload{Kind: "job", Namespace: "default", Name: "nightly-report"})
}

// Both orchestrators run the pair, and carry the same workload: the same
// requests offered to the web service (within 0.1%: each side integrates
// the same pattern over its own samples) and the same batch tasks, all
// completed.
func TestWorkloadPairRunsTheSameWorkloadOnBothOrchestrators(t *testing.T) {
	noNoise := func(s string) string { // the same pattern without its draws: the totals are the pattern's
		require.Contains(t, s, "\n  noise = 0.05")
		return strings.Replace(s, "\n  noise = 0.05", "\n  noise = 0", 1)
	}
	run := func(o string) *sim.Result {
		sc, err := parsePair(t, o, noNoise)
		require.NoError(t, err)
		res, err := sim.New(sc.Config).Run()
		require.NoError(t, err)
		return res
	}
	ecsRes, eksRes := run("ecs"), run("eks")
	require.Len(t, ecsRes.Summary.Services, 1)
	ecsOffered := ecsRes.Summary.Services[0].RequestsOffered
	// diurnal between 100 and 900 requests/s: 500 on average, 43.2 M a day
	assert.InDelta(t, 43.2e6, ecsOffered, 1)
	require.NotNil(t, eksRes.Summary.EKS)
	found := 0
	for _, w := range eksRes.Summary.EKS.Workloads {
		switch {
		case w.Kind == "deployment" && w.Name == "web":
			found++
			require.NotNil(t, w.RequestsOffered)
			assert.InEpsilon(t, ecsOffered, *w.RequestsOffered, 0.001)
			require.NotNil(t, w.SLOAttainmentPct)
		case w.Kind == "job" && w.Name == "nightly-report":
			found++
			assert.Equal(t, 24, w.Succeeded, "24 completions")
			assert.Equal(t, 1, w.Runs)
		}
	}
	assert.Equal(t, 2, found)
	require.Len(t, ecsRes.Summary.BatchJobs, 1)
	assert.Equal(t, 24, ecsRes.Summary.BatchJobs[0].Submitted)
	assert.Equal(t, 24, ecsRes.Summary.BatchJobs[0].Completed)
}

// A problem of a generated entry is reported at the [workload] key it came
// from, on the orchestrator chosen and (as a sweep varies it) the other.
func TestWorkloadProblemsNameWorkloadKeys(t *testing.T) {
	for _, c := range []struct {
		name, old, new, key, want string
	}{
		{"cpu not whole units", "cpu = 0.5 ", "cpu = 0.1 ", "workload.services.web.cpu", "whole number of ECS CPU units"},
		{"no instance holds it", "cpu = 0.5 ", "cpu = 64 ", "workload.services.web", "fits an instance type"},
		{"ECS key at the neutral level", "replicas = 4\n", "replicas = 4\ncapacity_provider_strategy = []\n", "workload.services.web.capacity_provider_strategy", "give it under the entry's ecs"},
		{"EKS key under ecs", "ecs = { placement_strategy", "ecs = { priority_class_name = \"x\", placement_strategy", "workload.services.web.ecs.priority_class_name", "not ecs"},
		{"duration not fixed", `distribution = "fixed", value = "25m"`, `distribution = "lognormal", median = "25m", sigma = 0.5`, "workload.batch.nightly-report.duration.distribution", "both orchestrators"},
		{"parallelism above count", "count = 24 ", "parallelism = 30\ncount = 24 ", "workload.batch.nightly-report.parallelism", "from 1 to count (24)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, o := range orchestrators {
				_, err := parsePair(t, o, func(s string) string {
					require.Contains(t, s, c.old)
					return strings.Replace(s, c.old, c.new, 1)
				})
				ps, ok := err.(Problems)
				require.True(t, ok, "%s: %v", o, err)
				var keys []string
				hit := false
				for _, pr := range ps {
					keys = append(keys, pr.Key)
					if pr.Key == c.key && strings.Contains(pr.Error(), c.want) {
						hit = true
						assert.NotZero(t, pr.Line, "a line of the file")
					}
				}
				assert.True(t, hit, "%s: want %s (%s) among %v", o, c.key, c.want, ps)
			}
		})
	}
}

// A batch's schedule (autoscale.RateSchedule anchored at its start) fires
// at the start and each every after, strictly after the time asked.
func TestPeriodicScheduleFiresAtStartAndEachPeriod(t *testing.T) {
	t0 := time.Date(2026, 1, 6, 7, 0, 0, 0, time.UTC)
	s := autoscale.RateSchedule{Anchor: t0, Every: 24 * time.Hour}
	for _, c := range []struct{ after, want time.Time }{
		{t0.Add(-time.Nanosecond), t0},
		{t0.Add(-48 * time.Hour), t0},
		{t0, t0.Add(24 * time.Hour)},
		{t0.Add(23 * time.Hour), t0.Add(24 * time.Hour)},
		{t0.Add(24 * time.Hour), t0.Add(48 * time.Hour)},
	} {
		got, ok := s.Next(c.after)
		assert.True(t, ok)
		assert.Equal(t, c.want, got, "after %s", c.after)
	}
}

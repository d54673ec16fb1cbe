package eks

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/placement/kube"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
)

// TestTheBooksHoldOverSeeds drives random clusters through rollouts,
// scale-ins, drains, Spot storms and failures, seed by seed, and checks
// the world's invariants (CheckEnd: every pod's tally, every node's pods
// against the scheduler's) and the rollout bounds at every event.
func TestTheBooksHoldOverSeeds(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 5
	}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := des.NewStream(seed, "test/config")
			cfg := baseConfig("a", "b")
			cfg.NodeGroups[1].Kind = NodeKind(r.IntN(2))
			cfg.PriorityClasses = []PriorityClass{{Name: "low", Value: 1}, {Name: "high", Value: 100}}
			replicas := 2 + r.IntN(12)
			d := deploy("web", replicas, tmpl("web", int64(100+r.IntN(900)), int64(100+r.IntN(2000))))
			d.Template.PriorityClass = r.IntN(2)
			d.Recreate = r.IntN(4) == 0
			d.MinReady = time.Duration(r.IntN(3)) * 5 * time.Second
			cfg.Deployments = []Deployment{d}
			jt := tmpl("batch", int64(200+r.IntN(1500)), 200)
			jt.Run, jt.FailureProbability = time.Duration(1+r.IntN(20))*time.Minute, r.Float64()/2
			jt.PriorityClass = 1 - d.Template.PriorityClass
			cfg.Jobs = []Job{{Name: "etl", Namespace: "default", Template: jt, Completions: 1 + r.IntN(8), Parallelism: 1 + r.IntN(4),
				BackoffLimit: r.IntN(4), At: time.Duration(r.IntN(30)) * time.Minute, Every: time.Duration(r.IntN(2)) * 40 * time.Minute}}
			cfg.DaemonSets = []DaemonSet{{Name: "agent", Namespace: "kube-system", Template: tmpl("agent", 50, 50)}}
			cfg.Budgets = []PodDisruptionBudget{{Name: "web", Namespace: "default",
				Selector: kube.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, MaxUnavailable: &IntOrPercent{Value: 1}}}
			cfg.Settings.DrainTimeout = time.Duration(r.IntN(2)) * 10 * time.Minute
			ga, gb := group(t, "a", "m5.large", 1+r.IntN(4)), group(t, "b", "m5.xlarge", r.IntN(3))
			gb.OnDemandPercentageAboveBase, gb.SpotInterruptionsPerInstHour = 0, r.Float64()
			rig := newRig(t, cfg, []capacity.GroupConfig{ga, gb}, seed, 4*time.Hour)
			surge, unavail := ResolveFenceposts(d.MaxSurge, d.MaxUnavailable, replicas)
			ops := []func(){
				func() { rig.w.SetImage(0, fmt.Sprintf("repo/web:%d", r.IntN(3))) },
				func() { rig.fleet.SetDesired(0, r.IntN(5), "test") },
				func() { rig.fleet.SetDesired(1, r.IntN(4), "test") },
				func() {
					for _, i := range rig.w.PickNodes(-1, 1, "drain") {
						rig.w.DrainNode(i)
					}
				},
				func() {
					for _, i := range rig.w.PickNodes(-1, 1, "fail") {
						rig.fleet.Fail(i, "test")
					}
				},
				func() { rig.fleet.SpotStorm(1, 0.5, rig.eng.Stream("test/spot")) },
			}
			for step := 1; step <= 8; step++ {
				until := des.At(time.Duration(step) * 30 * time.Minute)
				for rig.eng.Step(until) {
					pods, _ := rig.w.deploymentCounts(0)
					if !d.Recreate {
						require.LessOrEqual(t, pods, rig.w.deploys[0].replicas+surge, "at %v", rig.eng.Now())
					}
				}
				require.NoError(t, rig.eng.Err())
				rig.w.CheckEnd()
				require.NoError(t, rig.eng.Err())
				ops[r.IntN(len(ops))]()
			}
			_ = unavail
			o := rig.w.Outcome()
			require.NotEmpty(t, o.Series.Times)
		})
	}
}

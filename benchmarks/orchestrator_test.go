package benchmarks

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
)

// BenchmarkOrchestrator's two runs are ecs-vs-eks on ECS and on EKS: the
// override reaches the scenario (an ECS run has no EKS world, an EKS run
// one), and both serve the same offered requests.
func TestOrchestratorBenchmarkRunsBothOrchestrators(t *testing.T) {
	if testing.Short() {
		t.Skip("two one-day runs")
	}
	var figs []orchestratorFigures
	for _, name := range []string{"ecs", "eks"} {
		cfg := orchestratorConfig(t, name)
		if (cfg.EKS != nil) != (name == "eks") {
			t.Fatalf("orchestrator=%s: EKS config %v", name, cfg.EKS != nil)
		}
		res, err := sim.New(cfg).Run()
		if err != nil {
			t.Fatal(err)
		}
		f := orchestratorOutcomeOf(t, res)
		t.Logf("%s: %+v", name, f)
		// usd/day is what cost.json says.
		dir := t.TempDir()
		if _, err := report.WriteRunOutputs(dir, res, "", []string{"json"}); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(dir, "cost.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cj struct {
			PerDayUSD float64 `json:"per_day_usd"`
		}
		if err := json.Unmarshal(raw, &cj); err != nil {
			t.Fatal(err)
		}
		if math.Abs(cj.PerDayUSD-f.usdPerDay) > 1e-5 {
			t.Errorf("%s: usd/day %.6f, cost.json per_day_usd %.6f", name, f.usdPerDay, cj.PerDayUSD)
		}
		if f.offered <= 0 || f.sloPct < 0 || f.availabilityPct < 0 {
			t.Errorf("%s: no SLO figures: %+v", name, f)
		}
		figs = append(figs, f)
	}
	if d := math.Abs(figs[0].offered-figs[1].offered) / figs[0].offered; d > 1e-3 {
		t.Errorf("offered requests differ: ECS %.0f, EKS %.0f", figs[0].offered, figs[1].offered)
	}
}

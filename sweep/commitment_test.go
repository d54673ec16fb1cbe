package sweep

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
)

// A sweep's row carries the commitment the run's own report recommends:
// the commitment curve's best point and what it saves a day, the same
// figures cost.json holds for a scenario with [billing].
func TestARunsBestCommitmentIsTheOneItsReportRecommends(t *testing.T) {
	sc, err := scenarios.Resolve("govcloud-commitments")
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	prices := report.PricesFor(sc.Config)
	o, err := OutcomeOf(res, prices)
	require.NoError(t, err)
	cost, err := report.ComputeCost(res, prices)
	require.NoError(t, err)
	require.NotNil(t, cost.Commitment)

	best := cost.Commitment.Best
	days := res.End.Duration().Hours() / 24
	assert.Greater(t, o.BestCommitmentUSDPerHour, 0.0)
	assert.InDelta(t, best.CommitmentUSDPerHour, o.BestCommitmentUSDPerHour, 1e-6)
	assert.InDelta(t, float64(cost.Commitment.NoCommitment-best.TotalUSD)/days, o.CommitmentSavingUSDPerDay, 1e-6)
	assert.Greater(t, o.CommitmentSavingUSDPerDay, 0.0, "a diurnal service's base load is worth committing to")
}

// Across variants the best commitment follows the steady On-Demand usage:
// twice the api's Fargate tasks (base 2 on FARGATE, the rest split with
// FARGATE_SPOT, which no Savings Plan covers) commits more, and the
// scenario has no [billing] at all.
func TestTheBestCommitmentMovesWithTheVariantsUsage(t *testing.T) {
	p, err := NewPlan(spec(t, "web-and-batch", 1, "services.api.desired_count=6,12"))
	require.NoError(t, err)
	rows, err := Execute(p, p.RunsOf(Shard{0, 1}), Options{Workers: 1})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	small, large := rows[0].Outcome, rows[1].Outcome
	assert.Greater(t, small.BestCommitmentUSDPerHour, 0.0)
	assert.Greater(t, large.BestCommitmentUSDPerHour, small.BestCommitmentUSDPerHour)
	assert.Greater(t, large.CommitmentSavingUSDPerDay, small.CommitmentSavingUSDPerDay)
}

// A scenario with [billing] has its commitment curve priced by
// report.ComputeCost; the row reads the best commitment from there instead
// of pricing the curve again, and must hold exactly what
// report.BestCommitment prices on its own.
func TestARowsBestCommitmentIsBestCommitmentsExactly(t *testing.T) {
	sc, err := scenarios.Resolve("govcloud-commitments")
	require.NoError(t, err)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	prices := report.PricesFor(sc.Config)
	cost, err := report.ComputeCost(res, prices)
	require.NoError(t, err)
	require.NotNil(t, cost.Commitment, "the scenario has a [billing]: ComputeCost prices the curve")
	gotBest, gotSaving, err := bestCommitment(res, cost, prices)
	require.NoError(t, err)
	best, saving, err := report.BestCommitment(res, prices)
	require.NoError(t, err)
	assert.Equal(t, best, gotBest)
	assert.Equal(t, saving, gotSaving)
	assert.Greater(t, float64(saving), 0.0)
}

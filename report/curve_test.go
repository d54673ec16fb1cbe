package report

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// The commitment curve prices its some 140 bills with curvePricer, which
// works out each hour's Reserved Instances and EC2 Instance Savings Plans
// once; every bill it makes must be billFor's to the last bit (cost.json
// and a sweep's results.csv print them in full), whatever the billing
// holds and whatever the commitment: none, part of an hour's usage, more
// than all of it.
func TestTheCurvePricerBillsAsBillForDoes(t *testing.T) {
	mixed := newUsage(5*time.Hour + 20*time.Minute) // a short last hour
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 40 {
		typ := []string{"m5.large", "m5.xlarge", "m5.2xlarge", "c5.large"}[i%4]
		from := time.Duration(rng.IntN(300)) * time.Minute
		po := capacity.OnDemand
		if i%7 == 0 {
			po = capacity.Spot
		}
		mixed.instance(typ, po, from, from+time.Duration(1+rng.IntN(200))*time.Minute)
	}
	for i := range 30 {
		from := time.Duration(rng.IntN(300)) * time.Minute
		mixed.task(int32(i%2), -1, i%5 == 0, int32(256<<(i%3)), int32(512<<(i%4)), from, from+time.Duration(1+rng.IntN(120))*time.Minute)
	}
	billings := []struct {
		name string
		b    *catalog.Billing
	}{
		{"none", &catalog.Billing{CurveSteps: 20}},
		{"reserved and EC2 Instance plans", &catalog.Billing{CurveSteps: 20,
			ReservedInstances: []catalog.ReservedInstance{
				{InstanceType: "m5.large", Count: 3, Discount: 0.4},
				{InstanceType: "m5.xlarge", Count: 1, Discount: 0.3},
				{InstanceType: "c5.large", Count: 2, Discount: 0.35}},
			SavingsPlans: []catalog.SavingsPlan{
				{Type: catalog.EC2InstanceSavingsPlan, Family: "m5", CommitmentUSDPerHour: 0.15, Discount: 0.28},
				{Type: catalog.EC2InstanceSavingsPlan, Family: "c5", CommitmentUSDPerHour: 0.02, Discount: 0.3}},
			EnterpriseDiscount: 0.05}},
	}
	check := func(t *testing.T, res *sim.Result, p Prices, b *catalog.Billing) {
		t.Helper()
		u, err := meterUsage(res, &p)
		require.NoError(t, err)
		riPrice, err := riPrices(b, &p)
		require.NoError(t, err)
		plan := catalog.SavingsPlan{Type: catalog.ComputeSavingsPlan, Term: "1yr", Payment: "no_upfront", Discount: 0.27, FargateDiscount: 0.2}
		with := *b
		with.SavingsPlans = append(slices.DeleteFunc(slices.Clone(b.SavingsPlans), func(sp catalog.SavingsPlan) bool {
			return sp.Type == catalog.ComputeSavingsPlan
		}), plan)
		pr := newCurvePricer(u, &with, riPrice)
		if len(b.ReservedInstances) > 0 {
			none := billFor(u, &with, riPrice)
			assert.Positive(t, float64(none.CoveredByRIUSD), "the Reserved Instances cover some usage")
			assert.Positive(t, float64(none.CoveredBySPUSD), "the EC2 Instance plans cover some usage")
		}
		peak := 0.0
		for h := range u.lines {
			for _, l := range u.lines[h] {
				peak += l.units * l.rate
			}
		}
		for k := range 41 {
			with.SavingsPlans[len(with.SavingsPlans)-1].CommitmentUSDPerHour = peak * float64(k) / 20 / float64(len(u.lines))
			want := billFor(u, &with, riPrice)
			got := pr.bill(&with)
			require.Equal(t, want, got, "commitment %v", with.SavingsPlans[len(with.SavingsPlans)-1].CommitmentUSDPerHour)
		}
		assert.Positive(t, peak)
	}
	for _, c := range billings {
		t.Run(c.name, func(t *testing.T) { check(t, &mixed.res, DefaultPrices(), c.b) })
	}
	for _, name := range []string{"govcloud-commitments", scenarios.DefaultName} {
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.Resolve(name)
			require.NoError(t, err)
			res, err := sim.New(sc.Config).Run()
			require.NoError(t, err)
			b := &catalog.Billing{CurveSteps: 20}
			if sc.Config.Billing != nil {
				b = sc.Config.Billing
			}
			check(t, res, PricesFor(sc.Config), b)
		})
	}
}

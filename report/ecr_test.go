package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

const gib = 1 << 30

// ECR pricing: storage $0.10 per GB-month; in-region transfer free,
// cross-region at $0.02 per GB.
func TestECRPrices(t *testing.T) {
	assert.InDelta(t, 10.0, ECRStorageUSD(100*gib, 30*24*time.Hour), 1e-9, "100 GB for a month")
	assert.InDelta(t, 10.0/30, ECRStorageUSD(100*gib, 24*time.Hour), 1e-9, "100 GB for a day")
	assert.InDelta(t, 1.0, ECRTransferUSD(50*gib), 1e-9, "50 GB across regions")
	assert.Zero(t, ECRTransferUSD(0), "in-region pulls are free")
}

func TestECRIsALineOfTheBill(t *testing.T) {
	u := newUsage(2*time.Hour).instance("m5.large", capacity.OnDemand, 0, 2*time.Hour)
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 4}
	without, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.Zero(t, float64(without.Bill.ECRUSD), "no [ecr]: no line")

	u.res.Config.ECR = &capacity.ECRConfig{Region: "us-east-1"}
	u.res.ECR = capacity.ECRUsage{StoredBytes: 100 * gib, CrossRegionBytes: 50 * gib}
	with, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	want := 100*0.10*2/(30*24) + 50*0.02
	assert.InDelta(t, want, float64(with.Bill.ECRUSD), 1e-9)
	assert.InDelta(t, float64(without.Bill.TotalUSD)+want, float64(with.Bill.TotalUSD), 1e-9, "in the total, no commitment covers it")
	var hourly float64
	for _, h := range with.Bill.Hourly {
		hourly += float64(h.OtherUSD)
	}
	assert.InDelta(t, want, hourly, 1e-9, "the hours add up to the line")
}

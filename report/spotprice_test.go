package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// Spot prices that vary by zone and time price every Spot instance-second
// at the price in effect in its zone: m5.large in us-east-1a at $0.03 for
// the first hour and $0.05 after, in every other zone $0.04; an m5.xlarge
// with no series keeps the 70% discount off its $0.192. Each instance runs
// two hours; a web task holds half of a us-east-1a instance's CPU and a
// quarter of its memory from 0:30 to 1:30.
func TestVaryingSpotPricesBillEachSecondAtThePriceInEffect(t *testing.T) {
	u := newUsage(2 * time.Hour)
	u.instance("m5.large", capacity.Spot, 0, 2*time.Hour).
		instance("m5.large", capacity.Spot, 0, 2*time.Hour).
		instance("m5.xlarge", capacity.Spot, 0, 2*time.Hour)
	u.res.Instances[0].AZ, u.res.Instances[1].AZ, u.res.Instances[2].AZ = "us-east-1a", "us-east-1b", "us-east-1a"
	p := DefaultPrices()
	it, ok := p.Catalog.Lookup("m5.large")
	require.True(t, ok)
	memReg := u.res.Config.Settings.RegisteredMemoryMiB(it)
	u.task(0, 0, false, 1024, int32(memReg/4), 30*time.Minute, 90*time.Minute)
	prices := &catalog.SpotPrices{Source: "test", Series: []catalog.SpotPriceSeries{
		{Type: "m5.large", Points: []catalog.SpotPricePoint{{USDPerHour: 0.04}}},
		{Type: "m5.large", Zone: "us-east-1a", Points: []catalog.SpotPricePoint{{USDPerHour: 0.03}, {From: time.Hour, USDPerHour: 0.05}}},
	}}
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 2, SpotPrices: prices}
	p = PricesFor(u.res.Config)
	require.Same(t, prices, p.SpotPrices)
	assert.Contains(t, p.Source, "Spot: test, other types and zones at fixed discounts (choice)")

	c, err := ComputeCost(&u.res, p)
	require.NoError(t, err)
	large := (0.03 + 0.05) + 2*0.04
	xlarge := 2 * 0.192 * 0.3
	assert.InDelta(t, large+xlarge, float64(c.TotalUSD), 1e-9)
	for _, tc := range c.ByInstanceType {
		switch tc.Type {
		case "m5.large":
			assert.InDelta(t, large, float64(tc.USD), 1e-9)
			assert.InDelta(t, large/4, tc.USDPerHour, 1e-9, "the mean price paid over its four instance-hours")
		case "m5.xlarge":
			assert.InDelta(t, xlarge, float64(tc.USD), 1e-9)
		}
	}
	// Hour by hour: the us-east-1a instance's change shows in the second.
	var h0, h1 float64
	for _, v := range c.Hourly.USD[0] {
		h0 += float64(v)
	}
	for _, v := range c.Hourly.USD[1] {
		h1 += float64(v)
	}
	assert.InDelta(t, 0.03+0.04+0.192*0.3, h0, 1e-9)
	assert.InDelta(t, 0.05+0.04+0.192*0.3, h1, 1e-9)
	// The task's share: half an hour at each price, times (1/2 + 1/4) / 2.
	share := (0.5*0.03 + 0.5*0.05) * (0.5 + 0.25) / 2
	var web float64
	for _, o := range c.ByOwner {
		if o.Name == "web" {
			web = float64(o.EC2USD)
		}
	}
	assert.InDelta(t, share, web, 1e-9)
	// The bill's Spot line is the same money.
	require.NotNil(t, c.Bill)
	assert.InDelta(t, large+xlarge, float64(c.Bill.SpotUSD), 1e-9)
}

// Without varying prices the cost is as before: the same run, no series.
func TestNoSpotPricesLeaveTheDiscount(t *testing.T) {
	u := newUsage(time.Hour)
	u.instance("m5.large", capacity.Spot, 0, time.Hour)
	c, err := ComputeCost(&u.res, PricesFor(u.res.Config))
	require.NoError(t, err)
	assert.InDelta(t, 0.096*0.3, float64(c.TotalUSD), 1e-9)
	assert.Empty(t, c.Prices.SpotPriceSource)
}

// AWS Fargate pricing (us-east-1): ephemeral storage above the 20 GB each
// task includes, $0.000111 per GB-hour. A task with 50 GiB for an hour
// bills 30 x $0.000111 = $0.00333 as a line of the bill; one with the
// default nothing; a FARGATE_SPOT task pays the same storage rate.
func TestFargateEphemeralStorageAboveTheIncludedIsALineOfTheBill(t *testing.T) {
	u := newUsage(time.Hour)
	u.task(0, -1, false, 1024, 2048, 0, time.Hour).task(1, -1, false, 1024, 2048, 0, time.Hour).task(1, -1, true, 1024, 2048, 0, 30*time.Minute)
	u.res.Config.TaskDefinitions = []ecs.TaskDefinition{{Family: "big", EphemeralStorageGiB: 50}, {Family: "small"}}
	u.res.Tasks.At(0).Def, u.res.Tasks.At(1).Def, u.res.Tasks.At(2).Def = 0, 1, 0
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.Nil(t, c.Bill, "no [billing]: the list-price cost only")
	before := c.TotalUSD

	u.res.Config.Billing = &catalog.Billing{CurveSteps: 1}
	c, err = ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	require.NotNil(t, c.Bill)
	want := 30*0.000111 + 30*0.000111/2
	assert.InDelta(t, want, float64(c.Bill.FargateStorageUSD), 1e-12)
	assert.InDelta(t, float64(before)+want, float64(c.Bill.TotalUSD), 1e-9, "the bill is the usage plus the storage")
	assert.InDelta(t, want, float64(c.Bill.Hourly[0].OtherUSD), 1e-12)
}

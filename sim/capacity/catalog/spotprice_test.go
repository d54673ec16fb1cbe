package catalog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// EC2 bills Spot per second at the price in effect that second
// (https://aws.amazon.com/ec2/spot/pricing/): an hour across a change from
// $0.03 to $0.06 at half past costs half of each.
func TestASpotPriceSeriesIsPaidPerSecondAtThePriceInEffect(t *testing.T) {
	se := SpotPriceSeries{Type: "m5.large", Zone: "us-east-1a", Points: []SpotPricePoint{
		{From: -time.Hour, USDPerHour: 0.03}, {From: 30 * time.Minute, USDPerHour: 0.06}, {From: 90 * time.Minute, USDPerHour: 0.045},
	}}
	assert.InDelta(t, 0.5*0.03+0.5*0.06, se.USD(0, 3600), 1e-12)
	assert.InDelta(t, 0.06/6+0.045/6, se.USD(80*time.Minute, 20*60), 1e-12, "ten minutes at each side of the 90-minute change")
	assert.InDelta(t, 0.045*10, se.USD(2*time.Hour, 36000), 1e-12, "the last price holds past the last point")
	assert.InDelta(t, 0.03/60, se.USD(-2*time.Hour, 60), 1e-12, "before the first point its price holds")
	assert.Zero(t, se.USD(0, 0))
	assert.InDelta(t, 0.045, se.Mean(0, time.Hour), 1e-12)
	assert.Equal(t, 0.06, se.At(time.Hour))
}

// A zone's own series wins over the type's all-zone series, and a type
// with neither has none (its Spot discount prices it).
func TestSpotPricesAreLookedUpByZoneThenForAllZones(t *testing.T) {
	s := &SpotPrices{Series: []SpotPriceSeries{
		{Type: "c5.large", Zone: "", Points: []SpotPricePoint{{USDPerHour: 0.02}}},
		{Type: "m5.large", Zone: "", Points: []SpotPricePoint{{USDPerHour: 0.04}}},
		{Type: "m5.large", Zone: "us-east-1a", Points: []SpotPricePoint{{USDPerHour: 0.03}}},
	}}
	require.NotNil(t, s.Lookup("m5.large", "us-east-1a"))
	assert.Equal(t, 0.03, s.Lookup("m5.large", "us-east-1a").At(0))
	assert.Equal(t, 0.04, s.Lookup("m5.large", "us-east-1b").At(0))
	assert.Equal(t, 0.02, s.Lookup("c5.large", "us-east-1a").At(0))
	assert.Nil(t, s.Lookup("r5.large", "us-east-1a"))
	var none *SpotPrices
	assert.Nil(t, none.Lookup("m5.large", "us-east-1a"))
}

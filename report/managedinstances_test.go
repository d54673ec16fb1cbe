package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

func TestManagedInstancesFeeIsItsOwnLine(t *testing.T) {
	// AWS (Amazon ECS pricing): a c6a.2xlarge ($0.306 an hour On-Demand)
	// pays a management fee of $0.037 an hour beside it; fleetsim's 12%
	// gives $0.03672. Two hours of one instance, half in each of hours 0-2
	// of a three-hour run; per second, one minute at least.
	u := newUsage(3*time.Hour).instance("c6a.2xlarge", capacity.OnDemand, 30*time.Minute, 150*time.Minute)
	without, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.Zero(t, without.ManagedInstancesUSD, "an Auto Scaling group's instance pays no fee")
	require.Len(t, without.ByPurchase, 1)

	u.res.Config.CapacityProviders = []ecs.CapacityProviderConfig{{Name: "ec2", Group: 0,
		ManagedInstances: &ecs.ManagedInstancesConfig{ManagementFeePercent: 12}}}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	fee := 0.306 * 0.12 * 2
	assert.InDelta(t, fee, float64(c.ManagedInstancesUSD), 1e-9)
	assert.InDelta(t, float64(without.TotalUSD)+fee, float64(c.TotalUSD), 1e-9)
	require.Len(t, c.ByPurchase, 2)
	assert.Equal(t, ManagedInstancesLine, c.ByPurchase[1].Name)
	assert.InDelta(t, fee, float64(c.ByPurchase[1].USD), 1e-9)
	assert.InDelta(t, float64(without.ByProvider[0].USD)+fee, float64(c.ByProvider[0].USD), 1e-9, "in its provider's line")
	require.Len(t, c.Hourly.USD, 3)
	assert.InDelta(t, 0.306*1.12/2, float64(c.Hourly.USD[0][0]), 1e-9, "hour 0: half an hour of both")
	assert.InDelta(t, 0.306*1.12, float64(c.Hourly.USD[1][0]), 1e-9)
	assert.InDelta(t, 0.306*1.12/2, float64(c.Hourly.USD[2][0]), 1e-9)

	// One minute at least, per second.
	u = newUsage(time.Hour).instance("c6a.2xlarge", capacity.OnDemand, 0, 10*time.Second)
	u.res.Config.CapacityProviders = []ecs.CapacityProviderConfig{{Name: "ec2", Group: 0,
		ManagedInstances: &ecs.ManagedInstancesConfig{ManagementFeePercent: 12}}}
	c, err = ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.InDelta(t, 0.306*0.12/60, float64(c.ManagedInstancesUSD), 1e-12)
}

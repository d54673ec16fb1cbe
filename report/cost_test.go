package report

import (
	"github.com/fleetsim/fleetsim/sim/ecs"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
)

// usage builds a sim.Result holding only usage records, for the cost model.
type usage struct{ res sim.Result }

// newUsage starts a run of length end with one Auto Scaling group behind the
// capacity provider "ec2", FARGATE and FARGATE_SPOT, and the owners web and
// api. Memory registers whole (no kernel share) so that fractions are exact.
func newUsage(end time.Duration) *usage {
	st := sim.DefaultSettings()
	st.KernelMemoryNumerator, st.KernelMemoryDenominator = 1, 1
	return &usage{res: sim.Result{
		Config: &sim.Config{Settings: st, Groups: []capacity.GroupConfig{{Name: "asg"}}},
		End:    des.Time(end),
		Providers: []ecs.ProviderInfo{
			{Name: ecs.ProviderFargate, Fargate: true, Group: -1},
			{Name: ecs.ProviderFargateSpot, Fargate: true, Spot: true, Group: -1},
			{Name: "ec2", Group: 0},
		},
		Owners: []ecs.OwnerInfo{{Name: "web", Service: true}, {Name: "api", Service: true}},
	}}
}

func (u *usage) instance(typ string, po capacity.PurchaseOption, from, to time.Duration) *usage {
	u.res.Instances = append(u.res.Instances, sim.InstanceUsage{Provider: 2, InstanceUsage: capacity.InstanceUsage{ID: "i-" + typ, Type: typ, Group: 0,
		Purchase: po, Launched: des.Time(from), Terminated: des.Time(to)}})
	return u
}

// task adds a task of owner o on instance in (-1: Fargate, spot: FARGATE_SPOT).
func (u *usage) task(o, in int32, spot bool, cpu, mem int32, from, to time.Duration) *usage {
	prov := int32(2)
	if in < 0 {
		prov = 0
		if spot {
			prov = 1
		}
	}
	u.res.Tasks.Append(ecs.TaskUsage{Owner: o, Provider: prov, Instance: in, CPUUnits: cpu, MemoryMiB: mem,
		Start: des.Time(from), Stop: des.Time(to)})
	return u
}

func TestBilledSeconds(t *testing.T) {
	tests := []struct {
		name       string
		start, end time.Duration
		want       int64
	}{
		{"30 s bills the 60 s minimum", 0, 30 * time.Second, 60},
		{"exactly 60 s bills 60 s", 0, time.Minute, 60},
		{"90.2 s rounds up to 91 s", 10 * time.Second, 100*time.Second + 200*time.Millisecond, 91},
		{"one hour bills 3600 s", time.Hour, 2 * time.Hour, 3600},
		{"zero length still bills 60 s", time.Hour, time.Hour, 60},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, BilledSeconds(des.Time(tc.start), des.Time(tc.end), time.Minute))
		})
	}
}

// fargateX86 is 0.5 vCPU + 1 GB for one hour at us-east-1 Linux/x86 rates.
const fargateX86 = 0.5*0.04048 + 1*0.004445

func TestComputeCostGolden(t *testing.T) {
	spot60 := DefaultPrices()
	spot60.SpotDiscount = 0.6
	tests := []struct {
		name   string
		u      *usage
		prices Prices
		want   float64
	}{
		{"m5.large for 30 s bills 60 s: 60/3600 x $0.096", newUsage(time.Hour).instance("m5.large", capacity.OnDemand, 0, 30*time.Second), DefaultPrices(), 60.0 / 3600 * 0.096},
		{"m5.large for exactly 1 h = $0.096", newUsage(time.Hour).instance("m5.large", capacity.OnDemand, 0, time.Hour), DefaultPrices(), 0.096},
		{"m5.large Spot at 60% off for 1 h = 0.4 x $0.096", newUsage(time.Hour).instance("m5.large", capacity.Spot, 0, time.Hour), spot60, 0.4 * 0.096},
		{"Fargate 0.5 vCPU / 1 GB for 90 s = 90/3600 x (0.5 x 0.04048 + 1 x 0.004445)", newUsage(time.Hour).task(1, -1, false, 512, 1024, 0, 90*time.Second), DefaultPrices(), 90.0 / 3600 * fargateX86},
		{"Fargate task of 20 s bills 60 s", newUsage(time.Hour).task(1, -1, false, 512, 1024, 0, 20*time.Second), DefaultPrices(), 60.0 / 3600 * fargateX86},
		{"Fargate Spot 90 s at the default 70% off", newUsage(time.Hour).task(1, -1, true, 512, 1024, 0, 90*time.Second), DefaultPrices(), 0.3 * 90.0 / 3600 * fargateX86},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ComputeCost(&tc.u.res, tc.prices)
			require.NoError(t, err)
			assert.InDelta(t, tc.want, float64(c.TotalUSD), 1e-12)
		})
	}
}

func TestComputeCostSharesAnInstanceByReservation(t *testing.T) {
	// m5.large registers 2048 CPU units and 8192 MiB here. web: 1024 CPU (1/2)
	// and 2048 MiB (1/4) -> (1/2 + 1/4)/2 = 0.375 x $0.096 = $0.036; api: 512
	// CPU (1/4) and 4096 MiB (1/2) -> 0.375 -> $0.036; idle: $0.096 - $0.072.
	u := newUsage(time.Hour).instance("m5.large", capacity.OnDemand, 0, time.Hour).
		task(0, 0, false, 1024, 2048, 0, time.Hour).
		task(1, 0, false, 512, 4096, 0, time.Hour)
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	require.Len(t, c.ByOwner, 3)
	assert.Equal(t, "web", c.ByOwner[0].Name)
	assert.InDelta(t, 0.036, float64(c.ByOwner[0].USD), 1e-12)
	assert.Equal(t, "api", c.ByOwner[1].Name)
	assert.InDelta(t, 0.036, float64(c.ByOwner[1].USD), 1e-12)
	assert.Equal(t, IdleCapacity, c.ByOwner[2].Name)
	assert.InDelta(t, 0.024, float64(c.ByOwner[2].USD), 1e-12)
	assert.InDelta(t, 0.096, float64(c.TotalUSD), 1e-12)
}

func TestComputeCostBreakdowns(t *testing.T) {
	// An m5.large from 0:30 to 1:30 (half in each hour) and a Fargate task
	// of api, 0.5 vCPU / 1 GB, for the whole two hours.
	u := newUsage(2*time.Hour).instance("m5.large", capacity.OnDemand, 30*time.Minute, 90*time.Minute).
		task(1, -1, false, 512, 1024, 0, 2*time.Hour)
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.InDelta(t, 0.096+2*fargateX86, float64(c.TotalUSD), 1e-12)
	assert.InDelta(t, 12*(0.096+2*fargateX86), float64(c.PerDayUSD), 1e-12)
	assert.Equal(t, []string{ecs.ProviderFargate, "ec2"}, c.Hourly.Providers)
	require.Len(t, c.Hourly.USD, 2)
	for h := range 2 {
		assert.InDelta(t, fargateX86, float64(c.Hourly.USD[h][0]), 1e-12, "hour %d Fargate", h)
		assert.InDelta(t, 0.048, float64(c.Hourly.USD[h][1]), 1e-12, "hour %d EC2", h)
	}
	require.Len(t, c.ByPurchase, 2)
	assert.Equal(t, PurchaseOnDemand, c.ByPurchase[0].Name)
	assert.Equal(t, PurchaseFargate, c.ByPurchase[1].Name)
	require.Len(t, c.ByInstanceType, 1)
	assert.Equal(t, int64(3600), c.ByInstanceType[0].InstanceSeconds)
	require.Len(t, c.Fargate, 1)
	assert.Equal(t, int64(512*7200), c.Fargate[0].CPUUnitSeconds)
	assert.InDelta(t, 2*fargateX86, float64(c.ByOwner[1].FargateUSD), 1e-12)
	assert.InDelta(t, 0.096, float64(c.ByOwner[2].USD), 1e-12, "nothing reserved the instance: all idle")
}

func TestComputeCostOverrides(t *testing.T) {
	p := DefaultPrices()
	p.OnDemandUSDPerHour = map[string]float64{"m5.large": 1}
	p.SpotDiscountByType = map[string]float64{"m5.large": 0.25}
	u := newUsage(time.Hour).instance("m5.large", capacity.Spot, 0, time.Hour)
	c, err := ComputeCost(&u.res, p)
	require.NoError(t, err)
	assert.InDelta(t, 0.75, float64(c.TotalUSD), 1e-12)

	u = newUsage(time.Hour).instance("m5.nosuch", capacity.OnDemand, 0, time.Hour)
	_, err = ComputeCost(&u.res, DefaultPrices())
	assert.ErrorContains(t, err, `"m5.nosuch"`)
}

// AWS (EC2 User Guide, "Billing for interrupted Spot Instances"): a Spot
// instance that EC2 interrupts in its first hour is not charged; after the
// first hour it is charged for the seconds used; one the user terminates is
// charged for the seconds used either way. m5.large On-Demand $0.096/h, Spot
// at 70% off: $0.0288/h.
func TestSpotInstancesThatEC2InterruptsInTheirFirstHourAreFree(t *testing.T) {
	tests := []struct {
		name string
		ran  time.Duration
		end  capacity.EndReason
		want float64
	}{
		{"reclaimed at 59 min: no charge", 59 * time.Minute, capacity.EndReclaimed, 0},
		{"reclaimed at 61 min: 3660 s x 0.0288/3600", 61 * time.Minute, capacity.EndReclaimed, 3660 * 0.0288 / 3600},
		{"terminated by scale-in at 59 min: 3540 s", 59 * time.Minute, capacity.EndTerminated, 3540 * 0.0288 / 3600},
		{"failed at 59 min: not a Spot interruption, 3540 s", 59 * time.Minute, capacity.EndFailed, 3540 * 0.0288 / 3600},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := newUsage(2*time.Hour).instance("m5.large", capacity.Spot, 0, tc.ran)
			u.res.Instances[0].End = tc.end
			c, err := ComputeCost(&u.res, DefaultPrices())
			require.NoError(t, err)
			assert.InDelta(t, tc.want, float64(c.TotalUSD), 1e-6)
		})
	}
	t.Run("a free instance's tasks are not charged for it either", func(t *testing.T) {
		u := newUsage(2*time.Hour).instance("m5.large", capacity.Spot, 0, 30*time.Minute).task(0, 0, false, 1024, 4096, 0, 30*time.Minute)
		u.res.Instances[0].End = capacity.EndReclaimed
		c, err := ComputeCost(&u.res, DefaultPrices())
		require.NoError(t, err)
		for _, o := range c.ByOwner {
			assert.Zero(t, float64(o.USD), o.Name)
		}
	})
}

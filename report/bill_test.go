package report

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// awsExampleHour is the usage and rates of the example in AWS's Savings
// Plans User Guide, "Understanding how Savings Plans apply to your AWS
// usage" (https://docs.aws.amazon.com/savingsplans/latest/userguide/sp-applying.html,
// the c5 edition; "the prices in this example are illustrative only"), in
// one hour: 1 c5.9xlarge Linux ($4.00 On-Demand, $2.00 Compute Savings
// Plans rate, 50%), 1 c5.24xlarge Windows ($10.00, $8.00, 20%), 10 vCPU of
// Fargate ($1.50, $1.00, 33.3%) and 5 GB of Fargate ($2.00, $1.00, 50%).
func awsExampleHour() ([]usageLine, func(usageLine) (float64, bool)) {
	cpu := func(n float64) float64 { return n * 1024 * 3600 } // vCPU-hours as CPU-unit-seconds
	lines := []usageLine{
		{key: lineKey{kind: lineEC2, typ: "c5.9xlarge"}, units: 3600, rate: 4.0 / 3600},
		{key: lineKey{kind: lineEC2, typ: "c5.24xlarge"}, units: 3600, rate: 10.0 / 3600},
		{key: lineKey{kind: lineFargateCPU}, units: cpu(10), rate: 1.5 / cpu(1)},
		{key: lineKey{kind: lineFargateMem}, units: cpu(5), rate: 2.0 / cpu(1)},
	}
	for i := range lines {
		lines[i].left = lines[i].units
	}
	d := map[lineKey]float64{lines[0].key: 0.5, lines[1].key: 0.2, lines[2].key: 1 - 1.0/1.5, lines[3].key: 0.5}
	return lines, func(l usageLine) (float64, bool) { return d[l.key], true }
}

func onDemandLeft(lines []usageLine) float64 {
	var s float64
	for _, l := range lines {
		s += l.left * l.rate
	}
	return s
}

// AWS's scenario 1: a $25.00/hour Compute Savings Plan covers all of the
// hour's usage, and "you will pay $25.00 in that hour".
func TestAWSSavingsPlansExampleScenario1CoversAllUsage(t *testing.T) {
	lines, d := awsExampleHour()
	used, covered := applyRates(lines, 25, d)
	assert.InDelta(t, 25, used, 1e-9)
	assert.InDelta(t, 4+10+15+10, covered, 1e-9, "the On-Demand value of all of it")
	assert.InDelta(t, 0, onDemandLeft(lines), 1e-9)
}

// The same hour with a $10.00/hour commitment, by the page's rules: the
// highest savings percentage first, and of equal percentages (the
// c5.9xlarge and Fargate GB, 50% each) the lower Savings Plans rate first
// (GB at $1.00 before the instance at $2.00). $5 covers the 5 GB, $2 the
// c5.9xlarge, the last $3 three of the ten vCPU (33.3%); the c5.24xlarge
// (20%) stays On-Demand. The hour costs $10 + 7 x $1.50 + $10 = $30.50.
func TestAWSSavingsPlansOrderHighestPercentageThenLowestRate(t *testing.T) {
	lines, d := awsExampleHour()
	used, covered := applyRates(lines, 10, d)
	assert.InDelta(t, 10, used, 1e-9)
	assert.InDelta(t, 10+4+4.5, covered, 1e-9)
	assert.InDelta(t, 0, lines[3].left, 1e-9, "Fargate GB covered first")
	assert.InDelta(t, 0, lines[0].left, 1e-9, "then the c5.9xlarge")
	assert.InDelta(t, 7*1.5, lines[2].left*lines[2].rate, 1e-9, "three of ten vCPU covered")
	assert.InDelta(t, 3600, lines[1].left, 1e-9, "the 20% line is not reached")
	assert.InDelta(t, 30.5, used+onDemandLeft(lines), 1e-9)

	lines, d = awsExampleHour()
	used, _ = applyRates(lines, 1, d)
	assert.InDelta(t, 1, used, 1e-9)
	assert.InDelta(t, 4*2.0, lines[3].left*lines[3].rate, 1e-9, "$1 buys one GB-hour of the five...")
	assert.InDelta(t, 4, lines[0].left*lines[0].rate, 1e-9, "...and nothing of the instance")
}

// The acceptance case: a Compute Savings Plan of $1/hour over a mixed hour
// of 10 m5.large (us-east-1 $0.096 each) and 10 vCPU / 20 GB of Fargate
// Linux/x86 ($0.04048 per vCPU-hour, $0.004445 per GB-hour), EC2 at 30% off
// and Fargate at 20% off. EC2 first (30% > 20%): $0.672 covers it all. Of
// the $0.328 left, Fargate GB (the lower Savings Plans rate of the two 20%
// lines) takes 20 x 0.004445 x 0.8 = $0.07112, vCPU the last $0.25688,
// which covers $0.3211 of its $0.4048. The hour: $1 + $0.0837 On-Demand.
func TestComputeSavingsPlanOverAMixedEC2AndFargateHour(t *testing.T) {
	u := newUsage(time.Hour)
	for range 10 {
		u.instance("m5.large", capacity.OnDemand, 0, time.Hour)
	}
	u.task(0, -1, false, 10*1024, 20*1024, 0, time.Hour)
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 20, SavingsPlans: []catalog.SavingsPlan{
		{Type: catalog.ComputeSavingsPlan, CommitmentUSDPerHour: 1, Term: "1yr", Payment: "no_upfront", Discount: 0.3, FargateDiscount: 0.2}}}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	b := c.Bill
	require.NotNil(t, b)
	fargateOD := 10*0.04048 + 20*0.004445
	assert.InDelta(t, 0.96+fargateOD, float64(b.EligibleUSD), 1e-6)
	vcpuLeft := 10*0.04048 - (1-0.672-20*0.004445*0.8)/0.8
	assert.InDelta(t, vcpuLeft, float64(b.OnDemandUSD), 1e-6)
	assert.InDelta(t, 1+vcpuLeft, float64(b.TotalUSD), 1e-6)
	assert.InDelta(t, 1, float64(b.SavingsPlans[0].Utilisation), 1e-9)
	assert.InDelta(t, (0.96+fargateOD-vcpuLeft)/(0.96+fargateOD), float64(b.Coverage), 1e-6)
	assert.InDelta(t, float64(c.TotalUSD), float64(b.EligibleUSD), 1e-6, "the On-Demand bill is the eligible usage")
}

// AWS whitepaper "Amazon EC2 Reserved Instances and Other AWS Reservation
// Models", Usage billing
// (https://docs.aws.amazon.com/whitepapers/latest/cost-optimization-reservation-models/usage-billing.html):
// "if you purchase one m4.xlarge Reserved Instance and run four m4.xlarge
// instances concurrently for one hour, one instance is charged at one hour
// of Reserved Instance usage and the other three instances are charged at
// three hours of On-Demand"; four for 15 minutes each in the same hour:
// "one hour of Reserved Instance usage and 0 hours of On-Demand".
func TestAReservedInstanceCoversAtMost3600InstanceSecondsPerClockHour(t *testing.T) {
	p := DefaultPrices()
	od, err := p.InstanceUSDPerHour("m4.xlarge", capacity.OnDemand)
	require.NoError(t, err)
	ri := []catalog.ReservedInstance{{InstanceType: "m4.xlarge", Count: 1, Term: "1yr", Payment: "no_upfront", Discount: 0.4}}
	fee := od * 0.6

	u := newUsage(time.Hour)
	for range 4 {
		u.instance("m4.xlarge", capacity.OnDemand, 0, time.Hour)
	}
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 4, ReservedInstances: ri}
	c, err := ComputeCost(&u.res, p)
	require.NoError(t, err)
	assert.InDelta(t, 3*od, float64(c.Bill.OnDemandUSD), 1e-9, "three hours On-Demand")
	assert.InDelta(t, fee, float64(c.Bill.ReservedInstanceUSD), 1e-9)
	assert.InDelta(t, od, float64(c.Bill.CoveredByRIUSD), 1e-9)
	assert.InDelta(t, 1, float64(c.Bill.ReservedInstances[0].Utilisation), 1e-9)

	u = newUsage(time.Hour)
	for i := range 4 {
		from := time.Duration(i) * 15 * time.Minute
		u.instance("m4.xlarge", capacity.OnDemand, from, from+15*time.Minute)
	}
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 4, ReservedInstances: ri}
	c, err = ComputeCost(&u.res, p)
	require.NoError(t, err)
	assert.InDelta(t, 0, float64(c.Bill.OnDemandUSD), 1e-9, "0 hours On-Demand")
	assert.InDelta(t, fee, float64(c.Bill.TotalUSD), 1e-9)
}

// A reservation is paid every hour whether used or not (the whitepaper:
// "billed for every clock-hour during the term you select, regardless of
// whether an instance is running").
func TestAnUnusedReservedInstanceIsStillPaid(t *testing.T) {
	u := newUsage(2 * time.Hour)
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 4, ReservedInstances: []catalog.ReservedInstance{{InstanceType: "m5.large", Count: 2, Discount: 0.36}}}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.InDelta(t, 2*2*0.096*0.64, float64(c.Bill.TotalUSD), 1e-9)
	assert.Zero(t, float64(c.Bill.ReservedInstances[0].Utilisation))
}

// A zonal RI matches its type in its zone only; a regional one any zone and,
// by normalization factor, any size of its family (one m5.xlarge, 8 units,
// covers two m5.large, 4 units each), smallest first.
func TestZonalAndRegionalReservedInstancesMatch(t *testing.T) {
	run := func(ri catalog.ReservedInstance, types ...string) *Bill {
		u := newUsage(time.Hour)
		for _, typ := range types {
			u.instance(typ, capacity.OnDemand, 0, time.Hour)
			u.res.Instances[len(u.res.Instances)-1].AZ = "us-east-1a"
		}
		ri.Count, ri.Discount = 1, 0.5
		u.res.Config.Billing = &catalog.Billing{CurveSteps: 2, ReservedInstances: []catalog.ReservedInstance{ri}}
		c, err := ComputeCost(&u.res, DefaultPrices())
		require.NoError(t, err)
		return c.Bill
	}
	b := run(catalog.ReservedInstance{InstanceType: "m5.large", Zone: "us-east-1b"}, "m5.large")
	assert.InDelta(t, 0.096, float64(b.OnDemandUSD), 1e-9, "another zone: not covered")
	b = run(catalog.ReservedInstance{InstanceType: "m5.large", Zone: "us-east-1a"}, "m5.large")
	assert.InDelta(t, 0, float64(b.OnDemandUSD), 1e-9)
	b = run(catalog.ReservedInstance{InstanceType: "m5.xlarge"}, "m5.large", "m5.large", "m5.2xlarge")
	assert.InDelta(t, 0.384, float64(b.OnDemandUSD), 1e-9, "both m5.large covered, the m5.2xlarge not")
	assert.InDelta(t, 1, float64(b.ReservedInstances[0].Utilisation), 1e-9)
	b = run(catalog.ReservedInstance{InstanceType: "m5.xlarge"}, "c5.large")
	assert.InDelta(t, 0.085, float64(b.OnDemandUSD), 1e-9, "another family: not covered")
}

// Reserved Instances apply before Savings Plans, and EC2 Instance Savings
// Plans before Compute Savings Plans (sp-applying.html: "Savings Plans apply
// to your usage after the Amazon EC2 Reserved Instances (RI) are applied";
// "EC2 Instance Savings Plans are applied before Compute Savings Plans").
func TestReservedInstancesThenEC2InstancePlansThenComputePlans(t *testing.T) {
	u := newUsage(time.Hour)
	for range 3 {
		u.instance("m5.large", capacity.OnDemand, 0, time.Hour)
	}
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 2,
		ReservedInstances: []catalog.ReservedInstance{{InstanceType: "m5.large", Count: 1, Discount: 0.4}},
		SavingsPlans: []catalog.SavingsPlan{ // listed Compute first: the order of application is AWS's, not the list's
			{Type: catalog.ComputeSavingsPlan, CommitmentUSDPerHour: 0.5, Discount: 0.25, FargateDiscount: 0.25},
			{Type: catalog.EC2InstanceSavingsPlan, Family: "m5", CommitmentUSDPerHour: 0.0576, Discount: 0.4},
		}}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	b := c.Bill
	assert.InDelta(t, 0.096, float64(b.CoveredByRIUSD), 1e-9, "the RI takes the first instance")
	assert.InDelta(t, 0.096, float64(b.SavingsPlans[1].CoveredUSD), 1e-9, "the EC2 Instance plan's $0.0576 the second")
	assert.InDelta(t, 0.096, float64(b.SavingsPlans[0].CoveredUSD), 1e-9, "the Compute plan the third")
	assert.InDelta(t, 0.072/0.5, float64(b.SavingsPlans[0].Utilisation), 1e-9)
	assert.InDelta(t, (0.0576+0.072)/(0.0576+0.5), float64(b.Hourly[0].Utilisation), 1e-9, "the hour's plans together")
	assert.InDelta(t, 1, float64(b.Hourly[0].Coverage), 1e-9)
	assert.InDelta(t, 0, float64(b.OnDemandUSD), 1e-9)
	assert.InDelta(t, 0.096*0.6+0.0576+0.5, float64(b.TotalUSD), 1e-9)
}

func TestSpotIsNeverCoveredAndTheBillMatchesTheCostWithoutCommitments(t *testing.T) {
	u := newUsage(3 * time.Hour)
	u.instance("m5.large", capacity.OnDemand, 0, 3*time.Hour).
		instance("m5.xlarge", capacity.Spot, 10*time.Minute, 2*time.Hour).
		task(0, -1, false, 512, 1024, 0, 150*time.Minute).
		task(1, -1, true, 1024, 2048, time.Hour, 3*time.Hour)
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 2}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.InDelta(t, float64(c.TotalUSD), float64(c.Bill.TotalUSD), 1e-9)
	spot := 110.0/60*0.192*0.3 + 2*(0.04048+2*0.004445)*0.3
	assert.InDelta(t, spot, float64(c.Bill.SpotUSD), 1e-9)

	u.res.Config.Billing = &catalog.Billing{CurveSteps: 2, SavingsPlans: []catalog.SavingsPlan{{Type: catalog.ComputeSavingsPlan, CommitmentUSDPerHour: 100, Discount: 0.3, FargateDiscount: 0.3}}}
	c, err = ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.InDelta(t, spot, float64(c.Bill.SpotUSD), 1e-9, "Spot stays Spot")
	assert.InDelta(t, 0, float64(c.Bill.OnDemandUSD), 1e-9)
}

// AWS Fargate pricing (https://aws.amazon.com/fargate/pricing/), us-east-1:
// Linux/ARM $0.03238 per vCPU-hour and $0.00356 per GB-hour; Windows/x86
// $0.09148 per vCPU-hour plus $0.046 per vCPU-hour of OS licence, and
// $0.01005 per GB-hour. A 1 vCPU / 2 GB task for an hour.
func TestFargateARMAndWindowsTasksArePricedAtTheirRates(t *testing.T) {
	run := func(b *catalog.Billing) float64 {
		u := newUsage(time.Hour)
		u.task(0, -1, false, 1024, 2048, 0, time.Hour)
		u.res.Config.Billing = b
		c, err := ComputeCost(&u.res, PricesFor(u.res.Config))
		require.NoError(t, err)
		return float64(c.TotalUSD)
	}
	assert.InDelta(t, 0.04048+2*0.004445, run(nil), 1e-9)
	assert.InDelta(t, 0.03238+2*0.00356, run(&catalog.Billing{OperatingSystem: "linux", FargateArchitecture: "arm64", CurveSteps: 2}), 1e-9)
	assert.InDelta(t, 0.09148+0.046+2*0.01005, run(&catalog.Billing{OperatingSystem: "windows", FargateArchitecture: "x86_64", CurveSteps: 2}), 1e-9)
}

// AWS Fargate pricing (us-east-1), Windows/X86: $0.09148 per vCPU-hour plus
// the OS licence fee of $0.046 per vCPU-hour, and $0.01005 per GB-hour. A
// 1 vCPU / 2 GB Windows task that runs 5 minutes is billed 5 minutes,
// (0.09148 + 0.046 + 2 x 0.01005) / 12 = $0.0131317; with
// fargate_windows_minimum_minutes = 15 it is billed 15,
// 0.15758 / 4 = $0.039395. A Linux task keeps the one-minute minimum.
func TestAWindowsFargateTaskIsBilledItsMinimum(t *testing.T) {
	run := func(b *catalog.Billing, runFor time.Duration) float64 {
		u := newUsage(time.Hour)
		u.task(0, -1, false, 1024, 2048, 0, runFor)
		u.res.Config.Billing = b
		c, err := ComputeCost(&u.res, PricesFor(u.res.Config))
		require.NoError(t, err)
		require.NotNil(t, c.Bill)
		return float64(c.Bill.TotalUSD)
	}
	windows := func(minimum time.Duration) *catalog.Billing {
		return &catalog.Billing{OperatingSystem: "windows", FargateArchitecture: "x86_64", CurveSteps: 2, FargateWindowsMinimum: minimum}
	}
	hourly := 0.09148 + 0.046 + 2*0.01005
	assert.InDelta(t, 0.15758, hourly, 1e-12)
	assert.InDelta(t, hourly/12, run(windows(0), 5*time.Minute), 1e-9, "default: billed as run")
	assert.InDelta(t, 0.039395, run(windows(15*time.Minute), 5*time.Minute), 1e-9, "15-minute minimum")
	assert.InDelta(t, hourly/2, run(windows(15*time.Minute), 30*time.Minute), 1e-9, "longer than the minimum: as run")
	linux := &catalog.Billing{OperatingSystem: "linux", FargateArchitecture: "x86_64", CurveSteps: 2, FargateWindowsMinimum: 15 * time.Minute}
	assert.InDelta(t, (0.04048+2*0.004445)/12, run(linux, 5*time.Minute), 1e-9, "Linux: no Windows minimum")
	assert.InDelta(t, (0.04048+2*0.004445)/60, run(linux, 10*time.Second), 1e-9, "Linux: one minute at least")
}

// karpenter-provider-aws 1d927085, zz_generated.pricing_aws_us_gov.go: an
// m5.large is $0.121 per hour in us-gov-west-1 (us-east-1: $0.096).
func TestTheScenariosRegionChoosesTheEC2Prices(t *testing.T) {
	u := newUsage(time.Hour)
	u.instance("m5.large", capacity.OnDemand, 0, time.Hour)
	u.res.Config.Region = "us-gov-west-1"
	p := PricesFor(u.res.Config)
	assert.Equal(t, "us-gov-west-1", p.Region)
	c, err := ComputeCost(&u.res, p)
	require.NoError(t, err)
	assert.InDelta(t, 0.121, float64(c.TotalUSD), 1e-9)

	u.task(0, -1, false, 1024, 2048, 0, time.Hour)
	_, err = ComputeCost(&u.res, p)
	assert.ErrorContains(t, err, "no Fargate prices for region us-gov-west-1")

	u.res.Config.Region = "ap-southeast-3"
	_, err = ComputeCost(&u.res, PricesFor(u.res.Config))
	assert.ErrorContains(t, err, `no price table for region "ap-southeast-3"`)
}

// The AWS Pricing Calculator's On-Demand Linux feed (as libcloud read it on
// 2022-05-22, catalog.CalculatorPriceSource): an m5.large is $0.107 an hour
// in eu-west-1, so a day of two is 2 x 24 x $0.107 = $5.136. No Fargate
// rate for eu-west-1 was at hand: a Fargate task there is an error naming
// the region.
func TestAnM5LargeInEUWest1(t *testing.T) {
	u := newUsage(24 * time.Hour)
	u.instance("m5.large", capacity.OnDemand, 0, 24*time.Hour)
	u.instance("m5.large", capacity.OnDemand, 0, 24*time.Hour)
	u.res.Config.Region = "eu-west-1"
	p := PricesFor(u.res.Config)
	assert.Equal(t, "eu-west-1", p.Region)
	c, err := ComputeCost(&u.res, p)
	require.NoError(t, err)
	assert.InDelta(t, 5.136, float64(c.TotalUSD), 1e-9)
	require.Len(t, c.ByInstanceType, 1)
	assert.Equal(t, "m5.large", c.ByInstanceType[0].Type)
	assert.InDelta(t, 0.107, c.ByInstanceType[0].USDPerHour, 1e-9)

	u.task(0, -1, false, 1024, 2048, 0, time.Hour)
	_, err = ComputeCost(&u.res, p)
	assert.ErrorContains(t, err, "no Fargate prices for region eu-west-1")
}

// With steady usage the best commitment covers it all; with a short peak
// the best stays at the base: a dollar committed above the base is used
// only in the peak hours, fewer than (1 - discount) of them.
func TestTheCommitmentCurveFindsTheBestCommitment(t *testing.T) {
	u := newUsage(24 * time.Hour)
	for range 10 {
		u.instance("m5.large", capacity.OnDemand, 0, 24*time.Hour)
	}
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 20}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	cc := c.Commitment
	require.NotNil(t, cc)
	d := catalog.DefaultDiscount(catalog.ComputeSavingsPlan, "1yr", "no_upfront")
	assert.InDelta(t, 0.96, cc.PeakUSDPerHour, 1e-9)
	assert.Len(t, cc.Points, 21)
	assert.InDelta(t, 24*0.96, float64(cc.NoCommitment), 1e-9)
	assert.InDelta(t, 0.96*(1-d), cc.Best.CommitmentUSDPerHour, 1e-5)
	assert.InDelta(t, 24*0.96*(1-d), float64(cc.Best.TotalUSD), 1e-4)
	assert.InDelta(t, 1-d, float64(cc.BreakEvenUtilisation), 1e-12)

	for range 10 { // a 3-hour peak doubling the fleet
		u.instance("m5.large", capacity.OnDemand, 10*time.Hour, 13*time.Hour)
	}
	c, err = ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	cc = c.Commitment
	assert.InDelta(t, 1.92, cc.PeakUSDPerHour, 1e-9)
	assert.InDelta(t, 0.96*(1-d), cc.Best.CommitmentUSDPerHour, 1e-5)
	for i := 1; i < len(cc.Points); i++ { // convex: the slope never falls
		if i >= 2 {
			s1 := float64(cc.Points[i-1].TotalUSD - cc.Points[i-2].TotalUSD)
			s2 := float64(cc.Points[i].TotalUSD - cc.Points[i-1].TotalUSD)
			assert.GreaterOrEqual(t, s2, s1-1e-9)
		}
	}
}

func TestNoBillingTableLeavesTheCostAsBefore(t *testing.T) {
	u := newUsage(time.Hour)
	u.instance("m5.large", capacity.OnDemand, 0, time.Hour)
	c, err := ComputeCost(&u.res, PricesFor(u.res.Config))
	require.NoError(t, err)
	assert.Nil(t, c.Bill)
	assert.Nil(t, c.Commitment)
}

// Two Compute plans, $0.06/hour each, at 25% and 50% off, over two
// m5.large ($0.096 each): applied together, highest savings percentage
// first, the 50% plan covers the first instance ($0.048) and a quarter of
// the second ($0.012 buys $0.024); the 25% plan the rest ($0.072 for
// $0.054). Listed the other way round, the same.
func TestPlansOfOneTypeApplyTogetherHighestPercentageFirst(t *testing.T) {
	for _, order := range [][2]float64{{0.25, 0.5}, {0.5, 0.25}} {
		u := newUsage(time.Hour)
		u.instance("m5.large", capacity.OnDemand, 0, time.Hour).instance("m5.large", capacity.OnDemand, 0, time.Hour)
		u.res.Config.Billing = &catalog.Billing{CurveSteps: 2, SavingsPlans: []catalog.SavingsPlan{
			{Type: catalog.ComputeSavingsPlan, CommitmentUSDPerHour: 0.06, Discount: order[0], FargateDiscount: order[0]},
			{Type: catalog.ComputeSavingsPlan, CommitmentUSDPerHour: 0.06, Discount: order[1], FargateDiscount: order[1]},
		}}
		c, err := ComputeCost(&u.res, DefaultPrices())
		require.NoError(t, err)
		half, quarter := 1, 0
		if order[0] == 0.5 {
			half, quarter = 0, 1
		}
		sp := c.Bill.SavingsPlans
		assert.InDelta(t, 0.096+0.024, float64(sp[half].CoveredUSD), 1e-9)
		assert.InDelta(t, 0.06, float64(sp[half].UsedUSD), 1e-9)
		assert.InDelta(t, 0.072, float64(sp[quarter].CoveredUSD), 1e-9)
		assert.InDelta(t, 0.054, float64(sp[quarter].UsedUSD), 1e-9)
		assert.InDelta(t, 0, float64(c.Bill.OnDemandUSD), 1e-9)
		assert.InDelta(t, 0.12, float64(c.Bill.TotalUSD), 1e-9)
	}
}

// An enterprise discount comes off the whole bill, after the commitments.
func TestAnEnterpriseDiscountComesOffTheBill(t *testing.T) {
	u := newUsage(time.Hour)
	u.instance("m5.large", capacity.OnDemand, 0, time.Hour).instance("m5.large", capacity.OnDemand, 0, time.Hour)
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 2, EnterpriseDiscount: 0.1,
		ReservedInstances: []catalog.ReservedInstance{{InstanceType: "m5.large", Count: 1, Discount: 0.5}}}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	gross := 0.096*0.5 + 0.096
	assert.InDelta(t, gross*0.1, float64(c.Bill.EnterpriseDiscountUSD), 1e-9)
	assert.InDelta(t, gross*0.9, float64(c.Bill.TotalUSD), 1e-9)
	assert.InDelta(t, gross*0.9, float64(c.Bill.Hourly[0].TotalUSD), 1e-9)
	assert.Equal(t, "standard", c.Bill.ReservedInstances[0].Class)
}

// The commitment figure: drawn with a [billing] table, its caption giving
// the best commitment, coverage and utilisation; absent without one.
func TestTheCommitmentFigureShowsTheCurve(t *testing.T) {
	u := newUsage(24 * time.Hour)
	for range 4 {
		u.instance("m5.large", capacity.OnDemand, 0, 24*time.Hour)
	}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	f, err := commitmentFigure(&u.res, c)
	require.NoError(t, err)
	assert.Nil(t, f, "no [billing]: no figure")

	u.res.Config.Billing = &catalog.Billing{CurveSteps: 10, SavingsPlans: []catalog.SavingsPlan{
		{Type: catalog.ComputeSavingsPlan, CommitmentUSDPerHour: 0.1, Discount: 0.27, FargateDiscount: 0.27}}}
	c, err = ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	f, err = commitmentFigure(&u.res, c)
	require.NoError(t, err)
	require.NotNil(t, f)
	assert.Contains(t, f.Caption, "Best: $0.280 per hour")
	assert.Contains(t, f.Caption, "coverage 36%")
	assert.Contains(t, f.Caption, "plan 1 (compute, $0.1/h) utilisation 100%")
	svg, err := f.SVG()
	require.NoError(t, err)
	assert.Contains(t, string(svg), "as bought")
}

// Public IPv4: "$0.005 per IP per hour" (AWS News Blog, "New – AWS Public
// IPv4 Address Charge + Public IP Insights", from February 1, 2024): one
// address for a day is $0.12, on an instance or a Fargate task alike.
func TestPublicIPv4ForADay(t *testing.T) {
	u := newUsage(24 * time.Hour)
	u.instance("m5.large", capacity.OnDemand, 0, 24*time.Hour)
	u.task(0, -1, false, 256, 512, 0, 24*time.Hour)
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 2, PublicIPv4PerInstance: 1, PublicIPv4PerFargateTask: 1}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.InDelta(t, 2*0.12, float64(c.Bill.PublicIPv4USD), 1e-9)
	assert.InDelta(t, float64(c.TotalUSD)+0.24, float64(c.Bill.TotalUSD), 1e-9, "beside the compute")
	var hourly USD
	for _, h := range c.Bill.Hourly {
		hourly += h.TotalUSD
	}
	assert.InDelta(t, float64(c.Bill.TotalUSD), float64(hourly), 1e-9)
}

// gp3 (https://aws.amazon.com/ebs/pricing/, Example 1): "a 2,000 GB volume
// for 12 hours (43,200 seconds) in a 30-day month ... $0.08 per GB-month *
// 2,000 GB * 43,200 seconds / (86,400 seconds/day * 30-day month)" =
// $2.667; a 30 GB root volume for a 30-day month is $2.40.
func TestGP3RootVolumesAreBilledPerGBMonth(t *testing.T) {
	u := newUsage(12 * time.Hour)
	u.instance("m5.large", capacity.OnDemand, 0, 12*time.Hour)
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 2, EBSRootGB: 2000}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.InDelta(t, 0.08*2000*43200/(86400*30), float64(c.Bill.EBSUSD), 1e-9)
	assert.InDelta(t, 2.666667, float64(c.Bill.EBSUSD), 1e-6)

	u = newUsage(30 * 24 * time.Hour)
	u.instance("m5.large", capacity.OnDemand, 0, 30*24*time.Hour)
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 2, EBSRootGB: 30}
	c, err = ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	assert.InDelta(t, 2.40, float64(c.Bill.EBSUSD), 1e-9)
}

// [billing] on_demand_usd_per_hour and spot_discount_by_type override the
// table per type, and cost.json's prices list them.
func TestBillingPriceOverridesPriceTheRun(t *testing.T) {
	u := newUsage(time.Hour)
	u.instance("m5.large", capacity.OnDemand, 0, time.Hour).instance("m5.xlarge", capacity.Spot, 0, time.Hour)
	u.res.Config.Settings.SpotDiscount = 0.7
	u.res.Config.Billing = &catalog.Billing{CurveSteps: 2, OnDemandUSDPerHour: map[string]float64{"m5.large": 0.08},
		SpotDiscountByType: map[string]float64{"m5.xlarge": 0.5}}
	p := PricesFor(u.res.Config)
	c, err := ComputeCost(&u.res, p)
	require.NoError(t, err)
	assert.InDelta(t, 0.08+0.192*0.5, float64(c.TotalUSD), 1e-9)
	assert.Equal(t, map[string]float64{"m5.large": 0.08}, c.Prices.OnDemandUSDPerHour)
}

// Seeded random runs: whatever the usage, the best commitment is no worse
// than any point of the curve, the curve is convex, coverage and
// utilisation stay in [0, 1], and the hours add up to the bill.
func TestTheBillAndCurveHoldTheirInvariantsOnRandomUsage(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 1))
	types := []string{"m5.large", "m5.xlarge", "c5.large", "m6g.large"}
	for run := range 50 {
		end := time.Duration(2+r.IntN(30)) * time.Hour
		u := newUsage(end)
		for range 1 + r.IntN(12) {
			from := time.Duration(r.Int64N(int64(end)))
			to := from + time.Duration(r.Int64N(int64(end-from)+1))
			po := capacity.OnDemand
			if r.IntN(4) == 0 {
				po = capacity.Spot
			}
			u.instance(types[r.IntN(len(types))], po, from, to)
			u.res.Instances[len(u.res.Instances)-1].AZ = "us-east-1" + string(rune('a'+r.IntN(3)))
		}
		for range r.IntN(8) {
			from := time.Duration(r.Int64N(int64(end)))
			u.task(int32(r.IntN(2)), -1, r.IntN(3) == 0, int32(256<<r.IntN(4)), int32(512<<r.IntN(4)), from, from+time.Duration(r.Int64N(int64(end-from)+1)))
		}
		d := 0.1 + 0.5*r.Float64()
		u.res.Config.Billing = &catalog.Billing{CurveSteps: 1 + r.IntN(25),
			ReservedInstances: []catalog.ReservedInstance{{InstanceType: types[r.IntN(len(types))], Count: r.IntN(3), Discount: 0.4}},
			SavingsPlans: []catalog.SavingsPlan{
				{Type: catalog.ComputeSavingsPlan, CommitmentUSDPerHour: r.Float64(), Discount: d, FargateDiscount: d * r.Float64()},
				{Type: catalog.EC2InstanceSavingsPlan, Family: "m5", CommitmentUSDPerHour: 0.2 * r.Float64(), Discount: 0.4},
			}}
		c, err := ComputeCost(&u.res, DefaultPrices())
		require.NoError(t, err, "run %d", run)
		b, cc := c.Bill, c.Commitment
		var sum USD
		for _, h := range b.Hourly {
			sum += h.TotalUSD
			assert.True(t, h.Coverage >= 0 && h.Coverage <= 1 && h.Utilisation >= 0 && h.Utilisation <= 1, "run %d", run)
		}
		assert.InDelta(t, float64(b.TotalUSD), float64(sum), 1e-6, "run %d: the hours add up", run)
		assert.LessOrEqual(t, float64(b.CoveredByRIUSD+b.CoveredBySPUSD), float64(b.EligibleUSD)+1e-9, "run %d", run)
		for _, sp := range b.SavingsPlans {
			assert.LessOrEqual(t, float64(sp.UsedUSD), float64(sp.CommittedUSD)+1e-9, "run %d", run)
		}
		for i, pt := range cc.Points {
			assert.LessOrEqual(t, float64(cc.Best.TotalUSD), float64(pt.TotalUSD)+1e-9, "run %d: best <= point %d", run, i)
			if i >= 2 && cc.PeakUSDPerHour > 0 {
				s1 := float64(cc.Points[i-1].TotalUSD-cc.Points[i-2].TotalUSD) / (cc.Points[i-1].CommitmentUSDPerHour - cc.Points[i-2].CommitmentUSDPerHour)
				s2 := float64(pt.TotalUSD-cc.Points[i-1].TotalUSD) / (pt.CommitmentUSDPerHour - cc.Points[i-1].CommitmentUSDPerHour)
				assert.GreaterOrEqual(t, s2, s1-1e-3, "run %d: convex at point %d", run, i)
			}
		}
	}
}

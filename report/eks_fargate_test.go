package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// Per second, rounded up, one-minute minimum, at the Linux/x86 rates
// ($0.04048 per vCPU-hour, $0.004445 per GB-hour, us-east-1).
func TestComputeEKSFargateCostPerSecondOneMinuteMinimum(t *testing.T) {
	p := DefaultPrices()
	usage := []eks.FargatePodUsage{
		// 2 vCPU / 9 GB (AWS's 1 vCPU + 8 GB example) for 30 s: billed 60 s.
		{Pod: "api-1", Profile: "web", CPU: 2048, MemoryMiB: 9 * 1024, Start: des.At(time.Minute), Stop: des.At(time.Minute + 30*time.Second)},
		// 0.25 vCPU / 0.5 GB for 90.2 s: billed 91 s.
		{Pod: "job-1", Profile: "batch", CPU: 256, MemoryMiB: 512, Start: 0, Stop: des.At(90*time.Second + 200*time.Millisecond)},
	}
	c := ComputeEKSFargateCost(usage, p)
	require.NotNil(t, c)
	api := (2*0.04048 + 9*0.004445) * 60 / 3600
	job := (0.25*0.04048 + 0.5*0.004445) * 91 / 3600
	assert.InDelta(t, api+job, float64(c.USD), 1e-12)
	assert.Equal(t, 2, c.Pods)
	assert.InDelta(t, (2*60+0.25*91)/3600.0, c.VCPUHours, 1e-12)
	assert.InDelta(t, (9*60+0.5*91)/3600.0, c.GBHours, 1e-12)
	require.Len(t, c.ByProfile, 2)
	assert.Equal(t, "batch", c.ByProfile[0].Profile)
	assert.InDelta(t, job, float64(c.ByProfile[0].USD), 1e-12)
	assert.Equal(t, "web", c.ByProfile[1].Profile)
	assert.InDelta(t, api, float64(c.ByProfile[1].USD), 1e-12)
	assert.Nil(t, ComputeEKSFargateCost(nil, p))
}

// The cost-rate figure's Fargate hours: a pod's billed seconds (the
// one-minute minimum included) fall in the hours they run in, and the
// hours add up to ComputeEKSFargateCost's bill.
func TestEKSFargateHourlySpreadsEachPodsBilledSeconds(t *testing.T) {
	cfg := &sim.Config{Region: "us-east-1", EKS: &eks.Config{FargateProfiles: []eks.FargateProfile{{Name: "web"}, {Name: "batch"}}}}
	usage := []eks.FargatePodUsage{
		// 0.5 vCPU / 1 GB from 0:30 to 1:30: half in each hour.
		{Pod: "a", Profile: "web", CPU: 512, MemoryMiB: 1024, Start: des.At(30 * time.Minute), Stop: des.At(90 * time.Minute)},
		// 30 s at 1:59:30, billed 60 s: 30 s in hour 1, 30 s in hour 2.
		{Pod: "b", Profile: "batch", CPU: 256, MemoryMiB: 512, Start: des.At(119*time.Minute + 30*time.Second), Stop: des.At(2 * time.Hour)},
	}
	res := &sim.Result{Config: cfg, EKS: &eks.Outcome{Fargate: usage}}
	h := eksFargateHourly(res, 3)
	require.Len(t, h, 2)
	web := (0.5*0.04048 + 1*0.004445) / 3600
	batch := (0.25*0.04048 + 0.5*0.004445) / 3600
	assert.InDelta(t, 1800*web, h[0][0], 1e-12)
	assert.InDelta(t, 1800*web, h[0][1], 1e-12)
	assert.InDelta(t, 0, h[0][2], 1e-12)
	assert.InDelta(t, 30*batch, h[1][1], 1e-12)
	assert.InDelta(t, 30*batch, h[1][2], 1e-12)
	c := ComputeEKSFargateCost(usage, DefaultPrices())
	assert.InDelta(t, float64(c.USD), h[0][0]+h[0][1]+h[1][1]+h[1][2], 1e-9)
}

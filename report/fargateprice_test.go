package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/ecs"
)

// A Fargate task is billed at its task definition's runtimePlatform: 1 vCPU
// and 2 GB for an hour costs $0.04048 + 2 x $0.004445 on Linux/X86,
// $0.03238 + 2 x $0.00356 on Linux/ARM (20% less per vCPU), and
// ($0.09148 + $0.046 licence) + 2 x $0.01005 on Windows/X86, in us-east-1.
func TestFargateTasksArePricedAtTheirPlatformsRates(t *testing.T) {
	u := newUsage(time.Hour)
	u.res.Config.TaskDefinitions = []ecs.TaskDefinition{
		{Family: "linux"},
		{Family: "arm", Platform: ecs.Platform{CPUArchitecture: "ARM64", OSFamily: "LINUX"}},
		{Family: "windows", Platform: ecs.Platform{CPUArchitecture: "X86_64", OSFamily: "WINDOWS_SERVER_2019_CORE"}},
	}
	for def := range 3 {
		u.task(int32(def%2), -1, false, 1024, 2048, 0, time.Hour)
		u.res.Tasks.At(def).Def = int32(def)
	}
	c, err := ComputeCost(&u.res, DefaultPrices())
	require.NoError(t, err)
	require.Len(t, c.Fargate, 3)
	want := []struct {
		platform string
		usd      float64
	}{{"", 0.04048 + 2*0.004445}, {"linux/arm64", 0.03238 + 2*0.00356}, {"windows/x86_64", 0.09148 + 0.046 + 2*0.01005}}
	for i, w := range want {
		assert.Equal(t, w.platform, c.Fargate[i].Platform)
		assert.Equal(t, 1, c.Fargate[i].Tasks)
		assert.InDelta(t, w.usd, float64(c.Fargate[i].USD), 1e-9, w.platform)
	}
	assert.InDelta(t, 0.8, DefaultPrices().FargateARM.USDPerVCPUHour/DefaultPrices().Fargate.USDPerVCPUHour, 0.001, "ARM is 20% less per vCPU-hour")
	assert.InDelta(t, 3.19, float64(c.Fargate[2].USD)/float64(c.Fargate[0].USD), 0.01, "a Windows task costs 3.2x its Linux twin")
	assert.InDelta(t, want[0].usd+want[1].usd+want[2].usd, float64(c.TotalUSD), 1e-9)

	t.Run("Fargate Spot takes its discount off the platform's rate", func(t *testing.T) {
		u := newUsage(time.Hour)
		u.res.Config.TaskDefinitions = []ecs.TaskDefinition{{Family: "arm", Platform: ecs.Platform{CPUArchitecture: "ARM64"}}}
		u.task(0, -1, true, 1024, 2048, 0, time.Hour)
		c, err := ComputeCost(&u.res, DefaultPrices())
		require.NoError(t, err)
		assert.InDelta(t, (0.03238+2*0.00356)*0.3, float64(c.TotalUSD), 1e-9)
	})
}

package report

import (
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// Fargate prices by runtime platform. AWS Fargate pricing
// (https://aws.amazon.com/fargate/pricing/, us-east-1) prices each of
// Linux/X86, Linux/ARM and Windows/X86 on its own: Linux/ARM at $0.03238 per
// vCPU-hour and $0.00356 per GB-hour (20% under Linux/X86's $0.04048 and
// $0.004445), Windows/X86 at $0.09148 per vCPU-hour plus an OS licence fee
// of $0.046 per vCPU-hour, and $0.01005 per GB-hour (FargateWindows).
//
// A task is priced at its task definition's runtimePlatform; a task
// definition that names no platform (or Linux on x86_64) at Prices.Fargate,
// the scenario's rate ([billing] may make it ARM or Windows for all).

// Fargate ephemeral storage (https://aws.amazon.com/fargate/pricing/,
// us-east-1): 20 GB is included in every task; each GB configured above it
// ($0.000111 per storage GB per hour) is billed for the task's billed
// seconds, on Fargate Spot too (choice: the page prices storage once), a
// GiB of sizeInGiB counted as a GB (choice). It is a line of the bill
// ([billing]), as gp3 volumes are.
const (
	FargateIncludedEphemeralGiB  = 20
	FargateEphemeralUSDPerGBHour = 0.000111
)

// Fargate platforms as a rate names them.
const (
	fargateDefault = "" // Prices.Fargate
	fargateARM     = "linux/arm64"
	fargateWindows = "windows/x86_64"
)

// fargatePlatformOf is the platform a Fargate task is priced at.
func fargatePlatformOf(res *sim.Result, t *ecs.TaskUsage) string {
	if res.Config == nil || t.Def < 0 || int(t.Def) >= len(res.Config.TaskDefinitions) {
		return fargateDefault
	}
	return fargatePlatform(res.Config.TaskDefinitions[t.Def].Platform)
}

// fargatePlatform names a runtime platform's Fargate rate.
func fargatePlatform(pl ecs.Platform) string {
	switch {
	case pl.Windows():
		return fargateWindows
	case pl.ARM64():
		return fargateARM
	}
	return fargateDefault
}

// fargateRate is the rate of a platform. Outside us-east-1 (Prices.Fargate
// zeroed: no Fargate prices) every platform has none.
func (p *Prices) fargateRate(platform string) FargateRates {
	switch {
	case p.Fargate == (FargateRates{}):
		return p.Fargate
	case platform == fargateARM:
		return p.FargateARM
	case platform == fargateWindows:
		return FargateWindows
	}
	return p.Fargate
}

// fargatePlatformUSD is FargateUSD at a platform's rate.
func (p *Prices) fargatePlatformUSD(platform string, cpuUnitSeconds, mibSeconds int64, spot bool) float64 {
	q := *p
	q.Fargate = p.fargateRate(platform)
	return q.FargateUSD(cpuUnitSeconds, mibSeconds, spot)
}

// windowsPlatform reports whether platform's tasks run Windows: a task
// definition's Windows runtimePlatform, or the scenario's [billing]
// operating_system for a task definition that names none.
func (p *Prices) windowsPlatform(platform string) bool {
	return platform == fargateWindows || (platform == fargateDefault && p.OperatingSystem == "windows")
}

// fargateMinimum is the least time a Fargate task of platform is billed:
// Prices.FargateMinimum (one minute), and for a Windows task the scenario's
// [billing] fargate_windows_minimum_minutes when that is longer
// (catalog.Billing.FargateWindowsMinimum).
func (p *Prices) fargateMinimum(res *sim.Result, platform string) time.Duration {
	m := p.FargateMinimum
	if res == nil || res.Config == nil || res.Config.Billing == nil || !p.windowsPlatform(platform) {
		return m
	}
	return max(m, res.Config.Billing.FargateWindowsMinimum)
}

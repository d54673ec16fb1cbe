package report

import (
	"cmp"
	"slices"

	"github.com/fleetsim/fleetsim/sim/eks"
)

// EKSFargateCost is the bill for an EKS run's Fargate pods, by Fargate
// profile. Each pod is billed as a Fargate task is (AWS Fargate pricing,
// https://aws.amazon.com/fargate/pricing/): its provisioned vCPU and memory
// (the CapacityProvisioned size, 256 MB for the Kubernetes components
// included) per second, rounded up, with a one-minute minimum
// (Prices.FargateMinimum), at the Linux/x86 rates (Prices.Fargate; EKS
// Fargate runs Linux pods only).
type EKSFargateCost struct {
	Pods      int                 `json:"pods"`
	USD       USD                 `json:"usd"`
	VCPUHours float64             `json:"vcpu_hours"`
	GBHours   float64             `json:"gb_hours"`
	ByProfile []FargateProfileUSD `json:"by_profile,omitempty"`
}

// FargateProfileUSD is one Fargate profile's share of EKSFargateCost.
type FargateProfileUSD struct {
	Profile string `json:"profile"`
	Pods    int    `json:"pods"`
	USD     USD    `json:"usd"`
}

// ComputeEKSFargateCost prices Fargate pod usage; nil for none.
func ComputeEKSFargateCost(usage []eks.FargatePodUsage, p Prices) *EKSFargateCost {
	if len(usage) == 0 {
		return nil
	}
	c := &EKSFargateCost{}
	byProfile := map[string]*FargateProfileUSD{}
	var cpuSec, mibSec int64
	for _, u := range usage {
		s := BilledSeconds(u.Start, u.Stop, p.FargateMinimum)
		cs, ms := int64(u.CPU)*s, int64(u.MemoryMiB)*s
		cpuSec += cs
		mibSec += ms
		usd := p.FargateUSD(cs, ms, false)
		c.Pods++
		c.USD += USD(usd)
		pr := byProfile[u.Profile]
		if pr == nil {
			pr = &FargateProfileUSD{Profile: u.Profile}
			byProfile[u.Profile] = pr
		}
		pr.Pods++
		pr.USD += USD(usd)
	}
	c.VCPUHours = float64(cpuSec) / (1024 * 3600)
	c.GBHours = float64(mibSec) / (1024 * 3600)
	for _, pr := range byProfile {
		c.ByProfile = append(c.ByProfile, *pr)
	}
	slices.SortFunc(c.ByProfile, func(a, b FargateProfileUSD) int { return cmp.Compare(a.Profile, b.Profile) })
	return c
}

package report

import (
	"github.com/fleetsim/fleetsim/sim"
)

// CostSplit is a run's bill split the same way for an ECS and an EKS run,
// so that the two are compared on the same figures (a sweep's results.csv):
//
//   - Compute: the EC2 instances, Spot included (ComputeCost's instance
//     types), with the ECS Managed Instances management fee, which is
//     billed per instance;
//   - ControlPlane: the EKS cluster-hours (ComputeEKSCost); 0 on ECS;
//   - Fargate: ECS Fargate tasks (ComputeCost's Fargate lines) or EKS
//     Fargate pods (ComputeEKSFargateCost);
//   - Idle: the part of Compute that paid for capacity nothing reserved:
//     cost.json's "idle capacity" owner on ECS, EKSIdleCost on EKS.
//
// Total is ComputeCost's total, raised by the control plane and the Fargate
// pods for an EKS run (cost.json's total_usd, and the Fargate pods).
type CostSplit struct {
	TotalUSD, ComputeUSD, ControlPlaneUSD, FargateUSD, IdleUSD USD
}

// SplitCost splits c, ComputeCost's bill of res at p.
func SplitCost(res *sim.Result, c *Cost, p Prices) (CostSplit, error) {
	var s CostSplit
	for _, t := range c.ByInstanceType {
		s.ComputeUSD += t.USD
	}
	s.ComputeUSD += c.ManagedInstancesUSD
	for _, f := range c.Fargate {
		s.FargateUSD += f.USD
	}
	s.TotalUSD = c.TotalUSD
	if res.EKS == nil {
		s.IdleUSD = idle(c)
		return s, nil
	}
	ek, err := ComputeEKSCost(res, p)
	if err != nil {
		return CostSplit{}, err
	}
	var pods USD
	if ek != nil {
		s.ControlPlaneUSD = ek.ControlPlaneUSD
		if ek.Fargate != nil { // ComputeEKSCost's Fargate pods
			pods = ek.Fargate.USD
		}
	}
	s.FargateUSD += pods
	if ei, ok := eksIdle(res, c); ok {
		s.IdleUSD = ei.USD
	}
	s.TotalUSD = c.TotalUSD + s.ControlPlaneUSD + pods
	return s, nil
}

package report

import (
	"time"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/des"
)

// EKSIdleCost is the part of an EKS run's node bill that paid for capacity
// no pod requested.
//
// Each sample of the series covers the time to the next (the last, to the
// end of the run) and the node spend of that time (cost.json's hourly bill,
// spread evenly over its hour). Of that spend, the idle share is
//
//	1 - ready/(ready+launching) x (cpuReq/cpuAlloc + memReq/memAlloc)/2
//
// with the requests of the pods bound to nodes against the Ready nodes'
// allocatable, CPU and memory weighing half each (as the ECS report shares
// an instance among its tasks): nodes still booting hold no pod and count
// as idle whole, and the kubelet's reserves (capacity less allocatable)
// count in proportion. It reads the cluster's totals, not node by node: a
// pod's requests on a large node and a small one weigh alike (choice).
type EKSIdleCost struct {
	USD      USD     // of the node bill
	NodesUSD USD     // the node bill over the samples
	CPUPct   float64 // mean share of allocatable CPU requested, over the samples with Ready nodes
	MemPct   float64 // the same for memory
}

// EKSIdle computes EKSIdleCost for an EKS run; false for an ECS run or one
// without the cluster's series.
func EKSIdle(res *sim.Result, ek *EKSCost) (EKSIdleCost, bool) {
	if res.EKS == nil || ek == nil {
		return EKSIdleCost{}, false
	}
	c, err := ComputeCost(res, PricesFor(res.Config))
	if err != nil {
		return EKSIdleCost{}, false
	}
	return eksIdle(res, c)
}

func eksIdle(res *sim.Result, c *Cost) (EKSIdleCost, bool) {
	cpuA, cpuR := column(res, sim.EKSCPUAllocatable), column(res, sim.EKSCPURequested)
	memA, memR := column(res, sim.EKSMemAllocatable), column(res, sim.EKSMemRequested)
	ready, launching := column(res, sim.EKSNodesReady), column(res, sim.EKSNodesLaunching)
	times := res.Series.Times
	if cpuA == nil || cpuR == nil || memA == nil || memR == nil || ready == nil || launching == nil || len(times) == 0 {
		return EKSIdleCost{}, false
	}
	hourUSD := make([]float64, len(c.Hourly.USD))
	for h, row := range c.Hourly.USD {
		for _, v := range row {
			hourUSD[h] += float64(v)
		}
	}
	// spend is the node bill of [a, b): each hour's bill spread over it.
	spend := func(a, b des.Time) float64 {
		var s float64
		for h := int(a.Duration() / time.Hour); h < len(hourUSD) && des.At(time.Duration(h)*time.Hour) < b; h++ {
			lo, hi := des.At(time.Duration(h)*time.Hour), min(des.At(time.Duration(h+1)*time.Hour), res.End)
			if hi <= lo {
				continue
			}
			s += hourUSD[h] * float64(min(b, hi)-max(a, lo)) / float64(hi-lo)
		}
		return s
	}
	var out EKSIdleCost
	var idle, total float64
	n := 0
	for i, t := range times {
		next := res.End
		if i+1 < len(times) {
			next = times[i+1]
		}
		if next <= t {
			continue
		}
		used := 0.0
		if cpuA[i] > 0 && memA[i] > 0 {
			cpu, mem := cpuR[i]/cpuA[i], memR[i]/memA[i]
			used = (cpu + mem) / 2 * ready[i] / max(ready[i]+launching[i], 1)
			out.CPUPct, out.MemPct, n = out.CPUPct+100*cpu, out.MemPct+100*mem, n+1
		}
		s := spend(t, next)
		total += s
		idle += s * (1 - used)
	}
	if n > 0 {
		out.CPUPct, out.MemPct = out.CPUPct/float64(n), out.MemPct/float64(n)
	}
	out.USD, out.NodesUSD = USD(idle), USD(total)
	return out, true
}

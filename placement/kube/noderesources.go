package kube

import (
	"errors"
	"fmt"
	"math"
)

// ResourceName is a resource the resource scorers can weigh.
type ResourceName string

// The resources of core/v1 the default profile knows.
const (
	ResourceCPU              ResourceName = "cpu"
	ResourceMemory           ResourceName = "memory"
	ResourceEphemeralStorage ResourceName = "ephemeral-storage"
)

// ResourceSpec is a resource and its weight (1-100) in a score.
type ResourceSpec struct {
	Name   ResourceName
	Weight int64
}

// StrategyType is NodeResourcesFit's scoringStrategy.type.
type StrategyType uint8

// The scoring strategies of apis/config (types_pluginargs.go).
const (
	LeastAllocated StrategyType = iota
	MostAllocated
	RequestedToCapacityRatio
)

// UtilizationShapePoint is a point of RequestedToCapacityRatio's shape:
// utilization 0-100 (percent) -> score 0-10.
type UtilizationShapePoint struct {
	Utilization int32
	Score       int32
}

// ScoringStrategy is NodeResourcesFit's scoringStrategy: the type, the
// resources with their weights, and the shape for RequestedToCapacityRatio.
type ScoringStrategy struct {
	Type      StrategyType
	Resources []ResourceSpec
	Shape     []UtilizationShapePoint
}

// LeastAllocatedStrategy is the default (apis/config/v1 defaults.go
// SetDefaults_NodeResourcesFitArgs): LeastAllocated over cpu and memory,
// weight 1 each.
func LeastAllocatedStrategy() ScoringStrategy {
	return ScoringStrategy{Type: LeastAllocated, Resources: defaultResources()}
}

func defaultResources() []ResourceSpec {
	return []ResourceSpec{{ResourceCPU, 1}, {ResourceMemory, 1}}
}

// NodeResourcesFit is a FilterPlugin and ScorePlugin
// (plugins/noderesources/fit.go and its scorers).
//
// Filter (fitsRequest): the node must have room for one more pod
// (pods + 1 <= allocatable pods, "Too many pods"), and for each of CPU,
// memory and ephemeral storage the pod requests, request <= allocatable -
// requested ("Insufficient cpu", ...). A pod requesting none of the three is
// checked for the pod count only. Every insufficient resource is a reason;
// the status is UnschedulableAndUnresolvable when a request exceeds the
// node's whole allocatable (no preemption could help), else Unschedulable.
// Requests are effective requests (PodInfo.Requests).
//
// Score: the scoring strategy over the configured resources, with the
// requested amount = the node's non-zero requested + the pod's non-zero
// request for CPU and memory (a missing request counts 100m / 200 MiB), the
// plain requests for ephemeral storage; resources the node has none of are
// left out. See the StrategyType formulas on scoreLeastAllocated,
// scoreMostAllocated and scoreRequestedToCapacityRatio. No NormalizeScore.
type NodeResourcesFit struct {
	strategy ScoringStrategy
	shape    []UtilizationShapePoint // scores scaled to 0..100
	cpuMem   bool                    // resources are cpu and memory, weight 1 each (the default)
}

var (
	_ FilterPlugin = (*NodeResourcesFit)(nil)
	_ ScorePlugin  = (*NodeResourcesFit)(nil)
)

// NewNodeResourcesFit validates the strategy as
// ValidateNodeResourcesFitArgs does: weights 1-100, known resources, and for
// RequestedToCapacityRatio at least one shape point, utilization 0-100
// strictly increasing, score 0-10. No resources means cpu and memory, weight
// 1.
func NewNodeResourcesFit(s ScoringStrategy) (*NodeResourcesFit, error) {
	if len(s.Resources) == 0 {
		s.Resources = defaultResources()
	}
	var errs []error
	seen := map[ResourceName]bool{}
	for i, r := range s.Resources {
		if seen[r.Name] {
			errs = append(errs, fmt.Errorf("kube: scoringStrategy.resources[%d]: duplicate resource %q", i, r.Name))
		}
		seen[r.Name] = true
		if r.Name != ResourceCPU && r.Name != ResourceMemory && r.Name != ResourceEphemeralStorage {
			errs = append(errs, fmt.Errorf("kube: scoringStrategy.resources[%d]: unknown resource %q", i, r.Name))
		}
		if r.Weight < 1 || r.Weight > 100 {
			errs = append(errs, fmt.Errorf("kube: scoringStrategy.resources[%d].weight: must be in the range 1-100, got %d", i, r.Weight))
		}
	}
	pl := &NodeResourcesFit{strategy: s}
	pl.cpuMem = len(s.Resources) == 2 && s.Resources[0] == ResourceSpec{ResourceCPU, 1} && s.Resources[1] == ResourceSpec{ResourceMemory, 1}
	switch s.Type {
	case LeastAllocated, MostAllocated:
	case RequestedToCapacityRatio:
		if len(s.Shape) == 0 {
			errs = append(errs, errors.New("kube: requestedToCapacityRatio.shape: at least one point is required"))
		}
		for i, pt := range s.Shape {
			if pt.Utilization < 0 || pt.Utilization > 100 || i > 0 && pt.Utilization <= s.Shape[i-1].Utilization {
				errs = append(errs, fmt.Errorf("kube: shape[%d].utilization: must be 0-100 and increasing", i))
			}
			if pt.Score < 0 || pt.Score > 10 {
				errs = append(errs, fmt.Errorf("kube: shape[%d].score: must be 0-10", i))
			}
			// MaxCustomPriorityScore is 10: scores scale by MaxNodeScore/10.
			pl.shape = append(pl.shape, UtilizationShapePoint{pt.Utilization, pt.Score * int32(MaxNodeScore/10)})
		}
	default:
		errs = append(errs, fmt.Errorf("kube: scoring strategy %d is not supported", s.Type))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return pl, nil
}

// Name returns "NodeResourcesFit".
func (*NodeResourcesFit) Name() string { return "NodeResourcesFit" }

// Filter checks the pod count and the requested resources.
func (*NodeResourcesFit) Filter(p *PodInfo, n *NodeInfo) Status {
	var st Status
	if int64(len(n.pods))+1 > n.allowedPods {
		st = unschedulable(ReasonTooManyPods)
	}
	r := p.req
	if r.MilliCPU == 0 && r.MemoryBytes == 0 && r.EphemeralBytes == 0 {
		return st
	}
	st = insufficient(st, r.MilliCPU, n.alloc.MilliCPU, n.requested.MilliCPU, ReasonInsufficientCPU)
	st = insufficient(st, r.MemoryBytes, n.alloc.MemoryBytes, n.requested.MemoryBytes, ReasonInsufficientMemory)
	return insufficient(st, r.EphemeralBytes, n.alloc.EphemeralBytes, n.requested.EphemeralBytes, ReasonInsufficientEphemeral)
}

// insufficient adds why to st when a request does not fit what is left;
// past the whole allocatable the status becomes unresolvable.
func insufficient(st Status, req, alloc, used int64, why Reason) Status {
	if req <= 0 || req <= alloc-used {
		return st
	}
	st.Reasons |= 1 << why
	if req > alloc {
		st.Code = UnschedulableAndUnresolvable
	} else if st.Code == Success {
		st.Code = Unschedulable
	}
	return st
}

// maxResources is how many resources a strategy can weigh.
const maxResources = 3

// amounts gathers, for the strategy's resources, the requested amount with
// the pod (non-zero for CPU and memory) and the node's allocatable.
func (pl *NodeResourcesFit) amounts(p *PodInfo, n *NodeInfo) (req, alloc [maxResources]int64, k int) {
	for _, r := range pl.strategy.Resources {
		switch r.Name {
		case ResourceCPU:
			req[k], alloc[k] = n.nonZero.MilliCPU+p.nonZero.MilliCPU, n.alloc.MilliCPU
		case ResourceMemory:
			req[k], alloc[k] = n.nonZero.MemoryBytes+p.nonZero.MemoryBytes, n.alloc.MemoryBytes
		case ResourceEphemeralStorage:
			req[k], alloc[k] = n.requested.EphemeralBytes+p.req.EphemeralBytes, n.alloc.EphemeralBytes
		}
		k++
	}
	return req, alloc, k
}

// Score applies the strategy.
func (pl *NodeResourcesFit) Score(p *PodInfo, n *NodeInfo) int64 {
	if pl.cpuMem && pl.strategy.Type == LeastAllocated {
		// The default, without the resource table: the same arithmetic.
		cpu := leastRequested(n.nonZero.MilliCPU+p.nonZero.MilliCPU, n.alloc.MilliCPU)
		mem := leastRequested(n.nonZero.MemoryBytes+p.nonZero.MemoryBytes, n.alloc.MemoryBytes)
		switch {
		case n.alloc.MilliCPU > 0 && n.alloc.MemoryBytes > 0:
			return (cpu + mem) / 2
		case n.alloc.MilliCPU > 0:
			return cpu
		default:
			return mem
		}
	}
	req, alloc, k := pl.amounts(p, n)
	switch pl.strategy.Type {
	case MostAllocated:
		return scoreMostAllocated(pl.strategy.Resources[:k], req[:k], alloc[:k])
	case RequestedToCapacityRatio:
		return scoreRequestedToCapacityRatio(pl.strategy.Resources[:k], pl.shape, req[:k], alloc[:k])
	}
	return scoreLeastAllocated(pl.strategy.Resources[:k], req[:k], alloc[:k])
}

// scoreAll is Score over the feasible nodes.
func (pl *NodeResourcesFit) scoreAll(p *PodInfo, feasible []*NodeInfo, out []int64) {
	if !pl.cpuMem || pl.strategy.Type != LeastAllocated {
		for i, n := range feasible {
			out[i] = pl.Score(p, n)
		}
		return
	}
	pc, pm := p.nonZero.MilliCPU, p.nonZero.MemoryBytes
	for i, n := range feasible {
		ac, am := n.alloc.MilliCPU, n.alloc.MemoryBytes
		cpu := leastRequestedFast(n.nonZero.MilliCPU+pc, ac)
		mem := leastRequestedFast(n.nonZero.MemoryBytes+pm, am)
		switch {
		case ac > 0 && am > 0:
			out[i] = (cpu + mem) / 2
		case ac > 0:
			out[i] = cpu
		default:
			out[i] = mem
		}
	}
}

// scoreLeastAllocated is least_allocated.go leastResourceScorer: favours
// nodes with more left after placing the pod.
//
//	score = sum_i(w_i * (alloc_i - req_i) * 100 / alloc_i) / sum_i(w_i)
//
// over resources with alloc_i > 0; a resource with req_i > alloc_i scores 0.
// Integer division at each step.
func scoreLeastAllocated(rs []ResourceSpec, req, alloc []int64) int64 {
	var s, ws int64
	for i := range req {
		if alloc[i] == 0 {
			continue
		}
		s += leastRequested(req[i], alloc[i]) * rs[i].Weight
		ws += rs[i].Weight
	}
	if ws == 0 {
		return 0
	}
	return s / ws
}

// leastRequested is least_allocated.go leastRequestedScore: the unused share
// of alloc on 0..100, 0 when over or when alloc is 0.
func leastRequested(req, alloc int64) int64 {
	if alloc == 0 || req > alloc {
		return 0
	}
	return (alloc - req) * MaxNodeScore / alloc
}

// maxExactQuotient bounds the allocatable for which leastRequestedFast's
// float division floors exactly: with a = (alloc - req) * 100 < 2^53 and
// alloc < 2^46, a/alloc is at least 1/alloc > 2^-46 away from the next
// integer when it is not one, more than half the float spacing below 128,
// so the correctly rounded quotient never reaches it.
const maxExactQuotient = int64(1) << 46

// leastRequestedFast is leastRequested with a float division, exact for
// alloc below maxExactQuotient (TestLeastRequestedFastIsExact).
func leastRequestedFast(req, alloc int64) int64 {
	if alloc <= 0 || alloc >= maxExactQuotient || req < 0 {
		return leastRequested(req, alloc)
	}
	if req > alloc {
		return 0
	}
	return int64(float64((alloc-req)*MaxNodeScore) / float64(alloc))
}

// scoreMostAllocated is most_allocated.go mostResourceScorer: favours nodes
// with less left (bin packing).
//
//	score = sum_i(w_i * min(req_i, alloc_i) * 100 / alloc_i) / sum_i(w_i)
//
// over resources with alloc_i > 0. Integer division at each step.
func scoreMostAllocated(rs []ResourceSpec, req, alloc []int64) int64 {
	var s, ws int64
	for i := range req {
		if alloc[i] == 0 {
			continue
		}
		s += min(req[i], alloc[i]) * MaxNodeScore / alloc[i] * rs[i].Weight
		ws += rs[i].Weight
	}
	if ws == 0 {
		return 0
	}
	return s / ws
}

// scoreRequestedToCapacityRatio is requested_to_capacity_ratio.go: each
// resource's utilization u_i = req_i * 100 / alloc_i (100 when req_i >
// alloc_i) goes through the broken-linear shape f (shape scores times 10;
// flat before the first point and after the last, linear between, integer
// arithmetic), and
//
//	score = round(sum_i(w_i * f(u_i)) / sum_i(w_i))
//
// over resources with alloc_i > 0 and f(u_i) > 0.
func scoreRequestedToCapacityRatio(rs []ResourceSpec, shape []UtilizationShapePoint, req, alloc []int64) int64 {
	var s, ws int64
	for i := range req {
		if alloc[i] == 0 {
			continue
		}
		u := int64(100)
		if req[i] <= alloc[i] {
			u = req[i] * 100 / alloc[i]
		}
		if f := brokenLinear(shape, u); f > 0 {
			s += f * rs[i].Weight
			ws += rs[i].Weight
		}
	}
	if ws == 0 {
		return 0
	}
	return int64(math.Round(float64(s) / float64(ws)))
}

// brokenLinear is plugins/helper BuildBrokenLinearFunction.
func brokenLinear(shape []UtilizationShapePoint, p int64) int64 {
	for i, pt := range shape {
		if p <= int64(pt.Utilization) {
			if i == 0 {
				return int64(pt.Score)
			}
			prev := shape[i-1]
			return int64(prev.Score) + int64(pt.Score-prev.Score)*(p-int64(prev.Utilization))/int64(pt.Utilization-prev.Utilization)
		}
	}
	return int64(shape[len(shape)-1].Score)
}

// BalancedAllocation is a ScorePlugin
// (plugins/noderesources/balanced_allocation.go, v1.36 on): it favours nodes
// whose CPU and memory fractions stay close, and more so when the pod makes
// them closer. With f_i = min(1, requested_i / allocatable_i) over resources
// the node has (plain requests, no non-zero defaults),
//
//	std    = |f_1 - f_2| / 2 for two resources; sqrt(sum_i (f_i - mean)^2 / n) for more; 0 for one
//	b(f)   = int64((1 - std) * 100)
//	score  = 50 + (50 + b(with the pod) - b(without)) / 2    (integer division)
//
// so an unchanged balance scores 75, a better one up to 100, a worse one down
// to 50. PreScore skips best-effort pods (no CPU and no memory request,
// kubernetes#129138). No NormalizeScore.
type BalancedAllocation struct {
	resources []ResourceSpec
	without   []balanceAt // by NodeID: b(f) without the pod, at the node's gen
}

type balanceAt struct {
	gen uint64
	b   int64
}

var (
	_ ScorePlugin    = (*BalancedAllocation)(nil)
	_ PreScorePlugin = (*BalancedAllocation)(nil)
)

// NewBalancedAllocation returns the plugin over cpu and memory (the default
// NodeResourcesBalancedAllocationArgs).
func NewBalancedAllocation() *BalancedAllocation {
	return &BalancedAllocation{resources: defaultResources()}
}

// Name returns "NodeResourcesBalancedAllocation".
func (*BalancedAllocation) Name() string { return "NodeResourcesBalancedAllocation" }

// PreScore skips a best-effort pod.
func (*BalancedAllocation) PreScore(_ *Cluster, p *PodInfo, _ []*NodeInfo) Status {
	if p.bestEffort {
		return Status{Code: Skip}
	}
	return Status{}
}

// Score compares the balance with and without the pod. The balance without
// it depends on the node alone and is kept until the node's pods change.
func (pl *BalancedAllocation) Score(p *PodInfo, n *NodeInfo) int64 {
	var with, without, alloc [maxResources]int64
	k := 0
	for _, r := range pl.resources {
		switch r.Name {
		case ResourceCPU:
			with[k], without[k], alloc[k] = n.requested.MilliCPU+p.req.MilliCPU, n.requested.MilliCPU, n.alloc.MilliCPU
		case ResourceMemory:
			with[k], without[k], alloc[k] = n.requested.MemoryBytes+p.req.MemoryBytes, n.requested.MemoryBytes, n.alloc.MemoryBytes
		case ResourceEphemeralStorage:
			with[k], without[k], alloc[k] = n.requested.EphemeralBytes+p.req.EphemeralBytes, n.requested.EphemeralBytes, n.alloc.EphemeralBytes
		}
		k++
	}
	bw := balancedResourceScore(with[:k], alloc[:k])
	pl.without = growTo(pl.without, int(n.id)+1)
	c := &pl.without[n.id]
	if c.gen != n.gen {
		c.gen, c.b = n.gen, balancedResourceScore(without[:k], alloc[:k])
	}
	return MaxNodeScore/2 + (MaxNodeScore/2+bw-c.b)/2
}

// scoreAll is Score over the feasible nodes.
func (pl *BalancedAllocation) scoreAll(p *PodInfo, feasible []*NodeInfo, out []int64) {
	if len(pl.resources) != 2 || pl.resources[0].Name != ResourceCPU || pl.resources[1].Name != ResourceMemory {
		for i, n := range feasible {
			out[i] = pl.Score(p, n)
		}
		return
	}
	pc, pm := p.req.MilliCPU, p.req.MemoryBytes
	for i, n := range feasible {
		rc, rm := n.requested.MilliCPU, n.requested.MemoryBytes
		ac, am := n.alloc.MilliCPU, n.alloc.MemoryBytes
		bw := balance2(rc+pc, ac, rm+pm, am)
		if int(n.id) >= len(pl.without) {
			pl.without = growTo(pl.without, int(n.id)+1)
		}
		c := &pl.without[n.id]
		if c.gen != n.gen {
			c.gen, c.b = n.gen, balance2(rc, ac, rm, am)
		}
		out[i] = MaxNodeScore/2 + (MaxNodeScore/2+bw-c.b)/2
	}
}

// balance2 is balancedResourceScore for cpu and memory.
func balance2(reqCPU, allocCPU, reqMem, allocMem int64) int64 {
	switch {
	case allocCPU == 0 && allocMem == 0:
		return MaxNodeScore
	case allocCPU == 0 || allocMem == 0:
		return MaxNodeScore // one resource: std 0
	}
	f1 := min(float64(reqCPU)/float64(allocCPU), 1)
	f2 := min(float64(reqMem)/float64(allocMem), 1)
	std := math.Abs((f1 - f2) / 2)
	return int64((1 - std) * float64(MaxNodeScore))
}

// balancedResourceScore is b(f) above.
func balancedResourceScore(req, alloc []int64) int64 {
	var fr [maxResources]float64
	var sum float64
	k := 0
	for i := range req {
		if alloc[i] == 0 {
			continue
		}
		f := min(float64(req[i])/float64(alloc[i]), 1)
		fr[k] = f
		sum += f
		k++
	}
	var std float64
	switch {
	case k == 2:
		std = math.Abs((fr[0] - fr[1]) / 2)
	case k > 2:
		mean := sum / float64(k)
		var v float64
		for _, f := range fr[:k] {
			v += (f - mean) * (f - mean)
		}
		std = math.Sqrt(v / float64(k))
	}
	return int64((1 - std) * float64(MaxNodeScore))
}

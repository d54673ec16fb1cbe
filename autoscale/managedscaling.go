package autoscale

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// ManagedScaling is a capacity provider's managed scaling settings.
//
// AWS (ECS API Reference, ManagedScaling): targetCapacity 1-100 (default
// 100), minimumScalingStepSize default 1 and maximumScalingStepSize default
// 10000 (both 1-10000, scale-out only), instanceWarmupPeriod default 300 s
// (0-10000 s).
type ManagedScaling struct {
	TargetCapacity         int
	MinimumScalingStepSize int
	MaximumScalingStepSize int
	InstanceWarmupPeriod   time.Duration
}

// DefaultManagedScaling returns AWS's defaults.
func DefaultManagedScaling() ManagedScaling {
	return ManagedScaling{TargetCapacity: 100, MinimumScalingStepSize: 1,
		MaximumScalingStepSize: 10000, InstanceWarmupPeriod: 300 * time.Second}
}

// Validate checks the ranges AWS accepts.
func (ms ManagedScaling) Validate() error {
	switch {
	case ms.TargetCapacity < 1 || ms.TargetCapacity > 100:
		return fmt.Errorf("%w: targetCapacity %d, want 1-100", ErrPolicyConfig, ms.TargetCapacity)
	case ms.MinimumScalingStepSize < 1 || ms.MinimumScalingStepSize > 10000,
		ms.MaximumScalingStepSize < 1 || ms.MaximumScalingStepSize > 10000,
		ms.MinimumScalingStepSize > ms.MaximumScalingStepSize:
		return fmt.Errorf("%w: scaling step sizes %d..%d, want 1 <= min <= max <= 10000",
			ErrPolicyConfig, ms.MinimumScalingStepSize, ms.MaximumScalingStepSize)
	case ms.InstanceWarmupPeriod < 0 || ms.InstanceWarmupPeriod > 10000*time.Second:
		return fmt.Errorf("%w: instanceWarmupPeriod %s, want 0-10000 s", ErrPolicyConfig, ms.InstanceWarmupPeriod)
	}
	return nil
}

// CapacityProviderReservation is the managed scaling metric: M / N x 100,
// N the group's running instances, M the instances ECS estimates all tasks
// need (PROVISIONING ones included). N = 0 and M > 0 reads 200; N = 0 and
// M = 0 reads 100.
//
// AWS (ECS Developer Guide, "Amazon ECS cluster auto scaling"; AWS Containers
// blog, "Deep dive on Amazon ECS cluster auto scaling").
func CapacityProviderReservation(m, n int) float64 {
	switch {
	case n > 0:
		return float64(m) / float64(n) * 100
	case m > 0:
		return 200
	}
	return 100
}

// ScaleOutStep is how many instances one scale-out launches:
// max(minimumScalingStepSize, min(maximumScalingStepSize, estimate)).
func (ms ManagedScaling) ScaleOutStep(estimate int) int {
	return max(ms.MinimumScalingStepSize, min(ms.MaximumScalingStepSize, estimate))
}

// TaskNeed is what one PROVISIONING task needs from an instance.
type TaskNeed struct {
	CPUUnits  int
	MemoryMiB int
	ENIs      int // awsvpc tasks need one; 0 otherwise
}

// InstanceCapacity is what one instance of a type offers to tasks.
type InstanceCapacity struct {
	CPUUnits  int
	MemoryMiB int
	ENIs      int // trunked or not, as sim counts them
}

// fit returns how many tasks needing n fit on one instance of c.
func (c InstanceCapacity) fit(n TaskNeed) int {
	k := -1
	for _, p := range [...][2]int{{c.CPUUnits, n.CPUUnits}, {c.MemoryMiB, n.MemoryMiB}, {c.ENIs, n.ENIs}} {
		if p[1] <= 0 {
			continue
		}
		if f := p[0] / p[1]; k < 0 || f < k {
			k = f
		}
	}
	if k < 0 { // a task needing nothing: one instance holds them all
		return 1 << 30
	}
	return k
}

// EstimateInstances estimates the new instances PROVISIONING tasks need:
// tasks are grouped by identical needs, each group is binpacked onto the
// largest instance type, and the largest group count is the estimate (a lower
// bound). Tasks that fit no instance even alone are left out and counted in
// excluded. M for CapacityProviderReservation is then N + estimate.
//
// AWS (Containers blog, "Deep dive on Amazon ECS cluster auto scaling").
// Choice: ports and GPUs are not modelled here.
func EstimateInstances(tasks []TaskNeed, largest InstanceCapacity) (estimate, excluded int) {
	sorted := slices.Clone(tasks)
	slices.SortFunc(sorted, func(a, b TaskNeed) int {
		return cmp.Or(cmp.Compare(a.CPUUnits, b.CPUUnits), cmp.Compare(a.MemoryMiB, b.MemoryMiB), cmp.Compare(a.ENIs, b.ENIs))
	})
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j] == sorted[i] {
			j++
		}
		per := largest.fit(sorted[i])
		if per == 0 {
			excluded += j - i
		} else {
			estimate = max(estimate, (j-i+per-1)/per)
		}
		i = j
	}
	return estimate, excluded
}

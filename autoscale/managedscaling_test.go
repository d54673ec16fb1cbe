package autoscale

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCapacityProviderReservation(t *testing.T) {
	// AWS (ECS, "Amazon ECS cluster auto scaling"; Containers blog deep dive).
	tests := []struct {
		name string
		m, n int
		want float64
	}{
		{"M = N reads 100", 4, 4, 100},
		{"one more needed than running: 5/4 -> 125", 5, 4, 125},
		{"half the instances needed: 2/4 -> 50", 2, 4, 50},
		{"scale-in, 2 empty of 100: 98", 98, 100, 98},
		{"no instances, tasks waiting: 200", 3, 0, 200},
		{"no instances, no tasks: 100", 0, 0, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, CapacityProviderReservation(tc.m, tc.n))
		})
	}
}

func TestScaleOutStep(t *testing.T) {
	ms := DefaultManagedScaling()
	assert.NoError(t, ms.Validate())
	tests := []struct {
		name          string
		min, max, est int
		want          int
	}{
		{"defaults pass the estimate through", 1, 10000, 7, 7},
		{"the minimum step raises a small estimate", 3, 10, 1, 3},
		{"the maximum step caps a large one", 1, 10, 40, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms.MinimumScalingStepSize, ms.MaximumScalingStepSize = tc.min, tc.max
			assert.Equal(t, tc.want, ms.ScaleOutStep(tc.est))
		})
	}
}

func TestEstimateInstances(t *testing.T) {
	largest := InstanceCapacity{CPUUnits: 4096, MemoryMiB: 16384, ENIs: 3}
	small := TaskNeed{CPUUnits: 1024, MemoryMiB: 2048}
	big := TaskNeed{CPUUnits: 512, MemoryMiB: 8192}
	eni := TaskNeed{CPUUnits: 256, MemoryMiB: 512, ENIs: 1}
	tests := []struct {
		name         string
		tasks        []TaskNeed
		want, wantEx int
	}{
		{"no provisioning tasks need nothing", nil, 0, 0},
		{"9 CPU-bound tasks, 4 a host: 3 instances", repeatNeed(small, 9), 3, 0},
		{"groups are sized apart and the largest wins: max(ceil(5/4), ceil(5/2))", append(repeatNeed(small, 5), repeatNeed(big, 5)...), 3, 0},
		{"ENIs bind: 7 awsvpc tasks, 3 a host -> 3", repeatNeed(eni, 7), 3, 0},
		{"a task larger than the largest type is excluded", []TaskNeed{{CPUUnits: 8192, MemoryMiB: 1024}, small}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ex := EstimateInstances(tc.tasks, largest)
			assert.Equal(t, [2]int{tc.want, tc.wantEx}, [2]int{got, ex})
		})
	}
}

func TestManagedScalingValidate(t *testing.T) {
	ms := DefaultManagedScaling()
	ms.TargetCapacity = 0
	assert.ErrorIs(t, ms.Validate(), ErrPolicyConfig)
	ms = DefaultManagedScaling()
	ms.MinimumScalingStepSize = 20
	ms.MaximumScalingStepSize = 10
	assert.ErrorIs(t, ms.Validate(), ErrPolicyConfig)
}

func repeatNeed(n TaskNeed, k int) []TaskNeed {
	out := make([]TaskNeed, k)
	for i := range out {
		out[i] = n
	}
	return out
}

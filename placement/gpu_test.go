package placement

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// GPUs are reserved per task, whole: a task asking for 2 goes only where 2
// are still unreserved, and releasing it gives them back.
func TestATaskNeedingTwoGPUsGoesOnlyWhereTwoAreUnreserved(t *testing.T) {
	one, four := inst("i-1").obj(), inst("i-2").obj()
	one.GPUs, four.GPUs = 1, 4
	p, hs := poolOf(t, inst("i-0").obj(), one, four)
	s := mustSpec(t, p, Task{CPUUnits: 100, MemoryMiB: 80, GPUs: 2, Group: "family:gpu", Strategies: mustStrategies(t, "binpack", "memory")})
	assert.Equal(t, []string{"i-2", "i-2", "-"}, placeN(t, p, s, 3, nil), "two tasks of 2 GPUs fill the 4-GPU instance; none fits the 0- or 1-GPU one")

	d := p.Explain(s)
	assert.Equal(t, int32(3), d.Rejected[ReasonGPU], "every instance is short of GPUs: %s", d.Summary())
	assert.Contains(t, d.Summary(), "RESOURCE:GPU 3")

	require.NoError(t, p.Release(hs[2], s))
	assert.Equal(t, []string{"i-2"}, placeN(t, p, s, 1, nil), "released GPUs can be reserved again")
	assert.Error(t, p.Reserve(hs[1], s), "Reserve refuses a task the instance has too few GPUs for")
}

// A task that asks for no GPU is not held back by an instance's GPUs, and
// takes none of them.
func TestATaskWithoutGPUsTakesNone(t *testing.T) {
	g := inst("i-1").obj()
	g.GPUs = 1
	p, hs := poolOf(t, g)
	cpuOnly := mustSpec(t, p, Task{CPUUnits: 100, MemoryMiB: 80, Group: "family:web"})
	gpu := mustSpec(t, p, Task{CPUUnits: 100, MemoryMiB: 80, GPUs: 1, Group: "family:gpu"})
	require.NoError(t, p.Reserve(hs[0], cpuOnly))
	assert.Equal(t, []string{"i-1", "-"}, placeN(t, p, gpu, 2, nil))
}

func TestNegativeGPUsAreRefused(t *testing.T) {
	bad := inst("i-1").obj()
	bad.GPUs = -1
	_, err := NewPool().Add(bad)
	assert.ErrorContains(t, err, "GPUs")
	_, err = NewPool().NewSpec(Task{GPUs: -1, Group: "family:x"})
	assert.ErrorContains(t, err, "GPU")
}

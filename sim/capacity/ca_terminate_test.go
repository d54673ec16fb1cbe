package capacity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

// TestTerminateInstanceInGroupDecrementsDesired pins
// TerminateInstanceInAutoScalingGroup with ShouldDecrementDesiredCapacity:
// the chosen instance goes (after its drain), desired falls by one, nothing
// replaces it, and a decrement below the minimum is refused.
func TestTerminateInstanceInGroupDecrementsDesired(t *testing.T) {
	f, o, eng, _ := fleet(t, 3, func(g *GroupConfig) { g.MinSize = 2 })
	f.Start()
	require.True(t, f.TerminateInstanceInGroup(1, "cluster-autoscaler"))
	assert.Equal(t, 2, f.Group(0).Desired)
	assert.Equal(t, Terminated, f.Lifecycle(1))
	assert.Equal(t, []int32{0, 2}, f.GroupInstances(0))
	assert.False(t, f.TerminateInstanceInGroup(1, "again"), "already gone")
	assert.False(t, f.TerminateInstanceInGroup(0, "below min"), "2 is the minimum")
	assert.Equal(t, 2, f.Group(0).Desired)
	_, err := eng.Run(des.At(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 3, f.Launched(), "no replacement")
	assert.Contains(t, o.calls, `terminating 1 cluster-autoscaler`)

	// With a drain the instance is Terminating until Release, and desired
	// has already fallen.
	f, o, _, _ = fleet(t, 2, nil)
	o.drain = true
	f.Start()
	require.True(t, f.TerminateInstanceInGroup(0, "cluster-autoscaler"))
	assert.Equal(t, Terminating, f.Lifecycle(0))
	assert.Equal(t, 1, f.Group(0).Desired)
	assert.Equal(t, 1, f.Group(0).InService)
	f.Release(0)
	assert.Equal(t, Terminated, f.Lifecycle(0))
}

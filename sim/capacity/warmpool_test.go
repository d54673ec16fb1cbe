package capacity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

func withWarmPool(wp WarmPoolConfig) func(*GroupConfig) {
	return func(g *GroupConfig) { g.WarmPool = &wp }
}

func warm(prepared, minSize int) WarmPoolConfig {
	return WarmPoolConfig{MinSize: minSize, MaxGroupPreparedCapacity: prepared, StartTime: 30 * time.Second, RunningStartTime: 5 * time.Second}
}

func TestWarmPoolSize(t *testing.T) {
	// AWS (PutWarmPool, MaxGroupPreparedCapacity): the pool holds the
	// difference between MaxGroupPreparedCapacity (unset: the group's
	// maximum, 10 here) and the desired capacity; above it the pool is 0
	// "unless you specify a value for MinSize".
	cases := []struct {
		name                       string
		desired, prepared, minSize int
		want                       int
	}{
		{"max 10, desired 2, prepared unset -> 8", 2, -1, 0, 8},
		{"prepared 5, desired 2 -> 3", 2, 5, 0, 3},
		{"prepared 5, desired 6 -> 0", 6, 5, 0, 0},
		{"prepared 5, desired 6, min size 1 -> 1", 6, 5, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _, _, _ := fleet(t, c.desired, withWarmPool(warm(c.prepared, c.minSize)))
			f.Start()
			st := f.WarmPool(0)
			assert.Equal(t, c.want, st.Size)
			assert.Equal(t, c.want, st.Ready, "the scenario's pool is initialised at the start")
		})
	}
}

func TestScaleOutTakesWarmedInstancesFirst(t *testing.T) {
	f, _, eng, _ := fleet(t, 2, withWarmPool(warm(6, 0))) // pool of 4
	f.Start()
	pooled := f.groups[0].pool.entries[0].id
	eng.Run(des.At(10 * time.Minute))
	f.SetDesired(0, 5, "test") // 3 more: all from the pool (4 ready)
	require.Equal(t, 5, f.Len())
	assert.Equal(t, pooled, f.Instance(2).ID, "the pooled instance keeps its ID")
	assert.Equal(t, 3, f.WarmPool(0).Drawn)
	// The pool follows desired: 6 - 5 = 1, which is what is left.
	assert.Equal(t, 1, f.WarmPool(0).Size)
	eng.Run(des.At(10*time.Minute + 29*time.Second))
	assert.Equal(t, Pending, f.Lifecycle(2))
	eng.Run(des.At(10*time.Minute + 30*time.Second))
	assert.Equal(t, InService, f.Lifecycle(2), "in service after StartTime (30 s), not the 90 s launch")
}

func TestScaleOutBeyondTheWarmPoolLaunches(t *testing.T) {
	f, _, eng, _ := fleet(t, 2, withWarmPool(warm(3, 0))) // pool of 1
	f.Start()
	f.SetDesired(0, 4, "test")
	eng.Run(des.At(30 * time.Second))
	assert.Equal(t, InService, f.Lifecycle(2), "the warmed one")
	assert.Equal(t, Pending, f.Lifecycle(3), "the other launches in full")
	eng.Run(des.At(90 * time.Second))
	assert.Equal(t, InService, f.Lifecycle(3))
}

func TestReuseOnScaleIn(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		wp := warm(-1, 0) // max 10
		wp.ReuseOnScaleIn = reuse
		f, _, eng, _ := fleet(t, 4, withWarmPool(wp)) // pool of 6
		f.Start()
		f.SetDesired(0, 2, "test") // pool target 8
		st := f.WarmPool(0)
		assert.Equal(t, 8, st.Size, "reuse %v", reuse)
		if reuse {
			// AWS (InstanceReusePolicy): the scaled-in instances go back to the pool.
			assert.Equal(t, 2, st.Reused)
			assert.Equal(t, 8, st.Ready)
		} else {
			// AWS: "The default is to terminate instances ... when the group scales in"; the pool launches new ones.
			assert.Zero(t, st.Reused)
			assert.Equal(t, 6, st.Ready, "two new ones initialise for the group's launch time")
			eng.Run(des.At(90 * time.Second))
			assert.Equal(t, 8, f.WarmPool(0).Ready)
		}
	}
}

func TestRunningWarmPoolPaysEC2Time(t *testing.T) {
	for _, state := range []WarmPoolState{WarmStopped, WarmRunning} {
		wp := warm(4, 0)
		wp.PoolState = state
		f, _, eng, _ := fleet(t, 2, withWarmPool(wp))
		f.Start()
		eng.Run(des.At(time.Hour))
		u := f.WarmPoolUsage(des.At(time.Hour))
		if state == WarmStopped {
			assert.Empty(t, u, "a stopped pool pays EBS only, no EC2 time")
			continue
		}
		require.Len(t, u, 2)
		for _, r := range u {
			assert.Equal(t, des.At(time.Hour), r.Terminated-r.Launched)
		}
	}
}

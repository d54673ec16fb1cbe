package capacity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

func refreshEvents(log *schema.Log) []schema.Event {
	var out []schema.Event
	for _, e := range log.All() {
		if e.Type == schema.InstanceRefresh {
			out = append(out, e)
		}
	}
	return out
}

func unset() RefreshPreferences {
	return RefreshPreferences{MinHealthyPercentage: -1, MaxHealthyPercentage: -1, InstanceWarmup: -1, CheckpointDelay: -1}
}

func TestInstanceRefreshWithinMinHealthyPercent(t *testing.T) {
	// Ten instances, a 90 s launch and AWS's defaults: MinHealthyPercentage
	// 90 keeps 9 healthy, so one is replaced at a time, each taking its
	// launch and the 300 s warm-up: 10 x 390 s = 3,900 s. At 50% five go at
	// once: 2 x 390 = 780 s. MaxHealthyPercentage 110 with min 100 launches
	// one first and never drops below 10: 3,900 s as well.
	cases := []struct {
		name          string
		min, max      int
		done          time.Duration
		lowestHealthy int
	}{
		{"defaults 90/100: one at a time", -1, -1, 3900 * time.Second, 9},
		{"50/100: five at a time", 50, 100, 780 * time.Second, 5},
		{"100/110: launch before terminating", 100, 110, 3900 * time.Second, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _, eng, log := fleet(t, 10, func(g *GroupConfig) { g.MaxSize = 20 })
			f.Start()
			p := unset()
			p.MinHealthyPercentage, p.MaxHealthyPercentage = c.min, c.max
			f.StartInstanceRefresh(0, p)
			lowest := 10
			for eng.Step(des.At(3 * time.Hour)) {
				inService := 0
				for _, i := range f.GroupInstances(0) {
					if f.Lifecycle(i) == InService {
						inService++
					}
				}
				lowest = min(lowest, inService)
			}
			ev := refreshEvents(log)
			require.Len(t, ev, 2)
			assert.Equal(t, "Successful", ev[1].Status)
			assert.Equal(t, des.At(c.done), ev[1].At)
			assert.Equal(t, c.lowestHealthy, lowest, "instances in service at the lowest")
			for _, i := range f.GroupInstances(0) {
				assert.GreaterOrEqual(t, i, int32(10), "every instance is new")
			}
			assert.Len(t, f.GroupInstances(0), 10)
		})
	}
}

func TestInstanceRefreshTakesTheMaintenancePolicy(t *testing.T) {
	// AWS: with an instance maintenance policy the refresh needs no
	// percentages of its own.
	f, _, eng, log := fleet(t, 10, func(g *GroupConfig) {
		g.Maintenance = &MaintenancePolicy{MinHealthyPercentage: 50, MaxHealthyPercentage: 100}
	})
	f.Start()
	f.StartInstanceRefresh(0, unset())
	eng.Run(des.At(3 * time.Hour))
	ev := refreshEvents(log)
	require.Len(t, ev, 2)
	assert.Equal(t, des.At(780*time.Second), ev[1].At)
}

func TestInstanceRefreshCheckpoint(t *testing.T) {
	// A checkpoint at 50% pauses CheckpointDelay (AWS's default 3,600 s).
	f, _, eng, log := fleet(t, 10, nil)
	f.Start()
	p := unset()
	p.MinHealthyPercentage = 50
	p.CheckpointPercentages = []int{50, 100}
	f.StartInstanceRefresh(0, p)
	eng.Run(des.At(3 * time.Hour))
	ev := refreshEvents(log)
	require.Len(t, ev, 3)
	assert.Equal(t, des.At(390*time.Second), ev[1].At, "the first half is warm: checkpoint")
	assert.Equal(t, des.At(390*time.Second+time.Hour+390*time.Second), ev[2].At)
}

func TestSecondInstanceRefreshIsRejected(t *testing.T) {
	f, _, _, log := fleet(t, 4, nil)
	f.Start()
	f.StartInstanceRefresh(0, unset())
	f.StartInstanceRefresh(0, unset())
	ev := refreshEvents(log)
	require.Len(t, ev, 2)
	assert.Equal(t, "Rejected", ev[1].Status)
}

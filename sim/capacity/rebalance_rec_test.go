package capacity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

func spotGroup(maint *MaintenancePolicy) func(*GroupConfig) {
	return func(g *GroupConfig) {
		g.OnDemandPercentageAboveBase = 0
		g.CapacityRebalance = true
		g.RebalanceLead = 10 * time.Minute
		g.Maintenance = maint
	}
}

func TestCapacityRebalancingLaunchesBeforeTerminating(t *testing.T) {
	f, o, eng, _ := fleet(t, 2, spotGroup(nil))
	o.drain = false
	f.Start()
	eng.At(des.At(time.Minute), f.x.rebalanceRec, 0)
	eng.Run(des.At(time.Minute))
	require.Equal(t, 3, f.Len(), "the replacement is launched on the recommendation")
	assert.Equal(t, InService, f.Lifecycle(0), "the at-risk instance stays until its replacement is in service")
	eng.Run(des.At(time.Minute + 90*time.Second))
	assert.Equal(t, InService, f.Lifecycle(2))
	assert.Equal(t, Terminated, f.Lifecycle(0))
	assert.Contains(t, o.calls, "terminating 0 capacity-rebalance")
	assert.Equal(t, 2, f.Group(0).InService)
}

func TestCapacityRebalancingTerminatesFirstAtMaxHealthy100(t *testing.T) {
	// AWS (instance maintenance policy): "Terminate and launch" at
	// MaxHealthyPercentage 100.
	f, _, eng, _ := fleet(t, 2, spotGroup(&MaintenancePolicy{MinHealthyPercentage: 50, MaxHealthyPercentage: 100}))
	f.Start()
	eng.At(des.At(time.Minute), f.x.rebalanceRec, 0)
	eng.Run(des.At(time.Minute))
	assert.Equal(t, Terminated, f.Lifecycle(0))
	require.Equal(t, 3, f.Len())
	assert.Equal(t, Pending, f.Lifecycle(2))
}

func TestRebalanceRecommendationComesLeadBeforeTheNotice(t *testing.T) {
	// Interruptions drawn at 0.5 per instance-hour over two days: an
	// instance whose notice is due more than RebalanceLead (10 min) after
	// its launch gets the recommendation first and is replaced before the
	// notice; one due sooner gets only the notice, as without Capacity
	// Rebalancing (the first instance here: its notice at 2m17s).
	f, _, eng, log := fleet(t, 1, func(g *GroupConfig) {
		spotGroup(nil)(g)
		g.SpotInterruptionsPerInstHour = 0.5
	})
	f.Start()
	eng.Run(des.At(48 * time.Hour))
	recs, notices := map[string]des.Time{}, map[string]bool{}
	for _, e := range log.All() {
		switch e.Type {
		case "EC2RebalanceRecommendation":
			recs[e.Subject] = e.At
		case "SpotInterruptionNotice":
			notices[e.Subject] = true
		}
	}
	require.NotEmpty(t, recs)
	assert.True(t, notices[f.Instance(0).ID], "the first instance's notice came within 10 min of its launch")
	for i := range int32(f.Len()) {
		in := f.Instance(i)
		at, ok := recs[in.ID]
		if !ok {
			continue
		}
		assert.False(t, notices[in.ID], "%s was replaced before its notice", in.ID)
		assert.Equal(t, Terminated, in.Lifecycle)
		assert.Equal(t, at+des.At(90*time.Second), in.Terminated, "%s goes when its replacement is in service", in.ID)
	}
}

package ecs

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/autoscale"
	"github.com/fleetsim/fleetsim/sim/des"
)

// The service's metric log keeps only the minutes its policies read: what
// it returns must be the newest datapoints autoscale.Store returns, all of
// them up to keep.
func TestMetricLogHoldsTheNewestDatapointsOfTheStore(t *testing.T) {
	for seed := range uint64(40) {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 3))
			delay := time.Duration(r.IntN(16)) * time.Minute
			keep := 1 + r.IntN(30)
			store, log := autoscale.NewStore(delay), newMetricLog(delay, keep)
			names := []autoscale.MetricName{autoscale.ECSServiceAverageCPUUtilization, BacklogPerTask}
			for m := range 600 {
				now := des.At(time.Duration(m) * time.Minute)
				for _, name := range names {
					if m > 0 && r.IntN(4) > 0 { // some minutes publish nothing
						v := r.Float64() * 100
						store.Record(name, now-des.At(time.Minute), v)
						log.Record(name, now-des.At(time.Minute), v)
					}
					all := store.Datapoints(name, now)
					want := all[max(len(all)-keep, 0):]
					if len(want) == 0 {
						want = nil
					}
					require.Equal(t, want, log.Datapoints(name, now), "minute %d, %s", m, name)
				}
			}
		})
	}
}

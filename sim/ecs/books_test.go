package ecs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

// A drift only a recount from the tasks can see (a task's zone in its
// service's active list) ends the run at the next day's end, or, in the
// run's last day, at CheckEnd's recount.
func TestARecountFindsBooksThatDrifted(t *testing.T) {
	for _, tc := range []struct {
		name     string
		duration time.Duration
		caughtAt time.Duration // 0: by CheckEnd, the run itself ending without error
	}{
		{"at the next day's end", 72 * time.Hour, 48 * time.Hour},
		{"at the run's end, by CheckEnd alone", 48 * time.Hour, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, fleet, eng := newWorld(t, 2, ServiceConfig{Name: "web", DesiredCount: 4, ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}})
			w.cfg.Duration = tc.duration
			corrupt := eng.Register(func(_ des.Time, _ int32) {
				a := &w.services[0].active
				for i, tk := range a.ts {
					if tk >= 0 {
						a.zi[i] = 1 - a.zi[i] // the other of the two zones
						return
					}
				}
				t.Fatal("no active task to corrupt")
			})
			eng.At(des.At(30*time.Hour), corrupt, 0)
			fleet.Start()
			w.Start()
			w.StartSampling()
			_, err := eng.Run(des.At(w.cfg.Duration))
			if tc.caughtAt > 0 {
				require.ErrorIs(t, err, ErrInvariant)
				assert.Contains(t, err.Error(), "listed in zone")
				assert.Equal(t, des.At(tc.caughtAt), eng.Now(), "found by the day's recount")
				return
			}
			require.NoError(t, err, "the minute's cheap checks cannot see it")
			w.CheckEnd()
			require.ErrorIs(t, eng.Err(), ErrInvariant)
			assert.Contains(t, eng.Err().Error(), "listed in zone")
		})
	}
}

// The totals a minute's sample reads (the tallies summed over every owner,
// kept as tasks change state) agree with the per-owner tallies through a
// day of a service whose tasks fail and are replaced (every run checks
// the same at its end, batch jobs included); one off by a task is a breach at
// CheckEnd.
func TestTheTalliesTotalsFollowTheTallies(t *testing.T) {
	w, fleet, eng := newWorld(t, 2, ServiceConfig{Name: "web", DesiredCount: 4, TaskFailuresPerTaskHour: 0.5, ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}})
	w.cfg.Duration = 24 * time.Hour
	fleet.Start()
	w.Start()
	w.StartSampling()
	_, err := eng.Run(des.At(w.cfg.Duration))
	require.NoError(t, err)
	w.CheckEnd()
	require.NoError(t, eng.Err())
	require.Equal(t, 4, w.rec.total[TaskRunning])
	w.rec.total[TaskRunning]++
	w.CheckEnd()
	require.ErrorIs(t, eng.Err(), ErrInvariant)
	assert.Contains(t, eng.Err().Error(), "disagree with the totals kept")
}

// The minute's cheap comparison of a service's books with its tallies runs
// for the services whose books or tallies changed since it last ran (every
// change goes through books.go's setters, recountTask or the health flags,
// which mark the service); the day's recount compares them all. A drift
// made where a setter would mark the service is found at the next sample;
// one made behind the setters' backs, in a service whose tasks then do
// nothing, at the end of the day.
func TestTheMinutesCheckComparesTheBooksThatChanged(t *testing.T) {
	for _, tc := range []struct {
		name     string
		mark     bool
		caughtAt time.Duration
	}{
		{"marked: at the next sample", true, 30*time.Hour + time.Minute},
		{"unmarked: at the day's recount", false, 48 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, fleet, eng := newWorld(t, 2, ServiceConfig{Name: "web", DesiredCount: 4, ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}})
			w.cfg.Duration = 72 * time.Hour
			corrupt := eng.Register(func(_ des.Time, _ int32) {
				s := &w.services[0]
				s.old++ // one more to replace than the unhealthy and healthy listed
				s.booksDirty = tc.mark
			})
			eng.At(des.At(30*time.Hour+time.Second), corrupt, 0)
			fleet.Start()
			w.Start()
			w.StartSampling()
			_, err := eng.Run(des.At(w.cfg.Duration))
			require.ErrorIs(t, err, ErrInvariant)
			assert.Contains(t, err.Error(), "books of tasks to replace")
			assert.Equal(t, des.At(tc.caughtAt), eng.Now())
		})
	}
}

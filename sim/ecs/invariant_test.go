package ecs

import (
	"errors"
	"math"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/des"
)

// A deliberately broken fixture: an event that reserves a task on an
// instance without room must end the run with an error naming the instance,
// the resource and the simulated time.
func TestOvercommitEndsTheRunWithAnInvariantError(t *testing.T) {
	w, fleet, eng := newWorld(t, 1, ServiceConfig{Name: "web", DesiredCount: 4, ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}}) // one m5.large: 2048 CPU units
	kindBreak := w.eng.Register(func(now des.Time, _ int32) {
		// Force a fifth 512-unit task onto the full instance, bypassing placement.
		s := &w.services[0]
		extra := w.newTask(s.spec, -1, -1, provFargate)
		w.tasks[extra].provider = int32(s.strategy[0].provider)
		w.reserve(0, extra)
	})
	w.eng.At(des.At(10*time.Minute), kindBreak, 0)
	err := runWorld(w, fleet, eng)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrInvariant))
	assert.Contains(t, err.Error(), "instance i-00000000000000001: CPU reserved 2560 units > registered 2048")
	assert.Contains(t, err.Error(), "2026-01-05T00:10:00Z")
}

func TestBooksThatDisagreeWithTasksAreCaughtAtTheEnd(t *testing.T) {
	w, fleet, eng := newWorld(t, 1, ServiceConfig{Name: "web", DesiredCount: 2, ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}})
	kindLeak := w.eng.Register(func(des.Time, int32) { w.instances[0].memFree -= 100 }) // a leak
	w.eng.At(des.At(time.Minute), kindLeak, 0)
	err := runWorld(w, fleet, eng)
	require.ErrorIs(t, err, ErrInvariant)
	assert.Contains(t, err.Error(), "books say CPU 1024, memory 2148 reserved; its tasks reserve 1024, 2048")
}

// The minute's per-service checks (checkService, run in the sample's pass
// over the services) catch a service whose tally of tasks started drifts
// from its tasks, at the first sample after the drift.
func TestAServiceWhoseTalliesDriftIsCaughtAtTheNextMinute(t *testing.T) {
	w, fleet, eng := newWorld(t, 1, ServiceConfig{Name: "web", DesiredCount: 2, ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}})
	kindDrift := w.eng.Register(func(des.Time, int32) { w.services[0].started++ })
	w.eng.At(des.At(5*time.Minute+time.Second), kindDrift, 0)
	err := runWorld(w, fleet, eng)
	require.ErrorIs(t, err, ErrInvariant)
	assert.Contains(t, err.Error(), "service web: 3 tasks started but 2 live + 0 stopped")
	assert.Contains(t, err.Error(), "2026-01-05T00:06:00Z")
}

// A task's number is 32 bits (its record is two cache lines): the run that
// would announce task 2^32 ends with an error instead of repeating an ID.
func TestTheTaskNumbersRunningOutEndTheRun(t *testing.T) {
	w, fleet, eng := newWorld(t, 1, ServiceConfig{Name: "web", DesiredCount: 2, ProviderStrategy: []StrategyItem{{Provider: "cp", Weight: 1}}})
	w.nextTaskID = math.MaxUint32 - 1 // one number left: the service's two tasks need two
	err := runWorld(w, fleet, eng)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than 4294967295 tasks in one run")
}

// A task's record is two cache lines: an event that touches a task (its
// exit, its health check, its stop) reads two lines of a cold record, not
// three (at 144 bytes a record spanned three). A field added here takes
// one from elsewhere, or goes beside the record (as victimMarks does).
func TestATasksRecordIsTwoCacheLines(t *testing.T) {
	assert.Equal(t, uintptr(128), unsafe.Sizeof(task{}))
}

package main

import (
	"os"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sweep"
)

// A sweep's process collects at GOGC 400 under a soft limit of its workers
// times the largest run's limit, and both are put back afterwards; GOGC or
// GOMEMLIMIT in the environment is left alone.
func TestASweepTunesTheCollectorAndPutsItBack(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set in the environment")
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		t.Skip("GOMEMLIMIT is set in the environment")
	}
	sc, readRel, err := sweep.Resolve(scenarios.DefaultName)
	require.NoError(t, err)
	plan, err := sweep.NewPlan(sweep.Spec{Base: sc, ReadRel: readRel, Seeds: 1})
	require.NoError(t, err)
	gcPercent := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	beforePct, beforeLim := gcPercent(), debug.SetMemoryLimit(-1)

	restore := sweepGC(plan, 3)
	assert.Equal(t, sweepGCPercent, gcPercent())
	assert.Equal(t, 3*scenarios.Estimate(sc.Config).SoftMemoryLimit(), debug.SetMemoryLimit(-1))
	restore()
	assert.Equal(t, beforePct, gcPercent())
	assert.Equal(t, beforeLim, debug.SetMemoryLimit(-1))

	t.Setenv("GOGC", "100")
	t.Setenv("GOMEMLIMIT", "1GiB")
	restore = sweepGC(plan, 3)
	assert.Equal(t, beforePct, gcPercent(), "the user's GOGC stands")
	assert.Equal(t, beforeLim, debug.SetMemoryLimit(-1), "the user's GOMEMLIMIT stands")
	restore()
}

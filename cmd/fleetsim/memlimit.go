package main

import (
	"math"
	"os"
	"runtime/debug"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sweep"
)

// softMemoryLimit gives Go's collector the soft memory limit the pre-run
// estimate works out for cfg (scenarios.RunEstimate.SoftMemoryLimit), so
// that a large run's resident memory follows what it holds rather than
// twice that; it returns the function that puts the earlier limit back (the
// tests run the CLI in one process). GOMEMLIMIT in the environment, when
// set, is the user's choice and is left alone. The limit is soft: a run
// that holds more than estimated collects more often, and is never stopped.
func softMemoryLimit(cfg *sim.Config) (restore func()) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return func() {}
	}
	prev := debug.SetMemoryLimit(scenarios.Estimate(cfg).SoftMemoryLimit())
	return func() { debug.SetMemoryLimit(prev) }
}

// sweepGCPercent is GOGC for a sweep's process: a small scenario's run holds
// a few MB, so at the default 100 the collector runs every few MB allocated,
// takes about a third of the CPU and, at -j 1, its background workers take
// part of the second core too, which made two workers only 1.45x one
// (README "Speed", sweeps).
const sweepGCPercent = 400

// sweepGC tunes Go's collector for a sweep of plan on workers at once: GOGC
// 400 (unless GOGC is set), with a soft memory limit of workers times the
// largest limit one of its variants' runs would get alone (unless
// GOMEMLIMIT is set), so that a large scenario's workers still collect as
// `fleetsim run` would. It returns the function that puts both back.
func sweepGC(plan *sweep.Plan, workers int) (restore func()) {
	var undo []func()
	if _, set := os.LookupEnv("GOGC"); !set {
		prev := debug.SetGCPercent(sweepGCPercent)
		undo = append(undo, func() { debug.SetGCPercent(prev) })
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		if most := plan.SoftMemoryLimit(); most > 0 { // from NewPlan's parse of each variant
			limit := most * int64(max(workers, 1))
			if limit/int64(max(workers, 1)) != most { // overflow: no limit
				limit = math.MaxInt64
			}
			prev := debug.SetMemoryLimit(limit)
			undo = append(undo, func() { debug.SetMemoryLimit(prev) })
		}
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}

package main

import (
	"os"
	"runtime/debug"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
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

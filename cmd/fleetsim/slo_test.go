package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// summaryOf runs the default scenario, edited, and prints its terminal
// summary.
func summaryOf(t *testing.T, edit func(*sim.Config)) (*sim.Result, string) {
	t.Helper()
	sc, err := scenarios.Resolve(scenarios.DefaultName)
	require.NoError(t, err)
	edit(sc.Config)
	res, err := sim.New(sc.Config).Run()
	require.NoError(t, err)
	cost, err := report.ComputeCost(res, report.PricesFor(res.Config))
	require.NoError(t, err)
	var out bytes.Buffer
	printSummary(&out, res, cost, time.Second)
	return res, out.String()
}

func TestTheTerminalSummaryGivesEachObjectivesVerdictAndTheWarmUp(t *testing.T) {
	res, out := summaryOf(t, func(c *sim.Config) {
		c.Duration = 3 * time.Hour
		c.Settings.WarmUp = 30 * time.Minute
		c.Services[0].SLO = &ecs.SLOConfig{LatencyTargetPct: 100, P95Wait: time.Minute}
		c.Services[1].SLO = &ecs.SLOConfig{AvailabilityTargetPct: 50}
	})
	assert.Contains(t, out, "warm-up: the first 30m; waits, SLO attainment, availability, objectives and the instance peak are over the rest of the run (the cost is the whole bill)\n")
	assert.Contains(t, out, "SLO objectives: 1 of 2 services pass\n")
	assert.Regexp(t, regexp.MustCompile(`(?m)^cost: \$[0-9.,]+, \$[0-9.,]+ a day \(\$[0-9.,]+ after the warm-up\); `), out, "the steady cost per day beside the whole bill's")
	assert.Regexp(t, regexp.MustCompile(`(?m)^  service +objective +target +attained +budget used +verdict$`), out)
	assert.Regexp(t, regexp.MustCompile(`(?m)^  web +latency <= 100ms +100% +\d+\.\d{3}% +no budget +FAIL$`), out, "failing services first; a missed 100%% target has no budget")
	assert.Regexp(t, regexp.MustCompile(`(?m)^  web +placement_wait <= 1m +95% +100\.000% +0\.0% +PASS$`), out)
	assert.Regexp(t, regexp.MustCompile(`(?m)^  api +availability +50% +100\.000% +0\.0% +PASS$`), out)
	in := res.Summary.Instances
	assert.Contains(t, out, "at peak after the warm-up ("+strconv.Itoa(in.PeakDuringWarmUp)+" during the first 30m)")
}

func TestTheTerminalSummaryHasNoObjectivesOrWarmUpLinesWithoutThem(t *testing.T) {
	_, out := summaryOf(t, func(c *sim.Config) { c.Duration = time.Hour })
	assert.NotContains(t, out, "SLO objectives")
	assert.NotContains(t, out, "warm-up")
}

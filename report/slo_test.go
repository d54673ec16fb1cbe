package report_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/ecs"
)

// The default scenario with objectives on its web service (one it meets,
// availability, and one it cannot, a latency target of 100%) and on its
// api service (availability only), after a 30-minute warm-up.
func withObjectives(c *sim.Config) {
	c.Duration = 3 * time.Hour
	c.Settings.WarmUp = 30 * time.Minute
	c.Services[0].SLO = &ecs.SLOConfig{LatencyTargetPct: 100, AvailabilityTargetPct: 90}
	c.Services[1].SLO = &ecs.SLOConfig{AvailabilityTargetPct: 50}
}

func TestTheReportShowsObjectivesAndTheWarmUpPeak(t *testing.T) {
	res, html := reportHTML(t, "web-and-batch", withObjectives)
	web := res.Summary.Services[0]
	require.NotNil(t, web.SLO)
	require.Equal(t, ecs.Fail, web.SLO.Verdict, "a latency target of 100%% is missed by any slow request: %+v", web.SLO.Objectives)

	cards := cardsOf(t, html)
	assert.Equal(t, "1 of 2", cards["SLO objectives met"], "api meets its objective, web does not")
	assert.Contains(t, html, "failing: web")
	peakNote := regexp.MustCompile(`Peak EC2 instances</div><div class="value">[^<]*</div><div class="note">([^<]*)</div>`).FindStringSubmatch(html)
	require.NotNil(t, peakNote)
	assert.True(t, strings.HasPrefix(peakNote[1], "after the 30m warm-up ("+thousands(res.Summary.Instances.PeakDuringWarmUp)+" during it); "), peakNote[1])

	table := regexp.MustCompile(`(?s)<h3 id="slo-objectives">SLO objectives</h3>(.*?)</table>`).FindStringSubmatch(html)
	require.NotNil(t, table, "the objectives table under the cards")
	assert.Contains(t, table[1], "1 of 2 services meet every objective.")
	rows := regexp.MustCompile(`<tr[^>]*><td>([^<]*)</td><td class="text">([^<]*)</td><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td><td class="(warn|ok)">([^<]*)</td></tr>`).FindAllStringSubmatch(table[1], -1)
	require.Len(t, rows, 3, "web's two objectives, then api's one")
	assert.Equal(t, []string{"web", "latency ≤ 100ms", "100%", "no budget", "warn", "FAIL"}, rows[0][1:], "failing services first; a missed 100% target has no budget")
	assert.Equal(t, []string{"", "availability", "90%"}, rows[1][1:4])
	assert.Equal(t, "api", rows[2][1])
	assert.Contains(t, html, "Judged after the 30m warm-up.")
	cost := regexp.MustCompile(`Cost per day</div><div class="value">[^<]*</div><div class="note">([^<]*)</div>`).FindStringSubmatch(html)
	require.NotNil(t, cost, "a 3-hour run has a cost-per-day card")
	assert.Regexp(t, `; \$[0-9.,]+ a day after the 30m warm-up$`, cost[1], "the steady cost per day beside the whole bill's")
}

func TestAReportWithoutObjectivesHasNoObjectivesTable(t *testing.T) {
	_, html := reportHTML(t, "web-and-batch", func(c *sim.Config) { c.Duration = time.Hour })
	assert.NotContains(t, html, "slo-objectives")
	assert.Contains(t, cardsOf(t, html), "SLO attainment", "the attainment card stays when no service has objectives")
	assert.NotContains(t, html, "warm-up")
}

func TestTheSteadyCostPerDayIsTheWholeHoursAfterTheWarmUp(t *testing.T) {
	// $1, $2, $3, $4 in hours 0-3 of a four-hour run.
	c := &report.Cost{Hourly: report.HourlyCost{Providers: []string{"cp"}, USD: [][]report.USD{{1}, {2}, {3}, {4}}}}
	tests := []struct {
		name   string
		warmUp time.Duration
		want   report.USD
		ok     bool
	}{
		{"90m: hours 2 and 3, $7 in 2 h", 90 * time.Minute, 84, true},
		{"60m: hours 1 to 3, $9 in 3 h", time.Hour, 72, true},
		{"no warm-up: none", 0, 0, false},
		{"no whole hour after it", 3*time.Hour + time.Minute, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := report.SteadyPerDayUSD(c, tc.warmUp, 4*time.Hour)
			assert.Equal(t, tc.ok, ok)
			assert.InDelta(t, float64(tc.want), float64(got), 1e-9)
		})
	}
}

func TestTheObjectivesTableCountsThePassingCopiesOfEachSourceService(t *testing.T) {
	_, html := reportHTML(t, "web-and-batch", func(c *sim.Config) {
		withObjectives(c)
		c.Services[0].Name, c.Services[1].Name = "app-01", "app-02" // as copies = 2 names them
	})
	assert.Contains(t, html, "1 of 2 services meet every objective.</strong> By source service: app (2 copies): 1 pass.</p>")
}

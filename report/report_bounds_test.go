package report_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// reportHTML runs a library scenario (edit may change it first) and
// returns the result and its report.html.
func reportHTML(t *testing.T, name string, edit func(*sim.Config)) (*sim.Result, string) {
	t.Helper()
	res, src := runScenario(t, name, edit)
	return res, string(readFile(t, filepath.Join(writeRun(t, res, src), "report.html")))
}

// cardsOf reads the summary cards: label -> value.
func cardsOf(t *testing.T, html string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`<div class="label">([^<]*)</div><div class="value">([^<]*)</div>`).FindAllStringSubmatch(html, -1) {
		out[m[1]] = m[2]
	}
	require.NotEmpty(t, out, "summary cards")
	return out
}

// thousands is n as the report writes counts: "1,767,068".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// tableRows counts the body rows of each table in html, in order.
func tableRows(html string) []int {
	var out []int
	for _, body := range regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`).FindAllStringSubmatch(html, -1) {
		out = append(out, strings.Count(body[1], "<tr"))
	}
	return out
}

func TestCardsComeFromTheSummaryWhenTaskEventsAreOff(t *testing.T) {
	for _, taskEvents := range []bool{true, false} {
		t.Run(fmt.Sprintf("az-outage with task_events = %v", taskEvents), func(t *testing.T) {
			res, html := reportHTML(t, "az-outage", func(c *sim.Config) { c.Settings.TaskEvents = taskEvents })
			if !taskEvents {
				for _, e := range res.Events {
					require.NotEqual(t, schema.TaskStateChange, e.Type, "no task events recorded")
				}
			}
			s := res.Summary
			started, failures, p95, peak := 0, 0, 0.0, s.Instances.Peak
			for _, sv := range s.Services {
				started += sv.TasksStarted
				p95 = max(p95, sv.PlacementWait.P95)
			}
			for _, j := range s.BatchJobs {
				started += j.Submitted
				p95 = max(p95, j.PlacementWait.P95)
			}
			for _, n := range s.PlacementFailures {
				failures += n
			}
			require.Positive(t, p95, "az-outage's web waits for capacity after the outage")
			cards := cardsOf(t, html)
			assert.Equal(t, thousands(started), cards["Tasks started"])
			assert.Equal(t, strconv.FormatFloat(p95, 'f', 1, 64)+" s", cards["Placement wait p95"], "the worst p95 of summary.json")
			assert.Equal(t, thousands(failures), cards["Placement failures"])
			assert.Equal(t, thousands(peak), cards["Peak EC2 instances"])
		})
	}
}

// A run with task events and per-service series off, as large-week runs,
// shows the summary's numbers on its cards, not the empty event log's
// zeros.
func TestCardsOfARunWithoutTaskEventsAreNotZero(t *testing.T) {
	res, html := reportHTML(t, "web-and-batch", func(c *sim.Config) {
		c.Settings.TaskEvents, c.Settings.ServiceSeries = false, false
		c.Duration = 2 * time.Hour
	})
	cards := cardsOf(t, html)
	assert.NotEqual(t, "0", cards["Tasks started"])
	started := 0
	for _, sv := range res.Summary.Services {
		started += sv.TasksStarted
	}
	for _, j := range res.Summary.BatchJobs {
		started += j.Submitted
	}
	assert.Equal(t, thousands(started), cards["Tasks started"])
	plots := between(t, html, `<section id="plots">`, `</section>`)
	assert.Contains(t, plots, "task_events = false", "the missing placement-wait figure is explained")
}

func TestFargateOnlyRunShowsFargateCardsAndNoEC2(t *testing.T) {
	res, html := reportHTML(t, "queue-worker", nil)
	require.Zero(t, res.Summary.Instances.Launched, "queue-worker runs on Fargate alone")
	cards := cardsOf(t, html)
	assert.NotContains(t, cards, "Peak EC2 instances")
	assert.Contains(t, cards, "Fargate tasks")
	assert.NotEqual(t, "0", cards["Fargate tasks"])
	assert.NotContains(t, html, `id="instances"`, "no EC2 instances figure")
	assert.NotContains(t, html, `id="reservation"`, "no cluster reservation figure")
	assert.Contains(t, html, `id="fargate"`)
	assert.Contains(t, html, "all Fargate")
}

// copiesOf replaces a config's services with n copies of each, named as
// scenarios names copies (NAME-001 .. NAME-n), or with n distinct names.
func copiesOf(n int, distinct bool) func(*sim.Config) {
	return func(c *sim.Config) {
		src := c.Services
		c.Services = c.Services[:0:0]
		for _, s := range src {
			for i := range n {
				cp := s
				cp.Name = fmt.Sprintf("%s-%03d", s.Name, i+1)
				if distinct {
					cp.Name = fmt.Sprintf("%s%03dx", s.Name, i+1)
				}
				c.Services = append(c.Services, cp)
			}
		}
		c.Duration = time.Hour
	}
}

func TestTablesStayBoundedFor200Services(t *testing.T) {
	tests := []struct {
		name         string
		edit         func(*sim.Config)
		wantServices int // rows of the services table at most
	}{
		{name: "two services, 100 copies each: three worst copies and one folded row each", edit: copiesOf(100, false), wantServices: 2 * 4},
		{name: "200 services that are no copies: the worst ten and one folded row", edit: copiesOf(100, true), wantServices: 10 + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, html := reportHTML(t, "web-and-batch", tc.edit)
			require.Len(t, res.Summary.Services, 200)
			services := between(t, html, `<section id="services">`, `</section>`)
			assert.Equal(t, tc.wantServices, tableRows(services)[0], "services table")
			assert.Contains(t, services, "more")
			for i, n := range tableRows(html) {
				assert.LessOrEqual(t, n, 45, "table %d has %d rows", i, n)
			}
			figures := strings.Count(html, "<figure")
			assert.LessOrEqual(t, figures, 4+2*8+2, "figures for at most 8 services") // cost rate, idle capacity, instances, reservation
			timeline := between(t, html, `<section id="timeline">`, `</section>`)
			assert.LessOrEqual(t, tableRows(timeline)[0], 40)
		})
	}
}

func TestFaultsTableSaysSoWhenTaskEventsAreOff(t *testing.T) {
	res, html := reportHTML(t, "mixed-spot", func(c *sim.Config) { c.Settings.TaskEvents = false })
	notices := 0
	for _, e := range res.Events {
		if e.Type == schema.SpotInterruptionNotice {
			notices++
		}
	}
	fargate := res.Summary.Instances.SpotInterruptions - notices
	require.Greater(t, fargate, 1, "mixed-spot's worker loses Fargate Spot tasks")
	faults := between(t, html, `<h3 id="fault-list">`, `</section>`)
	assert.Contains(t, faults, "task events off")
	assert.Contains(t, faults, fmt.Sprintf("Fargate Spot reclaimed %d tasks", fargate), "summary.json counts them; the log cannot show them")
	assert.NotContains(t, faults, "no service task on the capacity lost", "no guess about which services it touched")
	plots := between(t, html, `<section id="plots">`, `</section>`)
	assert.Contains(t, plots, "Faults are not marked")
	assert.NotContains(t, plots, "Marked: Spot interruption")
}

func TestMixedSpotFaultsTableNamesTheServicesHit(t *testing.T) {
	_, html := reportHTML(t, "mixed-spot", nil)
	faults := between(t, html, `<h3 id="fault-list">`, `</section>`)
	assert.Contains(t, faults, "Fargate Spot interruption")
	assert.Regexp(t, `Fargate Spot interruption</td><td class="text">worker: 1 task</td><td>–</td><td class="text">worker</td>`, faults,
		"the service Fargate Spot hit is named")
	assert.NotContains(t, faults, "no service's healthy count dropped")
	_, again := reportHTML(t, "mixed-spot", nil)
	assert.Equal(t, html, again, "the same run gives the same bytes")
}

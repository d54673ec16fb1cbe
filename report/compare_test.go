package report_test

import (
	"bytes"
	"errors"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
)

// compareRunDirs writes the default scenario at seeds 42 and 7 (the second
// with two more web tasks) as two run folders.
func compareRunDirs(t *testing.T) (a, b string) {
	t.Helper()
	res, src := runScenario(t, "", nil)
	res2, _ := runScenario(t, "", func(c *sim.Config) { c.Seed = 7; c.Services[0].DesiredCount += 2 })
	return writeRun(t, res, src), writeRun(t, res2, src)
}

// compareHTML runs Compare on dirs and returns the page.
func compareHTML(t *testing.T, dirs ...string) string {
	t.Helper()
	out := t.TempDir()
	require.NoError(t, report.Compare(dirs, out))
	return string(readFile(t, filepath.Join(out, "report.html")))
}

func TestCompareOverlaysTheRunsInFigures(t *testing.T) {
	a, b := compareRunDirs(t)
	html := compareHTML(t, a, b)
	for _, id := range []string{"plots", "compare-instances", "compare-cost-rate",
		"compare-service-1", "compare-service-2", "compare-placement-wait"} {
		assert.Contains(t, html, `id="`+id+`"`, "figure %s", id)
	}
	assert.Contains(t, html, "Service web: running tasks")
	assert.Contains(t, html, "Service api: running tasks")
	assert.Equal(t, 4, strings.Count(html, "<svg"), "instances, cost rate, web, api (no task waited: no CDF)")
	assert.Contains(t, html, "Not drawn: every task of every run was placed the moment it was created")
	assert.Contains(t, html, "hours since each run&#39;s start", "the x axis says time is since each run's start")
	assert.Contains(t, html, ">web-and-batch (seed 42)<", "the legend names each run")
	assert.Contains(t, html, ">web-and-batch (seed 7)<")
	assert.Contains(t, html, "stroke-dasharray", "the second run is dashed")
}

func TestCompareOverlaysRunsOfDifferentStartsAndLengths(t *testing.T) {
	day, src := runScenario(t, "", nil)
	outage, src2 := runScenario(t, "az-outage", nil)
	rollback, src3 := runScenario(t, "broken-deploy-rollback", nil)
	require.NotEqual(t, day.Config.Start, outage.Config.Start, "the runs start at different times")
	html := compareHTML(t, writeRun(t, day, src), writeRun(t, outage, src2))
	assert.Contains(t, html, "Service web: running tasks", "web is in both runs")
	assert.NotContains(t, html, "Service api: running tasks", "api is only in the first")
	assert.Contains(t, html, `id="compare-placement-wait"`)
	assert.Contains(t, html, "placement wait (seconds)", "az-outage has tasks that waited")

	html = compareHTML(t, writeRun(t, day, src), writeRun(t, rollback, src3))
	assert.Contains(t, html, "No service is present in every run")
}

func TestCompareNotesAServiceFigureItCannotDraw(t *testing.T) {
	res, src := runScenario(t, "", nil)
	res2, _ := runScenario(t, "", func(c *sim.Config) { c.Seed = 7; c.Settings.ServiceSeries = false })
	html := compareHTML(t, writeRun(t, res, src), writeRun(t, res2, src))
	assert.Contains(t, html, "Not drawn: timeseries.csv has no per-service columns in web-and-batch (seed 7)")
	assert.Equal(t, 2, strings.Count(html, "<svg"), "instances and cost rate only")
}

func TestCompareLabelsIdenticalRunsApart(t *testing.T) {
	a, _ := compareRunDirs(t)
	html := compareHTML(t, a, a)
	assert.Contains(t, html, "web-and-batch (seed 42), run 1")
	assert.Contains(t, html, "web-and-batch (seed 42), run 2")
}

func TestCompareIsByteIdenticalForTheSameInputs(t *testing.T) {
	a, b := compareRunDirs(t)
	assert.True(t, compareHTML(t, a, b) == compareHTML(t, a, b), "two comparisons of the same folders differ")
}

func TestCompareHTMLIsSelfContainedAndEscaped(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	a, _ := compareRunDirs(t)
	res, src := runScenario(t, "", func(c *sim.Config) { c.Name = evil; c.Services[0].Name = evil })
	html := compareHTML(t, a, writeRun(t, res, src))
	assertSelfContained(t, "the comparison's report.html", html)
	assert.NotContains(t, html, evil)
	assert.Contains(t, html, "&lt;script&gt;alert(1)&lt;/script&gt;")
}

// copyRun copies a run folder's files (not its plots) into a new folder.
func copyRun(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	for _, f := range report.Files {
		require.NoError(t, os.WriteFile(filepath.Join(out, f), readFile(t, filepath.Join(dir, f)), 0o644))
	}
	return out
}

func TestCompareRejectsAMissingOrMalformedFile(t *testing.T) {
	good, _ := compareRunDirs(t)
	write := func(name, text string) func(string) error {
		return func(dir string) error { return os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644) }
	}
	edit := func(name, old, new string) func(string) error {
		return func(dir string) error {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return err
			}
			if !bytes.Contains(b, []byte(old)) {
				return os.ErrNotExist
			}
			return os.WriteFile(filepath.Join(dir, name), bytes.Replace(b, []byte(old), []byte(new), 1), 0o644)
		}
	}
	remove := func(name string) func(string) error {
		return func(dir string) error { return os.Remove(filepath.Join(dir, name)) }
	}
	tests := []struct {
		name   string
		break_ func(dir string) error
		want   []string // in the error
	}{
		{"summary.json missing", remove("summary.json"), []string{"summary.json: missing"}},
		{"cost.json missing", remove("cost.json"), []string{"cost.json: missing"}},
		{"timeseries.csv missing", remove("timeseries.csv"), []string{"timeseries.csv: missing"}},
		{"events.csv missing", remove("events.csv"), []string{"events.csv: missing"}},
		{"summary.json cut short", write("summary.json", `{"scenario": "x"`), []string{"summary.json: unexpected EOF"}},
		{"summary.json without a duration", edit("summary.json", `"24h0m0s"`, `"a day"`), []string{"summary.json: simulated_duration \"a day\""}},
		{"cost.json not JSON", write("cost.json", "total: 3"), []string{"cost.json: invalid character"}},
		{"cost.json hour with an amount missing", func(dir string) error {
			// Drop the first hour's first amount.
			b := readFile(t, filepath.Join(dir, "cost.json"))
			b = regexp.MustCompile(`("usd": \[\s*\[)\s*[0-9.]+,`).ReplaceAll(b, []byte("$1"))
			return os.WriteFile(filepath.Join(dir, "cost.json"), b, 0o644)
		},
			[]string{"cost.json: hourly: hour 0 has 2 amounts for 3 capacity providers"}},
		{"timeseries.csv empty", write("timeseries.csv", ""), []string{"timeseries.csv: empty file"}},
		{"timeseries.csv without instances", edit("timeseries.csv", "instances_active", "instances_up"),
			[]string{`timeseries.csv: header has no column "instances_active"`}},
		{"timeseries.csv not a number", edit("timeseries.csv", "\n2026-01-05T00:01:00Z,1,", "\n2026-01-05T00:01:00Z,1,x"),
			[]string{"timeseries.csv: line 3: column instances_launching: \"x0\" is not a number"}},
		{"timeseries.csv minutes out of order", edit("timeseries.csv", "\n2026-01-05T00:01:00Z,1,", "\n2026-01-05T00:01:00Z,0,"),
			[]string{"timeseries.csv: line 3: minute \"0\""}},
		{"timeseries.csv a short row", write("timeseries.csv", "time,minute,instances_launching,instances_active\nt,0,1\n"),
			[]string{"timeseries.csv: record on line 2: wrong number of fields"}},
		{"events.csv bad offset", edit("events.csv", "Z,0,", "Z,soon,"), []string{`events.csv: line 2: offset_s "soon"`}},
		{"two files bad at once", func(dir string) error {
			return errors.Join(remove("events.csv")(dir), write("cost.json", "[")(dir))
		}, []string{"cost.json: unexpected EOF", "events.csv: missing"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := copyRun(t, good)
			require.NoError(t, tc.break_(bad))
			out := filepath.Join(t.TempDir(), "cmp")
			err := report.Compare([]string{good, bad}, out)
			require.ErrorIs(t, err, report.ErrRunFolder)
			assert.ErrorContains(t, err, "run folder "+bad)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
			assert.NoDirExists(t, out, "nothing is written")
		})
	}
}

// Moved here from html_test.go: with the noise thresholds, two seeds of the
// default scenario are not told apart, and a real change is.
func TestCompareShowsRunsSideBySideWithDeltas(t *testing.T) {
	res, src := runScenario(t, "", nil)
	a := writeRun(t, res, src)
	res2, _ := runScenario(t, "", func(c *sim.Config) { c.Seed = 7; c.Services[0].DesiredCount += 2 })
	b := writeRun(t, res2, src)
	html := compareHTML(t, a, b)
	assert.Contains(t, html, "web-and-batch (seed 42)")
	assert.Contains(t, html, "web-and-batch (seed 7)")
	assert.Contains(t, html, "total cost")
	assert.Contains(t, html, "service web: availability")
	assert.Contains(t, html, "service web: SLO met")
	assert.NotContains(t, html, `class="worse"`, "another seed and two more tasks the autoscaler takes back are noise")
	assert.NotContains(t, html, `class="better"`)
	assert.Contains(t, html, "Smaller deltas stay grey", "the page states the rule")
	assert.Contains(t, html, template.HTMLEscapeString(report.NoiseRule()))

	res3, _ := runScenario(t, "", func(c *sim.Config) { c.Services[0].AutoScaling = nil; c.Services[0].DesiredCount = 30 })
	html = compareHTML(t, a, writeRun(t, res3, src))
	assert.Regexp(t, `<tr><td>service web: cost</td><td class="noise">&gt; 25% \(and a cent\)</td><td>\$[0-9.]+</td><td class="worse">`, html,
		"30 web tasks around the clock cost more, beyond any seed's luck")

	out := t.TempDir()
	assert.Error(t, report.Compare([]string{a}, out), "one run is nothing to compare")
	assert.ErrorContains(t, report.Compare([]string{a, t.TempDir()}, out), "summary.json")
}

func TestCompareIncludesBatchJobs(t *testing.T) {
	a, b := compareRunDirs(t)
	html := compareHTML(t, a, b)
	for _, m := range []string{"cost", "submitted", "completed", "could not be placed", "wait p95 (s)"} {
		assert.Contains(t, html, "<td>batch job etl: "+m+"</td>")
	}
}

func TestCompareWarnsOfRunsOfDifferentScenariosOrDurations(t *testing.T) {
	day, src := runScenario(t, "", nil)
	short, _ := runScenario(t, "", func(c *sim.Config) { c.Duration = 6 * time.Hour })
	outage, src2 := runScenario(t, "az-outage", nil)
	tests := []struct {
		name string
		runs func() []string
		want []string
	}{
		{"two seeds of one scenario: nothing to warn of", func() []string {
			a, b := compareRunDirs(t)
			return []string{a, b}
		}, nil},
		{"another duration", func() []string { return []string{writeRun(t, day, src), writeRun(t, short, src)} },
			[]string{"The runs simulate different durations (web-and-batch (seed 42), run 1 24h0m0s, web-and-batch (seed 42), run 2 6h0m0s): totals (cost, tasks, instances launched) grow with the duration; compare cost per day, waits and shares."}},
		{"another scenario, and another duration", func() []string { return []string{writeRun(t, day, src), writeRun(t, outage, src2)} },
			[]string{"The runs are of different scenarios (web-and-batch, az-outage): their differences are the scenarios', not only a setting's.",
				"The runs simulate different durations (web-and-batch (seed 42) 24h0m0s, az-outage (seed 13) 6h0m0s): totals (cost, tasks, instances launched) grow with the duration; compare cost per day, waits and shares."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			warnings, err := report.CompareRuns(tc.runs(), out)
			require.NoError(t, err)
			assert.Equal(t, tc.want, warnings)
			html := string(readFile(t, filepath.Join(out, "report.html")))
			for _, w := range tc.want {
				assert.Contains(t, html, "<b>Warning:</b> "+template.HTMLEscapeString(w), "the page opens with it")
			}
			if tc.want == nil {
				assert.NotContains(t, html, "Warning:")
			}
		})
	}
}

package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/scenarios"
)

func TestEveryCommandsHelpExitsZeroAndNamesItsArguments(t *testing.T) {
	tests := []struct {
		cmd, synopsis string
	}{
		{"run", "usage: fleetsim run [-o DIR] [--seed N] [-q] [SCENARIO]"},
		{"validate", "usage: fleetsim validate SCENARIO..."},
		{"sweep", "usage: fleetsim sweep [SCENARIO] --vary KEY=V1,V2,..."},
		{"merge", "usage: fleetsim merge [-o OUT] [-q] SHARD_DIR..."},
		{"compare", "usage: fleetsim compare [-o DIR] RUN_DIR RUN_DIR..."},
		{"list", "usage: fleetsim list"},
		{"show", "usage: fleetsim show [--list | --file PATH | -o DIR] NAME"},
		{"version", "usage: fleetsim version"},
	}
	for _, tc := range tests {
		for _, args := range [][]string{{tc.cmd, "--help"}, {tc.cmd, "-h"}, {"help", tc.cmd}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, stdout, stderr := runCLI(args...)
				assert.Equal(t, exitOK, code)
				assert.True(t, strings.HasPrefix(stdout, tc.synopsis), "the usage names the positional arguments:\n%s", stdout)
				assert.Empty(t, stderr)
			})
		}
	}
}

func TestHelpAfterAScenarioIsHelpNotAScenario(t *testing.T) {
	for _, args := range [][]string{{"validate", "--help"}, {"validate", "web-and-batch", "--help"}, {"run", scenarios.DefaultName, "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := runCLI(args...)
			assert.Equal(t, exitOK, code, stderr)
			assert.NotContains(t, stdout+stderr, "problem(s)")
			assert.NotContains(t, stdout, ": ok (", "nothing was validated or run")
		})
	}
}

func TestTheOverviewListsEveryCommand(t *testing.T) {
	code, stdout, _ := runCLI("help")
	require.Equal(t, exitOK, code)
	for _, c := range []string{"run", "validate", "sweep", "merge", "compare", "list", "show", "version"} {
		assert.Contains(t, stdout, "fleetsim "+c+" ")
	}
	code, _, stderr := runCLI()
	assert.Equal(t, exitBadInput, code, "no command is bad input")
	assert.Contains(t, stderr, "usage:")
}

func TestABadFlagPrintsTheUsageOnStderrAndExitsTwo(t *testing.T) {
	code, stdout, stderr := runCLI("compare", "--nope", "a", "b")
	assert.Equal(t, exitBadInput, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "flag provided but not defined: -nope")
	assert.Contains(t, stderr, "usage: fleetsim compare")
}

func TestSeedTakesAnyUint64AndRefusesTheRest(t *testing.T) {
	tests := []struct {
		name, seed string
		wantCode   int
		want       string // in summary.json's seed, or stderr
	}{
		{"the largest seed a sweep prints", "18446744073709551615", exitOK, "18446744073709551615"},
		{"zero", "0", exitOK, "0"},
		{"a negative seed is refused, not ignored", "-1", exitBadInput, `invalid value "-1" for flag -seed: a seed is not negative`},
		{"one past the largest", "18446744073709551616", exitBadInput, "want a whole number from 0 to 18446744073709551615"},
		{"not a number", "seven", exitBadInput, "want a whole number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			code, _, stderr := runCLI("run", "burst-scale-out", "--seed", tc.seed, "-q", "-o", dir)
			require.Equal(t, tc.wantCode, code, stderr)
			if tc.wantCode != exitOK {
				assert.Contains(t, stderr, tc.want)
				assert.NoDirExists(t, dir, "nothing written")
				return
			}
			b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
			require.NoError(t, err)
			var sum struct {
				Seed json.Number `json:"seed"`
			}
			require.NoError(t, json.Unmarshal(b, &sum))
			assert.Equal(t, tc.want, sum.Seed.String())
		})
	}
}

func TestVersionPrintsTheModuleVersionAndTheGoVersion(t *testing.T) {
	code, stdout, stderr := runCLI("version")
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `^fleetsim \S+ go1\.\d+`, stdout)

	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build information", nil, false, "fleetsim (devel) "},
		{"a source tree", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "(devel)"}}, true, "fleetsim (devel) go1.26.1"},
		{"go install of a tag", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.2.3"}}, true, "fleetsim v1.2.3 go1.26.1"},
		{"an empty version", &debug.BuildInfo{GoVersion: "go1.26.1"}, true, "fleetsim (devel) go1.26.1"},
		{"a modified checkout", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}}, true,
			"fleetsim (devel) go1.26.1 revision abc123+dirty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.True(t, strings.HasPrefix(versionLine(tc.bi, tc.ok), tc.want), versionLine(tc.bi, tc.ok))
		})
	}
}

func TestShowPrintsALibraryScenarioAndTheFilesItRefersTo(t *testing.T) {
	lib := func(name string) string {
		b, err := fs.ReadFile(scenarios.LibraryFS(), name)
		require.NoError(t, err)
		return string(b)
	}
	code, stdout, stderr := runCLI("show", "web-and-batch")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, lib("web-and-batch.toml"), stdout, "the TOML as shipped, and nothing else on stdout")
	assert.Contains(t, stderr, "refers to taskdefs/etl.json")

	code, stdout, _ = runCLI("show", "--list", "social-bursts")
	require.Equal(t, exitOK, code)
	assert.Equal(t, "traces/twitter-stream-2021-08-per-minute.csv.gz\n", stdout)
	code, stdout, _ = runCLI("show", "--list", "az-outage")
	require.Equal(t, exitOK, code)
	assert.Empty(t, stdout, "a scenario without files lists none")

	code, stdout, _ = runCLI("show", "web-and-batch", "--file", "taskdefs/etl.json")
	require.Equal(t, exitOK, code)
	assert.Equal(t, lib("taskdefs/etl.json"), stdout)

	dir := filepath.Join(t.TempDir(), "mine")
	code, stdout, stderr = runCLI("show", "-o", dir, "web-and-batch")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "fleetsim run "+filepath.Join(dir, "web-and-batch.toml"))
	code, _, stderr = runCLI("run", "-q", "-o", filepath.Join(dir, "out"), filepath.Join(dir, "web-and-batch.toml"))
	assert.Equal(t, exitOK, code, "the exported scenario runs as it is: %s", stderr)

	bad := []struct {
		name string
		args []string
		want string
	}{
		{"an export over existing files", []string{"show", "-o", dir, "web-and-batch"}, "already exists; choose another -o"},
		{"a misspelt name", []string{"show", "web-and-btach"}, "did you mean web-and-batch?"},
		{"a file it does not refer to", []string{"show", "web-and-batch", "--file", "taskdefs/api.json"}, "does not refer to taskdefs/api.json (it refers to: taskdefs/etl.json)"},
		{"two alternatives at once", []string{"show", "--list", "-o", dir, "web-and-batch"}, "alternatives"},
		{"no name", []string{"show"}, "name one scenario, found 0"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(tc.args...)
			assert.Equal(t, exitBadInput, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

func TestTheRunSummaryShowsCostServiceQualityAndFailuresAsTables(t *testing.T) {
	code, stdout, stderr := runCLI("run", "az-outage", "-o", filepath.Join(t.TempDir(), "out"))
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^cost: \$[0-9,]+\.\d\d, \$[0-9,]+\.\d\d a day`, stdout)
	assert.Regexp(t, `(?m)^service +desired +running +started +stopped +wait p50 +wait p95 +wait max +SLO met +availability +cost$`, stdout)
	assert.Regexp(t, `(?m)^web +\d+ +\d+ +\d+ +\d+ +[0-9.]+ s +[0-9.ms]+ s? +.* +- +\d+\.\d\d% +\$[0-9.]+$`, stdout, "no SLO reads -, availability a percentage")
	assert.Regexp(t, `(?m)^placement failures: \d+ task\(s\), by first reason:\n  reason +tasks\n  RESOURCE:CPU +\d+$`, stdout)
	assert.NotContains(t, stdout, "map[", "no Go map")

	code, stdout, stderr = runCLI("run", "-o", filepath.Join(t.TempDir(), "out"))
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^batch job +submitted +completed +running +not placed +wait p50 +wait p95 +wait max +cost$`, stdout)
	assert.Regexp(t, `(?m)^api +.* \d+\.\d\d% +\d+\.\d\d% +\$`, stdout, "SLO met and availability")
	assert.Contains(t, stdout, "placement failures: none")
}

func TestSummaryFormats(t *testing.T) {
	waits := []struct {
		name string
		s    float64
		want string
	}{
		{"under two minutes: seconds with a decimal, as report.html", 12.5, "12.5 s"},
		{"no wait", 0, "0.0 s"},
		{"two minutes and more: a duration, as report.html", 200, "3m20s"},
		{"hours", 3725.4, "1h2m5s"},
	}
	for _, tc := range waits {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, waitText(tc.s)) })
	}
	money := []struct {
		name string
		usd  float64
		want string
	}{
		{"cents", 15.951, "$15.95"},
		{"thousands separated", 1234567.891, "$1,234,567.89"},
		{"under a cent", 0.004, "<$0.01"},
		{"nothing", 0, "$0.00"},
	}
	for _, tc := range money {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, usd(tc.usd)) })
	}
}

func TestPlacementFailuresPrintMostFirstThenByReason(t *testing.T) {
	var b strings.Builder
	printFailures(&b, map[string]int{"RESOURCE:MEMORY": 1, "RESOURCE:CPU": 3, "AGENT": 1})
	assert.Equal(t, "placement failures: 5 task(s), by first reason:\n"+
		"  reason           tasks\n"+
		"  RESOURCE:CPU         3\n"+
		"  AGENT                1\n"+
		"  RESOURCE:MEMORY      1\n", b.String())
}

func TestTheSweepTableUsesShortKeysAndSaysWhatEachVariantDoes(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI("sweep", "mixed-spot", "--set", `duration="2h"`, "--seeds", "2", "-o", filepath.Join(dir, "a"),
		"--vary", `auto_scaling_groups.asg-mixed.instance_types=["m5.xlarge"],["m5.xlarge","m6i.xlarge"]`)
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `(?m)^variant +instance_types +runs +\$/day +vs v1 \(95% CI\) +SLO % +vs v1 pp \(95% CI\) +p95 wait s +peak inst`, stdout)
	assert.Contains(t, stdout, "\ninstance_types: auto_scaling_groups.asg-mixed.instance_types\n", "the legend")
	assert.Regexp(t, `(?m)^v1 \* `, stdout)
	assert.Regexp(t, `(?m)^v2 =v1 `, stdout, "flagged identical, and not starred")
	assert.Contains(t, stdout, "v2 has exactly v1's outcomes on every seed")

	code, stdout, stderr = runCLI("sweep", "diurnal-target-tracking", "--set", `duration="12h"`, "--seeds", "3", "-o", filepath.Join(dir, "b"),
		"--vary", "services.web.auto_scaling.target_tracking.0.target_value=50,75")
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, regexp.MustCompile(`(?m)^v2 costs \$\d+\.\d\d less a day than v1 \(95% CI \d+\.\d\d-\d+\.\d\d\) with (SLO within \d\.\d\d pp|the same SLO|SLO \d\.\d\d pp (lower|higher) \(95% CI \d\.\d\d-\d\.\d\d\))\.`), stdout)
}

func TestCompareWarnsOnStderrOfDifferentScenarios(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	require.Equal(t, exitOK, func() int { c, _, _ := runCLI("run", "-q", "-o", a); return c }())
	require.Equal(t, exitOK, func() int { c, _, _ := runCLI("run", "-q", "-o", b, "az-outage"); return c }())
	code, stdout, stderr := runCLI("compare", "-o", filepath.Join(dir, "cmp"), a, b)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "report.html")
	assert.Contains(t, stderr, "fleetsim compare: warning: The runs are of different scenarios (web-and-batch, az-outage)")
	assert.Contains(t, stderr, "fleetsim compare: warning: The runs simulate different durations")
}

// A scenario's warnings reach the user on stderr, in the problem form, and
// the command goes on: validate says ok.
func TestValidatePrintsAScenariosWarningsAndSaysOK(t *testing.T) {
	src, err := fs.ReadFile(scenarios.LibraryFS(), "web-and-batch.toml")
	require.NoError(t, err)
	text := strings.Replace(string(src), "[cluster]\n", "[cluster]\neni_trunking = true\n", 1)
	text = strings.Replace(text, `instance_types = ["m5.large"]`, `instance_types = ["c5n.large"]`, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "trunk.toml")
	require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "taskdefs"), 0o755))
	etl, err := fs.ReadFile(scenarios.LibraryFS(), "taskdefs/etl.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "taskdefs", "etl.json"), etl, 0o644))
	code, stdout, stderr := runCLI("validate", file)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, ": ok")
	assert.Contains(t, stderr, "fleetsim: warning: "+file+":")
	assert.Contains(t, stderr, "c5n.large")
}

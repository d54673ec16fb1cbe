package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sweepCLI(cmd func([]string, *bytes.Buffer, *bytes.Buffer) int, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cmd(args, &out, &errb)
	return code, out.String(), errb.String()
}

func sweepCmd(args []string, out, errb *bytes.Buffer) int { return cmdSweep(args, out, errb) }
func mergeCmd(args []string, out, errb *bytes.Buffer) int { return cmdMerge(args, out, errb) }

func TestSweepRejectsBadInputWithExitTwoAndWritesNothing(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a path that matches nothing", []string{"--vary", "services.wbe.desired_count=4,5"}, `no entry of services is named "wbe"`},
		{"a value the validator refuses", []string{"--vary", "services.web.desired_count=4,-1"}, "want desired_count >= 0"},
		{"an unquoted string", []string{"--vary", "duration=2h"}, "strings need quotes"},
		{"the seed", []string{"--vary", "seed=1,2"}, "--seeds"},
		{"a shard out of range", []string{"--shard", "3/3"}, "0 <= I < N"},
		{"a key that does not exist, with a hint", []string{"--vary", "services.web.desird_count=4,5"},
			`services.web.desird_count: unknown key "desird_count" in services.web (did you mean "desired_count"?)`},
		{"a misspelt table", []string{"--vary", "clustr.name=\"a\""}, `unknown key "clustr" in the scenario (did you mean "cluster"?)`},
		{"a value of the wrong type", []string{"--vary", `services.web.desired_count=4,"four"`},
			`services.web.desired_count="four": services.web.desired_count: want an integer, found "four", a string`},
		{"an empty grid", []string{"--vary", "services.web.desired_count="}, "no values: an empty grid"},
		{"a stray comma", []string{"--vary", "services.web.desired_count=4,"}, "value 2 of 2 is empty"},
		{"a shard that is not I/N", []string{"--shard", "1"}, "want I/N, two integers"},
		{"no shards", []string{"--shard", "0/0"}, "want at least one shard (N >= 1)"},
		{"a shard that is no number", []string{"--shard", "a/3"}, "want I/N"},
		{"no seeds", []string{"--seeds", "0"}, "at least 1"},
		{"a key varied twice", []string{"--vary", "services.web.desired_count=4,5", "--vary", "services.web.desired_count=6"},
			"--vary: services.web.desired_count: want each key set or varied once, found it twice"},
		{"a key set and varied", []string{"--set", "services.web.desired_count=4", "--vary", "services.web.desired_count=5,6"},
			"--vary: services.web.desired_count: want each key set or varied once, found it twice"},
		{"an unknown scenario", []string{"no-such-scenario"}, "neither"},
		{"a value that is not a finite number", []string{"--vary", "services.web.load.base_rps=150,nan"},
			`with duration="2h", services.web.load.base_rps=nan: services.web.load.base_rps: want a finite number, found nan`},
		{"an infinite value set in every variant", []string{"--set", "batch_jobs.etl.arrivals.rate_per_hour=inf"},
			"batch_jobs.etl.arrivals.rate_per_hour: want a finite number, found inf"},
		{"a start without an offset", []string{"--vary", "start=2026-01-05T00:00:00Z,2026-01-05"},
			"with duration=\"2h\", start=2026-01-05: start: want a date-time with an offset (Z or ±hh:mm), found 2026-01-05, a local date"},
		{"a name that leaves the output folder", []string{"--set", `name="../../x"`},
			`name: want a name of 1 to 255 letters, digits, hyphens and underscores (it names the output folder), found "../../x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := append([]string{"web-and-batch", "--set", `duration="2h"`, "-q", "-o", dir}, tc.args...)
			if tc.args[0] == "no-such-scenario" {
				args = append([]string{"-q", "-o", dir}, tc.args...)
			}
			code, _, stderr := sweepCLI(sweepCmd, args...)
			assert.Equal(t, exitBadInput, code, stderr)
			assert.Contains(t, stderr, tc.want)
			_, err := os.Stat(dir)
			assert.True(t, os.IsNotExist(err), "nothing is written")
		})
	}
}

func TestSweepShardsMergeIntoTheUnshardedFolder(t *testing.T) {
	dir := t.TempDir()
	common := []string{"diurnal-target-tracking", "--set", `duration="2h"`, "--seeds", "2",
		"--vary", "services.web.auto_scaling.target_tracking.0.target_value=50,75"}
	code, stdout, stderr := sweepCLI(sweepCmd, append(common, "-o", filepath.Join(dir, "whole"))...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "v1")
	var shards []string
	for _, s := range []string{"0/2", "1/2"} {
		sd := filepath.Join(dir, "shard"+s[:1])
		code, _, stderr := sweepCLI(sweepCmd, append(common, "--shard", s, "-q", "-j", "1", "-o", sd)...)
		require.Equal(t, exitOK, code, stderr)
		shards = append(shards, sd)
	}
	code, _, stderr = sweepCLI(mergeCmd, append(shards, "-q", "-o", filepath.Join(dir, "merged"))...)
	require.Equal(t, exitOK, code, stderr)
	for _, f := range []string{"results.csv", "report.html", "sweep.json"} {
		a, err := os.ReadFile(filepath.Join(dir, "whole", f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dir, "merged", f))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, b), "%s differs", f)
	}
	code, _, stderr = sweepCLI(mergeCmd, shards[0], "-q", "-o", filepath.Join(dir, "half"))
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "shard(s) 1 of 2 missing")
}

// sweepUntilInterrupted runs cmdSweep and sends this process SIGINT once the
// journal in dir holds a finished run, as Ctrl-C does.
func sweepUntilInterrupted(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on windows")
	}
	type result struct {
		code   int
		stderr string
	}
	res := make(chan result, 1)
	go func() {
		code, _, stderr := sweepCLI(sweepCmd, args...)
		res <- result{code, stderr}
	}()
	for {
		select {
		case r := <-res:
			return r.code, r.stderr
		case <-time.After(2 * time.Millisecond):
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "runs.partial.jsonl")); bytes.Count(b, []byte("\n")) >= 1 {
			p, err := os.FindProcess(os.Getpid())
			require.NoError(t, err)
			require.NoError(t, p.Signal(os.Interrupt))
			r := <-res
			return r.code, r.stderr
		}
	}
}

func TestCtrlCKeepsTheFinishedRunsAndTheSameCommandResumes(t *testing.T) {
	dir := t.TempDir()
	common := []string{"web-and-batch", "--set", `duration="12h"`, "--seeds", "40", "-q", "-j", "1",
		"--vary", "services.web.desired_count=4,8"}
	code, _, stderr := sweepCLI(sweepCmd, append(common, "-o", filepath.Join(dir, "whole"))...)
	require.Equal(t, exitOK, code, stderr)

	out := filepath.Join(dir, "resumed")
	code, stderr = sweepUntilInterrupted(t, out, append(common, "-o", out)...)
	require.Equal(t, exitInterrupted, code, "exit 130 after Ctrl-C: %s", stderr)
	assert.Contains(t, stderr, "interrupt: stopped with")
	assert.Contains(t, stderr, "to resume, run the same command again:\n  fleetsim sweep web-and-batch --set 'duration=\"12h\"' --seeds 40")
	_, err := os.Stat(filepath.Join(out, "results.csv"))
	assert.True(t, os.IsNotExist(err), "no results.csv before the sweep is done")

	var stdout string
	code, stdout, stderr = sweepCLI(sweepCmd, append(slicesWithout(common, "-q"), "-o", out)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "resuming "+out)
	assert.Contains(t, stdout, "resumed) of shard 0/1")
	for _, f := range []string{"results.csv", "report.html", "sweep.json"} {
		a, err := os.ReadFile(filepath.Join(dir, "whole", f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(out, f))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, b), "%s differs from the uninterrupted sweep's", f)
	}
	left, err := filepath.Glob(filepath.Join(out, "*.partial.*"))
	require.NoError(t, err)
	assert.Empty(t, left, "the journal is removed once the sweep is written")
}

func TestAnotherSweepsUnfinishedRunsAreRefusedUnlessRestart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	common := []string{"web-and-batch", "--set", `duration="12h"`, "--seeds", "40", "-q", "-j", "1", "-o", out}
	code, stderr := sweepUntilInterrupted(t, out, append(common, "--vary", "services.web.desired_count=4,8")...)
	require.Equal(t, exitInterrupted, code, stderr)
	journal, err := os.ReadFile(filepath.Join(out, "runs.partial.jsonl"))
	require.NoError(t, err)

	other := append(common, "--vary", "services.web.desired_count=4,6")
	code, _, stderr = sweepCLI(sweepCmd, other...)
	assert.Equal(t, exitBadInput, code, stderr)
	assert.Contains(t, stderr, "holds an unfinished sweep with")
	assert.Contains(t, stderr, "axes")
	assert.Contains(t, stderr, "--restart")
	still, err := os.ReadFile(filepath.Join(out, "runs.partial.jsonl"))
	require.NoError(t, err)
	assert.Equal(t, journal, still, "a refused sweep leaves the folder alone")

	code, _, stderr = sweepCLI(sweepCmd, append(other, "--restart")...)
	require.Equal(t, exitOK, code, stderr)
	csv, err := os.ReadFile(filepath.Join(out, "results.csv"))
	require.NoError(t, err)
	assert.Contains(t, string(csv), "\n79,2,6,", "the other sweep's rows")
	assert.Equal(t, 1+80, strings.Count(string(csv), "\n"))
}

func slicesWithout(s []string, drop string) []string {
	var out []string
	for _, x := range s {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}

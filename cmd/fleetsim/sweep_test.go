package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

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
		{"no seeds", []string{"--seeds", "0"}, "at least 1"},
		{"an unknown scenario", []string{"no-such-scenario"}, "neither"},
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

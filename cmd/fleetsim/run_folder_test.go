package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
)

// A rerun into the same folder replaces the earlier run as a whole: what
// the new run does not write ([report] outputs now json only) is gone, and
// the marker says a run wrote the folder.
func TestARerunLeavesNoFileOfTheEarlierRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCLI("run", "-q", "-o", dir, "web-and-batch")
	require.Equal(t, exitOK, code, stderr)
	require.DirExists(t, filepath.Join(dir, report.PlotsDir))
	marker, err := os.ReadFile(filepath.Join(dir, report.RunMarker))
	require.NoError(t, err)
	first, version, _ := strings.Cut(string(marker), "\n")
	assert.Equal(t, "fleetsim run", first)
	assert.True(t, strings.HasPrefix(version, "fleetsim "), "the version line: %q", version)

	file := defaultScenarioFile(t, func(s string) string {
		return strings.Replace(s, `outputs = ["html", "csv", "json"]`, `outputs = ["json"]`, 1)
	})
	code, _, stderr = runCLI("run", "-q", "-o", dir, file)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{".", ".fleetsim-run", "cost.json", "state.json", "summary.json"}, filesUnder(t, dir))
	assert.Equal(t, []string{".", "out"}, topLevel(t, filepath.Dir(dir)), "no temporary folder is left")
}

// A folder that holds anything but an earlier run is not overwritten: exit
// 2 before anything runs, the folder as it was; --force replaces it.
func TestRunRefusesAFolderOfOtherFilesUnlessForce(t *testing.T) {
	tests := []struct {
		name string
		fill func(t *testing.T, dir string)
		why  string
	}{
		{"a folder of notes", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
		}, "files a run does not write: notes.txt"},
		{"a run with a file added by hand", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, report.RunMarker), []byte("fleetsim run\n"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "summary.json"), []byte("{}"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "analysis.ipynb"), []byte("{}"), 0o644))
		}, "files a run does not write: analysis.ipynb"},
		{"a sweep's folder", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "sweep.partial.json"), []byte("{}"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "runs.partial.jsonl"), nil, 0o644))
		}, "files a run does not write: runs.partial.jsonl, sweep.partial.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			require.NoError(t, os.MkdirAll(dir, 0o755))
			tc.fill(t, dir)
			before := contentsUnder(t, dir)

			code, stdout, stderr := runCLI("run", "-q", "-o", dir, "web-and-batch")
			assert.Equal(t, exitBadInput, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "fleetsim run: "+dir+": it holds something other than an earlier fleetsim run: "+tc.why)
			assert.Contains(t, stderr, "give another folder with -o, or add --force to replace it; nothing was run or written")
			assert.Equal(t, before, contentsUnder(t, dir), "left as it was")

			code, _, stderr = runCLI("run", "-q", "--force", "-o", dir, "web-and-batch")
			require.Equal(t, exitOK, code, stderr)
			assert.FileExists(t, filepath.Join(dir, report.RunMarker))
			for f := range before {
				if f != "." && f != report.RunMarker && f != "summary.json" {
					assert.NoFileExists(t, filepath.Join(dir, f), "replaced as a whole")
				}
			}
		})
	}
}

func TestRunNeverReplacesTheWorkingFolder(t *testing.T) {
	root := inEmptyFolder(t)
	code, _, stderr := runCLI("run", "-q", "--force", "-o", "..", "web-and-batch")
	assert.Equal(t, exitBadInput, code, stderr)
	assert.Contains(t, stderr, "fleetsim run: ..: it is or holds the working folder, which is never replaced ("+filepath.Join(root, "a", "b")+")")
	assert.Contains(t, stderr, "give another folder with -o; nothing was run or written")
	assert.Equal(t, []string{".", "a", "a/b"}, filesUnder(t, root), "nothing written")
}

// A sweep's folder is refused by sweep and merge when it holds what a sweep
// does not write; --force writes the sweep's files beside it, leaving it.
func TestSweepAndMergeRefuseAFolderThatIsNotASweepsUnlessForce(t *testing.T) {
	root := t.TempDir()
	run := filepath.Join(root, "run")
	code, _, stderr := runCLI("run", "-q", "-o", run, "web-and-batch")
	require.Equal(t, exitOK, code, stderr)
	before := contentsUnder(t, run)
	sweepArgs := []string{"web-and-batch", "--set", `duration="2h"`, "--vary", "services.web.desired_count=4,8", "--seeds", "1", "-q"}

	code, _, stderr = sweepCLI(sweepCmd, append(sweepArgs, "-o", run)...)
	assert.Equal(t, exitBadInput, code, stderr)
	assert.Contains(t, stderr, "fleetsim sweep: "+run+" holds something other than a sweep: files a sweep does not write: .fleetsim-run, cost.json, events.csv and 4 more")
	assert.Contains(t, stderr, "add --force to write the sweep's files there")
	assert.Equal(t, before, contentsUnder(t, run), "left as it was")

	shard := filepath.Join(root, "shards", "shard-0-of-1")
	code, _, stderr = sweepCLI(sweepCmd, append(sweepArgs, "--shard", "0/1", "-o", shard)...)
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = sweepCLI(mergeCmd, shard, "-q", "-o", run)
	assert.Equal(t, exitBadInput, code, stderr)
	assert.Contains(t, stderr, "fleetsim merge: "+run+" holds something other than a sweep")
	assert.Equal(t, before, contentsUnder(t, run), "left as it was")

	code, _, stderr = sweepCLI(mergeCmd, shard, "-q", "--force", "-o", run)
	require.Equal(t, exitOK, code, stderr)
	assert.FileExists(t, filepath.Join(run, "sweep.json"))
	assert.FileExists(t, filepath.Join(run, "summary.json"), "what else it held is left alone")
}

// merge's default folder is the one that holds the shards' folders: the
// merged files go in beside them, prepared whole first, and the shards
// stay.
func TestMergeIntoTheFolderOfItsShardsKeepsThem(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "web-sweep")
	common := []string{"web-and-batch", "--set", `duration="2h"`, "--vary", "services.web.desired_count=4,8", "--seeds", "1", "-q"}
	var shards []string
	for _, s := range []string{"0/2", "1/2"} {
		sd := filepath.Join(dir, "shard-"+s[:1]+"-of-2")
		code, _, stderr := sweepCLI(sweepCmd, append(common, "--shard", s, "-o", sd)...)
		require.Equal(t, exitOK, code, stderr)
		shards = append(shards, sd)
	}
	code, _, stderr := sweepCLI(mergeCmd, append(shards, "-q", "-o", dir)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{".", "report.html", "results.csv", "shard-0-of-2", "shard-1-of-2", "sweep.json"}, topLevel(t, dir))
	for _, sd := range shards {
		assert.FileExists(t, filepath.Join(sd, "results.csv"), "the shards stay")
	}

	code, _, stderr = sweepCLI(mergeCmd, append(shards, "-q", "-o", dir)...)
	require.Equal(t, exitOK, code, stderr, "a second merge replaces the merged files")
}

// A shard's folder has no report.html: one left by an earlier, unsharded
// sweep in the same folder does not survive the shard's sweep.
func TestAShardSweepRemovesTheReportOfAnEarlierSweepInItsFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	common := []string{"web-and-batch", "--set", `duration="2h"`, "--vary", "services.web.desired_count=4,8", "--seeds", "1", "-q", "-o", dir}
	code, _, stderr := sweepCLI(sweepCmd, common...)
	require.Equal(t, exitOK, code, stderr)
	require.FileExists(t, filepath.Join(dir, "report.html"))

	code, _, stderr = sweepCLI(sweepCmd, append(common, "--shard", "1/2")...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, []string{".", "results.csv", "sweep.json"}, filesUnder(t, dir))
}

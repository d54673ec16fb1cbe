package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/scenarios"
	"github.com/fleetsim/fleetsim/sweep"
)

// inEmptyFolder makes the test's working directory ROOT/a/b, an empty
// folder two below an empty root, so that out/../../x stays inside ROOT,
// and returns ROOT.
func inEmptyFolder(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	cwd := filepath.Join(root, "a", "b")
	require.NoError(t, os.MkdirAll(cwd, 0o755))
	t.Chdir(cwd)
	return root
}

// filesUnder lists everything below root, as paths relative to it.
func filesUnder(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	}))
	return out
}

// defaultScenarioFile writes the default scenario, edited, and the task
// definition it refers to, into a folder of their own, and returns its path.
func defaultScenarioFile(t *testing.T, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := fs.ReadFile(scenarios.LibraryFS(), scenarios.DefaultName+".toml")
	require.NoError(t, err)
	etl, err := fs.ReadFile(scenarios.LibraryFS(), "taskdefs/etl.json")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "taskdefs"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "taskdefs", "etl.json"), etl, 0o644))
	file := filepath.Join(dir, "scenario.toml")
	require.NoError(t, os.WriteFile(file, []byte(edit(string(src))), 0o644))
	return file
}

// A scenario named to write outside out/ is bad input: run and sweep exit 2
// with the validator's problem and write nothing anywhere.
func TestAScenarioNameThatLeavesOutIsRefusedBeforeAnythingRuns(t *testing.T) {
	file := defaultScenarioFile(t, func(s string) string {
		return strings.Replace(s, `name = "web-and-batch"`, `name = "../../x"`, 1)
	})
	tests := []struct {
		name string
		args []string
	}{
		{"run", []string{"run", "-q", file}},
		{"sweep", []string{"sweep", file, "--set", `duration="2h"`, "--vary", "services.web.desired_count=4,8", "--seeds", "1", "-q"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := inEmptyFolder(t)
			code, stdout, stderr := runCLI(tc.args...)
			assert.Equal(t, exitBadInput, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, file+`:5: name: want a name of 1 to 255 letters, digits, hyphens and underscores (it names the output folder), found "../../x"`)
			assert.Contains(t, stderr, "nothing was run or written")
			assert.Equal(t, []string{".", "a", "a/b"}, filesUnder(t, root), "nothing written")
		})
	}
}

// Whatever name reaches the CLI, the folder it makes without -o must be
// inside out/: a scenario validated by another rule (or an older fleetsim)
// cannot write elsewhere.
func TestAnOutputFolderTheNameMakesOutsideOutIsRefused(t *testing.T) {
	tests := []struct {
		name, cmd, scenario, folder string
	}{
		{"run of a name with two parents", "run", "../../x", "../x"},
		{"run of the parent folder", "run", "..", "."},
		{"run of the output folder itself", "run", ".", "out"},
		{"sweep of a name with two parents", "sweep", "../../x", "../x-sweep"},
		{"sweep of a name beside out", "sweep", "../..", "..-sweep"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := inEmptyFolder(t)
			rename := func(sc *scenarios.Scenario) { sc.Config.Name = tc.scenario }
			prevRun, prevSweep := resolveScenario, resolveSweep
			t.Cleanup(func() { resolveScenario, resolveSweep = prevRun, prevSweep })
			resolveScenario = func(arg string) (*scenarios.Scenario, error) {
				sc, err := prevRun(arg)
				if err == nil {
					rename(sc)
				}
				return sc, err
			}
			resolveSweep = func(arg string) (*scenarios.Scenario, func(string) ([]byte, error), error) {
				sc, readRel, err := prevSweep(arg)
				if err == nil {
					rename(sc)
				}
				return sc, readRel, err
			}
			args := []string{tc.cmd, "-q"}
			if tc.cmd == "sweep" {
				args = append(args, "--set", `duration="2h"`, "--vary", "services.web.desired_count=4,8", "--seeds", "1")
			}
			code, stdout, stderr := runCLI(args...)
			assert.Equal(t, exitBadInput, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "fleetsim "+tc.cmd+`: the scenario name "`+tc.scenario+`" makes the output folder `+
				filepath.FromSlash(tc.folder)+", which is not inside out"+string(filepath.Separator)+": give the folder with -o; nothing was run or written")
			assert.Equal(t, []string{".", "a", "a/b"}, filesUnder(t, root), "nothing written")
		})
	}
}

// merge names its folder from the scenario in the shards' sweep.json, a file
// anyone can edit: the same rule holds.
func TestMergeRefusesAnOutputFolderOutsideOut(t *testing.T) {
	shard := filepath.Join(t.TempDir(), "shard")
	code, _, stderr := runCLI("sweep", "web-and-batch", "--set", `duration="2h"`, "--vary", "services.web.desired_count=4,8",
		"--seeds", "1", "-q", "-o", shard)
	require.Equal(t, exitOK, code, stderr)
	manifest := filepath.Join(shard, sweep.ManifestFile)
	b, err := os.ReadFile(manifest)
	require.NoError(t, err)
	edited := strings.Replace(string(b), `"scenario": "web-and-batch"`, `"scenario": "../../x"`, 1)
	require.NotEqual(t, string(b), edited, "the edit applied")
	require.NoError(t, os.WriteFile(manifest, []byte(edited), 0o644))

	root := inEmptyFolder(t)
	code, stdout, stderr := runCLI("merge", "-q", shard)
	assert.Equal(t, exitBadInput, code, stderr)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, `fleetsim merge: the scenario name "../../x" makes the output folder `+filepath.FromSlash("../x-sweep"))
	assert.Equal(t, []string{".", "a", "a/b"}, filesUnder(t, root), "nothing written")
}

package report_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
)

// shortRun is a two-hour run of the default scenario.
func shortRun(t *testing.T) (*sim.Result, string) {
	t.Helper()
	return runScenario(t, "web-and-batch", func(c *sim.Config) { c.Duration = 2 * time.Hour })
}

// snapshot maps every path below root (relative, slash-separated) to its
// bytes; folders map to "/".
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			out[filepath.ToSlash(rel)] = "/"
			return nil
		}
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	}))
	return out
}

// names lists a folder's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestARerunReplacesTheEarlierRunWholeSoItsStaleFilesGo(t *testing.T) {
	res, src := shortRun(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	wrote, err := report.WriteRunFolder(context.Background(), dir, res, src, report.WriteOptions{Version: "fleetsim test"})
	require.NoError(t, err)
	assert.Equal(t, report.Files, wrote)
	pngs, err := filepath.Glob(filepath.Join(dir, report.PlotsDir, "*.png"))
	require.NoError(t, err)
	require.NotEmpty(t, pngs)
	marker, err := os.ReadFile(filepath.Join(dir, report.RunMarker))
	require.NoError(t, err)
	assert.Equal(t, "fleetsim run\nfleetsim test\n", string(marker))

	wrote, err = report.WriteRunOutputs(dir, res, src, []string{"json"})
	require.NoError(t, err)
	assert.Equal(t, []string{"summary.json", "state.json", "cost.json"}, wrote)
	assert.ElementsMatch(t, []string{report.RunMarker, "summary.json", "state.json", "cost.json"}, names(t, dir),
		"no plots/, CSV or report.html of the earlier run survives")
	assert.Equal(t, []string{"run"}, names(t, parent), "no temporary folder is left")
}

func TestACancelledWriteLeavesTheEarlierRunAsItWas(t *testing.T) {
	res, src := shortRun(t)
	parent := t.TempDir()
	dir := filepath.Join(parent, "run")
	_, err := report.WriteRunOutputs(dir, res, src, []string{"json", "csv"})
	require.NoError(t, err)
	before := snapshot(t, dir)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tmp string
	opts := report.WriteOptions{AfterFile: func(path string) {
		if filepath.Base(path) == "summary.json" {
			tmp = filepath.Dir(path)
			cancel()
		}
	}}
	_, err = report.WriteRunFolder(ctx, dir, res, src, opts)
	require.ErrorIs(t, err, context.Canceled)
	assert.True(t, strings.HasPrefix(filepath.Base(tmp), ".run.tmp-"), "written beside the target: %s", tmp)
	assert.Equal(t, parent, filepath.Dir(tmp))
	assert.Equal(t, before, snapshot(t, dir), "the earlier run is as it was")
	assert.Equal(t, []string{"run"}, names(t, parent), "the temporary folder is removed")
}

func TestAFolderOfOtherFilesIsReplacedOnlyWithForce(t *testing.T) {
	res, src := shortRun(t)
	dir := filepath.Join(t.TempDir(), "notes")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))

	_, err := report.WriteRunOutputs(dir, res, src, []string{"json"})
	require.ErrorIs(t, err, report.ErrFolderInUse)
	assert.Contains(t, err.Error(), "files a run does not write: notes.txt")
	assert.Equal(t, []string{"notes.txt"}, names(t, dir), "left as it was")

	_, err = report.WriteRunFolder(context.Background(), dir, res, src, report.WriteOptions{Outputs: []string{"json"}, Force: true})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{report.RunMarker, "summary.json", "state.json", "cost.json"}, names(t, dir))
}

func TestTheWorkingFolderIsNeverReplaced(t *testing.T) {
	res, src := shortRun(t)
	root := t.TempDir()
	wd := filepath.Join(root, "run", "inside")
	require.NoError(t, os.MkdirAll(wd, 0o755))
	t.Chdir(wd)
	for _, dir := range []string{".", "..", filepath.Join(root, "run")} {
		_, err := report.WriteRunFolder(context.Background(), dir, res, src, report.WriteOptions{Outputs: []string{"json"}, Force: true})
		require.ErrorIs(t, err, report.ErrWorkingFolder, dir)
	}
	assert.Equal(t, []string{"inside"}, names(t, filepath.Join(root, "run")))
}

func TestIsRunFolderKnowsARunByItsMarkerOrSummaryAndNothingElse(t *testing.T) {
	file := func(name, body string) func(string) {
		return func(dir string) {
			p := filepath.Join(dir, filepath.FromSlash(name))
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		}
	}
	marker := file(report.RunMarker, "fleetsim run\nfleetsim (devel) go1.26\n")
	tests := []struct {
		name    string
		fill    []func(string)
		want    bool
		wantWhy string
	}{
		{"an empty folder is no run, and nothing is in the way", nil, false, ""},
		{"the marker and a run's files", []func(string){marker, file("summary.json", "{}"), file("events.csv", ""), file("plots/cost.png", "")}, true, ""},
		{"the marker alone (a run of csv outputs only has no summary)", []func(string){marker, file("timeseries.csv", "")}, true, ""},
		{"a run from before the marker, known by its summary.json", []func(string){file("summary.json", "{}"), file("report.html", ""), file("plots/a.png", "")}, true, ""},
		{"a file added by hand", []func(string){marker, file("summary.json", "{}"), file("notes.txt", "")}, false, "files a run does not write: notes.txt"},
		{"a plots folder with something besides PNGs", []func(string){marker, file("plots/data.csv", "")}, false, "files a run does not write: plots/data.csv"},
		{"a marker that is not fleetsim's", []func(string){file(report.RunMarker, "something else\n"), file("summary.json", "{}")}, false, "not a fleetsim run's"},
		{"a report.html alone, as compare writes", []func(string){file("report.html", "")}, false, "neither .fleetsim-run nor summary.json"},
		{"a sweep's folder", []func(string){file("results.csv", ""), file("sweep.json", "{}")}, false, "files a run does not write: results.csv, sweep.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.fill {
				f(dir)
			}
			ok, why, err := report.IsRunFolder(dir)
			require.NoError(t, err)
			assert.Equal(t, tc.want, ok)
			assert.Contains(t, why, tc.wantWhy)
			if tc.wantWhy == "" {
				assert.Empty(t, why)
			}
		})
	}
	t.Run("a missing folder is no run, and nothing is in the way", func(t *testing.T) {
		ok, why, err := report.IsRunFolder(filepath.Join(t.TempDir(), "none"))
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Empty(t, why)
	})
	t.Run("a file is not a folder", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "f")
		require.NoError(t, os.WriteFile(p, nil, 0o644))
		ok, why, err := report.IsRunFolder(p)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Contains(t, why, "not a folder")
	})
}

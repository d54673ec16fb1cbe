package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/scenarios"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, f := range report.Files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err, f)
		require.NotEmpty(t, b, f)
		files[f] = b
	}
	return files
}

func TestRunDefaultWritesFourFilesAndIsByteIdenticalOnRerun(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	code, stdout, stderr := runCLI("run", "-o", a)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "web-and-batch (seed 42)")
	code, _, stderr = runCLI("run", "-q", "-o", b)
	require.Equal(t, exitOK, code, stderr)
	fa, fb := readAll(t, a), readAll(t, b)
	for _, f := range report.Files {
		assert.True(t, bytes.Equal(fa[f], fb[f]), "%s differs between two runs of the same scenario and seed", f)
	}
	var sum map[string]any
	require.NoError(t, json.Unmarshal(fa["summary.json"], &sum))
	assert.NotContains(t, sum, "wall_time", "wall time goes to stdout only")
}

func TestSeedFlagOverridesTheScenarioSeed(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI("run", scenarios.DefaultName, "--seed", "7", "-q", "-o", dir)
	require.Equal(t, exitOK, code, stderr)
	var sum struct{ Seed uint64 }
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &sum))
	assert.Equal(t, uint64(7), sum.Seed)
}

// The acceptance case: the default scenario with a misspelt key, a negative
// desired_count and an unknown instance type exits 2, names all three and the
// file, and writes nothing.
func TestBadScenarioExitsTwoNamesEveryProblemAndWritesNothing(t *testing.T) {
	src, err := fs.ReadFile(scenarios.LibraryFS(), scenarios.DefaultName+".toml")
	require.NoError(t, err)
	bad := strings.Replace(string(src), "desired_count = 8", "desired_count = -1", 1)
	bad = strings.Replace(bad, `instance_types = ["m5.large"]`, `instance_types = ["m5.mega"]`, 1)
	bad = strings.Replace(bad, "desired_capacity = 4", "desired_capacty = 4", 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.toml")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "taskdefs"), 0o755))
	etl, err := fs.ReadFile(scenarios.LibraryFS(), "taskdefs/etl.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "taskdefs", "etl.json"), etl, 0o644))
	require.NoError(t, os.WriteFile(file, []byte(bad), 0o644))
	out := filepath.Join(dir, "out")

	code, stdout, stderr := runCLI("run", "-o", out, file)
	assert.Equal(t, exitBadInput, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, file+":")
	assert.Contains(t, stderr, `desired_capacty: unknown key (did you mean "desired_capacity"?)`)
	assert.Contains(t, stderr, "services.web.desired_count: want desired_count >= 0, found -1")
	assert.Contains(t, stderr, `found "m5.mega"`)
	assert.Contains(t, stderr, "3 problem(s)")
	_, err = os.Stat(out)
	assert.True(t, os.IsNotExist(err), "nothing written")

	code, _, stderr = runCLI("validate", file)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "3 problem(s)")
}

func TestListShowsTheLibraryAndValidateAcceptsIt(t *testing.T) {
	code, stdout, _ := runCLI("list")
	require.Equal(t, exitOK, code)
	for _, e := range scenarios.Library() {
		assert.Contains(t, stdout, e.Name)
		code, out, stderr := runCLI("validate", e.Name)
		assert.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, "ok")
	}
}

func TestUnknownCommandAndExtraArgumentsAreBadInput(t *testing.T) {
	code, _, stderr := runCLI("runn")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, `unknown command "runn"`)
	code, _, stderr = runCLI("run", "a", "b")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "one scenario at a time")
	code, _, _ = runCLI("run", "--nope")
	assert.Equal(t, exitBadInput, code)
}

func TestCompareOfAFolderThatIsNotARunIsBadInput(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	code, _, stderr := runCLI("run", "-q", "-o", run, "broken-deploy-rollback")
	require.Equal(t, exitOK, code, stderr)
	out := filepath.Join(dir, "cmp")
	code, _, stderr = runCLI("compare", "-o", out, run, filepath.Join(dir, "empty"))
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "summary.json")
	_, err := os.Stat(out)
	assert.True(t, os.IsNotExist(err), "nothing written")
	code, stdout, stderr := runCLI("compare", "-o", out, run, run)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "report.html")
}

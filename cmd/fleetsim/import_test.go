package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// importFixtures are the consistent AWS CLI outputs of one cluster
// (scenarios/awsimport/testdata/cluster/README.md says where each is from).
func importFixtures(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob("../../scenarios/awsimport/testdata/cluster/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, names)
	return names
}

func TestImportHelpExitsZeroAndNamesTheCommands(t *testing.T) {
	for _, args := range [][]string{{"import", "--help"}, {"help", "import"}} {
		code, stdout, stderr := runCLI(args...)
		assert.Equal(t, exitOK, code)
		assert.True(t, strings.HasPrefix(stdout, "usage: fleetsim import [-o DIR] FILE..."), stdout)
		assert.Contains(t, stdout, "aws ecs describe-services")
		assert.Empty(t, stderr)
	}
	_, stdout, _ := runCLI("help")
	assert.Contains(t, stdout, "fleetsim import [-o DIR] FILE...")
}

func TestImportWritesAScenarioThatRuns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	code, stdout, stderr := runCLI(append([]string{"import", "-o", dir}, importFixtures(t)...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "2 services, 2 task definitions, 1 groups")
	assert.Contains(t, stderr, "fleetsim: warning: ", "unmapped configuration is printed")
	assert.Contains(t, stderr, "services[1].networkConfiguration: not imported")
	for _, f := range []string{"scenario.toml", "taskdefs/hello_world-8.json", "taskdefs/fargate-task-definition.json", "traces/load.csv"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	toml, err := os.ReadFile(filepath.Join(dir, "scenario.toml"))
	require.NoError(t, err)
	assert.Contains(t, string(toml), "# not imported: services[1].networkConfiguration (")

	code, _, stderr = runCLI("validate", filepath.Join(dir, "scenario.toml"))
	assert.Equal(t, exitOK, code, stderr)
	code, stdout, stderr = runCLI("run", "-q", "-o", filepath.Join(t.TempDir(), "run"), filepath.Join(dir, "scenario.toml"))
	assert.Equal(t, exitOK, code, stderr+stdout)

	// Again into the same folder: refused, nothing overwritten.
	code, _, stderr = runCLI(append([]string{"import", "-o", dir}, importFixtures(t)...)...)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "already exists; choose another -o. Nothing was written")
}

func TestImportOfBadJSONExitsTwoNamesTheLineAndWritesNothing(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "services.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\n  \"services\": [\n    {\"serviceName\": \"web\" \"desiredCount\": 1}\n  ]\n}\n"), 0o644))
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI("import", "-o", dir, bad, "no-such-file.json")
	assert.Equal(t, exitBadInput, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "no-such-file.json: cannot read: no such file or directory")
	assert.NoDirExists(t, dir)

	code, _, stderr = runCLI("import", "-o", dir, bad)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, bad+":3: want valid JSON, found invalid character '\"' after object key:value pair")
	assert.Contains(t, stderr, "nothing was run or written")
	assert.NoDirExists(t, dir)

	code, _, stderr = runCLI("import")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, stderr, "name at least one AWS CLI output file")
}

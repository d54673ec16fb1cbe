package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// externalScenario writes a scenario whose task definition (a sibling
// folder's JSON, reached with "..") asks for ECS Anywhere: AWS accepts it,
// fleetsim runs it as EC2 with a warning.
func externalScenario(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "defs"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scenarios"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "defs", "web.json"), []byte(`{"family": "web", "requiresCompatibilities": ["EXTERNAL"],
  "containerDefinitions": [{"name": "web", "image": "nginx", "memory": 256}]}`), 0o644))
	file := filepath.Join(dir, "scenarios", "anywhere.toml")
	require.NoError(t, os.WriteFile(file, []byte(`name = "anywhere"
duration = "10m"
[cluster]
availability_zones = ["us-east-1a"]

[[auto_scaling_groups]]
name = "asg"
instance_types = ["m5.large"]
min_size = 1
max_size = 1

[[task_definitions]]
family = "web"
file = "../defs/web.json"

[[services]]
name = "web"
task_definition = "web"
desired_count = 1
launch_type = "EC2"
`), 0o644))
	return file
}

// Warnings are printed, written to summary.json and shown in the report;
// --strict makes them problems and nothing runs.
func TestWarningsArePrintedKeptAndStrictRefusesThem(t *testing.T) {
	file := externalScenario(t)
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCLI("run", "-q", "-o", out, file)
	require.Equal(t, exitOK, code, stderr)

	var summary struct{ Warnings []string }
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &summary))
	require.Len(t, summary.Warnings, 1)
	assert.Contains(t, summary.Warnings[0], "defs/web.json:1: requiresCompatibilities.0: not modelled: ECS Anywhere")
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), "The scenario has 1 warning(s)")
	assert.Contains(t, string(page), "not modelled: ECS Anywhere")

	code, stdout, stderr := runCLI("validate", file)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, ": ok")
	assert.Contains(t, stderr, "fleetsim: warning: ")

	for _, args := range [][]string{{"validate", "--strict", file}, {"run", "--strict", "-o", filepath.Join(t.TempDir(), "strict"), file}} {
		code, stdout, stderr := runCLI(args...)
		assert.Equal(t, exitBadInput, code, strings.Join(args, " "))
		assert.NotContains(t, stdout, ": ok")
		assert.Contains(t, stderr, "requiresCompatibilities.0: not modelled: ECS Anywhere")
		assert.Contains(t, stderr, "1 problem(s); nothing was run or written")
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/report"
	"github.com/fleetsim/fleetsim/sim"
)

func readExplain(t *testing.T, dir string) sim.Explanations {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, report.ExplainFile))
	require.NoError(t, err)
	var ex sim.Explanations
	require.NoError(t, json.Unmarshal(b, &ex))
	return ex
}

func TestExplainFlagChoosesPodsByNamePrefixOrLabels(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI("run", "eks-web-and-nightly", "--explain", "web-", "--explain", "app=web", "-o", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, report.ExplainFile, "listed among the files written")
	ex := readExplain(t, dir)
	bySelector := map[int]int{}
	for _, pe := range ex.Pods {
		bySelector[pe.Selector]++
	}
	// selector 0 is the scenario's (nightly-report, limit 3); the flags'
	// take 5 pods each, and a web pod counts for the first that chooses it.
	assert.Equal(t, map[int]int{0: 3, 1: 5, 2: 5}, bySelector)
}

func TestExplainFlagChoosesAnECSServicesPlacements(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI("run", "--explain", "we", "-q", "-o", dir)
	require.Equal(t, exitOK, code, stderr)
	ex := readExplain(t, dir)
	require.Len(t, ex.Tasks, 5)
	for _, te := range ex.Tasks {
		assert.Equal(t, "service:web", te.Group)
		assert.Equal(t, te.Instance, te.Placement.Chosen)
	}
}

func TestExplainFlagRefusesWhatChoosesNothing(t *testing.T) {
	for _, tc := range []struct{ flag, want string }{
		{"app=web", "labels choose pods; an ECS run's tasks are chosen by a service's name (prefix)"},
		{"billing", `no service's or batch job's name starts with "billing"`},
		{"=web", "want KEY=VALUE labels"},
	} {
		dir := filepath.Join(t.TempDir(), "out")
		code, _, stderr := runCLI("run", "--explain", tc.flag, "-q", "-o", dir)
		assert.Equal(t, exitBadInput, code, tc.flag)
		assert.Contains(t, stderr, tc.want, tc.flag)
		assert.NoDirExists(t, dir, "nothing written")
	}
}

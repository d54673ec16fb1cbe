package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sweep"
)

// fleetsim run ecs-vs-eks --set orchestrator=eks runs the pair's workload on
// EKS into out/ecs-vs-eks-eks (the --set values name the default folder),
// beside the ECS run's out/ecs-vs-eks.
func TestRunSetRunsTheWorkloadPairOnTheOtherOrchestrator(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, stderr := runCLI("run", "-q", "ecs-vs-eks")
	require.Equal(t, exitOK, code, stderr)
	code, _, stderr = runCLI("run", "-q", "ecs-vs-eks", "--set", "orchestrator=eks")
	require.Equal(t, exitOK, code, stderr)
	read := func(dir string) map[string]any {
		b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		require.NoError(t, err)
		var s map[string]any
		require.NoError(t, json.Unmarshal(b, &s))
		return s
	}
	ecs, eks := read(filepath.Join("out", "ecs-vs-eks")), read(filepath.Join("out", "ecs-vs-eks-eks"))
	assert.Nil(t, ecs["eks"], "the file's orchestrator: ECS")
	assert.NotNil(t, eks["eks"], "--set orchestrator=eks: EKS")
	assert.NotEmpty(t, ecs["services"])
}

// A bad --set is refused before anything runs: exit 2, nothing written, the
// key named.
func TestRunSetRefusesBadKeysAndValues(t *testing.T) {
	for _, c := range []struct {
		name string
		set  string
		want string
	}{
		{"an unknown orchestrator", "orchestrator=k8s", `orchestrator: want one of ecs, eks, found "k8s"`},
		{"the seed", "seed=3", "give the seed with --seed N"},
		{"a list entry that is not there", "workload.services.api.cpu=1", `no entry of workload.services is named "api"`},
		{"a workload value the orchestrators refuse", "workload.services.web.cpu=0.1", "workload.services.web.cpu: want vCPU that is a whole number of ECS CPU units"},
		{"no KEY=VALUE", "orchestrator", "want KEY=VALUE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, _, stderr := runCLI("run", "-q", "-o", out, "ecs-vs-eks", "--set", c.set)
			assert.Equal(t, exitBadInput, code, stderr)
			assert.Contains(t, stderr, c.want)
			assert.Contains(t, stderr, "nothing was run or written")
			_, err := os.Stat(out)
			assert.True(t, os.IsNotExist(err))
		})
	}
}

// A bare word is the string it spells; numbers, booleans, and words a TOML
// value reads are left as they are.
func TestRunSetReadsABareWordAsAString(t *testing.T) {
	for in, want := range map[string]string{
		"orchestrator=eks":             `orchestrator="eks"`,
		"orchestrator=\"eks\"":         `orchestrator="eks"`,
		"services.web.desired_count=6": "services.web.desired_count=6",
		"x=true":                       "x=true",
	} {
		ovs, err := runOverrides([]string{in})
		require.NoError(t, err, in)
		assert.Equal(t, want, ovs[0].String(), in)
	}
	_, err := runOverrides([]string{"duration=2h"})
	assert.ErrorContains(t, err, "not a TOML value", "a duration still needs its quotes, as in a sweep")
	ovs, err := runOverrides([]string{"orchestrator=eks", "workload.services.web.replicas=6"})
	require.NoError(t, err)
	assert.Equal(t, "-eks-6", setSuffix(ovs))
	assert.Equal(t, "-_tmp_x", setSuffix([]sweep.Override{{Value: sweep.Value{Text: `"/tmp/x"`, V: "/tmp/x"}}}), "no path separator in a folder name")
	_, err = runOverrides([]string{"orchestrator=eks", "orchestrator=ecs"})
	assert.ErrorContains(t, err, "set twice")
}

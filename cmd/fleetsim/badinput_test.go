package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badCorpus is the bad-input corpus: small scenarios (and the files some
// refer to, in files/), each wrong in one way a hurried user or an attacker
// would try. A file's first lines say what its refusal must mention:
//
//	# want: KEY   a key (or file:line) stderr names as "KEY:", in the problem form
//	# and: TEXT   more text stderr holds (what to change, the limit's name)
const badCorpus = "testdata/bad"

// corpusCase is one corpus file and what its refusal must say.
type corpusCase struct {
	file       string
	wants, and []string
}

func readCorpus(t *testing.T) []corpusCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(badCorpus, "*.toml"))
	require.NoError(t, err)
	var out []corpusCase
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		c := corpusCase{file: f}
		sc := bufio.NewScanner(bytes.NewReader(src))
		for sc.Scan() {
			line := sc.Text()
			if w, ok := strings.CutPrefix(line, "# want: "); ok {
				c.wants = append(c.wants, w)
			} else if a, ok := strings.CutPrefix(line, "# and: "); ok {
				c.and = append(c.and, a)
			} else {
				break
			}
		}
		require.NotEmpty(t, c.wants, "%s: its first line says what its refusal must name (# want: KEY)", f)
		out = append(out, c)
	}
	return out
}

// runGuarded is runCLI that turns a panic into a test failure with its
// stack, so that one bad file does not end the whole corpus.
func runGuarded(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("fleetsim %s panicked: %v\n%s", strings.Join(args, " "), r, debug.Stack())
		}
	}()
	return runCLI(args...)
}

// slowRefusal is how long a refusal may take at most: the estimate refuses
// over-large runs before anything runs (measured: about 10 ms a file), so a
// refusal this slow means a run started or a check walked something huge.
const slowRefusal = 5 * time.Second

// Every file of the bad-input corpus is refused by fleetsim run with exit
// 2, the key its first line names on stderr in the problem form, nothing
// written in the -o folder, no panic, and quickly.
func TestEveryBadInputIsRefusedWithItsKeyAndNothingWritten(t *testing.T) {
	cases := readCorpus(t)
	require.GreaterOrEqual(t, len(cases), 150, "the corpus holds at least 150 bad inputs")
	for _, c := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(c.file), ".toml"), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			start := time.Now()
			code, stdout, stderr := runGuarded(t, "run", c.file, "-o", out)
			took := time.Since(start)
			assert.Equal(t, exitBadInput, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			for _, w := range c.wants {
				assert.Contains(t, stderr, w+":", "the refusal names %s", w)
			}
			for _, a := range c.and {
				assert.Contains(t, stderr, a)
			}
			assert.Contains(t, stderr, "nothing was run or written")
			_, err := os.Stat(out)
			assert.True(t, os.IsNotExist(err), "nothing is written in the -o folder")
			assert.Less(t, took, slowRefusal, "refused in %s", took)
		})
	}
}

// validate refuses the corpus as run does: one check for both commands.
func TestValidateRefusesTheBadInputCorpusAsRunDoes(t *testing.T) {
	for _, c := range readCorpus(t) {
		t.Run(strings.TrimSuffix(filepath.Base(c.file), ".toml"), func(t *testing.T) {
			code, _, stderr := runGuarded(t, "validate", c.file)
			assert.Equal(t, exitBadInput, code, stderr)
			for _, w := range c.wants {
				assert.Contains(t, stderr, w+":")
			}
		})
	}
}

// A warning (an adjustable AWS quota passed) lets the run go ahead, on
// stderr in the problem form.
func TestAQuotaPassedWarnsAndTheRunGoesAhead(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "quota.toml")
	src := fmt.Sprintf("%s\n[quotas]\ntasks_per_service = 1\n", strings.TrimSpace(corpusBase))
	require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
	code, stdout, stderr := runCLI("validate", file)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, ": ok")
	assert.Contains(t, stderr, "fleetsim: warning: "+file+":")
	assert.Contains(t, stderr, `services.web.desired_count: want a desired count within AWS's quota "Tasks per service" (1), found 2`)
}

// corpusBase is the valid scenario the corpus's files are variations of.
const corpusBase = `
name = "bad"
duration = "1h"
[cluster]
availability_zones = ["us-east-1a", "us-east-1b"]

[[auto_scaling_groups]]
name = "asg"
instance_types = ["m5.large"]
min_size = 1
max_size = 2

[[capacity_providers]]
name = "cp"
auto_scaling_group = "asg"

[[task_definitions]]
family = "web"
  [[task_definitions.container_definitions]]
  name = "web"
  image = "nginx:1.27"
  cpu = 256
  memory = 512

[[services]]
name = "web"
task_definition = "web"
desired_count = 2
capacity_provider_strategy = [{ capacity_provider = "cp", weight = 1 }]
`

// The corpus's base scenario is itself valid: each file's refusal is its
// own mistake's.
func TestTheBadInputCorpusBaseIsValid(t *testing.T) {
	file := filepath.Join(t.TempDir(), "base.toml")
	require.NoError(t, os.WriteFile(file, []byte(corpusBase), 0o644))
	code, _, stderr := runCLI("validate", file)
	assert.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stderr)
}

// eksCorpusBase is the valid [eks] scenario the corpus's eks-*.toml files are
// variations of, with the manifests of testdata/bad/files.
const eksCorpusBase = `name = "bad"
duration = "1h"
[eks]
zones = ["us-east-1a", "us-east-1b"]
manifests = ["files/eks-web.yaml", "files/eks-job.yaml"]

[[eks.node_group]]
name = "general"
instance_types = ["m5.large"]
min_size = 1
max_size = 4

[[eks.node_group]]
name = "spot"
instance_types = ["c5.2xlarge"]
capacity_type = "SPOT"
max_size = 2
taints = ["lifecycle=spot:NoSchedule"]

[[eks.priority_class]]
name = "high-priority"
value = 1000

[[eks.job]]
name = "batch"
run_time = "10m"
`

// The [eks] corpus base is valid too, with no warning: each eks-*.toml
// file's refusal is its own mistake's.
func TestTheEKSBadInputCorpusBaseIsValid(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "files"), 0o755))
	for _, f := range []string{"eks-web.yaml", "eks-job.yaml"} {
		b, err := os.ReadFile(filepath.Join(badCorpus, "files", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "files", f), b, 0o644))
	}
	file := filepath.Join(dir, "base.toml")
	require.NoError(t, os.WriteFile(file, []byte(eksCorpusBase), 0o644))
	code, stdout, stderr := runCLI("validate", file)
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, ": ok")
	assert.Empty(t, stderr)
}
